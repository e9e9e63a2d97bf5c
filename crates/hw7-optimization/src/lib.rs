//! `hw7-optimization`: Course 2 (*Improving Deep Neural Networks*), week 2's programming
//! assignment, "Optimization Methods" (the version with learning-rate decay), in Rust. The
//! three-layer network `[2, 5, 2, 1]` (ReLU, ReLU, sigmoid) is trained on the two noisy half
//! moons with mini-batches of 64, by plain gradient descent, with momentum and with Adam, and
//! then with the learning rate decaying (`update_lr` every epoch, `schedule_lr_decay` every
//! 1000 epochs).
//!
//! The functions carry the notebook's names, in the notebook's order; its helper file
//! `opt_utils_v1a.py` comes first:
//!
//! | notebook | here |
//! |---|---|
//! | `opt_utils.load_dataset()` | [`load_dataset`] |
//! | `opt_utils.initialize_parameters(layers_dims)` | [`initialize_parameters`] |
//! | `opt_utils.forward_propagation`, `backward_propagation`, `predict` | [`forward_propagation`], [`backward_propagation`], [`predict`] (and [`accuracy`]) |
//! | `opt_utils.compute_cost(a3, Y)` | [`compute_cost`] (a sum, not a mean) |
//! | 1 `update_parameters_with_gd(parameters, grads, learning_rate)` | [`update_parameters_with_gd`] |
//! | 2 `random_mini_batches(X, Y, mini_batch_size, seed)` | [`random_mini_batches`] |
//! | 3 `initialize_velocity(parameters)` | [`initialize_velocity`] |
//! | 3 `update_parameters_with_momentum(parameters, grads, v, beta, learning_rate)` | [`update_parameters_with_momentum`] |
//! | 4 `initialize_adam(parameters)` | [`initialize_adam`] |
//! | 4 `update_parameters_with_adam(parameters, grads, v, s, t, ...)` | [`update_parameters_with_adam`] |
//! | 5 `model(X, Y, layers_dims, optimizer, ...)` | [`model`] with [`Settings`] |
//! | 7 `update_lr(learning_rate0, epoch_num, decay_rate)` | [`update_lr`] |
//! | 7 `schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval)` | [`schedule_lr_decay`] |
//! | `plot_decision_boundary`, `plt.plot(costs)` | [`figures`] |
//!
//! The binary trains through [`engine::model_with`]: the same loop's bits, made fast by
//! `nn_engines::three_layer`.
//!
//! Each is the plain formula of its cell, with numpy's summation orders
//! ([`linalg_nn::numpy`]), so the costs print the notebook's digits. Run it with
//! `cargo run --release -p hw7-optimization -- --optimizer adam` (or `gd`, `momentum`; add
//! `--decay schedule` or `--decay update`).
//!
//! ```
//! use hw7_optimization::{Optimizer, Settings, accuracy, load_dataset, model};
//! use linalg_nn::train::Silent;
//!
//! let data = load_dataset();
//! let settings = Settings { num_epochs: 1001, ..Settings::notebook(Optimizer::Adam) };
//! let trained = model(&data.x, &data.y, &settings, &mut Silent).unwrap();
//! // The notebook's Expected Output for Adam: "Cost after epoch 0: 0.702166",
//! // "Cost after epoch 1000: 0.167845".
//! assert_eq!(format!("{:.6}", trained.costs[0].1), "0.702166");
//! assert_eq!(format!("{:.6}", trained.costs[10].1), "0.167845");
//! assert!(accuracy(&data.x, &data.y, &trained.parameters).unwrap() > 0.9);
//! ```

#![forbid(unsafe_code)]

pub mod engine;
pub mod figures;

use linalg_nn::data::moons::make_moons;
use linalg_nn::data::planar::PlanarData;
use linalg_nn::init::WeightInit;
use linalg_nn::matrix::{ensure_finite, ensure_shape};
use linalg_nn::numpy::pairwise_sum_by;
use linalg_nn::three_layer::{backward_propagation_into, forward_propagation_into, initialize};
use linalg_nn::train::{
    Iteration, TrainObserver, all_finite, check_cost, validate_hyperparameters,
};
use linalg_nn::{DMatrix, NnError, NumpyRng};
use std::fmt;
use std::str::FromStr;

// `opt_utils_v1a.py`'s network is the one all of Course 2's helper files share, written once in
// the core; only its `compute_cost` differs (a sum, below).
pub use linalg_nn::three_layer::{
    Cache, Gradients, Parameters, accuracy, backward_propagation, forward_propagation, predict,
};

