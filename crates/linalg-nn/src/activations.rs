//! Activation functions and their derivatives (week 3, "Activation functions" and "Derivatives of
//! activation functions"): sigmoid, tanh, ReLU and leaky ReLU, element-wise on matrices.

use nalgebra::DMatrix;
use std::fmt;
use std::str::FromStr;

/// Slope of leaky ReLU for negative inputs, as in the lectures: `max(0.01 z, z)`.
pub const LEAKY_RELU_SLOPE: f64 = 0.01;

/// The sigmoid of one number, `1 / (1 + e^-z)`, computed so that no intermediate overflows:
/// for negative `z` it uses the equal form `e^z / (1 + e^z)`. The exponential is
/// [`crate::exp::exp`] (glibc's, bit for bit on `|z| < 512`), so the result is the same on
/// every machine, and the engines' vector lanes can give the same bits eight at a time.
///
/// ```
/// use linalg_nn::activations::sigmoid_scalar;
/// assert_eq!(sigmoid_scalar(0.0), 0.5);
/// assert_eq!(sigmoid_scalar(800.0), 1.0);
/// assert_eq!(sigmoid_scalar(-800.0), 0.0); // no overflow, no NaN
/// assert!((sigmoid_scalar(2.0) - 0.8807970779778823).abs() < 1e-16);
/// ```
#[inline]
pub fn sigmoid_scalar(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + crate::exp::exp(-z))
    } else {
        let e = crate::exp::exp(z);
        e / (1.0 + e)
    }
}

/// Element-wise sigmoid of a matrix: [`sigmoid_scalar`] of every entry.
pub fn sigmoid(z: &DMatrix<f64>) -> DMatrix<f64> {
    z.map(sigmoid_scalar)
}

/// Sigmoid's derivative written with its output: `sigma'(z) = s (1 - s)`, `s = sigmoid(z)`.
///
/// ```
/// use linalg_nn::activations::sigmoid_derivative;
/// use nalgebra::DMatrix;
/// // The appendix's sigmoid_derivative([1, 2, 3]) = [0.19661193, 0.10499359, 0.04517666]
/// let ds = sigmoid_derivative(&DMatrix::from_row_slice(1, 3, &[1.0, 2.0, 3.0]));
/// assert!((ds[(0, 0)] - 0.19661193).abs() < 1e-8);
/// assert!((ds[(0, 2)] - 0.04517666).abs() < 1e-8);
/// ```
pub fn sigmoid_derivative(z: &DMatrix<f64>) -> DMatrix<f64> {
    z.map(|v| {
        let s = sigmoid_scalar(v);
        s * (1.0 - s)
    })
}

/// Element-wise hyperbolic tangent.
pub fn tanh(z: &DMatrix<f64>) -> DMatrix<f64> {
    z.map(f64::tanh)
}

/// tanh's derivative `1 - tanh(z)^2`.
pub fn tanh_derivative(z: &DMatrix<f64>) -> DMatrix<f64> {
    z.map(|v| 1.0 - v.tanh().powi(2))
}

/// Element-wise ReLU, `max(0, z)`.
pub fn relu(z: &DMatrix<f64>) -> DMatrix<f64> {
    z.map(|v| if v > 0.0 { v } else { 0.0 })
}

/// ReLU's derivative: 1 where `z > 0`, else 0 (the course takes 0 at `z = 0`).
pub fn relu_derivative(z: &DMatrix<f64>) -> DMatrix<f64> {
    z.map(|v| if v > 0.0 { 1.0 } else { 0.0 })
}

/// Element-wise leaky ReLU, `max(0.01 z, z)`.
pub fn leaky_relu(z: &DMatrix<f64>) -> DMatrix<f64> {
    z.map(|v| if v > 0.0 { v } else { LEAKY_RELU_SLOPE * v })
}

/// Leaky ReLU's derivative: 1 where `z > 0`, else 0.01.
pub fn leaky_relu_derivative(z: &DMatrix<f64>) -> DMatrix<f64> {
    z.map(|v| if v > 0.0 { 1.0 } else { LEAKY_RELU_SLOPE })
}

/// One of the four activations of the course, chosen at run time (e.g. hw2's `--activation`).
///
/// ```
/// use linalg_nn::activations::Activation;
/// use nalgebra::DMatrix;
///
/// let act: Activation = "leaky-relu".parse().unwrap();
/// let z = DMatrix::from_row_slice(1, 2, &[-2.0, 3.0]);
/// assert_eq!(act.forward(&z), DMatrix::from_row_slice(1, 2, &[-0.02, 3.0]));
/// assert!("softsign".parse::<Activation>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Activation {
    /// `1 / (1 + e^-z)`: the output unit of a binary classifier.
    Sigmoid,
    /// `tanh(z)`: centred on 0, the course's default hidden activation in week 3.
    Tanh,
    /// `max(0, z)`: the default hidden activation of deep networks.
    Relu,
    /// `max(0.01 z, z)`.
    LeakyRelu,
}

