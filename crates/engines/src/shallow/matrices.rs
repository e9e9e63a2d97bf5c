//! [`super::train`] for any layer sizes: the notebook's loop (section 4.4) over matrices held in
//! buffers that are allocated on the first iteration and reused after, so that an iteration
//! allocates nothing. Each loop adds its terms in a fixed order, the plain loop's: products over
//! the shared index in ascending order (`np.dot(W, A) + b` from the first product,
//! `np.dot(dZ, A.T)` from zero and then times `1/m`), row sums in numpy's pairwise order. The
//! hidden layer's tanh is [`crate::tanh::tanh_into`] and the sigmoid's exponential
//! [`crate::vector_exp::exp`], both with the plain scalar code's bits.

use super::{History, Network, Schedule};
use linalg_nn::activations::Activation;
use linalg_nn::cost::cross_entropy_cost;
use linalg_nn::train::{Iteration, TrainObserver, check_cost};
use linalg_nn::{DMatrix, NnError};

/// The forward pass's matrices `Z1, A1, Z2, A2`.
#[derive(Default)]
struct Forward {
    z1: DMatrix<f64>,
    a1: DMatrix<f64>,
    z2: DMatrix<f64>,
    a2: DMatrix<f64>,
}

/// The backward pass's matrices: `dZ1, dZ2` and the four gradients.
#[derive(Default)]
struct Backward {
    dz1: DMatrix<f64>,
    dz2: DMatrix<f64>,
    dw1: DMatrix<f64>,
    db1: DMatrix<f64>,
    dw2: DMatrix<f64>,
    db2: DMatrix<f64>,
}

/// The loop. Shapes are checked by the caller.
pub(super) fn run<O: TrainObserver + ?Sized>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    network: &mut Network,
    schedule: &Schedule,
    observer: &mut O,
    history: History<'_>,
) -> Result<(), NnError> {
    let total = schedule.num_iterations;
    let (mut forward, mut backward) = (Forward::default(), Backward::default());
    for index in 0..total {
        forward_into(x, network, &mut forward);
        let cost = cross_entropy_cost(&forward.a2, y)?;
        check_cost(index, cost, schedule.learning_rate)?;
        backward_into(network, &forward, x, y, &mut backward);
        update(network, &backward, schedule.learning_rate);
        if schedule.every_cost {
            history.cost_history.push(cost);
        }
        let recorded = index % schedule.cost_every == 0;
        if recorded {
            history.costs.push(cost);
        }
        observer.on_iteration(&Iteration { index, total, cost: recorded.then_some(cost) });
    }
    Ok(())
}

/// `A2` of the forward pass. Shapes are checked by the caller.
pub(super) fn output(network: &Network, x: &DMatrix<f64>) -> DMatrix<f64> {
    let mut forward = Forward::default();
    forward_into(x, network, &mut forward);
    forward.a2
}

/// `Z1 = W1 X + b1`, `A1 = g(Z1)`, `Z2 = W2 A1 + b2`, `A2 = 1 / (1 + e^-Z2)`.
fn forward_into(x: &DMatrix<f64>, network: &Network, out: &mut Forward) {
    let g = network.activation;
    linear_forward_into(&network.w1, x, &network.b1, &mut out.z1);
    ensure_buffer(&mut out.a1, out.z1.shape());
    match g {
        Activation::Tanh => crate::tanh::tanh_into(out.z1.as_slice(), out.a1.as_mut_slice()),
        _ => out.a1.zip_apply(&out.z1, |a, z| *a = g.apply_scalar(z)),
    }
    linear_forward_into(&network.w2, &out.a1, &network.b2, &mut out.z2);
    ensure_buffer(&mut out.a2, out.z2.shape());
    out.a2.zip_apply(&out.z2, |a, z| *a = 1.0 / (1.0 + crate::vector_exp::exp(-z)));
}

