//! The `hw1-logreg` binary as a learner runs it: every flag in a successful run whose effect on
//! the output is checked, the README's numbers as the binary prints them (against the notebook's
//! expected output and `numpy-reference/hw1_logreg.py`), `--json`, the figures (and none with
//! `--no-plots`), `--image`, and failures found before training (exit code 1). The usage errors
//! (exit code 2) are in `hostile_cli.rs`.

mod support;

use hw1_logreg::python_float;
use linalg_nn::cli::serde_json::Value;
use linalg_nn::data::{DATA_DIR_ENV, default_data_dir};
use linalg_nn::plot::CHART_SIZE;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use support::{COMPARISON, COURSE_ACCURACIES, COURSE_COSTS};
use test_support::cli::{
    Binary, Run, assert_contains_all, assert_empty_dir, assert_report_schema, lines_after, run,
};
use test_support::close::{assert_all_print_as, assert_close, assert_prints_as};
use test_support::png::assert_png;

const HW1: Binary =
    Binary { path: env!("CARGO_BIN_EXE_hw1-logreg"), name: "hw1-logreg", reads_data: true };

/// Iterations for the short CLI runs: enough for three recorded costs, short enough for a test.
const EPOCHS: &str = "300";
/// The test picture saved as PNG and passed to `--image`.
const IMAGE_INDEX: usize = 1;

/// Saves test picture `index` as a PNG file in `dir`: the binary decodes it to the very column
/// of `X_test` the notebook classifies (no resize at 64 x 64, then / 255).
fn save_test_picture(dir: &Path, index: usize) -> PathBuf {
    let path = dir.join("my_cat.png");
    image::RgbImage::from_raw(64, 64, support::dataset().test.image(index).to_vec())
        .unwrap()
        .save(&path)
        .unwrap();
    path
}

/// The human lines that must be the same in two runs: all but the training time, and without
/// the list of figures written (the block from "Figures written to" to the end).
fn results(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| !line.starts_with("(trained in "))
        .take_while(|line| !line.starts_with("Figures written to "))
        .collect()
}

/// A `--json` report without what differs between two runs of the same training: the time it
/// took and the figures listed.
fn without_time_and_figures(json: &Value) -> Value {
    let mut json = json.clone();
    let object = json.as_object_mut().unwrap();
    assert!(object.remove("training_seconds").is_some() && object.remove("figures").is_some());
    json
}

/// Checks a float of a `--json` report against the digits Python prints (`repr`), bit for bit
/// (serde_json's `float_roundtrip` reads a float back to the value printed).
fn assert_json_float(value: &Value, printed: &str, what: &str) {
    let found = value.as_f64().unwrap_or_else(|| panic!("{what}: {value} is not a number"));
    let expected: f64 = printed.parse().unwrap();
    assert_eq!(found, expected, "{what}");
}

fn costs_of(json: &Value) -> Vec<f64> {
    json["costs"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(k, pair)| {
            assert_eq!(pair[0].as_u64(), Some(100 * k as u64), "{pair}");
            pair[1].as_f64().unwrap()
        })
        .collect()
}

/// The figures a `--json` report lists as written, in order.
fn listed_figures(json: &Value) -> Vec<PathBuf> {
    json["figures"].as_array().unwrap().iter().map(|p| PathBuf::from(p.as_str().unwrap())).collect()
}

/// One `--json --image` run of 300 iterations shared by the tests that inspect it; the folder
/// lives as long as the test process.
struct JsonRun {
    picture: PathBuf,
    out_dir: PathBuf,
    run: Run,
    json: Value,
    _dir: tempfile::TempDir,
}

fn json_run() -> &'static JsonRun {
    static RUN: OnceLock<JsonRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let picture = save_test_picture(dir.path(), IMAGE_INDEX);
        let out_dir = dir.path().join("figures");
        let run = HW1.success(&[
            "--json",
            "--epochs",
            EPOCHS,
            "--out",
            out_dir.to_str().unwrap(),
            "--image",
            picture.to_str().unwrap(),
        ]);
        let json = run.json();
        JsonRun { picture, out_dir, run, json, _dir: dir }
    })
}

