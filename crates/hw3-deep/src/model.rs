//! The application notebook, *Deep Neural Network for Image Classification: Application*:
//! `two_layer_model`, `L_layer_model` and `predict`, with the two ways of running them — the
//! study notes' settings and the official notebook's (`--preset course`).

#[cfg(doc)]
use crate::engine::gradient_descent;
use crate::engine::{EngineOptions, gradient_descent_direct, gradient_descent_gram};
use crate::error::{DeepError, Result};
use crate::forward::l_model_forward;
use crate::network::{
    Parameters, check_layers_fit_data, initialize_parameters, initialize_parameters_deep,
};
use linalg_nn::init::WeightInit;
use linalg_nn::matrix::{accuracy_percent, ensure_finite, ensure_shape};
use linalg_nn::train::{Preset, TrainObserver, validate_hyperparameters};
use linalg_nn::{NnError, NumpyRng};
use nalgebra::DMatrix;
use nn_engines::gram::Engine;
use nn_engines::inputs::Inputs;
use std::fmt;
use std::str::FromStr;

/// The cost is recorded (and printed) every this many iterations, as in the notebooks.
pub const COST_EVERY: usize = 100;

/// The seed of the study-notes preset (the notebooks' `np.random.seed(1)`).
pub const DEFAULT_SEED: u32 = 1;

/// The notebooks' learning rate for both models, `learning_rate = 0.0075`.
pub const LEARNING_RATE: f64 = 0.0075;

/// Hidden width of the 2-layer model, `n_h = 7`.
pub const TWO_LAYER_HIDDEN: usize = 7;

/// Hidden widths of the notebook's 4-layer model, `layers_dims = [12288, 20, 7, 5, 1]`.
pub const DEEP_HIDDEN: [usize; 3] = [20, 7, 5];

/// Which of the notebook's two networks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModelKind {
    /// `two_layer_model`: LINEAR -> RELU -> LINEAR -> SIGMOID, `[n_x, 7, 1]`.
    TwoLayer,
    /// `L_layer_model`: [LINEAR -> RELU] x 3 -> LINEAR -> SIGMOID, `[n_x, 20, 7, 5, 1]`.
    Deep,
}

impl ModelKind {
    /// Both models, in the notebook's order.
    pub const ALL: [ModelKind; 2] = [ModelKind::TwoLayer, ModelKind::Deep];

    /// The notebook's `layers_dims` for pictures of `n_x` features.
    ///
    /// ```
    /// use hw3_deep::ModelKind;
    /// assert_eq!(ModelKind::TwoLayer.layer_dims(12288), vec![12288, 7, 1]);
    /// assert_eq!(ModelKind::Deep.layer_dims(12288), vec![12288, 20, 7, 5, 1]);
    /// ```
    pub fn layer_dims(self, n_x: usize) -> Vec<usize> {
        match self {
            ModelKind::TwoLayer => vec![n_x, TWO_LAYER_HIDDEN, 1],
            ModelKind::Deep => [&[n_x][..], &DEEP_HIDDEN, &[1]].concat(),
        }
    }

    /// The name used on the command line (`two-layer`, `deep`).
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::TwoLayer => "two-layer",
            ModelKind::Deep => "deep",
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ModelKind {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "two-layer" | "2-layer" | "two" => Ok(ModelKind::TwoLayer),
            "deep" | "l-layer" | "four-layer" | "4-layer" => Ok(ModelKind::Deep),
            _ => Err(format!("unknown model '{s}': expected two-layer or deep")),
        }
    }
}

/// The hyperparameters of one training run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainOptions {
    /// `num_iterations`, at least 1.
    pub num_iterations: usize,
    /// `learning_rate`, positive and finite.
    pub learning_rate: f64,
    /// How the weights are drawn (biases start at 0).
    pub init: WeightInit,
    /// `np.random.seed(seed)` before the weights are drawn.
    pub seed: u32,
}

