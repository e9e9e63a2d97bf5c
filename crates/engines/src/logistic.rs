//! Logistic regression's gradient descent, fast: what week 2's notebook (hw1, "Logistic
//! Regression with a Neural Network mindset") computes in sections 4.3 `propagate` and 4.4
//! `optimize`, and the `A = sigmoid(w^T X + b)` of `predict`, for `w` `(n_x, 1)`, a bias `b`,
//! inputs `X` `(n_x, m)` with one example per column and labels `Y` `(1, m)`.
//!
//! Two engines run the same gradient descent, `w := w - alpha dw`, `b := b - alpha db` with
//! `dw = (1/m) X (A - Y)^T`, `db = (1/m) sum(A - Y)`:
//!
//! - [`direct_descent`]: each iteration is `propagate` fused into one pass over `X`: column `j`
//!   gives `a_j = sigmoid(w . x_j + b)` and at once adds `(a_j - y_j) x_j` to `dw` while `x_j`
//!   is still in cache, so `X` (20 MB for the cat pictures) is streamed once per iteration
//!   instead of twice. The columns are cut into two fixed halves, each summed on its own (on two
//!   threads, [`crate::pair`], when the machine has two cores and `X` is large) and added in a
//!   fixed order, so the numbers are the same on one core or many. The pass is one block kernel
//!   over [`crate::lanes`] (AVX-512, AVX2 or one lane, picked at run time), with the same bits
//!   at every width. For the cat pictures it reads their bytes instead (`X = B / 255`, 2.5 MB)
//!   with exact products ([`crate::exact_bytes`]), the same bits on every CPU.
//! - [`gram_descent`]: the same descent through `G = X^T X` `(m, m)` ([`crate::gram`]), with no
//!   pass over `X` inside the loop.
//!
//! Both work out the cost's logarithms for the recorded iterations and whenever the cost could
//! be infinite ([`linalg_nn::cost::cost_needed`]), so a divergence stops training at the
//! iteration where the notebook's loop (`propagate` every iteration) would stop. Nothing is
//! allocated inside either loop. [`probabilities`] is `sigmoid(w^T X + b)` through
//! [`crate::kernels`] (or from the pictures' bytes).
//!
//! ```
//! use linalg_nn::train::Silent;
//! use nalgebra::DMatrix;
//! use nn_engines::logistic::{Schedule, direct_descent, gram_descent};
//!
//! // The notebook's `optimize` test cell: 100 iterations at 0.009.
//! let w = DMatrix::from_row_slice(2, 1, &[1.0, 2.0]);
//! let x = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
//! let y = DMatrix::from_row_slice(1, 2, &[1.0, 0.0]);
//! let schedule = Schedule { num_iterations: 100, learning_rate: 0.009, cost_every: 100 };
//! let direct = direct_descent(&w, 2.0, &x, &y, schedule, &mut Silent).unwrap();
//! assert!((direct.w[(0, 0)] - 0.1124579).abs() < 1e-7);
//! assert!((direct.b - 1.55930492484).abs() < 1e-10);
//! assert!((direct.last_db - 0.430462071679).abs() < 1e-11);
//! assert_eq!(direct.costs.len(), 1);
//! let gram = gram_descent(&w, 2.0, &x, &y, schedule, None, &mut Silent).unwrap();
//! assert!((&direct.w - &gram.w).abs().max() < 1e-12);
//! assert!((direct.costs[0].1 - gram.costs[0].1).abs() < 1e-14);
//! ```

use crate::exact_bytes::{self, ColumnTiles, Digits};
use crate::gram::{GramFirstLayer, GramMatrix, GramSettings, RowView};
use crate::inputs::Inputs;
use crate::lanes::{Kernel, Lanes, Level};
use crate::pair;
use crate::vector_exp::sigmoid_into;
use linalg_nn::activations::sigmoid_scalar;
use linalg_nn::cost::{cost_needed, labels_keep_cost_finite, log_likelihood, strictly_inside};
use linalg_nn::error::{NnError, Result};
use linalg_nn::matrix::{ensure_finite, ensure_shape};
use linalg_nn::train::{
    Iteration, TrainObserver, all_finite, check_cost, validate_hyperparameters,
};
use nalgebra::DMatrix;
use std::ops::Range;
use std::sync::{Mutex, RwLock};

/// How a gradient descent runs: its number of iterations, its step, and which iterations'
/// costs it records (those with `i % cost_every == 0`; the course records every 100th).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Schedule {
    /// Iterations, at least 1.
    pub num_iterations: usize,
    /// The step `alpha`, positive and finite.
    pub learning_rate: f64,
    /// The cost of iteration `i` is recorded when `i % cost_every == 0`; at least 1.
    pub cost_every: usize,
}

/// What a gradient descent of logistic regression returns.
#[derive(Clone, Debug, PartialEq)]
pub struct Descent {
    /// The final weights, `(n_x, 1)`.
    pub w: DMatrix<f64>,
    /// The final bias.
    pub b: f64,
    /// `dJ/dw` of the last iteration, computed before its update, `(n_x, 1)`.
    pub last_dw: DMatrix<f64>,
    /// `dJ/db` of the last iteration, computed before its update.
    pub last_db: f64,
    /// `(i, cost)` for every recorded iteration `i`, in order.
    pub costs: Vec<(usize, f64)>,
}

/// The direct engine: gradient descent from `(w, b)` with one fused pass over `X` per
/// iteration (see the module's documentation), from the pictures' bytes when `x` has them
/// (and they are within [`exact_bytes::MAX_TERMS`]), else from the float64 matrix
/// ([`Inputs::to_matrix`], borrowed when `x` is one). From the bytes, every product is the
/// correctly rounded exact sum, so the results agree with the float64 pass on `X = B / 255` up
/// to rounding.
///
/// `observer` sees every iteration, with the cost on the recorded ones. Errors: an invalid
/// schedule, NaN or infinite values in `X`, `Y`, `w` or `b`, wrong shapes, no examples, and a
/// divergence (a cost or the final parameters no longer finite).
pub fn direct_descent(
    w: &DMatrix<f64>,
    b: f64,
    x: &dyn Inputs,
    y: &DMatrix<f64>,
    schedule: Schedule,
    observer: &mut dyn TrainObserver,
) -> Result<Descent> {
    let (n_x, m) = x.shape();
    let floats;
    let columns = match x.pixels().filter(|_| bytes_fit(n_x, m)) {
        Some(pixels) => Columns::Bytes(pixels),
        None => {
            floats = x.to_matrix();
            Columns::Floats(floats.as_slice())
        }
    };
    check_descent_inputs(w, b, x, y, schedule)?;
    let threads = if n_x * m >= PARALLEL_MIN_ENTRIES { pair::cores() } else { 1 };
    fused_descent(w, b, columns, (n_x, m), y, schedule, threads, observer)
}

