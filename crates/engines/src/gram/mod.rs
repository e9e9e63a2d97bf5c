//! The Gram engine: exact full-batch gradient descent for a linear first layer, without touching
//! the wide input X in the training loop.
//!
//! With `dW1 = (1/m) dZ1 X^T` and `W1 := W1 - a dW1`, the next pre-activation is
//!
//! `Z1' = W1' X + b1' = Z1 - (a/m) dZ1 (X^T X) - a db1`
//!
//! so, with the `(m, m)` Gram matrix `G = X^T X` computed once, each iteration updates `Z1`
//! directly with an `(n1, m) x (m, m)` product instead of the two `(n1, n_x) x (n_x, m)` products
//! of the notebook. The weights are only materialised when asked for:
//! `W1 = W1_0 - (a/m) S X^T`, where `S` is the running sum of every `dZ1`.
//!
//! The identity holds for plain full-batch gradient descent with a fixed `X`. It does not hold for
//! mini-batches (X changes), L2 regularisation on `W1` (the update gains a `W1` term), dropout on
//! the input (X changes) or per-coordinate optimisers such as Adam (the update is no longer a
//! combination of `dZ1 X^T`), so [`GramSettings::check`] refuses them. Logistic regression is the
//! case `n1 = 1` (with `W1 = w^T`). The derivation is written out in `docs/reference/gram-engine.md`.

mod rows;

use crate::inputs::Inputs;
use crate::kernels::Op;
use linalg_nn::data::CatSplit;
use linalg_nn::error::{NnError, Result};
use linalg_nn::matrix::ensure_shape;
use nalgebra::DMatrix;
pub use rows::GramRows;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// How the gradient descent around the first layer is run; the engine accepts only the plain
/// course setting and refuses the rest with a message saying why.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GramSettings {
    /// Examples per gradient step; `None` is full batch (the only exact case).
    pub mini_batch_size: Option<usize>,
    /// L2 regularisation strength on W1 (0 for none).
    pub l2_lambda: f64,
    /// Keep-probability of dropout applied to the input (1 for none).
    pub input_keep_prob: f64,
    /// The update rule.
    pub optimizer: Optimizer,
}

/// Update rules a later chapter of the course introduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Optimizer {
    /// `W := W - a dW`, the only rule of course 1.
    GradientDescent,
    /// Gradient descent with momentum (course 2).
    Momentum,
    /// Adam (course 2).
    Adam,
}

impl Default for GramSettings {
    fn default() -> Self {
        GramSettings {
            mini_batch_size: None,
            l2_lambda: 0.0,
            input_keep_prob: 1.0,
            optimizer: Optimizer::GradientDescent,
        }
    }
}

impl GramSettings {
    /// Refuses any setting under which the Gram identity is not exact.
    ///
    /// ```
    /// use nn_engines::gram::{GramSettings, Optimizer};
    /// assert!(GramSettings::default().check().is_ok());
    /// let adam = GramSettings { optimizer: Optimizer::Adam, ..Default::default() };
    /// assert!(adam.check().unwrap_err().to_string().contains("Adam"));
    /// ```
    pub fn check(&self) -> Result<()> {
        let refuse = |reason: &str| {
            Err(NnError::invalid(
                "engine",
                format!(
                    "the gram engine is exact only for full-batch gradient descent: {reason}; use --engine direct"
                ),
            ))
        };
        if self.mini_batch_size.is_some() {
            return refuse("mini-batches change X at every step, so X^T X is not fixed");
        }
        if self.l2_lambda != 0.0 {
            return refuse(
                "L2 regularisation adds lambda/m W1 to dW1, which is not of the form dZ1 X^T",
            );
        }
        if self.input_keep_prob != 1.0 {
            return refuse("dropout on the input changes X at every step");
        }
        match self.optimizer {
            Optimizer::GradientDescent => Ok(()),
            Optimizer::Momentum => {
                refuse("momentum is not supported by this engine (it keeps no velocity of Z1)")
            }
            Optimizer::Adam => {
                refuse("Adam scales each weight separately, which leaves the span of the data")
            }
        }
    }
}

/// Which computation trains a model whose first layer sees the wide input `X`
/// (`--engine direct|gram|auto` on `hw1-logreg` and `hw3-deep`).
///
/// ```
/// use nn_engines::gram::Engine;
/// assert_eq!(Engine::Auto.resolve(12288, 209), Engine::Gram); // cat pictures: wide data
/// assert_eq!(Engine::Auto.resolve(2, 400), Engine::Direct);   // planar points: tall data
/// assert_eq!("gram".parse::<Engine>().unwrap(), Engine::Gram);
/// assert!("fast".parse::<Engine>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Engine {
    /// The notebook's computation, step for step: `W1 X` forward and `dZ1 X^T` backward.
    Direct,
    /// The Gram engine of this module: the same numbers, without `X` in the loop.
    Gram,
    /// Gram when the data is wider than it is long (`n_x > m`), direct otherwise.
    #[default]
    Auto,
}

impl Engine {
    /// The engine that actually runs for `n_x` features and `m` examples (never `Auto`).
    pub fn resolve(self, n_x: usize, m: usize) -> Engine {
        match self {
            Engine::Auto if n_x > m => Engine::Gram,
            Engine::Auto => Engine::Direct,
            other => other,
        }
    }

