//! `hw1-logreg`: course 1, week 2 programming assignment, "Logistic Regression with a Neural
//! Network mindset" — a cat / non-cat classifier, function by function as in the notebook.
//!
//! Run it with `cargo run --release -p hw1-logreg` (after `cargo xtask fetch-data`, or with
//! `DL_COURSE_DATA` pointing at a folder holding the two `.h5` files). It prints what the
//! notebook prints: the data set summary (`m_train = 209`, `m_test = 50`, `num_px = 64`, the
//! shapes before and after flattening), `Cost after iteration i: c` every 100 iterations, and
//! the train / test accuracies (`99.04306220095694 %` and `70.0 %` with the course's 2000
//! iterations at learning rate 0.005). Figures go to `out/hw1-logreg/`; `--help` lists the flags
//! (`--compare-learning-rates`, `--image PATH`, `--json`, ...).
//!
//! | notebook cell | here |
//! |---|---|
//! | 4.1 `sigmoid` | [`linalg_nn::activations::sigmoid`] |
//! | 4.2 `initialize_with_zeros` | [`initialize_with_zeros`] |
//! | 4.3 `propagate` | [`propagate`] |
//! | 4.4 `optimize` | [`optimize`] (from the pictures' bytes: [`optimize_direct`]; through `X^T X`: [`optimize_gram`]) |
//! | 4.4 `predict` | [`predict`] (and [`predict_proba`] for the probability itself) |
//! | 5 `model` | [`model`], returning a [`LogisticModel`] |
//! | 6 learning-rate comparison | [`COMPARISON_LEARNING_RATES`], [`figures::learning_rate_comparison`] |
//! | 7 "test with your own image" | [`classify_image`], [`LogisticModel::classify`] |
//!
//! Shapes follow the course: `X` is `(n_x, m)` with one example per column, `Y` is `(1, m)`,
//! `w` is `(n_x, 1)` and `b` a scalar. Nothing here is specific to pictures, so other
//! assignments reuse [`model`] on any `(n_x, m)` data (e.g. the planar baseline of week 3).
//!
//! ```
//! use hw1_logreg::{model, predict};
//! use linalg_nn::train::Silent;
//! use nalgebra::DMatrix;
//!
//! // Points on a line, labelled 1 when x > 0.
//! let x = DMatrix::from_row_slice(1, 4, &[-2.0, -1.0, 1.0, 2.0]);
//! let y = DMatrix::from_row_slice(1, 4, &[0.0, 0.0, 1.0, 1.0]);
//! let fitted = model(&x, &y, &x, &y, 500, 0.5, &mut Silent).unwrap();
//! assert_eq!(fitted.train_accuracy, 100.0);
//! assert_eq!(fitted.costs.len(), 5); // iterations 0, 100, ..., 400
//! assert_eq!(predict(&fitted.w, fitted.b, &x).unwrap(), y);
//! ```

pub mod error;
pub mod figures;

pub use error::Hw1Error;

use linalg_nn::NnError;
use linalg_nn::activations::sigmoid_scalar;
use linalg_nn::cost::{
    cost_needed, cross_entropy_cost, labels_keep_cost_finite, log_likelihood, strictly_inside,
};
use linalg_nn::data::cat::CLASSES;
use linalg_nn::data::load_image_as_column;
use linalg_nn::gram::{Engine, GramFirstLayer, GramMatrix, GramSettings, RowView};
use linalg_nn::inputs::{Inputs, ensure_inputs_shape};
use linalg_nn::matrix::{accuracy_percent, ensure_finite, ensure_shape};
use linalg_nn::train::{
    Iteration, TrainObserver, all_finite, check_cost, validate_hyperparameters,
};
use linalg_nn::vector_exp::sigmoid_into;
use nalgebra::DMatrix;
use std::path::Path;

/// The notebook's `num_iterations` for the final model (section 5).
pub const NUM_ITERATIONS: usize = 2000;
/// The notebook's `learning_rate` for the final model (section 5).
pub const LEARNING_RATE: f64 = 0.005;
/// The cost is recorded (and printed) when `i % COST_EVERY == 0`, as in `optimize`.
pub const COST_EVERY: usize = 100;
/// The learning rates of the notebook's section 6 comparison.
pub const COMPARISON_LEARNING_RATES: [f64; 3] = [0.01, 0.001, 0.0001];
/// How long each run of the learning-rate comparison trains (section 6).
pub const COMPARISON_ITERATIONS: usize = 1500;
/// The training picture the notebook shows first (`index = 25`, a cat).
pub const TRAIN_SAMPLE_INDEX: usize = 25;
/// The test picture whose prediction the notebook shows after training (`index = 1`).
pub const TEST_SAMPLE_INDEX: usize = 1;
/// A probability strictly above this is predicted as class 1 (cat), as in `predict`.
pub const DECISION_THRESHOLD: f64 = 0.5;

/// The recorded costs as `(iteration, cost)`, one for every iteration with
/// `iteration % 100 == 0`: the notebook's `costs` list, with the iteration made explicit.
pub type Costs = Vec<(usize, f64)>;

/// The gradients of the cost, the notebook's `grads = {"dw": dw, "db": db}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Grads {
    /// `dJ/dw`, shape `(n_x, 1)`.
    pub dw: DMatrix<f64>,
    /// `dJ/db`.
    pub db: f64,
}

/// The learned parameters, the notebook's `params = {"w": w, "b": b}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Weights, shape `(n_x, 1)`.
    pub w: DMatrix<f64>,
    /// Bias.
    pub b: f64,
}

/// What [`model`] returns: the notebook's dictionary `d` plus the two accuracies it prints.
#[derive(Clone, Debug, PartialEq)]
pub struct LogisticModel {
    /// `(iteration, cost)` for every iteration with `iteration % 100 == 0`.
    pub costs: Costs,
    /// Predictions on the training set, `(1, m_train)` of 0.0 / 1.0.
    pub y_prediction_train: DMatrix<f64>,
    /// Predictions on the test set, `(1, m_test)` of 0.0 / 1.0.
    pub y_prediction_test: DMatrix<f64>,
    /// Learned weights, `(n_x, 1)`.
    pub w: DMatrix<f64>,
    /// Learned bias.
    pub b: f64,
    /// The learning rate it was trained with.
    pub learning_rate: f64,
    /// The number of iterations it was trained for.
    pub num_iterations: usize,
    /// `100 - mean(|Y_prediction_train - Y_train|) * 100`, in percent.
    pub train_accuracy: f64,
    /// `100 - mean(|Y_prediction_test - Y_test|) * 100`, in percent.
    pub test_accuracy: f64,
    /// The engine that trained it (never [`Engine::Auto`]).
    pub engine: Engine,
}

/// A prediction for one example, with the probability it comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Classification {
    /// `a = sigmoid(w^T x + b)`, the probability of class 1 (cat).
    pub probability: f64,
    /// 1 when `probability > 0.5`, else 0.
    pub label: u8,
}

impl Classification {
    /// Classifies a probability the way `predict` does.
    ///
    /// ```
    /// use hw1_logreg::Classification;
    /// assert_eq!(Classification::from_probability(0.5).class_name(), "non-cat");
    /// assert_eq!(Classification::from_probability(0.93).class_name(), "cat");
    /// ```
    pub fn from_probability(probability: f64) -> Self {
        Classification { probability, label: u8::from(probability > DECISION_THRESHOLD) }
    }

    /// The course's class name: `"cat"` for label 1, `"non-cat"` for label 0.
    pub fn class_name(&self) -> &'static str {
        CLASSES[usize::from(self.label)]
    }
}

/// Notebook 4.2, `initialize_with_zeros(dim)`: `w = np.zeros((dim, 1))`, `b = 0`.
///
/// Zero initialisation is fine for logistic regression (there is no hidden layer whose units
/// would stay symmetric).
///
/// ```
/// let (w, b) = hw1_logreg::initialize_with_zeros(2);
/// assert_eq!(w, nalgebra::DMatrix::zeros(2, 1));
/// assert_eq!(b, 0.0);
/// ```
pub fn initialize_with_zeros(dim: usize) -> (DMatrix<f64>, f64) {
    (DMatrix::zeros(dim, 1), 0.0)
}

