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
        "training diverged at iteration {iteration}: the cost became {cost} with learning rate {rate}; try a smaller --learning-rate (e.g. {suggested})",
        rate = short_float(*learning_rate),
        suggested = smaller_learning_rate(*learning_rate)
    )]
    Diverged {
        /// The iteration whose cost was not finite.
        iteration: usize,
        /// The cost computed there (NaN or infinite).
        cost: f64,
        /// The learning rate in use.
        learning_rate: f64,
    },
    /// Gradient descent blew up in the last updates, which no recorded cost saw: the trained
    /// parameters are infinite or NaN.
    #[error(
        "training diverged at iteration {iteration}: the parameters became infinite or NaN with learning rate {rate}; try a smaller --learning-rate (e.g. {suggested})",
        rate = short_float(*learning_rate),
        suggested = smaller_learning_rate(*learning_rate)
    )]
    ParametersDiverged {
        /// The iteration whose update produced non-finite parameters.
        iteration: usize,
        /// The learning rate in use.
        learning_rate: f64,
    },
}

impl NnError {
    /// Whether training diverged ([`NnError::Diverged`] or [`NnError::ParametersDiverged`]):
    /// the learning rate is too large, not the input wrong.
    pub fn is_divergence(&self) -> bool {
        matches!(self, NnError::Diverged { .. } | NnError::ParametersDiverged { .. })
    }

    /// Shorthand for [`NnError::ShapeMismatch`].
    pub fn shape(what: impl Into<String>, expected: (usize, usize), found: (usize, usize)) -> Self {
        NnError::ShapeMismatch { what: what.into(), expected, found }
    }

    /// Shorthand for [`NnError::InvalidArgument`].
    pub fn invalid(what: impl Into<String>, reason: impl Into<String>) -> Self {
        NnError::InvalidArgument { what: what.into(), reason: reason.into() }
    }
}

/// A float in the fewest characters, as Python prints it: plain digits between 1e-4 and 1e16
/// (`0.0075`, `1000000`), an exponent outside (`1e300`), so that a message stays one line.
///
/// ```
/// use linalg_nn::error::short_float;
/// assert_eq!(short_float(0.0075), "0.0075");
/// assert_eq!(short_float(1e6), "1000000");
/// assert_eq!(short_float(1e300), "1e300");
/// assert_eq!(short_float(2.5e-7), "2.5e-7");
/// ```
pub fn short_float(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-4..1e16).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// The learning rate a divergence message suggests instead of `learning_rate`: a tenth of it,
/// printed short.
///
/// ```
/// use linalg_nn::error::smaller_learning_rate;
/// assert_eq!(smaller_learning_rate(1.2), "0.12");
/// assert_eq!(smaller_learning_rate(1e300), "1e299");
/// ```
pub fn smaller_learning_rate(learning_rate: f64) -> String {
    short_float(one_tenth(learning_rate))
}

/// `x / 10` without the binary rounding that would print `0.12` as `0.12000000000000001`: the
/// decimal exponent of `x` is lowered by one.
fn one_tenth(x: f64) -> f64 {
    let scientific = format!("{x:e}");
    match scientific.split_once('e') {
        Some((mantissa, exponent)) => exponent
            .parse::<i32>()
            .ok()
            .and_then(|e| format!("{mantissa}e{}", e - 1).parse().ok())
            .unwrap_or(x / 10.0),
        None => x / 10.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divergence_message_stays_short_for_extreme_rates() {
        let err = NnError::Diverged { iteration: 1, cost: f64::INFINITY, learning_rate: 1e300 };
        assert_eq!(
            err.to_string(),
            "training diverged at iteration 1: the cost became inf with learning rate 1e300; \
             try a smaller --learning-rate (e.g. 1e299)"
        );
        let err = NnError::Diverged { iteration: 7, cost: f64::NAN, learning_rate: 1.2 };
        assert!(
            err.to_string()
                .ends_with("learning rate 1.2; try a smaller --learning-rate (e.g. 0.12)")
        );
    }

    #[test]
    fn parameter_divergence_prints_rates_like_the_cost_divergence() {
        // 1.2 / 10 in binary floating point would print 0.12000000000000001.
        let err = NnError::ParametersDiverged { iteration: 1999, learning_rate: 1.2 };
        assert_eq!(
            err.to_string(),
            "training diverged at iteration 1999: the parameters became infinite or NaN with \
             learning rate 1.2; try a smaller --learning-rate (e.g. 0.12)"
        );
        assert!(err.is_divergence());
        assert!(
            NnError::Diverged { iteration: 0, cost: f64::NAN, learning_rate: 1.0 }.is_divergence()
        );
        assert!(!NnError::invalid("X", "bad").is_divergence());
    }

    #[test]
    fn one_tenth_is_exact_in_decimal() {
        assert_eq!(one_tenth(1.2), 0.12);
        assert_eq!(one_tenth(0.0075), 0.00075);
        assert_eq!(one_tenth(1e30), 1e29);
    }
}
