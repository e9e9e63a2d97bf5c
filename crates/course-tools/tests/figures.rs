//! `cargo xtask plots --quick` (`course_tools::figures::run` with `Budget::QUICK`) into temporary folders:
//! every figure is written, logged, and decodes as a PNG or SVG of the expected size;
//! `results.md` holds the run's numbers; two runs give byte-identical files; missing data is an
//! error that names `cargo xtask fetch-data`. And one full run (`cargo xtask plots`) gives the
//! committed `docs/figures/results.md`. Needs the cat data (`DL_COURSE_DATA`).

use course_tools::figures::{Budget, PlotOptions, RESULTS_FILE, run};
use linalg_nn::plot::{CHART_SIZE, PANEL_SIZE};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tempfile::TempDir;

/// One quick run: its folder, the files it reported and its log.
struct QuickRun {
    dir: TempDir,
    written: Vec<PathBuf>,
    log: Vec<String>,
}

fn quick_run() -> QuickRun {
    let dir = tempfile::tempdir().unwrap();
    let options = PlotOptions {
        out_dir: dir.path().join("figures"),
        data_dir: linalg_nn::data::default_data_dir(),
        budget: Budget::QUICK,
    };
    let mut log = Vec::new();
    let written = run(&options, &mut |line| log.push(line.to_owned()))
        .unwrap_or_else(|err| panic!("cargo xtask plots --quick failed: {err:#}"));
    QuickRun { dir, written, log }
}

/// The run shared by the tests that only read its output.
fn first_run() -> &'static QuickRun {
    static RUN: OnceLock<QuickRun> = OnceLock::new();
    RUN.get_or_init(quick_run)
}

/// Every file under `root`, by path relative to it, with its bytes.
fn files_under(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path.strip_prefix(root).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}

/// The figures the docs link to, relative to the output folder, with the pixel size of each PNG
/// whose size does not depend on text (`None` for picture grids, whose size follows the titles).
fn expected_pngs() -> Vec<(&'static str, Option<(u32, u32)>)> {
    let chart = Some(CHART_SIZE);
    let panels = |columns: u32, rows: u32| Some((columns * PANEL_SIZE.0, rows * PANEL_SIZE.1));
    vec![
        ("02-basics/train_sample.png", None),
        ("02-basics/samples.png", None),
        ("02-basics/cost_curve.png", chart),
        ("02-basics/test_prediction.png", None),
        ("02-basics/learning_rates.png", chart),
        ("03-shallow/activation-sigmoid.png", chart),
        ("03-shallow/activation-tanh.png", chart),
        ("03-shallow/activation-relu.png", chart),
        ("03-shallow/activation-leaky-relu.png", chart),
        ("03-shallow/flower.png", chart),
        ("03-shallow/flower-boundary.png", chart),
        ("03-shallow/flower-cost.png", chart),
        ("03-shallow/flower-logistic-regression.png", chart),
        // Seven hidden sizes, four per row.
        ("03-shallow/flower-sweep.png", panels(4, 2)),
        // The notes' settings with each of the four hidden activations, side by side.
        ("03-shallow/flower-activations.png", panels(4, 1)),
        // Random against zero initialisation.
        ("03-shallow/zero-init.png", panels(2, 1)),
        // Five other data sets, three per row.
        ("03-shallow/datasets.png", panels(3, 2)),
        // The network diagrams of the structure section.
        ("04-deep/network-logistic.png", chart),
        ("04-deep/network-1-hidden.png", chart),
        ("04-deep/network-2-hidden.png", chart),
        ("04-deep/network-5-hidden.png", chart),
        ("04-deep/two-layer-cost.png", chart),
        ("04-deep/deep-cost.png", chart),
        ("04-deep/deep-mislabeled.png", None),
        ("04-deep/hyperparameters.png", chart),
        ("06-practical/circles.png", chart),
        // Zeros, random and He side by side.
        ("06-practical/init-boundaries.png", panels(3, 1)),
        ("06-practical/init-costs.png", chart),
        ("06-practical/football.png", chart),
        // No regularisation, L2 and dropout side by side.
        ("06-practical/reg-boundaries.png", panels(3, 1)),
        ("06-practical/reg-costs.png", chart),
        // The gradient check's buggy and fixed |grad - gradapprox|.
        ("06-practical/gradient-gaps.png", chart),
        ("07-optimization/moons.png", chart),
        ("07-optimization/boundary-gd.png", chart),
        ("07-optimization/boundary-momentum.png", chart),
        ("07-optimization/boundary-adam.png", chart),
        ("07-optimization/boundary-gd-update.png", chart),
        ("07-optimization/boundary-gd-schedule.png", chart),
        ("07-optimization/boundary-momentum-schedule.png", chart),
        ("07-optimization/boundary-adam-schedule.png", chart),
        ("07-optimization/costs-compared.png", chart),
        ("07-optimization/costs-decay.png", chart),
    ]
}