/// The notebook's `model(..., learning_rate = 0.0007, ...)`, the rate of the runs without decay.
pub const LEARNING_RATE: f64 = 0.0007;
/// The rate the decay runs start from for gradient descent and momentum (`learning_rate = 0.1`).
pub const DECAY_LEARNING_RATE: f64 = 0.1;
/// The rate the decay runs start from for Adam (`learning_rate = 0.01`).
pub const DECAY_LEARNING_RATE_ADAM: f64 = 0.01;
/// `mini_batch_size = 64`.
pub const MINI_BATCH_SIZE: usize = 64;
/// Momentum's `beta = 0.9`.
pub const BETA: f64 = 0.9;
/// Adam's `beta1 = 0.9`.
pub const BETA1: f64 = 0.9;
/// Adam's `beta2 = 0.999`.
pub const BETA2: f64 = 0.999;
/// Adam's `epsilon = 1e-8`.
pub const EPSILON: f64 = 1e-8;
/// `num_epochs = 5000`.
pub const NUM_EPOCHS: usize = 5000;
/// `decay_rate = 1`.
pub const DECAY_RATE: f64 = 1.0;
/// `schedule_lr_decay(..., time_interval=1000)`.
pub const TIME_INTERVAL: usize = 1000;
/// The cost is kept every 100 epochs (`costs.append(cost_avg)`, the notebook's plot)...
pub const COST_EVERY: usize = 100;
/// ... and printed every 1000 (`print ("Cost after epoch %i: %f" ...)`).
pub const PRINT_EVERY: usize = 1000;
/// The hidden layers of `layers_dims = [train_X.shape[0], 5, 2, 1]`.
pub const HIDDEN_LAYERS: [usize; 2] = [5, 2];
/// `np.random.seed(3)` of `initialize_parameters`.
pub const SEED: u32 = 3;
/// `model`'s `seed = 10`, incremented before each epoch's shuffle: epoch `i` draws its
/// mini-batches after `np.random.seed(11 + i)`.
pub const MINI_BATCH_SEED: u32 = 10;

/// `opt_utils.load_dataset()`: `np.random.seed(3)`, then 300 points of
/// `sklearn.datasets.make_moons(n_samples=300, noise=.2)`, the notebook's points bit for bit
/// ([`make_moons`]): `train_X (2, 300)`, `train_Y (1, 300)`.
///
/// ```
/// let data = hw7_optimization::load_dataset();
/// assert_eq!(data.x.shape(), (2, 300));
/// assert_eq!(data.y.sum(), 150.0); // half on each moon
/// ```
pub fn load_dataset() -> PlanarData {
    make_moons(&mut NumpyRng::new(SEED), 300, 0.2)
}

/// `opt_utils.initialize_parameters(layers_dims)`: `np.random.seed(3)`, then
/// `W[l] = randn(n[l], n[l-1]) * sqrt(2 / n[l-1])` (He) and `b[l] = 0`, one `randn` per layer
/// (numpy's cached Gaussian carries from one to the next).
///
/// ```
/// let p = hw7_optimization::initialize_parameters(&[2, 5, 2, 1]).unwrap();
/// // np.random.seed(3); np.random.randn(5, 2)[0, 0] * np.sqrt(2 / 2) = 1.78862847
/// assert!((p.w1[(0, 0)] - 1.78862847).abs() < 1e-8);
/// ```
pub fn initialize_parameters(layers_dims: &[usize]) -> Result<Parameters, NnError> {
    initialize(layers_dims, WeightInit::He, SEED)
}

/// `opt_utils.compute_cost(a3, Y)`: the cross-entropy summed over the mini-batch,
/// `np.sum(-log(a3) Y - log(1 - a3)(1 - Y))`, **not** divided by its size: [`model`] adds the
/// mini-batches' sums and divides once by `m`, so a short last batch weighs what its examples
/// weigh.
///
/// ```
/// use linalg_nn::DMatrix;
/// let y = DMatrix::from_row_slice(1, 2, &[1.0, 0.0]);
/// let a3 = DMatrix::from_row_slice(1, 2, &[0.5, 0.5]);
/// let cost = hw7_optimization::compute_cost(&a3, &y).unwrap();
/// assert_eq!(cost, 2.0 * std::f64::consts::LN_2);
/// ```
pub fn compute_cost(a3: &DMatrix<f64>, y: &DMatrix<f64>) -> Result<f64, NnError> {
    ensure_shape(a3, (1, y.ncols()), "a3 (one output per label)")?;
    let (a3, y) = (a3.as_slice(), y.as_slice());
    let logprob = |k: usize| -a3[k].ln() * y[k] + -(1.0 - a3[k]).ln() * (1.0 - y[k]);
    Ok(pairwise_sum_by(y.len(), logprob))
}

/// The six gradients of [`Gradients`] in the order of [`Parameters::named`].
fn gradient_matrices(grads: &Gradients) -> [&DMatrix<f64>; 6] {
    [&grads.dw1, &grads.db1, &grads.dw2, &grads.db2, &grads.dw3, &grads.db3]
}

/// The six matrices of [`Parameters`], to be updated in place, in the order of
/// [`Parameters::named`].
fn parameter_matrices(parameters: &mut Parameters) -> [&mut DMatrix<f64>; 6] {
    let p = parameters;
    [&mut p.w1, &mut p.b1, &mut p.w2, &mut p.b2, &mut p.w3, &mut p.b3]
}

