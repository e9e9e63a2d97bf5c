//! The exponential and the sigmoid eight lanes at a time for the training loops' activations
//! (course 1, week 2, `propagate`'s `A = sigmoid(w^T X + b)` in the Gram engine; week 3's output
//! unit `sigmoid(Z2)` in hw2): AVX-512 lanes that take [`linalg_nn::exp::exp`]'s operations on
//! its tables, so every value has the bits of the plain code whatever the CPU and however a
//! slice is cut.

use linalg_nn::activations::sigmoid_scalar;
// The vector lanes take the plain code's constants and tables.
#[cfg(target_arch = "x86_64")]
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

/// `out[i] = e^{x[i]}` with [`exp`], eight at a time where the CPU has AVX-512.
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
    #[cfg(target_arch = "x86_64")]
    let vector: Option<VectorKernel> = Some(exp_avx512);
    #[cfg(not(target_arch = "x86_64"))]
    let vector = None;
    eight_at_a_time(x, out, vector, exp);
}

/// A slice kernel for whole multiples of eight values that needs AVX-512F.
type VectorKernel = unsafe fn(&[f64], &mut [f64]);

/// `out[i] = one(x[i])`, the whole multiples of eight through `vector` where the CPU has
/// AVX-512 and `vector` is given, the rest through `one` (the same bits).
fn eight_at_a_time(x: &[f64], out: &mut [f64], vector: Option<VectorKernel>, one: fn(f64) -> f64) {
    assert_eq!(x.len(), out.len(), "one output per input");
    #[cfg(target_arch = "x86_64")]
    let done = match vector.filter(|_| std::arch::is_x86_feature_detected!("avx512f")) {
        Some(vector) => {
            let whole = x.len() - x.len() % 8;
            // SAFETY: the CPU has just been checked to support AVX-512F, which `vector` needs.
            unsafe { vector(&x[..whole], &mut out[..whole]) };
            whole
        }
        None => 0,
    };
    #[cfg(not(target_arch = "x86_64"))]
    let done = vector.map_or(0, |_| 0);
    for (out, &x) in out[done..].iter_mut().zip(&x[done..]) {
        *out = one(x);
    }
}

/// `out[i] = sigmoid(z[i])`: [`linalg_nn::activations::sigmoid_scalar`] bit for bit, eight at a time
/// where the CPU has AVX-512.
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
    #[cfg(target_arch = "x86_64")]
    let vector: Option<VectorKernel> = Some(sigmoid_avx512);
    #[cfg(not(target_arch = "x86_64"))]
    let vector = None;
    eight_at_a_time(z, out, vector, sigmoid_scalar);
}

/// [`exp`] of eight lanes, and which lanes it covers (`|x| < 512`; the others, NaN included,
/// are left to the caller).
///
/// # Safety
/// AVX-512F must be available.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn exp_lanes(x: std::arch::x86_64::__m512d) -> (std::arch::x86_64::__m512d, u8) {
    use std::arch::x86_64::*;
    let magnitude = _mm512_abs_pd(x);
    let in_range = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(magnitude, _mm512_set1_pd(LIMIT));
    let x = _mm512_mask_blend_pd(in_range, _mm512_setzero_pd(), x);
    let kd = _mm512_fmadd_pd(x, _mm512_set1_pd(INV_LN2_N), _mm512_set1_pd(SHIFT));
    let ki = _mm512_castpd_si512(kd);
    let kd = _mm512_sub_pd(kd, _mm512_set1_pd(SHIFT));
    let r = _mm512_fmadd_pd(kd, _mm512_set1_pd(NEG_LN2_HI_N), x);
    let r = _mm512_fmadd_pd(kd, _mm512_set1_pd(NEG_LN2_LO_N), r);
    let index = _mm512_and_si512(ki, _mm512_set1_epi64(127));
    // SAFETY: every index is below 128, the tables' length.
    let (power, tail) = unsafe {
        (
            _mm512_i64gather_epi64::<8>(index, POWERS.as_ptr().cast()),
            _mm512_castsi512_pd(_mm512_i64gather_epi64::<8>(index, TAILS.as_ptr().cast())),
        )
    };
    let bits = _mm512_add_epi64(
        _mm512_sub_epi64(power, _mm512_slli_epi64::<45>(index)),
        _mm512_slli_epi64::<45>(ki),
    );
    let scale = _mm512_castsi512_pd(bits);
    let r2 = _mm512_mul_pd(r, r);
    let low = _mm512_fmadd_pd(
        r2,
        _mm512_fmadd_pd(r, _mm512_set1_pd(C3), _mm512_set1_pd(C2)),
        _mm512_add_pd(tail, r),
    );
    let tmp = _mm512_fmadd_pd(
        _mm512_mul_pd(r2, r2),
        _mm512_fmadd_pd(r, _mm512_set1_pd(C5), _mm512_set1_pd(C4)),
        low,
    );
    (_mm512_fmadd_pd(scale, tmp, scale), in_range)
}

