//! The three-layer network of Course 2's helper files (`init_utils.py`, `reg_utils.py`,
//! `opt_utils.py`: LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID), trained without
//! allocating: the same bits as [`linalg_nn::three_layer`]'s `forward_propagation`,
//! `compute_loss`, `backward_propagation` and `update_parameters`, many times faster.
//!
//! - [`Workspace`] holds every per-example buffer for a network's sizes and up to `capacity`
//!   examples, made once. [`Workspace::load`] copies the examples in (full batch), or
//!   [`Workspace::load_columns`] the columns a permutation picks (a mini-batch);
//!   [`Workspace::step`] then runs the forward and the backward propagation and fills
//!   [`WeightGradients`], leaving the update to the caller (gradient descent, momentum, Adam);
//!   [`Workspace::loss`] is `compute_loss` of that step's output.
//! - [`train`] is full-batch gradient descent on top of it, the initialisation notebook's
//!   `model` (week 1): step, [`update_parameters`], the cost every `cost_every` iterations.
//!   Above 128 examples it runs on two threads ([`crate::pair`]): the examples are cut where
//!   numpy's pairwise sum cuts them, which is also where `dot_transposed_in_halves` cuts the
//!   weight gradients' sums over the examples; the second thread does the first part's forward work,
//!   bias sums and weight sums while this one does the second part's, then this one adds the
//!   two parts' sums, as one thread would (the same bits either way), and updates.
//!
//! The networks `[2, 10, 5, 1]` (`init_utils`), `[2, 20, 3, 1]` (`reg_utils`) and `[2, 5, 2, 1]`
//! (`opt_utils`) run vector kernels compiled for their sizes (`three_layer/kernels.rs`), at the
//! level [`Level::current`] picks: the forward products `LANES` examples at a time, the
//! gradients' sums over the examples `LANES` output entries at a time, the bias sums in numpy's
//! pairwise order, every sum in the plain code's order and no fused multiply-add, so the bits
//! are the plain code's at every level. Any other sizes run the plain functions themselves (the
//! same bits, with their allocations).
//!
//! **`reg_utils`' form** (week 1's regularization notebook, [`train_reg_utils`],
//! [`Workspace::reg_utils`]): there `dz3 = a3 - Y` without the `1/m` (the forward kernel's
//! factor is one), which multiplies each weight and bias sum instead (`dW3 = 1./m * np.dot(dZ3,
//! A2.T)`, after the sums), `dW` gains the L2 term `lambd / m * W` after that, and dropout
//! multiplies `a1`, `a2` (forward) and `da1`, `da2` (backward) by fixed masks and divides by
//! `keep_prob`, inside `kernels::per_example`, in the notebook's order.

mod kernels;

use crate::aligned::AlignedVec;
use crate::lanes::Level;
use crate::pair;
use kernels::{
    Buffers, Chains, Dropout, Fixed, Forward, Sums, TILE, bias_in_kernel, pairwise_bias,
};
use linalg_nn::matrix::{ensure_finite, ensure_shape};
use linalg_nn::numpy::{pairwise_half, pairwise_sum};
use linalg_nn::three_layer::{Parameters, backward_propagation, forward_propagation};
use linalg_nn::train::{Iteration, TrainObserver, all_finite, validate_hyperparameters};
use linalg_nn::{DMatrix, NnError};
use std::sync::Mutex;

/// The gradients of the weights and biases of one step, the shapes of [`Parameters`]
/// (`dW1 (n1, n_x)`, `db1 (n1, 1)`, ..., `db3 (1, 1)`): the six entries of the notebook's
/// `gradients` dictionary an update reads.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightGradients {
    /// `dW1 = dz1 X^T`.
    pub dw1: DMatrix<f64>,
    /// `db1 = sum(dz1, axis=1)`.
    pub db1: DMatrix<f64>,
    /// `dW2 = dz2 a1^T`.
    pub dw2: DMatrix<f64>,
    /// `db2 = sum(dz2, axis=1)`.
    pub db2: DMatrix<f64>,
    /// `dW3 = dz3 a2^T`.
    pub dw3: DMatrix<f64>,
    /// `db3 = sum(dz3, axis=1)`.
    pub db3: DMatrix<f64>,
}

impl WeightGradients {
    /// Zeros, for a network `layers_dims = [n_x, n1, n2, 1]`.
    pub fn zeros([n0, n1, n2, n3]: [usize; 4]) -> Self {
        WeightGradients {
            dw1: DMatrix::zeros(n1, n0),
            db1: DMatrix::zeros(n1, 1),
            dw2: DMatrix::zeros(n2, n1),
            db2: DMatrix::zeros(n2, 1),
            dw3: DMatrix::zeros(n3, n2),
            db3: DMatrix::zeros(n3, 1),
        }
    }

