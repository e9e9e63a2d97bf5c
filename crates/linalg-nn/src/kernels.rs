//! The heavy matrix products of training, routed to the fastest kernel measured on the
//! course's shapes (`cargo bench -p linalg-nn --bench kernels`, `docs/performance.md`): faer's
//! single-threaded matrix product, which picks its SIMD code (AVX2/FMA, AVX-512) at run time,
//! with no `-C target-cpu=native` needed. On the cat pictures it beat nalgebra's own product and
//! the `gemm` crate on every product of training: `W1 X`, `dZ1 X^T`, `X^T X` and the Gram
//! engine's small `dZ1 G`. nalgebra stays the API: these functions take and fill `DMatrix<f64>`
//! buffers the caller allocated once, so a training loop allocates nothing.
//!
//! Large products are split into a fixed number of column blocks ([`SPLIT_PARTS`]), each computed
//! by a single-threaded kernel, and the blocks run on separate threads when the machine has the
//! cores. The split never depends on the number of cores, and no sum crosses a block boundary, so
//! the results are bit-identical on one core or many: the course numbers hold everywhere.

use crate::error::{NnError, Result};
use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use nalgebra::DMatrix;

/// Whether an operand is used as stored or transposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `A`
    N,
    /// `A^T`
    T,
}

/// How many column blocks a large product is cut into (fixed, whatever the core count).
pub const SPLIT_PARTS: usize = 2;

/// Products with fewer multiply-adds than this run as one block on the calling thread: below it,
/// starting a thread costs more than it saves.
pub const PARALLEL_THRESHOLD: usize = 2_000_000;

fn op_shape(m: &DMatrix<f64>, op: Op) -> (usize, usize) {
    match op {
        Op::N => m.shape(),
        Op::T => (m.ncols(), m.nrows()),
    }
}

/// `op(x)` as a faer view of nalgebra's column-major buffer (no copy).
fn faer_view(x: &DMatrix<f64>, op: Op) -> MatRef<'_, f64> {
    let full = MatRef::from_column_major_slice(x.as_slice(), x.nrows(), x.ncols());
    match op {
        Op::N => full,
        Op::T => full.transpose(),
    }
}

/// `dst = op(a) * op(b)`, overwriting `dst` (which must already have the product's shape).
///
/// ```
/// use linalg_nn::kernels::{matmul_into, Op};
/// use nalgebra::DMatrix;
/// let w = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// let x = DMatrix::from_row_slice(3, 2, &[1.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
/// let mut z = DMatrix::zeros(2, 2);
/// matmul_into(&mut z, &w, Op::N, &x, Op::N).unwrap();
/// assert_eq!(z, &w * &x);
/// // dW = dZ X^T without forming X^T
/// let dz = DMatrix::from_row_slice(2, 2, &[1.0, -1.0, 0.5, 2.0]);
/// let mut dw = DMatrix::zeros(2, 3);
/// matmul_into(&mut dw, &dz, Op::N, &x, Op::T).unwrap();
/// assert_eq!(dw, &dz * x.transpose());
/// ```
pub fn matmul_into(
    dst: &mut DMatrix<f64>,
    a: &DMatrix<f64>,
    op_a: Op,
    b: &DMatrix<f64>,
    op_b: Op,
) -> Result<()> {
    gemm_into(dst, 0.0, a, op_a, b, op_b, 1.0)
}

/// `dst = alpha * dst + beta * op(a) * op(b)` (with `alpha = 0` the old contents are ignored,
/// even NaN).
pub fn gemm_into(
    dst: &mut DMatrix<f64>,
    alpha: f64,
    a: &DMatrix<f64>,
    op_a: Op,
    b: &DMatrix<f64>,
    op_b: Op,
    beta: f64,
) -> Result<()> {
    // Looked up once: on Linux available_parallelism reads cgroup files, which would cost more
    // than the small products of the Gram engine's loop.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |c| c.get()));
    gemm_on_threads(dst, alpha, a, op_a, b, op_b, beta, cores)
}

