//! Gradient checking (course 2, week 1, "Gradient checking"): compare backpropagation's analytic
//! gradient with central differences `(J(theta + eps) - J(theta - eps)) / (2 eps)` over every
//! parameter, flattened into one vector the way the course's `dictionary_to_vector` does.

use crate::error::{NnError, Result};
use nalgebra::DMatrix;
use std::fmt;

/// The course's default perturbation, `epsilon = 1e-7`.
pub const DEFAULT_EPSILON: f64 = 1e-7;

/// The course's threshold: a difference below this means backpropagation is right.
pub const PASS_THRESHOLD: f64 = 1e-7;

/// The parameter whose gradient disagrees most (by absolute difference).
#[derive(Clone, Debug, PartialEq)]
pub struct WorstParameter {
    /// The name of the matrix, e.g. `"W2"`.
    pub name: String,
    /// `(row, col)` inside that matrix.
    pub position: (usize, usize),
    /// Backpropagation's value.
    pub analytic: f64,
    /// The central-difference estimate.
    pub numeric: f64,
}

/// The outcome of [`gradient_check`].
#[derive(Clone, Debug, PartialEq)]
pub struct GradCheckReport {
    /// `||g - g~|| / (||g|| + ||g~||)` over the whole flattened vector (the course's formula).
    pub difference: f64,
    /// How many scalar parameters were perturbed.
    pub parameters: usize,
    /// Where the two gradients disagree most.
    pub worst: WorstParameter,
}

impl GradCheckReport {
    /// Whether `difference` is below the course's 1e-7.
    pub fn passed(&self) -> bool {
        self.difference < PASS_THRESHOLD
    }
}

impl fmt::Display for GradCheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = &self.worst;
        write!(
            f,
            "gradient check over {} parameters: difference {:.3e} ({}); worst {}[{}, {}]: backprop {:.10e}, numeric {:.10e}",
            self.parameters,
            self.difference,
            if self.passed() { "ok" } else { "MISTAKE in backward propagation?" },
            w.name,
            w.position.0,
            w.position.1,
            w.analytic,
            w.numeric
        )
    }
}

