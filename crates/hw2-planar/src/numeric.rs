//! The arithmetic of one training iteration, written as explicit loops over reused buffers: the
//! notebook's `np.dot(W, A) + b`, `np.dot(dZ, A.T) / m` and `np.sum(dZ, axis=1)` without
//! allocating per iteration. Each loop adds its terms in a fixed, documented order (products
//! over the shared index in ascending order; row sums in numpy's pairwise order), because at the
//! course's learning rate of 1.2 last-bit differences decide where training ends (see
//! [`crate::nn_model`]).

use linalg_nn::DMatrix;

/// `planar_utils.sigmoid(x) = 1 / (1 + np.exp(-x))`, written exactly as the notebook's helper.
///
/// Unlike [`linalg_nn::activations::sigmoid_scalar`] it does not switch to `e^z / (1 + e^z)` for
/// negative `z` (that form avoids an overflow warning in numpy, not a wrong value: `1 / (1 + inf)`
/// is 0). The two round differently, so the notebook's form is kept.
///
/// ```
/// assert_eq!(hw2_planar::sigmoid(0.0), 0.5);
/// assert_eq!(hw2_planar::sigmoid(-800.0), 0.0);
/// assert_eq!(hw2_planar::sigmoid(800.0), 1.0);
/// ```
///
/// The exponential is [`linalg_nn::vector_exp::exp`], glibc's `exp` bit for bit on
/// `|z| < 512` (the library's beyond), so that the training loop can take eight at a time and
/// the course's figures do not depend on the C library.
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + linalg_nn::vector_exp::exp(-z))
}

/// `np.sum(A, axis=1, keepdims=True)` with numpy's own summation order, so `db1` and `db2` round
/// as in the notebook: numpy adds the rows of a C-ordered array pairwise (blocks of up to 128
/// values with eight running sums each), which differs in the last bits from a left-to-right sum.
///
/// ```
/// use hw2_planar::sum_rows_like_numpy;
/// use linalg_nn::DMatrix;
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
    let mut sums = DMatrix::zeros(m.nrows(), 1);
    row_sums_into(m, 1.0, &mut sums);
    sums
}

/// `out[i] = scale * pairwise_sum(row i of m)`; `out` is `(rows, 1)`.
pub(crate) fn row_sums_into(m: &DMatrix<f64>, scale: f64, out: &mut DMatrix<f64>) {
    let rows = m.nrows();
    let data = m.as_slice();
    for (i, o) in out.iter_mut().enumerate() {
        // Row i of a column-major matrix: every `rows`-th value from i.
        *o = pairwise_sum(m.ncols(), &|j| data[i + j * rows]) * scale;
    }
}

/// numpy's `pairwise_sum` (`numpy/_core/src/umath/loops_utils.h.src`) over `n` values read with
/// `at(0..n)`: below 8 values a plain loop; up to 128, eight running sums combined as
/// `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))` plus the leftovers; above, the two halves
/// (split at a multiple of 8) summed recursively.
fn pairwise_sum(n: usize, at: &impl Fn(usize) -> f64) -> f64 {
    pairwise_range(0, n, at)
}

