//! The notebook's expected output on the real cat / non-cat data (sections 5 to 7) and the
//! figures drawn from it. Reads the data from `linalg_nn::data::default_data_dir()` and fails
//! with the loader's message (which names `cargo xtask fetch-data`) when it is missing.

use hw1_logreg::figures::{self, COST_CURVE, LEARNING_RATES};
use hw1_logreg::{
    COMPARISON_ITERATIONS, COMPARISON_LEARNING_RATES, LEARNING_RATE, LogisticModel, NUM_ITERATIONS,
    TEST_SAMPLE_INDEX, TRAIN_SAMPLE_INDEX, classify_image, model, python_float,
};
use linalg_nn::data::{CatDataset, default_data_dir, load_dataset};
use linalg_nn::plot::CHART_SIZE;
use linalg_nn::train::Silent;
use nalgebra::DMatrix;
use std::path::Path;
use std::sync::OnceLock;

struct CourseData {
    dataset: CatDataset,
    x_train: DMatrix<f64>,
    y_train: DMatrix<f64>,
    x_test: DMatrix<f64>,
    y_test: DMatrix<f64>,
}

fn data() -> &'static CourseData {
    static DATA: OnceLock<CourseData> = OnceLock::new();
    DATA.get_or_init(|| {
        let dataset = load_dataset(&default_data_dir()).unwrap_or_else(|e| panic!("{e}"));
        CourseData {
            x_train: dataset.train.x(),
            y_train: dataset.train.y(),
            x_test: dataset.test.x(),
            y_test: dataset.test.y(),
            dataset,
        }
    })
}

fn train(num_iterations: usize, learning_rate: f64) -> LogisticModel {
    let d = data();
    model(&d.x_train, &d.y_train, &d.x_test, &d.y_test, num_iterations, learning_rate, &mut Silent)
        .unwrap()
}

/// The notebook's final model, trained once for all the tests that need it.
fn course_model() -> &'static LogisticModel {
    static MODEL: OnceLock<LogisticModel> = OnceLock::new();
    MODEL.get_or_init(|| train(NUM_ITERATIONS, LEARNING_RATE))
}

fn decode_png(path: &Path) -> image::DynamicImage {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", path.display());
    image::load_from_memory_with_format(&bytes, image::ImageFormat::Png).unwrap()
}

#[test]
fn data_set_has_the_course_sizes() {
    let d = data();
    assert_eq!((d.dataset.train.m(), d.dataset.test.m(), d.dataset.train.num_px()), (209, 50, 64));
    assert_eq!(d.x_train.shape(), (12288, 209));
    assert_eq!(d.x_test.shape(), (12288, 50));
    // The notebook's "sanity check after reshaping": train_set_x_flatten[0:5, 0].
    assert_eq!(&d.dataset.train.image(0)[..5], &[17, 31, 56, 22, 33]);
}

#[test]
// 0.693147 is the notebook's printed cost (ln 2 to six places), kept as printed.
#[allow(clippy::approx_constant)]
fn costs_match_the_notebook_expected_output() {
    // Expected output of the notebook's section 5 (issue 4): "Cost after iteration i" for
    // i = 0, 100, ..., 1900 with 2000 iterations at learning rate 0.005.
    const EXPECTED: [f64; 20] = [
        0.693147, 0.584508, 0.466949, 0.376007, 0.331463, 0.303273, 0.279880, 0.260042, 0.242941,
        0.228004, 0.214820, 0.203078, 0.192544, 0.183033, 0.174399, 0.166521, 0.159305, 0.152667,
        0.146542, 0.140872,
    ];
    let fitted = course_model();
    assert_eq!(fitted.costs.len(), EXPECTED.len());
    for (k, (&(iteration, cost), expected)) in fitted.costs.iter().zip(EXPECTED).enumerate() {
        assert_eq!(iteration, 100 * k);
        assert!((cost - expected).abs() < 1e-6, "iteration {iteration}: {cost} vs {expected}");
    }
}

#[test]
fn accuracies_match_the_notebook_expected_output() {
    // Expected output of the notebook's section 5: "train accuracy: 99.04306220095694 %",
    // "test accuracy: 70.0 %" (2 of 209 and 15 of 50 pictures wrong).
    let fitted = course_model();
    assert_eq!(python_float(fitted.train_accuracy), "99.04306220095694");
    assert_eq!(python_float(fitted.test_accuracy), "70.0");
    assert_eq!((fitted.num_iterations, fitted.learning_rate), (2000, 0.005));
    assert_eq!(fitted.y_prediction_train.shape(), (1, 209));
    assert_eq!(fitted.y_prediction_test.shape(), (1, 50));
    assert_eq!(fitted.predict(&data().x_test).unwrap(), fitted.y_prediction_test);
    assert!(fitted.y_prediction_test.iter().all(|&p| p == 0.0 || p == 1.0));
}