/// The Gram engine: the same gradient descent as [`direct_descent`], the same costs and
/// parameters up to rounding, but each iteration updates `z = w^T X + b` through the `(m, m)`
/// matrix `G = X^T X` ([`GramFirstLayer`] with one row) instead of streaming `X` twice. `gram`
/// is `X^T X` if the caller has it already (several runs on the same data), else it is
/// computed here. The last iteration's `dw` is computed directly, once.
pub fn gram_descent(
    w: &DMatrix<f64>,
    b: f64,
    x: &dyn Inputs,
    y: &DMatrix<f64>,
    schedule: Schedule,
    gram: Option<&GramMatrix>,
    observer: &mut dyn TrainObserver,
) -> Result<Descent> {
    let m = check_descent_inputs(w, b, x, y, schedule)?;
    let Schedule { num_iterations, learning_rate, cost_every } = schedule;
    // The first layer of logistic regression is W1 = w^T with a single row.
    let w_row = w.transpose();
    let b_column = DMatrix::from_element(1, 1, b);
    let settings = GramSettings::default();
    let mut layer = match gram {
        Some(g) => GramFirstLayer::with_gram(x, g, w_row, b_column, learning_rate, settings)?,
        None => GramFirstLayer::new(x, w_row, b_column, learning_rate, settings)?,
    };
    let mut costs = Vec::with_capacity(num_iterations.div_ceil(cost_every));
    let labels = y.as_slice();
    // With labels in [-1, 1] every term of the cost is finite once 0 < a < 1, so between two
    // printed costs the logarithms can be skipped without missing a divergence: they are
    // worked out whenever the cost is printed or could be infinite (see below).
    let labels_in_unit_range = labels_keep_cost_finite(labels);
    // A = sigmoid(z), dZ = A - Y, as in propagate, on each half of the examples, with the
    // vectorised sigmoid (the bits of `sigmoid_scalar`, eight at a time: the library's exp was
    // a sixth of every step); the report says whether every A of the half is strictly between
    // 0 and 1.
    let activate = |first: usize, z: &[f64], dz: &mut [f64]| {
        sigmoid_into(z, dz);
        let mut all_strictly_inside = true;
        for (dz, &label) in dz.iter_mut().zip(&labels[first..]) {
            all_strictly_inside &= strictly_inside(*dz);
            *dz -= label;
        }
        all_strictly_inside
    };
    // Z1 and A when the cost is worked out, allocated once.
    let (mut z, mut a) = (vec![0.0; m], vec![0.0; m]);
    let after = |i: usize, row: &RowView<'_>, inside: [bool; 2]| -> Result<()> {
        let record = i.is_multiple_of(cost_every);
        let mut recorded = None;
        if cost_needed(record, inside == [true, true], labels_in_unit_range) {
            // The same A as `activate` computed: the same function of the same z.
            row.z_into(&mut z);
            sigmoid_into(&z, &mut a);
            let cost_sum: f64 =
                a.iter().zip(labels).map(|(&a, &label)| log_likelihood(a, label)).sum();
            let cost = -cost_sum / m as f64;
            check_cost(i, cost, learning_rate)?;
            if record {
                costs.push((i, cost));
                recorded = Some(cost);
            }
        }
        observer.on_iteration(&Iteration { index: i, total: num_iterations, cost: recorded });
        Ok(())
    };
    let dz = layer.run_one_row(num_iterations, activate, after)?;
    let last_db = dz.sum() / m as f64;
    // dw of the last iteration, (1/m) X dZ^T, computed once for the returned gradients.
    let mut dw_row = DMatrix::zeros(1, x.shape().0);
    x.gemm_transposed_into(&mut dw_row, 0.0, &dz, 1.0 / m as f64)?;
    let last_dw = dw_row.transpose();
    let w = layer.weights().transpose();
    let b = layer.bias()[(0, 0)];
    if !(all_finite(&w) && b.is_finite()) {
        return Err(NnError::ParametersDiverged { iteration: num_iterations - 1, learning_rate });
    }
    Ok(Descent { w, b, last_dw, last_db, costs })
}

/// `A = sigmoid(w^T X + b)` `(1, m)`: `w^T X` as one `(1, n_x) x (n_x, m)` product through
/// [`Inputs::tr_mul_into`] ([`crate::kernels`], or from the pictures' bytes; nalgebra's own
/// row-times-matrix path is ten times slower on the cat pictures, docs/reference/performance.md), then
/// [`sigmoid_scalar`] of each `z + b`.
///
/// ```
/// use nalgebra::DMatrix;
/// let w = DMatrix::from_row_slice(2, 1, &[1.0, -1.0]);
/// let x = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 1.0, 0.0]);
/// let a = nn_engines::logistic::probabilities(&w, 0.0, &x).unwrap();
/// assert_eq!(a, DMatrix::from_row_slice(1, 2, &[0.5, 0.5]));
/// ```
pub fn probabilities(w: &DMatrix<f64>, b: f64, x: &dyn Inputs) -> Result<DMatrix<f64>> {
    ensure_shape(w, (x.shape().0, 1), "w against X (one weight per row of X)")?;
    let mut a = DMatrix::zeros(1, x.shape().1);
    x.tr_mul_into(&mut a, w)?;
    a.apply(|z| *z = sigmoid_scalar(*z + b));
    Ok(a)
}

/// The checks both engines run before training: the schedule, finite inputs, shapes, and at
/// least one example. Returns `m`.
fn check_descent_inputs(
    w: &DMatrix<f64>,
    b: f64,
    x: &dyn Inputs,
    y: &DMatrix<f64>,
    schedule: Schedule,
) -> Result<usize> {
    validate_hyperparameters(schedule.num_iterations, schedule.learning_rate)?;
    if schedule.cost_every == 0 {
        return Err(NnError::invalid("cost_every", "must be at least 1, got 0"));
    }
    x.ensure_finite("X")?;
    ensure_finite(y, "Y")?;
    ensure_finite(w, "w")?;
    if !b.is_finite() {
        return Err(NnError::invalid("b", format!("must be finite, got {b}")));
    }
    let m = x.shape().1;
    ensure_shape(w, (x.shape().0, 1), "w against X (one weight per row of X)")?;
    ensure_shape(y, (1, m), "Y against X (one label per column of X)")?;
    if m == 0 {
        return Err(NnError::invalid("X", "has no examples (0 columns)"));
    }
    Ok(m)
}

