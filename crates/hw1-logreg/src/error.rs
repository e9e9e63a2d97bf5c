//! Errors of the logistic-regression library: the core crate's shape, argument and divergence
//! errors, the data loaders' errors and the figures' errors, each passed through unchanged so
//! the message still names the file, the field and what was expected.

use linalg_nn::NnError;
use linalg_nn::data::DataError;
use linalg_nn::plot::PlotError;
use thiserror::Error;

/// What can go wrong in `hw1-logreg`.
#[derive(Debug, Error)]
pub enum Hw1Error {
    /// A shape mismatch, an invalid hyperparameter or a divergence (from `linalg-nn`).
    #[error(transparent)]
    Nn(#[from] NnError),
    /// The cat data set or a picture of your own could not be loaded.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A figure could not be drawn or written.
    #[error(transparent)]
    Plot(#[from] PlotError),
}