/// The runs the README's table shows: `hw1-logreg --compare-learning-rates` with the defaults
/// (2000 iterations at 0.005, engine auto), with `--json` (the human lines go to stderr).
struct ReadmeRun {
    out_dir: PathBuf,
    run: Run,
    json: Value,
    _dir: tempfile::TempDir,
}

fn readme_run() -> &'static ReadmeRun {
    static RUN: OnceLock<ReadmeRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out_dir = dir.path().join("figures");
        let run = HW1.success(&[
            "--compare-learning-rates",
            "--json",
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        let json = run.json();
        ReadmeRun { out_dir, run, json, _dir: dir }
    })
}

#[test]
fn default_run_prints_the_notebook_costs_and_accuracies() {
    // README: "`hw1-logreg` costs at 0, 100, ..., 1900: the same 20 values to 6 decimals" and
    // "accuracy train 99.04306220095694 %, test 70.0 %": the notebook's section 5 expected
    // output (support::COURSE_COSTS, support::COURSE_ACCURACIES), as the binary prints it.
    let readme = readme_run();
    let printed: Vec<String> =
        COURSE_COSTS.iter().enumerate().map(|(k, cost)| format!("{}: {cost}", 100 * k)).collect();
    assert_eq!(lines_after(&readme.run.stderr, "Cost after iteration "), printed);
    // The main run's accuracies come first, the comparison's after them.
    let train = lines_after(&readme.run.stderr, "train accuracy: ");
    let test = lines_after(&readme.run.stderr, "test accuracy: ");
    assert_eq!(train[0], format!("{} %", COURSE_ACCURACIES.0));
    assert_eq!(test[0], format!("{} %", COURSE_ACCURACIES.1));

    // The JSON report carries the same numbers.
    let json = &readme.json;
    assert_all_print_as(&costs_of(json), &COURSE_COSTS, "--json costs");
    assert_json_float(&json["train_accuracy"], COURSE_ACCURACIES.0, "train accuracy");
    assert_json_float(&json["test_accuracy"], COURSE_ACCURACIES.1, "test accuracy");
    assert_eq!(json["num_iterations"].as_u64(), Some(2000));
    assert_eq!(json["learning_rate"].as_f64(), Some(0.005));
    assert_eq!(json["engine"], "gram", "auto picks gram for 12288 features and 209 pictures");
}