// The direct engine's training loop: `propagate` fused into one pass over `X` per iteration, on
// two fixed halves of the columns, from the float64 matrix or from the pictures' bytes.

/// Below this many entries in `X` the second thread costs more than it saves (the planar
/// baseline of week 3 has 800).
const PARALLEL_MIN_ENTRIES: usize = 1 << 20;

/// The two fixed halves of `0..m` (the first one gets the odd column).
fn halves(m: usize) -> [Range<usize>; 2] {
    let mid = m.div_ceil(2);
    [0..mid, mid..m]
}

/// What the passes read of `X`: the float64 matrix, or the pictures' bytes `B` with
/// `X = B / 255` (`n_x` bytes per column, column after column).
#[derive(Clone, Copy, Debug)]
enum Columns<'a> {
    Floats(&'a [f64]),
    Bytes(&'a [u8]),
}

/// The two fixed halves of the pictures' columns for the byte pass: the first ends on a
/// multiple of four columns, so that each half's tiles are its own.
fn byte_halves(m: usize) -> [Range<usize>; 2] {
    let quads = m.div_ceil(4);
    let mid = (4 * quads.div_ceil(2)).min(m);
    [0..mid, mid..m]
}

/// Whether pictures of this shape are within the exact byte products' range.
fn bytes_fit(n_x: usize, m: usize) -> bool {
    n_x <= exact_bytes::MAX_TERMS
        && byte_halves(m).iter().all(|half| half.len() <= exact_bytes::MAX_TERMS)
}

/// The weights as the two halves read them: `w`, and for the byte pass its digits.
struct Weights {
    w: DMatrix<f64>,
    digits: Option<Digits>,
}

/// One half's buffers for the byte pass: its columns as tiles for `w^T B` and for `B dZ^T`,
/// `w^T B` and `dZ`.
struct ByteHalf {
    forward: ColumnTiles,
    backward: ColumnTiles,
    z: Vec<f64>,
    dz: Vec<f64>,
}

impl ByteHalf {
    fn new(pixels: &[u8], n_x: usize, cols: Range<usize>) -> Self {
        let columns = cols.len();
        ByteHalf {
            forward: ColumnTiles::transposed(pixels, n_x, cols.clone()),
            backward: ColumnTiles::new(pixels, n_x, cols),
            z: vec![0.0; columns],
            dz: vec![0.0; columns],
        }
    }
}

/// What one half of the columns contributes to an iteration.
struct Partial {
    /// `sum_j (a_j - y_j) x_j` over the half's columns, in column order.
    dw: Vec<f64>,
    /// `a_j = sigmoid(w^T x_j + b)` of the half's columns, in column order.
    probabilities: Vec<f64>,
    /// Whether every `a_j` is strictly between 0 and 1 (false for NaN).
    strictly_inside: bool,
    /// `sum_j (a_j - y_j)`.
    dz: f64,
    /// The byte pass's buffers (`None` for the float64 pass).
    bytes: Option<ByteHalf>,
    /// `z_j + b` of the half's columns, for [`pass_small`].
    z: Vec<f64>,
}

impl Partial {
    /// For `columns` columns of `n_x` features: every buffer allocated here, none in the loop.
    fn new(n_x: usize, columns: usize) -> Self {
        Partial {
            dw: vec![0.0; n_x],
            probabilities: Vec::with_capacity(columns),
            strictly_inside: true,
            dz: 0.0,
            bytes: None,
            z: Vec::with_capacity(columns),
        }
    }

    /// `sum_j y_j log(a_j) + (1 - y_j) log(1 - a_j)` over the half's columns in column
    /// order, `labels` being the half's labels: worked out only when the cost is needed.
    fn log_likelihood(&self, labels: &[f64]) -> f64 {
        self.probabilities.iter().zip(labels).fold(0.0, |sum, (&a, &y)| sum + log_likelihood(a, y))
    }

    fn push_probability(&mut self, a: f64) {
        self.probabilities.push(a);
        self.strictly_inside &= strictly_inside(a);
    }
}

/// Running sums of each dot product `w . x_j`: eight independent sums (two AVX2 or four
/// SSE2 registers), combined pairwise at the end. Fixed, so the rounding is the same
/// whatever the CPU.
const DOT_LANES: usize = 8;

/// Columns handled together: their dot products share each load of `w`, and their
/// updates of `dw` share each load and store of `dw`, while their four columns of `X`
/// (400 kB for the cat pictures) stay in the L2 cache between the two steps. Blocking
/// changes no rounding: each `dw[i]` still receives the columns' terms one after another in
/// column order.
const BLOCK: usize = 4;

/// `w . x_c` for the `B` columns `x_c`, each with [`DOT_LANES`] running sums.
#[inline(always)]
fn dots<const B: usize>(w: &[f64], x: [&[f64]; B]) -> [f64; B] {
    let mut acc = [[0.0; DOT_LANES]; B];
    let (w_chunks, w_tail) = w.as_chunks::<DOT_LANES>();
    let x_chunks: [&[[f64; DOT_LANES]]; B] = x.map(|col| col.as_chunks::<DOT_LANES>().0);
    for (k, wc) in w_chunks.iter().enumerate() {
        for c in 0..B {
            let xc = &x_chunks[c][k];
            for l in 0..DOT_LANES {
                acc[c][l] += wc[l] * xc[l];
            }
        }
    }
    let tail_start = w_chunks.len() * DOT_LANES;
    let mut out = [0.0; B];
    for c in 0..B {
        let lanes = &mut acc[c];
        let mut width = DOT_LANES;
        while width > 1 {
            width /= 2;
            for l in 0..width {
                lanes[l] += lanes[l + width];
            }
        }
        let mut tail = 0.0;
        for (a, b) in w_tail.iter().zip(&x[c][tail_start..]) {
            tail += a * b;
        }
        out[c] = lanes[0] + tail;
    }
    out
}

/// Columns `first .. first + B`: `a_j = sigmoid(w . x_j + b)`, the log-likelihoods, and
/// `dw += (a_j - y_j) x_j` in column order.
#[inline(always)]
fn block<const B: usize>(w: &[f64], b: f64, x: &[f64], y: &[f64], first: usize, out: &mut Partial) {
    let n_x = w.len();
    let cols: [&[f64]; B] = std::array::from_fn(|c| &x[(first + c) * n_x..(first + c + 1) * n_x]);
    let z = dots::<B>(w, cols);
    let mut dz = [0.0; B];
    for c in 0..B {
        let a = sigmoid_scalar(z[c] + b);
        out.push_probability(a);
        dz[c] = a - y[first + c];
        out.dz += dz[c];
    }
    let (dw_chunks, dw_tail) = out.dw.as_chunks_mut::<DOT_LANES>();
    let x_chunks: [&[[f64; DOT_LANES]]; B] = cols.map(|col| col.as_chunks::<DOT_LANES>().0);
    for (k, g) in dw_chunks.iter_mut().enumerate() {
        let mut sums = *g;
        for c in 0..B {
            let xc = &x_chunks[c][k];
            for l in 0..DOT_LANES {
                sums[l] += dz[c] * xc[l];
            }
        }
        *g = sums;
    }
    let tail_start = n_x - dw_tail.len();
    for (i, g) in dw_tail.iter_mut().enumerate() {
        for c in 0..B {
            *g += dz[c] * cols[c][tail_start + i];
        }
    }
}

/// One half of an iteration: `full_block` over the half's columns, [`BLOCK`] at a time,
/// then [`block`] for the last few.
#[inline(always)]
fn pass_body(
    w: &[f64],
    b: f64,
    x: &[f64],
    y: &[f64],
    cols: Range<usize>,
    out: &mut Partial,
    full_block: impl Fn(&[f64], f64, &[f64], &[f64], usize, &mut Partial),
) {
    out.dw.fill(0.0);
    out.probabilities.clear();
    out.strictly_inside = true;
    out.dz = 0.0;
    let mut j = cols.start;
    while j + BLOCK <= cols.end {
        full_block(w, b, x, y, j, out);
        j += BLOCK;
    }
    for j in j..cols.end {
        block::<1>(w, b, x, y, j, out);
    }
}

/// The end of one column's dot product in [`block4`], then its activation: the running sums
/// `l + (l + 4)` as `lanes`, combined as in [`dots`] (`(0 + 2) + (1 + 3)`), plus the scalar tail
/// `w_tail . x_tail`; then `a = sigmoid(z + b)` into `out`. Returns `dz = a - y`.
#[inline(always)]
fn finish_column(
    lanes: [f64; 4],
    w_tail: &[f64],
    x_tail: &[f64],
    b: f64,
    label: f64,
    out: &mut Partial,
) -> f64 {
    let mut tail = 0.0;
    for (a, v) in w_tail.iter().zip(x_tail) {
        tail += a * v;
    }
    let z = ((lanes[0] + lanes[2]) + (lanes[1] + lanes[3])) + tail;
    let a = sigmoid_scalar(z + b);
    out.push_probability(a);
    let dz = a - label;
    out.dz += dz;
    dz
}

/// [`block`] of [`BLOCK`] = 4 columns on lanes (a multiply then an add, no fused operation):
/// the same operations lane for lane, so the same bits. Each dot product's [`DOT_LANES`]
/// running sums are `DOT_LANES / L::LANES` vectors (two of AVX2, one of AVX-512, eight single
/// lanes), and `dw` is updated `L::LANES` entries at a time with the same operations per entry.
#[inline(always)]
fn block4<L: Lanes>(
    l: L,
    w: &[f64],
    b: f64,
    x: &[f64],
    y: &[f64],
    first: usize,
    out: &mut Partial,
) {
    let n_x = w.len();
    let cols: [&[f64]; 4] = std::array::from_fn(|c| &x[(first + c) * n_x..(first + c + 1) * n_x]);
    assert_eq!(out.dw.len(), n_x, "dw has one entry per row of X");
    let full = n_x - n_x % DOT_LANES;
    let vectors = DOT_LANES / L::LANES;
    let mut acc = [[l.splat(0.0); DOT_LANES]; 4];
    let (w_chunks, _) = w.as_chunks::<DOT_LANES>();
    let x_chunks: [&[[f64; DOT_LANES]]; 4] = cols.map(|col| col.as_chunks::<DOT_LANES>().0);
    for (k, wc) in w_chunks.iter().enumerate() {
        for v in 0..vectors {
            let wv = l.load(&wc[v * L::LANES..]);
            for c in 0..4 {
                let xv = l.load(&x_chunks[c][k][v * L::LANES..]);
                acc[c][v] = l.add(acc[c][v], l.mul(wv, xv));
            }
        }
    }
    let dz: [f64; 4] = std::array::from_fn(|c| {
        let mut sums = [0.0; DOT_LANES];
        for v in 0..vectors {
            l.store(&mut sums[v * L::LANES..], acc[c][v]);
        }
        let lanes = std::array::from_fn(|k| sums[k] + sums[k + 4]);
        finish_column(lanes, &w[full..], &cols[c][full..], b, y[first + c], out)
    });
    let dz_v = dz.map(|d| l.splat(d));
    let mut dw_chunks = out.dw.chunks_exact_mut(L::LANES);
    for (k, g) in dw_chunks.by_ref().enumerate() {
        let i = k * L::LANES;
        let mut sum = l.load(g);
        for c in 0..4 {
            sum = l.add(sum, l.mul(dz_v[c], l.load(&cols[c][i..])));
        }
        l.store(g, sum);
    }
    let tail_start = n_x - dw_chunks.into_remainder().len();
    for (k, g) in out.dw[tail_start..].iter_mut().enumerate() {
        for c in 0..4 {
            *g += dz[c] * cols[c][tail_start + k];
        }
    }
}

/// The kernel of [`half_pass`] for [`DOT_LANES`] features or more.
struct HalfPass<'a> {
    w: &'a [f64],
    b: f64,
    x: &'a [f64],
    y: &'a [f64],
    cols: Range<usize>,
    out: &'a mut Partial,
}

