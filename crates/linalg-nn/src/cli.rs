//! Command-line conventions shared by the assignment binaries, so every `cargo run -p hwN-...`
//! behaves alike: the same value checks for flags, the same `--out/--no-plots/--quiet/--json`
//! options (and `--data-dir` for the binaries that read the cat pictures), human output on
//! stdout (stderr under `--json`, where stdout carries one JSON object),
//! "Cost after iteration i: c" lines as the notebooks print them, a progress bar only when
//! stderr is a terminal, and the first run's download of missing course files
//! ([`fetch_missing_course_data`]).

use crate::train::{Iteration, TrainObserver};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// clap value parser for a learning rate: a positive finite number.
///
/// ```
/// use linalg_nn::cli::learning_rate;
/// assert_eq!(learning_rate("0.005"), Ok(0.005));
/// assert!(learning_rate("-1").is_err());
/// assert!(learning_rate("NaN").is_err());
/// assert!(learning_rate("fast").is_err());
/// ```
pub fn learning_rate(s: &str) -> Result<f64, String> {
    let value: f64 = s.trim().parse().map_err(|_| format!("'{s}' is not a number"))?;
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(format!("must be a positive finite number, got {s}"))
    }
}

/// clap value parser for a count that must be at least 1 (epochs, hidden units).
///
/// ```
/// use linalg_nn::cli::positive_count;
/// assert_eq!(positive_count("2000"), Ok(2000));
/// assert!(positive_count("0").is_err());
/// assert!(positive_count("-3").is_err());
/// ```
pub fn positive_count(s: &str) -> Result<usize, String> {
    let value: usize = s.trim().parse().map_err(|e: std::num::ParseIntError| match e.kind() {
        std::num::IntErrorKind::PosOverflow => {
            format!("'{s}' is too large (at most {})", usize::MAX)
        }
        _ => format!("'{s}' is not a whole number >= 1"),
    })?;
    if value == 0 { Err("must be at least 1, got 0".to_string()) } else { Ok(value) }
}

/// The widest layer a flag accepts: far beyond the course's networks (whose widest layer is
/// the 12288 input features), small enough that the matrices of one layer fit in memory, so a
/// slip of the keyboard is refused instead of aborting on a failed allocation.
pub const MAX_LAYER_WIDTH: usize = 65_536;

/// The most weights a `--layers` network may have (the course's deep network has 245,960):
/// 400 MB as float64, before gradients and caches.
pub const MAX_WEIGHTS: usize = 50_000_000;

/// clap value parser for one layer width (`--hidden`): a whole number from 1 to
/// [`MAX_LAYER_WIDTH`].
///
/// ```
/// use linalg_nn::cli::layer_width;
/// assert_eq!(layer_width("4"), Ok(4));
/// assert!(layer_width("0").is_err());
/// assert!(layer_width("4000000000").unwrap_err().contains("at most 65536"));
/// ```
pub fn layer_width(s: &str) -> Result<usize, String> {
    let width = positive_count(s)?;
    if width > MAX_LAYER_WIDTH {
        Err(format!("{width} units is too wide: a layer may have at most {MAX_LAYER_WIDTH}"))
    } else {
        Ok(width)
    }
}

/// clap value parser for a comma-separated list of independent layer widths (`--sweep`), each
/// checked by [`layer_width`].
///
/// ```
/// use linalg_nn::cli::width_list;
/// assert_eq!(width_list("1,2,50"), Ok(vec![1, 2, 50]));
/// assert!(width_list("4,100000").unwrap_err().starts_with("item 2"));
/// ```
pub fn width_list(s: &str) -> Result<Vec<usize>, String> {
    list_of(s, layer_width)
}

/// clap value parser for the widths of one network, input first (`--layers 12288,20,7,5,1`):
/// each checked by [`layer_width`], and the weights `sum n[l] * n[l-1]` at most
/// [`MAX_WEIGHTS`].
///
/// ```
/// use linalg_nn::cli::layer_widths;
/// assert_eq!(layer_widths("12288,20,7,5,1"), Ok(vec![12288, 20, 7, 5, 1]));
/// assert!(layer_widths("12288,0,1").is_err());
/// assert!(layer_widths("12288,60000,1").unwrap_err().contains("737340000 weights"));
/// ```
pub fn layer_widths(s: &str) -> Result<Vec<usize>, String> {
    let widths = list_of(s, layer_width)?;
    // Each width is at most 2^16, so every product and the sum fit in a u64.
    let weights: u64 = widths.windows(2).map(|pair| (pair[0] * pair[1]) as u64).sum();
    if weights > MAX_WEIGHTS as u64 {
        Err(format!(
            "this network would have {weights} weights ({} MB as float64), more than the \
             {MAX_WEIGHTS} a run may use; make the layers narrower",
            weights * 8 / 1_000_000
        ))
    } else {
        Ok(widths)
    }
}

