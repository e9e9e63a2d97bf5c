//! A random generator that reproduces numpy's legacy `np.random` stream bit for bit, so the seeded
//! cells of the notebooks (`np.random.seed(1)`, `np.random.randn(...)`) give the same numbers here.
//!
//! numpy's legacy `RandomState` is MT19937 seeded with `init_genrand`; `random_sample` builds a
//! 53-bit double from two 32-bit draws; `randn` is the polar Box-Muller method, which produces two
//! normals per accepted pair and caches the second one for the next call.

use nalgebra::DMatrix;
use std::convert::Infallible;

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// numpy's legacy generator (`np.random.RandomState`): MT19937 plus the cached Gaussian.
///
/// ```
/// use linalg_nn::NumpyRng;
///
/// // np.random.seed(1); np.random.randn(3)
/// let mut rng = NumpyRng::new(1);
/// let v: Vec<f64> = (0..3).map(|_| rng.standard_normal()).collect();
/// assert!((v[0] - 1.62434536).abs() < 1e-8);
/// assert!((v[1] + 0.61175641).abs() < 1e-8);
/// assert!((v[2] + 0.52817175).abs() < 1e-8);
/// ```
#[derive(Clone, Debug)]
pub struct NumpyRng {
    state: Box<[u32; N]>,
    index: usize,
    cached_gauss: Option<f64>,
}

