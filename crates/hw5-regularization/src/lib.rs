//! `hw5-regularization`: Course 2 (*Improving Deep Neural Networks*), week 1's second
//! programming assignment, "Regularization", in Rust. The French football team's goalkeeper
//! kicks; the three-layer network `[2, 20, 3, 1]` (ReLU, ReLU, sigmoid) learns where the French
//! players head the ball. Without regularisation it overfits the noise (94.79 % train, 91.5 %
//! test); L2 regularisation (`lambd = 0.7`: 93.84 % / 93 %) and dropout (`keep_prob = 0.86`:
//! 92.89 % / 95 %) trade a little training accuracy for a smoother boundary.
//!
//! The functions carry the notebook's names, in the notebook's order; its helper file
//! `reg_utils.py` comes first:
//!
//! | notebook | here |
//! |---|---|
//! | `reg_utils.load_2D_dataset()` | [`load_2d_dataset`] |
//! | `reg_utils.initialize_parameters(layer_dims)` | [`initialize_parameters`] |
//! | `reg_utils.forward_propagation(X, parameters)` | [`forward_propagation`] (and `_into`) |
//! | `reg_utils.backward_propagation(X, Y, cache)` | [`backward_propagation`] (and `_into`) |
//! | `reg_utils.compute_cost(a3, Y)` | [`compute_cost`] |
//! | `reg_utils.predict(X, y, parameters)` | [`predict`] (and [`accuracy`]) |
//! | `reg_utils.update_parameters(parameters, grads, learning_rate)` | [`update_parameters`] (and `_in_place`) |
//! | 1 `model(X, Y, learning_rate, num_iterations, print_cost, lambd, keep_prob)` | [`model`] |
//! | 2 `compute_cost_with_regularization(A3, Y, parameters, lambd)` | [`compute_cost_with_regularization`] |
//! | 2 `backward_propagation_with_regularization(X, Y, cache, lambd)` | [`backward_propagation_with_regularization`] |
//! | 3 `forward_propagation_with_dropout(X, parameters, keep_prob)` | [`forward_propagation_with_dropout`] |
//! | 3 `backward_propagation_with_dropout(X, Y, cache, keep_prob)` | [`backward_propagation_with_dropout`] |
//! | `plot_decision_boundary`, `plt.scatter` | [`figures`] |
//!
//! Each is the plain formula of its cell, with numpy's summation orders
//! ([`linalg_nn::numpy`]), so the costs print the notebook's digits. The training loop keeps its
//! matrices from one iteration to the next (the `_into` forms): the same operations, no
//! allocation per step. The binary trains through [`engine::model`]: the same loop's bits, made
//! fast by `nn_engines::three_layer`. Run it with `cargo run --release -p hw5-regularization -- --reg l2`
//! (or `none`, `dropout`).
//!
//! ```no_run
//! use hw5_regularization::{Regularization, accuracy, load_2d_dataset, model};
//! use linalg_nn::train::Silent;
//!
//! let data = load_2d_dataset(&linalg_nn::data::default_data_dir()).unwrap();
//! let trained = model(&data.train.x, &data.train.y, 0.3, 30_000, Regularization::l2(0.7).unwrap(),
//!     &mut Silent).unwrap();
//! // The notebook's Expected Output: "Cost after iteration 0: 0.6974484493131264".
//! assert_eq!(format!("{:.6}", trained.costs[0].1), "0.697448");
//! assert_eq!(accuracy(&data.test.x, &data.test.y, &trained.parameters).unwrap(), 0.93);
//! ```

#![forbid(unsafe_code)]

pub mod engine;
pub mod figures;

use linalg_nn::init::WeightInit;
use linalg_nn::matrix::ensure_shape;
use linalg_nn::numpy::{
    dot_into, dot_transposed_in_halves_into, pairwise_sum, sigmoid, sum_rows_like_numpy_into,
};
use linalg_nn::three_layer::{
    compute_loss, forward_propagation_into, initialize, linear_into, map_into,
};
use linalg_nn::train::{Iteration, TrainObserver, all_finite, validate_training_set};
use linalg_nn::{DMatrix, NnError, NumpyRng};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

