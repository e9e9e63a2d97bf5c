//! Loss and cost functions (week 2, "Logistic regression cost function"; appendix L1/L2 losses).
//!
//! The cross-entropy cost is what every assignment minimises; the squared-error loss is here
//! because the notes explain why it is *not* used for logistic regression (it makes the
//! optimisation problem non-convex).

use crate::error::{NnError, Result};
use crate::matrix::ensure_shape;
use nalgebra::DMatrix;

/// `y log(a) + (1 - y) log(1 - a)` for one example, with `0 * log(0) = 0`, so a saturated correct
/// prediction (a = 1 for y = 1) contributes 0 rather than NaN.
#[inline]
pub fn log_likelihood(a: f64, y: f64) -> f64 {
    let xlogy = |x: f64, v: f64| if x == 0.0 { 0.0 } else { x * v.ln() };
    xlogy(y, a) + xlogy(1.0 - y, 1.0 - a)
}

/// Whether the cross-entropy cost over these labels is certainly finite once every probability
/// is strictly between 0 and 1: each term `y log(a) + (1 - y) log(1 - a)` is then finite, and
/// with every label in `[-1, 1]` it is at most about `3 * 745` in size, so no sum of them
/// overflows. The training loops that skip the logarithms of a cost nobody prints (hw1's two
/// engines, hw2 without its cost curve) work the cost out whenever this or the probabilities'
/// condition fails ([`cost_needed`]), so a divergence is caught at the same iteration as when every cost is
/// computed.
///
/// ```
/// use linalg_nn::cost::labels_keep_cost_finite;
/// assert!(labels_keep_cost_finite(&[0.0, 1.0, 1.0]));
/// assert!(!labels_keep_cost_finite(&[0.0, 1e308]));
/// assert!(!labels_keep_cost_finite(&[f64::NAN]));
/// ```
pub fn labels_keep_cost_finite(labels: &[f64]) -> bool {
    labels.iter().all(|label| label.abs() <= 1.0)
}

/// The probabilities' condition of [`labels_keep_cost_finite`]: `0 < a < 1` (false for NaN).
///
/// ```
/// use linalg_nn::cost::strictly_inside;
/// assert!(strictly_inside(0.3) && !strictly_inside(1.0) && !strictly_inside(f64::NAN));
/// ```
pub fn strictly_inside(a: f64) -> bool {
    a > 0.0 && a < 1.0
}

/// Whether a loop that skips unprinted costs must work this iteration's cost out: when it is
/// printed (`recorded`), or when it could be infinite or NaN (some probability not
/// [`strictly_inside`], or labels that fail [`labels_keep_cost_finite`]). The one rule of hw1's
/// two engines and hw2's loop.
///
/// ```
/// use linalg_nn::cost::cost_needed;
/// assert!(!cost_needed(false, true, true));
/// assert!(cost_needed(true, true, true) && cost_needed(false, false, true));
/// assert!(cost_needed(false, true, false));
/// ```
pub fn cost_needed(recorded: bool, all_strictly_inside: bool, labels_keep_finite: bool) -> bool {
    recorded || !(all_strictly_inside && labels_keep_finite)
}

/// The binary cross-entropy cost over `m` examples,
/// `J = -(1/m) sum(Y log(A) + (1 - Y) log(1 - A))`; `A` and `Y` are `(1, m)`.
///
/// ```
/// use linalg_nn::cost::cross_entropy_cost;
/// use nalgebra::DMatrix;
/// // The notebook's compute_cost test: Y = [1, 1, 0], AL = [.8, .9, .4] -> 0.2797765635793422
/// let y = DMatrix::from_row_slice(1, 3, &[1.0, 1.0, 0.0]);
/// let al = DMatrix::from_row_slice(1, 3, &[0.8, 0.9, 0.4]);
/// assert!((cross_entropy_cost(&al, &y).unwrap() - 0.2797765635793422).abs() < 1e-15);
///
/// // Saturated but correct predictions cost exactly 0, not NaN.
/// let perfect = DMatrix::from_row_slice(1, 3, &[1.0, 1.0, 0.0]);
/// assert_eq!(cross_entropy_cost(&perfect, &y).unwrap(), 0.0);
/// ```
pub fn cross_entropy_cost(a: &DMatrix<f64>, y: &DMatrix<f64>) -> Result<f64> {
    ensure_shape(a, y.shape(), "A (predicted probabilities) against Y")?;
    let m = y.ncols();
    if m == 0 {
        return Err(NnError::invalid("Y", "the cost of zero examples is undefined"));
    }
    let total: f64 = a.iter().zip(y.iter()).map(|(&av, &yv)| log_likelihood(av, yv)).sum();
    Ok(-total / m as f64)
}