impl TrainOptions {
    /// The settings of `preset` for `model`:
    ///
    /// - [`Preset::Notes`], the study notes: 3000 iterations, `W = randn / sqrt(n[l-1])` for
    ///   both models, seeded with [`DEFAULT_SEED`].
    /// - [`Preset::Course`], the official notebook: 2500 iterations after `np.random.seed(1)`;
    ///   the 2-layer model draws `W = randn * 0.01` (`initialize_parameters`), the deep one
    ///   `randn / sqrt(n[l-1])` (`initialize_parameters_deep`).
    ///
    /// Both learn at [`LEARNING_RATE`].
    ///
    /// ```
    /// use hw3_deep::{ModelKind, Preset, TrainOptions};
    /// use linalg_nn::init::WeightInit;
    /// let course = TrainOptions::preset(Preset::Course, ModelKind::TwoLayer);
    /// assert_eq!((course.num_iterations, course.init), (2500, WeightInit::SMALL));
    /// let notes = TrainOptions::preset(Preset::Notes, ModelKind::TwoLayer);
    /// assert_eq!((notes.num_iterations, notes.init), (3000, WeightInit::InverseSqrtFanIn));
    /// ```
    pub fn preset(preset: Preset, model: ModelKind) -> TrainOptions {
        let (num_iterations, init) = match (preset, model) {
            (Preset::Notes, _) => (3000, WeightInit::InverseSqrtFanIn),
            (Preset::Course, ModelKind::TwoLayer) => (2500, WeightInit::SMALL),
            (Preset::Course, ModelKind::Deep) => (2500, WeightInit::InverseSqrtFanIn),
        };
        TrainOptions { num_iterations, learning_rate: LEARNING_RATE, init, seed: DEFAULT_SEED }
    }
}

/// What training returns: the learned parameters and the cost every [`COST_EVERY`]
/// iterations (at 0, 100, 200, ...), the notebook's `costs` list.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainedModel {
    /// The learned `W[l]`, `b[l]`.
    pub parameters: Parameters,
    /// `costs[k]` is the cost after iteration `k * COST_EVERY`.
    pub costs: Vec<f64>,
    /// The engine that trained it: [`Engine::Direct`] or [`Engine::Gram`], never `Auto`.
    pub engine: Engine,
}

/// Checks `X` `(n_x, m)` against `Y` `(1, m)` with `m >= 1` and finite inputs and labels. Any
/// finite label is accepted, as the notebook's models do (its unit test of `two_layer_model`
/// trains on `Y = np.random.randn(1, m)`): the 0/1 check is made where the data enter
/// ([`check_binary_labels`]).
pub(crate) fn check_data(x: &dyn Inputs, y: &DMatrix<f64>) -> Result<()> {
    let m = x.shape().1;
    ensure_shape(y, (1, m), "Y (one label per column of X)")?;
    if m == 0 {
        return Err(NnError::invalid("X", "training needs at least one example").into());
    }
    // A NaN in X or Y would otherwise surface only as a diverged cost, blaming the learning rate.
    x.ensure_finite("X")?;
    ensure_finite(y, "Y")?;
    Ok(())
}

/// Checks that every label is 0 or 1, as the cat / non-cat labels are: the check made where
/// data enter a classifier (the binary's data, [`accuracy`]), not by the model functions, which
/// take any finite labels as the notebook's do.
///
/// ```
/// use hw3_deep::check_binary_labels;
/// use linalg_nn::matrix::row;
/// assert!(check_binary_labels(&row(&[0.0, 1.0, 1.0])).is_ok());
/// let err = check_binary_labels(&row(&[0.0, 1.0, 0.5])).unwrap_err();
/// assert_eq!(err.to_string(), "invalid Y: label 2 is 0.5, expected 0 or 1");
/// ```
pub fn check_binary_labels(y: &DMatrix<f64>) -> Result<()> {
    match y.iter().position(|&v| v != 0.0 && v != 1.0) {
        None => Ok(()),
        Some(bad) => {
            Err(NnError::invalid("Y", format!("label {bad} is {}, expected 0 or 1", y[bad])).into())
        }
    }
}