// `reg_utils.py`'s forward pass, prediction and update are those of the network all of Course
// 2's helper files share, written once in the core.
pub use linalg_nn::data::football::{FOOTBALL_FILE, Football};
pub use linalg_nn::three_layer::{
    Cache, Gradients, Parameters, TrainedModel, accuracy, forward_propagation, predict, relu,
    update_parameters, update_parameters_in_place,
};

/// The notebook's learning rate, `model(..., learning_rate = 0.3, ...)`.
pub const LEARNING_RATE: f64 = 0.3;
/// The notebook's `num_iterations = 30000`.
pub const NUM_ITERATIONS: usize = 30_000;
/// The cost is kept every 1000 iterations (`costs.append(cost)`), as the notebook does.
pub const COST_EVERY: usize = 1000;
/// The cost is printed every 10000 iterations (`if print_cost and i % 10000 == 0`).
pub const PRINT_EVERY: usize = 10_000;
/// The hidden layers of `layers_dims = [X.shape[0], 20, 3, 1]`.
pub const HIDDEN_LAYERS: [usize; 2] = [20, 3];
/// `np.random.seed(3)` of `reg_utils.initialize_parameters`.
pub const SEED: u32 = 3;
/// `np.random.seed(1)` at the top of `forward_propagation_with_dropout`.
pub const DROPOUT_SEED: u32 = 1;
/// The notebook's `model(train_X, train_Y, lambd = 0.7)`.
pub const LAMBD: f64 = 0.7;
/// The notebook's `model(train_X, train_Y, keep_prob = 0.86, learning_rate = 0.3)`.
pub const KEEP_PROB: f64 = 0.86;

/// `reg_utils.load_2D_dataset()`: the course's `datasets/data.mat` ([`FOOTBALL_FILE`] in `dir`),
/// `train_X = X.T (2, 211)`, `train_Y = y.T (1, 211)`, `test_X = Xval.T (2, 200)`,
/// `test_Y = yval.T (1, 200)` (read by [`linalg_nn::data::football`]).
pub fn load_2d_dataset(dir: &Path) -> Result<Football, linalg_nn::data::DataError> {
    linalg_nn::data::football::load_2d_dataset(dir)
}

/// `reg_utils.initialize_parameters(layer_dims)`: `np.random.seed(3)`, then
/// `W[l] = randn(n[l], n[l-1]) / sqrt(n[l-1])`, `b[l] = 0`.
///
/// ```
/// let p = hw5_regularization::initialize_parameters(&[2, 20, 3, 1]).unwrap();
/// // np.random.seed(3); np.random.randn(20, 2)[0, 0] / np.sqrt(2) = 1.78862847 / 1.41421356
/// assert!((p.w1[(0, 0)] - 1.26475132).abs() < 1e-8);
/// ```
pub fn initialize_parameters(layers_dims: &[usize]) -> Result<Parameters, NnError> {
    initialize(layers_dims, WeightInit::InverseSqrtFanIn, SEED)
}

/// `reg_utils.backward_propagation(X, Y, cache)`. Unlike `init_utils`, `reg_utils` takes the
/// `1/m` after each product, `dW3 = 1./m * np.dot(dZ3, A2.T)`, which rounds differently:
///
/// ```text
/// dZ3 = A3 - Y,                dW3 = 1/m (dZ3 A2^T),  db3 = 1/m sum(dZ3, axis=1)
/// dA2 = W3^T dZ3,  dZ2 = dA2 * 1{A2 > 0},  dW2 = 1/m (dZ2 A1^T),  db2 = 1/m sum(dZ2, axis=1)
/// dA1 = W2^T dZ2,  dZ1 = dA1 * 1{A1 > 0},  dW1 = 1/m (dZ1 X^T),   db1 = 1/m sum(dZ1, axis=1)
/// ```
///
/// The gradients are those of [`compute_cost`]; here `grads.dz3` is `A3 - Y`, without the `1/m`.
pub fn backward_propagation(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    cache: &Cache,
    parameters: &Parameters,
) -> Result<Gradients, NnError> {
    let mut grads = Gradients::zeros(parameters.layers_dims()?, x.ncols());
    backward_propagation_into(x, y, cache, parameters, &mut grads)?;
    Ok(grads)
}

