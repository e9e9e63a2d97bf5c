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

/// `np.dot(A, B)` as OpenBLAS's `dgemm` kernels compute it on processors with fused
/// multiply-add: entry `(i, j)` is one chain `fma(A[i, k], B[k, j], acc)` over `k = 0, 1, ...`
/// from `acc = 0`, so every product but the first is added without rounding it first. Checked
/// bit for bit against numpy 2.4 / OpenBLAS 0.3.31 (SkylakeX and Haswell kernels) on the
/// gradient-checking notebook's network, whose products have 3 to 5 terms
/// (`numpy-reference/hw6_gradient_checking.py --digits`); [`dot`] is the unfused order.
///
/// ```
/// use linalg_nn::DMatrix;
/// use linalg_nn::numpy::{dot, dot_fused};
/// // 0.1 * 0.3 + 0.7 * 0.9: the second product is added unrounded.
/// let w = DMatrix::from_row_slice(1, 2, &[0.1, 0.7]);
/// let x = DMatrix::from_row_slice(2, 1, &[0.3, 0.9]);
/// assert_eq!(dot_fused(&w, &x)[(0, 0)], 0.7f64.mul_add(0.9, 0.1 * 0.3));
/// assert_eq!(dot(&w, &x)[(0, 0)], 0.1 * 0.3 + 0.7 * 0.9);
/// ```
///
/// # Panics
///
/// If `A`'s columns are not `B`'s rows (callers check the shapes).
pub fn dot_fused(a: &DMatrix<f64>, b: &DMatrix<f64>) -> DMatrix<f64> {
    assert_eq!(a.ncols(), b.nrows(), "np.dot: shapes do not align");
    DMatrix::from_fn(a.nrows(), b.ncols(), |i, j| {
        (0..a.ncols()).fold(0.0, |acc, k| a[(i, k)].mul_add(b[(k, j)], acc))
    })
}

/// `np.dot(dZ, A.T)` in [`dot_fused`]'s order: entry `(i, k)` is the chain
/// `fma(dZ[i, j], A[k, j], acc)` over the examples `j`, from `acc = 0`.
///
/// # Panics
///
/// If `dZ` and `A` differ in their number of columns (callers check the shapes).
pub fn dot_transposed_fused(dz: &DMatrix<f64>, a: &DMatrix<f64>) -> DMatrix<f64> {
    assert_eq!(dz.ncols(), a.ncols(), "np.dot(dZ, A.T): shapes do not align");
    DMatrix::from_fn(dz.nrows(), a.nrows(), |i, k| {
        (0..dz.ncols()).fold(0.0, |acc, j| dz[(i, j)].mul_add(a[(k, j)], acc))
    })
}

/// Which order a network's matrix products add in: [`dot`] / [`dot_transposed`] (unfused), or
/// [`dot_fused`] / [`dot_transposed_fused`] (OpenBLAS's kernels on processors with FMA).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Products {
    /// Each product rounded, then added in ascending order (the Course 1 notebooks' digits).
    #[default]
    Unfused,
    /// One chain of fused multiply-adds per entry (the gradient-checking notebook's digits).
    Fused,
}

impl Products {
    /// `np.dot(A, B)` in this order.
    pub fn dot(self, a: &DMatrix<f64>, b: &DMatrix<f64>) -> DMatrix<f64> {
        match self {
            Products::Unfused => dot(a, b),
            Products::Fused => dot_fused(a, b),
        }
    }

    /// `np.dot(dZ, A.T)` in this order.
    pub fn dot_transposed(self, dz: &DMatrix<f64>, a: &DMatrix<f64>) -> DMatrix<f64> {
        match self {
            Products::Unfused => dot_transposed(dz, a),
            Products::Fused => dot_transposed_fused(dz, a),
        }
    }
}