/// clap value parser for a seed of the numpy-compatible generator: a whole number from 0 to
/// 4294967295, as `np.random.seed` takes.
///
/// ```
/// use linalg_nn::cli::seed;
/// assert_eq!(seed("2"), Ok(2));
/// assert!(seed("-1").unwrap_err().contains("0 to 4294967295"));
/// ```
pub fn seed(s: &str) -> Result<u32, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a seed: expected a whole number from 0 to {}", u32::MAX))
}

/// clap value parser for a comma-separated list of positive counts, e.g. `--layers 12288,20,7,5,1`
/// or `--sweep 1,2,3,4,5,20,50`.
///
/// ```
/// use linalg_nn::cli::count_list;
/// assert_eq!(count_list("12288, 20,7,5,1"), Ok(vec![12288, 20, 7, 5, 1]));
/// assert!(count_list("").is_err());
/// assert!(count_list("4,0,1").is_err());
/// assert!(count_list("4,,1").is_err());
/// ```
pub fn count_list(s: &str) -> Result<Vec<usize>, String> {
    list_of(s, positive_count)
}

/// A comma-separated list, each item parsed by `item`; errors name the item.
fn list_of(s: &str, item: fn(&str) -> Result<usize, String>) -> Result<Vec<usize>, String> {
    if s.trim().is_empty() {
        return Err("expected a comma-separated list of whole numbers >= 1".to_string());
    }
    s.split(',')
        .enumerate()
        .map(|(i, part)| item(part).map_err(|e| format!("item {} ('{part}'): {e}", i + 1)))
        .collect()
}

/// Where the course's cat pictures are read from; `#[command(flatten)]` it into the arguments of
/// the binaries that read them (hw1-logreg, hw3-deep). It is a struct of its own, apart from
/// [`CommonArgs`], so that hw2-planar, whose data is generated in code, does not offer a flag
/// that would do nothing.
#[derive(Clone, Debug, clap::Args)]
pub struct DataArgs {
    /// Folder with train_catvnoncat.h5 and test_catvnoncat.h5 (default: $DL_COURSE_DATA, else
    /// the workspace's datasets/ folder, filled by `cargo xtask fetch-data`).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

impl DataArgs {
    /// The data folder to read: `--data-dir`, else [`crate::data::default_data_dir`]
    /// (`$DL_COURSE_DATA`, else the workspace's `datasets/`).
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(crate::data::default_data_dir)
    }
}

/// Options every assignment binary has (output and console); `#[command(flatten)]` it into the
/// binary's arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct CommonArgs {
    /// Folder for the figures (created if missing; default: out/<assignment> in the workspace).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Do not write figures.
    #[arg(long)]
    pub no_plots: bool,
    /// Print only the final results (no cost lines, no progress bar).
    #[arg(long)]
    pub quiet: bool,
    /// Print one JSON object with the results on stdout; human output goes to stderr.
    #[arg(long)]
    pub json: bool,
}

impl CommonArgs {
    /// The figure folder for `assignment` (e.g. `"hw1-logreg"`). Binaries do not create it (or
    /// write anything into it) under `--no-plots`, see [`CommonArgs::plots`].
    pub fn out_dir(&self, assignment: &str) -> PathBuf {
        self.out.clone().unwrap_or_else(|| default_out_dir(assignment))
    }

    /// Whether figures are wanted (`--no-plots` not given).
    pub fn plots(&self) -> bool {
        !self.no_plots
    }

    /// The console these options describe.
    pub fn console(&self) -> Console {
        Console::new(self.json, self.quiet)
    }
}

/// `out/<assignment>` at the workspace root (git-ignored).
///
/// ```
/// let out = linalg_nn::cli::default_out_dir("hw1-logreg");
/// assert!(out.ends_with("out/hw1-logreg"));
/// assert_eq!(out.parent().unwrap().parent().unwrap(), linalg_nn::data::workspace_dir());
/// ```
pub fn default_out_dir(assignment: &str) -> PathBuf {
    crate::data::workspace_dir().join("out").join(assignment)
}

