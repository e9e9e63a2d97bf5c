//! The vector kernels of [`super`] for a network of fixed sizes `[N0, N1, N2, 1]`: one pass
//! over the examples for the forward propagation and the per-example part of the backward
//! propagation (`dz3`, `dz2`, `dz1`, and the bias sums when a part is one pairwise block), then
//! one pass for the weight gradients' sums over the examples, then for larger parts the bias
//! sums in numpy's pairwise order. Each is written once over
//! [`Lanes`], so it runs with AVX-512, AVX2 or one lane, with the same operations and so the
//! same bits.
//!
//! Every value is the plain code's (`linalg_nn::three_layer`, `linalg_nn::numpy`) operation for
//! operation, with no fused multiply-add:
//!
//! - the products `W A` are summed over the shared index in ascending order, starting from the
//!   first product (`np.dot`), then the bias is added; here the lanes are `LANES` examples
//!   (columns), so each lane is one entry's sum, in the plain order;
//! - the gradients `dZ A^T` are summed over each part's examples in ascending order from `0.0`
//!   (each half of `dot_transposed_in_halves`); here the lanes are output entries (units of
//!   `dZ` or, for `dW2`, of `A`), one example after the other, so again each lane is one
//!   entry's sum, in the plain order;
//! - the masks are `d * (1.0 or 0.0)`, as the plain code multiplies (a NaN or infinite `d`
//!   times `0.0` is NaN, `-d * 0.0` is `-0.0`), and `relu(z)` is `z > 0 ? z : 0`.

// Loops index several fixed-size arrays with the same index (the rows of a layer); written that
// way they say what the matrix expressions say and unroll fully.
#![allow(clippy::needless_range_loop)]

use crate::aligned::AlignedVec;
use crate::lanes::{Kernel, Lanes, Level};
use crate::vector_exp::exp_lanes;
use linalg_nn::numpy::{pairwise_half, sigmoid};

/// The parameters of a network `[N0, N1, N2, 1]` as fixed-size arrays, row by row (`w1[i][k]`
/// is `W1[i, k]`).
#[derive(Clone, Copy, Debug)]
pub(super) struct Fixed<const N0: usize, const N1: usize, const N2: usize> {
    pub w1: [[f64; N0]; N1],
    pub b1: [f64; N1],
    pub w2: [[f64; N1]; N2],
    pub b2: [f64; N2],
    pub w3: [f64; N2],
    pub b3: f64,
}

/// The per-example values of a step, laid out for the two passes. "Rows" hold one unit per
/// row, the examples side by side (`rows[i * stride + j]`); "columns" hold one example per
/// column, the units side by side (`cols[j * COLS + i]`, padded with zeros to `COLS`). Every
/// buffer starts on a cache line ([`AlignedVec`]) and the stride and the columns' width are
/// multiples of eight values, so each vector of eight the forward kernel stores in a row or a
/// column is one whole line.
#[derive(Clone, Debug, Default)]
pub(super) struct Buffers {
    /// `X`, `(n0, stride)` rows.
    pub x: AlignedVec,
    /// `Y`, one row.
    pub y: AlignedVec,
    /// `a1 = relu(z1)`, rows.
    pub a1: AlignedVec,
    /// `a3 = sigmoid(z3)`, one row.
    pub a3: AlignedVec,
    /// `a2 = relu(z2)`, rows.
    pub a2: AlignedVec,
    /// `dz3`, one row.
    pub dz3: AlignedVec,
    /// `dz2`, rows.
    pub dz2: AlignedVec,
    /// numpy's eight running sums of each row of `dz1`, `dz2` and `dz3` (`8 (n1 + n2 + 1)`
    /// values), for a part whose bias sums the forward kernel makes itself ([`bias_in_kernel`]).
    pub bias_lanes: AlignedVec,
    /// `dz1`, then `a1` or `dz2` ([`a1_columns`]), then `a2` of each example one after the
    /// other in one column ([`column_width`] values).
    pub columns: AlignedVec,
}

/// The width of a column of `dz1` (`n1` values), `middle` values (`a1` or `dz2`) and `a2` (`n2`
/// values): a multiple of the widest vector (eight lanes), with room for the vectors the second
/// pass reads from each part (its last vector runs on past the part). Every column's lines are
/// written and read at every step, so no wider.
pub(super) const fn column_width(n1: usize, middle: usize, n2: usize) -> usize {
    let rows = (n1 + middle + n2).div_ceil(8) * 8;
    let middle_end = n1 + middle.div_ceil(8) * 8;
    let a2_end = n1 + middle + n2.div_ceil(8) * 8;
    let widest = if middle_end > a2_end { middle_end } else { a2_end };
    (if widest > rows { widest } else { rows }).div_ceil(8) * 8
}

/// [`column_width`] of a network `[N0, N1, N2, 1]` at `lanes` lanes ([`a1_columns`]).
pub(super) const fn width_of<const N1: usize, const N2: usize>(lanes: usize) -> usize {
    if a1_columns(lanes, N1, N2) { column_width(N1, N1, N2) } else { column_width(N1, N2, N2) }
}

