//! `hw4-initialization`: Course 2 (*Improving Deep Neural Networks*), week 1's first
//! programming assignment, "Initialization", in Rust. The same three-layer network
//! `[2, 10, 5, 1]` (ReLU, ReLU, sigmoid) is trained on two noisy circles from three starting
//! points: all zeros (symmetry is never broken: 50 %), large random weights (`randn * 10`: the
//! first cost is infinite and training is slow) and He initialisation (`randn * sqrt(2 /
//! n[l-1])`: 99.33 % / 96 %).
//!
//! The functions carry the notebook's names, in the notebook's order; its helper file
//! `init_utils.py` comes first:
//!
//! | notebook | here |
//! |---|---|
//! | `init_utils.load_dataset()` | [`load_dataset`] |
//! | `init_utils.sigmoid(x)`, `relu(x)` | [`sigmoid`], [`relu`] |
//! | `init_utils.forward_propagation(X, parameters)` | [`forward_propagation`] |
//! | `init_utils.backward_propagation(X, Y, cache)` | [`backward_propagation`] |
//! | `init_utils.update_parameters(parameters, grads, learning_rate)` | [`update_parameters`] |
//! | `init_utils.compute_loss(a3, Y)` | [`compute_loss`] |
//! | `init_utils.predict(X, y, parameters)` | [`predict`] (and [`accuracy`]) |
//! | 1 `model(X, Y, learning_rate, num_iterations, print_cost, initialization)` | [`model`] |
//! | 2 `initialize_parameters_zeros(layers_dims)` | [`initialize_parameters_zeros`] |
//! | 3 `initialize_parameters_random(layers_dims)` | [`initialize_parameters_random`] |
//! | 4 `initialize_parameters_he(layers_dims)` | [`initialize_parameters_he`] |
//! | `plot_decision_boundary`, `plt.scatter` | [`figures`] |
//!
//! Each is the plain formula of its cell, with numpy's summation orders
//! ([`linalg_nn::numpy`]), so the costs print the notebook's digits. Run it with
//! `cargo run --release -p hw4-initialization -- --init he` (or `zeros`, `random`).
//!
//! ```
//! use hw4_initialization::{Initialization, accuracy, load_dataset, model};
//! use linalg_nn::train::Silent;
//!
//! let data = load_dataset();
//! let trained = model(&data.train.x, &data.train.y, 0.01, 1001, Initialization::He, &mut Silent)
//!     .unwrap();
//! // The notebook's Expected Output for He: "Cost after iteration 0: 0.8830537463419761", and
//! // "Cost after iteration 1000: 0.6879825919728063" (`numpy-reference/hw4_initialization.py`).
//! assert_eq!(format!("{:.6}", trained.costs[0].1), "0.883054");
//! assert_eq!(format!("{:.6}", trained.costs[1].1), "0.687983");
//! // Still a plateau: the boundary forms between iterations 4000 and 10000.
//! assert!(accuracy(&data.train.x, &data.train.y, &trained.parameters).unwrap() < 0.8);
//! ```

#![forbid(unsafe_code)]

pub mod figures;

use linalg_nn::data::circles::make_circles;
use linalg_nn::data::planar::PlanarData;
use linalg_nn::init::WeightInit;
use linalg_nn::matrix::{add_column, ensure_finite, ensure_shape};
use linalg_nn::numpy::{dot, dot_transposed, pairwise_sum, sum_rows_like_numpy};
use linalg_nn::train::{Iteration, TrainObserver, all_finite, validate_hyperparameters};
use linalg_nn::{DMatrix, NnError, NumpyRng};
use std::fmt;
use std::str::FromStr;

pub use linalg_nn::numpy::sigmoid;

/// The notebook's learning rate, `model(..., learning_rate = 0.01, ...)`.
pub const LEARNING_RATE: f64 = 0.01;
/// The notebook's `num_iterations = 15000`.
pub const NUM_ITERATIONS: usize = 15_000;
/// The cost is printed and kept every 1000 iterations, as the notebook does.
pub const COST_EVERY: usize = 1000;
/// The hidden layers of `layers_dims = [X.shape[0], 10, 5, 1]`.
pub const HIDDEN_LAYERS: [usize; 2] = [10, 5];
/// `np.random.seed(3)` of the random and He initialisations.
pub const SEED: u32 = 3;

