//! `hw4-initialization`: runs Course 2 week 1's notebook "Initialization": trains the
//! three-layer network on the circles from the chosen initialisation, prints the cost every
//! 1000 iterations and the train / test accuracy as the notebook does, and draws the data, the
//! cost curve and the decision boundary (unless `--no-plots`). The work is in the library; this
//! file parses flags and prints. Training goes through `hw4_initialization::engine`.

#![forbid(unsafe_code)]

use anyhow::{Context, Result};
use clap::Parser;
use hw4_initialization::engine::{Engine, model_with};
use hw4_initialization::{
    COST_EVERY, Circles, Initialization, LEARNING_RATE, NUM_ITERATIONS, SEED, TrainedModel,
    accuracy, figures, load_dataset,
};
use linalg_nn::cli::serde_json::json;
use linalg_nn::cli::{CommonArgs, RunReport, learning_rate, positive_count};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Initialization (course 2, week 1): a [2, 10, 5, 1] ReLU network on two noisy circles,
/// started from zeros, from large random weights or with He initialisation.
///
/// The data is generated in code (the notebook's make_circles points), so no data folder is
/// read. Figures go to out/hw4-initialization/ (none with --no-plots).
#[derive(Debug, Parser)]
#[command(name = "hw4-initialization", version)]
struct Args {
    /// How the weights start: zeros, random (randn * 10) or he (randn * sqrt(2 / n[l-1])).
    #[arg(long, default_value_t = Initialization::He)]
    init: Initialization,
    /// Gradient-descent iterations (the notebook's 15000).
    #[arg(long, value_name = "N", default_value_t = NUM_ITERATIONS, value_parser = positive_count, allow_negative_numbers = true)]
    epochs: usize,
    /// Learning rate (the notebook's 0.01).
    #[arg(long, value_name = "RATE", default_value_t = LEARNING_RATE, value_parser = learning_rate, allow_negative_numbers = true)]
    learning_rate: f64,
    /// The training loop: three-layer (nn_engines::three_layer, the default) or notebook (the
    /// notebook's functions as written); the same numbers.
    #[arg(long, value_name = "ENGINE", default_value_t = Engine::ThreeLayer)]
    engine: Engine,
    #[command(flatten)]
    common: CommonArgs,
}

fn main() -> ExitCode {
    linalg_nn::cli::exit_with(run(&Args::parse()))
}

fn run(args: &Args) -> Result<()> {
    let console = args.common.console();
    let data = load_dataset();
    console.detail(format!(
        "make_circles: {} training points, {} test points; initialization = \"{}\", {} iterations at learning rate {}",
        data.train.m(),
        data.test.m(),
        args.init,
        args.epochs,
        args.learning_rate
    ));
    let mut display = console.training("model", args.epochs);
    let started = std::time::Instant::now();
    let trained = model_with(
        args.engine,
        &data.train.x,
        &data.train.y,
        args.learning_rate,
        args.epochs,
        args.init,
        &mut display,
    )
    .with_context(|| format!("training from initialization = \"{}\"", args.init))?;
    let training_seconds = started.elapsed().as_secs_f64();
    drop(display);
    let train = accuracy(&data.train.x, &data.train.y, &trained.parameters)?;
    let test = accuracy(&data.test.x, &data.test.y, &trained.parameters)?;
    // The notebook's predict() prints the fraction with every digit.
    console.result("On the train set:");
    console.result(format!("Accuracy: {train}"));
    console.result("On the test set:");
    console.result(format!("Accuracy: {test}"));

    let written = if args.common.plots() {
        let out_dir = args.common.out_dir("hw4-initialization");
        let written = write_figures(&out_dir, args, &data, &trained, train)?;
        console.figures_written(&out_dir, &written);
        written
    } else {
        Vec::new()
    };

    let mut report = RunReport {
        assignment: "hw4-initialization",
        engine: args.engine.name(),
        // Zeros draw nothing; the other two start with np.random.seed(3).
        seed: (args.init != Initialization::Zeros).then_some(u64::from(SEED)),
        num_iterations: args.epochs,
        learning_rate: args.learning_rate,
        costs: trained.costs.clone(),
        train_accuracy: 100.0 * train,
        test_accuracy: Some(100.0 * test),
        training_seconds,
        figures: written,
    }
    .to_json();
    report["initialization"] = json!(args.init.name());
    report["layers_dims"] = json!([data.train.x.nrows(), 10, 5, 1]);
    report["cost_every"] = json!(COST_EVERY);
    console.emit_json(&report);
    Ok(())
}

/// The data, the cost curve and the decision boundary, named after the initialisation.
fn write_figures(
    out_dir: &Path,
    args: &Args,
    data: &Circles,
    trained: &TrainedModel,
    train: f64,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create the figure folder {}", out_dir.display()))?;
    let init = args.init.name();
    let data_path = out_dir.join("circles.png");
    figures::dataset(&data_path, &data.train, "make_circles: red = 0, blue = 1")?;
    let cost_path = out_dir.join(format!("cost-{init}.png"));
    let title =
        format!("Cost, initialization = \"{init}\", learning rate = {}", args.learning_rate);
    figures::cost_curve(&cost_path, &trained.costs, &title)?;
    let boundary_path = out_dir.join(format!("boundary-{init}.png"));
    let title = format!("Model with {init} initialization: train accuracy {train}");
    figures::decision_regions(&boundary_path, &data.train, &trained.parameters, &title)?;
    Ok(vec![data_path, cost_path, boundary_path])
}
