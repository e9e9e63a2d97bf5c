//! The `hw4-initialization` binary end to end: the notebook's printed lines, the `--json` report
//! (the common schema of docs/reference/json.md), the figures under `--out` (none with `--no-plots`),
//! `--quiet`, `--help`, `--version`, and usage errors (exit code 2, nothing written).
//!
//! Golden numbers: the notebook's Expected Output, or
//! `python3 numpy-reference/hw4_initialization.py --init NAME --iterations N`.

use std::path::Path;
use test_support::cli::{Binary, assert_contains_all, assert_empty_dir, assert_report_schema};
use test_support::close::assert_prints_as;
use test_support::png::assert_png;

const HW4: Binary = Binary {
    path: env!("CARGO_BIN_EXE_hw4-initialization"),
    name: "hw4-initialization",
    reads_data: false,
};

fn out_arg(dir: &Path) -> &str {
    dir.to_str().expect("a UTF-8 temporary path")
}

#[test]
fn default_run_prints_the_notebooks_lines_and_writes_three_figures() {
    let out = tempfile::tempdir().unwrap();
    let run = HW4.success(&["--out", out_arg(out.path())]);
    // The notebook's He run: "Cost after iteration 0: 0.8830537463419761", ..., "Cost after
    // iteration 14000: 0.07357895962677366", "On the train set: Accuracy: 0.993333333333",
    // "On the test set: Accuracy: 0.96".
    assert_contains_all(
        &run.stdout,
        &[
            "initialization = \"he\", 15000 iterations at learning rate 0.01",
            "Cost after iteration 0: 0.883054\n",
            "Cost after iteration 14000: 0.073579\n",
            "On the train set:\nAccuracy: 0.9933333333333333\n",
            "On the test set:\nAccuracy: 0.96\n",
        ],
    );
    for name in ["circles.png", "cost-he.png", "boundary-he.png"] {
        assert_png(&out.path().join(name), 400, 300);
        assert!(run.stdout.contains(name), "{name} is not listed:\n{}", run.stdout);
    }
}

#[test]
fn json_report_has_the_common_keys_and_the_runs_numbers() {
    let report = HW4.json(&["--init", "random", "--json", "--no-plots"]);
    assert_report_schema(&report, "hw4-initialization");
    assert_eq!(report["initialization"], "random");
    assert_eq!(report["seed"], 3);
    assert_eq!(report["engine"], "three-layer");
    assert_eq!(report["layers_dims"], serde_json::json!([2, 10, 5, 1]));
    assert_eq!(
        (report["num_iterations"].as_u64(), report["cost_every"].as_u64()),
        (Some(15000), Some(1000))
    );
    // "Cost after iteration 0: inf": JSON has no infinity, so the first cost is null.
    assert_eq!(report["costs"][0], serde_json::json!([0, null]));
    assert_eq!(report["costs"].as_array().unwrap().len(), 15);
    // "On the train set: Accuracy: 0.83", "On the test set: Accuracy: 0.86", in %.
    assert_eq!(report["train_accuracy"], 83.0);
    assert_eq!(report["test_accuracy"], 86.0);
    assert_eq!(report["figures"], serde_json::json!([]));
}

#[test]
fn flags_set_the_iterations_and_the_rate_and_zeros_has_no_seed() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("figures");
    let args = ["--init", "zeros", "--epochs", "1001", "--learning-rate", "0.5", "--json"];
    let report = HW4.json(&[&args[..], &["--no-plots", "--out", out_arg(&dir)]].concat());
    assert_eq!(report["seed"], serde_json::Value::Null);
    assert_eq!(
        (report["num_iterations"].as_u64(), report["learning_rate"].as_f64()),
        (Some(1001), Some(0.5))
    );
    let costs = report["costs"].as_array().unwrap();
    assert_eq!(costs.len(), 2);
    assert_prints_as(costs[1][1].as_f64().unwrap(), "0.693147", "zeros at 1000");
    assert_eq!(report["train_accuracy"], 50.0);
    // --no-plots wrote nothing, not even the folder.
    assert!(!dir.exists());
}

#[test]
fn every_simd_level_and_the_notebooks_loop_print_the_same_report() {
    // The engine's kernels run with AVX-512, AVX2 or one lane at a time (DL_COURSE_SIMD); the
    // report must be the same bits at every level, and the notebook's loop's (the plain
    // functions), but for the engine's name and the time.
    for init in ["zeros", "random", "he"] {
        let args = ["--init", init, "--json", "--no-plots"];
        let mut fast = HW4.assert_same_at_every_simd_level(&args);
        let mut plain = HW4.json(&[&args[..], &["--engine", "notebook"]].concat());
        assert_eq!(
            (&fast["engine"], &plain["engine"]),
            (&"three-layer".into(), &"notebook".into())
        );
        for report in [&mut fast, &mut plain] {
            report["engine"] = serde_json::Value::Null;
            report["training_seconds"] = serde_json::Value::Null;
        }
        assert_eq!(fast, plain, "--init {init}");
    }
}

#[test]
fn quiet_prints_only_the_accuracies() {
    let run = HW4.success(&["--quiet", "--no-plots", "--epochs", "10"]);
    assert!(!run.stdout.contains("Cost after"), "{}", run.stdout);
    assert_eq!(run.stdout.lines().filter(|l| l.starts_with("Accuracy: ")).count(), 2);
}

#[test]
fn help_and_version() {
    let help = HW4.help_listing(&[
        "--init",
        "--epochs",
        "--learning-rate",
        "--engine",
        "--json",
        "--no-plots",
        "--out",
        "--quiet",
    ]);
    assert_contains_all(&help, &["zeros", "random", "he"]);
    assert!(!help.contains("--data-dir"), "the data is generated:\n{help}");
    let version = HW4.success(&["--version"]).stdout;
    assert_eq!(version, format!("hw4-initialization {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_with_code_two_and_write_nothing() {
    let out = tempfile::tempdir().unwrap();
    let dir = out_arg(out.path());
    HW4.assert_usage_error(
        &["--init", "xavier", "--out", dir],
        &["unknown initialization 'xavier': expected zeros, random or he (the default)"],
    );
    HW4.assert_usage_error(&["--epochs", "0", "--out", dir], &["--epochs"]);
    HW4.assert_usage_error(&["--learning-rate", "-0.1", "--out", dir], &["--learning-rate"]);
    HW4.assert_usage_error(&["--data-dir", "x", "--out", dir], &["--data-dir"]);
    HW4.assert_usage_error(
        &["--engine", "fast", "--out", dir],
        &["unknown engine 'fast': expected three-layer (the default) or notebook"],
    );
    assert_empty_dir(out.path());
}
