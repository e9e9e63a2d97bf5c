//! The training loop of a network with one hidden layer and a sigmoid output, on matrices
//! (course 1, week 3, section 4.4's `nn_model`: forward propagation with a tanh (or other) hidden
//! layer, the cross-entropy cost, backpropagation and the gradient-descent update, repeated), the
//! same arithmetic as the notebook's plain loop, made fast:
//!
//! - one output unit and up to eight hidden units (every setting of the notebook) run with each
//!   column of `Z1`, `A1` and `dZ1` held as a fixed-size array, so that a column is one or two
//!   vector registers instead of a loop of unknown length, compiled for AVX2 where the CPU has
//!   it and [`crate::lanes::Level::current`] allows it; the examples are cut into two fixed halves for two threads in lock step
//!   ([`crate::pair`]);
//! - any other size runs the matrix loop of [`matrices`], over buffers reused across iterations;
//! - `tanh` is [`crate::tanh::tanh_into`], the sigmoid's exponentials
//!   [`crate::vector_exp::exp_into`], both with the plain scalar code's bits.
//!
//! Every operation is the plain loop's, in the same order and with no fused multiply-add: the
//! products summed over their shared index in ascending order (the weight gradients from zero,
//! before the `1/m`), the bias gradients in numpy's pairwise order (`np.sum(dZ, axis=1)`, which
//! decides the course's last bits), `theta -= alpha dtheta`. So it gives the same bits; the tests
//! compare the two paths here bit for bit, and the course crate compares this engine with its
//! notebook loop. Only the cost of iteration `i` and the observer sit between the forward and the
//! backward pass, as in the plain loop.
//!
//! [`side_by_side`] trains independent networks (section 6's hidden-layer sweep) on all cores.

// Loops index several fixed-size arrays with the same `i` (rows of a column); written that way
// they say what the notebook's matrix expressions say and vectorise fully.
#![allow(clippy::needless_range_loop)]

pub mod matrices;

use crate::lanes::{Kernel, Lanes, Level};
use crate::pair;
use linalg_nn::activations::Activation;
use linalg_nn::cost::{cost_needed, labels_keep_cost_finite, log_likelihood, strictly_inside};
use linalg_nn::matrix::ensure_shape;
use linalg_nn::train::{Iteration, TrainObserver, check_cost, validate_hyperparameters};
use linalg_nn::{DMatrix, NnError};
use std::sync::{Mutex, RwLock};

/// A network with one hidden layer: `W1 (n_h, n_x)`, `b1 (n_h, 1)`, `W2 (n_y, n_h)`,
/// `b2 (n_y, 1)`, the hidden activation `g` (the output is always the sigmoid).
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// Hidden-layer weights, `(n_h, n_x)`.
    pub w1: DMatrix<f64>,
    /// Hidden-layer biases, `(n_h, 1)`.
    pub b1: DMatrix<f64>,
    /// Output-layer weights, `(n_y, n_h)`.
    pub w2: DMatrix<f64>,
    /// Output-layer biases, `(n_y, 1)`.
    pub b2: DMatrix<f64>,
    /// The hidden activation `g`, applied to `Z1`.
    pub activation: Activation,
}

impl Network {
    /// `(n_x, n_h, n_y)` read from the weights, after checking that the four matrices fit
    /// together.
    pub fn layer_sizes(&self) -> Result<(usize, usize, usize), NnError> {
        let (n_h, n_x) = self.w1.shape();
        let n_y = self.w2.nrows();
        ensure_shape(&self.b1, (n_h, 1), "b1 (one bias per hidden unit)")?;
        ensure_shape(&self.w2, (n_y, n_h), "W2 (n_y, n_h)")?;
        ensure_shape(&self.b2, (n_y, 1), "b2 (one bias per output unit)")?;
        Ok((n_x, n_h, n_y))
    }
}