/// The notebook's `two_layer_model(X, Y, layers_dims = (n_x, n_h, n_y), learning_rate,
/// num_iterations)`: `initialize_parameters(n_x, n_h, n_y)` after seeding with
/// `options.seed`, then gradient descent on LINEAR -> RELU -> LINEAR -> SIGMOID.
///
/// It is the `L = 2` case of [`l_layer_model`] with the 2-layer initialisation, so it shares
/// its loop ([`gradient_descent`]): the forward, cost, backward and update steps are the
/// notebook's, layer by layer. [`two_layer_model_with`] picks the engine.
///
/// `Y` may hold any finite labels, as the notebook's function takes them: the course's unit
/// test `two_layer_model_test` trains on `Y = np.random.randn(1, m)`.
///
/// ```
/// use hw3_deep::{TrainOptions, two_layer_model};
/// use linalg_nn::{NumpyRng, init::WeightInit, train::Silent};
/// // The course's two_layer_model_test: np.random.seed(1); X = randn(10, 10); Y = randn(1, 10);
/// // two iterations at 0.0075 from randn * 0.01 -> costs [0.69315968].
/// let mut rng = NumpyRng::new(1);
/// let (x, y) = (rng.randn(10, 10), rng.randn(1, 10));
/// let options = TrainOptions { num_iterations: 2, learning_rate: 0.0075, init: WeightInit::SMALL, seed: 1 };
/// let trained = two_layer_model(&x, &y, (10, 4, 1), &options, &mut Silent).unwrap();
/// assert!((trained.costs[0] - 0.69315968).abs() < 1e-8);
/// ```
pub fn two_layer_model(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    layers_dims: (usize, usize, usize),
    options: &TrainOptions,
    observer: &mut impl TrainObserver,
) -> Result<TrainedModel> {
    two_layer_model_with(x, y, layers_dims, options, EngineOptions::DIRECT, observer)
}

/// [`two_layer_model`] run by the engine `engine.engine` (`--engine` of the binary): the same
/// initialisation, the same costs and, up to rounding, the same parameters.
pub fn two_layer_model_with(
    x: &dyn Inputs,
    y: &DMatrix<f64>,
    layers_dims: (usize, usize, usize),
    options: &TrainOptions,
    engine: EngineOptions<'_>,
    observer: &mut impl TrainObserver,
) -> Result<TrainedModel> {
    let (n_x, n_h, n_y) = layers_dims;
    validate_hyperparameters(options.num_iterations, options.learning_rate)?;
    check_layers_fit_data(&[n_x, n_h, n_y], x.shape().0)?;
    let mut rng = NumpyRng::new(options.seed);
    let parameters = initialize_parameters(n_x, n_h, n_y, options.init, &mut rng)?;
    train_with_engine(x, y, parameters, options, engine, observer)
}

/// The notebook's `L_layer_model(X, Y, layers_dims, learning_rate, num_iterations)`:
/// `initialize_parameters_deep(layers_dims)` after seeding with `options.seed`, then gradient
/// descent on [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID. [`l_layer_model_with`] picks the
/// engine.
///
/// `layers_dims[0]` must equal the number of rows of `X` and the last width must be 1. `Y` may
/// hold any finite labels, as the notebook's function takes them.
///
/// ```
/// use hw3_deep::{l_layer_model, ModelKind, Preset, TrainOptions};
/// use linalg_nn::train::Silent;
/// use nalgebra::DMatrix;
/// let x = DMatrix::zeros(12, 3);
/// let y = DMatrix::zeros(1, 3);
/// let options = TrainOptions::preset(Preset::Course, ModelKind::Deep);
/// let err = l_layer_model(&x, &y, &[10, 5, 1], &options, &mut Silent).unwrap_err();
/// assert!(err.to_string().contains("must equal the number of input features, 12"));
/// ```
pub fn l_layer_model(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    layers_dims: &[usize],
    options: &TrainOptions,
    observer: &mut impl TrainObserver,
) -> Result<TrainedModel> {
    l_layer_model_with(x, y, layers_dims, options, EngineOptions::DIRECT, observer)
}