impl Kernel for HalfPass<'_> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(self, lanes: L) {
        let HalfPass { w, b, x, y, cols, out } = self;
        if L::LANES == 1 {
            // The plain block, whose fixed-size arrays the compiler vectorizes for any CPU
            // (SSE2, NEON): several times faster than 32 single lanes, with the same bits.
            pass_body(w, b, x, y, cols, out, block::<BLOCK>);
            return;
        }
        pass_body(w, b, x, y, cols, out, |w, b, x, y, first, out| {
            block4(lanes, w, b, x, y, first, out)
        });
    }
}

/// The plain pass, [`block`] of [`BLOCK`] columns: the definition the lanes reproduce (and what
/// the scalar level runs).
#[cfg(test)]
fn pass_generic(w: &[f64], b: f64, x: &[f64], y: &[f64], cols: Range<usize>, out: &mut Partial) {
    pass_body(w, b, x, y, cols, out, block::<BLOCK>);
}

/// One half of an iteration for fewer than [`DOT_LANES`] features (the planar baseline of
/// week 3 has two): each `w . x_j` is then its scalar tail alone, `0 + tail` as [`dots`] and
/// the vector blocks compute it; the half's sigmoids are taken together
/// ([`crate::vector_exp::sigmoid_into`], the bits of `sigmoid_scalar`), and `dw` is
/// summed in registers, each entry receiving its terms in column order: the bits of the
/// block passes, without a function call and a trip through memory per column.
fn pass_small(w: &[f64], b: f64, x: &[f64], y: &[f64], cols: Range<usize>, out: &mut Partial) {
    // The feature count as a constant, so that dw stays in registers.
    match w.len() {
        1 => pass_few::<1>(w, b, x, y, cols, out),
        2 => pass_few::<2>(w, b, x, y, cols, out),
        3 => pass_few::<3>(w, b, x, y, cols, out),
        4 => pass_few::<4>(w, b, x, y, cols, out),
        5 => pass_few::<5>(w, b, x, y, cols, out),
        6 => pass_few::<6>(w, b, x, y, cols, out),
        7 => pass_few::<7>(w, b, x, y, cols, out),
        _ => unreachable!("fewer than {DOT_LANES} features"),
    }
}

