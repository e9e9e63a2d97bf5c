//! Errors of the logistic-regression library: the core crate's shape, argument and divergence
//! errors, the data loaders' errors and the figures' errors, each passed through unchanged so
//! the message still names the file, the field and what was expected.

use linalg_nn::NnError;
use linalg_nn::data::DataError;
use linalg_nn::error::{short_float, smaller_learning_rate};
use linalg_nn::plot::PlotError;
use thiserror::Error;

/// What can go wrong in `hw1-logreg`.
#[derive(Debug, Error)]
pub enum Hw1Error {
    /// A shape mismatch, an invalid hyperparameter or a diverging cost (from `linalg-nn`).
    #[error(transparent)]
    Nn(#[from] NnError),
    /// The cat data set or a picture of your own could not be loaded.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A figure could not be drawn or written.
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// The last update made the weights infinite or NaN although the last recorded cost was
    /// finite (the cost is only computed before each update).
    #[error(
        "training diverged at iteration {iteration}: the weights w became infinite or NaN with learning rate {rate}; try a smaller --learning-rate (e.g. {suggested})",
        rate = short_float(*learning_rate),
        suggested = smaller_learning_rate(*learning_rate)
    )]
    ParametersDiverged {
        /// The iteration whose update produced non-finite weights.
        iteration: usize,
        /// The learning rate in use.
        learning_rate: f64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_divergence_prints_rates_like_the_cost_divergence() {
        // 1.2 / 10 in binary floating point would print 0.12000000000000001.
        let err = Hw1Error::ParametersDiverged { iteration: 1999, learning_rate: 1.2 };
        assert_eq!(
            err.to_string(),
            "training diverged at iteration 1999: the weights w became infinite or NaN with \
             learning rate 1.2; try a smaller --learning-rate (e.g. 0.12)"
        );
    }
}
