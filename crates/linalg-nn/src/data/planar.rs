//! The planar data sets of week 3's notebook (`planar_utils.py`): the red/blue "flower" of
//! `load_planar_dataset`, generated bit for bit as numpy does it, and the notebook's extra data
//! sets of `load_extra_datasets` (noisy circles, moons, blobs, gaussian quantiles, no structure).

use crate::rng::NumpyRng;
use nalgebra::DMatrix;
use std::fmt;
use std::str::FromStr;

/// Points `X` of shape `(2, m)` and 0/1 labels `Y` of shape `(1, m)`.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanarData {
    /// One point `(x1, x2)` per column.
    pub x: DMatrix<f64>,
    /// The class of each point, 0 (red) or 1 (blue).
    pub y: DMatrix<f64>,
}

impl PlanarData {
    /// The number of points `m`.
    pub fn m(&self) -> usize {
        self.x.ncols()
    }

    /// The labels as bytes, for plotting.
    pub fn labels(&self) -> Vec<u8> {
        self.y.iter().map(|&v| u8::from(v > 0.5)).collect()
    }
}

/// numpy's `np.linspace(start, stop, num)`: `i * step + start`, with the last value set to `stop`
/// exactly, as numpy does.
fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    if num == 1 {
        return vec![start];
    }
    let step = (stop - start) / (num - 1) as f64;
    let mut v: Vec<f64> = (0..num).map(|i| i as f64 * step + start).collect();
    if let Some(last) = v.last_mut() {
        *last = stop;
    }
    v
}

/// The course's `load_planar_dataset()`: 400 points of a two-class, eight-petal flower.
///
/// numpy code it reproduces (after `np.random.seed(1)`, `N = 200`, `a = 4`):
/// `t = np.linspace(j*3.12, (j+1)*3.12, N) + np.random.randn(N)*0.2`,
/// `r = a*np.sin(4*t) + np.random.randn(N)*0.2`, columns `(r sin t, r cos t)` with label `j`.
///
/// ```
/// let flower = linalg_nn::data::planar::load_planar_dataset();
/// assert_eq!(flower.x.shape(), (2, 400));
/// assert!((flower.x[(0, 0)] - 1.20444229).abs() < 1e-8);
/// assert!((flower.x[(1, 0)] - 3.57611415).abs() < 1e-8);
/// assert_eq!(flower.y.sum(), 200.0);
/// ```
pub fn load_planar_dataset() -> PlanarData {
    flower(&mut NumpyRng::new(1), 400, 4.0)
}

/// The flower with `m` points (`m / 2` per class) and petal length `a`, drawing from `rng`.
pub fn flower(rng: &mut NumpyRng, m: usize, a: f64) -> PlanarData {
    let n = m / 2;
    let mut x = DMatrix::zeros(2, 2 * n);
    let mut y = DMatrix::zeros(1, 2 * n);
    for j in 0..2 {
        let start = j as f64 * 3.12;
        let stop = (j + 1) as f64 * 3.12;
        let t_noise = rng.randn_vec(n);
        let t: Vec<f64> =
            linspace(start, stop, n).iter().zip(&t_noise).map(|(l, e)| l + e * 0.2).collect();
        let r_noise = rng.randn_vec(n);
        for i in 0..n {
            let r = a * (4.0 * t[i]).sin() + r_noise[i] * 0.2;
            let col = n * j + i;
            x[(0, col)] = r * t[i].sin();
            x[(1, col)] = r * t[i].cos();
            y[(0, col)] = j as f64;
        }
    }
    PlanarData { x, y }
}

/// The notebook's other data sets (`load_extra_datasets`), for trying the same network on other
/// shapes. Generated here in the manner of scikit-learn's generators (not bit for bit: sklearn's
/// streams differ from numpy's legacy one), deterministic for a given seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlanarDataset {
    /// The flower of `load_planar_dataset` (its seed is fixed at 1, as in the course).
    Flower,
    /// Two concentric circles (radius 1 and 0.5) with Gaussian noise 0.3.
    NoisyCircles,
    /// Two interleaving half moons with Gaussian noise 0.2.
    NoisyMoons,
    /// Six Gaussian blobs, labelled by blob index modulo 2.
    Blobs,
    /// A 2-D Gaussian (variance 0.5) split into two classes by distance from the centre.
    GaussianQuantiles,
    /// Uniform points with random labels: nothing to learn.
    NoStructure,
}

