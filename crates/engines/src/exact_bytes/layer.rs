//! The first layer of a network trained on the cat pictures' bytes: the direct engine of the
//! application notebook (course 1 week 4, `two_layer_model` / `L_layer_model`) computes
//! `Z1 = W1 X + b1` and `dW1 = (1/m) dZ1 X^T` every iteration, and with `X = B / 255` both are
//! `n1` exact byte products of [`super`] per iteration instead of two float64 products over the
//! 20.5 MB `X`.

use super::{ColumnTiles, Digits, MAX_TERMS};
use crate::pair;
use linalg_nn::error::{NnError, Result};
use linalg_nn::matrix::ensure_shape;
use nalgebra::DMatrix;
use std::ops::Range;

/// Below this many byte multiply-adds per step (`n1 n_x m`, twice) the helper thread's
/// hand-over costs more than the second half saves.
const PAIR_MIN_WORK: usize = 1 << 20;

/// One fixed half of `W1`'s rows, with everything its thread writes.
#[derive(Clone, Debug)]
struct RowHalf {
    rows: Range<usize>,
    /// `W1[r, :]` of the half's rows, one row after the other.
    weights: Vec<f64>,
    /// Each row's digits, split after every update.
    digits: Vec<Digits>,
    /// `dZ1[r, :]` of the two rows being stepped, and their digits.
    dz_rows: [Vec<f64>; 2],
    dz_digits: [Digits; 2],
    /// `sum_j dZ1[r, j] b_j`, one entry per feature, of the two rows being stepped.
    dw: [Vec<f64>; 2],
    /// `W1[r, :] B`, one row of `m` after the other.
    z: Vec<f64>,
}

impl RowHalf {
    fn new(weights: &DMatrix<f64>, rows: Range<usize>, m: usize) -> Self {
        let n_x = weights.ncols();
        let mut row_major = Vec::with_capacity(rows.len() * n_x);
        for r in rows.clone() {
            row_major.extend(weights.row(r).iter());
        }
        RowHalf {
            digits: rows.clone().map(|_| Digits::new(n_x)).collect(),
            z: vec![0.0; rows.len() * m],
            rows,
            weights: row_major,
            dz_rows: [vec![0.0; m], vec![0.0; m]],
            dz_digits: [Digits::new(m), Digits::new(m)],
            dw: [vec![0.0; n_x], vec![0.0; n_x]],
        }
    }

    /// `W1[r, :] B` of every row of the half, from the current weights, two rows at a time
    /// ([`ColumnTiles::product_pair`]).
    fn forward(&mut self, forward: &ColumnTiles) {
        let n_x = forward.columns();
        let m = forward.rows();
        for (k, digits) in self.digits.iter_mut().enumerate() {
            // A NaN or infinite weight makes the row's products NaN: the cost reports it.
            digits.fill(&self.weights[k * n_x..(k + 1) * n_x]);
        }
        let pairs = self.digits.chunks_exact(2).zip(self.z.chunks_exact_mut(2 * m));
        for (pair, z) in pairs {
            let (first, second) = z.split_at_mut(m);
            forward.product_pair([&pair[0], &pair[1]], [first, second]);
        }
        if let Some(last) = self.digits.chunks_exact(2).remainder().first() {
            let z = self.z.len() - m;
            forward.product(last, &mut self.z[z..]);
        }
    }

