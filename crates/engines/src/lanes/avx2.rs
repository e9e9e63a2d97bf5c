//! [`Lanes`] with AVX2 and FMA: four `f64` in a `__m256d`, masks as vectors of all-ones lanes.

use super::{Kernel, Lanes};
use std::arch::x86_64::*;

/// The proof that this CPU has AVX2 and FMA: made only by [`Avx2::try_new`], after detecting
/// both, so every method may use their intrinsics.
#[derive(Clone, Copy, Debug)]
pub struct Avx2(());

impl Avx2 {
    /// The token, when the CPU has AVX2 and FMA (whatever `DL_COURSE_SIMD` says: dispatch
    /// through [`super::Level`] to respect it).
    pub fn try_new() -> Option<Avx2> {
        let has = std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
        has.then_some(Avx2(()))
    }

    /// The token from an AVX-512 one, whose detection checked AVX2 and FMA too.
    pub(super) fn implied_by(_avx512: super::Avx512) -> Avx2 {
        Avx2(())
    }

    /// `kernel.run(self)` compiled with AVX2 and FMA, the kernel inlined.
    #[inline]
    pub fn vectorize<K: Kernel>(self, kernel: K) -> K::Output {
        #[target_feature(enable = "avx2,fma")]
        fn with_features<K: Kernel>(lanes: Avx2, kernel: K) -> K::Output {
            kernel.run(lanes)
        }
        // SAFETY: the token exists, so the CPU has AVX2 and FMA.
        unsafe { with_features(self, kernel) }
    }
}

// Every `unsafe` block below calls AVX2 or FMA intrinsics (or reads within the bounds asserted
// just before it): sound because `self`, an `Avx2` token, exists only where the CPU has both.
impl Lanes for Avx2 {
    const LANES: usize = 4;
    type F = __m256d;
    type I = __m256i;
    type M = __m256d;
    type Narrow = Avx2;

    #[inline(always)]
    fn narrow(self) -> Avx2 {
        self
    }