    /// The name used on the command line and in `--json` output.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Direct => "direct",
            Engine::Gram => "gram",
            Engine::Auto => "auto",
        }
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Engine {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "direct" => Ok(Engine::Direct),
            "gram" => Ok(Engine::Gram),
            "auto" => Ok(Engine::Auto),
            _ => Err(format!("unknown engine '{s}': expected direct, gram or auto")),
        }
    }
}

/// `G = X^T X`, the `(m, m)` Gram matrix of the examples, kept as `values / divisor`.
///
/// For pictures of bytes `X = B / 255`, so `G = (B^T B) / 255^2`: the values are the exact
/// integers `B^T B` and the divisor is `255^2` ([`gram_of_pictures`]). That is what
/// lets the logistic-regression step store them in half the bytes ([`GramRows`]). For any other
/// `X` the values are `X^T X` and the divisor is 1 ([`gram_matrix`]).
///
/// ```
/// use nn_engines::gram::GramMatrix;
/// use nalgebra::DMatrix;
/// let values = DMatrix::from_row_slice(2, 2, &[14.0, 1020.0, 1020.0, 130050.0]);
/// let gram = GramMatrix::new(values, 255.0 * 255.0).unwrap();
/// assert_eq!(gram.to_matrix()[(1, 1)], 2.0); // 130050 / 65025
/// let lopsided = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// assert!(GramMatrix::new(lopsided, 1.0).unwrap_err().to_string().contains("symmetric"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GramMatrix {
    values: DMatrix<f64>,
    divisor: f64,
}

impl GramMatrix {
    /// `G = values / divisor`. `values` must be square and exactly symmetric (every Gram matrix
    /// this crate computes is mirrored), `divisor` finite and positive.
    pub fn new(values: DMatrix<f64>, divisor: f64) -> Result<Self> {
        let m = values.nrows();
        ensure_shape(&values, (m, m), "the Gram matrix X^T X (square)")?;
        if !(divisor.is_finite() && divisor > 0.0) {
            return Err(NnError::invalid(
                "the Gram matrix's divisor",
                format!("must be finite and positive, got {divisor}"),
            ));
        }
        if let Some((index, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            let (i, j) = (index % m, index / m);
            return Err(NnError::invalid(
                "the Gram matrix X^T X",
                format!("must be finite, entry ({i}, {j}) is {v}"),
            ));
        }
        // Bit for bit: the one-row step reads rows of G as its columns.
        let symmetric =
            (0..m).all(|j| (j..m).all(|i| values[(i, j)].to_bits() == values[(j, i)].to_bits()));
        if !symmetric {
            return Err(NnError::invalid("the Gram matrix X^T X", "must be symmetric"));
        }
        Ok(GramMatrix { values, divisor })
    }

    /// [`GramMatrix::new`] for values known to be symmetric (computed and mirrored here).
    pub(crate) fn from_symmetric(values: DMatrix<f64>, divisor: f64) -> Self {
        debug_assert!(divisor.is_finite() && divisor > 0.0);
        GramMatrix { values, divisor }
    }

    /// The values, `divisor * G`.
    pub fn values(&self) -> &DMatrix<f64> {
        &self.values
    }

    /// What the values are divided by (1, or `255^2` for pictures of bytes).
    pub fn divisor(&self) -> f64 {
        self.divisor
    }

    /// `G` itself, each entry one correctly rounded division.
    pub fn to_matrix(&self) -> DMatrix<f64> {
        if self.divisor == 1.0 { self.values.clone() } else { &self.values / self.divisor }
    }
}

/// `X^T X` for the pictures' `X = B / 255` ([`CatSplit::x`]), shape `(m, m)`: the Gram matrix
/// of the pictures, computed from the bytes, exactly: `X^T X = (B^T B) / 255^2` with the exact
/// integer matrix `B^T B` ([`crate::kernels::byte_gram_into`]) as its values and `255^2` as its
/// divisor. Each entry of [`GramMatrix::to_matrix`] is then one correctly rounded division, at
/// least as accurate as `x().transpose() * x()` (which rounds every product), and much faster.
///
/// ```
/// use hdf5_pure::FileBuilder;
/// use linalg_nn::data::{CatSplit, Split};
/// use nn_engines::gram::gram_of_pictures;
///
/// let pixels: Vec<u8> = (0..24).map(|v| v * 10 + 5).collect();
/// let mut fb = FileBuilder::new();
/// fb.create_dataset("test_set_x").with_u8_data(&pixels).with_shape(&[2, 2, 2, 3]);
/// fb.create_dataset("test_set_y").with_i64_data(&[1, 0]);
/// fb.create_dataset("list_classes").with_ascii_strings(&["non-cat", "cat"]).unwrap();
/// let bytes = fb.finish().unwrap();
/// let split = CatSplit::from_bytes(std::path::Path::new("t.h5"), bytes, Split::Test).unwrap();
///
/// let x = split.x();
/// let direct = x.transpose() * &x;
/// let gram = gram_of_pictures(&split);
/// assert_eq!(gram.divisor(), 255.0 * 255.0);
/// assert!((gram.to_matrix() - &direct).abs().max() < 1e-14 * direct.abs().max());
/// ```
pub fn gram_of_pictures(split: &CatSplit) -> GramMatrix {
    let m = split.m();
    let mut gram = DMatrix::zeros(m, m);
    // The byte count is n_x * m by construction, so this cannot fail.
    if crate::kernels::byte_gram_into(&mut gram, split.pixels(), split.n_x()).is_err() {
        unreachable!("a split holds n_x * m pixel bytes");
    }
    GramMatrix::from_symmetric(gram, 255.0 * 255.0)
}

/// `G = X^T X` for a float matrix `X` (one example per column), with divisor 1.
///
/// ```
/// use nn_engines::gram::gram_matrix;
/// use nalgebra::DMatrix;
/// let x = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 0.0, 1.0, 3.0, -1.0]);
/// assert_eq!(gram_matrix(&x).to_matrix(), x.transpose() * &x);
/// ```
pub fn gram_matrix(x: &DMatrix<f64>) -> GramMatrix {
    let m = x.ncols();
    let mut g = DMatrix::zeros(m, m);
    // Shapes are consistent by construction, so this cannot fail.
    if crate::kernels::gram_into(&mut g, x).is_err() {
        unreachable!("X^T X always has shape (m, m)");
    }
    GramMatrix::from_symmetric(g, 1.0)
}

/// The first layer `Z1 = W1 X + b1` of a network trained by full-batch gradient descent, kept
/// as `Z1` itself and updated through the Gram matrix.
///
/// ```
/// use nn_engines::gram::{GramFirstLayer, GramSettings};
/// use linalg_nn::NumpyRng;
/// use nalgebra::DMatrix;
///
/// let mut rng = NumpyRng::new(1);
/// let x = rng.randn(50, 4); // n_x = 50 features, m = 4 examples
/// let w0 = rng.randn(3, 50) * 0.01;
/// let b0 = DMatrix::zeros(3, 1);
/// let mut layer =
///     GramFirstLayer::new(&x, w0.clone(), b0.clone(), 0.1, GramSettings::default()).unwrap();
///
/// // One step with some upstream gradient dZ1, against the notebook's direct update.
/// let dz = rng.randn(3, 4);
/// layer.step(&dz).unwrap();
/// let dw = &dz * x.transpose() / 4.0;
/// let db = linalg_nn::matrix::sum_axis1(&dz) / 4.0;
/// let w1 = &w0 - &dw * 0.1;
/// let b1 = &b0 - &db * 0.1;
/// let z_direct = linalg_nn::matrix::add_column(&(&w1 * &x), &b1).unwrap();
/// assert!((layer.z() - &z_direct).abs().max() < 1e-12);
/// assert!((layer.weights() - &w1).abs().max() < 1e-12);
/// ```
#[derive(Clone, Debug)]
pub struct GramFirstLayer<'x> {
    x: &'x dyn Inputs,
    gram: std::borrow::Cow<'x, GramMatrix>,
    /// When `n1 = 1`: the two halves of `G`'s rows (examples `0..mid` and `mid..m`) stored for
    /// the one-row product, in the order the two halves of [`Self::run_one_row`] use them.
    halves: Vec<GramRows>,
    initial_weights: DMatrix<f64>,
    z: DMatrix<f64>,
    b: DMatrix<f64>,
    dz_sum: DMatrix<f64>,
    /// `divisor * dZ1 G` when `n1 = 1` (unused otherwise: the product goes straight into `Z1`).
    dz_gram: DMatrix<f64>,
    /// `a db1`, the bias step of the current iteration.
    shift: nalgebra::DVector<f64>,
    learning_rate: f64,
}

