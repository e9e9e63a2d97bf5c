//! The notebook's pictures: the football positions (`load_2D_dataset`'s `plt.scatter`), a run's
//! cost curve (`plt.plot(costs)`, kept every [`crate::COST_EVERY`] iterations) and its decision
//! boundary (`plot_decision_boundary(lambda x: predict_dec(parameters, x.T), train_X, train_Y)`
//! of `reg_utils.py`, over the notebook's `axes.set_xlim([-0.75, 0.40])`,
//! `axes.set_ylim([-0.75, 0.65])`), drawn by [`linalg_nn::plot::three_layer`], which the
//! initialisation notebook shares. Every function takes the output path (`.png` or `.svg`) and
//! writes the file atomically.

use crate::{Football, Parameters};
use linalg_nn::plot::three_layer::Window;
use std::path::Path;

pub use linalg_nn::plot::three_layer::{FigureError, GRID_RESOLUTION, cost_curves, dataset};

/// The part of the field the notebook's boundary plots show: `x1` in `[-0.75, 0.40]`, `x2` in
/// `[-0.75, 0.65]` (the data spans about `[-0.60, 0.30] x [-0.66, 0.57]`; the usual margin of 1
/// would make it a small patch in the middle).
pub const WINDOW: Window = Some(((-0.75, 0.40), (-0.75, 0.65)));

/// The network's decision regions over the training points, in [`WINDOW`].
pub fn decision_regions(
    path: impl AsRef<Path>,
    data: &Football,
    parameters: &Parameters,
    title: &str,
) -> Result<(), FigureError> {
    linalg_nn::plot::three_layer::decision_regions_in(path, &data.train, parameters, title, WINDOW)
}

/// One panel per `(title, parameters)` over the training points, `columns` per row, in
/// [`WINDOW`] (the notebook's three models side by side).
pub fn boundaries_side_by_side(
    path: impl AsRef<Path>,
    data: &Football,
    runs: &[(&str, &Parameters)],
    columns: usize,
) -> Result<(), FigureError> {
    linalg_nn::plot::three_layer::boundaries_side_by_side(path, &data.train, runs, columns, WINDOW)
}
