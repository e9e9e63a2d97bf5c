//! Tests of the cat / non-cat loader (`lr_utils.load_dataset` of the week-2 notebook): facts of
//! the real course files, every validation error on small hand-made HDF5 files, and damaged
//! copies of the real training file (truncations and byte flips) giving errors, never panics.
//!
//! The real-data tests read `$DL_COURSE_DATA` or the workspace's `datasets/` folder and FAIL
//! (they do not skip) when the files are missing, naming `cargo xtask fetch-data`.

use hdf5_pure::FileBuilder;
use linalg_nn::atomic::write_bytes_atomic;
use linalg_nn::data::{
    CatDataset, CatSplit, DataError, Split, default_data_dir, load_cat_file, load_dataset,
};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn course_data() -> &'static CatDataset {
    static DATA: OnceLock<CatDataset> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = default_data_dir();
        // The error names the missing file and `cargo xtask fetch-data`.
        load_dataset(&dir)
            .unwrap_or_else(|e| panic!("the real-data tests need the course files: {e}"))
    })
}

fn real_train_bytes() -> Vec<u8> {
    let path = default_data_dir().join("train_catvnoncat.h5");
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!("{}: {e}; run `cargo xtask fetch-data` to download it", path.display())
    })
}

fn pixel_sum(split: &CatSplit) -> u64 {
    split.pixels().iter().map(|&p| u64::from(p)).sum()
}

// Golden values: numpy on the course files (sha256 fbe56ab6... train, 6a9d39ce... test, see
// datasets/README.md) — train_set_y.sum(), train_set_x_orig.sum(), the first entries of
// train_set_x_flatten[:, 0] — cross-checked by summing the raw bytes of the contiguous datasets
// (both start at byte 2144 of their file) with a few lines of Python.

#[test]
fn real_files_have_the_course_shapes() {
    let data = course_data();
    assert_eq!((data.train.m(), data.train.num_px(), data.train.n_x()), (209, 64, 12288));
    assert_eq!((data.test.m(), data.test.num_px()), (50, 64));
    assert_eq!(data.classes, ["non-cat", "cat"]);
    assert_eq!(data.train.y().shape(), (1, 209));
    assert_eq!(data.test.y().shape(), (1, 50));
}

#[test]
fn real_files_count_72_and_33_cats() {
    let data = course_data();
    let cats = |s: &CatSplit| s.labels().iter().filter(|&&l| l == 1).count();
    assert_eq!(cats(&data.train), 72);
    assert_eq!(cats(&data.test), 33);
    assert_eq!(data.train.y().sum(), 72.0);
    assert_eq!(data.train.labels()[176], 0);
    assert_eq!(data.test.labels()[1], 1);
}

#[test]
fn real_pixel_sums_match_numpy() {
    let data = course_data();
    assert_eq!(pixel_sum(&data.train), 264_542_077);
    assert_eq!(pixel_sum(&data.test), 65_969_547);
}

#[test]
fn real_x_is_one_picture_per_column_scaled_by_255() {
    let data = course_data();
    let x = data.train.x();
    assert_eq!(x.shape(), (12288, 209));
    let first: Vec<f64> = (0..5).map(|r| x[(r, 0)] * 255.0).collect();
    for (got, want) in first.iter().zip([17.0, 31.0, 56.0, 22.0, 33.0]) {
        assert!((got - want).abs() < 1e-9, "{first:?}");
    }
    // Column j is picture j in (row, col, channel) order.
    let j = 100;
    let column: Vec<u8> = x.column(j).iter().map(|&v| (v * 255.0).round() as u8).collect();
    assert_eq!(column, data.train.image(j));
    assert!(x.iter().all(|&v| (0.0..=1.0).contains(&v)));
    // The notebook's `/ 255` for every pixel, bit for bit.
    let divided = data.train.pixels().iter().map(|&p| f64::from(p) / 255.0);
    assert!(x.iter().zip(divided).all(|(&v, d)| v.to_bits() == d.to_bits()));
}

// ---- validation on hand-made files ----

const M: u64 = 3;
const PX: u64 = 4;

fn tiny_pixels() -> Vec<u8> {
    (0..M * PX * PX * 3).map(|v| (v * 5 % 256) as u8).collect()
}

