//! `course-tools figures` (what `cargo xtask plots` runs): every assignment with fixed seeds and
//! the presets the docs show, regenerating the figures of `docs/figures/` (PNG for the pages, SVG
//! for the line charts and the heatmap, PNG only for the network diagrams of chapter 4) together
//! with `docs/figures/results.md`, the numbers the
//! docs quote. It calls the assignment libraries (`hw1_logreg`, `hw2_planar`, `hw3_deep`)
//! directly, not their binaries.
//!
//! Nothing here depends on the clock or on thread scheduling, so the same inputs give
//! byte-identical files; `--quick` ([`Budget::QUICK`]) trains for a few iterations only, so CI
//! can check the whole pipeline in seconds.

use anyhow::{Context, Result, bail};
use hw1_logreg::engines::{ModelOptions, model_with};
use hw1_logreg::{
    COMPARISON_ITERATIONS, COMPARISON_LEARNING_RATES, LEARNING_RATE, LogisticModel, NUM_ITERATIONS,
    TEST_SAMPLE_INDEX, TRAIN_SAMPLE_INDEX, python_float,
};
use hw2_planar::baseline::{BASELINE_ITERATIONS, BASELINE_LEARNING_RATE};
use hw2_planar::engines::{hidden_layer_sweep, logistic_regression, model as planar_model};
use hw2_planar::figures::{GRID_RESOLUTION, decision_grid};
use hw2_planar::{
    COURSE_SWEEP_ITERATIONS, COURSE_SWEEP_SIZES, Initialization, ModelConfig, Parameters,
};
use hw3_deep::{
    DeepError, EngineOptions, ModelKind, TrainOptions, TrainedModel, initialize_parameters_deep,
    l_layer_model_with, train_with_engine, two_layer_model_with,
};
use linalg_nn::NumpyRng;
use linalg_nn::activations::Activation;
use linalg_nn::atomic::write_bytes_atomic;
use linalg_nn::data::cat::CLASSES;
use linalg_nn::data::planar::{PlanarData, PlanarDataset, load_planar_dataset};
use linalg_nn::data::{CatDataset, load_dataset};
use linalg_nn::init::WeightInit;
use linalg_nn::plot::{
    DecisionBoundary, Heatmap, LabeledImage, LineChart, NetworkDiagram, Series,
    decision_boundary_grid, heatmap, image_grid, line_chart, network_diagram,
};
use linalg_nn::train::{Preset, Silent};
use nalgebra::DMatrix;
use nn_engines::gram::{Engine, GramMatrix, gram_matrix};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Folder of chapter 2's figures (hw1-logreg), under the output folder.
pub const BASICS_DIR: &str = "02-basics";
/// Folder of chapter 3's figures (activations, hw2-planar).
pub const SHALLOW_DIR: &str = "03-shallow";
/// Folder of chapter 4's figures (hw3-deep and the hyperparameter study).
pub const DEEP_DIR: &str = "04-deep";
/// Folder of chapter 6's figures (course 2, week 1: hw4-initialization, hw5-regularization).
pub const PRACTICAL_DIR: &str = "06-practical";
/// Folder of chapter 7's figures (course 2, week 2: hw7-optimization).
pub const OPTIMIZATION_DIR: &str = "07-optimization";
/// The generated table of every number of the run, at the top of the output folder.
pub const RESULTS_FILE: &str = "results.md";

/// Training pictures shown in the sample grid of chapter 2.
pub const SAMPLE_PICTURES: usize = 10;
/// Pictures per row of the sample grid.
pub const SAMPLE_COLUMNS: usize = 5;
/// Panels per row of the grid of the other planar data sets.
pub const DATASET_COLUMNS: usize = 3;

/// Learning rates (columns) of the hyperparameter study on the cat pictures.
pub const STUDY_LEARNING_RATES: [f64; 4] = [0.0025, 0.0075, 0.02, 0.05];
/// Hidden widths of each depth (rows) of the study: prefixes of the notebook's deep model
/// `[20, 7, 5]` (plus one more layer), so that only the depth changes from row to row. The empty
/// list is L = 1, logistic regression.
pub const STUDY_HIDDEN: [&[usize]; 5] = [&[], &[20], &[20, 7], &[20, 7, 5], &[20, 7, 5, 5]];
/// Seed of every run of the study (the notebook's `np.random.seed(1)`).
pub const STUDY_SEED: u32 = 1;

/// How long each run trains. [`Budget::FULL`] is what the docs show (the notebooks' settings);
/// [`Budget::QUICK`] exercises every step in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// hw1's main model (the notebook's 2000).
    pub hw1_iterations: usize,
    /// Each run of hw1's learning-rate comparison (the notebook's 1500).
    pub hw1_comparison_iterations: usize,
    /// hw2's course preset, the zero-initialisation runs and the other data sets (10000).
    pub hw2_iterations: usize,
    /// Each network of hw2's hidden-layer sweep (5000).
    pub hw2_sweep_iterations: usize,
    /// hw2's logistic-regression baseline (2000).
    pub hw2_baseline_iterations: usize,
    /// Each run of hw2's activation comparison with the study notes' settings (2000).
    pub hw2_notes_iterations: usize,
    /// The zero-initialisation runs on the cat pictures.
    pub symmetry_iterations: usize,
    /// hw3's two course models (2500).
    pub hw3_iterations: usize,
    /// Each run of the hyperparameter study.
    pub study_iterations: usize,
    /// Each of hw4's three initialisations (the notebook's 15000).
    pub hw4_iterations: usize,
    /// Each of hw5's regularisation runs (the notebook's 30000).
    pub hw5_iterations: usize,
    /// Each of hw7's seven runs (the notebook's 5000 epochs).
    pub hw7_epochs: usize,
}

impl Budget {
    /// The notebooks' settings, as the docs show them.
    pub const FULL: Budget = Budget {
        hw1_iterations: NUM_ITERATIONS,
        hw1_comparison_iterations: COMPARISON_ITERATIONS,
        hw2_iterations: 10_000,
        hw2_sweep_iterations: COURSE_SWEEP_ITERATIONS,
        hw2_baseline_iterations: BASELINE_ITERATIONS,
        hw2_notes_iterations: 2000,
        symmetry_iterations: 2500,
        hw3_iterations: 2500,
        study_iterations: 2500,
        hw4_iterations: hw4_initialization::NUM_ITERATIONS,
        hw5_iterations: hw5_regularization::NUM_ITERATIONS,
        hw7_epochs: hw7_optimization::NUM_EPOCHS,
    };

    /// A few iterations per run, for the CI test of this command.
    pub const QUICK: Budget = Budget {
        hw1_iterations: 200,
        hw1_comparison_iterations: 100,
        hw2_iterations: 200,
        hw2_sweep_iterations: 100,
        hw2_baseline_iterations: 100,
        hw2_notes_iterations: 100,
        symmetry_iterations: 20,
        hw3_iterations: 101,
        study_iterations: 20,
        hw4_iterations: 1001,
        hw5_iterations: 1001,
        hw7_epochs: 1001,
    };

    /// `"full"` or `"quick"` (or `"custom"`), for the header of the results file.
    pub fn name(&self) -> &'static str {
        if *self == Budget::FULL {
            "full"
        } else if *self == Budget::QUICK {
            "quick"
        } else {
            "custom"
        }
    }
}

/// What `cargo xtask plots` does.
#[derive(Clone, Debug)]
pub struct PlotOptions {
    /// Where the figures go (`docs/figures` by default); created if needed.
    pub out_dir: PathBuf,
    /// The folder holding the two cat `.h5` files.
    pub data_dir: PathBuf,
    /// Iterations of every run.
    pub budget: Budget,
}