impl<'x> GramFirstLayer<'x> {
    /// Starts from `W1_0` `(n1, n_x)` and `b1_0` `(n1, 1)` on the training inputs `x` `(n_x, m)`,
    /// computing `G = X^T X` and `Z1_0 = W1_0 X + b1_0` once.
    pub fn new(
        x: &'x dyn Inputs,
        initial_weights: DMatrix<f64>,
        initial_bias: DMatrix<f64>,
        learning_rate: f64,
        settings: GramSettings,
    ) -> Result<Self> {
        let gram = x.gram();
        Self::build(
            x,
            std::borrow::Cow::Owned(gram),
            initial_weights,
            initial_bias,
            learning_rate,
            settings,
        )
    }

    /// Like [`GramFirstLayer::new`] with a Gram matrix computed before (several runs on the
    /// same data, e.g. the learning-rate comparison, share one): [`gram_matrix`] or
    /// [`gram_of_pictures`] (a [`GramMatrix`] is symmetric, which the one-row step
    /// relies on: `dZ G = (G dZ^T)^T`).
    pub fn with_gram(
        x: &'x dyn Inputs,
        gram: &'x GramMatrix,
        initial_weights: DMatrix<f64>,
        initial_bias: DMatrix<f64>,
        learning_rate: f64,
        settings: GramSettings,
    ) -> Result<Self> {
        let m = x.shape().1;
        ensure_shape(gram.values(), (m, m), "the Gram matrix X^T X against X (m examples)")?;
        Self::build(
            x,
            std::borrow::Cow::Borrowed(gram),
            initial_weights,
            initial_bias,
            learning_rate,
            settings,
        )
    }