#[test]
fn compare_learning_rates_prints_the_numpy_reference_accuracies_and_draws_them() {
    // README: "`hw1-logreg --compare-learning-rates` (1500 it.): 0.01: 99.52153110047847 / 68.0;
    // 0.001: 88.99521531100478 / 64.0; 0.0001: 68.42105263157895 / 36.0", and
    // docs/02-basics.md's last recorded costs, from numpy-reference:
    // python3 hw1_logreg.py --compare-learning-rates (support::COMPARISON).
    let readme = readme_run();
    let stderr = &readme.run.stderr;
    let rates: Vec<&str> = COMPARISON.iter().map(|run| run.learning_rate).collect();
    assert_eq!(lines_after(stderr, "learning rate is: "), rates);
    let train: Vec<String> = COMPARISON.iter().map(|r| format!("{} %", r.train_accuracy)).collect();
    let test: Vec<String> = COMPARISON.iter().map(|r| format!("{} %", r.test_accuracy)).collect();
    assert_eq!(lines_after(stderr, "train accuracy: ")[1..], train);
    assert_eq!(lines_after(stderr, "test accuracy: ")[1..], test);

    let runs = readme.json["learning_rate_comparison"].as_array().unwrap();
    assert_eq!(runs.len(), COMPARISON.len());
    for (run, expected) in runs.iter().zip(&COMPARISON) {
        let rate = expected.learning_rate;
        assert_eq!(python_float(run["learning_rate"].as_f64().unwrap()), rate);
        assert_eq!(run["num_iterations"].as_u64(), Some(1500));
        let costs = costs_of(run);
        assert_eq!(costs.len(), 15, "iterations 0, 100, ..., 1400 at {rate}");
        assert_prints_as(costs[14], expected.last_cost, &format!("last cost at {rate}"));
        let (train, test) = (&run["train_accuracy"], &run["test_accuracy"]);
        assert_json_float(train, expected.train_accuracy, &format!("train accuracy at {rate}"));
        assert_json_float(test, expected.test_accuracy, &format!("test accuracy at {rate}"));
    }

    // The comparison's chart, as PNG and SVG, after the main run's figures.
    let listed = listed_figures(&readme.json);
    let names: Vec<&str> =
        listed.iter().map(|p| p.file_name().unwrap().to_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "train_sample.png",
            "cost_curve.png",
            "cost_curve.svg",
            "test_prediction.png",
            "learning_rates.png",
            "learning_rates.svg",
        ]
    );
    let png = readme.out_dir.join("learning_rates.png");
    assert_eq!(assert_png(&png, CHART_SIZE.0, CHART_SIZE.1).dimensions(), CHART_SIZE);
    let svg = std::fs::read_to_string(readme.out_dir.join("learning_rates.svg")).unwrap();
    assert!(svg.contains("Cost for different learning rates (1500 iterations)"));
}

#[test]
fn learning_rate_flag_trains_at_that_rate() {
    // `--learning-rate 0.01 --epochs 1500` is the first run of the section 6 comparison, so it
    // must give numpy-reference's numbers for 0.01 (support::COMPARISON[0]).
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("figures");
    let args =
        ["--learning-rate", "0.01", "--epochs", "1500", "--json", "--out", out.to_str().unwrap()];
    let run = HW1.success(&args);
    let json = run.json();
    let expected = &COMPARISON[0];
    assert_eq!(json["learning_rate"].as_f64(), Some(0.01));
    assert_eq!(json["num_iterations"].as_u64(), Some(1500));
    assert!(run.stderr.contains("Training for 1500 iterations with learning rate 0.01:"));
    assert_prints_as(costs_of(&json)[14], expected.last_cost, "last cost");
    assert_eq!(
        lines_after(&run.stderr, "train accuracy: "),
        [format!("{} %", expected.train_accuracy)]
    );
    assert_eq!(
        lines_after(&run.stderr, "test accuracy: "),
        [format!("{} %", expected.test_accuracy)]
    );
    // The cost curve is titled with the rate.
    let svg = std::fs::read_to_string(out.join("cost_curve.svg")).unwrap();
    assert!(svg.contains("Learning rate = 0.01"), "the title lacks the rate");
}

#[test]
fn json_stdout_is_one_object_with_the_course_costs() {
    let run = json_run();
    assert_report_schema(&run.json, "hw1-logreg");
    assert!(run.json["seed"].is_null(), "the weights start at zero");
    assert_eq!(run.run.stdout.lines().count(), 1, "stdout carries only the JSON object");
    // The notebook's first costs (section 5 expected output), whatever the run length.
    assert_all_print_as(&costs_of(&run.json), &COURSE_COSTS[..3], "--json costs");
    assert_eq!(run.json["num_iterations"].as_u64(), Some(300));
    assert_eq!(run.json["learning_rate"].as_f64(), Some(0.005));
    assert_eq!(
        (run.json["m_train"].as_u64(), run.json["m_test"].as_u64(), run.json["num_px"].as_u64()),
        (Some(209), Some(50), Some(64))
    );
    // Human output went to stderr.
    let err = &run.run.stderr;
    assert!(err.contains("Cost after iteration 200: 0.466949"), "{err}");
    assert!(err.contains("m_train = 209") && err.contains("train accuracy: "), "{err}");
}

