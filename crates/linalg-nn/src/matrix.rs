//! numpy idioms on nalgebra `DMatrix<f64>`, the appendix "Python and numpy" of the notes.
//!
//! nalgebra already has most of what the course uses (`a * b` for `np.dot`, `component_mul` for
//! `*`, `map(f64::exp)`, `transpose`, `DMatrix::zeros`); this module adds what it lacks: numpy's
//! axis reductions with `keepdims=True`, the `+ b` broadcast of a column over every column,
//! C-order reshapes, and the appendix's `normalizeRows` / `softmax`. `docs/numpy-to-rust.md` maps
//! each idiom; every snippet there is a doctest here.

use crate::error::{NnError, Result};
use nalgebra::DMatrix;

/// `X.shape` as `(rows, cols)`.
///
/// ```
/// use linalg_nn::matrix::shape;
/// let x = nalgebra::DMatrix::<f64>::zeros(12288, 209);
/// assert_eq!(shape(&x), (12288, 209));
/// ```
pub fn shape(m: &DMatrix<f64>) -> (usize, usize) {
    m.shape()
}

/// Checks that `m` has the shape `expected`, naming `what` in the error.
///
/// ```
/// use linalg_nn::matrix::ensure_shape;
/// let b = nalgebra::DMatrix::<f64>::zeros(3, 1);
/// assert!(ensure_shape(&b, (3, 1), "b1").is_ok());
/// let err = ensure_shape(&b, (4, 1), "b1").unwrap_err();
/// assert_eq!(err.to_string(), "shape mismatch for b1: expected (4, 1), found (3, 1)");
/// ```
pub fn ensure_shape(m: &DMatrix<f64>, expected: (usize, usize), what: &str) -> Result<()> {
    if m.shape() == expected { Ok(()) } else { Err(NnError::shape(what, expected, m.shape())) }
}

/// Rejects a matrix with a NaN or infinite entry, naming the matrix and the first bad position
/// (column-major order). The whole-matrix check runs first, fast (the cat pictures' `X` is
/// 20 MB); the search for the culprit only on failure.
///
/// ```
/// use linalg_nn::matrix::ensure_finite;
/// use nalgebra::DMatrix;
/// let x = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, f64::NAN, 4.0]);
/// let err = ensure_finite(&x, "X").unwrap_err();
/// assert_eq!(err.to_string(), "invalid X: must contain only finite numbers, found NaN at (1, 0)");
/// assert!(ensure_finite(&DMatrix::zeros(3, 3), "X").is_ok());
/// ```
pub fn ensure_finite(m: &DMatrix<f64>, what: &str) -> Result<()> {
    if crate::train::all_finite(m) {
        return Ok(());
    }
    match m.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(k) => {
            let (row, col) = (k % m.nrows(), k / m.nrows());
            Err(NnError::invalid(
                what,
                format!("must contain only finite numbers, found {} at ({row}, {col})", m[k]),
            ))
        }
    }
}

/// `np.sum(A, axis=0, keepdims=True)`: one sum per column, shape `(1, cols)`.
///
/// ```
/// use linalg_nn::matrix::sum_axis0;
/// use nalgebra::DMatrix;
/// let a = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// assert_eq!(sum_axis0(&a), DMatrix::from_row_slice(1, 3, &[5.0, 7.0, 9.0]));
/// ```
pub fn sum_axis0(m: &DMatrix<f64>) -> DMatrix<f64> {
    DMatrix::from_fn(1, m.ncols(), |_, j| m.column(j).sum())
}

/// `np.sum(A, axis=1, keepdims=True)`: one sum per row, shape `(rows, 1)` (how `db` is computed).
///
/// ```
/// use linalg_nn::matrix::sum_axis1;
/// use nalgebra::DMatrix;
/// let a = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// assert_eq!(sum_axis1(&a), DMatrix::from_row_slice(2, 1, &[6.0, 15.0]));
/// ```
pub fn sum_axis1(m: &DMatrix<f64>) -> DMatrix<f64> {
    let mut sums = DMatrix::zeros(m.nrows(), 1);
    for col in m.column_iter() {
        sums += col;
    }
    sums
}

