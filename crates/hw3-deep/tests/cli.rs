//! The `hw3-deep` binary: argument errors exit 2 with a message saying what is wrong, failures
//! exit 1 naming the file, `--json` prints one object with the results, figures are real PNGs,
//! and a model saved with `--save-model` is used by `--model-file` and `--image` (the latter
//! without any data set).
//!
//! Runs that train use the real cat data (`$DL_COURSE_DATA` or `datasets/`; missing data makes
//! them fail with the loader's message) and a tiny `--layers 12288,3,1` network for speed.

use linalg_nn::cli::serde_json::{self, Value};
use linalg_nn::data::{default_data_dir, load_dataset};
use std::path::Path;
use std::process::{Command, Output};

fn hw3(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hw3-deep"))
        .args(args)
        .env("DL_COURSE_DATA", default_data_dir())
        .output()
        .expect("the hw3-deep binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "exit {:?}: {}", out.status.code(), stderr(out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("stdout is not one JSON object ({e}): {}", String::from_utf8_lossy(&out.stdout))
    })
}

fn assert_usage_error(args: &[&str], expected: &str) {
    let out = hw3(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    assert!(stderr(&out).contains(expected), "{args:?}: expected «{expected}» in {}", stderr(&out));
    assert!(out.stdout.is_empty(), "{args:?}");
}

fn assert_png(path: &Path) {
    let img = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(img.width() >= 200 && img.height() >= 200, "{}", path.display());
}

#[test]
fn help_lists_the_shared_flags() {
    // --data-dir and --no-plots come from linalg_nn::cli's shared structs, flattened in.
    let out = hw3(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in ["--data-dir", "--out", "--no-plots", "--quiet", "--json", "--model-file"] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}

#[test]
fn bad_layers_and_iterations_are_usage_errors() {
    assert_usage_error(&["--layers", ""], "expected a comma-separated list");
    assert_usage_error(&["--layers", "12288,0,1"], "item 2 ('0'): must be at least 1, got 0");
    assert_usage_error(&["--layers", "12288,x,1"], "is not a whole number");
    assert_usage_error(&["--iterations", "0"], "must be at least 1, got 0");
    assert_usage_error(&["--epochs", "0"], "must be at least 1, got 0");
    assert_usage_error(&["--learning-rate=-1"], "must be a positive finite number");
    assert_usage_error(&["--model", "three-layer"], "expected two-layer or deep");
    assert_usage_error(&["--preset", "fast"], "expected notes (the default) or course");
}

#[test]
fn layers_that_do_not_fit_the_data_are_usage_errors() {
    assert_usage_error(
        &["--layers", "100,7,1"],
        "the first width is 100 but must equal the number of input features, 12288",
    );
    assert_usage_error(&["--layers", "12288"], "need at least two widths");
    assert_usage_error(&["--layers", "12288,7,3"], "the last width is 3 but must be 1");
    assert_usage_error(
        &["--model", "two-layer", "--layers", "12288,20,7,1"],
        "the two-layer model takes exactly three widths",
    );
}

#[test]
fn save_model_into_a_missing_folder_is_refused_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-folder").join("model.h5");
    assert_usage_error(&["--save-model", path.to_str().unwrap()], "no-such-folder does not exist");
}

#[test]
fn a_model_file_excludes_training_options() {
    assert_usage_error(&["--model-file", "m.h5", "--layers", "12288,7,1"], "cannot be used with");
    assert_usage_error(&["--model-file", "m.h5", "--preset", "course"], "cannot be used with");
}

#[test]
fn corrupt_or_missing_model_files_fail_with_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.h5");
    std::fs::write(&text, "not a model").unwrap();
    let text_arg = text.to_str().unwrap();
    let out = hw3(&["--model-file", text_arg, "--no-plots"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(message.contains("cannot use the model given with --model-file"), "{message}");
    assert!(message.contains(&format!("{text_arg}: not a model file")), "{message}");

    // The course's data file is HDF5 but not a model.
    let data_file = default_data_dir().join("test_catvnoncat.h5");
    let out = hw3(&["--model-file", data_file.to_str().unwrap(), "--no-plots"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not a hw3-deep model file"), "{}", stderr(&out));

    // A valid model for other pictures (300 features) does not fit the 12288-feature data.
    let other = dir.path().join("other.h5");
    let params = hw3_deep::initialize_parameters_deep(
        &[300, 2, 1],
        linalg_nn::init::WeightInit::SMALL,
        &mut linalg_nn::NumpyRng::new(1),
    )
    .unwrap();
    hw3_deep::model_file::save_model(&other, &params).unwrap();
    let out = hw3(&["--model-file", other.to_str().unwrap(), "--no-plots"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("the model takes 300 input features but the data set's pictures have 12288"),
        "{}",
        stderr(&out)
    );

    let missing = dir.path().join("missing.h5");
    let out = hw3(&["--model-file", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("missing.h5: cannot read the model file"), "{}", stderr(&out));
}

#[test]
fn train_save_reload_and_classify_a_picture() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("figures");
    let model = dir.path().join("model.h5");
    let (out_arg, model_arg) = (out_dir.to_str().unwrap(), model.to_str().unwrap());

    // Train a small network for 101 iterations: costs at 0 and 100.
    let trained = json(&hw3(&[
        "--layers",
        "12288,3,1",
        "--iterations",
        "101",
        "--json",
        "--save-model",
        model_arg,
        "--out",
        out_arg,
    ]));
    assert_eq!(trained["layers"], serde_json::json!([12288, 3, 1]));
    assert_eq!(trained["activations"], serde_json::json!(["relu", "sigmoid"]));
    assert_eq!(trained["seed"], 1);
    assert_eq!(trained["num_iterations"], 101);
    let costs = trained["costs"].as_array().unwrap();
    assert_eq!(costs.len(), 2);
    assert!(costs[1].as_f64().unwrap() < costs[0].as_f64().unwrap());
    let train_accuracy = trained["train_accuracy"].as_f64().unwrap();
    let test_accuracy = trained["test_accuracy"].as_f64().unwrap();
    assert!((0.0..=100.0).contains(&train_accuracy) && (0.0..=100.0).contains(&test_accuracy));
    assert!(model.is_file());
    let figures: Vec<&str> =
        trained["figures"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(figures.iter().any(|f| f.ends_with("deep-notes-cost.png")), "{figures:?}");
    for figure in &figures {
        assert_png(Path::new(figure));
    }
    let mislabeled = trained["mislabeled_test_pictures"].as_u64().unwrap();
    let expected_mislabeled = ((100.0 - test_accuracy) / 2.0).round() as u64;
    assert_eq!(mislabeled, expected_mislabeled, "2 % per test picture");

    // The saved model gives the same accuracies without training.
    let reloaded = json(&hw3(&["--model-file", model_arg, "--json", "--no-plots"]));
    assert_eq!(reloaded["train_accuracy"].as_f64(), Some(train_accuracy));
    assert_eq!(reloaded["test_accuracy"].as_f64(), Some(test_accuracy));
    assert_eq!(reloaded["costs"], serde_json::json!([]));
    assert_eq!(reloaded["layers"], trained["layers"]);

    // A test picture saved as PNG, classified with the saved model and no data set at all: a
    // 64x64 picture is not resized, so it must get the probability of its column in the data.
    let data = load_dataset(&default_data_dir()).unwrap();
    let picture = dir.path().join("picture.png");
    image::RgbImage::from_raw(64, 64, data.test.image(0).to_vec()).unwrap().save(&picture).unwrap();
    let classified = json(&hw3(&[
        "--model-file",
        model_arg,
        "--image",
        picture.to_str().unwrap(),
        "--json",
        "--out",
        out_arg,
        "--data-dir",
        dir.path().join("no-data-here").to_str().unwrap(),
    ]));
    let params = hw3_deep::model_file::load_model(&model).unwrap();
    let column = data.test.x().columns(0, 1).into_owned();
    let expected = hw3_deep::predict_probabilities(&column, &params).unwrap()[(0, 0)];
    let image = &classified["image"];
    assert_eq!(image["probability"].as_f64(), Some(expected));
    assert_eq!(image["prediction"], u8::from(expected > 0.5));
    assert_eq!(image["class"], if expected > 0.5 { "cat" } else { "non-cat" });
    assert!(classified.get("train_accuracy").is_none());
    assert_png(&out_dir.join("my-image.png"));

    // Human output names the class and the probability.
    let out = hw3(&["--model-file", model_arg, "--image", picture.to_str().unwrap(), "--no-plots"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("picture (probability of cat"), "{text}");
}

#[test]
fn a_picture_that_cannot_be_read_fails_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.h5");
    let params = hw3_deep::initialize_parameters_deep(
        &[12288, 2, 1],
        linalg_nn::init::WeightInit::SMALL,
        &mut linalg_nn::NumpyRng::new(1),
    )
    .unwrap();
    hw3_deep::model_file::save_model(&model, &params).unwrap();
    let bogus = dir.path().join("cat.jpg");
    std::fs::write(&bogus, "not a picture").unwrap();
    let out = hw3(&["--model-file", model.to_str().unwrap(), "--image", bogus.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cat.jpg"), "{}", stderr(&out));
}

#[test]
fn presets_can_be_compared_on_one_chart() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("figures");
    let report = json(&hw3(&[
        "--model",
        "two-layer",
        "--layers",
        "12288,2,1",
        "--iterations",
        "200",
        "--compare-presets",
        "--json",
        "--out",
        out_dir.to_str().unwrap(),
    ]));
    assert_eq!(report["preset"], "notes");
    assert_eq!(report["compared_preset"]["preset"], "course");
    let other = report["compared_preset"]["costs"].as_array().unwrap();
    assert_eq!(other.len(), 2);
    // Different initialisations (randn/sqrt(n) vs randn*0.01): different first costs.
    assert_ne!(other[0], report["costs"][0]);
    assert_png(&out_dir.join("two-layer-presets.png"));
}

#[test]
fn the_engine_is_chosen_reported_and_checked() {
    assert_usage_error(
        &["--engine", "bogus"],
        "unknown engine 'bogus': expected direct, gram or auto",
    );
    assert_usage_error(&["--model-file", "m.h5", "--engine", "gram"], "cannot be used with");

    let run = |engine: &str| {
        json(&hw3(&[
            "--layers",
            "12288,3,1",
            "--iterations",
            "101",
            "--engine",
            engine,
            "--json",
            "--no-plots",
        ]))
    };
    let direct = run("direct");
    let gram = run("gram");
    assert_eq!(direct["engine"], "direct");
    assert_eq!(gram["engine"], "gram");
    // `auto` (the default) picks gram for 12288 features and 209 pictures.
    assert_eq!(run("auto")["engine"], "gram");
    for (d, g) in direct["costs"].as_array().unwrap().iter().zip(gram["costs"].as_array().unwrap())
    {
        let (d, g) = (d.as_f64().unwrap(), g.as_f64().unwrap());
        assert!((d - g).abs() < 1e-8, "direct {d}, gram {g}");
    }
    assert_eq!(direct["train_accuracy"], gram["train_accuracy"]);
    assert_eq!(direct["test_accuracy"], gram["test_accuracy"]);

    // Without --json the engine is a detail line of the run.
    let out = hw3(&["--layers", "12288,3,1", "--iterations", "1", "--no-plots"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Engine: gram (X^T X computed once"), "{text}");
    let out =
        hw3(&["--layers", "12288,3,1", "--iterations", "1", "--no-plots", "--engine", "direct"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Engine: direct (the notebook's computation, step for step)"), "{text}");
}
