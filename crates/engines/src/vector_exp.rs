//! The exponential and the sigmoid eight or four lanes at a time for the training loops'
//! activations (course 1, week 2, `propagate`'s `A = sigmoid(w^T X + b)` in the Gram engine;
//! week 3's output unit `sigmoid(Z2)` in hw2): one kernel over [`crate::lanes`] (AVX-512 or
//! AVX2 + FMA) that takes [`linalg_nn::exp::exp`]'s operations on its tables, so every value
//! has the bits of the plain code whatever the CPU and however a slice is cut.

use crate::lanes::{Kernel, Lanes, Level};
use linalg_nn::activations::sigmoid_scalar;
// The vector lanes take the plain code's constants and tables.
use linalg_nn::exp::{
    C2, C3, C4, C5, INV_LN2_N, LIMIT, NEG_LN2_HI_N, NEG_LN2_LO_N, POWERS, SHIFT, TAILS,
};

/// `e^x`: [`linalg_nn::exp::exp`] bit for bit, with fused multiply-add instructions where the
/// CPU has them even when the code is not compiled for them (else `mul_add` is a library call
/// per step).
///
/// ```
/// use nn_engines::vector_exp::exp;
/// for x in [-700.0, -3.5, -1e-9, 0.0, 0.7, 2.0, 511.9, 800.0] {
///     assert_eq!(exp(x).to_bits(), linalg_nn::exp::exp(x).to_bits(), "{x}");
/// }
/// ```
#[inline]
pub fn exp(x: f64) -> f64 {
    #[cfg(all(target_arch = "x86_64", not(target_feature = "fma")))]
    if std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU supports FMA, checked just above.
        return unsafe { exp_fma(x) };
    }
    linalg_nn::exp::exp(x)
}

/// [`linalg_nn::exp::exp`] compiled with FMA instructions.
#[cfg(all(target_arch = "x86_64", not(target_feature = "fma")))]
#[target_feature(enable = "fma")]
fn exp_fma(x: f64) -> f64 {
    linalg_nn::exp::exp(x)
}

/// `out[i] = e^{x[i]}` with [`exp`], eight or four at a time at the level of
/// [`Level::current`].
///
/// ```
/// use nn_engines::vector_exp::{exp, exp_into};
/// let x = [-3.0, -0.5, 0.0, 0.25, 2.0, 40.0, -800.0, 1e-20, 7.0, 600.0];
/// let mut e = [0.0; 10];
/// exp_into(&x, &mut e);
/// for (&x, &e) in x.iter().zip(&e) {
///     assert_eq!(e.to_bits(), exp(x).to_bits(), "{x}");
/// }
/// ```
///
/// # Panics
/// If `out` is not as long as `x`.
pub fn exp_into(x: &[f64], out: &mut [f64]) {
    exp_at(Level::current(), x, out);
}

/// [`exp_into`] at `level`.
fn exp_at(level: Level, x: &[f64], out: &mut [f64]) {
    assert_eq!(x.len(), out.len(), "one output per input");
    level.run(Lanewise { x, out, function: Function::Exp });
}

/// `out[i] = sigmoid(z[i])`: [`linalg_nn::activations::sigmoid_scalar`] bit for bit, eight or
/// four at a time at the level of [`Level::current`].
///
/// ```
/// use linalg_nn::activations::sigmoid_scalar;
/// use nn_engines::vector_exp::sigmoid_into;
/// let z = [-3.0, -0.5, 0.0, 0.25, 2.0, 40.0, -800.0, 1e-20, 7.0, -7.0];
/// let mut a = [0.0; 10];
/// sigmoid_into(&z, &mut a);
/// for (&z, &a) in z.iter().zip(&a) {
///     assert_eq!(a.to_bits(), sigmoid_scalar(z).to_bits(), "{z}");
/// }
/// assert_eq!((a[2], a[5], a[6]), (0.5, 1.0, 0.0));
/// ```
///
/// # Panics
/// If `out` is not as long as `z`.
pub fn sigmoid_into(z: &[f64], out: &mut [f64]) {
    sigmoid_at(Level::current(), z, out);
}

/// [`sigmoid_into`] at `level`.
fn sigmoid_at(level: Level, z: &[f64], out: &mut [f64]) {
    assert_eq!(z.len(), out.len(), "one output per input");
    level.run(Lanewise { x: z, out, function: Function::Sigmoid });
}