fn add_x(fb: &mut FileBuilder, prefix: &str) {
    fb.create_dataset(&format!("{prefix}_set_x"))
        .with_u8_data(&tiny_pixels())
        .with_shape(&[M, PX, PX, 3]);
}

fn add_y(fb: &mut FileBuilder, prefix: &str, labels: &[i64]) {
    fb.create_dataset(&format!("{prefix}_set_y")).with_i64_data(labels);
}

fn add_classes(fb: &mut FileBuilder, classes: &[&str]) {
    fb.create_dataset("list_classes").with_ascii_strings(classes).expect("ascii class names");
}

/// Writes a file built by `build` as `dir/name` and returns its path.
fn write_h5(dir: &Path, name: &str, build: impl FnOnce(&mut FileBuilder)) -> PathBuf {
    let mut fb = FileBuilder::new();
    build(&mut fb);
    let bytes = fb.finish().expect("fixture builds");
    let path = dir.join(name);
    write_bytes_atomic(&path, &bytes).expect("fixture written");
    path
}

fn good_file(dir: &Path, split: Split) -> PathBuf {
    let p = split.prefix();
    write_h5(dir, split.file_name(), |fb| {
        add_x(fb, p);
        add_y(fb, p, &[0, 1, 1]);
        add_classes(fb, &["non-cat", "cat"]);
    })
}

/// Asserts the message names the file (by its final name) and each `parts` string.
fn assert_mentions(err: &DataError, file: &str, parts: &[&str]) {
    let msg = err.to_string();
    assert!(msg.contains(file), "message does not name {file}: {msg}");
    for part in parts {
        assert!(msg.contains(part), "message does not mention {part}: {msg}");
    }
}

#[test]
fn chunked_pixels_are_decoded_to_the_same_split() {
    // h5py's default is one contiguous run, used in place; a chunked (or compressed) dataset
    // goes through hdf5-pure's decoder instead, and must give the same pictures.
    let dir = tempfile::tempdir().unwrap();
    let contiguous = load_cat_file(&good_file(dir.path(), Split::Train), Split::Train).unwrap();
    let chunked_path = write_h5(dir.path(), "chunked.h5", |fb| {
        fb.create_dataset("train_set_x")
            .with_u8_data(&tiny_pixels())
            .with_shape(&[M, PX, PX, 3])
            .with_chunks(&[1, PX, PX, 3]);
        add_y(fb, "train", &[0, 1, 1]);
        add_classes(fb, &["non-cat", "cat"]);
    });
    let chunked = load_cat_file(&chunked_path, Split::Train).unwrap();
    assert_eq!(chunked.pixels(), tiny_pixels());
    assert_eq!(chunked, contiguous);
}

#[test]
fn tiny_file_loads_with_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let split = load_cat_file(&good_file(dir.path(), Split::Train), Split::Train).unwrap();
    assert_eq!((split.m(), split.num_px(), split.n_x()), (3, 4, 48));
    assert_eq!(split.labels(), &[0, 1, 1]);
    assert_eq!(split.pixels(), tiny_pixels());
    assert_eq!(split.image(2), &tiny_pixels()[96..144]);
    let x = split.x();
    assert_eq!(x.shape(), (48, 3));
    assert_eq!(x[(1, 0)], 5.0 / 255.0);
    // Picture 1 starts at byte 48, whose value is 48 * 5 = 240.
    assert_eq!(x[(0, 1)], 240.0 / 255.0);
}

#[test]
fn load_dataset_reads_both_tiny_files() {
    let dir = tempfile::tempdir().unwrap();
    good_file(dir.path(), Split::Train);
    good_file(dir.path(), Split::Test);
    let data = load_dataset(dir.path()).unwrap();
    assert_eq!((data.train.m(), data.test.m()), (3, 3));
    assert_eq!(data.classes, ["non-cat", "cat"]);
}

#[test]
fn missing_file_names_the_fetch_command_and_data_dir_flag() {
    let dir = tempfile::tempdir().unwrap();
    good_file(dir.path(), Split::Train);
    let err = load_dataset(dir.path()).unwrap_err();
    assert!(matches!(err, DataError::Missing { .. }), "{err:?}");
    assert_mentions(&err, "test_catvnoncat.h5", &["cargo xtask fetch-data", "--data-dir"]);
}

