//! The heavy matrix products of training, in one fixed order: every entry of `op(A) op(B)` is
//! one chain of fused multiply-adds over the inner index, `k = 0, 1, ...` from zero
//! (`kernels/product.rs`, written once over [`crate::lanes`]). Lanes hold different entries,
//! never parts of one sum, so the bits are the same at every instruction-set level, on every
//! machine and on one thread or two. A general matrix library (faer, the `gemm` crate,
//! nalgebra's) splits the sums by blocks chosen from the cache sizes and the vector width, which
//! made the course's printed numbers differ from one computer to the next. nalgebra stays the
//! API: these functions take and fill `DMatrix<f64>` buffers the caller allocated once.
//!
//! On the course's shapes the fixed-order product on two threads is 1.7-2.2x faster than faer
//! on one for the 20-unit layer and the Gram matrix, level with it or up to 20 % slower for the
//! narrow layers' `W1 X`, and 6-37 % slower on the Gram step `dZ1 G`, which runs on one thread
//! (`cargo bench -p nn-engines --bench kernels`, docs/reference/performance.md). Three kernels
//! are faster still where the CPU has AVX-512, with the same bits: the weight gradient
//! `dZ1 X^T` of a narrow first layer (at most 8 units: the two-layer network's 7), the exact Gram
//! matrix of bytes in 8-bit integer arithmetic (VNNI), and the one-row Gram step `G dZ^T`.
//!
//! Large products are split into a fixed number of column blocks ([`SPLIT_PARTS`]), which run
//! on two threads when the machine has two cores. No sum crosses a block boundary, so the split
//! and the core count change nothing.

use crate::lanes::{Kernel, Lanes, Level};
use crate::pair::cores;
use linalg_nn::error::{NnError, Result};
use nalgebra::DMatrix;
use product::{Operand, Product, Strided};

mod product;

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

/// `op(x)` as the product reads it, from nalgebra's column-major buffer (no copy).
fn strided(x: &DMatrix<f64>, op: Op) -> Strided<'_, f64> {
    let (row_step, column_step) = match op {
        Op::N => (1, x.nrows()),
        Op::T => (x.nrows(), 1),
    };
    Strided { values: x.as_slice(), row_step, column_step }
}

/// `dst = op(a) * op(b)`, overwriting `dst` (which must already have the product's shape).
///
/// ```
/// use nn_engines::kernels::{matmul_into, Op};
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
    gemm_on_threads(dst, alpha, a, op_a, b, op_b, beta, cores())
}

/// `dst = X^T X`, the `(m, m)` Gram matrix of the columns of `x` `(n, m)`, overwriting `dst`.
///
/// Only the lower triangle is computed (half the multiply-adds of a general product) and then
/// mirrored, so the result is exactly symmetric. The triangle is cut into two fixed parts of
/// about equal work (the first columns' trapezoid, and the last columns' triangle) that run on
/// two threads when there are two cores; the cut does not depend on the core count, so the bits
/// do not either.
///
/// ```
/// use nn_engines::kernels::gram_into;
/// use nalgebra::DMatrix;
/// let x = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 0.0, 1.0, 3.0, -1.0]);
/// let mut g = DMatrix::zeros(2, 2);
/// gram_into(&mut g, &x).unwrap();
/// assert_eq!(g, DMatrix::from_row_slice(2, 2, &[10.0, -1.0, -1.0, 6.0]));
/// ```
pub fn gram_into(dst: &mut DMatrix<f64>, x: &DMatrix<f64>) -> Result<()> {
    gram_on_threads(dst, x, cores())
}

/// [`gram_into`] with the number of usable threads given (tests compare 1 against 2).
fn gram_on_threads(dst: &mut DMatrix<f64>, x: &DMatrix<f64>, threads: usize) -> Result<()> {
    let m = x.ncols();
    if dst.shape() != (m, m) {
        return Err(NnError::shape("the Gram matrix's destination", (m, m), dst.shape()));
    }
    let n = x.nrows();
    let columns = Strided { values: x.as_slice(), row_step: 1, column_step: n };
    let rows = Strided { values: x.as_slice(), row_step: n, column_step: 1 };
    lower_gram(dst, rows, columns, n, threads);
    Ok(())
}

