//! Gradient checking (course 2, week 1, "Gradient checking"): compare backpropagation's analytic
//! gradient with central differences `(J(theta + eps) - J(theta - eps)) / (2 eps)` over every
//! parameter, flattened into one vector the way the course's `dictionary_to_vector` does, and
//! report the notebook's relative difference, where the two disagree most, and the same summary
//! for each parameter matrix.

use crate::error::{NnError, Result};
use crate::numpy::norm;
use nalgebra::DMatrix;
use std::fmt;

/// The course's default perturbation, `epsilon = 1e-7`.
pub const DEFAULT_EPSILON: f64 = 1e-7;

/// The notebook's threshold: `if difference > 2e-7: print("There is a mistake in the backward
/// propagation! ...")`, otherwise "Your backward propagation works perfectly fine!". (The older
/// notebook used `1e-7`; correct code lands far below either.)
pub const PASS_THRESHOLD: f64 = 2e-7;

/// The notebook's `difference = np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) +
/// np.linalg.norm(gradapprox))`, the norms in numpy's summation order ([`norm`]). Two zero
/// gradients agree: 0 (numpy would divide 0 by 0).
///
/// ```
/// use linalg_nn::gradcheck::relative_difference;
/// assert_eq!(relative_difference(&[3.0], &[3.0]), 0.0);
/// // One gradient twice the other: |g - 2g| / (|g| + |2g|) = 1/3.
/// assert_eq!(relative_difference(&[1.0, 2.0], &[2.0, 4.0]), 1.0 / 3.0);
/// ```
///
/// # Panics
///
/// If the two vectors differ in length (callers check).
pub fn relative_difference(grad: &[f64], gradapprox: &[f64]) -> f64 {
    assert_eq!(grad.len(), gradapprox.len(), "grad and gradapprox differ in length");
    let gap: Vec<f64> = grad.iter().zip(gradapprox).map(|(g, a)| g - a).collect();
    let numerator = norm(&gap);
    let denominator = norm(grad) + norm(gradapprox);
    if numerator == 0.0 && denominator == 0.0 { 0.0 } else { numerator / denominator }
}

/// The parameter whose gradient disagrees most (by absolute difference).
#[derive(Clone, Debug, PartialEq)]
pub struct WorstParameter {
    /// The name of the matrix, e.g. `"W2"`.
    pub name: String,
    /// `(row, col)` inside that matrix.
    pub position: (usize, usize),
    /// Its index in the flattened vector (the notebook's `i` in `gradapprox[i]`).
    pub index: usize,
    /// Backpropagation's value.
    pub analytic: f64,
    /// The central-difference estimate.
    pub numeric: f64,
}

impl fmt::Display for WorstParameter {
    /// `W2[1, 3]`, numpy's indexing of the matrix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}, {}]", self.name, self.position.0, self.position.1)
    }
}

/// The check restricted to one parameter matrix (`W1`, `b1`, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct BlockSummary {
    /// The matrix's name.
    pub name: String,
    /// Its shape `(rows, cols)`.
    pub shape: (usize, usize),
    /// [`relative_difference`] of this matrix's entries alone.
    pub difference: f64,
    /// Where inside this matrix the two gradients disagree most.
    pub worst: WorstParameter,
}

/// The outcome of a gradient check.
#[derive(Clone, Debug, PartialEq)]
pub struct GradCheckReport {
    /// `||grad - gradapprox|| / (||grad|| + ||gradapprox||)` over the whole flattened vector
    /// (the notebook's formula, [`relative_difference`]).
    pub difference: f64,
    /// How many scalar parameters were perturbed.
    pub parameters: usize,
    /// Where the two gradients disagree most.
    pub worst: WorstParameter,
    /// The same check for each parameter matrix, in order.
    pub blocks: Vec<BlockSummary>,
    /// Backpropagation's gradient, flattened (the notebook's `grad`).
    pub grad: Vec<f64>,
    /// The central differences, flattened (the notebook's `gradapprox`).
    pub gradapprox: Vec<f64>,
}

impl GradCheckReport {
    /// Whether `difference` is at most the notebook's 2e-7 ([`PASS_THRESHOLD`]); NaN fails.
    pub fn passed(&self) -> bool {
        self.difference <= PASS_THRESHOLD
    }
}

impl fmt::Display for GradCheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = &self.worst;
        write!(
            f,
            "gradient check over {} parameters: difference {:.3e} ({}); worst {w}: backprop {:.10e}, numeric {:.10e}",
            self.parameters,
            self.difference,
            if self.passed() { "ok" } else { "MISTAKE in backward propagation?" },
            w.analytic,
            w.numeric
        )
    }
}