/// Checks `grads` (the analytic gradient of `cost` with respect to each of `params`, same order
/// and shapes) against central differences of `cost`.
///
/// `cost` receives the parameter matrices with one entry perturbed and returns J.
///
/// ```
/// use linalg_nn::gradcheck::{gradient_check, DEFAULT_EPSILON};
/// use nalgebra::DMatrix;
///
/// // J(w) = sum(w^3) has gradient 3 w^2.
/// let w = DMatrix::from_row_slice(1, 3, &[1.0, -2.0, 0.5]);
/// let grad = w.map(|v| 3.0 * v * v);
/// let report = gradient_check(&[("w", w.clone())], &[grad], DEFAULT_EPSILON, |p| {
///     p[0].map(|v| v.powi(3)).sum()
/// })
/// .unwrap();
/// assert!(report.passed(), "{report}");
///
/// // A wrong gradient is caught and the culprit is named.
/// let wrong = DMatrix::from_row_slice(1, 3, &[3.0, 12.0, 0.0]);
/// let report = gradient_check(&[("w", w)], &[wrong], DEFAULT_EPSILON, |p| {
///     p[0].map(|v| v.powi(3)).sum()
/// })
/// .unwrap();
/// assert!(!report.passed());
/// assert_eq!((report.worst.name.as_str(), report.worst.position), ("w", (0, 2)));
/// ```
pub fn gradient_check(
    params: &[(&str, DMatrix<f64>)],
    grads: &[DMatrix<f64>],
    epsilon: f64,
    mut cost: impl FnMut(&[DMatrix<f64>]) -> f64,
) -> Result<GradCheckReport> {
    if params.len() != grads.len() {
        return Err(NnError::invalid(
            "grads",
            format!("{} parameter matrices but {} gradients", params.len(), grads.len()),
        ));
    }
    if !(epsilon.is_finite() && epsilon > 0.0) {
        return Err(NnError::invalid(
            "epsilon",
            format!("must be positive and finite, got {epsilon}"),
        ));
    }
    for ((name, p), g) in params.iter().zip(grads) {
        crate::matrix::ensure_shape(g, p.shape(), &format!("d{name} against {name}"))?;
    }
    let mut working: Vec<DMatrix<f64>> = params.iter().map(|(_, p)| p.clone()).collect();
    let (mut diff_sq, mut analytic_sq, mut numeric_sq) = (0.0, 0.0, 0.0);
    let mut worst: Option<(f64, WorstParameter)> = None;
    let mut count = 0;
    for (k, (name, _)) in params.iter().enumerate() {
        let (rows, cols) = working[k].shape();
        // numpy flattens each matrix row by row; iterate the same way so indices read alike.
        for i in 0..rows {
            for j in 0..cols {
                let original = working[k][(i, j)];
                working[k][(i, j)] = original + epsilon;
                let plus = cost(&working);
                working[k][(i, j)] = original - epsilon;
                let minus = cost(&working);
                working[k][(i, j)] = original;
                let numeric = (plus - minus) / (2.0 * epsilon);
                let analytic = grads[k][(i, j)];
                let gap = (analytic - numeric).abs();
                diff_sq += gap * gap;
                analytic_sq += analytic * analytic;
                numeric_sq += numeric * numeric;
                count += 1;
                if worst.as_ref().is_none_or(|(g, _)| gap > *g || gap.is_nan()) {
                    let parameter = WorstParameter {
                        name: name.to_string(),
                        position: (i, j),
                        analytic,
                        numeric,
                    };
                    worst = Some((gap, parameter));
                }
            }
        }
    }
    let Some((_, worst)) = worst else {
        return Err(NnError::invalid("params", "there are no parameters to check"));
    };
    let denominator = analytic_sq.sqrt() + numeric_sq.sqrt();
    let difference = if denominator == 0.0 { 0.0 } else { diff_sq.sqrt() / denominator };
    Ok(GradCheckReport { difference, parameters: count, worst })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activations::sigmoid;
    use crate::cost::cross_entropy_cost;
    use crate::matrix::{add_column, sum_axis1};

    #[test]
    fn logistic_regression_gradient_passes() {
        // dw = X (A - Y)^T / m, db = sum(A - Y) / m (week 2), checked on hand-made data.
        let x = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, -1.0, 3.0, 0.5, -3.2]);
        let y = DMatrix::from_row_slice(1, 3, &[1.0, 0.0, 1.0]);
        let w = DMatrix::from_row_slice(2, 1, &[0.1, -0.2]);
        let b = DMatrix::from_row_slice(1, 1, &[0.3]);
        let forward = |w: &DMatrix<f64>, b: &DMatrix<f64>| {
            sigmoid(&add_column(&(w.transpose() * &x), b).unwrap())
        };
        let a = forward(&w, &b);
        let dz = &a - &y;
        let dw = &x * dz.transpose() / 3.0;
        let db = sum_axis1(&dz) / 3.0;
        let report = gradient_check(&[("w", w), ("b", b)], &[dw, db], DEFAULT_EPSILON, |p| {
            cross_entropy_cost(&forward(&p[0], &p[1]), &y).unwrap()
        })
        .unwrap();
        assert!(report.passed(), "{report}");
        assert_eq!(report.parameters, 3);
    }

    #[test]
    fn rejects_mismatched_inputs() {
        let p = DMatrix::zeros(2, 2);
        assert!(gradient_check(&[("W", p.clone())], &[], 1e-7, |_| 0.0).is_err());
        assert!(
            gradient_check(&[("W", p.clone())], &[DMatrix::zeros(2, 1)], 1e-7, |_| 0.0).is_err()
        );
        assert!(gradient_check(&[("W", p.clone())], &[p], 0.0, |_| 0.0).is_err());
    }
}
