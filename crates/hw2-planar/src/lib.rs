//! `hw2-planar`: week 3's programming assignment, "Planar data classification with one hidden
//! layer", in Rust. A 2-input, `n_h`-hidden-unit, 1-output network learns the red/blue "flower"
//! that logistic regression cannot separate.
//!
//! The functions below carry the notebook's names and follow its sections, so the two read side
//! by side:
//!
//! | notebook | here |
//! |---|---|
//! | 4.1 `layer_sizes(X, Y)` | [`layer_sizes`] |
//! | 4.2 `initialize_parameters(n_x, n_h, n_y)` | [`initialize_parameters`] |
//! | 4.3 `forward_propagation(X, parameters)` | [`forward_propagation`] |
//! | 4.3 `compute_cost(A2, Y)` | [`compute_cost`] |
//! | 4.3 `backward_propagation(parameters, cache, X, Y)` | [`backward_propagation`] |
//! | 4.3 `update_parameters(parameters, grads, learning_rate)` | [`update_parameters`] |
//! | 4.4 `nn_model(X, Y, n_h, num_iterations)` | [`nn_model`] |
//! | 4.5 `predict(parameters, X)` | [`predict`] |
//! | 3 "Simple logistic regression" | [`baseline`] |
//! | 6 "Tuning hidden layer size" | [`hidden_layer_sweep`] |
//! | 6 "Performance on other datasets" | [`linalg_nn::data::planar::PlanarDataset`] |
//! | `plot_decision_boundary`, `plt.scatter` | [`figures`] |
//!
//! Each function is the plain formula of its cell; none calls an engine. The binary trains with
//! the same arithmetic made fast (`nn_engines::shallow`: fixed-size columns, vector `tanh`, two
//! threads), chosen in one place, [`engines`]: [`engines::model`] gives [`nn_model`]'s bits.
//!
//! Run it with `cargo run --release -p hw2-planar` (the study notes' settings: 2000 iterations at
//! learning rate 0.5, about 88 % accuracy) or `cargo run --release -p hw2-planar -- --preset
//! course` (the notebook's 10000 iterations at 1.2: costs 0.693048, 0.288083, ... and 90.75 %).
//! It prints the cost every 100 (1000) iterations, the training accuracy, the logistic-regression
//! baseline's accuracy (47 %) and the figures it wrote to `out/hw2-planar/`: the data, the
//! decision boundary, the cost curve and the baseline's boundary. `--sweep 1,2,3,4,5,20,50` adds
//! the notebook's grid of decision boundaries per hidden layer size, `--dataset noisy-moons` (or
//! `noisy-circles`, `blobs`, `gaussian-quantiles`, `no-structure`) switches data set,
//! `--activation relu` the hidden activation, and `--json` prints one JSON object instead.
//!
//! ```
//! use hw2_planar::{ModelConfig, Preset, accuracy, nn_model};
//! use linalg_nn::data::planar::load_planar_dataset;
//! use linalg_nn::train::Silent;
//!
//! let flower = load_planar_dataset();
//! let mut config = ModelConfig::preset(Preset::Course);
//! config.num_iterations = 1000;
//! let model = nn_model(&flower.x, &flower.y, &config, &mut Silent).unwrap();
//! // Course notebook, "Cost after iteration 0: 0.693048".
//! assert!((model.costs[0] - 0.693048).abs() < 1e-6);
//! assert!(accuracy(&flower.x, &flower.y, &model.parameters).unwrap() > 85.0);
//! ```

#![forbid(unsafe_code)]

pub mod baseline;
pub mod engines;
pub mod error;
pub mod figures;
mod numeric;
pub mod preset;

pub use error::{PlanarError, Result};
pub use linalg_nn::train::Preset;
pub use numeric::{sigmoid, sum_rows_like_numpy};
pub use preset::{
    COURSE_SWEEP_ITERATIONS, COURSE_SWEEP_SIZES, DEFAULT_HIDDEN_UNITS, DEFAULT_SEED,
    Initialization, ModelConfig, sweep_iterations,
};

use linalg_nn::activations::Activation;
use linalg_nn::cost::cross_entropy_cost;
use linalg_nn::matrix::{accuracy_percent, add_column, ensure_shape};
use linalg_nn::train::{Iteration, TrainObserver, all_finite, check_cost};
use linalg_nn::{DMatrix, NnError, NumpyRng};
use numeric::{dot, dot_transposed};

