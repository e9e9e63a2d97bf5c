//! The training loops' buffer-reusing twins of the notebook's functions: each computes what its
//! notebook twin returns, into buffers the caller allocated once (`*_into`) or kept from the
//! previous iteration (`*_reusing`, [`BackwardBuffers`]).
//!
//! The notebook builds fresh arrays and a fresh `grads` dictionary every iteration; the crate's
//! training loops ([`crate::gradient_descent`], the direct engine, and the engines' loop of
//! [`crate::gradient_descent_gram`] / [`crate::gradient_descent_direct`]) allocate every `Z[l]`,
//! `A[l]`, `dA[l]`, `dZ[l]` and gradient once and then allocate nothing per iteration
//! (`tests/allocations.rs` counts). A learner reading the notebooks side by side needs none of
//! this: the crate root holds the notebook's functions, and these are reached as
//! `hw3_deep::reusing::...`.
//!
//! | notebook | its function here | buffer-reusing twin |
//! |---|---|---|
//! | `linear_forward` | [`linear_forward`] | [`linear_forward_into`] |
//! | `L_model_forward` | [`l_model_forward`] | [`l_model_forward_reusing`] (buffers from [`ForwardPass::into_outputs`]) |
//! | `sigmoid`, `relu` | [`Activation::forward`] | [`activation_forward_into`] |
//! | `sigmoid_backward`, `relu_backward` | [`activation_backward`] | [`activation_backward_into`] |
//! | `linear_backward` (its `dW`, `db`) | [`linear_backward_weights`] | [`linear_backward_weights_into`] |
//! | `dAL` in `L_model_backward` | [`cost_derivative`] | [`cost_derivative_into`] |
//! | `L_model_backward` | [`l_model_backward`] | [`l_model_backward_into`], [`l_model_backward_with_da0`]; in the loops [`BackwardBuffers::l_model_backward`] (skips `dA0`) and [`BackwardBuffers::l_model_backward_with_da0`] (the Gram engine) |
//!
//! (`compute_cost` and `update_parameters` allocate nothing already.)
//!
//! Each twin gives the same bits as its notebook function: the notebook functions are these
//! variants run into fresh matrices, and the doctests here and `tests/reusing.rs` compare the
//! two on buffers holding stale values (NaN, another pass, the wrong shape).
//!
//! The twins that compute a sigmoid (a sigmoid layer's `A = sigmoid(Z)`, and
//! `sigmoid_backward`'s `s = sigmoid(Z)`) take it as an [`ElementwiseSigmoid`]: the notebook's
//! functions pass [`ElementwiseSigmoid::PLAIN`], the training loops of [`crate::engine`] pass
//! the engines' vector lanes ([`crate::engine::VECTOR_SIGMOID`]), which give the same bits.
//! Nothing here picks an engine.

use crate::backward::{Gradients, LayerGradients};
#[cfg(doc)]
use crate::backward::{
    activation_backward, cost_derivative, l_model_backward, linear_backward_weights,
};
use crate::error::{DeepError, Result};
use crate::forward::{ForwardPass, LayerCache, LayerOutput, LinearCache};
#[cfg(doc)]
use crate::forward::{l_model_forward, linear_forward};
use crate::network::Parameters;
use linalg_nn::activations::{Activation, sigmoid_scalar};
use linalg_nn::matrix::{add_column_mut, ensure_finite, ensure_shape};
use linalg_nn::{DMatrix, NnError};
use nn_engines::kernels::{Op, gemm_into, matmul_into};

/// The element-wise sigmoid of a slice, `out[i] = sigmoid(z[i])`, with which the functions here
/// compute a sigmoid layer's `A = sigmoid(Z)` and `dnn_utils.sigmoid_backward`'s
/// `s = sigmoid(Z)`. Whatever function it holds must give [`sigmoid_scalar`]'s bits for every
/// entry, however the slice is cut: then every result here is its notebook function's, bit for
/// bit, whichever sigmoid computed it.
///
/// The notebook's functions pass [`ElementwiseSigmoid::PLAIN`] (also the [`Default`]); the
/// training loops pass [`crate::engine::VECTOR_SIGMOID`], the engines' AVX-512 lanes.
///
/// ```
/// use hw3_deep::reusing::ElementwiseSigmoid;
/// use linalg_nn::activations::sigmoid_scalar;
/// let z = [-800.0, -2.0, 0.0, 0.5, 3.0];
/// let mut s = [f64::NAN; 5];
/// ElementwiseSigmoid::PLAIN.apply(&z, &mut s);
/// assert_eq!(s, z.map(sigmoid_scalar));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ElementwiseSigmoid {
    /// `out[i] = sigmoid(z[i])`, `(z, out)` of the same length.
    slice: fn(&[f64], &mut [f64]),
}