const EXPECTED_SVGS: [&str; 15] = [
    "02-basics/cost_curve.svg",
    "02-basics/learning_rates.svg",
    "03-shallow/activation-sigmoid.svg",
    "03-shallow/activation-tanh.svg",
    "03-shallow/activation-relu.svg",
    "03-shallow/activation-leaky-relu.svg",
    "03-shallow/flower-cost.svg",
    "04-deep/two-layer-cost.svg",
    "04-deep/deep-cost.svg",
    "04-deep/hyperparameters.svg",
    "06-practical/init-costs.svg",
    "06-practical/reg-costs.svg",
    "06-practical/gradient-gaps.svg",
    "07-optimization/costs-compared.svg",
    "07-optimization/costs-decay.svg",
];

#[test]
fn writes_exactly_the_expected_files_and_logs_each_one() {
    let run = first_run();
    let root = run.dir.path().join("figures");
    let mut expected: Vec<PathBuf> = expected_pngs()
        .iter()
        .map(|(name, _)| PathBuf::from(name))
        .chain(EXPECTED_SVGS.iter().map(PathBuf::from))
        .chain([PathBuf::from(RESULTS_FILE)])
        .collect();
    expected.sort();
    let on_disk: Vec<PathBuf> = files_under(&root).into_keys().collect();
    assert_eq!(on_disk, expected, "no other file (no leftover temporary file either)");

    let mut reported: Vec<PathBuf> =
        run.written.iter().map(|p| p.strip_prefix(&root).unwrap().to_path_buf()).collect();
    reported.sort();
    assert_eq!(reported, expected);
    for path in &run.written {
        let line = format!("wrote {}", path.display());
        assert!(run.log.contains(&line), "the log lacks {line:?}: {:?}", run.log);
    }
}

