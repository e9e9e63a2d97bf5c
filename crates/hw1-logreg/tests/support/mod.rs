//! What several test files of `hw1-logreg` share: the real data, loaded once per test process,
//! and the golden numbers with their sources (the notebook's *Expected Output*, or a
//! `numpy-reference/hw1_logreg.py` command that prints them), in one place.

// Each test file uses part of this module.
#![allow(dead_code)]

use linalg_nn::data::{CatDataset, default_data_dir, load_dataset};
use nalgebra::DMatrix;
use std::sync::OnceLock;

/// The course's cat / non-cat pictures, read once; fails with the loader's message (which names
/// `cargo xtask fetch-data`) when the data is missing.
pub fn dataset() -> &'static CatDataset {
    static DATA: OnceLock<CatDataset> = OnceLock::new();
    DATA.get_or_init(|| load_dataset(&default_data_dir()).unwrap_or_else(|e| panic!("{e}")))
}

/// The notebook's float64 matrices: `X` is the pictures' bytes / 255, one column per picture.
pub struct Floats {
    pub x_train: DMatrix<f64>,
    pub y_train: DMatrix<f64>,
    pub x_test: DMatrix<f64>,
    pub y_test: DMatrix<f64>,
}

/// [`dataset`] as the notebook's float64 matrices, built once.
pub fn floats() -> &'static Floats {
    static FLOATS: OnceLock<Floats> = OnceLock::new();
    FLOATS.get_or_init(|| {
        let data = dataset();
        Floats {
            x_train: data.train.x(),
            y_train: data.train.y(),
            x_test: data.test.x(),
            y_test: data.test.y(),
        }
    })
}

/// The notebook's section 5 *Expected Output*, "Cost after iteration i: %f" for i = 0, 100, ...,
/// 1900 (2000 iterations at learning rate 0.005), as printed.
pub const COURSE_COSTS: [&str; 20] = [
    "0.693147", "0.584508", "0.466949", "0.376007", "0.331463", "0.303273", "0.279880", "0.260042",
    "0.242941", "0.228004", "0.214820", "0.203078", "0.192544", "0.183033", "0.174399", "0.166521",
    "0.159305", "0.152667", "0.146542", "0.140872",
];

/// The notebook's section 5 *Expected Output*: "train accuracy: 99.04306220095694 %",
/// "test accuracy: 70.0 %" (2 of 209 and 15 of 50 pictures wrong).
pub const COURSE_ACCURACIES: (&str, &str) = ("99.04306220095694", "70.0");

/// One run of the section 6 comparison (1500 iterations): its learning rate as printed, the
/// accuracies as Python prints them, and the last recorded cost (iteration 1400) with `%f`.
pub struct ComparisonRun {
    pub learning_rate: &'static str,
    pub train_accuracy: &'static str,
    pub test_accuracy: &'static str,
    pub last_cost: &'static str,
}

/// numpy-reference: `python3 hw1_logreg.py --compare-learning-rates --data-dir DIR` prints
/// "learning rate is: ...", "train accuracy: ... %", "test accuracy: ... %" and "last cost
/// (iteration 1400): ..." for each rate: 1, 23 and 66 of 209 training pictures wrong, 16, 18
/// and 32 of 50 test pictures (the README's course column gives the notebook's to two decimals).
pub const COMPARISON: [ComparisonRun; 3] = [
    ComparisonRun {
        learning_rate: "0.01",
        train_accuracy: "99.52153110047847",
        test_accuracy: "68.0",
        last_cost: "0.092043",
    },
    ComparisonRun {
        learning_rate: "0.001",
        train_accuracy: "88.99521531100478",
        test_accuracy: "64.0",
        last_cost: "0.378888",
    },
    ComparisonRun {
        learning_rate: "0.0001",
        train_accuracy: "68.42105263157895",
        test_accuracy: "36.0",
        last_cost: "0.575611",
    },
];