/// Whether the sums of `dW2 = dz2 a1^T` run with `a1`'s units in the lanes (each example's
/// column of `a1`, times `dz2`'s entries one at a time) rather than `dz2`'s (each example's
/// column of `dz2`, times `a1`'s entries one at a time), at `lanes` lanes: whichever takes fewer
/// vector operations per example, counting a multiply and an add per vector of sums and the
/// transposes that make the columns (`log2(lanes) + 1` operations per block of `lanes` rows,
/// per example). With `a1` in the lanes the columns hold `dz1`, `a1`, `a2`, else `dz1`, `dz2`,
/// `a2`. For `[2, 20, 3, 1]` at eight lanes: 9 vectors of sums per example instead of 20.
pub(super) const fn a1_columns(lanes: usize, n1: usize, n2: usize) -> bool {
    let transpose = lanes.trailing_zeros() as usize + 1;
    let dz2_lanes = 2 * n2.div_ceil(lanes) * n1 + (n1 + 2 * n2).div_ceil(lanes) * transpose;
    let a1_lanes = 2 * n1.div_ceil(lanes) * n2 + (2 * n1 + n2).div_ceil(lanes) * transpose;
    // Sums keeps dW2's sums as N1 arrays of MAX_WIDTH: with a1 in the lanes, one per unit of
    // layer 2.
    a1_lanes < dz2_lanes && n2 <= n1 && n1.div_ceil(lanes) * lanes <= MAX_WIDTH
}

impl Buffers {
    /// Room for `stride` examples (a multiple of 8) of a network `[n0, n1, n2, 1]`.
    pub fn new([n0, n1, n2]: [usize; 3], stride: usize) -> Self {
        let zeros = AlignedVec::zeros;
        Buffers {
            x: zeros(n0 * stride),
            y: zeros(stride),
            a1: zeros(n1 * stride),
            a3: zeros(stride),
            a2: zeros(n2 * stride),
            dz3: zeros(stride),
            dz2: zeros(n2 * stride),
            bias_lanes: zeros(8 * (n1 + n2 + 1)),
            columns: zeros(column_width(n1, n1.max(n2), n2) * stride),
        }
    }
}

/// The weight gradients' sums over a batch's examples, entry by entry (row `i` of `dW1`'s
/// column `k` at `dw1[k][i]`, and so on; entries past the layer's size are padding).
#[derive(Clone, Copy, Debug)]
pub(super) struct Sums<const N0: usize, const N1: usize> {
    /// `dz2 a1^T`: entry `(i, k)` at `dw2[i][k]` if the kernels ran with `a1`'s units in the
    /// lanes ([`a1_columns`], `a1_columns` below), else at `dw2[k][i]`.
    pub dw2: [[f64; MAX_WIDTH]; N1],
    /// `dz1 X^T`, column `k` of `X`'s rows.
    pub dw1: [[f64; MAX_WIDTH]; N0],
    /// `dz3 a2^T`.
    pub dw3: [f64; MAX_WIDTH],
    /// How `dw2` is laid out: set by the kernel that wrote the sums.
    pub a1_columns: bool,
}

/// The widest padded column the fixed-size kernels take (layers of up to 32 units).
pub(super) const MAX_WIDTH: usize = 32;

/// Room for the bias sums of the largest network the kernels take (`n1 + n2 + 1` values).
const MAX_BIAS: usize = 2 * MAX_WIDTH + 1;

impl<const N0: usize, const N1: usize> Sums<N0, N1> {
    /// Every sum at `0.0`, where `dot_transposed_in_halves` starts each half.
    pub const ZERO: Self = Sums {
        dw2: [[0.0; MAX_WIDTH]; N1],
        dw1: [[0.0; MAX_WIDTH]; N0],
        dw3: [0.0; MAX_WIDTH],
        a1_columns: false,
    };

    /// The sum of entry `(i, k)` of `dW2`.
    pub fn dw2_at(&self, i: usize, k: usize) -> f64 {
        if self.a1_columns { self.dw2[i][k] } else { self.dw2[k][i] }
    }

    /// These sums, of the second half of the examples, become `first + these` entry by entry
    /// (`first` made by the same kernels, so laid out alike): `dot_transposed_in_halves`' two
    /// halves added last, in its order (`first + x`, not `x + first`: of two NaNs, x86 keeps
    /// the first operand's, so the order shows in the bits of a diverging step).
    #[allow(clippy::assign_op_pattern)]
    pub fn add_first_half<const N2: usize>(&mut self, first: &Self) {
        debug_assert_eq!(self.a1_columns, first.a1_columns);
        for i in 0..N2 {
            for k in 0..N1 {
                let (r, c) = if self.a1_columns { (i, k) } else { (k, i) };
                self.dw2[r][c] = first.dw2[r][c] + self.dw2[r][c];
            }
        }
        for (column, first) in self.dw1.iter_mut().zip(&first.dw1) {
            for (entry, first) in column[..N1].iter_mut().zip(first) {
                *entry = *first + *entry;
            }
        }
        for (entry, first) in self.dw3[..N2].iter_mut().zip(first.dw3) {
            *entry = first + *entry;
        }
    }

    /// The sums as the column-major gradients `dW1 (N1, N0)`, `dW2 (N2, N1)`, `dW3 (1, N2)`.
    pub fn write<const N2: usize>(&self, dw1: &mut [f64], dw2: &mut [f64], dw3: &mut [f64]) {
        for (k, column) in dw2.chunks_exact_mut(N2).enumerate() {
            for (i, entry) in column.iter_mut().enumerate() {
                *entry = self.dw2_at(i, k);
            }
        }
        for (k, column) in self.dw1.iter().enumerate() {
            dw1[k * N1..(k + 1) * N1].copy_from_slice(&column[..N1]);
        }
        dw3[..N2].copy_from_slice(&self.dw3[..N2]);
    }
}

