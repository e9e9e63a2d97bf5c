//! The `hw3-deep` binary run as a learner runs it: every flag has a successful run whose
//! effect on the output is checked against `numpy-reference/hw3_deep.py` (the command is named
//! at each number), the course preset prints exactly what the README and docs/04-deep.md show,
//! `--json` prints one object, figures are real PNGs, and a model saved with `--save-model` is
//! used by `--model-file` and `--image` (the latter without any data set). Usage errors and
//! broken files are `hostile_cli.rs`'s; only the cases its table lacks are here.
//!
//! Runs that train use the real cat data (`$DL_COURSE_DATA` or `datasets/`; missing data makes
//! them fail with the loader's message). Except the course-preset runs the README shows (2500
//! iterations on the Gram engine: 0.1-0.3 s each in the test profile), they train a tiny
//! `--layers 12288,3,1` network for at most 101 iterations, or the default network for one.

mod support;

use linalg_nn::cli::serde_json::{Value, json};
use linalg_nn::data::{default_data_dir, load_dataset};
use std::path::Path;
use std::sync::OnceLock;
use support::{COURSE_DEEP_COSTS, COURSE_TWO_LAYER_COSTS, HW3};
use test_support::cli::{Run, assert_empty_dir, assert_report_schema, lines_after, run};
use test_support::close::{assert_all_print_as, assert_prints_as};
use test_support::png::assert_png;

/// The smallest size the figures are drawn at.
const MIN_FIGURE: u32 = 200;

/// The tiny network of the short runs.
const TINY: [&str; 2] = ["--layers", "12288,3,1"];

/// `python3 numpy-reference/hw3_deep.py --preset notes --layers 12288,3,1 --iterations 101
/// --test-picture 0` (hw3-deep's default preset, seed 1, learning rate 0.0075) prints
/// "Cost after iteration 0: 0.733446", "... 100: 0.677868", "Train accuracy: 65.5502392344 %",
/// "Test accuracy: 34 %", 33 mislabeled test pictures and "test picture 0: y = 0, probability
/// of cat 0.4731"; with `--json`, "train_accuracy": 65.55023923444976, "test_accuracy": 34.0.
/// (After 101 iterations the network still calls every picture "non-cat".)
const TINY_101_COSTS: [&str; 2] = ["0.733446", "0.677868"];
const TINY_101_TRAIN_ACCURACY: f64 = 65.55023923444976;
const TINY_101_TEST_ACCURACY: f64 = 34.0;
const TINY_101_RESULTS: [&str; 2] = ["Train accuracy: 65.5502392344 %", "Test accuracy: 34 %"];
const TINY_101_MISLABELED: u64 = 33;
const TINY_101_PICTURE_0: &str = "0.4731";

/// The recorded costs of a `--json` report (or of its `compared_preset`), after checking that
/// they were recorded every 100 iterations.
fn costs(report: &Value) -> Vec<f64> {
    let pairs = report["costs"].as_array().unwrap();
    for (k, pair) in pairs.iter().enumerate() {
        assert_eq!(pair[0].as_u64(), Some(100 * k as u64), "{pair}");
    }
    pairs.iter().map(|pair| pair[1].as_f64().unwrap()).collect()
}

/// The lines of `text` that start with `Train accuracy` or `Test accuracy`.
fn accuracy_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.starts_with("Train accuracy") || l.starts_with("Test accuracy"))
        .collect()
}

/// `expected` costs as the binary prints them, "0: 0.693050", "100: 0.646432", ...
fn cost_lines(expected: &[&str]) -> Vec<String> {
    expected.iter().enumerate().map(|(k, cost)| format!("{}: {cost}", 100 * k)).collect()
}

/// `--layers 12288,3,1 --iterations 101 --no-plots` with the human output, run once for the
/// tests that read it.
fn tiny_human_run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| HW3.success(&[&TINY[..], &["--iterations", "101", "--no-plots"]].concat()))
}

