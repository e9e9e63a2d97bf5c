//! The `hw1-logreg` binary as a learner runs it: printed output, `--json`, figures (and none
//! with `--no-plots`), `--image`, and the errors for bad input (exit code 2 for bad flags, 1 for
//! failures).

use hw1_logreg::{LEARNING_RATE, ModelOptions, model_with};
use linalg_nn::cli::serde_json::{self, Value};
use linalg_nn::data::{default_data_dir, load_dataset};
use linalg_nn::gram::Engine;
use linalg_nn::train::Silent;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;

/// Iterations for the CLI runs: enough for three recorded costs, short enough for a test.
const EPOCHS: usize = 300;
/// The test picture saved as PNG and passed to `--image`.
const IMAGE_INDEX: usize = 1;

fn hw1(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hw1-logreg"))
        .args(args)
        .env("DL_COURSE_DATA", default_data_dir())
        .output()
        .expect("the hw1-logreg binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// One `--json --image` run shared by the tests that inspect it; the folder lives as long as
/// the test process.
struct JsonRun {
    out_dir: std::path::PathBuf,
    output: Output,
    json: Value,
    _dir: tempfile::TempDir,
}

fn json_run() -> &'static JsonRun {
    static RUN: OnceLock<JsonRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let data = load_dataset(&default_data_dir()).unwrap_or_else(|e| panic!("{e}"));
        let dir = tempfile::tempdir().unwrap();
        let picture = dir.path().join("my_cat.png");
        image::RgbImage::from_raw(64, 64, data.test.image(IMAGE_INDEX).to_vec())
            .unwrap()
            .save(&picture)
            .unwrap();
        let out_dir = dir.path().join("figures");
        let output = hw1(&[
            "--json",
            "--epochs",
            &EPOCHS.to_string(),
            "--out",
            out_dir.to_str().unwrap(),
            "--image",
            picture.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "exit {:?}: {}", output.status, stderr(&output));
        let json = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON value ({e}): {}", stdout(&output)));
        JsonRun { out_dir, output, json, _dir: dir }
    })
}

fn number(value: &Value, key: &str) -> f64 {
    value[key].as_f64().unwrap_or_else(|| panic!("{key} is not a number in {value}"))
}

#[test]
// 0.693147 is the notebook's printed cost (ln 2 to six places), kept as printed.
#[allow(clippy::approx_constant)]
fn json_stdout_is_one_object_with_the_course_costs() {
    let run = json_run();
    assert!(run.json.is_object());
    assert_eq!(stdout(&run.output).lines().count(), 1, "stdout carries only the JSON object");
    // The notebook's first costs (section 5 expected output), whatever the run length.
    let costs = run.json["costs"].as_array().unwrap();
    let expected = [(0, 0.693147), (100, 0.584508), (200, 0.466949)];
    assert_eq!(costs.len(), expected.len());
    for (pair, (iteration, cost)) in costs.iter().zip(expected) {
        assert_eq!(pair[0].as_u64(), Some(iteration));
        let got = pair[1].as_f64().unwrap();
        assert!((got - cost).abs() < 1e-6, "iteration {iteration}: {got}");
    }
    assert_eq!(run.json["num_iterations"].as_u64(), Some(EPOCHS as u64));
    assert_eq!(number(&run.json, "learning_rate"), LEARNING_RATE);
    assert_eq!(
        (run.json["m_train"].as_u64(), run.json["m_test"].as_u64(), run.json["num_px"].as_u64()),
        (Some(209), Some(50), Some(64))
    );
    // Human output went to stderr.
    let err = stderr(&run.output);
    assert!(err.contains("Cost after iteration 200: 0.466949"), "{err}");
    assert!(err.contains("m_train = 209") && err.contains("train accuracy: "), "{err}");
}

