//! The `hw2-planar` binary end to end, each flag by its effect on what a run prints or writes:
//! `--json` output, figures on disk under `--out` (none with `--no-plots`, which prints the same
//! results), flag overrides, `--quiet`, the sweep and every other data set, `--help` (which
//! offers no `--data-dir`: the data is generated), `--version` and a diverging run (exit 1).
//! The usage errors are in `hostile_cli.rs`.
//!
//! Golden numbers come from `numpy-reference/hw2_planar.py` (run from that folder), with the
//! command that prints them.

use serde_json::Value;
use std::path::Path;
use test_support::cli::{Binary, assert_contains_all, assert_empty_dir, assert_report_schema};
use test_support::close::assert_prints_as;
use test_support::png::assert_png;

const HW2: Binary =
    Binary { path: env!("CARGO_BIN_EXE_hw2-planar"), name: "hw2-planar", reads_data: false };

/// `args` followed by `--out out`.
fn with_out<'a>(args: &[&'a str], out: &'a Path) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(["--out", out.to_str().expect("a UTF-8 temporary path")]);
    all
}

/// Every listed figure exists, lies in `out` and decodes as a PNG of at least 400x300 pixels.
fn check_figures(report: &Value, out: &Path, expected_names: &[String]) {
    let figures: Vec<&str> =
        report["figures"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    let names: Vec<String> = figures
        .iter()
        .map(|f| Path::new(f).file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, expected_names);
    for figure in figures {
        let path = Path::new(figure);
        assert_eq!(path.parent(), Some(out), "{figure}");
        assert_png(path, 400, 300);
    }
}

/// The four figures of a run on `dataset`, in the order they are written.
fn figure_names(dataset: &str) -> Vec<String> {
    ["", "-boundary", "-cost", "-logistic-regression"]
        .iter()
        .map(|suffix| format!("{dataset}{suffix}.png"))
        .collect()
}

fn f64_of(value: &Value) -> f64 {
    value.as_f64().unwrap_or_else(|| panic!("{value} is not a number"))
}

#[test]
fn default_run_prints_json_and_writes_the_figures() {
    let out = tempfile::tempdir().unwrap();
    let run = HW2.success(&with_out(&["--json"], out.path()));
    let report = run.json();
    // The study-notes preset, seed 2: `python3 hw2_planar.py --preset notes` prints "Cost after
    // iteration 0: 0.684638", ..., "1900: 0.284554", "Accuracy: 88.0 %" and "Accuracy of
    // logistic regression: 47.0 %" (section 3 of the notebook: 47 %).
    assert_eq!(report["preset"], "notes");
    assert_eq!(report["dataset"], "flower");
    assert_eq!(report["seed"], 2);
    assert_eq!(report["hidden_units"], 4);
    assert_eq!(report["activation"], "tanh");
    assert_eq!(report["num_iterations"], 2000);
    assert_eq!(report["learning_rate"], 0.5);
    assert_report_schema(&report, "hw2-planar");
    assert_eq!(report["engine"], "shallow");
    assert!(report["test_accuracy"].is_null(), "the flower has no test set");
    let costs = report["costs"].as_array().unwrap();
    assert_eq!(costs.len(), 20);
    assert_eq!(costs[19][0], 1900, "a cost every 100 iterations");
    assert_prints_as(f64_of(&costs[0][1]), "0.684638", "cost after iteration 0");
    assert_prints_as(f64_of(&costs[19][1]), "0.284554", "cost after iteration 1900");
    assert_eq!(report["train_accuracy"], 88.0);
    assert_eq!(report["baseline"]["train_accuracy"], 47.0);
    assert!(report.get("sweep").is_none());
    check_figures(&report, out.path(), &figure_names("flower"));
    // Under --json the human lines go to stderr, the seed among them.
    assert_contains_all(
        &run.stderr,
        &[
            "seed 2 (set with --seed)",
            "Cost after iteration 0: 0.684638",
            "Cost after iteration 1900: 0.284554",
            "Accuracy: 88 %",
        ],
    );
}

#[test]
fn flags_override_the_preset() {
    // `python3 hw2_planar.py --preset course --epochs 300 --learning-rate 0.8 --hidden 6
    // --activation relu --seed 5` prints "Cost after iteration 0: 0.693118" and "Accuracy:
    // 75.5 %": each flag changes these numbers (the default notes run gives 0.684638 and 88 %).
    let flags = [
        "--preset",
        "course",
        "--epochs",
        "300",
        "--learning-rate",
        "0.8",
        "--hidden",
        "6",
        "--activation",
        "relu",
        "--seed",
        "5",
    ];
    let out = tempfile::tempdir().unwrap();
    let report = HW2.json(&with_out(&[&flags[..], &["--json", "--no-plots"]].concat(), out.path()));
    assert_eq!(report["preset"], "course");
    assert_eq!(report["num_iterations"], 300);
    assert_eq!(report["learning_rate"], 0.8);
    assert_eq!(report["hidden_units"], 6);
    assert_eq!(report["activation"], "relu");
    assert_eq!(report["seed"], 5);
    // The course preset records every 1000 iterations: only iteration 0 in 300.
    let costs = report["costs"].as_array().unwrap();
    assert_eq!(costs.len(), 1);
    assert_eq!(costs[0][0], 0);
    assert_prints_as(f64_of(&costs[0][1]), "0.693118", "cost after iteration 0");
    assert_eq!(report["train_accuracy"], 75.5);

    // --quiet keeps only the two result lines, with the same numbers.
    let quiet =
        HW2.success(&with_out(&[&flags[..], &["--quiet", "--no-plots"]].concat(), out.path()));
    let lines: Vec<&str> = quiet.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "Accuracy: 75.5 %",
            concat!(
                "Accuracy of logistic regression: 47 % ",
                "(hw1's model, 2000 iterations at learning rate 0.5)"
            ),
        ]
    );
    assert_empty_dir(out.path());
}

