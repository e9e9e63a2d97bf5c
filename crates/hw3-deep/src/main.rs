//! `hw3-deep`: trains the application notebook's 2-layer or L-layer network on the cat
//! pictures (or loads a saved one), prints the costs and accuracies, draws the figures (unless
//! `--no-plots`), and classifies a picture of your own. Run with `--help` for the options.

#![forbid(unsafe_code)]

use anyhow::{Context, Result, bail};
use clap::Parser;
use hw3_deep::engine;
use hw3_deep::figures::{self, CostRun};
use hw3_deep::model_file::{load_model, save_model};
use hw3_deep::{
    COST_EVERY, DeepError, EngineOptions, ModelKind, Parameters, Preset, TrainOptions, accuracy,
    check_binary_labels, check_layers_fit_data, check_model_fits, l_layer_model_with, predict,
    predict_probabilities, two_layer_model_with,
};
use linalg_nn::cli::serde_json::{Map, Value, json};
use linalg_nn::cli::{
    CommonArgs, Console, DataArgs, RunReport, cost_pairs, layer_widths, learning_rate,
    positive_count, usage_error,
};
use linalg_nn::data::cat::{TEST_FILE, TRAIN_FILE};
use linalg_nn::data::{CatDataset, load_image_as_column};
use linalg_nn::plot::{DEFAULT_IMAGE_SCALE, LabeledImage, image_grid};
use nalgebra::DMatrix;
use nn_engines::gram::Engine;
use nn_engines::inputs::Inputs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const ASSIGNMENT: &str = "hw3-deep";

/// Layer widths from `--layers 12288,20,7,5,1`.
#[derive(Clone, Debug)]
struct Widths(Vec<usize>);

fn widths(s: &str) -> Result<Widths, String> {
    layer_widths(s).map(Widths)
}

/// Deep neural networks on the cat / non-cat pictures (course 1, week 4).
///
/// Trains the application notebook's two_layer_model or L_layer_model, prints the cost every
/// 100 iterations and the train / test accuracies, and writes the cost curve and the
/// mislabeled test pictures (no figure with --no-plots).
#[derive(Debug, Parser)]
#[command(name = "hw3-deep", version)]
struct Args {
    /// The notebook's network: two-layer ([n_x, 7, 1]) or deep ([n_x, 20, 7, 5, 1]).
    #[arg(long, default_value = "deep")]
    model: ModelKind,

    /// notes: the study notes' run (3000 iterations, W = randn/sqrt(n_prev)); course: the
    /// official notebook's (2500 iterations, np.random.seed(1); two-layer W = randn*0.01).
    #[arg(long, default_value = "notes")]
    preset: Preset,

    /// Any depth and widths, input first, e.g. 12288,20,7,5,1 (the first must equal the
    /// pictures' features, the last must be 1). With --model two-layer: exactly three widths.
    #[arg(long, value_name = "N0,N1,...", value_parser = widths)]
    layers: Option<Widths>,

    /// Number of gradient-descent iterations (default: the preset's).
    #[arg(long, alias = "epochs", alias = "num-iterations", value_name = "N", value_parser = positive_count, allow_negative_numbers = true)]
    iterations: Option<usize>,

    /// Learning rate (default: the preset's, 0.0075).
    #[arg(long, value_name = "ALPHA", value_parser = learning_rate, allow_negative_numbers = true)]
    learning_rate: Option<f64>,

    /// Seed of the numpy-compatible generator that draws the weights (default: 1, the
    /// notebooks' np.random.seed(1)).
    #[arg(long, value_name = "SEED", value_parser = linalg_nn::cli::seed, allow_negative_numbers = true)]
    seed: Option<u32>,

    /// Also train with the other preset and draw both cost curves on one chart
    /// (<model>-presets.png); --iterations, --learning-rate and --seed apply to both runs.
    #[arg(long)]
    compare_presets: bool,

    /// Write the trained parameters (layer dims, activations, W, b) to this HDF5 file.
    #[arg(long, value_name = "PATH")]
    save_model: Option<PathBuf>,

