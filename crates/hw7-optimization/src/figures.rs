//! The notebook's pictures: the moons (`plt.scatter(train_X[0, :], train_X[1, :], c=train_Y,
//! s=40, cmap=plt.cm.Spectral)` of `load_dataset`), a run's cost curve (`plt.plot(costs)`, "epochs
//! (per 100)"), its decision boundary (`plot_decision_boundary(lambda x: predict_dec(parameters,
//! x.T), train_X, train_Y)`), and the optimizers' cost curves on one chart for the comparison of
//! section 6. Every function takes the output path (`.png` or `.svg`) and writes the file
//! atomically.

// The moons and the decision regions are drawn as week 1's circles are: the same network
// (`linalg_nn::three_layer`) on the same kind of data.
pub use hw4_initialization::figures::{FigureError, GRID_RESOLUTION, dataset, decision_regions};
use linalg_nn::plot::{LineChart, Series, line_chart};
use std::path::Path;

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
