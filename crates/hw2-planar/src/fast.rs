//! The training loop of [`crate::nn_model`] (section 4.4) for one output unit and up to eight
//! hidden units — every setting of the notebook — with each column of `Z1`, `A1` and `dZ1` held
//! as a fixed-size array, so that a column is one or two vector registers instead of a loop of
//! unknown length.
//!
//! It performs the operations of the general path (`forward_propagation`,
//! `backward_propagation`, `update_parameters` in lib.rs and the loops of `numeric.rs`) one for
//! one, in the same order and with no fused multiply-add, so it gives the same bits; the tests
//! compare the two paths bit for bit. Only the cost of iteration `i` and the observer sit
//! between the forward and the backward pass, as in the general loop.

// Loops index several fixed-size arrays with the same `i` (rows of a column); written that way
// they say what the notebook's matrix expressions say and vectorise fully.
#![allow(clippy::needless_range_loop)]

use crate::{ModelConfig, Parameters};
use linalg_nn::activations::Activation;
use linalg_nn::cost::{cost_needed, labels_keep_cost_finite, log_likelihood, strictly_inside};
use linalg_nn::pair;
use linalg_nn::train::{Iteration, TrainObserver, check_cost};
use linalg_nn::{DMatrix, NnError};
use std::sync::{Mutex, RwLock};

/// Trains `parameters` in place with [`run`] when the network has one output and
/// `1 <= n_h <= 8`; `None` leaves the network to the general loop.
pub(crate) fn try_train<O: TrainObserver + ?Sized>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    parameters: &mut Parameters,
    config: &ModelConfig,
    observer: &mut O,
    costs: &mut Vec<f64>,
    cost_history: &mut Vec<f64>,
) -> Option<Result<(), NnError>> {
    if parameters.w2.nrows() != 1 {
        return None;
    }
    let history = History { costs, cost_history };
    Some(match parameters.w1.nrows() {
        1 => run::<1, O>(x, y, parameters, config, observer, history),
        2 => run::<2, O>(x, y, parameters, config, observer, history),
        3 => run::<3, O>(x, y, parameters, config, observer, history),
        4 => run::<4, O>(x, y, parameters, config, observer, history),
        5 => run::<5, O>(x, y, parameters, config, observer, history),
        6 => run::<6, O>(x, y, parameters, config, observer, history),
        7 => run::<7, O>(x, y, parameters, config, observer, history),
        8 => run::<8, O>(x, y, parameters, config, observer, history),
        _ => return None,
    })
}

/// Where the loop records its costs.
struct History<'a> {
    costs: &'a mut Vec<f64>,
    cost_history: &'a mut Vec<f64>,
}

/// The network as fixed-size columns: `w1[k]` is column `k` of `W1` (the weights of input `k`
/// into the `H` hidden units).
struct Network<const H: usize> {
    w1: Vec<[f64; H]>,
    b1: [f64; H],
    w2: [f64; H],
    b2: f64,
    /// Whether each example's log-likelihood is needed every iteration
    /// ([`ModelConfig::every_cost`]).
    every_cost: bool,
}

/// The per-example work of one iteration for a range of columns, which needs no other column:
/// the forward pass, each example's log-likelihood, and `dZ2`, `dZ1`.
struct Half<const H: usize> {
    first: usize,
    z1: Vec<[f64; H]>,
    a1: Vec<[f64; H]>,
    a2: Vec<f64>,
    /// `-Z2` and `e^{-Z2}`, for the sigmoid's exponentials eight at a time.
    minus_z2: Vec<f64>,
    exp_minus_z2: Vec<f64>,
    log_likelihood: Vec<f64>,
    /// Whether every `A2` of the half is strictly between 0 and 1, so that every term of the
    /// cost is finite.
    all_inside: bool,
    dz2: Vec<f64>,
    dz1: Vec<[f64; H]>,
    /// numpy's pairwise sums of the half's `dZ2` and of each row of its `dZ1`: the two halves
    /// of the sums over all examples when numpy's pairwise split falls between the halves
    /// ([`split_like_numpy`]).
    dz2_sum: f64,
    dz1_sums: [f64; H],
}