    /// The six matrices with the notebook's keys, in the order of [`Parameters::named`].
    pub fn named(&self) -> [(&'static str, &DMatrix<f64>); 6] {
        [
            ("dW1", &self.dw1),
            ("db1", &self.db1),
            ("dW2", &self.dw2),
            ("db2", &self.db2),
            ("dW3", &self.dw3),
            ("db3", &self.db3),
        ]
    }

    fn shape_of(&self) -> [usize; 4] {
        [self.dw1.ncols(), self.dw1.nrows(), self.dw2.nrows(), self.dw3.nrows()]
    }
}

/// The buffers of the forward and backward propagation of a network `[n_x, n1, n2, 1]` for up
/// to `capacity` examples, made once, and the examples of the current (mini-)batch.
///
/// ```
/// use linalg_nn::{DMatrix, NumpyRng, init::WeightInit, three_layer};
/// use nn_engines::three_layer::{WeightGradients, Workspace};
/// let dims = [2, 10, 5, 1];
/// let p = three_layer::initialize(&dims, WeightInit::He, 3).unwrap();
/// let x = NumpyRng::new(1).randn(2, 13);
/// let y = DMatrix::from_fn(1, 13, |_, j| (j % 2) as f64);
/// let mut workspace = Workspace::new(dims, 13).unwrap();
/// let mut grads = WeightGradients::zeros(dims);
/// workspace.load(&x, &y).unwrap();
/// workspace.step(&p, &mut grads).unwrap();
/// // The plain functions' bits.
/// let cache = three_layer::forward_propagation(&x, &p).unwrap();
/// let plain = three_layer::backward_propagation(&x, &y, &cache, &p).unwrap();
/// assert_eq!(grads.dw2, plain.dw2);
/// assert_eq!(grads.db1, plain.db1);
/// assert_eq!(workspace.loss(), three_layer::compute_loss(&cache.a3, &y).unwrap());
/// ```
#[derive(Clone, Debug)]
pub struct Workspace {
    dims: [usize; 4],
    capacity: usize,
    /// The examples loaded.
    m: usize,
    level: Level,
    /// The examples in two parts: above 128 examples, cut where numpy's pairwise sum cuts them
    /// (so each part's bias sums and weight sums are the two halves added last), else all in
    /// the first. The two parts' work is independent; [`train`] runs them on two threads.
    parts: [Part; 2],
    /// `compute_loss`'s terms.
    terms: Vec<f64>,
    /// The bias gradients' sums of a step over both parts, `db1`, `db2`, `db3` (`n1 + n2 + 1`
    /// values, before any `1/m` of `reg_utils`).
    bias: Vec<f64>,
    /// `reg_utils`' backward propagation instead of `init_utils`' ([`Workspace::reg_utils`]).
    reg: Option<RegForm>,
}

/// The buffers of one part of the examples.
#[derive(Clone, Debug)]
struct Part {
    bufs: Buffers,
    /// The row length of every buffer: the capacity rounded up to whole tiles of the forward
    /// kernel (`kernels::TILE` examples).
    stride: usize,
    /// The examples of this part.
    m: usize,
    /// numpy's pairwise sums of this part's `dz1`, `dz2`, `dz3` (`n1 + n2 + 1` values).
    bias_sums: Vec<f64>,
    /// `reg_utils`' dropout masks `D1`, `D2` of this part's examples, as rows (empty without
    /// dropout).
    d1: AlignedVec,
    d2: AlignedVec,
}

impl Part {
    fn new([n0, n1, n2]: [usize; 3], capacity: usize) -> Self {
        let stride = capacity.div_ceil(TILE) * TILE;
        Part {
            bufs: Buffers::new([n0, n1, n2], stride),
            stride,
            m: 0,
            bias_sums: vec![0.0; n1 + n2 + 1],
            d1: AlignedVec::default(),
            d2: AlignedVec::default(),
        }
    }

    /// Whether the forward kernel makes this part's bias sums itself ([`bias_in_kernel`]).
    fn bias_in_kernel(&self) -> bool {
        bias_in_kernel(self.m)
    }

    /// The forward propagation and the per-example backward part for the part's examples
    /// (`dz3` times `inv_m`; with `keep_prob`, through the part's dropout masks), then the bias
    /// sums ([`Part::bias_sums`]).
    fn forward<const N0: usize, const N1: usize, const N2: usize>(
        &mut self,
        level: Level,
        fixed: &Fixed<N0, N1, N2>,
        inv_m: f64,
        keep_prob: Option<f64>,
    ) {
        if self.m == 0 {
            return;
        }
        let (stride, end) = (self.stride, self.m);
        let dropout = keep_prob.map(|keep_prob| Dropout { d1: &self.d1, d2: &self.d2, keep_prob });
        let bias = self.bias_in_kernel().then_some(&mut self.bias_sums[..]);
        let (bufs, parameters) = (&mut self.bufs, fixed);
        level.run(Forward { parameters, bufs, stride, end, inv_m, dropout, bias });
        if !self.bias_in_kernel() {
            pairwise_bias::<N1, N2>(level, &self.bufs, stride, [0, end], &mut self.bias_sums);
        }
    }

    /// The weight gradients' sums over the part's examples, each from `0.0`.
    fn chains<const N0: usize, const N1: usize, const N2: usize>(
        &self,
        level: Level,
        sums: &mut Sums<N0, N1>,
    ) {
        if self.m > 0 {
            let (bufs, stride, end) = (&self.bufs, self.stride, self.m);
            level.run(Chains::<N0, N1, N2> { bufs, stride, end, sums });
        } else {
            *sums = Sums::ZERO;
        }
    }
}

impl Workspace {
    /// Buffers for the network `layers_dims = [n_x, n1, n2, 1]` and up to `capacity` examples
    /// per step, run at [`Level::current`].
    pub fn new(layers_dims: [usize; 4], capacity: usize) -> Result<Self, NnError> {
        let [n0, n1, n2, n3] = layers_dims;
        if n3 != 1 || n0 == 0 || n1 == 0 || n2 == 0 {
            return Err(NnError::invalid(
                "layers_dims",
                format!("expected [n_x, n1, n2, 1] with every size positive, got {layers_dims:?}"),
            ));
        }
        if capacity == 0 {
            return Err(NnError::invalid("capacity", "needs room for at least one example"));
        }
        let part = Part::new([n0, n1, n2], capacity);
        Ok(Workspace {
            dims: layers_dims,
            capacity,
            m: 0,
            level: Level::current(),
            parts: [part.clone(), part],
            terms: vec![0.0; capacity],
            bias: vec![0.0; n1 + n2 + 1],
            reg: None,
        })
    }