/// [`pass_small`] for `N` features.
fn pass_few<const N: usize>(
    w: &[f64],
    b: f64,
    x: &[f64],
    y: &[f64],
    cols: Range<usize>,
    out: &mut Partial,
) {
    let n_x = N;
    let w: &[f64; N] = w.try_into().expect("one weight per feature");
    let (columns, _) = x[cols.start * n_x..cols.end * n_x].as_chunks::<N>();
    out.z.clear();
    out.z.resize(cols.len(), 0.0);
    for (z, column) in out.z.iter_mut().zip(columns) {
        let mut tail = 0.0;
        for k in 0..N {
            tail += w[k] * column[k];
        }
        *z = (0.0 + tail) + b;
    }
    out.probabilities.clear();
    out.probabilities.resize(cols.len(), 0.0);
    crate::vector_exp::sigmoid_into(&out.z, &mut out.probabilities);
    let (mut dw, mut dz_sum, mut inside) = ([0.0; N], 0.0, true);
    for ((&a, column), &label) in
        out.probabilities.iter().zip(x[cols.start * n_x..].chunks_exact(n_x)).zip(&y[cols])
    {
        inside &= strictly_inside(a);
        let dz = a - label;
        dz_sum += dz;
        for (g, &v) in dw.iter_mut().zip(column) {
            *g += dz * v;
        }
    }
    out.dw.copy_from_slice(&dw);
    (out.dz, out.strictly_inside) = (dz_sum, inside);
}

/// One half of an iteration with the widest lanes of [`Level::current`].
fn half_pass(w: &[f64], b: f64, x: &[f64], y: &[f64], cols: Range<usize>, out: &mut Partial) {
    half_pass_at(Level::current(), w, b, x, y, cols, out);
}

/// [`half_pass`] at `level`.
fn half_pass_at(
    level: Level,
    w: &[f64],
    b: f64,
    x: &[f64],
    y: &[f64],
    cols: Range<usize>,
    out: &mut Partial,
) {
    if w.len() < DOT_LANES {
        pass_small(w, b, x, y, cols, out);
        return;
    }
    level.run(HalfPass { w, b, x, y, cols, out });
}

/// `w_i -= learning_rate ((g0_i + g1_i) scale)` with `step = (learning_rate, scale)`: the
/// two halves' gradient sums into the update, on the lanes of [`Level::current`] with the same
/// operations per entry (the same bits).
fn update_weights(w: &mut [f64], g0: &[f64], g1: &[f64], step: (f64, f64)) {
    assert!(g0.len() == w.len() && g1.len() == w.len(), "one gradient entry per weight");
    Level::current().run(UpdateWeights { w, g0, g1, step });
}

/// The kernel of [`update_weights`].
struct UpdateWeights<'a> {
    w: &'a mut [f64],
    g0: &'a [f64],
    g1: &'a [f64],
    step: (f64, f64),
}

impl Kernel for UpdateWeights<'_> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(self, l: L) {
        let UpdateWeights { w, g0, g1, step: (learning_rate, scale) } = self;
        let (rate, factor) = (l.splat(learning_rate), l.splat(scale));
        let mut chunks = w.chunks_exact_mut(L::LANES);
        for (k, wv) in chunks.by_ref().enumerate() {
            let i = k * L::LANES;
            let sum = l.add(l.load(&g0[i..]), l.load(&g1[i..]));
            let delta = l.mul(rate, l.mul(sum, factor));
            l.store(wv, l.sub(l.load(wv), delta));
        }
        let rest = chunks.into_remainder();
        let full = g0.len() - rest.len();
        for ((wi, &g0), &g1) in rest.iter_mut().zip(&g0[full..]).zip(&g1[full..]) {
            *wi -= learning_rate * ((g0 + g1) * scale);
        }
    }
}

/// One half of an iteration from the pictures' bytes: `w^T B` by exact integer products
/// ([`ColumnTiles::product`] of `w`'s digits), `a_j = sigmoid(w^T b_j / 255 + b)`, then
/// `B dZ^T` ([`ColumnTiles::combination`]) into `out.dw`: 255 times the float pass's `dw`,
/// the `1 / 255` being applied with `1 / m` in the update.
fn byte_pass(
    digits: &Digits,
    b: f64,
    y: &[f64],
    cols: Range<usize>,
    half: &mut ByteHalf,
    out: &mut Partial,
) {
    out.probabilities.clear();
    out.strictly_inside = true;
    out.dz = 0.0;
    half.forward.product(digits, &mut half.z);
    for ((z, dz), &label) in half.z.iter().zip(&mut half.dz).zip(&y[cols]) {
        let a = sigmoid_scalar(z / 255.0 + b);
        out.push_probability(a);
        *dz = a - label;
        out.dz += *dz;
    }
    half.backward.combination(&half.dz, &mut out.dw);
}