/// How [`train`] runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Schedule {
    /// Gradient-descent iterations.
    pub num_iterations: usize,
    /// `alpha` of `theta -= alpha dtheta`.
    pub learning_rate: f64,
    /// The cost is recorded every `cost_every` iterations, from iteration 0 (at least 1).
    pub cost_every: usize,
    /// Also keep the cost of every iteration ([`Trained::cost_history`]). Without it the cost
    /// is worked out only on the recorded iterations and whenever it could be infinite (a
    /// probability of exactly 0 or 1, or NaN, or a label outside `[-1, 1]`), so a divergence
    /// still stops training at the same iteration.
    pub every_cost: bool,
    /// Whether a run may take a second thread for half of the examples (from 128 examples on,
    /// with two cores or more); off where the caller fills every core already
    /// ([`side_by_side`]). The result is the same bits either way.
    pub second_thread: bool,
}

/// What [`train`] ends with.
#[derive(Clone, Debug, PartialEq)]
pub struct Trained {
    /// The network after the last update.
    pub network: Network,
    /// The cost at iterations `0, cost_every, 2 cost_every, ...`, each before its update.
    pub costs: Vec<f64>,
    /// The cost of every iteration, before its update; empty unless [`Schedule::every_cost`].
    pub cost_history: Vec<f64>,
}

/// Trains `start` on `x (n_x, m)`, `y (n_y, m)` for [`Schedule::num_iterations`] iterations of
/// forward propagation, cost, backpropagation and update, and returns the network with its
/// costs. The observer sees every iteration, with the cost on the recorded ones.
///
/// Every iteration's cost that is worked out is checked: a run whose cost becomes infinite or NaN
/// (a learning rate far too large) stops with [`NnError::Diverged`].
///
/// ```
/// use linalg_nn::activations::Activation;
/// use linalg_nn::{DMatrix, NumpyRng, data::planar::load_planar_dataset, train::Silent};
/// use nn_engines::shallow::{Network, Schedule, train};
/// let flower = load_planar_dataset();
/// let mut rng = NumpyRng::new(2);
/// let (w1, w2) = (rng.randn(4, 2) * 0.01, rng.randn(1, 4) * 0.01);
/// let (b1, b2) = (DMatrix::zeros(4, 1), DMatrix::zeros(1, 1));
/// let start = Network { w1, b1, w2, b2, activation: Activation::Tanh };
/// let schedule = Schedule {
///     num_iterations: 1000,
///     learning_rate: 1.2,
///     cost_every: 1000,
///     every_cost: false,
///     second_thread: true,
/// };
/// let trained = train(&flower.x, &flower.y, start, &schedule, &mut Silent).unwrap();
/// // Course notebook, "Cost after iteration 0: 0.693048".
/// assert!((trained.costs[0] - 0.693048).abs() < 1e-6);
/// ```
pub fn train<O: TrainObserver + ?Sized>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    start: Network,
    schedule: &Schedule,
    observer: &mut O,
) -> Result<Trained, NnError> {
    validate_hyperparameters(schedule.num_iterations, schedule.learning_rate)?;
    if schedule.cost_every == 0 {
        return Err(NnError::invalid("cost recording interval", "must be at least 1, got 0"));
    }
    let (n_x, n_h, n_y) = start.layer_sizes()?;
    let m = x.ncols();
    if m == 0 {
        return Err(NnError::invalid("X", "needs at least one example, got none"));
    }
    ensure_shape(x, (n_x, m), "X (n_x rows, one example per column)")?;
    ensure_shape(y, (n_y, m), "Y (one label per column of X)")?;
    let total = schedule.num_iterations;
    let mut network = start;
    let mut costs = Vec::with_capacity(total.div_ceil(schedule.cost_every));
    let mut cost_history = Vec::with_capacity(if schedule.every_cost { total } else { 0 });
    let history = History { costs: &mut costs, cost_history: &mut cost_history };
    let outcome = match n_h {
        _ if !takes_fixed_loop(n_y, n_h) => {
            matrices::run(x, y, &mut network, schedule, observer, history)
        }
        1 => run::<1, O>(x, y, &mut network, schedule, observer, history),
        2 => run::<2, O>(x, y, &mut network, schedule, observer, history),
        3 => run::<3, O>(x, y, &mut network, schedule, observer, history),
        4 => run::<4, O>(x, y, &mut network, schedule, observer, history),
        5 => run::<5, O>(x, y, &mut network, schedule, observer, history),
        6 => run::<6, O>(x, y, &mut network, schedule, observer, history),
        7 => run::<7, O>(x, y, &mut network, schedule, observer, history),
        _ => run::<8, O>(x, y, &mut network, schedule, observer, history),
    };
    outcome.map(|()| Trained { network, costs, cost_history })
}

