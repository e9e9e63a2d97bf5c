//! Vectors of `f64` lanes behind one trait, so that each SIMD kernel of this crate is written
//! once and runs with AVX-512, with AVX2 + FMA, or one lane at a time on any other CPU, always
//! with the same operations in the same order and so with the same bits.
//!
//! - [`Lanes`]: the vector operations the kernels need (arithmetic, the exactly fused
//!   multiply-adds, compares to masks, selects, the 64-bit integer work of the exact `exp` and
//!   `tanh`), implemented once per instruction set in its own file: [`Avx512`] (eight lanes,
//!   `lanes/avx512.rs`), [`Avx2`] (four lanes, `lanes/avx2.rs`) and [`Scalar`] (one lane,
//!   portable, `lanes/scalar.rs`).
//! - The x86 types are zero-sized tokens that can only be made after runtime detection of their
//!   features ([`Avx2::try_new`], [`Avx512::try_new`]), so their methods are safe: each intrinsic
//!   call says in its `SAFETY` comment that the token exists. (The pattern of the `pulp` crate.)
//! - A kernel is a [`Kernel`]: a generic `#[inline(always)]` `run::<L: Lanes>`. [`Level::run`]
//!   calls it through one `#[target_feature]` function per instruction set, so the whole kernel
//!   and every intrinsic in it are compiled, inlined, with those features (an intrinsic that is
//!   not inlined is many times slower).
//! - [`Level::current`] is the one place that decides which instruction set runs: the best the
//!   CPU has, lowered by the environment variable `DL_COURSE_SIMD` (`scalar`, `avx2` or
//!   `avx512`). The variable can only lower the level: asking for a level the CPU lacks gives
//!   the best it has (never an illegal instruction), and an unknown value is ignored with a
//!   warning on stderr. Tests use [`Level::available`] to run each kernel at every level this
//!   CPU has and compare the bits.
//!
//! ```
//! use nn_engines::lanes::{Kernel, Lanes, Level};
//!
//! /// `out[i] = x[i] * x[i] + 1` in one fused operation per value.
//! struct SquarePlusOne<'a> {
//!     x: &'a [f64],
//!     out: &'a mut [f64],
//! }
//!
//! impl Kernel for SquarePlusOne<'_> {
//!     type Output = ();
//!     #[inline(always)]
//!     fn run<L: Lanes>(self, lanes: L) {
//!         let one = lanes.splat(1.0);
//!         let (x, out) = (self.x.chunks_exact(L::LANES), self.out.chunks_exact_mut(L::LANES));
//!         for (x, out) in x.zip(out) {
//!             let v = lanes.load(x);
//!             lanes.store(out, lanes.mul_add(v, v, one));
//!         }
//!         let done = self.x.len() / L::LANES * L::LANES;
//!         for (out, &x) in self.out[done..].iter_mut().zip(&self.x[done..]) {
//!             *out = x.mul_add(x, 1.0);
//!         }
//!     }
//! }
//!
//! let x = [0.5, -2.0, 3.0, 0.1, 7.0];
//! for level in Level::available() {
//!     let mut out = [0.0; 5];
//!     level.run(SquarePlusOne { x: &x, out: &mut out });
//!     assert_eq!(out, x.map(|x| x.mul_add(x, 1.0)), "{level:?}");
//! }
//! ```

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod scalar;

#[cfg(target_arch = "x86_64")]
pub use avx2::Avx2;
#[cfg(target_arch = "x86_64")]
pub use avx512::Avx512;
pub use scalar::Scalar;

use std::sync::OnceLock;

