//! The `hw1-logreg` binary against hostile command lines and files: every flag with
//! out-of-range, non-numeric or missing values (usage errors, exit 2, nothing on stdout), data
//! folders that are empty, unreadable, cut short or mixed up, pictures that are not pictures,
//! an output folder that cannot be created or a disk that fills up (exit 1, the path named, no
//! file left half-written), a learning rate that diverges (exit 1, no result pretended), and a
//! grey picture converted rather than rejected. Builds the "hw1-logreg" table of
//! docs/reference/reliability.md.
//!
//! Reads the real data (`$DL_COURSE_DATA` or `datasets/`) and FAILS when it is missing.

// The parts of linalg-nn's hostile-test support that need no HDF5; each serves several crates.
#[allow(dead_code)]
#[path = "../../linalg-nn/tests/hostile_support/cli.rs"]
mod cli;
#[allow(dead_code)]
#[path = "../../linalg-nn/tests/hostile_support/report.rs"]
mod report;

use cli::{Binary, CliTable, REFUSED_LEARNING_RATES, files_under, run};
use linalg_nn::data::default_data_dir;
use report::Section;
use std::path::Path;

const HW1: Binary =
    Binary { path: env!("CARGO_BIN_EXE_hw1-logreg"), name: "hw1-logreg", reads_data: true };

/// A data folder with copies of the real files, for damaging one of them.
fn data_copy(root: &Path, name: &str) -> std::path::PathBuf {
    let dir = root.join(name);
    std::fs::create_dir(&dir).unwrap();
    for file in ["train_catvnoncat.h5", "test_catvnoncat.h5"] {
        std::fs::copy(default_data_dir().join(file), dir.join(file))
            .unwrap_or_else(|e| panic!("the hostile CLI tests need the course files: {file}: {e}"));
    }
    dir
}

