//! The notebook's figures: the sample picture of section 2 (`plt.imshow(train_set_x_orig[25])`),
//! the test picture with its prediction and the cost curve of section 5, the learning-rate
//! comparison of section 6 and your own picture of section 7.
//!
//! Each function takes the output path (`.png` or `.svg`, chosen by extension; pictures are
//! best as `.png`), writes it atomically and returns the caption it drew where there is one, so
//! the binary prints the same text the notebook prints under the figure.

use crate::{Classification, Hw1Error, LogisticModel, python_float};
use image::RgbImage;
use linalg_nn::NnError;
use linalg_nn::data::CatSplit;
use linalg_nn::data::cat::CLASSES;
use linalg_nn::matrix::ensure_shape;
use linalg_nn::plot::{
    DEFAULT_IMAGE_SCALE, LabeledImage, LineChart, Series, image_grid, line_chart,
};
use nalgebra::DMatrix;
use std::path::Path;

/// File stem of the cost curve (written as `.png` and `.svg`).
pub const COST_CURVE: &str = "cost_curve";
/// File stem of the learning-rate comparison (written as `.png` and `.svg`).
pub const LEARNING_RATES: &str = "learning_rates";
/// File stem of the training picture shown before training.
pub const TRAIN_SAMPLE: &str = "train_sample";
/// File stem of the test picture shown with its prediction.
pub const TEST_PREDICTION: &str = "test_prediction";
/// File stem of the user's own picture with its prediction.
pub const OWN_IMAGE: &str = "my_image";

/// The x-axis text of the notebook's cost plots.
const ITERATIONS_LABEL: &str = "iterations (per hundreds)";

/// Section 5's `plt.plot(costs)`: the cost recorded every hundred iterations, titled
/// "Learning rate = 0.005" as in the notebook; x is the iteration in hundreds.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("cost.png");
/// let costs = [(0, 0.693147), (100, 0.584508), (200, 0.466949)];
/// hw1_logreg::figures::cost_curve(&path, &costs, 0.005).unwrap();
/// assert_eq!(image::open(&path).unwrap().width(), linalg_nn::plot::CHART_SIZE.0);
/// ```
pub fn cost_curve(path: &Path, costs: &[(usize, f64)], learning_rate: f64) -> Result<(), Hw1Error> {
    let chart = LineChart {
        title: format!("Learning rate = {}", python_float(learning_rate)),
        x_label: ITERATIONS_LABEL.to_string(),
        y_label: "cost".to_string(),
        series: vec![Series::new("cost", in_hundreds(costs))],
        log_y: false,
    };
    line_chart(path, &chart)?;
    Ok(())
}

/// Section 6: the cost curves of several models on one chart, each labelled with its learning
/// rate in the legend (the notebook's `label=str(learning_rate)`).
pub fn learning_rate_comparison(path: &Path, runs: &[LogisticModel]) -> Result<(), Hw1Error> {
    if runs.is_empty() {
        return Err(NnError::invalid("runs", "the comparison needs at least one model").into());
    }
    let iterations: Vec<usize> = runs.iter().map(|r| r.num_iterations).collect();
    let title = if iterations.iter().all(|&n| n == iterations[0]) {
        format!("Cost for different learning rates ({} iterations)", iterations[0])
    } else {
        "Cost for different learning rates".to_string()
    };
    let chart = LineChart {
        title,
        x_label: ITERATIONS_LABEL.to_string(),
        y_label: "cost".to_string(),
        series: runs
            .iter()
            .map(|r| Series::new(python_float(r.learning_rate), in_hundreds(&r.costs)))
            .collect(),
        log_y: false,
    };
    line_chart(path, &chart)?;
    Ok(())
}

/// The caption printed under the training picture `index`:
/// `y = [1], it's a 'cat' picture.`
pub fn train_sample_caption(split: &CatSplit, index: usize) -> Result<String, Hw1Error> {
    let label = label_of(split, index, "training")?;
    Ok(format!("y = [{label}], it's a '{}' picture.", CLASSES[usize::from(label)]))
}

