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

/// The folder the course data are read from by default: `$DL_COURSE_DATA` when it is set and not
/// empty (as the binaries and the tests read it), else `<workspace>/datasets`.
pub fn default_data_dir() -> PathBuf {
    match std::env::var_os(test_cmd::DATA_DIR_VAR) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => default_datasets_dir(),
    }
}

/// The cargo that runs `cargo xtask` (it names itself in `CARGO`), so the children use the same
/// toolchain.
pub fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Where `cargo build --release` in `workspace_root` puts its binaries: `$CARGO_TARGET_DIR`
/// (relative to the workspace when it is relative) or `target/`, then `release/`.
pub fn release_dir(workspace_root: &Path) -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => workspace_root.join(dir),
        _ => workspace_root.join("target"),
    };
    target.join("release")
}

/// `cargo build --release -p PACKAGE...` in `workspace_root`, with the parent's output, so the
/// user sees the build; an error when it fails.
pub fn build_release(workspace_root: &Path, packages: &[&str]) -> anyhow::Result<()> {
    let mut command = std::process::Command::new(cargo());
    command.args(["build", "--release"]).current_dir(workspace_root);
    for package in packages {
        command.args(["-p", package]);
    }
    let status = command.status().map_err(|e| anyhow::anyhow!("cannot run {command:?}: {e}"))?;
    anyhow::ensure!(status.success(), "{command:?} failed ({status})");
    Ok(())
}