impl PlanarDataset {
    /// Every data set, flower first.
    pub const ALL: [PlanarDataset; 6] = [
        PlanarDataset::Flower,
        PlanarDataset::NoisyCircles,
        PlanarDataset::NoisyMoons,
        PlanarDataset::Blobs,
        PlanarDataset::GaussianQuantiles,
        PlanarDataset::NoStructure,
    ];

    /// The name used on the command line (`--dataset`).
    pub fn name(self) -> &'static str {
        match self {
            PlanarDataset::Flower => "flower",
            PlanarDataset::NoisyCircles => "noisy-circles",
            PlanarDataset::NoisyMoons => "noisy-moons",
            PlanarDataset::Blobs => "blobs",
            PlanarDataset::GaussianQuantiles => "gaussian-quantiles",
            PlanarDataset::NoStructure => "no-structure",
        }
    }

    /// Generates the data set: 400 points for the flower, 200 for the others (as the notebook),
    /// drawing from a generator seeded with `seed` (ignored for the flower, whose seed the course
    /// fixes).
    ///
    /// ```
    /// use linalg_nn::data::planar::PlanarDataset;
    /// let moons = PlanarDataset::NoisyMoons.generate(3);
    /// assert_eq!(moons.x.shape(), (2, 200));
    /// assert_eq!(moons, PlanarDataset::NoisyMoons.generate(3)); // deterministic
    /// assert_ne!(moons, PlanarDataset::NoisyMoons.generate(4));
    /// ```
    pub fn generate(self, seed: u32) -> PlanarData {
        const N: usize = 200;
        let mut rng = NumpyRng::new(seed);
        let rng = &mut rng;
        match self {
            PlanarDataset::Flower => load_planar_dataset(),
            PlanarDataset::NoisyCircles => two_curves(
                rng,
                N,
                0.3,
                |t| (t.cos(), t.sin()),
                |t| (0.5 * t.cos(), 0.5 * t.sin()),
                std::f64::consts::TAU,
            ),
            PlanarDataset::NoisyMoons => two_curves(
                rng,
                N,
                0.2,
                |t| (t.cos(), t.sin()),
                |t| (1.0 - t.cos(), 1.0 - t.sin() - 0.5),
                std::f64::consts::PI,
            ),
            PlanarDataset::Blobs => {
                let centres: Vec<(f64, f64)> =
                    (0..6).map(|_| (rng.uniform(-10.0, 10.0), rng.uniform(-10.0, 10.0))).collect();
                let mut x = DMatrix::zeros(2, N);
                let mut y = DMatrix::zeros(1, N);
                for i in 0..N {
                    let c = i % centres.len();
                    x[(0, i)] = centres[c].0 + rng.standard_normal();
                    x[(1, i)] = centres[c].1 + rng.standard_normal();
                    y[(0, i)] = (c % 2) as f64;
                }
                PlanarData { x, y }
            }
            PlanarDataset::GaussianQuantiles => {
                let sd = 0.5f64.sqrt();
                let x = rng.randn(2, N) * sd;
                let mut order: Vec<usize> = (0..N).collect();
                let dist = |i: usize| x[(0, i)].powi(2) + x[(1, i)].powi(2);
                order.sort_by(|&a, &b| dist(a).total_cmp(&dist(b)));
                let mut y = DMatrix::zeros(1, N);
                for &i in &order[N / 2..] {
                    y[(0, i)] = 1.0;
                }
                PlanarData { x, y }
            }
            PlanarDataset::NoStructure => {
                let x = rng.rand(2, N);
                let y = rng.rand(1, N).map(|v| if v < 0.5 { 0.0 } else { 1.0 });
                PlanarData { x, y }
            }
        }
    }
}

