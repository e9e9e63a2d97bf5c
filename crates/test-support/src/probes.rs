//! Arguments that reach every branch of the exact `tanh` and `expm1` (`linalg_nn::tanh`), for
//! the tests that compare them with the platform's and with the engines' vector lanes.

use linalg_nn::NumpyRng;

/// Values spread over every branch of `tanh` and `expm1`: tiny, the three reduction ranges,
/// every size of `k`, the saturation at 22, both signs, infinities and subnormals.
pub fn tanh_arguments() -> Vec<f64> {
    let mut rng = NumpyRng::new(7);
    let mut values = vec![0.0, -0.0, 1e-300, -1e-17, 2f64.powi(-55), 0.17, 0.2554, 0.5493, 1.0];
    values.extend([-1.0, 0.999_999_999_999, 1.000_000_000_001, 21.999, 22.0, 22.5, 40.0, 800.0]);
    values.extend([f64::INFINITY, f64::NEG_INFINITY, f64::MIN_POSITIVE, 5e-324]);
    for scale in [1e-12, 1e-6, 1e-3, 0.05, 0.3, 1.0, 3.0, 10.0, 25.0] {
        values.extend(rng.randn_vec(2000).into_iter().map(|v| v * scale));
    }
    values
}
