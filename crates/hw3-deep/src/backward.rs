//! Backward propagation: section 6 "Backward propagation module" of *Building your Deep Neural
//! Network: Step by Step* (`linear_backward`, `linear_activation_backward`, `L_model_backward`)
//! and the helpers of `dnn_utils` (`sigmoid_backward`, `relu_backward`).
//!
//! For layer `l`, given `dA[l]`:
//! `dZ = dA * g'(Z)`, `dW = (1/m) dZ A_prev^T`, `db = (1/m) sum(dZ, axis=1)`,
//! `dA_prev = W^T dZ`. [`l_model_backward`] returns what the notebook's `grads` holds: `dW[l]`,
//! `db[l]` for every layer and `dA[l]` for `l = 0 .. L-1` ([`Gradients::da`](field@Gradients::da),
//! `grads["dA0"]` to `grads["dA" + str(L-1)]`).
//!
//! The training loops call the buffer-reusing twins of these functions instead, in
//! [`crate::reusing`]: the direct engine's loop calls [`BackwardBuffers::l_model_backward`],
//! which fills gradient buffers allocated once ([`Gradients::zeros_like`]) and skips the one
//! product nothing learns from, `dA[0] = W1^T dZ1` (for the cat network a 12288 x 209 product
//! thrown away every iteration); the Gram engine calls
//! [`BackwardBuffers::l_model_backward_with_da0`], which does compute `dA[0]`, on layers 2..L.
//! The functions here compute into fresh matrices through the same code, with the plain
//! sigmoid ([`ElementwiseSigmoid::PLAIN`]; the loops pass the engines' vector lanes, the same
//! bits).
//!
//! [`BackwardBuffers::l_model_backward`]: crate::reusing::BackwardBuffers::l_model_backward
//! [`BackwardBuffers::l_model_backward_with_da0`]: crate::reusing::BackwardBuffers::l_model_backward_with_da0
//!
//! None of these functions looks at the values of the labels `Y` beyond their being finite:
//! like the notebook's, they work for any real labels (the course's own unit test of
//! `two_layer_model` trains on `Y = np.random.randn(1, m)`).

use crate::error::Result;
use crate::forward::{LayerCache, LinearCache};
use crate::network::Parameters;
use crate::reusing::{
    ElementwiseSigmoid, activation_backward_into, cost_derivative_into, l_model_backward_into,
    linear_backward_weights_into,
};
use linalg_nn::DMatrix;
use linalg_nn::activations::Activation;
use nn_engines::kernels::{Op, matmul_into};

/// The gradients of one layer's parameters, `dW[l]` and `db[l]`.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerGradients {
    /// `dW[l]`, shaped like `W[l]`.
    pub dw: DMatrix<f64>,
    /// `db[l]`, shaped like `b[l]`.
    pub db: DMatrix<f64>,
}

/// The notebook's `grads` dictionary: `layers[l - 1]` holds `dW{l}` and `db{l}`, and `da[l]`
/// holds `dA{l}` (look them up by the notebook's keys with [`Gradients::get`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Gradients {
    /// `dW[l]` and `db[l]` of layers 1 to L, in order.
    pub layers: Vec<LayerGradients>,
    /// The notebook's `grads["dA" + str(l)]` for `l = 0 .. L-1`, in order: `da[l]` is
    /// `dA[l] = W[l+1]^T dZ[l+1]`, shaped like `A[l]` (`A[0] = X`, so `da[0]` is `(n_x, m)`).
    ///
    /// Like the notebook's, `dA[l]` is the derivative of the *loss* of each example (column `i`
    /// is `dL(i)/dA[l](i)`), that is `m` times the derivative of the cost `J`: the `1/m` enters in
    /// `dW` and `db`. `dA[L]`, the starting point `dAL`, is not kept (neither is it in `grads`).
    ///
    /// Empty (no entries) until a backward pass fills it, as in gradients built by
    /// [`Gradients::new`] or [`Gradients::zeros_like`]. [`l_model_backward`] fills every entry;
    /// the training loop's [`BackwardBuffers::l_model_backward`] leaves `da[0]` empty (0 x 0):
    /// nothing learns from `dX`. [`Gradients::da()`](method@Gradients::da) tells a computed entry
    /// from a skipped one.
    ///
    /// [`BackwardBuffers::l_model_backward`]: crate::reusing::BackwardBuffers::l_model_backward
    pub da: Vec<DMatrix<f64>>,
}

