//! numpy's arithmetic with numpy's rounding: `np.dot` and `np.sum(A, axis=1)` as the notebooks
//! compute them, and the course helpers' `sigmoid(x) = 1 / (1 + np.exp(-x))`. Each sum adds its
//! terms in a fixed, documented order (products over the shared index in ascending order; row
//! sums in numpy's pairwise order): where a notebook trains at a large learning rate, or for
//! thousands of iterations, last-bit differences decide the printed digits, so the plain loops
//! that reproduce a notebook's Expected Output take their products and sums from here
//! (week 3's planar network, Course 2's initialisation notebook). The engines add in the same
//! orders.

use nalgebra::DMatrix;

/// The course helpers' `sigmoid(x) = 1 / (1 + np.exp(-x))` (`planar_utils.py`, `init_utils.py`,
/// `reg_utils.py`), written exactly as they are.
///
/// Unlike [`crate::activations::sigmoid_scalar`] it does not switch to `e^z / (1 + e^z)` for
/// negative `z` (that form avoids an overflow warning in numpy, not a wrong value: `1 / (1 + inf)`
/// is 0). The two round differently, so the notebook's form is kept.
///
/// ```
/// assert_eq!(linalg_nn::numpy::sigmoid(0.0), 0.5);
/// assert_eq!(linalg_nn::numpy::sigmoid(-800.0), 0.0);
/// assert_eq!(linalg_nn::numpy::sigmoid(800.0), 1.0);
/// ```
///
/// The exponential is [`crate::exp::exp`], glibc's `exp` bit for bit on `|z| < 512` (the
/// library's beyond), so that the course's figures do not depend on the C library.
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + crate::exp::exp(-z))
}

/// `np.sum(A, axis=1, keepdims=True)` with numpy's own summation order, so `db1` and `db2` round
/// as in the notebooks: numpy adds the rows of a C-ordered array pairwise (blocks of up to 128
/// values with eight running sums each), which differs in the last bits from a left-to-right sum.
///
/// ```
/// use linalg_nn::DMatrix;
/// use linalg_nn::numpy::sum_rows_like_numpy;
/// let a = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// assert_eq!(sum_rows_like_numpy(&a), DMatrix::from_row_slice(2, 1, &[6.0, 15.0]));
/// // 1e16 followed by ten ones: left to right every 1 is lost to rounding (1e16); numpy's eight
/// // running sums keep most of them: np.sum gives 1.0000000000000008e16.
/// let mut values = vec![1e16];
/// values.extend([1.0; 10]);
/// let row = DMatrix::from_row_slice(1, 11, &values);
/// assert_eq!(sum_rows_like_numpy(&row)[(0, 0)], 1.0000000000000008e16);
/// ```
pub fn sum_rows_like_numpy(m: &DMatrix<f64>) -> DMatrix<f64> {
    let mut out = DMatrix::zeros(m.nrows(), 1);
    sum_rows_like_numpy_into(m, &mut out);
    out
}

/// [`sum_rows_like_numpy`] into `out` (reshaped to `(rows, 1)` if it has another shape), so a
/// training loop can keep one buffer per gradient.
pub fn sum_rows_like_numpy_into(m: &DMatrix<f64>, out: &mut DMatrix<f64>) {
    let (rows, cols) = m.shape();
    reshape_buffer(out, rows, 1);
    let data = m.as_slice();
    for (i, sum) in out.as_mut_slice().iter_mut().enumerate() {
        // Row i of the column-major storage: every rows-th value from i.
        *sum = pairwise_sum_by(cols, |k| data[k * rows + i]);
    }
}

/// numpy's `pairwise_sum` (`numpy/_core/src/umath/loops_utils.h.src`): below 8 values a plain
/// loop; up to 128, eight running sums combined as `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 +
/// r7))` plus the leftovers; above, the two halves (split at a multiple of 8) summed recursively.
pub fn pairwise_sum(values: &[f64]) -> f64 {
    pairwise_sum_by(values.len(), |k| values[k])
}

