//! `course-tools` as `cargo xtask` runs it: `export-cat` writes the benchmark's copies of the
//! cat data and prints the number of training examples; `figures` reports every file it wrote;
//! usage errors and missing data are clear errors. Needs the cat data (`DL_COURSE_DATA`).

use linalg_nn::data::cat::{TEST_FILE, TRAIN_FILE};
use linalg_nn::data::{default_data_dir, load_dataset};
use test_support::cli::Binary;

const TOOL: Binary =
    Binary { path: env!("CARGO_BIN_EXE_course-tools"), name: "course-tools", reads_data: true };

fn data_dir() -> String {
    default_data_dir().display().to_string()
}

#[test]
fn export_cat_h5_tiles_the_training_set_and_copies_the_test_file() {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("tile-3");
    let to_arg = to.display().to_string();
    let args = ["export-cat", "--data-dir", &data_dir(), "--to", &to_arg, "--format", "h5"];
    let run = TOOL.success(&[&args[..], &["--tile", "3"]].concat());
    // The course's training set has 209 pictures (notebook 1, section 2: m_train = 209).
    assert_eq!(run.stdout, "627\n");
    let tiled = load_dataset(&to).unwrap();
    let original = load_dataset(&default_data_dir()).unwrap();
    assert_eq!(tiled.train.m(), 3 * original.train.m());
    assert_eq!(tiled.train.pixels(), original.train.pixels().repeat(3).as_slice());
    assert_eq!(tiled.train.labels(), original.train.labels().repeat(3).as_slice());
    assert_eq!(
        std::fs::read(to.join(TEST_FILE)).unwrap(),
        std::fs::read(default_data_dir().join(TEST_FILE)).unwrap()
    );
}

#[test]
fn export_cat_npy_writes_the_four_arrays_of_the_numpy_reference() {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().display().to_string();
    let run =
        TOOL.success(&["export-cat", "--data-dir", &data_dir(), "--to", &to, "--format", "npy"]);
    assert_eq!(run.stdout, "209\n");
    let original = load_dataset(&default_data_dir()).unwrap();
    // Each file is a 64-byte-aligned header and the raw array: uint8 pixels, int64 labels.
    for (name, payload) in [
        ("train_set_x.npy", original.train.pixels().len()),
        ("train_set_y.npy", 8 * original.train.m()),
        ("test_set_x.npy", original.test.pixels().len()),
        ("test_set_y.npy", 8 * original.test.m()),
    ] {
        let bytes = std::fs::read(dir.path().join(name)).unwrap();
        let header_len = usize::from(u16::from_le_bytes([bytes[8], bytes[9]]));
        assert_eq!(bytes.len(), 10 + header_len + payload, "{name}");
    }
}

#[test]
fn missing_data_and_bad_arguments_are_clear_errors_that_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("out");
    let to_arg = to.display().to_string();
    let missing = dir.path().join("no-data").display().to_string();
    let run = TOOL.run(&["export-cat", "--data-dir", &missing, "--to", &to_arg, "--format", "h5"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.error_line().contains("no-data"), "{}", run.stderr);
    assert!(run.stderr.contains(TRAIN_FILE), "{}", run.stderr);
    assert!(!to.exists());

    let data = data_dir();
    let base = ["export-cat", "--data-dir", &data, "--to", &to_arg];
    TOOL.assert_usage_error(&[&base[..], &["--format", "csv"]].concat(), &["csv", "npy", "h5"]);
    TOOL.assert_usage_error(&base, &["--format"]);
    let run = TOOL.run(&[&base[..], &["--format", "npy", "--tile", "0"]].concat());
    assert_eq!(run.code, Some(1));
    assert_eq!(run.error_line(), "error: --tile must be at least 1");
    assert!(!to.exists());
    TOOL.assert_usage_error(&["figures", "--data-dir", &data], &["--out"]);
}
