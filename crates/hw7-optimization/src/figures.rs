//! The notebook's pictures: the moons (`plt.scatter(train_X[0, :], train_X[1, :], c=train_Y,
//! s=40, cmap=plt.cm.Spectral)` of `load_dataset`), a run's cost curve (`plt.plot(costs)`, "epochs
//! (per 100)"), its decision boundary (`plot_decision_boundary(lambda x: predict_dec(parameters,
//! x.T), train_X, train_Y)`), and the optimizers' cost curves on one chart for the comparison of
//! section 6. Every function takes the output path (`.png` or `.svg`) and writes the file
//! atomically.

use crate::{Parameters, predict};
use linalg_nn::NnError;
use linalg_nn::data::planar::PlanarData;
use linalg_nn::plot::{
    BoundaryGrid, DecisionBoundary, GridError, LineChart, PlotError, Scatter, Series,
    decision_boundary, line_chart, scatter,
};
use std::path::Path;
use thiserror::Error;

/// Cells per axis of the decision-boundary mesh (the notebook steps by 0.01 over about 4 units).
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
    /// The parameters do not fit the data.
    #[error(transparent)]
    Nn(#[from] NnError),
}

/// The data as the notebook first shows it: class 0 red, class 1 blue.
pub fn dataset(path: impl AsRef<Path>, data: &PlanarData, title: &str) -> Result<(), FigureError> {
    let labels = data.labels();
    scatter(path, &Scatter { title: title.to_owned(), points: &data.x, labels: &labels })?;
    Ok(())
}

/// Several runs' costs against the epoch, one line per `(label, costs)` (one run: the
/// notebook's `plt.plot(costs)`; all three optimizers: the comparison of section 6).
pub fn cost_curves(
    path: impl AsRef<Path>,
    runs: &[(&str, &[(usize, f64)])],
    title: &str,
) -> Result<(), FigureError> {
    let series = runs
        .iter()
        .map(|(label, costs)| {
            Series::new(*label, costs.iter().map(|&(i, c)| (i as f64, c)).collect())
        })
        .collect();
    let chart = LineChart {
        title: title.to_owned(),
        x_label: format!("epoch (cost every {})", crate::COST_EVERY),
        y_label: "cost".to_owned(),
        series,
        log_y: false,
    };
    line_chart(path, &chart)?;
    Ok(())
}

/// The network's decision regions over the data, with the points drawn over them.
pub fn decision_regions(
    path: impl AsRef<Path>,
    data: &PlanarData,
    parameters: &Parameters,
    title: &str,
) -> Result<(), FigureError> {
    // The mesh has two rows: a network for two features predicts on it without error, so the
    // check comes first and the prediction below cannot fail.
    let [n_x, ..] = parameters.layers_dims()?;
    if n_x != 2 {
        return Err(
            NnError::invalid("W1", format!("a 2-D boundary needs 2 inputs, got {n_x}")).into()
        );
    }
    let grid = BoundaryGrid::compute(&data.x, GRID_RESOLUTION, |cells| {
        predict(cells, parameters)
            .map(|classes| classes.iter().map(|&c| u8::from(c > 0.5)).collect())
            .unwrap_or_default()
    })?;
    let labels = data.labels();
    let boundary =
        DecisionBoundary { title: title.to_owned(), points: &data.x, labels: &labels, grid: &grid };
    decision_boundary(path, &boundary)?;
    Ok(())
}