impl<const H: usize> Half<H> {
    fn new(cols: std::ops::Range<usize>) -> Self {
        let n = cols.len();
        Half {
            first: cols.start,
            z1: vec![[0.0; H]; n],
            a1: vec![[0.0; H]; n],
            a2: vec![0.0; n],
            minus_z2: vec![0.0; n],
            exp_minus_z2: vec![0.0; n],
            log_likelihood: vec![0.0; n],
            all_inside: true,
            dz2: vec![0.0; n],
            dz1: vec![[0.0; H]; n],
            dz2_sum: 0.0,
            dz1_sums: [0.0; H],
        }
    }
}

/// The sums over all examples, made by one thread in column order.
struct Sums<const H: usize> {
    dz2: Vec<f64>,
    dz1: Vec<[f64; H]>,
    dw1: Vec<[f64; H]>,
    /// `dZ2 A1^T`, before the `1/m`.
    dw2: [f64; H],
}

/// Whether numpy's pairwise sum of `m` values splits them at `mid`, the end of the first half:
/// then each half's pairwise sum is one of the two that numpy adds last.
fn split_like_numpy(m: usize, mid: usize) -> bool {
    // pairwise_columns: more than 128 values are split at half, rounded down to a multiple of 8.
    m > 128 && (m / 2 - (m / 2) % 8) == mid
}

/// Below this many examples the second thread costs more than it saves.
const PARALLEL_MIN_EXAMPLES: usize = 128;