impl Gradients {
    /// Gradients of the parameters alone, `dW[l]` and `db[l]` for `l = 1 ..= L` from
    /// `layers[l - 1]`, with no `dA[l]`: what [`crate::update_parameters`] needs.
    ///
    /// ```
    /// use hw3_deep::{Gradients, LayerGradients};
    /// use nalgebra::DMatrix;
    /// let g = Gradients::new(vec![LayerGradients { dw: DMatrix::zeros(1, 2), db: DMatrix::zeros(1, 1) }]);
    /// assert_eq!(g.get("dW1").map(|m| m.shape()), Some((1, 2)));
    /// assert!(g.da.is_empty() && g.da(0).is_none());
    /// ```
    pub fn new(layers: Vec<LayerGradients>) -> Self {
        Gradients { layers, da: Vec::new() }
    }

    /// Zero gradients shaped like `parameters`: the buffers a training loop allocates once and
    /// [`BackwardBuffers::l_model_backward`] fills every iteration. The `dA[l]` depend on the
    /// number of examples, so [`Gradients::da`] starts empty and is shaped by the first pass.
    ///
    /// [`BackwardBuffers::l_model_backward`]: crate::reusing::BackwardBuffers::l_model_backward
    ///
    /// ```
    /// use hw3_deep::{Gradients, initialize_parameters_deep};
    /// use linalg_nn::{NumpyRng, init::WeightInit};
    /// let p = initialize_parameters_deep(&[5, 3, 1], WeightInit::SMALL, &mut NumpyRng::new(1)).unwrap();
    /// let g = Gradients::zeros_like(&p);
    /// assert_eq!((g.layers[0].dw.shape(), g.layers[1].db.shape()), ((3, 5), (1, 1)));
    /// assert!(g.da.is_empty());
    /// ```
    pub fn zeros_like(parameters: &Parameters) -> Self {
        Gradients::new(
            parameters
                .layers
                .iter()
                .map(|layer| LayerGradients {
                    dw: DMatrix::zeros(layer.w.nrows(), layer.w.ncols()),
                    db: DMatrix::zeros(layer.b.nrows(), layer.b.ncols()),
                })
                .collect(),
        )
    }

    /// The notebook's `grads["dA" + str(l)]`, `dA[l] = W[l+1]^T dZ[l+1]` for `l = 0 .. L-1`
    /// (`dA0` is the gradient with respect to `X`): `None` for `l >= L`, or when the backward
    /// pass skipped it (`dA0` in the training loop, see [`Gradients::da`](field@Gradients::da)).
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
    /// // dA0 is shaped like X, dA1 like A1; there is no dA2 (= dAL) in the notebook's grads.
    /// assert_eq!(grads.da(0).unwrap().shape(), (3, 6));
    /// assert_eq!(grads.da(1).unwrap().shape(), (4, 6));
    /// assert!(grads.da(2).is_none());
    /// ```
    pub fn da(&self, l: usize) -> Option<&DMatrix<f64>> {
        self.da.get(l).filter(|da| !da.is_empty())
    }