/// [`backward_propagation`] into gradients the caller keeps ([`Gradients::zeros`]).
pub fn backward_propagation_into(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    cache: &Cache,
    parameters: &Parameters,
    grads: &mut Gradients,
) -> Result<(), NnError> {
    backward_pass(x, y, cache, parameters, None, grads)
}

/// `reg_utils.compute_cost(a3, Y)`: the cross-entropy `1./m * np.nansum(-log(a3) Y - log(1 - a3)
/// (1 - Y))`, the same as `init_utils.compute_loss` ([`linalg_nn::three_layer::compute_loss`]).
pub fn compute_cost(a3: &DMatrix<f64>, y: &DMatrix<f64>) -> Result<f64, NnError> {
    compute_loss(a3, y)
}

/// Which of the notebook's three models [`model`] trains.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Regularization {
    /// `model(train_X, train_Y)`: `lambd = 0`, `keep_prob = 1`.
    #[default]
    None,
    /// `model(train_X, train_Y, lambd = 0.7)`: [`compute_cost_with_regularization`] and
    /// [`backward_propagation_with_regularization`].
    L2 {
        /// The regularisation hyperparameter `lambd`, finite and `>= 0`.
        lambd: f64,
    },
    /// `model(train_X, train_Y, keep_prob = 0.86)`: [`forward_propagation_with_dropout`] and
    /// [`backward_propagation_with_dropout`] on both hidden layers.
    Dropout {
        /// The probability of keeping a unit, in `(0, 1]`.
        keep_prob: f64,
        /// Whether every iteration draws the same masks (the notebook) or new ones.
        masks: MaskSchedule,
    },
}

impl Regularization {
    /// L2 regularisation, after checking that `lambd` is finite and `>= 0`.
    ///
    /// ```
    /// use hw5_regularization::Regularization;
    /// assert!(Regularization::l2(0.7).is_ok());
    /// assert!(Regularization::l2(-1.0).unwrap_err().to_string().contains("lambd"));
    /// ```
    pub fn l2(lambd: f64) -> Result<Self, NnError> {
        check_lambd(lambd)?;
        Ok(Regularization::L2 { lambd })
    }

    /// Dropout, after checking that `keep_prob` is in `(0, 1]`.
    ///
    /// ```
    /// use hw5_regularization::{MaskSchedule, Regularization};
    /// assert!(Regularization::dropout(0.86, MaskSchedule::Notebook).is_ok());
    /// assert!(Regularization::dropout(0.0, MaskSchedule::Fresh).is_err());
    /// assert!(Regularization::dropout(1.5, MaskSchedule::Fresh).is_err());
    /// ```
    pub fn dropout(keep_prob: f64, masks: MaskSchedule) -> Result<Self, NnError> {
        check_keep_prob(keep_prob)?;
        Ok(Regularization::Dropout { keep_prob, masks })
    }

    /// The kind's name (`--reg`): `none`, `l2`, `dropout`.
    pub fn name(self) -> &'static str {
        match self {
            Regularization::None => "none",
            Regularization::L2 { .. } => "l2",
            Regularization::Dropout { .. } => "dropout",
        }
    }
}

/// `lambd` must be a finite number `>= 0`.
pub fn check_lambd(lambd: f64) -> Result<(), NnError> {
    if lambd.is_finite() && lambd >= 0.0 {
        Ok(())
    } else {
        Err(NnError::invalid("lambd", format!("must be a finite number >= 0, got {lambd}")))
    }
}

