//! [`Lanes`] of one `f64`, in portable Rust: what every CPU without AVX2 and FMA runs (aarch64
//! included), and any CPU under `DL_COURSE_SIMD=scalar`. Each operation is the x86 instruction's
//! definition, so a kernel gives the same bits here as with the vector lanes.

use super::Lanes;

/// One lane: plain `f64`, `i64` and `bool`. Needs no token: it runs everywhere.
#[derive(Clone, Copy, Debug, Default)]
pub struct Scalar;

/// The proof that an x86_64 CPU has the FMA instruction, for [`Scalar`] kernels: x86_64's
/// baseline has none, so portable code computes `f64::mul_add` with a call to libm. Compiled with
/// the feature, each is one instruction, with the same correctly rounded result.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, Debug)]
pub(super) struct ScalarFma(());

#[cfg(target_arch = "x86_64")]
impl ScalarFma {
    /// The token, when the CPU (and the OS, for its registers) has FMA.
    pub(super) fn try_new() -> Option<ScalarFma> {
        std::is_x86_feature_detected!("fma").then_some(ScalarFma(()))
    }

    /// `kernel.run(Scalar)` compiled with FMA, the kernel inlined: the same operations in the
    /// same order as the portable code, so the same bits.
    #[inline]
    pub(super) fn compile<K: super::Kernel>(self, kernel: K) -> K::Output {
        #[target_feature(enable = "fma")]
        fn with_fma<K: super::Kernel>(kernel: K) -> K::Output {
            kernel.run(Scalar)
        }
        // SAFETY: the token exists, so the CPU has FMA.
        unsafe { with_fma(kernel) }
    }
}

impl Lanes for Scalar {
    const LANES: usize = 1;
    type F = f64;
    type I = i64;
    type M = bool;
    type Narrow = Scalar;

    #[inline(always)]
    fn narrow(self) -> Scalar {
        self
    }

    #[inline(always)]
    fn splat(self, v: f64) -> f64 {
        v
    }
    #[inline(always)]
    fn load(self, src: &[f64]) -> f64 {
        src[0]
    }
    #[inline(always)]
    fn store(self, dst: &mut [f64], v: f64) {
        dst[0] = v;
    }
    #[inline(always)]
    fn load_bytes(self, src: &[u8]) -> f64 {
        f64::from(src[0])
    }

    #[inline(always)]
    fn add(self, a: f64, b: f64) -> f64 {
        a + b
    }
    #[inline(always)]
    fn sub(self, a: f64, b: f64) -> f64 {
        a - b
    }
    #[inline(always)]
    fn mul(self, a: f64, b: f64) -> f64 {
        a * b
    }
    #[inline(always)]
    fn div(self, a: f64, b: f64) -> f64 {
        a / b
    }
    #[inline(always)]
    fn min(self, a: f64, b: f64) -> f64 {
        if a < b { a } else { b }
    }
    #[inline(always)]
    fn max(self, a: f64, b: f64) -> f64 {
        if a > b { a } else { b }
    }
    #[inline(always)]
    fn mul_add(self, a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
    #[inline(always)]
    fn neg_mul_add(self, a: f64, b: f64, c: f64) -> f64 {
        // -(a b) + c rounded once: negating a factor is exact.
        (-a).mul_add(b, c)
    }
    #[inline(always)]
    fn mul_sub(self, a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, -c)
    }
    #[inline(always)]
    fn trunc(self, a: f64) -> f64 {
        a.trunc()
    }
    #[inline(always)]
    fn abs(self, a: f64) -> f64 {
        a.abs()
    }
    #[inline(always)]
    fn and(self, a: f64, b: f64) -> f64 {
        f64::from_bits(a.to_bits() & b.to_bits())
    }
    #[inline(always)]
    fn or(self, a: f64, b: f64) -> f64 {
        f64::from_bits(a.to_bits() | b.to_bits())
    }
    #[inline(always)]
    fn xor(self, a: f64, b: f64) -> f64 {
        f64::from_bits(a.to_bits() ^ b.to_bits())
    }

    #[inline(always)]
    fn lt(self, a: f64, b: f64) -> bool {
        a < b
    }
    #[inline(always)]
    fn ge(self, a: f64, b: f64) -> bool {
        a >= b
    }
    #[inline(always)]
    fn select(self, mask: bool, a: f64, b: f64) -> f64 {
        if mask { a } else { b }
    }
    #[inline(always)]
    fn mask_and(self, a: bool, b: bool) -> bool {
        a & b
    }
    #[inline(always)]
    fn mask_and_not(self, a: bool, b: bool) -> bool {
        !a & b
    }
    #[inline(always)]
    fn mask_bits(self, mask: bool) -> u32 {
        u32::from(mask)
    }

    #[inline(always)]
    fn to_bits(self, a: f64) -> i64 {
        a.to_bits() as i64
    }
    #[inline(always)]
    fn f64_from_bits(self, a: i64) -> f64 {
        f64::from_bits(a as u64)
    }
    #[inline(always)]
    fn splat_i64(self, v: i64) -> i64 {
        v
    }
    #[inline(always)]
    fn add_i64(self, a: i64, b: i64) -> i64 {
        a.wrapping_add(b)
    }
    #[inline(always)]
    fn sub_i64(self, a: i64, b: i64) -> i64 {
        a.wrapping_sub(b)
    }
    #[inline(always)]
    fn and_i64(self, a: i64, b: i64) -> i64 {
        a & b
    }
    #[inline(always)]
    fn shl_i64<const S: i32>(self, a: i64) -> i64 {
        a.wrapping_shl(S as u32)
    }
    #[inline(always)]
    fn shr_var_u64(self, a: i64, count: i64) -> i64 {
        match u32::try_from(count) {
            Ok(count) if count < 64 => ((a as u64) >> count) as i64,
            _ => 0,
        }
    }
    #[inline(always)]
    fn gt_i64(self, a: i64, b: i64) -> bool {
        a > b
    }
    #[inline(always)]
    fn eq_i64(self, a: i64, b: i64) -> bool {
        a == b
    }
    #[inline(always)]
    fn trunc_i32(self, a: f64) -> i64 {
        // `as` saturates where the instruction gives i32::MIN: only the range converts.
        let t = if a > -2_147_483_649.0 && a < 2_147_483_648.0 { a as i32 } else { i32::MIN };
        i64::from(t)
    }
    #[inline(always)]
    fn lookup(self, table: &[u64; 128], index: i64) -> i64 {
        table[(index & 127) as usize] as i64
    }

    #[inline(always)]
    fn transpose(self, rows: &mut [f64]) {
        assert_eq!(rows.len(), 1, "one row of one lane");
    }
}