    /// The same workspace running its kernels at `level` (at most what the CPU has): for tests
    /// that compare the levels.
    pub fn at_level(mut self, level: Level) -> Self {
        self.level = level.min(Level::detected());
        self
    }

    /// `layers_dims`.
    pub fn layers_dims(&self) -> [usize; 4] {
        self.dims
    }

    /// The examples loaded, `m`.
    pub fn examples(&self) -> usize {
        self.m
    }

    /// Makes `x (n_x, m)`, `y (1, m)` the examples of the next steps (`m` at most the
    /// capacity).
    pub fn load(&mut self, x: &DMatrix<f64>, y: &DMatrix<f64>) -> Result<(), NnError> {
        self.load_picked(x, y, x.ncols(), |j| j)
    }

    /// Makes columns `columns[0], columns[1], ...` of `x (n_x, m_all)`, `y (1, m_all)` the
    /// examples of the next steps, in that order: a mini-batch `X[:, permutation[k m_b : (k + 1)
    /// m_b]]` with no allocation.
    pub fn load_columns(
        &mut self,
        x: &DMatrix<f64>,
        y: &DMatrix<f64>,
        columns: &[usize],
    ) -> Result<(), NnError> {
        if let Some(&bad) = columns.iter().find(|&&c| c >= x.ncols()) {
            return Err(NnError::invalid(
                "columns",
                format!("column {bad} is beyond X's {} columns", x.ncols()),
            ));
        }
        self.load_picked(x, y, columns.len(), |t| columns[t])
    }

    fn load_picked(
        &mut self,
        x: &DMatrix<f64>,
        y: &DMatrix<f64>,
        m: usize,
        column: impl Fn(usize) -> usize,
    ) -> Result<(), NnError> {
        let n0 = self.dims[0];
        ensure_shape(x, (n0, x.ncols()), "X (n_x rows, one example per column)")?;
        ensure_shape(y, (1, x.ncols()), "Y (one label per column of X)")?;
        if m == 0 || m > self.capacity {
            return Err(NnError::invalid(
                "examples",
                format!("between 1 and the workspace's capacity {}, got {m}", self.capacity),
            ));
        }
        let first = pairwise_half(m);
        for (part, range) in self.parts.iter_mut().zip([0..first, first..m]) {
            let stride = part.stride;
            for (t, picked) in range.clone().enumerate() {
                let j = column(picked);
                for k in 0..n0 {
                    part.bufs.x[k * stride + t] = x[(k, j)];
                }
                part.bufs.y[t] = y[(0, j)];
            }
            part.m = range.len();
        }
        self.m = m;
        Ok(())
    }

    /// One forward and backward propagation over the loaded examples with `parameters`:
    /// `grads` receives `backward_propagation`'s `dW1, db1, ..., db3`, bit for bit, and the
    /// workspace keeps the output `a3` ([`Workspace::output`], [`Workspace::loss`]).
    pub fn step(
        &mut self,
        parameters: &Parameters,
        grads: &mut WeightGradients,
    ) -> Result<(), NnError> {
        if parameters.layers_dims()? != self.dims || grads.shape_of() != self.dims {
            return Err(NnError::invalid(
                "parameters",
                format!("the workspace is for layers_dims {:?}", self.dims),
            ));
        }
        if self.m == 0 {
            return Err(NnError::invalid("examples", "none loaded (Workspace::load)"));
        }
        self.check_reg_utils()?;
        match self.dims {
            [2, 10, 5, 1] => self.fixed::<2, 10, 5>(parameters, grads),
            [2, 20, 3, 1] => self.fixed::<2, 20, 3>(parameters, grads),
            [2, 5, 2, 1] => self.fixed::<2, 5, 2>(parameters, grads),
            _ => self.plain(parameters, grads)?,
        }
        Ok(())
    }

    /// [`Workspace::step`] by the kernels of a network `[N0, N1, N2, 1]`.
    fn fixed<const N0: usize, const N1: usize, const N2: usize>(
        &mut self,
        p: &Parameters,
        grads: &mut WeightGradients,
    ) {
        let fixed = fixed_of::<N0, N1, N2>(p);
        let (level, inv_m, reg) = (self.level, 1.0 / self.m as f64, self.reg);
        let (dz3_factor, keep_prob) = dz3_factor_and_dropout(reg, inv_m);
        let [first, second] = &mut self.parts;
        first.forward(level, &fixed, dz3_factor, keep_prob);
        second.forward(level, &fixed, dz3_factor, keep_prob);
        let mut sums = Sums::ZERO;
        first.chains::<N0, N1, N2>(level, &mut sums);
        if second.m > 0 {
            let mut second_sums = Sums::ZERO;
            second.chains::<N0, N1, N2>(level, &mut second_sums);
            second_sums.add_first_half::<N2>(&sums);
            sums = second_sums;
        }
        write_gradients::<N0, N1, N2>(&sums, [first, second], grads);
        if let Some(reg) = reg {
            reg.finish_gradients(p, self.m, grads);
        }
    }

