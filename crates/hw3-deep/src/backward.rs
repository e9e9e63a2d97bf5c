//! Backward propagation: section 6 "Backward propagation module" of *Building your Deep Neural
//! Network: Step by Step* (`linear_backward`, `linear_activation_backward`, `L_model_backward`)
//! and the helpers of `dnn_utils` (`sigmoid_backward`, `relu_backward`).
//!
//! For layer `l`, given `dA[l]`:
//! `dZ = dA * g'(Z)`, `dW = (1/m) dZ A_prev^T`, `db = (1/m) sum(dZ, axis=1)`,
//! `dA_prev = W^T dZ`. The last is not needed for the input layer (nothing is learned from
//! `dX`), so [`l_model_backward`] skips it there: for the cat network `W1^T dZ1` would be a
//! 12288 x 209 product thrown away every iteration. The training loops call the `_into`
//! versions, which fill gradient buffers allocated once ([`Gradients::zeros_like`]); the Gram
//! engine calls [`l_model_backward_with_da0`], which does compute `dA[0]`, on layers 2..L.

use crate::error::{DeepError, Result};
use crate::forward::{ForwardPass, LayerCache, LinearCache};
use crate::network::Parameters;
use linalg_nn::activations::{Activation, sigmoid_scalar};
use linalg_nn::kernels::{Op, gemm_into, matmul_into};
use linalg_nn::matrix::ensure_shape;
use linalg_nn::{DMatrix, NnError};

/// The gradients of one layer's parameters, `dW[l]` and `db[l]`.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerGradients {
    /// `dW[l]`, shaped like `W[l]`.
    pub dw: DMatrix<f64>,
    /// `db[l]`, shaped like `b[l]`.
    pub db: DMatrix<f64>,
}

/// The notebook's `grads` dictionary for the parameters: `layers[0]` holds `dW1` and `db1`.
/// (The notebook also keeps every `dA[l]`; nothing uses them after the backward pass, so they
/// are not stored.)
#[derive(Clone, Debug, PartialEq)]
pub struct Gradients {
    /// Layers 1 to L, in order.
    pub layers: Vec<LayerGradients>,
}

impl Gradients {
    /// Zero gradients shaped like `parameters`: the buffers a training loop allocates once and
    /// [`l_model_backward_into`] fills every iteration.
    ///
    /// ```
    /// use hw3_deep::{Gradients, initialize_parameters_deep};
    /// use linalg_nn::{NumpyRng, init::WeightInit};
    /// let p = initialize_parameters_deep(&[5, 3, 1], WeightInit::SMALL, &mut NumpyRng::new(1)).unwrap();
    /// let g = Gradients::zeros_like(&p);
    /// assert_eq!((g.layers[0].dw.shape(), g.layers[1].db.shape()), ((3, 5), (1, 1)));
    /// ```
    pub fn zeros_like(parameters: &Parameters) -> Self {
        Gradients {
            layers: parameters
                .layers
                .iter()
                .map(|layer| LayerGradients {
                    dw: DMatrix::zeros(layer.w.nrows(), layer.w.ncols()),
                    db: DMatrix::zeros(layer.b.nrows(), layer.b.ncols()),
                })
                .collect(),
        }
    }
}

/// What the notebook's `linear_backward` returns: `(dA_prev, dW, db)`.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearGradients {
    /// `dA[l-1] = W[l]^T dZ[l]`, shaped like `A[l-1]`.
    pub da_prev: DMatrix<f64>,
    /// `dW[l] = (1/m) dZ[l] A[l-1]^T`.
    pub dw: DMatrix<f64>,
    /// `db[l] = (1/m) sum(dZ[l], axis=1, keepdims=True)`.
    pub db: DMatrix<f64>,
}

