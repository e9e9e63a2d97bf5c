//! The `hw7-optimization` binary end to end: the notebook's printed lines, the `--json` report
//! (the common schema of docs/reference/json.md), the figures under `--out` (none with
//! `--no-plots`), `--compare`, `--quiet`, `--help`, `--version`, and usage errors (exit code 2,
//! nothing written).
//!
//! Golden numbers: the notebook's Expected Output, or
//! `python3 numpy-reference/hw7_optimization.py --optimizer NAME --decay NAME --epochs N`.

use std::path::Path;
use test_support::cli::{Binary, assert_contains_all, assert_empty_dir, assert_report_schema};
use test_support::close::assert_prints_as;
use test_support::png::assert_png;

const HW7: Binary = Binary {
    path: env!("CARGO_BIN_EXE_hw7-optimization"),
    name: "hw7-optimization",
    reads_data: false,
};

fn out_arg(dir: &Path) -> &str {
    dir.to_str().expect("a UTF-8 temporary path")
}

#[test]
fn default_run_is_adam_and_prints_the_notebooks_lines() {
    let out = tempfile::tempdir().unwrap();
    let run = HW7.success(&["--out", out_arg(out.path())]);
    // Expected Output of the Adam run: "Cost after epoch 0: 0.702166", ..., "Cost after epoch
    // 4000: 0.136066", "Accuracy: 0.9433333333333334".
    assert_contains_all(
        &run.stdout,
        &[
            "optimizer = \"adam\", decay = none, 5000 epochs of mini-batches of 64 at learning rate 0.0007",
            "Cost after epoch 0: 0.702166\n",
            "Cost after epoch 1000: 0.167845\n",
            "Cost after epoch 4000: 0.136066\n",
            "Accuracy: 0.9433333333333334\n",
        ],
    );
    assert!(!run.stdout.contains("learning rate after"), "{}", run.stdout);
    for name in ["moons.png", "cost-adam.png", "boundary-adam.png"] {
        assert_png(&out.path().join(name), 400, 300);
        assert!(run.stdout.contains(name), "{name} is not listed:\n{}", run.stdout);
    }
}

#[test]
fn decay_prints_the_learning_rate_and_starts_from_the_notebooks_rate() {
    let run = HW7.success(&["--optimizer", "momentum", "--decay", "schedule", "--no-plots"]);
    // Expected Output of momentum with schedule_lr_decay (learning_rate = 0.1).
    assert_contains_all(
        &run.stdout,
        &[
            "decay = schedule_lr_decay, 5000 epochs of mini-batches of 64 at learning rate 0.1",
            "Cost after epoch 0: 0.702226\nlearning rate after epoch 0: 0.100000\n",
            "Cost after epoch 1000: 0.128974\nlearning rate after epoch 1000: 0.050000\n",
            "Cost after epoch 4000: 0.123218\nlearning rate after epoch 4000: 0.020000\n",
            "Accuracy: 0.9533333333333334\n",
        ],
    );
}

#[test]
fn json_report_has_the_common_keys_and_the_runs_numbers() {
    let args = ["--optimizer", "gd", "--decay", "update", "--epochs", "1001", "--json"];
    let report = HW7.json(&[&args[..], &["--no-plots"]].concat());
    assert_report_schema(&report, "hw7-optimization");
    assert_eq!(
        (report["optimizer"].as_str(), report["decay"].as_str()),
        (Some("gd"), Some("update"))
    );
    assert_eq!(report["seed"], 3);
    assert_eq!(report["engine"], "three-layer");
    assert_eq!(report["layers_dims"], serde_json::json!([2, 5, 2, 1]));
    assert_eq!(report["mini_batch_size"], 64);
    assert_eq!(report["learning_rate"], 0.1);
    assert_eq!(
        (report["num_iterations"].as_u64(), report["cost_every"].as_u64()),
        (Some(1001), Some(100))
    );
    let costs = report["costs"].as_array().unwrap();
    assert_eq!(costs.len(), 11);
    // Expected Output: "Cost after epoch 0: 0.701091", "Cost after epoch 1000: 0.661884".
    assert_prints_as(costs[0][1].as_f64().unwrap(), "0.701091", "epoch 0");
    assert_prints_as(costs[10][1].as_f64().unwrap(), "0.661884", "epoch 1000");
    // "learning rate after epoch 1000: 0.000100": 0.1 / 1001.
    assert_eq!(report["learning_rates"][10], serde_json::json!([1000, 0.1 / 1001.0]));
    assert_eq!(report["test_accuracy"], serde_json::Value::Null);
    assert_eq!(report["figures"], serde_json::json!([]));
}

