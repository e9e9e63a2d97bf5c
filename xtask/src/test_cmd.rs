//! `cargo xtask test`: the project's one test command. Fetches the datasets (never skipping the
//! tests that need them), then runs `cargo test --workspace` with `DL_COURSE_DATA` pointing at
//! them.

use crate::fetch::{FetchOptions, Source, fetch_all};
use crate::manifest::Manifest;
use anyhow::Context;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus};

/// The environment variable through which tests find the data folder.
pub const DATA_DIR_VAR: &str = "DL_COURSE_DATA";

/// What `cargo xtask test` needs to know.
#[derive(Debug, Clone)]
pub struct TestOptions {
    /// A local mirror folder to copy the data from (`--from DIR`); `None` downloads.
    pub from: Option<PathBuf>,
    /// Where the data files go and where the tests will look for them.
    pub data_dir: PathBuf,
    /// The folder `cargo test` runs in.
    pub workspace_root: PathBuf,
    /// Draw download progress bars.
    pub progress: bool,
}

/// Fetches the data files into `options.data_dir`, then runs the workspace's tests and returns
/// their exit code. A failed fetch is an error: the data tests must not be skipped silently.
pub fn run(manifest: &Manifest, options: &TestOptions) -> anyhow::Result<ExitCode> {
    let fetch_options = FetchOptions {
        dest: options.data_dir.clone(),
        source: options.from.clone().map_or(Source::Mirrors, Source::LocalDir),
        force: false,
        progress: options.progress,
    };
    fetch_all(manifest, &fetch_options, |report| eprintln!("{report}"))
        .context("cannot fetch the datasets the tests need")?;
    // `cargo xtask` runs under cargo, which names itself in CARGO; use the same toolchain.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = cargo_test_command(&cargo, &options.workspace_root, &options.data_dir);
    let status = command.status().with_context(|| format!("cannot run {command:?}"))?;
    Ok(ExitCode::from(exit_code(status)))
}

/// `cargo test --workspace`, run in `workspace_root`, with [`DATA_DIR_VAR`] set to `data_dir`
/// and the parent's stdio.
pub fn cargo_test_command(cargo: &OsStr, workspace_root: &Path, data_dir: &Path) -> Command {
    let mut command = Command::new(cargo);
    command.args(["test", "--workspace"]).current_dir(workspace_root).env(DATA_DIR_VAR, data_dir);
    command
}

/// The child's exit code, or 1 if it has none (killed by a signal) or one out of range.
pub fn exit_code(status: ExitStatus) -> u8 {
    match status.code().map(u8::try_from) {
        Some(Ok(code)) => code,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_test_command_runs_the_workspace_tests_with_the_data_dir() {
        let command = cargo_test_command(
            OsStr::new("/opt/cargo"),
            Path::new("/ws"),
            Path::new("/ws/datasets"),
        );
        assert_eq!(command.get_program(), "/opt/cargo");
        let args: Vec<&OsStr> = command.get_args().collect();
        assert_eq!(args, ["test", "--workspace"]);
        assert_eq!(command.get_current_dir(), Some(Path::new("/ws")));
        let envs: Vec<_> = command.get_envs().collect();
        assert_eq!(envs, [(OsStr::new(DATA_DIR_VAR), Some(OsStr::new("/ws/datasets")))]);
    }

    #[cfg(unix)]
    #[test]
    fn exit_code_passes_the_child_code_through_and_maps_signals_to_one() {
        use std::os::unix::process::ExitStatusExt;
        // Raw wait statuses: the exit code sits in bits 8..16, a signal number in bits 0..7.
        assert_eq!(exit_code(ExitStatus::from_raw(0)), 0);
        assert_eq!(exit_code(ExitStatus::from_raw(101 << 8)), 101);
        assert_eq!(exit_code(ExitStatus::from_raw(9)), 1);
    }

    #[test]
    fn a_failed_fetch_fails_the_test_command_before_running_cargo() {
        let work = tempfile::tempdir().unwrap();
        let options = TestOptions {
            from: Some(work.path().join("no-such-mirror")),
            data_dir: work.path().join("datasets"),
            // cargo would fail here: reaching it would show as a different error.
            workspace_root: work.path().join("no-such-workspace"),
            progress: false,
        };
        let manifest = Manifest::embedded().unwrap();
        let message = format!("{:#}", run(&manifest, &options).unwrap_err());
        assert!(message.starts_with("cannot fetch the datasets the tests need: "), "{message}");
        assert!(message.contains("no-such-mirror does not exist"), "{message}");
    }
}