impl ElementwiseSigmoid {
    /// [`sigmoid_scalar`] of every entry, one at a time: what the notebook's functions use.
    pub const PLAIN: Self = Self::new(plain_sigmoid_into);

    /// The sigmoid computed by `slice`, which must write `sigmoid_scalar(z[i])`'s bits into
    /// `out[i]` for slices `(z, out)` of the same length.
    pub const fn new(slice: fn(&[f64], &mut [f64])) -> Self {
        ElementwiseSigmoid { slice }
    }

    /// `out[i] = sigmoid(z[i])`.
    ///
    /// # Panics
    /// If `out` is not as long as `z`.
    pub fn apply(self, z: &[f64], out: &mut [f64]) {
        assert_eq!(z.len(), out.len(), "one sigmoid per entry of Z");
        (self.slice)(z, out);
    }
}

impl Default for ElementwiseSigmoid {
    fn default() -> Self {
        Self::PLAIN
    }
}

/// [`ElementwiseSigmoid::PLAIN`]: [`sigmoid_scalar`] of every entry.
fn plain_sigmoid_into(z: &[f64], out: &mut [f64]) {
    out.iter_mut().zip(z).for_each(|(s, &v)| *s = sigmoid_scalar(v));
}

/// `A = g(Z)` into `a`, a buffer shaped like `Z` that a training loop allocated once: the
/// notebook's `sigmoid(Z)` / `relu(Z)` ([`Activation::forward`], the same bits), with `sigmoid`
/// computing a sigmoid layer's.
///
/// ```
/// use hw3_deep::reusing::{ElementwiseSigmoid, activation_forward_into};
/// use linalg_nn::activations::Activation;
/// use nalgebra::DMatrix;
/// let z = DMatrix::from_row_slice(1, 3, &[-1.0, 0.0, 2.0]);
/// let mut a = DMatrix::from_element(1, 3, f64::NAN); // old contents are overwritten
/// for g in Activation::ALL {
///     activation_forward_into(&z, g, &mut a, ElementwiseSigmoid::PLAIN).unwrap();
///     assert_eq!(a, g.forward(&z));
/// }
/// let wrong = &mut DMatrix::zeros(3, 1);
/// assert!(activation_forward_into(&z, Activation::Sigmoid, wrong, ElementwiseSigmoid::PLAIN).is_err());
/// ```
pub fn activation_forward_into(
    z: &DMatrix<f64>,
    activation: Activation,
    a: &mut DMatrix<f64>,
    sigmoid: ElementwiseSigmoid,
) -> Result<()> {
    match activation {
        Activation::Sigmoid => {
            ensure_shape(a, z.shape(), "the activation's output against Z")?;
            sigmoid.apply(z.as_slice(), a.as_mut_slice());
        }
        other => other.forward_into(z, a)?,
    }
    Ok(())
}

/// [`linear_forward`] into `z` `(n[l], m)`, a buffer a training loop allocated once.
///
/// ```
/// use hw3_deep::linear_forward;
/// use hw3_deep::reusing::linear_forward_into;
/// use nalgebra::DMatrix;
/// let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// let w = DMatrix::from_row_slice(1, 2, &[0.5, -1.0]);
/// let b = DMatrix::from_row_slice(1, 1, &[0.25]);
/// let mut z = DMatrix::from_element(1, 2, f64::NAN); // old contents are overwritten
/// linear_forward_into(&a, &w, &b, &mut z).unwrap();
/// assert_eq!(z, linear_forward(&a, &w, &b).unwrap());
/// assert!(linear_forward_into(&a, &w, &b, &mut DMatrix::zeros(2, 2)).is_err());
/// ```
pub fn linear_forward_into(
    a_prev: &DMatrix<f64>,
    w: &DMatrix<f64>,
    b: &DMatrix<f64>,
    z: &mut DMatrix<f64>,
) -> Result<()> {
    ensure_shape(w, (w.nrows(), a_prev.nrows()), "W (its columns must match the rows of A_prev)")?;
    ensure_shape(b, (w.nrows(), 1), "b (one bias per row of W)")?;
    ensure_shape(z, (w.nrows(), a_prev.ncols()), "the Z buffer against W A_prev")?;
    matmul_into(z, w, Op::N, a_prev, Op::N)?;
    add_column_mut(z, b)?;
    Ok(())
}

