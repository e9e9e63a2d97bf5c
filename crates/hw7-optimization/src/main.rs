//! `hw7-optimization`: runs Course 2 week 2's notebook "Optimization Methods": trains the
//! three-layer network on the moons with mini-batch gradient descent, momentum or Adam, with or
//! without learning-rate decay, prints the cost (and the rate) every 1000 epochs and the accuracy
//! as the notebook does, and draws the data, the cost curve and the decision boundary (unless
//! `--no-plots`); `--compare` also trains the other two optimizers and draws the three cost
//! curves on one chart. The work is in the library; this file parses flags and prints. Training
//! goes through `hw7_optimization::engine`.

#![forbid(unsafe_code)]

use anyhow::{Context, Result};
use clap::Parser;
use hw7_optimization::engine::{Engine, model_with};
use hw7_optimization::{
    COST_EVERY, Decay, MINI_BATCH_SIZE, NUM_EPOCHS, Optimizer, PRINT_EVERY, SEED, Settings,
    TrainedModel, accuracy, default_learning_rate, figures, load_dataset,
};
use linalg_nn::cli::serde_json::json;
use linalg_nn::cli::{CommonArgs, RunReport, learning_rate, positive_count};
use linalg_nn::data::planar::PlanarData;
use linalg_nn::train::Silent;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Optimization methods (course 2, week 2): a [2, 5, 2, 1] ReLU network on two noisy half
/// moons, trained on mini-batches of 64 by gradient descent, momentum or Adam, with or without
/// learning-rate decay.
///
/// The data is generated in code (the notebook's make_moons points), so no data folder is
/// read. Figures go to out/hw7-optimization/ (none with --no-plots).
#[derive(Debug, Parser)]
#[command(name = "hw7-optimization", version)]
struct Args {
    /// The update rule: gd (mini-batch gradient descent), momentum or adam.
    #[arg(long, default_value_t = Optimizer::Adam)]
    optimizer: Optimizer,
    /// Learning-rate decay: none, update (update_lr, every epoch) or schedule
    /// (schedule_lr_decay, every 1000 epochs); decay_rate 1.
    #[arg(long, default_value_t = Decay::None)]
    decay: Decay,
    /// Examples per mini-batch (the notebook's 64).
    #[arg(long, value_name = "N", default_value_t = MINI_BATCH_SIZE, value_parser = positive_count, allow_negative_numbers = true)]
    mini_batch_size: usize,
    /// Epochs, passes over the 300 points (the notebook's 5000).
    #[arg(long, value_name = "N", default_value_t = NUM_EPOCHS, value_parser = positive_count, allow_negative_numbers = true)]
    epochs: usize,
    /// Learning rate of the first epoch. Default: the notebook's 0.0007 without decay; with
    /// decay the rates of its decay runs, 0.1 for gd and momentum, 0.01 for adam.
    #[arg(long, value_name = "RATE", value_parser = learning_rate, allow_negative_numbers = true)]
    learning_rate: Option<f64>,
    /// Also train the other two optimizers (same decay and rate rule) and draw the three cost
    /// curves on one chart.
    #[arg(long)]
    compare: bool,
    /// The training loop: three-layer (mini-batches through nn_engines::three_layer, the
    /// default) or notebook (the notebook's functions as written); the same numbers.
    #[arg(long, value_name = "ENGINE", default_value_t = Engine::ThreeLayer)]
    engine: Engine,
    #[command(flatten)]
    common: CommonArgs,
}

impl Args {
    /// The notebook's `model(...)` call for `optimizer` with these flags.
    fn settings(&self, optimizer: Optimizer) -> Settings {
        Settings {
            optimizer,
            learning_rate: self
                .learning_rate
                .unwrap_or_else(|| default_learning_rate(optimizer, self.decay)),
            mini_batch_size: self.mini_batch_size,
            num_epochs: self.epochs,
            ..Settings::notebook_with_decay(optimizer, self.decay)
        }
    }

    /// The run's name in file names: `adam`, `gd-schedule`, ...
    fn run_name(&self, optimizer: Optimizer) -> String {
        match self.decay {
            Decay::None => optimizer.name().to_owned(),
            decay => format!("{optimizer}-{decay}"),
        }
    }
}

fn main() -> ExitCode {
    linalg_nn::cli::exit_with(run(&Args::parse()))
}

