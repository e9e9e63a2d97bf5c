//! Which loop trains the network: the one place of this crate that picks an engine and calls it.
//! The binary trains through [`model`]; the tests compare it with the notebook's [`crate::model`].
//!
//! [`Engine::ThreeLayer`] is `nn_engines::three_layer::train`: section 1's `model` loop with the
//! same operations in the same order (so the same bits as [`crate::model`]), every buffer made
//! once, the forward products several examples at a time and the gradients' sums several
//! entries at a time in vector registers. [`Engine::Notebook`] is [`crate::model`] as written.

use crate::{HIDDEN_LAYERS, Initialization, TrainedModel};
use linalg_nn::matrix::ensure_shape;
use linalg_nn::train::{TrainObserver, validate_hyperparameters};
use linalg_nn::{DMatrix, NnError};
use nn_engines::three_layer::{self, Schedule};

/// A training loop for [`model_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Engine {
    /// `nn_engines::three_layer::train`, what the binary runs: [`crate::model`]'s bits, made
    /// fast.
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
/// use hw4_initialization::{Initialization, engine, load_dataset, model};
/// use linalg_nn::train::Silent;
/// let data = load_dataset();
/// let (x, y) = (&data.train.x, &data.train.y);
/// let fast = engine::model(x, y, 0.01, 300, Initialization::He, &mut Silent).unwrap();
/// let plain = model(x, y, 0.01, 300, Initialization::He, &mut Silent).unwrap();
/// assert_eq!(fast, plain);
/// ```
pub fn model<O: TrainObserver + ?Sized>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    learning_rate: f64,
    num_iterations: usize,
    initialization: Initialization,
    observer: &mut O,
) -> Result<TrainedModel, NnError> {
    model_with(Engine::ThreeLayer, x, y, learning_rate, num_iterations, initialization, observer)
}

/// [`crate::model`] with `engine`'s loop.
pub fn model_with<O: TrainObserver + ?Sized>(
    engine: Engine,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    learning_rate: f64,
    num_iterations: usize,
    initialization: Initialization,
    observer: &mut O,
) -> Result<TrainedModel, NnError> {
    if engine == Engine::Notebook {
        return crate::model(x, y, learning_rate, num_iterations, initialization, observer);
    }
    // model's checks and start, in its order.
    validate_hyperparameters(num_iterations, learning_rate)?;
    if x.ncols() == 0 {
        return Err(NnError::invalid("X", "training needs at least one example"));
    }
    ensure_shape(y, (1, x.ncols()), "Y (one label per column of X)")?;
    let layers_dims = [x.nrows(), HIDDEN_LAYERS[0], HIDDEN_LAYERS[1], 1];
    let start = initialization.parameters(&layers_dims)?;
    let schedule = Schedule { num_iterations, learning_rate, cost_every: crate::COST_EVERY };
    let trained = three_layer::train(x, y, start, &schedule, observer)?;
    Ok(TrainedModel { parameters: trained.parameters, costs: trained.costs })
}