    /// `W1[r, :] -= learning_rate gradient_scale (B dZ1[r, :]^T)^T` for every row of the half,
    /// then [`RowHalf::forward`].
    fn step(
        &mut self,
        forward: &ColumnTiles,
        backward: &ColumnTiles,
        dz: &DMatrix<f64>,
        gradient_scale: f64,
        learning_rate: f64,
    ) {
        let n_x = backward.rows();
        let rows = self.rows.len();
        // Two rows of dZ1 at a time ([`ColumnTiles::product_pair`]), the last one alone.
        for k in (0..rows).step_by(2) {
            let pair = (rows - k).min(2);
            for g in 0..pair {
                let r = self.rows.start + k + g;
                for (to, &from) in self.dz_rows[g].iter_mut().zip(dz.row(r).iter()) {
                    *to = from;
                }
                self.dz_digits[g].fill(&self.dz_rows[g]);
            }
            let [dw_first, dw_second] = &mut self.dw;
            if pair == 2 {
                let digits = [&self.dz_digits[0], &self.dz_digits[1]];
                backward.product_pair(digits, [dw_first, dw_second]);
            } else {
                backward.product(&self.dz_digits[0], dw_first);
            }
            for g in 0..pair {
                // update_parameters' `W := W - learning_rate dW` with `dW = (1/m) dZ1 X^T`.
                let row = &mut self.weights[(k + g) * n_x..(k + g + 1) * n_x];
                for (w, &sum) in row.iter_mut().zip(&self.dw[g]) {
                    *w -= learning_rate * (sum * gradient_scale);
                }
            }
        }
        self.forward(forward);
    }
}

/// The first layer `Z1 = W1 X + b1` of a network trained by full-batch gradient descent on
/// pictures `X = B / 255` given as their bytes `B` `(n_x, m)`: each iteration's
/// [`ByteFirstLayer::step`] takes `dZ1` from backpropagation, updates `b1` and `W1` as the
/// notebook's `update_parameters` would, and computes the new `Z1`.
///
/// Every entry of `W1 B` and of `dZ1 B^T` is the correctly rounded value of its exact sum (the
/// weights and `dZ1` taken to 56 bits, [`Digits`]); the `1/255` is applied to each rounded sum.
/// The rows of `W1` are cut into two fixed halves, the second computed on a helper thread when
/// the machine has two cores ([`pair::join`]); each entry is computed whole by one half, so the
/// numbers do not depend on the number of cores.
///
/// ```
/// use nn_engines::exact_bytes::ByteFirstLayer;
/// use nalgebra::DMatrix;
///
/// // Two pictures of three bytes, one per column: X = B / 255.
/// let pixels = [0u8, 51, 255, 102, 255, 0];
/// let x = DMatrix::from_column_slice(3, 2, &pixels.map(|b| b as f64 / 255.0));
/// let w0 = DMatrix::from_row_slice(2, 3, &[0.5, -1.0, 0.25, 2.0, 0.0, -0.5]);
/// let b0 = DMatrix::from_row_slice(2, 1, &[0.1, -0.1]);
/// let mut layer = ByteFirstLayer::new(&pixels, 3, w0.clone(), b0.clone(), 0.5).unwrap();
/// let z0 = &w0 * &x + DMatrix::from_fn(2, 2, |r, _| b0[r]);
/// assert!((layer.z() - z0).abs().max() < 1e-15);
///
/// // One step with an upstream gradient dZ1, against update_parameters' direct update.
/// let dz = DMatrix::from_row_slice(2, 2, &[0.25, -0.5, 1.0, 0.125]);
/// layer.step(&dz).unwrap();
/// let w1 = &w0 - (&dz * x.transpose() / 2.0) * 0.5;
/// let b1 = &b0 - DMatrix::from_fn(2, 1, |r, _| dz.row(r).sum() / 2.0) * 0.5;
/// let z1 = &w1 * &x + DMatrix::from_fn(2, 2, |r, _| b1[r]);
/// assert!((layer.weights() - &w1).abs().max() < 1e-15);
/// assert!((layer.bias() - &b1).abs().max() < 1e-15);
/// assert!((layer.z() - z1).abs().max() < 1e-15);
/// ```
#[derive(Clone, Debug)]
pub struct ByteFirstLayer {
    /// `B^T` `(m, n_x)`, for `W1[r, :] B`.
    forward: ColumnTiles,
    /// `B` `(n_x, m)`, for `B dZ1[r, :]^T`.
    backward: ColumnTiles,
    halves: [RowHalf; 2],
    b: DMatrix<f64>,
    z: DMatrix<f64>,
    learning_rate: f64,
    /// Whether a step is worth the helper thread.
    paired: bool,
}

