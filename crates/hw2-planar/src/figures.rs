//! The notebook's pictures: the data (`plt.scatter(X[0, :], X[1, :], c=Y, s=40,
//! cmap=plt.cm.Spectral)`), decision boundaries (`plot_decision_boundary(lambda x:
//! predict(parameters, x.T), X, Y)` of `planar_utils.py`), the cost curve and the grid of
//! boundaries of section 6's hidden-layer sweep. Every function takes the output path (`.png` or
//! `.svg`) and writes the file atomically, so `cargo xtask plots` can call them as the binary does.

use crate::baseline::LogisticModel;
use crate::engines::predict;
use crate::error::Result;
use crate::{Parameters, SweepRun, TrainedModel};
use linalg_nn::DMatrix;
use linalg_nn::data::planar::PlanarData;
use linalg_nn::plot::{
    BoundaryGrid, DecisionBoundary, LineChart, Scatter, Series, decision_boundary,
    decision_boundary_grid, line_chart, scatter,
};
use std::path::Path;

/// Cells per axis of the decision-boundary mesh. The notebook steps by 0.01 (about 1000 cells
/// per axis on the flower); 300 is as fine as an 800-pixel figure shows, and keeps the
/// prediction pass of the 50-unit network short.
pub const GRID_RESOLUTION: usize = 300;

/// Panels per row of the sweep's grid of decision boundaries.
pub const SWEEP_COLUMNS: usize = 4;

/// The mesh of `plot_decision_boundary` over `points`: `predict` gets every cell centre as one
/// `(2, resolution²)` batch and returns 0/1 predictions `(1, resolution²)` (values above 0.5 count
/// as class 1).
pub fn boundary_grid<E>(
    points: &DMatrix<f64>,
    resolution: usize,
    predict: impl FnOnce(&DMatrix<f64>) -> std::result::Result<DMatrix<f64>, E>,
) -> Result<BoundaryGrid>
where
    crate::PlanarError: From<E>,
{
    let mut failure = None;
    let grid = BoundaryGrid::compute(points, resolution, |cells| match predict(cells) {
        Ok(classes) => classes.iter().map(|&c| u8::from(c > 0.5)).collect(),
        Err(e) => {
            failure = Some(e);
            Vec::new()
        }
    });
    if let Some(e) = failure {
        return Err(e.into());
    }
    Ok(grid?)
}

/// The network's decision regions over `points`: [`boundary_grid`] with
/// `predict(parameters, cells)`, one batched forward pass (through [`crate::engines::predict`],
/// the same predictions as [`crate::predict`]).
///
/// ```
/// use hw2_planar::{Parameters, figures::decision_grid};
/// use linalg_nn::{DMatrix, activations::Activation};
/// // A network that predicts 1 exactly where x2 > x1.
/// let p = Parameters {
///     w1: DMatrix::from_row_slice(1, 2, &[-1.0, 1.0]),
///     b1: DMatrix::zeros(1, 1),
///     w2: DMatrix::from_element(1, 1, 5.0),
///     b2: DMatrix::zeros(1, 1),
///     activation: Activation::Tanh,
/// };
/// let x = DMatrix::from_row_slice(2, 2, &[0.0, 2.0, 0.0, 2.0]);
/// let grid = decision_grid(&p, &x, 10).unwrap();
/// assert_eq!(grid.class_at(0, 9), Some(1)); // top left: x2 > x1
/// assert_eq!(grid.class_at(9, 0), Some(0)); // bottom right
/// ```
pub fn decision_grid(
    parameters: &Parameters,
    points: &DMatrix<f64>,
    resolution: usize,
) -> Result<BoundaryGrid> {
    boundary_grid(points, resolution, |cells| predict(parameters, cells))
}

/// The data set as the notebook first shows it: class 0 red, class 1 blue.
pub fn dataset_scatter(path: impl AsRef<Path>, data: &PlanarData, title: &str) -> Result<()> {
    let labels = data.labels();
    scatter(path, &Scatter { title: title.to_string(), points: &data.x, labels: &labels })?;
    Ok(())
}

/// A decision boundary from a precomputed grid, with the data drawn over it.
pub fn boundary_figure(
    path: impl AsRef<Path>,
    data: &PlanarData,
    grid: &BoundaryGrid,
    title: &str,
) -> Result<()> {
    let labels = data.labels();
    let figure =
        DecisionBoundary { title: title.to_string(), points: &data.x, labels: &labels, grid };
    decision_boundary(path, &figure)?;
    Ok(())
}

/// The trained network's decision boundary, the notebook's
/// `plot_decision_boundary(lambda x: predict(parameters, x.T), X, Y)`.
pub fn network_boundary(
    path: impl AsRef<Path>,
    data: &PlanarData,
    parameters: &Parameters,
    title: &str,
) -> Result<()> {
    let grid = decision_grid(parameters, &data.x, GRID_RESOLUTION)?;
    boundary_figure(path, data, &grid, title)
}

/// The logistic-regression baseline's decision boundary (a straight line), section 3's
/// `plot_decision_boundary(lambda x: clf.predict(x), X, Y)`.
pub fn baseline_boundary(
    path: impl AsRef<Path>,
    data: &PlanarData,
    baseline: &LogisticModel,
    title: &str,
) -> Result<()> {
    let grid = boundary_grid(&data.x, GRID_RESOLUTION, |cells| baseline.predict(cells))?;
    boundary_figure(path, data, &grid, title)
}

/// The cost of every iteration, on a line chart with the iteration on the x axis.
pub fn cost_curve(path: impl AsRef<Path>, model: &TrainedModel, title: &str) -> Result<()> {
    let points = model.cost_history.iter().enumerate().map(|(i, &c)| (i as f64, c)).collect();
    let chart = LineChart {
        title: title.to_string(),
        x_label: "iteration".to_string(),
        y_label: "cost J".to_string(),
        series: vec![Series::new("cost", points)],
        log_y: false,
    };
    line_chart(path, &chart)?;
    Ok(())
}

/// Section 6's figure: one decision boundary per hidden layer size, titled with the size and
/// the accuracy, [`SWEEP_COLUMNS`] panels per row.
pub fn sweep_boundaries(
    path: impl AsRef<Path>,
    data: &PlanarData,
    runs: &[SweepRun],
) -> Result<()> {
    let labels = data.labels();
    let grids = runs
        .iter()
        .map(|run| decision_grid(&run.model.parameters, &data.x, GRID_RESOLUTION))
        .collect::<Result<Vec<_>>>()?;
    let panels: Vec<DecisionBoundary<'_>> = runs
        .iter()
        .zip(&grids)
        .map(|(run, grid)| DecisionBoundary {
            title: format!("Hidden layer of size {}: {} %", run.hidden_units, run.accuracy),
            points: &data.x,
            labels: &labels,
            grid,
        })
        .collect();
    decision_boundary_grid(path, &panels, SWEEP_COLUMNS)?;
    Ok(())
}
