//! The engines behind `hw1-logreg --engine direct|gram|auto`: the notebook's gradient descent
//! ([`crate::optimize`]) computed by `nn_engines::logistic`, which the binary, the figures of
//! `cargo xtask plots` and the benchmarks run. This is the one module of the crate that picks
//! and calls an engine; the notebook's functions in `lib.rs` call none.
//!
//! - [`Engine::Direct`], [`optimize_direct`]: one fused pass over `X` per iteration (SIMD, two
//!   fixed halves of the columns on two threads), from the pictures' bytes with exact integer
//!   products where the CPU has them, else from the float64 `X`.
//! - [`Engine::Gram`], [`optimize_gram`]: the same descent through `G = X^T X`, with no pass
//!   over `X` inside the loop (docs/reference/gram-engine.md).
//! - [`Engine::Auto`]: Gram when there are more features than examples.
//!
//! Both give the notebook's expected output; they agree with the plain [`crate::model`] to the
//! last few bits and with each other to 1e-8 (`tests/engines.rs`). Inputs are any
//! [`Inputs`]: a float64 matrix, or the pictures' bytes (`X = B / 255` never built as floats).

use crate::initialize_with_zeros;
use crate::{COST_EVERY, Costs, DECISION_THRESHOLD, Grads, Hw1Error, LogisticModel, Params};
use linalg_nn::matrix::{accuracy_percent, ensure_shape};
use linalg_nn::train::{TrainObserver, validate_hyperparameters};
use nalgebra::DMatrix;
use nn_engines::logistic::{self, Descent, Schedule};

pub use nn_engines::gram::{Engine, GramMatrix, gram_of_pictures};
pub use nn_engines::inputs::Inputs;
pub use nn_engines::inputs::load_dataset_in_parallel;

/// How [`model_with`] trains: which engine, and a Gram matrix `X_train^T X_train` computed
/// before (so several runs on the same data compute it once).
#[derive(Clone, Copy, Debug, Default)]
pub struct ModelOptions<'g> {
    /// [`Engine::Direct`] is [`optimize_direct`], [`Engine::Gram`] is [`optimize_gram`],
    /// [`Engine::Auto`] (the default) picks Gram when `n_x > m`.
    pub engine: Engine,
    /// `X_train^T X_train`, if already computed (used by the Gram engine only).
    pub gram: Option<&'g GramMatrix>,
}

/// What [`model_with`] returns: the notebook's model and the engine that trained it.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineModel {
    /// What the notebook's `model` returns, computed by the engine.
    pub model: LogisticModel,
    /// The engine that trained it (never [`Engine::Auto`]).
    pub engine: Engine,
}

/// The notebook's [`crate::model`] trained by an engine (`--engine` of the binary): zero
/// initialisation, [`optimize_direct`] or [`optimize_gram`], then [`predict`] on both sets and
/// the accuracies. Both engines give the course's numbers; see `docs/reference/gram-engine.md`.
///
/// ```
/// use hw1_logreg::engines::{Engine, ModelOptions, model_with};
/// use linalg_nn::train::Silent;
/// use nalgebra::DMatrix;
///
/// let x = DMatrix::from_row_slice(2, 4, &[0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0]);
/// let y = DMatrix::from_row_slice(1, 4, &[0.0, 0.0, 0.0, 1.0]); // AND
/// let run = model_with(&x, &y, &x, &y, 3000, 1.0, ModelOptions::default(), &mut Silent).unwrap();
/// assert_eq!(run.engine, Engine::Direct); // 2 features, 4 examples
/// assert_eq!(run.model.y_prediction_train, y);
/// let plain = hw1_logreg::model(&x, &y, &x, &y, 3000, 1.0, &mut Silent).unwrap();
/// assert!((run.model.costs[29].1 - plain.costs[29].1).abs() < 1e-15);
/// ```
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
) -> Result<EngineModel, Hw1Error> {
    validate_hyperparameters(num_iterations, learning_rate)?;
    let ((n_x, m_train), m_test) = (x_train.shape(), x_test.shape().1);
    ensure_shape(y_train, (1, m_train), "Y_train against X_train (one label per column)")?;
    let expected = (n_x, m_test);
    let what = "X_test against X_train (same number of rows)";
    nn_engines::inputs::ensure_inputs_shape(x_test, expected, what)?;
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
    let model = LogisticModel {
        costs,
        y_prediction_train,
        y_prediction_test,
        w,
        b,
        learning_rate,
        num_iterations,
        train_accuracy,
        test_accuracy,
    };
    Ok(EngineModel { model, engine })
}