/// The functions of [`Lanewise`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Function {
    /// [`exp`].
    Exp,
    /// [`sigmoid_scalar`].
    Sigmoid,
}

impl Function {
    /// The plain code.
    #[inline(always)]
    fn one(self, x: f64) -> f64 {
        match self {
            Function::Exp => exp(x),
            Function::Sigmoid => sigmoid_scalar(x),
        }
    }

    /// The function of a vector, and which lanes it covers (the exponential's range; the
    /// others, NaN included, are left to the caller).
    #[inline(always)]
    fn lanes<L: Lanes>(self, l: L, x: L::F) -> (L::F, u32) {
        match self {
            Function::Exp => exp_lanes(l, x),
            Function::Sigmoid => sigmoid_lanes(l, x),
        }
    }
}

/// `out[i] = function(x[i])`: the kernel of [`exp_into`] and [`sigmoid_into`].
struct Lanewise<'a> {
    x: &'a [f64],
    out: &'a mut [f64],
    function: Function,
}

impl Kernel for Lanewise<'_> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(self, lanes: L) {
        let Lanewise { x, out, function } = self;
        if L::LANES == 1 {
            // One lane would only do the plain code's branches as selects.
            for (out, &x) in out.iter_mut().zip(x) {
                *out = function.one(x);
            }
        } else {
            lanewise(lanes, x, out, function);
        }
    }
}

/// `out[i] = function(x[i])`, `L::LANES` at a time; the lanes outside the vector code's range
/// and the last values take the plain code (the same bits).
#[inline(always)]
fn lanewise<L: Lanes>(lanes: L, x: &[f64], out: &mut [f64], function: Function) {
    let all = (1u32 << L::LANES) - 1;
    let (x_chunks, out_chunks) = (x.chunks_exact(L::LANES), out.chunks_exact_mut(L::LANES));
    let done = x.len() - x_chunks.remainder().len();
    for (xs, outs) in x_chunks.zip(out_chunks) {
        let (value, in_range) = function.lanes(lanes, lanes.load(xs));
        lanes.store(outs, value);
        if in_range != all {
            for (lane, (out, &x)) in outs.iter_mut().zip(xs).enumerate() {
                if in_range & (1 << lane) == 0 {
                    *out = function.one(x);
                }
            }
        }
    }
    for (out, &x) in out[done..].iter_mut().zip(&x[done..]) {
        *out = function.one(x);
    }
}

/// [`exp`] of lanes, and which lanes it covers (`|x| < 512`; the others, NaN included, are
/// left to the caller): [`linalg_nn::exp::exp`]'s operations on its tables, so its bits.
#[inline(always)]
pub(crate) fn exp_lanes<L: Lanes>(l: L, x: L::F) -> (L::F, u32) {
    let magnitude = l.abs(x);
    let in_range = l.lt(magnitude, l.splat(LIMIT));
    let x = l.select(in_range, x, l.splat(0.0));
    let kd = l.mul_add(x, l.splat(INV_LN2_N), l.splat(SHIFT));
    let ki = l.to_bits(kd);
    let kd = l.sub(kd, l.splat(SHIFT));
    let r = l.mul_add(kd, l.splat(NEG_LN2_HI_N), x);
    let r = l.mul_add(kd, l.splat(NEG_LN2_LO_N), r);
    let index = l.and_i64(ki, l.splat_i64(127));
    let (power, tail) = (l.lookup(&POWERS, index), l.f64_from_bits(l.lookup(&TAILS, index)));
    let bits = l.add_i64(l.sub_i64(power, l.shl_i64::<45>(index)), l.shl_i64::<45>(ki));
    let scale = l.f64_from_bits(bits);
    let r2 = l.mul(r, r);
    let low = l.mul_add(r2, l.mul_add(r, l.splat(C3), l.splat(C2)), l.add(tail, r));
    let tmp = l.mul_add(l.mul(r2, r2), l.mul_add(r, l.splat(C5), l.splat(C4)), low);
    (l.mul_add(scale, tmp, scale), l.mask_bits(in_range))
}