/// The network's output `A2 = sigmoid(W2 g(W1 X + b1) + b2)` for the examples of `x (n_x, m)`
/// (section 4.5's `predict` before its threshold): [`train`]'s forward pass, with the vector
/// `tanh`, so the plain code's bits. For many examples at once (a decision boundary's mesh).
///
/// ```
/// use linalg_nn::{DMatrix, activations::Activation};
/// use nn_engines::shallow::{Network, output};
/// let network = Network {
///     w1: DMatrix::from_row_slice(1, 2, &[1.0, 0.0]),
///     b1: DMatrix::zeros(1, 1),
///     w2: DMatrix::from_element(1, 1, 10.0),
///     b2: DMatrix::zeros(1, 1),
///     activation: Activation::Tanh,
/// };
/// let x = DMatrix::from_row_slice(2, 2, &[0.0, 3.0, 1.0, 1.0]);
/// let a2 = output(&network, &x).unwrap();
/// assert_eq!(a2[(0, 0)], 0.5);
/// assert!(a2[(0, 1)] > 0.9999);
/// ```
pub fn output(network: &Network, x: &DMatrix<f64>) -> Result<DMatrix<f64>, NnError> {
    let (n_x, _, _) = network.layer_sizes()?;
    ensure_shape(x, (n_x, x.ncols()), "X (n_x rows, one example per column)")?;
    Ok(matrices::output(network, x))
}

/// Runs `run(job)` for every job of `jobs` on the machine's cores, one job per thread at a time,
/// the heaviest (largest `weight`) first so that the lighter ones fill the gaps; returns each
/// job's result in the order of `jobs` (`None` for a job that did not run: a worker stopped).
/// The jobs are independent, so each result is what it would be alone; a job that trains should
/// clear [`Schedule::second_thread`], since every core is busy already.
///
/// ```
/// use nn_engines::shallow::side_by_side;
/// let squares = side_by_side(vec![3_u64, 1, 2], |&n| n as usize, |n| n * n);
/// assert_eq!(squares, [Some(9), Some(1), Some(4)]);
/// ```
pub fn side_by_side<J: Send, R: Send>(
    jobs: Vec<J>,
    weight: impl Fn(&J) -> usize,
    run: impl Fn(J) -> R + Sync,
) -> Vec<Option<R>> {
    let mut queue: Vec<(usize, usize, J)> =
        jobs.into_iter().enumerate().map(|(slot, job)| (slot, weight(&job), job)).collect();
    let results: Vec<Mutex<Option<R>>> = queue.iter().map(|_| Mutex::new(None)).collect();
    queue.sort_by_key(|&(slot, weight, _)| (std::cmp::Reverse(weight), slot));
    let workers = pair::cores().min(queue.len());
    let queue = Mutex::new(queue.into_iter());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                // A poisoned lock means another worker panicked; the scope re-raises that panic.
                while let Some((slot, _, job)) = queue.lock().ok().and_then(|mut q| q.next()) {
                    let result = run(job);
                    if let Ok(mut cell) = results[slot].lock() {
                        *cell = Some(result);
                    }
                }
            });
        }
    });
    results.into_iter().map(|cell| cell.into_inner().ok().flatten()).collect()
}

/// Whether [`train`] takes the fixed-size loop: one output unit and 1 to 8 hidden units.
fn takes_fixed_loop(n_y: usize, n_h: usize) -> bool {
    n_y == 1 && (1..=8).contains(&n_h)
}

/// Where the loops record their costs.
pub(crate) struct History<'a> {
    costs: &'a mut Vec<f64>,
    cost_history: &'a mut Vec<f64>,
}

