//! [`Lanes`] with AVX-512F: eight `f64` in a `__m512d`, masks as `__mmask8` (one bit a lane).

use super::{Kernel, Lanes};
use std::arch::x86_64::*;

/// The proof that this CPU has AVX-512F (and the AVX2 and FMA it implies, checked too): made
/// only by [`Avx512::try_new`], after detecting them, so every method may use their intrinsics.
#[derive(Clone, Copy, Debug)]
pub struct Avx512(());

impl Avx512 {
    /// The token, when the CPU has AVX-512F, AVX2 and FMA (whatever `DL_COURSE_SIMD` says:
    /// dispatch through [`super::Level`] to respect it).
    pub fn try_new() -> Option<Avx512> {
        let has = std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx2")
            && std::is_x86_feature_detected!("fma");
        has.then_some(Avx512(()))
    }

    /// `kernel.run(self)` compiled with AVX-512F, the kernel inlined.
    #[inline]
    pub fn vectorize<K: Kernel>(self, kernel: K) -> K::Output {
        #[target_feature(enable = "avx512f,avx2,fma")]
        fn with_features<K: Kernel>(lanes: Avx512, kernel: K) -> K::Output {
            kernel.run(lanes)
        }
        // SAFETY: the token exists, so the CPU has AVX-512F, AVX2 and FMA.
        unsafe { with_features(self, kernel) }
    }
}

// Every `unsafe` block below calls AVX-512F intrinsics (or reads within the bounds asserted
// just before it): sound because `self`, an `Avx512` token, exists only where the CPU has them.
impl Lanes for Avx512 {
    const LANES: usize = 8;
    type F = __m512d;
    type I = __m512i;
    type M = __mmask8;
    type Narrow = super::Avx2;

    #[inline(always)]
    fn narrow(self) -> super::Avx2 {
        super::Avx2::implied_by(self)
    }

    #[inline(always)]
    fn splat(self, v: f64) -> __m512d {
        // SAFETY: the token proves AVX-512F (see above).
        unsafe { _mm512_set1_pd(v) }
    }
    #[inline(always)]
    fn load(self, src: &[f64]) -> __m512d {
        let src = &src[..8];
        // SAFETY: the token proves AVX-512F; `src` holds eight values.
        unsafe { _mm512_loadu_pd(src.as_ptr()) }
    }
    #[inline(always)]
    fn store(self, dst: &mut [f64], v: __m512d) {
        let dst = &mut dst[..8];
        // SAFETY: the token proves AVX-512F; `dst` holds eight values.
        unsafe { _mm512_storeu_pd(dst.as_mut_ptr(), v) }
    }
    #[inline(always)]
    fn load_bytes(self, src: &[u8]) -> __m512d {
        let eight: [u8; 8] = src[..8].try_into().expect("eight bytes");
        // SAFETY: the token proves AVX-512F (and the AVX2 of the widening).
        unsafe {
            let bytes = _mm_cvtsi64_si128(i64::from_le_bytes(eight));
            _mm512_cvtepi32_pd(_mm256_cvtepu8_epi32(bytes))
        }
    }