/// Runs every assignment and writes every figure and [`RESULTS_FILE`] under
/// `options.out_dir`; `log` receives a line per stage and a `wrote PATH` line per file. Returns
/// the files written, in order.
pub fn run(options: &PlotOptions, log: &mut dyn FnMut(&str)) -> Result<Vec<PathBuf>> {
    let data = load_dataset(&options.data_dir).with_context(|| {
        format!(
            "cannot load the cat / non-cat pictures from {} (--data-dir)",
            options.data_dir.display()
        )
    })?;
    let mut out = Output::new(&options.out_dir, log)?;
    let budget = options.budget;
    // Every cat run trains as the binaries do by default (`--engine auto`): the Gram engine,
    // the notebooks' numbers without the 12288-row X in the loop. X^T X is computed once here.
    let cat = CatData::new(&data);

    out.log("chapter 2: hw1-logreg (logistic regression on the cat pictures)");
    let basics = basics(&mut out, &cat, &budget)?;
    out.log("chapter 3: activation functions, hw2-planar (the flower), zero initialisation");
    let shallow = shallow(&mut out, &cat, &budget)?;
    out.log(
        "chapter 4: network diagrams, hw3-deep (two-layer and deep models), hyperparameter study",
    );
    network_diagrams(&mut out)?;
    let deep = deep(&mut out, &cat, &budget)?;
    out.log("chapter 6: hw4-initialization (zeros, large random and He weights on the circles)");
    let practical = practical(&mut out, &budget)?;
    out.log("chapter 6: hw5-regularization (none, L2 and dropout on the football positions)");
    let regularization = regularization(&mut out, &options.data_dir, &budget)?;
    out.log("chapter 6: hw6-gradient-checking (the planted backprop bugs, parameter by parameter)");
    gradient_checking(&mut out)?;

    out.log("chapter 7: hw7-optimization (gradient descent, momentum, Adam, decay on the moons)");
    let optimization = optimization(&mut out, &budget)?;

    let path = out.root.join(RESULTS_FILE);
    let mut markdown = results_markdown(&budget, &basics, &shallow, &deep, &practical);
    markdown.push_str(&regularization_markdown(&regularization));
    markdown.push_str(&optimization_markdown(&optimization));
    write_bytes_atomic(&path, markdown.as_bytes())?;
    out.wrote(path);
    Ok(out.written)
}

/// The output folder, the files written so far and the progress log.
struct Output<'a> {
    root: PathBuf,
    written: Vec<PathBuf>,
    log: &'a mut dyn FnMut(&str),
}

impl<'a> Output<'a> {
    fn new(root: &Path, log: &'a mut dyn FnMut(&str)) -> Result<Self> {
        for chapter in [BASICS_DIR, SHALLOW_DIR, DEEP_DIR, PRACTICAL_DIR, OPTIMIZATION_DIR] {
            let dir = root.join(chapter);
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create the figure folder {}", dir.display()))?;
        }
        Ok(Output { root: root.to_path_buf(), written: Vec::new(), log })
    }

    fn log(&mut self, line: &str) {
        (self.log)(line);
    }

    /// `chapter/name` under the output folder.
    fn path(&self, chapter: &str, name: &str) -> PathBuf {
        self.root.join(chapter).join(name)
    }

    fn wrote(&mut self, path: PathBuf) {
        (self.log)(&format!("wrote {}", path.display()));
        self.written.push(path);
    }

    /// Draws the same figure as `stem.png` and `stem.svg`.
    fn both_formats<E>(
        &mut self,
        chapter: &str,
        stem: &str,
        mut draw: impl FnMut(&Path) -> std::result::Result<(), E>,
    ) -> Result<()>
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        for ext in ["png", "svg"] {
            let path = self.path(chapter, &format!("{stem}.{ext}"));
            draw(&path).with_context(|| format!("cannot draw {}", path.display()))?;
            self.wrote(path);
        }
        Ok(())
    }
}

/// The cat pictures as matrices, with the Gram matrix `X_train^T X_train` that every run shares.
struct CatData<'d> {
    data: &'d CatDataset,
    x: DMatrix<f64>,
    y: DMatrix<f64>,
    x_test: DMatrix<f64>,
    y_test: DMatrix<f64>,
    gram: GramMatrix,
}

impl<'d> CatData<'d> {
    fn new(data: &'d CatDataset) -> Self {
        let x = data.train.x();
        let gram = gram_matrix(&x);
        CatData { data, y: data.train.y(), x_test: data.test.x(), y_test: data.test.y(), x, gram }
    }

    /// hw3's engine choice: `auto` (Gram for these wide pictures) with the shared Gram matrix.
    fn engine(&self) -> EngineOptions<'_> {
        EngineOptions { engine: Engine::Auto, gram: Some(&self.gram) }
    }

    /// Train and test accuracy of a hw3 network, in percent.
    fn accuracies(&self, parameters: &hw3_deep::Parameters) -> Result<(f64, f64)> {
        let train = hw3_deep::accuracy(&self.x, &self.y, parameters)?;
        let test = hw3_deep::accuracy(&self.x_test, &self.y_test, parameters)?;
        Ok((train, test))
    }
}

// ---------------------------------------------------------------------------------------------
// Chapter 2: hw1-logreg

/// The numbers of chapter 2.
struct BasicsResults {
    train_sample_caption: String,
    main: LogisticModel,
    /// The engine that trained `main` (the binary's `auto`).
    engine: Engine,
    test_prediction_caption: String,
    comparison: Vec<LogisticModel>,
}

fn basics(out: &mut Output<'_>, cat: &CatData<'_>, budget: &Budget) -> Result<BasicsResults> {
    use hw1_logreg::figures;
    let data = cat.data;
    let path = out.path(BASICS_DIR, "train_sample.png");
    let train_sample_caption = figures::train_sample(&path, &data.train, TRAIN_SAMPLE_INDEX)?;
    out.wrote(path);

    let path = out.path(BASICS_DIR, "samples.png");
    sample_grid(&path, data)?;
    out.wrote(path);

    // The binary's default engine, `auto`: Gram for the wide cat matrix, the notebook's numbers.
    let options = ModelOptions { engine: Engine::Auto, gram: Some(&cat.gram) };
    let train = |iterations: usize, rate: f64| {
        model_with(&cat.x, &cat.y, &cat.x_test, &cat.y_test, iterations, rate, options, &mut Silent)
    };
    let trained = train(budget.hw1_iterations, LEARNING_RATE).context("hw1: training the model")?;
    let (main, engine) = (trained.model, trained.engine);
    out.both_formats(BASICS_DIR, "cost_curve", |path| {
        figures::cost_curve(path, &main.costs, main.learning_rate)
    })?;
    let path = out.path(BASICS_DIR, "test_prediction.png");
    let test_prediction_caption =
        figures::test_prediction(&path, &data.test, TEST_SAMPLE_INDEX, &main.y_prediction_test)?;
    out.wrote(path);

    let comparison = COMPARISON_LEARNING_RATES
        .iter()
        .map(|&rate| train(budget.hw1_comparison_iterations, rate).map(|run| run.model))
        .collect::<std::result::Result<Vec<_>, _>>()
        .context("hw1: the learning-rate comparison")?;
    out.both_formats(BASICS_DIR, "learning_rates", |path| {
        figures::learning_rate_comparison(path, &comparison)
    })?;
    Ok(BasicsResults { train_sample_caption, main, engine, test_prediction_caption, comparison })
}