#[test]
fn json_accuracies_and_image_prediction_match_the_numpy_reference() {
    // numpy-reference: python3 hw1_logreg.py --epochs 300 --index 1 prints "train accuracy:
    // 88.51674641148325 %", "test accuracy: 72.0 %", "Test picture 1: y = 1, you predicted that
    // it is a "cat" picture." and "probability of cat: 0.7441 (in full 0.7441005560414656)".
    let run = json_run();
    let err = &run.run.stderr;
    assert_eq!(lines_after(err, "train accuracy: "), ["88.51674641148325 %"]);
    assert_eq!(lines_after(err, "test accuracy: "), ["72.0 %"]);
    assert_json_float(&run.json["train_accuracy"], "88.51674641148325", "train accuracy");
    assert_json_float(&run.json["test_accuracy"], "72.0", "test accuracy");
    assert!(err.contains("\nTest picture 1: y = 1, you predicted that it is a \"cat\" picture.\n"));

    // The test picture saved as PNG gets the prediction of its column of X_test: the line the
    // binary prints (four decimals) exactly, ...
    let line = format!(
        "{}: y = 1.0, your algorithm predicts a \"cat\" picture (probability of cat: 0.7441).",
        run.picture.display()
    );
    assert!(err.lines().any(|l| l == line), "no line {line:?} in:\n{err}");
    let image = &run.json["image"];
    assert_eq!(image["prediction"].as_u64(), Some(1), "{image}");
    assert_eq!(image["class"].as_str(), Some("cat"));
    assert_eq!(image["path"].as_str(), run.picture.to_str());
    // ... and the full probability to 1e-12: the binary's engine (auto: gram) sums w^T X through
    // X^T X, in another order than numpy's `np.dot`, which moves the last digits (4.0e-15 here;
    // issue 10 bounds the engines' difference in weights by 1e-9 relative).
    let probability = image["probability"].as_f64().unwrap();
    assert_close(probability, 0.7441005560414656, 1e-12, "probability of cat");
}

#[test]
fn figures_are_written_where_out_says() {
    let run = json_run();
    let listed = listed_figures(&run.json);
    let names = [
        "train_sample.png",
        "cost_curve.png",
        "cost_curve.svg",
        "test_prediction.png",
        "my_image.png",
    ];
    assert_eq!(listed, names.map(|name| run.out_dir.join(name)));
    for name in names {
        let path = run.out_dir.join(name);
        if name.starts_with("cost_curve") {
            if name.ends_with(".png") {
                assert_png(&path, CHART_SIZE.0, CHART_SIZE.1);
            } else {
                let svg = std::fs::read_to_string(&path).unwrap();
                assert!(svg.starts_with("<svg") && svg.contains("Learning rate = 0.005"), "{name}");
            }
        } else {
            // A 64 x 64 picture drawn 4x, with its caption as the title above it.
            assert_png(&path, 256, 257);
        }
    }
    // Nothing else (no leftover temporary files).
    assert_eq!(std::fs::read_dir(&run.out_dir).unwrap().count(), names.len());
}

#[test]
fn plain_run_prints_what_the_notebook_prints() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let text = HW1.success(&["--epochs", "101", "--out", out]).stdout;
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

    // --quiet keeps only the results: the same accuracies, nothing of the course's narration.
    let quiet = HW1.success(&["--epochs", "101", "--out", out, "--quiet"]).stdout;
    for prefix in ["train accuracy: ", "test accuracy: "] {
        assert_eq!(lines_after(&quiet, prefix).len(), 1, "{prefix:?} in:\n{quiet}");
        assert_eq!(lines_after(&quiet, prefix), lines_after(&text, prefix), "{quiet}");
    }
    assert!(!quiet.contains("Cost after") && !quiet.contains("m_train"), "{quiet}");
}

