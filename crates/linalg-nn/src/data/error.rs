//! Errors of the data loaders (`lr_utils.load_dataset` and the notebook's "test with your own
//! image" cell): every message names the file, the dataset inside it and what was expected.

use std::path::PathBuf;
use thiserror::Error;

/// What can go wrong while loading the course's data files or a picture of your own.
///
/// Every variant carries the path of the file concerned, and the HDF5 variants the name of
/// the dataset inside it, so a message such as
/// `datasets/train_catvnoncat.h5: dataset "train_set_x": expected uint8, found float64`
/// says where to look without a backtrace.
///
/// ```
/// use linalg_nn::data::DataError;
/// use std::path::PathBuf;
///
/// let err = DataError::WrongDtype {
///     path: PathBuf::from("train_catvnoncat.h5"),
///     dataset: "train_set_x".into(),
///     expected: "uint8".into(),
///     found: "float64".into(),
/// };
/// assert_eq!(
///     err.to_string(),
///     r#"train_catvnoncat.h5: dataset "train_set_x": expected uint8, found float64"#
/// );
/// ```
#[derive(Debug, Error)]
pub enum DataError {
    /// The file does not exist.
    #[error("{}: file not found; {hint}", path.display())]
    Missing {
        /// The path that was looked up.
        path: PathBuf,
        /// How to get the file, e.g. "run `cargo xtask fetch-data` ...".
        hint: String,
    },
    /// The file exists but could not be read (a directory, no permission, ...).
    #[error("{}: cannot read the file: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not an HDF5 file, or the file is cut short before its metadata ends.
    #[error("{}: not a valid HDF5 file (or truncated): {detail}", path.display())]
    NotHdf5 {
        /// The file.
        path: PathBuf,
        /// What the HDF5 reader reported.
        detail: String,
    },
    /// A dataset the course files always contain is absent.
    #[error("{}: dataset \"{dataset}\" not found", path.display())]
    MissingDataset {
        /// The file.
        path: PathBuf,
        /// The dataset that was looked for, e.g. `train_set_y`.
        dataset: String,
    },
    /// A dataset has another element type than the course files (checked before reading).
    #[error("{}: dataset \"{dataset}\": expected {expected}, found {found}", path.display())]
    WrongDtype {
        /// The file.
        path: PathBuf,
        /// The dataset.
        dataset: String,
        /// The element type required, in numpy words (`uint8`, `int64`, ...).
        expected: String,
        /// The element type in the file.
        found: String,
    },
    /// A dataset has the wrong rank or dimensions.
    #[error(
        "{}: dataset \"{dataset}\": expected shape {expected}, found {}",
        path.display(),
        format_shape(found)
    )]
    WrongShape {
        /// The file.
        path: PathBuf,
        /// The dataset.
        dataset: String,
        /// The shape required, e.g. `(m, h, w, 3) with h == w and m >= 1`.
        expected: String,
        /// The dimensions in the file.
        found: Vec<u64>,
    },
    /// A label is neither 0 (non-cat) nor 1 (cat).
    #[error(
        "{}: dataset \"{dataset}\": label at index {index} is {value}, expected 0 or 1",
        path.display()
    )]
    BadLabel {
        /// The file.
        path: PathBuf,
        /// The label dataset.
        dataset: String,
        /// Position of the first bad label.
        index: usize,
        /// Its value.
        value: i64,
    },
    /// `list_classes` does not name label 0 `"non-cat"` and label 1 `"cat"`.
    #[error(
        "{}: dataset \"{dataset}\": expected [\"non-cat\", \"cat\"], found {found:?}",
        path.display()
    )]
    WrongClasses {
        /// The file.
        path: PathBuf,
        /// The class-name dataset (`list_classes`).
        dataset: String,
        /// The class names in the file, trailing padding removed.
        found: Vec<String>,
    },
    /// Datasets that must agree do not (e.g. 209 images but 208 labels).
    #[error("{}: {detail}", path.display())]
    Inconsistent {
        /// The file.
        path: PathBuf,
        /// Which datasets disagree and how.
        detail: String,
    },
    /// The file's metadata parsed but its contents are damaged: a dataset declares more bytes
    /// than the file holds, its data cannot be read, or the HDF5 reader failed internally.
    #[error("{}: corrupt file: {detail}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the dataset.
        detail: String,
    },
    /// The bytes are not a MATLAB level-5 MAT-file, or its element structure is cut short or
    /// damaged (the detail names the byte offset and the variable, where known).
    #[error("{}: not a valid MATLAB level-5 MAT-file (or truncated): {detail}", path.display())]
    NotMat {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where.
        detail: String,
    },
    /// A variable the course's MAT-file always holds is absent.
    #[error("{}: variable \"{variable}\" not found (the file holds {found:?})", path.display())]
    MissingVariable {
        /// The file.
        path: PathBuf,
        /// The variable that was looked for, e.g. `Xval`.
        variable: String,
        /// The names of the variables the file does hold.
        found: Vec<String>,
    },
    /// A MAT-file variable has another class, shape or content than the course's file.
    #[error("{}: variable \"{variable}\": expected {expected}, found {found}", path.display())]
    WrongVariable {
        /// The file.
        path: PathBuf,
        /// The variable.
        variable: String,
        /// What was required, e.g. `shape (m, 2)` or `class uint8`.
        expected: String,
        /// What the file holds.
        found: String,
    },
    /// A picture could not be decoded or is unusable (unknown format, truncated, too large).
    #[error("{}: cannot use the image: {detail}", path.display())]
    Image {
        /// The picture.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
}

/// Formats dimensions the way numpy prints a shape: `(209, 64, 64, 3)`, `(2,)`, `()`.
pub(crate) fn format_shape(dims: &[u64]) -> String {
    match dims {
        [] => "()".to_owned(),
        [only] => format!("({only},)"),
        _ => {
            let parts: Vec<String> = dims.iter().map(u64::to_string).collect();
            format!("({})", parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_print_like_numpy() {
        assert_eq!(format_shape(&[]), "()");
        assert_eq!(format_shape(&[2]), "(2,)");
        assert_eq!(format_shape(&[209, 64, 64, 3]), "(209, 64, 64, 3)");
    }

    #[test]
    fn wrong_shape_message_names_file_dataset_and_both_shapes() {
        let err = DataError::WrongShape {
            path: PathBuf::from("test_catvnoncat.h5"),
            dataset: "test_set_x".into(),
            expected: "(m, h, w, 3)".into(),
            found: vec![3, 4, 4],
        };
        assert_eq!(
            err.to_string(),
            r#"test_catvnoncat.h5: dataset "test_set_x": expected shape (m, h, w, 3), found (3, 4, 4)"#
        );
    }
}