/// The first [`SAMPLE_PICTURES`] training pictures, each titled with its index and label.
fn sample_grid(path: &Path, data: &CatDataset) -> Result<()> {
    let side = u32::try_from(data.train.num_px()).context("the pictures are too large")?;
    let images: Vec<LabeledImage<'_>> = (0..SAMPLE_PICTURES.min(data.train.m()))
        .map(|index| {
            let label = usize::from(data.train.labels()[index]);
            LabeledImage {
                rgb: data.train.image(index),
                width: side,
                height: side,
                title: format!("#{index}: y = {label} ({})", CLASSES[label]),
            }
        })
        .collect();
    image_grid(path, &images, SAMPLE_COLUMNS, 2)
        .with_context(|| format!("cannot draw {}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Chapter 3: activations and hw2-planar

/// One network trained on one planar data set.
struct PlanarRun {
    label: String,
    accuracy: f64,
    parameters: Parameters,
}

/// A zero-initialisation experiment: how far apart the hidden units end up.
struct SymmetryRun {
    /// Which data and library, e.g. "flower (hw2-planar)".
    data: &'static str,
    /// "W = 0" or "W = randn * 0.01".
    init: &'static str,
    activation: Activation,
    iterations: usize,
    learning_rate: f64,
    /// Training accuracy in percent.
    accuracy: f64,
    /// Test accuracy in percent, for the cat pictures (the flower has no test set).
    test_accuracy: Option<f64>,
    /// Largest difference between a hidden unit's weights (in, bias, out) and unit 0's.
    unit_spread: f64,
    /// Largest `|W1[i, j]|`: whether the first layer moved at all.
    w1_max_abs: f64,
}

/// The numbers of chapter 3.
struct ShallowResults {
    config: ModelConfig,
    flower: PlanarRun,
    costs: Vec<(usize, f64)>,
    baseline_accuracy: f64,
    sweep: Vec<(usize, f64)>,
    sweep_iterations: usize,
    /// The study notes' settings with the iterations of the budget.
    notes_config: ModelConfig,
    /// The notes' run once per hidden activation, in [`Activation::ALL`]'s order.
    activations: Vec<(Activation, f64)>,
    symmetry: Vec<SymmetryRun>,
    datasets: Vec<(PlanarDataset, PlanarRun)>,
}

fn shallow(out: &mut Output<'_>, cat: &CatData<'_>, budget: &Budget) -> Result<ShallowResults> {
    use hw2_planar::figures;
    for activation in Activation::ALL {
        let stem = format!("activation-{}", activation.name());
        out.both_formats(SHALLOW_DIR, &stem, |path| {
            line_chart(path, &activation_chart(activation))
        })?;
    }

    let flower = load_planar_dataset();
    let path = out.path(SHALLOW_DIR, "flower.png");
    figures::dataset_scatter(&path, &flower, "flower: red = 0, blue = 1")?;
    out.wrote(path);

    let config = ModelConfig {
        num_iterations: budget.hw2_iterations,
        ..ModelConfig::preset(Preset::Course)
    };
    let model = planar_model(&flower.x, &flower.y, &config, &mut Silent)
        .context("hw2: training the course network on the flower")?;
    let flower_run = planar_run(&flower, model.parameters.clone(), "course preset")?;
    let path = out.path(SHALLOW_DIR, "flower-boundary.png");
    let title = format!(
        "Decision boundary for hidden layer size {} ({}), {} %",
        config.hidden_units, config.activation, flower_run.accuracy
    );
    figures::network_boundary(&path, &flower, &model.parameters, &title)?;
    out.wrote(path);
    let title = format!(
        "Cost, learning rate = {}, n_h = {}, {}",
        config.learning_rate, config.hidden_units, config.activation
    );
    out.both_formats(SHALLOW_DIR, "flower-cost", |path| figures::cost_curve(path, &model, &title))?;

    let baseline = logistic_regression(
        &flower.x,
        &flower.y,
        budget.hw2_baseline_iterations,
        BASELINE_LEARNING_RATE,
        &mut Silent,
    )
    .context("hw2: the logistic-regression baseline")?;
    let path = out.path(SHALLOW_DIR, "flower-logistic-regression.png");
    let title = format!("Logistic regression, {} %", baseline.train_accuracy);
    figures::baseline_boundary(&path, &flower, &baseline, &title)?;
    out.wrote(path);

    let sweep_config = ModelConfig { num_iterations: budget.hw2_sweep_iterations, ..config };
    let sweep =
        hidden_layer_sweep(&flower.x, &flower.y, &COURSE_SWEEP_SIZES, &sweep_config, |_| Silent)
            .context("hw2: the hidden-layer sweep")?;
    let path = out.path(SHALLOW_DIR, "flower-sweep.png");
    figures::sweep_boundaries(&path, &flower, &sweep)?;
    out.wrote(path);

    // The study notes' comparison of the hidden activation (`hw2-planar --activation NAME`).
    let notes_config = ModelConfig {
        num_iterations: budget.hw2_notes_iterations,
        ..ModelConfig::preset(Preset::Notes)
    };
    let mut activation_runs = Vec::new();
    for activation in Activation::ALL {
        let config = ModelConfig { activation, ..notes_config };
        let model = planar_model(&flower.x, &flower.y, &config, &mut Silent)
            .with_context(|| format!("hw2: the notes' settings with {activation} hidden units"))?;
        activation_runs
            .push((activation, planar_run(&flower, model.parameters, activation.name())?));
    }
    let path = out.path(SHALLOW_DIR, "flower-activations.png");
    boundary_panels(&path, activation_runs.iter().map(|(_, run)| (&flower, run)), 4)?;
    out.wrote(path);

    let zero_config = ModelConfig {
        init: Initialization { w1_scale: 0.0, w2_scale: 0.0, ..config.init },
        ..config
    };
    let zero_model = planar_model(&flower.x, &flower.y, &zero_config, &mut Silent)
        .context("hw2: training from zero weights")?;
    let zero_run = planar_run(&flower, zero_model.parameters, "W = 0, tanh")?;
    let random_run = planar_run(&flower, flower_run.parameters.clone(), "W = randn * 0.01, tanh")?;
    let path = out.path(SHALLOW_DIR, "zero-init.png");
    boundary_panels(&path, [(&flower, &random_run), (&flower, &zero_run)].into_iter(), 2)?;
    out.wrote(path);
    let mut symmetry = Vec::new();
    for (init, run) in [("W = randn * 0.01", &random_run), ("W = 0", &zero_run)] {
        let p = &run.parameters;
        symmetry.push(SymmetryRun {
            data: "flower (hw2-planar)",
            init,
            activation: p.activation,
            iterations: config.num_iterations,
            learning_rate: config.learning_rate,
            accuracy: run.accuracy,
            test_accuracy: None,
            unit_spread: unit_spread(&p.w1, &p.b1, &p.w2),
            w1_max_abs: p.w1.amax(),
        });
    }
    symmetry.extend(cat_symmetry_runs(cat, budget.symmetry_iterations)?);

    let mut datasets = Vec::new();
    for dataset in PlanarDataset::ALL.into_iter().filter(|d| *d != PlanarDataset::Flower) {
        // The binary generates the data with the run's seed: `--preset course --dataset NAME`.
        let data = dataset.generate(config.init.seed);
        let model = planar_model(&data.x, &data.y, &config, &mut Silent)
            .with_context(|| format!("hw2: training on {}", dataset.name()))?;
        let run = planar_run(&data, model.parameters, dataset.name())?;
        datasets.push((data, dataset, run));
    }
    let path = out.path(SHALLOW_DIR, "datasets.png");
    boundary_panels(&path, datasets.iter().map(|(data, _, run)| (data, run)), DATASET_COLUMNS)?;
    out.wrote(path);

    Ok(ShallowResults {
        config,
        costs: model.recorded_costs().collect(),
        flower: flower_run,
        baseline_accuracy: baseline.train_accuracy,
        sweep: sweep.iter().map(|run| (run.hidden_units, run.accuracy)).collect(),
        sweep_iterations: sweep_config.num_iterations,
        notes_config,
        activations: activation_runs.iter().map(|(a, run)| (*a, run.accuracy)).collect(),
        symmetry,
        datasets: datasets.into_iter().map(|(_, dataset, run)| (dataset, run)).collect(),
    })
}

/// `g(z)` and `g'(z)` for z in [-5, 5]; the derivative of ReLU and leaky ReLU is undefined at 0,
/// so their line breaks there rather than drawing a vertical jump.
fn activation_chart(activation: Activation) -> LineChart {
    let zs: Vec<f64> = (-100..=100).map(|i| f64::from(i) / 20.0).collect();
    let value = zs.iter().map(|&z| (z, activation.apply_scalar(z))).collect();
    let kinked = matches!(activation, Activation::Relu | Activation::LeakyRelu);
    let derivative = zs
        .iter()
        .map(|&z| {
            let slope = activation.derivative_scalar(z, activation.apply_scalar(z));
            (z, if kinked && z == 0.0 { f64::NAN } else { slope })
        })
        .collect();
    let (formula, derivative_formula) = match activation {
        Activation::Sigmoid => ("g(z) = 1 / (1 + e^-z)", "g'(z) = g(z) (1 - g(z))"),
        Activation::Tanh => ("g(z) = tanh(z)", "g'(z) = 1 - g(z)^2"),
        Activation::Relu => ("g(z) = max(0, z)", "g'(z) = 0 for z < 0, 1 for z > 0"),
        Activation::LeakyRelu => ("g(z) = max(0.01 z, z)", "g'(z) = 0.01 for z < 0, 1 for z > 0"),
    };
    LineChart {
        title: format!("{} and its derivative", activation.name()),
        x_label: "z".to_owned(),
        y_label: "g(z), g'(z)".to_owned(),
        series: vec![Series::new(formula, value), Series::new(derivative_formula, derivative)],
        log_y: false,
    }
}

/// A trained network with its training accuracy, labelled `name: accuracy %`.
fn planar_run(data: &PlanarData, parameters: Parameters, name: &str) -> Result<PlanarRun> {
    let accuracy = hw2_planar::accuracy(&data.x, &data.y, &parameters)?;
    Ok(PlanarRun { label: format!("{name}: {accuracy} %"), accuracy, parameters })
}

/// Hidden units of the cat network of [`cat_symmetry_runs`].
pub const SYMMETRY_HIDDEN_UNITS: usize = 4;
/// Learning rate of [`cat_symmetry_runs`] (the week-4 notebooks' rate).
pub const SYMMETRY_LEARNING_RATE: f64 = 0.05;

/// A `[n_x, 4, 1]` network with sigmoid hidden units trained on the cat pictures with
/// `hw3_deep::gradient_descent`, from all-zero weights and from `randn * 0.01`. Unlike tanh on the
/// flower (where zero weights never move), here the zero-started weights do move, but every
/// hidden unit gets the same gradient, so the units stay copies of each other.
fn cat_symmetry_runs(cat: &CatData<'_>, iterations: usize) -> Result<Vec<SymmetryRun>> {
    let dims = [cat.x.nrows(), SYMMETRY_HIDDEN_UNITS, 1];
    let train = |init: WeightInit| -> Result<hw3_deep::Parameters> {
        let options = TrainOptions {
            num_iterations: iterations,
            learning_rate: SYMMETRY_LEARNING_RATE,
            init,
            seed: STUDY_SEED,
        };
        let mut start = initialize_parameters_deep(&dims, init, &mut NumpyRng::new(options.seed))?;
        if let Some(hidden) = start.layers.first_mut() {
            hidden.activation = Activation::Sigmoid;
        }
        let model =
            train_with_engine(&cat.x, &cat.y, start, &options, cat.engine(), &mut Silent)
                .with_context(|| format!("zero initialisation on the cat pictures, W = {init}"))?;
        Ok(model.parameters)
    };
    [("W = 0", WeightInit::Zeros), ("W = randn * 0.01", WeightInit::SMALL)]
        .into_iter()
        .map(|(label, init)| {
            let p = train(init)?;
            let (hidden, output) = match p.layers.as_slice() {
                [hidden, output] => (hidden, output),
                _ => bail!("the symmetry network should have two layers, found {}", p.depth()),
            };
            let (train, test) = cat.accuracies(&p)?;
            Ok(SymmetryRun {
                data: "cat pictures (hw3-deep)",
                init: label,
                activation: hidden.activation,
                iterations,
                learning_rate: SYMMETRY_LEARNING_RATE,
                accuracy: train,
                test_accuracy: Some(test),
                unit_spread: unit_spread(&hidden.w, &hidden.b, &output.w),
                w1_max_abs: hidden.w.amax(),
            })
        })
        .collect()
}

/// How different the hidden units are: the largest difference between unit `i`'s incoming
/// weights (row `i` of `w1`), bias (`b1[i]`) or outgoing weights (column `i` of `w2`) and unit
/// 0's. Zero means every unit computes the same function.
///
/// ```
/// use nalgebra::DMatrix;
/// let w1 = DMatrix::from_row_slice(2, 2, &[0.5, -1.0, 0.5, -1.0]);
/// let b1 = DMatrix::from_row_slice(2, 1, &[0.1, 0.1]);
/// let w2 = DMatrix::from_row_slice(1, 2, &[2.0, 2.0]);
/// assert_eq!(course_tools::figures::unit_spread(&w1, &b1, &w2), 0.0);
/// let w2 = DMatrix::from_row_slice(1, 2, &[2.0, 2.25]);
/// assert_eq!(course_tools::figures::unit_spread(&w1, &b1, &w2), 0.25);
/// ```
pub fn unit_spread(w1: &DMatrix<f64>, b1: &DMatrix<f64>, w2: &DMatrix<f64>) -> f64 {
    let row_spread =
        |m: &DMatrix<f64>| m.row_iter().map(|row| (row - m.row(0)).amax()).fold(0.0, f64::max);
    let column_spread = |m: &DMatrix<f64>| {
        m.column_iter().map(|column| (column - m.column(0)).amax()).fold(0.0, f64::max)
    };
    row_spread(w1).max(row_spread(b1)).max(column_spread(w2))
}

/// One decision-boundary panel per run, each over its own data, titled with the run's label.
fn boundary_panels<'a>(
    path: &Path,
    runs: impl Iterator<Item = (&'a PlanarData, &'a PlanarRun)>,
    columns: usize,
) -> Result<()> {
    let runs: Vec<_> = runs.collect();
    let labels: Vec<Vec<u8>> = runs.iter().map(|(data, _)| data.labels()).collect();
    let grids = runs
        .iter()
        .map(|(data, run)| decision_grid(&run.parameters, &data.x, GRID_RESOLUTION))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let panels: Vec<DecisionBoundary<'_>> = runs
        .iter()
        .zip(&labels)
        .zip(&grids)
        .map(|(((data, run), labels), grid)| DecisionBoundary {
            title: run.label.clone(),
            points: &data.x,
            labels,
            grid,
        })
        .collect();
    decision_boundary_grid(path, &panels, columns)
        .with_context(|| format!("cannot draw {}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Chapter 4: hw3-deep and the hyperparameter study

/// One model trained on the cat pictures.
struct CatRun {
    options: TrainOptions,
    costs: Vec<f64>,
    train_accuracy: f64,
    test_accuracy: f64,
}

/// One cell of the study: `None` accuracies when the run diverged.
struct StudyCell {
    layer_dims: Vec<usize>,
    accuracies: Option<(f64, f64)>,
}

/// The numbers of chapter 4.
struct DeepResults {
    two_layer: CatRun,
    deep: CatRun,
    mislabeled: usize,
    study: Vec<StudyCell>,
    study_iterations: usize,
}

/// The network diagrams of chapter 4's structure section: file stem, title and units per layer
/// (input first), from logistic regression to five hidden layers.
pub const NETWORK_DIAGRAMS: [(&str, &str, &[usize]); 4] = [
    ("network-logistic", "logistic regression (L = 1)", &[3, 1]),
    ("network-1-hidden", "1 hidden layer (L = 2)", &[3, 4, 1]),
    ("network-2-hidden", "2 hidden layers (L = 3)", &[3, 4, 4, 1]),
    ("network-5-hidden", "5 hidden layers (L = 6)", &[3, 5, 5, 5, 5, 5, 1]),
];

/// Draws [`NETWORK_DIAGRAMS`] as PNGs into the chapter 4 folder.
fn network_diagrams(out: &mut Output<'_>) -> Result<()> {
    for (stem, title, sizes) in NETWORK_DIAGRAMS {
        let path = out.path(DEEP_DIR, &format!("{stem}.png"));
        let diagram = NetworkDiagram { title: title.to_string(), layer_sizes: sizes.to_vec() };
        network_diagram(&path, &diagram)
            .with_context(|| format!("cannot draw {}", path.display()))?;
        out.wrote(path);
    }
    Ok(())
}

fn deep(out: &mut Output<'_>, cat: &CatData<'_>, budget: &Budget) -> Result<DeepResults> {
    use hw3_deep::figures;
    let data = cat.data;
    let n_x = cat.x.nrows();
    let with_budget = |kind: ModelKind| TrainOptions {
        num_iterations: budget.hw3_iterations,
        ..TrainOptions::preset(Preset::Course, kind)
    };
    let (two_layer_options, deep_options) =
        (with_budget(ModelKind::TwoLayer), with_budget(ModelKind::Deep));
    let two_layer = two_layer_model_with(
        &cat.x,
        &cat.y,
        (n_x, hw3_deep::TWO_LAYER_HIDDEN, 1),
        &two_layer_options,
        cat.engine(),
        &mut Silent,
    )
    .context("hw3: training the two-layer model")?;
    let deep = l_layer_model_with(
        &cat.x,
        &cat.y,
        &ModelKind::Deep.layer_dims(n_x),
        &deep_options,
        cat.engine(),
        &mut Silent,
    )
    .context("hw3: training the deep model")?;

    let mut runs = Vec::new();
    for (name, model, options) in
        [("two-layer", &two_layer, two_layer_options), ("deep", &deep, deep_options)]
    {
        let run = cat_run(cat, model, options)?;
        let label = format!("{name} model, preset course");
        out.both_formats(DEEP_DIR, &format!("{name}-cost"), |path| {
            figures::cost_curve(path, &run.costs, options.learning_rate, &label)
        })?;
        runs.push(run);
    }
    let test_predictions = hw3_deep::predict(&cat.x_test, &deep.parameters)?;
    let path = out.path(DEEP_DIR, "deep-mislabeled.png");
    let mislabeled =
        figures::mislabeled_images(&path, &data.test, &test_predictions, &data.classes)?;
    if mislabeled > 0 {
        out.wrote(path);
    }

    let study = hyperparameter_study(cat, budget.study_iterations)?;
    let chart = study_heatmap(&study, budget.study_iterations);
    out.both_formats(DEEP_DIR, "hyperparameters", |path| heatmap(path, &chart))?;

    let deep_run = runs.pop().context("the deep model's results are missing")?;
    let two_layer_run = runs.pop().context("the two-layer model's results are missing")?;
    Ok(DeepResults {
        two_layer: two_layer_run,
        deep: deep_run,
        mislabeled,
        study,
        study_iterations: budget.study_iterations,
    })
}

fn cat_run(cat: &CatData<'_>, model: &TrainedModel, options: TrainOptions) -> Result<CatRun> {
    let (train_accuracy, test_accuracy) = cat.accuracies(&model.parameters)?;
    Ok(CatRun { options, costs: model.costs.clone(), train_accuracy, test_accuracy })
}

/// Train and test accuracy of one study run, `None` when it diverged.
type StudyOutcome = Option<(f64, f64)>;
/// Where a worker thread leaves one run's result (empty until the run is done).
type StudySlot = Mutex<Option<Result<StudyOutcome>>>;

/// Trains `l_layer_model` for every depth of [`STUDY_HIDDEN`] and rate of
/// [`STUDY_LEARNING_RATES`] (`W = randn / sqrt(n[l-1])`, seed [`STUDY_SEED`]), two runs at a
/// time. A diverging run is a result (an empty cell), not an error.
fn hyperparameter_study(cat: &CatData<'_>, iterations: usize) -> Result<Vec<StudyCell>> {
    let n_x = cat.x.nrows();
    let jobs: Vec<(Vec<usize>, f64)> = STUDY_HIDDEN
        .iter()
        .flat_map(|hidden| {
            let dims = [&[n_x][..], hidden, &[1]].concat();
            STUDY_LEARNING_RATES.iter().map(move |&rate| (dims.clone(), rate))
        })
        .collect();
    let run = |dims: &[usize], learning_rate: f64| -> Result<StudyOutcome> {
        let options = TrainOptions {
            num_iterations: iterations,
            learning_rate,
            init: WeightInit::InverseSqrtFanIn,
            seed: STUDY_SEED,
        };
        match l_layer_model_with(&cat.x, &cat.y, dims, &options, cat.engine(), &mut Silent) {
            Ok(model) => Ok(Some(cat.accuracies(&model.parameters)?)),
            Err(DeepError::Nn(err)) if err.is_divergence() => Ok(None),
            Err(err) => Err(anyhow::Error::new(err)
                .context(format!("hyperparameter study: layers {dims:?}, rate {learning_rate}"))),
        }
    };
    // The runs are independent: one per core, each result stored in its own slot so the order
    // (and so every output byte) does not depend on which thread finishes first.
    let next = Mutex::new(0usize);
    let results: Vec<StudySlot> = jobs.iter().map(|_| Mutex::new(None)).collect();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(jobs.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let job = match next.lock() {
                        Ok(mut k) => {
                            *k += 1;
                            *k - 1
                        }
                        Err(_) => return,
                    };
                    let Some((dims, rate)) = jobs.get(job) else { return };
                    let result = run(dims, *rate);
                    if let Ok(mut cell) = results[job].lock() {
                        *cell = Some(result);
                    }
                }
            });
        }
    });
    jobs.into_iter()
        .zip(results)
        .map(|((layer_dims, learning_rate), cell)| {
            let accuracies = match cell.into_inner().ok().flatten() {
                Some(result) => result?,
                None => bail!(
                    "hyperparameter study: the run {layer_dims:?} at {learning_rate} did not finish"
                ),
            };
            Ok(StudyCell { layer_dims, accuracies })
        })
        .collect()
}