/// The forward propagation and the per-example part of the backward propagation over the
/// first `end` examples of `bufs` ([`per_example`]); `inv_m` is `1/m` of the whole batch.
pub(super) struct Forward<'a, const N0: usize, const N1: usize, const N2: usize> {
    pub parameters: &'a Fixed<N0, N1, N2>,
    pub bufs: &'a mut Buffers,
    pub stride: usize,
    pub end: usize,
    pub inv_m: f64,
    /// `reg_utils`' dropout masks, if any ([`Dropout`]).
    pub dropout: Option<Dropout<'a>>,
    /// numpy's pairwise sums of each row of `dz1`, `dz2` and `dz3` over the examples (`n1 + n2
    /// + 1` values), when the kernel makes them, as one of numpy's blocks ([`bias_in_kernel`];
    /// else [`pairwise_bias`] makes them after the kernel).
    pub bias: Option<&'a mut [f64]>,
}

/// Whether [`per_example`] sums the rows of `dz1`, `dz2` and `dz3` itself, as it makes them,
/// rather than leaving them to [`pairwise_bias`]: when numpy sums `m` values as one block of
/// eight running sums (8 to 128 values). (Storing `dz1`'s rows for a pass after the kernel
/// cost about a fifth of a step of the regularization notebook's network; that pass reads
/// `dz1` from the columns instead.)
pub(super) const fn bias_in_kernel(m: usize) -> bool {
    8 <= m && m <= 128
}

/// `reg_utils`' dropout with fixed masks: `D1`, `D2` as rows of `0.0` / `1.0` (the layout of
/// [`Buffers`]' rows), and `keep_prob`. `a1 = relu(z1) * D1 / keep_prob` forward,
/// `da1 = (W2^T dz2) * D1 / keep_prob` backward, and the same for layer 2.
#[derive(Clone, Copy, Debug)]
pub(super) struct Dropout<'a> {
    pub d1: &'a [f64],
    pub d2: &'a [f64],
    pub keep_prob: f64,
}

/// `v * d / keep_prob` (the notebook's `A = A * D; A = A / keep_prob`), `d` the mask's lanes at
/// the start of `mask`.
#[inline(always)]
fn masked<L: Lanes>(l: L, v: L::F, mask: &[f64], keep_prob: L::F) -> L::F {
    l.div(l.mul(v, l.load(mask)), keep_prob)
}

impl<const N0: usize, const N1: usize, const N2: usize> Kernel for Forward<'_, N0, N1, N2> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(self, l: L) {
        // Two calls, so that each inlined copy knows whether it masks (no test per block).
        match self.dropout {
            None => per_example(l, Forward { dropout: None, ..self }),
            Some(d) => per_example(l, Forward { dropout: Some(d), ..self }),
        }
    }
}

/// The weight gradients' sums over the first `end` examples of `bufs`, from `0.0`
/// ([`weight_gradients`]).
pub(super) struct Chains<'a, const N0: usize, const N1: usize, const N2: usize> {
    pub bufs: &'a Buffers,
    pub stride: usize,
    pub end: usize,
    pub sums: &'a mut Sums<N0, N1>,
}

impl<const N0: usize, const N1: usize, const N2: usize> Kernel for Chains<'_, N0, N1, N2> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(self, l: L) {
        let Chains { bufs, stride, end, sums } = self;
        weight_gradients::<L, N0, N1, N2>(l, bufs, stride, end, sums);
    }
}

/// `init_utils.relu`: `z > 0 ? z : 0` (NaN and `-0.0` give `0.0`), x86's `max(z, 0)`.
#[inline(always)]
fn relu<L: Lanes>(l: L, z: L::F) -> L::F {
    l.max(z, l.splat(0.0))
}

/// One unit of a ReLU layer for a block of examples, `relu(w[0] a[0] + w[1] a[1] + ... + b)`:
/// the products added in order from the first (`np.dot`), then the bias.
#[inline(always)]
fn relu_unit<L: Lanes>(l: L, w: &[f64], a: &[L::F], b: f64) -> L::F {
    let mut z = l.mul(l.splat(w[0]), a[0]);
    for k in 1..w.len() {
        z = l.add(z, l.mul(l.splat(w[k]), a[k]));
    }
    relu(l, l.add(z, l.splat(b)))
}

/// The backward pass's `(a > 0)` as the factor it multiplies by: 1.0 or 0.0.
#[inline(always)]
fn positive<L: Lanes>(l: L, a: L::F) -> L::F {
    l.select(l.lt(l.splat(0.0), a), l.splat(1.0), l.splat(0.0))
}

