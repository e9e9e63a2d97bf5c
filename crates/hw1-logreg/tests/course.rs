//! The notebook's `model` as the binary trains it (`engines::model_with` with the direct engine,
//! here on the notebook's float64 `X`) against the notebook's expected output on the real cat /
//! non-cat data (sections 5 to 7), at the precision it is printed, and the figures drawn from it.
//! The plain `hw1_logreg::model` sums in another order; `tests/engines.rs` checks it against
//! this engine. Reads the data from
//! `linalg_nn::data::default_data_dir()` and fails with the loader's message (which names
//! `cargo xtask fetch-data`) when it is missing.

mod support;

use hw1_logreg::engines::{Engine, ModelOptions, model_with};
use hw1_logreg::figures::{self, COST_CURVE, LEARNING_RATES};
use hw1_logreg::{
    COMPARISON_ITERATIONS, COMPARISON_LEARNING_RATES, LEARNING_RATE, LogisticModel, NUM_ITERATIONS,
    TEST_SAMPLE_INDEX, TRAIN_SAMPLE_INDEX, classify_image, python_float,
};
use linalg_nn::plot::CHART_SIZE;
use linalg_nn::train::Silent;
use std::sync::OnceLock;
use support::{COMPARISON, COURSE_ACCURACIES, COURSE_COSTS};
use test_support::close::{assert_all_print_as, assert_prints_as};
use test_support::png::assert_png;

/// The direct engine on the float64 `X`, as `hw1-logreg --engine direct` trains.
fn train(num_iterations: usize, learning_rate: f64) -> LogisticModel {
    let d = support::floats();
    let options = ModelOptions { engine: Engine::Direct, gram: None };
    model_with(
        &d.x_train,
        &d.y_train,
        &d.x_test,
        &d.y_test,
        num_iterations,
        learning_rate,
        options,
        &mut Silent,
    )
    .unwrap()
    .model
}

/// The notebook's final model, trained once for all the tests that need it.
fn course_model() -> &'static LogisticModel {
    static MODEL: OnceLock<LogisticModel> = OnceLock::new();
    MODEL.get_or_init(|| train(NUM_ITERATIONS, LEARNING_RATE))
}

#[test]
fn data_set_has_the_course_sizes() {
    let (data, d) = (support::dataset(), support::floats());
    assert_eq!((data.train.m(), data.test.m(), data.train.num_px()), (209, 50, 64));
    assert_eq!(d.x_train.shape(), (12288, 209));
    assert_eq!(d.x_test.shape(), (12288, 50));
    // The notebook's "sanity check after reshaping": train_set_x_flatten[0:5, 0].
    assert_eq!(&support::dataset().train.image(0)[..5], &[17, 31, 56, 22, 33]);
}

#[test]
fn costs_match_the_notebook_expected_output() {
    // The notebook's section 5 (issue 4): "Cost after iteration i: %f" for i = 0, 100, ...,
    // 1900 with 2000 iterations at learning rate 0.005, each to its six printed decimals.
    let fitted = course_model();
    let iterations: Vec<usize> = fitted.costs.iter().map(|&(i, _)| i).collect();
    assert_eq!(iterations, (0..20).map(|k| 100 * k).collect::<Vec<_>>());
    let costs: Vec<f64> = fitted.costs.iter().map(|&(_, cost)| cost).collect();
    assert_all_print_as(&costs, &COURSE_COSTS, "cost every 100 iterations");
}

#[test]
fn accuracies_match_the_notebook_expected_output() {
    // The notebook's section 5: "train accuracy: 99.04306220095694 %", "test accuracy: 70.0 %"
    // (support::COURSE_ACCURACIES), as Python prints the floats: every digit.
    let fitted = course_model();
    assert_eq!(python_float(fitted.train_accuracy), COURSE_ACCURACIES.0);
    assert_eq!(python_float(fitted.test_accuracy), COURSE_ACCURACIES.1);
    assert_eq!((fitted.num_iterations, fitted.learning_rate), (2000, 0.005));
    assert_eq!(fitted.y_prediction_train.shape(), (1, 209));
    assert_eq!(fitted.y_prediction_test.shape(), (1, 50));
    assert_eq!(fitted.predict(&support::floats().x_test).unwrap(), fitted.y_prediction_test);
    assert!(fitted.y_prediction_test.iter().all(|&p| p == 0.0 || p == 1.0));
}

