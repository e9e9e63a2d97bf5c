//! `hw2-planar`: runs week 3's notebook, "Planar data classification with one hidden layer":
//! trains the network, compares it with logistic regression, optionally sweeps the hidden layer
//! size, and draws the decision boundaries (unless `--no-plots`). The work is in the library;
//! this file parses flags and prints. Training goes through `hw2_planar::engines`.

#![forbid(unsafe_code)]

use anyhow::{Context, Result};
use clap::Parser;
use hw2_planar::baseline::{BASELINE_ITERATIONS, BASELINE_LEARNING_RATE};
use hw2_planar::engines::{Engine, hidden_layer_sweep, logistic_regression, model};
use hw2_planar::{
    ModelConfig, Preset, SweepRun, TrainedModel, accuracy, figures, sweep_iterations,
};
use linalg_nn::activations::Activation;
use linalg_nn::cli::serde_json::{self, json};
use linalg_nn::cli::{
    CommonArgs, Console, RunReport, TrainingDisplay, cost_pairs, layer_width, learning_rate,
    positive_count, width_list,
};
use linalg_nn::data::planar::{PlanarData, PlanarDataset};
use linalg_nn::train::{Iteration, TrainObserver};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Planar data classification with one hidden layer (course 1, week 3).
///
/// Trains a 2 -> n_h -> 1 network (tanh hidden layer, sigmoid output) on the red/blue flower,
/// compares it with logistic regression, and writes the decision boundaries as PNG figures (none
/// with --no-plots). The data is generated in code, so no data folder is read.
#[derive(Debug, Parser)]
#[command(name = "hw2-planar", version)]
struct Args {
    /// Settings to start from: `notes` (2000 iterations at 0.5, W2 unscaled) or `course` (the
    /// notebook: 10000 iterations at 1.2, seed 2, cost every 1000).
    #[arg(long, default_value_t = Preset::Notes)]
    preset: Preset,
    /// Gradient-descent iterations (overrides the preset).
    #[arg(long, value_name = "N", value_parser = positive_count, allow_negative_numbers = true)]
    epochs: Option<usize>,
    /// Learning rate (overrides the preset).
    #[arg(long, value_name = "RATE", value_parser = learning_rate, allow_negative_numbers = true)]
    learning_rate: Option<f64>,
    /// Hidden units n_h (overrides the preset's 4).
    #[arg(long, value_name = "N_H", value_parser = layer_width, allow_negative_numbers = true)]
    hidden: Option<usize>,
    /// Hidden activation: tanh (the notebook), sigmoid, relu or leaky-relu.
    #[arg(long, value_name = "NAME")]
    activation: Option<Activation>,
    /// Seed of the weight initialisation (and of the generated data sets); default 2.
    #[arg(long, value_parser = linalg_nn::cli::seed, allow_negative_numbers = true)]
    seed: Option<u32>,
    /// Data set: flower, noisy-circles, noisy-moons, blobs, gaussian-quantiles, no-structure.
    #[arg(long, default_value_t = PlanarDataset::Flower)]
    dataset: PlanarDataset,
    /// Also train one network per hidden layer size, e.g. 1,2,3,4,5,20,50 (5000 iterations each
    /// with the course preset), and draw their decision boundaries side by side.
    #[arg(long, value_name = "SIZES", value_parser = width_list)]
    sweep: Option<::std::vec::Vec<usize>>,
    #[command(flatten)]
    common: CommonArgs,
}

fn main() -> ExitCode {
    linalg_nn::cli::exit_with(run(&Args::parse()))
}

/// The preset with the flags applied.
fn model_config(args: &Args) -> ModelConfig {
    let mut config = ModelConfig::preset(args.preset);
    if let Some(epochs) = args.epochs {
        config.num_iterations = epochs;
    }
    if let Some(rate) = args.learning_rate {
        config.learning_rate = rate;
    }
    if let Some(hidden) = args.hidden {
        config.hidden_units = hidden;
    }
    if let Some(activation) = args.activation {
        config.activation = activation;
    }
    if let Some(seed) = args.seed {
        config.init.seed = seed;
    }
    // Every iteration's cost is kept for the cost curve only.
    config.every_cost = args.common.plots();
    config
}