/// [`gemm_into`] with the number of usable threads given (tests compare 1 against 2).
#[allow(clippy::too_many_arguments)]
fn gemm_on_threads(
    dst: &mut DMatrix<f64>,
    alpha: f64,
    a: &DMatrix<f64>,
    op_a: Op,
    b: &DMatrix<f64>,
    op_b: Op,
    beta: f64,
    threads: usize,
) -> Result<()> {
    let (m, k) = op_shape(a, op_a);
    let (k2, n) = op_shape(b, op_b);
    if k != k2 {
        return Err(NnError::shape("the inner dimensions of a matrix product", (m, k), (k2, n)));
    }
    if dst.shape() != (m, n) {
        return Err(NnError::shape("the product's destination", (m, n), dst.shape()));
    }
    if m == 0 || n == 0 {
        return Ok(());
    }
    let (lhs, rhs) = (faer_view(a, op_a), faer_view(b, op_b));
    let dst_rows = dst.nrows();
    let work = m.saturating_mul(n).saturating_mul(k);
    let parts = if work >= PARALLEL_THRESHOLD && n >= SPLIT_PARTS { SPLIT_PARTS } else { 1 };
    let block = n.div_ceil(parts);

    // Each block owns a disjoint range of dst's columns: column-major storage makes each range
    // one contiguous slice (and no Vec is built: a training loop calls this every iteration).
    let mut blocks =
        dst.as_mut_slice().chunks_mut(block * dst_rows).enumerate().map(|(i, c)| (i * block, c));
    let run = |(first_col, chunk): (usize, &mut [f64])| {
        let cols = chunk.len() / dst_rows;
        if alpha != 0.0 && alpha != 1.0 {
            chunk.iter_mut().for_each(|v| *v *= alpha);
        }
        let accumulate = if alpha == 0.0 { Accum::Replace } else { Accum::Add };
        let out = MatMut::from_column_major_slice_mut(chunk, dst_rows, cols);
        matmul(out, accumulate, lhs, rhs.subcols(first_col, cols), beta, Par::Seq);
    };
    if parts > 1 && threads > 1 {
        std::thread::scope(|scope| {
            let first = blocks.next();
            for block in blocks {
                scope.spawn(move || run(block));
            }
            if let Some(block) = first {
                run(block);
            }
        });
    } else {
        blocks.for_each(run);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::NumpyRng;

    #[test]
    fn every_transpose_combination_matches_nalgebra() {
        let mut rng = NumpyRng::new(11);
        let a = rng.randn(37, 53);
        let b = rng.randn(53, 29);
        let cases = [
            (Op::N, Op::N, a.clone(), b.clone()),
            (Op::T, Op::N, a.transpose(), b.clone()),
            (Op::N, Op::T, a.clone(), b.transpose()),
            (Op::T, Op::T, a.transpose(), b.transpose()),
        ];
        let expected = &a * &b;
        for (op_a, op_b, x, y) in cases {
            let mut out = DMatrix::from_element(37, 29, f64::NAN);
            matmul_into(&mut out, &x, op_a, &y, op_b).unwrap();
            assert!((&out - &expected).abs().max() < 1e-12, "{op_a:?} {op_b:?}");
        }
    }

    #[test]
    fn results_do_not_depend_on_the_number_of_threads() {
        // Large enough to be split in two blocks: one thread or two must give the same bits.
        let mut rng = NumpyRng::new(3);
        let w = rng.randn(20, 3000);
        let x = rng.randn(3000, 209);
        let mut one = DMatrix::zeros(20, 209);
        let mut two = DMatrix::zeros(20, 209);
        gemm_on_threads(&mut one, 0.0, &w, Op::N, &x, Op::N, 1.0, 1).unwrap();
        gemm_on_threads(&mut two, 0.0, &w, Op::N, &x, Op::N, 1.0, 2).unwrap();
        assert_eq!(one, two);
        assert!((&one - &w * &x).abs().max() < 1e-9);
        let mut dw_one = DMatrix::zeros(20, 3000);
        let mut dw_two = DMatrix::zeros(20, 3000);
        let dz = rng.randn(20, 209);
        gemm_on_threads(&mut dw_one, 0.0, &dz, Op::N, &x, Op::T, 1.0, 1).unwrap();
        gemm_on_threads(&mut dw_two, 0.0, &dz, Op::N, &x, Op::T, 1.0, 2).unwrap();
        assert_eq!(dw_one, dw_two);
    }

    #[test]
    fn accumulates_and_rejects_bad_shapes() {
        let a = DMatrix::from_row_slice(1, 2, &[1.0, 2.0]);
        let b = DMatrix::from_row_slice(2, 1, &[3.0, 4.0]);
        let mut out = DMatrix::from_row_slice(1, 1, &[10.0]);
        gemm_into(&mut out, 1.0, &a, Op::N, &b, Op::N, -0.5).unwrap();
        assert_eq!(out[(0, 0)], 10.0 - 0.5 * 11.0);
        assert!(matmul_into(&mut out, &a, Op::N, &a, Op::N).is_err());
        assert!(matmul_into(&mut DMatrix::zeros(2, 2), &a, Op::N, &b, Op::N).is_err());
    }
}
