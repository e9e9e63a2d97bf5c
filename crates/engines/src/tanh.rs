//! The hidden layer's `tanh` four or eight values at a time (course 1, week 3, section 4.3's
//! `A1 = np.tanh(Z1)` in the shallow network's training loop, [`crate::shallow`]), bit for bit
//! [`linalg_nn::tanh::tanh`] (glibc's `tanh`, operation for operation): one kernel over
//! [`crate::lanes`] (AVX-512 or AVX2 + FMA, picked at run time) that takes the scalar code's
//! operations in the same order, with a lane mask where the scalar code branches.
//!
//! At the course's learning rate of 1.2 the last bits of `A1` decide which state of the final
//! two-state cycle training ends in, so the lanes must give the scalar code's bits, not merely
//! values within an ulp. The hidden layer calls `tanh` 16 million times in the course run (10000
//! iterations, 4 x 400 values); glibc's took 55 % of the run.

use crate::lanes::{Kernel, Lanes, Level};
use linalg_nn::tanh::{INV_LN2, LN2_HI, LN2_LO, Q1, Q2, Q3, Q4, Q5, TINY, tanh};

/// `dst[i] = tanh(src[i])` ([`linalg_nn::tanh::tanh`]'s bits), eight or four lanes at a time at
/// the level of [`Level::current`].
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
    tanh_at(Level::current(), src, dst);
}

/// [`tanh_into`] at `level`.
fn tanh_at(level: Level, src: &[f64], dst: &mut [f64]) {
    assert_eq!(src.len(), dst.len(), "tanh_into: source and destination lengths differ");
    level.run(TanhInto { src, dst });
}

/// The kernel of [`tanh_into`].
struct TanhInto<'a> {
    src: &'a [f64],
    dst: &'a mut [f64],
}

impl Kernel for TanhInto<'_> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(self, lanes: L) {
        if L::LANES == 1 {
            // One lane would take every branch of the scalar code as a select: the scalar code
            // itself is faster, with the same bits.
            for (d, &s) in self.dst.iter_mut().zip(self.src) {
                *d = tanh(s);
            }
        } else {
            tanh_slices(lanes, self.src, self.dst);
        }
    }
}

/// `dst[i] = tanh(src[i])`, `L::LANES` values at a time, the chunks with a lane outside
/// [`tanh_lanes`]' range and the last values through the scalar code.
#[inline(always)]
fn tanh_slices<L: Lanes>(lanes: L, src: &[f64], dst: &mut [f64]) {
    let all = (1u32 << L::LANES) - 1;
    let (src_chunks, dst_chunks) = (src.chunks_exact(L::LANES), dst.chunks_exact_mut(L::LANES));
    let done = src.len() - src_chunks.remainder().len();
    for (s, d) in src_chunks.zip(dst_chunks) {
        let (z, ordinary) = tanh_lanes(lanes, lanes.load(s));
        lanes.store(d, z);
        if ordinary != all {
            for (dv, &sv) in d.iter_mut().zip(s) {
                *dv = tanh(sv);
            }
        }
    }
    for (dv, &sv) in dst[done..].iter_mut().zip(&src[done..]) {
        *dv = tanh(sv);
    }
}

/// `|x|` bits compared with the bits of a threshold whose low word is 0: `hx > high` in
/// fdlibm's terms.
#[inline(always)]
fn high_above<L: Lanes>(lanes: L, abs_bits: L::I, high: u32) -> L::M {
    let limit = lanes.splat_i64(((u64::from(high) << 32) | 0xffff_ffff) as i64);
    lanes.gt_i64(abs_bits, limit)
}

