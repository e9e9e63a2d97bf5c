//! The matrix products of training in one fixed order, written once over [`crate::lanes`]:
//! every entry of `op(A) op(B)` is one chain of fused multiply-adds over the inner index,
//! `s = fma(a[i, k], b[k, j], s)` for `k = 0, 1, ...` from `s = 0`.
//!
//! Vector lanes hold different entries, never parts of one sum, so the bits do not depend on the
//! vector width (AVX-512, AVX2, one lane), on how the result is cut into tiles or threads, or on
//! the machine's cache sizes: a general matrix-product library picks its blocking of `k` from
//! those, which made the course's printed numbers differ from one computer to the next.
//!
//! A panel of `V` vectors of rows of `op(A)` is copied once, `k` after `k` and padded with
//! zeros, into a buffer each thread keeps; then tiles of `C` columns of the result keep their
//! `V C` sums in registers while `k` runs, reading one value of `op(B)` per column and step.

use crate::lanes::{Kernel, Lanes};
use std::cell::Cell;
use std::ops::Range;

/// An operand as the product reads it: entry `(row, column)` of `op(M)`.
pub(crate) trait Operand: Copy + Sync {
    /// The entry at `(row, column)`.
    fn at(self, row: usize, column: usize) -> f64;
}

/// A matrix stored in a slice, of `f64` or of bytes (read as exact `f64`): entry
/// `(row, column)` at `row * row_step + column * column_step` (column-major storage with `ld`
/// rows is `(1, ld)`; its transpose is `(ld, 1)`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Strided<'a, T> {
    pub(crate) values: &'a [T],
    pub(crate) row_step: usize,
    pub(crate) column_step: usize,
}

impl<T: Copy + Sync + Into<f64>> Operand for Strided<'_, T> {
    #[inline(always)]
    fn at(self, row: usize, column: usize) -> f64 {
        self.values[row * self.row_step + column * self.column_step].into()
    }
}

/// The most vectors of rows in a panel. A tile keeps twelve sums in registers: one vector of
/// rows by twelve columns, two by six or three by four.
const MAX_PANEL_VECTORS: usize = 3;

/// Rows of a panel in one-lane code: eight, four columns at a time, which the compiler can
/// turn into vector instructions of its own (rows are independent sums, so they give the same
/// bits) where the target has them.
const SCALAR_PANEL_ROWS: usize = 8;

thread_local! {
    /// Each thread's copy of the current panel of `op(A)` (grown once, then reused: a training
    /// loop allocates nothing after its first iteration).
    // Clippy 1.96 asks for the `const` initializer it has when checking for Windows.
    #[allow(clippy::missing_const_for_thread_local)]
    static PANEL: Cell<Vec<f64>> = const { Cell::new(Vec::new()) };
}

/// Columns `columns` of `dst = alpha dst + beta op(A) op(B)`, `op(A)` `(rows, depth)`, written
/// into `out`: those columns of the column-major result, `rows` values each. With `lower`, only
/// the entries on and below the diagonal are certain to be written (the Gram matrix's triangle).
///
/// The sums `s` finish as `s * beta` when `alpha == 0` (the old contents ignored, even NaN), and
/// as `fma(s, beta, d)` otherwise, where `d` is the old entry, times `alpha` unless it is 1.
pub(crate) struct Product<'a, A: Operand, B: Operand> {
    pub(crate) a: A,
    pub(crate) b: B,
    pub(crate) rows: usize,
    pub(crate) depth: usize,
    pub(crate) columns: Range<usize>,
    pub(crate) out: &'a mut [f64],
    pub(crate) alpha: f64,
    pub(crate) beta: f64,
    pub(crate) lower: bool,
}

impl<A: Operand, B: Operand> Kernel for Product<'_, A, B> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(mut self, lanes: L) {
        // Taken out and put back rather than used inside a closure, which would be compiled
        // apart from the level's features, and the whole kernel with it.
        let mut panel = PANEL.take();
        self.panels(lanes, &mut panel);
        PANEL.set(panel);
    }
}

