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
use std::sync::mpsc;

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
    let two_threads = nn_engines::pair::cores() > 1;
    for_each_block(m, settings.num_epochs, two_threads, |first_epoch, permutations| {
        for (k, permutation) in permutations.chunks(m).enumerate() {
            let i = first_epoch + k;
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
        Ok(())
    })?;
    Ok(progress.into_model(parameters))
}

/// Epochs whose permutations are drawn and handed over together.
const EPOCHS_PER_BLOCK: usize = 32;

/// Calls `train(first_epoch, permutations)` for the epochs in blocks of [`EPOCHS_PER_BLOCK`],
/// `permutations` holding each epoch's `np.random.permutation(m)` one after the other (epoch `i`
/// after `np.random.seed(11 + i)`, as [`crate::random_mini_batches`] draws them).
///
/// Drawing a permutation (seeding numpy's Mersenne Twister and shuffling) costs about half as
/// much as an epoch's training, and does not depend on it: with `two_threads` a second thread
/// draws the
/// next blocks while this one trains (the same permutations, so the same numbers).
fn for_each_block(
    m: usize,
    num_epochs: usize,
    two_threads: bool,
    mut train: impl FnMut(usize, &[usize]) -> Result<(), NnError>,
) -> Result<(), NnError> {
    let firsts = (0..num_epochs).step_by(EPOCHS_PER_BLOCK);
    if !two_threads {
        let mut block = Vec::new();
        for first in firsts {
            draw_permutations(&mut block, m, first, num_epochs);
            train(first, &block)?;
        }
        return Ok(());
    }
    std::thread::scope(|scope| {
        // Full blocks go one way, used ones come back to be refilled: three blocks in all.
        let (full, drawn) = mpsc::sync_channel::<Vec<usize>>(1);
        let (give_back, returned) = mpsc::channel::<Vec<usize>>();
        for _ in 0..2 {
            give_back.send(Vec::new()).ok();
        }
        let draws = firsts.clone();
        scope.spawn(move || {
            // Stops when training has ended (either channel closed).
            for first in draws {
                let Ok(mut block) = returned.recv() else { return };
                draw_permutations(&mut block, m, first, num_epochs);
                if full.send(block).is_err() {
                    return;
                }
            }
        });
        for first in firsts {
            let block = drawn
                .recv()
                .map_err(|_| NnError::invalid("permutation thread", "stopped by a panic"))?;
            train(first, &block)?;
            give_back.send(block).ok();
        }
        Ok(())
    })
}

/// `block` becomes the permutations of epochs `first, first + 1, ...` (at most
/// [`EPOCHS_PER_BLOCK`], none from `num_epochs` on).
fn draw_permutations(block: &mut Vec<usize>, m: usize, first: usize, num_epochs: usize) {
    block.clear();
    for i in first..num_epochs.min(first + EPOCHS_PER_BLOCK) {
        let start = block.len();
        block.extend(0..m);
        // Settings::validate keeps 11 + i within u32.
        let seed = MINI_BATCH_SEED + 1 + i as u32;
        NumpyRng::new(seed).shuffle(&mut block[start..]);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What `for_each_block` hands over: `(epoch, permutation)` for every epoch.
    fn handed_over(m: usize, num_epochs: usize, two_threads: bool) -> Vec<(usize, Vec<usize>)> {
        let mut seen = Vec::new();
        for_each_block(m, num_epochs, two_threads, |first, block| {
            seen.extend(block.chunks(m).enumerate().map(|(k, p)| (first + k, p.to_vec())));
            Ok(())
        })
        .unwrap();
        seen
    }

    #[test]
    fn both_ways_hand_over_random_mini_batches_permutations() {
        let (m, num_epochs) = (7, 2 * EPOCHS_PER_BLOCK + 3);
        let one = handed_over(m, num_epochs, false);
        assert_eq!(one, handed_over(m, num_epochs, true));
        assert_eq!(one.len(), num_epochs);
        // random_mini_batches draws the same columns, epoch i with seed 11 + i.
        let x = DMatrix::from_fn(1, m, |_, j| j as f64);
        for (i, permutation) in &one {
            assert_eq!(i, &one[*i].0);
            let seed = MINI_BATCH_SEED + 1 + *i as u32;
            let batches = crate::random_mini_batches(&x, &x, m, seed).unwrap();
            let columns: Vec<usize> = batches[0].x.iter().map(|&c| c as usize).collect();
            assert_eq!(&columns, permutation, "epoch {i}");
        }
    }

    #[test]
    fn a_training_error_stops_both_ways() {
        for two_threads in [false, true] {
            let mut calls = 0;
            let result = for_each_block(3, 10 * EPOCHS_PER_BLOCK, two_threads, |_, _| {
                calls += 1;
                if calls == 2 { Err(NnError::invalid("test", "stop")) } else { Ok(()) }
            });
            assert!(result.is_err());
            assert_eq!(calls, 2);
        }
    }
}