/// [`pairwise_sum`] of `value(0), value(1), ..., value(n - 1)`, for values that are not in one
/// slice (a row of a column-major matrix, terms computed on the fly).
///
/// ```
/// use linalg_nn::numpy::{pairwise_sum, pairwise_sum_by};
/// let values: Vec<f64> = (0..300).map(|i| 1.0 / (1.0 + i as f64)).collect();
/// assert_eq!(pairwise_sum_by(300, |k| values[k]), pairwise_sum(&values));
/// ```
pub fn pairwise_sum_by(n: usize, value: impl Fn(usize) -> f64) -> f64 {
    pairwise_range(0, n, &value)
}

fn pairwise_range(start: usize, n: usize, value: &impl Fn(usize) -> f64) -> f64 {
    if n < 8 {
        (start..start + n).fold(0.0, |acc, k| acc + value(k))
    } else if n <= 128 {
        let mut r: [f64; 8] = std::array::from_fn(|j| value(start + j));
        let whole = n - n % 8;
        for block in (8..whole).step_by(8) {
            for (j, slot) in r.iter_mut().enumerate() {
                *slot += value(start + block + j);
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for k in whole..n {
            res += value(start + k);
        }
        res
    } else {
        let half = n / 2;
        let half = half - half % 8;
        pairwise_range(start, half, value) + pairwise_range(start + half, n - half, value)
    }
}

/// Gives `out` the shape `(rows, cols)`, reallocating only when its shape differs (its values
/// are then overwritten by the caller).
fn reshape_buffer(out: &mut DMatrix<f64>, rows: usize, cols: usize) {
    if out.shape() != (rows, cols) {
        *out = DMatrix::zeros(rows, cols);
    }
}

/// `np.dot(A, B)`: entry `(i, j)` is `A[i, 0] B[0, j] + A[i, 1] B[1, j] + ...`, added in that
/// order, with no fused multiply-add.
///
/// ```
/// use linalg_nn::DMatrix;
/// use linalg_nn::numpy::dot;
/// let w = DMatrix::from_row_slice(1, 2, &[0.5, -1.0]);
/// let x = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// assert_eq!(dot(&w, &x), DMatrix::from_row_slice(1, 2, &[-2.5, -3.0]));
/// ```
///
/// # Panics
///
/// If `A` has no column or `A`'s columns are not `B`'s rows (callers check the shapes).
pub fn dot(a: &DMatrix<f64>, b: &DMatrix<f64>) -> DMatrix<f64> {
    let mut out = DMatrix::zeros(a.nrows(), b.ncols());
    dot_into(a, b, &mut out);
    out
}

/// [`dot`] into `out` (reshaped to `(A rows, B columns)` if it has another shape).
///
/// # Panics
///
/// As [`dot`].
pub fn dot_into(a: &DMatrix<f64>, b: &DMatrix<f64>, out: &mut DMatrix<f64>) {
    let (n, inner) = a.shape();
    assert!(inner > 0 && b.nrows() == inner, "np.dot: {:?} by {:?}", a.shape(), b.shape());
    reshape_buffer(out, n, b.ncols());
    let a = a.as_slice();
    for (b_col, out_col) in
        b.as_slice().chunks_exact(inner).zip(out.as_mut_slice().chunks_exact_mut(n.max(1)))
    {
        // Column by column of A: every entry of the output column gains its k-th term in
        // turn, so each entry still adds its terms in the order above, and the loop over the
        // entries runs on contiguous memory.
        for (k, (a_col, &b_kj)) in a.chunks_exact(n.max(1)).zip(b_col).enumerate() {
            for (entry, &a_ik) in out_col.iter_mut().zip(a_col) {
                *entry = if k == 0 { a_ik * b_kj } else { *entry + a_ik * b_kj };
            }
        }
    }
}

/// `np.dot(W.T, dZ)`, the backward pass's product, as [`dot`] of the transpose (entry `(i, j)`
/// is `W[0, i] dZ[0, j] + W[1, i] dZ[1, j] + ...`, in that order) without building `W.T`.
///
/// ```
/// use linalg_nn::DMatrix;
/// use linalg_nn::numpy::{dot, transposed_dot_into};
/// let w = DMatrix::from_row_slice(2, 3, &[0.5, -1.0, 2.0, 0.25, 1.5, -0.75]);
/// let dz = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// let mut out = DMatrix::zeros(0, 0);
/// transposed_dot_into(&w, &dz, &mut out);
/// assert_eq!(out, dot(&w.transpose(), &dz));
/// ```
///
/// # Panics
///
/// If `W` has no row or `W`'s rows are not `dZ`'s rows.
pub fn transposed_dot_into(w: &DMatrix<f64>, dz: &DMatrix<f64>, out: &mut DMatrix<f64>) {
    let (inner, n) = w.shape();
    assert!(inner > 0 && dz.nrows() == inner, "np.dot(W.T, dZ): {:?}, {:?}", w.shape(), dz.shape());
    reshape_buffer(out, n, dz.ncols());
    let w_cols = w.as_slice().chunks_exact(inner);
    for (dz_col, out_col) in
        dz.as_slice().chunks_exact(inner).zip(out.as_mut_slice().chunks_exact_mut(n.max(1)))
    {
        // Column i of W is row i of W.T.
        for (entry, w_col) in out_col.iter_mut().zip(w_cols.clone()) {
            *entry = (1..inner).fold(w_col[0] * dz_col[0], |acc, k| acc + w_col[k] * dz_col[k]);
        }
    }
}

/// `np.dot(dZ, A.T)`, a gradient's sum over the examples: entry `(i, k)` is
/// `0 + dZ[i, 0] A[k, 0] + dZ[i, 1] A[k, 1] + ...`, added in that order from zero.
///
/// ```
/// use linalg_nn::DMatrix;
/// use linalg_nn::numpy::dot_transposed;
/// let dz = DMatrix::from_row_slice(1, 2, &[0.5, -1.0]);
/// let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// assert_eq!(dot_transposed(&dz, &a), DMatrix::from_row_slice(1, 2, &[-1.5, -2.5]));
/// ```
///
/// # Panics
///
/// If `dZ` and `A` differ in their number of columns (callers check the shapes).
pub fn dot_transposed(dz: &DMatrix<f64>, a: &DMatrix<f64>) -> DMatrix<f64> {
    let mut out = DMatrix::zeros(dz.nrows(), a.nrows());
    dot_transposed_into(dz, a, &mut out);
    out
}

/// [`dot_transposed`] into `out` (reshaped to `(dZ rows, A rows)` if it has another shape).
///
/// # Panics
///
/// As [`dot_transposed`].
pub fn dot_transposed_into(dz: &DMatrix<f64>, a: &DMatrix<f64>, out: &mut DMatrix<f64>) {
    let (rows, m) = dz.shape();
    let a_rows = a.nrows();
    assert_eq!(a.ncols(), m, "np.dot(dZ, A.T): {:?}, {:?}", dz.shape(), a.shape());
    reshape_buffer(out, rows, a_rows);
    let (dz, a) = (dz.as_slice(), a.as_slice());
    for (k, out_col) in out.as_mut_slice().chunks_exact_mut(rows.max(1)).enumerate() {
        for (i, entry) in out_col.iter_mut().enumerate() {
            *entry = (0..m).fold(0.0, |acc, j| acc + dz[j * rows + i] * a[j * a_rows + k]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_agree_with_matrix_products() {
        let w = DMatrix::from_row_slice(3, 2, &[0.5, -1.0, 2.0, 0.25, -0.75, 1.5]);
        let a = DMatrix::from_row_slice(2, 4, &[1.0, 2.0, -3.0, 0.5, -1.0, 0.0, 4.0, 2.5]);
        assert_eq!(dot(&w, &a), &w * &a);
        let dz = DMatrix::from_row_slice(
            3,
            4,
            &[0.5, -0.25, 1.0, 2.0, -1.0, 0.75, 0.5, 0.0, 1.5, 1.0, -2.0, 0.25],
        );
        assert_eq!(dot_transposed(&dz, &a), &dz * a.transpose());
    }

    #[test]
    fn pairwise_sum_matches_numpy_block_structure() {
        // 300 values: split into 144 + 156 (halves rounded down to a multiple of 8), each
        // summed with eight running sums; exact for small integers, checked against the total.
        let values: Vec<f64> = (0..300).map(|i| i as f64).collect();
        assert_eq!(pairwise_sum(&values), 44850.0);
        assert_eq!(pairwise_sum(&[]), 0.0);
        assert_eq!(pairwise_sum(&values[..5]), 10.0);
    }
}