/// Where a binary's human-readable lines go.
#[derive(Clone, Debug)]
pub struct Console {
    json: bool,
    quiet: bool,
    interactive: bool,
}

impl Console {
    /// `json`: stdout is reserved for one JSON object; `quiet`: only results are printed.
    pub fn new(json: bool, quiet: bool) -> Self {
        Console { json, quiet, interactive: std::io::stderr().is_terminal() }
    }

    /// Whether `--json` is on.
    pub fn json(&self) -> bool {
        self.json
    }

    /// Prints a detail line (dataset summaries, cost lines): suppressed by `--quiet`.
    pub fn detail(&self, line: impl AsRef<str>) {
        if !self.quiet {
            self.result(line);
        }
    }

    /// Lists the figures a run wrote into `dir`, one path per line, as detail lines.
    pub fn figures_written(&self, dir: &std::path::Path, written: &[PathBuf]) {
        self.detail(format!("Figures written to {}:", dir.display()));
        for path in written {
            self.detail(format!("  {}", path.display()));
        }
    }

    /// Prints a result line (accuracies, predictions): always shown, on stderr under `--json`.
    pub fn result(&self, line: impl AsRef<str>) {
        // A closed pipe (`hw2-planar | head -1`) must not crash the program: write errors on the
        // console are ignored rather than panicking as println! would.
        if self.json {
            let _ = writeln!(std::io::stderr().lock(), "{}", line.as_ref());
        } else {
            let _ = writeln!(std::io::stdout().lock(), "{}", line.as_ref());
        }
    }

    /// Prints the one JSON object of a `--json` run (does nothing otherwise).
    pub fn emit_json(&self, value: &serde_json::Value) {
        if self.json {
            let _ = writeln!(std::io::stdout().lock(), "{value}");
        }
    }

    /// An observer for a training loop: prints "Cost after iteration i: c" whenever a cost is
    /// recorded (unless quiet) and drives a progress bar on a terminal.
    pub fn training(&self, label: &str, total: usize) -> TrainingDisplay {
        let bar = if self.interactive && !self.quiet && !self.json {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} iterations ({elapsed}, eta {eta})",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(label.to_string());
            Some(bar)
        } else {
            None
        };
        TrainingDisplay { console: self.clone(), bar, print_costs: !self.quiet }
    }
}

/// The [`TrainObserver`] made by [`Console::training`]; the bar is cleared when it is dropped.
pub struct TrainingDisplay {
    console: Console,
    bar: Option<ProgressBar>,
    print_costs: bool,
}

impl TrainingDisplay {
    /// Prints cost lines even without the progress bar (the default unless quiet); `false` keeps
    /// a run silent except for the bar (e.g. the inner runs of a sweep).
    pub fn print_costs(mut self, on: bool) -> Self {
        self.print_costs = on && self.print_costs;
        self
    }
}

/// The notebooks' cost line, `Cost after iteration 100: 0.584508` (six decimals, as numpy's
/// default print shows them).
///
/// ```
/// assert_eq!(linalg_nn::cli::cost_line(100, 0.58450836), "Cost after iteration 100: 0.584508");
/// ```
pub fn cost_line(iteration: usize, cost: f64) -> String {
    format!("Cost after iteration {iteration}: {cost:.6}")
}

impl TrainObserver for TrainingDisplay {
    fn on_iteration(&mut self, iteration: &Iteration) {
        if let Some(cost) = iteration.cost.filter(|_| self.print_costs) {
            let line = cost_line(iteration.index, cost);
            match &self.bar {
                Some(bar) => bar.println(line),
                None => self.console.detail(line),
            }
        }
        if let Some(bar) = &self.bar {
            bar.set_position(iteration.index as u64 + 1);
        }
    }
}