impl NumpyRng {
    /// The generator after `np.random.seed(seed)` (numpy's `init_genrand` for an integer seed).
    pub fn new(seed: u32) -> Self {
        let mut state = Box::new([0u32; N]);
        state[0] = seed;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32.wrapping_mul(prev ^ (prev >> 30)).wrapping_add(i as u32);
        }
        NumpyRng { state, index: N, cached_gauss: None }
    }

    /// Re-seeds in place, exactly like calling `np.random.seed(seed)` again (the cached Gaussian
    /// is dropped too).
    pub fn seed(&mut self, seed: u32) {
        *self = NumpyRng::new(seed);
    }

    fn regenerate(&mut self) {
        // mt[i] = mt[(i + M) % N] ^ twist(mt[i], mt[(i + 1) % N]) for i = 0, 1, ..., N - 1, in
        // the reference's three loops: no index wraps inside a loop and no branch, so the loops
        // run several words at a time (the same words as the one loop with `% N`).
        fn twist(current: u32, next: u32, far: u32) -> u32 {
            let y = (current & UPPER_MASK) | (next & LOWER_MASK);
            far ^ (y >> 1) ^ ((y & 1).wrapping_neg() & MATRIX_A)
        }
        let mt = &mut self.state;
        for i in 0..N - M {
            mt[i] = twist(mt[i], mt[i + 1], mt[i + M]);
        }
        for i in N - M..N - 1 {
            mt[i] = twist(mt[i], mt[i + 1], mt[i + M - N]);
        }
        mt[N - 1] = twist(mt[N - 1], mt[0], mt[M - 1]);
        self.index = 0;
    }

    /// The next raw 32-bit output of MT19937 (`genrand_int32`).
    pub fn next_u32_raw(&mut self) -> u32 {
        if self.index >= N {
            self.regenerate();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }

    /// One uniform double in `[0, 1)`, numpy's `random_sample()`:
    /// `((a >> 5) * 67108864 + (b >> 6)) / 2^53`.
    ///
    /// ```
    /// // np.random.seed(0); np.random.rand(3)
    /// let mut rng = linalg_nn::NumpyRng::new(0);
    /// let expected = [0.5488135, 0.71518937, 0.60276338];
    /// for e in expected {
    ///     assert!((rng.random_sample() - e).abs() < 1e-8);
    /// }
    /// ```
    pub fn random_sample(&mut self) -> f64 {
        let a = self.next_u32_raw() >> 5;
        let b = self.next_u32_raw() >> 6;
        (a as f64 * 67_108_864.0 + b as f64) / 9_007_199_254_740_992.0
    }

    /// One standard normal draw, numpy's legacy `gauss` (polar Box-Muller with a cached second
    /// value).
    pub fn standard_normal(&mut self) -> f64 {
        if let Some(g) = self.cached_gauss.take() {
            return g;
        }
        loop {
            let x1 = 2.0 * self.random_sample() - 1.0;
            let x2 = 2.0 * self.random_sample() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.cached_gauss = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// `np.random.randn(rows, cols)`: filled in numpy's C (row-major) order, so element `(i, j)`
    /// is the `i * cols + j`-th draw even though nalgebra stores columns first.
    ///
    /// ```
    /// // np.random.seed(2); np.random.randn(4, 2) * 0.01 (the planar notebook's W1)
    /// let mut rng = linalg_nn::NumpyRng::new(2);
    /// let w1 = rng.randn(4, 2) * 0.01;
    /// assert!((w1[(0, 1)] + 0.00056267).abs() < 1e-8);
    /// assert!((w1[(1, 0)] + 0.02136196).abs() < 1e-8);
    /// ```
    pub fn randn(&mut self, rows: usize, cols: usize) -> DMatrix<f64> {
        let mut out = DMatrix::zeros(rows, cols);
        for i in 0..rows {
            for j in 0..cols {
                out[(i, j)] = self.standard_normal();
            }
        }
        out
    }

    /// `np.random.randn(n)` as a plain vector.
    pub fn randn_vec(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.standard_normal()).collect()
    }

    /// `np.random.rand(rows, cols)`: uniform `[0, 1)`, in numpy's C order.
    pub fn rand(&mut self, rows: usize, cols: usize) -> DMatrix<f64> {
        let mut out = DMatrix::zeros(rows, cols);
        for i in 0..rows {
            for j in 0..cols {
                out[(i, j)] = self.random_sample();
            }
        }
        out
    }

    /// `np.random.uniform(low, high)`: `low + (high - low) * random_sample()`.
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.random_sample()
    }

    /// `np.random.normal(loc, scale)`: `loc + scale * gauss()` (the cached value included).
    ///
    /// ```
    /// // np.random.seed(1); np.random.normal(scale=0.05, size=2)
    /// let mut rng = linalg_nn::NumpyRng::new(1);
    /// assert_eq!(rng.normal(0.0, 0.05), 0.0 + 0.05 * 1.6243453636632417);
    /// assert_eq!(rng.normal(0.0, 0.05), 0.0 + 0.05 * -0.6117564136500754);
    /// ```
    pub fn normal(&mut self, loc: f64, scale: f64) -> f64 {
        loc + scale * self.standard_normal()
    }

    /// A uniform integer in `[0, max]`, numpy's legacy `random_interval`: the smallest mask
    /// `2^k - 1 >= max`, then masked 32-bit draws (64-bit draws, high word first, above
    /// `u32::MAX`) until one is `<= max`. What `shuffle` and `permutation` draw.
    ///
    /// ```
    /// let mut rng = linalg_nn::NumpyRng::new(1);
    /// let draws: Vec<u64> = (0..1000).map(|_| rng.random_interval(5)).collect();
    /// assert!(draws.iter().all(|&d| d <= 5));
    /// assert!((0..=5).all(|v| draws.contains(&v)));
    /// assert_eq!(rng.random_interval(0), 0);
    /// ```
    pub fn random_interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mask = u64::MAX >> max.leading_zeros();
        loop {
            let value = if max <= u64::from(u32::MAX) {
                u64::from(self.next_u32_raw()) & mask
            } else {
                let high = u64::from(self.next_u32_raw());
                ((high << 32) | u64::from(self.next_u32_raw())) & mask
            };
            if value <= max {
                return value;
            }
        }
    }

    /// `np.random.shuffle(x)` for a one-dimensional array: Fisher-Yates from the last element
    /// down, swapping element `i` with element [`random_interval(i)`](Self::random_interval).
    ///
    /// ```
    /// // np.random.seed(1); a = np.arange(10); np.random.shuffle(a)
    /// let mut rng = linalg_nn::NumpyRng::new(1);
    /// let mut a: Vec<usize> = (0..10).collect();
    /// rng.shuffle(&mut a);
    /// assert_eq!(a, [2, 9, 6, 4, 0, 3, 1, 7, 8, 5]);
    /// ```
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            // i < items.len(), which is a usize: both conversions are exact.
            let j = self.random_interval(i as u64) as usize;
            items.swap(i, j);
        }
    }
}

