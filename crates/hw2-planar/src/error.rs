//! Errors of the planar-classification library: the core's numeric errors (shapes, arguments,
//! divergence), figure errors and decision-boundary grid errors, each naming what went wrong.

use hw1_logreg::Hw1Error;
use linalg_nn::NnError;
use linalg_nn::plot::{GridError, PlotError};
use thiserror::Error;

/// Convenience alias for this crate's results.
pub type Result<T, E = PlanarError> = std::result::Result<T, E>;

/// What can go wrong while training, evaluating or plotting the one-hidden-layer network.
#[derive(Debug, Error)]
pub enum PlanarError {
    /// A shape mismatch, an invalid hyperparameter, or a run that diverged.
    #[error(transparent)]
    Nn(#[from] NnError),
    /// A figure could not be drawn or written (the message names the file).
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// The decision-boundary mesh could not be built.
    #[error("decision boundary grid: {0}")]
    Grid(#[from] GridError),
    /// The logistic-regression baseline (hw1's model) failed.
    #[error("logistic regression baseline: {0}")]
    Baseline(#[from] Hw1Error),
}

impl PlanarError {
    /// Whether this is a diverged training run (the binary reports it without a backtrace of
    /// causes, and tests check for it).
    pub fn is_divergence(&self) -> bool {
        matches!(self, PlanarError::Nn(err) if err.is_divergence())
    }
}