/// [`exp`] eight lanes at a time (`x.len()` a multiple of 8): the same operations, so the same
/// bits; lanes outside the method's range take the portable code.
///
/// # Safety
/// AVX-512F must be available.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn exp_avx512(x: &[f64], out: &mut [f64]) {
    use std::arch::x86_64::*;
    for (xs, outs) in x.chunks_exact(8).zip(out.chunks_exact_mut(8)) {
        // SAFETY: each chunk holds 8 values; the CPU has AVX-512F.
        let (e, in_range) = unsafe { exp_lanes(_mm512_loadu_pd(xs.as_ptr())) };
        // SAFETY: the chunk holds 8 values.
        unsafe { _mm512_storeu_pd(outs.as_mut_ptr(), e) };
        if in_range != 0xff {
            for (lane, (out, &x)) in outs.iter_mut().zip(xs).enumerate() {
                if in_range & (1 << lane) == 0 {
                    *out = exp(x);
                }
            }
        }
    }
}

/// [`sigmoid_scalar`] eight lanes at a time (`z.len()` a multiple of 8): the same operations, so the
/// same bits; lanes outside the exponential's range take the portable code.
///
/// # Safety
/// AVX-512F must be available.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn sigmoid_avx512(z: &[f64], out: &mut [f64]) {
    use std::arch::x86_64::*;
    let sign = _mm512_set1_pd(-0.0);
    for (zs, outs) in z.chunks_exact(8).zip(out.chunks_exact_mut(8)) {
        // SAFETY: each chunk holds 8 values.
        let zv = unsafe { _mm512_loadu_pd(zs.as_ptr()) };
        // x = -|z|: the argument of the exponential in both forms.
        let x = _mm512_castsi512_pd(_mm512_or_si512(
            _mm512_castpd_si512(zv),
            _mm512_castpd_si512(sign),
        ));
        // SAFETY: the CPU has AVX-512F.
        let (e, in_range) = unsafe { exp_lanes(x) };
        let one = _mm512_set1_pd(1.0);
        let one_plus = _mm512_add_pd(one, e);
        let nonnegative = _mm512_cmp_pd_mask::<_CMP_GE_OQ>(zv, _mm512_setzero_pd());
        let numerator = _mm512_mask_blend_pd(nonnegative, e, one);
        let s = _mm512_div_pd(numerator, one_plus);
        // SAFETY: the chunk holds 8 values.
        unsafe { _mm512_storeu_pd(outs.as_mut_ptr(), s) };
        if in_range != 0xff {
            for (lane, (out, &z)) in outs.iter_mut().zip(zs).enumerate() {
                if in_range & (1 << lane) == 0 {
                    *out = sigmoid_scalar(z);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let mut out = vec![0.0; x.len()];
        exp_into(&x, &mut out);
        for (&x, &e) in x.iter().zip(&out) {
            let one = exp(x);
            assert!(e.to_bits() == one.to_bits() || (e.is_nan() && one.is_nan()), "{x}: {e} {one}");
        }
    }

    #[test]
    fn vector_and_portable_sigmoids_agree_bit_for_bit() {
        let mut rng = NumpyRng::new(23);
        let mut z: Vec<f64> = rng.randn(1, 4001).iter().map(|&v| v * 12.0).collect();
        z.extend([0.0, -0.0, 36.0, 37.0, -745.0, -700.0, -701.0, 710.0, f64::NAN, f64::INFINITY]);
        z.extend([f64::NEG_INFINITY, 1e-300, -1e-300, 5e-324, 511.5, -511.5, 512.0, -512.0]);
        let mut out = vec![0.0; z.len()];
        sigmoid_into(&z, &mut out);
        for (&z, &a) in z.iter().zip(&out) {
            let one = sigmoid_scalar(z);
            assert!(a.to_bits() == one.to_bits() || (a.is_nan() && one.is_nan()), "{z}: {a} {one}");
        }
    }
}
