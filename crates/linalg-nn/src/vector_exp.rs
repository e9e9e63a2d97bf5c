//! A vectorised exponential and sigmoid for the Gram engine's logistic step (course 1, week 2,
//! `propagate`'s `A = sigmoid(w^T X + b)`): eight lanes at a time with AVX-512, where the
//! library's `exp`, one number at a time, was a sixth of every step.
//!
//! The method is the one of glibc's and ARM's `exp`: `e^x = 2^(k/128) e^r` with
//! `k = round(128 x / ln 2)`, `|r| <= ln 2 / 256`, `2^(k/128)` from a table of its 128 fractional
//! powers and `e^r - 1` from a degree-5 polynomial; without glibc's table of corrections, so
//! within about one unit in the last place rather than half of one (tested). Every lane takes the
//! same fused multiply-adds whether it runs in a vector register or in the portable code, so
//! the result does not depend on the machine or on how a slice is cut.

/// `2^(i/128)` for `i = 0..128`, correctly rounded (as bits).
const POWERS: [u64; 128] = [
    0x3ff0000000000000,
    0x3ff0163da9fb3335,
    0x3ff02c9a3e778061,
    0x3ff04315e86e7f85,
    0x3ff059b0d3158574,
    0x3ff0706b29ddf6de,
    0x3ff0874518759bc8,
    0x3ff09e3ecac6f383,
    0x3ff0b5586cf9890f,
    0x3ff0cc922b7247f7,
    0x3ff0e3ec32d3d1a2,
    0x3ff0fb66affed31b,
    0x3ff11301d0125b51,
    0x3ff12abdc06c31cc,
    0x3ff1429aaea92de0,
    0x3ff15a98c8a58e51,
    0x3ff172b83c7d517b,
    0x3ff18af9388c8dea,
    0x3ff1a35beb6fcb75,
    0x3ff1bbe084045cd4,
    0x3ff1d4873168b9aa,
    0x3ff1ed5022fcd91d,
    0x3ff2063b88628cd6,
    0x3ff21f49917ddc96,
    0x3ff2387a6e756238,
    0x3ff251ce4fb2a63f,
    0x3ff26b4565e27cdd,
    0x3ff284dfe1f56381,
    0x3ff29e9df51fdee1,
    0x3ff2b87fd0dad990,
    0x3ff2d285a6e4030b,
    0x3ff2ecafa93e2f56,
    0x3ff306fe0a31b715,
    0x3ff32170fc4cd831,
    0x3ff33c08b26416ff,
    0x3ff356c55f929ff1,
    0x3ff371a7373aa9cb,
    0x3ff38cae6d05d866,
    0x3ff3a7db34e59ff7,
    0x3ff3c32dc313a8e5,
    0x3ff3dea64c123422,
    0x3ff3fa4504ac801c,
    0x3ff4160a21f72e2a,
    0x3ff431f5d950a897,
    0x3ff44e086061892d,
    0x3ff46a41ed1d0057,
    0x3ff486a2b5c13cd0,
    0x3ff4a32af0d7d3de,
    0x3ff4bfdad5362a27,
    0x3ff4dcb299fddd0d,
    0x3ff4f9b2769d2ca7,
    0x3ff516daa2cf6642,
    0x3ff5342b569d4f82,
    0x3ff551a4ca5d920f,
    0x3ff56f4736b527da,
    0x3ff58d12d497c7fd,
    0x3ff5ab07dd485429,
    0x3ff5c9268a5946b7,
    0x3ff5e76f15ad2148,
    0x3ff605e1b976dc09,
    0x3ff6247eb03a5585,
    0x3ff6434634ccc320,
    0x3ff6623882552225,
    0x3ff68155d44ca973,
    0x3ff6a09e667f3bcd,
    0x3ff6c012750bdabf,
    0x3ff6dfb23c651a2f,
    0x3ff6ff7df9519484,
    0x3ff71f75e8ec5f74,
    0x3ff73f9a48a58174,
    0x3ff75feb564267c9,
    0x3ff780694fde5d3f,
    0x3ff7a11473eb0187,
    0x3ff7c1ed0130c132,
    0x3ff7e2f336cf4e62,
    0x3ff80427543e1a12,
    0x3ff82589994cce13,
    0x3ff8471a4623c7ad,
    0x3ff868d99b4492ed,
    0x3ff88ac7d98a6699,
    0x3ff8ace5422aa0db,
    0x3ff8cf3216b5448c,
    0x3ff8f1ae99157736,
    0x3ff9145b0b91ffc6,
    0x3ff93737b0cdc5e5,
    0x3ff95a44cbc8520f,
    0x3ff97d829fde4e50,
    0x3ff9a0f170ca07ba,
    0x3ff9c49182a3f090,
    0x3ff9e86319e32323,
    0x3ffa0c667b5de565,
    0x3ffa309bec4a2d33,
    0x3ffa5503b23e255d,
    0x3ffa799e1330b358,
    0x3ffa9e6b5579fdbf,
    0x3ffac36bbfd3f37a,
    0x3ffae89f995ad3ad,
    0x3ffb0e07298db666,
    0x3ffb33a2b84f15fb,
    0x3ffb59728de5593a,
    0x3ffb7f76f2fb5e47,
    0x3ffba5b030a1064a,
    0x3ffbcc1e904bc1d2,
    0x3ffbf2c25bd71e09,
    0x3ffc199bdd85529c,
    0x3ffc40ab5fffd07a,
    0x3ffc67f12e57d14b,
    0x3ffc8f6d9406e7b5,
    0x3ffcb720dcef9069,
    0x3ffcdf0b555dc3fa,
    0x3ffd072d4a07897c,
    0x3ffd2f87080d89f2,
    0x3ffd5818dcfba487,
    0x3ffd80e316c98398,
    0x3ffda9e603db3285,
    0x3ffdd321f301b460,
    0x3ffdfc97337b9b5f,
    0x3ffe264614f5a129,
    0x3ffe502ee78b3ff6,
    0x3ffe7a51fbc74c83,
    0x3ffea4afa2a490da,
    0x3ffecf482d8e67f1,
    0x3ffefa1bee615a27,
    0x3fff252b376bba97,
    0x3fff50765b6e4540,
    0x3fff7bfdad9cbe14,
    0x3fffa7c1819e90d8,
    0x3fffd3c22b8f71f1,
];

