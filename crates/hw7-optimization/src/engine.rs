//! Which loop trains the network: the one place of this crate that picks an engine and calls it.
//! The binary trains through [`model_with`]; the tests compare it with the notebook's
//! [`crate::model`].
//!
//! [`Engine::ThreeLayer`] runs section 5's `model` loop with each mini-batch's forward and
//! backward propagation in `nn_engines::three_layer` (vector kernels for `[2, 5, 2, 1]`, every
//! buffer made once, the plain functions' bits): the epoch's permutation is drawn exactly as
//! [`crate::random_mini_batches`] draws it, but only the column numbers are shuffled, and the
//! workspace reads each batch's columns of `X` in that order. The cost ([`crate::compute_cost`]
//! on the kept epochs) and the update rules are the notebook's own functions, so the numbers are
//! [`crate::model`]'s bit for bit. [`Engine::Notebook`] is [`crate::model`] as written.

use crate::{
    COST_EVERY, Gradients, MINI_BATCH_SEED, OptimizerState, Progress, Settings, TrainedModel,
    compute_cost,
};
use linalg_nn::train::TrainObserver;
use linalg_nn::{DMatrix, NnError, NumpyRng};
use nn_engines::three_layer::{WeightGradients, Workspace};

/// A training loop for [`model_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Engine {
    /// Mini-batches through `nn_engines::three_layer`, what the binary runs: [`crate::model`]'s
    /// bits, made fast.
    #[default]
    ThreeLayer,
    /// [`crate::model`], the notebook's loop as written.
    Notebook,
}

impl Engine {
    /// Every engine.
    pub const ALL: [Engine; 2] = [Engine::ThreeLayer, Engine::Notebook];

    /// Its name, as `--engine` and the JSON report spell it.
    pub fn name(self) -> &'static str {
        match self {
            Engine::ThreeLayer => "three-layer",
            Engine::Notebook => "notebook",
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

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Engine::ALL.into_iter().find(|e| e.name() == wanted).ok_or_else(|| {
            format!("unknown engine '{s}': expected three-layer (the default) or notebook")
        })
    }
}

/// [`crate::model`] on the binary's engine, [`Engine::ThreeLayer`]: the same result, faster.
///
/// ```
/// use hw7_optimization::{Optimizer, Settings, engine, load_dataset, model};
/// use linalg_nn::train::Silent;
/// let data = load_dataset();
/// let settings = Settings { num_epochs: 300, ..Settings::notebook(Optimizer::Adam) };
/// let fast = engine::model(&data.x, &data.y, &settings, &mut Silent).unwrap();
/// let plain = model(&data.x, &data.y, &settings, &mut Silent).unwrap();
/// assert_eq!(fast, plain);
/// ```
pub fn model<O: TrainObserver + ?Sized>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    settings: &Settings,
    observer: &mut O,
) -> Result<TrainedModel, NnError> {
    model_with(Engine::ThreeLayer, x, y, settings, observer)
}

/// [`crate::model`] with `engine`'s loop.
pub fn model_with<O: TrainObserver + ?Sized>(
    engine: Engine,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    settings: &Settings,
    observer: &mut O,
) -> Result<TrainedModel, NnError> {
    if engine == Engine::Notebook {
        return crate::model(x, y, settings, observer);
    }
    let mut parameters = crate::start(x, y, settings)?;
    let m = x.ncols();
    let layers_dims = parameters.layers_dims()?;
    let mut optimizer = OptimizerState::new(&parameters);
    let mut progress = Progress::new(settings);
    let mut workspace = Workspace::new(layers_dims, settings.mini_batch_size.min(m))?;
    let mut weight_grads = WeightGradients::zeros(layers_dims);
    // The update functions read the six weight gradients of `Gradients`; the per-example
    // fields (of the plain backward pass) stay empty.
    let mut grads = Gradients::zeros(layers_dims, 0);
    let mut permutation: Vec<usize> = Vec::with_capacity(m);
    let mut seed = MINI_BATCH_SEED;
    for i in 0..settings.num_epochs {
        seed += 1;
        // random_mini_batches' `np.random.seed(seed)`, `np.random.permutation(m)`.
        permutation.clear();
        permutation.extend(0..m);
        NumpyRng::new(seed).shuffle(&mut permutation);
        let recorded = i % COST_EVERY == 0;
        let mut cost_total = 0.0;
        for columns in permutation.chunks(settings.mini_batch_size) {
            workspace.load_columns(x, y, columns)?;
            workspace.step(&parameters, &mut weight_grads)?;
            if recorded {
                cost_total += batch_cost(&workspace)?;
            }
            copy_weight_gradients(&weight_grads, &mut grads);
            optimizer.update(settings, &mut parameters, &grads, progress.learning_rate)?;
        }
        let cost_avg = cost_total / m as f64;
        progress.end_epoch(i, recorded.then_some(cost_avg), &parameters, observer)?;
    }
    Ok(progress.into_model(parameters))
}

/// [`compute_cost`] of the workspace's last step: its output `a3` against the batch's labels
/// (allocates two rows: only on the kept epochs).
fn batch_cost(workspace: &Workspace) -> Result<f64, NnError> {
    let width = workspace.examples();
    let a3 = DMatrix::from_iterator(1, width, workspace.output().copied());
    let y = DMatrix::from_iterator(1, width, workspace.labels().copied());
    compute_cost(&a3, &y)
}

/// The engine's weight gradients into the fields the update functions read.
fn copy_weight_gradients(from: &WeightGradients, to: &mut Gradients) {
    to.dw1.copy_from(&from.dw1);
    to.db1.copy_from(&from.db1);
    to.dw2.copy_from(&from.dw2);
    to.db2.copy_from(&from.db2);
    to.dw3.copy_from(&from.dw3);
    to.db3.copy_from(&from.db3);
}
