//! Running an assignment binary the way a learner would, with hostile arguments and files, and
//! turning each run into a row of the reliability table: the exit code, the `error:` line, and
//! what was (not) written.

use super::report::{Section, sanitize};
use std::path::{Path, PathBuf};
use std::process::Command;

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

/// A command for `binary` that runs without the privilege to read other users' files: tests
/// often run as root, who may read a file of mode 000, so then the binary is started through
/// `setpriv` as user and group 65534 (nobody). `probe` is such a file: if this process can read
/// it, it is privileged.
pub fn unprivileged(binary: &str, probe: &Path) -> Command {
    if std::fs::read(probe).is_err() {
        return Command::new(binary);
    }
    let mut command = Command::new("setpriv");
    command.args(["--reuid=65534", "--regid=65534", "--clear-groups", binary]);
    command
}

/// A command for `binary` whose files may grow to at most `kib` KiB, as on a full disk: writes
/// past the limit fail with EFBIG ("File too large") instead of killing the process, because
/// SIGXFSZ is ignored. Root is bound by the limit too.
pub fn with_full_disk(binary: &str, kib: u32) -> Command {
    let mut command = Command::new("sh");
    // POSIX sh counts `ulimit -f` in 512-byte blocks.
    let script = format!("trap '' XFSZ; ulimit -f {}; exec \"$0\" \"$@\"", kib * 2);
    command.args(["-c", &script, binary]);
    command
}

/// Every file under `dir` (recursively), relative to it, sorted; empty when `dir` is missing.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
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

/// A table of command-line cases for one binary.
pub struct CliTable {
    /// The section the rows go to.
    pub section: Section,
    /// The binary's name as a learner types it.
    pub name: &'static str,
    /// Machine-specific paths and the names they are shown under.
    pub replacements: Vec<(PathBuf, String)>,
}

impl CliTable {
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
        let input = self.clean(&format!("{} {}", self.name, args.join(" ")));
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

    /// Checks that `run` succeeded and printed a stdout line containing `marker`, and records
    /// that line as the observation.
    pub fn expect_success(&mut self, case: &str, args: &[&str], run: Run, marker: &str) -> Run {
        let input = self.clean(&format!("{} {}", self.name, args.join(" ")));
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
        let input = self.clean(&format!("{} {}", self.name, args.join(" ")));
        let observed = self.clean(observed);
        self.section.row(case, input, expected, observed);
    }
}