/// `dnn_utils.sigmoid_backward(dA, Z)`: `dZ = dA * s * (1 - s)` with `s = sigmoid(Z)`
/// recomputed from `Z`, as the notebook does.
///
/// ```
/// use hw3_deep::sigmoid_backward;
/// use nalgebra::DMatrix;
/// let dz = sigmoid_backward(&DMatrix::from_row_slice(1, 2, &[1.0, 2.0]), &DMatrix::zeros(1, 2)).unwrap();
/// assert_eq!(dz, DMatrix::from_row_slice(1, 2, &[0.25, 0.5]));
/// ```
pub fn sigmoid_backward(da: &DMatrix<f64>, z: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    activation_backward(da, z, Activation::Sigmoid)
}

/// `dnn_utils.relu_backward(dA, Z)`: `dZ = dA` where `Z > 0`, else 0 (also at `Z = 0`).
///
/// ```
/// use hw3_deep::relu_backward;
/// use nalgebra::DMatrix;
/// let da = DMatrix::from_row_slice(1, 3, &[5.0, 6.0, 7.0]);
/// let z = DMatrix::from_row_slice(1, 3, &[-1.0, 0.0, 2.0]);
/// assert_eq!(relu_backward(&da, &z).unwrap(), DMatrix::from_row_slice(1, 3, &[0.0, 0.0, 7.0]));
/// ```
pub fn relu_backward(da: &DMatrix<f64>, z: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    activation_backward(da, z, Activation::Relu)
}

/// `dZ = dA * g'(Z)` for any activation: the two `dnn_utils` functions for sigmoid and ReLU,
/// the core's [`Activation::backward`] for the others.
pub fn activation_backward(
    da: &DMatrix<f64>,
    z: &DMatrix<f64>,
    activation: Activation,
) -> Result<DMatrix<f64>> {
    let mut dz = DMatrix::zeros(da.nrows(), da.ncols());
    activation_backward_into(da, z, activation, &mut dz)?;
    Ok(dz)
}

/// [`activation_backward`] into `dz`, a buffer shaped like `dA` that a training loop allocated
/// once.
///
/// ```
/// use hw3_deep::{activation_backward, activation_backward_into};
/// use linalg_nn::activations::Activation;
/// use nalgebra::DMatrix;
/// let da = DMatrix::from_row_slice(1, 3, &[5.0, 6.0, 7.0]);
/// let z = DMatrix::from_row_slice(1, 3, &[-1.0, 0.0, 2.0]);
/// let mut dz = DMatrix::zeros(1, 3);
/// for g in Activation::ALL {
///     activation_backward_into(&da, &z, g, &mut dz).unwrap();
///     assert_eq!(dz, activation_backward(&da, &z, g).unwrap());
/// }
/// assert!(activation_backward_into(&da, &z, Activation::Relu, &mut DMatrix::zeros(3, 1)).is_err());
/// ```
pub fn activation_backward_into(
    da: &DMatrix<f64>,
    z: &DMatrix<f64>,
    activation: Activation,
    dz: &mut DMatrix<f64>,
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
    let pairs = out.iter_mut().zip(da.iter().zip(z));
    match activation {
        // `dnn_utils.sigmoid_backward`: s recomputed from Z, as the notebook does.
        Activation::Sigmoid => pairs.for_each(|(out, (&d, &zv))| {
            let s = sigmoid_scalar(zv);
            *out = d * s * (1.0 - s);
        }),
        // `dnn_utils.relu_backward`. A select rather than a conditional store: the sign of Z is
        // random, so a branch would be mispredicted half the time, and the select vectorises.
        Activation::Relu => {
            pairs.for_each(|(out, (&d, &zv))| *out = if zv <= 0.0 { 0.0 } else { d })
        }
        other => pairs.for_each(|(out, (&d, &zv))| {
            *out = d * other.derivative_scalar(zv, other.apply_scalar(zv));
        }),
    }
    Ok(())
}

