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
    DMatrix::from_fn(m.nrows(), 1, |i, _| {
        let row: Vec<f64> = m.row(i).iter().copied().collect();
        pairwise_sum(&row)
    })
}

/// numpy's `pairwise_sum` (`numpy/_core/src/umath/loops_utils.h.src`): below 8 values a plain
/// loop; up to 128, eight running sums combined as `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 +
/// r7))` plus the leftovers; above, the two halves (split at a multiple of 8) summed recursively.
pub fn pairwise_sum(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 8 {
        values.iter().fold(0.0, |acc, &v| acc + v)
    } else if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&values[..8]);
        let whole = n - n % 8;
        for block in values[8..whole].chunks_exact(8) {
            for (slot, &v) in r.iter_mut().zip(block) {
                *slot += v;
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &v in &values[whole..] {
            res += v;
        }
        res
    } else {
        let half = n / 2;
        let half = half - half % 8;
        pairwise_sum(&values[..half]) + pairwise_sum(&values[half..])
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
    DMatrix::from_fn(a.nrows(), b.ncols(), |i, j| {
        (1..a.ncols()).fold(a[(i, 0)] * b[(0, j)], |acc, k| acc + a[(i, k)] * b[(k, j)])
    })
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
    DMatrix::from_fn(dz.nrows(), a.nrows(), |i, k| {
        (0..dz.ncols()).fold(0.0, |acc, j| acc + dz[(i, j)] * a[(k, j)])
    })
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