#[test]
fn float64_pictures_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let values: Vec<f64> = tiny_pixels().iter().map(|&p| f64::from(p)).collect();
    let path = write_h5(dir.path(), "train_catvnoncat.h5", |fb| {
        fb.create_dataset("train_set_x").with_f64_data(&values).with_shape(&[M, PX, PX, 3]);
        add_y(fb, "train", &[0, 1, 1]);
        add_classes(fb, &["non-cat", "cat"]);
    });
    let err = load_cat_file(&path, Split::Train).unwrap_err();
    assert!(matches!(err, DataError::WrongDtype { .. }), "{err:?}");
    assert!(err.to_string().ends_with(r#"dataset "train_set_x": expected uint8, found float64"#));
    assert_mentions(&err, "train_catvnoncat.h5", &[]);
}

#[test]
fn float_labels_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_h5(dir.path(), "test_catvnoncat.h5", |fb| {
        add_x(fb, "test");
        fb.create_dataset("test_set_y").with_f64_data(&[0.0, 1.0, 1.0]);
        add_classes(fb, &["non-cat", "cat"]);
    });
    let err = load_cat_file(&path, Split::Test).unwrap_err();
    assert!(matches!(err, DataError::WrongDtype { .. }), "{err:?}");
    assert_mentions(&err, "test_catvnoncat.h5", &["\"test_set_y\"", "int64", "float64"]);
}

#[test]
fn missing_labels_name_the_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_h5(dir.path(), "train_catvnoncat.h5", |fb| {
        add_x(fb, "train");
        add_classes(fb, &["non-cat", "cat"]);
    });
    let err = load_cat_file(&path, Split::Train).unwrap_err();
    assert!(
        matches!(&err, DataError::MissingDataset { dataset, .. } if dataset == "train_set_y"),
        "{err:?}"
    );
    assert_mentions(&err, "train_catvnoncat.h5", &["\"train_set_y\" not found"]);
}

#[test]
fn a_test_file_is_not_a_training_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = good_file(dir.path(), Split::Test);
    let err = load_cat_file(&path, Split::Train).unwrap_err();
    assert!(matches!(err, DataError::MissingDataset { .. }), "{err:?}");
    assert_mentions(&err, "test_catvnoncat.h5", &["\"train_set_x\""]);
}

#[test]
fn label_2_is_reported_with_index_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_h5(dir.path(), "train_catvnoncat.h5", |fb| {
        add_x(fb, "train");
        add_y(fb, "train", &[0, 2, 1]);
        add_classes(fb, &["non-cat", "cat"]);
    });
    let err = load_cat_file(&path, Split::Train).unwrap_err();
    assert!(matches!(err, DataError::BadLabel { index: 1, value: 2, .. }), "{err:?}");
    assert_mentions(&err, "train_catvnoncat.h5", &["\"train_set_y\"", "index 1 is 2"]);
}

#[test]
fn negative_label_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_h5(dir.path(), "train_catvnoncat.h5", |fb| {
        add_x(fb, "train");
        add_y(fb, "train", &[0, 1, -1]);
        add_classes(fb, &["non-cat", "cat"]);
    });
    let err = load_cat_file(&path, Split::Train).unwrap_err();
    assert!(matches!(err, DataError::BadLabel { index: 2, value: -1, .. }), "{err:?}");
}

#[test]
fn rank_3_pictures_are_refused_with_both_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let pixels: Vec<u8> = tiny_pixels()[..(M * PX * PX) as usize].to_vec();
    let path = write_h5(dir.path(), "train_catvnoncat.h5", |fb| {
        fb.create_dataset("train_set_x").with_u8_data(&pixels).with_shape(&[M, PX, PX]);
        add_y(fb, "train", &[0, 1, 1]);
        add_classes(fb, &["non-cat", "cat"]);
    });
    let err = load_cat_file(&path, Split::Train).unwrap_err();
    assert!(matches!(&err, DataError::WrongShape { found, .. } if found == &[3, 4, 4]), "{err:?}");
    assert_mentions(&err, "train_catvnoncat.h5", &["\"train_set_x\"", "found (3, 4, 4)", "3)"]);
}