/// [`linalg_nn::numpy::sigmoid`] of lanes, `1 / (1 + e^{-z})`: its operations, so its bits
/// (lanes beyond the vector exponential's range take the scalar function).
#[inline(always)]
fn sigmoid_lanes<L: Lanes>(l: L, z: L::F) -> L::F {
    let minus_z = l.xor(z, l.splat(-0.0));
    let (e, in_range) = exp_lanes(l, minus_z);
    let a = l.div(l.splat(1.0), l.add(l.splat(1.0), e));
    let all = if L::LANES >= 32 { u32::MAX } else { (1u32 << L::LANES) - 1 };
    if in_range == all {
        return a;
    }
    let (mut zs, mut out) = ([0.0; 8], [0.0; 8]);
    l.store(&mut zs, z);
    l.store(&mut out, a);
    for lane in 0..L::LANES {
        if in_range & (1 << lane) == 0 {
            out[lane] = sigmoid(zs[lane]);
        }
    }
    l.load(&out)
}

/// How many examples [`per_example`] takes through its loops at a time (four blocks of eight).
pub(super) const TILE: usize = 32;

/// The first pass, `LANES` examples at a time: the forward propagation
///
/// ```text
/// z1 = W1 X + b1, a1 = relu(z1), z2 = W2 a1 + b2, a2 = relu(z2), z3 = W3 a2 + b3,
/// a3 = sigmoid(z3)
/// ```
///
/// and the per-example part of the backward propagation,
///
/// ```text
/// dz3 = (1/m)(a3 - Y), dz2 = (W3^T dz3) * (a2 > 0), dz1 = (W2^T dz2) * (a1 > 0),
/// ```
///
/// into the rows of `a3`, `dz3`, `dz2` and the columns the second pass reads. (`a3` holds `z3`
/// between the first two loops.) `reg_utils` passes `inv_m = 1` (its `dz3 = a3 - Y`: times one
/// is exact) and, for dropout, the masks: `a1`, `a2` and `W3^T dz3`, `W2^T dz2` are then
/// multiplied by their mask and divided by `keep_prob`.
///
/// The kernel is bound by what it stores more than by its arithmetic (on the test machine a
/// 512-bit store takes about two cycles, a multiply and an add together one), so no value goes
/// through memory that need not: layer 2's sums take each unit of layer 1 as it is made, and
/// `dz1` is made where its rows are transposed into columns rather than kept for all units
/// (more vectors than there are registers), its running sums kept in registers over a tile.
#[inline(always)]
fn per_example<L: Lanes, const N0: usize, const N1: usize, const N2: usize>(
    l: L,
    forward: Forward<'_, N0, N1, N2>,
) {
    let Forward { parameters: w, bufs, stride, end: m, inv_m, dropout, bias } = forward;
    let a1_in_lanes = a1_columns(L::LANES, N1, N2);
    // The running sums: lanes `b % 8 ..` of row k's eight take the block at example b (every
    // tile starts at a multiple of 8, so the lanes are numpy's). numpy starts them at the first
    // eight values; -0.0 + v is v, for every v. Only the examples before `whole`, in whole
    // blocks of eight, go into them.
    let bias_here = bias.is_some();
    let whole = if bias_here { m - m % 8 } else { 0 };
    let summed = |j: usize| j + L::LANES <= whole;
    let width = width_of::<N1, N2>(L::LANES);
    let middle = if a1_in_lanes { N1 } else { N2 };
    let stacked = N1 + middle + N2;
    // Row r's running sums at lanes `h LANES..` are `sums[r halves + h]` in the column loop.
    let halves = 8 / L::LANES;
    let Buffers { x, y, a1: a1_rows, a3, a2: a2_rows, dz3, dz2: dz2_rows, bias_lanes, columns } =
        bufs;
    if bias_here {
        bias_lanes.fill(-0.0);
    }
    let (db1_lanes, later_lanes) = bias_lanes.as_chunks_mut::<8>().0.split_at_mut(N1);
    let db1_lanes: &mut [[f64; 8]; N1] = db1_lanes.try_into().expect("8 running sums per unit");
    let (db2_lanes, db3_lanes) = later_lanes.split_at_mut(N2);
    let db3_lanes = &mut db3_lanes[0];
    let inv_m = l.splat(inv_m);
    let keep_prob = l.splat(dropout.map_or(1.0, |d| d.keep_prob));
    let zero = l.splat(0.0);
    let mut xs = [zero; N0];
    let mut a2 = [zero; N2];
    let mut dz2 = [zero; N2];
    for tile in (0..m).step_by(TILE) {
        let end = m.min(tile + TILE);
        // The tile's columns of every row, as arrays: indexed within a tile, no access needs a
        // bounds check of its own. What only the three loops read (`a2`, and `a1` unless the
        // second pass reads its rows) takes the first TILE columns of its rows, the same few
        // cache lines for every tile.
        let x_t = tile_rows::<N0>(x, stride, tile);
        let [y_t] = tile_rows::<1>(y, stride, tile);
        let [a3_t] = tile_rows_mut::<1>(a3, stride, tile);
        let [dz3_t] = tile_rows_mut::<1>(dz3, stride, tile);
        let a1_t = tile_rows_mut::<N1>(a1_rows, stride, if a1_in_lanes { 0 } else { tile });
        let a2_t = tile_rows_mut::<N2>(a2_rows, stride, 0);
        let dz2_t = tile_rows_mut::<N2>(dz2_rows, stride, tile);
        let masks = dropout
            .map(|d| (tile_rows::<N1>(d.d1, stride, tile), tile_rows::<N2>(d.d2, stride, tile)));
        let columns_t = &mut columns[tile * width..(tile + TILE) * width];
        // Loops over the blocks of a tile one after the other rather than one loop, so that
        // the sigmoid's long chain of dependent operations (a table gather, a division)
        // overlaps across blocks instead of stalling each block's backward part. Plain loops
        // rather than closures: a closure is a function of its own, compiled without the
        // kernel's instruction set unless inlined. The blocks' arrays are made once, outside
        // the loops: made inside, each block would clear them in memory first.
        for t in (0..TILE).step_by(L::LANES) {
            if tile + t >= end {
                break;
            }
            for k in 0..N0 {
                xs[k] = l.load(&x_t[k][t..]);
            }
            // Layer 2's sums take each unit of layer 1 as it is made, in the order of their
            // products.
            let mut z2 = [zero; N2];
            for k in 0..N1 {
                let mut a1 = relu_unit(l, &w.w1[k], &xs, w.b1[k]);
                if let Some((d1, _)) = &masks {
                    a1 = masked(l, a1, &d1[k][t..], keep_prob);
                }
                l.store(&mut a1_t[k][t..], a1);
                for i in 0..N2 {
                    let product = l.mul(l.splat(w.w2[i][k]), a1);
                    z2[i] = if k == 0 { product } else { l.add(z2[i], product) };
                }
            }
            for i in 0..N2 {
                a2[i] = relu(l, l.add(z2[i], l.splat(w.b2[i])));
                if let Some((_, d2)) = &masks {
                    a2[i] = masked(l, a2[i], &d2[i][t..], keep_prob);
                }
                l.store(&mut a2_t[i][t..], a2[i]);
            }
            let mut z3 = l.mul(l.splat(w.w3[0]), a2[0]);
            for k in 1..N2 {
                z3 = l.add(z3, l.mul(l.splat(w.w3[k]), a2[k]));
            }
            // z3 for now; a3 below.
            l.store(&mut a3_t[t..], l.add(z3, l.splat(w.b3)));
        }
        for t in (0..TILE).step_by(L::LANES) {
            if tile + t >= end {
                break;
            }
            let out = sigmoid_lanes(l, l.load(&a3_t[t..]));
            l.store(&mut a3_t[t..], out);
            let dz3 = l.mul(l.sub(out, l.load(&y_t[t..])), inv_m);
            l.store(&mut dz3_t[t..], dz3);
            if bias_here && summed(tile + t) {
                let lanes = &mut db3_lanes[t % 8..];
                l.store(lanes, l.add(l.load(lanes), dz3));
            }
        }
        for t in (0..TILE).step_by(L::LANES) {
            if tile + t >= end {
                break;
            }
            let d3 = l.load(&dz3_t[t..]);
            // da2 = W3^T dz3 has one term per entry (W3 has one row): no sum.
            for i in 0..N2 {
                let mut da2 = l.mul(l.splat(w.w3[i]), d3);
                if let Some((_, d2)) = &masks {
                    da2 = masked(l, da2, &d2[i][t..], keep_prob);
                }
                let row = l.mul(da2, positive(l, l.load(&a2_t[i][t..])));
                l.store(&mut dz2_t[i][t..], row);
                if bias_here && summed(tile + t) {
                    let lanes = &mut db2_lanes[i][t % 8..];
                    l.store(lanes, l.add(l.load(lanes), row));
                }
            }
        }
        // The second pass reads dz1, a1 or dz2, and a2 one example at a time: the columns,
        // LANES stacked rows at a time transposed in registers, each row made where it is
        // needed (more vectors than there are registers to keep them all). (Past the last
        // example the columns receive the padding lanes' values, never read.) The rows
        // `first..first + LANES` of the block at `t`, dz2 its rows there, dz1's running sums
        // `sums` if they are kept:
        macro_rules! column_block {
            ($first:expr, $t:expr, $dz2:expr, $sums:expr) => {{
                let (first, t, dz2): (usize, usize, &[L::F; N2]) = ($first, $t, $dz2);
                let mut block = [zero; 8];
                let block = &mut block[..L::LANES];
                for (r, row) in block.iter_mut().enumerate() {
                    let s = first + r;
                    *row = if s < N1 {
                        // dz1 = (W2^T dz2) * (a1 > 0), the products added in order.
                        let k = s;
                        let mut d = l.mul(l.splat(w.w2[0][k]), dz2[0]);
                        for i in 1..N2 {
                            d = l.add(d, l.mul(l.splat(w.w2[i][k]), dz2[i]));
                        }
                        if let Some((d1, _)) = &masks {
                            d = masked(l, d, &d1[k][t..], keep_prob);
                        }
                        let dz1 = l.mul(d, positive(l, l.load(&a1_t[k][t..])));
                        if summed(tile + t) {
                            let sums: &mut [L::F; 8] = $sums;
                            let at = r * halves + (t % 8) / L::LANES;
                            sums[at] = l.add(sums[at], dz1);
                        }
                        dz1
                    } else if s < N1 + middle {
                        if a1_in_lanes { l.load(&a1_t[s - N1][t..]) } else { dz2[s - N1] }
                    } else if s < stacked {
                        l.load(&a2_t[s - N1 - middle][t..])
                    } else {
                        zero
                    };
                }
                l.transpose(block);
                let block_columns = &mut columns_t[t * width..(t + L::LANES) * width];
                for (j, column) in block.iter().enumerate() {
                    l.store(&mut block_columns[j * width + first..], *column);
                }
            }};
        }
        let blocks = (0..TILE).step_by(L::LANES).take_while(|&t| tile + t < end);
        if bias_here {
            // For each LANES rows the tile's blocks one after the other, so that dz1's running
            // sums stay in registers for the tile.
            for first in (0..stacked).step_by(L::LANES) {
                let mut sums = [zero; 8];
                let summed = first < N1;
                if summed {
                    for r in 0..L::LANES.min(N1 - first) {
                        for h in 0..halves {
                            sums[r * halves + h] = l.load(&db1_lanes[first + r][h * L::LANES..]);
                        }
                    }
                }
                for t in blocks.clone() {
                    for i in 0..N2 {
                        dz2[i] = l.load(&dz2_t[i][t..]);
                    }
                    column_block!(first, t, &dz2, &mut sums);
                }
                if summed {
                    for r in 0..L::LANES.min(N1 - first) {
                        for h in 0..halves {
                            l.store(
                                &mut db1_lanes[first + r][h * L::LANES..],
                                sums[r * halves + h],
                            );
                        }
                    }
                }
            }
        } else {
            // Block after block, dz2 loaded once per block (no sums).
            let mut unused = [zero; 8];
            for t in blocks {
                for i in 0..N2 {
                    dz2[i] = l.load(&dz2_t[i][t..]);
                }
                for first in (0..stacked).step_by(L::LANES) {
                    column_block!(first, t, &dz2, &mut unused);
                }
            }
        }
    }
    // numpy's pairwise end: the running sums as a tree, then the values past the last whole
    // eight one by one (dz1's from the columns, where it comes first; dz2's and dz3's from
    // their rows).
    let Some(bias) = bias else { return };
    let (db1, later) = bias.split_at_mut(N1);
    for (k, db1) in db1.iter_mut().enumerate() {
        let mut sum = lanes_tree(&db1_lanes[k]);
        for j in whole..m {
            sum += columns[j * width + k];
        }
        *db1 = sum;
    }
    let rows = (0..N2).map(|i| &dz2_rows[i * stride..]).chain([&dz3[..]]);
    let lanes = db2_lanes.iter().chain([&*db3_lanes]);
    for ((sum_out, row), lanes) in later.iter_mut().zip(rows).zip(lanes) {
        let mut sum = lanes_tree(lanes);
        for &v in &row[whole..m] {
            sum += v;
        }
        *sum_out = sum;
    }
}

