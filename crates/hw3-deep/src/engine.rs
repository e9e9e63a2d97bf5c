//! The two engines' loop for the application notebook's models: the same full-batch gradient
//! descent as `two_layer_model` / `L_layer_model`, with the first layer kept by an engine of its
//! own, since only layer 1 sees the 12288 x 209 input `X`.
//!
//! - `--engine gram` ([`gradient_descent_gram`]): [`nn_engines::gram::GramFirstLayer`] keeps the
//!   pre-activation `Z1 = W1 X + b1` and updates it through `G = X^T X` (`(m, m)`, computed
//!   once), so `X` is not touched inside the loop and `W1` is built once at the end. For the
//!   deep model an iteration costs about 2 MFLOP instead of the direct engine's 205. The
//!   derivation is in `docs/reference/gram-engine.md`.
//! - `--engine direct` on the cat pictures ([`gradient_descent_direct`]):
//!   [`nn_engines::exact_bytes::ByteFirstLayer`] computes the notebook's `W1 X` and `dZ1 X^T`
//!   every iteration, as exact products of the pictures' bytes.
//!
//! Layers 2..L run the notebook's functions unchanged on `A1 = g(Z1)`:
//! [`crate::l_model_forward`], [`compute_cost`], [`crate::l_model_backward`] and
//! [`update_parameters`] (the first and the third through their twins in [`crate::reusing`],
//! [`l_model_forward_reusing`] and [`BackwardBuffers::l_model_backward_with_da0`], into buffers
//! kept between iterations, so that no iteration allocates).
//!
//! The direct engine's loop on a float64 `X`, [`gradient_descent`], is the notebook's loop
//! itself, through the same twins.
//!
//! All these loops compute the sigmoid (forward `A = sigmoid(Z)`, and `sigmoid_backward`'s
//! `s = sigmoid(Z)`) with [`VECTOR_SIGMOID`], the engines' AVX-512 lanes, eight entries at a
//! time: [`sigmoid_scalar`]'s bits, so the same numbers as the notebook's functions, which
//! compute it one entry at a time ([`ElementwiseSigmoid::PLAIN`]).

use crate::backward::Gradients;
use crate::error::Result;
use crate::forward::{ForwardPass, compute_cost};
use crate::model::{COST_EVERY, TrainOptions, TrainedModel, check_data};
use crate::network::{Layer, Parameters, check_layers_fit_data, update_parameters};
use crate::reusing::{
    BackwardBuffers, ElementwiseSigmoid, activation_backward_into, activation_forward_into,
    cost_derivative_into, l_model_forward_reusing,
};
use linalg_nn::NnError;
use linalg_nn::activations::Activation;
#[cfg(doc)]
use linalg_nn::activations::sigmoid_scalar;
use linalg_nn::train::{Iteration, TrainObserver, check_cost, validate_hyperparameters};
use nalgebra::DMatrix;
use nn_engines::exact_bytes::ByteFirstLayer;
pub use nn_engines::gram::gram_of_pictures;
use nn_engines::gram::{Engine, GramFirstLayer, GramMatrix, GramSettings};
use nn_engines::inputs::Inputs;
pub use nn_engines::inputs::{load_dataset_in_parallel, pictures_as_floats};

/// Which engine trains a model, and the Gram matrix `X^T X` if it was computed before (several
/// runs on the same pictures, e.g. `--compare-presets`, then compute it once).
///
/// The default is [`Engine::Auto`]: the Gram engine when there are more features than examples
/// (`n_x > m`, the cat pictures: 12288 > 209), where it is much faster, and the direct engine
/// otherwise.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EngineOptions<'g> {
    /// `Direct` ([`gradient_descent`]), `Gram` ([`gradient_descent_gram`]) or `Auto`.
    pub engine: Engine,
    /// `X^T X` for the training inputs, used by the Gram engine only; `None` computes it.
    pub gram: Option<&'g GramMatrix>,
}