fn run(args: &Args) -> Result<()> {
    let console = args.common.console();
    let config = model_config(args);
    let data = args.dataset.generate(config.init.seed);
    let dataset = args.dataset.name();

    console.detail(format!(
        "Data set: {dataset}, {} points (X {:?}, Y {:?}){}",
        data.m(),
        data.x.shape(),
        data.y.shape(),
        if args.dataset == PlanarDataset::Flower { "" } else { ", generated with the seed" },
    ));
    console.detail(format!(
        "Preset {}: n_h = {}, hidden activation {}, {} iterations, learning rate {}, seed {} (set with --seed)",
        args.preset,
        config.hidden_units,
        config.activation,
        config.num_iterations,
        config.learning_rate,
        config.init.seed,
    ));

    let mut display = console.training("nn_model", config.num_iterations);
    let started = std::time::Instant::now();
    let model = model(&data.x, &data.y, &config, &mut display).with_context(|| {
        format!("training the network (n_h = {}) on {dataset}", config.hidden_units)
    })?;
    let training_seconds = started.elapsed().as_secs_f64();
    drop(display);
    let train_accuracy = accuracy(&data.x, &data.y, &model.parameters)?;
    console.result(format!("Accuracy: {train_accuracy} %"));

    let mut baseline_display =
        console.training("logistic regression", BASELINE_ITERATIONS).print_costs(false);
    let baseline = logistic_regression(
        &data.x,
        &data.y,
        BASELINE_ITERATIONS,
        BASELINE_LEARNING_RATE,
        &mut baseline_display,
    )
    .context("training the logistic-regression baseline")?;
    console.result(format!(
        "Accuracy of logistic regression: {} % (hw1's model, {BASELINE_ITERATIONS} iterations at learning rate {BASELINE_LEARNING_RATE})",
        baseline.train_accuracy
    ));

    let sweep = match &args.sweep {
        Some(sizes) => Some(run_sweep(args, &console, &config, &data, sizes)?),
        None => None,
    };

    // Under --no-plots nothing is written (not even the folder) and nothing listed.
    let written = if args.common.plots() {
        let out_dir = args.common.out_dir("hw2-planar");
        let written =
            write_figures(&out_dir, args, &config, &data, &model, &baseline, sweep.as_deref())?;
        console.figures_written(&out_dir, &written);
        written
    } else {
        Vec::new()
    };

    let mut report = RunReport {
        assignment: "hw2-planar",
        engine: Engine::default().name(),
        seed: Some(u64::from(config.init.seed)),
        num_iterations: config.num_iterations,
        learning_rate: config.learning_rate,
        costs: cost_pairs(&model.costs, config.cost_every),
        train_accuracy,
        // The notebook trains and scores on the same 400 points: there is no test set.
        test_accuracy: None,
        training_seconds,
        figures: written,
    }
    .to_json();
    report["preset"] = json!(args.preset.name());
    report["dataset"] = json!(dataset);
    report["hidden_units"] = json!(config.hidden_units);
    report["activation"] = json!(config.activation.name());
    report["baseline"] = json!({
        "model": "logistic regression",
        "num_iterations": BASELINE_ITERATIONS,
        "learning_rate": BASELINE_LEARNING_RATE,
        "train_accuracy": baseline.train_accuracy,
    });
    if let Some(runs) = &sweep {
        report["sweep"] = runs
            .iter()
            .map(|r| json!({ "hidden_units": r.hidden_units, "train_accuracy": r.accuracy }))
            .collect::<serde_json::Value>();
    }
    console.emit_json(&report);
    Ok(())
}

fn run_sweep(
    args: &Args,
    console: &Console,
    config: &ModelConfig,
    data: &PlanarData,
    sizes: &[usize],
) -> Result<Vec<SweepRun>> {
    let sweep_config = ModelConfig {
        num_iterations: args.epochs.unwrap_or_else(|| sweep_iterations(args.preset)),
        ..*config
    };
    console.detail(format!(
        "Hidden layer sweep: {} networks, {} iterations each at learning rate {}",
        sizes.len(),
        sweep_config.num_iterations,
        sweep_config.learning_rate,
    ));
    // The runs train side by side on the machine's cores: one progress bar for all of them.
    let total = sizes.len() * sweep_config.num_iterations;
    let progress = SharedProgress {
        display: Arc::new(Mutex::new(console.training("sweep", total).print_costs(false))),
        done: Arc::new(AtomicUsize::new(0)),
        total,
    };
    let runs = hidden_layer_sweep(&data.x, &data.y, sizes, &sweep_config, |_| progress.clone())
        .context("hidden layer sweep")?;
    drop(progress);
    for run in &runs {
        // The notebook's line: "Accuracy for 5 hidden units: 91.25 %".
        console
            .result(format!("Accuracy for {} hidden units: {} %", run.hidden_units, run.accuracy));
    }
    Ok(runs)
}

/// One progress display fed by every run of the sweep (the runs are concurrent, so each
/// iteration of any run advances the same bar).
#[derive(Clone)]
struct SharedProgress {
    display: Arc<Mutex<TrainingDisplay>>,
    done: Arc<AtomicUsize>,
    total: usize,
}

impl TrainObserver for SharedProgress {
    fn on_iteration(&mut self, _: &Iteration) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        // Redrawing every 100 iterations keeps the lock out of the training loop's way.
        if (done.is_multiple_of(100) || done == self.total)
            && let Ok(mut display) = self.display.lock()
        {
            display.on_iteration(&Iteration { index: done - 1, total: self.total, cost: None });
        }
    }
}

fn write_figures(
    out_dir: &Path,
    args: &Args,
    config: &ModelConfig,
    data: &PlanarData,
    model: &TrainedModel,
    baseline: &hw2_planar::baseline::LogisticModel,
    sweep: Option<&[SweepRun]>,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("creating the figure folder {}", out_dir.display()))?;
    let dataset = args.dataset.name();
    let path = |suffix: &str| out_dir.join(format!("{dataset}{suffix}.png"));
    let mut written = Vec::new();

    let points = path("");
    figures::dataset_scatter(&points, data, &format!("{dataset}: red = 0, blue = 1"))?;
    written.push(points);

    let boundary = path("-boundary");
    let title = format!(
        "Decision boundary for hidden layer size {} ({}), {} %",
        config.hidden_units,
        config.activation,
        accuracy(&data.x, &data.y, &model.parameters)?,
    );
    figures::network_boundary(&boundary, data, &model.parameters, &title)?;
    written.push(boundary);

    let cost = path("-cost");
    let title = format!(
        "Cost, learning rate = {}, n_h = {}, {}",
        config.learning_rate, config.hidden_units, config.activation
    );
    figures::cost_curve(&cost, model, &title)?;
    written.push(cost);

    let logistic = path("-logistic-regression");
    let title = format!("Logistic regression, {} %", baseline.train_accuracy);
    figures::baseline_boundary(&logistic, data, baseline, &title)?;
    written.push(logistic);

    if let Some(runs) = sweep {
        let grid = path("-sweep");
        figures::sweep_boundaries(&grid, data, runs)?;
        written.push(grid);
    }
    Ok(written)
}