/// The network's parameters `W1 (n_h, n_x)`, `b1 (n_h, 1)`, `W2 (n_y, n_h)`, `b2 (n_y, 1)`, the
/// notebook's `parameters` dictionary, plus the hidden layer's activation (the notebook fixes
/// it to tanh; here it is a choice, as in the notes' chapter on activation functions).
#[derive(Clone, Debug, PartialEq)]
pub struct Parameters {
    /// Hidden-layer weights, `(n_h, n_x)`.
    pub w1: DMatrix<f64>,
    /// Hidden-layer biases, `(n_h, 1)`.
    pub b1: DMatrix<f64>,
    /// Output-layer weights, `(n_y, n_h)`.
    pub w2: DMatrix<f64>,
    /// Output-layer bias, `(n_y, 1)`.
    pub b2: DMatrix<f64>,
    /// `g[1]`, applied to `Z1`; the output layer is always sigmoid.
    pub activation: Activation,
}

impl Parameters {
    /// `(n_x, n_h, n_y)` read from the weights, after checking that the four matrices fit
    /// together.
    ///
    /// ```
    /// use hw2_planar::{Initialization, initialize_parameters};
    /// let p = initialize_parameters(2, 4, 1, &Initialization::COURSE).unwrap();
    /// assert_eq!(p.layer_sizes().unwrap(), (2, 4, 1));
    /// ```
    pub fn layer_sizes(&self) -> Result<(usize, usize, usize), NnError> {
        let (n_h, n_x) = self.w1.shape();
        let n_y = self.w2.nrows();
        ensure_shape(&self.b1, (n_h, 1), "b1 (one bias per hidden unit)")?;
        ensure_shape(&self.w2, (n_y, n_h), "W2 (n_y, n_h)")?;
        ensure_shape(&self.b2, (n_y, 1), "b2 (one bias per output unit)")?;
        Ok((n_x, n_h, n_y))
    }

    /// The four matrices with the notebook's key names, in the order `W1, b1, W2, b2` (for
    /// gradient checking and printing).
    pub fn named(&self) -> [(&'static str, &DMatrix<f64>); 4] {
        [("W1", &self.w1), ("b1", &self.b1), ("W2", &self.w2), ("b2", &self.b2)]
    }

    /// Whether every weight and bias is still a finite number.
    pub fn all_finite(&self) -> bool {
        self.named().iter().all(|(_, m)| all_finite(m))
    }
}

/// What forward propagation keeps for backpropagation: the notebook's `cache` dictionary
/// `{"Z1", "A1", "Z2", "A2"}`. `a2` is also the network's output `A2`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Cache {
    /// `Z1 = W1 X + b1`, `(n_h, m)`.
    pub z1: DMatrix<f64>,
    /// `A1 = g(Z1)`, `(n_h, m)`.
    pub a1: DMatrix<f64>,
    /// `Z2 = W2 A1 + b2`, `(n_y, m)`.
    pub z2: DMatrix<f64>,
    /// `A2 = sigmoid(Z2)`, the predicted probabilities, `(n_y, m)`.
    pub a2: DMatrix<f64>,
}

/// The gradients of the cost, the notebook's `grads` dictionary; each has its parameter's shape.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Gradients {
    /// `dJ/dW1`.
    pub dw1: DMatrix<f64>,
    /// `dJ/db1`.
    pub db1: DMatrix<f64>,
    /// `dJ/dW2`.
    pub dw2: DMatrix<f64>,
    /// `dJ/db2`.
    pub db2: DMatrix<f64>,
}

impl Gradients {
    /// The four gradients in the order of [`Parameters::named`].
    pub fn to_vec(&self) -> Vec<DMatrix<f64>> {
        vec![self.dw1.clone(), self.db1.clone(), self.dw2.clone(), self.db2.clone()]
    }
}