thread_local! {
    /// Cleared on the hidden-layer sweep's worker threads, which already fill every core.
    static MAY_USE_SECOND_THREAD: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// Keeps [`run`] on one thread for the calling thread's lifetime (the sweep's workers).
pub(crate) fn single_threaded_here() {
    MAY_USE_SECOND_THREAD.with(|flag| flag.set(false));
}

fn run<const H: usize, O: TrainObserver + ?Sized>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    parameters: &mut Parameters,
    config: &ModelConfig,
    observer: &mut O,
    history: History<'_>,
) -> Result<(), NnError> {
    let (n_x, m) = x.shape();
    let column = |slice: &[f64]| -> [f64; H] {
        let mut out = [0.0; H];
        out.copy_from_slice(slice);
        out
    };
    let net = RwLock::new(Network::<H> {
        w1: parameters.w1.as_slice().chunks_exact(H).map(column).collect(),
        b1: column(parameters.b1.as_slice()),
        w2: column(parameters.w2.as_slice()),
        b2: parameters.b2[(0, 0)],
        every_cost: config.every_cost,
    });
    // Two fixed halves of the examples, whatever the number of cores: the per-example work is
    // the same either way, and every sum over examples is made in column order. The other
    // thread takes the first half and starts the column-order sums `dZ2 A1^T`, `dZ1 X^T` on it;
    // this one takes the second and goes on with those sums over its own columns, which are in
    // its cache (only the sums so far, 3 n_h numbers for the flower, cross between the cores).
    let mid = m.div_ceil(2);
    let mut own = Half::<H>::new(mid..m);
    let first_sums =
        Sums::<H> { dz2: Vec::new(), dz1: Vec::new(), dw1: vec![[0.0; H]; n_x], dw2: [0.0; H] };
    let other = Mutex::new((Half::<H>::new(0..mid), first_sums));
    let mut sums = Sums::<H> {
        dz2: vec![0.0; m],
        dz1: vec![[0.0; H]; m],
        dw1: vec![[0.0; H]; n_x],
        dw2: [0.0; H],
    };
    let activation = parameters.activation;
    let learning_rate = config.learning_rate;
    let (xs, ys) = (x.as_slice(), y.as_slice());
    let labels_finite_cost = labels_keep_cost_finite(ys);
    let total = config.num_iterations;
    let threads = if m >= PARALLEL_MIN_EXAMPLES && MAY_USE_SECOND_THREAD.with(|f| f.get()) {
        pair::cores()
    } else {
        1
    };
    let poisoned = || NnError::invalid("training thread", "stopped by a panic");
    let first_half = || {
        if let (Ok(net), Ok(mut other)) = (net.read(), other.lock()) {
            let (half, first_sums) = &mut *other;
            per_example(&net, xs, n_x, ys, activation, half);
            start_sums(xs, n_x, half, first_sums);
        }
    };

    let outcome = pair::run(threads > 1, &first_half, |pair| -> Result<(), NnError> {
        for index in 0..total {
            pair.start();
            {
                let net = net.read().map_err(|_| poisoned())?;
                per_example(&net, xs, n_x, ys, activation, &mut own);
            }
            pair.finish();
            let other = other.lock().map_err(|_| poisoned())?;
            let (first, first_sums) = &*other;
            let recorded = index % config.cost_every == 0;
            // cross_entropy_cost's sum: the terms in column order. Without `every_cost` the
            // halves skipped the logarithms; they are worked out here (the same terms) when the
            // cost is recorded or could be infinite.
            let cost = if config.every_cost {
                let log_likelihood: f64 =
                    first.log_likelihood.iter().chain(&own.log_likelihood).copied().sum();
                Some(-log_likelihood / m as f64)
            } else if cost_needed(recorded, first.all_inside && own.all_inside, labels_finite_cost)
            {
                let a2 = first.a2.iter().chain(&own.a2);
                let log_likelihood: f64 =
                    a2.zip(ys).map(|(&a2, &label)| log_likelihood(a2, label)).sum();
                Some(-log_likelihood / m as f64)
            } else {
                None
            };
            if let Some(cost) = cost {
                check_cost(index, cost, learning_rate)?;
            }
            {
                let mut net = net.write().map_err(|_| poisoned())?;
                sums.dw2 = first_sums.dw2;
                sums.dw1.copy_from_slice(&first_sums.dw1);
                sums_and_update(&mut net, xs, learning_rate, [first, &own], &mut sums);
            }
            drop(other);
            if let (true, Some(cost)) = (config.every_cost, cost) {
                history.cost_history.push(cost);
            }
            let recorded = cost.filter(|_| recorded);
            if let Some(cost) = recorded {
                history.costs.push(cost);
            }
            observer.on_iteration(&Iteration { index, total, cost: recorded });
        }
        Ok(())
    });
    // The parameters as they are, also after a divergence (the caller reports the error).
    let net = net.into_inner().map_err(|_| poisoned())?;
    parameters.w1.copy_from_slice(net.w1.as_flattened());
    parameters.b1.copy_from_slice(&net.b1);
    parameters.w2.copy_from_slice(&net.w2);
    parameters.b2[(0, 0)] = net.b2;
    outcome
}

/// Runs `$body` compiled for AVX2 when the CPU has it (wider registers, the same operations: no
/// FMA is enabled, so the rounding is unchanged), else as is.
macro_rules! dispatch_avx2 {
    ($name:ident, $avx2:ident, $generic:ident, ($($arg:ident: $ty:ty),*)) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        fn $avx2<const H: usize>($($arg: $ty),*) {
            $generic::<H>($($arg),*)
        }

        fn $name<const H: usize>($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2, checked just above.
                unsafe { $avx2::<H>($($arg),*) };
                return;
            }
            $generic::<H>($($arg),*)
        }
    };
}

dispatch_avx2!(per_example, per_example_avx2, per_example_body, (net: &Network<H>, x: &[f64], n_x: usize, y: &[f64], activation: Activation, half: &mut Half<H>));

