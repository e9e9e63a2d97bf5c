//! The notebook's pictures: the circles (`plt.scatter(train_X[0, :], train_X[1, :], c=train_Y,
//! s=40, cmap=plt.cm.Spectral)`), the cost curve of a run (`plt.plot(costs)`) and its decision
//! boundary (`plot_decision_boundary(lambda x: predict_dec(parameters, x.T), train_X, train_Y)`
//! of `init_utils.py`), drawn by [`linalg_nn::plot::three_layer`], which the regularisation
//! notebook shares. Every function takes the output path (`.png` or `.svg`) and writes the
//! file atomically.

use crate::COST_EVERY;
use std::path::Path;

use crate::Parameters;
use linalg_nn::data::planar::PlanarData;

pub use linalg_nn::plot::three_layer::{FigureError, GRID_RESOLUTION, dataset, decision_regions};

/// One decision-boundary panel per `(title, parameters)`, `columns` panels per row, each over
/// the circles and the notebook's margin around them.
pub fn boundaries_side_by_side(
    path: impl AsRef<Path>,
    data: &PlanarData,
    runs: &[(&str, &Parameters)],
    columns: usize,
) -> Result<(), FigureError> {
    linalg_nn::plot::three_layer::boundaries_side_by_side(path, data, runs, columns, None)
}

/// The recorded costs against the iteration (`plt.plot(costs)`, with the iterations on the x
/// axis); an infinite cost (the `randn * 10` start) is left out of the line.
pub fn cost_curve(
    path: impl AsRef<Path>,
    costs: &[(usize, f64)],
    title: &str,
) -> Result<(), FigureError> {
    cost_curves(path, &[("cost", costs)], title)
}

/// Several runs' costs on one chart, one line per `(label, costs)`.
pub fn cost_curves(
    path: impl AsRef<Path>,
    runs: &[(&str, &[(usize, f64)])],
    title: &str,
) -> Result<(), FigureError> {
    linalg_nn::plot::three_layer::cost_curves(path, runs, title, COST_EVERY)
}