impl ByteFirstLayer {
    /// Whether pictures of `n_x` bytes, `m` of them, are within the exact sums' range
    /// ([`MAX_TERMS`] each way), on any CPU.
    ///
    /// ```
    /// use nn_engines::exact_bytes::{ByteFirstLayer, MAX_TERMS};
    /// assert!(ByteFirstLayer::fits(12288, 209));
    /// assert!(!ByteFirstLayer::fits(MAX_TERMS + 1, 209));
    /// ```
    pub fn fits(n_x: usize, m: usize) -> bool {
        n_x <= MAX_TERMS && m <= MAX_TERMS
    }

    /// Starts from `W1_0` `(n1, n_x)` and `b1_0` `(n1, 1)` on `pixels` (`n_x` bytes per picture,
    /// picture after picture), computing `Z1_0 = W1_0 X + b1_0`.
    ///
    /// Fails with [`NnError::InvalidArgument`] when `pixels` is not whole pictures of `n_x` bytes, when
    /// there are none, or when a count is beyond [`MAX_TERMS`]; with [`NnError::ShapeMismatch`]
    /// when `W1_0` or `b1_0` does not fit.
    pub fn new(
        pixels: &[u8],
        n_x: usize,
        initial_weights: DMatrix<f64>,
        initial_bias: DMatrix<f64>,
        learning_rate: f64,
    ) -> Result<Self> {
        let m = pixels.len().checked_div(n_x).unwrap_or(0);
        if n_x == 0 || m * n_x != pixels.len() {
            return Err(NnError::invalid(
                "the pictures' bytes",
                format!("{} bytes are not whole pictures of {n_x} bytes", pixels.len()),
            ));
        }
        if m == 0 {
            return Err(NnError::invalid("X", "training needs at least one example"));
        }
        if n_x > MAX_TERMS || m > MAX_TERMS {
            return Err(NnError::invalid(
                "the pictures' bytes",
                format!("{m} pictures of {n_x} bytes: at most {MAX_TERMS} of each for exact sums"),
            ));
        }
        let n1 = initial_weights.nrows();
        ensure_shape(&initial_weights, (n1, n_x), "W1 against the pictures (n_x columns)")?;
        ensure_shape(&initial_bias, (n1, 1), "b1 against W1 (one bias per row)")?;
        let (forward, backward) = pair::join(
            || ColumnTiles::transposed(pixels, n_x, 0..m),
            || ColumnTiles::new(pixels, n_x, 0..m),
        );
        let mid = n1.div_ceil(2);
        let halves =
            [RowHalf::new(&initial_weights, 0..mid, m), RowHalf::new(&initial_weights, mid..n1, m)];
        let mut layer = ByteFirstLayer {
            forward,
            backward,
            halves,
            b: initial_bias,
            z: DMatrix::zeros(n1, m),
            learning_rate,
            paired: n1 > 1 && n1.saturating_mul(n_x).saturating_mul(m) >= PAIR_MIN_WORK,
        };
        let forward = &layer.forward;
        run_halves(&mut layer.halves, layer.paired, |half| half.forward(forward));
        layer.assemble_z();
        Ok(layer)
    }

    /// The current pre-activation `Z1 = W1 X + b1` `(n1, m)`.
    pub fn z(&self) -> &DMatrix<f64> {
        &self.z
    }

    /// The current bias `b1` `(n1, 1)`.
    pub fn bias(&self) -> &DMatrix<f64> {
        &self.b
    }

    /// The current weights `W1` `(n1, n_x)`, built from the layer's rows.
    pub fn weights(&self) -> DMatrix<f64> {
        let n_x = self.backward.rows();
        let rows: Vec<f64> = self.halves.iter().flat_map(|h| h.weights.iter().copied()).collect();
        DMatrix::from_row_slice(self.z.nrows(), n_x, &rows)
    }