#[test]
fn sweep_reports_each_size_and_draws_a_grid() {
    let out = tempfile::tempdir().unwrap();
    let run = HW2.success(&with_out(
        &["--preset", "course", "--epochs", "1000", "--sweep", "1,3", "--json"],
        out.path(),
    ));
    let report = run.json();
    // `python3 hw2_planar.py --epochs 1000 --sweep 1,3` prints "Accuracy: 89.25 %", "Accuracy
    // for 1 hidden units: 67.75 %" and "Accuracy for 3 hidden units: 89.5 %": one unit cannot
    // draw the petals, three can.
    assert_eq!(report["train_accuracy"], 89.25);
    let sweep = report["sweep"].as_array().unwrap();
    let sizes: Vec<u64> = sweep.iter().map(|r| r["hidden_units"].as_u64().unwrap()).collect();
    assert_eq!(sizes, [1, 3]);
    let acc: Vec<f64> = sweep.iter().map(|r| f64_of(&r["train_accuracy"])).collect();
    assert_eq!(acc, [67.75, 89.5]);
    assert_contains_all(
        &run.stderr,
        &["Accuracy for 1 hidden units: 67.75 %", "Accuracy for 3 hidden units: 89.5 %"],
    );
    let mut names = figure_names("flower");
    names.push("flower-sweep.png".into());
    check_figures(&report, out.path(), &names);
}

#[test]
fn every_other_dataset_is_selectable() {
    // The notes preset on each: `python3 hw2_planar.py --preset notes --dataset NAME` prints
    // the first cost and both accuracies below (the generators are ported to the script).
    for (dataset, first_cost, network, logistic) in [
        ("noisy-circles", "0.694386", 76.5, 56.5),
        ("noisy-moons", "0.678640", 87.0, 87.0),
        ("blobs", "0.764273", 100.0, 99.0),
        ("gaussian-quantiles", "0.693851", 95.5, 53.5),
        ("no-structure", "0.693387", 52.0, 52.0),
    ] {
        let out = tempfile::tempdir().unwrap();
        let report = HW2.json(&with_out(&["--dataset", dataset, "--json"], out.path()));
        assert_eq!(report["dataset"], dataset);
        assert_prints_as(f64_of(&report["costs"][0][1]), first_cost, dataset);
        assert_eq!(report["train_accuracy"], network, "{dataset}");
        assert_eq!(report["baseline"]["train_accuracy"], logistic, "{dataset}");
        check_figures(&report, out.path(), &figure_names(dataset));
    }

    // With the course preset the hidden layer bends the boundary around the moons; logistic
    // regression cannot: `python3 hw2_planar.py --preset course --dataset noisy-moons` prints
    // "Accuracy: 98.0 %" and "Accuracy of logistic regression: 87.0 %" (on every OpenBLAS
    // kernel tried).
    let report =
        HW2.json(&["--dataset", "noisy-moons", "--preset", "course", "--json", "--no-plots"]);
    assert_eq!(report["train_accuracy"], 98.0);
    assert_eq!(report["baseline"]["train_accuracy"], 87.0);
}

