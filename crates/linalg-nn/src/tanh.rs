//! `np.tanh`, the hidden activation of week 3 (`A1 = np.tanh(Z1)`), bit for bit as glibc
//! computes it, in plain Rust: so that the course's last bits are the same on every machine and
//! C library, as [`crate::exp`] does for the exponential.
//!
//! At the course's learning rate of 1.2 the last bits of `A1` decide which state of the final
//! two-state cycle training ends in (week 3's `nn_model`): the notebook's 90.75 % needs `tanh`
//! rounded exactly as glibc rounds it, not merely within an ulp. glibc's `tanh` is fdlibm's
//! (`sysdeps/ieee754/dbl-64/s_tanh.c`), built on `expm1`, which glibc compiles with fused
//! multiply-adds on x86-64 CPUs that have them (`s_expm1-fma.c`). This module repeats exactly
//! those operations, the same fused multiply-adds included (`mul_add`: one instruction where the
//! code is compiled for FMA, a correctly rounded library call elsewhere, the same bits either
//! way), so it gives glibc's bits everywhere (glibc 2.36 on an FMA CPU: checked on tens of
//! millions of inputs, see `docs/reference/performance.md`). The engines' vector lanes
//! (`nn_engines::tanh`) take the same operations four or eight values at a time.

// The constants of fdlibm's `expm1`, as glibc stores them: bit patterns, so that every constant
// is exactly glibc's.

/// `ln 2`, high part (0.6931471803691238): few enough bits that `k LN2_HI` is exact.
pub const LN2_HI: f64 = f64::from_bits(0x3fe62e42fee00000);
/// `ln 2`, the rest after [`LN2_HI`] (1.9082149292705877e-10).
pub const LN2_LO: f64 = f64::from_bits(0x3dea39ef35793c76);
/// `1 / ln 2` (1.4426950408889634).
pub const INV_LN2: f64 = f64::from_bits(0x3ff71547652b82fe);
/// The rational approximation's coefficient `Q1` (-0.03333333333333313).
pub const Q1: f64 = f64::from_bits(0xbfa11111111110f4);
/// `Q2` (0.0015873015872548146).
pub const Q2: f64 = f64::from_bits(0x3f5a01a019fe5585);
/// `Q3` (-7.93650757867488e-05).
pub const Q3: f64 = f64::from_bits(0xbf14ce199eaadbb7);
/// `Q4` (4.008217827329362e-06).
pub const Q4: f64 = f64::from_bits(0x3ed0cfca86e65239);
/// `Q5` (-2.0109921818362437e-07).
pub const Q5: f64 = f64::from_bits(0xbe8afdb76e09c32d);
/// `o_threshold` (709.782712893384): above it `expm1` overflows.
pub const OVERFLOW: f64 = f64::from_bits(0x40862e42fefa39ef);
/// fdlibm's `tiny` (1e-300; tanh of a large argument is `1 - tiny`, which rounds to 1).
pub const TINY: f64 = f64::from_bits(0x01a56e1fc2f8f359);
/// fdlibm's `huge` (1e+300).
pub const HUGE: f64 = f64::from_bits(0x7e37e43c8800759c);

/// The high 32 bits of `x` without the sign, as fdlibm tests them.
#[inline(always)]
fn high_abs(x: f64) -> u32 {
    ((x.to_bits() >> 32) as u32) & 0x7fff_ffff
}

/// `y` with `k` added to its binary exponent (fdlibm's `SET_HIGH_WORD(y, high + (k << 20))`).
#[inline(always)]
fn add_to_exponent(y: f64, k: i32) -> f64 {
    f64::from_bits(y.to_bits().wrapping_add(((k as i64) << 52) as u64))
}