/// Test accuracy by depth (rows) and learning rate (columns); diverged runs are grey (NaN).
fn study_heatmap(study: &[StudyCell], iterations: usize) -> Heatmap {
    let rows = STUDY_HIDDEN.len();
    let columns = STUDY_LEARNING_RATES.len();
    let values = DMatrix::from_fn(rows, columns, |r, c| {
        study
            .get(r * columns + c)
            .and_then(|cell| cell.accuracies)
            .map_or(f64::NAN, |(_, test)| test)
    });
    Heatmap {
        title: format!("Test accuracy (%) after {iterations} iterations (grey: diverged)"),
        x_label: "learning rate".to_owned(),
        y_label: "layers L (hidden widths)".to_owned(),
        x_ticks: STUDY_LEARNING_RATES.iter().map(|r| r.to_string()).collect(),
        y_ticks: STUDY_HIDDEN
            .iter()
            .map(|hidden| {
                let widths: Vec<String> = hidden.iter().map(usize::to_string).collect();
                match hidden.len() {
                    0 => "L = 1 (no hidden)".to_owned(),
                    n => format!("L = {} ({})", n + 1, widths.join(", ")),
                }
            })
            .collect(),
        values,
        decimals: 0,
    }
}

// ---------------------------------------------------------------------------------------------
// Chapter 6: hw4-initialization