    /// [`Workspace::step`] by the plain functions, for sizes without kernels.
    fn plain(&mut self, p: &Parameters, grads: &mut WeightGradients) -> Result<(), NnError> {
        let (x, y) = (
            self.examples_matrix(),
            DMatrix::from_row_slice(1, self.m, self.labels_vec().as_slice()),
        );
        let cache = forward_propagation(&x, p)?;
        let plain = backward_propagation(&x, &y, &cache, p)?;
        let first = self.parts[0].m;
        self.parts[0].bufs.a3[..first].copy_from_slice(&cache.a3.as_slice()[..first]);
        let second = self.parts[1].m;
        self.parts[1].bufs.a3[..second].copy_from_slice(&cache.a3.as_slice()[first..]);
        grads.dw1.copy_from(&plain.dw1);
        grads.db1.copy_from(&plain.db1);
        grads.dw2.copy_from(&plain.dw2);
        grads.db2.copy_from(&plain.db2);
        grads.dw3.copy_from(&plain.dw3);
        grads.db3.copy_from(&plain.db3);
        Ok(())
    }

    /// The loaded examples as `X (n_x, m)` (allocates: for the plain path).
    fn examples_matrix(&self) -> DMatrix<f64> {
        let [a, b] = &self.parts;
        DMatrix::from_fn(self.dims[0], self.m, |k, j| {
            let (part, t) = if j < a.m { (a, j) } else { (b, j - a.m) };
            part.bufs.x[k * part.stride + t]
        })
    }

    /// The labels loaded (allocates: for the plain path).
    fn labels_vec(&self) -> Vec<f64> {
        self.labels().copied().collect()
    }

    /// The output `a3` of the last step, one value per example.
    pub fn output(&self) -> impl Iterator<Item = &f64> + '_ {
        self.parts.iter().flat_map(|part| &part.bufs.a3[..part.m])
    }

    /// The labels loaded, one per example.
    pub fn labels(&self) -> impl Iterator<Item = &f64> + '_ {
        self.parts.iter().flat_map(|part| &part.bufs.y[..part.m])
    }

    /// `compute_loss(a3, Y)` of the last step: `(1/m) nansum(-log(a3) Y - log(1 - a3)(1 - Y))`
    /// in numpy's pairwise order, [`linalg_nn::three_layer::compute_loss`]'s bits.
    pub fn loss(&mut self) -> f64 {
        let [first, second] = &self.parts;
        loss_of([first, second], &mut self.terms, self.m)
    }
}

/// [`Workspace::loss`] of the parts' outputs, `terms` the buffer of its terms.
fn loss_of(parts: [&Part; 2], terms: &mut [f64], m: usize) -> f64 {
    let pairs = parts.iter().flat_map(|p| p.bufs.a3[..p.m].iter().zip(&p.bufs.y[..p.m]));
    for (term, (&a, &y)) in terms.iter_mut().zip(pairs) {
        // compute_loss's term, NaN (0 * inf) skipped as by nansum.
        let t = -a.ln() * y + -(1.0 - a).ln() * (1.0 - y);
        *term = if t.is_nan() { 0.0 } else { t };
    }
    1.0 / m as f64 * pairwise_sum(&terms[..m])
}

/// The gradients from the weight sums over both parts and the parts' bias sums (added as numpy
/// adds its two halves, when there are two).
fn write_gradients<const N0: usize, const N1: usize, const N2: usize>(
    sums: &Sums<N0, N1>,
    [first, second]: [&Part; 2],
    grads: &mut WeightGradients,
) {
    let WeightGradients { dw1, db1, dw2, db2, dw3, db3 } = grads;
    sums.write::<N2>(dw1.as_mut_slice(), dw2.as_mut_slice(), dw3.as_mut_slice());
    let biases = db1.iter_mut().chain(db2.iter_mut()).chain(db3.iter_mut());
    for (i, db) in biases.enumerate() {
        *db = bias_gradient([first, second], i);
    }
}

/// `init_utils.update_parameters` in place: `W[l] = W[l] - learning_rate dW[l]`,
/// `b[l] = b[l] - learning_rate db[l]`, [`linalg_nn::three_layer::update_parameters`]'s bits.
pub fn update_parameters(parameters: &mut Parameters, grads: &WeightGradients, learning_rate: f64) {
    let pairs = [
        (&mut parameters.w1, &grads.dw1),
        (&mut parameters.b1, &grads.db1),
        (&mut parameters.w2, &grads.dw2),
        (&mut parameters.b2, &grads.db2),
        (&mut parameters.w3, &grads.dw3),
        (&mut parameters.b3, &grads.db3),
    ];
    for (w, dw) in pairs {
        for (w, &dw) in w.iter_mut().zip(dw.iter()) {
            *w -= dw * learning_rate;
        }
    }
}

/// How [`train`] runs: the notebook's `num_iterations`, `learning_rate`, and the cost kept
/// every `cost_every` iterations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Schedule {
    /// Gradient-descent iterations.
    pub num_iterations: usize,
    /// `alpha` of `W -= alpha dW`.
    pub learning_rate: f64,
    /// The cost is kept on iterations `0, cost_every, 2 cost_every, ...` (at least 1).
    pub cost_every: usize,
}

/// What [`train`] ends with.
#[derive(Clone, Debug, PartialEq)]
pub struct Trained {
    /// The parameters after the last update.
    pub parameters: Parameters,
    /// `(i, cost)` for `i = 0, cost_every, ...`, each before its update (a cost may be `inf`).
    pub costs: Vec<(usize, f64)>,
}

