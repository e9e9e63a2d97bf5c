//! The `hw6-gradient-checking` binary end to end: the notebook's verdict lines for both checks,
//! the worst parameter, `--backprop`, `--case`, `--x`, `--epsilon`, the `--json` report,
//! the figure under `--out` (none with `--no-plots`), `--quiet`, `--help`, `--version`, and usage
//! errors (exit code 2, nothing on stdout, nothing written).
//!
//! Golden numbers: the notebook's Expected Output, or
//! `python3 numpy-reference/hw6_gradient_checking.py --backprop NAME` (or `--case 1d --x X`).

use std::path::Path;
use test_support::cli::{Binary, assert_contains_all, assert_empty_dir, assert_report_schema};
use test_support::png::assert_png;

const HW6: Binary = Binary {
    path: env!("CARGO_BIN_EXE_hw6-gradient-checking"),
    name: "hw6-gradient-checking",
    reads_data: false,
};

fn out_arg(dir: &Path) -> &str {
    dir.to_str().expect("a UTF-8 temporary path")
}

#[test]
fn default_run_prints_the_notebooks_two_checks_and_the_worst_parameter() {
    let out = tempfile::tempdir().unwrap();
    let run = HW6.success(&["--out", out_arg(out.path())]);
    // Expected Output: "Your backward propagation works perfectly fine! difference =
    // 7.814075313343006e-11", then "There is a mistake in the backward propagation! difference =
    // 0.2850931567761623".
    assert_contains_all(
        &run.stdout,
        &[
            "J(theta) = theta x with x = 3.0, theta = 4.0, epsilon = 1e-07",
            "Your backward propagation works perfectly fine! difference = 7.814075313343006e-11\n",
            "backward_propagation_n = buggy",
            "There is a mistake in the backward propagation! difference = 0.2850931567761623\n",
            "Worst parameter: b1[0, 0] (index 20 of the vector): grad 2.5316314879024926, \
             gradapprox 0.6329079460520859\n",
            "Difference of each parameter matrix:",
        ],
    );
    let first_1d = run.stdout.find("7.814075313343006e-11").unwrap();
    let first_nd = run.stdout.find("0.2850931567761623").unwrap();
    assert!(first_1d < first_nd, "the notebook checks 1-D first:\n{}", run.stdout);
    // The figure: the buggy and the fixed |grad - gradapprox| of each parameter.
    let figure = out.path().join("gradient-gaps-buggy.png");
    assert_png(&figure, 800, 600);
    assert!(run.stdout.contains("gradient-gaps-buggy.png"), "{}", run.stdout);
}

#[test]
fn fixed_backprop_passes_and_one_bug_alone_is_still_found() {
    let run = HW6.success(&["--case", "nd", "--backprop", "fixed", "--no-plots"]);
    assert_contains_all(
        &run.stdout,
        &[
            "Your backward propagation works perfectly fine! difference = 1.1890913024229996e-07\n",
            "Worst parameter: W1[1, 3]",
        ],
    );
    assert!(!run.stdout.contains("J(theta)"), "--case nd runs no 1-D check:\n{}", run.stdout);
    // hw6_gradient_checking.py --backprop dw2: 0.17344196893145924, worst W2 (index 35).
    let run = HW6.success(&["--case", "nd", "--backprop", "dw2", "--no-plots"]);
    assert_contains_all(
        &run.stdout,
        &["difference = 0.17344196893145924\n", "Worst parameter: W2[2, 0] (index 35"],
    );
}

#[test]
fn one_dimensional_case_takes_x() {
    // The older notebook's x = 2: 2.919335883291695e-10 (hw6_gradient_checking.py --case 1d
    // --x 2).
    let run = HW6.success(&["--case", "1d", "--x", "2", "--quiet"]);
    assert_eq!(
        run.stdout,
        "Your backward propagation works perfectly fine! difference = 2.919335883291695e-10\n"
    );
}