/// Notebook 4.3, `propagate(w, b, X, Y)`: one forward and one backward pass.
///
/// Forward: `A = sigmoid(w^T X + b)`, `J = -(1/m) sum(Y log(A) + (1 - Y) log(1 - A))`.
/// Backward: `dw = (1/m) X (A - Y)^T`, `db = (1/m) sum(A - Y)`.
///
/// `w` is `(n_x, 1)`, `X` is `(n_x, m)` with `m >= 1`, `Y` is `(1, m)`; other shapes are a
/// [`NnError::ShapeMismatch`] naming the operand.
///
/// ```
/// use hw1_logreg::propagate;
/// use nalgebra::DMatrix;
///
/// // The notebook's test cell.
/// let w = DMatrix::from_row_slice(2, 1, &[1.0, 2.0]);
/// let x = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// let y = DMatrix::from_row_slice(1, 2, &[1.0, 0.0]);
/// let (grads, cost) = propagate(&w, 2.0, &x, &y).unwrap();
/// assert!((grads.dw[(0, 0)] - 0.99993216).abs() < 1e-8);
/// assert!((grads.dw[(1, 0)] - 1.99980262).abs() < 1e-8);
/// assert!((grads.db - 0.499935230625).abs() < 1e-12);
/// assert!((cost - 6.00006477319).abs() < 1e-10);
/// ```
pub fn propagate(
    w: &DMatrix<f64>,
    b: f64,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
) -> Result<(Grads, f64), Hw1Error> {
    let m = x.ncols();
    ensure_shape(y, (1, m), "Y against X (one label per column of X)")?;
    if m == 0 {
        return Err(NnError::invalid("X", "has no examples (0 columns)").into());
    }
    // FORWARD PROPAGATION (from X to cost)
    let a = predict_proba(w, b, x)?;
    let cost = cross_entropy_cost(&a, y)?;

    // BACKWARD PROPAGATION (to find grad)
    let dz = a - y;
    let inv_m = 1.0 / m as f64;
    let dw = x * dz.transpose() * inv_m;
    let db = dz.sum() * inv_m;
    Ok((Grads { dw, db }, cost))
}

/// Notebook 4.4, `optimize(w, b, X, Y, num_iterations, learning_rate, print_cost)`: gradient
/// descent, `w := w - alpha dw`, `b := b - alpha db`, `num_iterations` times.
///
/// Returns the final parameters, the gradients of the last iteration (computed before its
/// update, as in the notebook) and the cost recorded at every iteration `i` with
/// `i % 100 == 0`, as `(i, cost)`. Instead of `print_cost`, `observer` sees every iteration
/// (with the cost on the recorded ones) to print lines or drive a progress bar.
///
/// Errors: an invalid `num_iterations` (0) or `learning_rate` (not positive and finite), NaN or
/// infinite values in `X` or `Y`, wrong shapes, and divergence (a cost or the final weights
/// that are no longer finite), whose message suggests a smaller learning rate.
///
/// Each iteration is [`propagate`] fused into one pass over `X`: column `j` gives
/// `a_j = sigmoid(w^T x_j + b)` and at once adds `(a_j - y_j) x_j` to `dw`, while `x_j` is still
/// in cache, so `X` (20 MB for the cat pictures) is streamed once per iteration instead of
/// twice. The columns are cut into two fixed halves, each summed on its own (on two threads
/// when the machine has two cores and `X` is large), and the halves are added in a fixed order,
/// so the printed numbers are the same on one core or many. The cost's logarithms are worked
/// out for the recorded iterations and whenever the cost could be infinite
/// ([`linalg_nn::cost::cost_needed`]), so a divergence stops training at the same iteration
/// as [`propagate`] every iteration would.
///
/// ```
/// use hw1_logreg::optimize;
/// use linalg_nn::train::Silent;
/// use nalgebra::DMatrix;
///
/// // The notebook's test cell (100 iterations at 0.009).
/// let w = DMatrix::from_row_slice(2, 1, &[1.0, 2.0]);
/// let x = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// let y = DMatrix::from_row_slice(1, 2, &[1.0, 0.0]);
/// let (params, grads, costs) = optimize(&w, 2.0, &x, &y, 100, 0.009, &mut Silent).unwrap();
/// assert!((params.w[(0, 0)] - 0.1124579).abs() < 1e-7);
/// assert!((params.w[(1, 0)] - 0.23106775).abs() < 1e-8);
/// assert!((params.b - 1.55930492484).abs() < 1e-10);
/// assert!((grads.db - 0.430462071679).abs() < 1e-11);
/// assert_eq!(costs.len(), 1);
/// ```
pub fn optimize(
    w: &DMatrix<f64>,
    b: f64,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    num_iterations: usize,
    learning_rate: f64,
    observer: &mut dyn TrainObserver,
) -> Result<(Params, Grads, Costs), Hw1Error> {
    check_training_inputs(w, b, x, y, num_iterations, learning_rate)?;
    let threads = if x.len() >= fused::PARALLEL_MIN_ENTRIES { linalg_nn::pair::cores() } else { 1 };
    let columns = fused::Columns::Floats(x.as_slice());
    fused::optimize(w, b, columns, x.shape(), y, num_iterations, learning_rate, threads, observer)
}

/// The direct engine on any inputs: [`optimize`], the notebook's gradient descent with one pass
/// over `X` per iteration, and for the cat pictures that pass reads their bytes (`X = B / 255`,
/// 2.5 MB instead of the 20.5 MB float64 copy) with exact integer products
/// ([`linalg_nn::exact_bytes`]): `w^T B` and `B dZ^T`, each correctly rounded, the `1 / 255`
/// applied to the results. The same costs and parameters as [`optimize`] on `X` up to
/// rounding, and the same bits on one thread or two. The bytes are read where the CPU has the
/// VNNI kernels ([`linalg_nn::exact_bytes::accelerated`]); elsewhere the float64 pass is faster
/// and runs instead.
///
/// ```
/// use hdf5_pure::FileBuilder;
/// use hw1_logreg::{optimize, optimize_direct};
/// use linalg_nn::data::{CatSplit, Split};
/// use linalg_nn::train::Silent;
/// use nalgebra::DMatrix;
///
/// // Three 2 x 2 pictures: X is (12, 3).
/// let pixels: Vec<u8> = (0..36).map(|v| (v * 37 % 256) as u8).collect();
/// let mut fb = FileBuilder::new();
/// fb.create_dataset("test_set_x").with_u8_data(&pixels).with_shape(&[3, 2, 2, 3]);
/// fb.create_dataset("test_set_y").with_i64_data(&[1, 0, 1]);
/// fb.create_dataset("list_classes").with_ascii_strings(&["non-cat", "cat"]).unwrap();
/// let split = CatSplit::from_bytes(std::path::Path::new("t.h5"), fb.finish().unwrap(), Split::Test)
///     .unwrap();
/// let (w, y) = (DMatrix::zeros(12, 1), split.y());
/// let bytes = optimize_direct(&w, 0.0, &split, &y, 100, 0.05, &mut Silent).unwrap();
/// let floats = optimize(&w, 0.0, &split.x(), &y, 100, 0.05, &mut Silent).unwrap();
/// assert!((&bytes.0.w - &floats.0.w).abs().max() < 1e-13);
/// assert!((bytes.2[0].1 - floats.2[0].1).abs() < 1e-15);
/// ```
pub fn optimize_direct(
    w: &DMatrix<f64>,
    b: f64,
    x: &dyn Inputs,
    y: &DMatrix<f64>,
    num_iterations: usize,
    learning_rate: f64,
    observer: &mut dyn TrainObserver,
) -> Result<(Params, Grads, Costs), Hw1Error> {
    let (n_x, m) = x.shape();
    let Some(pixels) = x.pixels().filter(|_| fused::bytes_fit(n_x, m)) else {
        return optimize(w, b, &x.to_matrix(), y, num_iterations, learning_rate, observer);
    };
    check_training_inputs(w, b, x, y, num_iterations, learning_rate)?;
    let threads = if n_x * m >= fused::PARALLEL_MIN_ENTRIES { linalg_nn::pair::cores() } else { 1 };
    let columns = fused::Columns::Bytes(pixels);
    fused::optimize(w, b, columns, (n_x, m), y, num_iterations, learning_rate, threads, observer)
}