/// Full-batch gradient descent from `start` on `x (n_x, m)`, `y (1, m)`: the initialisation
/// notebook's `model` loop (forward propagation, loss, backward propagation, update), with the
/// plain loop's bits. The observer sees every iteration, with the cost on the kept ones.
///
/// As in the notebook, an infinite cost is not an error; parameters that stop being finite
/// are ([`NnError::Diverged`], with that iteration's cost).
///
/// ```
/// use linalg_nn::{DMatrix, NumpyRng, init::WeightInit, three_layer, train::Silent};
/// use nn_engines::three_layer::{Schedule, train};
/// let x = NumpyRng::new(1).randn(2, 40);
/// let y = DMatrix::from_fn(1, 40, |_, j| f64::from(x[(0, j)] * x[(1, j)] > 0.0));
/// let start = three_layer::initialize(&[2, 10, 5, 1], WeightInit::He, 3).unwrap();
/// let schedule = Schedule { num_iterations: 200, learning_rate: 0.05, cost_every: 100 };
/// let trained = train(&x, &y, start.clone(), &schedule, &mut Silent).unwrap();
/// // The plain loop, step for step.
/// let mut p = start;
/// for _ in 0..200 {
///     let cache = three_layer::forward_propagation(&x, &p).unwrap();
///     let grads = three_layer::backward_propagation(&x, &y, &cache, &p).unwrap();
///     p = three_layer::update_parameters(&p, &grads, 0.05);
/// }
/// assert_eq!(trained.parameters, p);
/// assert_eq!(trained.costs.len(), 2);
/// ```
pub fn train<O: TrainObserver + ?Sized>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    start: Parameters,
    schedule: &Schedule,
    observer: &mut O,
) -> Result<Trained, NnError> {
    train_at(Level::current(), x, y, start, schedule, None, observer)
}

/// [`train`] with the kernels at `level`.
fn train_at<O: TrainObserver + ?Sized>(
    level: Level,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    start: Parameters,
    schedule: &Schedule,
    reg: Option<&RegUtils<'_>>,
    observer: &mut O,
) -> Result<Trained, NnError> {
    let Schedule { num_iterations, learning_rate, cost_every } = *schedule;
    validate_hyperparameters(num_iterations, learning_rate)?;
    if cost_every == 0 {
        return Err(NnError::invalid("cost recording interval", "must be at least 1, got 0"));
    }
    let dims = start.layers_dims()?;
    let m = x.ncols();
    if m == 0 {
        return Err(NnError::invalid("X", "training needs at least one example"));
    }
    ensure_finite(x, "X")?;
    ensure_finite(y, "Y")?;
    let mut workspace = Workspace::new(dims, m)?.at_level(level);
    workspace.load(x, y)?;
    let penalty = match reg {
        Some(reg) => reg.setup(&mut workspace)?,
        None => None,
    };
    let mut grads = WeightGradients::zeros(dims);
    let mut parameters = start;
    let mut costs = Vec::with_capacity(num_iterations.div_ceil(cost_every));
    let two = workspace.parts[1].m > 0 && pair::cores() > 1;
    let (p, w, o, c) = (&mut parameters, &mut workspace, observer, &mut costs);
    match dims {
        [2, 10, 5, 1] if two => w.train_in_parts::<2, 10, 5, O>(p, schedule, penalty, o, c)?,
        [2, 20, 3, 1] if two => w.train_in_parts::<2, 20, 3, O>(p, schedule, penalty, o, c)?,
        [2, 5, 2, 1] if two => w.train_in_parts::<2, 5, 2, O>(p, schedule, penalty, o, c)?,
        _ => w.train_one_thread(p, &mut grads, schedule, penalty, o, c)?,
    }
    Ok(Trained { parameters, costs })
}

impl Workspace {
    /// [`train`]'s loop on the calling thread.
    fn train_one_thread<O: TrainObserver + ?Sized>(
        &mut self,
        parameters: &mut Parameters,
        grads: &mut WeightGradients,
        schedule: &Schedule,
        penalty: Option<Penalty<'_>>,
        observer: &mut O,
        costs: &mut Vec<(usize, f64)>,
    ) -> Result<(), NnError> {
        let workspace = self;
        let Schedule { num_iterations, learning_rate, cost_every } = *schedule;
        for i in 0..num_iterations {
            workspace.step(parameters, grads)?;
            let recorded = i % cost_every == 0;
            let cost = recorded.then(|| with_penalty(workspace.loss(), penalty, parameters));
            if let Some(cost) = cost {
                costs.push((i, cost));
            }
            update_parameters(parameters, grads, learning_rate);
            observer.on_iteration(&Iteration { index: i, total: num_iterations, cost });
            if !parameters.named().iter().all(|(_, m)| all_finite(m)) {
                let cost = cost.unwrap_or_else(|| workspace.loss());
                return Err(NnError::Diverged { iteration: i, cost, learning_rate });
            }
        }
        Ok(())
    }

