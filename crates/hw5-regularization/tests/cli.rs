//! The `hw5-regularization` binary end to end: the notebook's printed lines, the `--json` report
//! (the common schema of docs/reference/json.md plus the regularisation keys), the figures under
//! `--out` (none with `--no-plots`), `--quiet`, `--help`, `--version`, usage errors (exit code
//! 2, nothing written) and a missing or damaged data file (exit code 1, the file named).
//!
//! Golden numbers: the notebook's Expected Output, or
//! `python3 numpy-reference/hw5_regularization.py --reg NAME --iterations N --every-cost`.

use std::path::Path;
use test_support::cli::{Binary, assert_contains_all, assert_empty_dir, assert_report_schema};
use test_support::close::assert_prints_as;
use test_support::png::assert_png;

const HW5: Binary = Binary {
    path: env!("CARGO_BIN_EXE_hw5-regularization"),
    name: "hw5-regularization",
    reads_data: true,
};

fn out_arg(dir: &Path) -> &str {
    dir.to_str().expect("a UTF-8 temporary path")
}

#[test]
fn l2_run_prints_the_notebooks_lines_and_writes_three_figures() {
    let out = tempfile::tempdir().unwrap();
    let run = HW5.success(&["--reg", "l2", "--out", out_arg(out.path())]);
    // The notebook's L2 run: "Cost after iteration 0: 0.6974484493131264", "10000:
    // 0.2684918873282239", "20000: 0.2680916337127301", "On the train set: Accuracy:
    // 0.938388625592", "On the test set: Accuracy: 0.93".
    assert_contains_all(
        &run.stdout,
        &[
            "L2 regularization, lambd = 0.7, 30000 iterations at learning rate 0.3",
            "Cost after iteration 0: 0.697448\n",
            "Cost after iteration 10000: 0.268492\n",
            "Cost after iteration 20000: 0.268092\n",
            "On the training set:\nAccuracy: 0.9383886255924171\n",
            "On the test set:\nAccuracy: 0.93\n",
        ],
    );
    // Printed every 10000 only, as print_cost does.
    assert_eq!(run.stdout.matches("Cost after").count(), 3, "{}", run.stdout);
    for name in ["football.png", "cost-l2.png", "boundary-l2.png"] {
        assert_png(&out.path().join(name), 400, 300);
        assert!(run.stdout.contains(name), "{name} is not listed:\n{}", run.stdout);
    }
}

#[test]
fn json_report_has_the_common_keys_and_the_dropout_runs_numbers() {
    let report = HW5.json(&["--reg", "dropout", "--json", "--no-plots"]);
    assert_report_schema(&report, "hw5-regularization");
    assert_eq!(report["regularization"], "dropout");
    assert_eq!((report["keep_prob"].as_f64(), report["lambd"].as_f64()), (Some(0.86), Some(0.0)));
    assert_eq!(report["dropout_masks"], "notebook");
    assert_eq!(report["seed"], 3);
    assert_eq!(report["engine"], "three-layer");
    assert_eq!(report["layers_dims"], serde_json::json!([2, 20, 3, 1]));
    assert_eq!(
        (report["num_iterations"].as_u64(), report["cost_every"].as_u64()),
        (Some(30000), Some(1000))
    );
    let costs = report["costs"].as_array().unwrap();
    assert_eq!(costs.len(), 30);
    // Expected Output: "Cost after iteration 10000: 0.0610169865749056".
    assert_eq!(costs[10][0], 10000);
    assert_prints_as(costs[10][1].as_f64().unwrap(), "0.061017", "dropout at 10000");
    // "On the train set: Accuracy: 0.928909952607", "On the test set: Accuracy: 0.95", in %.
    assert_eq!(report["train_accuracy"], 100.0 * (196.0 / 211.0));
    assert_eq!(report["test_accuracy"], 95.0);
    assert_eq!(report["figures"], serde_json::json!([]));
}

#[test]
fn flags_set_lambd_keep_prob_masks_iterations_and_rate() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("figures");
    let args = ["--reg", "l2", "--lambd", "0", "--epochs", "1001", "--learning-rate", "0.3"];
    let report = HW5.json(&[&args[..], &["--json", "--no-plots", "--out", out_arg(&dir)]].concat());
    assert_eq!(report["lambd"].as_f64(), Some(0.0));
    let costs = report["costs"].as_array().unwrap();
    assert_eq!(costs.len(), 2);
    // lambd = 0 is the unregularised model: `hw5_regularization.py --reg none --every-cost`
    // prints 0.655741 at 0 and 0.222267 at 1000.
    assert_prints_as(costs[0][1].as_f64().unwrap(), "0.655741", "lambd 0 at 0");
    assert_prints_as(costs[1][1].as_f64().unwrap(), "0.222267", "lambd 0 at 1000");
    // --no-plots wrote nothing, not even the folder.
    assert!(!dir.exists());

    let fresh = HW5.json(&[
        "--reg",
        "dropout",
        "--keep-prob",
        "0.86",
        "--dropout-masks",
        "fresh",
        "--epochs",
        "2001",
        "--json",
        "--no-plots",
    ]);
    assert_eq!(fresh["dropout_masks"], "fresh");
    // `--reg dropout --dropout-masks fresh --every-cost`: 0.654391 (the notebook's masks at
    // iteration 0), 0.253581 at 1000 and 0.254546 at 2000.
    let costs: Vec<f64> =
        fresh["costs"].as_array().unwrap().iter().map(|c| c[1].as_f64().unwrap()).collect();
    test_support::close::assert_all_print_as(
        &costs,
        &["0.654391", "0.253581", "0.254546"],
        "fresh masks",
    );
    // --keep-prob 1 keeps every unit: the unregularised costs.
    let all_kept = HW5.json(&[
        "--reg",
        "dropout",
        "--keep-prob",
        "1",
        "--epochs",
        "1",
        "--json",
        "--no-plots",
    ]);
    assert_prints_as(all_kept["costs"][0][1].as_f64().unwrap(), "0.655741", "keep_prob 1");
}