/// [`optimize`] computed by the Gram engine ([`linalg_nn::gram`]): the same gradient descent,
/// the same costs and parameters up to rounding, but each iteration updates `z = w^T X + b`
/// through the `(m, m)` matrix `G = X^T X` instead of streaming `X` twice. `gram` is `X^T X` if
/// the caller has it already (several runs on the same data), else it is computed here.
///
/// The last iteration's gradients are computed directly (once), so the returned [`Grads`] are
/// those of [`optimize`].
///
/// ```
/// use hw1_logreg::{optimize, optimize_gram};
/// use linalg_nn::train::Silent;
/// use nalgebra::DMatrix;
///
/// let w = DMatrix::from_row_slice(2, 1, &[1.0, 2.0]);
/// let x = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// let y = DMatrix::from_row_slice(1, 2, &[1.0, 0.0]);
/// let direct = optimize(&w, 2.0, &x, &y, 100, 0.009, &mut Silent).unwrap();
/// let gram = optimize_gram(&w, 2.0, &x, &y, 100, 0.009, None, &mut Silent).unwrap();
/// assert!((direct.0.w - gram.0.w).abs().max() < 1e-12);
/// assert!((direct.2[0].1 - gram.2[0].1).abs() < 1e-14);
/// ```
#[allow(clippy::too_many_arguments)]
pub fn optimize_gram(
    w: &DMatrix<f64>,
    b: f64,
    x: &dyn Inputs,
    y: &DMatrix<f64>,
    num_iterations: usize,
    learning_rate: f64,
    gram: Option<&GramMatrix>,
    observer: &mut dyn TrainObserver,
) -> Result<(Params, Grads, Costs), Hw1Error> {
    let m = check_training_inputs(w, b, x, y, num_iterations, learning_rate)?;
    // The first layer of logistic regression is W1 = w^T with a single row.
    let w_row = w.transpose();
    let b_column = DMatrix::from_element(1, 1, b);
    let settings = GramSettings::default();
    let mut layer = match gram {
        Some(g) => GramFirstLayer::with_gram(x, g, w_row, b_column, learning_rate, settings)?,
        None => GramFirstLayer::new(x, w_row, b_column, learning_rate, settings)?,
    };
    let mut costs = Vec::with_capacity(num_iterations.div_ceil(COST_EVERY));
    let labels = y.as_slice();
    // With labels in [-1, 1] every term of the cost is finite once 0 < a < 1, so between two
    // printed costs the logarithms can be skipped without missing a divergence: they are
    // worked out whenever the cost is printed or could be infinite (see below).
    let labels_in_unit_range = labels_keep_cost_finite(labels);
    // A = sigmoid(z), dZ = A - Y, as in propagate, on each half of the examples, with the
    // vectorised sigmoid (within a few units in the last place of the notebook's, and eight at a
    // time: the library's exp was a sixth of every step); the report says whether every A of
    // the half is strictly between 0 and 1.
    let activate = |first: usize, z: &[f64], dz: &mut [f64]| {
        sigmoid_into(z, dz);
        let mut all_strictly_inside = true;
        for (dz, &label) in dz.iter_mut().zip(&labels[first..]) {
            all_strictly_inside &= strictly_inside(*dz);
            *dz -= label;
        }
        all_strictly_inside
    };
    // Z1 and A when the cost is worked out, allocated once.
    let (mut z, mut a) = (vec![0.0; m], vec![0.0; m]);
    let after = |i: usize, row: &RowView<'_>, inside: [bool; 2]| -> Result<(), Hw1Error> {
        let record = i.is_multiple_of(COST_EVERY);
        let mut recorded = None;
        if cost_needed(record, inside == [true, true], labels_in_unit_range) {
            // The same A as `activate` computed: the same function of the same z.
            row.z_into(&mut z);
            sigmoid_into(&z, &mut a);
            let cost_sum: f64 =
                a.iter().zip(labels).map(|(&a, &label)| log_likelihood(a, label)).sum();
            let cost = -cost_sum / m as f64;
            check_cost(i, cost, learning_rate)?;
            if record {
                costs.push((i, cost));
                recorded = Some(cost);
            }
        }
        observer.on_iteration(&Iteration { index: i, total: num_iterations, cost: recorded });
        Ok(())
    };
    let dz = layer.run_one_row(num_iterations, activate, after)?;
    let last_db = match num_iterations {
        0 => 0.0,
        _ => dz.sum() / m as f64,
    };
    // dw of the last iteration, (1/m) X dZ^T, computed once for the returned gradients.
    let mut dw_row = DMatrix::zeros(1, x.shape().0);
    x.gemm_transposed_into(&mut dw_row, 0.0, &dz, 1.0 / m as f64)?;
    let dw = dw_row.transpose();
    let w = layer.weights().transpose();
    let b = layer.bias()[(0, 0)];
    if !(all_finite(&w) && b.is_finite()) {
        return Err(
            NnError::ParametersDiverged { iteration: num_iterations - 1, learning_rate }.into()
        );
    }
    Ok((Params { w, b }, Grads { dw, db: last_db }, costs))
}

/// `A = sigmoid(w^T X + b)`: the probability of class 1 for every column of `X`, shape
/// `(1, m)`. This is the first line of the notebook's `predict`, kept separate so a caller can
/// show the probability behind a prediction.
///
/// ```
/// use hw1_logreg::predict_proba;
/// use nalgebra::DMatrix;
/// let w = DMatrix::from_row_slice(2, 1, &[1.0, -1.0]);
/// let x = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 1.0, 0.0]);
/// let a = predict_proba(&w, 0.0, &x).unwrap();
/// assert_eq!(a, DMatrix::from_row_slice(1, 2, &[0.5, 0.5]));
/// ```
pub fn predict_proba(w: &DMatrix<f64>, b: f64, x: &dyn Inputs) -> Result<DMatrix<f64>, Hw1Error> {
    ensure_shape(w, (x.shape().0, 1), "w against X (one weight per row of X)")?;
    let mut a = DMatrix::zeros(1, x.shape().1);
    // w^T X as one (1, n_x) x (n_x, m) product: nalgebra's own row-times-matrix path is ten
    // times slower on the cat pictures (docs/performance.md); from the pictures' bytes when X
    // is the pictures (linalg_nn::inputs).
    x.tr_mul_into(&mut a, w)?;
    a.apply(|z| *z = sigmoid_scalar(*z + b));
    Ok(a)
}

/// Notebook 4.4, `predict(w, b, X)`: 1 where `A = sigmoid(w^T X + b) > 0.5`, else 0, shape
/// `(1, m)`.
///
/// ```
/// use hw1_logreg::predict;
/// use nalgebra::DMatrix;
///
/// // The notebook's test cell.
/// let w = DMatrix::from_row_slice(2, 1, &[0.1124579, 0.23106775]);
/// let x = DMatrix::from_row_slice(2, 3, &[1.0, -1.1, -3.2, 1.2, 2.0, 0.1]);
/// let y_prediction = predict(&w, -0.3, &x).unwrap();
/// assert_eq!(y_prediction, DMatrix::from_row_slice(1, 3, &[1.0, 1.0, 0.0]));
/// ```
pub fn predict(w: &DMatrix<f64>, b: f64, x: &dyn Inputs) -> Result<DMatrix<f64>, Hw1Error> {
    let mut a = predict_proba(w, b, x)?;
    a.apply(|p| *p = f64::from(u8::from(*p > DECISION_THRESHOLD)));
    Ok(a)
}

/// Notebook section 5, `model(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate,
/// print_cost)`: zero initialisation, [`optimize`], then [`predict`] on both sets and the
/// accuracies the notebook prints.
///
/// Works on any `(n_x, m)` data: `X_train` is `(n_x, m_train)`, `Y_train` `(1, m_train)`,
/// `X_test` `(n_x, m_test)`, `Y_test` `(1, m_test)`. The course's cat model is
/// `model(&x_train, &y_train, &x_test, &y_test, 2000, 0.005, observer)`.
///
/// ```
/// use hw1_logreg::model;
/// use linalg_nn::train::{Iteration, Silent};
/// use nalgebra::DMatrix;
///
/// let x = DMatrix::from_row_slice(2, 4, &[0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0]);
/// let y = DMatrix::from_row_slice(1, 4, &[0.0, 0.0, 0.0, 1.0]); // AND
/// let mut printed = Vec::new();
/// let mut observer = |it: &Iteration| printed.extend(it.cost.map(|c| (it.index, c)));
/// let fitted = model(&x, &y, &x, &y, 3000, 1.0, &mut observer).unwrap();
/// assert_eq!(fitted.y_prediction_train, y);
/// assert_eq!(printed, fitted.costs);
/// assert!((fitted.costs[0].1 - std::f64::consts::LN_2).abs() < 1e-15);
///
/// // The test set must have as many rows (features) as the training set.
/// let err = model(&x, &y, &DMatrix::zeros(3, 4), &y, 10, 0.1, &mut Silent).unwrap_err();
/// assert!(err.to_string().contains("X_test"));
/// ```
pub fn model(
    x_train: &DMatrix<f64>,
    y_train: &DMatrix<f64>,
    x_test: &DMatrix<f64>,
    y_test: &DMatrix<f64>,
    num_iterations: usize,
    learning_rate: f64,
    observer: &mut dyn TrainObserver,
) -> Result<LogisticModel, Hw1Error> {
    let options = ModelOptions { engine: Engine::Direct, gram: None };
    model_with(x_train, y_train, x_test, y_test, num_iterations, learning_rate, options, observer)
}

