//! `hw6-gradient-checking`: Course 2 (*Improving Deep Neural Networks*), week 1's notebook
//! "Gradient Checking", in Rust. Backpropagation's gradient is compared with the two-sided
//! difference `(J(theta + eps) - J(theta - eps)) / (2 eps)`, first for the one-parameter
//! `J(theta) = theta x`, then for every one of the 47 parameters of a 4-5-3-1 network
//! (LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID) whose `backward_propagation_n` has
//! two planted bugs. The check finds them (difference 0.2850931567761623); fixed, it passes
//! (1.1890913024229996e-07).
//!
//! The functions carry the notebook's names, in its order; the helper files come where the
//! notebook uses them:
//!
//! | notebook | here |
//! |---|---|
//! | 1 `forward_propagation(x, theta)` | [`forward_propagation`] |
//! | 2 `backward_propagation(x, theta)` | [`backward_propagation`] |
//! | 3 `gradient_check(x, theta, epsilon)` | [`gradient_check`] |
//! | `testCases.gradient_check_n_test_case()` | [`gradient_check_n_test_case`] |
//! | `forward_propagation_n(X, Y, parameters)` | [`forward_propagation_n`] |
//! | `backward_propagation_n(X, Y, cache)` | [`backward_propagation_n`] (with [`Backprop`]) |
//! | `gc_utils.dictionary_to_vector(parameters)` | [`dictionary_to_vector`] |
//! | `gc_utils.vector_to_dictionary(theta)` | [`vector_to_dictionary`] |
//! | `gc_utils.gradients_to_vector(gradients)` | [`gradients_to_vector`] |
//! | 4 `gradient_check_n(parameters, gradients, X, Y, epsilon)` | [`gradient_check_n`] |
//! | (no figure in the notebook) | [`figures::gradient_gaps`] |
//!
//! The checking itself (the loop over the flattened vector, the difference
//! `||grad - gradapprox|| / (||grad|| + ||gradapprox||)`, the worst parameter) is the core's
//! [`linalg_nn::gradcheck`]; the network's forward pass and loss are
//! [`linalg_nn::three_layer`]'s. Every sum is added in numpy's order, and every matrix product
//! as OpenBLAS computes it on a processor with fused multiply-add
//! ([`linalg_nn::numpy::Products::Fused`]): the fixed check divides last-bit changes of the cost
//! by `2e-7`, and unfused products print 1.189041787877932e-07 instead of the notebook's
//! 1.1890913024229996e-07 (numpy itself does, with `OPENBLAS_CORETYPE=Sandybridge`). Run it with `cargo run --release -p hw6-gradient-checking` (add
//! `-- --backprop fixed` for the corrected backpropagation).
//!
//! ```
//! use hw6_gradient_checking::{Backprop, notebook_check};
//!
//! // The notebook's run: "There is a mistake in the backward propagation! difference =
//! // 0.2850931567761623", and b1 is where it is worst.
//! let report = notebook_check(Backprop::Buggy, 1e-7).unwrap();
//! assert_eq!(report.difference, 0.2850931567761623);
//! assert!(!report.passed());
//! assert_eq!(report.worst.to_string(), "b1[0, 0]");
//! // With both bugs fixed: 1.1890913024229996e-07, below the notebook's 2e-7.
//! let report = notebook_check(Backprop::Fixed, 1e-7).unwrap();
//! assert_eq!(report.difference, 1.1890913024229996e-07);
//! assert!(report.passed());
//! ```

#![forbid(unsafe_code)]

pub mod figures;

use linalg_nn::gradcheck::{GradCheckReport, gradient_check_vector};
use linalg_nn::matrix::{ensure_finite, ensure_shape};
use linalg_nn::numpy::{Products, sum_rows_like_numpy};
use linalg_nn::three_layer::{compute_loss, forward_propagation_with};
use linalg_nn::{DMatrix, NnError, NumpyRng};
use std::fmt;
use std::str::FromStr;

// gc_utils.py's sigmoid and relu, and the network all of Course 2's helper files share.
pub use linalg_nn::gradcheck::{DEFAULT_EPSILON, PASS_THRESHOLD};
pub use linalg_nn::numpy::sigmoid;
pub use linalg_nn::three_layer::{Cache, Gradients, Parameters, relu};