    /// Load a model saved with --save-model instead of training.
    #[arg(
        long,
        value_name = "PATH",
        conflicts_with_all = ["model", "preset", "layers", "iterations", "learning_rate", "seed", "compare_presets", "engine"]
    )]
    model_file: Option<PathBuf>,

    /// Classify a picture of your own (JPEG or PNG), as the notebook's last cell does. With
    /// --model-file, no data set is needed.
    #[arg(long, value_name = "PATH")]
    image: Option<PathBuf>,

    /// How gradient descent computes the first layer: `direct` is the notebook's computation
    /// step for step (W1 X and dZ1 X^T every iteration); `gram` updates Z1 = W1 X + b1 through
    /// the 209 x 209 matrix X^T X, computed once (the same costs, about 100 times less work per
    /// iteration; see docs/reference/gram-engine.md); `auto` picks gram when the pictures have more
    /// features than there are pictures, as the cat data does.
    #[arg(long, value_name = "ENGINE", default_value_t = Engine::Auto)]
    engine: Engine,

    #[command(flatten)]
    data: DataArgs,

    #[command(flatten)]
    common: CommonArgs,
}

fn main() -> ExitCode {
    linalg_nn::cli::exit_with(run(&Args::parse()))
}

/// An accuracy as the notebook prints it: up to 10 decimals, trailing zeros dropped.
fn percent(value: f64) -> String {
    let s = format!("{value:.10}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s} %")
}

/// The model a run ends with, and how it was obtained.
struct Outcome {
    parameters: Parameters,
    /// Costs of the main run (empty for a loaded model).
    costs: Vec<f64>,
    options: Option<TrainOptions>,
}

fn run(args: &Args) -> Result<()> {
    if let Some(path) = &args.save_model {
        // Checked before minutes of training rather than when the file is written.
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !folder.is_dir() {
            usage_error(format!(
                "--save-model {}: the folder {} does not exist",
                path.display(),
                folder.display()
            ));
        }
    }
    let console = args.common.console();
    let mut report = Map::new();
    let mut figure_paths: Vec<PathBuf> = Vec::new();

    let (outcome, data) = match &args.model_file {
        Some(path) => {
            let parameters =
                load_model(path).context("cannot use the model given with --model-file")?;
            console.detail(format!(
                "Loaded {} from {}: layers {:?}, activations [{}]",
                describe_depth(&parameters),
                path.display(),
                parameters.layer_dims(),
                activation_names(&parameters).join(", ")
            ));
            report.insert("model_file".into(), json!(path));
            // A picture of your own needs only the model; the accuracies need the data.
            let data = match args.image {
                Some(_) => None,
                None => {
                    let data = load_data(args)?;
                    describe_data(&console, &data.set);
                    Some(data)
                }
            };
            (Outcome { parameters, costs: Vec::new(), options: None }, data)
        }
        None => {
            let data = load_data(args)?;
            (train(args, &console, &data, &mut report, &mut figure_paths)?, Some(data))
        }
    };
    let parameters = &outcome.parameters;
    report.insert("layers".into(), json!(parameters.layer_dims()));
    report.insert("activations".into(), json!(activation_names(parameters)));
    report.insert("costs".into(), json!(cost_pairs(&outcome.costs, COST_EVERY)));
    if let Some(options) = &outcome.options {
        report.insert("num_iterations".into(), json!(options.num_iterations));
        report.insert("learning_rate".into(), json!(options.learning_rate));
        report.insert("init".into(), json!(options.init.to_string()));
        report.insert("seed".into(), json!(options.seed));
    }

    // Saved first, so that a later failure (a figure, say) does not lose the training.
    if let Some(path) = &args.save_model {
        save_model(path, parameters).context("cannot save the model (--save-model)")?;
        console.result(format!("Model saved to {}", path.display()));
        report.insert("saved_model".into(), json!(path));
    }

    if let Some(data) = &data {
        evaluate(args, &console, parameters, data, &mut report, &mut figure_paths, &outcome)?;
    }

    if let Some(path) = &args.image {
        let verdict = classify_picture(args, &console, parameters, path, &mut figure_paths)?;
        report.insert("image".into(), verdict);
    }

    if !figure_paths.is_empty() {
        let names: Vec<String> = figure_paths.iter().map(|p| p.display().to_string()).collect();
        console.detail(format!("Figures: {}", names.join(", ")));
    }
    report.insert("figures".into(), json!(figure_paths));
    report.insert("assignment".into(), json!("hw3-deep"));
    // The keys every binary reports (docs/reference/json.md) are there even where this run skipped the
    // step: null for a loaded model's training, or for accuracies without the data.
    for key in RunReport::KEYS {
        report.entry(key).or_insert(Value::Null);
    }
    console.emit_json(&Value::Object(report));
    Ok(())
}