/// Checks that each gradient has its parameter's shape (the update rules work element by
/// element).
fn ensure_gradients_fit(parameters: &Parameters, grads: &Gradients) -> Result<(), NnError> {
    for ((name, p), g) in parameters.named().into_iter().zip(gradient_matrices(grads)) {
        // The message is formatted only for a mismatch: this runs before every update.
        if g.shape() != p.shape() {
            ensure_shape(g, p.shape(), &format!("d{name} (the shape of {name})"))?;
        }
    }
    Ok(())
}

/// A `beta` of an exponentially weighted average must lie in `[0, 1)`.
fn ensure_beta(name: &str, beta: f64) -> Result<(), NnError> {
    if (0.0..1.0).contains(&beta) {
        Ok(())
    } else {
        Err(NnError::invalid(name, format!("must lie in [0, 1), got {beta}")))
    }
}

/// Section 1, `update_parameters_with_gd(parameters, grads, learning_rate)`: one step of
/// gradient descent on each matrix, `W[l] = W[l] - learning_rate dW[l]`,
/// `b[l] = b[l] - learning_rate db[l]` (in place: [`gd_step`]).
pub fn update_parameters_with_gd(
    parameters: &mut Parameters,
    grads: &Gradients,
    learning_rate: f64,
) -> Result<(), NnError> {
    ensure_gradients_fit(parameters, grads)?;
    for (w, dw) in parameter_matrices(parameters).into_iter().zip(gradient_matrices(grads)) {
        gd_step(w, dw, learning_rate);
    }
    Ok(())
}

/// Gradient descent on one matrix: `W = W - learning_rate dW`.
///
/// # Panics
///
/// If the shapes differ ([`update_parameters_with_gd`] checks them first).
pub fn gd_step(w: &mut DMatrix<f64>, dw: &DMatrix<f64>, learning_rate: f64) {
    w.zip_apply(dw, |w, dw| *w -= learning_rate * dw);
}

/// One mini-batch of [`random_mini_batches`]: `(mini_batch_X, mini_batch_Y)`.
#[derive(Clone, Debug, PartialEq)]
pub struct MiniBatch {
    /// `mini_batch_X`, `(n_x, size)`.
    pub x: DMatrix<f64>,
    /// `mini_batch_Y`, `(1, size)`.
    pub y: DMatrix<f64>,
}

/// Section 2, `random_mini_batches(X, Y, mini_batch_size = 64, seed = 0)`:
/// `np.random.seed(seed)`, `permutation = np.random.permutation(m)` (a shuffled
/// `arange(m)`: [`NumpyRng::shuffle`]), the columns of `X` and `Y` in that order, cut into
/// batches of `mini_batch_size` columns, `[0:64], [64:128], ...`, the last one holding the
/// `m % mini_batch_size` left over.
///
/// ```
/// use linalg_nn::DMatrix;
/// let x = DMatrix::from_fn(2, 300, |i, j| (i * 300 + j) as f64);
/// let y = DMatrix::from_fn(1, 300, |_, j| (j % 2) as f64);
/// let batches = hw7_optimization::random_mini_batches(&x, &y, 64, 11).unwrap();
/// let sizes: Vec<usize> = batches.iter().map(|b| b.x.ncols()).collect();
/// assert_eq!(sizes, [64, 64, 64, 64, 44]);
/// ```
pub fn random_mini_batches(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    mini_batch_size: usize,
    seed: u32,
) -> Result<Vec<MiniBatch>, NnError> {
    if mini_batch_size == 0 {
        return Err(NnError::invalid("mini_batch_size", "must be at least 1, got 0"));
    }
    let m = x.ncols();
    ensure_shape(y, (1, m), "Y (one label per column of X)")?;
    let mut permutation: Vec<usize> = (0..m).collect();
    NumpyRng::new(seed).shuffle(&mut permutation);
    let batches = permutation
        .chunks(mini_batch_size)
        .map(|columns| MiniBatch { x: x.select_columns(columns), y: y.select_columns(columns) })
        .collect();
    Ok(batches)
}

/// The notebook's `v` (and Adam's `s`): one matrix per parameter, of its shape, under the
/// keys `dW1`, `db1`, ..., `db3`.
#[derive(Clone, Debug, PartialEq)]
pub struct Velocity {
    /// `v["dW1"]`.
    pub dw1: DMatrix<f64>,
    /// `v["db1"]`.
    pub db1: DMatrix<f64>,
    /// `v["dW2"]`.
    pub dw2: DMatrix<f64>,
    /// `v["db2"]`.
    pub db2: DMatrix<f64>,
    /// `v["dW3"]`.
    pub dw3: DMatrix<f64>,
    /// `v["db3"]`.
    pub db3: DMatrix<f64>,
}

