//! cargo-fuzz target for hw3-deep's saved models (`model_file::model_from_bytes`, behind
//! `--model-file`): the input is either raw file bytes or, decoded by the stable tests' own
//! `decode_mutations`, damage to a saved [48, 4, 3, 1] network. Each load must give an error
//! naming the file or finite parameters whose layers chain (`check_model_outcome`, the stable
//! tests' property); a panic of the HDF5 reader, even one the loader contained, is reported as
//! a crash so that its input is kept.
//!
//! Run with `cargo +nightly fuzz run load_model -- -timeout=2 -malloc_limit_mb=64` from the
//! repository root.

#![no_main]

#[path = "../../crates/linalg-nn/tests/hostile_support/mod.rs"]
mod hostile_support;

#[path = "../../crates/hw3-deep/tests/hostile_model/mod.rs"]
mod hostile_model;

use hostile_model::check_model_outcome;
use hostile_support::mutate::decode_mutations;
use hostile_support::oracle::Outcome;
use hw3_deep::initialize_parameters_deep;
use hw3_deep::model_file::{model_from_bytes, model_to_bytes};
use libfuzzer_sys::fuzz_target;
use linalg_nn::NumpyRng;
use linalg_nn::init::WeightInit;
use std::path::Path;
use std::sync::OnceLock;

/// The name the bytes are loaded under; messages must start with it.
const NAME: &str = "model.h5";
/// At most this many mutations per input.
const MAX_MUTATIONS: usize = 16;

/// A small saved network: the same file layout as the course's, fast to load.
fn saved_model() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let parameters =
            initialize_parameters_deep(&[48, 4, 3, 1], WeightInit::He, &mut NumpyRng::new(1))
                .expect("valid layer sizes");
        model_to_bytes(Path::new(NAME), &parameters).expect("encodes")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let bytes = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        let mut bytes = saved_model().to_vec();
        for mutation in decode_mutations(rest, bytes.len(), MAX_MUTATIONS) {
            mutation.apply(&mut bytes);
        }
        bytes
    };
    let result = model_from_bytes(Path::new(NAME), bytes);
    if let Outcome::ContainedPanic { message } = check_model_outcome(&result, NAME) {
        panic!("the HDF5 reader panicked (the loader contained it): {message}");
    }
});
