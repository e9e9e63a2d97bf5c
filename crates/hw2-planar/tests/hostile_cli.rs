//! The `hw2-planar` binary against hostile command lines: every flag with out-of-range,
//! non-numeric or unknown values (usage errors, exit 2, nothing on stdout or on disk), layer
//! sizes that would not fit in memory (refused by the parser instead of aborting on a failed
//! allocation), a learning rate that diverges (exit 1, no accuracy or figure pretends it
//! trained), and an output folder that cannot be created or a disk that fills up (exit 1, the
//! path named, nothing half-written). Builds the "hw2-planar" table of docs/reliability.md.

// The parts of linalg-nn's hostile-test support that need no HDF5; each serves several crates.
#[allow(dead_code)]
#[path = "../../linalg-nn/tests/hostile_support/cli.rs"]
mod cli;
#[allow(dead_code)]
#[path = "../../linalg-nn/tests/hostile_support/report.rs"]
mod report;

use cli::{CliTable, files_under, run, with_full_disk};
use report::Section;
use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_hw2-planar");

fn hw2(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args);
    command
}

#[test]
fn hostile_command_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let mut t = CliTable {
        section: Section::new(
            "hw2-cli",
            "hw2-planar: arguments, outputs, divergence",
            "`cargo run -p hw2-planar -- ARGS` (the planar data sets are generated, so no data \
             file is read). Usage errors exit with 2 and print nothing on stdout; failures exit \
             with 1; `$TMP` is a temporary folder.",
        ),
        name: "hw2-planar",
        replacements: vec![(tmp.path().to_path_buf(), "$TMP".to_owned())],
    };
    let out = tmp.path().join("out");
    let out_arg = out.to_str().unwrap().to_owned();

    let usage: &[(&str, &[&str], &str)] = &[
        ("unknown preset", &["--preset", "fast"], "unknown preset 'fast'"),
        ("zero epochs", &["--epochs", "0"], "must be at least 1, got 0"),
        ("negative epochs", &["--epochs", "-1"], "'-1' is not a whole number >= 1"),
        ("non-numeric epochs", &["--epochs", "many"], "'many' is not a whole number >= 1"),
        (
            "zero learning rate",
            &["--learning-rate", "0"],
            "must be a positive finite number, got 0",
        ),
        (
            "negative learning rate",
            &["--learning-rate", "-0.5"],
            "must be a positive finite number, got -0.5",
        ),
        (
            "NaN learning rate",
            &["--learning-rate", "NaN"],
            "must be a positive finite number, got NaN",
        ),
        ("zero-width hidden layer", &["--hidden", "0"], "must be at least 1, got 0"),
        ("negative hidden width", &["--hidden", "-3"], "'-3' is not a whole number >= 1"),
        (
            "hidden layer too wide for memory",
            &["--hidden", "4000000000"],
            "4000000000 units is too wide: a layer may have at most 65536",
        ),
        ("hidden width beyond 64 bits", &["--hidden", "18446744073709551616"], "is too large"),
        ("unknown activation", &["--activation", "softsign"], "unknown activation 'softsign'"),
        (
            "negative seed",
            &["--seed", "-1"],
            "'-1' is not a seed: expected a whole number from 0 to 4294967295",
        ),
        ("seed beyond 32 bits", &["--seed", "4294967296"], "'4294967296' is not a seed"),
        ("unknown data set", &["--dataset", "spirals"], "unknown dataset 'spirals'"),
        ("zero in a sweep", &["--sweep", "4,0,2"], "item 2 ('0'): must be at least 1, got 0"),
        ("empty sweep item", &["--sweep", "1,,3"], "item 2 (''): '' is not a whole number >= 1"),
        (
            "sweep size too wide for memory",
            &["--sweep", "1,100000"],
            "item 2 ('100000'): 100000 units is too wide",
        ),
        ("unknown flag", &["--hiden", "4"], "unexpected argument '--hiden'"),
    ];
    for (case, args, fragment) in usage {
        let mut all = args.to_vec();
        all.extend(["--out", &out_arg]);
        t.expect(case, args, run(hw2(&all)), 2, &[fragment]);
        assert!(!out.exists(), "{case}: a usage error created the output folder");
    }

    // Divergence: stops with advice; no accuracy, figure or JSON.
    let diverging = tmp.path().join("diverging");
    let args = [
        "--learning-rate",
        "1e300",
        "--epochs",
        "50",
        "--json",
        "--out",
        diverging.to_str().unwrap(),
    ];
    let result = t.expect(
        "diverging learning rate",
        &args,
        run(hw2(&args)),
        1,
        &[
            "training diverged at iteration 1",
            "learning rate 1e300; try a smaller --learning-rate (e.g. 1e299)",
        ],
    );
    assert!(result.stdout.is_empty(), "a diverged run printed a JSON report");
    assert!(!result.stderr.contains("Accuracy"), "{}", result.stderr);
    assert!(
        files_under(&diverging).is_empty(),
        "a diverged run wrote {:?}",
        files_under(&diverging)
    );
    t.note(
        "divergence: no pretended results",
        &["(the run above)"],
        "no accuracy, no JSON, no figure",
        "stdout empty, no Accuracy line, no file written",
    );

    // Outputs.
    let blocker = tmp.path().join("a-file");
    std::fs::write(&blocker, "in the way").unwrap();
    let blocked = blocker.join("figures");
    let args = ["--epochs", "1", "--out", blocked.to_str().unwrap()];
    t.expect(
        "output folder under a file",
        &args,
        run(hw2(&args)),
        1,
        &["creating the figure folder $TMP/a-file/figures"],
    );
    let full = tmp.path().join("full");
    let mut command = with_full_disk(BIN, 4);
    command.args(["--epochs", "1", "--out", full.to_str().unwrap()]);
    t.expect(
        "disk full while writing a figure",
        &["--epochs", "1", "--out", "$TMP/full (4 KiB file size limit)"],
        run(command),
        1,
        &["cannot write $TMP/full/flower.png: File too large"],
    );
    assert_eq!(files_under(&full), Vec::<PathBuf>::new(), "a partial or temporary file was left");
    t.note(
        "disk full: nothing half-written",
        &["(the run above)"],
        "no file under the final name, no temporary file",
        "the folder is empty",
    );

    t.section.publish();
}
