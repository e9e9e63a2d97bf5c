//! The `hw2-planar` binary against hostile command lines: every flag with out-of-range,
//! non-numeric or unknown values (usage errors, exit 2, nothing on stdout or on disk), layer
//! sizes that would not fit in memory (refused by the parser instead of aborting on a failed
//! allocation), a learning rate that diverges (exit 1, no accuracy or figure pretends it
//! trained), and an output folder that cannot be created or a disk that fills up (exit 1, the
//! path named, nothing half-written). Builds the "hw2-planar" table of docs/reference/reliability.md.

// The parts of linalg-nn's hostile-test support that need no HDF5; each serves several crates.
#[allow(dead_code)]
#[path = "../../linalg-nn/tests/hostile_support/cli.rs"]
mod cli;
#[allow(dead_code)]
#[path = "../../linalg-nn/tests/hostile_support/report.rs"]
mod report;

use cli::{Binary, CliTable, REFUSED_LEARNING_RATES, files_under};
use report::Section;

const HW2: Binary =
    Binary { path: env!("CARGO_BIN_EXE_hw2-planar"), name: "hw2-planar", reads_data: false };

#[test]
fn hostile_command_lines() {
    let mut t = CliTable::new(
        HW2,
        Section::new(
            "hw2-cli",
            "hw2-planar: arguments, outputs, divergence",
            "`cargo run -p hw2-planar -- ARGS` (the planar data sets are generated, so no data \
             file is read). Usage errors exit with 2 and print nothing on stdout; failures exit \
             with 1; `$TMP` is a temporary folder.",
        ),
    );
    let tmp = t.tmp().to_path_buf();
    let out = tmp.join("out");

    t.expect_usage_errors(
        &[
            (
                "unknown preset",
                &["--preset", "fast"],
                "unknown preset 'fast': expected one of notes (the default), course",
            ),
            ("zero epochs", &["--epochs", "0"], "must be at least 1, got 0"),
            ("negative epochs", &["--epochs", "-1"], "'-1' is not a whole number >= 1"),
            ("non-numeric epochs", &["--epochs", "many"], "'many' is not a whole number >= 1"),
        ],
        &out,
    );
    t.expect_usage_errors(&REFUSED_LEARNING_RATES, &out);
    t.expect_usage_errors(
        &[
            (
                "zero-width hidden layer",
                &["--hidden", "0"],
                "'--hidden <N_H>': must be at least 1, got 0",
            ),
            ("negative hidden width", &["--hidden", "-3"], "'-3' is not a whole number >= 1"),
            (
                "hidden layer too wide for memory",
                &["--hidden", "4000000000"],
                "4000000000 units is too wide: a layer may have at most 65536",
            ),
            ("hidden width beyond 64 bits", &["--hidden", "18446744073709551616"], "is too large"),
            (
                "unknown activation",
                &["--activation", "softsign"],
                "unknown activation 'softsign': expected one of sigmoid, tanh, relu, leaky-relu",
            ),
            (
                "negative seed",
                &["--seed", "-1"],
                "'-1' is not a seed: expected a whole number from 0 to 4294967295",
            ),
            ("seed beyond 32 bits", &["--seed", "4294967296"], "'4294967296' is not a seed"),
            (
                "unknown data set",
                &["--dataset", "spirals"],
                "unknown dataset 'spirals': expected one of flower, noisy-circles, noisy-moons, \
                 blobs, gaussian-quantiles, no-structure",
            ),
            (
                "zero in a sweep",
                &["--sweep", "4,0,2"],
                "'--sweep <SIZES>': item 2 ('0'): must be at least 1, got 0",
            ),
            (
                "empty sweep item",
                &["--sweep", "1,,3"],
                "item 2 (''): '' is not a whole number >= 1",
            ),
            (
                "sweep size too wide for memory",
                &["--sweep", "1,100000"],
                "item 2 ('100000'): 100000 units is too wide",
            ),
            ("unknown flag", &["--hiden", "4"], "unexpected argument '--hiden'"),
        ],
        &out,
    );

    // Divergence: stops with advice; no accuracy, figure or JSON.
    let diverging = tmp.join("diverging");
    t.expect_divergence(
        &[
            "--learning-rate",
            "1e300",
            "--epochs",
            "50",
            "--json",
            "--out",
            diverging.to_str().unwrap(),
        ],
        &[
            "training diverged at iteration 1",
            "learning rate 1e300; try a smaller --learning-rate (e.g. 1e299)",
        ],
        "Accuracy",
    );
    assert!(
        files_under(&diverging).is_empty(),
        "a diverged run wrote {:?}",
        files_under(&diverging)
    );
    t.note_above(
        "divergence: no pretended results",
        "no accuracy, no JSON, no figure",
        "stdout empty, no Accuracy line, no file written",
    );

    // Outputs.
    t.expect_out_under_a_file(
        "output folder under a file",
        &["--epochs", "1"],
        "creating the figure folder $TMP/a-file/figures",
    );
    let full = tmp.join("full");
    t.expect_disk_full(
        "disk full while writing a figure",
        &["--epochs", "1", "--out", full.to_str().unwrap()],
        "cannot write $TMP/full/flower.png: File too large",
        &full,
    );

    t.section.publish();
}
