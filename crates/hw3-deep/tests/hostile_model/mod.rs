//! The property every hostile load of a saved model must have, shared by
//! `tests/hostile_model_file.rs` and the cargo-fuzz target `load_model`: an error that names
//! the file, or parameters whose layers chain and are all finite — never a panic.

use crate::hostile_support::oracle::{Outcome, classify_error};
use hw3_deep::{ModelFileError, Parameters};

/// Checks a load's result against the property and classifies it; panics when the property
/// fails. `file_name` is the path the bytes were loaded under.
pub fn check_model_outcome(
    result: &Result<Parameters, ModelFileError>,
    file_name: &str,
) -> Outcome {
    match result {
        Ok(parameters) => {
            let dims = parameters.layer_dims();
            assert!(dims.len() >= 2 && dims.iter().all(|&n| n >= 1), "{file_name}: {dims:?}");
            for (l, layer) in parameters.layers.iter().enumerate() {
                assert_eq!(layer.w.shape(), (dims[l + 1], dims[l]), "{file_name}: W{}", l + 1);
                assert_eq!(layer.b.shape(), (dims[l + 1], 1), "{file_name}: b{}", l + 1);
            }
            assert!(parameters.all_finite(), "{file_name}: non-finite parameters loaded");
            Outcome::Loaded
        }
        Err(err) => classify_error(err.to_string(), &format!("{err:?}"), file_name),
    }
}
