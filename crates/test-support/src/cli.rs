//! Running an assignment binary as a learner would: its exit code, what it printed, its
//! `--json` report, and the one check every usage error must pass (exit code 2, nothing on
//! stdout, a message that says what is wrong, no file written).

use linalg_nn::data::{DATA_DIR_ENV, default_data_dir};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// An assignment binary under test.
#[derive(Clone, Copy, Debug)]
pub struct Binary {
    /// Its path, `env!("CARGO_BIN_EXE_<name>")`.
    pub path: &'static str,
    /// Its name as a learner types it.
    pub name: &'static str,
    /// Whether it reads the course's data files. Then every run gets `$DL_COURSE_DATA` pointing at the
    /// real data (so a test fails when the data is missing, whatever the caller's environment).
    pub reads_data: bool,
}

impl Binary {
    /// `command` with `args`, and the data folder for a binary that reads it. Without `CARGO`
    /// (which `cargo test` sets): a binary started by cargo fetches missing course files with
    /// `cargo xtask fetch-data` (`linalg_nn::cli::fetch_missing_course_data`), which a test must
    /// not do (it would wait for the build lock the running `cargo test` holds).
    pub fn prepare(&self, mut command: Command, args: &[&str]) -> Command {
        command.args(args).env_remove("CARGO");
        if self.reads_data {
            command.env(DATA_DIR_ENV, default_data_dir());
        }
        command
    }

    /// The binary with `args`, not yet started.
    pub fn command(&self, args: &[&str]) -> Command {
        self.prepare(Command::new(self.path), args)
    }

    /// Runs the binary with `args` to completion.
    pub fn run(&self, args: &[&str]) -> Run {
        run(self.command(args))
    }

    /// Runs the binary with `args`, checks that it succeeded and returns its `--json` report
    /// (the caller passes `--json`).
    pub fn json(&self, args: &[&str]) -> Value {
        self.run(args).json()
    }

    /// The binary's `--help`, after checking that it lists every one of `flags`.
    pub fn help_listing(&self, flags: &[&str]) -> String {
        let help = self.success(&["--help"]).stdout;
        assert_contains_all(&help, flags);
        help
    }

    /// Runs the binary with `args` and checks that it succeeded; returns the run.
    pub fn success(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        assert_eq!(run.code, Some(0), "{} {args:?} failed:\n{}", self.name, run.stderr);
        run
    }

    /// Checks that `args` is a usage error: exit code 2, nothing on stdout, every `fragment` in
    /// stderr. `args` should name a fresh `--out` folder where a binary writes figures; the
    /// caller checks that it stayed empty (see [`crate::cli::assert_empty_dir`]).
    pub fn assert_usage_error(&self, args: &[&str], fragments: &[&str]) {
        let run = self.run(args);
        assert_eq!(run.code, Some(2), "{} {args:?}: stderr:\n{}", self.name, run.stderr);
        assert!(run.stdout.is_empty(), "{} {args:?} printed on stdout:\n{}", self.name, run.stdout);
        for fragment in fragments {
            assert!(
                run.stderr.contains(fragment),
                "{} {args:?}: expected «{fragment}» in:\n{}",
                self.name,
                run.stderr
            );
        }
    }
}

/// The values of `DL_COURSE_SIMD`, lowest first: the instruction-set levels of `nn_engines`.
/// A level the CPU lacks runs as the best it has, so every value is a valid run anywhere.
pub const SIMD_LEVELS: [&str; 3] = ["scalar", "avx2", "avx512"];

impl Binary {
    /// Runs `args` (which ask for `--json`) once at each of [`SIMD_LEVELS`], and once more at
    /// the best level on one thread (`DL_COURSE_THREADS=1`), and checks that the reports are the
    /// same to the last bit, but for the training time: a printed number must depend neither on
    /// the instruction set nor on the number of cores. Returns the report.
    pub fn assert_same_at_every_simd_level(&self, args: &[&str]) -> Value {
        let settings: Vec<(&str, &str)> = SIMD_LEVELS
            .iter()
            .map(|&level| (level, "default"))
            .chain([(SIMD_LEVELS[SIMD_LEVELS.len() - 1], "1")])
            .collect();
        let reports: Vec<Value> = settings
            .iter()
            .map(|&(level, threads)| {
                let mut command = self.command(args);
                command.env("DL_COURSE_SIMD", level);
                if threads != "default" {
                    command.env("DL_COURSE_THREADS", threads);
                }
                let mut report = run(command).json();
                report["training_seconds"] = Value::Null;
                report
            })
            .collect();
        for ((level, threads), report) in settings.iter().zip(&reports).skip(1) {
            assert_eq!(
                report, &reports[0],
                "{} {args:?}: {level} with {threads} threads differs from scalar",
                self.name
            );
        }
        reports.into_iter().next().unwrap_or(Value::Null)
    }
}