/// One half of an iteration from whichever `X` the run has.
fn any_pass(
    columns: Columns<'_>,
    weights: &Weights,
    b: f64,
    y: &[f64],
    cols: Range<usize>,
    out: &mut Partial,
) {
    match (columns, &weights.digits, out.bytes.take()) {
        (Columns::Bytes(_), Some(digits), Some(mut half)) => {
            byte_pass(digits, b, y, cols, &mut half, out);
            out.bytes = Some(half);
        }
        (Columns::Floats(x), _, _) => half_pass(weights.w.as_slice(), b, x, y, cols, out),
        _ => unreachable!("the byte pass has its digits and buffers"),
    }
}

/// Gradient descent with the fused pass over `columns` (`shape` = `(n_x, m)`), the inputs
/// checked by the caller; `threads >= 2` runs the second half of the columns on a second
/// thread. The numbers do not depend on `threads`.
#[allow(clippy::too_many_arguments)]
fn fused_descent(
    w0: &DMatrix<f64>,
    b0: f64,
    columns: Columns<'_>,
    shape: (usize, usize),
    y: &DMatrix<f64>,
    schedule: Schedule,
    threads: usize,
    observer: &mut dyn TrainObserver,
) -> Result<Descent> {
    let Schedule { num_iterations, learning_rate, cost_every } = schedule;
    let (n_x, m) = shape;
    let inv_m = 1.0 / m as f64;
    let ys = y.as_slice();
    let labels_in_unit_range = labels_keep_cost_finite(ys);
    let mut b = b0;
    let ([first, second], gradient_scale, digits, tiles) = match columns {
        Columns::Floats(_) => (halves(m), inv_m, None, None),
        Columns::Bytes(pixels) => {
            let [first, second] = byte_halves(m);
            let mut digits = Digits::new(n_x);
            digits.fill(w0.as_slice());
            let (own, other) = pair::join(
                || ByteHalf::new(pixels, n_x, first.clone()),
                || ByteHalf::new(pixels, n_x, second.clone()),
            );
            ([first, second], inv_m / 255.0, Some(digits), Some((own, other)))
        }
    };
    let w = RwLock::new(Weights { w: w0.clone(), digits });
    let mut own = Partial::new(n_x, first.len());
    let mut other = Partial::new(n_x, second.len());
    if let Some((own_tiles, other_tiles)) = tiles {
        own.bytes = Some(own_tiles);
        other.bytes = Some(other_tiles);
    }
    let other = Mutex::new(other);
    let mut costs = Vec::with_capacity(num_iterations.div_ceil(cost_every));
    let (mut last_dw, mut last_db) = (DMatrix::zeros(n_x, 1), 0.0);
    // Reading b from the worker: it changes between generations only, like w.
    let bias = RwLock::new(b0);
    let second_half = || {
        if let (Ok(w_now), Ok(b_now), Ok(mut out)) = (w.read(), bias.read(), other.lock()) {
            any_pass(columns, &w_now, *b_now, ys, second.clone(), &mut out);
        }
    };

    let outcome = pair::run(threads > 1, &second_half, |pair| -> Result<()> {
        for i in 0..num_iterations {
            pair.start();
            {
                let w_now = w.read().map_err(|_| poisoned())?;
                any_pass(columns, &w_now, b, ys, first.clone(), &mut own);
            }
            pair.finish();
            let other = other.lock().map_err(|_| poisoned())?;
            let record = i.is_multiple_of(cost_every);
            // With labels in [-1, 1] and every a strictly between 0 and 1 the cost is finite,
            // so between two printed costs its 2m logarithms are skipped; they are worked out
            // whenever it could be infinite or NaN, so a divergence stops training at the
            // same iteration (as in the Gram engine).
            let inside = own.strictly_inside && other.strictly_inside;
            let cost = if cost_needed(record, inside, labels_in_unit_range) {
                let (own_labels, other_labels) = (&ys[first.clone()], &ys[second.clone()]);
                let sum = own.log_likelihood(own_labels) + other.log_likelihood(other_labels);
                let cost = -sum / m as f64;
                check_cost(i, cost, learning_rate)?;
                Some(cost)
            } else {
                None
            };
            let db = (own.dz + other.dz) * inv_m;
            {
                let mut weights = w.write().map_err(|_| poisoned())?;
                let Weights { w: w_now, digits } = &mut *weights;
                let step = (learning_rate, gradient_scale);
                update_weights(w_now.as_mut_slice(), &own.dw, &other.dw, step);
                // Not finite: the next pass's z are NaN, so its cost stops the training.
                if let Some(digits) = digits {
                    digits.fill(w_now.as_slice());
                }
            }
            b -= learning_rate * db;
            *bias.write().map_err(|_| poisoned())? = b;
            if i + 1 == num_iterations {
                let dw = own.dw.iter().zip(&other.dw).map(|(g0, g1)| (g0 + g1) * gradient_scale);
                (last_dw, last_db) = (DMatrix::from_iterator(n_x, 1, dw), db);
            }
            drop(other);
            let recorded = cost.filter(|_| record);
            if let Some(cost) = recorded {
                costs.push((i, cost));
            }
            observer.on_iteration(&Iteration { index: i, total: num_iterations, cost: recorded });
        }
        Ok(())
    });
    outcome?;
    let w = w.into_inner().map_err(|_| poisoned())?.w;
    // The cost checks cover every update but the last one.
    if !(all_finite(&w) && b.is_finite()) {
        return Err(NnError::ParametersDiverged { iteration: num_iterations - 1, learning_rate });
    }
    Ok(Descent { w, b, last_dw, last_db, costs })
}