/// Columns `at..at + TILE` of the first `N` rows of `rows` (rows of `stride` values, `at + TILE`
/// at most `stride`), as arrays.
#[inline(always)]
fn tile_rows<const N: usize>(rows: &[f64], stride: usize, at: usize) -> [&[f64; TILE]; N] {
    let mut rest = rows.get(at..).unwrap_or_default();
    std::array::from_fn(|_| {
        let (row, next) = rest.split_at(TILE);
        rest = next.get(stride - TILE..).unwrap_or_default();
        row.try_into().expect("TILE columns")
    })
}

/// [`tile_rows`], to write.
#[inline(always)]
fn tile_rows_mut<const N: usize>(
    rows: &mut [f64],
    stride: usize,
    at: usize,
) -> [&mut [f64; TILE]; N] {
    let mut rest = rows.get_mut(at..).unwrap_or_default();
    std::array::from_fn(|_| {
        let (row, next) = std::mem::take(&mut rest).split_at_mut(TILE);
        rest = next.get_mut(stride - TILE..).unwrap_or_default();
        row.try_into().expect("TILE columns")
    })
}

/// The second pass: `dW3 = dz3 a2^T`, `dW2 = dz2 a1^T`, `dW1 = dz1 X^T`, each entry the sum over
/// the examples in ascending order from `0.0` (each half of
/// `linalg_nn::numpy::dot_transposed_in_halves`), here over the first `m` examples of `bufs`,
/// into `sums`. The lanes are output entries, all `N1 N2 + N0 N1 + N2` sums side by side in
/// registers, one example after the other: for `dW1` the units of `dz1` (times each `X` entry), for `dW3` those of `a2` (times
/// `dz3`), for `dW2` those of `a1` (times each `dz2` entry) or of `dz2` (times each `a1` entry),
/// as [`a1_columns`] picks.
#[inline(always)]
fn weight_gradients<L: Lanes, const N0: usize, const N1: usize, const N2: usize>(
    l: L,
    bufs: &Buffers,
    stride: usize,
    m: usize,
    sums: &mut Sums<N0, N1>,
) {
    let narrow = l.narrow();
    let a1_in_lanes = a1_columns(L::LANES, N1, N2);
    // A column of N1 units (dz1's, a1's) is v1 wide vectors and, with tail1, one narrow one;
    // one of N2 (dz2's, a2's) v2 and tail2. Constants once the kernel is compiled for `L`.
    let (v1, tail1) = vectors_of::<L>(N1);
    let (v2, tail2) = vectors_of::<L>(N2);
    let (t1, t2) = (v1 * L::LANES, v2 * L::LANES);
    // With a1 in the lanes, dw2[i][v] is vector v of dW2's row i (its narrow tail at
    // dw2_tail[i]); else dw2[v][k] is vector v of its column k (dw2_tail[k]).
    let (outer, inner) = if a1_in_lanes { (N2, v1) } else { (v2, N1) };
    let (tails, tail_at) =
        if a1_in_lanes { (tail1.then_some(N2), t1) } else { (tail2.then_some(N1), t2) };
    let width = width_of::<N1, N2>(L::LANES);
    let (zero, narrow_zero) = (l.splat(0.0), narrow.splat(0.0));
    // Only the first `outer` x `inner` entries of dw2, v1 of dw1 and v2 of dw3 are used; each
    // is at most the array's size.
    let mut dw2 = [[zero; N1]; N2];
    let mut dw1 = [[zero; N0]; N1];
    let mut dw3 = [zero; N2];
    let mut dw2_tail = [narrow_zero; N1];
    let mut dw1_tail = [narrow_zero; N0];
    let mut dw3_tail = narrow_zero;
    // Where each vector of sums lives in `sums`.
    let dw2_at =
        |o: usize, v: usize| if a1_in_lanes { (o, v * L::LANES) } else { (v, o * L::LANES) };
    let mut a1: [&[f64]; N1] = [&[]; N1];
    for k in 0..N1 {
        a1[k] = &bufs.a1[k * stride..k * stride + m];
    }
    let mut dz2: [&[f64]; N2] = [&[]; N2];
    for i in 0..N2 {
        dz2[i] = &bufs.dz2[i * stride..i * stride + m];
    }
    let mut x: [&[f64]; N0] = [&[]; N0];
    for k in 0..N0 {
        x[k] = &bufs.x[k * stride..k * stride + m];
    }
    let dz3 = &bufs.dz3[..m];
    // Each column is dz1 (N1 values), then a1 (N1) or dz2 (N2), then a2 (N2); a vector read
    // from one runs on into what follows, lanes whose sums are never read.
    for (j, column) in bufs.columns.chunks_exact(width).enumerate().take(m) {
        let middle = &column[N1..];
        let a2 = &column[if a1_in_lanes { 2 * N1 } else { N1 + N2 }..];
        if a1_in_lanes {
            for v in 0..v1 {
                let a = l.load(&middle[v * L::LANES..]);
                for i in 0..N2 {
                    dw2[i][v] = l.add(dw2[i][v], l.mul(l.splat(dz2[i][j]), a));
                }
            }
            if tail1 {
                let a = narrow.load(&middle[t1..]);
                for i in 0..N2 {
                    dw2_tail[i] = narrow.add(dw2_tail[i], narrow.mul(narrow.splat(dz2[i][j]), a));
                }
            }
        } else {
            for v in 0..v2 {
                let d = l.load(&middle[v * L::LANES..]);
                for k in 0..N1 {
                    dw2[v][k] = l.add(dw2[v][k], l.mul(d, l.splat(a1[k][j])));
                }
            }
            if tail2 {
                let d = narrow.load(&middle[t2..]);
                for k in 0..N1 {
                    dw2_tail[k] = narrow.add(dw2_tail[k], narrow.mul(d, narrow.splat(a1[k][j])));
                }
            }
        }
        for v in 0..v2 {
            dw3[v] = l.add(dw3[v], l.mul(l.splat(dz3[j]), l.load(&a2[v * L::LANES..])));
        }
        if tail2 {
            dw3_tail =
                narrow.add(dw3_tail, narrow.mul(narrow.splat(dz3[j]), narrow.load(&a2[t2..])));
        }
        for v in 0..v1 {
            let d = l.load(&column[v * L::LANES..]);
            for k in 0..N0 {
                dw1[v][k] = l.add(dw1[v][k], l.mul(d, l.splat(x[k][j])));
            }
        }
        if tail1 {
            let d = narrow.load(&column[t1..]);
            for k in 0..N0 {
                dw1_tail[k] = narrow.add(dw1_tail[k], narrow.mul(d, narrow.splat(x[k][j])));
            }
        }
    }
    for o in 0..outer {
        for v in 0..inner {
            let (row, at) = dw2_at(o, v);
            l.store(&mut sums.dw2[row][at..], dw2[o][v]);
        }
    }
    for (r, tail) in dw2_tail.iter().enumerate().take(tails.unwrap_or(0)) {
        narrow.store(&mut sums.dw2[r][tail_at..], *tail);
    }
    for v in 0..v2 {
        l.store(&mut sums.dw3[v * L::LANES..], dw3[v]);
    }
    if tail2 {
        narrow.store(&mut sums.dw3[t2..], dw3_tail);
    }
    for k in 0..N0 {
        for v in 0..v1 {
            l.store(&mut sums.dw1[k][v * L::LANES..], dw1[v][k]);
        }
        if tail1 {
            narrow.store(&mut sums.dw1[k][t1..], dw1_tail[k]);
        }
    }
    sums.a1_columns = a1_in_lanes;
}