impl Velocity {
    /// The six matrices with the notebook's keys, in its order.
    pub fn named(&self) -> [(&'static str, &DMatrix<f64>); 6] {
        [
            ("dW1", &self.dw1),
            ("db1", &self.db1),
            ("dW2", &self.dw2),
            ("db2", &self.db2),
            ("dW3", &self.dw3),
            ("db3", &self.db3),
        ]
    }

    fn matrices_mut(&mut self) -> [&mut DMatrix<f64>; 6] {
        [&mut self.dw1, &mut self.db1, &mut self.dw2, &mut self.db2, &mut self.dw3, &mut self.db3]
    }

    /// Checks that each matrix has its parameter's shape.
    fn ensure_fits(&self, parameters: &Parameters, what: &str) -> Result<(), NnError> {
        for ((key, v), (name, p)) in self.named().into_iter().zip(parameters.named()) {
            if v.shape() != p.shape() {
                ensure_shape(v, p.shape(), &format!("{what}[\"{key}\"] (the shape of {name})"))?;
            }
        }
        Ok(())
    }
}

/// Section 3, `initialize_velocity(parameters)`: `v["dW" + str(l)]` and `v["db" + str(l)]`
/// zeros of the shapes of `W[l]` and `b[l]`.
///
/// ```
/// let p = hw7_optimization::initialize_parameters(&[2, 5, 2, 1]).unwrap();
/// let v = hw7_optimization::initialize_velocity(&p);
/// assert_eq!(v.dw1.shape(), (5, 2));
/// assert!(v.named().iter().all(|(_, m)| m.iter().all(|&x| x == 0.0)));
/// ```
pub fn initialize_velocity(parameters: &Parameters) -> Velocity {
    let zeros = |m: &DMatrix<f64>| DMatrix::zeros(m.nrows(), m.ncols());
    let p = parameters;
    Velocity {
        dw1: zeros(&p.w1),
        db1: zeros(&p.b1),
        dw2: zeros(&p.w2),
        db2: zeros(&p.b2),
        dw3: zeros(&p.w3),
        db3: zeros(&p.b3),
    }
}

/// Section 3, `update_parameters_with_momentum(parameters, grads, v, beta, learning_rate)`:
/// for each matrix the exponentially weighted average of the gradients, then a step along it
/// ([`momentum_step`]):
///
/// ```text
/// v[dW] = beta v[dW] + (1 - beta) dW,   W = W - learning_rate v[dW]      (and b alike)
/// ```
pub fn update_parameters_with_momentum(
    parameters: &mut Parameters,
    grads: &Gradients,
    v: &mut Velocity,
    beta: f64,
    learning_rate: f64,
) -> Result<(), NnError> {
    ensure_beta("beta", beta)?;
    ensure_gradients_fit(parameters, grads)?;
    v.ensure_fits(parameters, "v")?;
    let matrices = parameter_matrices(parameters).into_iter().zip(gradient_matrices(grads));
    for ((w, dw), v) in matrices.zip(v.matrices_mut()) {
        momentum_step(w, dw, v, beta, learning_rate);
    }
    Ok(())
}

/// Momentum on one matrix: `v = beta v + (1 - beta) dW`, then `W = W - learning_rate v`.
///
/// # Panics
///
/// If the shapes differ ([`update_parameters_with_momentum`] checks them first).
pub fn momentum_step(
    w: &mut DMatrix<f64>,
    dw: &DMatrix<f64>,
    v: &mut DMatrix<f64>,
    beta: f64,
    learning_rate: f64,
) {
    v.zip_apply(dw, |v, dw| *v = beta * *v + (1.0 - beta) * dw);
    w.zip_apply(v, |w, v| *w -= learning_rate * v);
}

/// Section 4, `initialize_adam(parameters)`: `v` (the average of the gradients) and `s` (the
/// average of their squares), zeros of the parameters' shapes.
pub fn initialize_adam(parameters: &Parameters) -> (Velocity, Velocity) {
    (initialize_velocity(parameters), initialize_velocity(parameters))
}

/// Section 4, `update_parameters_with_adam(parameters, grads, v, s, t, learning_rate = 0.01,
/// beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8)`: momentum's average and RMSprop's average of
/// the squares, both corrected for their start at zero, on each matrix ([`Adam::step`]):
///
/// ```text
/// v[dW] = beta1 v[dW] + (1 - beta1) dW,      v_corrected = v[dW] / (1 - beta1^t)
/// s[dW] = beta2 s[dW] + (1 - beta2) dW^2,    s_corrected = s[dW] / (1 - beta2^t)
/// W = W - learning_rate v_corrected / (sqrt(s_corrected) + epsilon)          (and b alike)
/// ```
///
/// `t` counts the updates so far, this one included (the first update has `t = 1`). The
/// notebook also returns `v_corrected` and `s_corrected`; they are not kept here (they are
/// `v / (1 - beta1^t)` and `s / (1 - beta2^t)` of the returned averages).
#[allow(clippy::too_many_arguments)] // the notebook's signature, argument for argument
pub fn update_parameters_with_adam(
    parameters: &mut Parameters,
    grads: &Gradients,
    v: &mut Velocity,
    s: &mut Velocity,
    t: u32,
    learning_rate: f64,
    beta1: f64,
    beta2: f64,
    epsilon: f64,
) -> Result<(), NnError> {
    let adam = Adam::new(t, beta1, beta2, epsilon)?;
    ensure_gradients_fit(parameters, grads)?;
    v.ensure_fits(parameters, "v")?;
    s.ensure_fits(parameters, "s")?;
    let matrices = parameter_matrices(parameters).into_iter().zip(gradient_matrices(grads));
    for (((w, dw), v), s) in matrices.zip(v.matrices_mut()).zip(s.matrices_mut()) {
        adam.step(w, dw, v, s, learning_rate);
    }
    Ok(())
}

/// Adam's constants for update `t`: the betas, epsilon and the two bias corrections
/// `1 - beta1^t`, `1 - beta2^t` (a real power, as Python's `beta1 ** t` computes it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Adam {
    /// `beta1`.
    pub beta1: f64,
    /// `beta2`.
    pub beta2: f64,
    /// `epsilon`.
    pub epsilon: f64,
    /// `1 - beta1^t`.
    pub correction1: f64,
    /// `1 - beta2^t`.
    pub correction2: f64,
}