impl Activation {
    /// All four, in the order the lecture introduces them.
    pub const ALL: [Activation; 4] =
        [Activation::Sigmoid, Activation::Tanh, Activation::Relu, Activation::LeakyRelu];

    /// The value `g(z)` of one number.
    #[inline]
    pub fn apply_scalar(self, z: f64) -> f64 {
        match self {
            Activation::Sigmoid => sigmoid_scalar(z),
            Activation::Tanh => z.tanh(),
            Activation::Relu => {
                if z > 0.0 {
                    z
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu => {
                if z > 0.0 {
                    z
                } else {
                    LEAKY_RELU_SLOPE * z
                }
            }
        }
    }

    /// The derivative `g'(z)` expressed with `z` and the already computed `a = g(z)`, which is
    /// how backpropagation uses it (it never recomputes the activation).
    #[inline]
    pub fn derivative_scalar(self, z: f64, a: f64) -> f64 {
        match self {
            Activation::Sigmoid => a * (1.0 - a),
            Activation::Tanh => 1.0 - a * a,
            Activation::Relu => {
                if z > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu => {
                if z > 0.0 {
                    1.0
                } else {
                    LEAKY_RELU_SLOPE
                }
            }
        }
    }

    /// `A = g(Z)` element-wise.
    pub fn forward(self, z: &DMatrix<f64>) -> DMatrix<f64> {
        z.map(|v| self.apply_scalar(v))
    }

    /// [`Activation::forward`] into `out`, which must have `z`'s shape: the same bits, for
    /// training loops that allocate their buffers once.
    ///
    /// ```
    /// use linalg_nn::activations::Activation;
    /// use nalgebra::DMatrix;
    /// let z = DMatrix::from_row_slice(1, 3, &[-1.0, 0.0, 2.0]);
    /// let mut a = DMatrix::zeros(1, 3);
    /// Activation::Relu.forward_into(&z, &mut a).unwrap();
    /// assert_eq!(a, DMatrix::from_row_slice(1, 3, &[0.0, 0.0, 2.0]));
    /// Activation::Sigmoid.forward_into(&z, &mut a).unwrap();
    /// assert_eq!(a, Activation::Sigmoid.forward(&z));
    /// assert!(Activation::Tanh.forward_into(&z, &mut DMatrix::zeros(3, 1)).is_err());
    /// ```
    pub fn forward_into(self, z: &DMatrix<f64>, out: &mut DMatrix<f64>) -> crate::Result<()> {
        crate::matrix::ensure_shape(out, z.shape(), "the activation's output against Z")?;
        out.iter_mut().zip(z.iter()).for_each(|(a, &v)| *a = self.apply_scalar(v));
        Ok(())
    }

    /// `g'(Z)` element-wise.
    pub fn derivative(self, z: &DMatrix<f64>) -> DMatrix<f64> {
        z.map(|v| self.derivative_scalar(v, self.apply_scalar(v)))
    }

    /// `dZ = dA * g'(Z)`, the backward step of an activation, given the cached `Z` and `A`.
    /// The three matrices must have the same shape (callers check shapes once, up front).
    pub fn backward(self, da: &DMatrix<f64>, z: &DMatrix<f64>, a: &DMatrix<f64>) -> DMatrix<f64> {
        let mut dz = da.clone();
        for ((d, &zv), &av) in dz.iter_mut().zip(z.iter()).zip(a.iter()) {
            *d *= self.derivative_scalar(zv, av);
        }
        dz
    }

    /// The name used on the command line and in saved models.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leaky-relu",
        }
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Activation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "sigmoid" => Ok(Activation::Sigmoid),
            "tanh" => Ok(Activation::Tanh),
            "relu" => Ok(Activation::Relu),
            "leaky-relu" | "leakyrelu" => Ok(Activation::LeakyRelu),
            _ => Err(format!(
                "unknown activation '{s}': expected one of sigmoid, tanh, relu, leaky-relu"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    #[test]
    fn sigmoid_agrees_with_textbook_formula_within_few_ulp() {
        let mut worst = 0;
        for k in -7000..=7000 {
            let z = k as f64 * 0.005;
            let plain = 1.0 / (1.0 + (-z).exp());
            worst = worst.max(ulps(sigmoid_scalar(z), plain));
        }
        assert!(worst <= 4, "worst disagreement {worst} ulp");
    }

    #[test]
    fn sigmoid_is_finite_and_saturates_for_huge_inputs() {
        for z in [-1e308, -1e4, -745.0, 745.0, 1e4, 1e308, f64::INFINITY, f64::NEG_INFINITY] {
            let s = sigmoid_scalar(z);
            assert!((0.0..=1.0).contains(&s), "sigmoid({z}) = {s}");
        }
        assert_eq!(sigmoid_scalar(f64::NEG_INFINITY), 0.0);
        assert_eq!(sigmoid_scalar(f64::INFINITY), 1.0);
    }

    #[test]
    fn derivatives_match_central_differences() {
        let zs = [-2.5, -0.7, -0.1, 0.3, 1.1, 4.0];
        let h = 1e-6;
        for act in Activation::ALL {
            for &z in &zs {
                let numeric = (act.apply_scalar(z + h) - act.apply_scalar(z - h)) / (2.0 * h);
                let analytic = act.derivative_scalar(z, act.apply_scalar(z));
                assert!((numeric - analytic).abs() < 1e-8, "{act} at {z}: {numeric} vs {analytic}");
            }
        }
    }

    /// Checks `found` against numpy's values within `max_ulps` units in the last place.
    fn assert_ulps(found: &DMatrix<f64>, numpy: [f64; 6], max_ulps: u64, what: &str) {
        for (f, n) in found.iter().zip(numpy) {
            assert!(ulps(*f, n) <= max_ulps, "{what}: {f:e} against numpy's {n:e}");
        }
    }

    #[test]
    fn matrix_functions_and_the_enum_match_numpy() {
        // Golden values: `python3 numpy-reference/core_goldens.py` (numpy 2.4: 1 / (1 + np.exp(-z)),
        // np.tanh, np.maximum, np.where) on these six points. The sigmoid and tanh may differ
        // from numpy's in the last bit (another exp; e^z / (1 + e^z) for z < 0), within 2 ulp;
        // the piecewise-linear ones are exact. Both the matrix functions and the enum are
        // checked against numpy, each on its own.
        let z = DMatrix::from_row_slice(1, 6, &[-3.0, -0.5, 0.0, 0.5, 2.0, 10.0]);
        let sigmoid_numpy = [
            0.04742587317756678,
            0.3775406687981454,
            0.5,
            0.6224593312018546,
            0.8807970779778823,
            0.9999546021312976,
        ];
        let sigmoid_derivative_numpy = [
            0.04517665973091214,
            0.2350037122015945,
            0.25,
            0.2350037122015945,
            0.10499358540350662,
            4.5395807735907655e-05,
        ];
        let tanh_numpy = [
            -0.9950547536867305,
            -0.46211715726000974,
            0.0,
            0.46211715726000974,
            0.9640275800758169,
            0.9999999958776927,
        ];
        let tanh_derivative_numpy = [
            0.009866037165440211,
            0.7864477329659274,
            1.0,
            0.7864477329659274,
            0.07065082485316443,
            8.244614546626394e-09,
        ];
        let relu_numpy = DMatrix::from_row_slice(1, 6, &[0.0, 0.0, 0.0, 0.5, 2.0, 10.0]);
        let relu_derivative_numpy = DMatrix::from_row_slice(1, 6, &[0.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
        let leaky_numpy = DMatrix::from_row_slice(1, 6, &[-0.03, -0.005, 0.0, 0.5, 2.0, 10.0]);
        let leaky_derivative_numpy =
            DMatrix::from_row_slice(1, 6, &[0.01, 0.01, 0.01, 1.0, 1.0, 1.0]);

        assert_ulps(&sigmoid(&z), sigmoid_numpy, 2, "sigmoid");
        assert_ulps(&Activation::Sigmoid.forward(&z), sigmoid_numpy, 2, "Sigmoid.forward");
        assert_ulps(&sigmoid_derivative(&z), sigmoid_derivative_numpy, 2, "sigmoid_derivative");
        assert_ulps(&Activation::Sigmoid.derivative(&z), sigmoid_derivative_numpy, 2, "Sigmoid'");
        assert_ulps(&tanh(&z), tanh_numpy, 2, "tanh");
        assert_ulps(&Activation::Tanh.forward(&z), tanh_numpy, 2, "Tanh.forward");
        assert_ulps(&tanh_derivative(&z), tanh_derivative_numpy, 2, "tanh_derivative");
        assert_ulps(&Activation::Tanh.derivative(&z), tanh_derivative_numpy, 2, "Tanh'");
        assert_eq!(relu(&z), relu_numpy);
        assert_eq!(Activation::Relu.forward(&z), relu_numpy);
        assert_eq!(relu_derivative(&z), relu_derivative_numpy);
        assert_eq!(Activation::Relu.derivative(&z), relu_derivative_numpy);
        assert_eq!(leaky_relu(&z), leaky_numpy);
        assert_eq!(Activation::LeakyRelu.forward(&z), leaky_numpy);
        assert_eq!(leaky_relu_derivative(&z), leaky_derivative_numpy);
        assert_eq!(Activation::LeakyRelu.derivative(&z), leaky_derivative_numpy);
    }

    #[test]
    fn backward_multiplies_by_the_derivative() {
        let z = DMatrix::from_row_slice(1, 3, &[-1.0, 0.5, 2.0]);
        let da = DMatrix::from_row_slice(1, 3, &[1.0, 2.0, 3.0]);
        let a = Activation::Relu.forward(&z);
        assert_eq!(
            Activation::Relu.backward(&da, &z, &a),
            DMatrix::from_row_slice(1, 3, &[0.0, 2.0, 3.0])
        );
        for name in ["sigmoid", "TANH", "relu", "leaky_relu"] {
            let act: Activation = name.parse().unwrap();
            assert_eq!(act.name().parse::<Activation>().unwrap(), act);
        }
    }
}