/// One initialisation's run.
struct InitRun {
    init: hw4_initialization::Initialization,
    costs: Vec<(usize, f64)>,
    /// Accuracy as a fraction, as the notebook prints it.
    train: f64,
    test: f64,
}

/// The numbers of chapter 6.
struct PracticalResults {
    iterations: usize,
    runs: Vec<InitRun>,
}

fn practical(out: &mut Output<'_>, budget: &Budget) -> Result<PracticalResults> {
    use hw4_initialization::{
        Initialization, LEARNING_RATE, accuracy, figures, load_dataset, model,
    };
    let data = load_dataset();
    let path = out.path(PRACTICAL_DIR, "circles.png");
    figures::dataset(&path, &data.train, "make_circles, training set: red = 0, blue = 1")?;
    out.wrote(path);
    let mut runs = Vec::new();
    let mut parameters = Vec::new();
    for init in Initialization::ALL {
        let trained = model(
            &data.train.x,
            &data.train.y,
            LEARNING_RATE,
            budget.hw4_iterations,
            init,
            &mut Silent,
        )
        .with_context(|| format!("hw4: training from initialization = \"{init}\""))?;
        let train = accuracy(&data.train.x, &data.train.y, &trained.parameters)?;
        let test = accuracy(&data.test.x, &data.test.y, &trained.parameters)?;
        runs.push(InitRun { init, costs: trained.costs, train, test });
        parameters.push(trained.parameters);
    }
    let titles: Vec<String> =
        runs.iter().map(|r| format!("{} initialization: train {}", r.init, r.train)).collect();
    let panels: Vec<(&str, &hw4_initialization::Parameters)> =
        titles.iter().map(String::as_str).zip(&parameters).collect();
    let path = out.path(PRACTICAL_DIR, "init-boundaries.png");
    figures::boundaries_side_by_side(&path, &data.train, &panels, 3)?;
    out.wrote(path);
    let names: Vec<String> = runs.iter().map(|r| r.init.to_string()).collect();
    let curves: Vec<(&str, &[(usize, f64)])> =
        names.iter().zip(&runs).map(|(name, r)| (name.as_str(), r.costs.as_slice())).collect();
    let title = format!("Cost by initialization, learning rate {LEARNING_RATE}");
    out.both_formats(PRACTICAL_DIR, "init-costs", |path| {
        figures::cost_curves(path, &curves, &title)
    })?;
    Ok(PracticalResults { iterations: budget.hw4_iterations, runs })
}