/// [`l_model_forward`] into the `Z[l]`, `A[l]` buffers of an earlier pass
/// ([`ForwardPass::into_outputs`]): a training loop allocates them in its first iteration and
/// never again. Buffers of the wrong shape, or missing ones, are replaced. Sigmoid layers
/// compute `A = sigmoid(Z)` with `sigmoid`.
///
/// ```
/// use hw3_deep::reusing::{ElementwiseSigmoid, l_model_forward_reusing};
/// use hw3_deep::{initialize_parameters_deep, l_model_forward};
/// use linalg_nn::{NumpyRng, init::WeightInit};
/// let mut rng = NumpyRng::new(1);
/// let params = initialize_parameters_deep(&[4, 3, 1], WeightInit::InverseSqrtFanIn, &mut rng).unwrap();
/// let (x, other_x) = (rng.randn(4, 5), rng.randn(4, 5));
/// let buffers = l_model_forward(&other_x, &params).unwrap().into_outputs();
/// let reused = l_model_forward_reusing(&x, &params, buffers, ElementwiseSigmoid::PLAIN).unwrap();
/// assert_eq!(reused.al(), l_model_forward(&x, &params).unwrap().al());
/// ```
pub fn l_model_forward_reusing<'a>(
    x: &'a DMatrix<f64>,
    parameters: &'a Parameters,
    mut outputs: Vec<LayerOutput>,
    sigmoid: ElementwiseSigmoid,
) -> Result<ForwardPass<'a>> {
    let Some(first) = parameters.layers.first() else {
        return Err(DeepError::layers(&[], "the parameters have no layers"));
    };
    if x.nrows() != first.inputs() {
        let what = format!("X against W1: the network takes {} features", first.inputs());
        ensure_shape(x, (first.inputs(), x.ncols()), &what)?;
    }
    let m = x.ncols();
    outputs.truncate(parameters.layers.len());
    for (index, layer) in parameters.layers.iter().enumerate() {
        let shape = (layer.w.nrows(), m);
        match outputs.get_mut(index) {
            Some(out) if out.z.shape() == shape && out.a.shape() == shape => {}
            Some(out) => {
                *out = LayerOutput { a: DMatrix::zeros(shape.0, m), z: DMatrix::zeros(shape.0, m) }
            }
            None => outputs
                .push(LayerOutput { a: DMatrix::zeros(shape.0, m), z: DMatrix::zeros(shape.0, m) }),
        }
        let (before, rest) = outputs.split_at_mut(index);
        let a_prev = if index == 0 { x } else { &before[index - 1].a };
        let out = &mut rest[0];
        linear_forward_into(a_prev, &layer.w, &layer.b, &mut out.z)?;
        activation_forward_into(&out.z, layer.activation, &mut out.a, sigmoid)?;
    }
    Ok(ForwardPass::from_outputs(x, parameters, outputs))
}