/// `keep_prob` must be in `(0, 1]`: 0 would drop every unit (and divide by zero).
pub fn check_keep_prob(keep_prob: f64) -> Result<(), NnError> {
    if keep_prob > 0.0 && keep_prob <= 1.0 {
        Ok(())
    } else {
        Err(NnError::invalid("keep_prob", format!("must be in (0, 1], got {keep_prob}")))
    }
}

/// When dropout draws its masks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum MaskSchedule {
    /// As the notebook: `forward_propagation_with_dropout` starts with `np.random.seed(1)`, so
    /// every iteration drops the same units (what the Expected Output shows).
    #[default]
    Notebook,
    /// The generator is seeded with 1 once, before training, and every iteration draws new
    /// masks, as dropout is meant to work.
    Fresh,
}

impl MaskSchedule {
    /// Both, the notebook's first.
    pub const ALL: [MaskSchedule; 2] = [MaskSchedule::Notebook, MaskSchedule::Fresh];

    /// The name of `--dropout-masks`: `notebook` or `fresh`.
    pub fn name(self) -> &'static str {
        match self {
            MaskSchedule::Notebook => "notebook",
            MaskSchedule::Fresh => "fresh",
        }
    }
}

impl fmt::Display for MaskSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for MaskSchedule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        MaskSchedule::ALL.into_iter().find(|m| m.name() == wanted).ok_or_else(|| {
            format!("unknown dropout mask schedule '{s}': expected notebook (the default) or fresh")
        })
    }
}

/// Section 1, `model(X, Y, learning_rate, num_iterations, print_cost, lambd, keep_prob)`: the
/// network `[n_x, 20, 3, 1]` from [`initialize_parameters`], then `num_iterations` steps of
/// forward propagation (with dropout if asked), cost (regularised with L2), backward
/// propagation (the matching form) and update. The cost of every [`COST_EVERY`]-th iteration
/// goes to `observer` and into the result.
///
/// The notebook computes the cost at every iteration and keeps one in a thousand; it does not
/// feed back into training, so it is computed here only when it is kept. With
/// [`MaskSchedule::Notebook`] the masks are drawn once: re-seeding with 1 at every iteration, as
/// the notebook does, draws the same ones.
pub fn model<O: TrainObserver + ?Sized>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    learning_rate: f64,
    num_iterations: usize,
    regularization: Regularization,
    observer: &mut O,
) -> Result<TrainedModel, NnError> {
    let m = validate_training_set(x, y, num_iterations, learning_rate)?;
    match regularization {
        Regularization::None => {}
        Regularization::L2 { lambd } => check_lambd(lambd)?,
        Regularization::Dropout { keep_prob, .. } => check_keep_prob(keep_prob)?,
    }
    let layers_dims = [x.nrows(), HIDDEN_LAYERS[0], HIDDEN_LAYERS[1], 1];
    let mut parameters = initialize_parameters(&layers_dims)?;
    let mut cache = Cache::zeros(layers_dims, m);
    let mut grads = Gradients::zeros(layers_dims, m);
    let mut rng = NumpyRng::new(DROPOUT_SEED);
    let mut masks = DropoutMasks::zeros(layers_dims, m);
    if let Regularization::Dropout { keep_prob, .. } = regularization {
        masks.draw(&mut rng, keep_prob);
    }
    let mut costs = Vec::new();
    for i in 0..num_iterations {
        match regularization {
            Regularization::None => {
                forward_propagation_into(x, &parameters, &mut cache)?;
                backward_propagation_into(x, y, &cache, &parameters, &mut grads)?;
            }
            Regularization::L2 { lambd } => {
                forward_propagation_into(x, &parameters, &mut cache)?;
                backward_propagation_with_regularization_into(
                    x,
                    y,
                    &cache,
                    &parameters,
                    lambd,
                    &mut grads,
                )?;
            }
            Regularization::Dropout { keep_prob, masks: schedule } => {
                if schedule == MaskSchedule::Fresh && i > 0 {
                    masks.draw(&mut rng, keep_prob);
                }
                forward_propagation_with_dropout_into(
                    x,
                    &parameters,
                    &masks,
                    keep_prob,
                    &mut cache,
                )?;
                backward_propagation_with_dropout_into(
                    x,
                    y,
                    &cache,
                    &masks,
                    &parameters,
                    keep_prob,
                    &mut grads,
                )?;
            }
        }
        let cost_now = || match regularization {
            Regularization::L2 { lambd } => {
                compute_cost_with_regularization(&cache.a3, y, &parameters, lambd)
            }
            _ => compute_cost(&cache.a3, y),
        };
        let recorded = i.is_multiple_of(COST_EVERY);
        let cost = if recorded { Some(cost_now()?) } else { None };
        if let Some(cost) = cost {
            costs.push((i, cost));
        }
        update_parameters_in_place(&mut parameters, &grads, learning_rate);
        observer.on_iteration(&Iteration { index: i, total: num_iterations, cost });
        if !parameters.named().iter().all(|(_, m)| all_finite(m)) {
            let cost = cost.unwrap_or(f64::NAN);
            return Err(NnError::Diverged { iteration: i, cost, learning_rate });
        }
    }
    Ok(TrainedModel { parameters, costs })
}