/// The notebook's 1-D input, `x, theta = 3, 4` (the older notebook's is `x = 2`).
pub const X: f64 = 3.0;
/// The notebook's 1-D parameter, `theta = 4`.
pub const THETA: f64 = 4.0;
/// `np.random.seed(1)` of `gradient_check_n_test_case`.
pub const SEED: u32 = 1;
/// The test case's network, `[n_x, n1, n2, n3]`: `W1 (5, 4)`, `W2 (3, 5)`, `W3 (1, 3)`.
pub const LAYERS_DIMS: [usize; 4] = [4, 5, 3, 1];
/// The parameters in `gc_utils`' order, with the shapes `vector_to_dictionary` gives them:
/// 20 + 5 + 15 + 3 + 3 + 1 = 47 values.
pub const BLOCKS: [(&str, (usize, usize)); 6] = [
    ("W1", (5, 4)),
    ("b1", (5, 1)),
    ("W2", (3, 5)),
    ("b2", (3, 1)),
    ("W3", (1, 3)),
    ("b3", (1, 1)),
];
/// How many values [`dictionary_to_vector`] makes of the test case's parameters.
pub const NUM_PARAMETERS: usize = 47;

/// Section 1, `forward_propagation(x, theta)`: `J(theta) = theta * x`.
///
/// ```
/// assert_eq!(hw6_gradient_checking::forward_propagation(2.0, 4.0), 8.0);
/// ```
pub fn forward_propagation(x: f64, theta: f64) -> f64 {
    theta * x
}

/// Section 1, `backward_propagation(x, theta)`: `dtheta = dJ/dtheta = x`.
///
/// ```
/// assert_eq!(hw6_gradient_checking::backward_propagation(2.0, 4.0), 2.0);
/// ```
pub fn backward_propagation(x: f64, _theta: f64) -> f64 {
    x
}

/// Section 1, `gradient_check(x, theta, epsilon)`: `gradapprox = (J(theta + epsilon) -
/// J(theta - epsilon)) / (2 epsilon)`, `grad = backward_propagation(x, theta)`, and the
/// difference `|grad - gradapprox| / (|grad| + |gradapprox|)` (the notebook's `np.linalg.norm`
/// of one number). `theta + epsilon` and `theta - epsilon` round, so the estimate is not exactly
/// `x`: 7.814075313343006e-11 for `x = 3`, 2.919335883291695e-10 for `x = 2`.
///
/// ```
/// let report = hw6_gradient_checking::gradient_check(3.0, 4.0, 1e-7).unwrap();
/// assert_eq!(report.difference, 7.814075313343006e-11);
/// assert!(report.passed());
/// ```
pub fn gradient_check(x: f64, theta: f64, epsilon: f64) -> Result<GradCheckReport, NnError> {
    for (name, value) in [("x", x), ("theta", theta)] {
        if !value.is_finite() {
            return Err(NnError::invalid(name, format!("must be finite, got {value}")));
        }
    }
    let grad = backward_propagation(x, theta);
    gradient_check_vector(&[("theta", (1, 1))], &[theta], &[grad], epsilon, |t| {
        forward_propagation(x, t[0])
    })
}

/// `testCases.gradient_check_n_test_case()`: `np.random.seed(1)`, `X = randn(4, 3)`,
/// `Y = [1, 1, 0]`, then `W1 = randn(5, 4)`, `b1 = randn(5, 1)`, `W2 = randn(3, 5)`,
/// `b2 = randn(3, 1)`, `W3 = randn(1, 3)`, `b3 = randn(1, 1)`, drawn in that order.
///
/// ```
/// let (x, y, p) = hw6_gradient_checking::gradient_check_n_test_case();
/// assert!((x[(0, 0)] - 1.62434536).abs() < 1e-8); // np.random.seed(1); randn() = 1.62434536
/// assert_eq!(y.as_slice(), &[1.0, 1.0, 0.0]);
/// assert_eq!((p.w1.shape(), p.b3.shape()), ((5, 4), (1, 1)));
/// ```
pub fn gradient_check_n_test_case() -> (DMatrix<f64>, DMatrix<f64>, Parameters) {
    let mut rng = NumpyRng::new(SEED);
    let x = rng.randn(4, 3);
    let y = DMatrix::from_row_slice(1, 3, &[1.0, 1.0, 0.0]);
    let w1 = rng.randn(5, 4);
    let b1 = rng.randn(5, 1);
    let w2 = rng.randn(3, 5);
    let b2 = rng.randn(3, 1);
    let w3 = rng.randn(1, 3);
    let b3 = rng.randn(1, 1);
    (x, y, Parameters { w1, b1, w2, b2, w3, b3 })
}

