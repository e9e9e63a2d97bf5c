//! Which loop trains the network: the one place of this crate that picks an engine and calls
//! it. The binary, `cargo xtask plots` and the benches train through [`model`],
//! [`hidden_layer_sweep`] and [`logistic_regression`], and the figures' decision boundaries
//! predict through [`predict`]; the tests compare each engine with the notebook's code.
//!
//! [`Engine::Shallow`] is `nn_engines::shallow`: the notebook's arithmetic (the same operations
//! in the same order, so the same bits as [`crate::nn_model`]) with each example's column held in
//! vector registers, `tanh` and the sigmoid's exponentials several lanes at a time and the
//! examples cut into two halves for two threads. [`Engine::Notebook`] is [`crate::nn_model`] as
//! written. Section 3's baseline runs on hw1's direct engine ([`logistic_regression`]).

use crate::baseline::LogisticModel;
use crate::{
    ModelConfig, Parameters, SweepRun, TrainedModel, accuracy, check_last_update,
    initialize_parameters, layer_sizes, nn_model, validate_sweep,
};
use hw1_logreg::engines::ModelOptions;
use linalg_nn::DMatrix;
use linalg_nn::NnError;
use linalg_nn::train::TrainObserver;
use nn_engines::shallow::{self, Network, Schedule};

/// A training loop for [`model_with`] and [`hidden_layer_sweep_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Engine {
    /// `nn_engines::shallow::train`, what the binary runs: [`crate::nn_model`]'s bits, made
    /// fast.
    #[default]
    Shallow,
    /// [`crate::nn_model`], the notebook's loop as written.
    Notebook,
}

impl Engine {
    /// Every engine.
    pub const ALL: [Engine; 2] = [Engine::Shallow, Engine::Notebook];

    /// Its name, as in messages.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Shallow => "shallow",
            Engine::Notebook => "notebook",
        }
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// [`crate::nn_model`] on the binary's engine, [`Engine::Shallow`]: the same result, faster.
///
/// ```
/// use hw2_planar::{ModelConfig, Preset, engines, nn_model};
/// use linalg_nn::{data::planar::load_planar_dataset, train::Silent};
/// let flower = load_planar_dataset();
/// let config = ModelConfig { num_iterations: 200, ..ModelConfig::preset(Preset::Course) };
/// let fast = engines::model(&flower.x, &flower.y, &config, &mut Silent).unwrap();
/// let plain = nn_model(&flower.x, &flower.y, &config, &mut Silent).unwrap();
/// assert_eq!(fast, plain);
/// ```
pub fn model<O: TrainObserver + ?Sized>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    config: &ModelConfig,
    observer: &mut O,
) -> Result<TrainedModel, NnError> {
    model_with(Engine::Shallow, x, y, config, observer)
}

/// [`crate::nn_model`] with `engine`'s loop.
pub fn model_with<O: TrainObserver + ?Sized>(
    engine: Engine,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    config: &ModelConfig,
    observer: &mut O,
) -> Result<TrainedModel, NnError> {
    train(engine, x, y, config, observer, true)
}

/// One run; `second_thread` lets the shallow engine split the examples over two threads.
fn train<O: TrainObserver + ?Sized>(
    engine: Engine,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    config: &ModelConfig,
    observer: &mut O,
    second_thread: bool,
) -> Result<TrainedModel, NnError> {
    if engine == Engine::Notebook {
        return nn_model(x, y, config, observer);
    }
    // nn_model's start: the same checks, the same initial parameters.
    config.validate()?;
    let (n_x, _, n_y) = layer_sizes(x, y)?;
    let start = initialize_parameters(n_x, config.hidden_units, n_y, &config.init)?;
    let Parameters { w1, b1, w2, b2, .. } = start;
    let activation = config.activation;
    let schedule = Schedule {
        num_iterations: config.num_iterations,
        learning_rate: config.learning_rate,
        cost_every: config.cost_every,
        every_cost: config.every_cost,
        second_thread,
    };
    let network = Network { w1, b1, w2, b2, activation };
    let trained = shallow::train(x, y, network, &schedule, observer)?;
    let Network { w1, b1, w2, b2, activation } = trained.network;
    let parameters = Parameters { w1, b1, w2, b2, activation };
    check_last_update(x, y, &parameters, config)?;
    Ok(TrainedModel {
        parameters,
        costs: trained.costs,
        cost_every: config.cost_every,
        cost_history: trained.cost_history,
    })
}