/// `np.sum(np.square(W))`: numpy squares every weight and adds them pairwise in C order (row
/// by row), which is not nalgebra's storage order.
fn sum_of_squares_like_numpy(w: &DMatrix<f64>) -> f64 {
    let squares: Vec<f64> = w.transpose().iter().map(|v| v * v).collect();
    pairwise_sum(&squares)
}

/// Section 2, `compute_cost_with_regularization(A3, Y, parameters, lambd)`: the cross-entropy
/// plus the L2 penalty, written as the notebook writes it,
///
/// ```text
/// J = compute_cost(A3, Y) + lambd / (2 m) * (sum(W1^2) + sum(W2^2) + sum(W3^2))
/// ```
///
/// ```
/// use hw5_regularization::{compute_cost, compute_cost_with_regularization, initialize_parameters};
/// use linalg_nn::DMatrix;
/// let p = initialize_parameters(&[2, 20, 3, 1]).unwrap();
/// let a3 = DMatrix::from_row_slice(1, 2, &[0.25, 0.75]);
/// let y = DMatrix::from_row_slice(1, 2, &[0.0, 1.0]);
/// let plain = compute_cost(&a3, &y).unwrap();
/// assert_eq!(compute_cost_with_regularization(&a3, &y, &p, 0.0).unwrap(), plain);
/// assert!(compute_cost_with_regularization(&a3, &y, &p, 0.7).unwrap() > plain);
/// ```
pub fn compute_cost_with_regularization(
    a3: &DMatrix<f64>,
    y: &DMatrix<f64>,
    parameters: &Parameters,
    lambd: f64,
) -> Result<f64, NnError> {
    let cross_entropy_cost = compute_cost(a3, y)?;
    let l2_regularization_cost = l2_regularization_cost(parameters, lambd, y.ncols());
    Ok(cross_entropy_cost + l2_regularization_cost)
}

/// The penalty [`compute_cost_with_regularization`] adds for `m` examples,
/// `lambd / (2 m) * (sum(W1^2) + sum(W2^2) + sum(W3^2))`, each sum in numpy's order.
pub fn l2_regularization_cost(parameters: &Parameters, lambd: f64, m: usize) -> f64 {
    let p = parameters;
    lambd / (2 * m) as f64
        * (sum_of_squares_like_numpy(&p.w1)
            + sum_of_squares_like_numpy(&p.w2)
            + sum_of_squares_like_numpy(&p.w3))
}

