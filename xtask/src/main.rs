//! `cargo xtask`: the repository's chores (matklad's xtask pattern). This file only parses the
//! command line and dispatches; the work is in the `xtask` library.

#![forbid(unsafe_code)]

use clap::{Args, Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use xtask::fetch::{FetchOptions, Source, fetch_all};
use xtask::manifest::Manifest;
use xtask::plots::PlotOptions;
use xtask::test_cmd::{TestOptions, run as run_tests};
use xtask::{default_data_dir, default_datasets_dir, workspace_root};

/// Repository chores for dl-course-rs.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// One variant per subcommand.
#[derive(Debug, Subcommand)]
enum Command {
    /// Download the course's data files (or copy them from --from DIR) into datasets/,
    /// verifying their size and SHA-256.
    FetchData(FetchDataArgs),
    /// Fetch the data files, then run `cargo test --workspace` with DL_COURSE_DATA set.
    Test(TestArgs),
    /// Run every assignment with the docs' presets and regenerate the figures and the numbers
    /// table (results.md) in docs/figures/.
    Plots(PlotsArgs),
    /// Time every course preset (wall time, peak memory) against the numpy port of the
    /// notebooks in numpy-reference/ when python3 with numpy is installed (docs/reference/performance.md).
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
struct FetchDataArgs {
    /// Copy the files from this local mirror folder instead of downloading them.
    #[arg(long, value_name = "DIR")]
    from: Option<PathBuf>,
    /// Fetch again even if a verified copy is already present.
    #[arg(long)]
    force: bool,
    /// Folder to put the files in.
    #[arg(long, value_name = "DIR", default_value_os_t = default_datasets_dir())]
    dest: PathBuf,
}

#[derive(Debug, Args)]
struct TestArgs {
    /// Copy the data files from this local mirror folder instead of downloading them.
    #[arg(long, value_name = "DIR")]
    from: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct BenchArgs {
    /// Runs of each program; the median is reported.
    #[arg(long, value_name = "N", default_value_t = 3)]
    reps: usize,
    /// Untimed runs of each program before its timed ones (a machine waking from the idle wait
    /// before the first run runs it slower).
    #[arg(long, value_name = "N", default_value_t = 1)]
    warmup: usize,
    /// Only the runs whose name contains this text (hw1, hw2, hw3, two-layer, deep); repeatable.
    #[arg(long, value_name = "NAME")]
    only: Vec<String>,
    /// Also measure the time per iteration against m (tiled data) and the first layer's width.
    #[arg(long)]
    scaling: bool,
    /// Report ours only, even if numpy is installed.
    #[arg(long)]
    no_numpy: bool,
    /// Use the release binaries as they are instead of running cargo build --release first.
    #[arg(long)]
    skip_build: bool,
    /// Folder holding the cat data files (default: $DL_COURSE_DATA, else datasets/).
    #[arg(long, value_name = "DIR", default_value_os_t = default_data_dir())]
    data_dir: PathBuf,
}

#[derive(Debug, Args)]
struct PlotsArgs {
    /// Folder to write the figures to.
    #[arg(long, value_name = "DIR", default_value_os_t = workspace_root().join("docs").join("figures"))]
    out: PathBuf,
    /// Train a few iterations per run only (a quick check of the pipeline; the figures are not
    /// the docs' ones).
    #[arg(long)]
    quick: bool,
    /// Folder holding the cat data files (default: $DL_COURSE_DATA, else datasets/).
    #[arg(long, value_name = "DIR", default_value_os_t = default_data_dir())]
    data_dir: PathBuf,
}

fn main() -> ExitCode {
    // clap exits with code 2 on a usage error.
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<ExitCode> {
    let manifest = Manifest::embedded()?;
    let progress = std::io::stderr().is_terminal();
    match command {
        Command::FetchData(args) => {
            let options = FetchOptions {
                dest: args.dest,
                source: args.from.map_or(Source::Mirrors, Source::LocalDir),
                force: args.force,
                progress,
            };
            fetch_all(&manifest, &options, |report| eprintln!("{report}"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Plots(args) => {
            let options = PlotOptions {
                workspace_root: workspace_root(),
                out_dir: args.out,
                data_dir: args.data_dir,
                quick: args.quick,
            };
            // course-tools prints the count and its own time on stderr.
            xtask::plots::run(&options, &mut |line| println!("{line}"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(args) => {
            let options = xtask::bench::BenchOptions {
                workspace_root: workspace_root(),
                data_dir: args.data_dir,
                repetitions: args.reps,
                warmup: args.warmup,
                only: args.only,
                scaling: args.scaling,
                no_numpy: args.no_numpy,
                skip_build: args.skip_build,
            };
            xtask::bench::run(&options, &mut |line| println!("{line}"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Test(args) => run_tests(
            &manifest,
            &TestOptions {
                from: args.from,
                data_dir: default_datasets_dir(),
                workspace_root: workspace_root(),
                progress,
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use std::path::Path;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn fetch_data_defaults_to_the_workspace_datasets_folder_and_mirrors() {
        let cli = Cli::try_parse_from(["xtask", "fetch-data"]).unwrap();
        let Command::FetchData(args) = cli.command else { panic!("parsed {cli:?}") };
        assert_eq!(args.from, None);
        assert!(!args.force);
        let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(args.dest, xtask_dir.parent().unwrap().join("datasets"));
        assert!(args.dest.join("manifest.txt").is_file(), "{}", args.dest.display());
    }

    #[test]
    fn fetch_data_takes_from_force_and_dest() {
        let cli = Cli::try_parse_from([
            "xtask",
            "fetch-data",
            "--from",
            "../shared/datasets",
            "--force",
            "--dest",
            "/tmp/d",
        ])
        .unwrap();
        let Command::FetchData(args) = cli.command else { panic!("parsed {cli:?}") };
        assert_eq!(args.from.as_deref(), Some(Path::new("../shared/datasets")));
        assert!(args.force);
        assert_eq!(args.dest, Path::new("/tmp/d"));
    }

    #[test]
    fn test_takes_an_optional_mirror_folder() {
        let cli = Cli::try_parse_from(["xtask", "test", "--from", "../shared/datasets"]).unwrap();
        let Command::Test(args) = cli.command else { panic!("parsed {cli:?}") };
        assert_eq!(args.from.as_deref(), Some(Path::new("../shared/datasets")));
        let cli = Cli::try_parse_from(["xtask", "test"]).unwrap();
        let Command::Test(args) = cli.command else { panic!("parsed {cli:?}") };
        assert_eq!(args.from, None);
    }

    #[test]
    fn plots_writes_to_docs_figures_with_the_full_budget_unless_told_otherwise() {
        let cli = Cli::try_parse_from(["xtask", "plots"]).unwrap();
        let Command::Plots(args) = cli.command else { panic!("parsed {cli:?}") };
        let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(args.out, xtask_dir.parent().unwrap().join("docs").join("figures"));
        assert!(!args.quick);
        let cli = Cli::try_parse_from([
            "xtask",
            "plots",
            "--quick",
            "--out",
            "/tmp/f",
            "--data-dir",
            "/tmp/d",
        ])
        .unwrap();
        let Command::Plots(args) = cli.command else { panic!("parsed {cli:?}") };
        assert!(args.quick);
        assert_eq!(args.out, Path::new("/tmp/f"));
        assert_eq!(args.data_dir, Path::new("/tmp/d"));
    }

    #[test]
    fn bench_takes_repetitions_filters_and_flags() {
        let cli = Cli::try_parse_from(["xtask", "bench"]).unwrap();
        let Command::Bench(args) = cli.command else { panic!("parsed {cli:?}") };
        assert_eq!(
            (args.reps, args.warmup, args.scaling, args.no_numpy, args.skip_build),
            (3, 1, false, false, false)
        );
        assert!(args.only.is_empty());
        let cli = Cli::try_parse_from([
            "xtask",
            "bench",
            "--reps",
            "5",
            "--warmup",
            "0",
            "--only",
            "hw1",
            "--only",
            "deep",
            "--scaling",
            "--no-numpy",
            "--skip-build",
        ])
        .unwrap();
        let Command::Bench(args) = cli.command else { panic!("parsed {cli:?}") };
        assert_eq!((args.reps, args.warmup), (5, 0));
        assert_eq!(args.only, ["hw1", "deep"]);
        assert!(args.scaling && args.no_numpy && args.skip_build);
        assert_eq!(
            Cli::try_parse_from(["xtask", "bench", "--reps", "x"]).unwrap_err().exit_code(),
            2
        );
    }

    #[test]
    fn usage_errors_exit_with_code_two() {
        for argv in [
            vec!["xtask"],
            vec!["xtask", "fetch-data", "--from"],
            vec!["xtask", "test", "--force"],
            vec!["xtask", "no-such-command"],
        ] {
            let err = Cli::try_parse_from(&argv).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{argv:?}: {err}");
        }
    }
}