/// The course files and, converted from their bytes once for the whole run, the notebook's
/// `train_x`, `train_y`, `test_x`, `test_y`.
struct Data {
    set: CatDataset,
    x_train: DMatrix<f64>,
    y_train: DMatrix<f64>,
    x_test: DMatrix<f64>,
    y_test: DMatrix<f64>,
}

fn load_data(args: &Args) -> Result<Data> {
    let dir = args.data.data_dir();
    linalg_nn::cli::fetch_missing_course_data(&dir, &[TRAIN_FILE, TEST_FILE])?;
    let set =
        engine::load_dataset_in_parallel(&dir).context("cannot load the cat / non-cat data")?;
    let (y_train, y_test) = (set.train.y(), set.test.y());
    // The model functions take any finite labels, as the notebook's do; this binary trains and
    // scores a cat / non-cat classifier, so its labels must be 0 or 1 (the loader reads them as
    // such already: this keeps the rule where the data enter, whatever the loader becomes).
    for (labels, split) in [(&y_train, "training"), (&y_test, "test")] {
        check_binary_labels(labels)
            .with_context(|| format!("the cat / non-cat {split} labels are not 0 or 1"))?;
    }
    // The notebook's X, converted by the engines' faster path (the same bits as CatSplit::x).
    let (x_train, x_test) =
        (engine::pictures_as_floats(&set.train), engine::pictures_as_floats(&set.test));
    Ok(Data { x_train, y_train, x_test, y_test, set })
}

fn describe_data(console: &Console, data: &CatDataset) {
    let px = data.train.num_px();
    console.detail(format!(
        "Cat / non-cat: {} training and {} test pictures of {px}x{px} pixels (n_x = {})",
        data.train.m(),
        data.test.m(),
        data.train.n_x()
    ));
}

fn activation_names(parameters: &Parameters) -> Vec<&'static str> {
    parameters.layers.iter().map(|l| l.activation.name()).collect()
}

fn describe_depth(parameters: &Parameters) -> String {
    format!("a {}-layer model", parameters.depth())
}

/// The layer widths of the run: `--layers` or the model's, checked against the data.
fn layer_dims(args: &Args, n_x: usize) -> Vec<usize> {
    let dims = match &args.layers {
        Some(Widths(dims)) => dims.clone(),
        None => args.model.layer_dims(n_x),
    };
    if let Err(err) = check_layers_fit_data(&dims, n_x) {
        usage_error(format!("--layers: {err}"));
    }
    if args.model == ModelKind::TwoLayer && dims.len() != 3 {
        usage_error(format!(
            "--layers: the two-layer model takes exactly three widths (n_x, n_h, n_y), got {dims:?}; \
             use --model deep for other depths"
        ));
    }
    dims
}

fn train_options(args: &Args, preset: Preset) -> TrainOptions {
    let mut options = TrainOptions::preset(preset, args.model);
    if let Some(n) = args.iterations {
        options.num_iterations = n;
    }
    if let Some(lr) = args.learning_rate {
        options.learning_rate = lr;
    }
    if let Some(seed) = args.seed {
        options.seed = seed;
    }
    options
}

