//! Errors of the deep-network library: the core's shape and argument errors, the data loaders'
//! errors, bad layer sizes, and everything that can be wrong with a saved model file.

use linalg_nn::NnError;
use linalg_nn::atomic::WriteError;
use linalg_nn::data::DataError;
use std::path::PathBuf;
use thiserror::Error;

/// Convenience alias for the library's results.
pub type Result<T, E = DeepError> = std::result::Result<T, E>;

/// What can go wrong while building, training, saving or loading a deep network.
#[derive(Debug, Error)]
pub enum DeepError {
    /// A shape mismatch, an invalid hyperparameter or a diverged run (from `linalg-nn`).
    #[error(transparent)]
    Nn(#[from] NnError),
    /// The cat data or a picture could not be loaded.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The layer sizes (`layers_dims`, `--layers`) do not describe a usable network.
    #[error("invalid layer sizes {dims:?}: {reason}")]
    Layers {
        /// The sizes as given, input width first.
        dims: Vec<usize>,
        /// What is wrong and what is expected.
        reason: String,
    },
    /// A model file could not be written or read back.
    #[error(transparent)]
    ModelFile(#[from] ModelFileError),
}

impl DeepError {
    /// Shorthand for [`DeepError::Layers`].
    pub fn layers(dims: &[usize], reason: impl Into<String>) -> Self {
        DeepError::Layers { dims: dims.to_vec(), reason: reason.into() }
    }
}

/// What can be wrong with a saved model (`--save-model`, `--model-file`). Every message names
/// the file, and the dataset inside it when one is concerned.
#[derive(Debug, Error)]
pub enum ModelFileError {
    /// The file could not be read (missing, a directory, no permission).
    #[error("{}: cannot read the model file: {source}", path.display())]
    Read {
        /// The model file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not HDF5 (or are cut short before the metadata ends).
    #[error("{}: not a model file: not valid HDF5 (or truncated): {detail}", path.display())]
    NotHdf5 {
        /// The model file.
        path: PathBuf,
        /// What the HDF5 reader reported.
        detail: String,
    },
    /// A valid HDF5 file that is not a model written by this crate.
    #[error("{}: not a hw3-deep model file: {detail}", path.display())]
    NotAModel {
        /// The file.
        path: PathBuf,
        /// What is missing or different.
        detail: String,
    },
    /// A dataset of the model is missing, of the wrong type or shape, or unreadable.
    #[error("{}: dataset \"{dataset}\": {detail}", path.display())]
    Dataset {
        /// The model file.
        path: PathBuf,
        /// The dataset, e.g. `W2`.
        dataset: String,
        /// What was expected and what was found.
        detail: String,
    },
    /// The parameters could not be encoded as HDF5.
    #[error("{}: cannot encode the model as HDF5: {detail}", path.display())]
    Encode {
        /// The destination.
        path: PathBuf,
        /// The encoder's message.
        detail: String,
    },
    /// The encoded model could not be written (the destination is left untouched).
    #[error(transparent)]
    Write(#[from] WriteError),
}