/// How [`weight_gradients`] lays `n` values side by side in vectors of `L`: `(wide, tail)`, as
/// many whole vectors of `L` as fit and, with `tail`, the rest in one of `L::Narrow`, when
/// that is narrower and holds it (else the rest takes one more vector of `L`).
pub(super) const fn vectors_of<L: Lanes>(n: usize) -> (usize, bool) {
    let (lanes, narrow) = (L::LANES, <L::Narrow as Lanes>::LANES);
    let rest = n % lanes;
    if rest != 0 && rest <= narrow && narrow < lanes {
        (n / lanes, true)
    } else {
        (n.div_ceil(lanes), false)
    }
}

/// numpy's pairwise sums ([`linalg_nn::numpy::pairwise_sum`]) of `dz1`, `dz2` and `dz3` over
/// examples `from..from + m` of a part's buffers, into `out` (`N1 + N2 + 1` values), when the
/// forward kernel left them ([`bias_in_kernel`]): `dz1` from the columns, `N1` units side by
/// side in the lanes (the same additions in the same order, unit by unit; the kernel writes
/// no rows of `dz1`), `dz2` and `dz3` from their rows. The recursion (above 128 examples)
/// calls [`Level::run`] once per block of at most 128, so that the block's loops are compiled
/// with the level's instruction set (a recursive function cannot be inlined into them).
pub(super) fn pairwise_bias<const N1: usize, const N2: usize>(
    level: Level,
    bufs: &Buffers,
    stride: usize,
    [from, m]: [usize; 2],
    out: &mut [f64],
) {
    if m <= 128 {
        level.run(BiasBlock::<N1, N2> { bufs, stride, from, m, out });
    } else {
        let half = pairwise_half(m);
        let mut second = [0.0; MAX_BIAS];
        let second = &mut second[..out.len()];
        pairwise_bias::<N1, N2>(level, bufs, stride, [from, half], out);
        pairwise_bias::<N1, N2>(level, bufs, stride, [from + half, m - half], second);
        for (out, second) in out.iter_mut().zip(second) {
            *out += *second;
        }
    }
}