/// `np.mean(A, axis=0, keepdims=True)`.
///
/// ```
/// use linalg_nn::matrix::mean_axis0;
/// use nalgebra::DMatrix;
/// let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 6.0]);
/// assert_eq!(mean_axis0(&a), DMatrix::from_row_slice(1, 2, &[2.0, 4.0]));
/// ```
pub fn mean_axis0(m: &DMatrix<f64>) -> DMatrix<f64> {
    let rows = m.nrows() as f64;
    sum_axis0(m) / rows
}

/// `np.mean(A, axis=1, keepdims=True)`.
///
/// ```
/// use linalg_nn::matrix::mean_axis1;
/// use nalgebra::DMatrix;
/// let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 6.0]);
/// assert_eq!(mean_axis1(&a), DMatrix::from_row_slice(2, 1, &[1.5, 4.5]));
/// ```
pub fn mean_axis1(m: &DMatrix<f64>) -> DMatrix<f64> {
    let cols = m.ncols() as f64;
    sum_axis1(m) / cols
}

/// `A + b` where `b` is a column `(rows, 1)`: numpy broadcasts it over every column, as in
/// `Z = np.dot(W, A) + b`.
///
/// ```
/// use linalg_nn::matrix::add_column;
/// use nalgebra::DMatrix;
/// let wa = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// let b = DMatrix::from_row_slice(2, 1, &[10.0, 20.0]);
/// let z = add_column(&wa, &b).unwrap();
/// assert_eq!(z, DMatrix::from_row_slice(2, 3, &[11.0, 12.0, 13.0, 24.0, 25.0, 26.0]));
/// assert!(add_column(&wa, &DMatrix::zeros(3, 1)).is_err());
/// ```
pub fn add_column(m: &DMatrix<f64>, column: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    let mut out = m.clone();
    add_column_mut(&mut out, column)?;
    Ok(out)
}

/// In-place [`add_column`]: `A += b` broadcast over columns, with no allocation.
pub fn add_column_mut(m: &mut DMatrix<f64>, column: &DMatrix<f64>) -> Result<()> {
    ensure_shape(column, (m.nrows(), 1), "the column added to every column (b)")?;
    let b = column.as_slice();
    for col in m.as_mut_slice().chunks_exact_mut(b.len().max(1)) {
        for (value, &b_i) in col.iter_mut().zip(b) {
            *value += b_i;
        }
    }
    Ok(())
}

/// `A.reshape(rows, cols)` with numpy's default C (row-major) order: elements are read and
/// written row by row, whatever nalgebra's column-major storage does. A 3-D array
/// (`np.arange(64).reshape(4, 4, 4)`, then `reshape(-1)` and `reshape(4, -1)`) is in
/// `docs/numpy-to-rust.md`, whose code runs as this crate's doctest.
///
/// ```
/// use linalg_nn::matrix::reshape_c_order;
/// use nalgebra::DMatrix;
/// let a = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// let r = reshape_c_order(&a, 3, 2).unwrap();
/// assert_eq!(r, DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
/// assert!(reshape_c_order(&a, 4, 2).is_err());
/// ```
pub fn reshape_c_order(m: &DMatrix<f64>, rows: usize, cols: usize) -> Result<DMatrix<f64>> {
    if rows.checked_mul(cols) != Some(m.len()) {
        return Err(NnError::invalid(
            "reshape",
            format!(
                "cannot reshape ({}, {}) into ({rows}, {cols}): {} elements vs {}",
                m.nrows(),
                m.ncols(),
                m.len(),
                rows.saturating_mul(cols)
            ),
        ));
    }
    let row_major: Vec<f64> = m.transpose().iter().copied().collect();
    Ok(DMatrix::from_row_slice(rows, cols, &row_major))
}

/// A column vector `(n, 1)` from a slice (numpy's `v.reshape(-1, 1)`).
///
/// ```
/// let v = linalg_nn::matrix::column(&[1.0, 2.0]);
/// assert_eq!(v.shape(), (2, 1));
/// ```
pub fn column(values: &[f64]) -> DMatrix<f64> {
    DMatrix::from_column_slice(values.len(), 1, values)
}

/// A row vector `(1, n)` from a slice (numpy's `v.reshape(1, -1)`).
///
/// ```
/// let v = linalg_nn::matrix::row(&[1.0, 2.0, 3.0]);
/// assert_eq!(v.shape(), (1, 3));
/// ```
pub fn row(values: &[f64]) -> DMatrix<f64> {
    DMatrix::from_row_slice(1, values.len(), values)
}