/// The network as fixed-size columns: `w1[k]` is column `k` of `W1` (the weights of input `k`
/// into the `H` hidden units).
struct Columns<const H: usize> {
    w1: Vec<[f64; H]>,
    b1: [f64; H],
    w2: [f64; H],
    b2: f64,
    /// Whether each example's log-likelihood is needed every iteration
    /// ([`Schedule::every_cost`]).
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

/// The fixed-size loop: [`train`] for one output unit and `H` hidden units.
fn run<const H: usize, O: TrainObserver + ?Sized>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    network: &mut Network,
    schedule: &Schedule,
    observer: &mut O,
    history: History<'_>,
) -> Result<(), NnError> {
    let (n_x, m) = x.shape();
    let column = |slice: &[f64]| -> [f64; H] {
        let mut out = [0.0; H];
        out.copy_from_slice(slice);
        out
    };
    let net = RwLock::new(Columns::<H> {
        w1: network.w1.as_slice().chunks_exact(H).map(column).collect(),
        b1: column(network.b1.as_slice()),
        w2: column(network.w2.as_slice()),
        b2: network.b2[(0, 0)],
        every_cost: schedule.every_cost,
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
    let activation = network.activation;
    let learning_rate = schedule.learning_rate;
    let (xs, ys) = (x.as_slice(), y.as_slice());
    let labels_finite_cost = labels_keep_cost_finite(ys);
    let total = schedule.num_iterations;
    let threads =
        if m >= PARALLEL_MIN_EXAMPLES && schedule.second_thread { pair::cores() } else { 1 };
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
            let recorded = index % schedule.cost_every == 0;
            // cross_entropy_cost's sum: the terms in column order. Without `every_cost` the
            // halves skipped the logarithms; they are worked out here (the same terms) when the
            // cost is recorded or could be infinite.
            let cost = if schedule.every_cost {
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
            if let (true, Some(cost)) = (schedule.every_cost, cost) {
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
    // The parameters as they are, also after a divergence (which the caller returns).
    let net = net.into_inner().map_err(|_| poisoned())?;
    network.w1.copy_from_slice(net.w1.as_flattened());
    network.b1.copy_from_slice(&net.b1);
    network.w2.copy_from_slice(&net.w2);
    network.b2[(0, 0)] = net.b2;
    outcome
}

/// The level the per-column loops below are compiled for: the plain code, compiled by
/// [`Level::run`] with wider registers and the same operations (Rust never fuses a multiply and
/// an add, so the rounding is unchanged), at most AVX2, the level they were measured at.
fn loop_level() -> Level {
    Level::current().min(Level::Avx2)
}

/// [`per_example_body`] at [`loop_level`].
fn per_example<const H: usize>(
    net: &Columns<H>,
    x: &[f64],
    n_x: usize,
    y: &[f64],
    activation: Activation,
    half: &mut Half<H>,
) {
    loop_level().run(PerExample { net, x, n_x, y, activation, half });
}

/// The kernel of [`per_example`].
struct PerExample<'a, const H: usize> {
    net: &'a Columns<H>,
    x: &'a [f64],
    n_x: usize,
    y: &'a [f64],
    activation: Activation,
    half: &'a mut Half<H>,
}

impl<const H: usize> Kernel for PerExample<'_, H> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(self, _lanes: L) {
        per_example_body(self);
    }
}

/// For the half's columns: `Z1 = W1 X + b1`, `A1 = g(Z1)`, `A2 = sigmoid(W2 A1 + b2)` (as
/// [`matrices`] computes them), each example's
/// `y log(a) + (1 - y) log(1 - a)`, `dZ2 = A2 - Y` and `dZ1 = (W2^T dZ2) * g'(Z1)`.
#[inline(always)]
fn per_example_body<const H: usize>(kernel: PerExample<'_, H>) {
    let PerExample { net, x, n_x, y, activation, half } = kernel;
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
    // sigmoid(z) = 1 / (1 + e^-z) as the plain loop computes it, the exponentials together.
    crate::vector_exp::exp_into(&half.minus_z2, &mut half.exp_minus_z2);
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
    net: &Columns<H>,
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

/// [`start_sums_body`] at [`loop_level`].
fn start_sums<const H: usize>(x: &[f64], n_x: usize, half: &Half<H>, sums: &mut Sums<H>) {
    loop_level().run(StartSums { x, n_x, half, sums });
}

/// The kernel of [`start_sums`].
struct StartSums<'a, const H: usize> {
    x: &'a [f64],
    n_x: usize,
    half: &'a Half<H>,
    sums: &'a mut Sums<H>,
}

impl<const H: usize> Kernel for StartSums<'_, H> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(self, _lanes: L) {
        start_sums_body::<H>(self.x, self.n_x, self.half, self.sums);
    }
}

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
/// receives its terms one after another in column order, as in [`matrices`].
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