/// [`pairwise_bias`] of one of numpy's blocks, at most 128 examples.
struct BiasBlock<'a, const N1: usize, const N2: usize> {
    bufs: &'a Buffers,
    stride: usize,
    from: usize,
    m: usize,
    out: &'a mut [f64],
}

impl<const N1: usize, const N2: usize> Kernel for BiasBlock<'_, N1, N2> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(self, l: L) {
        let BiasBlock { bufs, stride, from, m, out } = self;
        debug_assert!(m <= 128);
        let width = width_of::<N1, N2>(L::LANES);
        let (db1, later) = out.split_at_mut(N1);
        column_sums(l, &bufs.columns[from * width..(from + m) * width], width, db1);
        let rows = (0..N2).map(|i| &bufs.dz2[i * stride..]).chain([&bufs.dz3[..]]);
        for (sum, row) in later.iter_mut().zip(rows) {
            *sum = block_sum(l, &row[from..from + m]);
        }
    }
}

/// numpy's pairwise sum over the columns of `columns` (`width` values apart, at most 128 of
/// them) of each of their first `out.len()` values, into `out`: [`block_sum`]'s additions,
/// `LANES` units side by side (the vectors read run on past the last unit, into lanes never
/// stored).
#[inline(always)]
fn column_sums<L: Lanes>(l: L, columns: &[f64], width: usize, out: &mut [f64]) {
    let m = columns.len() / width;
    let column = |j: usize, unit: usize| l.load(&columns[j * width + unit..]);
    for unit in (0..out.len()).step_by(L::LANES) {
        let sum = if m < 8 {
            (0..m).fold(l.splat(0.0), |acc, j| l.add(acc, column(j, unit)))
        } else {
            let mut r = [l.splat(0.0); 8];
            for (c, r) in r.iter_mut().enumerate() {
                *r = column(c, unit);
            }
            let whole = m - m % 8;
            for block in (8..whole).step_by(8) {
                for (c, r) in r.iter_mut().enumerate() {
                    *r = l.add(*r, column(block + c, unit));
                }
            }
            let low = l.add(l.add(r[0], r[1]), l.add(r[2], r[3]));
            let tree = l.add(low, l.add(l.add(r[4], r[5]), l.add(r[6], r[7])));
            (whole..m).fold(tree, |acc, j| l.add(acc, column(j, unit)))
        };
        let mut lanes = [0.0; 8];
        l.store(&mut lanes, sum);
        let n = L::LANES.min(out.len() - unit);
        out[unit..unit + n].copy_from_slice(&lanes[..n]);
    }
}

