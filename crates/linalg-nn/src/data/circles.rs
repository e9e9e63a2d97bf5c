//! `sklearn.datasets.make_circles` as Course 2's notebooks call it (week 1, "Initialization":
//! `init_utils.load_dataset`), bit for bit: scikit-learn draws from the legacy numpy generator
//! that the notebook's `np.random.seed` sets, which [`NumpyRng`] reproduces, so the points here
//! are the notebook's, not merely points of the same shape.

use super::planar::PlanarData;
use crate::rng::NumpyRng;
use nalgebra::DMatrix;

/// `sklearn.datasets.make_circles(n_samples, noise=noise, factor=factor)` drawing from `rng`
/// (scikit-learn's `random_state=None`: the global generator). `n_samples / 2` points on the
/// unit circle (label 0) and the rest on the circle of radius `factor` (label 1), at angles
/// `k * 2π / n` (numpy's `linspace(0, 2π, n, endpoint=False)`); the rows shuffled with
/// [`NumpyRng::shuffle`]; then `normal(scale=noise)` added to `(x1, x2)` of each point in turn.
/// Returned in the course's layout: `X (2, m)`, `Y (1, m)`.
///
/// ```
/// use linalg_nn::NumpyRng;
/// use linalg_nn::data::circles::make_circles;
/// // np.random.seed(1); X, y = sklearn.datasets.make_circles(n_samples=300, noise=.05)
/// let train = make_circles(&mut NumpyRng::new(1), 300, 0.05, 0.8);
/// assert_eq!(train.x.shape(), (2, 300));
/// assert_eq!((train.x[(0, 0)], train.x[(1, 0)]), (-0.07741354010048114, 0.8526022642742742));
/// assert_eq!(train.y[(0, 0)], 1.0);
/// ```
pub fn make_circles(rng: &mut NumpyRng, n_samples: usize, noise: f64, factor: f64) -> PlanarData {
    let n_out = n_samples / 2;
    let n_in = n_samples - n_out;
    let circle = |n: usize| -> Vec<(f64, f64)> {
        let step = std::f64::consts::TAU / n as f64;
        (0..n).map(|k| (k as f64 * step).sin_cos()).map(|(sin, cos)| (cos, sin)).collect()
    };
    // The outer circle is not scaled (`np.cos(t)`), the inner one is (`np.cos(t) * factor`).
    let mut points = circle(n_out);
    points.extend(circle(n_in).into_iter().map(|(c, s)| (c * factor, s * factor)));
    shuffled_with_noise(rng, &points, n_out, noise)
}

/// What scikit-learn's `make_circles` and `make_moons` do after laying out their points (the
/// first `n_first` labelled 0, the rest 1): `shuffle(X, y)` (a shuffled `arange(n)`, see
/// [`NumpyRng::shuffle`]), then `X += normal(scale=noise, size=(n, 2))`, drawn row by row of the
/// `(n, 2)` array. Returned in the course's layout, `X (2, n)`, `Y (1, n)`.
pub(crate) fn shuffled_with_noise(
    rng: &mut NumpyRng,
    points: &[(f64, f64)],
    n_first: usize,
    noise: f64,
) -> PlanarData {
    let n = points.len();
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let mut x = DMatrix::zeros(2, n);
    let mut y = DMatrix::zeros(1, n);
    for (column, &index) in order.iter().enumerate() {
        let (x1, x2) = points[index];
        y[(0, column)] = if index < n_first { 0.0 } else { 1.0 };
        x[(0, column)] = x1 + rng.normal(0.0, noise);
        x[(1, column)] = x2 + rng.normal(0.0, noise);
    }
    PlanarData { x, y }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sum of the bit patterns of `X` in C order of the course's `(2, m)` layout, wrapping:
    /// numpy's `np.ascontiguousarray(X.T).view(np.uint64).sum(dtype=np.uint64)`.
    fn bit_checksum(x: &DMatrix<f64>) -> u64 {
        let mut sum = 0u64;
        for i in 0..x.nrows() {
            for j in 0..x.ncols() {
                sum = sum.wrapping_add(x[(i, j)].to_bits());
            }
        }
        sum
    }

    #[test]
    fn both_sets_of_the_initialization_notebook_match_sklearn_bit_for_bit() {
        // `python3 numpy-reference/hw4_initialization.py --data` prints the first points, and
        // its `--check-sklearn` shows that its make_circles is scikit-learn's (1.9.1) bit for
        // bit; the checksums: np.random.seed(s); X, y = make_circles(n, noise=.05);
        // np.ascontiguousarray(X.T).view(np.uint64).sum(dtype=np.uint64), y.sum().
        let train = make_circles(&mut NumpyRng::new(1), 300, 0.05, 0.8);
        assert_eq!(train.x[(0, 1)], 0.43186959584803564);
        assert_eq!(train.x[(1, 1)], -0.8721450395952108);
        assert_eq!(train.labels()[..5], [1, 0, 1, 1, 0]);
        assert_eq!(bit_checksum(&train.x), 3321233981399163282);
        assert_eq!(train.y.sum(), 150.0);
        let test = make_circles(&mut NumpyRng::new(2), 100, 0.05, 0.8);
        assert_eq!((test.x[(0, 0)], test.x[(1, 0)]), (-0.5242373850862546, -0.6091036148461817));
        assert_eq!(test.labels()[..5], [1, 0, 1, 0, 0]);
        assert_eq!(bit_checksum(&test.x), 7202267385697459055);
        assert_eq!(test.y.sum(), 50.0);
    }

    #[test]
    fn points_lie_on_their_circle_before_the_noise() {
        let data = make_circles(&mut NumpyRng::new(5), 41, 0.0, 0.5);
        assert_eq!(data.m(), 41);
        // 20 outer points (label 0), 21 inner ones.
        assert_eq!(data.y.sum(), 21.0);
        for (point, label) in data.x.column_iter().zip(data.y.iter()) {
            let radius = point.norm();
            let expected = if *label == 1.0 { 0.5 } else { 1.0 };
            assert!((radius - expected).abs() < 1e-15, "{radius} for label {label}");
        }
    }
}
