//! cargo-fuzz target for `lr_utils.load_dataset`'s loader (`CatSplit::from_bytes`): the input is
//! either raw file bytes or, decoded by the stable tests' own `decode_mutations`, damage to the
//! real `test_catvnoncat.h5`. Each load must give an error naming the file or a consistent split
//! (`check_cat_outcome`, the stable tests' property); a panic of the HDF5 reader, even one the
//! loader contained, is reported as a crash so that its input is kept.
//!
//! Run with `cargo +nightly fuzz run load_cat_file -- -timeout=2 -malloc_limit_mb=64` from the
//! repository root (`DL_COURSE_DATA` must point at the course files).

#![no_main]

#[path = "../../crates/linalg-nn/tests/hostile_support/mod.rs"]
mod hostile_support;

use hostile_support::mutate::decode_mutations;
use hostile_support::oracle::{Outcome, check_cat_outcome};
use libfuzzer_sys::fuzz_target;
use linalg_nn::data::{CatSplit, Split, default_data_dir};
use std::path::Path;
use std::sync::OnceLock;

/// The name the bytes are loaded under; messages must start with it.
const NAME: &str = "test_catvnoncat.h5";
/// At most this many mutations per input, as in the stable tests' single mutations and a few
/// more for combined damage.
const MAX_MUTATIONS: usize = 16;

fn real_file() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let path = default_data_dir().join(NAME);
        std::fs::read(&path).unwrap_or_else(|e| {
            panic!("{}: {e}; set DL_COURSE_DATA or run `cargo xtask fetch-data`", path.display())
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let (bytes, split) = if mode & 1 == 0 {
        let split = if mode & 2 == 0 { Split::Test } else { Split::Train };
        (rest.to_vec(), split)
    } else {
        let mut bytes = real_file().to_vec();
        for mutation in decode_mutations(rest, bytes.len(), MAX_MUTATIONS) {
            mutation.apply(&mut bytes);
        }
        (bytes, Split::Test)
    };
    let result = CatSplit::from_bytes(Path::new(NAME), bytes, split);
    if let Outcome::ContainedPanic { message } = check_cat_outcome(&result, NAME) {
        panic!("the HDF5 reader panicked (the loader contained it): {message}");
    }
});
