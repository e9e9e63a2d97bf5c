//! The `hw3-deep` binary against hostile command lines and files: every flag with out-of-range,
//! non-numeric or unknown values (usage errors, exit 2, nothing on stdout), layer lists that do
//! not fit the data or would not fit in memory, saved models that are missing, unreadable, cut
//! short, not models, or trained for another network, pictures that are not pictures, a
//! learning rate that diverges (exit 1, no model saved, no result pretended), and outputs that
//! cannot be written or fill the disk (exit 1, the path named, nothing half-written). Builds
//! the "hw3-deep" table of docs/reference/reliability.md.
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

use cli::{Binary, CliTable, files_under, run};
use hw3_deep::initialize_parameters_deep;
use hw3_deep::model_file::{model_to_bytes, save_model};
use linalg_nn::NumpyRng;
use linalg_nn::data::default_data_dir;
use linalg_nn::init::WeightInit;
use report::Section;
use std::path::{Path, PathBuf};

const HW3: Binary =
    Binary { path: env!("CARGO_BIN_EXE_hw3-deep"), name: "hw3-deep", reads_data: true };

/// The tiny network and the single iteration of the runs that train.
const TINY: [&str; 4] = ["--layers", "12288,3,1", "--iterations", "1"];

/// Saves a freshly initialised network with layer widths `dims` to `path`.
fn saved_model(path: &Path, dims: &[usize]) {
    let parameters =
        initialize_parameters_deep(dims, WeightInit::SMALL, &mut NumpyRng::new(1)).unwrap();
    save_model(path, &parameters).unwrap();
}

/// `--model-file MODEL --no-plots`: the accuracies of a saved model, nothing drawn.
fn load(model: &Path) -> [&str; 3] {
    ["--model-file", model.to_str().unwrap(), "--no-plots"]
}

/// `--model-file MODEL --image PICTURE --no-plots`: a picture classified, no data set read.
fn classify<'a>(model: &'a Path, picture: &'a Path) -> [&'a str; 5] {
    ["--model-file", model.to_str().unwrap(), "--image", picture.to_str().unwrap(), "--no-plots"]
}