/// [`l_layer_model`] run by the engine `engine.engine` (`--engine` of the binary).
///
/// ```
/// use hw3_deep::{EngineOptions, Preset, ModelKind, TrainOptions, l_layer_model, l_layer_model_with};
/// use linalg_nn::{NumpyRng, train::Silent};
/// use nn_engines::gram::Engine;
/// use nalgebra::DMatrix;
///
/// // 30 features, 8 examples: wide data, where `auto` picks the Gram engine.
/// let mut rng = NumpyRng::new(4);
/// let x = rng.randn(30, 8);
/// let y = DMatrix::from_row_slice(1, 8, &[1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0]);
/// let options = TrainOptions { num_iterations: 300, learning_rate: 0.05, ..TrainOptions::preset(Preset::Course, ModelKind::Deep) };
/// let direct = l_layer_model(&x, &y, &[30, 5, 3, 1], &options, &mut Silent).unwrap();
/// let gram = l_layer_model_with(&x, &y, &[30, 5, 3, 1], &options, EngineOptions::default(), &mut Silent).unwrap();
/// assert_eq!((direct.engine, gram.engine), (Engine::Direct, Engine::Gram));
/// for (a, b) in direct.costs.iter().zip(&gram.costs) {
///     assert!((a - b).abs() < 1e-12);
/// }
/// let w1 = |t: &hw3_deep::TrainedModel| t.parameters.layers[0].w.clone();
/// assert!((w1(&direct) - w1(&gram)).abs().max() < 1e-12);
/// ```
pub fn l_layer_model_with(
    x: &dyn Inputs,
    y: &DMatrix<f64>,
    layers_dims: &[usize],
    options: &TrainOptions,
    engine: EngineOptions<'_>,
    observer: &mut impl TrainObserver,
) -> Result<TrainedModel> {
    validate_hyperparameters(options.num_iterations, options.learning_rate)?;
    check_layers_fit_data(layers_dims, x.shape().0)?;
    let mut rng = NumpyRng::new(options.seed);
    let parameters = initialize_parameters_deep(layers_dims, options.init, &mut rng)?;
    train_with_engine(x, y, parameters, options, engine, observer)
}

/// Gradient descent from `parameters` by the engine `engine.engine` resolves to for `X`:
/// [`gradient_descent_direct`] (the notebook's loop, [`gradient_descent`], or on the pictures'
/// bytes its first layer from exact byte products) or [`gradient_descent_gram`].
pub fn train_with_engine(
    x: &dyn Inputs,
    y: &DMatrix<f64>,
    parameters: Parameters,
    options: &TrainOptions,
    engine: EngineOptions<'_>,
    observer: &mut impl TrainObserver,
) -> Result<TrainedModel> {
    let (n_x, m) = x.shape();
    match engine.engine.resolve(n_x, m) {
        Engine::Gram => gradient_descent_gram(x, y, parameters, options, engine.gram, observer),
        _ => gradient_descent_direct(x, y, parameters, options, observer),
    }
}

/// `AL` for every column of `X`: the probability that each picture is a cat.
pub fn predict_probabilities(x: &DMatrix<f64>, parameters: &Parameters) -> Result<DMatrix<f64>> {
    Ok(l_model_forward(x, parameters)?.into_al())
}