/// How [`model_with`] trains: which engine, and a Gram matrix `X_train^T X_train` computed
/// before (so several runs on the same data compute it once).
#[derive(Clone, Copy, Debug, Default)]
pub struct ModelOptions<'g> {
    /// [`Engine::Direct`] is [`optimize`], [`Engine::Gram`] is [`optimize_gram`],
    /// [`Engine::Auto`] picks Gram when `n_x > m`.
    pub engine: Engine,
    /// `X_train^T X_train`, if already computed (used by the Gram engine only).
    pub gram: Option<&'g GramMatrix>,
}

/// [`model`] with a choice of engine (`--engine` of the binary). Both engines give the course's
/// numbers; see `docs/gram-engine.md`.
#[allow(clippy::too_many_arguments)]
pub fn model_with(
    x_train: &dyn Inputs,
    y_train: &DMatrix<f64>,
    x_test: &dyn Inputs,
    y_test: &DMatrix<f64>,
    num_iterations: usize,
    learning_rate: f64,
    options: ModelOptions<'_>,
    observer: &mut dyn TrainObserver,
) -> Result<LogisticModel, Hw1Error> {
    validate_hyperparameters(num_iterations, learning_rate)?;
    let ((n_x, m_train), m_test) = (x_train.shape(), x_test.shape().1);
    ensure_shape(y_train, (1, m_train), "Y_train against X_train (one label per column)")?;
    ensure_inputs_shape(x_test, (n_x, m_test), "X_test against X_train (same number of rows)")?;
    ensure_shape(y_test, (1, m_test), "Y_test against X_test (one label per column)")?;
    x_test.ensure_finite("X_test")?;

    let (w, b) = initialize_with_zeros(n_x);
    let engine = options.engine.resolve(n_x, m_train);
    let (params, _, costs) = match engine {
        Engine::Gram => optimize_gram(
            &w,
            b,
            x_train,
            y_train,
            num_iterations,
            learning_rate,
            options.gram,
            observer,
        )?,
        _ => optimize_direct(&w, b, x_train, y_train, num_iterations, learning_rate, observer)?,
    };
    let Params { w, b } = params;

    let y_prediction_test = predict(&w, b, x_test)?;
    let y_prediction_train = predict(&w, b, x_train)?;
    let train_accuracy = accuracy_percent(&y_prediction_train, y_train)?;
    let test_accuracy = accuracy_percent(&y_prediction_test, y_test)?;
    Ok(LogisticModel {
        costs,
        y_prediction_train,
        y_prediction_test,
        w,
        b,
        learning_rate,
        num_iterations,
        train_accuracy,
        test_accuracy,
        engine,
    })
}

impl LogisticModel {
    /// [`predict_proba`] with this model's `w` and `b`.
    pub fn predict_proba(&self, x: &dyn Inputs) -> Result<DMatrix<f64>, Hw1Error> {
        predict_proba(&self.w, self.b, x)
    }

    /// [`predict`] with this model's `w` and `b`.
    pub fn predict(&self, x: &dyn Inputs) -> Result<DMatrix<f64>, Hw1Error> {
        predict(&self.w, self.b, x)
    }

    /// Classifies one example, a column `(n_x, 1)`, e.g. from
    /// [`load_image_as_column`].
    pub fn classify(&self, column: &DMatrix<f64>) -> Result<Classification, Hw1Error> {
        ensure_shape(column, (self.w.nrows(), 1), "the example to classify (one column)")?;
        let a = self.predict_proba(column)?;
        Ok(Classification::from_probability(a[(0, 0)]))
    }
}

/// Notebook section 7, "test with your own image": loads the picture at `path` (PNG or JPEG),
/// resizes it to `num_px x num_px` as the notebook does, and classifies it with `model`.
///
/// Errors name the file (missing, not a picture, damaged) or the shape mismatch when `model`
/// was not trained on `num_px x num_px` RGB pictures.
pub fn classify_image(
    model: &LogisticModel,
    path: &Path,
    num_px: u32,
) -> Result<Classification, Hw1Error> {
    let n_x = (num_px as usize).pow(2) * 3;
    ensure_shape(&model.w, (n_x, 1), &format!("w for {num_px}x{num_px} RGB pictures"))?;
    let (column, _) = load_image_as_column(path, num_px)?;
    model.classify(&column)
}

/// Formats a float the way Python's `str(float)` does for the values the notebook prints
/// (`70.0`, `99.04306220095694`, `0.0001`), so printed accuracies match the course's text.
///
/// ```
/// use hw1_logreg::python_float;
/// assert_eq!(python_float(70.0), "70.0");
/// assert_eq!(python_float(99.04306220095694), "99.04306220095694");
/// assert_eq!(python_float(0.0001), "0.0001");
/// ```
pub fn python_float(value: f64) -> String {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e16 {
        format!("{value:.1}")
    } else {
        format!("{value}")
    }
}

/// The checks both engines run before training: hyperparameters, finite inputs, shapes, and at
/// least one example. Returns `m`.
fn check_training_inputs(
    w: &DMatrix<f64>,
    b: f64,
    x: &dyn Inputs,
    y: &DMatrix<f64>,
    num_iterations: usize,
    learning_rate: f64,
) -> Result<usize, Hw1Error> {
    validate_hyperparameters(num_iterations, learning_rate)?;
    x.ensure_finite("X")?;
    ensure_finite(y, "Y")?;
    ensure_finite(w, "w")?;
    if !b.is_finite() {
        return Err(NnError::invalid("b", format!("must be finite, got {b}")).into());
    }
    let m = x.shape().1;
    ensure_shape(w, (x.shape().0, 1), "w against X (one weight per row of X)")?;
    ensure_shape(y, (1, m), "Y against X (one label per column of X)")?;
    if m == 0 {
        return Err(NnError::invalid("X", "has no examples (0 columns)").into());
    }
    Ok(m)
}

/// The direct engine's training loop: [`propagate`] fused into one pass over `X` per iteration,
/// on two fixed halves of the columns (see [`optimize`]), from the float64 matrix or from the
/// pictures' bytes (see [`optimize_direct`]).
mod fused {
    use super::{COST_EVERY, Costs, Grads, Hw1Error, Params};
    use linalg_nn::activations::sigmoid_scalar;
    use linalg_nn::cost::log_likelihood;
    use linalg_nn::exact_bytes::{self, ColumnTiles, Digits};
    use linalg_nn::pair;
    use linalg_nn::train::{Iteration, TrainObserver, all_finite, check_cost};
    use nalgebra::DMatrix;
    use std::ops::Range;
    use std::sync::{Mutex, RwLock};

    /// Below this many entries in `X` the second thread costs more than it saves (the planar
    /// baseline of week 3 has 800).
    pub(super) const PARALLEL_MIN_ENTRIES: usize = 1 << 20;

    /// The two fixed halves of `0..m` (the first one gets the odd column).
    pub(super) fn halves(m: usize) -> [Range<usize>; 2] {
        let mid = m.div_ceil(2);
        [0..mid, mid..m]
    }

