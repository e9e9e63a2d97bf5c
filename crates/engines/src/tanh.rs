//! The hidden layer's `tanh` four or eight values at a time (course 1, week 3, section 4.3's
//! `A1 = np.tanh(Z1)` in the shallow network's training loop, [`crate::shallow`]), bit for bit
//! [`linalg_nn::tanh::tanh`] (glibc's `tanh`, operation for operation): AVX2 + FMA lanes and
//! AVX-512 lanes, picked at run time, that take the scalar code's operations in the same order,
//! with a lane mask where the scalar code branches.
//!
//! At the course's learning rate of 1.2 the last bits of `A1` decide which state of the final
//! two-state cycle training ends in, so the lanes must give the scalar code's bits, not merely
//! values within an ulp. The hidden layer calls `tanh` 16 million times in the course run (10000
//! iterations, 4 x 400 values); glibc's took 55 % of the run.

use linalg_nn::tanh::tanh;

/// `dst[i] = tanh(src[i])` ([`linalg_nn::tanh::tanh`]'s bits), with AVX2 and FMA when the CPU has them.
///
/// ```
/// use linalg_nn::tanh::tanh;
/// use nn_engines::tanh::tanh_into;
/// let z: Vec<f64> = (0..11).map(|i| (i as f64 - 5.0) * 0.7).collect();
/// let mut a = vec![0.0; z.len()];
/// tanh_into(&z, &mut a);
/// assert!(z.iter().zip(&a).all(|(&z, &a)| a.to_bits() == tanh(z).to_bits()));
/// ```
///
/// # Panics
///
/// If `src` and `dst` differ in length (a bug in the caller, never a matter of input).
pub fn tanh_into(src: &[f64], dst: &mut [f64]) {
    assert_eq!(src.len(), dst.len(), "tanh_into: source and destination lengths differ");
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU has AVX-512F (which implies FMA), checked just above.
        unsafe { avx512::tanh_into(src, dst) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has AVX2 and FMA, checked just above.
        unsafe { avx2::tanh_into(src, dst) };
        return;
    }
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = tanh(s);
    }
}