impl EngineOptions<'static> {
    /// The notebook's computation, step for step.
    pub const DIRECT: Self = EngineOptions { engine: Engine::Direct, gram: None };
}

/// The sigmoid of the training loops: [`nn_engines::vector_exp::sigmoid_into`], eight entries
/// at a time in AVX-512 lanes where the CPU has them, [`sigmoid_scalar`]'s bits on every entry
/// (as [`ElementwiseSigmoid::PLAIN`], which the notebook's functions use).
///
/// ```
/// use hw3_deep::engine::VECTOR_SIGMOID;
/// use hw3_deep::reusing::ElementwiseSigmoid;
/// let z: Vec<f64> = (0..21).map(|i| (i as f64 - 10.0) * 0.37).collect();
/// let (mut vector, mut plain) = (vec![0.0; 21], vec![0.0; 21]);
/// VECTOR_SIGMOID.apply(&z, &mut vector);
/// ElementwiseSigmoid::PLAIN.apply(&z, &mut plain);
/// assert_eq!(vector, plain);
/// ```
pub const VECTOR_SIGMOID: ElementwiseSigmoid =
    ElementwiseSigmoid::new(nn_engines::vector_exp::sigmoid_into);

/// The loop body shared by both notebook models: `num_iterations` steps of forward
/// propagation, (every [`COST_EVERY`] iterations) the cost, backward propagation and the
/// update. The observer sees every iteration; a non-finite recorded cost or non-finite final
/// parameters end the run with [`NnError::Diverged`].
///
/// `Y` is `(1, m)` with any finite labels, as in the notebook (a NaN or infinite label is
/// refused before the first iteration); the classifier's 0/1 labels are checked where the data
/// enter ([`check_binary_labels`](crate::check_binary_labels)).
///
/// This is the direct engine (`--engine direct`), the notebook's computation step for step;
/// [`gradient_descent_gram`] is the same descent without `X` in the loop. Forward and backward
/// propagation run through their buffer-reusing twins ([`crate::reusing`]), with the sigmoid of
/// the engines' vector lanes ([`VECTOR_SIGMOID`]): the notebook's functions' bits, and no
/// iteration allocates.
///
/// ```
/// use hw3_deep::{gradient_descent, initialize_parameters_deep, TrainOptions};
/// use linalg_nn::{NumpyRng, init::WeightInit, train::Silent};
/// use nalgebra::DMatrix;
///
/// // Two points, one feature: x = -1 is class 0, x = 1 is class 1.
/// let x = DMatrix::from_row_slice(1, 2, &[-1.0, 1.0]);
/// let y = DMatrix::from_row_slice(1, 2, &[0.0, 1.0]);
/// let options = TrainOptions { num_iterations: 300, learning_rate: 0.5, init: WeightInit::Zeros, seed: 1 };
/// let start = initialize_parameters_deep(&[1, 1], options.init, &mut NumpyRng::new(1)).unwrap();
/// let trained = gradient_descent(&x, &y, start, &options, &mut Silent).unwrap();
/// assert_eq!(trained.costs.len(), 3);
/// assert!((trained.costs[0] - std::f64::consts::LN_2).abs() < 1e-15);
/// assert!(trained.costs[2] < trained.costs[1]);
/// ```
pub fn gradient_descent(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    mut parameters: Parameters,
    options: &TrainOptions,
    observer: &mut impl TrainObserver,
) -> Result<TrainedModel> {
    let TrainOptions { num_iterations, learning_rate, .. } = *options;
    validate_hyperparameters(num_iterations, learning_rate)?;
    check_data(x, y)?;
    check_layers_fit_data(&parameters.layer_dims(), x.nrows())?;
    let mut costs = Vec::with_capacity(num_iterations.div_ceil(COST_EVERY));
    // The notebook builds fresh arrays and a fresh `grads` dictionary every iteration; here
    // every Z[l], A[l], dA[l], dZ[l] and gradient is a buffer of the first iteration, filled in
    // place afterwards (dW1 alone is n1 x 12288 for the cat pictures).
    let mut grads = Gradients::zeros_like(&parameters);
    let (mut outputs, mut backward) = (Vec::new(), BackwardBuffers::default());
    for i in 0..num_iterations {
        let pass = l_model_forward_reusing(x, &parameters, outputs, VECTOR_SIGMOID)?;
        let cost = if i % COST_EVERY == 0 {
            let cost = compute_cost(pass.al(), y)?;
            check_cost(i, cost, learning_rate)?;
            costs.push(cost);
            Some(cost)
        } else {
            None
        };
        backward.l_model_backward(&pass, y, &mut grads, VECTOR_SIGMOID)?;
        outputs = pass.into_outputs();
        update_parameters(&mut parameters, &grads, learning_rate)?;
        observer.on_iteration(&Iteration { index: i, total: num_iterations, cost });
    }
    if !parameters.all_finite() {
        return Err(
            NnError::ParametersDiverged { iteration: num_iterations - 1, learning_rate }.into()
        );
    }
    Ok(TrainedModel { parameters, costs, engine: Engine::Direct })
}