/// The lower triangle of `dst = rows columns` (`(m, m)`, `rows` `(m, depth)` the transpose of
/// `columns`), mirrored onto the upper one. The triangle is cut into two fixed parts of about
/// equal work (the first columns' trapezoid, and the last columns' triangle) that run on two
/// threads when `threads > 1` and the work is large; each entry is one chain whichever part
/// computes it, so the bits do not depend on the cut or the threads.
fn lower_gram<A: Operand, B: Operand>(
    dst: &mut DMatrix<f64>,
    rows: A,
    columns: B,
    depth: usize,
    threads: usize,
) {
    let m = dst.ncols();
    // Column `cut` splits the lower triangle's m^2/2 entries in two: columns [0, cut) hold
    // m^2/2 - (m - cut)^2/2 of them, so (m - cut)^2 = m^2/2 gives cut = m (1 - 1/sqrt 2).
    let work = m.saturating_mul(m).saturating_mul(depth) / 2;
    let cut = if work >= PARALLEL_THRESHOLD && threads > 1 {
        m - (m as f64 / std::f64::consts::SQRT_2) as usize
    } else {
        0
    };
    let (left, right) = dst.as_mut_slice().split_at_mut(cut * m);
    let part = |out: &mut [f64], columns_range: std::ops::Range<usize>| {
        if columns_range.is_empty() {
            return;
        }
        Level::current().run(Product {
            a: rows,
            b: columns,
            rows: m,
            depth,
            columns: columns_range,
            out,
            alpha: 0.0,
            beta: 1.0,
            lower: true,
        });
    };
    if cut > 0 {
        crate::pair::join(|| part(left, 0..cut), || part(right, cut..m));
    } else {
        part(right, 0..m);
    }
    mirror_lower_triangle(dst);
}

/// `dst = B^T B` for the matrix `B` `(rows, m)` of bytes stored column by column in `bytes`
/// (`rows * m` of them): the Gram matrix of byte columns, computed exactly.
///
/// The course's pictures are bytes and `X = B / 255`, so `X^T X = (B^T B) / 255^2`: from the
/// exact integer Gram matrix, each entry of `X^T X` is a single correctly rounded division.
/// Every product of two bytes and every partial sum (below `2^53` for fewer than `2^37` rows)
/// is an integer that `f64` holds exactly, so the fixed-order product of [`matmul_into`] on the
/// bytes gives the exact sums. Where the CPU has AVX-512 VNNI the same exact sums are taken in
/// 8-bit integer arithmetic instead (`docs/reference/performance.md`): the bits are the same.
///
/// ```
/// use nn_engines::kernels::byte_gram_into;
/// use nalgebra::DMatrix;
/// // Two byte columns (1, 2, 3) and (255, 0, 255).
/// let mut g = DMatrix::zeros(2, 2);
/// byte_gram_into(&mut g, &[1, 2, 3, 255, 0, 255], 3).unwrap();
/// assert_eq!(g, DMatrix::from_row_slice(2, 2, &[14.0, 1020.0, 1020.0, 130050.0]));
/// ```
pub fn byte_gram_into(dst: &mut DMatrix<f64>, bytes: &[u8], rows: usize) -> Result<()> {
    let m = bytes.len().checked_div(rows).unwrap_or(dst.ncols());
    if rows.checked_mul(m) != Some(bytes.len()) {
        return Err(NnError::invalid(
            "the bytes of a Gram matrix",
            format!("{} bytes do not make whole columns of {rows}", bytes.len()),
        ));
    }
    if dst.shape() != (m, m) {
        return Err(NnError::shape("the Gram matrix's destination", (m, m), dst.shape()));
    }
    dst.fill(0.0);
    if m == 0 || rows == 0 {
        return Ok(());
    }
    #[cfg(target_arch = "x86_64")]
    if rows <= vnni::MAX_ROWS
        && Level::current() >= Level::Avx512
        && std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512bw")
        && std::arch::is_x86_feature_detected!("avx512vnni")
    {
        // SAFETY: the CPU has just been checked to support AVX-512F, BW and VNNI.
        unsafe { vnni::byte_gram(dst, bytes, rows) };
        mirror_lower_triangle(dst);
        return Ok(());
    }
    byte_gram_floats(dst, bytes, rows, cores());
    Ok(())
}

/// The portable [`byte_gram_into`] for a checked `dst` (`(m, m)`, `m >= 1`): the fixed-order
/// product on the bytes read as `f64`, exact.
fn byte_gram_floats(dst: &mut DMatrix<f64>, bytes: &[u8], rows: usize, threads: usize) {
    let columns = Strided { values: bytes, row_step: 1, column_step: rows };
    let transposed = Strided { values: bytes, row_step: rows, column_step: 1 };
    lower_gram(dst, transposed, columns, rows, threads);
}

/// Copies the lower triangle of the square `dst` onto its upper triangle.
fn mirror_lower_triangle(dst: &mut DMatrix<f64>) {
    for col in 1..dst.ncols() {
        for row in 0..col {
            dst[(row, col)] = dst[(col, row)];
        }
    }
}

/// [`byte_gram_into`] in 8-bit integer arithmetic (AVX-512 VNNI's `vpdpbusd`: 64 byte products
/// added into sixteen 32-bit sums per instruction), exact like the portable product on the bytes
/// and so giving the same bits, several times faster where the CPU has it.
#[cfg(target_arch = "x86_64")]
mod vnni {
    use nalgebra::DMatrix;
    use std::arch::x86_64::*;