    /// [`train`]'s loop with the first part on a second thread ([`pair`]): its forward
    /// propagation, its per-example backward part, its bias sums and its weight sums run while
    /// this thread does the same for the second part; then this thread adds the two parts'
    /// sums (as one thread would: the same bits) and updates the parameters, kept as the
    /// kernels' arrays until training ends ([`descend`]).
    fn train_in_parts<const N0: usize, const N1: usize, const N2: usize, O>(
        &mut self,
        parameters: &mut Parameters,
        schedule: &Schedule,
        penalty: Option<Penalty<'_>>,
        observer: &mut O,
        costs: &mut Vec<(usize, f64)>,
    ) -> Result<(), NnError>
    where
        O: TrainObserver + ?Sized,
    {
        let Schedule { num_iterations, learning_rate, cost_every } = *schedule;
        let (level, m, reg) = (self.level, self.m, self.reg);
        let (dz3_factor, keep_prob) = dz3_factor_and_dropout(reg, 1.0 / m as f64);
        let (terms, bias) = (&mut self.terms, &mut self.bias);
        let [first, second] = &mut self.parts;
        let mut fixed = fixed_of::<N0, N1, N2>(parameters);
        // What the threads hand each other, behind one lock that each takes once per iteration
        // (a lock the other thread took last moves its cache line between the cores, a wait on
        // the step's critical path): the parameters of the step, the first part, and its weight
        // sums. The helper holds it for its whole half; this thread between the helper's halves.
        let exchange = Mutex::new(Exchange { fixed, first, sums: Sums::ZERO });
        let first_part = || {
            // A poisoned lock means this thread panicked before; pair::run re-raises that.
            let Ok(mut exchange) = exchange.lock() else { return };
            // The training thread has just written the parameters on the other core. A copy
            // asks for all their cache lines at once, where the kernel would meet them a few at
            // a time, each a wait (the helper's forward work took about 0.25 µs less per
            // iteration with the copy, timed in turn on alternate iterations).
            let fixed = exchange.fixed;
            let Exchange { first, sums, .. } = &mut *exchange;
            first.forward(level, &fixed, dz3_factor, keep_prob);
            first.chains::<N0, N1, N2>(level, sums);
        };
        let poisoned = || NnError::invalid("training thread", "stopped by a panic");
        let mut sums = Sums::ZERO;
        pair::run(true, &first_part, |pair| -> Result<(), NnError> {
            for i in 0..num_iterations {
                pair.start();
                second.forward(level, &fixed, dz3_factor, keep_prob);
                second.chains::<N0, N1, N2>(level, &mut sums);
                pair.finish();
                let mut exchange = exchange.lock().map_err(|_| poisoned())?;
                let first = &*exchange.first;
                // The two parts' sums added, as numpy adds its two halves.
                sums.add_first_half::<N2>(&exchange.sums);
                for (i, bias) in bias.iter_mut().enumerate() {
                    *bias = bias_gradient([first, second], i);
                }
                let recorded = i % cost_every == 0;
                let cost = recorded.then(|| {
                    store_fixed(&fixed, parameters);
                    let loss = loss_of([first, &*second], terms, m);
                    with_penalty(loss, penalty, parameters)
                });
                if let Some(cost) = cost {
                    costs.push((i, cost));
                }
                let iteration = Iteration { index: i, total: num_iterations, cost };
                if !descend(&mut fixed, &sums, bias, reg, m, learning_rate) {
                    store_fixed(&fixed, parameters);
                    let cost = cost.unwrap_or_else(|| loss_of([first, &*second], terms, m));
                    observer.on_iteration(&iteration);
                    return Err(NnError::Diverged { iteration: i, cost, learning_rate });
                }
                exchange.fixed = fixed;
                drop(exchange);
                observer.on_iteration(&iteration);
            }
            store_fixed(&fixed, parameters);
            Ok(())
        })
    }
}

/// What [`Workspace::train_in_parts`] hands between its threads at every iteration.
struct Exchange<'a, const N0: usize, const N1: usize, const N2: usize> {
    /// The parameters of the step.
    fixed: Fixed<N0, N1, N2>,
    /// The first part of the examples.
    first: &'a mut Part,
    /// The weight sums over the first part.
    sums: Sums<N0, N1>,
}

/// One gradient-descent update of `fixed` from a step's weight sums and bias sums:
/// [`write_gradients`], [`RegForm::finish_gradients`] and [`update_parameters`] in one pass,
/// with their operations (so their bits). Returns whether every weight and bias is still finite.
fn descend<const N0: usize, const N1: usize, const N2: usize>(
    fixed: &mut Fixed<N0, N1, N2>,
    sums: &Sums<N0, N1>,
    bias: &[f64],
    reg: Option<RegForm>,
    m: usize,
    learning_rate: f64,
) -> bool {
    // init_utils: dW = the sum; reg_utils: Scale::gradient.
    let scale = reg.map(|form| form.scale(m));
    let mut finite = true;
    let mut step = |w: &mut f64, sum: f64, weight: bool| {
        let d = match scale {
            None => sum,
            Some(scale) => scale.gradient(sum, weight.then_some(*w)),
        };
        *w -= d * learning_rate;
        finite &= w.is_finite();
    };
    for (i, row) in fixed.w1.iter_mut().enumerate() {
        for (k, w) in row.iter_mut().enumerate() {
            step(w, sums.dw1[k][i], true);
        }
    }
    for (i, row) in fixed.w2.iter_mut().enumerate() {
        for (k, w) in row.iter_mut().enumerate() {
            step(w, sums.dw2_at(i, k), true);
        }
    }
    for (i, w) in fixed.w3.iter_mut().enumerate() {
        step(w, sums.dw3[i], true);
    }
    let biases = fixed.b1.iter_mut().chain(fixed.b2.iter_mut()).chain([&mut fixed.b3]);
    for (b, &sum) in biases.zip(bias) {
        step(b, sum, false);
    }
    finite
}

/// Bias gradient `i` (`db1`, then `db2`, then `db3`, before any `1/m` of `reg_utils`) from the
/// parts' pairwise sums, added as numpy adds its two halves when there are two.
fn bias_gradient([first, second]: [&Part; 2], i: usize) -> f64 {
    if second.m > 0 { first.bias_sums[i] + second.bias_sums[i] } else { first.bias_sums[i] }
}

/// Writes the kernels' arrays back into `p` (the inverse of [`fixed_of`]).
fn store_fixed<const N0: usize, const N1: usize, const N2: usize>(
    f: &Fixed<N0, N1, N2>,
    p: &mut Parameters,
) {
    for i in 0..N1 {
        for k in 0..N0 {
            p.w1[(i, k)] = f.w1[i][k];
        }
        p.b1[i] = f.b1[i];
    }
    for i in 0..N2 {
        for k in 0..N1 {
            p.w2[(i, k)] = f.w2[i][k];
        }
        p.b2[i] = f.b2[i];
        p.w3[i] = f.w3[i];
    }
    p.b3[0] = f.b3;
}