/// [`linalg_nn::tanh::tanh`] on four lanes: every operation of the scalar code, in the same order, with a lane
/// mask where the scalar code branches.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use linalg_nn::tanh::{INV_LN2, LN2_HI, LN2_LO, Q1, Q2, Q3, Q4, Q5, TINY};
    use std::arch::x86_64::*;

    /// Lanes of `a` where `mask` is set, else lanes of `b`.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn select(mask: __m256d, a: __m256d, b: __m256d) -> __m256d {
        _mm256_blendv_pd(b, a, mask)
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn splat(v: f64) -> __m256d {
        _mm256_set1_pd(v)
    }

    /// `|x|` bits compared with the bits of a threshold whose low word is 0: `hx > high` in
    /// fdlibm's terms.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn high_above(abs_bits: __m256i, high: u32) -> __m256d {
        let limit = _mm256_set1_epi64x(((u64::from(high) << 32) | 0xffff_ffff) as i64);
        _mm256_castsi256_pd(_mm256_cmpgt_epi64(abs_bits, limit))
    }

    /// expm1 on four lanes, for lanes with `-56 ln2 < x <= 709.78` (the caller never passes
    /// others: tanh's arguments lie in `(-2, 44]`).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn expm1(x: __m256d) -> __m256d {
        let sign_bit = splat(-0.0);
        let abs_bits = _mm256_castpd_si256(_mm256_andnot_pd(sign_bit, x));
        let negative = _mm256_cmp_pd(x, splat(0.0), _CMP_LT_OQ);
        let above_half_ln2 = high_above(abs_bits, 0x3fd6_2e42);
        let above_1p5_ln2 = high_above(abs_bits, 0x3ff0_a2b1);
        // k = (int)(invln2 * x ± 0.5): product and sum rounded separately, as glibc does.
        let half = select(negative, splat(-0.5), splat(0.5));
        let k_general = _mm256_round_pd(
            _mm256_add_pd(_mm256_mul_pd(splat(INV_LN2), x), half),
            _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC,
        );
        let k_one = select(negative, splat(-1.0), splat(1.0));
        let kf = select(above_half_ln2, select(above_1p5_ln2, k_general, k_one), splat(0.0));
        // hi = x - k ln2_hi (for k = ±1 the single rounding equals x ∓ ln2_hi; for k = 0
        // it is x), lo = k ln2_lo.
        let hi = _mm256_fnmadd_pd(kf, splat(LN2_HI), x);
        let lo = _mm256_mul_pd(kf, splat(LN2_LO));
        let r = _mm256_sub_pd(hi, lo);
        let c = _mm256_sub_pd(_mm256_sub_pd(hi, r), lo);

        let hfx = _mm256_mul_pd(r, splat(0.5));
        let hxs = _mm256_mul_pd(r, hfx);
        let r1_part = _mm256_fmadd_pd(hxs, splat(Q1), splat(1.0));
        let r2 = _mm256_fmadd_pd(hxs, splat(Q3), splat(Q2));
        let r3 = _mm256_fmadd_pd(hxs, splat(Q5), splat(Q4));
        let h2 = _mm256_mul_pd(hxs, hxs);
        let h4 = _mm256_mul_pd(h2, h2);
        let r1 = _mm256_fmadd_pd(h4, r3, _mm256_fmadd_pd(h2, r2, r1_part));
        let t = _mm256_fnmadd_pd(r1, hfx, splat(3.0));
        let e = _mm256_mul_pd(
            _mm256_div_pd(_mm256_sub_pd(r1, t), _mm256_fnmadd_pd(r, t, splat(6.0))),
            hxs,
        );
        // k = 0
        let result_k0 = _mm256_sub_pd(r, _mm256_fmsub_pd(e, r, hxs));
        let e2 = _mm256_sub_pd(_mm256_fmsub_pd(_mm256_sub_pd(e, c), r, c), hxs);
        // k = -1
        let result_m1 = _mm256_fmadd_pd(splat(0.5), _mm256_sub_pd(r, e2), splat(-0.5));
        // k = 1
        let below_quarter = _mm256_cmp_pd(r, splat(-0.25), _CMP_LT_OQ);
        let result_p1 = select(
            below_quarter,
            _mm256_mul_pd(_mm256_sub_pd(e2, _mm256_add_pd(r, splat(0.5))), splat(-2.0)),
            _mm256_fmadd_pd(_mm256_sub_pd(r, e2), splat(2.0), splat(1.0)),
        );
        // The other k: scale by 2^k through the exponent bits.
        let k = _mm256_cvtepi32_epi64(_mm256_cvttpd_epi32(kf));
        let k_exponent = _mm256_slli_epi64::<52>(k);
        let scale =
            |y: __m256d| _mm256_castsi256_pd(_mm256_add_epi64(_mm256_castpd_si256(y), k_exponent));
        let one = splat(1.0);
        let e2_minus_r = _mm256_sub_pd(e2, r);
        // k <= -2 or k > 56
        let result_far = _mm256_sub_pd(scale(_mm256_sub_pd(one, e2_minus_r)), one);
        // 2 <= k < 20: t = 1 - 2^-k
        let t_mid = _mm256_castsi256_pd(_mm256_slli_epi64::<32>(_mm256_sub_epi64(
            _mm256_set1_epi64x(0x3ff0_0000),
            _mm256_srlv_epi64(_mm256_set1_epi64x(0x0020_0000), k),
        )));
        let result_mid = scale(_mm256_sub_pd(t_mid, e2_minus_r));
        // 20 <= k <= 56: t = 2^-k
        let t_high = _mm256_castsi256_pd(_mm256_slli_epi64::<52>(_mm256_sub_epi64(
            _mm256_set1_epi64x(0x3ff),
            k,
        )));
        let result_high = scale(_mm256_add_pd(_mm256_sub_pd(r, _mm256_add_pd(e2, t_high)), one));

        let k_is = |v: i64| _mm256_castsi256_pd(_mm256_cmpeq_epi64(k, _mm256_set1_epi64x(v)));
        let k_above = |v: i64| _mm256_castsi256_pd(_mm256_cmpgt_epi64(k, _mm256_set1_epi64x(v)));
        let mut result = result_far;
        let mid = _mm256_andnot_pd(k_above(19), k_above(1));
        result = select(mid, result_mid, result);
        let high = _mm256_andnot_pd(k_above(56), k_above(19));
        result = select(high, result_high, result);
        result = select(k_is(1), result_p1, result);
        result = select(k_is(-1), result_m1, result);
        select(k_is(0), result_k0, result)
    }

    /// tanh on four lanes; lanes with `|x| < 2^-55`, zero, infinite or NaN are redone by the
    /// scalar code (they never occur in training, but the function must stay exact).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn tanh4(x: __m256d) -> (__m256d, i32) {
        let sign_bit = splat(-0.0);
        let ax = _mm256_andnot_pd(sign_bit, x);
        let at_least_one = _mm256_cmp_pd(ax, splat(1.0), _CMP_GE_OQ);
        let argument = select(at_least_one, _mm256_add_pd(ax, ax), _mm256_mul_pd(ax, splat(-2.0)));
        // Keep the lanes of |x| >= 22 (whose result is 1) inside expm1's range.
        let argument = _mm256_min_pd(argument, splat(44.0));
        let t = expm1(argument);
        let numerator = select(at_least_one, splat(2.0), _mm256_xor_pd(t, sign_bit));
        let q = _mm256_div_pd(numerator, _mm256_add_pd(t, splat(2.0)));
        let z = select(at_least_one, _mm256_sub_pd(splat(1.0), q), q);
        let z = select(_mm256_cmp_pd(ax, splat(22.0), _CMP_GE_OQ), splat(1.0 - TINY), z);
        let z = _mm256_or_pd(z, _mm256_and_pd(x, sign_bit));
        // 2^-55 <= |x| < inf (false for NaN)
        let ordinary = _mm256_and_pd(
            _mm256_cmp_pd(ax, splat(f64::from_bits(0x3c80_0000_0000_0000)), _CMP_GE_OQ),
            _mm256_cmp_pd(ax, splat(f64::INFINITY), _CMP_LT_OQ),
        );
        (z, _mm256_movemask_pd(ordinary))
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn tanh_into(src: &[f64], dst: &mut [f64]) {
        let (src_chunks, src_tail) = src.as_chunks::<4>();
        let (dst_chunks, dst_tail) = dst.as_chunks_mut::<4>();
        for (s, d) in src_chunks.iter().zip(dst_chunks.iter_mut()) {
            // SAFETY: s and d are arrays of four f64; unaligned loads and stores.
            let ordinary = unsafe {
                let (z, ordinary) = tanh4(_mm256_loadu_pd(s.as_ptr()));
                _mm256_storeu_pd(d.as_mut_ptr(), z);
                ordinary
            };
            if ordinary != 0b1111 {
                for (dv, &sv) in d.iter_mut().zip(s) {
                    *dv = super::tanh(sv);
                }
            }
        }
        for (dv, &sv) in dst_tail.iter_mut().zip(src_tail) {
            *dv = super::tanh(sv);
        }
    }
}