/// Section 2, `backward_propagation_with_regularization(X, Y, cache, lambd)`: the gradients of
/// [`compute_cost_with_regularization`], [`backward_propagation`]'s plus the penalty's,
///
/// ```text
/// dW3 = 1/m (dZ3 A2^T) + (lambd / m) W3,  and the same for dW2 and dW1
/// ```
///
/// (the biases are not penalised).
pub fn backward_propagation_with_regularization(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    cache: &Cache,
    parameters: &Parameters,
    lambd: f64,
) -> Result<Gradients, NnError> {
    let mut grads = Gradients::zeros(parameters.layers_dims()?, x.ncols());
    backward_propagation_with_regularization_into(x, y, cache, parameters, lambd, &mut grads)?;
    Ok(grads)
}

/// [`backward_propagation_with_regularization`] into gradients the caller keeps.
pub fn backward_propagation_with_regularization_into(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    cache: &Cache,
    parameters: &Parameters,
    lambd: f64,
    grads: &mut Gradients,
) -> Result<(), NnError> {
    check_lambd(lambd)?;
    backward_pass(x, y, cache, parameters, None, grads)?;
    // `1./m * np.dot(dZ3, A2.T) + (lambd / m) * W3`: the product's term is already in dW3.
    let penalty = lambd / x.ncols() as f64;
    let p = parameters;
    for (dw, w) in [(&mut grads.dw3, &p.w3), (&mut grads.dw2, &p.w2), (&mut grads.dw1, &p.w1)] {
        for (d, &w) in dw.as_mut_slice().iter_mut().zip(w.as_slice()) {
            *d += penalty * w;
        }
    }
    Ok(())
}

/// The dropout masks `D1 (n[1], m)` and `D2 (n[2], m)`: 1 where a unit is kept, 0 where it is
/// shut down.
#[derive(Clone, Debug, PartialEq)]
pub struct DropoutMasks {
    /// `D1 = (np.random.rand(n[1], m) < keep_prob).astype(int)`.
    pub d1: DMatrix<f64>,
    /// `D2 = (np.random.rand(n[2], m) < keep_prob).astype(int)`, drawn after `D1`.
    pub d2: DMatrix<f64>,
}

impl DropoutMasks {
    /// Masks that keep nothing, of the shapes a pass over `m` examples through `layers_dims`
    /// needs (to be filled by [`DropoutMasks::draw`]).
    pub fn zeros(layers_dims: [usize; 4], m: usize) -> Self {
        DropoutMasks {
            d1: DMatrix::zeros(layers_dims[1], m),
            d2: DMatrix::zeros(layers_dims[2], m),
        }
    }

    /// Draws `D1`, then `D2`, from `rng` as the notebook's two `np.random.rand` calls do (C
    /// order: row by row), each entry `1` if the draw is `< keep_prob`, else `0`.
    pub fn draw(&mut self, rng: &mut NumpyRng, keep_prob: f64) {
        for mask in [&mut self.d1, &mut self.d2] {
            for i in 0..mask.nrows() {
                for j in 0..mask.ncols() {
                    mask[(i, j)] = if rng.random_sample() < keep_prob { 1.0 } else { 0.0 };
                }
            }
        }
    }
}

/// What [`forward_propagation_with_dropout`] keeps for the backward pass, the notebook's
/// `cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)`; `A1` and `A2` are the
/// activations after the masks and the scaling.
#[derive(Clone, Debug, PartialEq)]
pub struct DropoutCache {
    /// `Z1, A1, Z2, A2, Z3, A3`.
    pub cache: Cache,
    /// `D1`, `D2`.
    pub masks: DropoutMasks,
}