/// The weights of `p` as the kernels' fixed-size arrays.
fn fixed_of<const N0: usize, const N1: usize, const N2: usize>(
    p: &Parameters,
) -> Fixed<N0, N1, N2> {
    Fixed {
        w1: std::array::from_fn(|i| std::array::from_fn(|k| p.w1[(i, k)])),
        b1: std::array::from_fn(|i| p.b1[i]),
        w2: std::array::from_fn(|i| std::array::from_fn(|k| p.w2[(i, k)])),
        b2: std::array::from_fn(|i| p.b2[i]),
        w3: std::array::from_fn(|i| p.w3[i]),
        b3: p.b3[0],
    }
}

// ---------------------------------------------------------------------------------------------
// `reg_utils.py`'s form (week 1's regularization notebook): the `1/m` after the products and
// the row sums, the L2 term, dropout with fixed masks.

/// What [`train_reg_utils`] trains with besides the plain `reg_utils.backward_propagation`:
/// the L2 penalty, dropout with masks fixed for the whole training, both or neither.
#[derive(Clone, Copy)]
pub struct RegUtils<'a> {
    /// `backward_propagation_with_regularization`: `dW += lambd / m * W`, and the cost
    /// `compute_cost_with_regularization`.
    pub l2: Option<L2<'a>>,
    /// `forward_propagation_with_dropout` and `backward_propagation_with_dropout` with these
    /// masks at every iteration (the notebook re-seeds its generator in every forward pass, so
    /// it draws the same ones).
    pub dropout: Option<FixedMasks<'a>>,
}

/// The L2 regularisation of [`RegUtils`].
#[derive(Clone, Copy)]
pub struct L2<'a> {
    /// `lambd`, finite and `>= 0`.
    pub lambd: f64,
    /// `lambd / (2 m) (sum(W1^2) + sum(W2^2) + sum(W3^2))` of the parameters, the penalty
    /// `compute_cost_with_regularization` adds to the cross-entropy (`cross_entropy +
    /// penalty`): the caller's formula, so the cost has its bits.
    pub cost: Penalty<'a>,
}

/// The L2 penalty of the cost, of the parameters.
pub type Penalty<'a> = &'a dyn Fn(&Parameters) -> f64;

/// Dropout masks fixed for the whole training: `D1 (n1, m)`, `D2 (n2, m)` of `0.0` / `1.0`.
#[derive(Clone, Copy, Debug)]
pub struct FixedMasks<'a> {
    /// `D1`.
    pub d1: &'a DMatrix<f64>,
    /// `D2`.
    pub d2: &'a DMatrix<f64>,
    /// The probability of keeping a unit, in `(0, 1]`.
    pub keep_prob: f64,
}

/// How a [`Workspace`] in `reg_utils`' form finishes a step.
#[derive(Clone, Copy, Debug, PartialEq)]
struct RegForm {
    /// `lambd` of the L2 term, if any.
    lambd: Option<f64>,
    /// `keep_prob` of the dropout, if any, and the examples its masks were loaded for.
    dropout: Option<(f64, usize)>,
}

impl RegForm {
    /// `dW = 1./m * (dZ A^T)` and `db = 1./m * sum(dZ)` from the sums in `grads` (`reg_utils`
    /// scales after the product), then `dW = dW + lambd / m * W` with L2 ([`Scale::gradient`]
    /// entry by entry).
    fn finish_gradients(self, p: &Parameters, m: usize, grads: &mut WeightGradients) {
        let WeightGradients { dw1, db1, dw2, db2, dw3, db3 } = grads;
        let scale = self.scale(m);
        for (dw, w) in [(dw1, &p.w1), (dw2, &p.w2), (dw3, &p.w3)] {
            for (d, &w) in dw.iter_mut().zip(w.iter()) {
                *d = scale.gradient(*d, Some(w));
            }
        }
        for db in [db1, db2, db3] {
            for d in db.iter_mut() {
                *d = scale.gradient(*d, None);
            }
        }
    }

    /// The factors of `reg_utils`' gradients for `m` examples, worked out once per step
    /// rather than per entry (two divisions each).
    fn scale(self, m: usize) -> Scale {
        Scale { inv_m: 1.0 / m as f64, lambd_over_m: self.lambd.map(|lambd| lambd / m as f64) }
    }
}

/// `reg_utils`' `1./m` and L2's `lambd / m` ([`RegForm::scale`]).
#[derive(Clone, Copy, Debug)]
struct Scale {
    inv_m: f64,
    lambd_over_m: Option<f64>,
}

impl Scale {
    /// One entry of `reg_utils`' gradient from its sum over the examples: `1./m * sum`, plus
    /// `lambd / m * w` for a weight `w` with L2 (the notebook's `lambd / m`, not
    /// `lambd * (1/m)`).
    fn gradient(self, sum: f64, weight: Option<f64>) -> f64 {
        let d = sum * self.inv_m;
        match (self.lambd_over_m, weight) {
            (Some(lambd_over_m), Some(w)) => d + lambd_over_m * w,
            _ => d,
        }
    }
}

/// The factor of the forward kernel's `dz3 = (a3 - Y) * factor` (`init_utils`' `1/m`, or one
/// for `reg_utils`, which scales later) and the dropout's `keep_prob`.
fn dz3_factor_and_dropout(reg: Option<RegForm>, inv_m: f64) -> (f64, Option<f64>) {
    match reg {
        None => (inv_m, None),
        Some(form) => (1.0, form.dropout.map(|(keep_prob, _)| keep_prob)),
    }
}