#[test]
fn non_square_pictures_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pixels = vec![7u8; 3 * 4 * 5 * 3];
    let path = write_h5(dir.path(), "train_catvnoncat.h5", |fb| {
        fb.create_dataset("train_set_x").with_u8_data(&pixels).with_shape(&[3, 4, 5, 3]);
        add_y(fb, "train", &[0, 1, 1]);
        add_classes(fb, &["non-cat", "cat"]);
    });
    let err = load_cat_file(&path, Split::Train).unwrap_err();
    assert!(matches!(err, DataError::WrongShape { .. }), "{err:?}");
    assert_mentions(&err, "train_catvnoncat.h5", &["found (3, 4, 5, 3)"]);
}

#[test]
fn two_labels_for_three_pictures_is_inconsistent() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_h5(dir.path(), "train_catvnoncat.h5", |fb| {
        add_x(fb, "train");
        add_y(fb, "train", &[0, 1]);
        add_classes(fb, &["non-cat", "cat"]);
    });
    let err = load_cat_file(&path, Split::Train).unwrap_err();
    assert!(matches!(err, DataError::Inconsistent { .. }), "{err:?}");
    assert_mentions(
        &err,
        "train_catvnoncat.h5",
        &["\"train_set_x\" has 3", "\"train_set_y\" has 2"],
    );
}

#[test]
fn labels_of_rank_2_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_h5(dir.path(), "train_catvnoncat.h5", |fb| {
        add_x(fb, "train");
        fb.create_dataset("train_set_y").with_i64_data(&[0, 1, 1]).with_shape(&[1, 3]);
        add_classes(fb, &["non-cat", "cat"]);
    });
    let err = load_cat_file(&path, Split::Train).unwrap_err();
    assert!(matches!(err, DataError::WrongShape { .. }), "{err:?}");
    assert_mentions(&err, "train_catvnoncat.h5", &["\"train_set_y\"", "(3,)", "found (1, 3)"]);
}

#[test]
fn wrong_or_missing_class_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_h5(dir.path(), "train_catvnoncat.h5", |fb| {
        add_x(fb, "train");
        add_y(fb, "train", &[0, 1, 1]);
        add_classes(fb, &["cat", "non-cat"]);
    });
    let err = load_cat_file(&path, Split::Train).unwrap_err();
    assert!(matches!(err, DataError::WrongClasses { .. }), "{err:?}");
    assert_mentions(&err, "train_catvnoncat.h5", &["\"list_classes\"", r#"["cat", "non-cat"]"#]);

    let path = write_h5(dir.path(), "test_catvnoncat.h5", |fb| {
        add_x(fb, "test");
        add_y(fb, "test", &[0, 1, 1]);
    });
    let err = load_cat_file(&path, Split::Test).unwrap_err();
    assert!(matches!(err, DataError::MissingDataset { .. }), "{err:?}");
    assert_mentions(&err, "test_catvnoncat.h5", &["\"list_classes\""]);

    let path = write_h5(dir.path(), "three.h5", |fb| {
        add_x(fb, "test");
        add_y(fb, "test", &[0, 1, 1]);
        add_classes(fb, &["non-cat", "cat", "dog"]);
    });
    let err = load_cat_file(&path, Split::Test).unwrap_err();
    assert!(matches!(err, DataError::WrongShape { .. }), "{err:?}");
    assert_mentions(&err, "three.h5", &["\"list_classes\"", "found (3,)"]);
}

#[test]
fn different_picture_sizes_between_splits_are_inconsistent() {
    let dir = tempfile::tempdir().unwrap();
    good_file(dir.path(), Split::Train);
    write_h5(dir.path(), "test_catvnoncat.h5", |fb| {
        fb.create_dataset("test_set_x").with_u8_data(&[1; 2 * 2 * 2 * 3]).with_shape(&[2, 2, 2, 3]);
        add_y(fb, "test", &[1, 0]);
        add_classes(fb, &["non-cat", "cat"]);
    });
    let err = load_dataset(dir.path()).unwrap_err();
    assert!(matches!(err, DataError::Inconsistent { .. }), "{err:?}");
    assert_mentions(&err, "test_catvnoncat.h5", &["2x2", "4x4"]);
}

#[test]
fn empty_text_and_directory_paths_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.h5");
    write_bytes_atomic(&empty, b"").unwrap();
    let err = load_cat_file(&empty, Split::Train).unwrap_err();
    assert!(matches!(err, DataError::NotHdf5 { .. }), "{err:?}");
    assert_mentions(&err, "empty.h5", &["not a valid HDF5 file"]);

    let text = dir.path().join("notes.h5");
    write_bytes_atomic(&text, b"train_set_x,train_set_y\n1,2\n".repeat(100).as_slice()).unwrap();
    let err = load_cat_file(&text, Split::Train).unwrap_err();
    assert!(matches!(err, DataError::NotHdf5 { .. }), "{err:?}");
    assert_mentions(&err, "notes.h5", &["not a valid HDF5 file"]);

    let folder = dir.path().join("train_catvnoncat.h5");
    std::fs::create_dir(&folder).unwrap();
    let err = load_cat_file(&folder, Split::Train).unwrap_err();
    assert!(matches!(err, DataError::Io { .. }), "{err:?}");
    assert_mentions(&err, "train_catvnoncat.h5", &["directory"]);
}