impl Adam {
    /// Checks the constants (`t >= 1`, betas in `[0, 1)`, `epsilon` positive and finite) and
    /// computes the corrections of update `t`.
    ///
    /// ```
    /// let adam = hw7_optimization::Adam::new(1, 0.9, 0.999, 1e-8).unwrap();
    /// assert_eq!(adam.correction1, 1.0 - 0.9);
    /// assert!(hw7_optimization::Adam::new(0, 0.9, 0.999, 1e-8).is_err());
    /// assert!(hw7_optimization::Adam::new(1, 1.0, 0.999, 1e-8).is_err());
    /// ```
    pub fn new(t: u32, beta1: f64, beta2: f64, epsilon: f64) -> Result<Adam, NnError> {
        if t == 0 {
            return Err(NnError::invalid("t", "Adam's step counter starts at 1, got 0"));
        }
        ensure_beta("beta1", beta1)?;
        ensure_beta("beta2", beta2)?;
        if !(epsilon.is_finite() && epsilon > 0.0) {
            return Err(NnError::invalid(
                "epsilon",
                format!("must be positive and finite, got {epsilon}"),
            ));
        }
        let t = f64::from(t);
        Ok(Adam {
            beta1,
            beta2,
            epsilon,
            correction1: 1.0 - beta1.powf(t),
            correction2: 1.0 - beta2.powf(t),
        })
    }

    /// Adam on one matrix, element by element in the notebook's order of operations.
    ///
    /// # Panics
    ///
    /// If the shapes differ ([`update_parameters_with_adam`] checks them first).
    pub fn step(
        &self,
        w: &mut DMatrix<f64>,
        dw: &DMatrix<f64>,
        v: &mut DMatrix<f64>,
        s: &mut DMatrix<f64>,
        learning_rate: f64,
    ) {
        assert_eq!(w.shape(), dw.shape(), "Adam: W and dW differ in shape");
        let Adam { beta1, beta2, epsilon, correction1, correction2 } = *self;
        let elements = w.iter_mut().zip(dw.iter()).zip(v.iter_mut()).zip(s.iter_mut());
        for (((w, &g), v), s) in elements {
            *v = beta1 * *v + (1.0 - beta1) * g;
            let v_corrected = *v / correction1;
            *s = beta2 * *s + (1.0 - beta2) * (g * g);
            let s_corrected = *s / correction2;
            *w -= learning_rate * v_corrected / (s_corrected.sqrt() + epsilon);
        }
    }
}

/// The notebook's three optimizers, `model(..., optimizer = "adam")`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Optimizer {
    /// Mini-batch gradient descent, [`update_parameters_with_gd`].
    Gd,
    /// Mini-batch gradient descent with momentum, [`update_parameters_with_momentum`].
    Momentum,
    /// Adam, [`update_parameters_with_adam`], the notebook's recommendation and the default.
    #[default]
    Adam,
}

impl Optimizer {
    /// All three, in the notebook's order.
    pub const ALL: [Optimizer; 3] = [Optimizer::Gd, Optimizer::Momentum, Optimizer::Adam];

    /// The notebook's name (`--optimizer`): `gd`, `momentum`, `adam`.
    pub fn name(self) -> &'static str {
        match self {
            Optimizer::Gd => "gd",
            Optimizer::Momentum => "momentum",
            Optimizer::Adam => "adam",
        }
    }

    /// What the notebook calls the run in its plot titles.
    pub fn title(self) -> &'static str {
        match self {
            Optimizer::Gd => "Gradient Descent",
            Optimizer::Momentum => "Momentum",
            Optimizer::Adam => "Adam",
        }
    }
}

impl fmt::Display for Optimizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Optimizer {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Optimizer::ALL.into_iter().find(|o| o.name() == wanted).ok_or_else(|| {
            format!("unknown optimizer '{s}': expected gd, momentum or adam (the default)")
        })
    }
}

/// How the learning rate changes between epochs, `model(..., decay = update_lr)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Decay {
    /// `decay = None`: the rate stays.
    #[default]
    None,
    /// [`update_lr`] after every epoch.
    Update,
    /// [`schedule_lr_decay`]: a step down every [`TIME_INTERVAL`] epochs.
    Schedule,
}

impl Decay {
    /// All three, the default first.
    pub const ALL: [Decay; 3] = [Decay::None, Decay::Update, Decay::Schedule];