/// For the half's columns: `Z1 = W1 X + b1`, `A1 = g(Z1)`, `A2 = sigmoid(W2 A1 + b2)` (as
/// `linear_forward_into` and `forward_into` compute them), each example's
/// `y log(a) + (1 - y) log(1 - a)`, `dZ2 = A2 - Y` and `dZ1 = (W2^T dZ2) * g'(Z1)`.
#[inline(always)]
fn per_example_body<const H: usize>(
    net: &Network<H>,
    x: &[f64],
    n_x: usize,
    y: &[f64],
    activation: Activation,
    half: &mut Half<H>,
) {
    let n = half.z1.len();
    let x = &x[half.first * n_x..(half.first + n) * n_x];
    let y = &y[half.first..half.first + n];
    for (z, x_col) in half.z1.iter_mut().zip(x.chunks_exact(n_x)) {
        for i in 0..H {
            z[i] = net.w1[0][i] * x_col[0];
        }
        for (w_col, &xk) in net.w1.iter().zip(x_col).skip(1) {
            for i in 0..H {
                z[i] += w_col[i] * xk;
            }
        }
        for i in 0..H {
            z[i] += net.b1[i];
        }
    }
    match activation {
        Activation::Tanh => {
            crate::tanh::tanh_into(half.z1.as_flattened(), half.a1.as_flattened_mut())
        }
        g => {
            for (a, &z) in half.a1.as_flattened_mut().iter_mut().zip(half.z1.as_flattened()) {
                *a = g.apply_scalar(z);
            }
        }
    }
    for (minus_z2, a_col) in half.minus_z2.iter_mut().zip(&half.a1) {
        let mut acc = net.w2[0] * a_col[0];
        for i in 1..H {
            acc += net.w2[i] * a_col[i];
        }
        *minus_z2 = -(acc + net.b2);
    }
    // sigmoid(z) = 1 / (1 + e^-z) as numeric::sigmoid computes it, the exponentials together.
    linalg_nn::vector_exp::exp_into(&half.minus_z2, &mut half.exp_minus_z2);
    // One loop per activation, so that its derivative is inlined rather than chosen per value.
    match activation {
        Activation::Tanh => {
            output_and_deltas(net, y, half, |z, a| Activation::Tanh.derivative_scalar(z, a))
        }
        g => output_and_deltas(net, y, half, |z, a| g.derivative_scalar(z, a)),
    }
    half.dz2_sum = pairwise_sum(&half.dz2);
    half.dz1_sums = pairwise_columns(&half.dz1);
}

/// `A2 = 1 / (1 + e^-Z2)` from the half's exponentials, each example's log-likelihood (with
/// `every_cost`), `dZ2 = A2 - Y` and `dZ1 = (W2^T dZ2) * g'(Z1)` with `derivative` = `g'`.
#[inline(always)]
fn output_and_deltas<const H: usize>(
    net: &Network<H>,
    y: &[f64],
    half: &mut Half<H>,
    derivative: impl Fn(f64, f64) -> f64,
) {
    let mut all_inside = true;
    for (j, a_col) in half.a1.iter().enumerate() {
        let a2 = 1.0 / (1.0 + half.exp_minus_z2[j]);
        half.a2[j] = a2;
        if net.every_cost {
            half.log_likelihood[j] = log_likelihood(a2, y[j]);
        }
        all_inside &= strictly_inside(a2);
        let dz2 = a2 - y[j];
        half.dz2[j] = dz2;
        let (z_col, dz1) = (&half.z1[j], &mut half.dz1[j]);
        for i in 0..H {
            dz1[i] = (net.w2[i] * dz2) * derivative(z_col[i], a_col[i]);
        }
    }
    half.all_inside = all_inside;
}

dispatch_avx2!(start_sums, start_sums_avx2, start_sums_body, (x: &[f64], n_x: usize, half: &Half<H>, sums: &mut Sums<H>));

/// The column-order sums `dZ2 A1^T` and `dZ1 X^T` over the first half's columns, from zero.
#[inline(always)]
fn start_sums_body<const H: usize>(x: &[f64], n_x: usize, half: &Half<H>, sums: &mut Sums<H>) {
    sums.dw2 = [0.0; H];
    for g in sums.dw1.iter_mut() {
        *g = [0.0; H];
    }
    continue_sums(x, n_x, half, sums);
}