#[test]
fn learning_rate_comparison_matches_the_numpy_reference_and_is_drawn() {
    // The notebook's section 6, 1500 iterations each; the accuracies in every digit Python
    // prints and the last recorded costs with `%f`, from numpy-reference:
    // python3 hw1_logreg.py --compare-learning-rates (support::COMPARISON).
    let runs: Vec<LogisticModel> =
        COMPARISON_LEARNING_RATES.iter().map(|&rate| train(COMPARISON_ITERATIONS, rate)).collect();
    for (run, expected) in runs.iter().zip(&COMPARISON) {
        let rate = python_float(run.learning_rate);
        assert_eq!(rate, expected.learning_rate);
        assert_eq!(python_float(run.train_accuracy), expected.train_accuracy, "train, {rate}");
        assert_eq!(python_float(run.test_accuracy), expected.test_accuracy, "test, {rate}");
        assert_eq!(run.costs.len(), 15);
        let &(iteration, cost) = run.costs.last().unwrap();
        assert_eq!(iteration, 1400);
        assert_prints_as(cost, expected.last_cost, &format!("last cost, learning rate {rate}"));
    }
    // The notebook's plot: 0.01 overshoots (its cost at iteration 100 is above the start).
    assert!(runs[0].costs[1].1 > runs[0].costs[0].1);

    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join(format!("{LEARNING_RATES}.png"));
    figures::learning_rate_comparison(&png, &runs).unwrap();
    let rgb = assert_png(&png, CHART_SIZE.0, CHART_SIZE.1);
    assert_eq!(rgb.dimensions(), CHART_SIZE);
    // Three differently coloured curves: count pixels of the first three tab10 colours.
    for colour in [[0x1f, 0x77, 0xb4], [0xff, 0x7f, 0x0e], [0x2c, 0xa0, 0x2c]] {
        let count = rgb.pixels().filter(|p| p.0 == colour).count();
        assert!(count > 100, "only {count} pixels of {colour:?}");
    }
    let svg_path = dir.path().join(format!("{LEARNING_RATES}.svg"));
    figures::learning_rate_comparison(&svg_path, &runs).unwrap();
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.contains("Cost for different learning rates (1500 iterations)"));
    // plotters writes each text element's content on a line of its own.
    for label in ["0.01", "0.001", "0.0001"] {
        assert!(svg.contains(&format!("\n{label}\n")), "the legend lacks {label}");
    }
}

#[test]
fn cost_curve_is_written_as_png_and_svg() {
    let fitted = course_model();
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join(format!("{COST_CURVE}.png"));
    figures::cost_curve(&png, &fitted.costs, fitted.learning_rate).unwrap();
    let decoded = assert_png(&png, CHART_SIZE.0, CHART_SIZE.1);
    assert_eq!(decoded.dimensions(), CHART_SIZE);
    assert!(decoded.pixels().filter(|p| p.0 == [0x1f, 0x77, 0xb4]).count() > 100);
    let svg_path = dir.path().join(format!("{COST_CURVE}.svg"));
    figures::cost_curve(&svg_path, &fitted.costs, fitted.learning_rate).unwrap();
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("Learning rate = 0.005"));

    // An unwritable destination is an error naming it, and leaves nothing behind.
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let bad = blocker.join("cost.png");
    let err = figures::cost_curve(&bad, &fitted.costs, 0.005).unwrap_err();
    assert!(err.to_string().contains(&bad.display().to_string()), "{err}");
}

#[test]
fn sample_pictures_have_the_notebook_captions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train_sample.png");
    // The notebook prints "y = [1], it's a 'cat' picture." under train_set_x_orig[25].
    let caption =
        figures::train_sample(&path, &support::dataset().train, TRAIN_SAMPLE_INDEX).unwrap();
    assert_eq!(caption, "y = [1], it's a 'cat' picture.");
    // The 64x64 picture drawn 4x, with its caption as the title above it.
    let picture = assert_png(&path, 256, 257);
    // The 4x upscaled picture is in there: its top-left pixel appears as a 4x4 block.
    let first = &support::dataset().train.image(TRAIN_SAMPLE_INDEX)[..3];
    assert!(picture.pixels().any(|p| p.0 == first));

    // ... and after training, test picture 1: "y = 1, you predicted that it is a "cat" picture."
    let fitted = course_model();
    let path = dir.path().join("test_prediction.png");
    let caption = figures::test_prediction(
        &path,
        &support::dataset().test,
        TEST_SAMPLE_INDEX,
        &fitted.y_prediction_test,
    )
    .unwrap();
    assert_eq!(caption, "y = 1, you predicted that it is a \"cat\" picture.");
    assert_png(&path, 256, 257);

    let err = figures::train_sample(&path, &support::dataset().train, 209).unwrap_err().to_string();
    assert!(err.contains("209 pictures (0..=208)"), "{err}");
}

#[test]
fn own_picture_saved_as_png_gets_the_in_memory_prediction() {
    // A test-set picture written as PNG goes through the "your own image" path (decode, no
    // resize at 64x64, scale by 1/255) and must come out exactly as its column of X_test.
    let d = support::floats();
    let fitted = course_model();
    let dir = tempfile::tempdir().unwrap();
    let in_memory = fitted.predict_probabilities(&d.x_test).unwrap();
    for index in [TEST_SAMPLE_INDEX, 5, 13] {
        let path = dir.path().join(format!("test_{index}.png"));
        let picture =
            image::RgbImage::from_raw(64, 64, support::dataset().test.image(index).to_vec())
                .unwrap();
        picture.save(&path).unwrap();
        let classification = classify_image(fitted, &path, 64).unwrap();
        assert_eq!(classification.probability, in_memory[(0, index)], "picture {index}");
        assert_eq!(f64::from(classification.label), fitted.y_prediction_test[(0, index)]);

        let figure = dir.path().join(format!("mine_{index}.png"));
        figures::own_image(&figure, &picture, &classification).unwrap();
        assert_png(&figure, 256, 257);
    }

    // A model for 64x64 pictures cannot classify at another size, and a text file is refused.
    let err = classify_image(fitted, &dir.path().join("test_1.png"), 32).unwrap_err();
    assert!(err.to_string().contains("w for 32x32 RGB pictures"), "{err}");
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a picture").unwrap();
    let err = classify_image(fitted, &text, 64).unwrap_err().to_string();
    assert!(err.contains("notes.txt") && err.contains("not a PNG or JPEG"), "{err}");
}