    fn build(
        x: &'x dyn Inputs,
        gram: std::borrow::Cow<'x, GramMatrix>,
        initial_weights: DMatrix<f64>,
        initial_bias: DMatrix<f64>,
        learning_rate: f64,
        settings: GramSettings,
    ) -> Result<Self> {
        settings.check()?;
        let (n_x, m) = x.shape();
        let n1 = initial_weights.nrows();
        ensure_shape(&initial_weights, (n1, n_x), "W1 against the inputs X (n_x rows)")?;
        ensure_shape(&initial_bias, (n1, 1), "b1")?;
        if m == 0 {
            return Err(NnError::invalid("X", "training needs at least one example"));
        }
        let mut z = DMatrix::zeros(n1, m);
        // Zero initial weights (logistic regression's initialize_with_zeros) give W1_0 X = 0
        // without a pass over X.
        if initial_weights.iter().any(|&w| w != 0.0) {
            x.tr_mul_into(&mut z, &initial_weights.transpose())?;
        }
        linalg_nn::matrix::add_column_mut(&mut z, &initial_bias)?;
        let mid = m.div_ceil(2);
        let halves = match n1 {
            1 => vec![GramRows::new(gram.values(), 0..mid), GramRows::new(gram.values(), mid..m)],
            _ => Vec::new(),
        };
        Ok(GramFirstLayer {
            x,
            gram,
            halves,
            initial_weights,
            z,
            b: initial_bias,
            dz_sum: DMatrix::zeros(n1, m),
            dz_gram: DMatrix::zeros(if n1 == 1 { 1 } else { 0 }, m),
            shift: nalgebra::DVector::zeros(n1),
            learning_rate,
        })
    }

    /// The current pre-activation `Z1 = W1 X + b1` `(n1, m)`.
    pub fn z(&self) -> &DMatrix<f64> {
        &self.z
    }

    /// The current bias `b1` `(n1, 1)`.
    pub fn bias(&self) -> &DMatrix<f64> {
        &self.b
    }

    /// One gradient-descent step given `dZ1` `(n1, m)` from backpropagation: updates `b1` and
    /// `Z1` exactly as `W1 := W1 - a dW1`, `b1 := b1 - a db1` would, with no allocation.
    pub fn step(&mut self, dz: &DMatrix<f64>) -> Result<()> {
        ensure_shape(dz, self.z.shape(), "dZ1 against Z1")?;
        let (n1, m) = self.z.shape();
        let a = self.learning_rate;
        self.dz_sum += dz;
        // db1 = (1/m) sum over the columns of dZ1, one row at a time.
        for (row, b) in self.b.iter_mut().enumerate() {
            self.shift[row] = a * (row_sum(dz.row(row).iter(), m) / m as f64);
            *b -= self.shift[row];
        }
        // (a/m) G = (a / (m divisor)) values.
        let scale = a / (m as f64 * self.gram.divisor());
        if n1 == 1 {
            // Logistic regression: dZ1 G is one row, (G dZ1^T)^T since G is symmetric, taken
            // half by half as run_one_row's two threads do.
            let dz_gram = self.dz_gram.as_mut_slice();
            for half in &self.halves {
                half.product(dz.as_slice(), &mut dz_gram[half.rows()]);
            }
            let shift = self.shift[0];
            for (z, &dz_g) in self.z.iter_mut().zip(self.dz_gram.iter()) {
                *z -= scale * dz_g + shift;
            }
        } else {
            // Z1 := Z1 - (a/m) dZ1 G inside the product, then the bias step column by column.
            let values = self.gram.values();
            crate::kernels::gemm_into(&mut self.z, 1.0, dz, Op::N, values, Op::N, -scale)?;
            for mut column in self.z.column_iter_mut() {
                column -= &self.shift;
            }
        }
        Ok(())
    }