impl Drop for TrainingDisplay {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// What every assignment binary's `--json` report says first, under the same keys
/// (docs/reference/json.md): the assignment, the engine that trained, the seed of the initial weights
/// (`null` where they start at zero), the hyperparameters, the recorded costs as
/// `[iteration, cost]` pairs, the accuracies in % (`test_accuracy` is `null` without a test
/// set), the training time and the figures written. Each binary adds its own keys after these.
/// A run that skips a step (`hw3-deep --model-file` trains nothing) still has every key, with
/// `null` for what it did not do.
///
/// ```
/// use linalg_nn::cli::RunReport;
/// let report = RunReport {
///     assignment: "hw2-planar",
///     engine: "shallow",
///     seed: Some(2),
///     num_iterations: 200,
///     learning_rate: 0.5,
///     costs: vec![(0, 0.6846), (100, 0.4056)],
///     train_accuracy: 86.25,
///     test_accuracy: None,
///     training_seconds: 0.01,
///     figures: vec![],
/// }
/// .to_json();
/// assert_eq!(report["costs"][1], serde_json::json!([100, 0.4056]));
/// assert!(report["test_accuracy"].is_null());
/// assert_eq!(report.as_object().unwrap().len(), RunReport::KEYS.len());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RunReport {
    /// The binary's name: `hw1-logreg`, `hw2-planar`, `hw3-deep`.
    pub assignment: &'static str,
    /// The engine that trained the model (`--engine` where the binary has it).
    pub engine: &'static str,
    /// The seed of the initial weights, `None` where they start at zero.
    pub seed: Option<u64>,
    /// Iterations of gradient descent.
    pub num_iterations: usize,
    /// The learning rate.
    pub learning_rate: f64,
    /// The recorded costs with the iteration each was computed at.
    pub costs: Vec<(usize, f64)>,
    /// Accuracy on the training set, in %.
    pub train_accuracy: f64,
    /// Accuracy on the test set, in %, where there is one.
    pub test_accuracy: Option<f64>,
    /// Wall time of the training alone, in seconds.
    pub training_seconds: f64,
    /// The figures written (none with `--no-plots`).
    pub figures: Vec<PathBuf>,
}

impl RunReport {
    /// The keys of [`RunReport::to_json`], in order.
    pub const KEYS: [&'static str; 10] = [
        "assignment",
        "engine",
        "seed",
        "num_iterations",
        "learning_rate",
        "costs",
        "train_accuracy",
        "test_accuracy",
        "training_seconds",
        "figures",
    ];

    /// The report as a JSON object, to which a binary adds its own keys.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "assignment": self.assignment,
            "engine": self.engine,
            "seed": self.seed,
            "num_iterations": self.num_iterations,
            "learning_rate": self.learning_rate,
            "costs": self.costs,
            "train_accuracy": self.train_accuracy,
            "test_accuracy": self.test_accuracy,
            "training_seconds": self.training_seconds,
            "figures": self.figures.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        })
    }
}

/// Costs recorded every `every` iterations as `(iteration, cost)` pairs, the shape of
/// [`RunReport::costs`].
///
/// ```
/// assert_eq!(linalg_nn::cli::cost_pairs(&[0.7, 0.5], 100), [(0, 0.7), (100, 0.5)]);
/// ```
pub fn cost_pairs(costs: &[f64], every: usize) -> Vec<(usize, f64)> {
    costs.iter().enumerate().map(|(k, &c)| (k * every, c)).collect()
}

/// Ends the program as a usage error (exit code 2, like clap's own), for argument problems that
/// can only be seen after parsing (e.g. `--layers` whose first width does not match the data).
pub fn usage_error(message: impl std::fmt::Display) -> ! {
    eprintln!("error: {message}");
    eprintln!();
    eprintln!("For more information, try '--help'.");
    std::process::exit(2)
}

/// An error and its causes on one line, as `{:#}` of anyhow prints them, but without repeating a
/// cause whose text the message before it already contains (most error types of this workspace
/// and of `std` print their cause inside their own message *and* return it as `source()`).
/// Binaries print `error: {error_chain(err.as_ref())}`.
///
/// ```
/// use linalg_nn::atomic::write_bytes_atomic;
/// let err = write_bytes_atomic(std::path::Path::new("/no/such/folder/m.h5"), b"x").unwrap_err();
/// let line = linalg_nn::cli::error_chain(&err);
/// assert!(line.starts_with("cannot write /no/such/folder/m.h5: "), "{line}");
/// assert_eq!(line.matches("No such file").count(), 1, "{line}");
/// ```
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut line = err.to_string();
    let mut previous = line.clone();
    let mut cause = err.source();
    while let Some(error) = cause {
        let text = error.to_string();
        if !previous.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        previous = text;
        cause = error.source();
    }
    line
}

