//! The `hw3-deep` binary against hostile command lines and files: every flag with out-of-range,
//! non-numeric or unknown values (usage errors, exit 2, nothing on stdout), layer lists that do
//! not fit the data or would not fit in memory, saved models that are missing, unreadable, cut
//! short, not models, or trained for another network, pictures that are not pictures, a
//! learning rate that diverges (exit 1, no model saved, no result pretended), and outputs that
//! cannot be written or fill the disk (exit 1, the path named, nothing half-written). Builds
//! the "hw3-deep" table of docs/reliability.md.
//!
//! Reads the real data (`$DL_COURSE_DATA` or `datasets/`) and FAILS when it is missing; runs
//! that train use a tiny `--layers 12288,3,1` network.

// The parts of linalg-nn's hostile-test support that need no HDF5; each serves several crates.
#[allow(dead_code)]
#[path = "../../linalg-nn/tests/hostile_support/cli.rs"]
mod cli;
#[allow(dead_code)]
#[path = "../../linalg-nn/tests/hostile_support/report.rs"]
mod report;

use cli::{CliTable, files_under, run, unprivileged, with_full_disk};
use hw3_deep::initialize_parameters_deep;
use hw3_deep::model_file::{model_to_bytes, save_model};
use linalg_nn::NumpyRng;
use linalg_nn::data::default_data_dir;
use linalg_nn::init::WeightInit;
use report::Section;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_hw3-deep");

fn hw3(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args).env("DL_COURSE_DATA", default_data_dir());
    command
}

/// Saves a freshly initialised network with layer widths `dims` to `path`.
fn saved_model(path: &Path, dims: &[usize]) {
    let parameters =
        initialize_parameters_deep(dims, WeightInit::SMALL, &mut NumpyRng::new(1)).unwrap();
    save_model(path, &parameters).unwrap();
}