/// `LANES` values of `f64` and the operations the kernels take on them, lane by lane, each with
/// the IEEE rounding of the scalar operation of the same name (so a kernel gives the same bits
/// at every width). Compares are ordered and quiet (false where a lane is NaN). The integer
/// vectors [`Lanes::I`] hold one 64-bit integer per lane (the bits of the `f64` lanes after
/// [`Lanes::to_bits`]).
pub trait Lanes: Copy {
    /// Values per vector.
    const LANES: usize;
    /// A vector of `LANES` `f64`.
    type F: Copy;
    /// A vector of `LANES` 64-bit integers.
    type I: Copy;
    /// One truth value per lane, from the compares.
    type M: Copy;
    /// This level's narrower vectors, for the few values at the end of a row that do not fill
    /// a vector: [`Avx2`]'s four lanes under AVX-512, these lanes at the other levels. (On the
    /// test machine, an AMD Zen 4, which runs a 512-bit operation as two 256-bit halves, the
    /// three-layer weight sums took 7 % less time with their last four values or fewer in one
    /// 256-bit vector.)
    type Narrow: Lanes;

    /// The token of [`Lanes::Narrow`], whose features this token's imply.
    fn narrow(self) -> Self::Narrow;

    /// Every lane `v`.
    fn splat(self, v: f64) -> Self::F;
    /// The first `LANES` values of `src`.
    ///
    /// # Panics
    /// If `src` is shorter.
    fn load(self, src: &[f64]) -> Self::F;
    /// Writes the lanes into the first `LANES` entries of `dst`.
    ///
    /// # Panics
    /// If `dst` is shorter.
    fn store(self, dst: &mut [f64], v: Self::F);
    /// The first `LANES` bytes of `src`, each as an `f64` (exact).
    ///
    /// # Panics
    /// If `src` is shorter.
    fn load_bytes(self, src: &[u8]) -> Self::F;

    /// `a + b`.
    fn add(self, a: Self::F, b: Self::F) -> Self::F;
    /// `a - b`.
    fn sub(self, a: Self::F, b: Self::F) -> Self::F;
    /// `a * b`.
    fn mul(self, a: Self::F, b: Self::F) -> Self::F;
    /// `a / b`.
    fn div(self, a: Self::F, b: Self::F) -> Self::F;
    /// `a < b ? a : b`, the x86 `min` (`b` where either lane is NaN).
    fn min(self, a: Self::F, b: Self::F) -> Self::F;
    /// `a > b ? a : b`, the x86 `max` (`b` where either lane is NaN): `max(z, 0)` is
    /// `relu(z) = z > 0 ? z : 0`, NaN and `-0.0` included.
    fn max(self, a: Self::F, b: Self::F) -> Self::F;
    /// `a b + c` rounded once (`f64::mul_add`).
    fn mul_add(self, a: Self::F, b: Self::F, c: Self::F) -> Self::F;
    /// `c - a b` rounded once.
    fn neg_mul_add(self, a: Self::F, b: Self::F, c: Self::F) -> Self::F;
    /// `a b - c` rounded once.
    fn mul_sub(self, a: Self::F, b: Self::F, c: Self::F) -> Self::F;
    /// Rounded toward zero to a whole number (`f64::trunc`).
    fn trunc(self, a: Self::F) -> Self::F;
    /// `|a|`: the sign bit cleared.
    fn abs(self, a: Self::F) -> Self::F;
    /// The bits of `a` and `b` anded.
    fn and(self, a: Self::F, b: Self::F) -> Self::F;
    /// The bits of `a` and `b` ored.
    fn or(self, a: Self::F, b: Self::F) -> Self::F;
    /// The bits of `a` and `b` xored.
    fn xor(self, a: Self::F, b: Self::F) -> Self::F;

    /// `a < b`.
    fn lt(self, a: Self::F, b: Self::F) -> Self::M;
    /// `a >= b`.
    fn ge(self, a: Self::F, b: Self::F) -> Self::M;
    /// Lanes of `a` where `mask` holds, else lanes of `b`.
    fn select(self, mask: Self::M, a: Self::F, b: Self::F) -> Self::F;
    /// `a && b`.
    fn mask_and(self, a: Self::M, b: Self::M) -> Self::M;
    /// `!a && b`.
    fn mask_and_not(self, a: Self::M, b: Self::M) -> Self::M;
    /// Bit `l` set where lane `l` of `mask` holds.
    fn mask_bits(self, mask: Self::M) -> u32;