/// `|grad - gradapprox|` of the 47 parameters, the notebook's buggy backprop against the fixed
/// one (`hw6-gradient-checking` draws the same); it takes no budget: 94 forward passes.
fn gradient_checking(out: &mut Output<'_>) -> Result<()> {
    use hw6_gradient_checking::{Backprop, DEFAULT_EPSILON, figures, notebook_check};
    let buggy = notebook_check(Backprop::Buggy, DEFAULT_EPSILON)?;
    let fixed = notebook_check(Backprop::Fixed, DEFAULT_EPSILON)?;
    out.both_formats(PRACTICAL_DIR, "gradient-gaps", |path| {
        figures::gradient_gaps(path, &[("backprop = buggy", &buggy), ("backprop = fixed", &fixed)])
    })
}

// ---------------------------------------------------------------------------------------------
// Chapter 6: hw5-regularization

/// One regularisation run.
struct RegRun {
    label: String,
    costs: Vec<(usize, f64)>,
    /// Accuracy as a fraction, as the notebook prints it.
    train: f64,
    test: f64,
}

/// The numbers of chapter 6's regularisation section.
struct RegularizationResults {
    iterations: usize,
    /// None, L2, dropout (the notebook's masks), then dropout with fresh masks.
    runs: Vec<RegRun>,
}

fn regularization(
    out: &mut Output<'_>,
    data_dir: &Path,
    budget: &Budget,
) -> Result<RegularizationResults> {
    use hw5_regularization::{
        KEEP_PROB, LAMBD, LEARNING_RATE, MaskSchedule, Regularization, accuracy, figures,
        load_2d_dataset, model,
    };
    let data = load_2d_dataset(data_dir).with_context(|| {
        format!("cannot load the football positions from {} (--data-dir)", data_dir.display())
    })?;
    let path = out.path(PRACTICAL_DIR, "football.png");
    figures::dataset(&path, &data.train, "data.mat, training set: blue = French player (1)")?;
    out.wrote(path);
    let settings = [
        ("no regularization", Regularization::None),
        ("L2, lambd = 0.7", Regularization::l2(LAMBD)?),
        ("dropout, keep_prob = 0.86", Regularization::dropout(KEEP_PROB, MaskSchedule::Notebook)?),
        ("dropout, fresh masks", Regularization::dropout(KEEP_PROB, MaskSchedule::Fresh)?),
    ];
    let mut runs = Vec::new();
    let mut parameters = Vec::new();
    for (label, regularization) in settings {
        let trained = model(
            &data.train.x,
            &data.train.y,
            LEARNING_RATE,
            budget.hw5_iterations,
            regularization,
            &mut Silent,
        )
        .with_context(|| format!("hw5: training with {label}"))?;
        let train = accuracy(&data.train.x, &data.train.y, &trained.parameters)?;
        let test = accuracy(&data.test.x, &data.test.y, &trained.parameters)?;
        runs.push(RegRun { label: label.to_owned(), costs: trained.costs, train, test });
        parameters.push(trained.parameters);
    }
    // The notebook's three boundaries; the fresh-mask run is in the table and the cost chart.
    let titles: Vec<String> = runs
        .iter()
        .take(3)
        .map(|r| format!("{}: train {:.4}, test {}", r.label, r.train, r.test))
        .collect();
    let panels: Vec<(&str, &hw5_regularization::Parameters)> =
        titles.iter().map(String::as_str).zip(&parameters).collect();
    let path = out.path(PRACTICAL_DIR, "reg-boundaries.png");
    figures::boundaries_side_by_side(&path, &data, &panels, 3)?;
    out.wrote(path);
    let curves: Vec<(&str, &[(usize, f64)])> =
        runs.iter().map(|r| (r.label.as_str(), r.costs.as_slice())).collect();
    let title = format!("Cost by regularization, learning rate {LEARNING_RATE}");
    out.both_formats(PRACTICAL_DIR, "reg-costs", |path| {
        figures::cost_curves(path, &curves, &title, hw5_regularization::COST_EVERY)
    })?;
    Ok(RegularizationResults { iterations: budget.hw5_iterations, runs })
}

/// The section of [`RESULTS_FILE`] on hw5-regularization.
fn regularization_markdown(results: &RegularizationResults) -> String {
    let mut md = String::from("\n## Chapter 6: hw5-regularization\n\n");
    md.push_str(&format!(
        "`model(train_X, train_Y, lambd = ..., keep_prob = ...)`: `[2, 20, 3, 1]`, {} iterations \
         at learning rate {}, on the 211 training and 200 test positions of `data.mat`; the cost \
         every 10000 iterations as the notebook prints it, accuracies as `predict` prints them:\n\n",
        results.iterations,
        hw5_regularization::LEARNING_RATE
    ));
    md.push_str("| model | costs | train accuracy | test accuracy |\n|---|---|---|---|\n");
    for run in &results.runs {
        let printed = run.costs.iter().copied().filter(|(i, _)| i.is_multiple_of(10_000));
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            run.label,
            costs_line(printed),
            run.train,
            run.test
        ));
    }
    md
}

