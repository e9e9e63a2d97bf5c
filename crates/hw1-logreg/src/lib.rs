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
//! This file is the notebook's functions in the notebook's order, each its formula written
//! plainly with nalgebra, to be read side by side with the numpy notebook:
//!
//! | notebook cell | here |
//! |---|---|
//! | 4.1 `sigmoid` | [`sigmoid`] |
//! | 4.2 `initialize_with_zeros` | [`initialize_with_zeros`] |
//! | 4.3 `propagate` | [`propagate`] |
//! | 4.4 `optimize` | [`optimize`] |
//! | 4.4 `predict` | [`predict`] (and [`predict_probabilities`] for the probability itself) |
//! | 5 `model` | [`model`], returning a [`LogisticModel`] |
//! | 6 learning-rate comparison | [`COMPARISON_LEARNING_RATES`], [`figures::learning_rate_comparison`] |
//! | 7 "test with your own image" | [`classify_image`], [`LogisticModel::classify`] |
//!
//! The binary trains through [`engines`] instead (`--engine direct|gram|auto`): the same
//! gradient descent computed by `nn_engines::logistic`, one fused pass over `X` per iteration
//! on two threads, or through `X^T X`, from the pictures' bytes. The engines give the course's
//! numbers and agree with [`model`] to the last few bits (`tests/engines.rs`).
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

#![forbid(unsafe_code)]

pub mod engines;
pub mod error;
pub mod figures;

pub use error::Hw1Error;

use linalg_nn::NnError;
use linalg_nn::cost::cross_entropy_cost;
use linalg_nn::data::cat::CLASSES;
use linalg_nn::data::load_image_as_column;
use linalg_nn::matrix::{accuracy_percent, ensure_finite, ensure_shape};
use linalg_nn::train::{
    Iteration, TrainObserver, all_finite, check_cost, validate_hyperparameters,
};
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

/// Notebook 4.1, `sigmoid(z)`: `1 / (1 + e^-z)` of every entry of `z`.
///
/// The core's sigmoid ([`linalg_nn::activations::sigmoid`]): for negative `z` it computes the
/// equal `e^z / (1 + e^z)`, so that nothing overflows, with the core's exponential
/// ([`linalg_nn::exp`]), which gives the same bits on every machine.
///
/// ```
/// use hw1_logreg::sigmoid;
/// use nalgebra::DMatrix;
///
/// // The notebook's test cell: sigmoid([0, 2]) = [0.5, 0.88079708].
/// let s = sigmoid(&DMatrix::from_row_slice(1, 2, &[0.0, 2.0]));
/// assert_eq!(s[(0, 0)], 0.5);
/// assert!((s[(0, 1)] - 0.88079708).abs() < 1e-8);
/// ```
pub fn sigmoid(z: &DMatrix<f64>) -> DMatrix<f64> {
    linalg_nn::activations::sigmoid(z)
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
    ensure_shape(w, (x.nrows(), 1), "w against X (one weight per row of X)")?;
    ensure_shape(y, (1, m), "Y against X (one label per column of X)")?;
    if m == 0 {
        return Err(NnError::invalid("X", "has no examples (0 columns)").into());
    }

    // FORWARD PROPAGATION (FROM X TO COST)
    let a = sigmoid(&w.tr_mul(x).add_scalar(b)); // np.dot(w.T, X) + b
    let cost = cross_entropy_cost(&a, y)?;

    // BACKWARD PROPAGATION (TO FIND GRAD)
    let dz = a - y;
    let dw = x * dz.transpose() * (1.0 / m as f64);
    let db = dz.sum() * (1.0 / m as f64);
    Ok((Grads { dw, db }, cost))
}

/// Notebook 4.4, `optimize(w, b, X, Y, num_iterations, learning_rate, print_cost)`: gradient
/// descent, `num_iterations` times [`propagate`], then `w := w - alpha dw`, `b := b - alpha db`.
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
    let (mut w, mut b) = (w.clone(), b);
    let mut grads = Grads { dw: DMatrix::zeros(w.nrows(), 1), db: 0.0 };
    let mut costs = Vec::new();
    for i in 0..num_iterations {
        // Cost and gradient calculation
        let (g, cost) = propagate(&w, b, x, y)?;
        check_cost(i, cost, learning_rate)?;

        // update rule
        w -= &g.dw * learning_rate;
        b -= learning_rate * g.db;
        grads = g;

        // Record the costs
        let recorded = (i % COST_EVERY == 0).then_some(cost);
        if let Some(cost) = recorded {
            costs.push((i, cost));
        }
        observer.on_iteration(&Iteration { index: i, total: num_iterations, cost: recorded });
    }
    // The cost checks cover every update but the last one.
    if !(all_finite(&w) && b.is_finite()) {
        let iteration = num_iterations - 1;
        return Err(NnError::ParametersDiverged { iteration, learning_rate }.into());
    }
    Ok((Params { w, b }, grads, costs))
}

