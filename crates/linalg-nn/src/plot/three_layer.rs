//! The figures of Course 2's three-layer network notebooks (initialisation, regularisation):
//! the data (`plt.scatter(train_X[0, :], train_X[1, :], c=train_Y, s=40, cmap=plt.cm.Spectral)`),
//! cost curves (`plt.plot(costs)`) and decision boundaries (`plot_decision_boundary(lambda x:
//! predict_dec(parameters, x.T), train_X, train_Y)` of `init_utils.py` / `reg_utils.py`). Every
//! function takes the output path (`.png` or `.svg`) and writes the file atomically.

use super::{
    BoundaryGrid, DecisionBoundary, GridError, LineChart, PlotError, Scatter, Series,
    decision_boundary, decision_boundary_grid, line_chart, scatter,
};
use crate::NnError;
use crate::data::planar::PlanarData;
use crate::three_layer::{Parameters, predict};
use std::path::Path;
use thiserror::Error;

/// Cells per axis of the decision-boundary mesh (the notebooks step by 0.01 over a few units).
pub const GRID_RESOLUTION: usize = 300;

/// Why a figure could not be drawn.
#[derive(Debug, Error)]
pub enum FigureError {
    /// Drawing or writing the file failed.
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// The decision-boundary mesh could not be built.
    #[error("decision boundary: {0}")]
    Grid(#[from] GridError),
    /// The network's forward pass failed.
    #[error(transparent)]
    Nn(#[from] NnError),
}

/// The data as the notebook first shows it: class 0 red, class 1 blue.
pub fn dataset(path: impl AsRef<Path>, data: &PlanarData, title: &str) -> Result<(), FigureError> {
    let labels = data.labels();
    scatter(path, &Scatter { title: title.to_owned(), points: &data.x, labels: &labels })?;
    Ok(())
}

/// Several runs' costs on one chart, one line per `(label, costs)` with the iterations on the x
/// axis (kept every `cost_every`); an infinite cost is left out of its line.
pub fn cost_curves(
    path: impl AsRef<Path>,
    runs: &[(&str, &[(usize, f64)])],
    title: &str,
    cost_every: usize,
) -> Result<(), FigureError> {
    let series = runs
        .iter()
        .map(|(label, costs)| {
            Series::new(*label, costs.iter().map(|&(i, c)| (i as f64, c)).collect())
        })
        .collect();
    let chart = LineChart {
        title: title.to_owned(),
        x_label: format!("iteration (cost every {cost_every})"),
        y_label: "cost".to_owned(),
        series,
        log_y: false,
    };
    line_chart(path, &chart)?;
    Ok(())
}

/// The part of the plane a decision boundary shows, `(x range, y range)`; `None` is
/// `plot_decision_boundary`'s own, the points' extent plus 1 on every side.
pub type Window = Option<((f64, f64), (f64, f64))>;

/// The network's predictions over the mesh of `plot_decision_boundary`.
fn grid_of(
    data: &PlanarData,
    parameters: &Parameters,
    window: Window,
) -> Result<BoundaryGrid, FigureError> {
    let mut failure = None;
    let classify = |cells: &nalgebra::DMatrix<f64>| match predict(cells, parameters) {
        Ok(classes) => classes.iter().map(|&c| u8::from(c > 0.5)).collect(),
        Err(err) => {
            failure = Some(err);
            Vec::new()
        }
    };
    let grid = match window {
        None => BoundaryGrid::compute(&data.x, GRID_RESOLUTION, classify),
        Some((x, y)) => BoundaryGrid::compute_in(x, y, GRID_RESOLUTION, classify),
    };
    match failure {
        Some(err) => Err(err.into()),
        None => Ok(grid?),
    }
}

/// The network's decision regions over the data, with the points drawn over them.
pub fn decision_regions(
    path: impl AsRef<Path>,
    data: &PlanarData,
    parameters: &Parameters,
    title: &str,
) -> Result<(), FigureError> {
    decision_regions_in(path, data, parameters, title, None)
}

/// [`decision_regions`] over `window` (the notebook's `axes.set_xlim` / `set_ylim`).
pub fn decision_regions_in(
    path: impl AsRef<Path>,
    data: &PlanarData,
    parameters: &Parameters,
    title: &str,
    window: Window,
) -> Result<(), FigureError> {
    boundaries_side_by_side(path, data, &[(title, parameters)], 1, window)
}

/// One decision-boundary panel per `(title, parameters)`, `columns` panels per row, each over
/// the same data and `window` (a notebook's runs side by side).
pub fn boundaries_side_by_side(
    path: impl AsRef<Path>,
    data: &PlanarData,
    runs: &[(&str, &Parameters)],
    columns: usize,
    window: Window,
) -> Result<(), FigureError> {
    let labels = data.labels();
    let grids = runs
        .iter()
        .map(|(_, p)| grid_of(data, p, window))
        .collect::<Result<Vec<_>, FigureError>>()?;
    let panels: Vec<DecisionBoundary<'_>> = runs
        .iter()
        .zip(&grids)
        .map(|((title, _), grid)| DecisionBoundary {
            title: (*title).to_owned(),
            points: &data.x,
            labels: &labels,
            grid,
        })
        .collect();
    match panels.as_slice() {
        [single] => decision_boundary(path, single)?,
        _ => decision_boundary_grid(path, &panels, columns)?,
    }
    Ok(())
}