/// Section 3, `forward_propagation_n(X, Y, parameters)`: the three-layer forward pass
/// ([`linalg_nn::three_layer::forward_propagation_with`], the same code as `gc_utils`' network,
/// with fused products), then
/// the cross-entropy `cost = 1/m * np.sum(-log(A3) Y - log(1 - A3)(1 - Y))`
/// ([`compute_loss`], which adds the three terms in numpy's order). Returns `(cost, cache)`.
///
/// `compute_loss` skips a NaN term (`np.nansum`) where the notebook's `np.sum` would give a NaN
/// cost: that needs an output of exactly 0 or 1, which this network's parameters are far from.
pub fn forward_propagation_n(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    parameters: &Parameters,
) -> Result<(f64, Cache), NnError> {
    ensure_shape(y, (1, x.ncols()), "Y (one label per column of X)")?;
    let cache = forward_propagation_with(x, parameters, Products::Fused)?;
    let cost = compute_loss(&cache.a3, y)?;
    Ok((cost, cache))
}

/// Which `backward_propagation_n` runs: the notebook's, with its two planted bugs, the
/// corrected one, or one bug at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Backprop {
    /// The notebook's cell as given: `dW2 = 1./m * np.dot(dZ2, A1.T) * 2` and
    /// `db1 = 4./m * np.sum(dZ1, axis=1, keepdims = True)`. The default: the notebook runs it
    /// first, and the check finds the mistake.
    #[default]
    Buggy,
    /// Both bugs fixed: `dW2 = 1./m * np.dot(dZ2, A1.T)`, `db1 = 1./m * np.sum(dZ1, ...)`.
    Fixed,
    /// Only the doubled `dW2`.
    Dw2,
    /// Only the `4./m` in `db1`.
    Db1,
}

impl Backprop {
    /// All four, the notebook's first.
    pub const ALL: [Backprop; 4] = [Backprop::Buggy, Backprop::Fixed, Backprop::Dw2, Backprop::Db1];

    /// The name `--backprop` takes: `buggy`, `fixed`, `dw2`, `db1`.
    pub fn name(self) -> &'static str {
        match self {
            Backprop::Buggy => "buggy",
            Backprop::Fixed => "fixed",
            Backprop::Dw2 => "dw2",
            Backprop::Db1 => "db1",
        }
    }

    /// The factor on `dW2`: 2 with the first bug, else 1.
    pub fn dw2_factor(self) -> f64 {
        if matches!(self, Backprop::Buggy | Backprop::Dw2) { 2.0 } else { 1.0 }
    }

    /// The numerator of `db1`'s `k./m`: 4 with the second bug, else 1.
    pub fn db1_numerator(self) -> f64 {
        if matches!(self, Backprop::Buggy | Backprop::Db1) { 4.0 } else { 1.0 }
    }
}

impl fmt::Display for Backprop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backprop {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Backprop::ALL.into_iter().find(|b| b.name() == wanted).ok_or_else(|| {
            format!(
                "unknown backprop '{s}': expected buggy (the notebook's, the default), fixed, \
                 dw2 or db1 (one bug only)"
            )
        })
    }
}

