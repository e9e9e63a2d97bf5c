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

/// How many of `n` values the first half of numpy's pairwise sum takes: above 128 values, half
/// of them rounded down to a multiple of 8; up to 128 (one block), all of them.
/// [`dot_transposed_in_halves`] cuts its sums over the examples at the same place.
///
/// ```
/// use linalg_nn::numpy::pairwise_half;
/// assert_eq!([pairwise_half(100), pairwise_half(211), pairwise_half(300)], [100, 104, 144]);
/// ```
pub fn pairwise_half(n: usize) -> usize {
    if n > 128 { n / 2 - (n / 2) % 8 } else { n }
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
        let half = pairwise_half(n);
        pairwise_range(start, half, value) + pairwise_range(start + half, n - half, value)
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

/// `np.dot(dZ, A.T)` as [`dot_transposed`] sums it, but over the examples in two halves cut
/// where numpy's pairwise sum cuts them ([`pairwise_half`]: up to 128 examples one half, above
/// that the first `m / 2` rounded down to a multiple of 8), each summed in order from zero, the
/// two sums added last: the order of Course 2's three-layer networks (`init_utils`,
/// `reg_utils`, `opt_utils`).
///
/// numpy leaves the order of these sums to its BLAS library, which splits a long sum into
/// blocks that depend on the processor; one order has to be picked, the same on every machine.
/// These halves are those of the bias gradients' pairwise sums, and two cores can each sum one
/// (`nn_engines::three_layer`). The order changes the last bits of a gradient, not a digit the
/// notebooks print.
///
/// ```
/// use linalg_nn::DMatrix;
/// use linalg_nn::numpy::{dot_transposed, dot_transposed_in_halves};
/// let dz = DMatrix::from_fn(2, 300, |i, j| ((i + 1) * j) as f64 / 7.0);
/// let a = DMatrix::from_fn(3, 300, |k, j| 1.0 / (1.0 + (k * 300 + j) as f64));
/// let halves = dot_transposed_in_halves(&dz, &a);
/// let first = dot_transposed(&dz.columns(0, 144).into(), &a.columns(0, 144).into());
/// let second = dot_transposed(&dz.columns(144, 156).into(), &a.columns(144, 156).into());
/// assert_eq!(halves, first + second);
/// // Up to 128 examples, one half: the same sums as dot_transposed.
/// let (dz, a) = (dz.columns(0, 128).into(), a.columns(0, 128).into());
/// assert_eq!(dot_transposed_in_halves(&dz, &a), dot_transposed(&dz, &a));
/// ```
///
/// # Panics
///
/// If `dZ` and `A` differ in their number of columns (callers check the shapes).
pub fn dot_transposed_in_halves(dz: &DMatrix<f64>, a: &DMatrix<f64>) -> DMatrix<f64> {
    let sum = |i: usize, k: usize, examples: std::ops::Range<usize>| {
        examples.fold(0.0, |acc, j| acc + dz[(i, j)] * a[(k, j)])
    };
    let (m, half) = (dz.ncols(), pairwise_half(dz.ncols()));
    DMatrix::from_fn(dz.nrows(), a.nrows(), |i, k| {
        if half == m { sum(i, k, 0..m) } else { sum(i, k, 0..half) + sum(i, k, half..m) }
    })
}

/// [`dot`] into a matrix the caller keeps, for training loops that reuse their buffers: the same
/// sums in the same order (so the same bits), computed a column of `out` at a time, which lets
/// the compiler run the rows of `A` side by side.
///
/// ```
/// use linalg_nn::DMatrix;
/// use linalg_nn::numpy::{dot, dot_into};
/// let w = DMatrix::from_row_slice(2, 3, &[0.5, -1.0, 0.25, 2.0, 1.5, -0.75]);
/// let x = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 3.0, 4.0, -5.0, 0.1]);
/// let mut out = DMatrix::zeros(2, 2);
/// dot_into(&w, &x, &mut out);
/// assert_eq!(out, dot(&w, &x));
/// ```
///
/// # Panics
///
/// If `A` has no column, or the shapes do not fit (`out` must be `(A rows, B columns)`).
pub fn dot_into(a: &DMatrix<f64>, b: &DMatrix<f64>, out: &mut DMatrix<f64>) {
    assert!(a.ncols() == b.nrows() && a.ncols() > 0, "dot_into: A's columns are not B's rows");
    assert_eq!(out.shape(), (a.nrows(), b.ncols()), "dot_into: out has the wrong shape");
    let n = a.nrows();
    if n == 0 {
        return;
    }
    if n <= NARROW {
        return dot_into_narrow(a, b, out);
    }
    let a = a.as_slice();
    for (b_col, out_col) in
        b.as_slice().chunks_exact(b.nrows()).zip(out.as_mut_slice().chunks_exact_mut(n))
    {
        let (first, rest) = a.split_at(n);
        for (o, &w) in out_col.iter_mut().zip(first) {
            *o = w * b_col[0];
        }
        for (a_col, &bk) in rest.chunks_exact(n).zip(&b_col[1..]) {
            for (o, &w) in out_col.iter_mut().zip(a_col) {
                *o += w * bk;
            }
        }
    }
}

/// Rows of `A` up to which [`dot_into`] keeps a column's sums in registers.
const NARROW: usize = 4;

/// [`dot_into`] for an `A` of at most [`NARROW`] rows (a layer of 3 units, the output unit):
/// `A` is padded to four rows, so each column's sums are four fixed lanes the compiler keeps in
/// registers, and four columns are summed side by side, so that their additions (each column's
/// a chain of `p` dependent sums) overlap. The padded lanes are computed and dropped.
fn dot_into_narrow(a: &DMatrix<f64>, b: &DMatrix<f64>, out: &mut DMatrix<f64>) {
    const COLUMNS: usize = 4;
    let (n, p) = a.shape();
    let mut padded = vec![[0.0; NARROW]; p];
    for (k, lanes) in padded.iter_mut().enumerate() {
        for (i, lane) in lanes.iter_mut().enumerate().take(n) {
            *lane = a[(i, k)];
        }
    }
    let b = b.as_slice();
    let out = out.as_mut_slice();
    let blocks = b.len() / (p * COLUMNS);
    for block in 0..blocks {
        let b_cols = &b[block * p * COLUMNS..(block + 1) * p * COLUMNS];
        let mut acc = [[0.0; NARROW]; COLUMNS];
        for (c, acc) in acc.iter_mut().enumerate() {
            *acc = padded[0].map(|w| w * b_cols[c * p]);
        }
        for (k, lanes) in padded.iter().enumerate().skip(1) {
            for (c, acc) in acc.iter_mut().enumerate() {
                let bk = b_cols[c * p + k];
                for (o, &w) in acc.iter_mut().zip(lanes) {
                    *o += w * bk;
                }
            }
        }
        for (c, acc) in acc.iter().enumerate() {
            store_narrow(&mut out[(block * COLUMNS + c) * n..][..n], acc);
        }
    }
    let done = blocks * COLUMNS;
    for (b_col, out_col) in b[done * p..].chunks_exact(p).zip(out[done * n..].chunks_exact_mut(n)) {
        let mut acc = padded[0].map(|w| w * b_col[0]);
        for (lanes, &bk) in padded[1..].iter().zip(&b_col[1..]) {
            for (o, &w) in acc.iter_mut().zip(lanes) {
                *o += w * bk;
            }
        }
        store_narrow(out_col, &acc);
    }
}

/// The first `out.len()` lanes of `acc` into `out`, one arm per width: a copy of a run-time
/// length would be a call to memmove.
fn store_narrow(out: &mut [f64], acc: &[f64; NARROW]) {
    match out {
        [o0] => *o0 = acc[0],
        [o0, o1] => [*o0, *o1] = [acc[0], acc[1]],
        [o0, o1, o2] => [*o0, *o1, *o2] = [acc[0], acc[1], acc[2]],
        [o0, o1, o2, o3] => [*o0, *o1, *o2, *o3] = *acc,
        _ => unreachable!("dot_into_narrow takes at most {NARROW} rows"),
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
/// let mut out = DMatrix::zeros(3, 2);
/// transposed_dot_into(&w, &dz, &mut out);
/// assert_eq!(out, dot(&w.transpose(), &dz));
/// ```
///
/// # Panics
///
/// If `W` has no row, `W`'s rows are not `dZ`'s rows, or `out` is not `(W columns, dZ columns)`.
pub fn transposed_dot_into(w: &DMatrix<f64>, dz: &DMatrix<f64>, out: &mut DMatrix<f64>) {
    let (inner, n) = w.shape();
    assert!(inner > 0 && dz.nrows() == inner, "np.dot(W.T, dZ): {:?}, {:?}", w.shape(), dz.shape());
    assert_eq!(out.shape(), (n, dz.ncols()), "transposed_dot_into: out has the wrong shape");
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

/// [`dot_transposed`] into a matrix the caller keeps: `out = dZ A^T`, each entry summed from zero
/// over the examples in ascending order (the same bits), the rows of `dZ` side by side.
///
/// ```
/// use linalg_nn::DMatrix;
/// use linalg_nn::numpy::{dot_transposed, dot_transposed_into};
/// let dz = DMatrix::from_row_slice(2, 3, &[0.5, -0.25, 1.0, 2.0, -1.0, 0.75]);
/// let a = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, -3.0, 0.5, 4.0, 2.5]);
/// let mut out = DMatrix::zeros(2, 2);
/// dot_transposed_into(&dz, &a, &mut out);
/// assert_eq!(out, dot_transposed(&dz, &a));
/// ```
///
/// # Panics
///
/// If `dZ` and `A` differ in their number of columns, or `out` is not `(dZ rows, A rows)`.
pub fn dot_transposed_into(dz: &DMatrix<f64>, a: &DMatrix<f64>, out: &mut DMatrix<f64>) {
    sum_outer_products(dz, a, 0..dz.ncols(), out);
}

/// [`dot_transposed_in_halves`] into a matrix the caller keeps (the same bits): the first half
/// as [`dot_transposed_into`] sums it, then the second half's sums added.
///
/// ```
/// use linalg_nn::DMatrix;
/// use linalg_nn::numpy::{dot_transposed_in_halves, dot_transposed_in_halves_into};
/// let dz = DMatrix::from_fn(3, 211, |i, j| ((i + 2) * j) as f64 / 9.0);
/// let a = DMatrix::from_fn(20, 211, |k, j| 1.0 / (1.0 + (k * 211 + j) as f64));
/// let mut out = DMatrix::zeros(3, 20);
/// dot_transposed_in_halves_into(&dz, &a, &mut out);
/// assert_eq!(out, dot_transposed_in_halves(&dz, &a));
/// ```
///
/// # Panics
///
/// As [`dot_transposed_into`].
pub fn dot_transposed_in_halves_into(dz: &DMatrix<f64>, a: &DMatrix<f64>, out: &mut DMatrix<f64>) {
    let (m, half) = (dz.ncols(), pairwise_half(dz.ncols()));
    sum_outer_products(dz, a, 0..half, out);
    let n = dz.nrows();
    if half == m || n == 0 {
        return;
    }
    // The second half's sums, a column of `out` and up to 64 of its rows at a time, each from
    // zero, then added to the first half's.
    let dz_cols = dz.as_slice().chunks_exact(n);
    for (k, out_col) in out.as_mut_slice().chunks_exact_mut(n).enumerate() {
        for (chunk, out_rows) in out_col.chunks_mut(64).enumerate() {
            let mut sums = [0.0; 64];
            let sums = &mut sums[..out_rows.len()];
            for (j, dz_col) in dz_cols.clone().enumerate().skip(half) {
                let (ak, dz_rows) = (a[(k, j)], &dz_col[chunk * 64..]);
                for (sum, &d) in sums.iter_mut().zip(dz_rows) {
                    *sum += d * ak;
                }
            }
            for (entry, sum) in out_rows.iter_mut().zip(sums) {
                *entry += *sum;
            }
        }
    }
}

/// `out = dZ A^T` over the examples `examples` only, each entry summed from zero in ascending
/// order ([`dot_transposed_into`]'s loops).
fn sum_outer_products(
    dz: &DMatrix<f64>,
    a: &DMatrix<f64>,
    examples: std::ops::Range<usize>,
    out: &mut DMatrix<f64>,
) {
    assert_eq!(dz.ncols(), a.ncols(), "dot_transposed_into: dZ and A differ in columns");
    assert_eq!(
        out.shape(),
        (dz.nrows(), a.nrows()),
        "dot_transposed_into: out has the wrong shape"
    );
    if dz.nrows() >= a.nrows() {
        accumulate_outer_products(dz, a, examples, out);
    } else {
        // A wide `A` (dW2 = dZ2 A1^T: 3 rows against 20): the transposed product runs along
        // `A`'s longer columns. Each entry is the same sum of the same products (`x * y` and
        // `y * x` round alike), in the same order.
        let mut transposed = DMatrix::zeros(a.nrows(), dz.nrows());
        accumulate_outer_products(a, dz, examples, &mut transposed);
        transposed.transpose_to(out);
    }
}

/// `out = 0 + sum over j in examples of dZ[:, j] A[:, j]^T`, example after example, down `dZ`'s
/// columns.
fn accumulate_outer_products(
    dz: &DMatrix<f64>,
    a: &DMatrix<f64>,
    examples: std::ops::Range<usize>,
    out: &mut DMatrix<f64>,
) {
    let (n, p) = (dz.nrows(), a.nrows());
    out.fill(0.0);
    if n == 0 || p == 0 {
        return;
    }
    let out = out.as_mut_slice();
    let dz_cols = dz.as_slice().chunks_exact(n).skip(examples.start).take(examples.len());
    for (dz_col, a_col) in dz_cols.zip(a.as_slice().chunks_exact(p).skip(examples.start)) {
        for (out_col, &ak) in out.chunks_exact_mut(n).zip(a_col) {
            for (o, &d) in out_col.iter_mut().zip(dz_col) {
                *o += d * ak;
            }
        }
    }
}

/// [`sum_rows_like_numpy`] into a column the caller keeps: each row of the column-major storage
/// summed in numpy's pairwise order, read in place (numpy sums the C-ordered row).
///
/// ```
/// use linalg_nn::DMatrix;
/// use linalg_nn::numpy::{sum_rows_like_numpy, sum_rows_like_numpy_into};
/// let a = DMatrix::from_fn(3, 20, |i, j| (i as f64 + 1.0) / (j as f64 + 3.0));
/// let mut out = DMatrix::zeros(3, 1);
/// sum_rows_like_numpy_into(&a, &mut out);
/// assert_eq!(out, sum_rows_like_numpy(&a));
/// ```
///
/// # Panics
///
/// If `out` is not `(rows, 1)`.
pub fn sum_rows_like_numpy_into(m: &DMatrix<f64>, out: &mut DMatrix<f64>) {
    assert_eq!(out.shape(), (m.nrows(), 1), "sum_rows_like_numpy_into: out has the wrong shape");
    let (rows, cols) = m.shape();
    let data = m.as_slice();
    for (i, sum) in out.as_mut_slice().iter_mut().enumerate() {
        *sum = pairwise_sum_by(cols, |k| data[k * rows + i]);
    }
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
    fn in_place_forms_give_the_same_bits_for_narrow_and_wide_shapes() {
        let pseudo = |r: usize, c: usize, seed: f64| {
            DMatrix::from_fn(r, c, |i, j| ((i * 31 + j * 17) as f64 * seed).sin() * 1.7)
        };
        for (n, p, m) in [(1, 3, 7), (3, 20, 11), (20, 3, 9), (20, 2, 13), (4, 5, 6), (5, 4, 3)] {
            let a = pseudo(n, p, 0.37);
            let b = pseudo(p, m, 0.91);
            let mut out = DMatrix::zeros(n, m);
            dot_into(&a, &b, &mut out);
            assert_eq!(out, dot(&a, &b), "dot {n}x{p}x{m}");
            let dz = pseudo(n, m, 0.53);
            let mut out = DMatrix::zeros(n, p);
            dot_transposed_into(&dz, &b, &mut out);
            assert_eq!(out, dot_transposed(&dz, &b), "dot_transposed {n}x{p}x{m}");
            let mut sums = DMatrix::zeros(n, 1);
            sum_rows_like_numpy_into(&dz, &mut sums);
            assert_eq!(sums, sum_rows_like_numpy(&dz), "row sums {n}x{m}");
        }
    }

    #[test]
    fn sums_in_halves_in_place_give_the_same_bits_for_every_shape() {
        let pseudo = |r: usize, c: usize, seed: f64| {
            DMatrix::from_fn(r, c, |i, j| ((i * 31 + j * 17) as f64 * seed).sin() * 1.7)
        };
        // Narrow and wide `A`, one half (up to 128 examples) and two, more than 64 rows of `dZ`
        // (the second half's sums in two chunks), and no row at all.
        for (n, p, m) in
            [(3, 20, 211), (20, 2, 211), (1, 5, 300), (70, 3, 150), (4, 4, 128), (0, 3, 200)]
        {
            let (dz, a) = (pseudo(n, m, 0.53), pseudo(p, m, 0.91));
            let mut out = DMatrix::zeros(n, p);
            dot_transposed_in_halves_into(&dz, &a, &mut out);
            assert_eq!(out, dot_transposed_in_halves(&dz, &a), "{n}x{p}, {m} examples");
        }
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
}