    /// The bits of each lane as an integer.
    fn to_bits(self, a: Self::F) -> Self::I;
    /// Integers as the bits of `f64` lanes.
    fn f64_from_bits(self, a: Self::I) -> Self::F;
    /// Every lane `v`.
    fn splat_i64(self, v: i64) -> Self::I;
    /// `a + b`, wrapping.
    fn add_i64(self, a: Self::I, b: Self::I) -> Self::I;
    /// `a - b`, wrapping.
    fn sub_i64(self, a: Self::I, b: Self::I) -> Self::I;
    /// `a & b`.
    fn and_i64(self, a: Self::I, b: Self::I) -> Self::I;
    /// `a << S` (`S < 64`), the bits shifted out lost.
    fn shl_i64<const S: i32>(self, a: Self::I) -> Self::I;
    /// `a >> count` as unsigned integers, lane by lane; 0 where `count` is not below 64.
    fn shr_var_u64(self, a: Self::I, count: Self::I) -> Self::I;
    /// `a > b` as signed integers.
    fn gt_i64(self, a: Self::I, b: Self::I) -> Self::M;
    /// `a == b`.
    fn eq_i64(self, a: Self::I, b: Self::I) -> Self::M;
    /// Each lane truncated to a 32-bit integer, then widened: x86's `cvttpd2dq`, whose lanes
    /// outside the 32-bit range (NaN included) give `i32::MIN`.
    fn trunc_i32(self, a: Self::F) -> Self::I;
    /// `table[index & 127]` for each lane.
    fn lookup(self, table: &[u64; 128], index: Self::I) -> Self::I;

    /// Transposes the `LANES x LANES` block `rows` in place: lane `c` of `rows[r]` becomes lane
    /// `r` of `rows[c]` (values moved, not computed).
    ///
    /// # Panics
    /// If `rows` does not hold exactly `LANES` vectors.
    fn transpose(self, rows: &mut [Self::F]);
}

/// A kernel written once for all instruction sets: [`Level::run`] calls `run` with the lanes
/// of the chosen level, inside a function compiled for that level's features. Implementations
/// mark `run` `#[inline(always)]`, so that it is compiled there.
pub trait Kernel {
    /// What the kernel returns.
    type Output;
    /// The kernel on `lanes`.
    fn run<L: Lanes>(self, lanes: L) -> Self::Output;
}

/// An instruction-set level, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// One lane at a time, portable code ([`Scalar`]). On an x86_64 CPU with FMA it is compiled
    /// with that one feature, so that each fused multiply-add is the instruction (as on every
    /// aarch64 CPU) rather than a call to libm's `fma`, which gives the same bits more slowly.
    Scalar,
    /// AVX2 with FMA, four lanes ([`Avx2`]; a CPU with AVX2 and no FMA runs [`Level::Scalar`]).
    Avx2,
    /// AVX-512F, eight lanes ([`Avx512`]).
    Avx512,
}

/// The environment variable that lowers [`Level::current`].
pub const LEVEL_VARIABLE: &str = "DL_COURSE_SIMD";

impl Level {
    /// The best level this CPU runs.
    pub fn detected() -> Level {
        #[cfg(target_arch = "x86_64")]
        {
            if Avx512::try_new().is_some() {
                return Level::Avx512;
            }
            if Avx2::try_new().is_some() {
                return Level::Avx2;
            }
        }
        Level::Scalar
    }

