//! Forward propagation and the cost: sections 4 "Forward propagation module" (`linear_forward`,
//! `linear_activation_forward`, `L_model_forward`) and 5 "Cost function" (`compute_cost`) of
//! *Building your Deep Neural Network: Step by Step*.
//!
//! The notebook's caches hold `(A_prev, W, b)` and `Z` for every layer. Here the forward pass
//! owns only what it computed (`Z[l]` and `A[l]`); a [`LayerCache`] *borrows* `A[l-1]`, `W[l]`
//! and `b[l]`, so neither the 12288 x 209 input `X` nor the weights are copied per iteration.
//!
//! [`linear_forward`] and [`l_model_forward`] compute into fresh matrices through their
//! buffer-reusing twins in [`crate::reusing`] ([`linear_forward_into`],
//! [`l_model_forward_reusing`], with the plain sigmoid [`ElementwiseSigmoid::PLAIN`]), which the
//! training loops call (with the engines' sigmoid, the same bits).

use crate::error::Result;
use crate::network::Parameters;
use crate::reusing::{ElementwiseSigmoid, l_model_forward_reusing, linear_forward_into};
use linalg_nn::activations::Activation;
use linalg_nn::cost::cross_entropy_cost;
use linalg_nn::matrix::{ensure_finite, ensure_shape};
use nalgebra::DMatrix;

/// The notebook's `linear_cache`, `(A_prev, W, b)`, as borrowed matrices.
#[derive(Clone, Copy, Debug)]
pub struct LinearCache<'a> {
    /// `A[l-1]`, `(n[l-1], m)`; for layer 1 this is `X` itself.
    pub a_prev: &'a DMatrix<f64>,
    /// `W[l]`, `(n[l], n[l-1])`.
    pub w: &'a DMatrix<f64>,
    /// `b[l]`, `(n[l], 1)`.
    pub b: &'a DMatrix<f64>,
}

/// The notebook's per-layer `cache = (linear_cache, activation_cache)` where the activation
/// cache is `Z[l]`; it also records which activation produced `A[l]` (the notebook passes that
/// to `linear_activation_backward` as a string).
#[derive(Clone, Copy, Debug)]
pub struct LayerCache<'a> {
    /// `(A[l-1], W[l], b[l])`.
    pub linear: LinearCache<'a>,
    /// `Z[l]`, `(n[l], m)`.
    pub z: &'a DMatrix<f64>,
    /// `g[l]`.
    pub activation: Activation,
}

/// What one `linear_activation_forward` step computes: `A[l]` and its `Z[l]`.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerOutput {
    /// `A[l] = g(Z[l])`.
    pub a: DMatrix<f64>,
    /// `Z[l] = W[l] A[l-1] + b[l]`.
    pub z: DMatrix<f64>,
}

/// The notebook's `linear_forward(A, W, b)`: `Z = W A + b`, with `b` broadcast over the `m`
/// columns.
///
/// The product runs on [`nn_engines::kernels::matmul_into`] (SIMD kernels chosen at run time,
/// large products split over two threads): for the cat network the 20 x 12288 by 12288 x 209
/// first layer is the whole cost of a forward pass, about 1.4 ms instead of nalgebra's 3.9 on
/// the test machine (`cargo bench -p nn-engines --bench kernels`).
///
/// ```
/// use hw3_deep::linear_forward;
/// use nalgebra::DMatrix;
/// let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// let w = DMatrix::from_row_slice(1, 2, &[0.5, -1.0]);
/// let b = DMatrix::from_row_slice(1, 1, &[0.25]);
/// let z = linear_forward(&a, &w, &b).unwrap();
/// assert_eq!(z, DMatrix::from_row_slice(1, 2, &[-2.25, -2.75]));
/// assert!(linear_forward(&a, &DMatrix::zeros(1, 3), &b).is_err());
/// ```
pub fn linear_forward(
    a_prev: &DMatrix<f64>,
    w: &DMatrix<f64>,
    b: &DMatrix<f64>,
) -> Result<DMatrix<f64>> {
    let mut z = DMatrix::zeros(w.nrows(), a_prev.ncols());
    linear_forward_into(a_prev, w, b, &mut z)?;
    Ok(z)
}

/// The notebook's `linear_activation_forward(A_prev, W, b, activation)`: `Z = W A_prev + b`,
/// then `A = g(Z)` (`sigmoid` or `relu` in the course; any [`Activation`] works).
///
/// ```
/// use hw3_deep::linear_activation_forward;
/// use linalg_nn::activations::Activation;
/// use nalgebra::DMatrix;
/// let a_prev = DMatrix::from_row_slice(2, 2, &[1.0, -1.0, 2.0, 0.0]);
/// let w = DMatrix::from_row_slice(1, 2, &[1.0, 1.0]);
/// let b = DMatrix::zeros(1, 1);
/// let out = linear_activation_forward(&a_prev, &w, &b, Activation::Relu).unwrap();
/// assert_eq!(out.z, DMatrix::from_row_slice(1, 2, &[3.0, -1.0]));
/// assert_eq!(out.a, DMatrix::from_row_slice(1, 2, &[3.0, 0.0]));
/// ```
pub fn linear_activation_forward(
    a_prev: &DMatrix<f64>,
    w: &DMatrix<f64>,
    b: &DMatrix<f64>,
    activation: Activation,
) -> Result<LayerOutput> {
    let z = linear_forward(a_prev, w, b)?;
    let a = activation.forward(&z);
    Ok(LayerOutput { a, z })
}

/// The result of [`l_model_forward`]: `Z[l]` and `A[l]` for every layer, plus borrowed `X` and
/// parameters, from which the notebook's `caches` list is rebuilt without copies.
#[derive(Debug)]
pub struct ForwardPass<'a> {
    x: &'a DMatrix<f64>,
    parameters: &'a Parameters,
    outputs: Vec<LayerOutput>,
}