/// glibc's `expm1` (fdlibm's, compiled with fused multiply-adds): `e^x - 1`.
///
/// ```
/// use linalg_nn::tanh::expm1;
/// assert_eq!(expm1(0.0), 0.0);
/// assert!((expm1(1e-10) - 1.00000000005e-10).abs() < 1e-25);
/// assert!((expm1(1.0) - (std::f64::consts::E - 1.0)).abs() < 1e-15);
/// assert_eq!(expm1(-800.0), -1.0);
/// ```
pub fn expm1(x: f64) -> f64 {
    let hx = high_abs(x);
    let negative = x.is_sign_negative();
    // Filter out huge and non-finite arguments.
    if hx >= 0x4043_687a {
        // |x| >= 56 ln 2
        if hx >= 0x4086_2e42 {
            // |x| >= 709.78...
            if hx >= 0x7ff0_0000 {
                if x.is_nan() {
                    return x + x;
                }
                return if negative { -1.0 } else { x };
            }
            if x > OVERFLOW {
                return HUGE * HUGE;
            }
        }
        if negative {
            // e^x tiny: -1 (fdlibm raises inexact with tiny - one).
            return TINY - 1.0;
        }
    }
    // Argument reduction: x = k ln2 + r, |r| <= 0.5 ln2, with c the rounding error of r.
    let (r, c, k) = if hx > 0x3fd6_2e42 {
        // |x| > 0.5 ln2
        let (hi, lo, k) = if hx < 0x3ff0_a2b2 {
            // and |x| < 1.5 ln2
            if negative { (x + LN2_HI, -LN2_LO, -1) } else { (x - LN2_HI, LN2_LO, 1) }
        } else {
            let k = (INV_LN2 * x + if negative { -0.5 } else { 0.5 }) as i32;
            let t = f64::from(k);
            ((-t).mul_add(LN2_HI, x), t * LN2_LO, k)
        };
        let r = hi - lo;
        (r, (hi - r) - lo, k)
    } else if hx < 0x3c90_0000 {
        // |x| < 2^-54: expm1(x) = x
        return x;
    } else {
        (x, 0.0, 0)
    };
    let x = r;
    // x is now in the primary range.
    let hfx = x * 0.5;
    let hxs = x * hfx;
    let r1_part = hxs.mul_add(Q1, 1.0);
    let r2 = hxs.mul_add(Q3, Q2);
    let r3 = hxs.mul_add(Q5, Q4);
    let h2 = hxs * hxs;
    let h4 = h2 * h2;
    let r1 = h4.mul_add(r3, h2.mul_add(r2, r1_part));
    let t = (-r1).mul_add(hfx, 3.0);
    let e = ((r1 - t) / (-x).mul_add(t, 6.0)) * hxs;
    if k == 0 {
        // c is 0
        return x - e.mul_add(x, -hxs);
    }
    let e = (e - c).mul_add(x, -c) - hxs;
    if k == -1 {
        return 0.5f64.mul_add(x - e, -0.5);
    }
    if k == 1 {
        return if x < -0.25 { (e - (x + 0.5)) * -2.0 } else { (x - e).mul_add(2.0, 1.0) };
    }
    if k <= -2 || k > 56 {
        // Enough to return e^x - 1.
        let y = 1.0 - (e - x);
        return add_to_exponent(y, k) - 1.0;
    }
    if k < 20 {
        let t = f64::from_bits(u64::from(0x3ff0_0000 - (0x0020_0000u32 >> k)) << 32); // 1 - 2^-k
        add_to_exponent(t - (e - x), k)
    } else {
        let t = f64::from_bits(((0x3ff - k) as u64) << 52); // 2^-k
        add_to_exponent((x - (e + t)) + 1.0, k)
    }
}

/// glibc's `tanh` (fdlibm's): `tanh(x) = 1 - 2 / (expm1(2|x|) + 2)` for `|x| >= 1`,
/// `-expm1(-2|x|) / (expm1(-2|x|) + 2)` below, `x (1 + x)` for tiny `x`, `±1` from 22 on.
///
/// ```
/// use linalg_nn::tanh::tanh;
/// assert_eq!(tanh(0.0), 0.0);
/// assert_eq!(tanh(30.0), 1.0);
/// assert_eq!(tanh(-30.0), -1.0);
/// assert!((tanh(0.5) - 0.46211715726000974).abs() < 1e-16);
/// ```
pub fn tanh(x: f64) -> f64 {
    let hx = high_abs(x);
    if hx >= 0x7ff0_0000 {
        // tanh(±inf) = ±1, tanh(NaN) = NaN
        return if x.is_sign_negative() { 1.0 / x - 1.0 } else { 1.0 / x + 1.0 };
    }
    let z = if hx < 0x4036_0000 {
        // |x| < 22
        if x == 0.0 {
            return x;
        }
        if hx < 0x3c80_0000 {
            // |x| < 2^-55
            return x * (1.0 + x);
        }
        if hx >= 0x3ff0_0000 {
            // |x| >= 1
            let t = expm1(2.0 * x.abs());
            1.0 - 2.0 / (t + 2.0)
        } else {
            let t = expm1(-2.0 * x.abs());
            -t / (t + 2.0)
        }
    } else {
        // |x| >= 22: ±1
        1.0 - TINY
    };
    if x.is_sign_negative() { -z } else { z }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_within_one_ulp_of_the_platform_tanh() {
        for x in test_support::probes::tanh_arguments() {
            let (ours, libm) = (tanh(x), x.tanh());
            let ulps = (ours.to_bits() as i64 - libm.to_bits() as i64).abs();
            assert!(ulps <= 1, "tanh({x:e}): {ours:e} against {libm:e}");
        }
    }

    #[test]
    fn expm1_matches_its_definition() {
        for x in [-30.0f64, -2.0, -0.7, -0.3, 1e-20, 0.3, 0.7, 1.2, 5.0, 30.0, 60.0, 700.0] {
            let expected = if x.abs() < 1e-5 { x } else { x.exp() - 1.0 };
            let relative = ((expm1(x) - expected) / expected).abs();
            assert!(relative < 1e-13, "expm1({x}) = {}, exp - 1 = {expected}", expm1(x));
        }
        assert_eq!(expm1(710.0), f64::INFINITY);
        assert_eq!(expm1(f64::NEG_INFINITY), -1.0);
        assert!(expm1(f64::NAN).is_nan());
    }

    #[test]
    fn golden_values_from_glibc() {
        // glibc 2.36's tanh (x86-64, FMA) on this project's machines, printed with
        // `f64::tanh(x).to_bits()`.
        for (x, bits) in GOLDEN {
            assert_eq!(tanh(x).to_bits(), bits, "tanh({x})");
        }
    }

    const GOLDEN: [(f64, u64); 10] = [
        (0.5, 0x3fdd9353d7568af3),
        (-1.5, 0xbfecf6f9786df577),
        (0.1, 0x3fb983d7795f413a),
        (2.0, 0x3feed9505e1bc3d4),
        (0.3, 0x3fd2a4dda7d914fa),
        (-0.7, 0xbfe356fb17af2e92),
        (3.7, 0x3feff5fdc948488c),
        (10.0, 0x3feffffffdc96f35),
        (1e-5, 0x3ee4f8b588e06854),
        (0.9999, 0x3fe85ea2a029f068),
    ];
}