/// numpy's end of a pairwise block's eight running sums, `((r0 + r1) + (r2 + r3)) + ((r4 + r5)
/// + (r6 + r7))`.
fn lanes_tree(r: &[f64; 8]) -> f64 {
    ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
}

/// numpy's pairwise sum of one block of at most 128 values: below 8 a plain loop, else eight
/// running sums (`LANES` per vector) combined as `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 +
/// r7))`, then the leftovers.
#[inline(always)]
fn block_sum<L: Lanes>(l: L, values: &[f64]) -> f64 {
    let n = values.len();
    debug_assert!(n <= 128);
    if n < 8 {
        return values.iter().fold(0.0, |acc, &v| acc + v);
    }
    let per = 8 / L::LANES;
    let mut r: [L::F; 8] = [l.splat(0.0); 8];
    for c in 0..per {
        r[c] = l.load(&values[c * L::LANES..]);
    }
    let whole = n - n % 8;
    for block in values[8..whole].chunks_exact(8) {
        for c in 0..per {
            r[c] = l.add(r[c], l.load(&block[c * L::LANES..]));
        }
    }
    let mut s = [0.0; 8];
    for c in 0..per {
        l.store(&mut s[c * L::LANES..], r[c]);
    }
    let mut res = lanes_tree(&s);
    for &v in &values[whole..] {
        res += v;
    }
    res
}