    /// A gradient by the notebook's key: `"dA0"` .. `"dA{L-1}"` ([`Gradients::da`]), `"dW1"` ..
    /// `"dW{L}"` and `"db1"` .. `"db{L}"`; `None` for any other key or a gradient not computed.
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
    /// assert_eq!(grads.get("dA1"), grads.da(1));
    /// assert_eq!(grads.get("dW2"), Some(&grads.layers[1].dw));
    /// assert_eq!(grads.get("db1"), Some(&grads.layers[0].db));
    /// assert!(grads.get("dA2").is_none() && grads.get("dW0").is_none() && grads.get("dZ1").is_none());
    /// ```
    pub fn get(&self, key: &str) -> Option<&DMatrix<f64>> {
        let (name, number) = key.split_at_checked(2)?;
        let canonical = number == "0" || !number.starts_with('0');
        if number.is_empty() || !canonical || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let l: usize = number.parse().ok()?;
        let layer = || self.layers.get(l.checked_sub(1)?);
        match name {
            "dA" => self.da(l),
            "dW" => layer().map(|g| &g.dw),
            "db" => layer().map(|g| &g.db),
            _ => None,
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
/// the core's [`Activation::backward`] for the others. (The notebook's
/// `linear_activation_backward` picks `sigmoid_backward` or `relu_backward` by the activation's
/// name; [`linear_activation_backward`] calls this.)
pub fn activation_backward(
    da: &DMatrix<f64>,
    z: &DMatrix<f64>,
    activation: Activation,
) -> Result<DMatrix<f64>> {
    let mut dz = DMatrix::zeros(da.nrows(), da.ncols());
    activation_backward_into(da, z, activation, &mut dz, ElementwiseSigmoid::PLAIN)?;
    Ok(dz)
}

/// `dW = (1/m) dZ A_prev^T` and `db = (1/m) sum(dZ, axis=1)`: [`linear_backward`] without
/// `dA_prev`, for the input layer.
///
/// ```
/// use hw3_deep::LinearCache;
/// use hw3_deep::backward::linear_backward_weights;
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

/// `dAL = -(Y / AL - (1 - Y) / (1 - AL))`, the derivative of the cross-entropy loss with respect
/// to `AL` (the notebook's "Initializing backpropagation" step). A term whose numerator is 0
/// counts as 0, like the cost's `0 log 0 = 0`: a label's absent class must not turn a saturated
/// `AL = 1` (or 0) into `0 / 0 = NaN`. Every other value is computed exactly as numpy does.
///
/// The labels may be any finite numbers, as in the notebook (the formula is the derivative of
/// `-(Y log(AL) + (1 - Y) log(1 - AL))` for every `Y`); a NaN or infinite label is refused.
///
/// ```
/// use hw3_deep::cost_derivative;
/// use nalgebra::DMatrix;
/// let y = DMatrix::from_row_slice(1, 3, &[1.0, 0.0, 1.0]);
/// let al = DMatrix::from_row_slice(1, 3, &[0.5, 0.75, 1.0]);
/// let dal = cost_derivative(&al, &y).unwrap();
/// assert_eq!(dal, DMatrix::from_row_slice(1, 3, &[-2.0, 4.0, -1.0]));
/// // A real-valued label: -(0.25 / 0.5 - 0.75 / 0.5).
/// let dal = cost_derivative(&DMatrix::from_element(1, 1, 0.5), &DMatrix::from_element(1, 1, 0.25)).unwrap();
/// assert_eq!(dal[(0, 0)], 1.0);
/// let nan = cost_derivative(&al, &DMatrix::from_row_slice(1, 3, &[1.0, f64::NAN, 0.0])).unwrap_err();
/// assert_eq!(nan.to_string(), "invalid Y: must contain only finite numbers, found NaN at (0, 1)");
/// ```
pub fn cost_derivative(al: &DMatrix<f64>, y: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    let mut dal = DMatrix::zeros(al.nrows(), al.ncols());
    cost_derivative_into(al, y, &mut dal)?;
    Ok(dal)
}

/// The notebook's `L_model_backward(AL, Y, caches)`: starting from
/// `dAL = -(Y / AL - (1 - Y) / (1 - AL))`, runs [`linear_activation_backward`] from layer `L`
/// down to 1 (sigmoid for the last layer, ReLU below it in the course), and returns the
/// notebook's `grads`: `dW[l] = (1/m) dZ[l] A[l-1]^T` and `db[l] = (1/m) sum(dZ[l], axis=1)`
/// for `l = 1 .. L` ([`Gradients::layers`]), and `dA[l-1] = W[l]^T dZ[l]` for `l = L .. 1`, that
/// is `grads["dA" + str(L-1)]` down to `grads["dA0"]` ([`Gradients::da`](field@Gradients::da),
/// [`Gradients::get`]).
///
/// `Y` may hold any finite labels, as in the notebook; its shape must be `AL`'s.
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
/// // grads["dA0"] (shaped like X) and grads["dA1"] (like A1).
/// assert_eq!((grads.da[0].shape(), grads.da[1].shape()), ((3, 6), (4, 6)));
/// ```
pub fn l_model_backward(
    al: &DMatrix<f64>,
    y: &DMatrix<f64>,
    caches: &[LayerCache<'_>],
) -> Result<Gradients> {
    let mut grads = Gradients::new(
        caches
            .iter()
            .map(|cache| LayerGradients {
                dw: DMatrix::zeros(cache.linear.w.nrows(), cache.linear.w.ncols()),
                db: DMatrix::zeros(cache.linear.b.nrows(), cache.linear.b.ncols()),
            })
            .collect(),
    );
    l_model_backward_into(al, y, caches, &mut grads, ElementwiseSigmoid::PLAIN)?;
    Ok(grads)
}