    /// One gradient-descent step given `dZ1` `(n1, m)` from backpropagation:
    /// `b1 := b1 - a db1` with `db1 = (1/m) sum(dZ1, axis=1)` (each row summed left to right),
    /// `W1 := W1 - a dW1` with `dW1 = (1/m) dZ1 X^T`, then `Z1 = W1 X + b1`. Allocates nothing.
    ///
    /// A NaN or infinite entry of `dZ1` or of the new weights makes the affected rows of `Z1`
    /// NaN (the cost then reports the divergence); only a wrong shape is an error.
    pub fn step(&mut self, dz: &DMatrix<f64>) -> Result<()> {
        ensure_shape(dz, self.z.shape(), "dZ1 against Z1")?;
        let m = self.z.ncols();
        let inv_m = 1.0 / m as f64;
        let learning_rate = self.learning_rate;
        for (r, b) in self.b.iter_mut().enumerate() {
            let sum = dz.row(r).iter().fold(0.0, |sum, v| sum + v);
            *b -= learning_rate * (sum * inv_m);
        }
        // dW1 = (1/m) dZ1 (B / 255)^T: the 1/255 goes with the 1/m, on the exact sums.
        let gradient_scale = inv_m / 255.0;
        let (forward, backward) = (&self.forward, &self.backward);
        run_halves(&mut self.halves, self.paired, |half| {
            half.step(forward, backward, dz, gradient_scale, learning_rate)
        });
        self.assemble_z();
        Ok(())
    }

    /// `Z1[r, j] = (W1[r, :] b_j) / 255 + b1[r]` from the halves' products.
    fn assemble_z(&mut self) {
        let m = self.z.ncols();
        for half in &self.halves {
            for (k, r) in half.rows.clone().enumerate() {
                let bias = self.b[r];
                for (j, &sum) in half.z[k * m..(k + 1) * m].iter().enumerate() {
                    self.z[(r, j)] = sum / 255.0 + bias;
                }
            }
        }
    }
}