/// [`sigmoid_scalar`] of lanes, and which lanes it covers (those of the exponential): its
/// operations, so its bits.
#[inline(always)]
fn sigmoid_lanes<L: Lanes>(l: L, z: L::F) -> (L::F, u32) {
    // x = -|z|: the argument of the exponential in both forms.
    let x = l.or(z, l.splat(-0.0));
    let (e, in_range) = exp_lanes(l, x);
    let one = l.splat(1.0);
    let one_plus = l.add(one, e);
    let nonnegative = l.ge(z, l.splat(0.0));
    let numerator = l.select(nonnegative, one, e);
    (l.div(numerator, one_plus), in_range)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lanes::Scalar;
    use linalg_nn::NumpyRng;

    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    /// Arguments of both signs at every scale up to the method's limit, and the edges.
    fn arguments(seed: u32) -> Vec<f64> {
        let mut rng = NumpyRng::new(seed);
        let mut x = Vec::new();
        for scale in [1e-300, 1e-17, 1e-12, 1e-3, 0.01, 1.0, 10.0, 40.0, 100.0, 511.0] {
            x.extend(rng.rand(1, 50_000).iter().map(|u| (2.0 * u - 1.0) * scale));
        }
        x.extend([0.0, -0.0, 511.999, -511.999, 512.0, -512.0, 700.0, -745.0, 710.0]);
        x.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 5e-324, -5e-324]);
        x
    }

    #[test]
    fn the_exponential_is_glibcs_bit_for_bit() {
        // f64::exp is glibc's FMA build on a glibc system whose CPU has FMA (this test's
        // reference); elsewhere the library may round differently, by at most one unit in the
        // last place.
        let glibc_fma =
            cfg!(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64")) && fma_cpu();
        for x in arguments(17) {
            let (ours, library) = (exp(x), x.exp());
            if ours.is_nan() {
                assert!(library.is_nan(), "{x}");
            } else if glibc_fma {
                assert_eq!(ours.to_bits(), library.to_bits(), "{x:e}: {ours:e} {library:e}");
            } else {
                assert!(ulps(ours, library) <= 1, "{x:e}: {ours:e} {library:e}");
            }
        }
        assert_eq!(exp(-0.0), 1.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
    }

    fn fma_cpu() -> bool {
        #[cfg(target_arch = "x86_64")]
        return std::arch::is_x86_feature_detected!("fma");
        #[cfg(not(target_arch = "x86_64"))]
        false
    }

    #[test]
    fn vector_and_portable_exponentials_agree_bit_for_bit() {
        let x = arguments(19);
        for level in Level::available() {
            let mut out = vec![0.0; x.len()];
            exp_at(level, &x, &mut out);
            let mut one_lane = vec![0.0; x.len()];
            lanewise(Scalar, &x, &mut one_lane, Function::Exp);
            for ((&x, &e), &o) in x.iter().zip(&out).zip(&one_lane) {
                let one = exp(x);
                for (what, e) in [(level.name(), e), ("one lane", o)] {
                    let same = e.to_bits() == one.to_bits() || (e.is_nan() && one.is_nan());
                    assert!(same, "{what}: {x}: {e} {one}");
                }
            }
        }
    }

    #[test]
    fn vector_and_portable_sigmoids_agree_bit_for_bit() {
        let mut rng = NumpyRng::new(23);
        let mut z: Vec<f64> = rng.randn(1, 4001).iter().map(|&v| v * 12.0).collect();
        z.extend([0.0, -0.0, 36.0, 37.0, -745.0, -700.0, -701.0, 710.0, f64::NAN, f64::INFINITY]);
        z.extend([f64::NEG_INFINITY, 1e-300, -1e-300, 5e-324, 511.5, -511.5, 512.0, -512.0]);
        for level in Level::available() {
            for len in [z.len(), z.len() - 3] {
                let mut out = vec![0.0; len];
                sigmoid_at(level, &z[..len], &mut out);
                let mut one_lane = vec![0.0; len];
                lanewise(Scalar, &z[..len], &mut one_lane, Function::Sigmoid);
                for ((&z, &a), &o) in z.iter().zip(&out).zip(&one_lane) {
                    let one = sigmoid_scalar(z);
                    for (what, a) in [(level.name(), a), ("one lane", o)] {
                        let same = a.to_bits() == one.to_bits() || (a.is_nan() && one.is_nan());
                        assert!(same, "{what}: {z}: {a} {one}");
                    }
                }
            }
        }
    }
}
