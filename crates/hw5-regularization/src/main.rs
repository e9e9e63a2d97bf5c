//! `hw5-regularization`: runs Course 2 week 1's notebook "Regularization": trains the
//! three-layer network on the football positions without regularisation, with L2 or with
//! dropout, prints the cost every 10000 iterations and the train / test accuracy as the notebook
//! does, and draws the data, the cost curve and the decision boundary (unless `--no-plots`). The
//! work is in the library; this file parses flags and prints. Training goes through
//! `hw5_regularization::engine`.

#![forbid(unsafe_code)]

use anyhow::{Context, Result};
use clap::{Parser, ValueEnum};
use hw5_regularization::engine::{Engine, model_with};
use hw5_regularization::{
    COST_EVERY, FOOTBALL_FILE, Football, KEEP_PROB, LAMBD, LEARNING_RATE, MaskSchedule,
    NUM_ITERATIONS, PRINT_EVERY, Regularization, SEED, TrainedModel, accuracy, figures,
    load_2d_dataset,
};
use linalg_nn::cli::serde_json::json;
use linalg_nn::cli::{CommonArgs, RunReport, learning_rate, positive_count};
use linalg_nn::train::{Iteration, TrainObserver};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Regularization (course 2, week 1): a [2, 20, 3, 1] ReLU network on the French football
/// positions, without regularization, with L2 regularization or with dropout.
///
/// The data is the course's datasets/data.mat (regularization_football.mat in the data folder).
/// Figures go to out/hw5-regularization/ (none with --no-plots).
#[derive(Debug, Parser)]
#[command(name = "hw5-regularization", version)]
struct Args {
    /// The model: none, l2 (the cost and gradients of the L2 penalty) or dropout (on both
    /// hidden layers).
    #[arg(long, value_enum, default_value_t = Reg::None)]
    reg: Reg,
    /// L2 regularization hyperparameter lambd, a finite number >= 0 (used with --reg l2).
    #[arg(long, value_name = "LAMBD", default_value_t = LAMBD, value_parser = lambd, allow_negative_numbers = true)]
    lambd: f64,
    /// Probability of keeping a hidden unit, in (0, 1] (used with --reg dropout).
    #[arg(long, value_name = "P", default_value_t = KEEP_PROB, value_parser = keep_prob, allow_negative_numbers = true)]
    keep_prob: f64,
    /// Dropout masks: notebook (np.random.seed(1) in every forward pass, so the same masks at
    /// every iteration, as the notebook) or fresh (new masks at every iteration).
    #[arg(long, value_name = "SCHEDULE", default_value_t = MaskSchedule::Notebook)]
    dropout_masks: MaskSchedule,
    /// Gradient-descent iterations (the notebook's 30000).
    #[arg(long, value_name = "N", default_value_t = NUM_ITERATIONS, value_parser = positive_count, allow_negative_numbers = true)]
    epochs: usize,
    /// Learning rate (the notebook's 0.3).
    #[arg(long, value_name = "RATE", default_value_t = LEARNING_RATE, value_parser = learning_rate, allow_negative_numbers = true)]
    learning_rate: f64,
    /// Folder with regularization_football.mat (default: $DL_COURSE_DATA, else the workspace's
    /// datasets/ folder, filled by `cargo xtask fetch-data`).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The training loop: three-layer (nn_engines::three_layer, the default) or notebook (the
    /// notebook's loop as written); both print the same bits.
    #[arg(long, value_name = "ENGINE", default_value_t = Engine::ThreeLayer)]
    engine: Engine,
    #[command(flatten)]
    common: CommonArgs,
}

/// `--reg`: which of the notebook's three models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Reg {
    /// No regularization: lambd = 0, keep_prob = 1.
    None,
    /// L2 regularization with --lambd.
    L2,
    /// Dropout with --keep-prob.
    Dropout,
}

/// `--lambd`: finite and >= 0.
fn lambd(s: &str) -> Result<f64, String> {
    let value: f64 = s.trim().parse().map_err(|_| format!("'{s}' is not a number"))?;
    hw5_regularization::check_lambd(value).map_err(|e| e.to_string())?;
    Ok(value)
}

/// `--keep-prob`: in (0, 1].
fn keep_prob(s: &str) -> Result<f64, String> {
    let value: f64 = s.trim().parse().map_err(|_| format!("'{s}' is not a number"))?;
    hw5_regularization::check_keep_prob(value).map_err(|e| e.to_string())?;
    Ok(value)
}

fn main() -> ExitCode {
    linalg_nn::cli::exit_with(run(&Args::parse()))
}

impl Args {
    fn regularization(&self) -> Regularization {
        match self.reg {
            Reg::None => Regularization::None,
            Reg::L2 => Regularization::L2 { lambd: self.lambd },
            Reg::Dropout => {
                Regularization::Dropout { keep_prob: self.keep_prob, masks: self.dropout_masks }
            }
        }
    }