/// How every binary ends: success, or `error: ` and the [`error_chain`] on stderr with exit
/// code 1 (clap has already used 2 for usage errors).
///
/// ```
/// use linalg_nn::cli::exit_with;
/// use std::process::ExitCode;
/// assert_eq!(exit_with::<std::io::Error>(Ok(())), ExitCode::SUCCESS);
/// assert_eq!(exit_with(Err(std::io::Error::other("disk full"))), ExitCode::FAILURE);
/// ```
pub fn exit_with<E>(result: std::result::Result<(), E>) -> std::process::ExitCode
where
    E: Into<Box<dyn std::error::Error + 'static>>,
{
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", error_chain(err.into().as_ref()));
            std::process::ExitCode::FAILURE
        }
    }
}

/// The same `serde_json` the console uses, so binaries build their `--json` object with it.
pub use serde_json;

/// What [`fetch_missing_course_data`] reports when it could not fetch the files.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// `cargo xtask fetch-data` could not be started.
    #[error(
        "{missing} is missing and `cargo xtask fetch-data` could not be started ({source}); \
         run it yourself, or `cargo xtask fetch-data --from DIR` with a folder holding the files"
    )]
    Spawn {
        /// The first missing file, in full.
        missing: PathBuf,
        /// Why the command did not start.
        source: std::io::Error,
    },
    /// `cargo xtask fetch-data` ran and failed (no network, a mirror down, a bad download).
    #[error(
        "{missing} is missing and could not be downloaded (its reason is above); with the files \
         in a folder DIR, run `cargo xtask fetch-data --from DIR`, or pass `--data-dir DIR`"
    )]
    Failed {
        /// The first missing file, in full.
        missing: PathBuf,
    },
}

/// A learner's first run: when `dir` is the workspace's own `datasets/` folder, one of `files`
/// is missing there and this program was started by `cargo run` (which sets `CARGO`), runs
/// `cargo xtask fetch-data` in the workspace first: the one command that downloads the course
/// files through `datasets/manifest.txt`, checks their SHA-256, shows a progress bar and writes
/// each file whole. Its output goes to stderr (stdout stays the program's, JSON included).
///
/// Anything else is left to the loader, whose error names the missing file and the fetch
/// command: a folder given with `--data-dir` or `DL_COURSE_DATA` (the learner chose it), or a
/// binary run outside `cargo run` (no cargo to call).
///
/// ```
/// use linalg_nn::cli::fetch_missing_course_data;
/// // Nothing to do: the folder is not the workspace's own.
/// let dir = std::env::temp_dir().join("elsewhere");
/// assert!(fetch_missing_course_data(&dir, &["train_catvnoncat.h5"]).is_ok());
/// ```
pub fn fetch_missing_course_data(dir: &std::path::Path, files: &[&str]) -> Result<(), FetchError> {
    let workspace = crate::data::workspace_dir();
    let cargo = std::env::var_os("CARGO");
    fetch_with(cargo.as_deref(), &workspace, dir, files)
}

/// [`fetch_missing_course_data`] with the cargo to call and the workspace given.
fn fetch_with(
    cargo: Option<&std::ffi::OsStr>,
    workspace: &std::path::Path,
    dir: &std::path::Path,
    files: &[&str],
) -> Result<(), FetchError> {
    let Some(missing) = files.iter().map(|f| dir.join(f)).find(|path| !path.exists()) else {
        return Ok(());
    };
    let (Some(cargo), true) = (cargo, dir == workspace.join("datasets")) else {
        return Ok(());
    };
    if !workspace.join("xtask").is_dir() {
        return Ok(());
    }
    eprintln!(
        "{} is missing: downloading the course data sets (cargo xtask fetch-data) ...",
        missing.display()
    );
    let child = std::process::Command::new(cargo)
        .args(["xtask", "fetch-data"])
        .current_dir(workspace)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(source) => return Err(FetchError::Spawn { missing, source }),
    };
    // The command's own report goes to stderr, after it: stdout is this program's.
    let mut report = Vec::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = std::io::Read::read_to_end(&mut out, &mut report);
    }
    let status = child.wait();
    let _ = std::io::stderr().write_all(&report);
    match status {
        Ok(status) if status.success() && !missing.exists() => Err(FetchError::Failed { missing }),
        Ok(status) if status.success() => Ok(()),
        Ok(_) => Err(FetchError::Failed { missing }),
        Err(source) => Err(FetchError::Spawn { missing, source }),
    }
}