/// The training and test sets of [`load_dataset`].
#[derive(Clone, Debug, PartialEq)]
pub struct Circles {
    /// 300 points: `train_X (2, 300)`, `train_Y (1, 300)`.
    pub train: PlanarData,
    /// 100 points: `test_X (2, 100)`, `test_Y (1, 100)`.
    pub test: PlanarData,
}

/// `init_utils.load_dataset()`: `np.random.seed(1)`, 300 training points of
/// `sklearn.datasets.make_circles(n_samples=300, noise=.05)`, then `np.random.seed(2)` and 100
/// test points, the notebook's points bit for bit ([`make_circles`]).
///
/// ```
/// let data = hw4_initialization::load_dataset();
/// assert_eq!((data.train.x.shape(), data.test.x.shape()), ((2, 300), (2, 100)));
/// assert_eq!(data.train.y.sum(), 150.0); // half on each circle
/// ```
pub fn load_dataset() -> Circles {
    let train = make_circles(&mut NumpyRng::new(1), 300, 0.05, 0.8);
    let test = make_circles(&mut NumpyRng::new(2), 100, 0.05, 0.8);
    Circles { train, test }
}

/// `init_utils.relu(x) = np.maximum(0, x)`.
///
/// ```
/// assert_eq!(hw4_initialization::relu(-2.0), 0.0);
/// assert_eq!(hw4_initialization::relu(1.5), 1.5);
/// ```
#[inline]
pub fn relu(x: f64) -> f64 {
    if x > 0.0 { x } else { 0.0 }
}

/// The notebook's `parameters` dictionary of the three-layer network: `W1 (10, n_x)`,
/// `b1 (10, 1)`, `W2 (5, 10)`, `b2 (5, 1)`, `W3 (1, 5)`, `b3 (1, 1)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameters {
    /// `W1`, `(n[1], n_x)`.
    pub w1: DMatrix<f64>,
    /// `b1`, `(n[1], 1)`.
    pub b1: DMatrix<f64>,
    /// `W2`, `(n[2], n[1])`.
    pub w2: DMatrix<f64>,
    /// `b2`, `(n[2], 1)`.
    pub b2: DMatrix<f64>,
    /// `W3`, `(1, n[2])`.
    pub w3: DMatrix<f64>,
    /// `b3`, `(1, 1)`.
    pub b3: DMatrix<f64>,
}

impl Parameters {
    /// `layers_dims` read from the weights, after checking that the six matrices fit together.
    ///
    /// ```
    /// use hw4_initialization::initialize_parameters_he;
    /// let p = initialize_parameters_he(&[2, 10, 5, 1]).unwrap();
    /// assert_eq!(p.layers_dims().unwrap(), [2, 10, 5, 1]);
    /// ```
    pub fn layers_dims(&self) -> Result<[usize; 4], NnError> {
        let (n1, n0) = self.w1.shape();
        let n2 = self.w2.nrows();
        let n3 = self.w3.nrows();
        ensure_shape(&self.b1, (n1, 1), "b1 (one bias per unit of layer 1)")?;
        ensure_shape(&self.w2, (n2, n1), "W2 (n[2], n[1])")?;
        ensure_shape(&self.b2, (n2, 1), "b2 (one bias per unit of layer 2)")?;
        ensure_shape(&self.w3, (1, n2), "W3 (1, n[2]): one output unit")?;
        ensure_shape(&self.b3, (1, 1), "b3")?;
        Ok([n0, n1, n2, n3])
    }

