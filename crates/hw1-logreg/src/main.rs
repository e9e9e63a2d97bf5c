//! `cargo run --release -p hw1-logreg`: the week-2 notebook "Logistic Regression with a Neural
//! Network mindset" from start to end — data set summary, training with the cost every 100
//! iterations, accuracies, figures (unless `--no-plots`), and optionally the learning-rate
//! comparison and your own picture. The work is done by the library; this file parses flags and
//! prints.

#![forbid(unsafe_code)]

use anyhow::{Context, Result};
use clap::Parser;
use hw1_logreg::engines::{self, Engine, Inputs, ModelOptions, gram_matrix, model_with};
use hw1_logreg::figures::{
    self, COST_CURVE, LEARNING_RATES, OWN_IMAGE, TEST_PREDICTION, TRAIN_SAMPLE,
};
use hw1_logreg::{
    COMPARISON_ITERATIONS, COMPARISON_LEARNING_RATES, LEARNING_RATE, LogisticModel, NUM_ITERATIONS,
    TEST_SAMPLE_INDEX, TRAIN_SAMPLE_INDEX, python_float,
};
use linalg_nn::cli::serde_json::{Value, json};
use linalg_nn::cli::{CommonArgs, Console, DataArgs, RunReport, learning_rate, positive_count};
use linalg_nn::data::cat::{TEST_FILE, TRAIN_FILE};
use linalg_nn::data::{CatDataset, load_image_as_column};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// The assignment's name, used for the default figure folder `out/hw1-logreg`.
const ASSIGNMENT: &str = "hw1-logreg";

/// Logistic regression with a neural-network mindset: a cat / non-cat classifier trained on the
/// course's 209 pictures and tested on 50 (course 1, week 2).
#[derive(Debug, Parser)]
#[command(name = "hw1-logreg", version, after_help = AFTER_HELP)]
struct Args {
    /// Number of gradient-descent iterations (the notebook's num_iterations).
    #[arg(long, value_name = "N", default_value_t = NUM_ITERATIONS, value_parser = positive_count,
          allow_negative_numbers = true)]
    epochs: usize,
    /// Gradient-descent step size alpha, a positive number.
    #[arg(long, value_name = "ALPHA", default_value_t = LEARNING_RATE,
          value_parser = learning_rate, allow_negative_numbers = true)]
    learning_rate: f64,
    /// Also train with learning rates 0.01, 0.001 and 0.0001 for 1500 iterations each
    /// (section 6): prints their accuracies and plots their costs on one chart. Takes about
    /// three times as long as the main training.
    #[arg(long)]
    compare_learning_rates: bool,
    /// After training, classify this picture of your own (PNG or JPEG) as cat or non-cat and
    /// print the probability (section 7).
    #[arg(long, value_name = "PATH")]
    image: Option<PathBuf>,
    /// How to compute gradient descent: `direct` is the notebook's computation step for step,
    /// `gram` updates w^T X through the 209 x 209 matrix X^T X (same numbers, much faster; see
    /// docs/reference/gram-engine.md), `auto` picks gram when there are more features than examples.
    #[arg(long, value_name = "ENGINE", default_value_t = Engine::Auto)]
    engine: Engine,
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    common: CommonArgs,
}

const AFTER_HELP: &str = "\
Figures (PNG, cost charts also SVG) go to --out, default out/hw1-logreg in the workspace
(with --no-plots none is written and the folder is not created):
  train_sample.png      a training picture with its label
  cost_curve.png/.svg   the cost every 100 iterations
  test_prediction.png   a test picture with the model's prediction
  learning_rates.png/.svg  with --compare-learning-rates
  my_image.png          with --image

With the defaults the run reproduces the notebook's expected output: costs 0.693147 ... 0.140872,
train accuracy 99.04306220095694 %, test accuracy 70.0 %.";

fn main() -> ExitCode {
    let args = Args::parse();
    let console = args.common.console();
    linalg_nn::cli::exit_with(run(&args, &console))
}