    /// `vpdpbusd` multiplies unsigned by signed bytes, so one side is read as `b - 128` and
    /// `sum a b = sum a (b - 128) + 128 sum a`. Its 32-bit sums stay exact while
    /// `rows * 255 * 128 < 2^31`.
    pub(super) const MAX_ROWS: usize = (i32::MAX as usize) / (255 * 128);

    /// Columns per tile: a 4 x 4 tile keeps 16 sums in registers and loads 8 vectors for 16
    /// instructions.
    const TILE: usize = 4;

    /// The lower triangle of `B^T B` into `dst` (the upper triangle is left as it is); the
    /// tiles are shared between two threads when the machine has two cores (exact sums, so the
    /// split changes nothing).
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub(super) unsafe fn byte_gram(dst: &mut DMatrix<f64>, bytes: &[u8], rows: usize) {
        let m = dst.ncols();
        let column_sums: Vec<i64> = bytes
            .chunks_exact(rows)
            .map(|column| column.iter().map(|&b| i64::from(b)).sum())
            .collect();
        let tiles = m.div_ceil(TILE);
        // Tile row t holds t + 1 tiles of the triangle: cut where half the tiles are done.
        let total = tiles * (tiles + 1) / 2;
        let cut = (0..=tiles).find(|&t| t * (t + 1) >= total).unwrap_or(tiles);
        let work = |tile_rows: std::ops::Range<usize>| -> Vec<(usize, usize, i64)> {
            let mut out = Vec::new();
            // A block of rows at a time: the four columns of a tile row then stay in the L1
            // cache and the block of every column (209 x 3 KB) in L2, where whole columns
            // (209 x 12 KB) had to come from L3 for every tile.
            for block in (0..rows).step_by(BLOCK_ROWS) {
                let block = block..(block + BLOCK_ROWS).min(rows);
                for ti in tile_rows.clone() {
                    for tj in 0..=ti {
                        // SAFETY: the features were checked by the caller.
                        unsafe { tile(&mut out, bytes, rows, block.clone(), m, ti, tj) };
                    }
                }
            }
            out
        };
        let (first, second) = if super::PARALLEL_THRESHOLD <= m * m * rows {
            crate::pair::join(|| work(0..cut), || work(cut..tiles))
        } else {
            (work(0..cut), work(cut..tiles))
        };
        // Exact: every partial and whole sum is an integer below 2^53.
        for (i, j, sum) in first.into_iter().chain(second) {
            dst[(i, j)] += sum as f64;
        }
        for j in 0..m {
            for (i, &column_sum) in column_sums.iter().enumerate().skip(j) {
                dst[(i, j)] += (128 * column_sum) as f64;
            }
        }
    }

    /// Rows of the pictures per block of [`byte_gram`] (a multiple of 64).
    const BLOCK_ROWS: usize = 3072;

    /// The sums `sum_k a_k (b_k - 128)` over the rows `block` for the entries `(i, j)`,
    /// `i >= j`, of tile `(ti, tj)`, pushed onto `out` (the caller adds `128 sum a`).
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    unsafe fn tile(
        out: &mut Vec<(usize, usize, i64)>,
        bytes: &[u8],
        rows: usize,
        block: std::ops::Range<usize>,
        m: usize,
        ti: usize,
        tj: usize,
    ) {
        let (i0, j0) = (ti * TILE, tj * TILE);
        let (ni, nj) = (TILE.min(m - i0), TILE.min(m - j0));
        let mut acc = [[_mm512_setzero_si512(); TILE]; TILE];
        // b ^ 0x80, read as a signed byte, is b - 128.
        let flip = _mm512_set1_epi8(i8::MIN);
        let end = block.end.min(rows);
        let mut k = block.start;
        while k < end {
            let mask: __mmask64 = if end - k >= 64 { u64::MAX } else { (1u64 << (end - k)) - 1 };
            let mut a = [_mm512_setzero_si512(); TILE];
            let mut s = [_mm512_setzero_si512(); TILE];
            for c in 0..TILE {
                // Columns past m are read as column m - 1 and their sums dropped below.
                let i = (i0 + c).min(m - 1);
                let j = (j0 + c).min(m - 1);
                // SAFETY: k + 64 may pass the block's end only under the mask, which then
                // keeps every read inside the column.
                unsafe {
                    a[c] = _mm512_maskz_loadu_epi8(mask, bytes.as_ptr().add(i * rows + k).cast());
                    let b = _mm512_maskz_loadu_epi8(mask, bytes.as_ptr().add(j * rows + k).cast());
                    // Masked-off bytes become -128, multiplied by the zeros of `a`.
                    s[c] = _mm512_xor_si512(b, flip);
                }
            }
            for (acc_row, &a_c) in acc.iter_mut().zip(&a) {
                for (sum, &s_c) in acc_row.iter_mut().zip(&s) {
                    *sum = _mm512_dpbusd_epi32(*sum, a_c, s_c);
                }
            }
            k += 64;
        }
        for (di, acc_row) in acc.iter().enumerate().take(ni) {
            for (dj, &sum) in acc_row.iter().enumerate().take(nj) {
                let (i, j) = (i0 + di, j0 + dj);
                if i >= j {
                    out.push((i, j, i64::from(_mm512_reduce_add_epi32(sum))));
                }
            }
        }
    }
}