/// Two labelled curves, `n / 2` points each along `t` in `[0, span)`, plus Gaussian noise.
fn two_curves(
    rng: &mut NumpyRng,
    n: usize,
    noise: f64,
    outer: impl Fn(f64) -> (f64, f64),
    inner: impl Fn(f64) -> (f64, f64),
    span: f64,
) -> PlanarData {
    let half = n / 2;
    let mut x = DMatrix::zeros(2, 2 * half);
    let mut y = DMatrix::zeros(1, 2 * half);
    for i in 0..half {
        let t = span * i as f64 / half as f64;
        let (a0, a1) = outer(t);
        let (b0, b1) = inner(t);
        x[(0, i)] = a0;
        x[(1, i)] = a1;
        x[(0, half + i)] = b0;
        x[(1, half + i)] = b1;
        y[(0, half + i)] = 1.0;
    }
    x += rng.randn(2, 2 * half) * noise;
    PlanarData { x, y }
}

impl fmt::Display for PlanarDataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PlanarDataset {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.to_ascii_lowercase().replace('_', "-");
        PlanarDataset::ALL.into_iter().find(|d| d.name() == wanted).ok_or_else(|| {
            let names: Vec<&str> = PlanarDataset::ALL.iter().map(|d| d.name()).collect();
            format!("unknown dataset '{s}': expected one of {}", names.join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Golden values: numpy 2.4 running the course's load_planar_dataset() (planar_utils.py), as
    // `python3 numpy-reference/core_goldens.py` prints them: four corners with every digit, and
    // a checksum of all 800 values' bits, so the data set is checked bit for bit.
    #[test]
    fn flower_matches_numpy_bit_for_bit() {
        let d = load_planar_dataset();
        assert_eq!(d.x.shape(), (2, 400));
        assert_eq!(d.y.shape(), (1, 400));
        assert_eq!(
            [d.x[(0, 0)], d.x[(1, 0)], d.x[(0, 399)], d.x[(1, 399)]],
            [1.204442292254319, 3.5761141481288448, 0.7307808250007513, 3.0683292081876545]
        );
        // The f64 bit patterns in row-major order, the k-th weighted by k + 1, summed mod 2^64:
        // any changed bit or swapped pair of values changes it.
        let mut checksum = 0u64;
        for i in 0..2 {
            for j in 0..400 {
                let weight = (i * 400 + j + 1) as u64;
                checksum = checksum.wrapping_add(weight.wrapping_mul(d.x[(i, j)].to_bits()));
            }
        }
        assert_eq!(checksum, 5_879_694_966_783_126_088);
        assert_eq!(d.y.sum(), 200.0);
        assert_eq!(d.y[(0, 199)], 0.0);
        assert_eq!(d.y[(0, 200)], 1.0);
    }

    #[test]
    fn linspace_matches_numpy_endpoints() {
        let v = linspace(3.12, 6.24, 200);
        assert_eq!(v[0], 3.12);
        assert_eq!(v[199], 6.24);
        assert_eq!(linspace(0.0, 1.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    }

    #[test]
    fn extra_datasets_are_balanced_two_class_sets() {
        for d in PlanarDataset::ALL {
            let data = d.generate(1);
            assert_eq!(data.x.nrows(), 2, "{d}");
            assert!(data.x.iter().all(|v| v.is_finite()), "{d}");
            assert!(data.y.iter().all(|&v| v == 0.0 || v == 1.0), "{d}");
            let ones = data.y.sum();
            if d != PlanarDataset::NoStructure {
                assert_eq!(ones, data.m() as f64 / 2.0, "{d}");
            }
            assert_eq!(d.name().parse::<PlanarDataset>().unwrap(), d);
        }
        assert!("spirals".parse::<PlanarDataset>().is_err());
    }

    #[test]
    fn circles_have_the_right_radii_before_noise() {
        // The inner class's mean radius is about 0.5 and the outer's about 1 (noise 0.3 shifts
        // them a little outwards).
        let d = PlanarDataset::NoisyCircles.generate(0);
        let radius = |i: usize| (d.x[(0, i)].powi(2) + d.x[(1, i)].powi(2)).sqrt();
        let outer: f64 = (0..100).map(radius).sum::<f64>() / 100.0;
        let inner: f64 = (100..200).map(radius).sum::<f64>() / 100.0;
        assert!(outer > inner + 0.3, "outer {outer}, inner {inner}");
    }
}