/// Section 3, `forward_propagation_with_dropout(X, parameters, keep_prob)`: `np.random.seed(1)`,
/// then the forward pass with the units of both hidden layers shut down at random,
///
/// ```text
/// A1 = relu(W1 X + b1);  D1 = (rand(n1, m) < keep_prob);  A1 = A1 * D1;  A1 = A1 / keep_prob
/// A2 = relu(W2 A1 + b2); D2 = (rand(n2, m) < keep_prob);  A2 = A2 * D2;  A2 = A2 / keep_prob
/// A3 = sigmoid(W3 A2 + b3)
/// ```
///
/// Dividing by `keep_prob` keeps the expected value of each activation ("inverted dropout").
///
/// ```
/// use hw5_regularization::{forward_propagation_with_dropout, initialize_parameters};
/// use linalg_nn::DMatrix;
/// let p = initialize_parameters(&[2, 20, 3, 1]).unwrap();
/// let x = DMatrix::from_fn(2, 5, |i, j| (i + j) as f64 * 0.1);
/// let pass = forward_propagation_with_dropout(&x, &p, 0.7).unwrap();
/// // The same seed every call: the same masks.
/// assert_eq!(pass, forward_propagation_with_dropout(&x, &p, 0.7).unwrap());
/// assert!(pass.masks.d1.iter().all(|&d| d == 0.0 || d == 1.0));
/// ```
pub fn forward_propagation_with_dropout(
    x: &DMatrix<f64>,
    parameters: &Parameters,
    keep_prob: f64,
) -> Result<DropoutCache, NnError> {
    check_keep_prob(keep_prob)?;
    let dims = parameters.layers_dims()?;
    let mut masks = DropoutMasks::zeros(dims, x.ncols());
    masks.draw(&mut NumpyRng::new(DROPOUT_SEED), keep_prob);
    let mut cache = Cache::zeros(dims, x.ncols());
    forward_propagation_with_dropout_into(x, parameters, &masks, keep_prob, &mut cache)?;
    Ok(DropoutCache { cache, masks })
}

/// [`forward_propagation_with_dropout`] with masks the caller drew, into a cache the caller
/// keeps (the training loop's form, and the gradient check's, whose masks must not change).
pub fn forward_propagation_with_dropout_into(
    x: &DMatrix<f64>,
    parameters: &Parameters,
    masks: &DropoutMasks,
    keep_prob: f64,
    cache: &mut Cache,
) -> Result<(), NnError> {
    let dims = parameters.layers_dims()?;
    let m = x.ncols();
    ensure_shape(x, (dims[0], m), "X (n_x rows, one example per column)")?;
    cache.ensure_fits(dims, m)?;
    ensure_shape(&masks.d1, (dims[1], m), "D1 (n[1], m)")?;
    ensure_shape(&masks.d2, (dims[2], m), "D2 (n[2], m)")?;
    let p = parameters;
    // Each activation is `relu(Z) * D / keep_prob`: the notebook's two steps, in its order.
    let drop = |a: &mut DMatrix<f64>, z: &DMatrix<f64>, d: &DMatrix<f64>| {
        for ((a, &z), &d) in a.as_mut_slice().iter_mut().zip(z.as_slice()).zip(d.as_slice()) {
            *a = relu(z) * d / keep_prob;
        }
    };
    linear_into(&p.w1, x, &p.b1, &mut cache.z1)?;
    drop(&mut cache.a1, &cache.z1, &masks.d1);
    linear_into(&p.w2, &cache.a1, &p.b2, &mut cache.z2)?;
    drop(&mut cache.a2, &cache.z2, &masks.d2);
    linear_into(&p.w3, &cache.a2, &p.b3, &mut cache.z3)?;
    map_into(&cache.z3, &mut cache.a3, sigmoid);
    Ok(())
}

/// Section 3, `backward_propagation_with_dropout(X, Y, cache, keep_prob)`: [`backward_propagation`]
/// with the forward pass's masks applied to `dA2` and `dA1`, and the same scaling,
///
/// ```text
/// dA2 = W3^T dZ3;  dA2 = dA2 * D2;  dA2 = dA2 / keep_prob;  dZ2 = dA2 * 1{A2 > 0}; ...
/// dA1 = W2^T dZ2;  dA1 = dA1 * D1;  dA1 = dA1 / keep_prob;  dZ1 = dA1 * 1{A1 > 0}; ...
/// ```
pub fn backward_propagation_with_dropout(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    cache: &DropoutCache,
    parameters: &Parameters,
    keep_prob: f64,
) -> Result<Gradients, NnError> {
    let mut grads = Gradients::zeros(parameters.layers_dims()?, x.ncols());
    backward_propagation_with_dropout_into(
        x,
        y,
        &cache.cache,
        &cache.masks,
        parameters,
        keep_prob,
        &mut grads,
    )?;
    Ok(grads)
}