    /// What the passes read of `X`: the float64 matrix, or the pictures' bytes `B` with
    /// `X = B / 255` (`n_x` bytes per column, column after column).
    #[derive(Clone, Copy, Debug)]
    pub(super) enum Columns<'a> {
        Floats(&'a [f64]),
        Bytes(&'a [u8]),
    }

    /// The two fixed halves of the pictures' columns for the byte pass: the first ends on a
    /// multiple of four columns, so that each half's tiles are its own.
    pub(super) fn byte_halves(m: usize) -> [Range<usize>; 2] {
        let quads = m.div_ceil(4);
        let mid = (4 * quads.div_ceil(2)).min(m);
        [0..mid, mid..m]
    }

    /// Whether pictures of this shape are within the exact byte products' range, on a CPU
    /// whose VNNI kernels make them faster than the float64 pass.
    pub(super) fn bytes_fit(n_x: usize, m: usize) -> bool {
        n_x <= exact_bytes::MAX_TERMS
            && byte_halves(m).iter().all(|half| half.len() <= exact_bytes::MAX_TERMS)
            && exact_bytes::accelerated()
    }

    /// The weights as the two halves read them: `w`, and for the byte pass its digits.
    struct Weights {
        w: DMatrix<f64>,
        digits: Option<Digits>,
    }

    /// One half's buffers for the byte pass: its columns as tiles for `w^T B` and for `B dZ^T`,
    /// `w^T B` and `dZ`.
    pub(super) struct ByteHalf {
        forward: ColumnTiles,
        backward: ColumnTiles,
        z: Vec<f64>,
        dz: Vec<f64>,
    }

    impl ByteHalf {
        fn new(pixels: &[u8], n_x: usize, cols: Range<usize>) -> Self {
            let columns = cols.len();
            ByteHalf {
                forward: ColumnTiles::transposed(pixels, n_x, cols.clone()),
                backward: ColumnTiles::new(pixels, n_x, cols),
                z: vec![0.0; columns],
                dz: vec![0.0; columns],
            }
        }
    }

    /// What one half of the columns contributes to an iteration.
    pub(super) struct Partial {
        /// `sum_j (a_j - y_j) x_j` over the half's columns, in column order.
        pub(super) dw: Vec<f64>,
        /// `a_j = sigmoid(w^T x_j + b)` of the half's columns, in column order.
        pub(super) probabilities: Vec<f64>,
        /// Whether every `a_j` is strictly between 0 and 1 (false for NaN).
        pub(super) strictly_inside: bool,
        /// `sum_j (a_j - y_j)`.
        pub(super) dz: f64,
        /// The byte pass's buffers (`None` for the float64 pass).
        bytes: Option<ByteHalf>,
        /// `z_j + b` of the half's columns, for [`pass_small`].
        z: Vec<f64>,
    }

    impl Partial {
        /// For `columns` columns of `n_x` features: every buffer allocated here, none in the loop.
        pub(super) fn new(n_x: usize, columns: usize) -> Self {
            Partial {
                dw: vec![0.0; n_x],
                probabilities: Vec::with_capacity(columns),
                strictly_inside: true,
                dz: 0.0,
                bytes: None,
                z: Vec::with_capacity(columns),
            }
        }

        /// `sum_j y_j log(a_j) + (1 - y_j) log(1 - a_j)` over the half's columns in column
        /// order, `labels` being the half's labels: worked out only when the cost is needed.
        pub(super) fn log_likelihood(&self, labels: &[f64]) -> f64 {
            self.probabilities
                .iter()
                .zip(labels)
                .fold(0.0, |sum, (&a, &y)| sum + log_likelihood(a, y))
        }

        fn push_probability(&mut self, a: f64) {
            self.probabilities.push(a);
            self.strictly_inside &= linalg_nn::cost::strictly_inside(a);
        }
    }

    /// Running sums of each dot product `w . x_j`: eight independent sums (two AVX2 or four
    /// SSE2 registers), combined pairwise at the end. Fixed, so the rounding is the same
    /// whatever the CPU.
    const DOT_LANES: usize = 8;

    /// Columns handled together: their dot products share each load of `w`, and their
    /// updates of `dw` share each load and store of `dw`, while their four columns of `X`
    /// (400 kB for the cat pictures) stay in the L2 cache between the two steps. Blocking
    /// changes no rounding: each `dw[i]` still receives the columns' terms one after another in
    /// column order.
    const BLOCK: usize = 4;

    /// `w . x_c` for the `B` columns `x_c`, each with [`DOT_LANES`] running sums.
    #[inline(always)]
    fn dots<const B: usize>(w: &[f64], x: [&[f64]; B]) -> [f64; B] {
        let mut acc = [[0.0; DOT_LANES]; B];
        let (w_chunks, w_tail) = w.as_chunks::<DOT_LANES>();
        let x_chunks: [&[[f64; DOT_LANES]]; B] = x.map(|col| col.as_chunks::<DOT_LANES>().0);
        for (k, wc) in w_chunks.iter().enumerate() {
            for c in 0..B {
                let xc = &x_chunks[c][k];
                for l in 0..DOT_LANES {
                    acc[c][l] += wc[l] * xc[l];
                }
            }
        }
        let tail_start = w_chunks.len() * DOT_LANES;
        let mut out = [0.0; B];
        for c in 0..B {
            let lanes = &mut acc[c];
            let mut width = DOT_LANES;
            while width > 1 {
                width /= 2;
                for l in 0..width {
                    lanes[l] += lanes[l + width];
                }
            }
            let mut tail = 0.0;
            for (a, b) in w_tail.iter().zip(&x[c][tail_start..]) {
                tail += a * b;
            }
            out[c] = lanes[0] + tail;
        }
        out
    }

    /// Columns `first .. first + B`: `a_j = sigmoid(w . x_j + b)`, the log-likelihoods, and
    /// `dw += (a_j - y_j) x_j` in column order.
    #[inline(always)]
    fn block<const B: usize>(
        w: &[f64],
        b: f64,
        x: &[f64],
        y: &[f64],
        first: usize,
        out: &mut Partial,
    ) {
        let n_x = w.len();
        let cols: [&[f64]; B] =
            std::array::from_fn(|c| &x[(first + c) * n_x..(first + c + 1) * n_x]);
        let z = dots::<B>(w, cols);
        let mut dz = [0.0; B];
        for c in 0..B {
            let a = sigmoid_scalar(z[c] + b);
            out.push_probability(a);
            dz[c] = a - y[first + c];
            out.dz += dz[c];
        }
        let (dw_chunks, dw_tail) = out.dw.as_chunks_mut::<DOT_LANES>();
        let x_chunks: [&[[f64; DOT_LANES]]; B] = cols.map(|col| col.as_chunks::<DOT_LANES>().0);
        for (k, g) in dw_chunks.iter_mut().enumerate() {
            let mut sums = *g;
            for c in 0..B {
                let xc = &x_chunks[c][k];
                for l in 0..DOT_LANES {
                    sums[l] += dz[c] * xc[l];
                }
            }
            *g = sums;
        }
        let tail_start = n_x - dw_tail.len();
        for (i, g) in dw_tail.iter_mut().enumerate() {
            for c in 0..B {
                *g += dz[c] * cols[c][tail_start + i];
            }
        }
    }

    /// One half of an iteration: `full_block` over the half's columns, [`BLOCK`] at a time,
    /// then [`block`] for the last few.
    #[inline(always)]
    fn pass_body(
        w: &[f64],
        b: f64,
        x: &[f64],
        y: &[f64],
        cols: Range<usize>,
        out: &mut Partial,
        full_block: impl Fn(&[f64], f64, &[f64], &[f64], usize, &mut Partial),
    ) {
        out.dw.fill(0.0);
        out.probabilities.clear();
        out.strictly_inside = true;
        out.dz = 0.0;
        let mut j = cols.start;
        while j + BLOCK <= cols.end {
            full_block(w, b, x, y, j, out);
            j += BLOCK;
        }
        for j in j..cols.end {
            block::<1>(w, b, x, y, j, out);
        }
    }

    /// The end of one column's dot product in the vector kernels, then its activation: the
    /// running sums `l + (l + 4)` as `lanes`, combined as in [`dots`] (`(0 + 2) + (1 + 3)`), plus
    /// the scalar tail `w_tail . x_tail`; then `a = sigmoid(z + b)` into `out`. Returns
    /// `dz = a - y`.
    #[inline(always)]
    fn finish_column(
        lanes: [f64; 4],
        w_tail: &[f64],
        x_tail: &[f64],
        b: f64,
        label: f64,
        out: &mut Partial,
    ) -> f64 {
        let mut tail = 0.0;
        for (a, v) in w_tail.iter().zip(x_tail) {
            tail += a * v;
        }
        let z = ((lanes[0] + lanes[2]) + (lanes[1] + lanes[3])) + tail;
        let a = sigmoid_scalar(z + b);
        out.push_probability(a);
        let dz = a - label;
        out.dz += dz;
        dz
    }

    /// [`block`] of [`BLOCK`] = 4 columns with AVX2 (no FMA): the same operations lane for
    /// lane, so the same bits. Lanes `0..4` of each dot product's running sums are the first
    /// register, lanes `4..8` the second.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn block4_avx2(w: &[f64], b: f64, x: &[f64], y: &[f64], first: usize, out: &mut Partial) {
        use std::arch::x86_64::*;
        let n_x = w.len();
        let cols: [&[f64]; 4] =
            std::array::from_fn(|c| &x[(first + c) * n_x..(first + c + 1) * n_x]);
        assert_eq!(out.dw.len(), n_x, "dw has one entry per row of X");
        let full = n_x - n_x % DOT_LANES;
        let mut acc = [[_mm256_setzero_pd(); 2]; 4];
        let mut i = 0;
        while i < full {
            // SAFETY: i + 8 <= full <= n_x, the length of w and of every column.
            unsafe {
                let w0 = _mm256_loadu_pd(w.as_ptr().add(i));
                let w1 = _mm256_loadu_pd(w.as_ptr().add(i + 4));
                for c in 0..4 {
                    let p = cols[c].as_ptr().add(i);
                    acc[c][0] = _mm256_add_pd(acc[c][0], _mm256_mul_pd(w0, _mm256_loadu_pd(p)));
                    acc[c][1] =
                        _mm256_add_pd(acc[c][1], _mm256_mul_pd(w1, _mm256_loadu_pd(p.add(4))));
                }
            }
            i += DOT_LANES;
        }
        let dz: [f64; 4] = std::array::from_fn(|c| {
            let mut lanes = [0.0; 4];
            // SAFETY: lanes holds four f64.
            unsafe { _mm256_storeu_pd(lanes.as_mut_ptr(), _mm256_add_pd(acc[c][0], acc[c][1])) };
            finish_column(lanes, &w[full..], &cols[c][full..], b, y[first + c], out)
        });
        let dz_v = dz.map(|d| _mm256_set1_pd(d));
        let dw = out.dw.as_mut_ptr();
        let mut i = 0;
        while i + 4 <= n_x {
            // SAFETY: i + 4 <= n_x, the length of dw and of every column.
            unsafe {
                let mut g = _mm256_loadu_pd(dw.add(i));
                for c in 0..4 {
                    g = _mm256_add_pd(
                        g,
                        _mm256_mul_pd(dz_v[c], _mm256_loadu_pd(cols[c].as_ptr().add(i))),
                    );
                }
                _mm256_storeu_pd(dw.add(i), g);
            }
            i += 4;
        }
        let tail_start = i;
        for (k, g) in out.dw[tail_start..].iter_mut().enumerate() {
            for c in 0..4 {
                *g += dz[c] * cols[c][tail_start + k];
            }
        }
    }