#[test]
fn compare_trains_the_three_optimizers_and_draws_their_costs() {
    let out = tempfile::tempdir().unwrap();
    let args = ["--compare", "--epochs", "201", "--json", "--out", out_arg(out.path())];
    let report = HW7.json(&args);
    let compared = report["compared_costs"].as_object().unwrap();
    assert_eq!(compared.keys().collect::<Vec<_>>(), ["gd", "momentum"]);
    // hw7_optimization.py --optimizer gd --epochs 201: epoch 0 costs 0.7024046849828726.
    assert_prints_as(compared["gd"][0][1].as_f64().unwrap(), "0.702405", "gd at 0");
    assert_eq!(report["figures"].as_array().unwrap().len(), 4);
    assert_png(&out.path().join("costs-compared.png"), 400, 300);
}

#[test]
fn every_simd_level_and_the_notebooks_loop_print_the_same_report() {
    // The engine's kernels run with AVX-512, AVX2 or one lane at a time (DL_COURSE_SIMD), and the
    // permutations are drawn on a second thread or not (DL_COURSE_THREADS=1): the report must be
    // the same bits every way, and the notebook's loop's (the plain functions), but for the
    // engine's name and the time.
    let runs = [
        ["--optimizer", "gd", "--decay", "none", "--epochs", "1001"],
        ["--optimizer", "momentum", "--decay", "schedule", "--epochs", "1001"],
        ["--optimizer", "adam", "--decay", "none", "--epochs", "5000"],
    ];
    for run in runs {
        let args = [&run[..], &["--json", "--no-plots"]].concat();
        let mut fast = HW7.assert_same_at_every_simd_level(&args);
        let mut plain = HW7.json(&[&args[..], &["--engine", "notebook"]].concat());
        assert_eq!(
            (&fast["engine"], &plain["engine"]),
            (&"three-layer".into(), &"notebook".into())
        );
        for report in [&mut fast, &mut plain] {
            report["engine"] = serde_json::Value::Null;
            report["training_seconds"] = serde_json::Value::Null;
        }
        assert_eq!(fast, plain, "{run:?}");
    }
}

#[test]
fn quiet_prints_only_the_accuracy() {
    let run = HW7.success(&["--quiet", "--no-plots", "--epochs", "10", "--mini-batch-size", "300"]);
    assert!(!run.stdout.contains("Cost after"), "{}", run.stdout);
    assert_eq!(run.stdout.lines().filter(|l| l.starts_with("Accuracy: ")).count(), 1);
}

#[test]
fn help_and_version() {
    let help = HW7.help_listing(&[
        "--optimizer",
        "--decay",
        "--mini-batch-size",
        "--epochs",
        "--learning-rate",
        "--compare",
        "--engine",
        "--json",
        "--no-plots",
        "--out",
        "--quiet",
    ]);
    assert_contains_all(&help, &["gd", "momentum", "adam", "update_lr", "schedule_lr_decay"]);
    assert!(!help.contains("--data-dir"), "the data is generated:\n{help}");
    let version = HW7.success(&["--version"]).stdout;
    assert_eq!(version, format!("hw7-optimization {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_with_code_two_and_write_nothing() {
    let out = tempfile::tempdir().unwrap();
    let dir = out_arg(out.path());
    HW7.assert_usage_error(
        &["--optimizer", "rmsprop", "--out", dir],
        &["unknown optimizer 'rmsprop': expected gd, momentum or adam (the default)"],
    );
    HW7.assert_usage_error(
        &["--decay", "exponential", "--out", dir],
        &["unknown decay 'exponential'"],
    );
    HW7.assert_usage_error(
        &["--engine", "fast", "--out", dir],
        &["unknown engine 'fast': expected three-layer (the default) or notebook"],
    );
    HW7.assert_usage_error(&["--mini-batch-size", "0", "--out", dir], &["--mini-batch-size"]);
    HW7.assert_usage_error(&["--epochs", "0", "--out", dir], &["--epochs"]);
    HW7.assert_usage_error(&["--learning-rate", "NaN", "--out", dir], &["--learning-rate"]);
    HW7.assert_usage_error(&["--learning-rate", "-0.1", "--out", dir], &["--learning-rate"]);
    assert_empty_dir(out.path());
}