/// `dZ2 = A2 - Y`, `dW2 = (1/m) dZ2 A1^T`, `db2 = (1/m) sum(dZ2, axis=1)`,
/// `dZ1 = W2^T dZ2 * g'(Z1)`, `dW1 = (1/m) dZ1 X^T`, `db1 = (1/m) sum(dZ1, axis=1)`.
fn backward_into(
    network: &Network,
    forward: &Forward,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    out: &mut Backward,
) {
    let (n_h, n_y, m) = (network.w1.nrows(), network.w2.nrows(), x.ncols());
    // The notebook multiplies by 1/m rather than dividing by m; the rounding differs.
    let inv_m = 1.0 / m as f64;
    let Backward { dz1, dz2, dw1, db1, dw2, db2 } = out;

    ensure_buffer(dz2, (n_y, m));
    dz2.zip_zip_apply(&forward.a2, y, |d, a, t| *d = a - t);
    weight_gradient_into(dz2, &forward.a1, inv_m, dw2);
    ensure_buffer(db2, (n_y, 1));
    row_sums_into(dz2, inv_m, db2);

    // dZ1 = (W2^T dZ2) * g'(Z1), one entry at a time (no W2^T dZ2 matrix is kept).
    ensure_buffer(dz1, (n_h, m));
    let g = network.activation;
    let w2 = network.w2.as_slice();
    let columns =
        dz1.as_mut_slice().chunks_exact_mut(n_h).zip(dz2.as_slice().chunks_exact(n_y)).zip(
            forward.z1.as_slice().chunks_exact(n_h).zip(forward.a1.as_slice().chunks_exact(n_h)),
        );
    for ((dz1_col, dz2_col), (z1_col, a1_col)) in columns {
        for (i, ((d, &z), &a)) in dz1_col.iter_mut().zip(z1_col).zip(a1_col).enumerate() {
            // (W2^T dZ2)[i, j]: column i of W2 is w2[i * n_y..], contiguous.
            let w2_col = &w2[i * n_y..(i + 1) * n_y];
            let mut da = w2_col[0] * dz2_col[0];
            for (&w, &dz) in w2_col.iter().zip(dz2_col).skip(1) {
                da += w * dz;
            }
            *d = da * g.derivative_scalar(z, a);
        }
    }
    weight_gradient_into(dz1, x, inv_m, dw1);
    ensure_buffer(db1, (n_h, 1));
    row_sums_into(dz1, inv_m, db1);
}

/// `theta = theta - alpha dtheta` for each of `W1, b1, W2, b2`: the product first, then the
/// difference, as numpy rounds it.
fn update(network: &mut Network, grads: &Backward, learning_rate: f64) {
    let pairs = [
        (&mut network.w1, &grads.dw1),
        (&mut network.b1, &grads.db1),
        (&mut network.w2, &grads.dw2),
        (&mut network.b2, &grads.db2),
    ];
    for (param, grad) in pairs {
        param.zip_apply(grad, |p, g| *p -= learning_rate * g);
    }
}

/// `out[i] = scale * pairwise_sum(row i of m)`; `out` is `(rows, 1)`.
fn row_sums_into(m: &DMatrix<f64>, scale: f64, out: &mut DMatrix<f64>) {
    let rows = m.nrows();
    let data = m.as_slice();
    for (i, o) in out.iter_mut().enumerate() {
        // Row i of a column-major matrix: every `rows`-th value from i.
        *o = pairwise_sum(m.ncols(), &|j| data[i + j * rows]) * scale;
    }
}

/// numpy's `pairwise_sum` (`numpy/_core/src/umath/loops_utils.h.src`) over `n` values read with
/// `at(0..n)`: below 8 values a plain loop; up to 128, eight running sums combined as
/// `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))` plus the leftovers; above, the two halves
/// (split at a multiple of 8) summed recursively.
pub(super) fn pairwise_sum(n: usize, at: &impl Fn(usize) -> f64) -> f64 {
    pairwise_range(0, n, at)
}