#[test]
fn help_documents_the_flags() {
    HW1.help_listing(&[
        "--epochs",
        "--learning-rate",
        "--compare-learning-rates",
        "--image",
        "--engine",
        "--data-dir",
        "--out",
        "--no-plots",
        "--quiet",
        "--json",
        "--version",
    ]);
}

#[test]
fn version_prints_the_crate_version() {
    let run = HW1.success(&["--version"]);
    assert_eq!(run.stdout, format!("hw1-logreg {}\n", env!("CARGO_PKG_VERSION")));
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn no_plots_writes_no_file_and_prints_the_same_results() {
    // The same runs as with plots, with --no-plots: every printed result and caption identical,
    // only the list of figures (and the training time) differs.
    let dir = tempfile::tempdir().unwrap();
    let picture = save_test_picture(dir.path(), IMAGE_INDEX);
    let (plots, no_plots) = (dir.path().join("plots"), dir.path().join("no-plots"));
    let args = |out: &Path, more: &[&'static str]| -> Vec<String> {
        let mut args: Vec<String> = [
            "--epochs",
            "100",
            "--image",
            picture.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]
        .map(String::from)
        .to_vec();
        args.extend(more.iter().map(|s| s.to_string()));
        args
    };
    let hw1 = |args: Vec<String>| HW1.success(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let plotted = hw1(args(&plots, &[]));
    let plain = hw1(args(&no_plots, &["--no-plots"]));
    assert_eq!(results(&plain.stdout), results(&plotted.stdout));
    assert_contains_all(
        &plain.stdout,
        &[
            "y = [1], it's a 'cat' picture.",
            "Cost after iteration 0: 0.693147",
            "Test picture 1: y = 1, you predicted that it is a \"cat\" picture.",
            "your algorithm predicts a \"cat\" picture",
        ],
    );
    assert!(plotted.stdout.contains("Figures written to"), "{}", plotted.stdout);
    assert!(!plain.stdout.contains("Figures written to"), "{}", plain.stdout);
    assert!(!plain.stdout.lines().any(|l| l.ends_with(".png") || l.ends_with(".svg")));
    assert_eq!(std::fs::read_dir(&plots).unwrap().count(), 5, "the plotting run's figures");

    // The JSON report: the same numbers (costs, accuracies, b, the picture's prediction), no
    // figure listed; the human lines on stderr are the same too.
    let plotted = hw1(args(&plots, &["--json"]));
    let plain = hw1(args(&no_plots, &["--no-plots", "--json"]));
    let (plotted_json, plain_json) = (plotted.json(), plain.json());
    assert_eq!(plain_json["figures"], Value::Array(Vec::new()));
    assert_eq!(listed_figures(&plotted_json).len(), 5);
    assert_eq!(without_time_and_figures(&plain_json), without_time_and_figures(&plotted_json));
    assert_eq!(results(&plain.stderr), results(&plotted.stderr));
    assert!(plain_json["image"]["class"].is_string(), "{plain_json}");
    assert!(plain.stderr.contains("your algorithm predicts a"), "{}", plain.stderr);

    // No --no-plots run created its figure folder or wrote anything beside the picture.
    assert!(!no_plots.exists(), "--no-plots created {}", no_plots.display());
    let mut names: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["my_cat.png", "plots"]);
}

#[test]
fn engine_flag_picks_the_engine_and_each_gives_the_notebook_costs() {
    // auto resolves to gram on the cat data (n_x = 12288 > m = 209), also without the flag;
    // direct is the notebook's computation. Each prints the notebook's first costs.
    assert_eq!(json_run().json["engine"], "gram");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("figures");
    for (flag, engine, description) in [
        ("direct", "direct", "the notebook's computation, step for step"),
        ("gram", "gram", "X^T X computed once"),
        ("auto", "gram", "X^T X computed once"),
    ] {
        let out = out.to_str().unwrap();
        let run = HW1.success(&[
            "--engine",
            flag,
            "--epochs",
            "101",
            "--no-plots",
            "--json",
            "--out",
            out,
        ]);
        let json = run.json();
        assert_eq!(json["engine"], engine, "--engine {flag}");
        let line = format!("Engine: {engine} ({description}");
        assert!(run.stderr.contains(&line), "--engine {flag}: no {line:?} in:\n{}", run.stderr);
        assert_eq!(
            lines_after(&run.stderr, "Cost after iteration "),
            [format!("0: {}", COURSE_COSTS[0]), format!("100: {}", COURSE_COSTS[1])],
            "--engine {flag}"
        );
        assert_all_print_as(&costs_of(&json), &COURSE_COSTS[..2], "--json costs");
    }
}

#[test]
fn data_dir_flag_is_where_the_pictures_are_read() {
    // With $DL_COURSE_DATA pointing at an empty folder, only --data-dir can lead to the
    // pictures: the run succeeds and describes the course's data.
    let empty = tempfile::tempdir().unwrap();
    let real = default_data_dir();
    let args = ["--data-dir", real.to_str().unwrap(), "--epochs", "1", "--no-plots", "--json"];
    let mut command = HW1.command(&args);
    command.env(DATA_DIR_ENV, empty.path());
    let with_flag = run(command);
    let json = with_flag.json();
    assert_eq!((json["m_train"].as_u64(), json["m_test"].as_u64()), (Some(209), Some(50)));
    assert!(with_flag.stderr.contains("sanity check after reshaping: [17 31 56 22 33]"));
    // Without the flag the same environment fails, naming the empty folder.
    let mut command = HW1.command(&args[2..]);
    command.env(DATA_DIR_ENV, empty.path());
    let without = run(command);
    assert_eq!(without.code, Some(1), "{}", without.stderr);
    assert!(without.stderr.contains(empty.path().to_str().unwrap()), "{}", without.stderr);
}

/// Runs a command line that must fail (exit 1) before training, naming each of `expected`.
fn assert_failure(args: &[&str], expected: &[&str]) {
    let run = HW1.run(args);
    let err = &run.stderr;
    assert_eq!(run.code, Some(1), "{args:?}: {err}");
    for part in expected {
        assert!(err.contains(part), "{args:?}: expected {part:?} in {err}");
    }
    // Failures on input are found before training starts.
    assert!(!err.contains("Cost after") && !run.stdout.contains('{'), "{err}");
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
    assert_empty_dir(Path::new(out));
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
    let run = HW1.run(&[
        "--learning-rate",
        "1000",
        "--epochs",
        "5",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("diverged at iteration 1")
            && run.stderr.contains("smaller --learning-rate"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_gram_engine_prints_the_same_bits_at_every_simd_level() {
    // The Gram engine's kernels run with AVX-512, AVX2 or one lane at a time
    // (`DL_COURSE_SIMD`); what the run prints must not change with the level.
    let args = ["--engine", "gram", "--epochs", EPOCHS, "--json", "--no-plots"];
    let report = HW1.assert_same_at_every_simd_level(&args);
    // Section 5's first costs: "Cost after iteration 0: 0.693147", "100: 0.584508".
    assert_prints_as(report["costs"][1][1].as_f64().unwrap(), "0.584508", "gram");
}

#[test]
fn the_direct_engine_prints_the_same_bits_at_every_simd_level() {
    // The direct engine multiplies the pictures' bytes exactly: seven byte digits with AVX-512
    // VNNI, two float64 halves with AVX2 or one lane. Every sum is the same exact integer, so
    // what the run prints must not change with the level or the number of threads.
    let args = ["--engine", "direct", "--epochs", EPOCHS, "--json", "--no-plots"];
    let report = HW1.assert_same_at_every_simd_level(&args);
    // Section 5's first costs: "Cost after iteration 0: 0.693147", "100: 0.584508".
    assert_prints_as(report["costs"][1][1].as_f64().unwrap(), "0.584508", "direct");
}