fn run(args: &Args, console: &Console) -> Result<()> {
    let data_dir = args.data.data_dir();
    linalg_nn::cli::fetch_missing_course_data(&data_dir, &[TRAIN_FILE, TEST_FILE])?;
    let data = engines::load_dataset_in_parallel(&data_dir).with_context(|| {
        format!("cannot load the cat / non-cat data set from {}", data_dir.display())
    })?;
    let num_px = data.train.num_px();

    // Everything that can fail on user input is checked before the long training run.
    let own_picture = match &args.image {
        Some(path) => {
            let side = u32::try_from(num_px).context("the pictures' side does not fit in u32")?;
            let loaded = load_image_as_column(path, side)
                .with_context(|| format!("cannot classify --image {}", path.display()))?;
            Some((path, loaded))
        }
        None => None,
    };
    // `None` under --no-plots: no folder is created and no figure written; the captions the
    // notebook prints under its pictures are printed all the same.
    let out_dir = if args.common.plots() {
        let dir = args.common.out_dir(ASSIGNMENT);
        std::fs::create_dir_all(&dir).with_context(|| {
            format!("cannot create the figure folder {} (--out)", dir.display())
        })?;
        Some(dir)
    } else {
        None
    };
    let mut written: Vec<PathBuf> = Vec::new();

    print_dataset_summary(console, &data);
    let caption = match &out_dir {
        Some(dir) => {
            let path = dir.join(format!("{TRAIN_SAMPLE}.png"));
            let caption = figures::train_sample(&path, &data.train, TRAIN_SAMPLE_INDEX)
                .with_context(|| {
                    format!("cannot write the sample picture to --out {}", dir.display())
                })?;
            written.push(path);
            caption
        }
        None => figures::train_sample_caption(&data.train, TRAIN_SAMPLE_INDEX)?,
    };
    console.detail(format!("Training picture {TRAIN_SAMPLE_INDEX}: {caption}"));

    let (y_train, y_test) = (data.train.y(), data.test.y());
    console.detail("");
    console.detail(format!(
        "Training for {} iterations with learning rate {}:",
        args.epochs,
        python_float(args.learning_rate)
    ));
    let started = Instant::now();
    let engine = args.engine.resolve(data.train.n_x(), data.train.m());
    console.detail(format!(
        "Engine: {engine}{}",
        match engine {
            Engine::Gram => " (X^T X computed once; same costs as the notebook's computation)",
            _ => " (the notebook's computation, step for step)",
        }
    ));
    // Both engines read the pictures' bytes (X = B / 255, never built as floats): the Gram engine
    // outside its loop, the direct engine once per iteration with exact integer products. The
    // Gram matrix is shared by the main run and the learning-rate comparison.
    let (x_train, x_test): (&dyn Inputs, &dyn Inputs) = (&data.train, &data.test);
    let gram = (engine == Engine::Gram).then(|| gram_matrix(x_train));
    let options = ModelOptions { engine, gram: gram.as_ref() };
    let trained = {
        let mut display = console.training("training", args.epochs);
        model_with(
            x_train,
            &y_train,
            x_test,
            &y_test,
            args.epochs,
            args.learning_rate,
            options,
            &mut display,
        )?
    };
    let fitted = trained.model;
    let training_seconds = started.elapsed().as_secs_f64();
    print_accuracies(console, &fitted);
    console.detail(format!("(trained in {training_seconds:.2} s)"));

    let caption = match &out_dir {
        Some(dir) => {
            for ext in ["png", "svg"] {
                let path = dir.join(format!("{COST_CURVE}.{ext}"));
                figures::cost_curve(&path, &fitted.costs, fitted.learning_rate)?;
                written.push(path);
            }
            let path = dir.join(format!("{TEST_PREDICTION}.png"));
            let caption = figures::test_prediction(
                &path,
                &data.test,
                TEST_SAMPLE_INDEX,
                &fitted.y_prediction_test,
            )?;
            written.push(path);
            caption
        }
        None => figures::test_prediction_caption(
            &data.test,
            TEST_SAMPLE_INDEX,
            &fitted.y_prediction_test,
        )?,
    };
    console.detail(format!("Test picture {TEST_SAMPLE_INDEX}: {caption}"));

    let mut comparison = Vec::new();
    if args.compare_learning_rates {
        console.detail("");
        console
            .detail(format!("Comparing learning rates ({COMPARISON_ITERATIONS} iterations each):"));
        for rate in COMPARISON_LEARNING_RATES {
            console.result(format!("learning rate is: {}", python_float(rate)));
            let run = {
                let label = format!("lr {}", python_float(rate));
                let mut display =
                    console.training(&label, COMPARISON_ITERATIONS).print_costs(false);
                model_with(
                    x_train,
                    &y_train,
                    x_test,
                    &y_test,
                    COMPARISON_ITERATIONS,
                    rate,
                    options,
                    &mut display,
                )?
                .model
            };
            print_accuracies(console, &run);
            console.result("-------------------------------------------------------");
            comparison.push(run);
        }
        if let Some(dir) = &out_dir {
            for ext in ["png", "svg"] {
                let path = dir.join(format!("{LEARNING_RATES}.{ext}"));
                figures::learning_rate_comparison(&path, &comparison)?;
                written.push(path);
            }
        }
    }

    let mut own_image_json = Value::Null;
    if let Some((picture_path, (column, picture))) = &own_picture {
        let classification = fitted.classify(column)?;
        let caption = match &out_dir {
            Some(dir) => {
                let path = dir.join(format!("{OWN_IMAGE}.png"));
                let caption = figures::own_image(&path, picture, &classification)?;
                written.push(path);
                caption
            }
            None => figures::own_image_caption(&classification),
        };
        console.result(format!("{}: {caption}", picture_path.display()));
        own_image_json = json!({
            "path": picture_path.display().to_string(),
            "prediction": classification.label,
            "class": classification.class_name(),
            "probability": classification.probability,
        });
    }

    if let Some(dir) = &out_dir {
        console.result(format!("Figures written to {}:", dir.display()));
        for path in &written {
            console.result(format!(
                "  {}",
                path.file_name().map_or(path.as_os_str(), |n| n).display()
            ));
        }
    }

    let mut report = RunReport {
        assignment: ASSIGNMENT,
        engine: trained.engine.name(),
        // The weights start at zero (initialize_with_zeros): no seed.
        seed: None,
        num_iterations: fitted.num_iterations,
        learning_rate: fitted.learning_rate,
        costs: fitted.costs.clone(),
        train_accuracy: fitted.train_accuracy,
        test_accuracy: Some(fitted.test_accuracy),
        training_seconds,
        figures: written,
    }
    .to_json();
    report["m_train"] = json!(data.train.m());
    report["m_test"] = json!(data.test.m());
    report["num_px"] = json!(num_px);
    report["b"] = json!(fitted.b);
    report["learning_rate_comparison"] = comparison
        .iter()
        .map(|run| {
            json!({
                "learning_rate": run.learning_rate,
                "num_iterations": run.num_iterations,
                "costs": run.costs,
                "train_accuracy": run.train_accuracy,
                "test_accuracy": run.test_accuracy,
            })
        })
        .collect();
    report["image"] = own_image_json;
    console.emit_json(&report);
    Ok(())
}