/// Section 3, `backward_propagation_n(X, Y, cache)`, as the notebook writes it (the `1/m`
/// applied to each gradient, not to `dZ3`):
///
/// ```text
/// dZ3 = A3 - Y,               dW3 = 1/m dZ3 A2^T,   db3 = 1/m sum(dZ3, axis=1)
/// dA2 = W3^T dZ3,             dZ2 = dA2 * 1{A2 > 0}
/// dW2 = 1/m dZ2 A1^T (* 2),   db2 = 1/m sum(dZ2, axis=1)
/// dA1 = W2^T dZ2,             dZ1 = dA1 * 1{A1 > 0}
/// dW1 = 1/m dZ1 X^T,          db1 = (4 or 1)/m sum(dZ1, axis=1)
/// ```
///
/// `backprop` says whether the two planted bugs (`* 2`, `4/m`) are in. The products are fused
/// as numpy's are ([`Products::Fused`]). The notebook's
/// `gradients` dictionary is [`Gradients`] (with `dZ3` in its `dz3`).
pub fn backward_propagation_n(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    cache: &Cache,
    parameters: &Parameters,
    backprop: Backprop,
) -> Result<Gradients, NnError> {
    let m = x.ncols();
    ensure_shape(y, (1, m), "Y (one label per column of X)")?;
    ensure_shape(&cache.a3, (1, m), "A3 (the cache of a forward pass over X)")?;
    let inv_m = 1.0 / m as f64;
    let fused = Products::Fused;
    let dz3 = &cache.a3 - y;
    let dw3 = fused.dot_transposed(&dz3, &cache.a2) * inv_m;
    let db3 = sum_rows_like_numpy(&dz3) * inv_m;
    let da2 = fused.dot(&parameters.w3.transpose(), &dz3);
    let dz2 = da2.zip_map(&cache.a2, |d, a| d * if a > 0.0 { 1.0 } else { 0.0 });
    let dw2 = fused.dot_transposed(&dz2, &cache.a1) * inv_m * backprop.dw2_factor();
    let db2 = sum_rows_like_numpy(&dz2) * inv_m;
    let da1 = fused.dot(&parameters.w2.transpose(), &dz2);
    let dz1 = da1.zip_map(&cache.a1, |d, a| d * if a > 0.0 { 1.0 } else { 0.0 });
    let dw1 = fused.dot_transposed(&dz1, x) * inv_m;
    let db1 = sum_rows_like_numpy(&dz1) * (backprop.db1_numerator() / m as f64);
    Ok(Gradients { dz3, dw3, db3, da2, dz2, dw2, db2, da1, dz1, dw1, db1 })
}

/// `gc_utils.dictionary_to_vector(parameters)`: `W1, b1, W2, b2, W3, b3`, each flattened row by
/// row (`np.reshape(parameters[key], (-1, 1))`) and concatenated, with the key of every value
/// (the notebook's `keys`).
///
/// ```
/// use hw6_gradient_checking::{dictionary_to_vector, gradient_check_n_test_case};
/// let (_, _, p) = gradient_check_n_test_case();
/// let (theta, keys) = dictionary_to_vector(&p);
/// assert_eq!((theta.len(), keys[19], keys[20]), (47, "W1", "b1"));
/// assert_eq!(theta[1], p.w1[(0, 1)]); // row by row
/// ```
pub fn dictionary_to_vector(parameters: &Parameters) -> (Vec<f64>, Vec<&'static str>) {
    let mut theta = Vec::new();
    let mut keys = Vec::new();
    for (key, matrix) in parameters.named() {
        let row_major = matrix.transpose();
        theta.extend_from_slice(row_major.as_slice());
        keys.extend(std::iter::repeat_n(key, matrix.len()));
    }
    (theta, keys)
}

/// `gc_utils.vector_to_dictionary(theta)`: the 47 values back into the test case's shapes
/// ([`BLOCKS`]), `theta[:20].reshape((5, 4))` and so on.
///
/// ```
/// use hw6_gradient_checking::{dictionary_to_vector, gradient_check_n_test_case, vector_to_dictionary};
/// let (_, _, p) = gradient_check_n_test_case();
/// assert_eq!(vector_to_dictionary(&dictionary_to_vector(&p).0).unwrap(), p);
/// assert!(vector_to_dictionary(&[0.0; 46]).is_err());
/// ```
pub fn vector_to_dictionary(theta: &[f64]) -> Result<Parameters, NnError> {
    if theta.len() != NUM_PARAMETERS {
        return Err(NnError::invalid(
            "theta",
            format!(
                "vector_to_dictionary takes the {NUM_PARAMETERS} values of the 4-5-3-1 network, got {}",
                theta.len()
            ),
        ));
    }
    let mut start = 0;
    let mut matrices = BLOCKS.iter().map(|&(_, (rows, cols))| {
        let matrix = DMatrix::from_row_slice(rows, cols, &theta[start..start + rows * cols]);
        start += rows * cols;
        matrix
    });
    let mut next = || matrices.next().expect("BLOCKS has six matrices");
    Ok(Parameters { w1: next(), b1: next(), w2: next(), b2: next(), w3: next(), b3: next() })
}