/// Trains the chosen model with the chosen preset (and the other preset, for
/// `--compare-presets`).
fn train(
    args: &Args,
    console: &Console,
    data: &Data,
    report: &mut Map<String, Value>,
    figure_paths: &mut Vec<PathBuf>,
) -> Result<Outcome> {
    // Training reads the pictures as bytes (the direct engine's exact products) or through
    // X^T X (the Gram engine); the float64 X is for the accuracies.
    let (x, y): (&dyn Inputs, _) = (&data.set.train, &data.y_train);
    let dims = layer_dims(args, data.set.train.n_x());
    describe_data(console, &data.set);
    let options = train_options(args, args.preset);
    console.detail(format!(
        "Model: {}, layers {dims:?} ([LINEAR->RELU] x {} -> LINEAR->SIGMOID)",
        args.model,
        dims.len() - 2
    ));
    console.detail(format!(
        "Preset {}: {} iterations, learning rate {}, W = {}, b = 0, seed {}{}",
        args.preset,
        options.num_iterations,
        options.learning_rate,
        options.init,
        options.seed,
        if args.seed.is_none() { " (change with --seed)" } else { "" }
    ));
    report.insert("model".into(), json!(args.model.name()));
    report.insert("preset".into(), json!(args.preset.name()));

    let (n_x, m) = x.shape();
    let engine = args.engine.resolve(n_x, m);
    console.detail(format!(
        "Engine: {engine}{}",
        match engine {
            Engine::Gram => " (X^T X computed once; same costs as the notebook's computation)",
            _ => " (the notebook's computation, step for step)",
        }
    ));
    report.insert("engine".into(), json!(engine.name()));
    // The Gram matrix is shared by the main run and the preset comparison.
    let gram = (engine == Engine::Gram).then(|| engine::gram_of_pictures(&data.set.train));
    let engine = EngineOptions { engine, gram: gram.as_ref() };

    let started = std::time::Instant::now();
    let trained = run_model(args, console, x, y, &dims, &options, engine, true)?;
    report.insert("training_seconds".into(), json!(started.elapsed().as_secs_f64()));

    if args.compare_presets && args.common.plots() {
        let other = match args.preset {
            Preset::Notes => Preset::Course,
            Preset::Course => Preset::Notes,
        };
        // The user's --iterations / --learning-rate / --seed apply to both runs alike.
        let other_options = train_options(args, other);
        console.detail(format!(
            "Training the {} model again with preset {other} for the comparison ({} iterations)",
            args.model, other_options.num_iterations
        ));
        let other_run = run_model(args, console, x, y, &dims, &other_options, engine, false)?;
        let label = |preset: Preset, o: &TrainOptions| {
            format!("{preset}: {} iterations, W = {}", o.num_iterations, o.init)
        };
        let (main_label, other_label) =
            (label(args.preset, &options), label(other, &other_options));
        let mut runs = vec![
            CostRun { label: &main_label, costs: &trained.costs },
            CostRun { label: &other_label, costs: &other_run.costs },
        ];
        // Notes first, so the legend reads the same whichever preset was chosen.
        if args.preset == Preset::Course {
            runs.reverse();
        }
        let path = out_dir(args)?.join(format!("{}-presets.png", args.model));
        figures::preset_comparison(&path, args.model.name(), &runs)
            .context("cannot draw the preset comparison")?;
        figure_paths.push(path);
        report.insert(
            "compared_preset".into(),
            json!({ "preset": other.name(), "costs": cost_pairs(&other_run.costs, COST_EVERY) }),
        );
    }
    Ok(Outcome { parameters: trained.parameters, costs: trained.costs, options: Some(options) })
}

#[allow(clippy::too_many_arguments)]
fn run_model(
    args: &Args,
    console: &Console,
    x: &dyn Inputs,
    y: &DMatrix<f64>,
    dims: &[usize],
    options: &TrainOptions,
    engine: EngineOptions<'_>,
    print_costs: bool,
) -> Result<hw3_deep::TrainedModel> {
    let mut display =
        console.training(args.model.name(), options.num_iterations).print_costs(print_costs);
    let trained = match (args.model, dims) {
        (ModelKind::TwoLayer, &[n_x, n_h, n_y]) => {
            two_layer_model_with(x, y, (n_x, n_h, n_y), options, engine, &mut display)
        }
        _ => l_layer_model_with(x, y, dims, options, engine, &mut display),
    };
    drop(display);
    trained.map_err(|err| match err {
        DeepError::Layers { .. } => usage_error(format!("--layers: {err}")),
        other => anyhow::Error::new(other).context("training failed"),
    })
}