    /// Runs `iterations` gradient-descent steps of a one-row layer (logistic regression, `n1 = 1`)
    /// with every iteration cut into two fixed halves of the examples, the second half on a helper
    /// thread when the machine has two cores and `m` is large enough to gain from it.
    ///
    /// Iteration `i` is: `activate(first, z, dz)` on each half (fill the half's `dZ1` from its
    /// `Z1`, `first` being the index of the half's first example, and return a report), then
    /// `after(i, row, reports)` on the calling thread, where [`RowView`] gives the whole `Z1` and
    /// `dZ1` on request (the place for the cost, the divergence check and the progress display;
    /// an error stops training), then [`GramFirstLayer::step`] with `dZ1`, each half computing
    /// its own entries of `dZ1 G`. Every entry is computed by the same operations in the same
    /// order as [`Self::step`] would (tested), so the numbers do not depend on the number of
    /// cores. Returns the last `dZ1` (zeros when `iterations` is 0).
    ///
    /// ```
    /// use nn_engines::gram::{GramFirstLayer, GramSettings};
    /// use linalg_nn::{NnError, NumpyRng};
    /// use nalgebra::DMatrix;
    ///
    /// let mut rng = NumpyRng::new(2);
    /// let x = rng.rand(40, 6);
    /// let y = [1.0, 0.0, 1.0, 0.0, 0.0, 1.0];
    /// let start = || GramFirstLayer::new(&x, DMatrix::zeros(1, 40), DMatrix::zeros(1, 1), 0.5,
    ///                                    GramSettings::default()).unwrap();
    /// // dZ = A - Y with A = sigmoid(Z), the logistic regression of week 2.
    /// let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
    /// let mut split = start();
    /// let last_dz = split
    ///     .run_one_row(
    ///         50,
    ///         |first, z, dz| {
    ///             for (j, (dz, &z)) in dz.iter_mut().zip(z).enumerate() {
    ///                 *dz = sigmoid(z) - y[first + j];
    ///             }
    ///         },
    ///         |_, _, _| Ok::<(), NnError>(()),
    ///     )
    ///     .unwrap();
    /// // The same 50 steps, one call of `step` at a time.
    /// let mut stepped = start();
    /// let mut dz = DMatrix::zeros(1, 6);
    /// for _ in 0..50 {
    ///     dz = DMatrix::from_fn(1, 6, |_, j| sigmoid(stepped.z()[j]) - y[j]);
    ///     stepped.step(&dz).unwrap();
    /// }
    /// assert_eq!(split.z(), stepped.z());
    /// assert_eq!(last_dz, dz);
    /// assert_eq!(split.weights(), stepped.weights());
    /// ```
    pub fn run_one_row<T, E>(
        &mut self,
        iterations: usize,
        activate: impl Fn(usize, &[f64], &mut [f64]) -> T + Sync,
        after: impl FnMut(usize, &RowView<'_>, [T; 2]) -> std::result::Result<(), E>,
    ) -> std::result::Result<DMatrix<f64>, E>
    where
        T: Send,
        E: From<NnError>,
    {
        let two_threads = self.z.ncols() >= PAIR_MIN_EXAMPLES && crate::pair::cores() > 1;
        self.run_one_row_on(two_threads, iterations, activate, after)
    }

    /// [`Self::run_one_row`] with the number of threads chosen by the caller (the tests compare
    /// one against two).
    fn run_one_row_on<T, E>(
        &mut self,
        two_threads: bool,
        iterations: usize,
        activate: impl Fn(usize, &[f64], &mut [f64]) -> T + Sync,
        mut after: impl FnMut(usize, &RowView<'_>, [T; 2]) -> std::result::Result<(), E>,
    ) -> std::result::Result<DMatrix<f64>, E>
    where
        T: Send,
        E: From<NnError>,
    {
        let (n1, m) = self.z.shape();
        if n1 != 1 {
            return Err(NnError::invalid(
                "the Gram engine's one-row loop",
                format!("needs a first layer with one row (logistic regression), got {n1}"),
            )
            .into());
        }
        let step = HalfStep {
            halves: &self.halves,
            exchange: [(); 2].map(|()| (0..m).map(|_| AtomicU64::new(0)).collect()),
            sums: Default::default(),
            learning_rate: self.learning_rate,
            scale: self.learning_rate / (m as f64 * self.gram.divisor()),
            iterations,
        };
        let (mut own, other) = (self.half(0), Mutex::new(self.half(1)));
        // Call g of the other half reports into slot g % 2: call g + 1 may run while the report
        // of call g is read.
        let other_reports = [(), ()].map(|()| Mutex::new(None));
        let other_half = || {
            let mut other = other.lock().unwrap_or_else(PoisonError::into_inner);
            let slot = other.iteration % 2;
            let report = other.iterate(&step, &activate);
            *other_reports[slot].lock().unwrap_or_else(PoisonError::into_inner) = report;
        };
        let bias = &mut self.b;
        let outcome = crate::pair::run(two_threads, &other_half, |pair| {
            pair.start();
            for i in 0..=iterations {
                let own_report = own.iterate(&step, &activate);
                // The other half's next call (step i + 1, activation i + 1) needs only this
                // iteration's dZ1, whose own entries were just published: it starts now, before
                // this iteration's reports are read, so the helper never waits for a signal.
                if i < iterations {
                    pair.start();
                    pair.finish_previous();
                } else {
                    pair.finish();
                }
                // The bias step of iteration i - 1, with the shift both halves computed.
                bias[(0, 0)] -= own.shift;
                let other_report =
                    other_reports[i % 2].lock().unwrap_or_else(PoisonError::into_inner).take();
                let (Some(own_report), Some(other_report)) = (own_report, other_report) else {
                    break; // after the last step: no activation
                };
                let row = RowView { step: &step, iteration: i, own: &own, other: &other };
                after(i, &row, [own_report, other_report])?;
            }
            Ok(())
        });
        // Write the halves back, whether training finished or `after` stopped it: Z1, S and b1
        // then all stand after the same number of steps (the other half's step past a stop is
        // undone).
        let mut other = other.into_inner().unwrap_or_else(PoisonError::into_inner);
        if other.iteration > own.iteration {
            other.undo_step();
        }
        for half in [&own, &other] {
            self.z.as_mut_slice()[half.range.clone()].copy_from_slice(&half.z);
            self.dz_sum.as_mut_slice()[half.range.clone()].copy_from_slice(&half.dz_sum);
        }
        outcome.map(|()| DMatrix::from_row_slice(1, m, &own.previous))
    }

    /// The state of half `index` (0 or 1) of the examples for [`Self::run_one_row`].
    fn half(&self, index: usize) -> Half {
        let range = self.halves[index].rows();
        Half {
            index,
            z: self.z.as_slice()[range.clone()].to_vec(),
            z_before: vec![0.0; range.len()],
            dz_sum_before: vec![0.0; range.len()],
            dz: vec![0.0; range.len()],
            dz_sum: self.dz_sum.as_slice()[range.clone()].to_vec(),
            dz_gram: vec![0.0; range.len()],
            previous: vec![0.0; self.z.ncols()],
            shift: 0.0,
            iteration: 0,
            range,
        }
    }

    /// Materialises `W1 = W1_0 - (a/m) S X^T` `(n1, n_x)`, for predictions on new data and for
    /// saving the model.
    pub fn weights(&self) -> DMatrix<f64> {
        let m = self.z.ncols() as f64;
        let mut w = self.initial_weights.clone();
        let scale = -(self.learning_rate / m);
        if self.x.gemm_transposed_into(&mut w, 1.0, &self.dz_sum, scale).is_err() {
            unreachable!("S X^T has the shape of W1 by construction");
        }
        w
    }
}

/// Below this many examples [`GramFirstLayer::run_one_row`] runs on one thread: a step is
/// `m^2` multiply-adds, and under about 16 000 of them the hand-over costs more than half a step.
const PAIR_MIN_EXAMPLES: usize = 128;

/// How many times [`RowView::z_into`] tries the other half's lock before it blocks on it: a few
/// thousand pause instructions outlast the other half's hold of a few microseconds on any
/// current processor, so blocking happens only when that half was descheduled.
const Z_LOCK_SPINS: u32 = 4096;

/// `sum` of a row of `dZ1` (`m` entries): the first `ceil(m/2)` left to right, the others left to
/// right, then the two added. The order `db1` is summed in by both [`GramFirstLayer::step`] and
/// [`GramFirstLayer::run_one_row`], whose two halves each sum their own entries.
fn row_sum<'a>(values: impl Iterator<Item = &'a f64>, m: usize) -> f64 {
    let mid = m.div_ceil(2);
    let (mut first, mut second) = (0.0, 0.0);
    for (j, &v) in values.enumerate() {
        if j < mid {
            first += v;
        } else {
            second += v;
        }
    }
    first + second
}

/// What both halves of [`GramFirstLayer::run_one_row`] share: the halves of `G`'s rows, the
/// settings, and the two `dZ1` rows and pairs of partial sums through which the halves exchange
/// their entries (iteration `i` writes row `i % 2` and reads the other; the lock step keeps a row
/// from being written while it is read). The entries are `f64` bits in atomics, so the exchange
/// needs no lock; the hand-over of [`crate::pair`] orders the writes before the reads.
struct HalfStep<'g> {
    halves: &'g [GramRows],
    exchange: [Vec<AtomicU64>; 2],
    /// `sums[i % 2][h]`: the sum of half `h`'s entries of iteration `i`'s `dZ1`, left to right.
    sums: [[AtomicU64; 2]; 2],
    learning_rate: f64,
    /// `a / (m divisor)`, which multiplies `values dZ1^T`.
    scale: f64,
    iterations: usize,
}