/// [`linalg_nn::tanh::tanh`] on eight lanes with AVX-512: the four-lane code of [`avx2`] operation for
/// operation, with AVX-512's lane masks where that code blends by a vector mask, so again the
/// scalar code's bits (tested on the same probe values and on a million random ones).
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use linalg_nn::tanh::{INV_LN2, LN2_HI, LN2_LO, Q1, Q2, Q3, Q4, Q5, TINY};
    use std::arch::x86_64::*;

    /// Lanes of `a` where `mask` is set, else lanes of `b`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn select(mask: __mmask8, a: __m512d, b: __m512d) -> __m512d {
        _mm512_mask_blend_pd(mask, b, a)
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn splat(v: f64) -> __m512d {
        _mm512_set1_pd(v)
    }

    /// `hx > high` in fdlibm's terms, as [`super::avx2`]'s `high_above`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn high_above(abs_bits: __m512i, high: u32) -> __mmask8 {
        let limit = _mm512_set1_epi64(((u64::from(high) << 32) | 0xffff_ffff) as i64);
        _mm512_cmpgt_epi64_mask(abs_bits, limit)
    }

    /// expm1 on eight lanes, for lanes with `-56 ln2 < x <= 709.78`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn expm1(x: __m512d) -> __m512d {
        let abs_bits = _mm512_castpd_si512(_mm512_abs_pd(x));
        let negative = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(x, splat(0.0));
        let above_half_ln2 = high_above(abs_bits, 0x3fd6_2e42);
        let above_1p5_ln2 = high_above(abs_bits, 0x3ff0_a2b1);
        let half = select(negative, splat(-0.5), splat(0.5));
        let k_general = _mm512_roundscale_pd::<{ _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC }>(
            _mm512_add_pd(_mm512_mul_pd(splat(INV_LN2), x), half),
        );
        let k_one = select(negative, splat(-1.0), splat(1.0));
        let kf = select(above_half_ln2, select(above_1p5_ln2, k_general, k_one), splat(0.0));
        let hi = _mm512_fnmadd_pd(kf, splat(LN2_HI), x);
        let lo = _mm512_mul_pd(kf, splat(LN2_LO));
        let r = _mm512_sub_pd(hi, lo);
        let c = _mm512_sub_pd(_mm512_sub_pd(hi, r), lo);

        let hfx = _mm512_mul_pd(r, splat(0.5));
        let hxs = _mm512_mul_pd(r, hfx);
        let r1_part = _mm512_fmadd_pd(hxs, splat(Q1), splat(1.0));
        let r2 = _mm512_fmadd_pd(hxs, splat(Q3), splat(Q2));
        let r3 = _mm512_fmadd_pd(hxs, splat(Q5), splat(Q4));
        let h2 = _mm512_mul_pd(hxs, hxs);
        let h4 = _mm512_mul_pd(h2, h2);
        let r1 = _mm512_fmadd_pd(h4, r3, _mm512_fmadd_pd(h2, r2, r1_part));
        let t = _mm512_fnmadd_pd(r1, hfx, splat(3.0));
        let e = _mm512_mul_pd(
            _mm512_div_pd(_mm512_sub_pd(r1, t), _mm512_fnmadd_pd(r, t, splat(6.0))),
            hxs,
        );
        let result_k0 = _mm512_sub_pd(r, _mm512_fmsub_pd(e, r, hxs));
        let e2 = _mm512_sub_pd(_mm512_fmsub_pd(_mm512_sub_pd(e, c), r, c), hxs);
        let result_m1 = _mm512_fmadd_pd(splat(0.5), _mm512_sub_pd(r, e2), splat(-0.5));
        let below_quarter = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(r, splat(-0.25));
        let result_p1 = select(
            below_quarter,
            _mm512_mul_pd(_mm512_sub_pd(e2, _mm512_add_pd(r, splat(0.5))), splat(-2.0)),
            _mm512_fmadd_pd(_mm512_sub_pd(r, e2), splat(2.0), splat(1.0)),
        );
        let k = _mm512_cvtepi32_epi64(_mm512_cvttpd_epi32(kf));
        let k_exponent = _mm512_slli_epi64::<52>(k);
        let scale =
            |y: __m512d| _mm512_castsi512_pd(_mm512_add_epi64(_mm512_castpd_si512(y), k_exponent));
        let one = splat(1.0);
        let e2_minus_r = _mm512_sub_pd(e2, r);
        let result_far = _mm512_sub_pd(scale(_mm512_sub_pd(one, e2_minus_r)), one);
        let t_mid = _mm512_castsi512_pd(_mm512_slli_epi64::<32>(_mm512_sub_epi64(
            _mm512_set1_epi64(0x3ff0_0000),
            _mm512_srlv_epi64(_mm512_set1_epi64(0x0020_0000), k),
        )));
        let result_mid = scale(_mm512_sub_pd(t_mid, e2_minus_r));
        let t_high = _mm512_castsi512_pd(_mm512_slli_epi64::<52>(_mm512_sub_epi64(
            _mm512_set1_epi64(0x3ff),
            k,
        )));
        let result_high = scale(_mm512_add_pd(_mm512_sub_pd(r, _mm512_add_pd(e2, t_high)), one));

        let k_is = |v: i64| _mm512_cmpeq_epi64_mask(k, _mm512_set1_epi64(v));
        let k_above = |v: i64| _mm512_cmpgt_epi64_mask(k, _mm512_set1_epi64(v));
        let mut result = result_far;
        result = select(!k_above(19) & k_above(1), result_mid, result);
        result = select(!k_above(56) & k_above(19), result_high, result);
        result = select(k_is(1), result_p1, result);
        result = select(k_is(-1), result_m1, result);
        select(k_is(0), result_k0, result)
    }

    /// tanh on eight lanes; the lane mask of the returned pair marks the lanes with
    /// `2^-55 <= |x| < inf` (the others are redone by the scalar code).
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn tanh8(x: __m512d) -> (__m512d, __mmask8) {
        let sign_bit = _mm512_set1_epi64(i64::MIN);
        let ax = _mm512_abs_pd(x);
        let at_least_one = _mm512_cmp_pd_mask::<_CMP_GE_OQ>(ax, splat(1.0));
        let argument = select(at_least_one, _mm512_add_pd(ax, ax), _mm512_mul_pd(ax, splat(-2.0)));
        let argument = _mm512_min_pd(argument, splat(44.0));
        let t = expm1(argument);
        let negated_t = _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(t), sign_bit));
        let numerator = select(at_least_one, splat(2.0), negated_t);
        let q = _mm512_div_pd(numerator, _mm512_add_pd(t, splat(2.0)));
        let z = select(at_least_one, _mm512_sub_pd(splat(1.0), q), q);
        let saturated = _mm512_cmp_pd_mask::<_CMP_GE_OQ>(ax, splat(22.0));
        let z = select(saturated, splat(1.0 - TINY), z);
        let x_sign = _mm512_and_si512(_mm512_castpd_si512(x), sign_bit);
        let z = _mm512_castsi512_pd(_mm512_or_si512(_mm512_castpd_si512(z), x_sign));
        let ordinary =
            _mm512_cmp_pd_mask::<_CMP_GE_OQ>(ax, splat(f64::from_bits(0x3c80_0000_0000_0000)))
                & _mm512_cmp_pd_mask::<_CMP_LT_OQ>(ax, splat(f64::INFINITY));
        (z, ordinary)
    }

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn tanh_into(src: &[f64], dst: &mut [f64]) {
        let (src_chunks, src_tail) = src.as_chunks::<8>();
        let (dst_chunks, dst_tail) = dst.as_chunks_mut::<8>();
        for (s, d) in src_chunks.iter().zip(dst_chunks.iter_mut()) {
            // SAFETY: s and d are arrays of eight f64; unaligned loads and stores.
            let ordinary = unsafe {
                let (z, ordinary) = tanh8(_mm512_loadu_pd(s.as_ptr()));
                _mm512_storeu_pd(d.as_mut_ptr(), z);
                ordinary
            };
            if ordinary != 0xff {
                for (dv, &sv) in d.iter_mut().zip(s) {
                    *dv = super::tanh(sv);
                }
            }
        }
        // The last values: through the four-lane code where the CPU has it (it has: AVX-512F
        // implies AVX2 and FMA), else the scalar code; the same bits either way.
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: checked just above.
            unsafe { super::avx2::tanh_into(src_tail, dst_tail) };
        } else {
            for (dv, &sv) in dst_tail.iter_mut().zip(src_tail) {
                *dv = super::tanh(sv);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linalg_nn::NumpyRng;

    #[test]
    fn every_vector_width_gives_the_scalar_bits_on_random_arguments() {
        // A million arguments of training's range and beyond, each through the dispatched
        // code (AVX-512 where the CPU has it), the four-lane code and the scalar code.
        let mut rng = NumpyRng::new(21);
        let src: Vec<f64> = rng.randn_vec(1 << 20).iter().map(|v| v * 4.0).collect();
        let mut dispatched = vec![0.0; src.len()];
        tanh_into(&src, &mut dispatched);
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            let mut four_lanes = vec![0.0; src.len()];
            // SAFETY: checked just above.
            unsafe { avx2::tanh_into(&src, &mut four_lanes) };
            assert!(dispatched.iter().zip(&four_lanes).all(|(a, b)| a.to_bits() == b.to_bits()));
        }
        for (&x, &v) in src.iter().zip(&dispatched).step_by(7) {
            assert_eq!(v.to_bits(), tanh(x).to_bits(), "tanh({x:e})");
        }
    }

    #[test]
    fn vector_code_gives_the_scalar_bits() {
        let src = test_support::probes::tanh_arguments();
        let mut dst = vec![0.0; src.len()];
        tanh_into(&src, &mut dst);
        for (&x, &v) in src.iter().zip(&dst) {
            assert_eq!(v.to_bits(), tanh(x).to_bits(), "tanh({x:e})");
        }
        let nan = [f64::NAN; 5];
        let mut out = [0.0; 5];
        tanh_into(&nan, &mut out);
        assert!(out.iter().all(|v| v.is_nan()));
    }
}
