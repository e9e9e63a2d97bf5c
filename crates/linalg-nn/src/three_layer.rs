//! The three-layer network of Course 2's helper files (`init_utils.py`, `reg_utils.py`,
//! `opt_utils.py`, `gc_utils.py`): LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID, one
//! output unit, written once for the week 1 and week 2 assignments. Each notebook's own cells
//! (regularised or dropout passes, mini-batch optimisers, the planted gradient bugs) live in its
//! crate and build on these pieces.
//!
//! Every product and sum comes from [`crate::numpy`], in numpy's order, so the costs print the
//! notebooks' digits.

use crate::error::NnError;
use crate::init::WeightInit;
use crate::matrix::{add_column, ensure_shape};
use crate::numpy::{
    Products, dot, dot_into, dot_transposed_in_halves, dot_transposed_in_halves_into, pairwise_sum,
    sigmoid, sum_rows_like_numpy, sum_rows_like_numpy_into, transposed_dot_into,
};
use crate::rng::NumpyRng;
use nalgebra::DMatrix;

/// `init_utils.relu(x) = np.maximum(0, x)`.
///
/// ```
/// assert_eq!(linalg_nn::three_layer::relu(-2.0), 0.0);
/// assert_eq!(linalg_nn::three_layer::relu(1.5), 1.5);
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
    /// use linalg_nn::{init::WeightInit, three_layer::initialize};
    /// let p = initialize(&[2, 10, 5, 1], WeightInit::He, 3).unwrap();
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

    /// The six matrices with their keys, as [`crate::gradcheck::gradient_check`] takes them.
    pub fn to_named_vec(&self) -> Vec<(&'static str, DMatrix<f64>)> {
        self.named().iter().map(|(name, m)| (*name, (*m).clone())).collect()
    }

    /// The parameters from the six matrices in [`Parameters::named`]'s order (what
    /// [`crate::gradcheck::gradient_check`] hands its cost function).
    ///
    /// # Panics
    ///
    /// If `matrices` does not hold six matrices.
    pub fn from_matrices(matrices: &[DMatrix<f64>]) -> Self {
        let [w1, b1, w2, b2, w3, b3] = matrices else {
            panic!("the three-layer network has six parameter matrices, got {}", matrices.len());
        };
        let (w1, b1, w2, b2, w3, b3) =
            (w1.clone(), b1.clone(), w2.clone(), b2.clone(), w3.clone(), b3.clone());
        Parameters { w1, b1, w2, b2, w3, b3 }
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
/// use linalg_nn::three_layer::{forward_propagation, initialize};
/// use linalg_nn::{DMatrix, init::WeightInit};
/// let p = initialize(&[2, 10, 5, 1], WeightInit::Zeros, 3).unwrap();
/// let x = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, -1.0, 0.5, 4.0]);
/// let cache = forward_propagation(&x, &p).unwrap();
/// assert_eq!(cache.a3, DMatrix::from_element(1, 3, 0.5)); // sigmoid(0)
/// ```
pub fn forward_propagation(x: &DMatrix<f64>, parameters: &Parameters) -> Result<Cache, NnError> {
    let mut cache = Cache::zeros(parameters.layers_dims()?, x.ncols());
    forward_propagation_into(x, parameters, &mut cache)?;
    Ok(cache)
}

impl Cache {
    /// Zero matrices of the shapes a forward pass over `m` examples through `layers_dims` fills,
    /// for [`forward_propagation_into`].
    pub fn zeros(layers_dims: [usize; 4], m: usize) -> Self {
        let [_, n1, n2, n3] = layers_dims;
        Cache {
            z1: DMatrix::zeros(n1, m),
            a1: DMatrix::zeros(n1, m),
            z2: DMatrix::zeros(n2, m),
            a2: DMatrix::zeros(n2, m),
            z3: DMatrix::zeros(n3, m),
            a3: DMatrix::zeros(n3, m),
        }
    }

    /// Checks that the cache's matrices have the shapes of a pass over `m` examples.
    pub fn ensure_fits(&self, layers_dims: [usize; 4], m: usize) -> Result<(), NnError> {
        let [_, n1, n2, n3] = layers_dims;
        ensure_shape(&self.z1, (n1, m), "the cache's z1 (n[1], m)")?;
        ensure_shape(&self.a1, (n1, m), "the cache's a1 (n[1], m)")?;
        ensure_shape(&self.z2, (n2, m), "the cache's z2 (n[2], m)")?;
        ensure_shape(&self.a2, (n2, m), "the cache's a2 (n[2], m)")?;
        ensure_shape(&self.z3, (n3, m), "the cache's z3 (1, m)")?;
        ensure_shape(&self.a3, (n3, m), "the cache's a3 (1, m)")
    }
}

/// [`forward_propagation`] into a cache the caller keeps (a training loop allocates it once,
/// [`Cache::zeros`]): the same operations, the same bits.
pub fn forward_propagation_into(
    x: &DMatrix<f64>,
    parameters: &Parameters,
    cache: &mut Cache,
) -> Result<(), NnError> {
    let dims = parameters.layers_dims()?;
    ensure_shape(x, (dims[0], x.ncols()), "X (n_x rows, one example per column)")?;
    cache.ensure_fits(dims, x.ncols())?;
    let p = parameters;
    linear_into(&p.w1, x, &p.b1, &mut cache.z1)?;
    map_into(&cache.z1, &mut cache.a1, relu);
    linear_into(&p.w2, &cache.a1, &p.b2, &mut cache.z2)?;
    map_into(&cache.z2, &mut cache.a2, relu);
    linear_into(&p.w3, &cache.a2, &p.b3, &mut cache.z3)?;
    map_into(&cache.z3, &mut cache.a3, sigmoid);
    Ok(())
}

/// [`forward_propagation`] with the products added in `products`' order: the gradient-checking
/// notebook's digits need [`Products::Fused`] (its differences divide last-bit changes of the
/// cost by `2e-7`).
pub fn forward_propagation_with(
    x: &DMatrix<f64>,
    parameters: &Parameters,
    products: Products,
) -> Result<Cache, NnError> {
    let [n_x, ..] = parameters.layers_dims()?;
    ensure_shape(x, (n_x, x.ncols()), "X (n_x rows, one example per column)")?;
    let p = parameters;
    let z1 = add_column(&products.dot(&p.w1, x), &p.b1)?;
    let a1 = z1.map(relu);
    let z2 = add_column(&products.dot(&p.w2, &a1), &p.b2)?;
    let a2 = z2.map(relu);
    let z3 = add_column(&products.dot(&p.w3, &a2), &p.b3)?;
    let a3 = z3.map(sigmoid);
    Ok(Cache { z1, a1, z2, a2, z3, a3 })
}

/// `Z = np.dot(W, A) + b` into `z`: the product, then the bias added to every column.
pub fn linear_into(
    w: &DMatrix<f64>,
    a: &DMatrix<f64>,
    b: &DMatrix<f64>,
    z: &mut DMatrix<f64>,
) -> Result<(), NnError> {
    ensure_shape(b, (w.nrows(), 1), "the column added to every column (b)")?;
    dot_into(w, a, z);
    let rows = z.nrows().max(1);
    for column in z.as_mut_slice().chunks_exact_mut(rows) {
        for (z, &b) in column.iter_mut().zip(b.as_slice()) {
            *z += b;
        }
    }
    Ok(())
}

/// `out = f(z)` elementwise (an activation), over the two matrices' storage.
///
/// # Panics
///
/// If the two differ in size.
pub fn map_into(z: &DMatrix<f64>, out: &mut DMatrix<f64>, f: impl Fn(f64) -> f64) {
    assert_eq!(z.len(), out.len(), "map_into: the matrices differ in size");
    for (o, &z) in out.as_mut_slice().iter_mut().zip(z.as_slice()) {
        *o = f(z);
    }
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
/// tests). Each `dW` sums over the examples in numpy's pairwise halves
/// ([`dot_transposed_in_halves`]), each `db` in numpy's pairwise order.
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
    let dw3 = dot_transposed_in_halves(&dz3, &cache.a2);
    let db3 = sum_rows_like_numpy(&dz3);
    let da2 = dot(&parameters.w3.transpose(), &dz3);
    let dz2 = da2.zip_map(&cache.a2, |d, a| d * if a > 0.0 { 1.0 } else { 0.0 });
    let dw2 = dot_transposed_in_halves(&dz2, &cache.a1);
    let db2 = sum_rows_like_numpy(&dz2);
    let da1 = dot(&parameters.w2.transpose(), &dz2);
    let dz1 = da1.zip_map(&cache.a1, |d, a| d * if a > 0.0 { 1.0 } else { 0.0 });
    let dw1 = dot_transposed_in_halves(&dz1, x);
    let db1 = sum_rows_like_numpy(&dz1);
    Ok(Gradients { dz3, dw3, db3, da2, dz2, dw2, db2, da1, dz1, dw1, db1 })
}

/// [`backward_propagation`] into gradients the caller keeps ([`Gradients::zeros`] for `m`
/// examples): the same operations in the same order, so the same bits, with no matrix made.
///
/// ```
/// use linalg_nn::three_layer::{
///     Gradients, backward_propagation, backward_propagation_into, forward_propagation, initialize,
/// };
/// use linalg_nn::{DMatrix, init::WeightInit};
/// let p = initialize(&[2, 4, 3, 1], WeightInit::He, 3).unwrap();
/// let x = DMatrix::from_row_slice(2, 3, &[1.0, -2.0, 0.5, 0.25, 3.0, -1.0]);
/// let y = DMatrix::from_row_slice(1, 3, &[1.0, 0.0, 1.0]);
/// let cache = forward_propagation(&x, &p).unwrap();
/// let mut grads = Gradients::zeros([2, 4, 3, 1], 3);
/// backward_propagation_into(&x, &y, &cache, &p, &mut grads).unwrap();
/// assert_eq!(grads, backward_propagation(&x, &y, &cache, &p).unwrap());
/// ```
pub fn backward_propagation_into(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    cache: &Cache,
    parameters: &Parameters,
    grads: &mut Gradients,
) -> Result<(), NnError> {
    let dims = parameters.layers_dims()?;
    let m = x.ncols();
    ensure_shape(x, (dims[0], m), "X (n_x rows, one example per column)")?;
    ensure_shape(y, (1, m), "Y (one label per column of X)")?;
    cache.ensure_fits(dims, m)?;
    grads.ensure_fits(dims, m)?;
    let inv_m = 1.0 / m as f64;
    let g = grads;
    let relu_gate = |d: &mut f64, a: f64| *d *= if a > 0.0 { 1.0 } else { 0.0 };
    g.dz3.copy_from(&cache.a3);
    g.dz3.zip_apply(y, |d, y| *d = (*d - y) * inv_m);
    dot_transposed_in_halves_into(&g.dz3, &cache.a2, &mut g.dw3);
    sum_rows_like_numpy_into(&g.dz3, &mut g.db3);
    transposed_dot_into(&parameters.w3, &g.dz3, &mut g.da2);
    g.dz2.copy_from(&g.da2);
    g.dz2.zip_apply(&cache.a2, relu_gate);
    dot_transposed_in_halves_into(&g.dz2, &cache.a1, &mut g.dw2);
    sum_rows_like_numpy_into(&g.dz2, &mut g.db2);
    transposed_dot_into(&parameters.w2, &g.dz2, &mut g.da1);
    g.dz1.copy_from(&g.da1);
    g.dz1.zip_apply(&cache.a1, relu_gate);
    dot_transposed_in_halves_into(&g.dz1, x, &mut g.dw1);
    sum_rows_like_numpy_into(&g.dz1, &mut g.db1);
    Ok(())
}

/// `init_utils.update_parameters(parameters, grads, learning_rate)`: one step of gradient
/// descent, `W[l] = W[l] - learning_rate dW[l]`, `b[l] = b[l] - learning_rate db[l]`.
pub fn update_parameters(
    parameters: &Parameters,
    grads: &Gradients,
    learning_rate: f64,
) -> Parameters {
    let mut updated = parameters.clone();
    update_parameters_in_place(&mut updated, grads, learning_rate);
    updated
}

/// [`update_parameters`] without a new dictionary: `W[l] -= learning_rate dW[l]`, the same
/// rounding (`W - (learning_rate dW)`).
///
/// # Panics
///
/// If a gradient's shape differs from its parameter's.
pub fn update_parameters_in_place(
    parameters: &mut Parameters,
    grads: &Gradients,
    learning_rate: f64,
) {
    let step = |w: &mut DMatrix<f64>, dw: &DMatrix<f64>| {
        assert_eq!(w.shape(), dw.shape(), "a gradient's shape differs from its parameter's");
        for (w, &d) in w.as_mut_slice().iter_mut().zip(dw.as_slice()) {
            *w -= d * learning_rate;
        }
    };
    step(&mut parameters.w1, &grads.dw1);
    step(&mut parameters.b1, &grads.db1);
    step(&mut parameters.w2, &grads.dw2);
    step(&mut parameters.b2, &grads.db2);
    step(&mut parameters.w3, &grads.dw3);
    step(&mut parameters.b3, &grads.db3);
}

impl Gradients {
    /// `dW1, db1, dW2, db2, dW3, db3`, in [`Parameters::named`]'s order, as
    /// [`crate::gradcheck::gradient_check`] takes them.
    pub fn parameter_gradients(&self) -> [DMatrix<f64>; 6] {
        [
            self.dw1.clone(),
            self.db1.clone(),
            self.dw2.clone(),
            self.db2.clone(),
            self.dw3.clone(),
            self.db3.clone(),
        ]
    }

    /// Zero gradients for a pass over `m` examples through `layers_dims`, for the training loops
    /// that fill them in place.
    pub fn zeros(layers_dims: [usize; 4], m: usize) -> Self {
        let [n0, n1, n2, n3] = layers_dims;
        Gradients {
            dz3: DMatrix::zeros(n3, m),
            dw3: DMatrix::zeros(n3, n2),
            db3: DMatrix::zeros(n3, 1),
            da2: DMatrix::zeros(n2, m),
            dz2: DMatrix::zeros(n2, m),
            dw2: DMatrix::zeros(n2, n1),
            db2: DMatrix::zeros(n2, 1),
            da1: DMatrix::zeros(n1, m),
            dz1: DMatrix::zeros(n1, m),
            dw1: DMatrix::zeros(n1, n0),
            db1: DMatrix::zeros(n1, 1),
        }
    }

    /// Checks that every gradient has the shape [`Gradients::zeros`] gives it, so that a pass
    /// writing into them in place fails with an error, not a panic.
    pub fn ensure_fits(&self, layers_dims: [usize; 4], m: usize) -> Result<(), NnError> {
        let want = Gradients::zeros(layers_dims, 0);
        let pairs = [
            (&self.dw3, &want.dw3, "dW3 (1, n[2])"),
            (&self.db3, &want.db3, "db3 (1, 1)"),
            (&self.dw2, &want.dw2, "dW2 (n[2], n[1])"),
            (&self.db2, &want.db2, "db2 (n[2], 1)"),
            (&self.dw1, &want.dw1, "dW1 (n[1], n_x)"),
            (&self.db1, &want.db1, "db1 (n[1], 1)"),
        ];
        for (have, want, what) in pairs {
            ensure_shape(have, want.shape(), what)?;
        }
        let [_, n1, n2, n3] = layers_dims;
        ensure_shape(&self.dz3, (n3, m), "dZ3 (1, m)")?;
        ensure_shape(&self.da2, (n2, m), "dA2 (n[2], m)")?;
        ensure_shape(&self.dz2, (n2, m), "dZ2 (n[2], m)")?;
        ensure_shape(&self.da1, (n1, m), "dA1 (n[1], m)")?;
        ensure_shape(&self.dz1, (n1, m), "dZ1 (n[1], m)")
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
/// use linalg_nn::DMatrix;
/// use linalg_nn::three_layer::compute_loss;
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

/// What a Course 2 notebook's `model(...)` returns: the learned parameters and the costs it kept,
/// as `(iteration, cost)` (the notebook's `costs` list, with its iterations).
#[derive(Clone, Debug, PartialEq)]
pub struct TrainedModel {
    /// The learned `W[l]`, `b[l]`.
    pub parameters: Parameters,
    /// `(i, cost)` for the kept iterations (every 1000 in week 1's notebooks); a cost may be
    /// `inf` (see [`compute_loss`]).
    pub costs: Vec<(usize, f64)>,
}

/// The course helpers' initialisation of this network: `np.random.seed(seed)`, then for
/// `l = 1, 2, 3` `W[l]` drawn by `init` (one `randn(n[l], n[l-1])` each, so numpy's cached
/// Gaussian carries from one layer to the next) and `b[l] = 0`.
///
/// ```
/// use linalg_nn::{init::WeightInit, three_layer::initialize};
/// // initialize_parameters_he([2, 4, 1]) of the initialisation notebook: W1[0] = [1.78862847,
/// // 0.43650985] (seed 3); this network has one more layer, its first draws are the same.
/// let p = initialize(&[2, 4, 1, 1], WeightInit::He, 3).unwrap();
/// assert!((p.w1[(0, 0)] - 1.78862847).abs() < 1e-8);
/// assert!(initialize(&[2, 4, 1], WeightInit::He, 3).is_err());
/// ```
pub fn initialize(
    layers_dims: &[usize],
    init: WeightInit,
    seed: u32,
) -> Result<Parameters, NnError> {
    let &[n0, n1, n2, n3] = layers_dims else {
        return Err(NnError::invalid(
            "layers_dims",
            format!(
                "the course helpers' network has three layers, [n_x, n1, n2, 1]; got {layers_dims:?}"
            ),
        ));
    };
    if n3 != 1 {
        return Err(NnError::invalid("layers_dims", format!("one output unit, got {n3}")));
    }
    let mut rng = NumpyRng::new(seed);
    let mut layer = |rows: usize, cols: usize| -> Result<(DMatrix<f64>, DMatrix<f64>), NnError> {
        Ok((init.weights(&mut rng, rows, cols)?, DMatrix::zeros(rows, 1)))
    };
    let (w1, b1) = layer(n1, n0)?;
    let (w2, b2) = layer(n2, n1)?;
    let (w3, b3) = layer(n3, n2)?;
    Ok(Parameters { w1, b1, w2, b2, w3, b3 })
}