    /// The name of `--decay`: `none`, `update`, `schedule`.
    pub fn name(self) -> &'static str {
        match self {
            Decay::None => "none",
            Decay::Update => "update",
            Decay::Schedule => "schedule",
        }
    }

    /// The notebook's function, for titles: `update_lr`, `schedule_lr_decay`.
    pub fn function(self) -> Option<&'static str> {
        match self {
            Decay::None => None,
            Decay::Update => Some("update_lr"),
            Decay::Schedule => Some("schedule_lr_decay"),
        }
    }

    /// The rate after epoch `epoch_num` (used from the next epoch on), or `current` without
    /// decay.
    pub fn learning_rate(
        self,
        current: f64,
        learning_rate0: f64,
        epoch_num: usize,
        decay_rate: f64,
        time_interval: usize,
    ) -> f64 {
        match self {
            Decay::None => current,
            Decay::Update => update_lr(learning_rate0, epoch_num, decay_rate),
            Decay::Schedule => {
                schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval)
            }
        }
    }
}

impl fmt::Display for Decay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Decay {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Decay::ALL.into_iter().find(|d| d.name() == wanted).ok_or_else(|| {
            format!("unknown decay '{s}': expected none (the default), update or schedule")
        })
    }
}

/// `model`'s keyword arguments.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// `optimizer`.
    pub optimizer: Optimizer,
    /// `learning_rate`, the rate of the first epoch (`learning_rate0` under decay).
    pub learning_rate: f64,
    /// `mini_batch_size`.
    pub mini_batch_size: usize,
    /// Momentum's `beta`.
    pub beta: f64,
    /// Adam's `beta1`.
    pub beta1: f64,
    /// Adam's `beta2`.
    pub beta2: f64,
    /// Adam's `epsilon`.
    pub epsilon: f64,
    /// `num_epochs`.
    pub num_epochs: usize,
    /// `decay`.
    pub decay: Decay,
    /// `decay_rate`.
    pub decay_rate: f64,
    /// `schedule_lr_decay`'s `time_interval`.
    pub time_interval: usize,
}

impl Settings {
    /// The notebook's call for `optimizer` without decay: rate 0.0007, batches of 64, 5000
    /// epochs, `beta = 0.9`, Adam's `0.9, 0.999, 1e-8`.
    pub fn notebook(optimizer: Optimizer) -> Settings {
        Settings {
            optimizer,
            learning_rate: LEARNING_RATE,
            mini_batch_size: MINI_BATCH_SIZE,
            beta: BETA,
            beta1: BETA1,
            beta2: BETA2,
            epsilon: EPSILON,
            num_epochs: NUM_EPOCHS,
            decay: Decay::None,
            decay_rate: DECAY_RATE,
            time_interval: TIME_INTERVAL,
        }
    }

    /// The notebook's call with `decay`: as [`Settings::notebook`], starting from
    /// [`default_learning_rate`].
    pub fn notebook_with_decay(optimizer: Optimizer, decay: Decay) -> Settings {
        Settings {
            learning_rate: default_learning_rate(optimizer, decay),
            decay,
            ..Settings::notebook(optimizer)
        }
    }

    /// Checks every setting: a positive finite rate, at least one epoch and one example per
    /// batch, betas in `[0, 1)`, a positive `epsilon`, a finite non-negative `decay_rate` and a
    /// positive `time_interval`.
    pub fn validate(&self) -> Result<(), NnError> {
        validate_hyperparameters(self.num_epochs, self.learning_rate)?;
        if self.num_epochs > (u32::MAX - MINI_BATCH_SEED - 1) as usize {
            return Err(NnError::invalid(
                "number of epochs",
                format!(
                    "each epoch seeds numpy's generator with 11 + i: at most {}",
                    u32::MAX - 11
                ),
            ));
        }
        if self.mini_batch_size == 0 {
            return Err(NnError::invalid("mini_batch_size", "must be at least 1, got 0"));
        }
        ensure_beta("beta", self.beta)?;
        Adam::new(1, self.beta1, self.beta2, self.epsilon)?;
        if !(self.decay_rate.is_finite() && self.decay_rate >= 0.0) {
            return Err(NnError::invalid(
                "decay_rate",
                format!("must be a finite number >= 0, got {}", self.decay_rate),
            ));
        }
        if self.time_interval == 0 {
            return Err(NnError::invalid("time_interval", "must be at least 1 epoch, got 0"));
        }
        Ok(())
    }
}

/// The rate a run starts from when none is given: the notebook's 0.0007 without decay; with
/// decay the rates of its decay runs, 0.1 for gradient descent and momentum and 0.01 for Adam.
///
/// ```
/// use hw7_optimization::{Decay, Optimizer, default_learning_rate};
/// assert_eq!(default_learning_rate(Optimizer::Adam, Decay::None), 0.0007);
/// assert_eq!(default_learning_rate(Optimizer::Momentum, Decay::Schedule), 0.1);
/// assert_eq!(default_learning_rate(Optimizer::Adam, Decay::Update), 0.01);
/// ```
pub fn default_learning_rate(optimizer: Optimizer, decay: Decay) -> f64 {
    match (decay, optimizer) {
        (Decay::None, _) => LEARNING_RATE,
        (_, Optimizer::Adam) => DECAY_LEARNING_RATE_ADAM,
        (_, _) => DECAY_LEARNING_RATE,
    }
}