/// `128 / ln 2`, and `ln 2 / 128` as a high part with trailing zeros plus the rest.
const INV_LN2_N: f64 = f64::from_bits(0x40671547652b82fe);
const NEG_LN2_HI_N: f64 = -f64::from_bits(0x3f762e42fefa0000);
const NEG_LN2_LO_N: f64 = -f64::from_bits(0x3d0cf79abc9e3b3a);
/// `1.5 * 2^52`: adding it rounds to an integer kept in the low bits.
const SHIFT: f64 = f64::from_bits(0x4338000000000000);
/// The polynomial's coefficients of `r^2 .. r^5` (glibc's, for 128 table entries).
const C2: f64 = f64::from_bits(0x3fdffffffffffdbd);
const C3: f64 = f64::from_bits(0x3fc555555555543c);
const C4: f64 = f64::from_bits(0x3fa55555cf172b91);
const C5: f64 = f64::from_bits(0x3f81111167a4d017);

/// Below this the method's scale would leave the normal range; such lanes (and NaN) use the
/// library's `exp`.
const LOWEST: f64 = -700.0;

/// `e^x` for `x <= 0` by the table method above (any `x` in `[-700, 0]`; other values take the
/// library's `exp`).
///
/// ```
/// use linalg_nn::vector_exp::exp_nonpositive;
/// assert_eq!(exp_nonpositive(0.0), 1.0);
/// let e = exp_nonpositive(-1.0);
/// assert!((e - (-1.0f64).exp()).abs() <= f64::EPSILON * e);
/// assert_eq!(exp_nonpositive(-800.0), 0.0);
/// ```
pub fn exp_nonpositive(x: f64) -> f64 {
    if !(LOWEST..=0.0).contains(&x) {
        return x.exp();
    }
    let kd = x.mul_add(INV_LN2_N, SHIFT);
    let ki = kd.to_bits();
    let kd = kd - SHIFT;
    let r = kd.mul_add(NEG_LN2_LO_N, kd.mul_add(NEG_LN2_HI_N, x));
    let index = ki & 127;
    let scale =
        f64::from_bits(POWERS[index as usize].wrapping_sub(index << 45).wrapping_add(ki << 45));
    let r2 = r * r;
    let low = r2.mul_add(r.mul_add(C3, C2), r);
    let tmp = (r2 * r2).mul_add(r.mul_add(C5, C4), low);
    scale.mul_add(tmp, scale)
}

/// The sigmoid of one number from [`exp_nonpositive`], in the two forms of
/// [`crate::activations::sigmoid_scalar`]: `1 / (1 + e^-z)` for `z >= 0`, `e^z / (1 + e^z)`
/// otherwise, so the exponential's argument is never positive.
fn sigmoid_one(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + exp_nonpositive(-z))
    } else {
        let e = exp_nonpositive(z);
        e / (1.0 + e)
    }
}