/// [`linalg_nn::tanh::tanh`]'s expm1 on lanes, for lanes with `-56 ln2 < x <= 709.78` (the
/// caller never passes others: tanh's arguments lie in `(-2, 44]`): every operation of the
/// scalar code, in the same order, with a select where the scalar code branches.
#[inline(always)]
fn expm1<L: Lanes>(l: L, x: L::F) -> L::F {
    let splat = |v: f64| l.splat(v);
    let abs_bits = l.to_bits(l.abs(x));
    let negative = l.lt(x, splat(0.0));
    let above_half_ln2 = high_above(l, abs_bits, 0x3fd6_2e42);
    let above_1p5_ln2 = high_above(l, abs_bits, 0x3ff0_a2b1);
    // k = (int)(invln2 * x ± 0.5): product and sum rounded separately, as glibc does.
    let half = l.select(negative, splat(-0.5), splat(0.5));
    let k_general = l.trunc(l.add(l.mul(splat(INV_LN2), x), half));
    let k_one = l.select(negative, splat(-1.0), splat(1.0));
    let kf = l.select(above_half_ln2, l.select(above_1p5_ln2, k_general, k_one), splat(0.0));
    // hi = x - k ln2_hi (for k = ±1 the single rounding equals x ∓ ln2_hi; for k = 0
    // it is x), lo = k ln2_lo.
    let hi = l.neg_mul_add(kf, splat(LN2_HI), x);
    let lo = l.mul(kf, splat(LN2_LO));
    let r = l.sub(hi, lo);
    let c = l.sub(l.sub(hi, r), lo);

    let hfx = l.mul(r, splat(0.5));
    let hxs = l.mul(r, hfx);
    let r1_part = l.mul_add(hxs, splat(Q1), splat(1.0));
    let r2 = l.mul_add(hxs, splat(Q3), splat(Q2));
    let r3 = l.mul_add(hxs, splat(Q5), splat(Q4));
    let h2 = l.mul(hxs, hxs);
    let h4 = l.mul(h2, h2);
    let r1 = l.mul_add(h4, r3, l.mul_add(h2, r2, r1_part));
    let t = l.neg_mul_add(r1, hfx, splat(3.0));
    let e = l.mul(l.div(l.sub(r1, t), l.neg_mul_add(r, t, splat(6.0))), hxs);
    // k = 0
    let result_k0 = l.sub(r, l.mul_sub(e, r, hxs));
    let e2 = l.sub(l.mul_sub(l.sub(e, c), r, c), hxs);
    // k = -1
    let result_m1 = l.mul_add(splat(0.5), l.sub(r, e2), splat(-0.5));
    // k = 1
    let below_quarter = l.lt(r, splat(-0.25));
    let result_p1 = l.select(
        below_quarter,
        l.mul(l.sub(e2, l.add(r, splat(0.5))), splat(-2.0)),
        l.mul_add(l.sub(r, e2), splat(2.0), splat(1.0)),
    );
    // The other k: scale by 2^k through the exponent bits.
    let k = l.trunc_i32(kf);
    let k_exponent = l.shl_i64::<52>(k);
    let scale = |y: L::F| l.f64_from_bits(l.add_i64(l.to_bits(y), k_exponent));
    let one = splat(1.0);
    let e2_minus_r = l.sub(e2, r);
    // k <= -2 or k > 56
    let result_far = l.sub(scale(l.sub(one, e2_minus_r)), one);
    // 2 <= k < 20: t = 1 - 2^-k
    let t_mid = l.f64_from_bits(l.shl_i64::<32>(
        l.sub_i64(l.splat_i64(0x3ff0_0000), l.shr_var_u64(l.splat_i64(0x0020_0000), k)),
    ));
    let result_mid = scale(l.sub(t_mid, e2_minus_r));
    // 20 <= k <= 56: t = 2^-k
    let t_high = l.f64_from_bits(l.shl_i64::<52>(l.sub_i64(l.splat_i64(0x3ff), k)));
    let result_high = scale(l.add(l.sub(r, l.add(e2, t_high)), one));

    let k_is = |v: i64| l.eq_i64(k, l.splat_i64(v));
    let k_above = |v: i64| l.gt_i64(k, l.splat_i64(v));
    let mut result = result_far;
    result = l.select(l.mask_and_not(k_above(19), k_above(1)), result_mid, result);
    result = l.select(l.mask_and_not(k_above(56), k_above(19)), result_high, result);
    result = l.select(k_is(1), result_p1, result);
    result = l.select(k_is(-1), result_m1, result);
    l.select(k_is(0), result_k0, result)
}

/// tanh on lanes, and the lanes with `2^-55 <= |x| < inf` as mask bits (false for NaN); the
/// others (`|x| < 2^-55`, zero, infinite or NaN) are for the scalar code to redo (they never
/// occur in training, but the function must stay exact).
#[inline(always)]
fn tanh_lanes<L: Lanes>(l: L, x: L::F) -> (L::F, u32) {
    let splat = |v: f64| l.splat(v);
    let sign_bit = splat(-0.0);
    let ax = l.abs(x);
    let at_least_one = l.ge(ax, splat(1.0));
    let argument = l.select(at_least_one, l.add(ax, ax), l.mul(ax, splat(-2.0)));
    // Keep the lanes of |x| >= 22 (whose result is 1) inside expm1's range.
    let argument = l.min(argument, splat(44.0));
    let t = expm1(l, argument);
    let numerator = l.select(at_least_one, splat(2.0), l.xor(t, sign_bit));
    let q = l.div(numerator, l.add(t, splat(2.0)));
    let z = l.select(at_least_one, l.sub(splat(1.0), q), q);
    let z = l.select(l.ge(ax, splat(22.0)), splat(1.0 - TINY), z);
    let z = l.or(z, l.and(x, sign_bit));
    let ordinary = l.mask_and(
        l.ge(ax, splat(f64::from_bits(0x3c80_0000_0000_0000))),
        l.lt(ax, splat(f64::INFINITY)),
    );
    (z, l.mask_bits(ordinary))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lanes::Scalar;
    use linalg_nn::NumpyRng;

    /// `tanh_into` at every level this CPU has, and the one-lane kernel, against the scalar
    /// code, bit for bit.
    fn assert_scalar_bits(src: &[f64]) {
        let expected: Vec<u64> = src.iter().map(|&x| tanh(x).to_bits()).collect();
        let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for level in Level::available() {
            let mut dst = vec![0.0; src.len()];
            tanh_at(level, src, &mut dst);
            assert!(bits(&dst) == expected, "{level:?}");
        }
        let mut one_lane = vec![0.0; src.len()];
        tanh_slices(Scalar, src, &mut one_lane);
        assert!(bits(&one_lane) == expected, "the one-lane kernel");
    }

    #[test]
    fn every_level_gives_the_scalar_bits_on_random_arguments() {
        // A million arguments of training's range and beyond, and a length that leaves a tail.
        let mut rng = NumpyRng::new(21);
        let src: Vec<f64> = rng.randn_vec((1 << 20) + 5).iter().map(|v| v * 4.0).collect();
        assert_scalar_bits(&src);
    }

    #[test]
    fn every_level_gives_the_scalar_bits_on_the_probes() {
        let mut src = test_support::probes::tanh_arguments();
        src.extend([f64::NAN, -f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, 5e-324]);
        src.extend([1e-17, -1e-17, 21.99, 22.0, -22.0, 1e300]);
        for ending in 0..9 {
            assert_scalar_bits(&src[..src.len() - ending]);
        }
        let nan = [f64::NAN; 5];
        let mut out = [0.0; 5];
        tanh_into(&nan, &mut out);
        assert!(out.iter().all(|v| v.is_nan()));
    }
}