/// Section 4.1, `layer_sizes(X, Y)`: `n_x` = rows of `X` (the input size), `n_h = 4` (the
/// notebook hard-codes it; see [`DEFAULT_HIDDEN_UNITS`]) and `n_y` = rows of `Y`. Checks that `X`
/// and `Y` have the same number of examples `m`, at least one.
///
/// ```
/// use hw2_planar::layer_sizes;
/// use linalg_nn::DMatrix;
/// // The notebook's layer_sizes_test_case: X (5, 3), Y (2, 3) -> (5, 4, 2)
/// let (x, y) = (DMatrix::zeros(5, 3), DMatrix::zeros(2, 3));
/// assert_eq!(layer_sizes(&x, &y).unwrap(), (5, 4, 2));
/// assert!(layer_sizes(&x, &DMatrix::zeros(1, 4)).is_err());
/// ```
pub fn layer_sizes(x: &DMatrix<f64>, y: &DMatrix<f64>) -> Result<(usize, usize, usize), NnError> {
    let m = x.ncols();
    if m == 0 || x.nrows() == 0 {
        return Err(NnError::invalid(
            "X",
            format!("needs at least one feature and one example, got shape {:?}", x.shape()),
        ));
    }
    ensure_shape(y, (y.nrows().max(1), m), "Y (one label per column of X)")?;
    Ok((x.nrows(), DEFAULT_HIDDEN_UNITS, y.nrows()))
}

/// Section 4.2, `initialize_parameters(n_x, n_h, n_y)`: `np.random.seed(seed)`, then
/// `W1 = np.random.randn(n_h, n_x) * w1_scale`, `b1 = zeros((n_h, 1))`,
/// `W2 = np.random.randn(n_y, n_h) * w2_scale`, `b2 = zeros((n_y, 1))`, with numpy's exact
/// random numbers. The hidden activation is the notebook's tanh; set
/// [`Parameters::activation`] to try another.
///
/// ```
/// use hw2_planar::{Initialization, initialize_parameters};
/// // The notebook's expected output: W1 = [[-0.00416758 -0.00056267] [-0.02136196 0.01640271]
/// // [-0.01793436 -0.00841747] [ 0.00502881 -0.01245288]], W2 = [[-0.01057952 -0.00909008
/// // 0.00551454 0.02292208]]
/// let p = initialize_parameters(2, 4, 1, &Initialization::COURSE).unwrap();
/// assert!((p.w1[(0, 0)] + 0.00416758).abs() < 1e-8);
/// assert!((p.w1[(3, 1)] + 0.01245288).abs() < 1e-8);
/// assert!((p.w2[(0, 3)] - 0.02292208).abs() < 1e-8);
/// assert_eq!(p.b1, linalg_nn::DMatrix::zeros(4, 1));
/// ```
pub fn initialize_parameters(
    n_x: usize,
    n_h: usize,
    n_y: usize,
    init: &Initialization,
) -> Result<Parameters, NnError> {
    if n_x == 0 || n_h == 0 || n_y == 0 {
        return Err(NnError::invalid(
            "layer sizes (n_x, n_h, n_y)",
            format!("every layer needs at least one unit, got ({n_x}, {n_h}, {n_y})"),
        ));
    }
    let mut rng = NumpyRng::new(init.seed);
    let w1 = rng.randn(n_h, n_x) * init.w1_scale;
    let w2 = rng.randn(n_y, n_h) * init.w2_scale;
    Ok(Parameters {
        w1,
        b1: DMatrix::zeros(n_h, 1),
        w2,
        b2: DMatrix::zeros(n_y, 1),
        activation: Activation::Tanh,
    })
}

/// Section 4.3, `forward_propagation(X, parameters)`:
/// `Z1 = W1 X + b1`, `A1 = g(Z1)` (tanh in the notebook), `Z2 = W2 A1 + b2`, `A2 = sigmoid(Z2)`.
/// Returns the cache; `cache.a2` is the notebook's `A2`.
///
/// `np.tanh` is [`linalg_nn::tanh::tanh`], glibc's `tanh` bit for bit on every machine: at
/// learning rate 1.2 the last bits of `A1` decide where training ends (see [`nn_model`]).
///
/// ```
/// use hw2_planar::{Initialization, forward_propagation, initialize_parameters};
/// use linalg_nn::DMatrix;
/// let p = initialize_parameters(2, 4, 1, &Initialization::COURSE).unwrap();
/// let x = DMatrix::from_row_slice(2, 3, &[1.0, -2.0, 0.5, 3.0, 0.0, -1.0]);
/// let cache = forward_propagation(&x, &p).unwrap();
/// assert_eq!(cache.a1.shape(), (4, 3));
/// assert_eq!(cache.a2.shape(), (1, 3));
/// // Tiny weights: every probability is close to 1/2.
/// assert!(cache.a2.iter().all(|a| (a - 0.5).abs() < 1e-3));
/// ```
pub fn forward_propagation(x: &DMatrix<f64>, parameters: &Parameters) -> Result<Cache, NnError> {
    let (n_x, _, _) = parameters.layer_sizes()?;
    ensure_shape(x, (n_x, x.ncols()), "X (n_x rows, one example per column)")?;
    let g = parameters.activation;
    let z1 = add_column(&dot(&parameters.w1, x), &parameters.b1)?;
    let a1 = z1.map(|z| match g {
        Activation::Tanh => linalg_nn::tanh::tanh(z),
        _ => g.apply_scalar(z),
    });
    let z2 = add_column(&dot(&parameters.w2, &a1), &parameters.b2)?;
    let a2 = z2.map(sigmoid);
    Ok(Cache { z1, a1, z2, a2 })
}