/// [`activation_backward`] into `dz`, a buffer shaped like `dA` that a training loop allocated
/// once; `sigmoid_backward`'s `s = sigmoid(Z)` is computed with `sigmoid`.
///
/// ```
/// use hw3_deep::activation_backward;
/// use hw3_deep::reusing::{ElementwiseSigmoid, activation_backward_into};
/// use linalg_nn::activations::Activation;
/// use nalgebra::DMatrix;
/// let da = DMatrix::from_row_slice(1, 3, &[5.0, 6.0, 7.0]);
/// let z = DMatrix::from_row_slice(1, 3, &[-1.0, 0.0, 2.0]);
/// let mut dz = DMatrix::zeros(1, 3);
/// for g in Activation::ALL {
///     activation_backward_into(&da, &z, g, &mut dz, ElementwiseSigmoid::PLAIN).unwrap();
///     assert_eq!(dz, activation_backward(&da, &z, g).unwrap());
/// }
/// let wrong = &mut DMatrix::zeros(3, 1);
/// assert!(activation_backward_into(&da, &z, Activation::Relu, wrong, ElementwiseSigmoid::PLAIN).is_err());
/// ```
pub fn activation_backward_into(
    da: &DMatrix<f64>,
    z: &DMatrix<f64>,
    activation: Activation,
    dz: &mut DMatrix<f64>,
    sigmoid: ElementwiseSigmoid,
) -> Result<()> {
    let what = match activation {
        Activation::Sigmoid => "Z against dA (sigmoid backward)",
        Activation::Tanh => "Z against dA (tanh backward)",
        Activation::Relu => "Z against dA (relu backward)",
        Activation::LeakyRelu => "Z against dA (leaky-relu backward)",
    };
    ensure_shape(z, da.shape(), what)?;
    ensure_shape(dz, da.shape(), "the dZ buffer against dA")?;
    let (out, da, z) = (dz.as_mut_slice(), da.as_slice(), z.as_slice());
    match activation {
        // `dnn_utils.sigmoid_backward`: s recomputed from Z, as the notebook does, into dZ's
        // buffer, then dZ = dA s (1 - s) in place (the product in the notebook's order).
        Activation::Sigmoid => {
            sigmoid.apply(z, out);
            out.iter_mut().zip(da).for_each(|(out, &d)| {
                let s = *out;
                *out = d * s * (1.0 - s);
            });
        }
        // `dnn_utils.relu_backward`. A select rather than a conditional store: the sign of Z is
        // random, so a branch would be mispredicted half the time, and the select vectorises.
        Activation::Relu => out
            .iter_mut()
            .zip(da.iter().zip(z))
            .for_each(|(out, (&d, &zv))| *out = if zv <= 0.0 { 0.0 } else { d }),
        other => out.iter_mut().zip(da.iter().zip(z)).for_each(|(out, (&d, &zv))| {
            *out = d * other.derivative_scalar(zv, other.apply_scalar(zv));
        }),
    }
    Ok(())
}

/// [`linear_backward_weights`] into buffers the caller allocated once: a training loop reuses
/// them every iteration instead of allocating a fresh `dW1` (20 x 12288 for the cat network).
///
/// ```
/// use hw3_deep::backward::linear_backward_weights;
/// use hw3_deep::reusing::linear_backward_weights_into;
/// use hw3_deep::{LayerGradients, LinearCache};
/// use nalgebra::DMatrix;
/// let a_prev = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// let (w, b) = (DMatrix::zeros(2, 2), DMatrix::zeros(2, 1));
/// let dz = DMatrix::from_row_slice(2, 3, &[1.0, -1.0, 0.5, 2.0, 0.0, -3.0]);
/// let cache = LinearCache { a_prev: &a_prev, w: &w, b: &b };
/// // Old contents (even NaN) are overwritten.
/// let mut grads = LayerGradients { dw: DMatrix::from_element(2, 2, f64::NAN), db: DMatrix::zeros(2, 1) };
/// linear_backward_weights_into(&dz, &cache, &mut grads).unwrap();
/// assert_eq!(grads, linear_backward_weights(&dz, &cache).unwrap());
/// ```
pub fn linear_backward_weights_into(
    dz: &DMatrix<f64>,
    cache: &LinearCache<'_>,
    grads: &mut LayerGradients,
) -> Result<()> {
    let LinearCache { a_prev, w, b } = *cache;
    let m = a_prev.ncols();
    if m == 0 {
        return Err(NnError::invalid("A_prev", "backward propagation over zero examples").into());
    }
    ensure_shape(dz, (w.nrows(), m), "dZ against W A_prev")?;
    ensure_shape(w, (w.nrows(), a_prev.nrows()), "W against A_prev")?;
    ensure_shape(b, (w.nrows(), 1), "b against W")?;
    ensure_shape(&grads.dw, w.shape(), "the dW buffer against W")?;
    ensure_shape(&grads.db, b.shape(), "the db buffer against b")?;
    let inv_m = 1.0 / m as f64;
    // dZ A_prev^T straight from the stored A_prev (for layer 1, the 12288 x 209 X): the kernel
    // reads the transpose through strides, with no copy, and scales by 1/m as it writes.
    gemm_into(&mut grads.dw, 0.0, dz, Op::N, a_prev, Op::T, inv_m)?;
    // The row sums of dZ, accumulated a column at a time: each row is still summed left to
    // right, but the additions of different rows are independent and vectorise.
    let db = grads.db.as_mut_slice();
    db.fill(0.0);
    if !db.is_empty() {
        for dz_column in dz.as_slice().chunks_exact(db.len()) {
            db.iter_mut().zip(dz_column).for_each(|(sum, v)| *sum += v);
        }
    }
    db.iter_mut().for_each(|sum| *sum *= inv_m);
    Ok(())
}