#[test]
fn help_lists_every_flag() {
    HW3.help_listing(&[
        "--model",
        "--preset",
        "--layers",
        "--iterations",
        "--learning-rate",
        "--seed",
        "--compare-presets",
        "--save-model",
        "--model-file",
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
fn version_prints_the_package_version() {
    let run = HW3.success(&["--version"]);
    assert_eq!(run.stdout, format!("hw3-deep {}\n", env!("CARGO_PKG_VERSION")));
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn usage_errors_the_hostile_table_does_not_cover() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("figures");
    let out_arg = out.to_str().unwrap();
    // The `--epochs` alias at zero, and a negative learning rate in the `=` form (the hostile
    // table has `--epochs -1` and `--learning-rate -1`).
    HW3.assert_usage_error(&["--epochs", "0", "--out", out_arg], &["must be at least 1, got 0"]);
    HW3.assert_usage_error(
        &["--learning-rate=-1", "--out", out_arg],
        &["must be a positive finite number"],
    );
    // A saved model is not trained again: no preset, no engine (the table has --layers).
    for flag in [["--preset", "course"], ["--engine", "gram"]] {
        HW3.assert_usage_error(
            &[&["--model-file", "m.h5", "--out", out_arg][..], &flag[..]].concat(),
            &["cannot be used with"],
        );
    }
    assert_empty_dir(&out);
}

/// Checks that `stdout` holds every `expected` line, in this order (other lines may come between).
fn assert_lines_in_order(stdout: &str, expected: &[&str]) {
    let mut lines = stdout.lines();
    for want in expected {
        assert!(lines.any(|line| line == *want), "«{want}» missing or out of order in:\n{stdout}");
    }
}

#[test]
fn the_course_preset_prints_the_readme_numbers() {
    // README, "The course's expected output, and ours": all 25 costs to 6 decimals, train 100 %,
    // test 72 %. Source: the notebook's Expected Output; `python3
    // numpy-reference/hw3_deep.py --model two-layer` prints the same lines.
    let two_layer = HW3.success(&["--preset", "course", "--model", "two-layer", "--no-plots"]);
    assert_eq!(
        lines_after(&two_layer.stdout, "Cost after iteration "),
        cost_lines(&COURSE_TWO_LAYER_COSTS)
    );
    assert_eq!(accuracy_lines(&two_layer.stdout), ["Train accuracy: 100 %", "Test accuracy: 72 %"]);
    assert_lines_in_order(
        &two_layer.stdout,
        &["Preset course: 2500 iterations, learning rate 0.0075, W = randn*0.01, b = 0, seed 1 \
           (change with --seed)"],
    );

    // docs/04-deep.md, "Programming assignment (编程作业): hw3-deep", prints this run (some lines
    // left out), and the README: all 25 costs to 6 decimals, train 98.5645933014 %, test 80 %.
    // Source: the notebook; `python3 numpy-reference/hw3_deep.py --model deep` prints the same
    // costs and accuracies, and 10 mislabeled test pictures. With figures, so the mislabeled
    // line shows.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("figures");
    let deep =
        HW3.success(&["--preset", "course", "--model", "deep", "--out", out.to_str().unwrap()]);
    assert_eq!(lines_after(&deep.stdout, "Cost after iteration "), cost_lines(&COURSE_DEEP_COSTS));
    assert_lines_in_order(
        &deep.stdout,
        &[
            "Cat / non-cat: 209 training and 50 test pictures of 64x64 pixels (n_x = 12288)",
            "Model: deep, layers [12288, 20, 7, 5, 1] ([LINEAR->RELU] x 3 -> LINEAR->SIGMOID)",
            "Preset course: 2500 iterations, learning rate 0.0075, W = randn/sqrt(n_prev), b = 0, \
             seed 1 (change with --seed)",
            "Engine: gram (X^T X computed once; same costs as the notebook's computation)",
            "Cost after iteration 0: 0.771749",
            "Cost after iteration 100: 0.672053",
            "Cost after iteration 200: 0.648263",
            "Cost after iteration 2300: 0.100897",
            "Cost after iteration 2400: 0.092878",
            "Train accuracy: 98.5645933014 %",
            "Test accuracy: 80 %",
            "10 mislabeled test pictures",
        ],
    );
    assert_png(&out.join("deep-course-cost.png"), MIN_FIGURE, MIN_FIGURE);
    assert_png(&out.join("deep-course-mislabeled.png"), MIN_FIGURE, MIN_FIGURE);
}

#[test]
fn the_notes_preset_prints_the_docs_numbers() {
    // docs/04-deep.md, "The study notes' runs": the default preset, both models, seed 1. `python3
    // numpy-reference/hw3_deep.py --preset notes --model two-layer` (and `--model deep`) prints
    // the same accuracies.
    for (model, expected) in [
        (
            "two-layer",
            [
                "Cost after iteration 0: 0.695046",
                "Cost after iteration 100: 0.589260",
                "Cost after iteration 2900: 0.018893",
                "Train accuracy: 100 %",
                "Test accuracy: 74 %",
            ],
        ),
        (
            "deep",
            [
                "Cost after iteration 0: 0.771749",
                "Cost after iteration 100: 0.672053",
                "Cost after iteration 2900: 0.075444",
                "Train accuracy: 99.043062201 %",
                "Test accuracy: 82 %",
            ],
        ),
    ] {
        let run = HW3.success(&["--model", model, "--no-plots"]);
        assert_lines_in_order(&run.stdout, &expected);
    }
}

#[test]
fn learning_rate_and_layers_give_the_docs_study_cell() {
    // docs/04-deep.md: "cargo run --release -p hw3-deep -- --preset course --layers
    // 12288,20,7,1 --learning-rate 0.02 prints `Train accuracy: 100 %` and `Test accuracy:
    // 78 %`". `python3 numpy-reference/hw3_deep.py --layers 12288,20,7,1 --learning-rate 0.02
    // --json` prints the same two lines, the 25 costs below and "train_accuracy": 100.0,
    // "test_accuracy": 78.0.
    let run = HW3.run(&[
        "--preset",
        "course",
        "--layers",
        "12288,20,7,1",
        "--learning-rate",
        "0.02",
        "--json",
        "--no-plots",
    ]);
    let report = run.json();
    assert_eq!(report["learning_rate"], 0.02);
    assert_eq!(report["layers"], json!([12288, 20, 7, 1]));
    assert_eq!(report["num_iterations"], 2500);
    assert_all_print_as(&costs(&report), &DOCS_CELL_COSTS, "--learning-rate 0.02 costs");
    assert_eq!(report["train_accuracy"].as_f64(), Some(100.0));
    assert_eq!(report["test_accuracy"].as_f64(), Some(78.0));
    // Under --json the human lines go to stderr.
    assert_eq!(accuracy_lines(&run.stderr), ["Train accuracy: 100 %", "Test accuracy: 78 %"]);
}

/// The costs at 0, 100, ..., 2400 of `python3 numpy-reference/hw3_deep.py --layers
/// 12288,20,7,1 --learning-rate 0.02` (the course preset's initialisation, seed 1).
const DOCS_CELL_COSTS: [&str; 25] = [
    "0.696634", "0.529320", "0.470290", "0.298315", "0.207055", "0.230171", "0.131996", "0.046628",
    "0.029581", "0.022050", "0.016585", "0.012592", "0.009700", "0.007698", "0.006257", "0.005179",
    "0.004361", "0.003732", "0.003252", "0.002869", "0.002538", "0.002160", "0.001896", "0.001698",
    "0.001541",
];

#[test]
fn train_save_reload_and_classify_a_picture() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("figures");
    let model = dir.path().join("model.h5");
    let (out_arg, model_arg) = (out_dir.to_str().unwrap(), model.to_str().unwrap());
    // Test picture 0 saved as a PNG: 64x64, so --image does not resize it.
    let data = load_dataset(&default_data_dir()).unwrap();
    let picture = dir.path().join("picture.png");
    image::RgbImage::from_raw(64, 64, data.test.image(0).to_vec()).unwrap().save(&picture).unwrap();
    let picture_arg = picture.to_str().unwrap();

    // Train (the --num-iterations alias), save, evaluate and classify the picture in one run.
    let trained = HW3.json(
        &[
            &TINY[..],
            &[
                "--num-iterations",
                "101",
                "--json",
                "--save-model",
                model_arg,
                "--out",
                out_arg,
                "--image",
                picture_arg,
            ],
        ]
        .concat(),
    );
    assert_report_schema(&trained, "hw3-deep");
    assert_eq!(trained["layers"], json!([12288, 3, 1]));
    assert_eq!(trained["activations"], json!(["relu", "sigmoid"]));
    assert_eq!(trained["preset"], "notes");
    assert_eq!(trained["init"], "randn/sqrt(n_prev)");
    assert_eq!(trained["seed"], 1);
    assert_eq!(trained["learning_rate"], 0.0075);
    assert_eq!(trained["num_iterations"], 101);
    assert_all_print_as(&costs(&trained), &TINY_101_COSTS, "costs");
    assert_eq!(trained["train_accuracy"].as_f64(), Some(TINY_101_TRAIN_ACCURACY));
    assert_eq!(trained["test_accuracy"].as_f64(), Some(TINY_101_TEST_ACCURACY));
    assert_eq!(trained["mislabeled_test_pictures"], TINY_101_MISLABELED);
    assert_eq!(trained["saved_model"], model_arg);
    assert!(model.is_file());
    let image = &trained["image"];
    let probability = image["probability"].as_f64().unwrap();
    assert_prints_as(probability, TINY_101_PICTURE_0, "probability of cat of test picture 0");
    assert_eq!(image["prediction"], 0);
    assert_eq!(image["class"], "non-cat");
    assert_eq!(image["path"], picture_arg);
    let figures: Vec<&str> =
        trained["figures"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    let names: Vec<&str> =
        figures.iter().map(|f| Path::new(f).file_name().unwrap().to_str().unwrap()).collect();
    assert_eq!(names, ["deep-notes-cost.png", "deep-notes-mislabeled.png", "my-image.png"]);
    for figure in &figures {
        assert!(Path::new(figure).starts_with(&out_dir), "{figure} is not under --out");
        assert_png(Path::new(figure), MIN_FIGURE, MIN_FIGURE);
    }

    // The saved model gives the same accuracies without training.
    let reloaded = HW3.json(&["--model-file", model_arg, "--json", "--no-plots"]);
    assert_eq!(reloaded["train_accuracy"].as_f64(), Some(TINY_101_TRAIN_ACCURACY));
    assert_eq!(reloaded["test_accuracy"].as_f64(), Some(TINY_101_TEST_ACCURACY));
    assert_eq!(reloaded["costs"], json!([]));
    assert_report_schema(&reloaded, "hw3-deep");
    // Nothing was trained: the training's keys are there, empty.
    for key in ["engine", "num_iterations", "learning_rate", "training_seconds"] {
        assert!(reloaded[key].is_null(), "{key}: {reloaded}");
    }
    assert_eq!(reloaded["layers"], trained["layers"]);
    assert_eq!(reloaded["model_file"], model_arg);

    // The picture classified with the saved model and no data set at all.
    let no_data = dir.path().join("no-data-here");
    let classified = HW3.json(&[
        "--model-file",
        model_arg,
        "--image",
        picture_arg,
        "--json",
        "--out",
        out_arg,
        "--data-dir",
        no_data.to_str().unwrap(),
    ]);
    // No data set was read: no accuracies (the schema's keys are there, null).
    assert_report_schema(&classified, "hw3-deep");
    assert!(classified["train_accuracy"].is_null() && classified["test_accuracy"].is_null());
    // Two code paths agree bit for bit: the model kept in memory after training and the one
    // read back from the file ...
    assert_eq!(classified["image"], trained["image"]);
    // ... and the picture read back from the PNG and its column in the data set, through the
    // library's forward pass: the picture was neither resized nor altered.
    let params = hw3_deep::model_file::load_model(&model).unwrap();
    let column = data.test.x().columns(0, 1).into_owned();
    let expected = hw3_deep::predict_probabilities(&column, &params).unwrap()[(0, 0)];
    assert_eq!(probability, expected);
    assert_png(&out_dir.join("my-image.png"), MIN_FIGURE, MIN_FIGURE);

    // The human output names the class and the probability, at the 4 decimals numpy prints.
    let human = HW3.success(&["--model-file", model_arg, "--image", picture_arg, "--no-plots"]);
    assert_eq!(
        lines_after(&human.stdout, picture_arg),
        [format!(
            ": y = 0, your 2-layer model predicts a \"non-cat\" picture (probability of cat \
             {TINY_101_PICTURE_0})"
        )]
    );
}

#[test]
fn quiet_prints_only_the_results() {
    // Without --quiet: the detail lines, the numpy port's costs, the accuracies.
    let full = tiny_human_run();
    assert_eq!(lines_after(&full.stdout, "Cost after iteration "), cost_lines(&TINY_101_COSTS));
    assert_eq!(accuracy_lines(&full.stdout), TINY_101_RESULTS);
    assert!(full.stdout.contains("Engine: gram"), "{}", full.stdout);

    // With it: the two accuracy lines and nothing else.
    let quiet =
        HW3.success(&[&TINY[..], &["--iterations", "101", "--no-plots", "--quiet"]].concat());
    assert_eq!(quiet.stdout.lines().collect::<Vec<_>>(), TINY_101_RESULTS);
}

#[test]
fn no_plots_writes_nothing_into_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("figures");
    let report = HW3.json(
        &[
            &TINY[..],
            &["--iterations", "1", "--json", "--no-plots", "--out", out.to_str().unwrap()],
        ]
        .concat(),
    );
    assert_eq!(report["figures"], json!([]));
    assert!(report.get("mislabeled_test_pictures").is_none());
    assert_empty_dir(&out);
}

#[test]
fn the_default_network_is_the_notes_deep_model() {
    // No --model, --layers or --preset: the study notes' deep network [12288, 20, 7, 5, 1],
    // W = randn / sqrt(n_prev) after np.random.seed(1). One iteration (the --epochs alias).
    // `python3 numpy-reference/hw3_deep.py --preset notes --model deep --iterations 1 --json`
    // prints DEFAULT_1 below.
    let report = HW3.json(&["--epochs", "1", "--json", "--no-plots"]);
    assert_eq!(report["model"], "deep");
    assert_eq!(report["preset"], "notes");
    assert_eq!(report["layers"], json!([12288, 20, 7, 5, 1]));
    assert_eq!(report["activations"], json!(["relu", "relu", "relu", "sigmoid"]));
    assert_eq!(report["init"], "randn/sqrt(n_prev)");
    assert_eq!((report["seed"].as_u64(), report["num_iterations"].as_u64()), (Some(1), Some(1)));
    assert_eq!(report["learning_rate"], 0.0075);
    assert_all_print_as(&costs(&report), &[DEFAULT_1.0], "first cost");
    assert_eq!(report["train_accuracy"].as_f64(), Some(DEFAULT_1.1));
    assert_eq!(report["test_accuracy"].as_f64(), Some(DEFAULT_1.2));
}

/// (first cost, train accuracy, test accuracy) of one iteration of the default network: `python3
/// numpy-reference/hw3_deep.py --preset notes --model deep --iterations 1 --json`.
const DEFAULT_1: (&str, f64, f64) = ("0.771749", 51.196172248803826, 42.00000000000001);

#[test]
fn the_seed_draws_other_weights() {
    // `python3 numpy-reference/hw3_deep.py --preset notes --model deep --iterations 1 --seed 2
    // --json` prints SEED_2 below (seed 1: DEFAULT_1).
    let run = HW3.run(&["--seed", "2", "--iterations", "1", "--json", "--no-plots"]);
    let report = run.json();
    assert_eq!(report["seed"], 2);
    assert_all_print_as(&costs(&report), &[SEED_2.0], "first cost with seed 2");
    assert_ne!(SEED_2.0, DEFAULT_1.0);
    assert_eq!(report["train_accuracy"].as_f64(), Some(SEED_2.1));
    assert_eq!(report["test_accuracy"].as_f64(), Some(SEED_2.2));
    // The human lines (on stderr under --json) name the seed, no longer as the default.
    assert!(
        run.stderr.lines().any(|l| l
            == "Preset notes: 1 iterations, learning rate 0.0075, W = randn/sqrt(n_prev), b = 0, \
                seed 2"),
        "{}",
        run.stderr
    );
}

/// (first cost, train accuracy, test accuracy) of one iteration of the default network with
/// seed 2: `python3 numpy-reference/hw3_deep.py --preset notes --model deep --iterations 1
/// --seed 2 --json`.
const SEED_2: (&str, f64, f64) = ("0.690929", 61.24401913875598, 38.0);

#[test]
fn data_dir_is_read_instead_of_the_environment() {
    // $DL_COURSE_DATA names an empty folder: without --data-dir the run fails naming it, with
    // --data-dir it reads the real data. `python3 numpy-reference/hw3_deep.py --preset notes
    // --layers 12288,3,1 --iterations 1` prints "Train accuracy: 42.5837320574 %",
    // "Test accuracy: 60 %".
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let args = [&TINY[..], &["--iterations", "1", "--no-plots", "--quiet"]].concat();
    let mut without = HW3.command(&args);
    without.env(linalg_nn::data::DATA_DIR_ENV, &empty);
    let failed = run(without);
    assert_eq!(failed.code, Some(1), "{}", failed.stderr);
    assert!(failed.error_line().contains(empty.to_str().unwrap()), "{}", failed.stderr);

    let real = default_data_dir();
    let mut with = HW3.command(&[&args[..], &["--data-dir", real.to_str().unwrap()]].concat());
    with.env(linalg_nn::data::DATA_DIR_ENV, &empty);
    let read = run(with);
    assert_eq!(read.code, Some(0), "{}", read.stderr);
    assert_eq!(
        read.stdout.lines().collect::<Vec<_>>(),
        ["Train accuracy: 42.5837320574 %", "Test accuracy: 60 %"]
    );
}

#[test]
fn presets_can_be_compared_on_one_chart() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("figures");
    let report = HW3.json(&[
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
    ]);
    assert_eq!(report["preset"], "notes");
    assert_eq!(report["compared_preset"]["preset"], "course");
    // `python3 numpy-reference/hw3_deep.py --model two-layer --layers 12288,2,1 --iterations
    // 200 --preset notes` prints the costs 0.672325, 0.600494; with `--preset course` (W =
    // randn * 0.01) 0.692761, 0.646480.
    assert_all_print_as(&costs(&report), &["0.672325", "0.600494"], "notes preset");
    assert_all_print_as(
        &costs(&report["compared_preset"]),
        &["0.692761", "0.646480"],
        "course preset",
    );
    assert_png(&out_dir.join("two-layer-presets.png"), MIN_FIGURE, MIN_FIGURE);
}

#[test]
fn the_engine_is_chosen_reported_and_gives_the_numpy_run() {
    let run = |engine: &str| {
        HW3.json(
            &[&TINY[..], &["--iterations", "101", "--engine", engine, "--json", "--no-plots"]]
                .concat(),
        )
    };
    let direct = run("direct");
    let gram = run("gram");
    assert_eq!(direct["engine"], "direct");
    assert_eq!(gram["engine"], "gram");
    // `auto` (the default) picks gram for 12288 features and 209 pictures.
    assert_eq!(run("auto")["engine"], "gram");
    for report in [&direct, &gram] {
        assert_all_print_as(&costs(report), &TINY_101_COSTS, "costs");
        assert_eq!(report["train_accuracy"].as_f64(), Some(TINY_101_TRAIN_ACCURACY));
        assert_eq!(report["test_accuracy"].as_f64(), Some(TINY_101_TEST_ACCURACY));
    }
    // The two engines agree beyond the printed precision.
    for (d, g) in costs(&direct).iter().zip(costs(&gram)) {
        assert!((d - g).abs() < 1e-8, "direct {d}, gram {g}");
    }

    // Without --json the engine is a detail line of the run.
    let auto = tiny_human_run();
    assert!(auto.stdout.contains("Engine: gram (X^T X computed once"), "{}", auto.stdout);
    let direct = HW3
        .success(&[&TINY[..], &["--iterations", "1", "--no-plots", "--engine", "direct"]].concat());
    assert!(
        direct.stdout.contains("Engine: direct (the notebook's computation, step for step)"),
        "{}",
        direct.stdout
    );
}

#[test]
fn both_engines_print_the_same_bits_at_every_simd_level() {
    // The vector sigmoid, the byte products and the Gram engine's kernels run with AVX-512,
    // AVX2 or one lane at a time (`DL_COURSE_SIMD`); what a run prints must not change.
    for engine in ["direct", "gram"] {
        let report = HW3.assert_same_at_every_simd_level(
            &[&TINY[..], &["--iterations", "101", "--engine", engine, "--json", "--no-plots"]]
                .concat(),
        );
        assert_all_print_as(
            &[report["costs"][0][1].as_f64().unwrap()],
            &TINY_101_COSTS[..1],
            engine,
        );
    }
    // The default deep network's first cost already goes through the byte products of 20
    // rows of W1 (seven byte digits with VNNI, two float64 halves elsewhere): the same bits.
    let report = HW3.assert_same_at_every_simd_level(&[
        "--iterations",
        "2",
        "--engine",
        "direct",
        "--json",
        "--no-plots",
    ]);
    assert_all_print_as(&[report["costs"][0][1].as_f64().unwrap()], &[DEFAULT_1.0], "direct");
}