/// `dW = (1/m) dZ A_prev^T` and `db = (1/m) sum(dZ, axis=1)`: [`linear_backward`] without
/// `dA_prev`, for the input layer.
///
/// ```
/// use hw3_deep::{LinearCache, linear_backward_weights};
/// use nalgebra::DMatrix;
/// let a_prev = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// let (w, b) = (DMatrix::zeros(1, 2), DMatrix::zeros(1, 1));
/// let dz = DMatrix::from_row_slice(1, 2, &[1.0, -1.0]);
/// let g = linear_backward_weights(&dz, &LinearCache { a_prev: &a_prev, w: &w, b: &b }).unwrap();
/// assert_eq!(g.dw, DMatrix::from_row_slice(1, 2, &[-0.5, -0.5]));
/// assert_eq!(g.db, DMatrix::zeros(1, 1));
/// ```
pub fn linear_backward_weights(
    dz: &DMatrix<f64>,
    cache: &LinearCache<'_>,
) -> Result<LayerGradients> {
    let mut grads = LayerGradients {
        dw: DMatrix::zeros(cache.w.nrows(), cache.w.ncols()),
        db: DMatrix::zeros(cache.b.nrows(), cache.b.ncols()),
    };
    linear_backward_weights_into(dz, cache, &mut grads)?;
    Ok(grads)
}

/// [`linear_backward_weights`] into buffers the caller allocated once: a training loop reuses
/// them every iteration instead of allocating a fresh `dW1` (20 x 12288 for the cat network).
///
/// ```
/// use hw3_deep::{LayerGradients, LinearCache, linear_backward_weights, linear_backward_weights_into};
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

/// The notebook's `linear_backward(dZ, cache)`: `dA_prev = W^T dZ`,
/// `dW = (1/m) dZ A_prev^T`, `db = (1/m) sum(dZ, axis=1, keepdims=True)`.
///
/// ```
/// use hw3_deep::{LinearCache, linear_backward};
/// use nalgebra::DMatrix;
/// let a_prev = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// let w = DMatrix::from_row_slice(1, 2, &[2.0, -1.0]);
/// let b = DMatrix::zeros(1, 1);
/// let dz = DMatrix::from_row_slice(1, 2, &[1.0, 3.0]);
/// let g = linear_backward(&dz, &LinearCache { a_prev: &a_prev, w: &w, b: &b }).unwrap();
/// assert_eq!(g.da_prev, DMatrix::from_row_slice(2, 2, &[2.0, 6.0, -1.0, -3.0]));
/// assert_eq!(g.dw, DMatrix::from_row_slice(1, 2, &[3.5, 7.5]));
/// assert_eq!(g.db, DMatrix::from_row_slice(1, 1, &[2.0]));
/// ```
pub fn linear_backward(dz: &DMatrix<f64>, cache: &LinearCache<'_>) -> Result<LinearGradients> {
    let LayerGradients { dw, db } = linear_backward_weights(dz, cache)?;
    let da_prev = input_gradient(cache.w, dz)?;
    Ok(LinearGradients { da_prev, dw, db })
}

/// `dA_prev = W^T dZ`.
fn input_gradient(w: &DMatrix<f64>, dz: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    let mut da_prev = DMatrix::zeros(w.ncols(), dz.ncols());
    matmul_into(&mut da_prev, w, Op::T, dz, Op::N)?;
    Ok(da_prev)
}

/// The notebook's `linear_activation_backward(dA, cache, activation)`: `dZ = dA * g'(Z)`
/// (sigmoid or ReLU, taken from the cache), then [`linear_backward`].
///
/// ```
/// use hw3_deep::{LayerCache, LinearCache, linear_activation_backward};
/// use linalg_nn::activations::Activation;
/// use nalgebra::DMatrix;
/// let a_prev = DMatrix::from_row_slice(1, 2, &[1.0, 2.0]);
/// let (w, b) = (DMatrix::from_row_slice(1, 1, &[3.0]), DMatrix::zeros(1, 1));
/// let z = DMatrix::from_row_slice(1, 2, &[-1.0, 4.0]);
/// let cache = LayerCache {
///     linear: LinearCache { a_prev: &a_prev, w: &w, b: &b },
///     z: &z,
///     activation: Activation::Relu,
/// };
/// let da = DMatrix::from_row_slice(1, 2, &[1.0, 1.0]);
/// let g = linear_activation_backward(&da, &cache).unwrap();
/// // dZ = [0, 1]: dW = (0*1 + 1*2) / 2, db = 1 / 2, dA_prev = 3 * dZ.
/// assert_eq!(g.dw[(0, 0)], 1.0);
/// assert_eq!(g.db[(0, 0)], 0.5);
/// assert_eq!(g.da_prev, DMatrix::from_row_slice(1, 2, &[0.0, 3.0]));
/// ```
pub fn linear_activation_backward(
    da: &DMatrix<f64>,
    cache: &LayerCache<'_>,
) -> Result<LinearGradients> {
    let dz = activation_backward(da, cache.z, cache.activation)?;
    linear_backward(&dz, &cache.linear)
}