/// `out[i] = sigmoid(z[i])` with the exponential above: within a few units in the last place of
/// [`crate::activations::sigmoid_scalar`], eight at a time where the CPU has AVX-512.
///
/// ```
/// use linalg_nn::activations::sigmoid_scalar;
/// use linalg_nn::vector_exp::sigmoid_into;
/// let z = [-3.0, -0.5, 0.0, 0.25, 2.0, 40.0, -800.0, 1e-20, 7.0, -7.0];
/// let mut a = [0.0; 10];
/// sigmoid_into(&z, &mut a);
/// for (&z, &a) in z.iter().zip(&a) {
///     assert!((a - sigmoid_scalar(z)).abs() <= 4.0 * f64::EPSILON * a, "{z}");
/// }
/// assert_eq!((a[2], a[5], a[6]), (0.5, 1.0, 0.0));
/// ```
///
/// # Panics
/// If `out` is not as long as `z`.
pub fn sigmoid_into(z: &[f64], out: &mut [f64]) {
    assert_eq!(z.len(), out.len(), "one output per input");
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        let whole = z.len() - z.len() % 8;
        // SAFETY: the CPU has just been checked to support AVX-512F.
        unsafe { sigmoid_avx512(&z[..whole], &mut out[..whole]) };
        for (out, &z) in out[whole..].iter_mut().zip(&z[whole..]) {
            *out = sigmoid_one(z);
        }
        return;
    }
    for (out, &z) in out.iter_mut().zip(z) {
        *out = sigmoid_one(z);
    }
}

/// [`sigmoid_one`] eight lanes at a time (`z.len()` a multiple of 8): the same operations, so the
/// same bits; lanes outside the table method's range take the portable code.
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
        let in_range = _mm512_cmp_pd_mask::<_CMP_GE_OQ>(x, _mm512_set1_pd(LOWEST));
        let x = _mm512_mask_blend_pd(in_range, _mm512_setzero_pd(), x);
        let kd = _mm512_fmadd_pd(x, _mm512_set1_pd(INV_LN2_N), _mm512_set1_pd(SHIFT));
        let ki = _mm512_castpd_si512(kd);
        let kd = _mm512_sub_pd(kd, _mm512_set1_pd(SHIFT));
        let r = _mm512_fmadd_pd(kd, _mm512_set1_pd(NEG_LN2_HI_N), x);
        let r = _mm512_fmadd_pd(kd, _mm512_set1_pd(NEG_LN2_LO_N), r);
        let index = _mm512_and_si512(ki, _mm512_set1_epi64(127));
        // SAFETY: every index is below 128, the table's length.
        let power = unsafe { _mm512_i64gather_epi64::<8>(index, POWERS.as_ptr().cast()) };
        let bits = _mm512_add_epi64(
            _mm512_sub_epi64(power, _mm512_slli_epi64::<45>(index)),
            _mm512_slli_epi64::<45>(ki),
        );
        let scale = _mm512_castsi512_pd(bits);
        let r2 = _mm512_mul_pd(r, r);
        let low =
            _mm512_fmadd_pd(r2, _mm512_fmadd_pd(r, _mm512_set1_pd(C3), _mm512_set1_pd(C2)), r);
        let tmp = _mm512_fmadd_pd(
            _mm512_mul_pd(r2, r2),
            _mm512_fmadd_pd(r, _mm512_set1_pd(C5), _mm512_set1_pd(C4)),
            low,
        );
        let e = _mm512_fmadd_pd(scale, tmp, scale);
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
                    *out = sigmoid_one(z);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activations::sigmoid_scalar;
    use crate::rng::NumpyRng;

    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    #[test]
    fn the_exponential_is_within_one_unit_in_the_last_place() {
        let mut rng = NumpyRng::new(17);
        let mut worst = 0;
        for scale in [1e-12, 1e-3, 0.01, 1.0, 10.0, 100.0, 700.0] {
            for &u in rng.rand(1, 20_000).iter() {
                let x = -u * scale;
                worst = worst.max(ulps(exp_nonpositive(x), x.exp()));
            }
        }
        assert!(worst <= 1, "worst error {worst} units in the last place");
        assert_eq!(exp_nonpositive(-0.0), 1.0);
        assert_eq!(exp_nonpositive(f64::NEG_INFINITY), 0.0);
        assert!(exp_nonpositive(f64::NAN).is_nan());
    }

    #[test]
    fn vector_and_portable_lanes_agree_bit_for_bit_and_with_the_notebook_sigmoid() {
        let mut rng = NumpyRng::new(23);
        let mut z: Vec<f64> = rng.randn(1, 4001).iter().map(|&v| v * 12.0).collect();
        z.extend([0.0, -0.0, 36.0, 37.0, -745.0, -700.0, -701.0, 710.0, f64::NAN, f64::INFINITY]);
        z.extend([f64::NEG_INFINITY, 1e-300, -1e-300, 5e-324]);
        let mut out = vec![0.0; z.len()];
        sigmoid_into(&z, &mut out);
        for (&z, &a) in z.iter().zip(&out) {
            let one = sigmoid_one(z);
            assert!(a.to_bits() == one.to_bits() || (a.is_nan() && one.is_nan()), "{z}: {a} {one}");
            let reference = sigmoid_scalar(z);
            if reference.is_nan() {
                assert!(a.is_nan());
            } else {
                assert!(ulps(a, reference) <= 4, "{z}: {a} against {reference}");
            }
        }
    }
}