#[test]
fn every_simd_level_and_the_notebooks_loop_print_the_same_report() {
    // The engine's kernels run with AVX-512, AVX2 or one lane at a time (DL_COURSE_SIMD), on two
    // threads or one; the report must be the same bits at every level, and the notebook's
    // loop's (the plain functions), but for the engine's name and the time. Fresh dropout masks
    // run the notebook's loop on either engine.
    let runs: [&[&str]; 4] = [
        &["--reg", "none"],
        &["--reg", "l2"],
        &["--reg", "dropout"],
        &["--reg", "dropout", "--dropout-masks", "fresh", "--epochs", "3000"],
    ];
    for run in runs {
        let args = [run, &["--json", "--no-plots"]].concat();
        let mut fast = HW5.assert_same_at_every_simd_level(&args);
        let mut plain = HW5.json(&[&args[..], &["--engine", "notebook"]].concat());
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
fn quiet_prints_only_the_accuracies() {
    let run = HW5.success(&["--quiet", "--no-plots", "--epochs", "10"]);
    assert!(!run.stdout.contains("Cost after"), "{}", run.stdout);
    assert_eq!(run.stdout.lines().filter(|l| l.starts_with("Accuracy: ")).count(), 2);
}

#[test]
fn help_and_version() {
    let help = HW5.help_listing(&[
        "--reg",
        "--lambd",
        "--keep-prob",
        "--dropout-masks",
        "--epochs",
        "--learning-rate",
        "--data-dir",
        "--json",
        "--no-plots",
        "--out",
        "--quiet",
    ]);
    assert_contains_all(&help, &["none", "l2", "dropout", "notebook", "fresh", "data.mat"]);
    let version = HW5.success(&["--version"]).stdout;
    assert_eq!(version, format!("hw5-regularization {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_with_code_two_and_write_nothing() {
    let out = tempfile::tempdir().unwrap();
    let dir = out_arg(out.path());
    HW5.assert_usage_error(&["--reg", "l1", "--out", dir], &["--reg", "l1"]);
    HW5.assert_usage_error(&["--lambd", "-0.1", "--out", dir], &["--lambd", "finite number >= 0"]);
    HW5.assert_usage_error(&["--lambd", "inf", "--out", dir], &["--lambd", "finite number >= 0"]);
    HW5.assert_usage_error(&["--lambd", "x", "--out", dir], &["--lambd", "'x' is not a number"]);
    HW5.assert_usage_error(&["--keep-prob", "0", "--out", dir], &["--keep-prob", "(0, 1]"]);
    HW5.assert_usage_error(&["--keep-prob", "1.2", "--out", dir], &["--keep-prob", "(0, 1]"]);
    HW5.assert_usage_error(&["--keep-prob", "NaN", "--out", dir], &["--keep-prob", "(0, 1]"]);
    HW5.assert_usage_error(
        &["--dropout-masks", "random", "--out", dir],
        &["unknown dropout mask schedule 'random': expected notebook (the default) or fresh"],
    );
    HW5.assert_usage_error(
        &["--engine", "fast", "--out", dir],
        &["unknown engine 'fast': expected three-layer (the default) or notebook"],
    );
    HW5.assert_usage_error(&["--epochs", "0", "--out", dir], &["--epochs"]);
    HW5.assert_usage_error(&["--learning-rate", "-0.1", "--out", dir], &["--learning-rate"]);
    assert_empty_dir(out.path());
}

#[test]
fn a_missing_or_damaged_data_file_is_named_and_exits_with_code_one() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let args = ["--data-dir", out_arg(data.path()), "--out", out_arg(out.path())];
    let run = HW5.run(&args);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_contains_all(
        &run.stderr,
        &["regularization_football.mat: file not found", "cargo xtask fetch-data"],
    );
    std::fs::write(data.path().join("regularization_football.mat"), b"MATLAB 5.0 MAT-file")
        .unwrap();
    let run = HW5.run(&args);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_contains_all(&run.stderr, &["not a valid MATLAB level-5 MAT-file", "128-byte header"]);
    assert_empty_dir(out.path());
}