/// The column-order sums `dZ2 A1^T` and `dZ1 X^T` go on with the half's columns. Each entry
/// receives its terms one after another in column order, as in `backward_into`.
#[inline(always)]
fn continue_sums<const H: usize>(x: &[f64], n_x: usize, half: &Half<H>, sums: &mut Sums<H>) {
    if n_x == 2 {
        return continue_sums_in_registers::<H, 2>(x, half, sums);
    }
    for (&d, a_col) in half.dz2.iter().zip(&half.a1) {
        for i in 0..H {
            sums.dw2[i] += d * a_col[i];
        }
    }
    let x = &x[half.first * n_x..];
    for (dz_col, x_col) in half.dz1.iter().zip(x.chunks_exact(n_x)) {
        for (g, &xk) in sums.dw1.iter_mut().zip(x_col) {
            for i in 0..H {
                g[i] += dz_col[i] * xk;
            }
        }
    }
}

fn sums_and_update<const H: usize>(
    net: &mut Network<H>,
    x: &[f64],
    learning_rate: f64,
    halves: [&Half<H>; 2],
    sums: &mut Sums<H>,
) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        unsafe { sums_avx2::<H>(net, x, learning_rate, halves, sums) };
        return;
    }
    sums_body::<H>(net, x, learning_rate, halves, sums);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn sums_avx2<const H: usize>(
    net: &mut Network<H>,
    x: &[f64],
    learning_rate: f64,
    halves: [&Half<H>; 2],
    sums: &mut Sums<H>,
) {
    sums_body::<H>(net, x, learning_rate, halves, sums)
}

/// [`continue_sums`] for `N` inputs (the flower's two): the sums held in registers over the
/// columns, `dW2`'s and `dW1`'s side by side (three chains of additions at once instead of one
/// after another through memory). Each entry still receives its terms in column order, so the
/// same bits.
#[inline(always)]
fn continue_sums_in_registers<const H: usize, const N: usize>(
    x: &[f64],
    half: &Half<H>,
    sums: &mut Sums<H>,
) {
    let mut dw2 = sums.dw2;
    let mut dw1: [[f64; H]; N] = std::array::from_fn(|k| sums.dw1[k]);
    let x = &x[half.first * N..];
    let columns = half.dz2.iter().zip(&half.a1).zip(half.dz1.iter().zip(x.chunks_exact(N)));
    for ((&d, a_col), (dz_col, x_col)) in columns {
        for i in 0..H {
            dw2[i] += d * a_col[i];
        }
        for k in 0..N {
            for i in 0..H {
                dw1[k][i] += dz_col[i] * x_col[k];
            }
        }
    }
    sums.dw2 = dw2;
    sums.dw1[..N].copy_from_slice(&dw1);
}