/// What one run of a binary did.
#[derive(Debug)]
pub struct Run {
    /// The exit code (`None` when killed by a signal: a crash).
    pub code: Option<i32>,
    /// Everything printed on stdout.
    pub stdout: String,
    /// Everything printed on stderr.
    pub stderr: String,
}

impl Run {
    /// The line that starts with `error:` (clap's and the binaries' own), or the first line.
    pub fn error_line(&self) -> &str {
        self.stderr
            .lines()
            .find(|line| line.starts_with("error:"))
            .or_else(|| self.stderr.lines().next())
            .unwrap_or("")
    }

    /// stdout as one JSON object, after checking that the run succeeded.
    pub fn json(&self) -> Value {
        assert_eq!(self.code, Some(0), "the run failed:\n{}", self.stderr);
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}):\n{}", self.stdout))
    }
}

/// Runs `command` to completion.
pub fn run(mut command: Command) -> Run {
    let output = command.output().unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Checks that `report` has the keys every binary's `--json` report has
/// (`linalg_nn::cli::RunReport::KEYS`, docs/reference/json.md), with their types: `assignment` is
/// `assignment`, costs are `[iteration, cost]` pairs at increasing iterations, accuracies are
/// percentages. Values a run may skip (`hw3-deep --model-file`) may be `null`.
pub fn assert_report_schema(report: &Value, assignment: &str) {
    let object = report.as_object().unwrap_or_else(|| panic!("not a JSON object: {report}"));
    for key in linalg_nn::cli::RunReport::KEYS {
        assert!(object.contains_key(key), "{assignment}: no {key:?} in {report}");
    }
    assert_eq!(report["assignment"], assignment);
    let nullable = |key: &str, check: fn(&Value) -> bool| {
        let value = &report[key];
        assert!(value.is_null() || check(value), "{assignment}: {key} = {value}");
    };
    nullable("engine", Value::is_string);
    nullable("seed", Value::is_u64);
    nullable("num_iterations", Value::is_u64);
    nullable("learning_rate", Value::is_f64);
    nullable("training_seconds", Value::is_f64);
    let percent = |v: &Value| v.as_f64().is_some_and(|p| (0.0..=100.0).contains(&p));
    nullable("train_accuracy", percent);
    nullable("test_accuracy", percent);
    let costs = report["costs"].as_array().unwrap_or_else(|| panic!("costs: {report}"));
    let mut previous = None;
    for pair in costs {
        let iteration = pair[0].as_u64().unwrap_or_else(|| panic!("cost pair {pair}"));
        // An infinite cost (hw4-initialization's `randn * 10` start) is null: JSON has no inf.
        let cost = &pair[1];
        assert!((cost.is_f64() || cost.is_null()) && pair.as_array().unwrap().len() == 2, "{pair}");
        assert!(previous < Some(iteration), "costs not in iteration order: {report}");
        previous = Some(iteration);
    }
    assert!(report["figures"].as_array().unwrap().iter().all(Value::is_string), "{report}");
}

/// Checks that `text` (what a run printed) contains every one of `needles`.
pub fn assert_contains_all(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

/// Checks that `dir` is missing or empty: a failed or figure-less run wrote nothing.
pub fn assert_empty_dir(dir: &Path) {
    let entries: Vec<_> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().file_name()).collect(),
        Err(_) => Vec::new(),
    };
    assert!(entries.is_empty(), "{} holds {entries:?}", dir.display());
}

/// The rest of every line of `text` that starts with `prefix`, in order:
/// `lines_after(stdout, "Cost after iteration ")` gives `["0: 0.693147", "100: 0.584508", ...]`.
pub fn lines_after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.lines().filter_map(|line| line.strip_prefix(prefix)).collect()
}

impl Binary {
    /// The binary with `args`, without the privilege to read other users' files: tests often
    /// run as root, who may read a file of mode 000, so then the binary is started through
    /// `setpriv` as user and group 65534 (nobody). `probe` is such a file: if this process can
    /// read it, it is privileged.
    pub fn unprivileged(&self, probe: &Path, args: &[&str]) -> Command {
        if std::fs::read(probe).is_err() {
            return self.command(args);
        }
        let mut command = Command::new("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups", self.path]);
        self.prepare(command, args)
    }

    /// The binary with `args`, its files limited to `kib` KiB, as on a full disk: writes past
    /// the limit fail with EFBIG ("File too large") instead of killing the process, because
    /// SIGXFSZ is ignored. Root is bound by the limit too.
    pub fn with_full_disk(&self, kib: u32, args: &[&str]) -> Command {
        let mut command = Command::new("sh");
        // POSIX sh counts `ulimit -f` in 512-byte blocks.
        let script = format!("trap '' XFSZ; ulimit -f {}; exec \"$0\" \"$@\"", kib * 2);
        command.args(["-c", &script, self.path]);
        self.prepare(command, args)
    }
}

/// Every file under `dir` (recursively), relative to it, sorted; empty when `dir` is missing.
pub fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path.strip_prefix(dir).unwrap_or(&path).to_path_buf());
            }
        }
    }
    found.sort();
    found
}
