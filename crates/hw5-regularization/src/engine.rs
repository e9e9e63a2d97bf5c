//! Which loop trains the network: the one place of this crate that picks an engine and calls it.
//! The binary trains through [`model`]; the tests compare it with the notebook's [`crate::model`].
//!
//! [`Engine::ThreeLayer`] is `nn_engines::three_layer::train_reg_utils`: section 1's `model`
//! loop in `reg_utils`' form (the `1/m` after each product, the L2 term, the notebook's dropout
//! masks) with the same operations in the same order, so the same bits as [`crate::model`],
//! every buffer made once, the forward products several examples at a time and the gradients'
//! sums several entries at a time in vector registers. [`Engine::Notebook`] is [`crate::model`]
//! as written. Dropout with fresh masks (new ones every iteration) runs the notebook's loop on
//! either engine.

use crate::{
    COST_EVERY, DROPOUT_SEED, DropoutMasks, HIDDEN_LAYERS, MaskSchedule, Parameters,
    Regularization, TrainedModel, check_keep_prob, check_lambd, initialize_parameters,
    l2_regularization_cost,
};
use linalg_nn::train::{TrainObserver, validate_training_set};
use linalg_nn::{DMatrix, NnError, NumpyRng};
use nn_engines::lanes::Level;
use nn_engines::three_layer::{FixedMasks, L2, RegUtils, Schedule, train_reg_utils_at};

/// A training loop for [`model_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Engine {
    /// `nn_engines::three_layer::train_reg_utils`, what the binary runs: [`crate::model`]'s
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
/// ```no_run
/// use hw5_regularization::{Regularization, engine, load_2d_dataset, model};
/// use linalg_nn::train::Silent;
/// let data = load_2d_dataset(&linalg_nn::data::default_data_dir()).unwrap();
/// let (x, y) = (&data.train.x, &data.train.y);
/// let l2 = Regularization::l2(0.7).unwrap();
/// let fast = engine::model(x, y, 0.3, 2000, l2, &mut Silent).unwrap();
/// assert_eq!(fast, model(x, y, 0.3, 2000, l2, &mut Silent).unwrap());
/// ```
pub fn model<O: TrainObserver + ?Sized>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    learning_rate: f64,
    num_iterations: usize,
    regularization: Regularization,
    observer: &mut O,
) -> Result<TrainedModel, NnError> {
    model_with(Engine::ThreeLayer, x, y, learning_rate, num_iterations, regularization, observer)
}

/// [`crate::model`] with `engine`'s loop.
pub fn model_with<O: TrainObserver + ?Sized>(
    engine: Engine,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    learning_rate: f64,
    num_iterations: usize,
    regularization: Regularization,
    observer: &mut O,
) -> Result<TrainedModel, NnError> {
    let level = match engine {
        Engine::ThreeLayer => Level::current(),
        Engine::Notebook => {
            return crate::model(x, y, learning_rate, num_iterations, regularization, observer);
        }
    };
    model_at_level(level, x, y, learning_rate, num_iterations, regularization, observer)
}

/// [`Engine::ThreeLayer`] with its kernels at `level` (at most what the CPU has): for the tests
/// that compare every level with the notebook's loop.
pub fn model_at_level<O: TrainObserver + ?Sized>(
    level: Level,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    learning_rate: f64,
    num_iterations: usize,
    regularization: Regularization,
    observer: &mut O,
) -> Result<TrainedModel, NnError> {
    let layers_dims = [x.nrows(), HIDDEN_LAYERS[0], HIDDEN_LAYERS[1], 1];
    let fresh =
        matches!(regularization, Regularization::Dropout { masks: MaskSchedule::Fresh, .. });
    if fresh || layers_dims != [2, 20, 3, 1] {
        // New masks every iteration, or inputs the kernels are not compiled for.
        return crate::model(x, y, learning_rate, num_iterations, regularization, observer);
    }
    // model's checks and start, in its order.
    let m = validate_training_set(x, y, num_iterations, learning_rate)?;
    match regularization {
        Regularization::None => {}
        Regularization::L2 { lambd } => check_lambd(lambd)?,
        Regularization::Dropout { keep_prob, .. } => check_keep_prob(keep_prob)?,
    }
    let start = initialize_parameters(&layers_dims)?;
    let mut masks = DropoutMasks::zeros(layers_dims, m);
    let penalty = |p: &Parameters| match regularization {
        Regularization::L2 { lambd } => l2_regularization_cost(p, lambd, m),
        _ => 0.0,
    };
    let reg = match regularization {
        Regularization::None => RegUtils { l2: None, dropout: None },
        Regularization::L2 { lambd } => {
            RegUtils { l2: Some(L2 { lambd, cost: &penalty }), dropout: None }
        }
        Regularization::Dropout { keep_prob, .. } => {
            masks.draw(&mut NumpyRng::new(DROPOUT_SEED), keep_prob);
            let (d1, d2) = (&masks.d1, &masks.d2);
            RegUtils { l2: None, dropout: Some(FixedMasks { d1, d2, keep_prob }) }
        }
    };
    let schedule = Schedule { num_iterations, learning_rate, cost_every: COST_EVERY };
    match train_reg_utils_at(level, x, y, start, &schedule, &reg, observer) {
        Ok(trained) => Ok(TrainedModel { parameters: trained.parameters, costs: trained.costs }),
        // The notebook's loop names the cost only on the iterations that keep it.
        Err(NnError::Diverged { iteration, cost, learning_rate }) => Err(NnError::Diverged {
            iteration,
            cost: if iteration.is_multiple_of(COST_EVERY) { cost } else { f64::NAN },
            learning_rate,
        }),
        Err(other) => Err(other),
    }
}