    #[inline(always)]
    fn add(self, a: __m512d, b: __m512d) -> __m512d {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_add_pd(a, b) }
    }
    #[inline(always)]
    fn sub(self, a: __m512d, b: __m512d) -> __m512d {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_sub_pd(a, b) }
    }
    #[inline(always)]
    fn mul(self, a: __m512d, b: __m512d) -> __m512d {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_mul_pd(a, b) }
    }
    #[inline(always)]
    fn div(self, a: __m512d, b: __m512d) -> __m512d {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_div_pd(a, b) }
    }
    #[inline(always)]
    fn min(self, a: __m512d, b: __m512d) -> __m512d {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_min_pd(a, b) }
    }
    #[inline(always)]
    fn max(self, a: __m512d, b: __m512d) -> __m512d {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_max_pd(a, b) }
    }
    #[inline(always)]
    fn mul_add(self, a: __m512d, b: __m512d, c: __m512d) -> __m512d {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_fmadd_pd(a, b, c) }
    }
    #[inline(always)]
    fn neg_mul_add(self, a: __m512d, b: __m512d, c: __m512d) -> __m512d {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_fnmadd_pd(a, b, c) }
    }
    #[inline(always)]
    fn mul_sub(self, a: __m512d, b: __m512d, c: __m512d) -> __m512d {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_fmsub_pd(a, b, c) }
    }
    #[inline(always)]
    fn trunc(self, a: __m512d) -> __m512d {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_roundscale_pd::<{ _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC }>(a) }
    }
    #[inline(always)]
    fn abs(self, a: __m512d) -> __m512d {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_abs_pd(a) }
    }
    // The bitwise operations go through the integer forms: the `_pd` ones need AVX-512DQ.
    #[inline(always)]
    fn and(self, a: __m512d, b: __m512d) -> __m512d {
        self.f64_from_bits(self.and_i64(self.to_bits(a), self.to_bits(b)))
    }
    #[inline(always)]
    fn or(self, a: __m512d, b: __m512d) -> __m512d {
        // SAFETY: the token proves AVX-512F.
        unsafe { self.f64_from_bits(_mm512_or_si512(self.to_bits(a), self.to_bits(b))) }
    }
    #[inline(always)]
    fn xor(self, a: __m512d, b: __m512d) -> __m512d {
        // SAFETY: the token proves AVX-512F.
        unsafe { self.f64_from_bits(_mm512_xor_si512(self.to_bits(a), self.to_bits(b))) }
    }

    #[inline(always)]
    fn lt(self, a: __m512d, b: __m512d) -> __mmask8 {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_cmp_pd_mask::<_CMP_LT_OQ>(a, b) }
    }
    #[inline(always)]
    fn ge(self, a: __m512d, b: __m512d) -> __mmask8 {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_cmp_pd_mask::<_CMP_GE_OQ>(a, b) }
    }
    #[inline(always)]
    fn select(self, mask: __mmask8, a: __m512d, b: __m512d) -> __m512d {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_mask_blend_pd(mask, b, a) }
    }
    #[inline(always)]
    fn mask_and(self, a: __mmask8, b: __mmask8) -> __mmask8 {
        a & b
    }
    #[inline(always)]
    fn mask_and_not(self, a: __mmask8, b: __mmask8) -> __mmask8 {
        !a & b
    }
    #[inline(always)]
    fn mask_bits(self, mask: __mmask8) -> u32 {
        u32::from(mask)
    }

    #[inline(always)]
    fn to_bits(self, a: __m512d) -> __m512i {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_castpd_si512(a) }
    }
    #[inline(always)]
    fn f64_from_bits(self, a: __m512i) -> __m512d {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_castsi512_pd(a) }
    }
    #[inline(always)]
    fn splat_i64(self, v: i64) -> __m512i {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_set1_epi64(v) }
    }
    #[inline(always)]
    fn add_i64(self, a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_add_epi64(a, b) }
    }
    #[inline(always)]
    fn sub_i64(self, a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_sub_epi64(a, b) }
    }
    #[inline(always)]
    fn and_i64(self, a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_and_si512(a, b) }
    }
    #[inline(always)]
    fn shl_i64<const S: i32>(self, a: __m512i) -> __m512i {
        // A shift by a constant vector, which the compiler emits as the immediate shift
        // (`_mm512_slli_epi64` takes its count as a `u32` constant, the trait an `i32`).
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_sllv_epi64(a, _mm512_set1_epi64(i64::from(S))) }
    }
    #[inline(always)]
    fn shr_var_u64(self, a: __m512i, count: __m512i) -> __m512i {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_srlv_epi64(a, count) }
    }
    #[inline(always)]
    fn gt_i64(self, a: __m512i, b: __m512i) -> __mmask8 {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_cmpgt_epi64_mask(a, b) }
    }
    #[inline(always)]
    fn eq_i64(self, a: __m512i, b: __m512i) -> __mmask8 {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_cmpeq_epi64_mask(a, b) }
    }
    #[inline(always)]
    fn trunc_i32(self, a: __m512d) -> __m512i {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_cvtepi32_epi64(_mm512_cvttpd_epi32(a)) }
    }
    #[inline(always)]
    fn lookup(self, table: &[u64; 128], index: __m512i) -> __m512i {
        // SAFETY: the token proves AVX-512F; every index is below 128 after the mask, so every
        // gathered value lies inside `table`.
        unsafe {
            let index = _mm512_and_si512(index, _mm512_set1_epi64(127));
            _mm512_i64gather_epi64::<8>(index, table.as_ptr().cast())
        }
    }

    #[inline(always)]
    fn transpose(self, rows: &mut [__m512d]) {
        let r = <&mut [__m512d; 8]>::try_from(rows).expect("eight rows");
        // SAFETY: the token proves AVX-512F.
        unsafe {
            // Pairs of rows interleaved, then 128-bit blocks gathered twice (0x88: blocks 0
            // and 2 of each source, 0xdd: blocks 1 and 3).
            let t0 = _mm512_unpacklo_pd(r[0], r[1]);
            let t1 = _mm512_unpackhi_pd(r[0], r[1]);
            let t2 = _mm512_unpacklo_pd(r[2], r[3]);
            let t3 = _mm512_unpackhi_pd(r[2], r[3]);
            let t4 = _mm512_unpacklo_pd(r[4], r[5]);
            let t5 = _mm512_unpackhi_pd(r[4], r[5]);
            let t6 = _mm512_unpacklo_pd(r[6], r[7]);
            let t7 = _mm512_unpackhi_pd(r[6], r[7]);
            let u0 = _mm512_shuffle_f64x2::<0x88>(t0, t2);
            let u1 = _mm512_shuffle_f64x2::<0x88>(t1, t3);
            let u2 = _mm512_shuffle_f64x2::<0xdd>(t0, t2);
            let u3 = _mm512_shuffle_f64x2::<0xdd>(t1, t3);
            let u4 = _mm512_shuffle_f64x2::<0x88>(t4, t6);
            let u5 = _mm512_shuffle_f64x2::<0x88>(t5, t7);
            let u6 = _mm512_shuffle_f64x2::<0xdd>(t4, t6);
            let u7 = _mm512_shuffle_f64x2::<0xdd>(t5, t7);
            r[0] = _mm512_shuffle_f64x2::<0x88>(u0, u4);
            r[1] = _mm512_shuffle_f64x2::<0x88>(u1, u5);
            r[2] = _mm512_shuffle_f64x2::<0x88>(u2, u6);
            r[3] = _mm512_shuffle_f64x2::<0x88>(u3, u7);
            r[4] = _mm512_shuffle_f64x2::<0xdd>(u0, u4);
            r[5] = _mm512_shuffle_f64x2::<0xdd>(u1, u5);
            r[6] = _mm512_shuffle_f64x2::<0xdd>(u2, u6);
            r[7] = _mm512_shuffle_f64x2::<0xdd>(u3, u7);
        }
    }
}