#[test]
fn json_accuracies_and_image_prediction_equal_the_library_in_memory() {
    let run = json_run();
    let data = load_dataset(&default_data_dir()).unwrap();
    let (x_test, y_test) = (data.test.x(), data.test.y());
    // The binary's default engine (auto, i.e. gram here) on the pictures' bytes, with the Gram
    // matrix it computes from them, so the numbers are the same bits.
    let gram = data.train.gram();
    let options = ModelOptions { engine: Engine::Auto, gram: Some(&gram) };
    let fitted = model_with(
        &data.train,
        &data.train.y(),
        &data.test,
        &y_test,
        EPOCHS,
        LEARNING_RATE,
        options,
        &mut Silent,
    )
    .unwrap();
    assert_eq!(number(&run.json, "train_accuracy"), fitted.train_accuracy);
    assert_eq!(number(&run.json, "test_accuracy"), fitted.test_accuracy);

    // The test picture saved as PNG gets the prediction of its column of X_test.
    let probability = fitted.predict_proba(&x_test).unwrap()[(0, IMAGE_INDEX)];
    let label = fitted.y_prediction_test[(0, IMAGE_INDEX)];
    let image = &run.json["image"];
    assert!((number(image, "probability") - probability).abs() < 1e-15, "{image}");
    assert_eq!(image["prediction"].as_f64(), Some(label));
    assert_eq!(image["class"].as_str(), Some(if label == 1.0 { "cat" } else { "non-cat" }));
    let line = format!("your algorithm predicts a {}", image["class"]);
    assert!(stderr(&run.output).contains(&line), "{}", stderr(&run.output));
}

