//! `course-tools`: the command line of the chores `cargo xtask` runs as a child process. It only
//! parses and dispatches; the work is in the `course_tools` library.

#![forbid(unsafe_code)]

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use course_tools::export::{export_npy, export_tiled_h5};
use course_tools::figures::{Budget, PlotOptions};
use linalg_nn::data::load_dataset;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// The chores `cargo xtask plots` and `cargo xtask bench` run.
#[derive(Debug, Parser)]
#[command(name = "course-tools", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// One variant per subcommand.
#[derive(Debug, Subcommand)]
enum Command {
    /// Train every assignment with the docs' presets and write the figures and results.md
    /// (`cargo xtask plots`). Prints a `wrote PATH` line per file.
    Figures {
        /// Folder to write the figures to.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Folder holding the course's data files (the two cat `.h5` files, the football `.mat`).
        #[arg(long, value_name = "DIR")]
        data_dir: PathBuf,
        /// Train a few iterations per run only (a check of the pipeline).
        #[arg(long)]
        quick: bool,
    },
    /// Write the cat pictures as `.npy` files or as a tiled `.h5` pair (`cargo xtask bench`).
    /// Prints the number of training examples written.
    ExportCat {
        /// Folder holding the course's data files (the two cat `.h5` files, the football `.mat`).
        #[arg(long, value_name = "DIR")]
        data_dir: PathBuf,
        /// Folder to write the files to (created if needed).
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        /// `npy`: the four `.npy` files of the numpy reference; `h5`: the course's two files.
        #[arg(long, value_name = "FORMAT")]
        format: Format,
        /// How many times the training set is repeated.
        #[arg(long, value_name = "N", default_value_t = 1)]
        tile: usize,
    },
}

/// What `export-cat` writes.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    /// `train_set_x.npy`, `train_set_y.npy`, `test_set_x.npy`, `test_set_y.npy`.
    Npy,
    /// `train_catvnoncat.h5` (tiled) and a copy of `test_catvnoncat.h5`.
    H5,
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<()> {
    match command {
        Command::Figures { out, data_dir, quick } => {
            let options = PlotOptions {
                out_dir: out,
                data_dir,
                budget: if quick { Budget::QUICK } else { Budget::FULL },
            };
            let started = Instant::now();
            let written = course_tools::figures::run(&options, &mut |line| println!("{line}"))?;
            eprintln!("{} files in {:.1} s", written.len(), started.elapsed().as_secs_f64());
        }
        Command::ExportCat { data_dir, to, format, tile } => {
            anyhow::ensure!(tile >= 1, "--tile must be at least 1");
            let data = load_dataset(&data_dir).with_context(|| {
                format!("cannot load the cat / non-cat pictures from {}", data_dir.display())
            })?;
            match format {
                Format::Npy => export_npy(&data, &to, tile)?,
                Format::H5 => export_tiled_h5(&data, &data_dir, &to, tile)?,
            }
            println!("{}", data.train.m() * tile);
        }
    }
    Ok(())
}
