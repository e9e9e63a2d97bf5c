//! `hw6-gradient-checking`: runs Course 2 week 1's notebook "Gradient Checking": the 1-D check
//! of `J(theta) = theta x`, then the check of the 4-5-3-1 network's `backward_propagation_n`
//! (the notebook's, with its two planted bugs, unless `--backprop fixed`), printing the
//! notebook's verdict lines, the parameter where backpropagation is most wrong and the
//! difference of each parameter matrix. The work is in the library; this file parses flags and
//! prints.

#![forbid(unsafe_code)]

use anyhow::{Context, Result};
use clap::{Parser, ValueEnum};
use hw6_gradient_checking::figures::gradient_gaps;
use hw6_gradient_checking::{
    Backprop, DEFAULT_EPSILON, PASS_THRESHOLD, THETA, X, gradient_check, notebook_check, verdict,
};
use linalg_nn::cli::serde_json::{Value, json};
use linalg_nn::cli::{CommonArgs, Console, learning_rate};
use linalg_nn::gradcheck::{GradCheckReport, WorstParameter};
use linalg_nn::numpy::float_repr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Gradient checking (course 2, week 1): backpropagation's gradient against the two-sided
/// difference (J(theta + eps) - J(theta - eps)) / (2 eps), for J(theta) = theta x and for the
/// 47 parameters of a 4-5-3-1 network whose backward pass has two planted bugs.
///
/// A difference above 2e-7 means a mistake in backpropagation (the notebook's threshold).
/// Nothing is read; the figure of the N-dimensional check (|grad - gradapprox| of each
/// parameter) goes to out/hw6-gradient-checking/ (none with --no-plots).
#[derive(Debug, Parser)]
#[command(name = "hw6-gradient-checking", version)]
struct Args {
    /// Which check: 1d (J = theta x), nd (the network), or both, as the notebook runs them.
    #[arg(long, value_enum, default_value_t = Case::Both)]
    case: Case,
    /// The 1-D input x (the notebook's 3; the older notebook's 2). theta is 4.
    #[arg(long, value_name = "X", default_value_t = X, value_parser = finite, allow_negative_numbers = true)]
    x: f64,
    /// The network's backward_propagation_n: buggy (the notebook's: dW2 doubled, db1 with 4/m),
    /// fixed, or one bug only (dw2, db1).
    #[arg(long, default_value_t = Backprop::Buggy)]
    backprop: Backprop,
    /// The perturbation epsilon (the notebook's 1e-7).
    #[arg(long, value_name = "EPS", default_value_t = DEFAULT_EPSILON, value_parser = learning_rate, allow_negative_numbers = true)]
    epsilon: f64,
    #[command(flatten)]
    common: CommonArgs,
}

/// `--case`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Case {
    /// J(theta) = theta x only.
    #[value(name = "1d")]
    OneD,
    /// The 4-5-3-1 network only.
    #[value(name = "nd")]
    ND,
    /// Both, 1-D first.
    Both,
}

/// clap value parser for `--x`: any finite number.
fn finite(s: &str) -> Result<f64, String> {
    let value: f64 = s.trim().parse().map_err(|_| format!("'{s}' is not a number"))?;
    if value.is_finite() { Ok(value) } else { Err(format!("must be a finite number, got {s}")) }
}

fn main() -> ExitCode {
    linalg_nn::cli::exit_with(run(&Args::parse()))
}