/// The notebook's cells of section 2: the data set's sizes and shapes before and after
/// flattening, and the sanity check of the first flattened pixels.
fn print_dataset_summary(console: &Console, data: &CatDataset) {
    let (train, test) = (&data.train, &data.test);
    let px = train.num_px();
    console.detail(format!("Number of training examples: m_train = {}", train.m()));
    console.detail(format!("Number of testing examples: m_test = {}", test.m()));
    console.detail(format!("Height/Width of each image: num_px = {px}"));
    console.detail(format!("Each image is of size: ({px}, {px}, 3)"));
    console.detail(format!("train_set_x shape: ({}, {px}, {px}, 3)", train.m()));
    console.detail(format!("train_set_y shape: (1, {})", train.m()));
    console.detail(format!("test_set_x shape: ({}, {px}, {px}, 3)", test.m()));
    console.detail(format!("test_set_y shape: (1, {})", test.m()));
    console.detail("");
    console.detail(format!("train_set_x_flatten shape: ({}, {})", train.n_x(), train.m()));
    console.detail(format!("train_set_y shape: (1, {})", train.m()));
    console.detail(format!("test_set_x_flatten shape: ({}, {})", test.n_x(), test.m()));
    console.detail(format!("test_set_y shape: (1, {})", test.m()));
    let first: Vec<String> = train.pixels().iter().take(5).map(u8::to_string).collect();
    console.detail(format!("sanity check after reshaping: [{}]", first.join(" ")));
}

/// The notebook's two accuracy lines, printed as Python prints the floats.
fn print_accuracies(console: &Console, fitted: &LogisticModel) {
    console.result(format!("train accuracy: {} %", python_float(fitted.train_accuracy)));
    console.result(format!("test accuracy: {} %", python_float(fitted.test_accuracy)));
}