/// Lets [`NumpyRng`] drive anything in the `rand` ecosystem (`rand::Rng`, formerly `RngCore`,
/// is implemented through this).
impl rand_core::TryRng for NumpyRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.next_u32_raw())
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let low = self.next_u32_raw() as u64;
        let high = self.next_u32_raw() as u64;
        Ok((high << 32) | low)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(4) {
            let bytes = self.next_u32_raw().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Golden values: numpy 2.4's legacy RandomState, printed with repr() (every digit) by
    // `python3 numpy-reference/core_goldens.py`; compared bit for bit.
    #[test]
    fn seed_1_randn_matches_numpy() {
        let mut rng = NumpyRng::new(1);
        let expected = [
            1.6243453636632417,
            -0.6117564136500754,
            -0.5281717522634557,
            -1.0729686221561705,
            0.8654076293246785,
            -2.3015386968802827,
        ];
        let draws: Vec<f64> = (0..6).map(|_| rng.standard_normal()).collect();
        assert_eq!(draws, expected);
    }

    #[test]
    fn seed_2_randn_4x2_is_row_major() {
        // np.random.seed(2); np.random.randn(4, 2) * 0.01
        let expected = DMatrix::from_row_slice(
            4,
            2,
            &[
                -0.004167578474054706,
                -0.0005626682722632948,
                -0.02136196095668454,
                0.016402708084049887,
                -0.017934355851948632,
                -0.00841747365656204,
                0.005028814171580428,
                -0.012452880866072316,
            ],
        );
        assert_eq!(NumpyRng::new(2).randn(4, 2) * 0.01, expected);
    }

    #[test]
    fn seed_0_rand_and_raw_stream() {
        // The reference MT19937's first output for init_genrand(5489): 3499211612 (Matsumoto
        // and Nishimura's mt19937ar.c test output).
        let mut reference = NumpyRng::new(5489);
        assert_eq!(reference.next_u32_raw(), 3_499_211_612);
        // np.random.seed(0); np.random.rand(1, 3)
        let expected = DMatrix::from_row_slice(
            1,
            3,
            &[0.5488135039273248, 0.7151893663724195, 0.6027633760716439],
        );
        assert_eq!(NumpyRng::new(0).rand(1, 3), expected);
    }

    #[test]
    fn raw_stream_across_regenerations_matches_numpy() {
        // np.random.RandomState(5489).randint(0, 2**32, size=2000, dtype=np.uint32): the words
        // either side of the first two regenerations (every 624 draws) and the last.
        let mut rng = NumpyRng::new(5489);
        let words: Vec<u32> = (0..2000).map(|_| rng.next_u32_raw()).collect();
        let picked = [1, 623, 624, 1247, 1248, 1999].map(|k| words[k]);
        assert_eq!(
            picked,
            [581_869_302, 4_020_325_887, 4_178_893_912, 2_538_210_759, 358_555_951, 3_949_147_603]
        );
    }

    #[test]
    fn reseeding_drops_cached_gaussian() {
        // np.random.seed(3); np.random.randn(); np.random.seed(1); np.random.randn()
        let mut rng = NumpyRng::new(3);
        rng.standard_normal(); // leaves a cached value
        rng.seed(1);
        assert_eq!(rng.standard_normal(), 1.6243453636632417);
    }

    #[test]
    fn works_through_rand_traits() {
        use rand::RngExt;
        let mut a = NumpyRng::new(7);
        let mut b = NumpyRng::new(7);
        let x: u32 = a.random();
        assert_eq!(x, b.next_u32_raw());
    }
}
