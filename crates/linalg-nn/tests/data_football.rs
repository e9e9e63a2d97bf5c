//! Tests of the MAT-file reader and the regularisation notebook's loader
//! (`reg_utils.load_2D_dataset`): facts of the real course file, every validation error on small
//! hand-made MAT-files, and damaged copies of the real file (truncated, wrong magic, bad zlib)
//! giving clear errors, never panics.
//!
//! The real-data tests read `$DL_COURSE_DATA` or the workspace's `datasets/` folder and FAIL
//! (they do not skip) when the file is missing, naming `cargo xtask fetch-data`.

use linalg_nn::data::football::{FOOTBALL_FILE, load_2d_dataset, load_football_file};
use linalg_nn::data::mat::{MatClass, parse_mat, read_mat_file};
use linalg_nn::data::{DataError, default_data_dir};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use test_support::cli::assert_contains_all;

fn real_path() -> PathBuf {
    default_data_dir().join(FOOTBALL_FILE)
}

fn real_bytes() -> Vec<u8> {
    let path = real_path();
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!("{}: {e}; run `cargo xtask fetch-data` to download it", path.display())
    })
}

/// Asserts the message names the file and each of `parts`.
fn assert_mentions(err: &DataError, file: &str, parts: &[&str]) {
    assert_contains_all(&err.to_string(), &[&[file], parts].concat());
}

#[test]
fn real_file_is_the_courses_data_mat() {
    // datasets/manifest.txt: 6038 bytes, sha256 1218828095bf...
    let bytes = real_bytes();
    assert_eq!(bytes.len(), 6038);
    let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(digest, "1218828095bf91d215622d00b2a5b8784c359e29d9d9c5734949b8e60c5bc231");
}

#[test]
fn real_file_has_the_four_variables_scipy_reads() {
    // scipy.io.loadmat: X (211, 2) float64, y (211, 1) uint8, yval (200, 1) uint8,
    // Xval (200, 2) float64, in that file order; MATLAB's class is double for all four.
    let variables = read_mat_file(&real_path()).unwrap();
    let summary: Vec<(&str, Vec<usize>, MatClass, MatClass)> =
        variables.iter().map(|v| (v.name.as_str(), v.dims.clone(), v.class, v.stored)).collect();
    use MatClass::{Float64, Uint8};
    assert_eq!(
        summary,
        vec![
            ("X", vec![211, 2], Float64, Float64),
            ("y", vec![211, 1], Float64, Uint8),
            ("yval", vec![200, 1], Float64, Uint8),
            ("Xval", vec![200, 2], Float64, Float64),
        ]
    );
}