fn pairwise_range(start: usize, n: usize, at: &impl Fn(usize) -> f64) -> f64 {
    const BLOCK: usize = 128;
    if n < 8 {
        (start..start + n).fold(0.0, |acc, j| acc + at(j))
    } else if n <= BLOCK {
        let mut r = [0.0; 8];
        for (k, slot) in r.iter_mut().enumerate() {
            *slot = at(start + k);
        }
        let whole = n - n % 8;
        for block in (8..whole).step_by(8) {
            for (k, slot) in r.iter_mut().enumerate() {
                *slot += at(start + block + k);
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for j in whole..n {
            res += at(start + j);
        }
        res
    } else {
        let half = n / 2;
        let half = half - half % 8;
        pairwise_range(start, half, at) + pairwise_range(start + half, n - half, at)
    }
}

/// Replaces `m` by a zero matrix of `shape` unless it already has that shape (buffers are
/// allocated on the first iteration and reused after).
fn ensure_buffer(m: &mut DMatrix<f64>, shape: (usize, usize)) {
    if m.shape() != shape {
        *m = DMatrix::zeros(shape.0, shape.1);
    }
}

/// `Z = W A + b` into `z`: `W (n_out, n_in)`, `A (n_in, m)`, `b (n_out, 1)`. Column `j` of `Z`
/// is `W[:, 0] a[0, j]`, plus `W[:, k] a[k, j]` for `k = 1, 2, ...` in turn, plus `b`: the order
/// of a column-by-column matrix-vector product.
fn linear_forward_into(w: &DMatrix<f64>, a: &DMatrix<f64>, b: &DMatrix<f64>, z: &mut DMatrix<f64>) {
    let (n_out, n_in) = w.shape();
    ensure_buffer(z, (n_out, a.ncols()));
    let (w, b) = (w.as_slice(), b.as_slice());
    if n_out == 1 {
        // The output layer: one dot product per example, in the same order as below.
        for (zj, a_col) in z.iter_mut().zip(a.as_slice().chunks_exact(n_in)) {
            let mut acc = w[0] * a_col[0];
            for (&wk, &ak) in w.iter().zip(a_col).skip(1) {
                acc += wk * ak;
            }
            *zj = acc + b[0];
        }
        return;
    }
    for (z_col, a_col) in
        z.as_mut_slice().chunks_exact_mut(n_out).zip(a.as_slice().chunks_exact(n_in))
    {
        for (zi, &wi) in z_col.iter_mut().zip(&w[..n_out]) {
            *zi = wi * a_col[0];
        }
        for (w_col, &ak) in w.chunks_exact(n_out).zip(a_col).skip(1) {
            for (zi, &wi) in z_col.iter_mut().zip(w_col) {
                *zi += wi * ak;
            }
        }
        for (zi, &bi) in z_col.iter_mut().zip(b) {
            *zi += bi;
        }
    }
}

/// `dW = (1/m) dZ A^T` into `dw`: `dZ (n_out, m)`, `A (n_in, m)`, `dw (n_out, n_in)`. Each entry
/// is the sum over examples `j = 0, 1, ...` in turn of `dZ[i, j] A[k, j]`, from zero, then times
/// `1/m`, as the notebook's `1/m * np.dot(dZ, A.T)` rounds: the product first, then the scaling.
fn weight_gradient_into(dz: &DMatrix<f64>, a: &DMatrix<f64>, inv_m: f64, dw: &mut DMatrix<f64>) {
    let (n_out, n_in) = (dz.nrows(), a.nrows());
    ensure_buffer(dw, (n_out, n_in));
    dw.fill(0.0);
    let dw = dw.as_mut_slice();
    if n_out == 1 {
        // dW2: one running sum per hidden unit, in the same order as below.
        for (&d, a_col) in dz.iter().zip(a.as_slice().chunks_exact(n_in)) {
            for (g, &ak) in dw.iter_mut().zip(a_col) {
                *g += d * ak;
            }
        }
    } else {
        for (dz_col, a_col) in
            dz.as_slice().chunks_exact(n_out).zip(a.as_slice().chunks_exact(n_in))
        {
            for (dw_col, &ak) in dw.chunks_exact_mut(n_out).zip(a_col) {
                for (g, &d) in dw_col.iter_mut().zip(dz_col) {
                    *g += d * ak;
                }
            }
        }
    }
    for g in dw.iter_mut() {
        *g *= inv_m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loops_agree_with_matrix_products() {
        let w = DMatrix::from_row_slice(3, 2, &[0.5, -1.0, 2.0, 0.25, -0.75, 1.5]);
        let a = DMatrix::from_row_slice(2, 4, &[1.0, 2.0, -3.0, 0.5, -1.0, 0.0, 4.0, 2.5]);
        let b = DMatrix::from_row_slice(3, 1, &[0.1, -0.2, 0.3]);
        let mut z = DMatrix::zeros(0, 0);
        linear_forward_into(&w, &a, &b, &mut z);
        let mut expected = &w * &a;
        for mut col in expected.column_iter_mut() {
            col += b.column(0);
        }
        assert_eq!(z, expected);

        let dz = DMatrix::from_row_slice(
            3,
            4,
            &[0.5, -0.25, 1.0, 2.0, -1.0, 0.75, 0.5, 0.0, 1.5, 1.0, -2.0, 0.25],
        );
        let mut dw = DMatrix::zeros(0, 0);
        weight_gradient_into(&dz, &a, 0.25, &mut dw);
        assert_eq!(dw, (&dz * a.transpose()) * 0.25);
    }

    #[test]
    fn pairwise_sum_matches_numpy_block_structure() {
        // 300 values: split into 144 + 156 (halves rounded down to a multiple of 8), each
        // summed with eight running sums; exact for small integers, checked against the total.
        let values: Vec<f64> = (0..300).map(|i| i as f64).collect();
        assert_eq!(pairwise_sum(values.len(), &|j| values[j]), 44850.0);
        assert_eq!(pairwise_sum(0, &|_| 1.0), 0.0);
        assert_eq!(pairwise_sum(5, &|j| values[j]), 10.0);
        // np.random.seed(0); np.sum(np.random.randn(3, 400), axis=1)[1] (numpy 2.4), printed
        // with repr; a left-to-right sum gives -47.404410941513696.
        let a = linalg_nn::NumpyRng::new(0).randn(3, 400);
        let mut sums = DMatrix::zeros(3, 1);
        row_sums_into(&a, 1.0, &mut sums);
        assert_eq!(sums[(1, 0)], -47.40441094151371);
    }
}