// ---------------------------------------------------------------------------------------------
// Chapter 7: hw7-optimization

/// One of the notebook's seven runs.
struct OptimizationRun {
    optimizer: hw7_optimization::Optimizer,
    decay: hw7_optimization::Decay,
    learning_rate: f64,
    costs: Vec<(usize, f64)>,
    learning_rates: Vec<(usize, f64)>,
    /// Accuracy as a fraction, as `predict` prints it.
    accuracy: f64,
}

/// The numbers of chapter 7.
struct OptimizationResults {
    epochs: usize,
    runs: Vec<OptimizationRun>,
}

/// The notebook's runs, in its order: the three optimizers, then the four decay runs.
const OPTIMIZATION_RUNS: [(hw7_optimization::Optimizer, hw7_optimization::Decay); 7] = {
    use hw7_optimization::{Decay, Optimizer};
    [
        (Optimizer::Gd, Decay::None),
        (Optimizer::Momentum, Decay::None),
        (Optimizer::Adam, Decay::None),
        (Optimizer::Gd, Decay::Update),
        (Optimizer::Gd, Decay::Schedule),
        (Optimizer::Momentum, Decay::Schedule),
        (Optimizer::Adam, Decay::Schedule),
    ]
};

fn optimization(out: &mut Output<'_>, budget: &Budget) -> Result<OptimizationResults> {
    use hw7_optimization::{Decay, Settings, accuracy, figures, load_dataset, model};
    let data = load_dataset();
    let path = out.path(OPTIMIZATION_DIR, "moons.png");
    figures::dataset(&path, &data, "make_moons: red = 0, blue = 1")?;
    out.wrote(path);
    let mut runs = Vec::new();
    for (optimizer, decay) in OPTIMIZATION_RUNS {
        let settings = Settings {
            num_epochs: budget.hw7_epochs,
            ..Settings::notebook_with_decay(optimizer, decay)
        };
        let trained = model(&data.x, &data.y, &settings, &mut Silent)
            .with_context(|| format!("hw7: training with {optimizer}, decay {decay}"))?;
        let accuracy = accuracy(&data.x, &data.y, &trained.parameters)?;
        let name = match decay {
            Decay::None => optimizer.name().to_owned(),
            decay => format!("{optimizer}-{decay}"),
        };
        let title = match decay.function() {
            None => format!("{}: accuracy {accuracy}", optimizer.title()),
            Some(f) => format!("{} with {f}: accuracy {accuracy}", optimizer.title()),
        };
        let path = out.path(OPTIMIZATION_DIR, &format!("boundary-{name}.png"));
        figures::decision_regions(&path, &data, &trained.parameters, &title)?;
        out.wrote(path);
        runs.push(OptimizationRun {
            optimizer,
            decay,
            learning_rate: settings.learning_rate,
            costs: trained.costs,
            learning_rates: trained.learning_rates,
            accuracy,
        });
    }
    let label = |r: &OptimizationRun| match r.decay.function() {
        None => r.optimizer.title().to_owned(),
        Some(f) => format!("{} + {f}", r.optimizer.title()),
    };
    let (plain, decayed): (Vec<&OptimizationRun>, Vec<&OptimizationRun>) =
        runs.iter().partition(|r| r.decay == Decay::None);
    for (stem, group, title) in [
        ("costs-compared", &plain, "Mini-batch gradient descent, momentum and Adam"),
        ("costs-decay", &decayed, "With learning-rate decay"),
    ] {
        let labels: Vec<String> = group.iter().map(|r| label(r)).collect();
        let curves: Vec<(&str, &[(usize, f64)])> =
            labels.iter().zip(group).map(|(l, r)| (l.as_str(), r.costs.as_slice())).collect();
        out.both_formats(OPTIMIZATION_DIR, stem, |path| {
            figures::cost_curves(path, &curves, title)
        })?;
    }
    Ok(OptimizationResults { epochs: budget.hw7_epochs, runs })
}

/// Chapter 7's section of `results.md`.
fn optimization_markdown(optimization: &OptimizationResults) -> String {
    let mut md = String::new();
    md.push('\n');
    md.push_str("## Chapter 7: hw7-optimization\n\n");
    md.push_str(&format!(
        "`model(train_X, train_Y, layers_dims, optimizer, ...)`: `[2, 5, 2, 1]`, {} epochs of \
         mini-batches of 64 on the 300 moons; the cost and, under decay, the learning rate after \
         every 1000th epoch; accuracy as `predict` prints it:\n\n",
        optimization.epochs
    ));
    md.push_str("| optimizer | decay | learning rate | costs | learning rates | accuracy |\n");
    md.push_str("|---|---|---|---|---|---|\n");
    let every_1000 = |pairs: &[(usize, f64)]| -> Vec<(usize, f64)> {
        pairs.iter().copied().filter(|(i, _)| i % 1000 == 0).collect()
    };
    for run in &optimization.runs {
        let rates = match run.decay.function() {
            None => "—".to_owned(),
            Some(_) => every_1000(&run.learning_rates)
                .iter()
                .map(|(i, r)| format!("{i}: {r:.6}"))
                .collect::<Vec<_>>()
                .join(", "),
        };
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            run.optimizer,
            run.decay.function().unwrap_or("none"),
            run.learning_rate,
            costs_line(every_1000(&run.costs).into_iter()),
            rates,
            run.accuracy
        ));
    }
    md
}

// ---------------------------------------------------------------------------------------------
// results.md

