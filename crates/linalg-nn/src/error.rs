//! Errors of the core crate: wrong shapes and invalid arguments, each saying what was expected.

use thiserror::Error;

/// Convenience alias used across the core crate.
pub type Result<T, E = NnError> = std::result::Result<T, E>;

/// What can go wrong in the numeric core.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum NnError {
    /// Two matrices (or a matrix and a declared size) do not fit together.
    #[error("shape mismatch for {what}: expected ({}, {}), found ({}, {})", expected.0, expected.1, found.0, found.1)]
    ShapeMismatch {
        /// Which operand, in words a learner recognises (e.g. "b1 for W1 X + b1").
        what: String,
        /// The (rows, cols) the operation needed.
        expected: (usize, usize),
        /// The (rows, cols) it got.
        found: (usize, usize),
    },
    /// A scalar argument is outside the range the operation accepts.
    #[error("invalid {what}: {reason}")]
    InvalidArgument {
        /// The argument's name, e.g. "learning_rate".
        what: String,
        /// What was wrong and what is accepted.
        reason: String,
    },
    /// Gradient descent blew up: the cost became infinite or NaN.
    #[error(
        "training diverged at iteration {iteration}: the cost became {cost} with learning rate {learning_rate}; try a smaller --learning-rate (e.g. {suggested})",
        suggested = learning_rate / 10.0
    )]
    Diverged {
        /// The iteration whose cost was not finite.
        iteration: usize,
        /// The cost computed there (NaN or infinite).
        cost: f64,
        /// The learning rate in use.
        learning_rate: f64,
    },
}

impl NnError {
    /// Shorthand for [`NnError::ShapeMismatch`].
    pub fn shape(what: impl Into<String>, expected: (usize, usize), found: (usize, usize)) -> Self {
        NnError::ShapeMismatch { what: what.into(), expected, found }
    }

    /// Shorthand for [`NnError::InvalidArgument`].
    pub fn invalid(what: impl Into<String>, reason: impl Into<String>) -> Self {
        NnError::InvalidArgument { what: what.into(), reason: reason.into() }
    }
}