#[test]
fn figures_are_written_where_out_says() {
    let run = json_run();
    let listed: Vec<&str> =
        run.json["figures"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    let names = [
        "train_sample.png",
        "cost_curve.png",
        "cost_curve.svg",
        "test_prediction.png",
        "my_image.png",
    ];
    assert_eq!(listed.len(), names.len(), "{listed:?}");
    for name in names {
        let path = run.out_dir.join(name);
        assert!(listed.contains(&path.to_str().unwrap()), "{name} not listed in {listed:?}");
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if name.ends_with(".png") {
            let picture = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(picture.width() >= 256, "{name}");
        } else {
            assert!(bytes.starts_with(b"<svg"), "{name}");
        }
    }
    // Nothing else (no leftover temporary files).
    assert_eq!(std::fs::read_dir(&run.out_dir).unwrap().count(), names.len());
}

#[test]
fn plain_run_prints_what_the_notebook_prints() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let output = hw1(&["--epochs", "101", "--out", out]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    for line in [
        "Number of training examples: m_train = 209",
        "Number of testing examples: m_test = 50",
        "Height/Width of each image: num_px = 64",
        "train_set_x shape: (209, 64, 64, 3)",
        "train_set_x_flatten shape: (12288, 209)",
        "test_set_x_flatten shape: (12288, 50)",
        "sanity check after reshaping: [17 31 56 22 33]",
        "y = [1], it's a 'cat' picture.",
        "Cost after iteration 0: 0.693147",
        "Cost after iteration 100: 0.584508",
        "train accuracy: ",
        "test accuracy: ",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    assert!(!text.contains('{'), "no JSON without --json");

    // --quiet keeps only the results.
    let output = hw1(&["--epochs", "101", "--out", out, "--quiet"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("train accuracy: ") && text.contains("test accuracy: "), "{text}");
    assert!(!text.contains("Cost after") && !text.contains("m_train"), "{text}");
}

#[test]
fn help_documents_the_flags() {
    let output = hw1(&["--help"]);
    assert!(output.status.success());
    let text = stdout(&output);
    for flag in [
        "--epochs",
        "--learning-rate",
        "--compare-learning-rates",
        "--image",
        "--data-dir",
        "--out",
        "--no-plots",
        "--quiet",
        "--json",
    ] {
        assert!(text.contains(flag), "--help lacks {flag}");
    }
}

#[test]
fn no_plots_writes_no_file_and_prints_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("figures");
    let out_arg = out.to_str().unwrap();
    let output = hw1(&["--epochs", "100", "--no-plots", "--out", out_arg]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    for line in [
        "y = [1], it's a 'cat' picture.",
        "Cost after iteration 0: 0.693147",
        "train accuracy: ",
        "test accuracy: ",
        "Test picture 1: y = ",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    assert!(!text.contains("Figures written to"), "{text}");

    // The JSON report lists no figure; the picture of your own is still classified.
    let data = load_dataset(&default_data_dir()).unwrap();
    let picture = dir.path().join("my_cat.png");
    image::RgbImage::from_raw(64, 64, data.test.image(IMAGE_INDEX).to_vec())
        .unwrap()
        .save(&picture)
        .unwrap();
    let output = hw1(&[
        "--epochs",
        "100",
        "--no-plots",
        "--json",
        "--out",
        out_arg,
        "--image",
        picture.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["figures"], serde_json::json!([]));
    assert!(json["train_accuracy"].is_f64() && json["test_accuracy"].is_f64(), "{json}");
    assert!(json["image"]["class"].is_string(), "{json}");
    assert!(stderr(&output).contains("your algorithm predicts a"), "{}", stderr(&output));

    // Neither run created the figure folder or wrote anything beside the picture.
    assert!(!out.exists(), "--no-plots created {}", out.display());
    let names: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["my_cat.png"]);
}

fn assert_usage_error(args: &[&str], expected: &str) {
    let output = hw1(args);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
    assert!(stderr(&output).contains(expected), "{args:?}: {}", stderr(&output));
    assert!(output.stdout.is_empty());
}

#[test]
fn bad_hyperparameters_are_usage_errors() {
    assert_usage_error(&["--epochs", "0"], "must be at least 1, got 0");
    assert_usage_error(&["--epochs", "-5"], "not a whole number");
    assert_usage_error(&["--learning-rate", "NaN"], "must be a positive finite number, got NaN");
    assert_usage_error(&["--learning-rate", "-0.5"], "must be a positive finite number, got -0.5");
    assert_usage_error(&["--learning-rate", "0"], "must be a positive finite number, got 0");
    assert_usage_error(&["--learning-rate", "fast"], "'fast' is not a number");
    assert_usage_error(&["--engine", "turbo"], "unknown engine 'turbo'");
}

#[test]
fn engine_is_chosen_and_reported() {
    // auto resolves to gram on the cat data (n_x = 12288 > m = 209); direct is the notebook's.
    let run = json_run();
    assert_eq!(run.json["engine"], "gram");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let output = hw1(&["--engine", "direct", "--epochs", "101", "--out", out]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("Engine: direct"), "{text}");
    assert!(text.contains("Cost after iteration 100: 0.584508"), "{text}");
}

fn assert_failure(args: &[&str], expected: &[&str]) -> String {
    let output = hw1(args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{args:?}: {err}");
    for part in expected {
        assert!(err.contains(part), "{args:?}: expected {part:?} in {err}");
    }
    // Failures on input are found before training starts.
    assert!(!err.contains("Cost after") && output.stdout.iter().all(|&b| b != b'{'), "{err}");
    err
}

#[test]
fn missing_data_names_the_fetch_command() {
    let empty = tempfile::tempdir().unwrap();
    let out = empty.path().join("out");
    assert_failure(
        &["--data-dir", empty.path().to_str().unwrap(), "--out", out.to_str().unwrap()],
        &["train_catvnoncat.h5", "cargo xtask fetch-data"],
    );
}

#[test]
fn an_image_that_is_not_a_picture_is_refused_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "this is not a picture").unwrap();
    let out = dir.path().join("out");
    let (text, out) = (text.to_str().unwrap(), out.to_str().unwrap());
    assert_failure(
        &["--image", text, "--out", out],
        &["--image", "notes.txt", "not a PNG or JPEG"],
    );
    let missing = dir.path().join("missing.jpg");
    assert_failure(
        &["--image", missing.to_str().unwrap(), "--out", out],
        &["missing.jpg", "not found"],
    );
    assert!(!Path::new(out).join("my_image.png").exists());
}

#[test]
fn an_unwritable_out_folder_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "a file where a folder is expected").unwrap();
    let out = blocker.join("figures");
    assert_failure(&["--out", out.to_str().unwrap()], &["--out", out.to_str().unwrap()]);
}

#[test]
fn a_diverging_learning_rate_stops_with_advice() {
    // With alpha = 1000 the first step saturates the sigmoid on misclassified pictures, so the
    // cost of iteration 1 is infinite.
    let dir = tempfile::tempdir().unwrap();
    let output =
        hw1(&["--learning-rate", "1000", "--epochs", "5", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("diverged at iteration 1") && err.contains("smaller --learning-rate"),
        "{err}"
    );
}