    /// How the run is named in files and titles: `none`, `l2`, `dropout`, `dropout-fresh`.
    fn label(&self) -> String {
        match self.regularization() {
            Regularization::Dropout { masks: MaskSchedule::Fresh, .. } => "dropout-fresh".into(),
            other => other.name().into(),
        }
    }

    fn settings(&self) -> String {
        match self.regularization() {
            Regularization::None => "no regularization".into(),
            Regularization::L2 { lambd } => format!("L2 regularization, lambd = {lambd}"),
            Regularization::Dropout { keep_prob, masks } => {
                format!("dropout, keep_prob = {keep_prob}, {masks} masks")
            }
        }
    }
}

/// Prints "Cost after iteration i: cost" every [`PRINT_EVERY`] iterations, as the notebook's
/// `print_cost` does (the cost is kept every [`COST_EVERY`]), around the progress display.
struct Printer<'a, O: TrainObserver> {
    display: &'a mut O,
}

impl<O: TrainObserver> TrainObserver for Printer<'_, O> {
    fn on_iteration(&mut self, it: &Iteration) {
        let printed =
            Iteration { cost: it.cost.filter(|_| it.index.is_multiple_of(PRINT_EVERY)), ..*it };
        self.display.on_iteration(&printed);
    }
}

fn run(args: &Args) -> Result<()> {
    let console = args.common.console();
    let data_dir = args.data_dir.clone().unwrap_or_else(linalg_nn::data::default_data_dir);
    linalg_nn::cli::fetch_missing_course_data(&data_dir, &[FOOTBALL_FILE])?;
    let data = load_2d_dataset(&data_dir).with_context(|| {
        format!("cannot load the football positions ({FOOTBALL_FILE}) from {}", data_dir.display())
    })?;
    console.detail(format!(
        "data.mat: {} training points, {} test points; {}, {} iterations at learning rate {}",
        data.train.m(),
        data.test.m(),
        args.settings(),
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
        args.regularization(),
        &mut Printer { display: &mut display },
    )
    .with_context(|| format!("training with {}", args.settings()))?;
    let training_seconds = started.elapsed().as_secs_f64();
    drop(display);
    let train = accuracy(&data.train.x, &data.train.y, &trained.parameters)?;
    let test = accuracy(&data.test.x, &data.test.y, &trained.parameters)?;
    // The notebook's predict() prints the fraction with every digit.
    console.result("On the training set:");
    console.result(format!("Accuracy: {train}"));
    console.result("On the test set:");
    console.result(format!("Accuracy: {test}"));

    let written = if args.common.plots() {
        let out_dir = args.common.out_dir("hw5-regularization");
        let written = write_figures(&out_dir, args, &data, &trained, train, test)?;
        console.figures_written(&out_dir, &written);
        written
    } else {
        Vec::new()
    };

    let regularization = args.regularization();
    let mut report = RunReport {
        assignment: "hw5-regularization",
        engine: args.engine.name(),
        seed: Some(u64::from(SEED)),
        num_iterations: args.epochs,
        learning_rate: args.learning_rate,
        costs: trained.costs.clone(),
        train_accuracy: 100.0 * train,
        test_accuracy: Some(100.0 * test),
        training_seconds,
        figures: written,
    }
    .to_json();
    report["regularization"] = json!(regularization.name());
    report["lambd"] = match regularization {
        Regularization::L2 { lambd } => json!(lambd),
        _ => json!(0.0),
    };
    report["keep_prob"] = match regularization {
        Regularization::Dropout { keep_prob, .. } => json!(keep_prob),
        _ => json!(1.0),
    };
    report["dropout_masks"] = match regularization {
        Regularization::Dropout { masks, .. } => json!(masks.name()),
        _ => json!(null),
    };
    report["layers_dims"] = json!([data.train.x.nrows(), 20, 3, 1]);
    report["cost_every"] = json!(COST_EVERY);
    console.emit_json(&report);
    Ok(())
}

/// The data, the cost curve and the decision boundary, named after the run.
fn write_figures(
    out_dir: &Path,
    args: &Args,
    data: &Football,
    trained: &TrainedModel,
    train: f64,
    test: f64,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create the figure folder {}", out_dir.display()))?;
    let label = args.label();
    let data_path = out_dir.join("football.png");
    figures::dataset(&data_path, &data.train, "French player heads it: blue = 1, red = 0")?;
    let cost_path = out_dir.join(format!("cost-{label}.png"));
    let title = format!("Cost, {}, learning rate = {}", args.settings(), args.learning_rate);
    figures::cost_curves(&cost_path, &[("cost", &trained.costs)], &title, COST_EVERY)?;
    let boundary_path = out_dir.join(format!("boundary-{label}.png"));
    let title = format!("Model with {}: train {train}, test {test}", args.settings());
    figures::decision_regions(&boundary_path, data, &trained.parameters, &title)?;
    Ok(vec![data_path, cost_path, boundary_path])
}