/// Section 4.3, `compute_cost(A2, Y)`: the cross-entropy
/// `J = -(1/m) sum(Y log(A2) + (1 - Y) log(1 - A2))`.
///
/// ```
/// use hw2_planar::compute_cost;
/// use linalg_nn::DMatrix;
/// let a2 = DMatrix::from_row_slice(1, 2, &[0.5, 0.5]);
/// let y = DMatrix::from_row_slice(1, 2, &[1.0, 0.0]);
/// assert!((compute_cost(&a2, &y).unwrap() - std::f64::consts::LN_2).abs() < 1e-15);
/// ```
pub fn compute_cost(a2: &DMatrix<f64>, y: &DMatrix<f64>) -> Result<f64, NnError> {
    cross_entropy_cost(a2, y)
}

/// Section 4.3, `backward_propagation(parameters, cache, X, Y)`:
///
/// ```text
/// dZ2 = A2 - Y
/// dW2 = (1/m) dZ2 A1^T             db2 = (1/m) sum(dZ2, axis=1)
/// dZ1 = W2^T dZ2 * g'(Z1)          (tanh: g'(Z1) = 1 - A1^2)
/// dW1 = (1/m) dZ1 X^T              db1 = (1/m) sum(dZ1, axis=1)
/// ```
///
/// `dZ2 = A2 - Y` is the derivative of the cross-entropy through the output sigmoid.
pub fn backward_propagation(
    parameters: &Parameters,
    cache: &Cache,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
) -> Result<Gradients, NnError> {
    let (n_x, n_h, n_y) = parameters.layer_sizes()?;
    let m = x.ncols();
    ensure_shape(x, (n_x, m), "X (n_x rows, one example per column)")?;
    ensure_shape(y, (n_y, m), "Y (one label per column of X)")?;
    ensure_shape(&cache.z1, (n_h, m), "cache Z1")?;
    ensure_shape(&cache.a1, (n_h, m), "cache A1")?;
    ensure_shape(&cache.a2, (n_y, m), "cache A2")?;
    // The notebook multiplies by 1/m rather than dividing by m; the rounding differs, and at
    // learning rate 1.2 such differences grow, so keep its form.
    let inv_m = 1.0 / m as f64;
    let g = parameters.activation;

    let dz2 = &cache.a2 - y;
    let dw2 = dot_transposed(&dz2, &cache.a1) * inv_m;
    let db2 = sum_rows_like_numpy(&dz2) * inv_m;
    let dz1 =
        dot(&parameters.w2.transpose(), &dz2)
            .zip_zip_map(&cache.z1, &cache.a1, |da, z, a| da * g.derivative_scalar(z, a));
    let dw1 = dot_transposed(&dz1, x) * inv_m;
    let db1 = sum_rows_like_numpy(&dz1) * inv_m;
    Ok(Gradients { dw1, db1, dw2, db2 })
}