impl<'a> ForwardPass<'a> {
    /// `AL`, the output of the last layer: the predicted probabilities, `(n[L], m)`.
    pub fn al(&self) -> &DMatrix<f64> {
        // `l_model_forward` refuses parameters without layers, so there is a last output.
        &self.outputs[self.outputs.len() - 1].a
    }

    /// Number of layers `L` (the notebook's `len(caches)`).
    pub fn len(&self) -> usize {
        self.outputs.len()
    }

    /// Always false: a forward pass has at least one layer.
    pub fn is_empty(&self) -> bool {
        self.outputs.is_empty()
    }

    /// `Z[l]` and `A[l]` of layer `l = index + 1`.
    pub fn output(&self, index: usize) -> Option<&LayerOutput> {
        self.outputs.get(index)
    }

    /// The notebook's `caches`: for layer `l`, `((A[l-1], W[l], b[l]), Z[l])`, where `A[0]`
    /// is the `X` the pass was computed on.
    pub fn caches(&self) -> Vec<LayerCache<'_>> {
        (0..self.len()).filter_map(|index| self.cache(index)).collect()
    }

    /// The cache of layer `l = index + 1` alone, without collecting the others.
    pub fn cache(&self, index: usize) -> Option<LayerCache<'_>> {
        let (layer, out) = (self.parameters.layers.get(index)?, self.outputs.get(index)?);
        Some(LayerCache {
            linear: LinearCache {
                a_prev: if index == 0 { self.x } else { &self.outputs[index - 1].a },
                w: &layer.w,
                b: &layer.b,
            },
            z: &out.z,
            activation: layer.activation,
        })
    }

    /// Takes `AL` out of the pass (for predictions, which need nothing else).
    pub fn into_al(mut self) -> DMatrix<f64> {
        self.outputs.pop().map(|out| out.a).unwrap_or_else(|| DMatrix::zeros(0, 0))
    }

    /// Gives back every layer's `Z[l]` and `A[l]`, the buffers the next iteration's
    /// [`l_model_forward_reusing`] fills.
    pub fn into_outputs(self) -> Vec<LayerOutput> {
        self.outputs
    }

    /// The pass of `parameters` on `x` whose layers computed `outputs` (in
    /// [`l_model_forward_reusing`]).
    pub(crate) fn from_outputs(
        x: &'a DMatrix<f64>,
        parameters: &'a Parameters,
        outputs: Vec<LayerOutput>,
    ) -> Self {
        ForwardPass { x, parameters, outputs }
    }
}

/// The notebook's `L_model_forward(X, parameters)`: `[LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID`
/// (each layer with the activation stored in `parameters`), keeping every layer's cache.
///
/// ```
/// use hw3_deep::{initialize_parameters_deep, l_model_forward};
/// use linalg_nn::{NumpyRng, init::WeightInit};
/// let mut rng = NumpyRng::new(1);
/// let params = initialize_parameters_deep(&[4, 3, 2, 1], WeightInit::InverseSqrtFanIn, &mut rng).unwrap();
/// let x = rng.randn(4, 5);
/// let pass = l_model_forward(&x, &params).unwrap();
/// assert_eq!(pass.len(), 3);
/// assert_eq!(pass.al().shape(), (1, 5));
/// assert!(pass.al().iter().all(|&p| 0.0 < p && p < 1.0));
/// // The first cache's A_prev is X itself, not a copy.
/// assert!(std::ptr::eq(pass.caches()[0].linear.a_prev, &x));
/// ```
pub fn l_model_forward<'a>(
    x: &'a DMatrix<f64>,
    parameters: &'a Parameters,
) -> Result<ForwardPass<'a>> {
    l_model_forward_reusing(x, parameters, Vec::new(), ElementwiseSigmoid::PLAIN)
}

/// The notebook's `compute_cost(AL, Y)`: the cross-entropy
/// `J = -(1/m) sum(Y log(AL) + (1 - Y) log(1 - AL))`.
///
/// `Y` must be shaped like `AL` and finite; its labels may be any real numbers, as in the
/// notebook (the course's unit tests train on `Y = np.random.randn(1, m)`).
///
/// ```
/// use hw3_deep::compute_cost;
/// use nalgebra::DMatrix;
/// // The notebook's compute_cost test case: cost = 0.2797765635793422
/// let y = DMatrix::from_row_slice(1, 3, &[1.0, 1.0, 0.0]);
/// let al = DMatrix::from_row_slice(1, 3, &[0.8, 0.9, 0.4]);
/// assert!((compute_cost(&al, &y).unwrap() - 0.2797765635793422).abs() < 1e-15);
/// // A real-valued label: -(0.25 log 0.5 + 0.75 log 0.5) = log 2.
/// let half = DMatrix::from_element(1, 1, 0.5);
/// let cost = compute_cost(&half, &DMatrix::from_element(1, 1, 0.25)).unwrap();
/// assert!((cost - std::f64::consts::LN_2).abs() < 1e-15);
/// let err = compute_cost(&half, &DMatrix::from_element(1, 1, f64::INFINITY)).unwrap_err();
/// assert_eq!(err.to_string(), "invalid Y: must contain only finite numbers, found inf at (0, 0)");
/// ```
pub fn compute_cost(al: &DMatrix<f64>, y: &DMatrix<f64>) -> Result<f64> {
    ensure_shape(al, y.shape(), "A (predicted probabilities) against Y")?;
    ensure_finite(y, "Y")?;
    Ok(cross_entropy_cost(al, y)?)
}