fn pairwise_range(start: usize, n: usize, at: &impl Fn(usize) -> f64) -> f64 {
    const BLOCK: usize = 128;
    if n < 8 {
        (start..start + n).fold(0.0, |acc, j| acc + at(j))
    } else if n <= BLOCK {
        let mut r = [0.0; 8];
        for (k, slot) in r.iter_mut().enumerate() {
            *slot = at(start + k);
        }
        let whole = n - n % 8;
        for block in (8..whole).step_by(8) {
            for (k, slot) in r.iter_mut().enumerate() {
                *slot += at(start + block + k);
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for j in whole..n {
            res += at(start + j);
        }
        res
    } else {
        let half = n / 2;
        let half = half - half % 8;
        pairwise_range(start, half, at) + pairwise_range(start + half, n - half, at)
    }
}

/// Replaces `m` by a zero matrix of `shape` unless it already has that shape (buffers are
/// allocated on the first iteration and reused after).
pub(crate) fn ensure_buffer(m: &mut DMatrix<f64>, shape: (usize, usize)) {
    if m.shape() != shape {
        *m = DMatrix::zeros(shape.0, shape.1);
    }
}

/// `Z = W A + b` into `z`: `W (n_out, n_in)`, `A (n_in, m)`, `b (n_out, 1)`. Column `j` of `Z`
/// is `W[:, 0] a[0, j]`, plus `W[:, k] a[k, j]` for `k = 1, 2, ...` in turn, plus `b`: the order
/// of a column-by-column matrix-vector product. Shapes are checked by the caller.
pub(crate) fn linear_forward_into(
    w: &DMatrix<f64>,
    a: &DMatrix<f64>,
    b: &DMatrix<f64>,
    z: &mut DMatrix<f64>,
) {
    let (n_out, n_in) = w.shape();
    ensure_buffer(z, (n_out, a.ncols()));
    let (w, b) = (w.as_slice(), b.as_slice());
    if n_out == 1 {
        // The output layer: one dot product per example, in the same order as below.
        for (zj, a_col) in z.iter_mut().zip(a.as_slice().chunks_exact(n_in)) {
            let mut acc = w[0] * a_col[0];
            for (&wk, &ak) in w.iter().zip(a_col).skip(1) {
                acc += wk * ak;
            }
            *zj = acc + b[0];
        }
        return;
    }
    for (z_col, a_col) in
        z.as_mut_slice().chunks_exact_mut(n_out).zip(a.as_slice().chunks_exact(n_in))
    {
        for (zi, &wi) in z_col.iter_mut().zip(&w[..n_out]) {
            *zi = wi * a_col[0];
        }
        for (w_col, &ak) in w.chunks_exact(n_out).zip(a_col).skip(1) {
            for (zi, &wi) in z_col.iter_mut().zip(w_col) {
                *zi += wi * ak;
            }
        }
        for (zi, &bi) in z_col.iter_mut().zip(b) {
            *zi += bi;
        }
    }
}

/// `dW = (1/m) dZ A^T` into `dw`: `dZ (n_out, m)`, `A (n_in, m)`, `dw (n_out, n_in)`. Each entry
/// is the sum over examples `j = 0, 1, ...` in turn of `dZ[i, j] A[k, j]`, then times `1/m`, as
/// the notebook's `1/m * np.dot(dZ, A.T)` rounds: the product first, then the scaling.
pub(crate) fn weight_gradient_into(
    dz: &DMatrix<f64>,
    a: &DMatrix<f64>,
    inv_m: f64,
    dw: &mut DMatrix<f64>,
) {
    let (n_out, n_in) = (dz.nrows(), a.nrows());
    ensure_buffer(dw, (n_out, n_in));
    dw.fill(0.0);
    let dw = dw.as_mut_slice();
    if n_out == 1 {
        // dW2: one running sum per hidden unit, in the same order as below.
        for (&d, a_col) in dz.iter().zip(a.as_slice().chunks_exact(n_in)) {
            for (g, &ak) in dw.iter_mut().zip(a_col) {
                *g += d * ak;
            }
        }
    } else {
        for (dz_col, a_col) in
            dz.as_slice().chunks_exact(n_out).zip(a.as_slice().chunks_exact(n_in))
        {
            for (dw_col, &ak) in dw.chunks_exact_mut(n_out).zip(a_col) {
                for (g, &d) in dw_col.iter_mut().zip(dz_col) {
                    *g += d * ak;
                }
            }
        }
    }
    for g in dw.iter_mut() {
        *g *= inv_m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loops_agree_with_matrix_products() {
        let w = DMatrix::from_row_slice(3, 2, &[0.5, -1.0, 2.0, 0.25, -0.75, 1.5]);
        let a = DMatrix::from_row_slice(2, 4, &[1.0, 2.0, -3.0, 0.5, -1.0, 0.0, 4.0, 2.5]);
        let b = DMatrix::from_row_slice(3, 1, &[0.1, -0.2, 0.3]);
        let mut z = DMatrix::zeros(0, 0);
        linear_forward_into(&w, &a, &b, &mut z);
        let mut expected = &w * &a;
        for mut col in expected.column_iter_mut() {
            col += b.column(0);
        }
        assert_eq!(z, expected);

        let dz = DMatrix::from_row_slice(
            3,
            4,
            &[0.5, -0.25, 1.0, 2.0, -1.0, 0.75, 0.5, 0.0, 1.5, 1.0, -2.0, 0.25],
        );
        let mut dw = DMatrix::zeros(0, 0);
        weight_gradient_into(&dz, &a, 0.25, &mut dw);
        assert_eq!(dw, (&dz * a.transpose()) * 0.25);
    }

    #[test]
    fn pairwise_sum_matches_numpy_block_structure() {
        // 300 values: split into 144 + 156 (halves rounded down to a multiple of 8), each
        // summed with eight running sums; exact for small integers, checked against the total.
        let values: Vec<f64> = (0..300).map(|i| i as f64).collect();
        assert_eq!(pairwise_sum(values.len(), &|j| values[j]), 44850.0);
        assert_eq!(pairwise_sum(0, &|_| 1.0), 0.0);
        assert_eq!(pairwise_sum(5, &|j| values[j]), 10.0);
    }
}