#[test]
fn no_plots_writes_no_file_and_prints_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let plotted = dir.path().join("plotted");
    let unplotted = dir.path().join("figures");
    let args = ["--preset", "course", "--epochs", "300"];
    let with_plots = HW2.success(&with_out(&args, &plotted));
    let without = HW2.success(&with_out(&[&args[..], &["--no-plots"]].concat(), &unplotted));
    // The plotting run's output, less its list of figures, is the --no-plots run's output.
    let (results, figures) = with_plots
        .stdout
        .split_once("Figures written to ")
        .unwrap_or_else(|| panic!("no list of figures in:\n{}", with_plots.stdout));
    assert_eq!(figures.lines().count(), 5, "{figures}");
    assert_eq!(without.stdout, results);
    // `python3 hw2_planar.py --epochs 300` prints these.
    assert_contains_all(
        results,
        &[
            "Cost after iteration 0: 0.693048",
            "Accuracy: 87.5 %",
            "Accuracy of logistic regression: 47 %",
        ],
    );

    // The JSON reports differ only in the figures.
    let mut plotted_report = HW2.json(&with_out(&[&args[..], &["--json"]].concat(), &plotted));
    let unplotted_report =
        HW2.json(&with_out(&[&args[..], &["--json", "--no-plots"]].concat(), &unplotted));
    assert_eq!(plotted_report["figures"].as_array().unwrap().len(), 4);
    assert_eq!(unplotted_report["figures"], serde_json::json!([]));
    assert_eq!(unplotted_report["num_iterations"], 300);
    assert_eq!(unplotted_report["train_accuracy"], 87.5);
    assert_eq!(unplotted_report["baseline"]["train_accuracy"], 47.0);
    plotted_report["figures"] = serde_json::json!([]);
    // And in the time the training took.
    let mut unplotted_report = unplotted_report;
    plotted_report["training_seconds"] = serde_json::Value::Null;
    unplotted_report["training_seconds"] = serde_json::Value::Null;
    assert_eq!(plotted_report, unplotted_report);

    assert!(!unplotted.exists(), "--no-plots created {}", unplotted.display());
    let entries: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(entries, ["plotted"]);
}

#[test]
fn help_offers_no_data_folder() {
    let help = HW2.help_listing(&[
        "--preset",
        "--epochs",
        "--learning-rate",
        "--hidden",
        "--activation",
        "--seed",
        "--dataset",
        "--sweep",
        "--out",
        "--no-plots",
        "--quiet",
        "--json",
        "--version",
    ]);
    assert!(!help.contains("--data-dir"), "{help}");
}

#[test]
fn version_prints_the_crate_version() {
    let run = HW2.success(&["--version"]);
    assert_eq!(run.stdout, format!("hw2-planar {}\n", env!("CARGO_PKG_VERSION")));
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn a_data_folder_is_a_usage_error() {
    // The planar data is generated: there is no data folder to point at (the other usage
    // errors are in hostile_cli.rs).
    let out = tempfile::tempdir().unwrap();
    HW2.assert_usage_error(
        &with_out(&["--data-dir", "datasets"], out.path()),
        &["unexpected argument '--data-dir'"],
    );
    assert_empty_dir(out.path());
}

#[test]
fn a_diverging_run_fails_clearly_without_nan_costs() {
    let out = tempfile::tempdir().unwrap();
    let run = HW2.run(&with_out(&["--learning-rate", "1e6"], out.path()));
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("training diverged at iteration"), "{}", run.stderr);
    assert!(run.stderr.contains("learning rate 1000000"), "{}", run.stderr);
    assert!(run.stderr.contains("try a smaller --learning-rate"), "{}", run.stderr);
    assert!(!run.stdout.to_lowercase().contains("nan"), "{}", run.stdout);
    assert!(!run.stdout.contains("Accuracy"), "{}", run.stdout);
    assert_empty_dir(out.path());

    // Under --json, stdout stays empty rather than carrying a half report.
    let run = HW2.run(&with_out(&["--learning-rate", "1e6", "--json"], out.path()));
    assert_eq!(run.code, Some(1));
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn the_course_preset_prints_the_same_bits_at_every_simd_level() {
    // The vector tanh, exp and the shallow engine's loops run with AVX-512, AVX2 or one lane at
    // a time (`DL_COURSE_SIMD`); the course's run must print the same numbers at each.
    let report = HW2.assert_same_at_every_simd_level(&[
        "--preset",
        "course",
        "--epochs",
        "2000",
        "--json",
        "--no-plots",
    ]);
    // Course notebook 4.4: "Cost after iteration 1000: 0.288083".
    assert_prints_as(report["costs"][1][1].as_f64().unwrap(), "0.288083", "cost at 1000");
}