/// `out = a v`: the matrix `a` `(n, k)` times the vector `v` (`k` entries), into `out` (`n`
/// entries).
///
/// This is the Gram engine's per-iteration product for logistic regression: `dZ G` with a
/// single row of `dZ` is `G dZ^T` because `G` is symmetric (209 x 209 on the cat pictures), where
/// a general matrix product spends more time deciding how to run than running. Column-major
/// storage makes it a sum of scaled columns, `out = sum_k v[k] a[:, k]`, taken in the order
/// `k = 0, 1, ...` for every entry: no sum is reassociated, so the bits are the same whatever
/// the vector width of the machine.
///
/// ```
/// use nn_engines::kernels::matvec_into;
/// use nalgebra::DMatrix;
/// let a = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 0.0, 1.0, -1.0]);
/// let mut out = [0.0; 2];
/// matvec_into(&mut out, &a, &[1.0, 1.0, 2.0]).unwrap();
/// assert_eq!(out, [9.0, -1.0]);
/// assert!(matvec_into(&mut out, &a, &[1.0, 1.0]).is_err());
/// ```
pub fn matvec_into(out: &mut [f64], a: &DMatrix<f64>, v: &[f64]) -> Result<()> {
    matvec_rows_into(out, a, 0..a.nrows(), v)
}

/// Rows `rows` of `a v`, into `out` (`rows.len()` entries): each entry computed exactly as
/// [`matvec_into`] computes it, so two threads that each take a fixed range of rows produce the
/// same bits as one thread taking them all (the Gram engine's two-thread logistic loop,
/// [`crate::gram::GramFirstLayer::run_one_row`]).
///
/// ```
/// use nn_engines::kernels::{matvec_into, matvec_rows_into};
/// use nalgebra::DMatrix;
/// let a = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// let mut all = [0.0; 3];
/// matvec_into(&mut all, &a, &[0.5, -1.0]).unwrap();
/// let mut last_two = [0.0; 2];
/// matvec_rows_into(&mut last_two, &a, 1..3, &[0.5, -1.0]).unwrap();
/// assert_eq!(last_two, [all[1], all[2]]);
/// assert!(matvec_rows_into(&mut last_two, &a, 2..4, &[0.5, -1.0]).is_err());
/// ```
pub fn matvec_rows_into(
    out: &mut [f64],
    a: &DMatrix<f64>,
    rows: std::ops::Range<usize>,
    v: &[f64],
) -> Result<()> {
    if v.len() != a.ncols() {
        return Err(NnError::shape("the vector against the matrix", (a.ncols(), 1), (v.len(), 1)));
    }
    if rows.start > rows.end || rows.end > a.nrows() {
        return Err(NnError::invalid(
            "the rows of a matrix-vector product",
            format!("{rows:?} is not a range of rows of a matrix with {} rows", a.nrows()),
        ));
    }
    if out.len() != rows.len() {
        return Err(NnError::shape("the product's destination", (rows.len(), 1), (out.len(), 1)));
    }
    if a.ncols() == 0 || rows.is_empty() {
        out.fill(0.0);
        return Ok(());
    }
    let columns = &a.as_slice()[rows.start..];
    Level::current().run(Matvec { out, columns, stride: a.nrows(), v });
    Ok(())
}

/// The kernel of [`matvec_rows_into`]: the plain [`matvec`], compiled by [`Level::run`] for the
/// level's instruction set (eight lanes per instruction with AVX-512, four with AVX2, two with
/// SSE2) with the same operations in the same order (Rust never fuses a multiply and an add),
/// so the same bits at every level. (Keeping a whole half of `out`, 105 entries, in registers
/// across all the columns was measured no faster on the Zen 5 host: the step is bound by reading
/// `G` from the L2 cache, about 30 bytes per cycle.)
struct Matvec<'a> {
    out: &'a mut [f64],
    columns: &'a [f64],
    stride: usize,
    v: &'a [f64],
}

impl Kernel for Matvec<'_> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(self, _lanes: L) {
        matvec(self.out, self.columns, self.stride, self.v);
    }
}