/// [`backward_propagation_with_dropout`] into gradients the caller keeps.
pub fn backward_propagation_with_dropout_into(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    cache: &Cache,
    masks: &DropoutMasks,
    parameters: &Parameters,
    keep_prob: f64,
    grads: &mut Gradients,
) -> Result<(), NnError> {
    check_keep_prob(keep_prob)?;
    backward_pass(x, y, cache, parameters, Some((masks, keep_prob)), grads)
}

/// `reg_utils.backward_propagation`, and with `dropout` the masks and scaling of
/// `backward_propagation_with_dropout` between each `dA` and its `dZ`: the two cells differ
/// only there.
fn backward_pass(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    cache: &Cache,
    parameters: &Parameters,
    dropout: Option<(&DropoutMasks, f64)>,
    grads: &mut Gradients,
) -> Result<(), NnError> {
    let dims = parameters.layers_dims()?;
    let m = x.ncols();
    ensure_shape(x, (dims[0], m), "X (n_x rows, one example per column)")?;
    ensure_shape(y, (1, m), "Y (one label per column of X)")?;
    cache.ensure_fits(dims, m)?;
    grads.ensure_fits(dims, m)?;
    let inv_m = 1.0 / m as f64;
    let p = parameters;
    let g = grads;
    // `1./m * np.dot(dZ, A.T)` and `1./m * np.sum(dZ, axis=1, keepdims=True)`.
    let weight_and_bias =
        |dz: &DMatrix<f64>, a: &DMatrix<f64>, dw: &mut DMatrix<f64>, db: &mut DMatrix<f64>| {
            dot_transposed_in_halves_into(dz, a, dw);
            scale(dw, inv_m);
            sum_rows_like_numpy_into(dz, db);
            scale(db, inv_m);
        };
    // `dA = dA * D; dA = dA / keep_prob` (dropout only), then `dZ = dA * int64(A > 0)`.
    let through_relu = |da: &mut DMatrix<f64>,
                        dz: &mut DMatrix<f64>,
                        a: &DMatrix<f64>,
                        d: Option<&DMatrix<f64>>| {
        let da = da.as_mut_slice();
        if let (Some(d), Some((_, keep_prob))) = (d, dropout) {
            for (v, &d) in da.iter_mut().zip(d.as_slice()) {
                *v = *v * d / keep_prob;
            }
        }
        for ((dz, &da), &a) in dz.as_mut_slice().iter_mut().zip(&*da).zip(a.as_slice()) {
            *dz = da * if a > 0.0 { 1.0 } else { 0.0 };
        }
    };
    let masks = dropout.map(|(masks, _)| masks);
    let (a3, y) = (cache.a3.as_slice(), y.as_slice());
    for ((dz, &a), &y) in g.dz3.as_mut_slice().iter_mut().zip(a3).zip(y) {
        *dz = a - y;
    }
    weight_and_bias(&g.dz3, &cache.a2, &mut g.dw3, &mut g.db3);
    dot_into(&p.w3.transpose(), &g.dz3, &mut g.da2);
    through_relu(&mut g.da2, &mut g.dz2, &cache.a2, masks.map(|d| &d.d2));
    weight_and_bias(&g.dz2, &cache.a1, &mut g.dw2, &mut g.db2);
    dot_into(&p.w2.transpose(), &g.dz2, &mut g.da1);
    through_relu(&mut g.da1, &mut g.dz1, &cache.a1, masks.map(|d| &d.d1));
    weight_and_bias(&g.dz1, x, &mut g.dw1, &mut g.db1);
    Ok(())
}

/// `1./m * M`: every entry times `factor`, in place.
fn scale(matrix: &mut DMatrix<f64>, factor: f64) {
    for v in matrix.as_mut_slice() {
        *v *= factor;
    }
}