/// The appendix's `normalizeRows`: divide each row by its L2 norm (rows of norm 0 stay 0).
///
/// ```
/// use linalg_nn::matrix::normalize_rows;
/// use nalgebra::DMatrix;
/// let x = DMatrix::from_row_slice(2, 3, &[0.0, 3.0, 4.0, 1.0, 6.0, 4.0]);
/// let n = normalize_rows(&x);
/// assert!((n[(0, 1)] - 0.6).abs() < 1e-15 && (n[(0, 2)] - 0.8).abs() < 1e-15);
/// assert!((n[(1, 1)] - 0.82416338).abs() < 1e-8);
/// ```
pub fn normalize_rows(m: &DMatrix<f64>) -> DMatrix<f64> {
    let mut out = m.clone();
    for mut r in out.row_iter_mut() {
        let norm = r.norm();
        if norm > 0.0 {
            r /= norm;
        }
    }
    out
}

/// The appendix's `softmax`, row by row (`exp(x) / sum(exp(x), axis=1, keepdims=True)`), with the
/// row maximum subtracted first so large inputs cannot overflow.
///
/// ```
/// use linalg_nn::matrix::softmax_rows;
/// use nalgebra::DMatrix;
/// let x = DMatrix::from_row_slice(1, 5, &[9.0, 2.0, 5.0, 0.0, 0.0]);
/// let s = softmax_rows(&x);
/// assert!((s[(0, 0)] - 0.980897665).abs() < 1e-8);
/// assert!((s.sum() - 1.0).abs() < 1e-15);
/// ```
pub fn softmax_rows(m: &DMatrix<f64>) -> DMatrix<f64> {
    let mut out = m.clone();
    for mut r in out.row_iter_mut() {
        let max = r.max();
        r.apply(|v| *v = (*v - max).exp());
        let sum = r.sum();
        r /= sum;
    }
    out
}

/// Percentage of positions where `predictions` equals `labels`, the notebooks'
/// `100 - np.mean(np.abs(Y_prediction - Y)) * 100` for 0/1 values.
///
/// ```
/// use linalg_nn::matrix::{accuracy_percent, row};
/// let acc = accuracy_percent(&row(&[1.0, 0.0, 1.0, 1.0]), &row(&[1.0, 1.0, 1.0, 1.0])).unwrap();
/// assert_eq!(acc, 75.0);
/// ```
pub fn accuracy_percent(predictions: &DMatrix<f64>, labels: &DMatrix<f64>) -> Result<f64> {
    ensure_shape(predictions, labels.shape(), "predictions against the labels Y")?;
    if labels.is_empty() {
        return Err(NnError::invalid("labels", "accuracy of zero examples is undefined"));
    }
    let mean_abs_error = (predictions - labels).abs().sum() / labels.len() as f64;
    Ok(100.0 - mean_abs_error * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reshape_round_trip_preserves_c_order() {
        // The notebook flattens images with reshape(m, -1).T; for a (2, 6) matrix in C order
        // reshaping to (3, 4) and back restores it.
        let a = DMatrix::from_fn(2, 6, |i, j| (i * 6 + j) as f64);
        let r = reshape_c_order(&a, 3, 4).unwrap();
        assert_eq!(r[(1, 0)], 4.0);
        assert_eq!(r[(2, 3)], 11.0);
        assert_eq!(reshape_c_order(&r, 2, 6).unwrap(), a);
    }

    #[test]
    fn add_column_error_names_the_shapes() {
        let mut m = DMatrix::zeros(3, 4);
        let err = add_column_mut(&mut m, &DMatrix::zeros(3, 2)).unwrap_err();
        assert_eq!(err, NnError::shape("the column added to every column (b)", (3, 1), (3, 2)));
    }

    #[test]
    fn accuracy_rejects_mismatched_or_empty() {
        assert!(accuracy_percent(&row(&[1.0]), &row(&[1.0, 0.0])).is_err());
        assert!(accuracy_percent(&DMatrix::zeros(1, 0), &DMatrix::zeros(1, 0)).is_err());
    }

    #[test]
    fn softmax_survives_large_inputs() {
        let s = softmax_rows(&DMatrix::from_row_slice(1, 2, &[1000.0, 1000.0]));
        assert_eq!(s, DMatrix::from_row_slice(1, 2, &[0.5, 0.5]));
    }
}