/// What [`model`] returns: the learned parameters, the cost every [`COST_EVERY`] epochs and
/// the learning rate after those epochs, as `(epoch, value)`.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainedModel {
    /// The learned `W[l]`, `b[l]`.
    pub parameters: Parameters,
    /// `(i, cost_avg)` for `i = 0, 100, 200, ...` (the notebook's `costs`).
    pub costs: Vec<(usize, f64)>,
    /// `(i, learning_rate)` after epoch `i` (what the notebook prints under decay).
    pub learning_rates: Vec<(usize, f64)>,
}

/// Section 5, `model(X, Y, layers_dims, optimizer, learning_rate = 0.0007, mini_batch_size = 64,
/// beta = 0.9, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, num_epochs = 5000, print_cost = True,
/// decay = None, decay_rate = 1)`, with `layers_dims = [n_x, 5, 2, 1]`:
///
/// 1. [`initialize_parameters`] (He, seed 3) and the optimizer's state;
/// 2. for each epoch `i`: [`random_mini_batches`] with seed `11 + i`; for each mini-batch
///    [`forward_propagation`], [`compute_cost`] (added to the epoch's total),
///    [`backward_propagation`] (`dz3 = (1/size)(a3 - Y)`) and the optimizer's update (Adam's
///    `t` incremented first);
/// 3. `cost_avg = cost_total / m`; under decay the new rate, used from the next epoch on.
///
/// Every [`COST_EVERY`]-th epoch's cost goes to `observer` and into the result; the other
/// epochs' costs are not computed (the notebook computes and drops them: they change nothing).
/// Parameters that stop being finite are an error (the step is too large).
pub fn model<O: TrainObserver + ?Sized>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    settings: &Settings,
    observer: &mut O,
) -> Result<TrainedModel, NnError> {
    let mut parameters = start(x, y, settings)?;
    let m = x.ncols();
    let mut optimizer = OptimizerState::new(&parameters);
    let mut progress = Progress::new(settings);
    let mut seed = MINI_BATCH_SEED;
    // The forward and backward passes write into buffers kept across epochs, one set per batch
    // width (64, and the last batch's 44).
    let mut buffers: Vec<(Cache, Gradients)> = Vec::new();
    for i in 0..settings.num_epochs {
        seed += 1;
        let minibatches = random_mini_batches(x, y, settings.mini_batch_size, seed)?;
        // The cost changes nothing in training: it is computed on the epochs that keep it.
        let recorded = i % COST_EVERY == 0;
        let mut cost_total = 0.0;
        for minibatch in &minibatches {
            let width = minibatch.x.ncols();
            let set = match buffers.iter().position(|(cache, _)| cache.a3.ncols() == width) {
                Some(set) => set,
                None => {
                    let dims = parameters.layers_dims()?;
                    buffers.push((Cache::zeros(dims, width), Gradients::zeros(dims, width)));
                    buffers.len() - 1
                }
            };
            let (cache, grads) = &mut buffers[set];
            forward_propagation_into(&minibatch.x, &parameters, cache)?;
            if recorded {
                cost_total += compute_cost(&cache.a3, &minibatch.y)?;
            }
            backward_propagation_into(&minibatch.x, &minibatch.y, cache, &parameters, grads)?;
            optimizer.update(settings, &mut parameters, grads, progress.learning_rate)?;
        }
        let cost_avg = cost_total / m as f64;
        progress.end_epoch(i, recorded.then_some(cost_avg), &parameters, observer)?;
    }
    Ok(progress.into_model(parameters))
}

/// [`model`]'s checks of its input and step 1's start: [`initialize_parameters`] for
/// `[n_x, 5, 2, 1]`.
pub(crate) fn start(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    settings: &Settings,
) -> Result<Parameters, NnError> {
    settings.validate()?;
    let m = x.ncols();
    if m == 0 {
        return Err(NnError::invalid("X", "training needs at least one example"));
    }
    ensure_shape(y, (1, m), "Y (one label per column of X)")?;
    ensure_finite(x, "X")?;
    ensure_finite(y, "Y")?;
    let layers_dims = [x.nrows(), HIDDEN_LAYERS[0], HIDDEN_LAYERS[1], 1];
    initialize_parameters(&layers_dims)
}

/// The optimizer's state across mini-batches: momentum's `v` ([`initialize_velocity`]), Adam's
/// `v`, `s` ([`initialize_adam`]) and its counter `t`.
pub(crate) struct OptimizerState {
    v: Velocity,
    s: Velocity,
    t: u32,
}

impl OptimizerState {
    pub(crate) fn new(parameters: &Parameters) -> Self {
        let (v, s) = initialize_adam(parameters);
        OptimizerState { v, s, t: 0 }
    }