/// A lock poisoned by a panic on the other thread (which the scope re-raises).
fn poisoned() -> NnError {
    NnError::invalid("training thread", "stopped by a panic")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lanes::Scalar;
    use linalg_nn::NumpyRng;
    use linalg_nn::train::Silent;

    /// Random wide data with an odd number of columns (uneven halves, a partial block).
    fn data() -> (DMatrix<f64>, DMatrix<f64>) {
        let mut rng = NumpyRng::new(3);
        let x = rng.rand(301, 23);
        let y = rng.rand(1, 23).map(|v| if v > 0.5 { 1.0 } else { 0.0 });
        (x, y)
    }

    fn bits(m: &DMatrix<f64>) -> Vec<u64> {
        m.iter().map(|v| v.to_bits()).collect()
    }

    /// The course's recording period.
    const COST_EVERY: usize = 100;

    /// `iterations` steps at `learning_rate`, every cost recorded every 100 iterations.
    fn schedule(num_iterations: usize, learning_rate: f64) -> Schedule {
        Schedule { num_iterations, learning_rate, cost_every: COST_EVERY }
    }

    /// The notebook's `propagate` as written, the reference of the engine: `A = sigmoid(w^T X
    /// + b)`, the cross-entropy cost, `dw = (1/m) X (A - Y)^T`, `db = (1/m) sum(A - Y)`.
    /// Returns `(dw, db, cost)`.
    fn propagate(
        w: &DMatrix<f64>,
        b: f64,
        x: &DMatrix<f64>,
        y: &DMatrix<f64>,
    ) -> (DMatrix<f64>, f64, f64) {
        let inv_m = 1.0 / x.ncols() as f64;
        let a = w.tr_mul(x).map(|z| sigmoid_scalar(z + b));
        let cost = linalg_nn::cost::cross_entropy_cost(&a, y).unwrap();
        let dz = a - y;
        (x * dz.transpose() * inv_m, dz.sum() * inv_m, cost)
    }

    #[test]
    fn a_divergence_stops_training_at_the_iteration_of_the_first_infinite_cost() {
        // Skipping the logarithms of unprinted costs must not hide a divergence: the first
        // non-finite cost of the notebook's loop (propagate every iteration) is where the
        // fused descent stops, on one thread and on two.
        let (x, y) = data();
        let x = x * 40.0;
        let w0 = DMatrix::zeros(301, 1);
        let learning_rate = 50.0;
        let (mut w, mut b) = (w0.clone(), 0.0);
        let first_infinite = (0..60)
            .find(|_| {
                let (dw, db, cost) = propagate(&w, b, &x, &y);
                w -= &dw * learning_rate;
                b -= learning_rate * db;
                !cost.is_finite()
            })
            .expect("this learning rate diverges");
        assert!(first_infinite > 0 && first_infinite % COST_EVERY != 0);
        for threads in [1, 2] {
            let run = fused_descent(
                &w0,
                0.0,
                Columns::Floats(x.as_slice()),
                x.shape(),
                &y,
                schedule(60, learning_rate),
                threads,
                &mut Silent,
            );
            match run {
                Err(NnError::Diverged { iteration, .. }) => {
                    assert_eq!(iteration, first_infinite, "threads {threads}")
                }
                other => panic!("expected a divergence, got {other:?}"),
            }
        }
    }

    #[test]
    fn one_thread_and_two_give_the_same_bits() {
        // The float64 pass and the byte pass, each on two threads and on one.
        let (x, y) = data();
        let (pixels, _, _) = byte_data();
        for columns in [Columns::Floats(x.as_slice()), Columns::Bytes(&pixels)] {
            let w0 = DMatrix::zeros(301, 1);
            let steps = schedule(50, 0.01);
            let run = |threads| {
                fused_descent(&w0, 0.0, columns, (301, 23), &y, steps, threads, &mut Silent)
                    .unwrap()
            };
            let (one, two) = (run(1), run(2));
            assert_eq!(bits(&one.w), bits(&two.w), "{columns:?}");
            assert_eq!(one.b.to_bits(), two.b.to_bits());
            assert_eq!(bits(&one.last_dw), bits(&two.last_dw));
            assert_eq!(one.costs, two.costs);
        }
    }

    /// Two passes over the same half gave the same bits (`what` says which).
    fn assert_same_bits(expected: &Partial, got: &Partial, what: &str) {
        let to_bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(to_bits(&expected.dw), to_bits(&got.dw), "{what}");
        assert_eq!(to_bits(&expected.probabilities), to_bits(&got.probabilities), "{what}");
        assert_eq!(expected.strictly_inside, got.strictly_inside, "{what}");
        assert_eq!(expected.dz.to_bits(), got.dz.to_bits(), "{what}");
    }

    #[test]
    fn the_small_pass_gives_the_generic_bits() {
        for n_x in [1, 2, 5, 7] {
            let mut rng = NumpyRng::new(6 + n_x as u32);
            let x = rng.randn(n_x, 37);
            let y = rng.rand(1, 37).map(|v| if v > 0.5 { 1.0 } else { 0.0 });
            let w: Vec<f64> = rng.randn_vec(n_x);
            let mut generic = Partial::new(n_x, 30);
            pass_generic(&w, 0.3, x.as_slice(), y.as_slice(), 5..35, &mut generic);
            let mut small = Partial::new(n_x, 30);
            half_pass(&w, 0.3, x.as_slice(), y.as_slice(), 5..35, &mut small);
            assert_same_bits(&generic, &small, &format!("n_x = {n_x}"));
        }
    }

    #[test]
    fn every_level_gives_the_generic_bits() {
        let (x, y) = data();
        let w: Vec<f64> = NumpyRng::new(4).randn_vec(301).iter().map(|v| v * 0.01).collect();
        let mut generic = Partial::new(301, 23);
        pass_generic(&w, 0.1, x.as_slice(), y.as_slice(), 0..23, &mut generic);
        for level in Level::available() {
            let mut lanes = Partial::new(301, 23);
            half_pass_at(level, &w, 0.1, x.as_slice(), y.as_slice(), 0..23, &mut lanes);
            assert_same_bits(&generic, &lanes, level.name());
        }
        // The one-lane kernel too (the scalar level runs the plain block itself).
        let mut one_lane = Partial::new(301, 23);
        pass_body(
            &w,
            0.1,
            x.as_slice(),
            y.as_slice(),
            0..23,
            &mut one_lane,
            |w, b, x, y, j, out| block4(Scalar, w, b, x, y, j, out),
        );
        assert_same_bits(&generic, &one_lane, "one lane");
    }

    #[test]
    fn the_weight_update_gives_the_plain_bits_at_every_level() {
        let mut rng = NumpyRng::new(12);
        let (w0, g0, g1) = (rng.randn_vec(301), rng.randn_vec(301), rng.randn_vec(301));
        let step = (0.37, 1.0 / 23.0);
        let plain: Vec<u64> =
            (0..301).map(|i| (w0[i] - step.0 * ((g0[i] + g1[i]) * step.1)).to_bits()).collect();
        for level in Level::available() {
            let mut w = w0.clone();
            level.run(UpdateWeights { w: &mut w, g0: &g0, g1: &g1, step });
            assert_eq!(w.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), plain, "{level:?}");
        }
    }

    /// Random pictures' bytes with the shape of `data()`, and their `X = B / 255`.
    fn byte_data() -> (Vec<u8>, DMatrix<f64>, DMatrix<f64>) {
        let mut rng = NumpyRng::new(5);
        let pixels: Vec<u8> = (0..301 * 23).map(|_| (rng.random_sample() * 256.0) as u8).collect();
        let x = DMatrix::from_iterator(301, 23, pixels.iter().map(|&b| b as f64 / 255.0));
        (pixels, x, data().1)
    }

    #[test]
    fn the_byte_pass_agrees_with_the_float_pass_on_x_over_255() {
        // The same gradient descent: every product of the byte pass is the correctly
        // rounded exact sum, so the two differ by float64 rounding only.
        let (pixels, x, y) = byte_data();
        let w0 = DMatrix::from_element(301, 1, 0.001);
        let bytes = Columns::Bytes(&pixels);
        let floats = Columns::Floats(x.as_slice());
        let steps = schedule(200, 0.05);
        let pb = fused_descent(&w0, 0.2, bytes, (301, 23), &y, steps, 2, &mut Silent).unwrap();
        let pf = fused_descent(&w0, 0.2, floats, (301, 23), &y, steps, 2, &mut Silent).unwrap();
        assert!((&pb.w - &pf.w).abs().max() < 1e-13 * pf.w.abs().max());
        assert!((pb.b - pf.b).abs() < 1e-13);
        assert!((&pb.last_dw - &pf.last_dw).abs().max() < 1e-13 * pf.last_dw.abs().max());
        assert!((pb.last_db - pf.last_db).abs() < 1e-13);
        assert_eq!(pb.costs.len(), pf.costs.len());
        for (&(i, a), &(j, b)) in pb.costs.iter().zip(&pf.costs) {
            assert_eq!(i, j);
            assert!((a - b).abs() < 1e-14, "iteration {i}: bytes {a}, floats {b}");
        }
    }

    #[test]
    fn a_divergence_of_the_byte_pass_stops_where_the_float_pass_stops() {
        let (pixels, x, y) = byte_data();
        let w0 = DMatrix::zeros(301, 1);
        let diverged_at = |columns| match fused_descent(
            &w0,
            0.0,
            columns,
            (301, 23),
            &y,
            schedule(60, 2000.0),
            2,
            &mut Silent,
        ) {
            Err(NnError::Diverged { iteration, .. }) => iteration,
            other => panic!("expected a divergence, got {other:?}"),
        };
        let floats = diverged_at(Columns::Floats(x.as_slice()));
        assert!(floats > 0 && floats % COST_EVERY != 0, "diverged at {floats}");
        assert_eq!(diverged_at(Columns::Bytes(&pixels)), floats);
    }

    #[test]
    fn the_byte_halves_end_on_whole_tiles() {
        assert_eq!(byte_halves(209), [0..108, 108..209]);
        assert_eq!(byte_halves(8), [0..4, 4..8]);
        assert_eq!(byte_halves(3), [0..3, 3..3]);
        assert_eq!(byte_halves(0), [0..0, 0..0]);
        assert!(bytes_fit(12288, 209));
        assert!(!bytes_fit(exact_bytes::MAX_TERMS + 1, 209));
    }

    #[test]
    fn fused_pass_agrees_with_propagate() {
        let (x, y) = data();
        let w0 = DMatrix::from_element(301, 1, 0.001);
        let run = fused_descent(
            &w0,
            0.2,
            Columns::Floats(x.as_slice()),
            x.shape(),
            &y,
            schedule(20, 0.05),
            2,
            &mut Silent,
        )
        .unwrap();
        // The notebook's loop with propagate.
        let (mut w, mut b) = (w0.clone(), 0.2);
        let mut last = None;
        for i in 0..20 {
            let (dw, db, cost) = propagate(&w, b, &x, &y);
            if i == 0 {
                assert!((cost - run.costs[0].1).abs() < 1e-14);
            }
            w -= &dw * 0.05;
            b -= 0.05 * db;
            last = Some((dw, db));
        }
        let (last_dw, last_db) = last.unwrap();
        assert!((&run.w - &w).abs().max() < 1e-14);
        assert!((run.b - b).abs() < 1e-14);
        assert!((&run.last_dw - &last_dw).abs().max() < 1e-14);
        assert!((run.last_db - last_db).abs() < 1e-14);
    }

    #[test]
    fn the_public_engines_check_their_inputs_and_agree() {
        let (x, y) = data();
        let w0 = DMatrix::from_element(301, 1, 0.001);
        let steps = schedule(150, 0.05);
        let direct = direct_descent(&w0, 0.2, &x, &y, steps, &mut Silent).unwrap();
        let gram = gram_descent(&w0, 0.2, &x, &y, steps, None, &mut Silent).unwrap();
        assert_eq!(direct.costs.iter().map(|c| c.0).collect::<Vec<_>>(), vec![0, 100]);
        for (&(_, a), &(_, b)) in direct.costs.iter().zip(&gram.costs) {
            assert!((a - b).abs() < 1e-13, "direct {a}, gram {b}");
        }
        assert!((&direct.w - &gram.w).abs().max() < 1e-12 * direct.w.abs().max());
        assert!((&direct.last_dw - &gram.last_dw).abs().max() < 1e-12 * direct.last_dw.abs().max());
        let a = probabilities(&direct.w, direct.b, &x).unwrap();
        assert_eq!(a.shape(), (1, 23));

        let message = |w: &DMatrix<f64>, steps: Schedule| {
            direct_descent(w, 0.0, &x, &y, steps, &mut Silent).unwrap_err().to_string()
        };
        assert!(message(&w0, schedule(0, 0.1)).contains("must be at least 1, got 0"));
        assert!(message(&w0, Schedule { cost_every: 0, ..steps }).contains("cost_every"));
        assert!(message(&DMatrix::zeros(3, 1), steps).contains("w against X"));
        let err = gram_descent(&w0, f64::NAN, &x, &y, steps, None, &mut Silent).unwrap_err();
        assert_eq!(err.to_string(), "invalid b: must be finite, got NaN");
    }
}