/// The rest of `backward_into`, then `update_parameters`: the gradients as the notebook rounds
/// them (the products summed over the examples in column order, then times `1/m`; the biases'
/// sums in numpy's pairwise order), then `theta -= alpha dtheta`.
#[inline(always)]
fn sums_body<const H: usize>(
    net: &mut Network<H>,
    x: &[f64],
    learning_rate: f64,
    halves: [&Half<H>; 2],
    sums: &mut Sums<H>,
) {
    let m = sums.dz2.len();
    let n_x = net.w1.len();
    let inv_m = 1.0 / m as f64;
    // dW2 = (1/m) dZ2 A1^T and dW1 = (1/m) dZ1 X^T: the first half's columns are summed
    // already (start_sums), the second half's follow.
    continue_sums(x, n_x, halves[1], sums);
    let mut dw2 = sums.dw2;
    for g in &mut dw2 {
        *g *= inv_m;
    }
    // db2 and db1 in numpy's pairwise order: from the halves' own sums when numpy splits the
    // examples between the halves, else over the examples copied side by side.
    let (dz2_sum, row_sums) = if split_like_numpy(m, halves[0].dz2.len()) {
        let mut rows = halves[0].dz1_sums;
        for (row, other) in rows.iter_mut().zip(halves[1].dz1_sums) {
            *row += other;
        }
        (halves[0].dz2_sum + halves[1].dz2_sum, rows)
    } else {
        let dz2 = halves[0].dz2.iter().chain(&halves[1].dz2);
        for (slot, &d) in sums.dz2.iter_mut().zip(dz2) {
            *slot = d;
        }
        let dz1 = halves[0].dz1.iter().chain(&halves[1].dz1);
        for (slot, d) in sums.dz1.iter_mut().zip(dz1) {
            *slot = *d;
        }
        (pairwise_sum(&sums.dz2), pairwise_columns(&sums.dz1))
    };
    let db2 = dz2_sum * inv_m;
    // update_parameters
    for (w_col, g) in net.w1.iter_mut().zip(&sums.dw1) {
        for i in 0..H {
            w_col[i] -= learning_rate * (g[i] * inv_m);
        }
    }
    for i in 0..H {
        net.b1[i] -= learning_rate * (row_sums[i] * inv_m);
        net.w2[i] -= learning_rate * dw2[i];
    }
    net.b2 -= learning_rate * db2;
}

/// numpy's pairwise sum of `values` (see `numeric::pairwise_sum`).
fn pairwise_sum(values: &[f64]) -> f64 {
    let columns: &[[f64; 1]] = values.as_chunks::<1>().0;
    pairwise_columns(columns)[0]
}

