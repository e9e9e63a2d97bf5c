//! The `hw2-planar` binary end to end: `--json` output, figures on disk (none with
//! `--no-plots`), flag overrides, the sweep and the other data sets, `--help` (which offers no
//! `--data-dir`: the data is generated), usage errors (exit 2) and a diverging run (exit 1).

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn run(out: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hw2-planar"))
        .arg("--out")
        .arg(out)
        .args(args)
        .output()
        .expect("the hw2-planar binary runs")
}

fn json_of(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "exit {:?}, stderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("stdout is one JSON object ({e}):\n{}", String::from_utf8_lossy(&output.stdout))
    })
}

/// Every listed figure exists, lies in `out` and decodes as a PNG of at least 400x300 pixels.
fn check_figures(report: &Value, out: &Path, expected_names: &[&str]) {
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
        let png = image::open(path).unwrap_or_else(|e| panic!("{figure}: {e}"));
        assert!(png.width() >= 400 && png.height() >= 300, "{figure}");
    }
}

#[test]
fn default_run_prints_json_and_writes_the_figures() {
    let out = tempfile::tempdir().unwrap();
    let output = run(out.path(), &["--json"]);
    let report = json_of(&output);
    // The study-notes preset, seed 2 (numpy port of the notebook: 0.684638 ... 88.0 %).
    assert_eq!(report["preset"], "notes");
    assert_eq!(report["dataset"], "flower");
    assert_eq!(report["seed"], 2);
    assert_eq!(report["hidden_units"], 4);
    assert_eq!(report["activation"], "tanh");
    assert_eq!(report["num_iterations"], 2000);
    assert_eq!(report["learning_rate"], 0.5);
    let costs = report["costs"].as_array().unwrap();
    assert_eq!(costs.len(), 20);
    assert!((costs[0].as_f64().unwrap() - 0.684638).abs() < 1e-6, "{}", costs[0]);
    assert_eq!(report["accuracy"], 88.0);
    // Section 3 of the notebook: logistic regression gets 47 %.
    assert_eq!(report["baseline"]["accuracy"], 47.0);
    assert!(report.get("sweep").is_none());
    check_figures(
        &report,
        out.path(),
        &["flower.png", "flower-boundary.png", "flower-cost.png", "flower-logistic-regression.png"],
    );
    // Under --json the human lines go to stderr, the seed among them.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("seed 2 (set with --seed)"), "{stderr}");
    assert!(stderr.contains("Cost after iteration 0: 0.684638"), "{stderr}");
    assert!(stderr.contains("Accuracy: 88 %"), "{stderr}");
}