#[test]
fn json_report_has_both_checks_with_every_digit() {
    let out = tempfile::tempdir().unwrap();
    let report = HW6.json(&["--json", "--out", out_arg(out.path())]);
    assert_report_schema(&report, "hw6-gradient-checking");
    // gradient_check_n_test_case's np.random.seed(1); nothing is trained.
    assert_eq!(report["seed"], 1);
    assert_eq!(report["costs"], serde_json::json!([]));
    assert_eq!(
        (report["epsilon"].as_f64(), report["threshold"].as_f64()),
        (Some(1e-7), Some(2e-7))
    );
    assert_eq!(report["1d"]["difference"].as_f64(), Some(7.814075313343006e-11));
    assert_eq!(report["1d"]["passed"], true);
    let nd = &report["nd"];
    assert_eq!(nd["backprop"], "buggy");
    assert_eq!(nd["parameters"], 47);
    assert_eq!(nd["difference"].as_f64(), Some(0.2850931567761623));
    assert_eq!(nd["passed"], false);
    assert_eq!(nd["worst"]["name"], "b1");
    assert_eq!(nd["worst"]["position"], serde_json::json!([0, 0]));
    assert_eq!(nd["blocks"].as_array().unwrap().len(), 6);
    assert_eq!(nd["grad"].as_array().unwrap().len(), 47);
    assert_eq!(nd["gradapprox"].as_array().unwrap().len(), 47);
    let figure = out.path().join("gradient-gaps-buggy.png");
    assert_eq!(report["figures"], serde_json::json!([figure]));
    let fixed = HW6.json(&["--json", "--case", "nd", "--backprop", "fixed", "--no-plots"]);
    assert_report_schema(&fixed, "hw6-gradient-checking");
    assert_eq!(fixed["1d"], serde_json::Value::Null);
    assert_eq!(fixed["nd"]["difference"].as_f64(), Some(1.1890913024229996e-07));
    assert_eq!(fixed["nd"]["passed"], true);
    assert_eq!(fixed["figures"], serde_json::json!([]));
}

#[test]
fn epsilon_is_a_flag() {
    let report = HW6.json(&["--json", "--case", "1d", "--epsilon", "1e-4"]);
    assert_eq!(report["epsilon"].as_f64(), Some(1e-4));
    // Only the 1-D check ran: no seeded draw.
    assert_eq!(report["seed"], serde_json::Value::Null);
    assert!(report["1d"]["difference"].as_f64().unwrap() < 1e-9, "{report}");
}

#[test]
fn quiet_prints_only_the_verdicts() {
    let run = HW6.success(&["--quiet", "--no-plots"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[2].starts_with("Worst parameter: b1[0, 0]"), "{}", run.stdout);
}

#[test]
fn help_and_version() {
    let help = HW6.help_listing(&["--case", "--x", "--backprop", "--epsilon", "--json", "--quiet"]);
    assert_contains_all(&help, &["buggy", "fixed", "1d", "nd", "2e-7"]);
    assert!(!help.contains("--data-dir"), "nothing is read:\n{help}");
    let version = HW6.success(&["--version"]).stdout;
    assert_eq!(version, format!("hw6-gradient-checking {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_with_code_two_and_write_nothing() {
    let out = tempfile::tempdir().unwrap();
    let dir = out_arg(out.path());
    let bad: [(&[&str], &[&str]); 9] = [
        (&["--epsilon=-1e-7"], &["--epsilon", "positive"]),
        (&["--epsilon", "-1"], &["--epsilon", "positive"]),
        (&["--epsilon", "0"], &["--epsilon"]),
        (&["--epsilon", "NaN"], &["--epsilon"]),
        (&["--x", "NaN"], &["--x", "finite"]),
        (&["--x", "inf"], &["--x", "finite"]),
        (&["--x", "three"], &["'three' is not a number"]),
        (&["--backprop", "broken"], &["unknown backprop 'broken'", "fixed"]),
        (&["--case", "3d"], &["--case"]),
    ];
    for (args, fragments) in bad {
        HW6.assert_usage_error(&[args, &["--out", dir]].concat(), fragments);
    }
    assert_empty_dir(out.path());
}