#[test]
fn learning_rate_comparison_matches_the_notebook_and_is_drawn() {
    // Expected output of the notebook's section 6 (issue 4), 1500 iterations each:
    // 0.01 -> train 99.52 / test 68.0; 0.001 -> 88.99 / 64.0; 0.0001 -> 68.42 / 36.0
    // (1, 23 and 66 of 209 training pictures wrong).
    let expected =
        [(99.52153110047847, 68.0), (88.99521531100478, 64.0), (68.42105263157895, 36.0)];
    let runs: Vec<LogisticModel> =
        COMPARISON_LEARNING_RATES.iter().map(|&rate| train(COMPARISON_ITERATIONS, rate)).collect();
    for (run, (train_acc, test_acc)) in runs.iter().zip(expected) {
        let rate = run.learning_rate;
        assert!((run.train_accuracy - train_acc).abs() < 1e-9, "{rate}: {}", run.train_accuracy);
        assert_eq!(run.test_accuracy, test_acc, "learning rate {rate}");
        assert_eq!(run.costs.len(), 15);
    }
    // The notebook's plot: 0.01 overshoots (its cost at iteration 100 is above the start).
    assert!(runs[0].costs[1].1 > runs[0].costs[0].1);

    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join(format!("{LEARNING_RATES}.png"));
    figures::learning_rate_comparison(&png, &runs).unwrap();
    let decoded = decode_png(&png);
    assert_eq!((decoded.width(), decoded.height()), CHART_SIZE);
    // Three differently coloured curves: count pixels of the first three tab10 colours.
    let rgb = decoded.to_rgb8();
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
    let decoded = decode_png(&png).to_rgb8();
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
    let d = data();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train_sample.png");
    // The notebook prints "y = [1], it's a 'cat' picture." under train_set_x_orig[25].
    let caption = figures::train_sample(&path, &d.dataset.train, TRAIN_SAMPLE_INDEX).unwrap();
    assert_eq!(caption, "y = [1], it's a 'cat' picture.");
    let picture = decode_png(&path).to_rgb8();
    assert!(picture.width() >= 256 && picture.height() > 256);
    // The 4x upscaled picture is in there: its top-left pixel appears as a 4x4 block.
    let first = &d.dataset.train.image(TRAIN_SAMPLE_INDEX)[..3];
    assert!(picture.pixels().any(|p| p.0 == first));

    // ... and after training, test picture 1: "y = 1, you predicted that it is a "cat" picture."
    let fitted = course_model();
    let path = dir.path().join("test_prediction.png");
    let caption = figures::test_prediction(
        &path,
        &d.dataset.test,
        TEST_SAMPLE_INDEX,
        &fitted.y_prediction_test,
    )
    .unwrap();
    assert_eq!(caption, "y = 1, you predicted that it is a \"cat\" picture.");
    decode_png(&path);

    let err = figures::train_sample(&path, &d.dataset.train, 209).unwrap_err().to_string();
    assert!(err.contains("209 pictures (0..=208)"), "{err}");
}

#[test]
fn own_picture_saved_as_png_gets_the_in_memory_prediction() {
    // A test-set picture written as PNG goes through the "your own image" path (decode, no
    // resize at 64x64, scale by 1/255) and must come out exactly as its column of X_test.
    let d = data();
    let fitted = course_model();
    let dir = tempfile::tempdir().unwrap();
    let in_memory = fitted.predict_proba(&d.x_test).unwrap();
    for index in [TEST_SAMPLE_INDEX, 5, 13] {
        let path = dir.path().join(format!("test_{index}.png"));
        let picture =
            image::RgbImage::from_raw(64, 64, d.dataset.test.image(index).to_vec()).unwrap();
        picture.save(&path).unwrap();
        let classification = classify_image(fitted, &path, 64).unwrap();
        assert_eq!(classification.probability, in_memory[(0, index)], "picture {index}");
        assert_eq!(f64::from(classification.label), fitted.y_prediction_test[(0, index)]);

        let figure = dir.path().join(format!("mine_{index}.png"));
        figures::own_image(&figure, &picture, &classification).unwrap();
        assert!(decode_png(&figure).width() >= 256);
    }

    // A model for 64x64 pictures cannot classify at another size, and a text file is refused.
    let err = classify_image(fitted, &dir.path().join("test_1.png"), 32).unwrap_err();
    assert!(err.to_string().contains("w for 32x32 RGB pictures"), "{err}");
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a picture").unwrap();
    let err = classify_image(fitted, &text, 64).unwrap_err().to_string();
    assert!(err.contains("notes.txt") && err.contains("not a PNG or JPEG"), "{err}");
}