#[test]
fn flags_override_the_preset() {
    let out = tempfile::tempdir().unwrap();
    let output = run(
        out.path(),
        &[
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
            "--quiet",
        ],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    // --quiet keeps only the results.
    assert!(!stdout.contains("Cost after iteration"), "{stdout}");
    assert!(stdout.contains("Accuracy: "), "{stdout}");

    let report = json_of(&run(
        out.path(),
        &[
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
            "--json",
        ],
    ));
    assert_eq!(report["preset"], "course");
    assert_eq!(report["num_iterations"], 300);
    assert_eq!(report["learning_rate"], 0.8);
    assert_eq!(report["hidden_units"], 6);
    assert_eq!(report["activation"], "relu");
    assert_eq!(report["seed"], 5);
    // The course preset records every 1000 iterations: only iteration 0 in 300.
    assert_eq!(report["costs"].as_array().unwrap().len(), 1);
}

#[test]
fn sweep_reports_each_size_and_draws_a_grid() {
    let out = tempfile::tempdir().unwrap();
    let report = json_of(&run(
        out.path(),
        &["--preset", "course", "--epochs", "1000", "--sweep", "1,3", "--json"],
    ));
    let sweep = report["sweep"].as_array().unwrap();
    let sizes: Vec<u64> = sweep.iter().map(|r| r["hidden_units"].as_u64().unwrap()).collect();
    assert_eq!(sizes, [1, 3]);
    // One hidden unit cannot draw the petals; three can (the notebook's 67.5 % and 90.75 % at
    // 5000 iterations; this short run is checked loosely).
    let acc: Vec<f64> = sweep.iter().map(|r| r["accuracy"].as_f64().unwrap()).collect();
    assert!(acc[0] < 75.0 && acc[1] > 85.0, "{acc:?}");
    check_figures(
        &report,
        out.path(),
        &[
            "flower.png",
            "flower-boundary.png",
            "flower-cost.png",
            "flower-logistic-regression.png",
            "flower-sweep.png",
        ],
    );
}

#[test]
fn other_datasets_are_selectable() {
    let out = tempfile::tempdir().unwrap();
    let report =
        json_of(&run(out.path(), &["--dataset", "noisy-moons", "--preset", "course", "--json"]));
    assert_eq!(report["dataset"], "noisy-moons");
    // The hidden layer bends the boundary around the moons; logistic regression cannot (this
    // implementation: 98 % against 87 %).
    let (net, line) =
        (report["accuracy"].as_f64().unwrap(), report["baseline"]["accuracy"].as_f64().unwrap());
    assert!(net >= 95.0 && net > line + 5.0, "network {net} %, logistic regression {line} %");
    check_figures(
        &report,
        out.path(),
        &[
            "noisy-moons.png",
            "noisy-moons-boundary.png",
            "noisy-moons-cost.png",
            "noisy-moons-logistic-regression.png",
        ],
    );
}

#[test]
fn no_plots_writes_no_file_and_prints_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("figures");
    let args = ["--preset", "course", "--epochs", "300", "--no-plots"];
    let output = run(&out, &args);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    for line in
        ["Cost after iteration 0: 0.693048", "Accuracy: ", "Accuracy of logistic regression: 47 %"]
    {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    assert!(!stdout.contains("Figures written to"), "{stdout}");

    let report = json_of(&run(&out, &[&args[..], &["--json"]].concat()));
    assert_eq!(report["figures"], serde_json::json!([]));
    assert_eq!(report["num_iterations"], 300);
    assert_eq!(report["baseline"]["accuracy"], 47.0);
    assert!(report["accuracy"].is_number(), "{report}");

    assert!(!out.exists(), "--no-plots created {}", out.display());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn help_offers_no_data_folder() {
    let output = Command::new(env!("CARGO_BIN_EXE_hw2-planar")).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in ["--out", "--no-plots", "--quiet", "--json", "--sweep"] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
    assert!(!help.contains("--data-dir"), "{help}");
}

/// A usage error: exit code 2, nothing on stdout, and stderr containing every `needles`.
fn assert_usage_error(args: &[&str], needles: &[&str]) {
    let out = tempfile::tempdir().unwrap();
    let output = run(out.path(), args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(output.stdout.is_empty(), "{args:?}");
    for needle in needles {
        assert!(stderr.contains(needle), "{args:?}: expected '{needle}' in:\n{stderr}");
    }
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "{args:?} wrote files");
}

#[test]
fn bad_flags_are_usage_errors() {
    assert_usage_error(&["--hidden", "0"], &["--hidden", "must be at least 1, got 0"]);
    assert_usage_error(
        &["--dataset", "spirals"],
        &["unknown dataset 'spirals'", "noisy-moons", "gaussian-quantiles"],
    );
    assert_usage_error(&["--activation", "softsign"], &["--activation", "softsign"]);
    assert_usage_error(&["--learning-rate", "NaN"], &["--learning-rate", "positive finite"]);
    assert_usage_error(&["--learning-rate", "-0.5"], &["--learning-rate", "positive finite"]);
    assert_usage_error(&["--sweep", "4,0,2"], &["--sweep", "item 2"]);
    assert_usage_error(&["--preset", "fast"], &["unknown preset 'fast'", "course"]);
    assert_usage_error(&["--epochs", "0"], &["--epochs"]);
    // The planar data is generated: there is no data folder to point at.
    assert_usage_error(&["--data-dir", "datasets"], &["unexpected argument '--data-dir'"]);
}

#[test]
fn a_diverging_run_fails_clearly_without_nan_costs() {
    let out = tempfile::tempdir().unwrap();
    let output = run(out.path(), &["--learning-rate", "1e6"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("training diverged at iteration"), "{stderr}");
    assert!(stderr.contains("learning rate 1000000"), "{stderr}");
    assert!(stderr.contains("try a smaller --learning-rate"), "{stderr}");
    assert!(!stdout.to_lowercase().contains("nan"), "{stdout}");
    assert!(!stdout.contains("Accuracy"), "{stdout}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "a failed run wrote figures");

    // Under --json, stdout stays empty rather than carrying a half report.
    let output = run(out.path(), &["--learning-rate", "1e6", "--json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
}