/// Section 2: training picture `index` with its label as the title; returns the caption.
pub fn train_sample(path: &Path, split: &CatSplit, index: usize) -> Result<String, Hw1Error> {
    let caption = train_sample_caption(split, index)?;
    picture(path, split.image(index), split.num_px(), &caption)?;
    Ok(caption)
}

/// The caption printed under test picture `index` after training:
/// `y = 1, you predicted that it is a "cat" picture.` (`y_prediction_test` is `(1, m_test)`).
pub fn test_prediction_caption(
    split: &CatSplit,
    index: usize,
    y_prediction_test: &DMatrix<f64>,
) -> Result<String, Hw1Error> {
    let label = label_of(split, index, "test")?;
    ensure_shape(y_prediction_test, (1, split.m()), "Y_prediction_test against the test set")?;
    let predicted = usize::from(y_prediction_test[(0, index)] > 0.5);
    Ok(format!("y = {label}, you predicted that it is a \"{}\" picture.", CLASSES[predicted]))
}

/// Section 5: test picture `index` titled with its label and the model's prediction; returns
/// the caption.
pub fn test_prediction(
    path: &Path,
    split: &CatSplit,
    index: usize,
    y_prediction_test: &DMatrix<f64>,
) -> Result<String, Hw1Error> {
    let caption = test_prediction_caption(split, index, y_prediction_test)?;
    picture(path, split.image(index), split.num_px(), &caption)?;
    Ok(caption)
}

/// The line printed for your own picture, the notebook's
/// `y = 1.0, your algorithm predicts a "cat" picture.` with the probability added.
///
/// ```
/// use hw1_logreg::{Classification, figures::own_image_caption};
/// let c = Classification::from_probability(0.25);
/// assert_eq!(
///     own_image_caption(&c),
///     "y = 0.0, your algorithm predicts a \"non-cat\" picture (probability of cat: 0.2500)."
/// );
/// ```
pub fn own_image_caption(classification: &Classification) -> String {
    format!(
        "y = {}.0, your algorithm predicts a \"{}\" picture (probability of cat: {:.4}).",
        classification.label,
        classification.class_name(),
        classification.probability
    )
}

/// Section 7: your own picture (as resized for the model) titled with its prediction; returns
/// the line to print, [`own_image_caption`].
pub fn own_image(
    path: &Path,
    picture_resized: &RgbImage,
    classification: &Classification,
) -> Result<String, Hw1Error> {
    let caption = own_image_caption(classification);
    let title = format!(
        "prediction: \"{}\" (probability of cat: {:.4})",
        classification.class_name(),
        classification.probability
    );
    let (width, height) = picture_resized.dimensions();
    let image = LabeledImage { rgb: picture_resized.as_raw(), width, height, title };
    image_grid(path, &[image], 1, DEFAULT_IMAGE_SCALE)?;
    Ok(caption)
}

/// `(iteration, cost)` pairs as `(iteration / 100, cost)` points.
fn in_hundreds(costs: &[(usize, f64)]) -> Vec<(f64, f64)> {
    costs.iter().map(|&(i, c)| (i as f64 / 100.0, c)).collect()
}

/// The label of picture `index`, or an error saying how many pictures `split` has.
fn label_of(split: &CatSplit, index: usize, which: &str) -> Result<u8, Hw1Error> {
    split.labels().get(index).copied().ok_or_else(|| {
        NnError::invalid(
            "picture index",
            format!(
                "the {which} set has {} pictures (0..={}), so there is no picture {index}",
                split.m(),
                split.m().saturating_sub(1)
            ),
        )
        .into()
    })
}

/// One square cat picture, upscaled, under `title`.
fn picture(path: &Path, rgb: &[u8], num_px: usize, title: &str) -> Result<(), Hw1Error> {
    let side = u32::try_from(num_px)
        .map_err(|_| NnError::invalid("num_px", format!("{num_px} is too large to draw")))?;
    let image = LabeledImage { rgb, width: side, height: side, title: title.to_string() };
    image_grid(path, &[image], 1, DEFAULT_IMAGE_SCALE)?;
    Ok(())
}