#[test]
fn pngs_decode_with_the_expected_sizes() {
    let root = first_run().dir.path().join("figures");
    for (name, size) in expected_pngs() {
        let path = root.join(name);
        let bytes = std::fs::read(&path).unwrap();
        let format = image::guess_format(&bytes).unwrap();
        assert_eq!(format, image::ImageFormat::Png, "{name}");
        let picture = image::load_from_memory(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let found = (picture.width(), picture.height());
        match size {
            Some(expected) => assert_eq!(found, expected, "{name}"),
            // Picture grids: at least one 64x64 picture, upscaled.
            None => assert!(found.0 >= 128 && found.1 >= 128, "{name}: {found:?}"),
        }
    }
    // The sample grid shows ten pictures upscaled twice, five per row.
    let samples = image::open(root.join("02-basics/samples.png")).unwrap();
    assert!(samples.width() >= 5 * 128 && samples.height() >= 2 * 128);
}

#[test]
fn svgs_are_complete_documents_of_chart_size() {
    let root = first_run().dir.path().join("figures");
    for name in EXPECTED_SVGS {
        let text = std::fs::read_to_string(root.join(name)).unwrap();
        let (width, height) = CHART_SIZE;
        let opening = format!("<svg width=\"{width}\" height=\"{height}\"");
        assert!(text.starts_with(&opening), "{name}: {}", &text[..text.len().min(80)]);
        assert!(text.trim_end().ends_with("</svg>"), "{name} is truncated");
        assert_eq!(text.matches("<text").count(), text.matches("</text>").count(), "{name}");
    }
}

#[test]
fn results_file_holds_the_numbers_of_the_run() {
    let root = first_run().dir.path().join("figures");
    let results = std::fs::read_to_string(root.join(RESULTS_FILE)).unwrap();
    assert!(results.contains("(quick budget)"), "{results}");
    // hw1: the notebook's first costs, "Cost after iteration 0: 0.693147" and
    // "Cost after iteration 100: 0.584508" (course notebook, section 5).
    assert!(results.contains("- costs: 0: 0.693147, 100: 0.584508\n"), "{results}");
    // hw2: "Cost after iteration 0: 0.693048" (course notebook, 4.4); the baseline's 47 % is
    // reached within the quick 100 iterations.
    assert!(results.contains("- costs: 0: 0.693048\n"), "{results}");
    assert!(results.contains("): 47 %\n"), "{results}");
    // The notes' activation comparison: one row per hidden activation, in this order.
    let table = "| hidden activation | accuracy |\n|---|---|\n| sigmoid | ";
    let start = results.find(table).unwrap_or_else(|| panic!("no activation table: {results}"));
    let rows: Vec<&str> =
        results[start..].lines().skip(2).take_while(|l| l.starts_with('|')).collect();
    let names: Vec<&str> = rows.iter().map(|row| row.split('|').nth(1).unwrap().trim()).collect();
    assert_eq!(names, ["sigmoid", "tanh", "relu", "leaky-relu"], "{results}");
    assert!(results.contains("one run per hidden activation: n_h = 4, 100 iterations at learning rate 0.5, seed 2, W1 = randn * 0.01, W2 = randn * 1:"), "{results}");
    // The sweep lists every hidden size of the notebook, in order.
    for units in [1, 2, 3, 4, 5, 20, 50] {
        assert!(results.contains(&format!("\n| {units} | ")), "size {units}: {results}");
    }
    // Zero initialisation: tanh units on the flower never leave zero, and sigmoid units on the
    // cat pictures move (|W1| > 0) but stay identical (spread 0).
    assert!(
        results.contains("| flower (hw2-planar) | W = 0 | tanh | 200, 1.2 | 50 % | — | 0 | 0 |"),
        "{results}"
    );
    let cat_zero = results
        .lines()
        .find(|l| l.starts_with("| cat pictures (hw3-deep) | W = 0 | sigmoid |"))
        .unwrap();
    let cells: Vec<&str> = cat_zero.split('|').map(str::trim).collect();
    // Cells: "", data, initial weights, units, iterations, train, test, spread, largest |W1|, "".
    assert_eq!(cells[7], "0", "{cat_zero}");
    assert!(cells[8].parse::<f64>().unwrap() > 0.0, "{cat_zero}");
    let cat_random = results
        .lines()
        .find(|l| l.starts_with("| cat pictures (hw3-deep) | W = randn * 0.01 | sigmoid |"))
        .unwrap();
    let cells: Vec<&str> = cat_random.split('|').map(str::trim).collect();
    assert!(cells[7].parse::<f64>().unwrap() > 0.0, "{cat_random}");
    // hw3: the course's first costs, 0.693050 (two-layer) and 0.771749 (deep), application
    // notebook's expected output.
    assert!(results.contains("`two-layer` model, preset course (101 iterations at learning rate 0.0075, W = randn*0.01, seed 1):\n\n- costs: 0: 0.693050, 100: "), "{results}");
    assert!(results.contains("`deep` model, preset course (101 iterations at learning rate 0.0075, W = randn/sqrt(n_prev), seed 1):\n\n- costs: 0: 0.771749, 100: "), "{results}");
    // hw4 after 1001 iterations: "Cost after iteration 0: 0.693147" (zeros), "inf" (random),
    // "0.883054" (He), then `hw4_initialization.py --init NAME --iterations 1001` at 1000.
    assert!(results.contains("| zeros | 0: 0.693147, 1000: 0.693147 | 0.5 | 0.5 |"), "{results}");
    assert!(results.contains("| random | 0: inf, 1000: 0.62"), "{results}");
    assert!(results.contains("| he | 0: 0.883054, 1000: 0.687983 |"), "{results}");
    // hw5 after 1001 iterations, the cost at 0 only (printed every 10000): the notebook's
    // "Cost after iteration 0: 0.6557412523481002" (none), "0.6974484493131264" (L2),
    // "0.6543912405149825" (dropout, and fresh masks, whose first masks are the notebook's).
    assert!(results.contains("| no regularization | 0: 0.655741 |"), "{results}");
    assert!(results.contains("| L2, lambd = 0.7 | 0: 0.697448 |"), "{results}");
    assert!(results.contains("| dropout, keep_prob = 0.86 | 0: 0.654391 |"), "{results}");
    assert!(results.contains("| dropout, fresh masks | 0: 0.654391 |"), "{results}");
    // hw7 after 1001 epochs: the notebook's Expected Output at epochs 0 and 1000 (Adam:
    // "Cost after epoch 0: 0.702166", "Cost after epoch 1000: 0.167845").
    assert!(
        results.contains("| adam | none | 0.0007 | 0: 0.702166, 1000: 0.167845 | — |"),
        "{results}"
    );
    assert!(results.contains("| gd | schedule_lr_decay | 0.1 | 0: 0.701091, 1000: 0.127161 | 0: 0.100000, 1000: 0.050000 |"), "{results}");
    // One study row per depth, one cell per learning rate.
    let study_rows = results.lines().filter(|l| l.starts_with("| [12288")).count();
    assert_eq!(study_rows, course_tools::figures::STUDY_HIDDEN.len(), "{results}");
}

#[test]
fn full_run_reproduces_the_committed_results_file() {
    // `cargo xtask plots` with the full budget, as docs/figures was made: every line of the
    // committed results.md (which the chapters quote) comes out again, the runs at the edge of
    // stability included, at whatever instruction-set level the tests run (CI runs them at each).
    let dir = tempfile::tempdir().unwrap();
    let options = PlotOptions {
        out_dir: dir.path().join("figures"),
        data_dir: linalg_nn::data::default_data_dir(),
        budget: Budget::FULL,
    };
    run(&options, &mut |_| {}).unwrap_or_else(|err| panic!("cargo xtask plots failed: {err:#}"));
    let generated = std::fs::read_to_string(options.out_dir.join(RESULTS_FILE)).unwrap();
    let committed_path = linalg_nn::data::workspace_dir().join("docs/figures").join(RESULTS_FILE);
    let committed = std::fs::read_to_string(&committed_path).unwrap();
    assert!(generated.contains(course_tools::figures::EDGE_OF_STABILITY_SYMMETRY));
    assert!(generated.contains(course_tools::figures::EDGE_OF_STABILITY_STUDY));
    let (generated, committed): (Vec<&str>, Vec<&str>) =
        (generated.lines().collect(), committed.lines().collect());
    assert_eq!(generated.len(), committed.len(), "{} has another shape", committed_path.display());
    for (k, (new, old)) in generated.iter().zip(&committed).enumerate() {
        assert_eq!(new, old, "line {} of {}", k + 1, committed_path.display());
    }
}

#[test]
fn two_runs_write_byte_identical_files() {
    let second = quick_run();
    let first = files_under(&first_run().dir.path().join("figures"));
    let second = files_under(&second.dir.path().join("figures"));
    assert_eq!(first.keys().collect::<Vec<_>>(), second.keys().collect::<Vec<_>>());
    for (name, bytes) in &first {
        assert!(bytes == &second[name], "{} differs between two runs", name.display());
    }
}

#[test]
fn missing_data_is_an_error_that_names_fetch_data_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let options = PlotOptions {
        out_dir: dir.path().join("figures"),
        data_dir: dir.path().join("no-data"),
        budget: Budget::QUICK,
    };
    let err = run(&options, &mut |_| {}).unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains("no-data"), "{message}");
    assert!(message.contains("train_catvnoncat.h5"), "{message}");
    assert!(message.contains("cargo xtask fetch-data"), "{message}");
    assert!(!dir.path().join("figures").exists());
}