/// `dAL = -(Y / AL - (1 - Y) / (1 - AL))`, the derivative of the cross-entropy cost with respect
/// to `AL` (the notebook's "Initializing backpropagation" step). A term whose numerator is 0
/// counts as 0, like the cost's `0 log 0 = 0`: a label's absent class must not turn a saturated
/// `AL = 1` (or 0) into `0 / 0 = NaN`. Every other value is computed exactly as numpy does.
///
/// ```
/// use hw3_deep::cost_derivative;
/// use nalgebra::DMatrix;
/// let y = DMatrix::from_row_slice(1, 3, &[1.0, 0.0, 1.0]);
/// let al = DMatrix::from_row_slice(1, 3, &[0.5, 0.75, 1.0]);
/// let dal = cost_derivative(&al, &y).unwrap();
/// assert_eq!(dal, DMatrix::from_row_slice(1, 3, &[-2.0, 4.0, -1.0]));
/// ```
pub fn cost_derivative(al: &DMatrix<f64>, y: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    let mut dal = DMatrix::zeros(al.nrows(), al.ncols());
    cost_derivative_into(al, y, &mut dal)?;
    Ok(dal)
}

/// [`cost_derivative`] into `dal`, a buffer shaped like `AL`.
pub(crate) fn cost_derivative_into(
    al: &DMatrix<f64>,
    y: &DMatrix<f64>,
    dal: &mut DMatrix<f64>,
) -> Result<()> {
    ensure_shape(al, y.shape(), "AL against Y")?;
    ensure_shape(dal, al.shape(), "the dAL buffer against AL")?;
    let ratio = |num: f64, den: f64| if num == 0.0 { 0.0 } else { num / den };
    for (out, (&a, &yv)) in dal.iter_mut().zip(al.iter().zip(y.iter())) {
        *out = -(ratio(yv, a) - ratio(1.0 - yv, 1.0 - a));
    }
    Ok(())
}