impl<A: Operand, B: Operand> Product<'_, A, B> {
    #[inline(always)]
    fn panels<L: Lanes>(&mut self, lanes: L, panel: &mut Vec<f64>) {
        panel.resize(SCALAR_PANEL_ROWS.max(MAX_PANEL_VECTORS * L::LANES) * self.depth, 0.0);
        let mut first_row = 0;
        while first_row < self.rows {
            // As few vectors as hold the rows left, up to three (20 rows are three vectors of
            // eight, or panels of three and two vectors of four); one lane takes eight rows.
            let vectors = match L::LANES {
                1 => SCALAR_PANEL_ROWS,
                _ => (self.rows - first_row).div_ceil(L::LANES).min(MAX_PANEL_VECTORS),
            };
            let height = vectors * L::LANES;
            let valid = height.min(self.rows - first_row);
            for (k, values) in panel.chunks_exact_mut(height).take(self.depth).enumerate() {
                for (r, value) in values.iter_mut().enumerate() {
                    *value = if r < valid { self.a.at(first_row + r, k) } else { 0.0 };
                }
            }
            // The triangle needs the columns up to the panel's last row.
            let end = match self.lower {
                true => self.columns.end.min(first_row + valid).max(self.columns.start),
                false => self.columns.end,
            };
            let rows = first_row..first_row + valid;
            match vectors {
                SCALAR_PANEL_ROWS => self.tiles::<L, SCALAR_PANEL_ROWS, 4>(lanes, panel, rows, end),
                1 => self.tiles::<L, 1, 12>(lanes, panel, rows, end),
                2 => self.tiles::<L, 2, 6>(lanes, panel, rows, end),
                _ => self.tiles::<L, 3, 4>(lanes, panel, rows, end),
            }
            first_row += height;
        }
    }

    /// The result's rows `rows` for the columns from `self.columns.start` to `end`, `C` at a
    /// time, then one at a time.
    #[inline(always)]
    fn tiles<L: Lanes, const V: usize, const C: usize>(
        &mut self,
        lanes: L,
        panel: &[f64],
        rows: Range<usize>,
        end: usize,
    ) {
        let mut j = self.columns.start;
        while j + C <= end {
            let sums = tile::<L, B, V, C>(lanes, panel, self.depth, self.b, j);
            self.write::<L, V, C>(lanes, &sums, rows.clone(), j);
            j += C;
        }
        while j < end {
            let sums = tile::<L, B, V, 1>(lanes, panel, self.depth, self.b, j);
            self.write::<L, V, 1>(lanes, &sums, rows.clone(), j);
            j += 1;
        }
    }

    /// Finishes a tile's sums into the result's columns from `first_column`.
    #[inline(always)]
    fn write<L: Lanes, const V: usize, const C: usize>(
        &mut self,
        lanes: L,
        sums: &[[L::F; V]; C],
        rows: Range<usize>,
        first_column: usize,
    ) {
        let (alpha, beta) = (self.alpha, self.beta);
        let mut values = [0.0; 24];
        for (c, column_sums) in sums.iter().enumerate() {
            for (v, &sum) in column_sums.iter().enumerate() {
                lanes.store(&mut values[v * L::LANES..], sum);
            }
            let start = (first_column + c - self.columns.start) * self.rows + rows.start;
            let target = &mut self.out[start..start + rows.len()];
            for (out, &sum) in target.iter_mut().zip(&values) {
                *out = if alpha == 0.0 {
                    sum * beta
                } else {
                    let old = if alpha == 1.0 { *out } else { alpha * *out };
                    sum.mul_add(beta, old)
                };
            }
        }
    }
}

/// The sums of one tile: `V` vectors of rows (the panel, `V * LANES` values per `k`) by the `C`
/// columns from `first_column`, each one chain of fused multiply-adds over `k = 0, 1, ...`.
#[inline(always)]
fn tile<L: Lanes, B: Operand, const V: usize, const C: usize>(
    lanes: L,
    panel: &[f64],
    depth: usize,
    b: B,
    first_column: usize,
) -> [[L::F; V]; C] {
    let mut sums = [[lanes.splat(0.0); V]; C];
    let height = V * L::LANES;
    for (k, values) in panel.chunks_exact(height).take(depth).enumerate() {
        let a: [L::F; V] = std::array::from_fn(|v| lanes.load(&values[v * L::LANES..]));
        for (c, column_sums) in sums.iter_mut().enumerate() {
            let b = lanes.splat(b.at(k, first_column + c));
            for (sum, &a) in column_sums.iter_mut().zip(&a) {
                *sum = lanes.mul_add(a, b, *sum);
            }
        }
    }
    sums
}