    /// The six matrices with the notebook's keys, in its order.
    pub fn named(&self) -> [(&'static str, &DMatrix<f64>); 6] {
        [
            ("W1", &self.w1),
            ("b1", &self.b1),
            ("W2", &self.w2),
            ("b2", &self.b2),
            ("W3", &self.w3),
            ("b3", &self.b3),
        ]
    }
}

/// What [`forward_propagation`] keeps for the backward pass, the notebook's
/// `cache = (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)` (the weights are read from
/// [`Parameters`] instead of being copied).
#[derive(Clone, Debug, PartialEq)]
pub struct Cache {
    /// `z1 = W1 X + b1`.
    pub z1: DMatrix<f64>,
    /// `a1 = relu(z1)`.
    pub a1: DMatrix<f64>,
    /// `z2 = W2 a1 + b2`.
    pub z2: DMatrix<f64>,
    /// `a2 = relu(z2)`.
    pub a2: DMatrix<f64>,
    /// `z3 = W3 a2 + b3`.
    pub z3: DMatrix<f64>,
    /// `a3 = sigmoid(z3)`, the output.
    pub a3: DMatrix<f64>,
}

/// `init_utils.forward_propagation(X, parameters)`: LINEAR -> RELU -> LINEAR -> RELU -> LINEAR
/// -> SIGMOID,
///
/// ```text
/// z1 = W1 X + b1,  a1 = relu(z1),  z2 = W2 a1 + b2,  a2 = relu(z2),  z3 = W3 a2 + b3,
/// a3 = sigmoid(z3)
/// ```
///
/// ```
/// use hw4_initialization::{forward_propagation, initialize_parameters_zeros};
/// use linalg_nn::DMatrix;
/// let p = initialize_parameters_zeros(&[2, 10, 5, 1]).unwrap();
/// let x = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, -1.0, 0.5, 4.0]);
/// let cache = forward_propagation(&x, &p).unwrap();
/// assert_eq!(cache.a3, DMatrix::from_element(1, 3, 0.5)); // sigmoid(0)
/// ```
pub fn forward_propagation(x: &DMatrix<f64>, parameters: &Parameters) -> Result<Cache, NnError> {
    let [n_x, ..] = parameters.layers_dims()?;
    ensure_shape(x, (n_x, x.ncols()), "X (n_x rows, one example per column)")?;
    let p = parameters;
    let z1 = add_column(&dot(&p.w1, x), &p.b1)?;
    let a1 = z1.map(relu);
    let z2 = add_column(&dot(&p.w2, &a1), &p.b2)?;
    let a2 = z2.map(relu);
    let z3 = add_column(&dot(&p.w3, &a2), &p.b3)?;
    let a3 = z3.map(sigmoid);
    Ok(Cache { z1, a1, z2, a2, z3, a3 })
}

/// The gradients of [`backward_propagation`], the notebook's `gradients` dictionary.
#[derive(Clone, Debug, PartialEq)]
pub struct Gradients {
    /// `dz3 = (1/m) (a3 - Y)`.
    pub dz3: DMatrix<f64>,
    /// `dW3 = dz3 a2^T`.
    pub dw3: DMatrix<f64>,
    /// `db3 = sum(dz3, axis=1)`.
    pub db3: DMatrix<f64>,
    /// `da2 = W3^T dz3`.
    pub da2: DMatrix<f64>,
    /// `dz2 = da2 * (a2 > 0)`.
    pub dz2: DMatrix<f64>,
    /// `dW2 = dz2 a1^T`.
    pub dw2: DMatrix<f64>,
    /// `db2 = sum(dz2, axis=1)`.
    pub db2: DMatrix<f64>,
    /// `da1 = W2^T dz2`.
    pub da1: DMatrix<f64>,
    /// `dz1 = da1 * (a1 > 0)`.
    pub dz1: DMatrix<f64>,
    /// `dW1 = dz1 X^T`.
    pub dw1: DMatrix<f64>,
    /// `db1 = sum(dz1, axis=1)`.
    pub db1: DMatrix<f64>,
}

/// `init_utils.backward_propagation(X, Y, cache)`. The `1/m` is taken once, into `dz3`, so the
/// weight gradients are plain products:
///
/// ```text
/// dz3 = (1/m)(a3 - Y),   dW3 = dz3 a2^T,  db3 = sum(dz3, axis=1)
/// da2 = W3^T dz3,        dz2 = da2 * 1{a2 > 0},  dW2 = dz2 a1^T,  db2 = sum(dz2, axis=1)
/// da1 = W2^T dz2,        dz1 = da1 * 1{a1 > 0},  dW1 = dz1 X^T,   db1 = sum(dz1, axis=1)
/// ```
///
/// They are the gradients of [`compute_loss`] (checked with `linalg_nn::gradcheck` in the
/// tests).
pub fn backward_propagation(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    cache: &Cache,
    parameters: &Parameters,
) -> Result<Gradients, NnError> {
    let m = x.ncols();
    ensure_shape(y, (1, m), "Y (one label per column of X)")?;
    ensure_shape(&cache.a3, (1, m), "a3 (the cache of a forward pass over X)")?;
    let inv_m = 1.0 / m as f64;
    let dz3 = (&cache.a3 - y) * inv_m;
    let dw3 = dot_transposed(&dz3, &cache.a2);
    let db3 = sum_rows_like_numpy(&dz3);
    let da2 = dot(&parameters.w3.transpose(), &dz3);
    let dz2 = da2.zip_map(&cache.a2, |d, a| d * if a > 0.0 { 1.0 } else { 0.0 });
    let dw2 = dot_transposed(&dz2, &cache.a1);
    let db2 = sum_rows_like_numpy(&dz2);
    let da1 = dot(&parameters.w2.transpose(), &dz2);
    let dz1 = da1.zip_map(&cache.a1, |d, a| d * if a > 0.0 { 1.0 } else { 0.0 });
    let dw1 = dot_transposed(&dz1, x);
    let db1 = sum_rows_like_numpy(&dz1);
    Ok(Gradients { dz3, dw3, db3, da2, dz2, dw2, db2, da1, dz1, dw1, db1 })
}

/// `init_utils.update_parameters(parameters, grads, learning_rate)`: one step of gradient
/// descent, `W[l] = W[l] - learning_rate dW[l]`, `b[l] = b[l] - learning_rate db[l]`.
pub fn update_parameters(
    parameters: &Parameters,
    grads: &Gradients,
    learning_rate: f64,
) -> Parameters {
    let step = |w: &DMatrix<f64>, dw: &DMatrix<f64>| w - dw * learning_rate;
    Parameters {
        w1: step(&parameters.w1, &grads.dw1),
        b1: step(&parameters.b1, &grads.db1),
        w2: step(&parameters.w2, &grads.dw2),
        b2: step(&parameters.b2, &grads.db2),
        w3: step(&parameters.w3, &grads.dw3),
        b3: step(&parameters.b3, &grads.db3),
    }
}

/// `init_utils.compute_loss(a3, Y)`: the cross-entropy
/// `(1/m) nansum(-log(a3) Y - log(1 - a3)(1 - Y))`.
///
/// As in the notebook, a saturated output gives an infinite loss, not an error: after the
/// `randn * 10` initialisation some `a3` are exactly 1 where `Y = 0`, so `-log(1 - a3) = inf`
/// and the first cost prints `inf` (a `0 * inf` term is NaN, which `nansum` skips).
///
/// ```
/// use hw4_initialization::compute_loss;
/// use linalg_nn::DMatrix;
/// let y = DMatrix::from_row_slice(1, 2, &[1.0, 0.0]);
/// let a3 = DMatrix::from_row_slice(1, 2, &[0.5, 0.5]);
/// assert_eq!(compute_loss(&a3, &y).unwrap(), std::f64::consts::LN_2);
/// let saturated = DMatrix::from_row_slice(1, 2, &[1.0, 1.0]);
/// assert_eq!(compute_loss(&saturated, &y).unwrap(), f64::INFINITY);
/// ```
pub fn compute_loss(a3: &DMatrix<f64>, y: &DMatrix<f64>) -> Result<f64, NnError> {
    let m = y.ncols();
    ensure_shape(a3, (1, m), "a3 (one output per label)")?;
    let logprobs: Vec<f64> = a3
        .iter()
        .zip(y.iter())
        .map(|(&a, &y)| -a.ln() * y + -(1.0 - a).ln() * (1.0 - y))
        .map(|term| if term.is_nan() { 0.0 } else { term })
        .collect();
    Ok(1.0 / m as f64 * pairwise_sum(&logprobs))
}

/// `init_utils.predict(X, y, parameters)`'s predictions: `1` where `a3 > 0.5`, else `0`,
/// shape `(1, m)`.
pub fn predict(x: &DMatrix<f64>, parameters: &Parameters) -> Result<DMatrix<f64>, NnError> {
    let a3 = forward_propagation(x, parameters)?.a3;
    Ok(a3.map(|a| if a > 0.5 { 1.0 } else { 0.0 }))
}

/// What `init_utils.predict` prints: `Accuracy: np.mean(p[0, :] == y[0, :])`, a fraction
/// (0.9933333333333333), not a percentage.
pub fn accuracy(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    parameters: &Parameters,
) -> Result<f64, NnError> {
    let predictions = predict(x, parameters)?;
    ensure_shape(y, predictions.shape(), "Y (one label per column of X)")?;
    let correct = predictions.iter().zip(y.iter()).filter(|(p, y)| p == y).count();
    Ok(correct as f64 / y.ncols() as f64)
}

/// The notebook's three initialisations, `model(..., initialization = "he")`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Initialization {
    /// [`initialize_parameters_zeros`].
    Zeros,
    /// [`initialize_parameters_random`].
    Random,
    /// [`initialize_parameters_he`], the notebook's recommendation and the default.
    #[default]
    He,
}

