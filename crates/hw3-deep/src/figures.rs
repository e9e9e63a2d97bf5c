//! The application notebook's figures: the cost curve (`plt.plot(np.squeeze(costs))`), the
//! mislabeled test pictures (`print_mislabeled_images`), and the two presets' cost curves on
//! one chart. Every function takes the output path (`.png` or `.svg`) and writes atomically,
//! so the binary and `cargo xtask plots` share them.

use crate::model::COST_EVERY;
use linalg_nn::data::CatSplit;
use linalg_nn::plot::{
    DEFAULT_IMAGE_SCALE, LabeledImage, LineChart, PlotError, Series, image_grid, line_chart,
};
use nalgebra::DMatrix;
use std::path::Path;

/// Pictures per row of the mislabeled grid.
pub const MISLABELED_COLUMNS: usize = 5;

/// The notebook's cost plot: cost against iterations (per hundreds), titled with the learning
/// rate.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("cost.png");
/// hw3_deep::figures::cost_curve(&path, &[0.77, 0.67, 0.65], 0.0075, "deep, course").unwrap();
/// assert!(path.is_file());
/// ```
pub fn cost_curve(
    path: &Path,
    costs: &[f64],
    learning_rate: f64,
    label: &str,
) -> Result<(), PlotError> {
    let chart = LineChart {
        title: format!("Learning rate = {learning_rate} ({label})"),
        x_label: "iterations (per hundreds)".to_owned(),
        y_label: "cost".to_owned(),
        series: vec![Series::from_values("cost", costs)],
        log_y: false,
    };
    line_chart(path, &chart)
}

/// One run for [`preset_comparison`]: a legend label and its recorded costs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CostRun<'a> {
    /// Legend text, e.g. "course: 2500 iterations, W = randn * 0.01".
    pub label: &'a str,
    /// The costs recorded every [`COST_EVERY`] iterations.
    pub costs: &'a [f64],
}

/// Several runs' cost curves on one chart, x in iterations, so presets of different lengths
/// line up.
///
/// ```
/// use hw3_deep::figures::{CostRun, preset_comparison};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("presets.svg");
/// let runs = [
///     CostRun { label: "notes", costs: &[0.69, 0.6, 0.5, 0.4] },
///     CostRun { label: "course", costs: &[0.69, 0.65, 0.6] },
/// ];
/// preset_comparison(&path, "two-layer", &runs).unwrap();
/// assert!(std::fs::read_to_string(&path).unwrap().contains("course"));
/// ```
pub fn preset_comparison(path: &Path, model: &str, runs: &[CostRun<'_>]) -> Result<(), PlotError> {
    let series = runs
        .iter()
        .map(|run| {
            let points =
                run.costs.iter().enumerate().map(|(k, &c)| ((k * COST_EVERY) as f64, c)).collect();
            Series::new(run.label, points)
        })
        .collect();
    let chart = LineChart {
        title: format!("Cost of the {model} model under each preset"),
        x_label: "iterations".to_owned(),
        y_label: "cost".to_owned(),
        series,
        log_y: false,
    };
    line_chart(path, &chart)
}

/// The notebook's `print_mislabeled_images(classes, X, y, p)`: every picture of `split` whose
/// prediction differs from its label, titled "Prediction: ..., Class: ...", in a grid.
///
/// Returns how many pictures were drawn; when there are none, no file is written.
///
/// ```
/// use hw3_deep::figures::mislabeled_images;
/// use linalg_nn::data::{CatSplit, Split};
/// use nalgebra::DMatrix;
/// # use hdf5_pure::{AttrValue, FileBuilder};
/// # let mut b = FileBuilder::new();
/// # b.create_dataset("test_set_x").with_u8_data(&[128u8; 2 * 2 * 2 * 3]).with_shape(&[2, 2, 2, 3]);
/// # b.create_dataset("test_set_y").with_i64_data(&[1, 0]);
/// # b.create_dataset("list_classes").with_strings(&["non-cat", "cat"]).unwrap();
/// # let bytes = b.finish().unwrap();
/// // A split of two 2x2 pictures labelled [1, 0].
/// let split = CatSplit::from_bytes(std::path::Path::new("t.h5"), bytes, Split::Test).unwrap();
/// let classes = ["non-cat".to_string(), "cat".to_string()];
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("mislabeled.png");
/// let predictions = DMatrix::from_row_slice(1, 2, &[0.0, 0.0]);
/// assert_eq!(mislabeled_images(&path, &split, &predictions, &classes).unwrap(), 1);
/// assert!(path.is_file());
/// ```
pub fn mislabeled_images(
    path: &Path,
    split: &CatSplit,
    predictions: &DMatrix<f64>,
    classes: &[String],
) -> Result<usize, PlotError> {
    let invalid = |field: &str, reason: String| PlotError::InvalidInput {
        path: path.to_path_buf(),
        field: field.to_owned(),
        reason,
    };
    if predictions.shape() != (1, split.m()) {
        return Err(invalid(
            "predictions",
            format!("expected shape (1, {}), found {:?}", split.m(), predictions.shape()),
        ));
    }
    let class_name = |label: usize| {
        classes.get(label).cloned().ok_or_else(|| {
            invalid("classes", format!("no name for class {label} among {} classes", classes.len()))
        })
    };
    let side = u32::try_from(split.num_px())
        .map_err(|_| invalid("pictures", format!("{} pixels is too wide", split.num_px())))?;
    let mut images = Vec::new();
    for (index, (&p, &label)) in predictions.iter().zip(split.labels()).enumerate() {
        let predicted = usize::from(p > 0.5);
        if predicted != usize::from(label) {
            images.push(LabeledImage {
                rgb: split.image(index),
                width: side,
                height: side,
                title: format!(
                    "Prediction: {}, Class: {} (#{index})",
                    class_name(predicted)?,
                    class_name(usize::from(label))?
                ),
            });
        }
    }
    if images.is_empty() {
        return Ok(0);
    }
    image_grid(path, &images, MISLABELED_COLUMNS, DEFAULT_IMAGE_SCALE)?;
    Ok(images.len())
}
