//! Parameter initialisers (week 3 "Random initialization", week 4 notebooks, He et al.).
//!
//! Weights are drawn from a caller-supplied [`NumpyRng`] in numpy's C order, so
//! `np.random.seed(1)` followed by the notebook's initialisation gives the same matrices here.

use crate::error::{NnError, Result};
use crate::rng::NumpyRng;
use nalgebra::DMatrix;
use std::fmt;
use std::str::FromStr;

/// How a weight matrix `W[l]` of shape `(n[l], n[l-1])` is initialised.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WeightInit {
    /// All zeros: fine for logistic regression, fatal for hidden layers (symmetry is never
    /// broken; every hidden unit computes the same function).
    Zeros,
    /// `randn * scale`; the course's "small" initialisation is `scale = 0.01`, the study
    /// notes' hw2 output layer uses `scale = 1`.
    Scaled(f64),
    /// `randn / sqrt(n[l-1])`, the deep-network notebook's choice.
    InverseSqrtFanIn,
    /// He initialisation, `randn * sqrt(2 / n[l-1])`, suited to ReLU layers.
    He,
}

impl WeightInit {
    /// The course's small random initialisation, `randn * 0.01`.
    pub const SMALL: WeightInit = WeightInit::Scaled(0.01);

    /// Draws a `(rows, cols)` weight matrix, where `cols` is the fan-in `n[l-1]`.
    ///
    /// ```
    /// use linalg_nn::{init::WeightInit, NumpyRng};
    /// // np.random.seed(1); np.random.randn(2, 3) / np.sqrt(3)
    /// let mut rng = NumpyRng::new(1);
    /// let w = WeightInit::InverseSqrtFanIn.weights(&mut rng, 2, 3).unwrap();
    /// assert!((w[(0, 0)] - 1.62434536 / 3f64.sqrt()).abs() < 1e-8);
    /// assert!((w[(1, 0)] - -1.07296862 / 3f64.sqrt()).abs() < 1e-8);
    /// ```
    pub fn weights(self, rng: &mut NumpyRng, rows: usize, cols: usize) -> Result<DMatrix<f64>> {
        if rows == 0 || cols == 0 {
            return Err(NnError::invalid(
                "layer size",
                format!("a weight matrix needs at least one row and column, got ({rows}, {cols})"),
            ));
        }
        let fan_in = cols as f64;
        Ok(match self {
            WeightInit::Zeros => DMatrix::zeros(rows, cols),
            // Written as numpy writes them (multiply by the scale, divide by sqrt) so the
            // rounding matches the notebooks exactly.
            WeightInit::Scaled(scale) => rng.randn(rows, cols) * scale,
            WeightInit::InverseSqrtFanIn => rng.randn(rows, cols) / fan_in.sqrt(),
            WeightInit::He => rng.randn(rows, cols) * (2.0 / fan_in).sqrt(),
        })
    }
}

impl fmt::Display for WeightInit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeightInit::Zeros => f.write_str("zeros"),
            WeightInit::Scaled(s) => write!(f, "randn*{s}"),
            WeightInit::InverseSqrtFanIn => f.write_str("randn/sqrt(n_prev)"),
            WeightInit::He => f.write_str("he"),
        }
    }
}

impl FromStr for WeightInit {
    type Err = String;

    /// Accepts `zeros`, `small` (randn*0.01), `unscaled` (randn), `sqrt` (randn/sqrt(n_prev)),
    /// `he`, or `randn*S` for any positive finite scale `S`.
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "zeros" | "zero" => Ok(WeightInit::Zeros),
            "small" => Ok(WeightInit::SMALL),
            "unscaled" => Ok(WeightInit::Scaled(1.0)),
            "sqrt" | "xavier" | "randn/sqrt(n_prev)" => Ok(WeightInit::InverseSqrtFanIn),
            "he" => Ok(WeightInit::He),
            other => match other.strip_prefix("randn*").map(str::parse::<f64>) {
                Some(Ok(scale)) if scale.is_finite() && scale > 0.0 => {
                    Ok(WeightInit::Scaled(scale))
                }
                _ => Err(format!(
                    "unknown initialisation '{s}': expected zeros, small, unscaled, sqrt, he or randn*SCALE"
                )),
            },
        }
    }
}

/// A zero bias column `(n, 1)`: every notebook initialises `b` this way.
pub fn zeros_bias(n: usize) -> DMatrix<f64> {
    DMatrix::zeros(n, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn he_and_small_scale_the_same_draws() {
        let base = NumpyRng::new(3).randn(4, 5);
        let he = WeightInit::He.weights(&mut NumpyRng::new(3), 4, 5).unwrap();
        let small = WeightInit::SMALL.weights(&mut NumpyRng::new(3), 4, 5).unwrap();
        assert!((he - &base * (2.0f64 / 5.0).sqrt()).abs().max() < 1e-15);
        assert_eq!(small, base * 0.01);
    }

    #[test]
    fn zeros_draws_nothing_and_rejects_empty_layers() {
        let mut rng = NumpyRng::new(1);
        assert_eq!(WeightInit::Zeros.weights(&mut rng, 2, 2).unwrap(), DMatrix::zeros(2, 2));
        // The generator was not advanced: the next draw is still seed 1's first.
        assert!((rng.standard_normal() - 1.62434536).abs() < 1e-8);
        assert!(WeightInit::He.weights(&mut rng, 0, 3).is_err());
    }

    #[test]
    fn parses_names() {
        assert_eq!("he".parse::<WeightInit>().unwrap(), WeightInit::He);
        assert_eq!("randn*0.5".parse::<WeightInit>().unwrap(), WeightInit::Scaled(0.5));
        assert!("randn*-1".parse::<WeightInit>().is_err());
        assert!("glorot-uniform".parse::<WeightInit>().is_err());
    }
}