impl Initialization {
    /// All three, in the notebook's order.
    pub const ALL: [Initialization; 3] =
        [Initialization::Zeros, Initialization::Random, Initialization::He];

    /// The notebook's name (`--init`): `zeros`, `random`, `he`.
    pub fn name(self) -> &'static str {
        match self {
            Initialization::Zeros => "zeros",
            Initialization::Random => "random",
            Initialization::He => "he",
        }
    }

    /// How the weights are drawn: `W = 0`, `randn * 10`, `randn * sqrt(2 / n[l-1])`.
    pub fn weights(self) -> WeightInit {
        match self {
            Initialization::Zeros => WeightInit::Zeros,
            Initialization::Random => WeightInit::Scaled(10.0),
            Initialization::He => WeightInit::He,
        }
    }

    /// The initial parameters for `layers_dims`.
    pub fn parameters(self, layers_dims: &[usize]) -> Result<Parameters, NnError> {
        match self {
            Initialization::Zeros => initialize_parameters_zeros(layers_dims),
            Initialization::Random => initialize_parameters_random(layers_dims),
            Initialization::He => initialize_parameters_he(layers_dims),
        }
    }
}

impl fmt::Display for Initialization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Initialization {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Initialization::ALL.into_iter().find(|i| i.name() == wanted).ok_or_else(|| {
            format!("unknown initialization '{s}': expected zeros, random or he (the default)")
        })
    }
}