/// The report of `grad` against `gradapprox`, two vectors flattened from the matrices `blocks`
/// (name and shape, in order, each row by row as numpy's `reshape(-1, 1)`): the overall
/// difference, the worst entry and the per-matrix summaries.
///
/// ```
/// use linalg_nn::gradcheck::compare;
/// let report = compare(&[("W", (2, 2)), ("b", (2, 1))], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
///     &[1.0, 2.0, 3.0, 4.5, 5.0, 6.0]).unwrap();
/// assert_eq!(report.worst.to_string(), "W[1, 1]");
/// assert_eq!(report.worst.index, 3);
/// assert_eq!(report.blocks[1].difference, 0.0);
/// ```
pub fn compare(
    blocks: &[(&str, (usize, usize))],
    grad: &[f64],
    gradapprox: &[f64],
) -> Result<GradCheckReport> {
    let size: usize = blocks.iter().map(|(_, (r, c))| r * c).sum();
    if size == 0 {
        return Err(NnError::invalid("params", "there are no parameters to check"));
    }
    for (name, vector) in [("grad", grad), ("gradapprox", gradapprox)] {
        if vector.len() != size {
            return Err(NnError::invalid(
                name,
                format!("{} values for {size} parameters", vector.len()),
            ));
        }
    }
    let mut summaries = Vec::with_capacity(blocks.len());
    let mut offset = 0;
    for &(name, (rows, cols)) in blocks {
        let range = offset..offset + rows * cols;
        let block_worst =
            worst_in(&grad[range.clone()], &gradapprox[range.clone()]).map(|k| WorstParameter {
                name: name.to_string(),
                position: (k / cols, k % cols),
                index: offset + k,
                analytic: grad[offset + k],
                numeric: gradapprox[offset + k],
            });
        if let Some(worst) = block_worst {
            summaries.push(BlockSummary {
                name: name.to_string(),
                shape: (rows, cols),
                difference: relative_difference(&grad[range.clone()], &gradapprox[range]),
                worst,
            });
        }
        offset += rows * cols;
    }
    let worst_index = worst_in(grad, gradapprox).expect("at least one parameter");
    let worst = summaries
        .iter()
        .map(|b| &b.worst)
        .find(|w| w.index == worst_index)
        .expect("every index lies in a block")
        .clone();
    Ok(GradCheckReport {
        difference: relative_difference(grad, gradapprox),
        parameters: size,
        worst,
        blocks: summaries,
        grad: grad.to_vec(),
        gradapprox: gradapprox.to_vec(),
    })
}

/// The index of the largest `|grad - gradapprox|` (the first of equals; a NaN gap wins).
fn worst_in(grad: &[f64], gradapprox: &[f64]) -> Option<usize> {
    let mut worst: Option<(usize, f64)> = None;
    for (k, (g, a)) in grad.iter().zip(gradapprox).enumerate() {
        let gap = (g - a).abs();
        if worst.is_none_or(|(_, w)| gap > w || (gap.is_nan() && !w.is_nan())) {
            worst = Some((k, gap));
        }
    }
    worst.map(|(k, _)| k)
}

fn check_epsilon(epsilon: f64) -> Result<()> {
    if epsilon.is_finite() && epsilon > 0.0 {
        Ok(())
    } else {
        Err(NnError::invalid("epsilon", format!("must be positive and finite, got {epsilon}")))
    }
}

/// The notebook's `gradient_check_n` loop on a flattened parameter vector `theta`: for each `i`,
/// `theta_plus = theta` with `theta_plus[i] += epsilon`, `J_plus[i] = cost(theta_plus)`, the
/// same with `-`, and `gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 epsilon)`; then
/// [`compare`] with backpropagation's `grad`. `blocks` names the matrices `theta` was flattened
/// from (name and shape, row by row).
///
/// ```
/// use linalg_nn::gradcheck::{gradient_check_vector, DEFAULT_EPSILON};
/// // J(theta) = theta x with x = 3: the notebook's 1-D check, difference 7.814075313343006e-11.
/// let report = gradient_check_vector(&[("theta", (1, 1))], &[4.0], &[3.0], DEFAULT_EPSILON,
///     |theta| theta[0] * 3.0).unwrap();
/// assert_eq!(report.difference, 7.814075313343006e-11);
/// ```
pub fn gradient_check_vector(
    blocks: &[(&str, (usize, usize))],
    theta: &[f64],
    grad: &[f64],
    epsilon: f64,
    mut cost: impl FnMut(&[f64]) -> f64,
) -> Result<GradCheckReport> {
    check_epsilon(epsilon)?;
    let size: usize = blocks.iter().map(|(_, (r, c))| r * c).sum();
    if theta.len() != size {
        return Err(NnError::invalid(
            "theta",
            format!("{} values for {size} parameters", theta.len()),
        ));
    }
    let mut gradapprox = Vec::with_capacity(theta.len());
    for i in 0..theta.len() {
        let mut theta_plus = theta.to_vec();
        theta_plus[i] += epsilon;
        let j_plus = cost(&theta_plus);
        let mut theta_minus = theta.to_vec();
        theta_minus[i] -= epsilon;
        let j_minus = cost(&theta_minus);
        gradapprox.push((j_plus - j_minus) / (2.0 * epsilon));
    }
    compare(blocks, grad, &gradapprox)
}

/// Checks `grads` (the analytic gradient of `cost` with respect to each of `params`, same order
/// and shapes) against central differences of `cost`, as [`gradient_check_vector`] does on the
/// flattened vector, without flattening: `cost` receives the parameter matrices with one entry
/// perturbed and returns J.
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
    check_epsilon(epsilon)?;
    for ((name, p), g) in params.iter().zip(grads) {
        crate::matrix::ensure_shape(g, p.shape(), &format!("d{name} against {name}"))?;
    }
    let mut working: Vec<DMatrix<f64>> = params.iter().map(|(_, p)| p.clone()).collect();
    let mut grad = Vec::new();
    let mut gradapprox = Vec::new();
    for k in 0..params.len() {
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
                gradapprox.push((plus - minus) / (2.0 * epsilon));
                grad.push(grads[k][(i, j)]);
            }
        }
    }
    let blocks: Vec<(&str, (usize, usize))> =
        params.iter().map(|(name, p)| (*name, p.shape())).collect();
    compare(&blocks, &grad, &gradapprox)
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