/// [`sums_body`] at [`loop_level`].
fn sums_and_update<const H: usize>(
    net: &mut Columns<H>,
    x: &[f64],
    learning_rate: f64,
    halves: [&Half<H>; 2],
    sums: &mut Sums<H>,
) {
    loop_level().run(SumsAndUpdate { net, x, learning_rate, halves, sums });
}

/// The kernel of [`sums_and_update`].
struct SumsAndUpdate<'a, const H: usize> {
    net: &'a mut Columns<H>,
    x: &'a [f64],
    learning_rate: f64,
    halves: [&'a Half<H>; 2],
    sums: &'a mut Sums<H>,
}

impl<const H: usize> Kernel for SumsAndUpdate<'_, H> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(self, _lanes: L) {
        sums_body(self);
    }
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

/// The rest of backpropagation, then the update: the gradients as the notebook rounds
/// them (the products summed over the examples in column order, then times `1/m`; the biases'
/// sums in numpy's pairwise order), then `theta -= alpha dtheta`.
#[inline(always)]
fn sums_body<const H: usize>(kernel: SumsAndUpdate<'_, H>) {
    let SumsAndUpdate { net, x, learning_rate, halves, sums } = kernel;
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

/// numpy's pairwise sum of `values` ([`matrices::pairwise_sum`]).
fn pairwise_sum(values: &[f64]) -> f64 {
    let columns: &[[f64; 1]] = values.as_chunks::<1>().0;
    pairwise_columns(columns)[0]
}

/// numpy's pairwise sum along each of the `H` rows at once: row `i` of the result is
/// [`matrices::pairwise_sum`] of the values `columns[j][i]`, with the same additions in the same
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
    use linalg_nn::NumpyRng;
    use linalg_nn::data::planar::load_planar_dataset;
    use linalg_nn::train::Silent;

    /// The notebook's `initialize_parameters(2, n_h, 1)`: seed 2, `randn * 0.01`, zero biases.
    fn course_start(hidden_units: usize, activation: Activation) -> Network {
        let mut rng = NumpyRng::new(2);
        let w1 = rng.randn(hidden_units, 2) * 0.01;
        let w2 = rng.randn(1, hidden_units) * 0.01;
        let (b1, b2) = (DMatrix::zeros(hidden_units, 1), DMatrix::zeros(1, 1));
        Network { w1, b1, w2, b2, activation }
    }

    /// The course preset's schedule (learning rate 1.2, cost every 1000), every cost kept.
    fn course_schedule(num_iterations: usize) -> Schedule {
        Schedule {
            num_iterations,
            learning_rate: 1.2,
            cost_every: 1000,
            every_cost: true,
            second_thread: true,
        }
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Both loops from the same start: the parameters and every cost must be the same bits.
    fn compare(hidden_units: usize, activation: Activation, num_iterations: usize) {
        let flower = load_planar_dataset();
        let start = course_start(hidden_units, activation);
        let schedule = course_schedule(num_iterations);
        assert!(takes_fixed_loop(1, hidden_units));
        let fixed = train(&flower.x, &flower.y, start.clone(), &schedule, &mut Silent).unwrap();
        let (mut general, mut costs, mut cost_history) = (start.clone(), Vec::new(), Vec::new());
        let history = History { costs: &mut costs, cost_history: &mut cost_history };
        matrices::run(&flower.x, &flower.y, &mut general, &schedule, &mut Silent, history).unwrap();
        assert_eq!(bits(&fixed.cost_history), bits(&cost_history), "costs, n_h = {hidden_units}");
        assert_eq!(bits(&fixed.costs), bits(&costs), "recorded costs, n_h = {hidden_units}");
        assert_eq!(fixed.costs.len(), num_iterations.div_ceil(schedule.cost_every));
        let named = |n: &Network| [n.w1.clone(), n.b1.clone(), n.w2.clone(), n.b2.clone()];
        for (f, g) in named(&fixed.network).iter().zip(named(&general)) {
            assert_eq!(bits(f.as_slice()), bits(g.as_slice()), "n_h = {hidden_units}");
        }

        // Without every iteration's cost: the same parameters and recorded costs, no history.
        let lean_schedule = Schedule { every_cost: false, ..schedule };
        let lean = train(&flower.x, &flower.y, start, &lean_schedule, &mut Silent).unwrap();
        assert!(lean.cost_history.is_empty());
        assert_eq!(bits(&lean.costs), bits(&fixed.costs), "recorded costs, n_h = {hidden_units}");
        for (l, f) in named(&lean.network).iter().zip(named(&fixed.network)) {
            assert_eq!(bits(l.as_slice()), bits(f.as_slice()), "every_cost off");
        }
    }

    #[test]
    fn fixed_size_loop_gives_the_matrix_loops_bits() {
        // Long enough at learning rate 1.2 for any rounding difference to show.
        compare(4, Activation::Tanh, 1500);
        compare(1, Activation::Tanh, 300);
        compare(5, Activation::Relu, 300);
        compare(8, Activation::Sigmoid, 300);
    }

    #[test]
    fn one_thread_gives_the_same_bits_as_two() {
        let flower = load_planar_dataset();
        let train_with = |second_thread: bool| {
            let schedule = Schedule { second_thread, ..course_schedule(800) };
            let start = course_start(4, Activation::Tanh);
            train(&flower.x, &flower.y, start, &schedule, &mut Silent).unwrap()
        };
        let (one, two) = (train_with(false), train_with(true));
        assert_eq!(one.network, two.network);
        assert_eq!(bits(&one.cost_history), bits(&two.cost_history));
    }

    #[test]
    fn only_one_output_and_up_to_eight_hidden_units_take_the_fixed_size_loop() {
        assert!((1..=8).all(|n_h| takes_fixed_loop(1, n_h)));
        assert!(!takes_fixed_loop(1, 9));
        assert!(!takes_fixed_loop(2, 4));
    }

    #[test]
    fn bad_shapes_and_schedules_are_refused() {
        let flower = load_planar_dataset();
        let start = course_start(4, Activation::Tanh);
        let schedule = course_schedule(10);
        let refused = |x: &DMatrix<f64>, y: &DMatrix<f64>, network: Network, s: Schedule| {
            train(x, y, network, &s, &mut Silent).unwrap_err().to_string()
        };
        let wrong_y = DMatrix::zeros(1, 399);
        let err = refused(&flower.x, &wrong_y, start.clone(), schedule);
        assert!(err.contains("Y (one label per column of X)"), "{err}");
        let wrong_b1 = Network { b1: DMatrix::zeros(3, 1), ..start.clone() };
        assert!(refused(&flower.x, &flower.y, wrong_b1, schedule).contains("b1"));
        let never = Schedule { cost_every: 0, ..schedule };
        assert!(refused(&flower.x, &flower.y, start.clone(), never).contains("at least 1"));
        let nan = Schedule { learning_rate: f64::NAN, ..schedule };
        assert!(refused(&flower.x, &flower.y, start, nan).contains("NaN"));
    }

    #[test]
    fn side_by_side_returns_results_in_the_order_of_the_jobs() {
        let jobs: Vec<usize> = vec![5, 50, 1, 20, 3];
        let results = side_by_side(jobs.clone(), |&n| n, |n| n * 10);
        assert_eq!(results, jobs.iter().map(|n| Some(n * 10)).collect::<Vec<_>>());
        assert!(side_by_side(Vec::<usize>::new(), |&n| n, |n| n).is_empty());
    }

    #[test]
    fn pairwise_columns_sums_each_row_like_numpy() {
        // Three rows of 300 values: each row's sum equals matrices::pairwise_sum of that row.
        let columns: Vec<[f64; 3]> = (0..300)
            .map(|j| {
                let v = j as f64;
                [v * 0.1, 1.0 / (v + 1.0), (v * 0.7).sin()]
            })
            .collect();
        let sums = pairwise_columns(&columns);
        for i in 0..3 {
            let expected = matrices::pairwise_sum(columns.len(), &|j| columns[j][i]);
            assert_eq!(sums[i].to_bits(), expected.to_bits(), "row {i}");
        }
    }
}
