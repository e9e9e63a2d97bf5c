//! `sklearn.datasets.make_moons` as Course 2's "Optimization Methods" notebook calls it
//! (`opt_utils_v1a.load_dataset`: `np.random.seed(3)`, 300 points, noise 0.2), bit for bit:
//! scikit-learn draws from the legacy numpy generator that `np.random.seed` sets, which
//! [`NumpyRng`] reproduces, so the points here are the notebook's.

use super::circles::shuffled_with_noise;
use super::planar::PlanarData;
use crate::rng::NumpyRng;

/// `sklearn.datasets.make_moons(n_samples, noise=noise)` drawing from `rng` (scikit-learn's
/// `random_state=None`: the global generator). `n_samples / 2` points on the upper half circle
/// `(cos t, sin t)` (label 0) and the rest on the lower one `(1 - cos t, 1 - sin t - 0.5)`
/// (label 1), at `t = i * (π / (n - 1))` with the last angle exactly `π` (numpy's
/// `linspace(0, π, n)`); the rows shuffled with [`NumpyRng::shuffle`]; then
/// `normal(scale=noise)` added to `(x1, x2)` of each point in turn. Returned in the course's
/// layout: `X (2, m)`, `Y (1, m)`.
///
/// scikit-learn takes `np.cos` and `np.sin`; on the notebook's 150 angles numpy's values are
/// the C library's `cos` / `sin` (checked bit for bit against `math.cos` / `math.sin` with numpy
/// 2.4), which is what `f64::cos` / `f64::sin` call.
///
/// ```
/// use linalg_nn::NumpyRng;
/// use linalg_nn::data::moons::make_moons;
/// // np.random.seed(3); X, y = sklearn.datasets.make_moons(n_samples=300, noise=.2)
/// let train = make_moons(&mut NumpyRng::new(3), 300, 0.2);
/// assert_eq!(train.x.shape(), (2, 300));
/// assert_eq!((train.x[(0, 0)], train.x[(1, 0)]), (-0.21687013460912397, 1.0154493742029873));
/// assert_eq!(train.y[(0, 0)], 0.0);
/// ```
pub fn make_moons(rng: &mut NumpyRng, n_samples: usize, noise: f64) -> PlanarData {
    let n_out = n_samples / 2;
    let n_in = n_samples - n_out;
    let mut points: Vec<(f64, f64)> = half_circle(n_out).collect();
    points.extend(half_circle(n_in).map(|(c, s)| (1.0 - c, 1.0 - s - 0.5)));
    shuffled_with_noise(rng, &points, n_out, noise)
}

/// `(np.cos(t), np.sin(t))` for `t = np.linspace(0, π, n)`: `i * step` with `step = π / (n - 1)`,
/// the last angle set to `π` exactly, as numpy's `linspace` does.
fn half_circle(n: usize) -> impl Iterator<Item = (f64, f64)> {
    let step = std::f64::consts::PI / n.saturating_sub(1).max(1) as f64;
    (0..n).map(move |i| {
        let t = if i + 1 == n && n > 1 { std::f64::consts::PI } else { i as f64 * step };
        (t.cos(), t.sin())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;

    /// The sum of the bit patterns of `X`, wrapping: numpy's
    /// `np.ascontiguousarray(X).view(np.uint64).sum(dtype=np.uint64)`.
    fn bit_checksum(x: &DMatrix<f64>) -> u64 {
        x.iter().fold(0u64, |sum, v| sum.wrapping_add(v.to_bits()))
    }

    #[test]
    fn the_optimization_notebooks_moons_match_sklearn_bit_for_bit() {
        // `python3 numpy-reference/hw7_optimization.py --data` prints these, and its
        // `--check-sklearn` shows that its make_moons is scikit-learn's (1.9.1) bit for bit.
        let train = make_moons(&mut NumpyRng::new(3), 300, 0.2);
        assert_eq!((train.x[(0, 1)], train.x[(1, 1)]), (0.8050501531955674, -0.5579733951321297));
        assert_eq!((train.x[(0, 2)], train.x[(1, 2)]), (0.7112745129750352, -0.4100602407591063));
        assert_eq!(train.labels()[..8], [0, 1, 1, 1, 0, 0, 1, 1]);
        assert_eq!(bit_checksum(&train.x), 12563620506206533839);
        assert_eq!(train.y.sum(), 150.0);
    }

    #[test]
    fn points_lie_on_their_half_circles_before_the_noise() {
        let data = make_moons(&mut NumpyRng::new(5), 41, 0.0);
        assert_eq!(data.m(), 41);
        // 20 upper points (label 0), 21 lower ones.
        assert_eq!(data.y.sum(), 21.0);
        for (point, label) in data.x.column_iter().zip(data.y.iter()) {
            // The lower moon is the upper one turned over and moved to (1, 0.5).
            let (cx, cy, side) = if *label == 1.0 { (1.0, 0.5, -1.0) } else { (0.0, 0.0, 1.0) };
            let (dx, dy) = (point[0] - cx, point[1] - cy);
            assert!((dx.hypot(dy) - 1.0).abs() < 1e-15, "{point:?} for label {label}");
            assert!(side * dy >= -1e-15, "{point:?} is on the wrong half");
        }
    }
}
