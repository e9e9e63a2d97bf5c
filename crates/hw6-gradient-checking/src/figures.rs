//! A picture of what the notebook's gradient check computes: `|grad[i] - gradapprox[i]|` for
//! each of the 47 parameters (the notebook prints only the one difference), on a log scale, so
//! that the planted bugs show as the `b1` and `W2` stretches standing six orders of magnitude
//! above the rest. The notebook draws no figure; this one is for the learner.

use linalg_nn::gradcheck::GradCheckReport;
use linalg_nn::plot::{LineChart, PlotError, Series, line_chart};
use std::path::Path;

/// The x-axis label: which indices of the vector belong to which matrix (`gc_utils`' order).
pub const INDEX_LABEL: &str =
    "parameter index: W1 0-19, b1 20-24, W2 25-39, b2 40-42, W3 43-45, b3 46";

/// `|grad - gradapprox|` of each labelled check, one line each, against the parameter index
/// (`path` ending in `.png` or `.svg`). An exact match (a gap of 0) cannot be drawn on the log
/// axis and leaves a hole in its line.
pub fn gradient_gaps(
    path: impl AsRef<Path>,
    checks: &[(&str, &GradCheckReport)],
) -> Result<(), PlotError> {
    let series = checks
        .iter()
        .map(|(label, check)| {
            let gaps: Vec<f64> =
                check.grad.iter().zip(&check.gradapprox).map(|(g, a)| (g - a).abs()).collect();
            Series::from_values(*label, &gaps)
        })
        .collect();
    let chart = LineChart {
        title: "|grad - gradapprox| for each parameter (epsilon = 1e-7)".into(),
        x_label: INDEX_LABEL.into(),
        y_label: "|grad - gradapprox|".into(),
        series,
        log_y: true,
    };
    line_chart(path, &chart)
}