/// [`crate::optimize`] by the direct engine ([`logistic::direct_descent`]): the notebook's
/// gradient descent with one fused pass over `X` per iteration, on two threads when `X` is
/// large, the same bits on one thread or two. For the cat pictures that pass reads their bytes
/// (`X = B / 255`, 2.5 MB instead of the 20.5 MB float64 copy) with exact products
/// (`nn_engines::exact_bytes`), the same bits on every CPU. The same costs and parameters as
/// [`crate::optimize`] up to rounding.
///
/// ```
/// use hdf5_pure::FileBuilder;
/// use hw1_logreg::engines::optimize_direct;
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
/// let floats = hw1_logreg::optimize(&w, 0.0, &split.x(), &y, 100, 0.05, &mut Silent).unwrap();
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
    let schedule = Schedule { num_iterations, learning_rate, cost_every: COST_EVERY };
    Ok(notebook_results(logistic::direct_descent(w, b, x, y, schedule, observer)?))
}

/// [`crate::optimize`] by the Gram engine ([`logistic::gram_descent`]): the same gradient
/// descent, the same costs and parameters up to rounding, but each iteration updates
/// `z = w^T X + b` through the `(m, m)` matrix `G = X^T X` instead of streaming `X` twice.
/// `gram` is `X^T X` if the caller has it already (several runs on the same data), else it is
/// computed here. The last iteration's gradients are computed directly (once), so the returned
/// [`Grads`] are those of [`crate::optimize`].
///
/// ```
/// use hw1_logreg::engines::optimize_gram;
/// use hw1_logreg::optimize;
/// use linalg_nn::train::Silent;
/// use nalgebra::DMatrix;
///
/// let w = DMatrix::from_row_slice(2, 1, &[1.0, 2.0]);
/// let x = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// let y = DMatrix::from_row_slice(1, 2, &[1.0, 0.0]);
/// let plain = optimize(&w, 2.0, &x, &y, 100, 0.009, &mut Silent).unwrap();
/// let gram = optimize_gram(&w, 2.0, &x, &y, 100, 0.009, None, &mut Silent).unwrap();
/// assert!((plain.0.w - gram.0.w).abs().max() < 1e-12);
/// assert!((plain.2[0].1 - gram.2[0].1).abs() < 1e-14);
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
    let schedule = Schedule { num_iterations, learning_rate, cost_every: COST_EVERY };
    Ok(notebook_results(logistic::gram_descent(w, b, x, y, schedule, gram, observer)?))
}

/// `G = X^T X` `(m, m)` for [`ModelOptions::gram`], computed once for several runs on the same
/// data: from the pictures' bytes when `X` is the pictures (exact integer products), else from
/// the float64 matrix.
pub fn gram_matrix(x: &dyn Inputs) -> GramMatrix {
    x.gram()
}

/// [`crate::predict_probabilities`] on any [`Inputs`] ([`logistic::probabilities`]): `w^T X` through
/// the engines' product (from the pictures' bytes when `X` is the pictures), then the sigmoid.
pub fn predict_probabilities(
    w: &DMatrix<f64>,
    b: f64,
    x: &dyn Inputs,
) -> Result<DMatrix<f64>, Hw1Error> {
    Ok(logistic::probabilities(w, b, x)?)
}

/// [`crate::predict`] on any [`Inputs`]: 1 where [`predict_probabilities`] is above 0.5, else 0.
pub fn predict(w: &DMatrix<f64>, b: f64, x: &dyn Inputs) -> Result<DMatrix<f64>, Hw1Error> {
    let a = predict_probabilities(w, b, x)?;
    Ok(a.map(|p| if p > DECISION_THRESHOLD { 1.0 } else { 0.0 }))
}

/// An engine's [`Descent`] as the notebook's `optimize` returns it: `params`, `grads`, `costs`.
fn notebook_results(descent: Descent) -> (Params, Grads, Costs) {
    let Descent { w, b, last_dw, last_db, costs } = descent;
    (Params { w, b }, Grads { dw: last_dw, db: last_db }, costs)
}