/// One half of the examples in [`GramFirstLayer::run_one_row`]: its entries of `Z1`, of the
/// running sum `S`, of the current `dZ1` and of `divisor dZ1 G`, with its own copy of the
/// previous iteration's whole `dZ1` and of that step's `a db1`.
struct Half {
    index: usize,
    range: Range<usize>,
    z: Vec<f64>,
    /// `Z1` and `S` before the last step, for [`RowView::z`] and for undoing a step made past
    /// a stop.
    z_before: Vec<f64>,
    dz_sum_before: Vec<f64>,
    dz: Vec<f64>,
    dz_sum: Vec<f64>,
    dz_gram: Vec<f64>,
    previous: Vec<f64>,
    shift: f64,
    iteration: usize,
}

impl Half {
    /// One iteration of this half: the previous iteration's step on its entries (as
    /// [`GramFirstLayer::step`] does for `n1 = 1`), then, unless training is over, the
    /// activation, whose `dZ1` entries and their sum it publishes.
    fn iterate<T>(
        &mut self,
        step: &HalfStep<'_>,
        activate: &impl Fn(usize, &[f64], &mut [f64]) -> T,
    ) -> Option<T> {
        let i = self.iteration;
        self.iteration += 1;
        let m = self.previous.len();
        self.shift = 0.0;
        if i > 0 {
            self.z_before.copy_from_slice(&self.z);
            self.dz_sum_before.copy_from_slice(&self.dz_sum);
            let parity = (i - 1) % 2;
            for (previous, entry) in self.previous.iter_mut().zip(&step.exchange[parity]) {
                *previous = f64::from_bits(entry.load(Ordering::Relaxed));
            }
            let [first, second] =
                step.sums[parity].each_ref().map(|sum| f64::from_bits(sum.load(Ordering::Relaxed)));
            self.shift = step.learning_rate * ((first + second) / m as f64);
            step.halves[self.index].product(&self.previous, &mut self.dz_gram);
            for (z, &dz_g) in self.z.iter_mut().zip(&self.dz_gram) {
                *z -= step.scale * dz_g + self.shift;
            }
            for (sum, &dz) in self.dz_sum.iter_mut().zip(&self.previous[self.range.clone()]) {
                *sum += dz;
            }
        }
        if i >= step.iterations {
            return None;
        }
        let report = activate(self.range.start, &self.z, &mut self.dz);
        let mut sum = 0.0;
        for (entry, &dz) in step.exchange[i % 2][self.range.clone()].iter().zip(&self.dz) {
            entry.store(dz.to_bits(), Ordering::Relaxed);
            sum += dz;
        }
        step.sums[i % 2][self.index].store(sum.to_bits(), Ordering::Relaxed);
        Some(report)
    }

