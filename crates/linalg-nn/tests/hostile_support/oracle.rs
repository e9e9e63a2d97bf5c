//! The property every hostile load must have, shared by the stable tests and the fuzz target:
//! a damaged course file gives an error that names the file, or a split whose sizes agree and
//! whose labels are 0 or 1 — never a panic (the loader contains the HDF5 reader's own panics
//! and reports them as a corrupt file, which is told apart here so the tests can count them).

use linalg_nn::data::{CatSplit, DataError};
use std::collections::BTreeMap;

/// How a load of damaged bytes ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The bytes still hold a consistent split.
    Loaded,
    /// A clear error: the `DataError` variant's name and the message.
    Refused { variant: String, message: String },
    /// The HDF5 reader panicked and the loader turned it into a `Corrupt` error.
    ContainedPanic { message: String },
}

/// Classifies an error message: a contained reader panic, or a refusal by `variant` (the
/// error's `Debug` name). Panics unless the message starts with `file_name` and explains.
pub fn classify_error(message: String, debug: &str, file_name: &str) -> Outcome {
    assert!(
        message.starts_with(&format!("{file_name}: ")),
        "the message does not start with the file's name {file_name}: {message}"
    );
    assert!(message.len() > file_name.len() + 10, "no explanation: {message}");
    if message.contains(CONTAINED_PANIC_MARK) {
        Outcome::ContainedPanic { message }
    } else {
        let variant = debug.split([' ', '(', '{']).next().unwrap_or_default().to_owned();
        Outcome::Refused { variant, message }
    }
}

/// Marks a panic of the HDF5 reader that `CatSplit::from_bytes` contained.
pub const CONTAINED_PANIC_MARK: &str = "the HDF5 reader failed on damaged data";

/// Checks a load's result against the property and classifies it; panics when the property
/// fails. `file_name` is the path the bytes were loaded under.
pub fn check_cat_outcome(result: &Result<CatSplit, DataError>, file_name: &str) -> Outcome {
    match result {
        Ok(split) => {
            assert!(split.m() >= 1 && split.num_px() >= 1, "{file_name}: empty split loaded");
            assert_eq!(split.n_x(), split.num_px() * split.num_px() * 3, "{file_name}");
            assert_eq!(split.pixels().len(), split.m() * split.n_x(), "{file_name}: pixels");
            assert_eq!(split.labels().len(), split.m(), "{file_name}: labels");
            assert!(split.labels().iter().all(|&l| l <= 1), "{file_name}: label outside 0/1");
            Outcome::Loaded
        }
        Err(err) => classify_error(err.to_string(), &format!("{err:?}"), file_name),
    }
}

/// What a batch of damaged loads gave, for a row of the reliability table.
#[derive(Debug, Default)]
pub struct Tally {
    refused: BTreeMap<String, usize>,
    identical: usize,
    changed: usize,
    contained_panics: Vec<String>,
}

impl Tally {
    /// Counts one load: `same_as_original` tells, for a load that succeeded, whether it gave
    /// back exactly the undamaged contents; `input` describes the damage.
    pub fn add(&mut self, outcome: Outcome, same_as_original: bool, input: &str) {
        match outcome {
            Outcome::Loaded if same_as_original => self.identical += 1,
            Outcome::Loaded => self.changed += 1,
            Outcome::Refused { variant, .. } => *self.refused.entry(variant).or_default() += 1,
            Outcome::ContainedPanic { message } => {
                self.contained_panics.push(format!("{input}: {message}"));
            }
        }
    }

    /// How many loads were counted.
    pub fn total(&self) -> usize {
        self.refused.values().sum::<usize>()
            + self.identical
            + self.changed
            + self.contained_panics.len()
    }

    /// The inputs on which the HDF5 reader panicked (and the loader contained it).
    pub fn contained_panics(&self) -> &[String] {
        &self.contained_panics
    }

    /// The table's "Observed" cell; `changed` names what a changed load differs in.
    pub fn observed(&self, changed: &str) -> String {
        let refused: usize = self.refused.values().sum();
        let kinds: Vec<String> = self.refused.iter().map(|(v, n)| format!("{v} {n}")).collect();
        format!(
            "{refused} refused ({}); {} loaded identical; {} loaded with {changed}; {} reader \
             panics contained; no escaped panic, none over 2 s or the allocation allowance",
            kinds.join(", "),
            self.identical,
            self.changed,
            self.contained_panics.len()
        )
    }
}
