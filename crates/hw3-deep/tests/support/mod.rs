//! What several of hw3-deep's test files share: the binary under test, the networks they
//! build, the training options of the synthetic runs, and the course's printed costs.
//!
//! Each test file includes this module (`mod support;`) and uses a part of it.

#![allow(dead_code)]

use hw3_deep::{Layer, Parameters, TrainOptions};
use linalg_nn::NumpyRng;
use linalg_nn::activations::Activation;
use linalg_nn::init::WeightInit;
use nalgebra::DMatrix;
use test_support::cli::Binary;

/// The `hw3-deep` binary; it reads the cat pictures.
pub const HW3: Binary =
    Binary { path: env!("CARGO_BIN_EXE_hw3-deep"), name: "hw3-deep", reads_data: true };

/// A network of `dims` with one activation per layer, drawn from `rng` layer by layer: `W[l]`
/// by `init`, then `b[l] = randn * bias_scale` (not zero, so that the biases' gradients and
/// updates start from a generic point).
pub fn network(
    dims: &[usize],
    activations: &[Activation],
    init: WeightInit,
    bias_scale: f64,
    rng: &mut NumpyRng,
) -> Parameters {
    assert_eq!(activations.len() + 1, dims.len(), "one activation per layer");
    let layers = activations
        .iter()
        .enumerate()
        .map(|(l, &activation)| Layer {
            w: init.weights(rng, dims[l + 1], dims[l]).unwrap(),
            b: rng.randn(dims[l + 1], 1) * bias_scale,
            activation,
        })
        .collect();
    Parameters::new(layers).unwrap()
}

/// `hidden` for every layer of a `depth`-layer network but the last, a sigmoid for the last:
/// the notebook's `[LINEAR -> hidden] x (L-1) -> LINEAR -> SIGMOID`.
pub fn hidden_then_sigmoid(depth: usize, hidden: Activation) -> Vec<Activation> {
    let mut activations = vec![hidden; depth - 1];
    activations.push(Activation::Sigmoid);
    activations
}

/// The largest `|a - b| / max |a|` over the weights, and over the biases, of all layers: how
/// far two runs of the same descent (two engines, two forms of `X`) ended apart. (A layer whose
/// biases in `a` are all zero is measured against 1e-300, so the gap stays a number.)
pub fn relative_gaps(a: &Parameters, b: &Parameters) -> (f64, f64) {
    assert_eq!(a.layer_dims(), b.layer_dims(), "two networks of the same shape");
    let relative =
        |x: &DMatrix<f64>, y: &DMatrix<f64>| (x - y).abs().max() / x.abs().max().max(1e-300);
    a.layers.iter().zip(&b.layers).fold((0.0, 0.0), |(w, bias), (x, y)| {
        (f64::max(w, relative(&x.w, &y.w)), f64::max(bias, relative(&x.b, &y.b)))
    })
}

/// The options of the synthetic runs: `W = randn / sqrt(n_prev)`, seed 1.
pub fn options(num_iterations: usize, learning_rate: f64) -> TrainOptions {
    TrainOptions { num_iterations, learning_rate, init: WeightInit::InverseSqrtFanIn, seed: 1 }
}

/// The costs at iterations 0, 100, ..., 2400 of `two_layer_model(train_x, train_y,
/// layers_dims = (12288, 7, 1), num_iterations = 2500, print_cost = True)`, rounded to the six
/// decimals hw3-deep prints: the Expected Output of "Deep Neural Network for Image
/// Classification: Application", and `python3 numpy-reference/hw3_deep.py --model two-layer`.
pub const COURSE_TWO_LAYER_COSTS: [&str; 25] = [
    "0.693050", "0.646432", "0.632514", "0.601502", "0.560197", "0.515830", "0.475490", "0.433916",
    "0.400798", "0.358071", "0.339428", "0.305275", "0.274914", "0.246818", "0.198507", "0.174483",
    "0.170808", "0.113065", "0.096294", "0.083426", "0.074391", "0.066307", "0.059193", "0.053361",
    "0.048555",
];

/// The costs at iterations 0, 100, ..., 2400 of `L_layer_model(train_x, train_y, layers_dims
/// = [12288, 20, 7, 5, 1], num_iterations = 2500, print_cost = True)`: the application
/// notebook's Expected Output ("Cost after iteration 0: 0.771749", ...), and
/// `python3 numpy-reference/hw3_deep.py --model deep`.
pub const COURSE_DEEP_COSTS: [&str; 25] = [
    "0.771749", "0.672053", "0.648263", "0.611507", "0.567047", "0.540138", "0.527930", "0.465477",
    "0.369126", "0.391747", "0.315187", "0.272700", "0.237419", "0.199601", "0.189263", "0.161189",
    "0.148214", "0.137775", "0.129740", "0.121225", "0.113821", "0.107839", "0.102855", "0.100897",
    "0.092878",
];