#[test]
fn hostile_command_lines_and_files() {
    let tmp = tempfile::tempdir().unwrap();
    // Readable by the unprivileged user of the permission case.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut t = CliTable {
        section: Section::new(
            "hw3-cli",
            "hw3-deep: arguments, saved models, pictures, outputs, divergence",
            "`cargo run -p hw3-deep -- ARGS`. Usage errors exit with 2 and print nothing on \
             stdout; failures exit with 1, naming the file or flag; `$TMP` is a temporary folder.",
        ),
        name: "hw3-deep",
        replacements: vec![
            (tmp.path().to_path_buf(), "$TMP".to_owned()),
            (default_data_dir(), "$DL_COURSE_DATA".to_owned()),
        ],
    };
    let out = tmp.path().join("out");
    let out_arg = out.to_str().unwrap().to_owned();
    let model = tmp.path().join("model.h5");
    saved_model(&model, &[12288, 3, 1]);
    let model_arg = model.to_str().unwrap().to_owned();

    let usage: &[(&str, &[&str], &str)] = &[
        ("unknown model", &["--model", "three-layer"], "expected two-layer or deep"),
        ("unknown preset", &["--preset", "fast"], "expected notes (the default) or course"),
        ("unknown engine", &["--engine", "turbo"], "unknown engine 'turbo'"),
        ("empty layer list", &["--layers", ""], "expected a comma-separated list"),
        ("zero-width layer", &["--layers", "12288,0,1"], "item 2 ('0'): must be at least 1, got 0"),
        (
            "non-numeric width",
            &["--layers", "12288,x,1"],
            "item 2 ('x'): 'x' is not a whole number >= 1",
        ),
        (
            "layer too wide for memory",
            &["--layers", "12288,99999999999,1"],
            "item 2 ('99999999999'): 99999999999 units is too wide",
        ),
        (
            "network too large for memory",
            &["--layers", "12288,60000,1"],
            "this network would have 737340000 weights",
        ),
        (
            "first width not the data's",
            &["--layers", "100,7,1"],
            "the first width is 100 but must equal the number of input features, 12288",
        ),
        ("a single width", &["--layers", "12288"], "need at least two widths"),
        ("last width not 1", &["--layers", "12288,7,3"], "the last width is 3 but must be 1"),
        (
            "two-layer model with four widths",
            &["--model", "two-layer", "--layers", "12288,20,7,1"],
            "the two-layer model takes exactly three widths",
        ),
        ("zero iterations", &["--iterations", "0"], "must be at least 1, got 0"),
        ("negative iterations", &["--epochs", "-1"], "'-1' is not a whole number >= 1"),
        ("non-numeric iterations", &["--iterations", "ten"], "'ten' is not a whole number >= 1"),
        (
            "negative learning rate",
            &["--learning-rate", "-1"],
            "must be a positive finite number, got -1",
        ),
        (
            "NaN learning rate",
            &["--learning-rate", "NaN"],
            "must be a positive finite number, got NaN",
        ),
        ("negative seed", &["--seed", "-1"], "'-1' is not a seed"),
        ("non-numeric seed", &["--seed", "abc"], "'abc' is not a seed"),
        (
            "model file with training flags",
            &["--model-file", "m.h5", "--layers", "12288,7,1"],
            "cannot be used with",
        ),
        (
            "saving into a missing folder",
            &["--save-model", "no-such-folder/model.h5"],
            "the folder no-such-folder does not exist",
        ),
    ];
    for (case, args, fragment) in usage {
        let mut all = args.to_vec();
        all.extend(["--out", &out_arg]);
        t.expect(case, args, run(hw3(&all)), 2, &[fragment]);
        assert!(!out.exists(), "{case}: a usage error created the output folder");
    }

    // Saved models.
    let missing = tmp.path().join("missing.h5");
    let args = ["--model-file", missing.to_str().unwrap(), "--no-plots"];
    t.expect(
        "missing model file",
        &args,
        run(hw3(&args)),
        1,
        &["$TMP/missing.h5: cannot read the model file"],
    );
    let args = ["--model-file", tmp.path().to_str().unwrap(), "--no-plots"];
    t.expect(
        "a directory as model file",
        &args,
        run(hw3(&args)),
        1,
        &["this is a directory, expected a model file"],
    );
    let text = tmp.path().join("notes.h5");
    std::fs::write(&text, "W1 = [[0.1]]").unwrap();
    let args = ["--model-file", text.to_str().unwrap(), "--no-plots"];
    t.expect("text file as model", &args, run(hw3(&args)), 1, &["$TMP/notes.h5: not a model file"]);
    let bytes = std::fs::read(&model).unwrap();
    let cut = tmp.path().join("cut.h5");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let args = ["--model-file", cut.to_str().unwrap(), "--no-plots"];
    t.expect(
        "half-downloaded model",
        &args,
        run(hw3(&args)),
        1,
        &["$TMP/cut.h5: dataset \"W1\"", "more data than the whole file"],
    );
    let data_file = default_data_dir().join("train_catvnoncat.h5");
    let args = ["--model-file", data_file.to_str().unwrap(), "--no-plots"];
    t.expect(
        "the data file as model",
        &args,
        run(hw3(&args)),
        1,
        &["not a hw3-deep model file: no \"format\" attribute"],
    );
    let locked = tmp.path().join("locked.h5");
    std::fs::write(
        &locked,
        model_to_bytes(
            &locked,
            &initialize_parameters_deep(&[12288, 3, 1], WeightInit::SMALL, &mut NumpyRng::new(1))
                .unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let args = ["--model-file", locked.to_str().unwrap(), "--no-plots"];
    let mut command = unprivileged(BIN, &locked);
    command.args(args).env("DL_COURSE_DATA", default_data_dir());
    t.expect(
        "model file without read permission",
        &args,
        run(command),
        1,
        &["$TMP/locked.h5: cannot read the model file: Permission denied"],
    );
    let other = tmp.path().join("other.h5");
    saved_model(&other, &[500, 2, 1]);
    let args = ["--model-file", other.to_str().unwrap(), "--no-plots"];
    t.expect(
        "model trained for another network",
        &args,
        run(hw3(&args)),
        1,
        &["the model takes 500 input features but the data set's pictures have 12288"],
    );

    // Pictures.
    let grey = tmp.path().join("grey.jpg");
    let picture = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(64, 64, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 4) as u8, ((x + y) * 2) as u8])
    }));
    picture.grayscale().save(&grey).unwrap();
    let args =
        ["--model-file", other.to_str().unwrap(), "--image", grey.to_str().unwrap(), "--no-plots"];
    t.expect(
        "picture for a model of other inputs",
        &args,
        run(hw3(&args)),
        1,
        &["the model takes 500 input features, which is not num_px * num_px * 3"],
    );
    let not_png = tmp.path().join("cat.png");
    std::fs::write(&not_png, "not a picture").unwrap();
    let args = ["--model-file", &model_arg, "--image", not_png.to_str().unwrap(), "--no-plots"];
    t.expect(
        "text file named .png",
        &args,
        run(hw3(&args)),
        1,
        &["$TMP/cat.png: cannot use the image: not a PNG or JPEG"],
    );
    let jpeg = std::fs::read(&grey).unwrap();
    let cut_jpeg = tmp.path().join("cut.jpg");
    std::fs::write(&cut_jpeg, &jpeg[..jpeg.len() * 3 / 4]).unwrap();
    let args = ["--model-file", &model_arg, "--image", cut_jpeg.to_str().unwrap(), "--no-plots"];
    t.expect(
        "truncated JPEG",
        &args,
        run(hw3(&args)),
        1,
        &["$TMP/cut.jpg", "the file is cut short"],
    );
    let args = ["--model-file", &model_arg, "--image", grey.to_str().unwrap(), "--no-plots"];
    t.expect_success("grayscale JPEG", &args, run(hw3(&args)), "grey.jpg");
    let rgba = tmp.path().join("rgba.png");
    picture.to_rgba8().save(&rgba).unwrap();
    let args = ["--model-file", &model_arg, "--image", rgba.to_str().unwrap(), "--no-plots"];
    t.expect_success("RGBA PNG", &args, run(hw3(&args)), "rgba.png");

    // Divergence: no model saved, no figure, no JSON.
    let diverging = tmp.path().join("diverging");
    std::fs::create_dir(&diverging).unwrap();
    let saved = diverging.join("model.h5");
    let args = [
        "--layers",
        "12288,3,1",
        "--learning-rate",
        "1e6",
        "--iterations",
        "10",
        "--json",
        "--save-model",
        saved.to_str().unwrap(),
        "--out",
        diverging.to_str().unwrap(),
    ];
    let result = t.expect(
        "diverging learning rate",
        &args,
        run(hw3(&args)),
        1,
        &["training diverged at iteration", "try a smaller --learning-rate (e.g. 100000)"],
    );
    assert!(result.stdout.is_empty(), "a diverged run printed a JSON report");
    assert!(!result.stderr.contains("accuracy"), "{}", result.stderr);
    assert_eq!(files_under(&diverging), Vec::<PathBuf>::new(), "a diverged run wrote files");
    t.note(
        "divergence: no pretended results",
        &["(the run above)"],
        "no accuracy, no JSON, no figure, no saved model",
        "stdout empty, no accuracy line, no file written",
    );

    // Outputs.
    let args = [
        "--layers",
        "12288,3,1",
        "--iterations",
        "1",
        "--no-plots",
        "--save-model",
        "/proc/model.h5",
    ];
    t.expect(
        "model into a folder that takes no files",
        &args,
        run(hw3(&args)),
        1,
        &["cannot save the model (--save-model): cannot write /proc/model.h5"],
    );
    let full = tmp.path().join("full");
    std::fs::create_dir(&full).unwrap();
    let saved = full.join("model.h5");
    let mut command = with_full_disk(BIN, 4);
    command
        .args([
            "--layers",
            "12288,3,1",
            "--iterations",
            "1",
            "--no-plots",
            "--save-model",
            saved.to_str().unwrap(),
        ])
        .env("DL_COURSE_DATA", default_data_dir());
    t.expect(
        "disk full while saving the model",
        &[
            "--layers",
            "12288,3,1",
            "--iterations",
            "1",
            "--no-plots",
            "--save-model",
            "$TMP/full/model.h5 (4 KiB file size limit)",
        ],
        run(command),
        1,
        &["cannot write $TMP/full/model.h5: File too large"],
    );
    assert_eq!(files_under(&full), Vec::<PathBuf>::new(), "a partial or temporary file was left");
    t.note(
        "disk full: nothing half-written",
        &["(the run above)"],
        "no file under the final name, no temporary file",
        "the folder is empty",
    );
    let blocker = tmp.path().join("a-file");
    std::fs::write(&blocker, "in the way").unwrap();
    let blocked = blocker.join("figures");
    let args = ["--layers", "12288,3,1", "--iterations", "1", "--out", blocked.to_str().unwrap()];
    t.expect(
        "figure folder under a file",
        &args,
        run(hw3(&args)),
        1,
        &["cannot create the figure folder $TMP/a-file/figures"],
    );

    t.section.publish();
}