/// [`crate::predict`] with the engine's forward pass (`nn_engines::shallow::output`: the vector
/// `tanh`), the same predictions: for the decision boundaries, a forward pass over a mesh of
/// 90000 points per network.
///
/// ```
/// use hw2_planar::{Initialization, engines, initialize_parameters, predict};
/// use linalg_nn::NumpyRng;
/// let p = initialize_parameters(2, 4, 1, &Initialization::NOTES).unwrap();
/// let x = NumpyRng::new(3).randn(2, 50);
/// assert_eq!(engines::predict(&p, &x).unwrap(), predict(&p, &x).unwrap());
/// ```
pub fn predict(parameters: &Parameters, x: &DMatrix<f64>) -> Result<DMatrix<f64>, NnError> {
    let Parameters { w1, b1, w2, b2, activation } = parameters.clone();
    let a2 = shallow::output(&Network { w1, b1, w2, b2, activation }, x)?;
    Ok(a2.map(|a| if a > 0.5 { 1.0 } else { 0.0 }))
}

/// [`crate::hidden_layer_sweep`] on the binary's engine, the runs side by side on the machine's
/// cores (largest network first); each run's result is exactly what it would be alone.
pub fn hidden_layer_sweep<O: TrainObserver + Send>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    hidden_sizes: &[usize],
    config: &ModelConfig,
    observer_for: impl FnMut(usize) -> O,
) -> Result<Vec<SweepRun>, NnError> {
    hidden_layer_sweep_with(Engine::Shallow, x, y, hidden_sizes, config, observer_for)
}

/// [`crate::hidden_layer_sweep`] with `engine`'s loop, the runs side by side on the machine's
/// cores (`nn_engines::shallow::side_by_side`; each run on one thread). `observer_for(n_h)`
/// supplies the observer of each run; all are made before the first run starts. If runs fail,
/// the error of the first failing size in `hidden_sizes` is returned.
pub fn hidden_layer_sweep_with<O: TrainObserver + Send>(
    engine: Engine,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    hidden_sizes: &[usize],
    config: &ModelConfig,
    mut observer_for: impl FnMut(usize) -> O,
) -> Result<Vec<SweepRun>, NnError> {
    validate_sweep(hidden_sizes, config)?;
    let jobs: Vec<(usize, O)> = hidden_sizes.iter().map(|&n_h| (n_h, observer_for(n_h))).collect();
    // The cost of a run grows with n_h.
    let results = shallow::side_by_side(
        jobs,
        |&(n_h, _)| n_h,
        |(hidden_units, mut observer)| {
            let run_config = ModelConfig { hidden_units, ..*config };
            let model = train(engine, x, y, &run_config, &mut observer, false)?;
            let accuracy = accuracy(x, y, &model.parameters)?;
            Ok(SweepRun { hidden_units, accuracy, model })
        },
    );
    results
        .into_iter()
        .zip(hidden_sizes)
        .map(|(result, &hidden_units)| {
            result.unwrap_or_else(|| {
                Err(NnError::invalid(
                    "hidden layer sweep",
                    format!("the run with n_h = {hidden_units} did not finish"),
                ))
            })
        })
        .collect()
}

/// Section 3's baseline, [`crate::baseline::logistic_regression`] (hw1's notebook `model` on the
/// points, which serve as both training and test set), on hw1's direct engine
/// (`hw1_logreg::engines::model_with`), as the binary runs it: the notebook's gradient descent
/// with one fused pass over `X` per iteration and no allocation inside the loop. The same
/// accuracy and, to the last few bits, the same weights and costs.
///
/// ```
/// use hw2_planar::baseline::{BASELINE_ITERATIONS, BASELINE_LEARNING_RATE};
/// use hw2_planar::engines::logistic_regression;
/// use linalg_nn::{data::planar::load_planar_dataset, train::Silent};
/// let flower = load_planar_dataset();
/// let lr = logistic_regression(
///     &flower.x, &flower.y, BASELINE_ITERATIONS, BASELINE_LEARNING_RATE, &mut Silent,
/// )
/// .unwrap();
/// // The notebook: "Accuracy of logistic regression: 47 %".
/// assert_eq!(lr.train_accuracy, 47.0);
/// ```
pub fn logistic_regression(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    num_iterations: usize,
    learning_rate: f64,
    observer: &mut dyn TrainObserver,
) -> crate::Result<LogisticModel> {
    let options = ModelOptions { engine: hw1_logreg::engines::Engine::Direct, gram: None };
    let run = hw1_logreg::engines::model_with(
        x,
        y,
        x,
        y,
        num_iterations,
        learning_rate,
        options,
        observer,
    )?;
    Ok(run.model)
}
