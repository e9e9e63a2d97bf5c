//! Running an assignment binary the way a learner would, with hostile arguments and files, and
//! turning each run into a row of the reliability table: the exit code, the `error:` line, and
//! what was (not) written. The cases every binary meets alike (usage errors, a diverging
//! learning rate, an output folder that cannot be created, a full disk) are checked here once,
//! so the three `hostile_cli` tests hold them to the same rules.

use super::report::{Section, sanitize};
use linalg_nn::data::default_data_dir;
use std::path::{Path, PathBuf};

pub use test_support::cli::{Binary, Run, files_under, run};

/// A usage-error case: its name, the arguments, and a fragment the error line must contain.
pub type UsageCase = (&'static str, &'static [&'static str], &'static str);

/// Learning rates that `linalg_nn::cli::learning_rate`, the parser the binaries share, refuses:
/// hw1-logreg and hw2-planar list these three in their tables, one after the other.
pub const REFUSED_LEARNING_RATES: [UsageCase; 3] = [
    ("zero learning rate", &["--learning-rate", "0"], "must be a positive finite number, got 0"),
    (
        "negative learning rate",
        &["--learning-rate", "-0.5"],
        "must be a positive finite number, got -0.5",
    ),
    ("NaN learning rate", &["--learning-rate", "NaN"], "must be a positive finite number, got NaN"),
];

/// A table of command-line cases for one binary, with the temporary folder its cases use.
pub struct CliTable {
    /// The section the rows go to.
    pub section: Section,
    /// The binary the cases run.
    pub binary: Binary,
    /// Machine-specific paths and the names they are shown under.
    pub replacements: Vec<(PathBuf, String)>,
    /// Removed with the table, after the last case.
    tmp: tempfile::TempDir,
}

impl CliTable {
    /// An empty table for `binary`, with a fresh temporary folder shown as `$TMP` (and the data
    /// folder as `$DL_COURSE_DATA` when the binary reads it).
    pub fn new(binary: Binary, section: Section) -> Self {
        let tmp = tempfile::tempdir().expect("creates a temporary folder");
        // Readable by the unprivileged user of the permission cases (see [`Binary::unprivileged`]).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let mut replacements = vec![(tmp.path().to_path_buf(), "$TMP".to_owned())];
        if binary.reads_data {
            replacements.push((default_data_dir(), "$DL_COURSE_DATA".to_owned()));
        }
        CliTable { section, binary, replacements, tmp }
    }

    /// The temporary folder (`$TMP` in the table).
    pub fn tmp(&self) -> &Path {
        self.tmp.path()
    }

    /// Shows `text` with the machine-specific paths replaced.
    pub fn clean(&self, text: &str) -> String {
        let pairs: Vec<(&Path, &str)> =
            self.replacements.iter().map(|(p, n)| (p.as_path(), n.as_str())).collect();
        sanitize(text, &pairs)
    }

    /// Checks that `run` ended with exit code `code` and an error line containing every
    /// `fragment`, and records the row. Usage errors (code 2) must also print nothing on
    /// stdout. Returns the run for further checks.
    pub fn expect(
        &mut self,
        case: &str,
        args: &[&str],
        run: Run,
        code: i32,
        fragments: &[&str],
    ) -> Run {
        let input = self.clean(&format!("{} {}", self.binary.name, args.join(" ")));
        assert_eq!(run.code, Some(code), "{input}: stderr:\n{}", run.stderr);
        let line = self.clean(run.error_line());
        for fragment in fragments {
            assert!(line.contains(fragment), "{input}: expected «{fragment}» in «{line}»");
        }
        if code == 2 {
            assert!(run.stdout.is_empty(), "{input}: a usage error printed on stdout");
        }
        let kind = match code {
            0 => "success",
            1 => "failure",
            2 => "usage error",
            _ => "exit",
        };
        let expected = if fragments.is_empty() {
            format!("{kind} (exit {code})")
        } else {
            format!("{kind} (exit {code}), saying: {}", fragments.join(" ... "))
        };
        let observed =
            if line.is_empty() { format!("exit {code}") } else { format!("exit {code}: {line}") };
        self.section.row(case, input, expected, observed);
        run
    }

    /// Runs the binary with `args` and checks, as [`CliTable::expect`] does, that it failed
    /// (exit 1) with an error line containing every `fragment`.
    pub fn expect_failure(&mut self, case: &str, args: &[&str], fragments: &[&str]) -> Run {
        let result = run(self.binary.command(args));
        self.expect(case, args, result, 1, fragments)
    }

    /// Runs the binary with `args` and checks that it succeeded and printed a stdout line
    /// containing `marker`, and records that line as the observation.
    pub fn expect_success(&mut self, case: &str, args: &[&str], marker: &str) -> Run {
        let run = run(self.binary.command(args));
        let input = self.clean(&format!("{} {}", self.binary.name, args.join(" ")));
        assert_eq!(run.code, Some(0), "{input}: stderr:\n{}", run.stderr);
        let line = self.clean(
            run.stdout
                .lines()
                .find(|l| l.contains(marker))
                .unwrap_or_else(|| panic!("{input}: no line with «{marker}» in:\n{}", run.stdout)),
        );
        self.section.row(case, input, "success (exit 0)", format!("exit 0: {line}"));
        run
    }

    /// Records a row whose observation the caller has checked itself.
    pub fn note(&mut self, case: &str, args: &[&str], expected: &str, observed: &str) {
        let input = self.clean(&format!("{} {}", self.binary.name, args.join(" ")));
        let observed = self.clean(observed);
        self.section.row(case, input, expected, observed);
    }

    /// Records what the caller checked after the previous run, as a row of its own.
    pub fn note_above(&mut self, case: &str, expected: &str, observed: &str) {
        self.note(case, &["(the run above)"], expected, observed);
    }

    /// Runs every `(case, args, fragment)` with `--out out` added and checks that it is a usage
    /// error (exit 2, nothing on stdout, `fragment` in the error line) that did not create
    /// `out`: flags are checked before anything is written.
    pub fn expect_usage_errors(&mut self, cases: &[UsageCase], out: &Path) {
        let out_arg = out.to_str().expect("a UTF-8 temporary path");
        for (case, args, fragment) in cases {
            let mut all = args.to_vec();
            all.extend(["--out", out_arg]);
            let result = run(self.binary.command(&all));
            self.expect(case, args, result, 2, &[fragment]);
            assert!(!out.exists(), "{case}: a usage error created the output folder");
        }
    }

    /// Runs `args`, whose learning rate diverges, and checks that the run stops (exit 1, every
    /// `fragment` in the error line) without pretending it trained: no JSON report on stdout,
    /// no `accuracy` line (spelt as the binary prints it) on stderr. What it may have written
    /// differs between binaries and is left to the caller.
    pub fn expect_divergence(&mut self, args: &[&str], fragments: &[&str], accuracy: &str) -> Run {
        let result = self.expect_failure("diverging learning rate", args, fragments);
        assert!(result.stdout.is_empty(), "a diverged run printed a JSON report");
        assert!(!result.stderr.contains(accuracy), "{}", result.stderr);
        result
    }

    /// Runs `args` with `--out $TMP/a-file/figures`, a folder that cannot be created because
    /// `$TMP/a-file` is a file, and checks the failure names it (`fragment`).
    pub fn expect_out_under_a_file(&mut self, case: &str, args: &[&str], fragment: &str) {
        let blocker = self.tmp().join("a-file");
        std::fs::write(&blocker, "in the way").unwrap();
        let blocked = blocker.join("figures");
        let mut all = args.to_vec();
        all.extend(["--out", blocked.to_str().expect("a UTF-8 temporary path")]);
        self.expect_failure(case, &all, &[fragment]);
    }

    /// Runs `args`, whose last item is the file or folder written into, as on a full disk (every
    /// file at most 4 KiB), and checks that the run fails naming the file (`fragment`) and
    /// leaves nothing under `folder`: no partial file under the final name, no temporary file.
    /// Records the run and that check as two rows.
    pub fn expect_disk_full(&mut self, case: &str, args: &[&str], fragment: &str, folder: &Path) {
        let result = run(self.binary.with_full_disk(4, args));
        let (target, front) = args.split_last().expect("args end with the path written into");
        let limited = format!("{target} (4 KiB file size limit)");
        let shown: Vec<&str> = front.iter().copied().chain([limited.as_str()]).collect();
        self.expect(case, &shown, result, 1, &[fragment]);
        assert_eq!(
            files_under(folder),
            Vec::<PathBuf>::new(),
            "a partial or temporary file was left"
        );
        self.note_above(
            "disk full: nothing half-written",
            "no file under the final name, no temporary file",
            "the folder is empty",
        );
    }
}