#[test]
fn first_half_of_the_real_training_file_is_refused() {
    let bytes = real_train_bytes();
    let half = bytes[..bytes.len() / 2].to_vec();
    let err = CatSplit::from_bytes(Path::new("half_train.h5"), half, Split::Train).unwrap_err();
    // The metadata sits in the first 2 KiB, so this parses and then fails on the data read.
    assert!(matches!(err, DataError::Corrupt { .. } | DataError::NotHdf5 { .. }), "{err:?}");
    assert_mentions(&err, "half_train.h5", &[]);
    let msg = err.to_string();
    assert!(msg.contains("train_set_x") || msg.contains("list_classes"), "names no dataset: {msg}");
}

// ---- damaged copies of the real file ----

/// Checks an outcome of parsing damaged bytes: an error, or a split whose sizes agree.
fn assert_consistent(outcome: &Result<CatSplit, DataError>) -> bool {
    match outcome {
        Ok(split) => {
            assert!(split.m() >= 1 && split.num_px() >= 1);
            assert_eq!(split.pixels().len(), split.m() * split.n_x());
            assert_eq!(split.labels().len(), split.m());
            assert!(split.labels().iter().all(|&l| l <= 1));
            true
        }
        Err(err) => {
            assert!(err.to_string().contains("damaged.h5"), "{err}");
            false
        }
    }
}

#[test]
fn every_sixteenth_truncation_is_an_error() {
    let bytes = real_train_bytes();
    for k in 0..16 {
        let cut = bytes.len() * k / 16;
        let outcome =
            CatSplit::from_bytes(Path::new("damaged.h5"), bytes[..cut].to_vec(), Split::Train);
        assert!(!assert_consistent(&outcome), "truncated at {cut} of {} loaded", bytes.len());
    }
    // One byte short: the class names at the very end are cut.
    let outcome = CatSplit::from_bytes(
        Path::new("damaged.h5"),
        bytes[..bytes.len() - 1].to_vec(),
        Split::Train,
    );
    assert!(!assert_consistent(&outcome));
}

#[test]
fn random_byte_flips_give_errors_or_consistent_splits() {
    let original = real_train_bytes();
    let len = original.len();
    // Knuth's MMIX LCG with a fixed seed: reproducible without a dependency.
    let mut state: u64 = 0x5eed_ca75;
    let mut next = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    let (mut loaded, mut refused) = (0, 0);
    for i in 0..200 {
        // A third each in the metadata at the start, the class names and heap at the end,
        // and anywhere (mostly pixels).
        let position = match i % 3 {
            0 => next() % 4096,
            1 => len - 1 - next() % 4096,
            _ => next() % len,
        };
        let mut bytes = original.clone();
        bytes[position] ^= 1 + (next() % 255) as u8;
        let outcome = CatSplit::from_bytes(Path::new("damaged.h5"), bytes, Split::Train);
        if assert_consistent(&outcome) {
            loaded += 1;
        } else {
            refused += 1;
        }
    }
    assert_eq!(loaded + refused, 200);
    assert!(refused > 0, "no flip in the metadata was detected");
    assert!(loaded > 0, "flips in pixel data should still load");
}