/// The notebook's `predict(X, y, parameters)` without its print: `p = 1` where `AL > 0.5`,
/// else 0, shape `(1, m)`. [`accuracy`] gives the notebook's printed number.
///
/// ```
/// use hw3_deep::{Layer, Parameters, predict};
/// use linalg_nn::activations::Activation;
/// use nalgebra::DMatrix;
/// // One sigmoid unit with weight 1: AL = sigmoid(x), so p = 1 exactly where x > 0.
/// let p = Parameters::new(vec![Layer {
///     w: DMatrix::from_row_slice(1, 1, &[1.0]),
///     b: DMatrix::zeros(1, 1),
///     activation: Activation::Sigmoid,
/// }])
/// .unwrap();
/// let x = DMatrix::from_row_slice(1, 3, &[-2.0, 0.0, 3.0]);
/// assert_eq!(predict(&x, &p).unwrap(), DMatrix::from_row_slice(1, 3, &[0.0, 0.0, 1.0]));
/// ```
pub fn predict(x: &DMatrix<f64>, parameters: &Parameters) -> Result<DMatrix<f64>> {
    Ok(predict_probabilities(x, parameters)?.map(|p| if p > 0.5 { 1.0 } else { 0.0 }))
}

/// The accuracy `predict` prints, in percent: `100 * sum(p == Y) / m`. The labels must be 0 or
/// 1 ([`check_binary_labels`]): against other labels the number would not be an accuracy.
///
/// ```
/// use hw3_deep::{accuracy, initialize_parameters_deep};
/// use linalg_nn::{NumpyRng, init::WeightInit, matrix::row};
/// let p = initialize_parameters_deep(&[1, 1], WeightInit::Zeros, &mut NumpyRng::new(1)).unwrap();
/// // Zero weights: AL = 0.5 everywhere, so every prediction is 0.
/// let x = row(&[-1.0, 2.0]);
/// assert_eq!(accuracy(&x, &row(&[0.0, 1.0]), &p).unwrap(), 50.0);
/// let err = accuracy(&x, &row(&[0.0, 0.3]), &p).unwrap_err();
/// assert_eq!(err.to_string(), "invalid Y: label 1 is 0.3, expected 0 or 1");
/// ```
pub fn accuracy(x: &DMatrix<f64>, y: &DMatrix<f64>, parameters: &Parameters) -> Result<f64> {
    check_binary_labels(y)?;
    let predictions = predict(x, parameters)?;
    Ok(accuracy_percent(&predictions, y)?)
}

/// The columns where `predictions` and `labels` differ (the notebook's
/// `mislabeled_indices = np.asarray(np.where(p + y == 1))`).
///
/// ```
/// use hw3_deep::mislabeled_indices;
/// use linalg_nn::matrix::row;
/// let p = row(&[1.0, 0.0, 1.0, 0.0]);
/// let y = row(&[1.0, 1.0, 0.0, 0.0]);
/// assert_eq!(mislabeled_indices(&p, &y).unwrap(), vec![1, 2]);
/// ```
pub fn mislabeled_indices(predictions: &DMatrix<f64>, labels: &DMatrix<f64>) -> Result<Vec<usize>> {
    ensure_shape(predictions, labels.shape(), "predictions against the labels Y")?;
    Ok(predictions
        .iter()
        .zip(labels.iter())
        .enumerate()
        .filter(|(_, (p, y))| p != y)
        .map(|(i, _)| i)
        .collect())
}

/// Rejects a model whose input width does not fit `n_x` features (e.g. a model trained on
/// other pictures), naming both numbers; `what` completes "but ...", e.g. "the pictures have".
///
/// ```
/// use hw3_deep::{check_model_fits, initialize_parameters_deep};
/// use linalg_nn::{NumpyRng, init::WeightInit};
/// let p = initialize_parameters_deep(&[300, 2, 1], WeightInit::SMALL, &mut NumpyRng::new(1)).unwrap();
/// assert!(check_model_fits(&p, 300, "the pictures have").is_ok());
/// let err = check_model_fits(&p, 12288, "the pictures have").unwrap_err();
/// assert!(err.to_string().ends_with("the model takes 300 input features but the pictures have 12288"));
/// ```
pub fn check_model_fits(parameters: &Parameters, n_x: usize, what: &str) -> Result<()> {
    if parameters.n_x() == n_x {
        Ok(())
    } else {
        Err(DeepError::layers(
            &parameters.layer_dims(),
            format!("the model takes {} input features but {what} {n_x}", parameters.n_x()),
        ))
    }
}