/// The notebook's `L_model_backward(AL, Y, caches)`: starting from
/// `dAL = -(Y / AL - (1 - Y) / (1 - AL))`, runs [`linear_activation_backward`] from layer `L`
/// down to 1 (sigmoid for the last layer, ReLU below it in the course). `dA[0] = W1^T dZ1` is
/// not computed (see the module documentation).
///
/// ```
/// use hw3_deep::{initialize_parameters_deep, l_model_backward, l_model_forward};
/// use linalg_nn::{NumpyRng, init::WeightInit};
/// use nalgebra::DMatrix;
/// let mut rng = NumpyRng::new(2);
/// let params = initialize_parameters_deep(&[3, 4, 1], WeightInit::InverseSqrtFanIn, &mut rng).unwrap();
/// let x = rng.randn(3, 6);
/// let y = DMatrix::from_row_slice(1, 6, &[1.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
/// let pass = l_model_forward(&x, &params).unwrap();
/// let grads = l_model_backward(pass.al(), &y, &pass.caches()).unwrap();
/// assert_eq!(grads.layers[0].dw.shape(), (4, 3));
/// assert_eq!(grads.layers[1].db.shape(), (1, 1));
/// ```
pub fn l_model_backward(
    al: &DMatrix<f64>,
    y: &DMatrix<f64>,
    caches: &[LayerCache<'_>],
) -> Result<Gradients> {
    let mut grads = Gradients {
        layers: caches
            .iter()
            .map(|cache| LayerGradients {
                dw: DMatrix::zeros(cache.linear.w.nrows(), cache.linear.w.ncols()),
                db: DMatrix::zeros(cache.linear.b.nrows(), cache.linear.b.ncols()),
            })
            .collect(),
    };
    l_model_backward_into(al, y, caches, &mut grads)?;
    Ok(grads)
}

/// [`l_model_backward`] into gradient buffers allocated once (by [`Gradients::zeros_like`]),
/// so that no iteration allocates a new `dW1`. (A training loop also keeps the intermediate
/// `dA[l]`, `dZ[l]`: [`BackwardBuffers::l_model_backward`].)
///
/// ```
/// use hw3_deep::{Gradients, initialize_parameters_deep, l_model_backward, l_model_backward_into, l_model_forward};
/// use linalg_nn::{NumpyRng, init::WeightInit};
/// use nalgebra::DMatrix;
/// let mut rng = NumpyRng::new(2);
/// let params = initialize_parameters_deep(&[3, 4, 1], WeightInit::InverseSqrtFanIn, &mut rng).unwrap();
/// let x = rng.randn(3, 6);
/// let y = DMatrix::from_row_slice(1, 6, &[1.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
/// let pass = l_model_forward(&x, &params).unwrap();
/// let mut grads = Gradients::zeros_like(&params);
/// l_model_backward_into(pass.al(), &y, &pass.caches(), &mut grads).unwrap();
/// assert_eq!(grads, l_model_backward(pass.al(), &y, &pass.caches()).unwrap());
/// ```
pub fn l_model_backward_into(
    al: &DMatrix<f64>,
    y: &DMatrix<f64>,
    caches: &[LayerCache<'_>],
    grads: &mut Gradients,
) -> Result<()> {
    let cache = |index: usize| caches.get(index).copied();
    let mut buffers = BackwardBuffers::default();
    buffers.through_layers(al, y, caches.len(), cache, grads, false).map(drop)
}

/// [`l_model_backward_into`] that also returns `dA[0] = W1^T dZ1`, the gradient with respect to
/// the network's input (the notebook's `grads["dA0"]`).
///
/// The Gram engine needs it: it runs layers 2..L through these functions with `A[1]` as their
/// input, and `dA[1]` is what turns into `dZ1` for the first layer.
///
/// ```
/// use hw3_deep::{Gradients, initialize_parameters_deep, l_model_backward_with_da0, l_model_forward};
/// use linalg_nn::{NumpyRng, init::WeightInit};
/// use nalgebra::DMatrix;
/// let mut rng = NumpyRng::new(2);
/// let params = initialize_parameters_deep(&[3, 1], WeightInit::InverseSqrtFanIn, &mut rng).unwrap();
/// let x = rng.randn(3, 4);
/// let y = DMatrix::from_row_slice(1, 4, &[1.0, 0.0, 1.0, 0.0]);
/// let pass = l_model_forward(&x, &params).unwrap();
/// let mut grads = Gradients::zeros_like(&params);
/// let da0 = l_model_backward_with_da0(pass.al(), &y, &pass.caches(), &mut grads).unwrap();
/// // One sigmoid layer: dZ = AL - Y and dA0 = W^T dZ.
/// let dz = pass.al() - &y;
/// assert!((da0 - params.layers[0].w.transpose() * dz).abs().max() < 1e-15);
/// ```
pub fn l_model_backward_with_da0(
    al: &DMatrix<f64>,
    y: &DMatrix<f64>,
    caches: &[LayerCache<'_>],
    grads: &mut Gradients,
) -> Result<DMatrix<f64>> {
    let cache = |index: usize| caches.get(index).copied();
    let mut buffers = BackwardBuffers::default();
    buffers.through_layers(al, y, caches.len(), cache, grads, true)?;
    Ok(std::mem::replace(&mut buffers.da[0], DMatrix::zeros(0, 0)))
}

/// The intermediate `dA[l]` and `dZ[l]` of backward propagation, kept from one iteration of a
/// training loop to the next so that none allocates them: the loops' versions of
/// [`l_model_backward_into`] and [`l_model_backward_with_da0`], on a [`ForwardPass`]. The
/// buffers are shaped on first use (and reshaped if the network changes).
///
/// ```
/// use hw3_deep::{BackwardBuffers, Gradients, initialize_parameters_deep, l_model_backward, l_model_forward};
/// use linalg_nn::{NumpyRng, init::WeightInit};
/// use nalgebra::DMatrix;
/// let mut rng = NumpyRng::new(2);
/// let params = initialize_parameters_deep(&[3, 4, 1], WeightInit::InverseSqrtFanIn, &mut rng).unwrap();
/// let y = DMatrix::from_row_slice(1, 6, &[1.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
/// let (mut buffers, mut grads) = (BackwardBuffers::default(), Gradients::zeros_like(&params));
/// for _ in 0..3 {
///     let x = rng.randn(3, 6);
///     let pass = l_model_forward(&x, &params).unwrap();
///     buffers.l_model_backward(&pass, &y, &mut grads).unwrap();
///     assert_eq!(grads, l_model_backward(pass.al(), &y, &pass.caches()).unwrap());
/// }
/// ```
#[derive(Clone, Debug, Default)]
pub struct BackwardBuffers {
    /// `dA[l]` for `l = 0..=L` (`dA[0]` only when it is asked for).
    da: Vec<DMatrix<f64>>,
    /// `dZ[l]` of layer `l = index + 1`.
    dz: Vec<DMatrix<f64>>,
}

impl BackwardBuffers {
    /// [`l_model_backward_into`] for the layers of `pass`, with its `AL`.
    pub fn l_model_backward(
        &mut self,
        pass: &ForwardPass<'_>,
        y: &DMatrix<f64>,
        grads: &mut Gradients,
    ) -> Result<()> {
        let cache = |index: usize| pass.cache(index);
        self.through_layers(pass.al(), y, pass.len(), cache, grads, false).map(drop)
    }

    /// [`l_model_backward_with_da0`] for the layers of `pass`: `dA[0]`, borrowed from the
    /// buffers.
    pub fn l_model_backward_with_da0(
        &mut self,
        pass: &ForwardPass<'_>,
        y: &DMatrix<f64>,
        grads: &mut Gradients,
    ) -> Result<&DMatrix<f64>> {
        let cache = |index: usize| pass.cache(index);
        self.through_layers(pass.al(), y, pass.len(), cache, grads, true)?;
        Ok(&self.da[0])
    }

    /// The loop of `L_model_backward` over `count` layers (`cache(index)` for layer
    /// `index + 1`), writing `dW[l]`, `db[l]` into `grads` and `dA[0]` into `self.da[0]` only
    /// when `with_da0` is set.
    fn through_layers<'c>(
        &mut self,
        al: &DMatrix<f64>,
        y: &DMatrix<f64>,
        count: usize,
        cache: impl Fn(usize) -> Option<LayerCache<'c>>,
        grads: &mut Gradients,
        with_da0: bool,
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
        self.da.resize_with(count + 1, || DMatrix::zeros(0, 0));
        self.dz.resize_with(count, || DMatrix::zeros(0, 0));
        shape_buffer(&mut self.da[count], al.shape());
        cost_derivative_into(al, y, &mut self.da[count])?;
        for index in (0..count).rev() {
            let Some(layer) = cache(index) else {
                return Err(DeepError::layers(&[], format!("no cache for layer {}", index + 1)));
            };
            let dz = &mut self.dz[index];
            shape_buffer(dz, layer.z.shape());
            activation_backward_into(&self.da[index + 1], layer.z, layer.activation, dz)?;
            linear_backward_weights_into(dz, &layer.linear, &mut grads.layers[index])?;
            if index == 0 && !with_da0 {
                break;
            }
            // dA[l-1] = W[l]^T dZ[l].
            let da_prev = &mut self.da[index];
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
