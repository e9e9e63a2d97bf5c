//! data: the course's data sets — the cat / non-cat HDF5 files of `lr_utils.py`
//! ([`cat`]), the notebook's "test with your own image" cell ([`image`]), the planar flower and
//! the other 2-D sets of `planar_utils.py` ([`planar`]), scikit-learn's circles and moons of
//! Course 2's notebooks ([`circles`], [`moons`]), the regularisation notebook's football
//! positions of `reg_utils.py` ([`football`], read from a MAT-file by [`mat`]), and their errors.

pub mod cat;
pub mod circles;
pub mod error;
pub mod football;
pub mod image;
pub mod mat;
pub mod moons;
pub mod planar;

pub use cat::{CatDataset, CatSplit, Split, load_cat_file, load_dataset};
pub use error::DataError;
pub use image::load_image_as_column;

use std::path::{Component, PathBuf};

/// Environment variable that points the loaders (and the tests) at another data folder.
pub const DATA_DIR_ENV: &str = "DL_COURSE_DATA";

/// The folder holding `train_catvnoncat.h5` and `test_catvnoncat.h5`: `$DL_COURSE_DATA` when it
/// is set and not empty, else the workspace's `datasets/` folder (where `cargo xtask fetch-data`
/// puts the files). The choice itself is [`data_dir_from`].
pub fn default_data_dir() -> PathBuf {
    data_dir_from(std::env::var_os(DATA_DIR_ENV))
}

/// The data folder for a value of `$DL_COURSE_DATA` (`None` when it is not set): the value when
/// it is set and not empty, else the workspace's `datasets/` folder.
///
/// ```
/// use linalg_nn::data::{data_dir_from, workspace_dir};
/// use std::path::PathBuf;
///
/// assert_eq!(data_dir_from(None), workspace_dir().join("datasets"));
/// assert_eq!(data_dir_from(Some("".into())), workspace_dir().join("datasets"));
/// assert_eq!(data_dir_from(Some("/srv/course".into())), PathBuf::from("/srv/course"));
/// // Shown without `..`: messages name `/repo/datasets`, not `/repo/crates/linalg-nn/../../datasets`.
/// assert!(data_dir_from(None).components().all(|c| c != std::path::Component::ParentDir));
/// ```
pub fn data_dir_from(env_value: Option<std::ffi::OsString>) -> PathBuf {
    match env_value {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => workspace_dir().join("datasets"),
    }
}

/// The root of the dl-course-rs workspace this crate was built in (where `datasets/`, `out/` and
/// `docs/` live), whatever the current directory is.
///
/// ```
/// let root = linalg_nn::data::workspace_dir();
/// assert!(root.join("crates").join("linalg-nn").is_dir());
/// ```
pub fn workspace_dir() -> PathBuf {
    normalise(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Removes `.` and `..` components lexically, so messages show `/repo/datasets` rather than
/// `/repo/crates/linalg-nn/../../datasets` (the folder may not exist yet, so no canonicalize).
fn normalise(path: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for component in std::path::Path::new(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_resolves_parent_components() {
        assert_eq!(normalise("/a/crates/b/../../datasets"), PathBuf::from("/a/datasets"));
        assert_eq!(normalise("/a/./b"), PathBuf::from("/a/b"));
    }

    #[test]
    fn workspace_datasets_folder_is_next_to_crates() {
        let expected = normalise(concat!(env!("CARGO_MANIFEST_DIR"), "/../../datasets"));
        let workspace = expected.parent().expect("an absolute path has a parent");
        assert!(workspace.join("crates/linalg-nn/Cargo.toml").is_file(), "{}", workspace.display());
        assert!(expected.ends_with("datasets"));
    }
}