/// `work` on both halves of the rows, the second on the helper thread when `paired`.
fn run_halves(halves: &mut [RowHalf; 2], paired: bool, work: impl Fn(&mut RowHalf) + Sync) {
    let [own, other] = halves;
    if paired {
        pair::join(|| work(own), || work(other));
    } else {
        work(own);
        work(other);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linalg_nn::NumpyRng;

    /// `m` random pictures of `n_x` bytes, and `X = B / 255` from them.
    fn pictures(n_x: usize, m: usize, seed: u32) -> (Vec<u8>, DMatrix<f64>) {
        let mut rng = NumpyRng::new(seed);
        let pixels: Vec<u8> = (0..n_x * m).map(|_| (rng.random_sample() * 256.0) as u8).collect();
        let x = DMatrix::from_iterator(n_x, m, pixels.iter().map(|&b| b as f64 / 255.0));
        (pixels, x)
    }

    /// The notebook's float64 step: `W -= a (dZ X^T / m)`, `b -= a (sum(dZ) / m)`.
    fn float_step(w: &mut DMatrix<f64>, b: &mut DMatrix<f64>, x: &DMatrix<f64>, dz: &DMatrix<f64>) {
        let m = x.ncols() as f64;
        *w -= (dz * x.transpose() / m) * 0.05;
        for r in 0..b.nrows() {
            b[r] -= 0.05 * (dz.row(r).sum() / m);
        }
    }

    #[test]
    fn steps_follow_the_float64_computation_of_update_parameters() {
        // 300 features, 37 pictures, 5 rows: two uneven halves and a partial last tile.
        let (pixels, x) = pictures(300, 37, 3);
        let mut rng = NumpyRng::new(4);
        let (mut w, mut b) = (rng.randn(5, 300) * 0.01, rng.randn(5, 1));
        let mut layer = ByteFirstLayer::new(&pixels, 300, w.clone(), b.clone(), 0.05).unwrap();
        for _ in 0..20 {
            let z = &w * &x + DMatrix::from_fn(5, 37, |r, _| b[r]);
            // Relative to the largest entry: the float64 products round differently.
            assert!((layer.z() - &z).abs().max() <= 1e-14 * z.abs().max());
            let dz = rng.randn(5, 37);
            layer.step(&dz).unwrap();
            float_step(&mut w, &mut b, &x, &dz);
        }
        assert!((layer.weights() - &w).abs().max() <= 1e-14 * w.abs().max());
        // db1's sums are the same operations in the same order as the float step's.
        assert!((layer.bias() - &b).abs().max() <= 1e-15 * b.abs().max());
    }

    #[test]
    fn the_helper_thread_changes_no_bit() {
        // 3 rows of 8000 features by 48 pictures is past PAIR_MIN_WORK; the same layer with the
        // helper turned off must give the same bits.
        let (pixels, _) = pictures(8000, 48, 5);
        let mut rng = NumpyRng::new(6);
        let w = rng.randn(3, 8000) * 0.01;
        let mut paired = ByteFirstLayer::new(&pixels, 8000, w, DMatrix::zeros(3, 1), 0.01).unwrap();
        assert!(paired.paired);
        let mut alone = paired.clone();
        alone.paired = false;
        for _ in 0..3 {
            let dz = rng.randn(3, 48);
            paired.step(&dz).unwrap();
            alone.step(&dz).unwrap();
        }
        assert_eq!(paired.z(), alone.z());
        assert_eq!(paired.weights(), alone.weights());
    }

    #[test]
    fn a_single_row_and_a_single_picture_work() {
        let pixels = [255u8, 0, 51];
        let w = DMatrix::from_row_slice(1, 3, &[1.0, 5.0, -2.0]);
        let mut layer = ByteFirstLayer::new(&pixels, 3, w, DMatrix::zeros(1, 1), 1.0).unwrap();
        // By hand: w . b = 255 - 102 = 153 exactly, divided by 255 once.
        assert_eq!(layer.z(), &DMatrix::from_row_slice(1, 1, &[153.0 / 255.0]));
        layer.step(&DMatrix::from_row_slice(1, 1, &[0.5])).unwrap();
        // W -= 1.0 (0.5 x^T) = 0.5 (1, 0, 0.2); b -= 0.5; then z = (0.5 255 - 2.1 51) / 255 - 0.5.
        let expected = DMatrix::from_row_slice(1, 3, &[0.5, 5.0, -2.1]);
        assert!((layer.weights() - expected).abs().max() <= 1e-15);
        assert_eq!(layer.bias(), &DMatrix::from_row_slice(1, 1, &[-0.5]));
        assert!((layer.z()[0] - (0.5 - 0.42 - 0.5)).abs() <= 1e-15);
    }

    #[test]
    fn non_finite_gradients_make_z_nan_and_bad_inputs_are_refused() {
        let (pixels, _) = pictures(8, 4, 7);
        let w = DMatrix::from_element(2, 8, 0.1);
        let mut layer =
            ByteFirstLayer::new(&pixels, 8, w.clone(), DMatrix::zeros(2, 1), 0.1).unwrap();
        let mut dz = DMatrix::zeros(2, 4);
        dz[(1, 2)] = f64::NAN;
        layer.step(&dz).unwrap();
        assert!(layer.z().row(0).iter().all(|v| v.is_finite()));
        assert!(layer.z().row(1).iter().all(|v| v.is_nan()));

        let err = layer.step(&DMatrix::zeros(2, 5)).unwrap_err().to_string();
        assert!(err.contains("dZ1 against Z1"), "{err}");
        let err = ByteFirstLayer::new(&pixels[..30], 8, w.clone(), DMatrix::zeros(2, 1), 0.1)
            .unwrap_err()
            .to_string();
        assert!(err.contains("30 bytes are not whole pictures of 8 bytes"), "{err}");
        let err = ByteFirstLayer::new(&[], 8, w.clone(), DMatrix::zeros(2, 1), 0.1).unwrap_err();
        assert!(err.to_string().contains("at least one example"), "{err}");
        let err =
            ByteFirstLayer::new(&pixels, 8, w.clone(), DMatrix::zeros(3, 1), 0.1).unwrap_err();
        assert!(err.to_string().contains("b1 against W1"), "{err}");
        let err = ByteFirstLayer::new(&pixels, 4, w, DMatrix::zeros(2, 1), 0.1).unwrap_err();
        assert!(err.to_string().contains("W1 against the pictures"), "{err}");
    }
}