/// `out = sum_k v[k] column_k`, where column `k` is the `out.len()` values starting at
/// `columns[k * stride]`. Every entry is `((0 + v[0] c_0) + v[1] c_1) + ...`, in the order
/// `k = 0, 1, ...`. (Keeping blocks of 32 rows in registers across all columns instead was
/// measured 25 % slower.)
#[inline(always)]
fn matvec(out: &mut [f64], columns: &[f64], stride: usize, v: &[f64]) {
    out.fill(0.0);
    let n = out.len();
    let column = |k: usize| &columns[k * stride..k * stride + n];
    // Four columns per pass over `out`: one load and store of `out` for four multiply-adds.
    let quads = v.len() / 4;
    for quad in 0..quads {
        let k = 4 * quad;
        let (c0, c1, c2, c3) = (column(k), column(k + 1), column(k + 2), column(k + 3));
        let scale = &v[k..k + 4];
        for (i, out) in out.iter_mut().enumerate() {
            *out = (((*out + scale[0] * c0[i]) + scale[1] * c1[i]) + scale[2] * c2[i])
                + scale[3] * c3[i];
        }
    }
    for (k, &scale) in v.iter().enumerate().skip(4 * quads) {
        for (out, &x) in out.iter_mut().zip(column(k)) {
            *out += scale * x;
        }
    }
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
    #[cfg(target_arch = "x86_64")]
    if narrow::applies(m, n, op_a, op_b, alpha) && Level::current().avx512().is_some() {
        // SAFETY: the AVX-512 token exists, so the CPU supports AVX-512F.
        unsafe { narrow::dz_xt(dst, a, b, beta, threads) };
        return Ok(());
    }
    let (lhs, rhs) = (strided(a, op_a), strided(b, op_b));
    let work = m.saturating_mul(n).saturating_mul(k);
    let parts = if work >= PARALLEL_THRESHOLD && n >= SPLIT_PARTS { SPLIT_PARTS } else { 1 };
    let block = n.div_ceil(parts);

    // Each block owns a disjoint range of dst's columns: column-major storage makes each range
    // one contiguous slice (and no Vec is built: a training loop calls this every iteration).
    let mut blocks =
        dst.as_mut_slice().chunks_mut(block * m).enumerate().map(|(i, c)| (i * block, c));
    let run = |(first, out): (usize, &mut [f64])| {
        let columns = first..first + out.len() / m;
        let (rows, depth) = (m, k);
        let lower = false;
        Level::current().run(Product {
            a: lhs,
            b: rhs,
            rows,
            depth,
            columns,
            out,
            alpha,
            beta,
            lower,
        });
    };
    if parts > 1 && threads > 1 {
        // A training loop calls this twice an iteration: the persistent helper of pair::join
        // instead of a new thread per call (40 µs each, 8 % of a direct hw3 run).
        let (first, second) = (blocks.next(), blocks.next());
        crate::pair::join(|| first.map(run), || second.map(run));
        blocks.for_each(run);
    } else {
        blocks.for_each(run);
    }
    Ok(())
}

/// The first layer's weight gradient `dW = beta dZ X^T` for a narrow layer (at most
/// [`narrow::MAX_ROWS`] units, as the two-layer network's 7) over many features, with AVX-512:
/// measured 3.3x faster than faer's product on the cat pictures (`docs/reference/performance.md`).
///
/// Each entry `dW[r, i]` is one chain of fused multiply-adds over the examples `j = 0, 1, ...`
/// (`X[i, j] dZ[r, j]`), then scaled by `beta`: vector lanes, tiles and the two fixed halves of
/// the features only decide which entries are computed together, never how one is summed, so
/// the bits are the same on one thread or two and in the scalar tail.
#[cfg(target_arch = "x86_64")]
mod narrow {
    use super::Op;
    use nalgebra::DMatrix;
    use std::arch::x86_64::*;

    /// Rows of `dZ` up to which this kernel is used (one row of accumulators each).
    pub(super) const MAX_ROWS: usize = 8;

    /// Features per tile: three vectors of eight, so that `3 * rows` sums stay in registers.
    const TILE: usize = 24;

    /// Below this many features the general product is as fast.
    const MIN_FEATURES: usize = 1024;

    /// Whether `dst (m, n) = beta op(a) op(b)` is `dZ X^T` of a narrow layer.
    pub(super) fn applies(m: usize, n: usize, op_a: Op, op_b: Op, alpha: f64) -> bool {
        op_a == Op::N && op_b == Op::T && alpha == 0.0 && m <= MAX_ROWS && n >= MIN_FEATURES
    }

    /// `dst = beta dz x^T`, `dz` `(rows, m)`, `x` `(n, m)`, the features cut into two fixed
    /// halves (on two threads when `threads > 1`).
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn dz_xt(
        dst: &mut DMatrix<f64>,
        dz: &DMatrix<f64>,
        x: &DMatrix<f64>,
        beta: f64,
        threads: usize,
    ) {
        let rows = dz.nrows();
        let n = x.nrows();
        let threads = if rows * n * dz.ncols() >= super::PARALLEL_THRESHOLD { threads } else { 1 };
        let mid = (n / 2).div_ceil(TILE) * TILE;
        let (first, second) = dst.as_mut_slice().split_at_mut(mid * rows);
        let (dz, x) = (dz.as_slice(), x.as_slice());
        // SAFETY: the caller checked AVX-512F, which `features` needs.
        let mut low = move || unsafe { features(first, dz, x, rows, n, 0..mid, beta) };
        // SAFETY: as for `low`.
        let mut high = move || unsafe { features(second, dz, x, rows, n, mid..n, beta) };
        if threads > 1 {
            crate::pair::join(low, high);
        } else {
            low();
            high();
        }
    }