    /// The update of one mini-batch by `settings.optimizer` (Adam's `t = t + 1` first).
    pub(crate) fn update(
        &mut self,
        settings: &Settings,
        parameters: &mut Parameters,
        grads: &Gradients,
        learning_rate: f64,
    ) -> Result<(), NnError> {
        let OptimizerState { v, s, t } = self;
        match settings.optimizer {
            Optimizer::Gd => update_parameters_with_gd(parameters, grads, learning_rate),
            Optimizer::Momentum => {
                update_parameters_with_momentum(parameters, grads, v, settings.beta, learning_rate)
            }
            Optimizer::Adam => {
                *t = next_adam_step(*t)?;
                update_parameters_with_adam(
                    parameters,
                    grads,
                    v,
                    s,
                    *t,
                    learning_rate,
                    settings.beta1,
                    settings.beta2,
                    settings.epsilon,
                )
            }
        }
    }
}

/// Step 3 of [`model`] across epochs: the current rate and what is kept.
pub(crate) struct Progress<'a> {
    settings: &'a Settings,
    /// The rate of the current epoch.
    pub(crate) learning_rate: f64,
    costs: Vec<(usize, f64)>,
    learning_rates: Vec<(usize, f64)>,
}

impl<'a> Progress<'a> {
    pub(crate) fn new(settings: &'a Settings) -> Self {
        let kept = settings.num_epochs.div_ceil(COST_EVERY);
        Progress {
            settings,
            learning_rate: settings.learning_rate,
            costs: Vec::with_capacity(kept),
            learning_rates: Vec::with_capacity(kept),
        }
    }

    /// The end of epoch `i`, whose `cost_avg` is computed on the recorded epochs: under decay
    /// the rate of the next epoch, the observer, the kept values, and the divergence checks.
    pub(crate) fn end_epoch<O: TrainObserver + ?Sized>(
        &mut self,
        i: usize,
        cost_avg: Option<f64>,
        parameters: &Parameters,
        observer: &mut O,
    ) -> Result<(), NnError> {
        let settings = self.settings;
        self.learning_rate = settings.decay.learning_rate(
            self.learning_rate,
            settings.learning_rate,
            i,
            settings.decay_rate,
            settings.time_interval,
        );
        observer.on_iteration(&Iteration { index: i, total: settings.num_epochs, cost: cost_avg });
        if let Some(cost_avg) = cost_avg {
            self.costs.push((i, cost_avg));
            self.learning_rates.push((i, self.learning_rate));
            // A saturated sigmoid makes the summed cost infinite or NaN (opt_utils' `np.sum`
            // has no `nansum`): in this notebook only a rate far too large gets there.
            check_cost(i, cost_avg, self.learning_rate)?;
        }
        if !parameters.named().iter().all(|(_, m)| all_finite(m)) {
            let cost = cost_avg.unwrap_or(f64::NAN);
            return Err(NnError::Diverged {
                iteration: i,
                cost,
                learning_rate: self.learning_rate,
            });
        }
        Ok(())
    }

    /// The trained model with the kept costs and rates.
    pub(crate) fn into_model(self, parameters: Parameters) -> TrainedModel {
        TrainedModel { parameters, costs: self.costs, learning_rates: self.learning_rates }
    }
}

/// Adam's counter after one more update (`t = t + 1`), an error rather than a wrap-around.
fn next_adam_step(t: u32) -> Result<u32, NnError> {
    t.checked_add(1).ok_or_else(|| NnError::invalid("t", "more than 2^32 - 1 Adam updates"))
}

/// Section 7, `update_lr(learning_rate0, epoch_num, decay_rate)`: the rate decays with every
/// epoch, `learning_rate = learning_rate0 / (1 + decay_rate * epoch_num)`. After 1000 epochs
/// at `decay_rate = 1` it is a thousandth of the start: too fast for this network.
///
/// ```
/// // The notebook's cell: update_lr(0.5, 2, 1) prints "Updated learning rate: 0.16666666666666666".
/// assert_eq!(hw7_optimization::update_lr(0.5, 2, 1.0), 0.16666666666666666);
/// ```
pub fn update_lr(learning_rate0: f64, epoch_num: usize, decay_rate: f64) -> f64 {
    learning_rate0 / (1.0 + decay_rate * epoch_num as f64)
}

/// Section 7, `schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000)`:
/// the rate steps down every `time_interval` epochs,
/// `learning_rate = learning_rate0 / (1 + decay_rate * floor(epoch_num / time_interval))`.
///
/// ```
/// use hw7_optimization::schedule_lr_decay;
/// // The notebook's cell: 0.5 with decay_rate 0.3 every 100 epochs: "Updated learning rate
/// // after 10 epochs: 0.5", "... after 100 epochs: 0.3846153846153846".
/// assert_eq!(schedule_lr_decay(0.5, 10, 0.3, 100), 0.5);
/// assert_eq!(schedule_lr_decay(0.5, 100, 0.3, 100), 0.3846153846153846);
/// ```
pub fn schedule_lr_decay(
    learning_rate0: f64,
    epoch_num: usize,
    decay_rate: f64,
    time_interval: usize,
) -> f64 {
    let steps = (epoch_num as f64 / time_interval as f64).floor();
    learning_rate0 / (1.0 + decay_rate * steps)
}