    /// The level the kernels run at: [`Level::detected`], lowered by `DL_COURSE_SIMD` when it
    /// names a lower level (worked out once per process).
    ///
    /// ```
    /// use nn_engines::lanes::Level;
    /// assert!(Level::current() <= Level::detected());
    /// ```
    pub fn current() -> Level {
        static CURRENT: OnceLock<Level> = OnceLock::new();
        *CURRENT.get_or_init(|| {
            let detected = Level::detected();
            let Ok(asked) = std::env::var(LEVEL_VARIABLE) else {
                return detected;
            };
            match Level::parse(&asked) {
                Some(asked) => asked.min(detected),
                None => {
                    eprintln!(
                        "warning: {LEVEL_VARIABLE}={asked:?} is not one of scalar (or portable), \
                         avx2, avx512; ignored (running {})",
                        detected.name()
                    );
                    detected
                }
            }
        })
    }

    /// The level a value of `DL_COURSE_SIMD` names (`scalar`, also spelt `portable`, `avx2`,
    /// `avx512`, any case, spaces around ignored), `None` for anything else.
    ///
    /// ```
    /// use nn_engines::lanes::Level;
    /// assert_eq!(Level::parse(" AVX2 "), Some(Level::Avx2));
    /// assert_eq!(Level::parse("portable"), Some(Level::Scalar));
    /// assert_eq!(Level::parse("neon"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Level> {
        match name.trim().to_ascii_lowercase().as_str() {
            "scalar" | "portable" => Some(Level::Scalar),
            "avx2" => Some(Level::Avx2),
            "avx512" => Some(Level::Avx512),
            _ => None,
        }
    }

    /// The level's name, as `DL_COURSE_SIMD` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Scalar => "scalar",
            Level::Avx2 => "avx2",
            Level::Avx512 => "avx512",
        }
    }

    /// Every level this CPU runs, lowest first (whatever `DL_COURSE_SIMD` says): what the tests
    /// compare.
    pub fn available() -> impl Iterator<Item = Level> {
        let detected = Level::detected();
        [Level::Scalar, Level::Avx2, Level::Avx512].into_iter().filter(move |&l| l <= detected)
    }

    /// The AVX2 token, when this level is at least [`Level::Avx2`] and the CPU has it.
    #[cfg(target_arch = "x86_64")]
    pub fn avx2(self) -> Option<Avx2> {
        if self >= Level::Avx2 { Avx2::try_new() } else { None }
    }

    /// The AVX-512 token, when this level is [`Level::Avx512`] and the CPU has it.
    #[cfg(target_arch = "x86_64")]
    pub fn avx512(self) -> Option<Avx512> {
        if self >= Level::Avx512 { Avx512::try_new() } else { None }
    }

    /// `kernel` with the widest lanes this level allows and the CPU has (one lane at
    /// [`Level::Scalar`] and off x86_64).
    #[inline]
    pub fn run<K: Kernel>(self, kernel: K) -> K::Output {
        #[cfg(target_arch = "x86_64")]
        {
            if let Some(avx512) = self.avx512() {
                return avx512.vectorize(kernel);
            }
            if let Some(avx2) = self.avx2() {
                return avx2.vectorize(kernel);
            }
        }
        #[cfg(target_arch = "x86_64")]
        {
            if let Some(scalar) = scalar::ScalarFma::try_new() {
                return scalar.compile(kernel);
            }
        }
        kernel.run(Scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_moves_every_value_at_every_level() {
        struct Transpose;
        impl Kernel for Transpose {
            type Output = ();
            #[inline(always)]
            fn run<L: Lanes>(self, l: L) {
                let n = L::LANES;
                let values: Vec<f64> = (0..n * n).map(|v| v as f64 - 0.5).collect();
                let mut rows: Vec<L::F> = values.chunks_exact(n).map(|r| l.load(r)).collect();
                l.transpose(&mut rows);
                for (c, column) in rows.iter().enumerate() {
                    let mut out = [0.0; 8];
                    l.store(&mut out, *column);
                    for (r, &v) in out[..n].iter().enumerate() {
                        assert_eq!(v, values[r * n + c], "row {r}, column {c}, {n} lanes");
                    }
                }
            }
        }
        for level in Level::available() {
            level.run(Transpose);
        }
    }

    #[test]
    fn levels_are_ordered_and_named() {
        assert!(Level::Scalar < Level::Avx2 && Level::Avx2 < Level::Avx512);
        for level in [Level::Scalar, Level::Avx2, Level::Avx512] {
            assert_eq!(Level::parse(level.name()), Some(level));
        }
        assert_eq!(Level::parse("AVX512"), Some(Level::Avx512));
        assert_eq!(Level::parse(""), None);
        let available: Vec<Level> = Level::available().collect();
        assert_eq!(available.first(), Some(&Level::Scalar));
        assert_eq!(available.last(), Some(&Level::detected()));
        assert!(Level::current() <= Level::detected());
    }

    /// Every operation of the trait, on lanes that include the edges (NaN, infinities, signed
    /// zeros, huge and tiny values), against the scalar definition, at every level.
    #[test]
    fn every_operation_gives_the_scalar_bits_at_every_level() {
        struct All;
        impl Kernel for All {
            type Output = ();
            #[inline(always)]
            fn run<L: Lanes>(self, l: L) {
                let values = [
                    0.0,
                    -0.0,
                    1.5,
                    -2.75,
                    f64::NAN,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    1e300,
                    -3e-310,
                    7.0,
                    -1e10,
                    0.1,
                    4e9,
                    -4e9,
                    2.5,
                    -0.5,
                ];
                let ints = [
                    0i64,
                    -1,
                    5,
                    63,
                    64,
                    127,
                    200,
                    i64::MIN,
                    i64::MAX,
                    1 << 40,
                    -7,
                    3,
                    1,
                    2,
                    90,
                    11,
                ];
                let bytes: Vec<u8> = (0..16).map(|i| (i * 37 % 256) as u8).collect();
                let mut out = [0.0; 8];
                let n = L::LANES;
                for start in (0..16 - n).step_by(n) {
                    let (a, b, c) = (
                        l.load(&values[start..]),
                        l.load(&values[(start + 3) % 8..]),
                        l.load(&values[(start + 5) % 8..]),
                    );
                    let lane = |v: L::F, k: usize| {
                        let mut out = [0.0; 8];
                        l.store(&mut out, v);
                        out[k]
                    };
                    let check = |name: &str, got: L::F, want: &dyn Fn(f64, f64, f64) -> f64| {
                        for k in 0..n {
                            let (x, y, z) = (lane(a, k), lane(b, k), lane(c, k));
                            let (g, w) = (lane(got, k), want(x, y, z));
                            assert!(
                                g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
                                "{name}({x}, {y}, {z}) = {g}, not {w}"
                            );
                        }
                    };
                    check("add", l.add(a, b), &|x, y, _| x + y);
                    check("sub", l.sub(a, b), &|x, y, _| x - y);
                    check("mul", l.mul(a, b), &|x, y, _| x * y);
                    check("div", l.div(a, b), &|x, y, _| x / y);
                    check("min", l.min(a, b), &|x, y, _| if x < y { x } else { y });
                    check("max", l.max(a, b), &|x, y, _| if x > y { x } else { y });
                    check("mul_add", l.mul_add(a, b, c), &|x, y, z| x.mul_add(y, z));
                    check("neg_mul_add", l.neg_mul_add(a, b, c), &|x, y, z| (-x).mul_add(y, z));
                    check("mul_sub", l.mul_sub(a, b, c), &|x, y, z| x.mul_add(y, -z));
                    check("trunc", l.trunc(a), &|x, _, _| x.trunc());
                    check("abs", l.abs(a), &|x, _, _| x.abs());
                    let bits = |f: fn(u64, u64) -> u64| {
                        move |x: f64, y: f64, _| f64::from_bits(f(x.to_bits(), y.to_bits()))
                    };
                    check("and", l.and(a, b), &bits(|x, y| x & y));
                    check("or", l.or(a, b), &bits(|x, y| x | y));
                    check("xor", l.xor(a, b), &bits(|x, y| x ^ y));
                    let (one, zero) = (l.splat(1.0), l.splat(0.0));
                    check("lt", l.select(l.lt(a, b), one, zero), &|x, y, _| f64::from(x < y));
                    check("ge", l.select(l.ge(a, b), one, zero), &|x, y, _| f64::from(x >= y));
                    let both = l.mask_and(l.lt(a, b), l.ge(a, c));
                    check("and", l.select(both, one, zero), &|x, y, z| f64::from(x < y && x >= z));
                    let not = l.mask_and_not(l.lt(a, b), l.ge(a, c));
                    check("and_not", l.select(not, one, zero), &|x, y, z| {
                        f64::from(x >= z && (x >= y || x.is_nan() || y.is_nan()))
                    });
                    let mask = l.mask_bits(l.lt(a, b));
                    for k in 0..n {
                        assert_eq!(mask >> k & 1 == 1, lane(a, k) < lane(b, k));
                    }
                    assert_eq!(mask >> n, 0);
                    check("trunc_i32", l.f64_from_bits(l.trunc_i32(a)), &|x, _, _| {
                        let t =
                            if x > -2147483649.0 && x < 2147483648.0 { x as i32 } else { i32::MIN };
                        f64::from_bits(i64::from(t) as u64)
                    });
                    l.store(&mut out, l.load_bytes(&bytes[start..]));
                    for k in 0..n {
                        assert_eq!(out[k], f64::from(bytes[start + k]));
                    }
                    let (i, j) = (l.to_bits(l.load(&values[start..])), l.to_bits(b));
                    let ints_at = |s: usize| {
                        l.to_bits(
                            l.load(
                                &ints[s..]
                                    .iter()
                                    .map(|&v| f64::from_bits(v as u64))
                                    .collect::<Vec<_>>(),
                            ),
                        )
                    };
                    let counts = ints_at(start);
                    let int_lane = |v: L::I, k: usize| lane(l.f64_from_bits(v), k).to_bits() as i64;
                    for k in 0..n {
                        let (x, y, s) = (int_lane(i, k), int_lane(j, k), ints[start + k]);
                        assert_eq!(int_lane(l.add_i64(i, j), k), x.wrapping_add(y));
                        assert_eq!(int_lane(l.sub_i64(i, j), k), x.wrapping_sub(y));
                        assert_eq!(int_lane(l.and_i64(i, j), k), x & y);
                        assert_eq!(int_lane(l.shl_i64::<45>(i), k), x << 45);
                        let shifted = if (s as u64) < 64 { ((x as u64) >> s) as i64 } else { 0 };
                        assert_eq!(int_lane(l.shr_var_u64(i, counts), k), shifted);
                        assert_eq!(int_lane(l.splat_i64(s), k), s);
                        let gt = l.select(l.gt_i64(i, counts), one, zero);
                        assert_eq!(lane(gt, k), f64::from(x > s));
                        let eq = l.select(l.eq_i64(counts, counts), one, zero);
                        assert_eq!(lane(eq, k), 1.0);
                        let table: [u64; 128] = std::array::from_fn(|t| t as u64 * 3 + 1);
                        let looked = l.lookup(&table, counts);
                        assert_eq!(int_lane(looked, k) as u64, table[(s & 127) as usize]);
                    }
                    assert_eq!(lane(l.splat(2.5), 0), 2.5);
                }
            }
        }
        for level in Level::available() {
            level.run(All);
        }
        // Portable code as compiled without FMA (libm's `fma`): `Level::Scalar` runs it with
        // the instruction where the CPU has one.
        All.run(Scalar);
    }
}