/// [`gradient_descent`] by the Gram engine: the same initial parameters give the same
/// costs (to about 1e-14) and, up to rounding, the same trained parameters, with each iteration's
/// first layer updated through `G = X^T X`. `gram` is `X^T X` if the caller has it already.
///
/// The first layer's pre-activation must be linear in `X` (it always is here) and the descent
/// plain full-batch gradient descent, the only setting in which the identity is exact; the
/// engine refuses any other ([`GramSettings::check`]).
///
/// ```
/// use hw3_deep::{gradient_descent, gradient_descent_gram, initialize_parameters_deep, TrainOptions};
/// use linalg_nn::{NumpyRng, init::WeightInit, train::Silent};
/// use nalgebra::DMatrix;
///
/// let mut rng = NumpyRng::new(3);
/// let x = rng.randn(40, 6); // 40 features, 6 examples
/// let y = DMatrix::from_row_slice(1, 6, &[1.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
/// let options = TrainOptions { num_iterations: 200, learning_rate: 0.1, init: WeightInit::InverseSqrtFanIn, seed: 1 };
/// let start = initialize_parameters_deep(&[40, 4, 1], options.init, &mut NumpyRng::new(1)).unwrap();
/// let direct = gradient_descent(&x, &y, start.clone(), &options, &mut Silent).unwrap();
/// let gram = gradient_descent_gram(&x, &y, start, &options, None, &mut Silent).unwrap();
/// assert!((direct.costs[1] - gram.costs[1]).abs() < 1e-13);
/// for (d, g) in direct.parameters.layers.iter().zip(&gram.parameters.layers) {
///     assert!((&d.w - &g.w).abs().max() < 1e-12 && (&d.b - &g.b).abs().max() < 1e-12);
/// }
/// ```
pub fn gradient_descent_gram(
    x: &dyn Inputs,
    y: &DMatrix<f64>,
    parameters: Parameters,
    options: &TrainOptions,
    gram: Option<&GramMatrix>,
    observer: &mut impl TrainObserver,
) -> Result<TrainedModel> {
    let learning_rate = options.learning_rate;
    let (w1, b1, g1, rest) = checked_first_layer(x, y, parameters, options)?;
    let settings = GramSettings::default();
    let first = match gram {
        Some(g) => GramFirstLayer::with_gram(x, g, w1, b1, learning_rate, settings)?,
        None => GramFirstLayer::new(x, w1, b1, learning_rate, settings)?,
    };
    descend(first, g1, rest, y, options, observer, Engine::Gram)
}