/// numpy's pairwise sum along each of the `H` rows at once: row `i` of the result is
/// `numeric::pairwise_sum` of the values `columns[j][i]`, with the same additions in the same
/// order, `H` rows side by side.
fn pairwise_columns<const H: usize>(columns: &[[f64; H]]) -> [f64; H] {
    const BLOCK: usize = 128;
    let n = columns.len();
    let add = |a: [f64; H], b: &[f64; H]| -> [f64; H] {
        let mut out = a;
        for i in 0..H {
            out[i] += b[i];
        }
        out
    };
    if n < 8 {
        columns.iter().fold([0.0; H], add)
    } else if n <= BLOCK {
        let mut r: [[f64; H]; 8] = [[0.0; H]; 8];
        r.copy_from_slice(&columns[..8]);
        let whole = n - n % 8;
        for block in columns[8..whole].chunks_exact(8) {
            for (slot, value) in r.iter_mut().zip(block) {
                *slot = add(*slot, value);
            }
        }
        let mut res = add(
            add(add(r[0], &r[1]), &add(r[2], &r[3])),
            &add(add(r[4], &r[5]), &add(r[6], &r[7])),
        );
        for value in &columns[whole..] {
            res = add(res, value);
        }
        res
    } else {
        let half = n / 2;
        let half = half - half % 8;
        add(pairwise_columns(&columns[..half]), &pairwise_columns(&columns[half..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Preset, initialize_parameters};
    use linalg_nn::data::planar::load_planar_dataset;
    use linalg_nn::train::Silent;

    /// Both loops from the same start: the parameters and every cost must be the same bits.
    fn compare(hidden_units: usize, activation: Activation, num_iterations: usize) {
        let flower = load_planar_dataset();
        let config =
            ModelConfig { hidden_units, activation, num_iterations, ..Preset::Course.config() };
        let mut start = initialize_parameters(2, hidden_units, 1, &config.init).unwrap();
        start.activation = activation;
        // The fast loop from `start`: the parameters, the recorded costs, every cost.
        let fast_run = |config: &ModelConfig| {
            let (mut parameters, mut costs, mut history) = (start.clone(), Vec::new(), Vec::new());
            let outcome = try_train(
                &flower.x,
                &flower.y,
                &mut parameters,
                config,
                &mut Silent,
                &mut costs,
                &mut history,
            );
            assert!(matches!(outcome, Some(Ok(()))), "n_h = {hidden_units} takes the fast loop");
            (parameters, costs, history)
        };
        let (fast, fast_costs, fast_history) = fast_run(&config);
        let mut general = start.clone();
        let (mut general_costs, mut general_history) = (Vec::new(), Vec::new());
        crate::train_general(
            &flower.x,
            &flower.y,
            &mut general,
            &config,
            &mut Silent,
            &mut general_costs,
            &mut general_history,
        )
        .unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&fast_history), bits(&general_history), "costs, n_h = {hidden_units}");
        assert_eq!(fast_costs.len(), num_iterations.div_ceil(config.cost_every));
        for ((name, f), (_, g)) in fast.named().into_iter().zip(general.named()) {
            assert_eq!(bits(f.as_slice()), bits(g.as_slice()), "{name}, n_h = {hidden_units}");
        }

        // Without every iteration's cost: the same parameters and recorded costs, no history.
        let (lean, lean_costs, lean_history) =
            fast_run(&ModelConfig { every_cost: false, ..config });
        assert!(lean_history.is_empty());
        assert_eq!(bits(&lean_costs), bits(&fast_costs), "recorded costs, n_h = {hidden_units}");
        for ((name, l), (_, f)) in lean.named().into_iter().zip(fast.named()) {
            assert_eq!(bits(l.as_slice()), bits(f.as_slice()), "{name}, every_cost off");
        }
    }

    #[test]
    fn fast_loop_gives_the_general_loops_bits() {
        // Long enough at learning rate 1.2 for any rounding difference to show.
        compare(4, Activation::Tanh, 1500);
        compare(1, Activation::Tanh, 300);
        compare(5, Activation::Relu, 300);
        compare(8, Activation::Sigmoid, 300);
    }

    #[test]
    fn one_thread_gives_the_same_bits_as_two() {
        let flower = load_planar_dataset();
        let config = ModelConfig { num_iterations: 800, ..Preset::Course.config() };
        let train = |single: bool| {
            let (x, y) = (flower.x.clone(), flower.y.clone());
            std::thread::spawn(move || {
                if single {
                    single_threaded_here();
                }
                let mut p = initialize_parameters(2, 4, 1, &config.init).unwrap();
                let (mut costs, mut history) = (Vec::new(), Vec::new());
                let outcome =
                    try_train(&x, &y, &mut p, &config, &mut Silent, &mut costs, &mut history);
                assert!(matches!(outcome, Some(Ok(()))));
                (p, history)
            })
            .join()
            .unwrap()
        };
        let (one, one_history) = train(true);
        let (two, two_history) = train(false);
        assert_eq!(one, two);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&one_history), bits(&two_history));
    }

    #[test]
    fn other_sizes_take_the_general_loop() {
        let flower = load_planar_dataset();
        let config = ModelConfig { hidden_units: 9, num_iterations: 5, ..Preset::Course.config() };
        let mut p = initialize_parameters(2, 9, 1, &config.init).unwrap();
        let (mut costs, mut history) = (Vec::new(), Vec::new());
        let outcome =
            try_train(&flower.x, &flower.y, &mut p, &config, &mut Silent, &mut costs, &mut history);
        assert!(outcome.is_none());
        assert!(history.is_empty());
    }

    #[test]
    fn pairwise_columns_sums_each_row_like_numpy() {
        // Three rows of 300 values: each row's sum equals numeric::pairwise_sum of that row.
        let columns: Vec<[f64; 3]> = (0..300)
            .map(|j| {
                let v = j as f64;
                [v * 0.1, 1.0 / (v + 1.0), (v * 0.7).sin()]
            })
            .collect();
        let sums = pairwise_columns(&columns);
        let rows = DMatrix::from_fn(3, 300, |i, j| columns[j][i]);
        let expected = crate::sum_rows_like_numpy(&rows);
        for i in 0..3 {
            assert_eq!(sums[i].to_bits(), expected[(i, 0)].to_bits(), "row {i}");
        }
    }
}