    /// Goes back to `Z1` and `S` before the last step (of iteration `self.iteration - 1`).
    fn undo_step(&mut self) {
        self.z.copy_from_slice(&self.z_before);
        self.dz_sum.copy_from_slice(&self.dz_sum_before);
        self.iteration -= 1;
    }
}

/// The whole row of an iteration of [`GramFirstLayer::run_one_row`], gathered from both halves
/// only when asked for (most iterations need neither).
pub struct RowView<'a> {
    step: &'a HalfStep<'a>,
    iteration: usize,
    own: &'a Half,
    other: &'a Mutex<Half>,
}

impl RowView<'_> {
    /// `Z1` (`m` entries) before this iteration's step.
    pub fn z(&self) -> Vec<f64> {
        let mut z = vec![0.0; self.own.z.len() + self.other_len()];
        self.z_into(&mut z);
        z
    }

    /// [`RowView::z`] into `out` (`m` entries), for loops that allocate nothing per iteration.
    ///
    /// # Panics
    ///
    /// If `out` does not have one entry per example.
    pub fn z_into(&self, out: &mut [f64]) {
        // The other half holds its lock for one call of a few microseconds: spin rather than
        // sleep, since a thread woken from sleep is often moved onto the CPU of the thread that
        // woke it, and the two halves then take turns on one CPU. The spin is bounded: a half
        // that was descheduled while holding the lock is waited for by blocking.
        let mut spins = 0u32;
        let other = loop {
            match self.other.try_lock() {
                Ok(other) => break other,
                Err(std::sync::TryLockError::Poisoned(poisoned)) => break poisoned.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) if spins < Z_LOCK_SPINS => {
                    spins += 1;
                    std::hint::spin_loop();
                }
                Err(std::sync::TryLockError::WouldBlock) => {
                    break self.other.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                }
            }
        };
        // The other half may have made its next step already (it starts as soon as it can).
        let other_z = match other.iteration > self.iteration + 1 {
            true => &other.z_before,
            false => &other.z,
        };
        let (own, rest) = out.split_at_mut(self.own.z.len());
        own.copy_from_slice(&self.own.z);
        rest.copy_from_slice(other_z);
    }

    /// Examples of the other half.
    fn other_len(&self) -> usize {
        self.step.exchange[0].len() - self.own.z.len()
    }

    /// `dZ1` (`m` entries) of this iteration.
    pub fn dz(&self) -> Vec<f64> {
        let row = &self.step.exchange[self.iteration % 2];
        row.iter().map(|entry| f64::from_bits(entry.load(Ordering::Relaxed))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linalg_nn::activations::sigmoid;
    use linalg_nn::matrix::{add_column, sum_axis1};
    use linalg_nn::rng::NumpyRng;

    #[test]
    fn many_logistic_steps_match_the_direct_computation() {
        // Logistic regression (n1 = 1) for 300 steps on random wide data, both ways.
        let mut rng = NumpyRng::new(5);
        let x = rng.rand(200, 30);
        let y = rng.rand(1, 30).map(|v| if v > 0.5 { 1.0 } else { 0.0 });
        let (a, m) = (0.05, 30.0);
        let mut w = DMatrix::zeros(1, 200);
        let mut b = DMatrix::zeros(1, 1);
        let mut layer =
            GramFirstLayer::new(&x, w.clone(), b.clone(), a, GramSettings::default()).unwrap();
        for _ in 0..300 {
            let dz_direct = sigmoid(&add_column(&(&w * &x), &b).unwrap()) - &y;
            let dz_gram = sigmoid(layer.z()) - &y;
            assert!((&dz_direct - &dz_gram).abs().max() < 1e-12);
            w -= &dz_direct * x.transpose() * (a / m);
            b -= sum_axis1(&dz_direct) * (a / m);
            layer.step(&dz_gram).unwrap();
        }
        let relative = (layer.weights() - &w).abs().max() / w.abs().max();
        assert!(relative < 1e-12, "relative weight difference {relative}");
        assert!((layer.bias() - &b).abs().max() < 1e-12);
    }

    #[test]
    fn the_one_row_loop_gives_the_bits_of_step_on_one_thread_or_two() {
        // Logistic regression on 151 examples (an odd number: unequal halves), 120 steps.
        let mut rng = NumpyRng::new(8);
        let x = rng.rand(260, 151);
        let y: Vec<f64> = rng.rand(1, 151).iter().map(|&v| f64::from(u8::from(v > 0.5))).collect();
        let w0 = rng.randn(1, 260) * 0.01;
        let start = || {
            GramFirstLayer::new(&x, w0.clone(), DMatrix::zeros(1, 1), 0.3, GramSettings::default())
                .unwrap()
        };
        let logistic = |z: f64, label: f64| 1.0 / (1.0 + (-z).exp()) - label;

        let mut stepped = start();
        let mut dz = DMatrix::zeros(1, 151);
        let (mut seen, mut seen_z) = (Vec::new(), Vec::new());
        for _ in 0..120 {
            seen_z.push(stepped.z().clone());
            dz = DMatrix::from_fn(1, 151, |_, j| logistic(stepped.z()[j], y[j]));
            seen.push(dz.clone());
            stepped.step(&dz).unwrap();
        }
        for two_threads in [false, true] {
            let mut split = start();
            let mut reported = Vec::new();
            let last = split
                .run_one_row_on(
                    two_threads,
                    120,
                    |first, z, dz| {
                        for (j, (dz, &z)) in dz.iter_mut().zip(z).enumerate() {
                            *dz = logistic(z, y[first + j]);
                        }
                        (first, z.len())
                    },
                    |i, row, reports| {
                        assert_eq!(reports, [(0, 76), (76, 75)]);
                        assert_eq!(row.z(), seen_z[i].as_slice(), "Z1 of iteration {i}");
                        reported.push((i, DMatrix::from_row_slice(1, 151, &row.dz())));
                        Ok::<(), NnError>(())
                    },
                )
                .unwrap();
            assert_eq!(last, dz, "two threads: {two_threads}");
            let expected: Vec<_> = seen.iter().cloned().enumerate().collect();
            assert_eq!(reported, expected);
            assert_eq!(split.z(), stepped.z());
            assert_eq!(split.bias(), stepped.bias());
            assert_eq!(split.weights(), stepped.weights());
        }
    }

    #[test]
    fn the_one_row_loop_stops_at_an_error_with_a_consistent_layer() {
        let x = NumpyRng::new(4).rand(30, 140);
        let start = || {
            GramFirstLayer::new(
                &x,
                DMatrix::zeros(1, 30),
                DMatrix::zeros(1, 1),
                0.1,
                GramSettings::default(),
            )
            .unwrap()
        };
        let half_dz = |_: usize, _: &[f64], dz: &mut [f64]| dz.fill(0.5);
        let mut stopped = start();
        let err = stopped
            .run_one_row_on(true, 10, half_dz, |i, _, _| match i {
                3 => Err(NnError::invalid("cost", "stop here")),
                _ => Ok(()),
            })
            .unwrap_err();
        assert!(err.to_string().contains("stop here"));
        // Iteration 3 stopped before its step: three steps were made.
        let mut stepped = start();
        for _ in 0..3 {
            stepped.step(&DMatrix::from_element(1, 140, 0.5)).unwrap();
        }
        assert_eq!(stopped.z(), stepped.z());
        assert_eq!(stopped.bias(), stepped.bias());
        assert_eq!(stopped.weights(), stepped.weights());

        let wide = DMatrix::zeros(2, 30);
        let mut two_rows =
            GramFirstLayer::new(&x, wide, DMatrix::zeros(2, 1), 0.1, GramSettings::default())
                .unwrap();
        let err = two_rows.run_one_row(5, half_dz, |_, _, _| Ok::<(), NnError>(())).unwrap_err();
        assert!(err.to_string().contains("one row"), "{err}");
    }

    #[test]
    fn refuses_bad_shapes_and_settings() {
        let x = DMatrix::zeros(4, 3);
        assert!(
            GramFirstLayer::new(
                &x,
                DMatrix::zeros(2, 5),
                DMatrix::zeros(2, 1),
                0.1,
                GramSettings::default()
            )
            .is_err()
        );
        assert!(
            GramFirstLayer::new(
                &x,
                DMatrix::zeros(2, 4),
                DMatrix::zeros(3, 1),
                0.1,
                GramSettings::default()
            )
            .is_err()
        );
        let lopsided = DMatrix::from_fn(3, 3, |i, j| (i + 2 * j) as f64);
        let err = GramMatrix::new(lopsided, 1.0).unwrap_err();
        assert!(err.to_string().contains("must be symmetric"), "{err}");
        let nan = DMatrix::from_element(3, 3, f64::NAN);
        let err = GramMatrix::new(nan, 1.0).unwrap_err();
        assert!(err.to_string().contains("must be finite, entry (0, 0) is NaN"), "{err}");
        assert!(GramMatrix::new(DMatrix::zeros(3, 3), 0.0).is_err());
        assert!(GramMatrix::new(DMatrix::zeros(3, 2), 1.0).is_err());
        // A Gram matrix of 4 examples against inputs of 3.
        let other_data = GramMatrix::new(DMatrix::identity(4, 4), 1.0).unwrap();
        let err = GramFirstLayer::with_gram(
            &x,
            &other_data,
            DMatrix::zeros(2, 4),
            DMatrix::zeros(2, 1),
            0.1,
            GramSettings::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("Gram matrix"), "{err}");
        let mini = GramSettings { mini_batch_size: Some(64), ..Default::default() };
        let err = GramFirstLayer::new(&x, DMatrix::zeros(2, 4), DMatrix::zeros(2, 1), 0.1, mini)
            .unwrap_err();
        assert!(err.to_string().contains("mini-batches"));
        let l2 = GramSettings { l2_lambda: 0.7, ..Default::default() };
        assert!(l2.check().is_err());
        let dropout = GramSettings { input_keep_prob: 0.8, ..Default::default() };
        assert!(dropout.check().is_err());
        let mut layer = GramFirstLayer::new(
            &x,
            DMatrix::zeros(2, 4),
            DMatrix::zeros(2, 1),
            0.1,
            GramSettings::default(),
        )
        .unwrap();
        assert!(layer.step(&DMatrix::zeros(2, 4)).is_err());
    }
}