/// Section 4.3, `update_parameters(parameters, grads, learning_rate)`: one gradient-descent step
/// `theta = theta - alpha dtheta` for each of `W1, b1, W2, b2`, in place.
///
/// ```
/// use hw2_planar::{Initialization, Gradients, initialize_parameters, update_parameters};
/// let mut p = initialize_parameters(2, 1, 1, &Initialization::COURSE).unwrap();
/// let before = p.clone();
/// let ones = |r, c| linalg_nn::DMatrix::from_element(r, c, 1.0);
/// let g = Gradients { dw1: ones(1, 2), db1: ones(1, 1), dw2: ones(1, 1), db2: ones(1, 1) };
/// update_parameters(&mut p, &g, 0.5).unwrap();
/// assert_eq!(p.b1[(0, 0)], -0.5);
/// assert_eq!(p.w2[(0, 0)], before.w2[(0, 0)] - 0.5);
/// ```
pub fn update_parameters(
    parameters: &mut Parameters,
    grads: &Gradients,
    learning_rate: f64,
) -> Result<(), NnError> {
    let pairs = [
        (&mut parameters.w1, &grads.dw1, "dW1 against W1"),
        (&mut parameters.b1, &grads.db1, "db1 against b1"),
        (&mut parameters.w2, &grads.dw2, "dW2 against W2"),
        (&mut parameters.b2, &grads.db2, "db2 against b2"),
    ];
    for (param, grad, what) in pairs {
        ensure_shape(grad, param.shape(), what)?;
        // W - lr * dW, rounded as numpy rounds it (the product first, then the difference).
        *param -= grad * learning_rate;
    }
    Ok(())
}

/// A trained network and its training history.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainedModel {
    /// The learnt parameters.
    pub parameters: Parameters,
    /// The cost at iterations `0, cost_every, 2 cost_every, ...` (what the notebook prints).
    pub costs: Vec<f64>,
    /// The recording interval of [`TrainedModel::costs`].
    pub cost_every: usize,
    /// The cost of every iteration, before its update (for the cost curve); empty unless
    /// [`ModelConfig::every_cost`].
    pub cost_history: Vec<f64>,
}

impl TrainedModel {
    /// `(iteration, cost)` pairs of the recorded costs.
    pub fn recorded_costs(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.costs.iter().enumerate().map(|(k, &c)| (k * self.cost_every, c))
    }
}

/// Section 4.4, `nn_model(X, Y, n_h, num_iterations, print_cost)`: initialise, then repeat
/// forward propagation, cost, backward propagation and update `num_iterations` times.
///
/// Every iteration's cost is checked, so a run whose cost becomes infinite or NaN (a learning
/// rate far too large) stops with [`NnError::Diverged`] instead of going on with NaN. The
/// observer sees every iteration, with the cost on the recorded ones.
///
/// At the course's learning rate of 1.2 the late iterations do not settle: from about iteration
/// 7500 the parameters alternate between two states (costs about 0.21783 and 0.21792 near
/// iteration 10000, training accuracy 90.75 % and 90.5 % on alternate iterations, in numpy as
/// here). Which of the two the 10000th iteration lands on depends on last-bit rounding, which is
/// why [`sigmoid`], `np.tanh` and [`sum_rows_like_numpy`] round as numpy does.
///
/// This is the notebook's loop as written; the binary trains with the same arithmetic, made
/// fast, through [`engines::model`] (the same bits).
pub fn nn_model<O: TrainObserver + ?Sized>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    config: &ModelConfig,
    observer: &mut O,
) -> Result<TrainedModel, NnError> {
    config.validate()?;
    let (n_x, _, n_y) = layer_sizes(x, y)?;
    let mut parameters = initialize_parameters(n_x, config.hidden_units, n_y, &config.init)?;
    parameters.activation = config.activation;
    let total = config.num_iterations;
    let (mut costs, mut cost_history) = (Vec::new(), Vec::new());
    for index in 0..total {
        let cache = forward_propagation(x, &parameters)?;
        let cost = compute_cost(&cache.a2, y)?;
        check_cost(index, cost, config.learning_rate)?;
        let grads = backward_propagation(&parameters, &cache, x, y)?;
        update_parameters(&mut parameters, &grads, config.learning_rate)?;
        if config.every_cost {
            cost_history.push(cost);
        }
        let recorded = index % config.cost_every == 0;
        if recorded {
            costs.push(cost);
        }
        observer.on_iteration(&Iteration { index, total, cost: recorded.then_some(cost) });
    }
    check_last_update(x, y, &parameters, config)?;
    Ok(TrainedModel { parameters, costs, cost_every: config.cost_every, cost_history })
}