#[cfg(all(test, unix))]
mod fetch_tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    /// Holds the tests of this module to one at a time. Each writes an executable script and
    /// runs it; if another test forks meanwhile, its child holds the script's write descriptor
    /// until it execs, and running the script fails with ETXTBSY ("Text file busy").
    fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
        static SPAWNS: std::sync::Mutex<()> = std::sync::Mutex::new(());
        SPAWNS.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A workspace with an `xtask/` folder and a stand-in `cargo` running `script`.
    fn workspace(script: &str) -> (tempfile::TempDir, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("xtask")).unwrap();
        std::fs::create_dir_all(root.path().join("datasets")).unwrap();
        let cargo = root.path().join("fake-cargo");
        std::fs::write(&cargo, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
        (root, cargo)
    }

    fn run(cargo: &Path, root: &Path, dir: &Path) -> Result<(), FetchError> {
        fetch_with(Some(cargo.as_os_str()), root, dir, &["a.h5", "b.h5"])
    }

    #[test]
    fn a_missing_file_in_the_workspace_folder_is_fetched_by_the_xtask_command() {
        let _one = one_at_a_time();
        // The stand-in records its arguments and writes both files, as fetch-data would.
        let (root, cargo) = workspace(
            "echo \"$@\" > called; echo fetched; touch datasets/a.h5 datasets/b.h5; exit 0",
        );
        let datasets = root.path().join("datasets");
        run(&cargo, root.path(), &datasets).unwrap();
        let called = std::fs::read_to_string(root.path().join("called")).unwrap();
        assert_eq!(called.trim(), "xtask fetch-data");
        assert!(datasets.join("a.h5").is_file() && datasets.join("b.h5").is_file());
    }

    #[test]
    fn a_failed_fetch_names_the_missing_file_and_the_from_command() {
        let _one = one_at_a_time();
        let (root, cargo) = workspace("echo 'error: no network' >&2; exit 1");
        let datasets = root.path().join("datasets");
        std::fs::write(datasets.join("a.h5"), b"present").unwrap();
        let err = run(&cargo, root.path(), &datasets).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, FetchError::Failed { .. }), "{err:?}");
        assert!(message.contains(&datasets.join("b.h5").display().to_string()), "{message}");
        assert!(message.contains("cargo xtask fetch-data --from DIR"), "{message}");
        assert_eq!(message.lines().count(), 1, "{message}");
    }

    #[test]
    fn a_successful_command_that_leaves_a_file_missing_is_a_failure() {
        let _one = one_at_a_time();
        let (root, cargo) = workspace("exit 0");
        let datasets = root.path().join("datasets");
        let err = run(&cargo, root.path(), &datasets).unwrap_err();
        assert!(matches!(err, FetchError::Failed { .. }), "{err:?}");
    }

    #[test]
    fn other_folders_and_runs_outside_cargo_are_left_to_the_loader() {
        let _one = one_at_a_time();
        let (root, cargo) = workspace("touch called; exit 1");
        let elsewhere = tempfile::tempdir().unwrap();
        // A folder the learner chose: the loader reports the missing file.
        run(&cargo, root.path(), elsewhere.path()).unwrap();
        // No cargo: nothing to call.
        let datasets = root.path().join("datasets");
        fetch_with(None, root.path(), &datasets, &["a.h5"]).unwrap();
        // Every file present: nothing to do.
        std::fs::write(datasets.join("a.h5"), b"x").unwrap();
        fetch_with(Some(cargo.as_os_str()), root.path(), &datasets, &["a.h5"]).unwrap();
        assert!(!root.path().join("called").exists());
    }

    #[test]
    fn a_cargo_that_cannot_start_is_a_clear_error() {
        let _one = one_at_a_time();
        let (root, _) = workspace("exit 0");
        let datasets = root.path().join("datasets");
        let nowhere = root.path().join("no-such-cargo");
        let err = run(&nowhere, root.path(), &datasets).unwrap_err();
        // `Spawn` here; under an emulator (qemu-user) the failed exec can surface as the
        // child's failure instead: either way the message says what to do.
        assert!(matches!(err, FetchError::Spawn { .. } | FetchError::Failed { .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.contains(&datasets.join("a.h5").display().to_string()), "{message}");
        assert!(message.contains("cargo xtask fetch-data --from DIR"), "{message}");
    }
}