#[test]
fn hostile_command_lines_and_files() {
    let mut t = CliTable::new(
        HW1,
        Section::new(
            "hw1-cli",
            "hw1-logreg: arguments, files, outputs, divergence",
            "`cargo run -p hw1-logreg -- ARGS`. Usage errors exit with 2 and print nothing on \
             stdout; failures exit with 1, naming the file or flag; `$TMP` is a temporary folder.",
        ),
    );
    let tmp = t.tmp().to_path_buf();
    let out = tmp.join("out");
    let out_arg = out.to_str().unwrap().to_owned();

    // Flags: every usage error leaves the output folder untouched.
    t.expect_usage_errors(
        &[
            ("zero epochs", &["--epochs", "0"], "must be at least 1, got 0"),
            ("negative epochs", &["--epochs", "-5"], "'-5' is not a whole number >= 1"),
            ("non-numeric epochs", &["--epochs", "ten"], "'ten' is not a whole number >= 1"),
            ("epochs in float notation", &["--epochs", "1e3"], "'1e3' is not a whole number >= 1"),
            ("epochs beyond 64 bits", &["--epochs", "18446744073709551616"], "is too large"),
        ],
        &out,
    );
    t.expect_usage_errors(&REFUSED_LEARNING_RATES, &out);
    t.expect_usage_errors(
        &[
            (
                "infinite learning rate",
                &["--learning-rate", "inf"],
                "must be a positive finite number, got inf",
            ),
            (
                "learning rate overflowing f64",
                &["--learning-rate", "1e400"],
                "must be a positive finite number",
            ),
            ("non-numeric learning rate", &["--learning-rate", "fast"], "'fast' is not a number"),
            (
                "unknown engine",
                &["--engine", "turbo"],
                "unknown engine 'turbo': expected direct, gram or auto",
            ),
            ("flag without its value", &["--image"], "a value is required for '--image <PATH>'"),
            ("value for a switch", &["--compare-learning-rates=yes"], "unexpected value 'yes'"),
            ("unknown flag", &["--epoch", "10"], "unexpected argument '--epoch'"),
        ],
        &out,
    );

    // Data folders.
    let empty = tmp.join("empty");
    std::fs::create_dir(&empty).unwrap();
    t.expect_failure(
        "empty data folder",
        &["--data-dir", empty.to_str().unwrap(), "--out", &out_arg],
        &["train_catvnoncat.h5: file not found", "cargo xtask fetch-data"],
    );

    let locked = data_copy(&tmp, "locked");
    let train = locked.join("train_catvnoncat.h5");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&train, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let command =
        HW1.unprivileged(&train, &["--data-dir", locked.to_str().unwrap(), "--out", &out_arg]);
    t.expect(
        "file without read permission",
        &["--data-dir", "$TMP/locked (mode 000 train file)", "--out", &out_arg],
        run(command),
        1,
        &["train_catvnoncat.h5: cannot read the file: Permission denied"],
    );

    let cut = data_copy(&tmp, "cut");
    let bytes = std::fs::read(cut.join("train_catvnoncat.h5")).unwrap();
    std::fs::write(cut.join("train_catvnoncat.h5"), &bytes[..bytes.len() / 2]).unwrap();
    t.expect_failure(
        "half-downloaded data file",
        &["--data-dir", cut.to_str().unwrap(), "--out", &out_arg],
        &["train_catvnoncat.h5: corrupt file", "more than the whole file"],
    );

    let swapped = data_copy(&tmp, "swapped");
    std::fs::copy(swapped.join("train_catvnoncat.h5"), swapped.join("test_catvnoncat.h5")).unwrap();
    t.expect_failure(
        "training file copied over the test file",
        &["--data-dir", swapped.to_str().unwrap(), "--out", &out_arg],
        &["test_catvnoncat.h5: dataset \"test_set_x\" not found"],
    );

    let folder = tmp.join("folder");
    std::fs::create_dir_all(folder.join("train_catvnoncat.h5")).unwrap();
    t.expect_failure(
        "a directory named like the data file",
        &["--data-dir", folder.to_str().unwrap(), "--out", &out_arg],
        &["this is a directory, expected a file"],
    );
    assert!(!out.exists(), "a data failure created the output folder");

    // Pictures: refused before training.
    let text = tmp.join("cat.png");
    std::fs::write(&text, "not a picture").unwrap();
    t.expect_failure(
        "text file named .png",
        &["--image", text.to_str().unwrap(), "--out", &out_arg],
        &["--image $TMP/cat.png", "not a PNG or JPEG"],
    );
    let jpeg = {
        let picture = image::RgbImage::from_fn(64, 64, |x, y| {
            image::Rgb([(x * 4) as u8, (y * 4) as u8, ((x + y) * 2) as u8])
        });
        let mut bytes = std::io::Cursor::new(Vec::new());
        picture.write_to(&mut bytes, image::ImageFormat::Jpeg).unwrap();
        bytes.into_inner()
    };
    let cut_jpeg = tmp.join("cut.jpg");
    // Three quarters: past the headers, inside the picture's data.
    std::fs::write(&cut_jpeg, &jpeg[..jpeg.len() * 3 / 4]).unwrap();
    t.expect_failure(
        "truncated JPEG",
        &["--image", cut_jpeg.to_str().unwrap(), "--out", &out_arg],
        &["$TMP/cut.jpg", "the file is cut short"],
    );
    let missing = tmp.join("missing.jpg");
    t.expect_failure(
        "missing picture",
        &["--image", missing.to_str().unwrap(), "--out", &out_arg],
        &["$TMP/missing.jpg: file not found"],
    );
    assert!(!out.exists(), "a refused picture created the output folder");

    // Outputs.
    t.expect_out_under_a_file(
        "output folder under a file",
        &["--epochs", "1"],
        "cannot create the figure folder $TMP/a-file/figures (--out)",
    );
    let full = tmp.join("full");
    t.expect_disk_full(
        "disk full while writing a figure",
        &["--epochs", "1", "--out", full.to_str().unwrap()],
        "cannot write $TMP/full/train_sample.png: File too large",
        &full,
    );

    // Divergence: the run stops; no accuracy, cost curve or JSON pretends it trained.
    let diverging = tmp.join("diverging");
    t.expect_divergence(
        &[
            "--learning-rate",
            "1000",
            "--epochs",
            "50",
            "--json",
            "--out",
            diverging.to_str().unwrap(),
        ],
        &["diverged at iteration 1", "try a smaller --learning-rate (e.g. 100)"],
        "accuracy",
    );
    let written = files_under(&diverging);
    assert!(!written.iter().any(|p| p.to_string_lossy().contains("cost_curve")), "{written:?}");
    t.note_above(
        "divergence: no pretended results",
        "no accuracy, no JSON, no cost curve",
        &format!("stdout empty; files written before training only: {written:?}"),
    );

    // A grey picture is converted, not rejected.
    let grey = tmp.join("grey.png");
    image::GrayImage::from_pixel(80, 60, image::Luma([128])).save(&grey).unwrap();
    let args = ["--epochs", "1", "--quiet", "--image", grey.to_str().unwrap(), "--out", &out_arg];
    t.expect_success("grayscale picture", &args, "grey.png");
    assert!(out.join("my_image.png").is_file());

    t.section.publish();
}