/// [`cost_derivative`] into `dal`, a buffer shaped like `AL`: `dAL`, where
/// `L_model_backward` starts (the engines' loop calls it for a network of one layer, whose `dA1`
/// is `dAL`).
///
/// ```
/// use hw3_deep::cost_derivative;
/// use hw3_deep::reusing::cost_derivative_into;
/// use nalgebra::DMatrix;
/// let y = DMatrix::from_row_slice(1, 4, &[1.0, 0.0, 1.0, 0.25]);
/// let al = DMatrix::from_row_slice(1, 4, &[0.5, 0.75, 1.0, 0.5]);
/// let mut dal = DMatrix::from_element(1, 4, f64::NAN); // old contents are overwritten
/// cost_derivative_into(&al, &y, &mut dal).unwrap();
/// assert_eq!(dal, cost_derivative(&al, &y).unwrap());
/// assert!(cost_derivative_into(&al, &y, &mut DMatrix::zeros(4, 1)).is_err());
/// ```
pub fn cost_derivative_into(
    al: &DMatrix<f64>,
    y: &DMatrix<f64>,
    dal: &mut DMatrix<f64>,
) -> Result<()> {
    ensure_shape(al, y.shape(), "AL against Y")?;
    ensure_shape(dal, al.shape(), "the dAL buffer against AL")?;
    // Any finite label, as the notebook's; a NaN one would only show up as a NaN cost later,
    // blamed on the learning rate. (The message is formatted only when a label is not finite.)
    ensure_finite(y, "Y")?;
    let ratio = |num: f64, den: f64| if num == 0.0 { 0.0 } else { num / den };
    for (out, (&a, &yv)) in dal.iter_mut().zip(al.iter().zip(y.iter())) {
        *out = -(ratio(yv, a) - ratio(1.0 - yv, 1.0 - a));
    }
    Ok(())
}

