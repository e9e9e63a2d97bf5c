//! The library behind `cargo xtask` (matklad's xtask pattern): repository chores such as
//! fetching the course's datasets and running the test suite, kept out of `main.rs` so that
//! they can be tested.

#![forbid(unsafe_code)]

pub mod bench;
pub mod fetch;
pub mod manifest;
pub mod plots;
pub mod test_cmd;

use std::path::{Path, PathBuf};

/// The workspace root: the folder above this crate, fixed at compile time.
pub fn workspace_root() -> PathBuf {
    let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().map_or_else(|| xtask_dir.join(".."), Path::to_path_buf)
}

/// The default destination of the data files: `<workspace>/datasets`.
pub fn default_datasets_dir() -> PathBuf {
    workspace_root().join("datasets")
}