/// `x.dot(x)` for a 1-D float64 array as numpy computes it: numpy hands a contiguous vector to
/// BLAS (`cblas_ddot`), and OpenBLAS's x86-64 kernel (`kernel/x86_64/ddot.c` with
/// `ddot_microk_skylakex-2.c`, the kernel OpenBLAS picks on AVX-512 processors) adds in this
/// order, every product fused into its sum (`fma`):
///
/// - the first `n & !31` values in blocks of 32 into 32 running sums (four 8-lane registers;
///   value `k` goes to sum `k % 32`);
/// - those folded to 16 (`s[q][l] + s[q][l + 4]`), then the next 16 values, if any, into them
///   (value `k` to sum `k % 16`);
/// - the 16 sums reduced lane by lane, `((a0 + a1) + a2) + a3` for each of the four lanes, then
///   `(v0 + v2) + (v1 + v3)`;
/// - the last `n % 16` values one by one, `dot = fma(x[k], x[k], dot)`.
///
/// Below 16 values it is a fused left-to-right sum. Checked bit for bit against numpy 2.4 with
/// OpenBLAS 0.3.31 (SkylakeX kernel) on vectors of length 1 to 100:
/// `python3 numpy-reference/hw6_gradient_checking.py --norm-order --random-norms 40`. OpenBLAS's
/// AVX2 kernel (Haswell, on processors without AVX-512) uses 16 sums and an unfused tail, and
/// can differ in the last bit.
///
/// ```
/// use linalg_nn::numpy::self_dot;
/// let x: Vec<f64> = (1..=47).map(f64::from).collect();
/// assert_eq!(self_dot(&x), 35720.0); // 47 * 48 * 95 / 6
/// assert_eq!(self_dot(&[]), 0.0);
/// ```
pub fn self_dot(x: &[f64]) -> f64 {
    let n = x.len();
    let n16 = n & !15;
    let mut dot = 0.0;
    if n16 > 0 {
        let n32 = n16 & !31;
        let mut wide = [[0.0_f64; 8]; 4];
        for block in x[..n32].chunks_exact(32) {
            for (q, lanes) in wide.iter_mut().enumerate() {
                for (l, sum) in lanes.iter_mut().enumerate() {
                    let v = block[8 * q + l];
                    *sum = v.mul_add(v, *sum);
                }
            }
        }
        let mut narrow = [[0.0_f64; 4]; 4];
        for (q, lanes) in narrow.iter_mut().enumerate() {
            for (l, sum) in lanes.iter_mut().enumerate() {
                *sum = wide[q][l] + wide[q][l + 4];
            }
        }
        for block in x[n32..n16].chunks_exact(16) {
            for (q, lanes) in narrow.iter_mut().enumerate() {
                for (l, sum) in lanes.iter_mut().enumerate() {
                    let v = block[4 * q + l];
                    *sum = v.mul_add(v, *sum);
                }
            }
        }
        let lane = |l: usize| ((narrow[0][l] + narrow[1][l]) + narrow[2][l]) + narrow[3][l];
        dot = (lane(0) + lane(2)) + (lane(1) + lane(3));
    }
    for &v in &x[n16..] {
        dot = v.mul_add(v, dot);
    }
    dot
}

/// `np.linalg.norm(x)` of a vector (or of any array: numpy flattens it first), `sqrt(x.dot(x))`
/// with [`self_dot`]'s order, so the norms of the gradient-checking notebook round as numpy's.
///
/// ```
/// assert_eq!(linalg_nn::numpy::norm(&[3.0, 4.0]), 5.0);
/// assert_eq!(linalg_nn::numpy::norm(&[-2.5]), 2.5);
/// ```
pub fn norm(x: &[f64]) -> f64 {
    self_dot(x).sqrt()
}

/// How Python (and numpy's `str(np.float64)`) prints a float: the shortest digits that read back
/// to the same bits, in positional notation for `1e-4 <= |x| < 1e16` (with `.0` on whole
/// numbers), otherwise in scientific notation with a two-digit exponent. The notebooks print
/// their results with `str(...)`.
///
/// ```
/// use linalg_nn::numpy::float_repr;
/// assert_eq!(float_repr(0.2850931567761623), "0.2850931567761623");
/// assert_eq!(float_repr(1.1890913024229996e-07), "1.1890913024229996e-07");
/// assert_eq!(float_repr(1e-7), "1e-07");
/// assert_eq!(float_repr(3.0), "3.0");
/// assert_eq!(float_repr(1e16), "1e+16");
/// assert_eq!(float_repr(f64::NEG_INFINITY), "-inf");
/// ```
pub fn float_repr(value: f64) -> String {
    if value.is_nan() {
        return "nan".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').expect("{:e} always has an exponent");
    let exponent: i32 = exponent.parse().expect("{:e} prints an integer exponent");
    if value == 0.0 || (-4..16).contains(&exponent) {
        let positional = format!("{value}");
        if positional.contains('.') { positional } else { positional + ".0" }
    } else {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.abs())
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
    fn self_dot_matches_numpy_on_a_length_47_vector() {
        // np.random.seed(0); x = np.random.randn(47); x.dot(x).hex() (numpy 2.4, OpenBLAS
        // SkylakeX kernel): the goldens are the bits numpy printed; a left-to-right unfused sum
        // gives a different last bit on this vector.
        let x = crate::NumpyRng::new(0).randn(1, 47);
        let bits = self_dot(x.as_slice()).to_bits();
        assert_eq!(bits, 0x404e_8969_2916_8d4b, "{bits:#x}");
        let left_to_right = x.iter().fold(0.0, |acc, &v| acc + v * v);
        assert_eq!(left_to_right.to_bits(), 0x404e_8969_2916_8d4c);
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