/// `gc_utils.gradients_to_vector(gradients)`: `dW1, db1, dW2, db2, dW3, db3`, flattened as
/// [`dictionary_to_vector`] flattens the parameters, so `grad[i]` belongs to `theta[i]`.
pub fn gradients_to_vector(gradients: &Gradients) -> Vec<f64> {
    let g = gradients;
    [&g.dw1, &g.db1, &g.dw2, &g.db2, &g.dw3, &g.db3]
        .into_iter()
        .flat_map(|matrix| matrix.transpose().as_slice().to_vec())
        .collect()
}

/// Section 3, `gradient_check_n(parameters, gradients, X, Y, epsilon)`: `parameters_values =
/// dictionary_to_vector(parameters)`, `grad = gradients_to_vector(gradients)`, and for each of
/// the 47 values `J_plus[i]`, `J_minus[i]` from [`forward_propagation_n`] on
/// `vector_to_dictionary(theta_plus)` and `vector_to_dictionary(theta_minus)`,
/// `gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 epsilon)`; then the difference
/// `||grad - gradapprox|| / (||grad|| + ||gradapprox||)`. The loop and the report are
/// [`linalg_nn::gradcheck::gradient_check_vector`]'s, which also names the worst parameter.
pub fn gradient_check_n(
    parameters: &Parameters,
    gradients: &Gradients,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    epsilon: f64,
) -> Result<GradCheckReport, NnError> {
    let dims = parameters.layers_dims()?;
    if dims != LAYERS_DIMS {
        return Err(NnError::invalid(
            "parameters",
            format!("gradient_check_n takes the 4-5-3-1 network, got {dims:?}"),
        ));
    }
    ensure_finite(x, "X")?;
    ensure_finite(y, "Y")?;
    let (parameters_values, _) = dictionary_to_vector(parameters);
    let grad = gradients_to_vector(gradients);
    gradient_check_vector(&BLOCKS, &parameters_values, &grad, epsilon, |theta| {
        vector_to_dictionary(theta)
            .and_then(|p| forward_propagation_n(x, y, &p))
            .map_or(f64::NAN, |(cost, _)| cost)
    })
}

/// The notebook's N-dimensional cell: the test case, `forward_propagation_n`,
/// `backward_propagation_n` as `backprop` says, then `gradient_check_n(..., epsilon)`.
pub fn notebook_check(backprop: Backprop, epsilon: f64) -> Result<GradCheckReport, NnError> {
    let (x, y, parameters) = gradient_check_n_test_case();
    let (_, cache) = forward_propagation_n(&x, &y, &parameters)?;
    let gradients = backward_propagation_n(&x, &y, &cache, &parameters, backprop)?;
    gradient_check_n(&parameters, &gradients, &x, &y, epsilon)
}

/// What the notebook prints after a check: `difference > 2e-7` is a mistake.
///
/// ```
/// use hw6_gradient_checking::verdict;
/// assert_eq!(verdict(0.2850931567761623),
///     "There is a mistake in the backward propagation! difference = 0.2850931567761623");
/// assert_eq!(verdict(1.1890913024229996e-07),
///     "Your backward propagation works perfectly fine! difference = 1.1890913024229996e-07");
/// ```
pub fn verdict(difference: f64) -> String {
    let difference_text = linalg_nn::numpy::float_repr(difference);
    if difference <= PASS_THRESHOLD {
        format!("Your backward propagation works perfectly fine! difference = {difference_text}")
    } else {
        format!("There is a mistake in the backward propagation! difference = {difference_text}")
    }
}