/// The direct engine ([`gradient_descent`]) for any inputs: on the cat pictures' bytes
/// ([`Inputs::pixels`], within the exact sums' range, [`ByteFirstLayer::fits`]) the
/// first layer's `W1 X` and `dZ1 X^T` are exact byte products computed every iteration
/// ([`ByteFirstLayer`]); any other inputs run [`gradient_descent`] on `X` as a float64
/// matrix. Both are the notebook's computation step for step, and give the same costs to about
/// 1e-13.
///
/// ```
/// use hw3_deep::{gradient_descent, gradient_descent_direct, initialize_parameters_deep, TrainOptions};
/// use linalg_nn::{NumpyRng, init::WeightInit, train::Silent};
/// use nalgebra::DMatrix;
///
/// let mut rng = NumpyRng::new(3);
/// let x = rng.randn(40, 6); // a float64 matrix: the notebook's loop itself
/// let y = DMatrix::from_row_slice(1, 6, &[1.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
/// let options = TrainOptions { num_iterations: 200, learning_rate: 0.1, init: WeightInit::InverseSqrtFanIn, seed: 1 };
/// let start = initialize_parameters_deep(&[40, 4, 1], options.init, &mut NumpyRng::new(1)).unwrap();
/// let loop_itself = gradient_descent(&x, &y, start.clone(), &options, &mut Silent).unwrap();
/// let direct = gradient_descent_direct(&x, &y, start, &options, &mut Silent).unwrap();
/// assert_eq!(direct, loop_itself);
/// ```
pub fn gradient_descent_direct(
    x: &dyn Inputs,
    y: &DMatrix<f64>,
    parameters: Parameters,
    options: &TrainOptions,
    observer: &mut impl TrainObserver,
) -> Result<TrainedModel> {
    let (n_x, m) = x.shape();
    let Some(pixels) = x.pixels().filter(|_| ByteFirstLayer::fits(n_x, m)) else {
        return gradient_descent(&x.to_matrix(), y, parameters, options, observer);
    };
    let (w1, b1, g1, rest) = checked_first_layer(x, y, parameters, options)?;
    let first = ByteFirstLayer::new(pixels, n_x, w1, b1, options.learning_rate)?;
    descend(first, g1, rest, y, options, observer, Engine::Direct)
}

/// Layer 1 of a network as the engines keep it: `Z1 = W1 X + b1` kept current by
/// [`FirstLayer::step`], with `X` read by the engine's own products.
trait FirstLayer {
    /// The current `Z1` `(n1, m)`.
    fn z(&self) -> &DMatrix<f64>;
    /// Updates `W1` and `b1` from `dZ1` by gradient descent, and `Z1` with them.
    fn step(&mut self, dz: &DMatrix<f64>) -> linalg_nn::Result<()>;
    /// The current `W1` and `b1`.
    fn parameters(&self) -> (DMatrix<f64>, DMatrix<f64>);
}

impl FirstLayer for GramFirstLayer<'_> {
    fn z(&self) -> &DMatrix<f64> {
        GramFirstLayer::z(self)
    }
    fn step(&mut self, dz: &DMatrix<f64>) -> linalg_nn::Result<()> {
        GramFirstLayer::step(self, dz)
    }
    fn parameters(&self) -> (DMatrix<f64>, DMatrix<f64>) {
        (self.weights(), self.bias().clone())
    }
}

impl FirstLayer for ByteFirstLayer {
    fn z(&self) -> &DMatrix<f64> {
        ByteFirstLayer::z(self)
    }
    fn step(&mut self, dz: &DMatrix<f64>) -> linalg_nn::Result<()> {
        ByteFirstLayer::step(self, dz)
    }
    fn parameters(&self) -> (DMatrix<f64>, DMatrix<f64>) {
        (self.weights(), self.bias().clone())
    }
}

