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
//! The binary trains through [`engine::model`]: the same loop's bits, made fast by
//! `nn_engines::three_layer`.
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

pub mod engine;
pub mod figures;

use linalg_nn::data::circles::make_circles;
use linalg_nn::data::planar::PlanarData;
use linalg_nn::init::WeightInit;
use linalg_nn::three_layer::initialize;
use linalg_nn::train::{Iteration, TrainObserver, all_finite, validate_training_set};
use linalg_nn::{DMatrix, NnError, NumpyRng};
use std::fmt;
use std::str::FromStr;

// `init_utils.py`'s network is the one all of Course 2's helper files share, written once in
// the core.
pub use linalg_nn::numpy::sigmoid;
pub use linalg_nn::three_layer::{
    Cache, Gradients, Parameters, TrainedModel, accuracy, backward_propagation, compute_loss,
    forward_propagation, predict, relu, update_parameters,
};

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
    validate_training_set(x, y, num_iterations, learning_rate)?;
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

/// Section 2, `initialize_parameters_zeros(layers_dims)`: every `W[l]` and `b[l]` zero. Every
/// unit of a layer then computes the same function and receives the same gradient, so the
/// network never does better than a constant: 50 %.
///
/// ```
/// let p = hw4_initialization::initialize_parameters_zeros(&[3, 2, 1, 1]).unwrap();
/// assert!(p.named().iter().all(|(_, m)| m.iter().all(|&v| v == 0.0)));
/// ```
pub fn initialize_parameters_zeros(layers_dims: &[usize]) -> Result<Parameters, NnError> {
    initialize(layers_dims, WeightInit::Zeros, SEED)
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
    initialize(layers_dims, WeightInit::Scaled(10.0), SEED)
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
    initialize(layers_dims, WeightInit::He, SEED)
}
