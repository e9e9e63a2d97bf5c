//! The notebook's pictures: the football positions (`load_2D_dataset`'s `plt.scatter`), a run's
//! cost curve (`plt.plot(costs)`) and its decision boundary (`plot_decision_boundary(lambda x:
//! predict_dec(parameters, x.T), train_X, train_Y)` of `reg_utils.py`), drawn by
//! [`linalg_nn::plot::three_layer`], which the initialisation notebook shares. Every function
//! takes the output path (`.png` or `.svg`) and writes the file atomically.

use crate::COST_EVERY;
use std::path::Path;

pub use linalg_nn::plot::three_layer::{
    FigureError, GRID_RESOLUTION, boundaries_side_by_side, dataset, decision_regions,
};

/// Several runs' costs on one chart, one line per `(label, costs)`, kept every
/// [`COST_EVERY`] iterations.
pub fn cost_curves(
    path: impl AsRef<Path>,
    runs: &[(&str, &[(usize, f64)])],
    title: &str,
) -> Result<(), FigureError> {
    linalg_nn::plot::three_layer::cost_curves(path, runs, title, COST_EVERY)
}