fn out_dir(args: &Args) -> Result<PathBuf> {
    let dir = args.common.out_dir(ASSIGNMENT);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the figure folder {}", dir.display()))?;
    Ok(dir)
}

/// Accuracies on both splits, the cost curve and the mislabeled test pictures.
fn evaluate(
    args: &Args,
    console: &Console,
    parameters: &Parameters,
    data: &Data,
    report: &mut Map<String, Value>,
    figure_paths: &mut Vec<PathBuf>,
    outcome: &Outcome,
) -> Result<()> {
    let n_x = data.set.train.n_x();
    if let Err(err) = check_model_fits(parameters, n_x, "the data set's pictures have") {
        bail!("the model does not fit the data: {err}");
    }
    let train_accuracy = accuracy(&data.x_train, &data.y_train, parameters)?;
    let test_predictions = predict(&data.x_test, parameters)?;
    let test_accuracy = linalg_nn::matrix::accuracy_percent(&test_predictions, &data.y_test)?;
    console.result(format!("Train accuracy: {}", percent(train_accuracy)));
    console.result(format!("Test accuracy: {}", percent(test_accuracy)));
    report.insert("train_accuracy".into(), json!(train_accuracy));
    report.insert("test_accuracy".into(), json!(test_accuracy));

    if !args.common.plots() {
        return Ok(());
    }
    let dir = out_dir(args)?;
    let prefix = match &outcome.options {
        Some(_) => format!("{}-{}", args.model, args.preset),
        None => "loaded".to_owned(),
    };
    if let Some(options) = &outcome.options {
        let path = dir.join(format!("{prefix}-cost.png"));
        let label = format!("{} model, preset {}", args.model, args.preset);
        figures::cost_curve(&path, &outcome.costs, options.learning_rate, &label)
            .context("cannot draw the cost curve")?;
        figure_paths.push(path);
    }
    let path = dir.join(format!("{prefix}-mislabeled.png"));
    let drawn =
        figures::mislabeled_images(&path, &data.set.test, &test_predictions, &data.set.classes)
            .context("cannot draw the mislabeled pictures")?;
    report.insert("mislabeled_test_pictures".into(), json!(drawn));
    if drawn == 0 {
        console.detail("No mislabeled test picture: no mislabeled figure");
    } else {
        console.detail(format!("{drawn} mislabeled test pictures"));
        figure_paths.push(path);
    }
    Ok(())
}

/// The notebook's last cell: the picture resized to the model's `num_px`, `AL` and the class.
fn classify_picture(
    args: &Args,
    console: &Console,
    parameters: &Parameters,
    path: &Path,
    figure_paths: &mut Vec<PathBuf>,
) -> Result<Value> {
    let n_x = parameters.n_x();
    let num_px = (1..=n_x).take_while(|p| p * p * 3 <= n_x).find(|p| p * p * 3 == n_x);
    let Some(num_px) = num_px else {
        bail!(
            "the model takes {n_x} input features, which is not num_px * num_px * 3 for any \
             num_px: it was not trained on square RGB pictures, so --image cannot be used"
        );
    };
    let side = u32::try_from(num_px).context("the model's picture size is too large")?;
    let (column, picture) = load_image_as_column(path, side)
        .context("cannot classify the picture given with --image")?;
    let probability = predict_probabilities(&column, parameters)?[(0, 0)];
    let is_cat = probability > 0.5;
    let class = if is_cat { "cat" } else { "non-cat" };
    console.result(format!(
        "{}: y = {}, your {}-layer model predicts a \"{class}\" picture (probability of cat {probability:.4})",
        path.display(),
        u8::from(is_cat),
        parameters.depth()
    ));
    if args.common.plots() {
        let out = out_dir(args)?.join("my-image.png");
        let title =
            format!("y = {}, \"{class}\" ({:.1} % cat)", u8::from(is_cat), probability * 100.0);
        let image = LabeledImage { rgb: picture.as_raw(), width: side, height: side, title };
        image_grid(&out, &[image], 1, DEFAULT_IMAGE_SCALE).context("cannot draw your picture")?;
        figure_paths.push(out);
    }
    Ok(json!({
        "path": path,
        "probability": probability,
        "prediction": u8::from(is_cat),
        "class": class,
    }))
}