/// An accuracy as the hw3 notebook prints it: up to 10 decimals, trailing zeros dropped.
fn percent10(value: f64) -> String {
    let s = format!("{value:.10}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// `0` or a number like `1.23e-5`.
fn scientific(value: f64) -> String {
    if value == 0.0 { "0".to_owned() } else { format!("{value:.3e}") }
}

/// A markdown table of accuracies: a `first_column` cell and `accuracy %` per row.
fn accuracy_table(first_column: &str, rows: impl Iterator<Item = (String, f64)>) -> String {
    let rows: Vec<String> =
        rows.map(|(name, accuracy)| format!("| {name} | {accuracy} % |")).collect();
    format!("| {first_column} | accuracy |\n|---|---|\n{}", rows.join("\n"))
}

fn costs_line(costs: impl IntoIterator<Item = (usize, f64)>) -> String {
    costs.into_iter().map(|(i, c)| format!("{i}: {c:.6}")).collect::<Vec<_>>().join(", ")
}

fn results_markdown(
    budget: &Budget,
    basics: &BasicsResults,
    shallow: &ShallowResults,
    deep: &DeepResults,
    practical: &PracticalResults,
) -> String {
    let mut md = String::new();
    let mut line = |text: String| {
        md.push_str(&text);
        md.push('\n');
    };
    line("<!-- Generated by `cargo xtask plots`; edit crates/course-tools/src/figures.rs instead. -->".into());
    line("# Numbers behind the figures".into());
    line(String::new());
    line(format!(
        "Every number on this page comes from the `cargo xtask plots` run ({} budget) that drew \
         the figures in this folder; the chapters quote them.",
        budget.name()
    ));
    line(String::new());

    let main = &basics.main;
    line("## Chapter 2: hw1-logreg".into());
    line(String::new());
    line(format!("Training picture {TRAIN_SAMPLE_INDEX}: {}", basics.train_sample_caption));
    line(String::new());
    line(format!(
        "`model(..., num_iterations = {}, learning_rate = {})`, engine {}:",
        main.num_iterations,
        python_float(main.learning_rate),
        basics.engine
    ));
    line(String::new());
    line(format!("- costs: {}", costs_line(main.costs.iter().copied())));
    line(format!("- train accuracy: {} %", python_float(main.train_accuracy)));
    line(format!("- test accuracy: {} %", python_float(main.test_accuracy)));
    line(format!("- test picture {TEST_SAMPLE_INDEX}: {}", basics.test_prediction_caption));
    line(String::new());
    line(
        "| learning rate | iterations | last recorded cost | train accuracy | test accuracy |"
            .into(),
    );
    line("|---|---|---|---|---|".into());
    for run in &basics.comparison {
        let last = run.costs.last().map_or(f64::NAN, |&(_, c)| c);
        line(format!(
            "| {} | {} | {last:.6} | {} % | {} % |",
            python_float(run.learning_rate),
            run.num_iterations,
            python_float(run.train_accuracy),
            python_float(run.test_accuracy)
        ));
    }
    line(String::new());

    let c = &shallow.config;
    line("## Chapter 3: hw2-planar".into());
    line(String::new());
    line(format!(
        "Course preset on the flower: n_h = {}, {} hidden units, {} iterations at learning rate {}, \
         seed {}, W = randn * {}:",
        c.hidden_units,
        c.activation,
        c.num_iterations,
        c.learning_rate,
        c.init.seed,
        c.init.w1_scale
    ));
    line(String::new());
    line(format!("- costs: {}", costs_line(shallow.costs.iter().copied())));
    line(format!("- accuracy: {} %", shallow.flower.accuracy));
    line(format!(
        "- logistic-regression baseline ({} iterations at {BASELINE_LEARNING_RATE}): {} %",
        BASELINE_ITERATIONS.min(budget.hw2_baseline_iterations),
        shallow.baseline_accuracy
    ));
    line(String::new());
    line(format!("Hidden-layer sweep ({} iterations each):", shallow.sweep_iterations));
    line(String::new());
    line(accuracy_table("hidden units", shallow.sweep.iter().map(|(n, a)| (n.to_string(), *a))));
    line(String::new());
    let n = &shallow.notes_config;
    line(format!(
        "Notes preset on the flower, one run per hidden activation: n_h = {}, {} iterations at \
         learning rate {}, seed {}, W1 = randn * {}, W2 = randn * {}:",
        n.hidden_units,
        n.num_iterations,
        n.learning_rate,
        n.init.seed,
        n.init.w1_scale,
        n.init.w2_scale
    ));
    line(String::new());
    let activations = shallow.activations.iter().map(|(g, a)| (g.to_string(), *a));
    line(accuracy_table("hidden activation", activations));
    line(String::new());
    line(
        "Zero initialisation: the spread is the largest difference between any hidden unit's \
         weights (in, bias, out) and unit 0's; 0 means every unit computes the same function."
            .into(),
    );
    line(String::new());
    line(
        "| data | initial weights | hidden units | iterations, rate | train accuracy | test \
         accuracy | spread between hidden units | largest \\|W1\\| |"
            .into(),
    );
    line("|---|---|---|---|---|---|---|---|".into());
    for s in &shallow.symmetry {
        line(format!(
            "| {} | {} | {} | {}, {} | {} % | {} | {} | {} |",
            s.data,
            s.init,
            s.activation,
            s.iterations,
            s.learning_rate,
            percent10(s.accuracy),
            s.test_accuracy.map_or("—".to_owned(), |t| format!("{} %", percent10(t))),
            scientific(s.unit_spread),
            scientific(s.w1_max_abs)
        ));
    }
    line(String::new());
    line(EDGE_OF_STABILITY_SYMMETRY.into());
    line(String::new());
    line(format!("Other data sets (course preset, data generated with seed {}):", c.init.seed));
    line(String::new());
    let datasets = shallow.datasets.iter().map(|(d, run)| (d.name().to_owned(), run.accuracy));
    line(accuracy_table("data set", datasets));
    line(String::new());

    line("## Chapter 4: hw3-deep".into());
    line(String::new());
    for (name, run) in [("two-layer", &deep.two_layer), ("deep", &deep.deep)] {
        let o = &run.options;
        line(format!(
            "`{name}` model, preset course ({} iterations at learning rate {}, W = {}, seed {}):",
            o.num_iterations, o.learning_rate, o.init, o.seed
        ));
        line(String::new());
        let costs = run.costs.iter().enumerate().map(|(k, &c)| (k * hw3_deep::COST_EVERY, c));
        line(format!("- costs: {}", costs_line(costs)));
        line(format!("- train accuracy: {} %", percent10(run.train_accuracy)));
        line(format!("- test accuracy: {} %", percent10(run.test_accuracy)));
        line(String::new());
    }
    line(format!("Mislabeled test pictures of the deep model: {}", deep.mislabeled));
    line(String::new());
    line(format!(
        "Hyperparameter study: `l_layer_model` for {} iterations, W = randn/sqrt(n[l-1]), seed \
         {STUDY_SEED}; train / test accuracy in %, \"diverged\" where the cost stopped being a number.",
        deep.study_iterations
    ));
    line(String::new());
    let header: Vec<String> = STUDY_LEARNING_RATES.iter().map(|r| format!("α = {r}")).collect();
    line(format!("| layers | {} |", header.join(" | ")));
    line(format!("|---|{}", "---|".repeat(STUDY_LEARNING_RATES.len())));
    for row in deep.study.chunks(STUDY_LEARNING_RATES.len()) {
        let Some(first) = row.first() else { continue };
        let cells: Vec<String> = row
            .iter()
            .map(|cell| match cell.accuracies {
                Some((train, test)) => format!("{} / {}", percent10(train), percent10(test)),
                None => "diverged".to_owned(),
            })
            .collect();
        line(format!("| {:?} | {} |", first.layer_dims, cells.join(" | ")));
    }
    line(String::new());
    line(EDGE_OF_STABILITY_STUDY.into());
    line(String::new());

    line("## Chapter 6: hw4-initialization".into());
    line(String::new());
    line(format!(
        "`model(train_X, train_Y, initialization = ...)`: `[2, 10, 5, 1]`, {} iterations at \
         learning rate {}, on the 300 training and 100 test points of the circles; accuracies \
         as `predict` prints them:",
        practical.iterations,
        hw4_initialization::LEARNING_RATE
    ));
    line(String::new());
    line("| initialization | costs | train accuracy | test accuracy |".into());
    line("|---|---|---|---|".into());
    for run in &practical.runs {
        line(format!(
            "| {} | {} | {} | {} |",
            run.init,
            costs_line(run.costs.iter().copied()),
            run.train,
            run.test
        ));
    }
    md
}

/// What the zero-initialisation table says of its cat rows, which the last bits of every
/// product decide.
pub const EDGE_OF_STABILITY_SYMMETRY: &str = "The two cat rows train at the edge of stability \
     (learning rate 0.05), so their spread and largest |W1| depend on the last bits of every \
     matrix product: another summation order ends elsewhere (with a general matrix library that \
     picks its blocking from the cache sizes, two AVX-512 machines printed 8.518e-2 and 8.892e-2 \
     for the W = 0 row's largest |W1|). Each entry of the products here is one fixed chain of \
     fused multiply-adds, so these digits are the same at every instruction-set level and on one \
     thread or two. The accuracies, and the W = 0 row's spread of 0, do not depend on the order.";

/// What the study says of its α = 0.05 column, as sensitive as the cat rows of the
/// zero-initialisation table.
pub const EDGE_OF_STABILITY_STUDY: &str = "At α = 0.05 the deeper networks train at the edge of \
     stability, and where they end depends on the last bits of every matrix product: with \
     another summation order (a general matrix library's, chosen from the machine's cache \
     sizes) two AVX-512 machines printed 99.04 / 76 and 99.52 / 76 for [12288, 20, 1], 87.56 / \
     62 and 100 / 62 for [12288, 20, 7, 1]. The order here is fixed, so this column is the same \
     at every instruction-set level and on one thread or two.";