/// What [`model`] returns: the learned parameters and the cost every [`COST_EVERY`]
/// iterations, as `(iteration, cost)` (the notebook's `costs` list, with its iterations).
#[derive(Clone, Debug, PartialEq)]
pub struct TrainedModel {
    /// The learned `W[l]`, `b[l]`.
    pub parameters: Parameters,
    /// `(i, cost)` for `i = 0, 1000, 2000, ...`; a cost may be `inf` (see [`compute_loss`]).
    pub costs: Vec<(usize, f64)>,
}

/// Section 1, `model(X, Y, learning_rate, num_iterations, print_cost, initialization)`: the
/// network `[n_x, 10, 5, 1]` initialised as `initialization` says, then `num_iterations` steps
/// of forward propagation, loss, backward propagation and update. The cost of every
/// [`COST_EVERY`]-th iteration goes to `observer` (which prints it, as `print_cost` does) and
/// into the result.
///
/// An infinite cost is the notebook's behaviour after a large initialisation, not an error;
/// parameters that stop being finite are an error (the step is too large).
pub fn model<O: TrainObserver + ?Sized>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    learning_rate: f64,
    num_iterations: usize,
    initialization: Initialization,
    observer: &mut O,
) -> Result<TrainedModel, NnError> {
    validate_hyperparameters(num_iterations, learning_rate)?;
    let m = x.ncols();
    if m == 0 {
        return Err(NnError::invalid("X", "training needs at least one example"));
    }
    ensure_shape(y, (1, m), "Y (one label per column of X)")?;
    ensure_finite(x, "X")?;
    ensure_finite(y, "Y")?;
    let layers_dims = [x.nrows(), HIDDEN_LAYERS[0], HIDDEN_LAYERS[1], 1];
    let mut parameters = initialization.parameters(&layers_dims)?;
    let mut costs = Vec::new();
    for i in 0..num_iterations {
        let cache = forward_propagation(x, &parameters)?;
        let cost = compute_loss(&cache.a3, y)?;
        let grads = backward_propagation(x, y, &cache, &parameters)?;
        parameters = update_parameters(&parameters, &grads, learning_rate);
        let recorded = i % COST_EVERY == 0;
        if recorded {
            costs.push((i, cost));
        }
        observer.on_iteration(&Iteration {
            index: i,
            total: num_iterations,
            cost: recorded.then_some(cost),
        });
        if !parameters.named().iter().all(|(_, m)| all_finite(m)) {
            return Err(NnError::Diverged { iteration: i, cost, learning_rate });
        }
    }
    Ok(TrainedModel { parameters, costs })
}