    /// Columns `range` of `dW` (`out` holds exactly those columns).
    #[target_feature(enable = "avx512f")]
    unsafe fn features(
        out: &mut [f64],
        dz: &[f64],
        x: &[f64],
        rows: usize,
        n: usize,
        range: std::ops::Range<usize>,
        beta: f64,
    ) {
        let mut i = range.start;
        while i + TILE <= range.end {
            let tile_out = &mut out[(i - range.start) * rows..(i - range.start + TILE) * rows];
            // SAFETY: AVX-512F (checked by the caller); i + TILE <= n.
            unsafe {
                match rows {
                    1 => tile::<1>(tile_out, dz, x, n, i, beta),
                    2 => tile::<2>(tile_out, dz, x, n, i, beta),
                    3 => tile::<3>(tile_out, dz, x, n, i, beta),
                    4 => tile::<4>(tile_out, dz, x, n, i, beta),
                    5 => tile::<5>(tile_out, dz, x, n, i, beta),
                    6 => tile::<6>(tile_out, dz, x, n, i, beta),
                    7 => tile::<7>(tile_out, dz, x, n, i, beta),
                    _ => tile::<8>(tile_out, dz, x, n, i, beta),
                }
            }
            i += TILE;
        }
        // The last features one at a time: the same chain of fused multiply-adds per entry.
        let m = dz.len() / rows.max(1);
        for feature in i..range.end {
            for r in 0..rows {
                let sum = (0..m)
                    .fold(0.0, |sum: f64, j| x[j * n + feature].mul_add(dz[j * rows + r], sum));
                out[(feature - range.start) * rows + r] = sum * beta;
            }
        }
    }

