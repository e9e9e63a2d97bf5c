//! `cargo xtask plots`: builds `course-tools` in release mode and runs `course-tools figures`,
//! which trains every assignment with the docs' presets and rewrites `docs/figures/` and
//! `docs/figures/results.md` (crates/course-tools/src/figures.rs; its tests check the figures
//! and the numbers). This side only drives the child process and relays its log.

use anyhow::{Context, Result, bail};
use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The package and binary that draws the figures.
pub const FIGURES_TOOL: &str = "course-tools";

/// What `cargo xtask plots` does.
#[derive(Clone, Debug)]
pub struct PlotOptions {
    /// The workspace (for `cargo build` and the release binary).
    pub workspace_root: PathBuf,
    /// Where the figures go (`docs/figures` by default); created if needed.
    pub out_dir: PathBuf,
    /// The folder holding the two cat `.h5` files.
    pub data_dir: PathBuf,
    /// Train a few iterations per run only (`--quick`).
    pub quick: bool,
}

/// The arguments of `course-tools figures` for `options`.
///
/// ```
/// use std::path::PathBuf;
/// use xtask::plots::{PlotOptions, figures_args};
/// let options = PlotOptions {
///     workspace_root: PathBuf::from("/ws"),
///     out_dir: PathBuf::from("/ws/docs/figures"),
///     data_dir: PathBuf::from("/data"),
///     quick: true,
/// };
/// let args: Vec<String> =
///     figures_args(&options).into_iter().map(|a| a.into_string().unwrap()).collect();
/// assert_eq!(args, ["figures", "--out", "/ws/docs/figures", "--data-dir", "/data", "--quick"]);
/// ```
pub fn figures_args(options: &PlotOptions) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["figures".into(), "--out".into()];
    args.push(options.out_dir.clone().into_os_string());
    args.push("--data-dir".into());
    args.push(options.data_dir.clone().into_os_string());
    if options.quick {
        args.push("--quick".into());
    }
    args
}

/// The file a `wrote PATH` log line names, if it is one.
///
/// ```
/// use std::path::Path;
/// assert_eq!(xtask::plots::written_file("wrote /f/results.md"), Some(Path::new("/f/results.md")));
/// assert_eq!(xtask::plots::written_file("chapter 2: hw1-logreg"), None);
/// ```
pub fn written_file(line: &str) -> Option<&Path> {
    line.strip_prefix("wrote ").map(Path::new)
}

/// Builds and runs `course-tools figures`; `log` receives each line it prints (a line per stage
/// and a `wrote PATH` line per file), its errors go to this process's stderr. Returns the files
/// written, in order.
pub fn run(options: &PlotOptions, log: &mut dyn FnMut(&str)) -> Result<Vec<PathBuf>> {
    crate::build_release(&options.workspace_root, &[FIGURES_TOOL])?;
    let exe = crate::release_dir(&options.workspace_root).join(FIGURES_TOOL);
    let mut command = Command::new(&exe);
    command.args(figures_args(options)).stdin(Stdio::null()).stdout(Stdio::piped());
    let mut child = command.spawn().with_context(|| format!("cannot run {}", exe.display()))?;
    let stdout = child.stdout.take().context("the child's stdout")?;
    let mut written = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.context("reading the output of course-tools figures")?;
        log(&line);
        written.extend(written_file(&line).map(Path::to_path_buf));
    }
    let status = child.wait().context("waiting for course-tools figures")?;
    if !status.success() {
        bail!("{} figures failed ({status}); its error is printed above", exe.display());
    }
    Ok(written)
}