/// The last update may itself overflow although its cost was finite: then report the cost of
/// the parameters it produced (not finite), as the next iteration would have.
pub(crate) fn check_last_update(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    parameters: &Parameters,
    config: &ModelConfig,
) -> Result<(), NnError> {
    if parameters.all_finite() {
        return Ok(());
    }
    let cost = compute_cost(&forward_propagation(x, parameters)?.a2, y)?;
    let cost = if cost.is_finite() { f64::NAN } else { cost };
    check_cost(config.num_iterations, cost, config.learning_rate)
}

/// Section 4.5, `predict(parameters, X)`: `predictions = (A2 > 0.5)`, as 0/1 values `(1, m)`.
///
/// ```
/// use hw2_planar::{Parameters, predict};
/// use linalg_nn::{DMatrix, activations::Activation};
/// // One tanh unit that computes x1; the output is sigmoid(10 x1): class 1 where x1 > 0.
/// let p = Parameters {
///     w1: DMatrix::from_row_slice(1, 2, &[1.0, 0.0]),
///     b1: DMatrix::zeros(1, 1),
///     w2: DMatrix::from_element(1, 1, 10.0),
///     b2: DMatrix::zeros(1, 1),
///     activation: Activation::Tanh,
/// };
/// let x = DMatrix::from_row_slice(2, 3, &[-1.0, 0.5, 2.0, 7.0, -3.0, 0.0]);
/// assert_eq!(predict(&p, &x).unwrap(), DMatrix::from_row_slice(1, 3, &[0.0, 1.0, 1.0]));
/// ```
pub fn predict(parameters: &Parameters, x: &DMatrix<f64>) -> Result<DMatrix<f64>, NnError> {
    let cache = forward_propagation(x, parameters)?;
    Ok(cache.a2.map(|a| if a > 0.5 { 1.0 } else { 0.0 }))
}

/// The notebook's accuracy line,
/// `float((np.dot(Y, predictions.T) + np.dot(1 - Y, 1 - predictions.T)) / float(Y.size) * 100)`:
/// the percentage of examples predicted right. The arguments in the order of every crate's
/// `accuracy`: the examples, their labels, the model (`hw3_deep::accuracy` too).
pub fn accuracy(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    parameters: &Parameters,
) -> Result<f64, NnError> {
    accuracy_percent(&predict(parameters, x)?, y)
}

/// One network of the hidden-layer sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRun {
    /// `n_h`.
    pub hidden_units: usize,
    /// Its training accuracy, in percent.
    pub accuracy: f64,
    /// The trained network.
    pub model: TrainedModel,
}

/// Section 6, "Tuning hidden layer size": for each size in `hidden_sizes`, train a network with
/// `config` (only `hidden_units` changes; each run re-seeds as `nn_model` does) and report its
/// accuracy, in the order of `hidden_sizes`. `observer_for(n_h)` supplies the observer of each
/// run. Every size is checked before the first run; the first failing run's error is returned.
///
/// The course's accuracies for sizes 1, 2, 3, 4, 5, 20, 50 after 5000 iterations at rate 1.2:
/// 67.5, 67.25, 90.75, 90.5, 91.25, 90.0, 90.25 %. The binary runs the sizes side by side on the
/// machine's cores with [`engines::hidden_layer_sweep`] (the same results).
pub fn hidden_layer_sweep<O: TrainObserver>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    hidden_sizes: &[usize],
    config: &ModelConfig,
    mut observer_for: impl FnMut(usize) -> O,
) -> Result<Vec<SweepRun>, NnError> {
    validate_sweep(hidden_sizes, config)?;
    let mut runs = Vec::with_capacity(hidden_sizes.len());
    for &hidden_units in hidden_sizes {
        let run_config = ModelConfig { hidden_units, ..*config };
        let model = nn_model(x, y, &run_config, &mut observer_for(hidden_units))?;
        let accuracy = accuracy(x, y, &model.parameters)?;
        runs.push(SweepRun { hidden_units, accuracy, model });
    }
    Ok(runs)
}

/// Checks a sweep's sizes before its first (long) run.
pub(crate) fn validate_sweep(hidden_sizes: &[usize], config: &ModelConfig) -> Result<(), NnError> {
    if hidden_sizes.is_empty() {
        return Err(NnError::invalid("hidden layer sizes", "the sweep needs at least one size"));
    }
    for &hidden_units in hidden_sizes {
        ModelConfig { hidden_units, ..*config }.validate()?;
    }
    Ok(())
}