#[test]
fn real_data_is_one_example_per_column_with_scipys_values() {
    // Golden values: scipy.io.loadmat of the course file, every digit (repr): X[0] = [-0.158986,
    // 0.423977], X[210] = [-0.153111, 0.184503], Xval[0] = [-0.3530623458334412,
    // -0.6739018129665528], Xval[199] = [-0.31689908531098365, -0.42941272913886863]; y.sum() = 106, yval.sum() = 87; the first labels
    // y[:10] = 1 (all), yval[:10] = [0 1 0 0 0 0 0 1 1 1].
    let data = load_2d_dataset(&default_data_dir()).unwrap();
    let (train, test) = (&data.train, &data.test);
    assert_eq!((train.x.shape(), train.y.shape()), ((2, 211), (1, 211)));
    assert_eq!((test.x.shape(), test.y.shape()), ((2, 200), (1, 200)));
    assert_eq!([train.x[(0, 0)], train.x[(1, 0)]], [-0.158986, 0.423977]);
    assert_eq!([train.x[(0, 210)], train.x[(1, 210)]], [-0.153111, 0.184503]);
    assert_eq!([test.x[(0, 0)], test.x[(1, 0)]], [-0.3530623458334412, -0.6739018129665528]);
    assert_eq!([test.x[(0, 199)], test.x[(1, 199)]], [-0.31689908531098365, -0.42941272913886863]);
    assert_eq!((train.y.sum(), test.y.sum()), (106.0, 87.0));
    assert!(train.y.columns(0, 10).iter().all(|&v| v == 1.0));
    let first: Vec<f64> = test.y.columns(0, 10).iter().copied().collect();
    assert_eq!(first, [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
}

#[test]
fn missing_file_names_the_fetch_command() {
    let empty = tempfile::tempdir().unwrap();
    let err = load_2d_dataset(empty.path()).unwrap_err();
    assert!(matches!(err, DataError::Missing { .. }), "{err:?}");
    assert_mentions(&err, FOOTBALL_FILE, &["cargo xtask fetch-data", "--data-dir"]);
}

#[test]
fn truncated_copies_are_refused_at_every_length() {
    let bytes = real_bytes();
    let path = Path::new("cut.mat");
    for len in [0, 10, 127, 130, 136, 1000, 2711, 2720, 6037] {
        let err = parse_mat(path, &bytes[..len]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("cut.mat: "), "{len}: {msg}");
        assert!(
            matches!(err, DataError::NotMat { .. } | DataError::Corrupt { .. }),
            "{len}: {err:?}"
        );
    }
    let msg = parse_mat(path, &bytes[..1000]).unwrap_err().to_string();
    assert!(
        msg.contains("variable 1 (at byte 128)") && msg.contains("declares 2576 bytes"),
        "{msg}"
    );
    // Cut between variables, the file is a shorter MAT-file; the loader names what is missing.
    let dir = tempfile::tempdir().unwrap();
    for (len, missing) in [(128, "\"X\" not found"), (2712, "\"y\" not found")] {
        let cut = dir.path().join(FOOTBALL_FILE);
        std::fs::write(&cut, &bytes[..len]).unwrap();
        let err = load_football_file(&cut).unwrap_err();
        assert_mentions(&err, FOOTBALL_FILE, &[missing]);
    }
}

#[test]
fn wrong_magic_and_byte_order_are_refused() {
    let mut bytes = real_bytes();
    bytes[..6].copy_from_slice(b"HDF5\r\n");
    let err = parse_mat(Path::new("x.mat"), &bytes).unwrap_err();
    assert_mentions(&err, "x.mat", &["not a valid MATLAB level-5 MAT-file", "MATLAB 5.0 MAT-file"]);
    let mut bytes = real_bytes();
    bytes[126..128].copy_from_slice(b"MI");
    let err = parse_mat(Path::new("x.mat"), &bytes).unwrap_err();
    assert_mentions(&err, "x.mat", &["big-endian"]);
}

#[test]
fn a_damaged_zlib_stream_is_a_corrupt_file() {
    // Byte 136 starts variable 1's zlib stream (0x78 0x9c); byte 1000 is inside it.
    for at in [136, 137, 1000] {
        let mut bytes = real_bytes();
        bytes[at] ^= 0xff;
        let err = parse_mat(Path::new("z.mat"), &bytes).unwrap_err();
        assert!(
            matches!(err, DataError::Corrupt { .. } | DataError::NotMat { .. }),
            "{at}: {err:?}"
        );
        assert_mentions(&err, "z.mat", &["variable 1"]);
    }
    let mut bytes = real_bytes();
    bytes[136] = 0;
    let err = parse_mat(Path::new("z.mat"), &bytes).unwrap_err();
    assert_mentions(&err, "z.mat", &["corrupt file", "zlib stream does not decompress"]);
}

#[test]
fn every_single_byte_flip_gives_data_or_an_error_never_a_panic() {
    let bytes = real_bytes();
    for at in (0..bytes.len()).step_by(7) {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x5a;
        let _ = parse_mat(Path::new("flip.mat"), &damaged);
    }
}

/// A variable for [`mat_file`]: `(name, MATLAB class code, stored type code, dims, data bytes)`.
type Variable = (&'static str, u8, u32, &'static [i32], Vec<u8>);

/// A small MAT-file writer for the tests: uncompressed `miMATRIX` elements.
fn mat_file(variables: &[Variable]) -> Vec<u8> {
    fn element(kind: u32, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend(kind.to_le_bytes());
        out.extend((data.len() as u32).to_le_bytes());
        out.extend(data);
        out.resize(out.len().div_ceil(8) * 8, 0);
        out
    }
    let mut file = b"MATLAB 5.0 MAT-file, written by the dl-course-rs tests".to_vec();
    file.resize(116, b' ');
    file.extend([0u8; 8]);
    file.extend([0x00, 0x01, b'I', b'M']);
    for (name, class, stored, dims, data) in variables {
        let mut body = element(6, &[*class, 0, 0, 0, 0, 0, 0, 0]);
        let dims: Vec<u8> = dims.iter().flat_map(|d| d.to_le_bytes()).collect();
        body.extend(element(5, &dims));
        body.extend(element(1, name.as_bytes()));
        body.extend(element(*stored, data));
        file.extend(element(14, &body));
    }
    file
}

const DOUBLE: u8 = 6;
const MI_UINT8: u32 = 2;
const MI_DOUBLE: u32 = 9;

fn doubles(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Three training points and two test points, as the course stores them.
fn good_variables() -> Vec<Variable> {
    vec![
        ("X", DOUBLE, MI_DOUBLE, &[3, 2], doubles(&[0.1, 0.2, 0.3, -1.0, -2.0, -3.0])),
        ("y", DOUBLE, MI_UINT8, &[3, 1], vec![1, 0, 1]),
        ("Xval", DOUBLE, MI_DOUBLE, &[2, 2], doubles(&[5.0, 6.0, 7.0, 8.0])),
        ("yval", DOUBLE, MI_UINT8, &[2, 1], vec![0, 1]),
    ]
}

fn load(dir: &Path, variables: &[Variable]) -> Result<(), DataError> {
    let path = dir.join(FOOTBALL_FILE);
    std::fs::write(&path, mat_file(variables)).unwrap();
    load_football_file(&path).map(|_| ())
}

#[test]
fn a_small_uncompressed_file_loads_transposed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FOOTBALL_FILE);
    std::fs::write(&path, mat_file(&good_variables())).unwrap();
    let data = load_football_file(&path).unwrap();
    // X (3, 2) column-major [0.1, 0.2, 0.3 | -1, -2, -3]: X.T = [[0.1, 0.2, 0.3], [-1, -2, -3]].
    assert_eq!(
        data.train.x,
        linalg_nn::DMatrix::from_row_slice(2, 3, &[0.1, 0.2, 0.3, -1.0, -2.0, -3.0])
    );
    assert_eq!(data.train.y, linalg_nn::DMatrix::from_row_slice(1, 3, &[1.0, 0.0, 1.0]));
    assert_eq!(data.test.x, linalg_nn::DMatrix::from_row_slice(2, 2, &[5.0, 6.0, 7.0, 8.0]));
}

#[test]
fn a_missing_variable_is_named_with_those_the_file_holds() {
    let dir = tempfile::tempdir().unwrap();
    let mut variables = good_variables();
    variables.pop();
    let err = load(dir.path(), &variables).unwrap_err();
    assert!(matches!(err, DataError::MissingVariable { .. }), "{err:?}");
    assert_mentions(
        &err,
        FOOTBALL_FILE,
        &["variable \"yval\" not found", "[\"X\", \"y\", \"Xval\"]"],
    );
}

#[test]
fn wrong_shapes_dtypes_and_labels_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(usize, Variable, &[&str])> = vec![
        (
            0,
            ("X", DOUBLE, MI_DOUBLE, &[2, 3], doubles(&[0.0; 6])),
            &["variable \"X\"", "expected shape (m, 2)", "found shape (2, 3)"],
        ),
        (
            1,
            ("y", DOUBLE, MI_UINT8, &[1, 3], vec![1, 0, 1]),
            &["variable \"y\"", "expected shape (3, 1)", "found shape (1, 3)"],
        ),
        (
            1,
            ("y", DOUBLE, MI_DOUBLE, &[3, 1], doubles(&[1.0, 0.0, 1.0])),
            &["variable \"y\"", "expected dtype uint8", "found dtype float64"],
        ),
        (
            3,
            ("yval", DOUBLE, MI_UINT8, &[2, 1], vec![0, 2]),
            &["variable \"yval\"", "expected labels 0 or 1", "found 2 at index 1"],
        ),
        (
            2,
            ("Xval", DOUBLE, MI_DOUBLE, &[2, 2], doubles(&[5.0, f64::NAN, 7.0, 8.0])),
            &["variable \"Xval\"", "finite coordinates", "NaN at row 1, column 0"],
        ),
    ];
    for (index, replacement, parts) in cases {
        let mut variables = good_variables();
        variables[index] = replacement;
        let err = load(dir.path(), &variables).unwrap_err();
        assert!(matches!(err, DataError::WrongVariable { .. }), "{err:?}");
        assert_mentions(&err, FOOTBALL_FILE, parts);
    }
}

#[test]
fn data_shorter_than_the_dimensions_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let mut variables = good_variables();
    variables[0].4 = doubles(&[0.0; 5]);
    let err = load(dir.path(), &variables).unwrap_err();
    assert_mentions(
        &err,
        FOOTBALL_FILE,
        &["corrupt file", "variable \"X\"", "need 6 values", "holds 5"],
    );
}