/// The checks both engines make before training (the hyperparameters, `X` against `Y`, the
/// layers against `X`), then `W1`, `b1` and `g1` of `parameters`, and layers 2..L as a network
/// whose input is `A1` (no layers at all for a 1-layer model).
fn checked_first_layer(
    x: &dyn Inputs,
    y: &DMatrix<f64>,
    parameters: Parameters,
    options: &TrainOptions,
) -> Result<(DMatrix<f64>, DMatrix<f64>, Activation, Parameters)> {
    validate_hyperparameters(options.num_iterations, options.learning_rate)?;
    check_data(x, y)?;
    // At least one layer, whose inputs are X's rows.
    check_layers_fit_data(&parameters.layer_dims(), x.shape().0)?;
    let mut hidden_and_output = parameters.layers;
    let Layer { w, b, activation } = hidden_and_output.remove(0);
    Ok((w, b, activation, Parameters { layers: hidden_and_output }))
}

/// The loop of both engines: layer 1 is `first` (activation `g1`), layers 2..L run the
/// notebook's functions unchanged on `A1 = g1(Z1)`.
fn descend(
    mut first: impl FirstLayer,
    g1: Activation,
    mut rest: Parameters,
    y: &DMatrix<f64>,
    options: &TrainOptions,
    observer: &mut impl TrainObserver,
    engine: Engine,
) -> Result<TrainedModel> {
    let TrainOptions { num_iterations, learning_rate, .. } = *options;
    let mut rest_grads = Gradients::zeros_like(&rest);
    let mut costs = Vec::with_capacity(num_iterations.div_ceil(COST_EVERY));
    // Every matrix of an iteration is a buffer allocated here or in the first iteration.
    let (n1, m) = first.z().shape();
    let (mut a1, mut dz1) = (DMatrix::zeros(n1, m), DMatrix::zeros(n1, m));
    // dA1 when layer 1 is the output layer (no layers 2..L).
    let mut output_da = DMatrix::zeros(n1, m);
    let (mut outputs, mut backward) = (Vec::new(), BackwardBuffers::default());
    for i in 0..num_iterations {
        // Forward: A1 = g(Z1) with Z1 kept current by the engine, then L_model_forward
        // over layers 2..L.
        activation_forward_into(first.z(), g1, &mut a1, VECTOR_SIGMOID)?;
        let pass = match rest.layers.is_empty() {
            true => None,
            false => {
                let buffers = std::mem::take(&mut outputs);
                Some(l_model_forward_reusing(&a1, &rest, buffers, VECTOR_SIGMOID)?)
            }
        };
        let al = pass.as_ref().map_or(&a1, ForwardPass::al);
        let cost = if i % COST_EVERY == 0 {
            let cost = compute_cost(al, y)?;
            check_cost(i, cost, learning_rate)?;
            costs.push(cost);
            Some(cost)
        } else {
            None
        };
        // Backward: L_model_backward over layers L..2 also gives dA1; dZ1 = dA1 * g'(Z1).
        let da1 = match &pass {
            Some(pass) => {
                backward.l_model_backward_with_da0(pass, y, &mut rest_grads, VECTOR_SIGMOID)?
            }
            None => {
                cost_derivative_into(al, y, &mut output_da)?;
                &output_da
            }
        };
        activation_backward_into(da1, first.z(), g1, &mut dz1, VECTOR_SIGMOID)?;
        if let Some(pass) = pass {
            outputs = pass.into_outputs();
        }
        // Update: layers 2..L as the notebook; layer 1 by the engine.
        update_parameters(&mut rest, &rest_grads, learning_rate)?;
        first.step(&dz1)?;
        observer.on_iteration(&Iteration { index: i, total: num_iterations, cost });
    }

    let (w1, b1) = first.parameters();
    let mut layers = Vec::with_capacity(rest.layers.len() + 1);
    layers.push(Layer { w: w1, b: b1, activation: g1 });
    layers.extend(rest.layers);
    let parameters = Parameters { layers };
    if !parameters.all_finite() {
        return Err(
            NnError::ParametersDiverged { iteration: num_iterations - 1, learning_rate }.into()
        );
    }
    Ok(TrainedModel { parameters, costs, engine })
}