fn run(args: &Args) -> Result<()> {
    let console = args.common.console();
    let data = load_dataset();
    let settings = args.settings(args.optimizer);
    console.detail(format!(
        "make_moons: {} training points; optimizer = \"{}\", decay = {}, {} epochs of mini-batches of {} at learning rate {}",
        data.m(),
        args.optimizer,
        args.decay.function().unwrap_or("none"),
        args.epochs,
        args.mini_batch_size,
        settings.learning_rate
    ));
    let started = std::time::Instant::now();
    let trained = model_with(args.engine, &data.x, &data.y, &settings, &mut Silent)
        .with_context(|| format!("training with optimizer = \"{}\"", args.optimizer))?;
    let training_seconds = started.elapsed().as_secs_f64();
    // The notebook prints every 1000th epoch's cost with "%f", and under decay the rate after it.
    for (&(epoch, cost), &(_, rate)) in trained.costs.iter().zip(&trained.learning_rates) {
        if epoch % PRINT_EVERY == 0 {
            console.detail(format!("Cost after epoch {epoch}: {cost:.6}"));
            if args.decay != Decay::None {
                console.detail(format!("learning rate after epoch {epoch}: {rate:.6}"));
            }
        }
    }
    let train = accuracy(&data.x, &data.y, &trained.parameters)?;
    // opt_utils' predict() prints the fraction with every digit.
    console.result(format!("Accuracy: {train}"));

    let mut others = Vec::new();
    if args.compare {
        for optimizer in Optimizer::ALL.into_iter().filter(|&o| o != args.optimizer) {
            let other_settings = args.settings(optimizer);
            let other = model_with(args.engine, &data.x, &data.y, &other_settings, &mut Silent)
                .with_context(|| format!("training with optimizer = \"{optimizer}\""))?;
            let other_accuracy = accuracy(&data.x, &data.y, &other.parameters)?;
            console.result(format!("{}: Accuracy: {other_accuracy}", optimizer.title()));
            others.push((optimizer, other));
        }
    }

    let written = if args.common.plots() {
        let out_dir = args.common.out_dir("hw7-optimization");
        let written = write_figures(&out_dir, args, &data, &trained, train, &others)?;
        console.figures_written(&out_dir, &written);
        written
    } else {
        Vec::new()
    };

    let mut report = RunReport {
        assignment: "hw7-optimization",
        engine: args.engine.name(),
        seed: Some(u64::from(SEED)),
        num_iterations: args.epochs,
        learning_rate: settings.learning_rate,
        costs: trained.costs.clone(),
        train_accuracy: 100.0 * train,
        test_accuracy: None,
        training_seconds,
        figures: written,
    }
    .to_json();
    report["optimizer"] = json!(args.optimizer.name());
    report["decay"] = json!(args.decay.name());
    report["mini_batch_size"] = json!(args.mini_batch_size);
    report["layers_dims"] = json!([data.x.nrows(), 5, 2, 1]);
    report["cost_every"] = json!(COST_EVERY);
    report["learning_rates"] = json!(trained.learning_rates);
    if args.compare {
        let compared: linalg_nn::cli::serde_json::Map<String, linalg_nn::cli::serde_json::Value> =
            others.iter().map(|(o, t)| (o.name().to_owned(), json!(t.costs))).collect();
        report["compared_costs"] = json!(compared);
    }
    console.emit_json(&report);
    Ok(())
}

/// The data, the cost curve and the decision boundary, named after the run; with `--compare`
/// the three cost curves on one chart.
fn write_figures(
    out_dir: &Path,
    args: &Args,
    data: &PlanarData,
    trained: &TrainedModel,
    train: f64,
    others: &[(Optimizer, TrainedModel)],
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create the figure folder {}", out_dir.display()))?;
    let name = args.run_name(args.optimizer);
    let title_of = |optimizer: Optimizer| match args.decay.function() {
        None => optimizer.title().to_owned(),
        Some(decay) => format!("{} with {decay}", optimizer.title()),
    };
    let data_path = out_dir.join("moons.png");
    figures::dataset(&data_path, data, "make_moons: red = 0, blue = 1")?;
    let cost_path = out_dir.join(format!("cost-{name}.png"));
    let rate = args.settings(args.optimizer).learning_rate;
    let title = format!("{}: cost, learning rate = {rate}", title_of(args.optimizer));
    figures::cost_curves(&cost_path, &[("cost", &trained.costs)], &title)?;
    let boundary_path = out_dir.join(format!("boundary-{name}.png"));
    let title = format!("Model with {} optimization: accuracy {train}", title_of(args.optimizer));
    figures::decision_regions(&boundary_path, data, &trained.parameters, &title)?;
    let mut written = vec![data_path, cost_path, boundary_path];
    if !others.is_empty() {
        let mut runs: Vec<(&str, &[(usize, f64)])> =
            vec![(args.optimizer.title(), trained.costs.as_slice())];
        runs.extend(others.iter().map(|(o, t)| (o.title(), t.costs.as_slice())));
        // The notebook's order: gradient descent, momentum, Adam.
        runs.sort_by_key(|(title, _)| {
            Optimizer::ALL.iter().position(|o| o.title() == *title).unwrap_or(usize::MAX)
        });
        let suffix = match args.decay {
            Decay::None => String::new(),
            decay => format!("-{decay}"),
        };
        let compare_path = out_dir.join(format!("costs-compared{suffix}.png"));
        let title = match args.decay.function() {
            None => "Gradient descent, momentum and Adam (mini-batches of 64)".to_owned(),
            Some(decay) => format!("Gradient descent, momentum and Adam with {decay}"),
        };
        figures::cost_curves(&compare_path, &runs, &title)?;
        written.push(compare_path);
    }
    Ok(written)
}