#[test]
fn hostile_command_lines_and_files() {
    let mut t = CliTable::new(
        HW3,
        Section::new(
            "hw3-cli",
            "hw3-deep: arguments, saved models, pictures, outputs, divergence",
            "`cargo run -p hw3-deep -- ARGS`. Usage errors exit with 2 and print nothing on \
             stdout; failures exit with 1, naming the file or flag; `$TMP` is a temporary folder.",
        ),
    );
    let tmp = t.tmp().to_path_buf();
    let model = tmp.join("model.h5");
    saved_model(&model, &[12288, 3, 1]);

    t.expect_usage_errors(
        &[
            ("unknown model", &["--model", "three-layer"], "expected two-layer or deep"),
            (
                "unknown preset",
                &["--preset", "fast"],
                "unknown preset 'fast': expected one of notes (the default), course",
            ),
            (
                "unknown engine",
                &["--engine", "turbo"],
                "unknown engine 'turbo': expected direct, gram or auto",
            ),
            ("empty layer list", &["--layers", ""], "expected a comma-separated list"),
            (
                "zero-width layer",
                &["--layers", "12288,0,1"],
                "item 2 ('0'): must be at least 1, got 0",
            ),
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
            (
                "non-numeric iterations",
                &["--iterations", "ten"],
                "'ten' is not a whole number >= 1",
            ),
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
        ],
        &tmp.join("out"),
    );

    // Saved models.
    let text = tmp.join("notes.h5");
    std::fs::write(&text, "W1 = [[0.1]]").unwrap();
    let bytes = std::fs::read(&model).unwrap();
    let cut = tmp.join("cut.h5");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let broken: [(&str, PathBuf, &[&str]); 5] = [
        (
            "missing model file",
            tmp.join("missing.h5"),
            &["$TMP/missing.h5: cannot read the model file"],
        ),
        ("a directory as model file", tmp.clone(), &["this is a directory, expected a model file"]),
        ("text file as model", text, &["$TMP/notes.h5: not a model file"]),
        (
            "half-downloaded model",
            cut,
            &["$TMP/cut.h5: dataset \"W1\"", "more data than the whole file"],
        ),
        (
            "the data file as model",
            default_data_dir().join("train_catvnoncat.h5"),
            &["not a hw3-deep model file: no \"format\" attribute"],
        ),
    ];
    for (case, file, fragments) in &broken {
        t.expect_failure(case, &load(file), fragments);
    }
    let locked = tmp.join("locked.h5");
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
    t.expect(
        "model file without read permission",
        &load(&locked),
        run(HW3.unprivileged(&locked, &load(&locked))),
        1,
        &["$TMP/locked.h5: cannot read the model file: Permission denied"],
    );
    let other = tmp.join("other.h5");
    saved_model(&other, &[500, 2, 1]);
    t.expect_failure(
        "model trained for another network",
        &load(&other),
        &["the model takes 500 input features but the data set's pictures have 12288"],
    );

    // Pictures.
    let grey = tmp.join("grey.jpg");
    let picture = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(64, 64, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 4) as u8, ((x + y) * 2) as u8])
    }));
    picture.grayscale().save(&grey).unwrap();
    t.expect_failure(
        "picture for a model of other inputs",
        &classify(&other, &grey),
        &["the model takes 500 input features, which is not num_px * num_px * 3"],
    );
    let not_png = tmp.join("cat.png");
    std::fs::write(&not_png, "not a picture").unwrap();
    t.expect_failure(
        "text file named .png",
        &classify(&model, &not_png),
        &["$TMP/cat.png: cannot use the image: not a PNG or JPEG"],
    );
    let jpeg = std::fs::read(&grey).unwrap();
    let cut_jpeg = tmp.join("cut.jpg");
    std::fs::write(&cut_jpeg, &jpeg[..jpeg.len() * 3 / 4]).unwrap();
    t.expect_failure(
        "truncated JPEG",
        &classify(&model, &cut_jpeg),
        &["$TMP/cut.jpg", "the file is cut short"],
    );
    t.expect_success("grayscale JPEG", &classify(&model, &grey), "grey.jpg");
    let rgba = tmp.join("rgba.png");
    picture.to_rgba8().save(&rgba).unwrap();
    t.expect_success("RGBA PNG", &classify(&model, &rgba), "rgba.png");

    // Divergence: no model saved, no figure, no JSON.
    let diverging = tmp.join("diverging");
    std::fs::create_dir(&diverging).unwrap();
    let saved = diverging.join("model.h5");
    t.expect_divergence(
        &[
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
        ],
        &["training diverged at iteration", "try a smaller --learning-rate (e.g. 100000)"],
        "accuracy",
    );
    assert_eq!(files_under(&diverging), Vec::<PathBuf>::new(), "a diverged run wrote files");
    t.note_above(
        "divergence: no pretended results",
        "no accuracy, no JSON, no figure, no saved model",
        "stdout empty, no accuracy line, no file written",
    );

    // Outputs.
    t.expect_failure(
        "model into a folder that takes no files",
        &[&TINY[..], &["--no-plots", "--save-model", "/proc/model.h5"]].concat(),
        &["cannot save the model (--save-model): cannot write /proc/model.h5"],
    );
    let full = tmp.join("full");
    std::fs::create_dir(&full).unwrap();
    let saved = full.join("model.h5");
    t.expect_disk_full(
        "disk full while saving the model",
        &[&TINY[..], &["--no-plots", "--save-model", saved.to_str().unwrap()]].concat(),
        "cannot write $TMP/full/model.h5: File too large",
        &full,
    );
    t.expect_out_under_a_file(
        "figure folder under a file",
        &TINY,
        "cannot create the figure folder $TMP/a-file/figures",
    );

    t.section.publish();
}