    #[inline(always)]
    fn splat(self, v: f64) -> __m256d {
        // SAFETY: the token proves AVX2 (see above).
        unsafe { _mm256_set1_pd(v) }
    }
    #[inline(always)]
    fn load(self, src: &[f64]) -> __m256d {
        let src = &src[..4];
        // SAFETY: the token proves AVX2; `src` holds four values.
        unsafe { _mm256_loadu_pd(src.as_ptr()) }
    }
    #[inline(always)]
    fn store(self, dst: &mut [f64], v: __m256d) {
        let dst = &mut dst[..4];
        // SAFETY: the token proves AVX2; `dst` holds four values.
        unsafe { _mm256_storeu_pd(dst.as_mut_ptr(), v) }
    }
    #[inline(always)]
    fn load_bytes(self, src: &[u8]) -> __m256d {
        let four: [u8; 4] = src[..4].try_into().expect("four bytes");
        // SAFETY: the token proves AVX2.
        unsafe {
            _mm256_cvtepi32_pd(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(i32::from_le_bytes(four))))
        }
    }

    #[inline(always)]
    fn add(self, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_add_pd(a, b) }
    }
    #[inline(always)]
    fn sub(self, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_sub_pd(a, b) }
    }
    #[inline(always)]
    fn mul(self, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_mul_pd(a, b) }
    }
    #[inline(always)]
    fn div(self, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_div_pd(a, b) }
    }
    #[inline(always)]
    fn min(self, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_min_pd(a, b) }
    }
    #[inline(always)]
    fn max(self, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_max_pd(a, b) }
    }
    #[inline(always)]
    fn mul_add(self, a: __m256d, b: __m256d, c: __m256d) -> __m256d {
        // SAFETY: the token proves FMA.
        unsafe { _mm256_fmadd_pd(a, b, c) }
    }
    #[inline(always)]
    fn neg_mul_add(self, a: __m256d, b: __m256d, c: __m256d) -> __m256d {
        // SAFETY: the token proves FMA.
        unsafe { _mm256_fnmadd_pd(a, b, c) }
    }
    #[inline(always)]
    fn mul_sub(self, a: __m256d, b: __m256d, c: __m256d) -> __m256d {
        // SAFETY: the token proves FMA.
        unsafe { _mm256_fmsub_pd(a, b, c) }
    }
    #[inline(always)]
    fn trunc(self, a: __m256d) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_round_pd(a, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC) }
    }
    #[inline(always)]
    fn abs(self, a: __m256d) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_andnot_pd(_mm256_set1_pd(-0.0), a) }
    }
    #[inline(always)]
    fn and(self, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_and_pd(a, b) }
    }
    #[inline(always)]
    fn or(self, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_or_pd(a, b) }
    }
    #[inline(always)]
    fn xor(self, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_xor_pd(a, b) }
    }

    #[inline(always)]
    fn lt(self, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_cmp_pd(a, b, _CMP_LT_OQ) }
    }
    #[inline(always)]
    fn ge(self, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_cmp_pd(a, b, _CMP_GE_OQ) }
    }
    #[inline(always)]
    fn select(self, mask: __m256d, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_blendv_pd(b, a, mask) }
    }
    #[inline(always)]
    fn mask_and(self, a: __m256d, b: __m256d) -> __m256d {
        self.and(a, b)
    }
    #[inline(always)]
    fn mask_and_not(self, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_andnot_pd(a, b) }
    }
    #[inline(always)]
    fn mask_bits(self, mask: __m256d) -> u32 {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_movemask_pd(mask) as u32 }
    }

    #[inline(always)]
    fn to_bits(self, a: __m256d) -> __m256i {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_castpd_si256(a) }
    }
    #[inline(always)]
    fn f64_from_bits(self, a: __m256i) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_castsi256_pd(a) }
    }
    #[inline(always)]
    fn splat_i64(self, v: i64) -> __m256i {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_set1_epi64x(v) }
    }
    #[inline(always)]
    fn add_i64(self, a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_add_epi64(a, b) }
    }
    #[inline(always)]
    fn sub_i64(self, a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_sub_epi64(a, b) }
    }
    #[inline(always)]
    fn and_i64(self, a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_and_si256(a, b) }
    }
    #[inline(always)]
    fn shl_i64<const S: i32>(self, a: __m256i) -> __m256i {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_slli_epi64::<S>(a) }
    }
    #[inline(always)]
    fn shr_var_u64(self, a: __m256i, count: __m256i) -> __m256i {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_srlv_epi64(a, count) }
    }
    #[inline(always)]
    fn gt_i64(self, a: __m256i, b: __m256i) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_castsi256_pd(_mm256_cmpgt_epi64(a, b)) }
    }
    #[inline(always)]
    fn eq_i64(self, a: __m256i, b: __m256i) -> __m256d {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_castsi256_pd(_mm256_cmpeq_epi64(a, b)) }
    }
    #[inline(always)]
    fn trunc_i32(self, a: __m256d) -> __m256i {
        // SAFETY: the token proves AVX2.
        unsafe { _mm256_cvtepi32_epi64(_mm256_cvttpd_epi32(a)) }
    }
    #[inline(always)]
    fn lookup(self, table: &[u64; 128], index: __m256i) -> __m256i {
        // SAFETY: the token proves AVX2; every index is below 128 after the mask, so every
        // gathered value lies inside `table`.
        unsafe {
            let index = _mm256_and_si256(index, _mm256_set1_epi64x(127));
            _mm256_i64gather_epi64::<8>(table.as_ptr().cast(), index)
        }
    }

    #[inline(always)]
    fn transpose(self, rows: &mut [__m256d]) {
        let [r0, r1, r2, r3] = <&mut [__m256d; 4]>::try_from(rows).expect("four rows");
        // SAFETY: the token proves AVX2.
        unsafe {
            let (t0, t1) = (_mm256_unpacklo_pd(*r0, *r1), _mm256_unpackhi_pd(*r0, *r1));
            let (t2, t3) = (_mm256_unpacklo_pd(*r2, *r3), _mm256_unpackhi_pd(*r2, *r3));
            *r0 = _mm256_permute2f128_pd::<0x20>(t0, t2);
            *r1 = _mm256_permute2f128_pd::<0x20>(t1, t3);
            *r2 = _mm256_permute2f128_pd::<0x31>(t0, t2);
            *r3 = _mm256_permute2f128_pd::<0x31>(t1, t3);
        }
    }
}
