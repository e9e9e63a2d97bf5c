//! Command-line conventions shared by the assignment binaries, so every `cargo run -p hwN-...`
//! behaves alike: the same value checks for flags, the same `--out/--data-dir/--quiet/--json`
//! options, human output on stdout (stderr under `--json`, where stdout carries one JSON object),
//! "Cost after iteration i: c" lines as the notebooks print them, and a progress bar only when
//! stderr is a terminal.

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
    let value: usize = s.trim().parse().map_err(|_| format!("'{s}' is not a whole number >= 1"))?;
    if value == 0 { Err("must be at least 1, got 0".to_string()) } else { Ok(value) }
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
    if s.trim().is_empty() {
        return Err("expected a comma-separated list of whole numbers >= 1".to_string());
    }
    s.split(',')
        .enumerate()
        .map(|(i, part)| {
            positive_count(part).map_err(|e| format!("item {} ('{part}'): {e}", i + 1))
        })
        .collect()
}

/// Options every assignment binary has; `#[command(flatten)]` it into the binary's arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct CommonArgs {
    /// Folder with train_catvnoncat.h5 and test_catvnoncat.h5 (default: $DL_COURSE_DATA, else
    /// the workspace's datasets/ folder, filled by `cargo xtask fetch-data`).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Folder for the figures (created if missing; default: out/<assignment> in the workspace).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print only the final results (no cost lines, no progress bar).
    #[arg(long)]
    pub quiet: bool,
    /// Print one JSON object with the results on stdout; human output goes to stderr.
    #[arg(long)]
    pub json: bool,
}

impl CommonArgs {
    /// The data folder to read.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(crate::data::default_data_dir)
    }

    /// The figure folder for `assignment` (e.g. `"hw1-logreg"`).
    pub fn out_dir(&self, assignment: &str) -> PathBuf {
        self.out.clone().unwrap_or_else(|| default_out_dir(assignment))
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

/// Ends the program as a usage error (exit code 2, like clap's own), for argument problems that
/// can only be seen after parsing (e.g. `--layers` whose first width does not match the data).
pub fn usage_error(message: impl std::fmt::Display) -> ! {
    eprintln!("error: {message}");
    eprintln!();
    eprintln!("For more information, try '--help'.");
    std::process::exit(2)
}

/// The same `serde_json` the console uses, so binaries build their `--json` object with it.
pub use serde_json;
