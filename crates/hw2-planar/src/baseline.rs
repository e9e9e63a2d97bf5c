//! Section 3 of the notebook, "Simple Logistic Regression": before building the network, see how
//! a linear classifier does on the flower. The notebook uses scikit-learn's
//! `LogisticRegressionCV` and reports 47 %; here hw1's own `model` (logistic regression from
//! zeros by gradient descent) is trained on the points to convergence.

use crate::error::Result;
use linalg_nn::DMatrix;
use linalg_nn::train::TrainObserver;

pub use hw1_logreg::LogisticModel;

/// Iterations for the baseline: the cost stops changing (to 16 digits) after about 1000 at
/// [`BASELINE_LEARNING_RATE`] on the flower, so 2000 is converged with room to spare.
pub const BASELINE_ITERATIONS: usize = 2000;

/// Learning rate for the baseline (two features of order 1: 0.5 is stable and fast).
pub const BASELINE_LEARNING_RATE: f64 = 0.5;

/// Trains logistic regression on `x (2, m)`, `y (1, m)` with hw1's
/// `model(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate)`; the points serve as
/// both the training and the test set, as in the notebook (it reports training accuracy). The
/// accuracy is the returned model's `train_accuracy`.
///
/// ```
/// use hw2_planar::baseline::{BASELINE_ITERATIONS, BASELINE_LEARNING_RATE, logistic_regression};
/// use linalg_nn::{data::planar::load_planar_dataset, train::Silent};
/// let flower = load_planar_dataset();
/// let lr = logistic_regression(
///     &flower.x, &flower.y, BASELINE_ITERATIONS, BASELINE_LEARNING_RATE, &mut Silent,
/// )
/// .unwrap();
/// // The notebook: "Accuracy of logistic regression: 47 %".
/// assert_eq!(lr.train_accuracy, 47.0);
/// ```
pub fn logistic_regression(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    num_iterations: usize,
    learning_rate: f64,
    observer: &mut dyn TrainObserver,
) -> Result<LogisticModel> {
    Ok(hw1_logreg::model(x, y, x, y, num_iterations, learning_rate, observer)?)
}