fn run(args: &Args) -> Result<()> {
    let console = args.common.console();
    // The keys every binary's report has (docs/reference/json.md); nothing is trained here.
    let mut report = json!({
        "assignment": "hw6-gradient-checking",
        "engine": Value::Null,
        "seed": Value::Null,
        "num_iterations": Value::Null,
        "learning_rate": Value::Null,
        "costs": [],
        "train_accuracy": Value::Null,
        "test_accuracy": Value::Null,
        "training_seconds": Value::Null,
        "epsilon": args.epsilon,
        "threshold": PASS_THRESHOLD,
        "1d": Value::Null,
        "nd": Value::Null,
        "figures": [],
    });
    if args.case != Case::ND {
        console.detail(format!(
            "1-D gradient check: J(theta) = theta x with x = {}, theta = {}, epsilon = {}",
            float_repr(args.x),
            float_repr(THETA),
            float_repr(args.epsilon)
        ));
        let check = gradient_check(args.x, THETA, args.epsilon)
            .with_context(|| format!("gradient_check(x = {}, theta = {THETA})", args.x))?;
        console.result(verdict(check.difference));
        report["1d"] = json!({
            "x": args.x,
            "theta": THETA,
            "grad": check.grad[0],
            "gradapprox": check.gradapprox[0],
            "difference": check.difference,
            "passed": check.passed(),
        });
    }
    if args.case != Case::OneD {
        console.detail(format!(
            "N-dimensional gradient check: the 4-5-3-1 network of gradient_check_n_test_case, \
             backward_propagation_n = {} ({}), epsilon = {}",
            args.backprop,
            describe(args.backprop),
            float_repr(args.epsilon)
        ));
        let check = notebook_check(args.backprop, args.epsilon)
            .with_context(|| format!("gradient_check_n with the {} backprop", args.backprop))?;
        console.result(verdict(check.difference));
        console.result(format!("Worst parameter: {}", worst_line(&check.worst)));
        print_blocks(&console, &check);
        report["nd"] = nd_json(args.backprop, &check);
        report["seed"] = json!(hw6_gradient_checking::SEED);
        if args.common.plots() {
            let out_dir = args.common.out_dir("hw6-gradient-checking");
            let path = write_figure(&out_dir, args, &check)?;
            console.figures_written(&out_dir, std::slice::from_ref(&path));
            report["figures"] = json!([path]);
        }
    }
    console.emit_json(&report);
    Ok(())
}

/// `gradient-gaps-<backprop>.png`: the run's `|grad - gradapprox|` beside the fixed
/// backpropagation's (alone when the run is the fixed one).
fn write_figure(out_dir: &Path, args: &Args, check: &GradCheckReport) -> Result<PathBuf> {
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create the figure folder {}", out_dir.display()))?;
    let path = out_dir.join(format!("gradient-gaps-{}.png", args.backprop));
    let label = format!("backprop = {}", args.backprop);
    let mut checks = vec![(label.as_str(), check)];
    let fixed;
    if args.backprop != Backprop::Fixed {
        fixed = notebook_check(Backprop::Fixed, args.epsilon)?;
        checks.push(("backprop = fixed", &fixed));
    }
    gradient_gaps(&path, &checks).with_context(|| format!("cannot draw {}", path.display()))?;
    Ok(path)
}

/// What `--backprop` puts into backward_propagation_n.
fn describe(backprop: Backprop) -> &'static str {
    match backprop {
        Backprop::Buggy => "the notebook's, with dW2 doubled and db1 with 4/m",
        Backprop::Fixed => "both bugs fixed",
        Backprop::Dw2 => "only dW2 doubled",
        Backprop::Db1 => "only db1 with 4/m",
    }
}

fn worst_line(worst: &WorstParameter) -> String {
    format!(
        "{worst} (index {} of the vector): grad {}, gradapprox {}",
        worst.index,
        float_repr(worst.analytic),
        float_repr(worst.numeric)
    )
}

/// The difference of each parameter matrix alone: a bug shows as a matrix far above the
/// others (a few matrices of correct code land near 2e-7: few values, the same rounding).
fn print_blocks(console: &Console, check: &GradCheckReport) {
    console.detail("Difference of each parameter matrix:");
    for block in &check.blocks {
        console.detail(format!(
            "  {:<2} {:>7}  {:>12.6e}  worst {}",
            block.name,
            format!("{:?}", block.shape),
            block.difference,
            block.worst
        ));
    }
}

fn worst_json(worst: &WorstParameter) -> Value {
    json!({
        "name": worst.name,
        "position": [worst.position.0, worst.position.1],
        "index": worst.index,
        "grad": worst.analytic,
        "gradapprox": worst.numeric,
    })
}

fn nd_json(backprop: Backprop, check: &GradCheckReport) -> Value {
    let blocks: Vec<Value> = check
        .blocks
        .iter()
        .map(|b| {
            json!({
                "name": b.name,
                "shape": [b.shape.0, b.shape.1],
                "difference": b.difference,
                "worst": worst_json(&b.worst),
            })
        })
        .collect();
    json!({
        "backprop": backprop.name(),
        "parameters": check.parameters,
        "difference": check.difference,
        "passed": check.passed(),
        "worst": worst_json(&check.worst),
        "blocks": blocks,
        "grad": check.grad,
        "gradapprox": check.gradapprox,
    })
}