/// `A = sigmoid(w^T X + b)`: the probability of class 1 for every column of `X`, shape
/// `(1, m)`. This is the first line of the notebook's `predict`, kept separate so a caller can
/// show the probability behind a prediction.
///
/// ```
/// use hw1_logreg::predict_probabilities;
/// use nalgebra::DMatrix;
/// let w = DMatrix::from_row_slice(2, 1, &[1.0, -1.0]);
/// let x = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 1.0, 0.0]);
/// let a = predict_probabilities(&w, 0.0, &x).unwrap();
/// assert_eq!(a, DMatrix::from_row_slice(1, 2, &[0.5, 0.5]));
/// ```
pub fn predict_probabilities(
    w: &DMatrix<f64>,
    b: f64,
    x: &DMatrix<f64>,
) -> Result<DMatrix<f64>, Hw1Error> {
    ensure_shape(w, (x.nrows(), 1), "w against X (one weight per row of X)")?;
    Ok(sigmoid(&w.tr_mul(x).add_scalar(b)))
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
pub fn predict(w: &DMatrix<f64>, b: f64, x: &DMatrix<f64>) -> Result<DMatrix<f64>, Hw1Error> {
    let a = predict_probabilities(w, b, x)?;
    Ok(a.map(|p| if p > DECISION_THRESHOLD { 1.0 } else { 0.0 }))
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
    validate_hyperparameters(num_iterations, learning_rate)?;
    let ((n_x, m_train), m_test) = (x_train.shape(), x_test.ncols());
    ensure_shape(y_train, (1, m_train), "Y_train against X_train (one label per column)")?;
    ensure_shape(x_test, (n_x, m_test), "X_test against X_train (same number of rows)")?;
    ensure_shape(y_test, (1, m_test), "Y_test against X_test (one label per column)")?;
    ensure_finite(x_test, "X_test")?;

    // initialize parameters with zeros
    let (w, b) = initialize_with_zeros(n_x);

    // Gradient descent
    let (params, _grads, costs) =
        optimize(&w, b, x_train, y_train, num_iterations, learning_rate, observer)?;
    let Params { w, b } = params;

    // Predict test/train set examples
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
    })
}

impl LogisticModel {
    /// [`predict_probabilities`] with this model's `w` and `b`.
    pub fn predict_probabilities(&self, x: &DMatrix<f64>) -> Result<DMatrix<f64>, Hw1Error> {
        predict_probabilities(&self.w, self.b, x)
    }

    /// [`predict`] with this model's `w` and `b`.
    pub fn predict(&self, x: &DMatrix<f64>) -> Result<DMatrix<f64>, Hw1Error> {
        predict(&self.w, self.b, x)
    }

    /// Classifies one example, a column `(n_x, 1)`, e.g. from
    /// [`load_image_as_column`].
    pub fn classify(&self, column: &DMatrix<f64>) -> Result<Classification, Hw1Error> {
        ensure_shape(column, (self.w.nrows(), 1), "the example to classify (one column)")?;
        let a = self.predict_probabilities(column)?;
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

/// The checks [`optimize`] runs before training: hyperparameters, finite inputs, shapes, and
/// at least one example.
fn check_training_inputs(
    w: &DMatrix<f64>,
    b: f64,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    num_iterations: usize,
    learning_rate: f64,
) -> Result<(), Hw1Error> {
    validate_hyperparameters(num_iterations, learning_rate)?;
    ensure_finite(x, "X")?;
    ensure_finite(y, "Y")?;
    ensure_finite(w, "w")?;
    if !b.is_finite() {
        return Err(NnError::invalid("b", format!("must be finite, got {b}")).into());
    }
    ensure_shape(w, (x.nrows(), 1), "w against X (one weight per row of X)")?;
    ensure_shape(y, (1, x.ncols()), "Y against X (one label per column of X)")?;
    if x.ncols() == 0 {
        return Err(NnError::invalid("X", "has no examples (0 columns)").into());
    }
    Ok(())
}