/// [`l_model_backward`] into gradient buffers the caller keeps (from
/// [`Gradients::zeros_like`], or an earlier call): every `dW[l]`, `db[l]` and `dA[l]`, the same
/// values, written in place, sigmoid layers' `s = sigmoid(Z)` computed with `sigmoid`. A
/// training loop calls [`BackwardBuffers::l_model_backward`] instead, which also keeps the
/// intermediate `dAL`, `dZ[l]` and skips `dA[0]`.
///
/// ```
/// use hw3_deep::reusing::{ElementwiseSigmoid, l_model_backward_into};
/// use hw3_deep::{Gradients, initialize_parameters_deep, l_model_backward, l_model_forward};
/// use linalg_nn::{NumpyRng, init::WeightInit};
/// use nalgebra::DMatrix;
/// let mut rng = NumpyRng::new(2);
/// let params = initialize_parameters_deep(&[3, 4, 1], WeightInit::InverseSqrtFanIn, &mut rng).unwrap();
/// let x = rng.randn(3, 6);
/// let y = DMatrix::from_row_slice(1, 6, &[1.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
/// let pass = l_model_forward(&x, &params).unwrap();
/// let mut grads = Gradients::zeros_like(&params);
/// l_model_backward_into(pass.al(), &y, &pass.caches(), &mut grads, ElementwiseSigmoid::PLAIN).unwrap();
/// assert_eq!(grads, l_model_backward(pass.al(), &y, &pass.caches()).unwrap());
/// ```
pub fn l_model_backward_into(
    al: &DMatrix<f64>,
    y: &DMatrix<f64>,
    caches: &[LayerCache<'_>],
    grads: &mut Gradients,
    sigmoid: ElementwiseSigmoid,
) -> Result<()> {
    let cache = |index: usize| caches.get(index).copied();
    let mut buffers = BackwardBuffers::default();
    buffers.through_layers(al, y, caches.len(), cache, grads, true, sigmoid)
}

/// [`l_model_backward_into`], returning a copy of `dA[0] = W1^T dZ1`, the gradient with
/// respect to the network's input (the notebook's `grads["dA0"]`, also left in `grads.da[0]`).
///
/// The Gram engine needs it: it runs layers 2..L through these functions with `A[1]` as their
/// input, and `dA[1]` is what turns into `dZ1` for the first layer (in its loop, through
/// [`BackwardBuffers::l_model_backward_with_da0`], which copies nothing).
///
/// ```
/// use hw3_deep::reusing::{ElementwiseSigmoid, l_model_backward_with_da0};
/// use hw3_deep::{Gradients, initialize_parameters_deep, l_model_forward};
/// use linalg_nn::{NumpyRng, init::WeightInit};
/// use nalgebra::DMatrix;
/// let mut rng = NumpyRng::new(2);
/// let params = initialize_parameters_deep(&[3, 1], WeightInit::InverseSqrtFanIn, &mut rng).unwrap();
/// let x = rng.randn(3, 4);
/// let y = DMatrix::from_row_slice(1, 4, &[1.0, 0.0, 1.0, 0.0]);
/// let pass = l_model_forward(&x, &params).unwrap();
/// let mut grads = Gradients::zeros_like(&params);
/// let caches = pass.caches();
/// let da0 = l_model_backward_with_da0(pass.al(), &y, &caches, &mut grads, ElementwiseSigmoid::PLAIN).unwrap();
/// // One sigmoid layer: dZ = AL - Y and dA0 = W^T dZ.
/// let dz = pass.al() - &y;
/// assert!((&da0 - params.layers[0].w.transpose() * dz).abs().max() < 1e-15);
/// assert_eq!(grads.da(0), Some(&da0));
/// ```
pub fn l_model_backward_with_da0(
    al: &DMatrix<f64>,
    y: &DMatrix<f64>,
    caches: &[LayerCache<'_>],
    grads: &mut Gradients,
    sigmoid: ElementwiseSigmoid,
) -> Result<DMatrix<f64>> {
    l_model_backward_into(al, y, caches, grads, sigmoid)?;
    Ok(grads.da[0].clone())
}

/// The intermediate `dAL` and `dZ[l]` of backward propagation, kept from one iteration of a
/// training loop to the next so that none allocates them (the `dA[l]` are kept in the
/// [`Gradients`] themselves): the loops' versions of [`l_model_backward_into`] on a
/// [`ForwardPass`]. The buffers are shaped on first use (and reshaped if the network changes).
///
/// [`BackwardBuffers::l_model_backward`] computes what gradient descent needs, every `dW[l]`,
/// `db[l]` and, on the way, `dA[1] .. dA[L-1]`, but not `dA[0] = W1^T dZ1`;
/// [`BackwardBuffers::l_model_backward_with_da0`] computes that one too.
///
/// ```
/// use hw3_deep::reusing::{BackwardBuffers, ElementwiseSigmoid};
/// use hw3_deep::{Gradients, initialize_parameters_deep, l_model_backward, l_model_forward};
/// use linalg_nn::{NumpyRng, init::WeightInit};
/// use nalgebra::DMatrix;
/// let mut rng = NumpyRng::new(2);
/// let params = initialize_parameters_deep(&[3, 4, 1], WeightInit::InverseSqrtFanIn, &mut rng).unwrap();
/// let y = DMatrix::from_row_slice(1, 6, &[1.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
/// let (mut buffers, mut grads) = (BackwardBuffers::default(), Gradients::zeros_like(&params));
/// for _ in 0..3 {
///     let x = rng.randn(3, 6);
///     let pass = l_model_forward(&x, &params).unwrap();
///     buffers.l_model_backward(&pass, &y, &mut grads, ElementwiseSigmoid::PLAIN).unwrap();
///     let notebook = l_model_backward(pass.al(), &y, &pass.caches()).unwrap();
///     assert_eq!(grads.layers, notebook.layers);
///     // dA1 was needed for dZ1; dA0 = W1^T dZ1 was not computed.
///     assert_eq!(grads.da(1), notebook.da(1));
///     assert!(grads.da(0).is_none() && notebook.da(0).is_some());
/// }
/// ```
#[derive(Clone, Debug)]
pub struct BackwardBuffers {
    /// `dA[L] = dAL`, where backward propagation starts.
    dal: DMatrix<f64>,
    /// `dZ[l]` of layer `l = index + 1`.
    dz: Vec<DMatrix<f64>>,
}

impl Default for BackwardBuffers {
    fn default() -> Self {
        BackwardBuffers { dal: DMatrix::zeros(0, 0), dz: Vec::new() }
    }
}

impl BackwardBuffers {
    /// The training loop's backward pass over the layers of `pass`, with its `AL`: every
    /// `dW[l]`, `db[l]` and `dA[1] .. dA[L-1]` into `grads`, as [`l_model_backward_into`]
    /// computes them, but not `dA[0]` (left empty in `grads.da[0]`): nothing learns from `dX`,
    /// and for the cat network it would be a 12288 x 209 product every iteration.
    pub fn l_model_backward(
        &mut self,
        pass: &ForwardPass<'_>,
        y: &DMatrix<f64>,
        grads: &mut Gradients,
        sigmoid: ElementwiseSigmoid,
    ) -> Result<()> {
        let cache = |index: usize| pass.cache(index);
        self.through_layers(pass.al(), y, pass.len(), cache, grads, false, sigmoid)
    }

    /// [`l_model_backward_into`] for the layers of `pass`, every `dA[l]` included: `dA[0]`,
    /// the gradient with respect to the pass's input, is returned, borrowed from `grads.da[0]`.
    pub fn l_model_backward_with_da0<'g>(
        &mut self,
        pass: &ForwardPass<'_>,
        y: &DMatrix<f64>,
        grads: &'g mut Gradients,
        sigmoid: ElementwiseSigmoid,
    ) -> Result<&'g DMatrix<f64>> {
        let cache = |index: usize| pass.cache(index);
        self.through_layers(pass.al(), y, pass.len(), cache, grads, true, sigmoid)?;
        Ok(&grads.da[0])
    }

    /// The loop of `L_model_backward` over `count` layers (`cache(index)` for layer
    /// `index + 1`), writing `dW[l]`, `db[l]` into `grads.layers` and `dA[l]` into `grads.da`:
    /// `dA[0]` only when `with_da0` is set (else `grads.da[0]` is left empty).
    #[allow(clippy::too_many_arguments)]
    fn through_layers<'c>(
        &mut self,
        al: &DMatrix<f64>,
        y: &DMatrix<f64>,
        count: usize,
        cache: impl Fn(usize) -> Option<LayerCache<'c>>,
        grads: &mut Gradients,
        with_da0: bool,
        sigmoid: ElementwiseSigmoid,
    ) -> Result<()> {
        if count == 0 {
            return Err(DeepError::layers(
                &[],
                "backward propagation needs at least one layer's cache",
            ));
        }
        if grads.layers.len() != count {
            return Err(DeepError::layers(
                &[],
                format!("{count} layers of caches but {} of gradient buffers", grads.layers.len()),
            ));
        }
        let Gradients { layers, da } = grads;
        da.resize_with(count, || DMatrix::zeros(0, 0));
        self.dz.resize_with(count, || DMatrix::zeros(0, 0));
        shape_buffer(&mut self.dal, al.shape());
        cost_derivative_into(al, y, &mut self.dal)?;
        for index in (0..count).rev() {
            let Some(layer) = cache(index) else {
                return Err(DeepError::layers(&[], format!("no cache for layer {}", index + 1)));
            };
            let dz = &mut self.dz[index];
            shape_buffer(dz, layer.z.shape());
            // dA[l] of layer l = index + 1: dAL for the last layer, else the notebook's
            // grads["dA" + str(l)] written by the layer above.
            let da_l = if index + 1 == count { &self.dal } else { &da[index + 1] };
            activation_backward_into(da_l, layer.z, layer.activation, dz, sigmoid)?;
            linear_backward_weights_into(dz, &layer.linear, &mut layers[index])?;
            if index == 0 && !with_da0 {
                // Not computed: an empty dA0 rather than a stale one from an earlier pass.
                if !da[0].is_empty() {
                    da[0] = DMatrix::zeros(0, 0);
                }
                break;
            }
            // dA[l-1] = W[l]^T dZ[l].
            let da_prev = &mut da[index];
            shape_buffer(da_prev, (layer.linear.w.ncols(), dz.ncols()));
            matmul_into(da_prev, layer.linear.w, Op::T, dz, Op::N)?;
        }
        Ok(())
    }
}

/// Makes `buffer` `shape`-d (new zeros) unless it already is.
fn shape_buffer(buffer: &mut DMatrix<f64>, shape: (usize, usize)) {
    if buffer.shape() != shape {
        *buffer = DMatrix::zeros(shape.0, shape.1);
    }
}