/// The layers `l = 1..L` of `layers_dims` with `b[l]` zero and `W[l]` drawn by `init`, after
/// `np.random.seed(3)` as the notebook's random and He cells do.
fn initialize(layers_dims: &[usize], init: WeightInit) -> Result<Parameters, NnError> {
    let &[n0, n1, n2, n3] = layers_dims else {
        return Err(NnError::invalid(
            "layers_dims",
            format!(
                "this notebook's network has three layers, [n_x, n1, n2, 1]; got {layers_dims:?}"
            ),
        ));
    };
    if n3 != 1 {
        return Err(NnError::invalid("layers_dims", format!("one output unit, got {n3}")));
    }
    let mut rng = NumpyRng::new(SEED);
    let mut layer = |rows: usize, cols: usize| -> Result<(DMatrix<f64>, DMatrix<f64>), NnError> {
        Ok((init.weights(&mut rng, rows, cols)?, DMatrix::zeros(rows, 1)))
    };
    let (w1, b1) = layer(n1, n0)?;
    let (w2, b2) = layer(n2, n1)?;
    let (w3, b3) = layer(n3, n2)?;
    Ok(Parameters { w1, b1, w2, b2, w3, b3 })
}

/// Section 2, `initialize_parameters_zeros(layers_dims)`: every `W[l]` and `b[l]` zero. Every
/// unit of a layer then computes the same function and receives the same gradient, so the
/// network never does better than a constant: 50 %.
///
/// ```
/// let p = hw4_initialization::initialize_parameters_zeros(&[3, 2, 1, 1]).unwrap();
/// assert!(p.named().iter().all(|(_, m)| m.iter().all(|&v| v == 0.0)));
/// ```
pub fn initialize_parameters_zeros(layers_dims: &[usize]) -> Result<Parameters, NnError> {
    initialize(layers_dims, WeightInit::Zeros)
}

/// Section 3, `initialize_parameters_random(layers_dims)`: `np.random.seed(3)`, then
/// `W[l] = randn(n[l], n[l-1]) * 10`, `b[l] = 0`. The large weights saturate the sigmoid.
///
/// ```
/// // The notebook's test: initialize_parameters_random([3, 2, 1]) gives W1 = [[17.88628473,
/// // 4.36509851, 0.96497468], [-18.63492703, -2.77388203, -3.54758979]], W2 = [[-0.82741481,
/// // -6.27000677]]. This network has one more layer; its first two draws are the same.
/// let p = hw4_initialization::initialize_parameters_random(&[3, 2, 1, 1]).unwrap();
/// assert!((p.w1[(0, 0)] - 17.88628473).abs() < 1e-8);
/// assert!((p.w1[(1, 2)] + 3.54758979).abs() < 1e-8);
/// ```
pub fn initialize_parameters_random(layers_dims: &[usize]) -> Result<Parameters, NnError> {
    initialize(layers_dims, WeightInit::Scaled(10.0))
}

/// Section 4, `initialize_parameters_he(layers_dims)`: `np.random.seed(3)`, then
/// `W[l] = randn(n[l], n[l-1]) * sqrt(2 / n[l-1])` (He et al., 2015, for ReLU layers),
/// `b[l] = 0`.
///
/// ```
/// // The notebook's test: initialize_parameters_he([2, 4, 1]) gives W1[0] = [1.78862847,
/// // 0.43650985], W2 = [[-0.04381817, -0.47721803, -1.31386475, 0.88462238]].
/// let p = hw4_initialization::initialize_parameters_he(&[2, 4, 1, 1]).unwrap();
/// assert!((p.w1[(0, 0)] - 1.78862847).abs() < 1e-8);
/// assert!((p.w1[(0, 1)] - 0.43650985).abs() < 1e-8);
/// ```
pub fn initialize_parameters_he(layers_dims: &[usize]) -> Result<Parameters, NnError> {
    initialize(layers_dims, WeightInit::He)
}