    /// [`block4_avx2`] with AVX-512: each dot product's eight running sums are one register
    /// (lanes `0..4` the low half, `4..8` the high half), combined as there, and `dw` is updated
    /// eight entries at a time with the same operations per entry: the same bits again, 5-10 %
    /// faster on the Zen 5 host of docs/performance.md.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn block4_avx512(w: &[f64], b: f64, x: &[f64], y: &[f64], first: usize, out: &mut Partial) {
        use std::arch::x86_64::*;
        let n_x = w.len();
        let cols: [&[f64]; 4] =
            std::array::from_fn(|c| &x[(first + c) * n_x..(first + c + 1) * n_x]);
        assert_eq!(out.dw.len(), n_x, "dw has one entry per row of X");
        let full = n_x - n_x % DOT_LANES;
        let mut acc = [_mm512_setzero_pd(); 4];
        let mut i = 0;
        while i < full {
            // SAFETY: i + 8 <= full <= n_x, the length of w and of every column.
            unsafe {
                let wv = _mm512_loadu_pd(w.as_ptr().add(i));
                for (acc, col) in acc.iter_mut().zip(&cols) {
                    *acc = _mm512_add_pd(
                        *acc,
                        _mm512_mul_pd(wv, _mm512_loadu_pd(col.as_ptr().add(i))),
                    );
                }
            }
            i += DOT_LANES;
        }
        let dz: [f64; 4] = std::array::from_fn(|c| {
            let mut lanes = [0.0; 4];
            let halves =
                _mm256_add_pd(_mm512_castpd512_pd256(acc[c]), _mm512_extractf64x4_pd::<1>(acc[c]));
            // SAFETY: lanes holds four f64.
            unsafe { _mm256_storeu_pd(lanes.as_mut_ptr(), halves) };
            finish_column(lanes, &w[full..], &cols[c][full..], b, y[first + c], out)
        });
        let dz_v = dz.map(|d| _mm512_set1_pd(d));
        let dw = out.dw.as_mut_ptr();
        let mut i = 0;
        while i + 8 <= n_x {
            // SAFETY: i + 8 <= n_x, the length of dw and of every column.
            unsafe {
                let mut g = _mm512_loadu_pd(dw.add(i));
                for (dz_c, col) in dz_v.iter().zip(&cols) {
                    g = _mm512_add_pd(
                        g,
                        _mm512_mul_pd(*dz_c, _mm512_loadu_pd(col.as_ptr().add(i))),
                    );
                }
                _mm512_storeu_pd(dw.add(i), g);
            }
            i += 8;
        }
        let tail_start = i;
        for (k, g) in out.dw[tail_start..].iter_mut().enumerate() {
            for c in 0..4 {
                *g += dz[c] * cols[c][tail_start + k];
            }
        }
    }

    /// The half's columns with AVX-512.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn pass_avx512(w: &[f64], b: f64, x: &[f64], y: &[f64], cols: Range<usize>, out: &mut Partial) {
        pass_body(w, b, x, y, cols, out, |w, b, x, y, first, out| {
            block4_avx512(w, b, x, y, first, out)
        });
    }

    /// The half's columns with AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn pass_avx2(w: &[f64], b: f64, x: &[f64], y: &[f64], cols: Range<usize>, out: &mut Partial) {
        pass_body(w, b, x, y, cols, out, |w, b, x, y, first, out| {
            block4_avx2(w, b, x, y, first, out)
        });
    }

    fn pass_generic(
        w: &[f64],
        b: f64,
        x: &[f64],
        y: &[f64],
        cols: Range<usize>,
        out: &mut Partial,
    ) {
        pass_body(w, b, x, y, cols, out, block::<BLOCK>);
    }

    /// One half of an iteration for fewer than [`DOT_LANES`] features (the planar baseline of
    /// week 3 has two): each `w . x_j` is then its scalar tail alone, `0 + tail` as [`dots`] and
    /// the vector blocks compute it; the half's sigmoids are taken together
    /// ([`linalg_nn::vector_exp::sigmoid_into`], the bits of `sigmoid_scalar`), and `dw` is
    /// summed in registers, each entry receiving its terms in column order: the bits of the
    /// block passes, without a function call and a trip through memory per column.
    fn pass_small(w: &[f64], b: f64, x: &[f64], y: &[f64], cols: Range<usize>, out: &mut Partial) {
        // The feature count as a constant, so that dw stays in registers.
        match w.len() {
            1 => pass_few::<1>(w, b, x, y, cols, out),
            2 => pass_few::<2>(w, b, x, y, cols, out),
            3 => pass_few::<3>(w, b, x, y, cols, out),
            4 => pass_few::<4>(w, b, x, y, cols, out),
            5 => pass_few::<5>(w, b, x, y, cols, out),
            6 => pass_few::<6>(w, b, x, y, cols, out),
            7 => pass_few::<7>(w, b, x, y, cols, out),
            _ => unreachable!("fewer than {DOT_LANES} features"),
        }
    }

    /// [`pass_small`] for `N` features.
    fn pass_few<const N: usize>(
        w: &[f64],
        b: f64,
        x: &[f64],
        y: &[f64],
        cols: Range<usize>,
        out: &mut Partial,
    ) {
        let n_x = N;
        let w: &[f64; N] = w.try_into().expect("one weight per feature");
        let (columns, _) = x[cols.start * n_x..cols.end * n_x].as_chunks::<N>();
        out.z.clear();
        out.z.resize(cols.len(), 0.0);
        for (z, column) in out.z.iter_mut().zip(columns) {
            let mut tail = 0.0;
            for k in 0..N {
                tail += w[k] * column[k];
            }
            *z = (0.0 + tail) + b;
        }
        out.probabilities.clear();
        out.probabilities.resize(cols.len(), 0.0);
        linalg_nn::vector_exp::sigmoid_into(&out.z, &mut out.probabilities);
        let (mut dw, mut dz_sum, mut inside) = ([0.0; N], 0.0, true);
        for ((&a, column), &label) in
            out.probabilities.iter().zip(x[cols.start * n_x..].chunks_exact(n_x)).zip(&y[cols])
        {
            inside &= linalg_nn::cost::strictly_inside(a);
            let dz = a - label;
            dz_sum += dz;
            for (g, &v) in dw.iter_mut().zip(column) {
                *g += dz * v;
            }
        }
        out.dw.copy_from_slice(&dw);
        (out.dz, out.strictly_inside) = (dz_sum, inside);
    }

    /// One half of an iteration with the widest vector code this CPU runs.
    pub(super) fn half_pass(
        w: &[f64],
        b: f64,
        x: &[f64],
        y: &[f64],
        cols: Range<usize>,
        out: &mut Partial,
    ) {
        if w.len() < DOT_LANES {
            pass_small(w, b, x, y, cols, out);
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F, checked just above.
            unsafe { pass_avx512(w, b, x, y, cols, out) };
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { pass_avx2(w, b, x, y, cols, out) };
            return;
        }
        pass_generic(w, b, x, y, cols, out);
    }

    /// `w_i -= learning_rate ((g0_i + g1_i) scale)` with `step = (learning_rate, scale)`: the
    /// two halves' gradient sums into the update, eight entries at a time with AVX-512 and the
    /// same operations per entry (the same bits).
    fn update_weights(w: &mut [f64], g0: &[f64], g1: &[f64], step: (f64, f64)) {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F, checked just above.
            unsafe { update_weights_avx512(w, g0, g1, step) };
            return;
        }
        update_weights_portable(w, g0, g1, step, 0);
    }

    fn update_weights_portable(
        w: &mut [f64],
        g0: &[f64],
        g1: &[f64],
        (learning_rate, scale): (f64, f64),
        from: usize,
    ) {
        for ((wi, &g0), &g1) in w.iter_mut().zip(g0).zip(g1).skip(from) {
            *wi -= learning_rate * ((g0 + g1) * scale);
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn update_weights_avx512(w: &mut [f64], g0: &[f64], g1: &[f64], step: (f64, f64)) {
        use std::arch::x86_64::*;
        assert!(g0.len() == w.len() && g1.len() == w.len(), "one gradient entry per weight");
        let (learning_rate, scale) = (_mm512_set1_pd(step.0), _mm512_set1_pd(step.1));
        let full = w.len() - w.len() % 8;
        let mut i = 0;
        while i < full {
            // SAFETY: i + 8 <= full <= the length of w, g0 and g1.
            unsafe {
                let sum = _mm512_add_pd(
                    _mm512_loadu_pd(g0.as_ptr().add(i)),
                    _mm512_loadu_pd(g1.as_ptr().add(i)),
                );
                let delta = _mm512_mul_pd(learning_rate, _mm512_mul_pd(sum, scale));
                let p = w.as_mut_ptr().add(i);
                _mm512_storeu_pd(p, _mm512_sub_pd(_mm512_loadu_pd(p), delta));
            }
            i += 8;
        }
        update_weights_portable(w, g0, g1, step, full);
    }

    /// One half of an iteration from the pictures' bytes: `w^T B` by exact integer products
    /// ([`ColumnTiles::product`] of `w`'s digits), `a_j = sigmoid(w^T b_j / 255 + b)`, then
    /// `B dZ^T` ([`ColumnTiles::combination`]) into `out.dw`: 255 times the float pass's `dw`,
    /// the `1 / 255` being applied with `1 / m` in the update.
    fn byte_pass(
        digits: &Digits,
        b: f64,
        y: &[f64],
        cols: Range<usize>,
        half: &mut ByteHalf,
        out: &mut Partial,
    ) {
        out.probabilities.clear();
        out.strictly_inside = true;
        out.dz = 0.0;
        half.forward.product(digits, &mut half.z);
        for ((z, dz), &label) in half.z.iter().zip(&mut half.dz).zip(&y[cols]) {
            let a = sigmoid_scalar(z / 255.0 + b);
            out.push_probability(a);
            *dz = a - label;
            out.dz += *dz;
        }
        half.backward.combination(&half.dz, &mut out.dw);
    }

    /// One half of an iteration from whichever `X` the run has.
    fn any_pass(
        columns: Columns<'_>,
        weights: &Weights,
        b: f64,
        y: &[f64],
        cols: Range<usize>,
        out: &mut Partial,
    ) {
        match (columns, &weights.digits, out.bytes.take()) {
            (Columns::Bytes(_), Some(digits), Some(mut half)) => {
                byte_pass(digits, b, y, cols, &mut half, out);
                out.bytes = Some(half);
            }
            (Columns::Floats(x), _, _) => half_pass(weights.w.as_slice(), b, x, y, cols, out),
            _ => unreachable!("the byte pass has its digits and buffers"),
        }
    }

    /// Gradient descent with the fused pass over `columns` (`shape` = `(n_x, m)`);
    /// `threads >= 2` runs the second half of the columns on a second thread. The numbers do
    /// not depend on `threads`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn optimize(
        w0: &DMatrix<f64>,
        b0: f64,
        columns: Columns<'_>,
        shape: (usize, usize),
        y: &DMatrix<f64>,
        num_iterations: usize,
        learning_rate: f64,
        threads: usize,
        observer: &mut dyn TrainObserver,
    ) -> Result<(Params, Grads, Costs), Hw1Error> {
        let (n_x, m) = shape;
        let inv_m = 1.0 / m as f64;
        let ys = y.as_slice();
        let labels_in_unit_range = linalg_nn::cost::labels_keep_cost_finite(ys);
        let mut b = b0;
        let ([first, second], gradient_scale, digits, tiles) = match columns {
            Columns::Floats(_) => (halves(m), inv_m, None, None),
            Columns::Bytes(pixels) => {
                let [first, second] = byte_halves(m);
                let mut digits = Digits::new(n_x);
                digits.fill(w0.as_slice());
                let (own, other) = pair::join(
                    || ByteHalf::new(pixels, n_x, first.clone()),
                    || ByteHalf::new(pixels, n_x, second.clone()),
                );
                ([first, second], inv_m / 255.0, Some(digits), Some((own, other)))
            }
        };
        let w = RwLock::new(Weights { w: w0.clone(), digits });
        let mut own = Partial::new(n_x, first.len());
        let mut other = Partial::new(n_x, second.len());
        if let Some((own_tiles, other_tiles)) = tiles {
            own.bytes = Some(own_tiles);
            other.bytes = Some(other_tiles);
        }
        let other = Mutex::new(other);
        let mut costs = Vec::with_capacity(num_iterations.div_ceil(COST_EVERY));
        let mut last_grads = Grads { dw: DMatrix::zeros(n_x, 1), db: 0.0 };
        // Reading b from the worker: it changes between generations only, like w.
        let bias = RwLock::new(b0);
        let second_half = || {
            if let (Ok(w_now), Ok(b_now), Ok(mut out)) = (w.read(), bias.read(), other.lock()) {
                any_pass(columns, &w_now, *b_now, ys, second.clone(), &mut out);
            }
        };

        let outcome = pair::run(threads > 1, &second_half, |pair| -> Result<(), Hw1Error> {
            for i in 0..num_iterations {
                pair.start();
                {
                    let w_now = w.read().map_err(|_| poisoned())?;
                    any_pass(columns, &w_now, b, ys, first.clone(), &mut own);
                }
                pair.finish();
                let other = other.lock().map_err(|_| poisoned())?;
                let record = i.is_multiple_of(COST_EVERY);
                // With labels in [-1, 1] and every a strictly between 0 and 1 the cost is finite,
                // so between two printed costs its 2m logarithms are skipped; they are worked out
                // whenever it could be infinite or NaN, so a divergence stops training at the
                // same iteration (as in the Gram engine).
                let inside = own.strictly_inside && other.strictly_inside;
                let cost = if linalg_nn::cost::cost_needed(record, inside, labels_in_unit_range) {
                    let (own_labels, other_labels) = (&ys[first.clone()], &ys[second.clone()]);
                    let sum = own.log_likelihood(own_labels) + other.log_likelihood(other_labels);
                    let cost = -sum / m as f64;
                    check_cost(i, cost, learning_rate)?;
                    Some(cost)
                } else {
                    None
                };
                let db = (own.dz + other.dz) * inv_m;
                {
                    let mut weights = w.write().map_err(|_| poisoned())?;
                    let Weights { w: w_now, digits } = &mut *weights;
                    let step = (learning_rate, gradient_scale);
                    update_weights(w_now.as_mut_slice(), &own.dw, &other.dw, step);
                    // Not finite: the next pass's z are NaN, so its cost stops the training.
                    if let Some(digits) = digits {
                        digits.fill(w_now.as_slice());
                    }
                }
                b -= learning_rate * db;
                *bias.write().map_err(|_| poisoned())? = b;
                if i + 1 == num_iterations {
                    let dw =
                        own.dw.iter().zip(&other.dw).map(|(g0, g1)| (g0 + g1) * gradient_scale);
                    last_grads = Grads { dw: DMatrix::from_iterator(n_x, 1, dw), db };
                }
                drop(other);
                let recorded = cost.filter(|_| record);
                if let Some(cost) = recorded {
                    costs.push((i, cost));
                }
                observer.on_iteration(&Iteration {
                    index: i,
                    total: num_iterations,
                    cost: recorded,
                });
            }
            Ok(())
        });
        outcome?;
        let w = w.into_inner().map_err(|_| poisoned())?.w;
        // The cost checks cover every update but the last one.
        if !(all_finite(&w) && b.is_finite()) {
            return Err(linalg_nn::NnError::ParametersDiverged {
                iteration: num_iterations - 1,
                learning_rate,
            }
            .into());
        }
        Ok((Params { w, b }, last_grads, costs))
    }

    /// A lock poisoned by a panic on the other thread (which the scope re-raises).
    fn poisoned() -> Hw1Error {
        Hw1Error::Nn(linalg_nn::NnError::invalid("training thread", "stopped by a panic"))
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use linalg_nn::NumpyRng;
        use linalg_nn::train::Silent;

        /// Random wide data with an odd number of columns (uneven halves, a partial block).
        fn data() -> (DMatrix<f64>, DMatrix<f64>) {
            let mut rng = NumpyRng::new(3);
            let x = rng.rand(301, 23);
            let y = rng.rand(1, 23).map(|v| if v > 0.5 { 1.0 } else { 0.0 });
            (x, y)
        }

        fn bits(m: &DMatrix<f64>) -> Vec<u64> {
            m.iter().map(|v| v.to_bits()).collect()
        }

        #[test]
        fn a_divergence_stops_training_at_the_iteration_of_the_first_infinite_cost() {
            // Skipping the logarithms of unprinted costs must not hide a divergence: the first
            // non-finite cost of the notebook's loop (propagate every iteration) is where
            // optimize stops, on one thread and on two.
            let (x, y) = data();
            let x = x * 40.0;
            let w0 = DMatrix::zeros(301, 1);
            let learning_rate = 50.0;
            let (mut w, mut b) = (w0.clone(), 0.0);
            let first_infinite = (0..60)
                .find(|_| {
                    let (g, cost) = crate::propagate(&w, b, &x, &y).unwrap();
                    w -= &g.dw * learning_rate;
                    b -= learning_rate * g.db;
                    !cost.is_finite()
                })
                .expect("this learning rate diverges");
            assert!(first_infinite > 0 && first_infinite % COST_EVERY != 0);
            for threads in [1, 2] {
                let run = optimize(
                    &w0,
                    0.0,
                    Columns::Floats(x.as_slice()),
                    x.shape(),
                    &y,
                    60,
                    learning_rate,
                    threads,
                    &mut Silent,
                );
                match run {
                    Err(Hw1Error::Nn(linalg_nn::NnError::Diverged { iteration, .. })) => {
                        assert_eq!(iteration, first_infinite, "threads {threads}")
                    }
                    other => panic!("expected a divergence, got {other:?}"),
                }
            }
        }

        #[test]
        fn one_thread_and_two_give_the_same_bits() {
            // The float64 pass and the byte pass, each on two threads and on one.
            let (x, y) = data();
            let (pixels, _, _) = byte_data();
            for columns in [Columns::Floats(x.as_slice()), Columns::Bytes(&pixels)] {
                let w0 = DMatrix::zeros(301, 1);
                let run = |threads| {
                    optimize(&w0, 0.0, columns, (301, 23), &y, 50, 0.01, threads, &mut Silent)
                        .unwrap()
                };
                let (p1, g1, c1) = run(1);
                let (p2, g2, c2) = run(2);
                assert_eq!(bits(&p1.w), bits(&p2.w), "{columns:?}");
                assert_eq!(p1.b.to_bits(), p2.b.to_bits());
                assert_eq!(bits(&g1.dw), bits(&g2.dw));
                assert_eq!(c1, c2);
            }
        }

        #[test]
        fn the_small_pass_gives_the_generic_bits() {
            for n_x in [1, 2, 5, 7] {
                let mut rng = NumpyRng::new(6 + n_x as u32);
                let x = rng.randn(n_x, 37);
                let y = rng.rand(1, 37).map(|v| if v > 0.5 { 1.0 } else { 0.0 });
                let w: Vec<f64> = rng.randn_vec(n_x);
                let mut generic = Partial::new(n_x, 30);
                pass_generic(&w, 0.3, x.as_slice(), y.as_slice(), 5..35, &mut generic);
                let mut small = Partial::new(n_x, 30);
                half_pass(&w, 0.3, x.as_slice(), y.as_slice(), 5..35, &mut small);
                let to_bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(to_bits(&generic.dw), to_bits(&small.dw), "n_x = {n_x}");
                assert_eq!(to_bits(&generic.probabilities), to_bits(&small.probabilities));
                assert_eq!(generic.strictly_inside, small.strictly_inside);
                assert_eq!(generic.dz.to_bits(), small.dz.to_bits());
            }
        }

        #[test]
        fn vector_code_gives_the_generic_bits() {
            let (x, y) = data();
            let w: Vec<f64> = NumpyRng::new(4).randn_vec(301).iter().map(|v| v * 0.01).collect();
            let mut generic = Partial::new(301, 23);
            pass_generic(&w, 0.1, x.as_slice(), y.as_slice(), 0..23, &mut generic);
            let mut dispatched = Partial::new(301, 23);
            half_pass(&w, 0.1, x.as_slice(), y.as_slice(), 0..23, &mut dispatched);
            let to_bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(to_bits(&generic.dw), to_bits(&dispatched.dw));
            assert_eq!(to_bits(&generic.probabilities), to_bits(&dispatched.probabilities));
            assert_eq!(generic.strictly_inside, dispatched.strictly_inside);
            assert_eq!(generic.dz.to_bits(), dispatched.dz.to_bits());
        }

        /// Random pictures' bytes with the shape of `data()`, and their `X = B / 255`.
        fn byte_data() -> (Vec<u8>, DMatrix<f64>, DMatrix<f64>) {
            let mut rng = NumpyRng::new(5);
            let pixels: Vec<u8> =
                (0..301 * 23).map(|_| (rng.random_sample() * 256.0) as u8).collect();
            let x = DMatrix::from_iterator(301, 23, pixels.iter().map(|&b| b as f64 / 255.0));
            (pixels, x, data().1)
        }

        #[test]
        fn the_byte_pass_agrees_with_the_float_pass_on_x_over_255() {
            // The same gradient descent: every product of the byte pass is the correctly
            // rounded exact sum, so the two differ by float64 rounding only.
            let (pixels, x, y) = byte_data();
            let w0 = DMatrix::from_element(301, 1, 0.001);
            let bytes = Columns::Bytes(&pixels);
            let floats = Columns::Floats(x.as_slice());
            let (pb, gb, cb) =
                optimize(&w0, 0.2, bytes, (301, 23), &y, 200, 0.05, 2, &mut Silent).unwrap();
            let (pf, gf, cf) =
                optimize(&w0, 0.2, floats, (301, 23), &y, 200, 0.05, 2, &mut Silent).unwrap();
            assert!((&pb.w - &pf.w).abs().max() < 1e-13 * pf.w.abs().max());
            assert!((pb.b - pf.b).abs() < 1e-13);
            assert!((&gb.dw - &gf.dw).abs().max() < 1e-13 * gf.dw.abs().max());
            assert!((gb.db - gf.db).abs() < 1e-13);
            assert_eq!(cb.len(), cf.len());
            for (&(i, a), &(j, b)) in cb.iter().zip(&cf) {
                assert_eq!(i, j);
                assert!((a - b).abs() < 1e-14, "iteration {i}: bytes {a}, floats {b}");
            }
        }

        #[test]
        fn a_divergence_of_the_byte_pass_stops_where_the_float_pass_stops() {
            let (pixels, x, y) = byte_data();
            let w0 = DMatrix::zeros(301, 1);
            let diverged_at = |columns| match optimize(
                &w0,
                0.0,
                columns,
                (301, 23),
                &y,
                60,
                2000.0,
                2,
                &mut Silent,
            ) {
                Err(Hw1Error::Nn(linalg_nn::NnError::Diverged { iteration, .. })) => iteration,
                other => panic!("expected a divergence, got {other:?}"),
            };
            let floats = diverged_at(Columns::Floats(x.as_slice()));
            assert!(floats > 0 && floats % COST_EVERY != 0, "diverged at {floats}");
            assert_eq!(diverged_at(Columns::Bytes(&pixels)), floats);
        }

        #[test]
        fn the_byte_halves_end_on_whole_tiles() {
            assert_eq!(byte_halves(209), [0..108, 108..209]);
            assert_eq!(byte_halves(8), [0..4, 4..8]);
            assert_eq!(byte_halves(3), [0..3, 3..3]);
            assert_eq!(byte_halves(0), [0..0, 0..0]);
            assert_eq!(bytes_fit(12288, 209), exact_bytes::accelerated());
            assert!(!bytes_fit(exact_bytes::MAX_TERMS + 1, 209));
        }

        #[test]
        fn fused_pass_agrees_with_propagate() {
            let (x, y) = data();
            let w0 = DMatrix::from_element(301, 1, 0.001);
            let (params, grads, costs) = optimize(
                &w0,
                0.2,
                Columns::Floats(x.as_slice()),
                x.shape(),
                &y,
                20,
                0.05,
                2,
                &mut Silent,
            )
            .unwrap();
            // The notebook's loop with propagate.
            let (mut w, mut b) = (w0.clone(), 0.2);
            let mut last = None;
            for i in 0..20 {
                let (g, cost) = crate::propagate(&w, b, &x, &y).unwrap();
                if i == 0 {
                    assert!((cost - costs[0].1).abs() < 1e-14);
                }
                w -= &g.dw * 0.05;
                b -= 0.05 * g.db;
                last = Some(g);
            }
            let last = last.unwrap();
            assert!((&params.w - &w).abs().max() < 1e-14);
            assert!((params.b - b).abs() < 1e-14);
            assert!((&grads.dw - &last.dw).abs().max() < 1e-14);
            assert!((grads.db - last.db).abs() < 1e-14);
        }
    }
}