/// The squared-error loss of one prediction, `L(y_hat, y) = (y_hat - y)^2 / 2`.
///
/// ```
/// assert_eq!(linalg_nn::cost::squared_error_loss(0.5, 1.0), 0.125);
/// ```
pub fn squared_error_loss(y_hat: f64, y: f64) -> f64 {
    0.5 * (y_hat - y).powi(2)
}

/// The mean squared-error cost over `m` examples, `(1/m) sum((A - Y)^2 / 2)`.
pub fn squared_error_cost(a: &DMatrix<f64>, y: &DMatrix<f64>) -> Result<f64> {
    ensure_shape(a, y.shape(), "A (predictions) against Y")?;
    if y.ncols() == 0 {
        return Err(NnError::invalid("Y", "the cost of zero examples is undefined"));
    }
    let total: f64 = a.iter().zip(y.iter()).map(|(&av, &yv)| squared_error_loss(av, yv)).sum();
    Ok(total / y.ncols() as f64)
}

/// The appendix's L1 loss, `sum |y - y_hat|`.
///
/// ```
/// use linalg_nn::cost::{l1_loss, l2_loss};
/// use linalg_nn::matrix::row;
/// let y_hat = row(&[0.9, 0.2, 0.1, 0.4, 0.9]);
/// let y = row(&[1.0, 0.0, 0.0, 1.0, 1.0]);
/// assert!((l1_loss(&y_hat, &y).unwrap() - 1.1).abs() < 1e-12);
/// assert!((l2_loss(&y_hat, &y).unwrap() - 0.43).abs() < 1e-12);
/// ```
pub fn l1_loss(y_hat: &DMatrix<f64>, y: &DMatrix<f64>) -> Result<f64> {
    ensure_shape(y_hat, y.shape(), "y_hat against y")?;
    Ok((y - y_hat).abs().sum())
}

/// The appendix's L2 loss, `sum (y - y_hat)^2`.
pub fn l2_loss(y_hat: &DMatrix<f64>, y: &DMatrix<f64>) -> Result<f64> {
    ensure_shape(y_hat, y.shape(), "y_hat against y")?;
    Ok((y - y_hat).norm_squared())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_prediction_costs_infinity_not_nan() {
        let y = DMatrix::from_row_slice(1, 1, &[1.0]);
        let a = DMatrix::from_row_slice(1, 1, &[0.0]);
        assert_eq!(cross_entropy_cost(&a, &y).unwrap(), f64::INFINITY);
    }

    #[test]
    fn mismatched_shapes_are_reported() {
        let y = DMatrix::zeros(1, 3);
        let a = DMatrix::zeros(1, 2);
        assert!(matches!(
            cross_entropy_cost(&a, &y),
            Err(NnError::ShapeMismatch { expected: (1, 3), found: (1, 2), .. })
        ));
        assert!(cross_entropy_cost(&DMatrix::zeros(1, 0), &DMatrix::zeros(1, 0)).is_err());
    }

    #[test]
    fn squared_error_cost_is_half_mean_square() {
        let a = DMatrix::from_row_slice(1, 2, &[0.0, 1.0]);
        let y = DMatrix::from_row_slice(1, 2, &[1.0, 1.0]);
        assert_eq!(squared_error_cost(&a, &y).unwrap(), 0.25);
    }
}