    /// Features `first .. first + TILE` for all `R` rows of `dZ`, written into `out` (those
    /// columns of `dW`, column-major).
    #[target_feature(enable = "avx512f")]
    unsafe fn tile<const R: usize>(
        out: &mut [f64],
        dz: &[f64],
        x: &[f64],
        n: usize,
        first: usize,
        beta: f64,
    ) {
        let m = dz.len() / R;
        let mut acc = [[_mm512_setzero_pd(); 3]; R];
        for j in 0..m {
            // SAFETY: first + TILE <= n, so the 24 values of column j are inside x; j < m.
            unsafe {
                let column = x.as_ptr().add(j * n + first);
                let xv = [
                    _mm512_loadu_pd(column),
                    _mm512_loadu_pd(column.add(8)),
                    _mm512_loadu_pd(column.add(16)),
                ];
                for (r, acc_r) in acc.iter_mut().enumerate() {
                    let d = _mm512_set1_pd(*dz.get_unchecked(j * R + r));
                    for (sum, &xv) in acc_r.iter_mut().zip(&xv) {
                        *sum = _mm512_fmadd_pd(xv, d, *sum);
                    }
                }
            }
        }
        // dW is column-major (rows x features): entry (r, f) at f * R + r, so the sums of one
        // row are spread R apart; go through a small buffer.
        let scale = _mm512_set1_pd(beta);
        let mut sums = [[0.0f64; TILE]; R];
        for (row, acc_r) in sums.iter_mut().zip(&acc) {
            for (v, &sum) in acc_r.iter().enumerate() {
                // SAFETY: row has TILE = 24 entries, 8 per vector.
                unsafe { _mm512_storeu_pd(row.as_mut_ptr().add(8 * v), _mm512_mul_pd(sum, scale)) };
            }
        }
        for (f, column) in out.chunks_exact_mut(R).enumerate() {
            for (r, entry) in column.iter_mut().enumerate() {
                *entry = sums[r][f];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linalg_nn::rng::NumpyRng;

    #[test]
    fn narrow_weight_gradient_gives_the_same_bits_on_one_thread_or_two() {
        // Features not a multiple of the 24-feature tiles (a scalar tail in each half), every
        // narrow width, enough examples for two threads even with one row (over 2 million
        // multiply-adds); checked against nalgebra and, entry by entry, against the plain chain
        // of fused multiply-adds each entry is defined as.
        let mut rng = NumpyRng::new(12);
        let (n, m) = (2 * 1031 + 5, 1000);
        assert!(n * m >= PARALLEL_THRESHOLD);
        let x = rng.randn(n, m);
        for rows in 1..=8 {
            let dz = rng.randn(rows, m);
            let mut one = DMatrix::from_element(rows, n, f64::NAN);
            let mut two = DMatrix::from_element(rows, n, f64::NAN);
            gemm_on_threads(&mut one, 0.0, &dz, Op::N, &x, Op::T, 0.25, 1).unwrap();
            gemm_on_threads(&mut two, 0.0, &dz, Op::N, &x, Op::T, 0.25, 2).unwrap();
            assert_eq!(one, two, "rows {rows}");
            let expected = &dz * x.transpose() * 0.25;
            assert!((&one - &expected).abs().max() < 1e-12, "rows {rows}");
            // Every entry is that chain, on the narrow kernel and on the general product.
            for (r, i) in [(0, 0), (rows - 1, 1040), (rows / 2, n - 1)] {
                let chain = (0..m).fold(0.0, |sum: f64, j| x[(i, j)].mul_add(dz[(r, j)], sum));
                assert_eq!(one[(r, i)], chain * 0.25, "rows {rows}, entry ({r}, {i})");
            }
        }
    }

    /// Every entry of a product is `fold(0, |s, k| fma(a[i, k], b[k, j], s))`, finished with
    /// `beta` (and `alpha`), at every level: shapes with partial vectors, panels and tiles.
    #[test]
    fn every_entry_is_one_chain_of_fused_multiply_adds_at_every_level() {
        let mut rng = NumpyRng::new(21);
        for (rows, depth, columns) in
            [(1, 5, 209), (7, 209, 13), (9, 20, 29), (20, 3, 7), (37, 0, 3)]
        {
            for (op_a, op_b) in [(Op::N, Op::N), (Op::T, Op::N), (Op::N, Op::T), (Op::T, Op::T)] {
                let a = rng.randn(rows, depth);
                let b = rng.randn(depth, columns);
                let stored =
                    |m: &DMatrix<f64>, op| if op == Op::T { m.transpose() } else { m.clone() };
                let (a_stored, b_stored) = (stored(&a, op_a), stored(&b, op_b));
                let old = rng.randn(rows, columns);
                for (alpha, beta) in [(0.0, 1.0), (0.0, -0.3), (1.0, -0.7), (0.5, 2.0)] {
                    let chain = |i: usize, j: usize| {
                        (0..depth).fold(0.0, |s: f64, k| a[(i, k)].mul_add(b[(k, j)], s))
                    };
                    let expected = DMatrix::from_fn(rows, columns, |i, j| match alpha {
                        0.0 => chain(i, j) * beta,
                        1.0 => chain(i, j).mul_add(beta, old[(i, j)]),
                        _ => chain(i, j).mul_add(beta, alpha * old[(i, j)]),
                    });
                    for level in Level::available() {
                        let mut out = old.clone();
                        level.run(Product {
                            a: strided(&a_stored, op_a),
                            b: strided(&b_stored, op_b),
                            rows,
                            depth,
                            columns: 0..columns,
                            out: out.as_mut_slice(),
                            alpha,
                            beta,
                            lower: false,
                        });
                        let case =
                            format!("{rows}x{depth}x{columns} {op_a:?}{op_b:?} {alpha} {beta}");
                        assert_eq!(out, expected, "{case} at {level:?}");
                    }
                    let mut dispatched = old.clone();
                    gemm_into(&mut dispatched, alpha, &a_stored, op_a, &b_stored, op_b, beta)
                        .unwrap();
                    assert_eq!(dispatched, expected, "{rows}x{depth}x{columns} {op_a:?}{op_b:?}");
                }
            }
        }
    }

    #[test]
    fn gram_entries_are_chains_at_every_level() {
        let mut rng = NumpyRng::new(22);
        let x = rng.randn(300, 23);
        let chain =
            |i: usize, j: usize| (0..300).fold(0.0, |s: f64, k| x[(k, i)].mul_add(x[(k, j)], s));
        let mut g = DMatrix::from_element(23, 23, f64::NAN);
        gram_into(&mut g, &x).unwrap();
        assert_eq!(g, DMatrix::from_fn(23, 23, |i, j| chain(i.max(j), i.min(j))));
    }

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
    fn gram_is_symmetric_and_does_not_depend_on_the_number_of_threads() {
        // 3000 x 209 is large enough for the two-part cut (209 columns as on the cat pictures).
        let mut rng = NumpyRng::new(5);
        let x = rng.randn(3000, 209);
        let mut one = DMatrix::zeros(209, 209);
        let mut two = DMatrix::from_element(209, 209, f64::NAN);
        gram_on_threads(&mut one, &x, 1).unwrap();
        gram_on_threads(&mut two, &x, 2).unwrap();
        assert_eq!(one, two);
        assert_eq!(one, one.transpose());
        let expected = x.transpose() * &x;
        assert!((&one - &expected).abs().max() < 1e-10 * expected.abs().max());
        // Small inputs take the one-part path; an empty set has an empty Gram matrix.
        let small = rng.randn(4, 3);
        let mut g = DMatrix::zeros(3, 3);
        gram_into(&mut g, &small).unwrap();
        assert!((&g - small.transpose() * &small).abs().max() < 1e-13);
        gram_into(&mut DMatrix::zeros(0, 0), &DMatrix::zeros(5, 0)).unwrap();
        assert!(gram_into(&mut DMatrix::zeros(2, 3), &small).is_err());
    }

    #[test]
    fn matvec_gives_the_same_bits_at_every_vector_width() {
        // 209 columns: 52 groups of four and a remainder of one, as on the cat pictures.
        let mut rng = NumpyRng::new(8);
        let g = rng.randn(209, 209);
        let v = rng.randn(209, 1);
        let mut dispatched = vec![f64::NAN; 209];
        let mut portable = vec![f64::NAN; 209];
        matvec_into(&mut dispatched, &g, v.as_slice()).unwrap();
        matvec(&mut portable, g.as_slice(), 209, v.as_slice());
        assert_eq!(dispatched, portable);
        for level in Level::available() {
            let mut out = vec![f64::NAN; 209];
            level.run(Matvec {
                out: &mut out,
                columns: g.as_slice(),
                stride: 209,
                v: v.as_slice(),
            });
            assert_eq!(out, portable, "{level:?}");
        }
        // No sum is reassociated: each entry is the plain left-to-right sum.
        let plain: Vec<f64> =
            (0..209).map(|i| (0..209).fold(0.0, |sum, k| sum + v[k] * g[(i, k)])).collect();
        assert_eq!(dispatched, plain);
        // Any range of rows, on its own, gives those rows' bits.
        for rows in [0..105, 105..209, 3..4, 7..7] {
            let mut part = vec![f64::NAN; rows.len()];
            matvec_rows_into(&mut part, &g, rows.clone(), v.as_slice()).unwrap();
            assert_eq!(part, dispatched[rows]);
        }
        let expected = &g * &v;
        let max_error =
            dispatched.iter().zip(expected.iter()).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(max_error < 1e-12, "{max_error}");
        assert!(matvec_into(&mut [0.0; 3], &g, v.as_slice()).is_err());
        let mut empty: [f64; 0] = [];
        matvec_into(&mut empty, &DMatrix::zeros(0, 2), &[1.0, 2.0]).unwrap();
    }

    #[test]
    fn byte_gram_is_exact() {
        // 3000 rows (a partial last block) of bytes, 209 columns: two threads, and the largest
        // possible sums (all 255) in one column.
        let mut rng = NumpyRng::new(6);
        let (rows, m) = (3000, 209);
        let mut bytes: Vec<u8> = rng.rand(rows, m).iter().map(|v| (v * 256.0) as u8).collect();
        bytes[..rows].fill(255);
        let mut g = DMatrix::from_element(m, m, f64::NAN);
        byte_gram_into(&mut g, &bytes, rows).unwrap();
        for i in [0, 1, 100, 208] {
            for j in [0, 5, 208] {
                let exact: u64 = (0..rows)
                    .map(|r| u64::from(bytes[i * rows + r]) * u64::from(bytes[j * rows + r]))
                    .sum();
                assert_eq!(g[(i, j)], exact as f64, "({i}, {j})");
            }
        }
        assert_eq!(g[(0, 0)], (rows * 255 * 255) as f64);
        assert_eq!(g, g.transpose());
        assert!(byte_gram_into(&mut g, &bytes[1..], rows).is_err());
        assert!(byte_gram_into(&mut DMatrix::zeros(3, 3), &bytes, rows).is_err());
    }

    #[test]
    fn byte_gram_gives_the_same_bits_on_every_path() {
        // Odd sizes: rows not a multiple of 64 (a masked last chunk) nor of 256 (a partial
        // block), m not a multiple of the 4-column tiles; a column of 255s and one of 0s.
        let mut rng = NumpyRng::new(9);
        for (rows, m) in [(1, 1), (63, 2), (1000, 13), (12288, 9)] {
            let mut bytes: Vec<u8> = rng.rand(rows, m).iter().map(|v| (v * 256.0) as u8).collect();
            bytes[..rows].fill(255);
            if m > 1 {
                bytes[rows..2 * rows].fill(0);
            }
            let mut dispatched = DMatrix::from_element(m, m, f64::NAN);
            byte_gram_into(&mut dispatched, &bytes, rows).unwrap();
            let mut blocks = DMatrix::zeros(m, m);
            byte_gram_floats(&mut blocks, &bytes, rows, 2);
            assert_eq!(dispatched, blocks, "rows {rows}, m {m}");
            let exact = |i: usize, j: usize| -> f64 {
                let column = |c: usize| &bytes[c * rows..(c + 1) * rows];
                column(i)
                    .iter()
                    .zip(column(j))
                    .map(|(&a, &b)| u64::from(a) * u64::from(b))
                    .sum::<u64>() as f64
            };
            assert_eq!(dispatched[(m - 1, 0)], exact(m - 1, 0), "rows {rows}, m {m}");
            assert_eq!(dispatched[(0, 0)], (rows * 255 * 255) as f64);
        }
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