/// The cost, `cross_entropy + penalty(parameters)` with L2.
fn with_penalty(cross_entropy: f64, penalty: Option<Penalty<'_>>, p: &Parameters) -> f64 {
    match penalty {
        Some(penalty) => cross_entropy + penalty(p),
        None => cross_entropy,
    }
}

impl Workspace {
    /// The same workspace computing `reg_utils.backward_propagation` (with `lambd`,
    /// `backward_propagation_with_regularization`): `dz3 = a3 - Y`, `dW = 1./m * (dZ A^T)
    /// [+ lambd / m * W]`, `db = 1./m * sum(dZ)`. Only the sizes with kernels (`[2, 10, 5, 1]`,
    /// `[2, 20, 3, 1]`, `[2, 5, 2, 1]`) take it; a step of any other refuses.
    pub fn reg_utils(mut self, lambd: Option<f64>) -> Result<Self, NnError> {
        self.set_reg_utils(lambd)?;
        Ok(self)
    }

    /// [`Workspace::reg_utils`] in place.
    fn set_reg_utils(&mut self, lambd: Option<f64>) -> Result<(), NnError> {
        if let Some(lambd) = lambd.filter(|l| !(l.is_finite() && *l >= 0.0)) {
            return Err(NnError::invalid("lambd", format!("must be finite and >= 0, got {lambd}")));
        }
        self.reg = Some(RegForm { lambd, dropout: None });
        Ok(())
    }

    /// Dropout with `masks` (in `reg_utils`' form: after [`Workspace::reg_utils`]) on the
    /// examples loaded, from the next step on (column `j` of the masks goes with example `j`; a
    /// step after loading a different number of examples refuses until new masks are loaded).
    pub fn load_dropout_masks(&mut self, masks: &FixedMasks<'_>) -> Result<(), NnError> {
        let Some(form) = &mut self.reg else {
            return Err(NnError::invalid(
                "dropout",
                "needs the reg_utils form (Workspace::reg_utils)",
            ));
        };
        let keep_prob = masks.keep_prob;
        if !(keep_prob > 0.0 && keep_prob <= 1.0) {
            return Err(NnError::invalid(
                "keep_prob",
                format!("must be in (0, 1], got {keep_prob}"),
            ));
        }
        let [_, n1, n2, _] = self.dims;
        ensure_shape(masks.d1, (n1, self.m), "D1 (n1, m of the examples loaded)")?;
        ensure_shape(masks.d2, (n2, self.m), "D2 (n2, m of the examples loaded)")?;
        let first = pairwise_half(self.m);
        for (part, start) in self.parts.iter_mut().zip([0, first]) {
            let (stride, columns) = (part.stride, part.m);
            for (rows, d, n) in [(&mut part.d1, masks.d1, n1), (&mut part.d2, masks.d2, n2)] {
                *rows = AlignedVec::zeros(n * stride);
                for i in 0..n {
                    for t in 0..columns {
                        rows[i * stride + t] = d[(i, start + t)];
                    }
                }
            }
        }
        form.dropout = Some((keep_prob, self.m));
        Ok(())
    }

    /// Refuses a step in `reg_utils`' form that the kernels cannot take.
    fn check_reg_utils(&self) -> Result<(), NnError> {
        let Some(form) = self.reg else { return Ok(()) };
        if !matches!(self.dims, [2, 10, 5, 1] | [2, 20, 3, 1] | [2, 5, 2, 1]) {
            return Err(NnError::invalid(
                "layers_dims",
                format!(
                    "the reg_utils form runs [2, 10, 5, 1], [2, 20, 3, 1] or [2, 5, 2, 1], not {:?}",
                    self.dims
                ),
            ));
        }
        match form.dropout {
            Some((_, m)) if m != self.m => Err(NnError::invalid(
                "dropout",
                format!("the masks are for {m} examples, {} are loaded", self.m),
            )),
            _ => Ok(()),
        }
    }
}

impl RegUtils<'_> {
    /// Puts `workspace` (its examples loaded) in this form; the cost's penalty.
    fn setup<'a>(&'a self, workspace: &mut Workspace) -> Result<Option<Penalty<'a>>, NnError> {
        workspace.set_reg_utils(self.l2.map(|l2| l2.lambd))?;
        if let Some(masks) = &self.dropout {
            workspace.load_dropout_masks(masks)?;
        }
        workspace.check_reg_utils()?;
        Ok(self.l2.map(|l2| l2.cost))
    }
}

/// Full-batch gradient descent from `start` in `reg_utils`' form, the regularization notebook's
/// `model` loop: forward propagation (with dropout), cost (with the L2 penalty), backward
/// propagation (`reg_utils`' or its regularised forms), update, with the plain loop's bits, the
/// same way as [`train`] (two threads above 128 examples).
pub fn train_reg_utils<O: TrainObserver + ?Sized>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    start: Parameters,
    schedule: &Schedule,
    reg: &RegUtils<'_>,
    observer: &mut O,
) -> Result<Trained, NnError> {
    train_reg_utils_at(Level::current(), x, y, start, schedule, reg, observer)
}

/// [`train_reg_utils`] with the kernels at `level` (at most what the CPU has): for tests that
/// compare the levels.
pub fn train_reg_utils_at<O: TrainObserver + ?Sized>(
    level: Level,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    start: Parameters,
    schedule: &Schedule,
    reg: &RegUtils<'_>,
    observer: &mut O,
) -> Result<Trained, NnError> {
    train_at(level, x, y, start, schedule, Some(reg), observer)
}

#[cfg(test)]
mod tests;
