//! Exact integer products of the cat pictures' bytes, for the direct engine's pass over
//! `X = B / 255` (course 1 week 2's `propagate`: `w^T X` forward, `X (A - Y)^T` backward).
//!
//! The direct engine reads all of `X` every iteration: 20.5 MB from the float64 matrix, 2.5 MB
//! from the bytes. Here the other operand `v` is taken to 56 bits with one scale for all its
//! values (`V_i = round(v_i 2^s)`, more than a float64's 53 bits for the largest), and every
//! product `sum_i V_i b_i` is an exact integer, rounded once to float64: the correctly rounded
//! value of `sum_i v_i b_i` for the digits' `v` (within `2^-54 max |v|` of each `v_i`). Exact
//! integers do not depend on the order of their terms, so every instruction set, one thread and
//! two give the same bits. Two paths compute them:
//!
//! - With AVX-512 VNNI, `V` is seven signed 8-bit digits (`V = sum_k d_k 256^k`) and each
//!   `sum_i d_k[i] b_i` a 32-bit integer sum, 64 terms per instruction.
//! - Everywhere else (AVX2, AVX-512 without VNNI, one lane, aarch64), `V = hi 2^28 + lo` in two
//!   float64 halves, and the sums of `b_i hi_i` and `b_i lo_i` are float64 sums of integers
//!   below `2^50`, exact in any order ([`crate::lanes`]).
//!
//! ```
//! use nn_engines::exact_bytes::{ColumnTiles, Digits};
//!
//! // Two pictures of three bytes, one per column: B = [[1, 4], [2, 5], [3, 255]].
//! let pixels = [1u8, 2, 3, 4, 5, 255];
//! let mut w = Digits::new(3);
//! assert!(w.fill(&[0.5, -0.25, 0.125]));
//! let forward = ColumnTiles::transposed(&pixels, 3, 0..2); // B^T
//! let mut z = [0.0; 2];
//! assert!(forward.product(&w, &mut z)); // w^T B
//! assert_eq!(z, [0.5 - 0.5 + 0.375, 2.0 - 1.25 + 31.875]);
//!
//! let mut backward = ColumnTiles::new(&pixels, 3, 0..2); // B
//! let mut dw = [0.0; 3];
//! assert!(backward.combination(&[1.0, -0.5], &mut dw)); // B s
//! assert_eq!(dw, [1.0 - 2.0, 2.0 - 2.5, 3.0 - 127.5]);
//! ```

use crate::lanes::{Kernel, Lanes, Level, Scalar};
use std::ops::Range;

mod layer;
pub use layer::ByteFirstLayer;

/// Signed 8-bit digits per value: 56 bits, so that a float64's 53-bit significand is kept.
pub const DIGITS: usize = 7;

/// Bits of the low half of `round(v 2^s)` on the lanes' path: the two halves' products with a
/// byte, summed over [`MAX_TERMS`] terms, stay below `2^50` and so exact in float64.
const HALF_BITS: u32 = 28;

/// The most terms a product's entries sum (columns of the matrix of [`ColumnTiles`]: `n_x` for
/// `w^T B`, the pictures for `B s`): each digit's sum `sum_i d_k[i] b_i` stays below `2^29`
/// (`|d| <= 128`, `b <= 255`), where its float64 combination is exact up to the last rounding.
pub const MAX_TERMS: usize = 16_384;

/// Rows per tile of [`ColumnTiles`]: one lane of a 512-bit register each.
const TILE_ROWS: usize = 16;
/// Columns per tile: the four bytes one VNNI lane multiplies and sums.
const TILE_COLUMNS: usize = 4;
/// Bytes per tile, one 512-bit register.
const TILE_BYTES: usize = TILE_ROWS * TILE_COLUMNS;

/// Values `v` as seven signed 8-bit digits each, digit-major (`d_k` of every value, then
/// `d_{k+1}`, each row padded with zeros to a multiple of four values, so that four values'
/// digit `k` is one 32-bit word), with one scale `2^-s` for all of them.
#[derive(Clone, Debug)]
pub struct Digits {
    len: usize,
    stride: usize,
    path: Path,
    /// [`Path::Vnni`]: `round(v_i 2^s) = sum_k d_k[i] 256^k`.
    digits: Vec<i8>,
    /// [`Path::Lanes`]: `round(v_i 2^s) = hi_i 2^28 + lo_i`, the `hi` of every value, then
    /// every `lo` (`|lo_i| <= 2^27`).
    halves: Vec<f64>,
    scale: i32,
    finite: bool,
}

impl Digits {
    /// Room for `len` values, all zero, in the form the products of this CPU take.
    pub fn new(len: usize) -> Self {
        Digits::on(Path::current(), len)
    }

    /// Room for `len` values in the form of `path`.
    fn on(path: Path, len: usize) -> Self {
        let stride = len.div_ceil(TILE_COLUMNS) * TILE_COLUMNS;
        let (digits, halves) = match path {
            Path::Vnni => (vec![0; DIGITS * stride], Vec::new()),
            Path::Lanes => (Vec::new(), vec![0.0; 2 * len]),
        };
        Digits { len, stride, path, digits, halves, scale: 0, finite: true }
    }

    /// How many values.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Splits `values` into digits. Returns false, and marks the digits as not finite (their
    /// products are then NaN), when a value is NaN or infinite.
    ///
    /// # Panics
    ///
    /// If `values.len()` differs from [`Digits::len`].
    pub fn fill(&mut self, values: &[f64]) -> bool {
        assert_eq!(values.len(), self.len, "one value per digit set");
        let Some(max) = max_abs(values) else {
            self.finite = false;
            return false;
        };
        self.finite = true;
        self.scale = if max == 0.0 { 0 } else { scale_exponent(max) };
        match self.path {
            Path::Vnni => split_into_digits(values, self.scale, &mut self.digits, self.stride),
            Path::Lanes => split_into_halves(values, self.scale, &mut self.halves),
        }
        true
    }

    /// Value `i` as the digits hold it: `2^-s round(v_i 2^s)` (for tests and checks).
    pub fn value(&self, i: usize) -> f64 {
        scaled(self.exact(i), self.scale)
    }

    /// `round(v_i 2^s)`.
    fn exact(&self, i: usize) -> i128 {
        match self.path {
            Path::Vnni => (0..DIGITS)
                .rev()
                .fold(0, |sum, k| sum * 256 + self.digits[k * self.stride + i] as i128),
            Path::Lanes => {
                ((self.halves[i] as i128) << HALF_BITS) + self.halves[self.len + i] as i128
            }
        }
    }
}

/// `2^e` as a float64, for `-1022 <= e <= 1023`.
fn power_of_two(e: i32) -> f64 {
    debug_assert!((-1022..=1023).contains(&e));
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// The scale exponent `s` for values of largest magnitude `max` (finite, > 0): `|v| 2^s <= 2^54`,
/// so seven signed base-256 digits hold `round(v 2^s)` exactly. Magnitudes below `2^-960` are
/// scaled as `2^-960` (their digits lose precision only there, far below any weight).
fn scale_exponent(max: f64) -> i32 {
    // `max < 2^e` with e the exponent field minus 1022 (normal numbers; subnormals take the
    // clamp below).
    let e = ((max.to_bits() >> 52) & 0x7ff) as i32 - 1022;
    54 - e.max(-960)
}

/// `x` with its exact low signed byte removed: the next digit, `(x - d) / 256`, and `d`.
#[inline(always)]
fn split_digit(x: i64) -> (i64, i8) {
    let digit = x as i8;
    ((x - digit as i64) >> 8, digit)
}

/// The largest `|v|` (0 for none), or `None` when a value is NaN or infinite.
fn max_abs(values: &[f64]) -> Option<f64> {
    #[cfg(target_arch = "x86_64")]
    if Level::current().avx512().is_some() {
        // SAFETY: the AVX-512 token exists, so the CPU supports AVX-512F.
        return unsafe { max_abs_avx512(values) };
    }
    max_abs_portable(values)
}

fn max_abs_portable(values: &[f64]) -> Option<f64> {
    values.iter().try_fold(0.0f64, |max, v| v.is_finite().then(|| max.max(v.abs())))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn max_abs_avx512(values: &[f64]) -> Option<f64> {
    use std::arch::x86_64::*;
    let (chunks, tail) = values.as_chunks::<8>();
    let (mut max, mut finite) = (_mm512_setzero_pd(), 0xffu8);
    let largest = _mm512_set1_pd(f64::MAX);
    for chunk in chunks {
        // SAFETY: a chunk is eight f64.
        let v = _mm512_abs_pd(unsafe { _mm512_loadu_pd(chunk.as_ptr()) });
        // False for NaN and infinity.
        finite &= _mm512_cmp_pd_mask::<_CMP_LE_OQ>(v, largest);
        max = _mm512_max_pd(max, v);
    }
    let tail_max = max_abs_portable(tail)?;
    (finite == 0xff).then(|| _mm512_reduce_max_pd(max).max(tail_max))
}

/// `round(v 2^scale)` of every value as seven digits, digit-major into `digits` (`stride` per
/// digit). The vector and portable code compute the same integers.
fn split_into_digits(values: &[f64], scale: i32, digits: &mut [i8], stride: usize) {
    #[cfg(target_arch = "x86_64")]
    if Level::current() >= Level::Avx512
        && std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512dq")
    {
        if std::is_x86_feature_detected!("avx512vbmi") {
            // SAFETY: the CPU supports AVX-512F, DQ and VBMI, checked just above.
            unsafe { split_into_digits_vbmi(values, scale, digits, stride) };
        } else {
            // SAFETY: the CPU supports AVX-512F and DQ, checked just above.
            unsafe { split_into_digits_avx512(values, scale, digits, stride) };
        }
        return;
    }
    split_into_digits_portable(values, scale, digits, stride, 0);
}

fn split_into_digits_portable(
    values: &[f64],
    scale: i32,
    digits: &mut [i8],
    stride: usize,
    first: usize,
) {
    let (up, down) = scale_factors(scale);
    for (i, &v) in values.iter().enumerate().skip(first) {
        let mut x = ((v * up) * down).round_ties_even() as i64;
        for k in 0..DIGITS {
            let (rest, digit) = split_digit(x);
            digits[k * stride + i] = digit;
            x = rest;
        }
    }
}

/// `2^scale` as two factors that are each a normal float64 (scale reaches 1014).
fn scale_factors(scale: i32) -> (f64, f64) {
    let up = scale.clamp(-1022, 1023);
    (power_of_two(up), power_of_two(scale - up))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
fn split_into_digits_avx512(values: &[f64], scale: i32, digits: &mut [i8], stride: usize) {
    use std::arch::x86_64::*;
    let (up, down) = scale_factors(scale);
    let (up, down) = (_mm512_set1_pd(up), _mm512_set1_pd(down));
    let full = values.len() - values.len() % 8;
    let mut i = 0;
    while i < full {
        // SAFETY: i + 8 <= full <= values.len(), and every digit row holds values.len() bytes.
        unsafe {
            let v = _mm512_mul_pd(_mm512_mul_pd(_mm512_loadu_pd(values.as_ptr().add(i)), up), down);
            // The default rounding (MXCSR): to nearest, ties to even, as round_ties_even.
            let mut x = _mm512_cvtpd_epi64(v);
            for k in 0..DIGITS {
                let digit = _mm512_srai_epi64::<56>(_mm512_slli_epi64::<56>(x));
                x = _mm512_srai_epi64::<8>(_mm512_sub_epi64(x, digit));
                let bytes = _mm512_cvtepi64_epi8(digit);
                _mm_storel_epi64(digits.as_mut_ptr().add(k * stride + i) as *mut __m128i, bytes);
            }
        }
        i += 8;
    }
    split_into_digits_portable(values, scale, digits, stride, full);
}

/// [`split_into_digits_avx512`] with the digits read off as bytes: `x + sum_k 128 256^k` has
/// the bytes `d_k + 128` (it is in `[0, 2^56)`), so flipping their top bits gives the seven
/// digits of eight values at once, and one byte permutation puts them digit by digit.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vbmi")]
fn split_into_digits_vbmi(values: &[f64], scale: i32, digits: &mut [i8], stride: usize) {
    use std::arch::x86_64::*;
    const OFFSET: i64 = 0x0080_8080_8080_8080;
    let (up, down) = scale_factors(scale);
    let (up, down) = (_mm512_set1_pd(up), _mm512_set1_pd(down));
    let (offset, flip) = (_mm512_set1_epi64(OFFSET), _mm512_set1_epi64(OFFSET));
    // Byte 8 k + i of the result is byte k of value i.
    let order: [u8; 64] = std::array::from_fn(|b| ((b % 8) * 8 + b / 8) as u8);
    // SAFETY: order holds 64 bytes.
    let order = unsafe { _mm512_loadu_si512(order.as_ptr() as *const __m512i) };
    let full = values.len() - values.len() % 8;
    let mut by_digit = [0u64; 8];
    let mut i = 0;
    while i < full {
        // SAFETY: i + 8 <= full <= values.len(), and every digit row holds values.len() bytes.
        unsafe {
            let v = _mm512_mul_pd(_mm512_mul_pd(_mm512_loadu_pd(values.as_ptr().add(i)), up), down);
            let x = _mm512_cvtpd_epi64(v);
            let bytes = _mm512_xor_si512(_mm512_add_epi64(x, offset), flip);
            let grouped = _mm512_permutexvar_epi8(order, bytes);
            _mm512_storeu_si512(by_digit.as_mut_ptr() as *mut __m512i, grouped);
            for (k, &eight) in by_digit.iter().take(DIGITS).enumerate() {
                (digits.as_mut_ptr().add(k * stride + i) as *mut u64).write_unaligned(eight);
            }
        }
        i += 8;
    }
    split_into_digits_portable(values, scale, digits, stride, full);
}

/// `round(v 2^scale)` of every value as `hi 2^28 + lo`, every `hi` then every `lo` in `halves`
/// (the integers of [`split_into_digits`], in two float64 halves), over the lanes of
/// [`Level::current`].
fn split_into_halves(values: &[f64], scale: i32, halves: &mut [f64]) {
    split_into_halves_at(Level::current(), values, scale, halves);
}

fn split_into_halves_at(level: Level, values: &[f64], scale: i32, halves: &mut [f64]) {
    let (up, down) = scale_factors(scale);
    let (hi, lo) = halves.split_at_mut(values.len());
    level.run(SplitHalves { values, up, down, hi, lo });
}

/// The kernel of [`split_into_halves`], in float64 arithmetic that is exact at every step, so
/// that it runs as vectors everywhere (a float64 to 64-bit integer conversion has no vector
/// instruction below AVX-512).
struct SplitHalves<'a> {
    values: &'a [f64],
    up: f64,
    down: f64,
    hi: &'a mut [f64],
    lo: &'a mut [f64],
}

impl SplitHalves<'_> {
    /// `(hi, lo)` of the values `v` of the lanes.
    #[inline(always)]
    fn split<L: Lanes>(l: L, v: L::F, up: f64, down: f64) -> (L::F, L::F) {
        const TWO_52: f64 = 4_503_599_627_370_496.0;
        let x = l.mul(l.mul(v, l.splat(up)), l.splat(down));
        // round_ties_even: below 2^52, adding 2^52 with x's sign leaves no fraction bits, so
        // the addition rounds to a whole number, ties to even; above, x is whole already.
        let shift = l.or(l.splat(TWO_52), l.and(x, l.splat(-0.0)));
        let whole = l.sub(l.add(x, shift), shift);
        let x = l.select(l.lt(l.abs(x), l.splat(TWO_52)), whole, x);
        // hi = floor((x + 2^27) / 2^28), every step exact (|x| <= 2^54 is a multiple of 4
        // above 2^53), and lo = x - hi 2^28, the signed low 28 bits, |lo| <= 2^27.
        let half = f64::from(1u32 << HALF_BITS);
        let y = l.mul(l.add(x, l.splat(half / 2.0)), l.splat(1.0 / half));
        let t = l.trunc(y);
        let hi = l.select(l.lt(y, t), l.sub(t, l.splat(1.0)), t);
        (hi, l.neg_mul_add(hi, l.splat(half), x))
    }
}

impl Kernel for SplitHalves<'_> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(self, l: L) {
        let SplitHalves { values, up, down, hi, lo } = self;
        let full = values.len() - values.len() % L::LANES;
        let chunks = values[..full].chunks_exact(L::LANES);
        let halves = hi.chunks_exact_mut(L::LANES).zip(lo.chunks_exact_mut(L::LANES));
        for (v, (hi, lo)) in chunks.zip(halves) {
            let (h, s) = SplitHalves::split(l, l.load(v), up, down);
            l.store(hi, h);
            l.store(lo, s);
        }
        for i in full..values.len() {
            let (h, s) = SplitHalves::split(Scalar, values[i], up, down);
            (hi[i], lo[i]) = (h, s);
        }
    }
}

/// The exact integer `value` times `2^-scale`, rounded once to float64.
fn scaled(value: i128, scale: i32) -> f64 {
    let (up, down) = scale_factors(-scale);
    (value as f64 * up) * down
}

/// Whether the products run on the AVX-512 VNNI kernels here, else on the float64 lanes of
/// [`crate::lanes`] (`ColumnSums`): the same bits either way.
///
/// ```
/// use nn_engines::exact_bytes::{ColumnTiles, Digits, accelerated};
/// let mut w = Digits::new(2);
/// assert!(w.fill(&[0.5, -0.25]));
/// let mut z = [0.0];
/// ColumnTiles::transposed(&[3, 4], 2, 0..1).product(&w, &mut z);
/// // The same bits on either path; `accelerated` only says which one ran.
/// assert_eq!(z, [0.5]);
/// println!("VNNI kernels: {}", accelerated());
/// ```
pub fn accelerated() -> bool {
    static VNNI: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *VNNI.get_or_init(vnni)
}

/// How a CPU computes the exact products: with the AVX-512 VNNI kernels on seven byte digits
/// and tiles of 16 rows by 4 columns, or with the lanes of [`crate::lanes`] on two float64
/// halves and panels of 16 rows (`ColumnSums`). Each entry is the same exact integer either
/// way, so the same bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    Vnni,
    Lanes,
}

impl Path {
    /// The path of this CPU and level ([`accelerated`]).
    fn current() -> Path {
        if accelerated() { Path::Vnni } else { Path::Lanes }
    }
}

/// Whether the CPU has the VNNI kernels' instructions and [`Level::current`] allows AVX-512.
fn vnni() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        Level::current() >= Level::Avx512
            && std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("avx512vnni")
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// A matrix `M` of bytes, taken from a range of the pictures' columns, in tiles of 16 rows by 4
/// columns so that one VNNI lane sums one row's four terms: `B` itself for `B s` (the backward
/// product `X (A - Y)^T` of the pass, [`ColumnTiles::new`]) or `B^T` for `w^T B` (the forward
/// product, [`ColumnTiles::transposed`]). Built once (2.6 MB either way for the course's
/// training set); the digits of [`ColumnTiles::combination`] are allocated here too, so the
/// products allocate nothing.
///
/// On a CPU without the VNNI kernels ([`accelerated`]) the bytes are kept in the panels of the
/// lanes' kernel `ColumnSums` instead.
#[derive(Clone, Debug)]
pub struct ColumnTiles {
    rows: usize,
    columns: usize,
    quads: usize,
    path: Path,
    /// [`Path::Vnni`]: row block `r`, quad `q`: 64 bytes, byte `4 l + t` =
    /// `M[16 r + l][4 q + t]`. [`Path::Lanes`]: panel `p`, column `c`: 16 bytes,
    /// `M[16 p + l][c]` (zero past the last row).
    tiles: Vec<u8>,
    /// The coefficients of [`ColumnTiles::combination`] as digits.
    digits: Digits,
}

impl ColumnTiles {
    /// An `rows` by `columns` matrix of zeros laid out for `path`.
    fn zeros(path: Path, rows: usize, columns: usize) -> Self {
        assert!(columns <= MAX_TERMS, "at most {MAX_TERMS} terms per sum");
        let quads = columns.div_ceil(TILE_COLUMNS);
        let bytes = match path {
            Path::Vnni => rows.div_ceil(TILE_ROWS) * quads * TILE_BYTES,
            Path::Lanes => rows.div_ceil(PANEL_ROWS) * PANEL_ROWS * columns,
        };
        let (tiles, digits) = (vec![0u8; bytes], Digits::on(path, columns));
        ColumnTiles { rows, columns, quads, path, tiles, digits }
    }

    /// `M = B[:, cols]`, `(n_x, cols.len())`, from `pixels` (`n_x` bytes per column, column
    /// after column); missing rows and columns of the last tiles are zero.
    ///
    /// # Panics
    ///
    /// If `cols.len() > MAX_TERMS` or `pixels` is shorter than `cols.end * n_x` bytes.
    pub fn new(pixels: &[u8], n_x: usize, cols: Range<usize>) -> Self {
        ColumnTiles::new_on(Path::current(), pixels, n_x, cols)
    }

    fn new_on(path: Path, pixels: &[u8], n_x: usize, cols: Range<usize>) -> Self {
        assert!(pixels.len() >= cols.end * n_x, "columns in range");
        let mut m = ColumnTiles::zeros(path, n_x, cols.len());
        let columns = pixels[cols.start * n_x..cols.end * n_x].chunks_exact(n_x);
        if path == Path::Lanes {
            // Column c is picture cols.start + c.
            for (c, column) in columns.enumerate() {
                for (i, &byte) in column.iter().enumerate() {
                    let at = m.panel_offset(i, c);
                    m.tiles[at] = byte;
                }
            }
            return m;
        }
        let quads = m.quads;
        for (c, column) in columns.enumerate() {
            let (q, t) = (c / TILE_COLUMNS, c % TILE_COLUMNS);
            for (r, rows) in column.chunks(TILE_ROWS).enumerate() {
                let tile = &mut m.tiles[(r * quads + q) * TILE_BYTES..][..TILE_BYTES];
                for (l, &byte) in rows.iter().enumerate() {
                    tile[l * TILE_COLUMNS + t] = byte;
                }
            }
        }
        m
    }

    /// `M = B[:, cols]^T`, `(cols.len(), n_x)`: row `j` is picture `cols.start + j`.
    ///
    /// # Panics
    ///
    /// If `n_x > MAX_TERMS` or `pixels` is shorter than `cols.end * n_x` bytes.
    pub fn transposed(pixels: &[u8], n_x: usize, cols: Range<usize>) -> Self {
        ColumnTiles::transposed_on(Path::current(), pixels, n_x, cols)
    }

    fn transposed_on(path: Path, pixels: &[u8], n_x: usize, cols: Range<usize>) -> Self {
        assert!(pixels.len() >= cols.end * n_x, "columns in range");
        let mut m = ColumnTiles::zeros(path, cols.len(), n_x);
        if path == Path::Lanes {
            // Row j is picture cols.start + j.
            let pictures = pixels[cols.start * n_x..cols.end * n_x].chunks_exact(n_x);
            for (j, picture) in pictures.enumerate() {
                for (i, &byte) in picture.iter().enumerate() {
                    let at = m.panel_offset(j, i);
                    m.tiles[at] = byte;
                }
            }
            return m;
        }
        let quads = m.quads;
        for (j, column) in pixels[cols.start * n_x..cols.end * n_x].chunks_exact(n_x).enumerate() {
            let (r, l) = (j / TILE_ROWS, j % TILE_ROWS);
            // Four consecutive bytes of a picture are one lane of a tile.
            for (q, four) in column.chunks(TILE_COLUMNS).enumerate() {
                let at = (r * quads + q) * TILE_BYTES + l * TILE_COLUMNS;
                m.tiles[at..at + four.len()].copy_from_slice(four);
            }
        }
        m
    }

    /// Where `M[r][c]` is in the panels of [`Path::Lanes`].
    fn panel_offset(&self, r: usize, c: usize) -> usize {
        (r / PANEL_ROWS * self.columns + c) * PANEL_ROWS + r % PANEL_ROWS
    }

    /// Rows of `M`: the length of a product.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns of `M`: the coefficients a product takes.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// `out = M s`, `s` split into digits here (see [`ColumnTiles::product`]). Returns false,
    /// with `out` all NaN, when an `s_j` is NaN or infinite.
    ///
    /// # Panics
    ///
    /// If `s` does not have one entry per column or `out` one per row.
    pub fn combination(&mut self, s: &[f64], out: &mut [f64]) -> bool {
        assert_eq!(s.len(), self.columns, "one coefficient per column");
        let mut digits = std::mem::replace(&mut self.digits, Digits::on(self.path, 0));
        digits.fill(s);
        let finite = self.product(&digits, out);
        self.digits = digits;
        finite
    }

    /// `out = M v` for `v` as `digits` holds it: each entry the correctly rounded value of the
    /// exact sum. Returns false, with `out` all NaN, when the digits are not finite.
    ///
    /// # Panics
    ///
    /// If `digits` does not have one value per column or `out` one entry per row.
    pub fn product(&self, digits: &Digits, out: &mut [f64]) -> bool {
        self.product_at(Level::current(), digits, out)
    }

    /// [`ColumnTiles::product`] of two vectors at once, `out[g] = M v_g`: on the lanes' path
    /// each byte is read and converted once for both (hw3's rows of `W1` and of `dZ1`), with
    /// the bits of two products. Returns whether each was finite.
    ///
    /// # Panics
    ///
    /// As [`ColumnTiles::product`], for either.
    pub fn product_pair(&self, digits: [&Digits; 2], out: [&mut [f64]; 2]) -> [bool; 2] {
        self.product_pair_at(Level::current(), digits, out)
    }

    fn product_pair_at(
        &self,
        level: Level,
        digits: [&Digits; 2],
        [first, second]: [&mut [f64]; 2],
    ) -> [bool; 2] {
        let finite = digits.map(|d| d.finite);
        if self.path == Path::Vnni || finite != [true, true] {
            return [
                self.product_at(level, digits[0], first),
                self.product_at(level, digits[1], second),
            ];
        }
        for (digits, out) in digits.iter().zip([&*first, &*second]) {
            assert_eq!(digits.len, self.columns, "one coefficient per column");
            assert_eq!(out.len(), self.rows, "one output per row");
            assert_eq!(digits.path, self.path, "digits made for this CPU's products");
        }
        let bytes = &self.tiles[..];
        let halves = digits.map(|d| d.halves.split_at(self.columns));
        let scales = digits.map(|d| d.scale);
        level.run(ColumnSums { bytes, halves, scales, out: [first, second] });
        [true, true]
    }

    /// [`ColumnTiles::product`] with the lanes of `level` on [`Path::Lanes`].
    fn product_at(&self, level: Level, digits: &Digits, out: &mut [f64]) -> bool {
        assert_eq!(digits.len, self.columns, "one coefficient per column");
        assert_eq!(out.len(), self.rows, "one output per row");
        assert_eq!(digits.path, self.path, "digits made for this CPU's products");
        if !digits.finite {
            out.fill(f64::NAN);
            return false;
        }
        match self.path {
            Path::Lanes => {
                let (bytes, halves) = (&self.tiles[..], [digits.halves.split_at(self.columns)]);
                level.run(ColumnSums { bytes, halves, scales: [digits.scale], out: [out] });
            }
            Path::Vnni => {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: Path::Vnni is only made when accelerated() found AVX-512F, BW and
                // VNNI on this CPU.
                unsafe {
                    self.product_vnni(digits, out)
                };
                #[cfg(not(target_arch = "x86_64"))]
                unreachable!("the VNNI path exists only on x86_64");
            }
        }
        true
    }

    /// Two blocks of 16 rows at a time (14 independent sums, enough to keep the VNNI units
    /// busy): the seven digit sums in registers over every quad, then combined in float64 with
    /// one rounding, `hi 2^32 + (mid 2^8 + d_0)` where `hi` and `mid` hold three digit sums
    /// each and every step before the last is exact.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    fn product_vnni(&self, digits: &Digits, out: &mut [f64]) {
        let blocks = self.rows.div_ceil(TILE_ROWS);
        let mut r = 0;
        while r + 2 <= blocks {
            let sums = self.block_sums_vnni::<2>(digits, r);
            for (h, sums) in sums.iter().enumerate() {
                self.store_block_vnni(r + h, sums, digits.scale, out);
            }
            r += 2;
        }
        if r < blocks {
            let [sums] = self.block_sums_vnni::<1>(digits, r);
            self.store_block_vnni(r, &sums, digits.scale, out);
        }
    }

    /// The seven digit sums of row blocks `first .. first + R` over every quad.
    #[cfg(target_arch = "x86_64")]
    // k picks both the digit's word and its sums, across the R blocks.
    #[allow(clippy::needless_range_loop)]
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    fn block_sums_vnni<const R: usize>(
        &self,
        digits: &Digits,
        first: usize,
    ) -> [[std::arch::x86_64::__m512i; DIGITS]; R] {
        use std::arch::x86_64::*;
        let span = self.quads * TILE_BYTES;
        let rows: [&[u8]; R] = std::array::from_fn(|h| &self.tiles[(first + h) * span..][..span]);
        let words = digits.digits.as_ptr();
        let mut acc = [[_mm512_setzero_si512(); DIGITS]; R];
        for q in 0..self.quads {
            // SAFETY: each row block holds quads tiles of 64 bytes; each digit row holds
            // 4 quads bytes (the stride), so the word of quad q is within it.
            unsafe {
                let b: [__m512i; R] = std::array::from_fn(|h| {
                    _mm512_loadu_si512(rows[h].as_ptr().add(q * TILE_BYTES) as *const __m512i)
                });
                for k in 0..DIGITS {
                    let at = words.add(k * digits.stride + TILE_COLUMNS * q) as *const i32;
                    let word = _mm512_set1_epi32(at.read_unaligned());
                    for h in 0..R {
                        acc[h][k] = _mm512_dpbusd_epi32(acc[h][k], b[h], word);
                    }
                }
            }
        }
        acc
    }

    /// Row block `r`'s digit sums combined, scaled by `2^-scale` and stored into `out` (the
    /// rows past the last of the last block are not stored).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    fn store_block_vnni(
        &self,
        r: usize,
        sums: &[std::arch::x86_64::__m512i; DIGITS],
        scale: i32,
        out: &mut [f64],
    ) {
        use std::arch::x86_64::*;
        let (up, down) = scale_factors(-scale);
        let (up, down) = (_mm512_set1_pd(up), _mm512_set1_pd(down));
        let [p8, p16, p32] = [256.0, 65536.0, 4294967296.0].map(|v| _mm512_set1_pd(v));
        let rows = (self.rows - r * TILE_ROWS).min(TILE_ROWS);
        for half in 0..2 {
            let first = half * 8;
            if rows <= first {
                break;
            }
            let d: [__m512d; DIGITS] = std::array::from_fn(|k| {
                let lanes = if half == 0 {
                    _mm512_castsi512_si256(sums[k])
                } else {
                    _mm512_extracti64x4_epi64::<1>(sums[k])
                };
                _mm512_cvtepi32_pd(lanes)
            });
            // hi and mid are below 2^50 and mid 2^8 + d_0 below 2^53 for sums below 2^28:
            // every step exact but the last.
            let hi = _mm512_fmadd_pd(d[6], p16, _mm512_fmadd_pd(d[5], p8, d[4]));
            let mid = _mm512_fmadd_pd(d[3], p16, _mm512_fmadd_pd(d[2], p8, d[1]));
            let exact_low = _mm512_fmadd_pd(mid, p8, d[0]);
            let value = _mm512_fmadd_pd(hi, p32, exact_low);
            let result = _mm512_mul_pd(_mm512_mul_pd(value, up), down);
            let mask = if rows - first >= 8 { 0xff } else { (1u8 << (rows - first)) - 1 };
            // SAFETY: the mask keeps the stores within out's rows of this block.
            unsafe {
                _mm512_mask_storeu_pd(out.as_mut_ptr().add(r * TILE_ROWS + first), mask, result)
            };
        }
    }
}

/// Rows of a panel of [`ColumnSums`] (four vectors of four lanes, two of eight, or sixteen
/// single lanes that the compiler puts in vectors itself): sixteen independent sums per half in
/// flight, and each column's halves broadcast once for all of them; a pair of vectors takes the
/// panel in two passes of eight rows.
const PANEL_ROWS: usize = 16;

/// `out[r] = 2^-scale sum_c M[r][c] (hi_c 2^28 + lo_c)` for a matrix `M` of bytes in panels of
/// [`PANEL_ROWS`] rows (panel `p` holds column after column the bytes of rows `16 p .. 16 p +
/// 16`, zero past the last row): the products of [`ColumnTiles`] on a CPU without the VNNI
/// kernels, written once over [`crate::lanes`], for `G` vectors at once (one, or the two of
/// [`ColumnTiles::product_pair`]). Each lane is one row's sum; a panel takes column after
/// column, a byte vector times each half of each vector broadcast, reading its bytes in order.
///
/// Each byte times a half is an integer below `2^35`, and each row's sums of them stay below
/// `2^50` ([`MAX_TERMS`] terms), so every addition is exact in float64 whatever its order: the
/// vector width changes nothing. `hi 2^28 + lo` is then rounded once (one fused multiply-add)
/// and scaled, as the VNNI kernels round their exact sums.
struct ColumnSums<'a, const G: usize> {
    bytes: &'a [u8],
    /// `(hi, lo)` of each of the `G` vectors multiplied together, one byte read for all.
    halves: [(&'a [f64], &'a [f64]); G],
    scales: [i32; G],
    out: [&'a mut [f64]; G],
}

impl<const G: usize> Kernel for ColumnSums<'_, G> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(self, l: L) {
        let ColumnSums { bytes, halves, scales, mut out } = self;
        let columns = halves[0].0.len();
        if columns == 0 {
            out.iter_mut().for_each(|out| out.fill(0.0));
            return;
        }
        // G vectors share each byte vector: G passes over a panel, each over PANEL_ROWS / G
        // rows, keep the sums in registers.
        let pass_rows = PANEL_ROWS / G;
        let vectors = pass_rows / L::LANES;
        let zero = l.splat(0.0);
        let half = l.splat(f64::from(1u32 << HALF_BITS));
        let mut factors = [(zero, zero); G];
        for (factors, &scale) in factors.iter_mut().zip(&scales) {
            let (up, down) = scale_factors(-scale);
            *factors = (l.splat(up), l.splat(down));
        }
        for (p, panel) in bytes.chunks_exact(PANEL_ROWS * columns).enumerate() {
            for pass in 0..G {
                let first = pass * pass_rows;
                let (mut high, mut low) = ([[zero; PANEL_ROWS]; G], [[zero; PANEL_ROWS]; G]);
                for (c, column) in panel.chunks_exact(PANEL_ROWS).enumerate() {
                    let (mut hi, mut lo) = ([zero; G], [zero; G]);
                    for g in 0..G {
                        hi[g] = l.splat(halves[g].0[c]);
                        lo[g] = l.splat(halves[g].1[c]);
                    }
                    for v in 0..vectors {
                        let b = l.load_bytes(&column[first + v * L::LANES..]);
                        for g in 0..G {
                            high[g][v] = l.mul_add(b, hi[g], high[g][v]);
                            low[g][v] = l.mul_add(b, lo[g], low[g][v]);
                        }
                    }
                }
                // The last panel's rows past the matrix are computed (zeros) and not stored.
                let at = p * PANEL_ROWS + first;
                for g in 0..G {
                    let mut values = [0.0; PANEL_ROWS];
                    let (up, down) = factors[g];
                    for v in 0..vectors {
                        let value = l.mul_add(high[g][v], half, low[g][v]);
                        l.store(&mut values[v * L::LANES..], l.mul(l.mul(value, up), down));
                    }
                    let stored = out[g].len().saturating_sub(at).min(pass_rows);
                    if stored > 0 {
                        out[g][at..at + stored].copy_from_slice(&values[..stored]);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linalg_nn::NumpyRng;

    fn pictures(n_x: usize, m: usize, seed: u32) -> Vec<u8> {
        let mut rng = NumpyRng::new(seed);
        (0..n_x * m).map(|_| (rng.random_sample() * 256.0) as u8).collect()
    }

    fn values(n: usize, seed: u32, magnitude: f64) -> Vec<f64> {
        let mut rng = NumpyRng::new(seed);
        (0..n).map(|_| rng.standard_normal() * magnitude).collect()
    }

    /// The exact sum `sum_i v_i b_i` of the digits' values, rounded once: computed with
    /// 128-bit integers independently of the kernels.
    fn exact_dot(digits: &Digits, bytes: &[u8]) -> f64 {
        let total: i128 = (0..digits.len()).map(|i| digits.exact(i) * bytes[i] as i128).sum();
        scaled(total, digits.scale)
    }

    fn filled(v: &[f64]) -> Digits {
        filled_on(Path::current(), v)
    }

    fn filled_on(path: Path, v: &[f64]) -> Digits {
        let mut d = Digits::on(path, v.len());
        assert!(d.fill(v));
        d
    }

    /// The paths this CPU runs: the lanes everywhere, VNNI where the CPU has it.
    fn paths() -> Vec<Path> {
        [Path::Lanes].into_iter().chain(accelerated().then_some(Path::Vnni)).collect()
    }

    /// Every way this CPU computes `M v`: the lanes at each level, and VNNI where it has it.
    fn every_product(m: &ColumnTiles, digits: &Digits, rows: usize) -> Vec<(String, Vec<f64>)> {
        let mut products = Vec::new();
        for level in Level::available() {
            let mut out = vec![0.0; rows];
            assert!(m.product_at(level, digits, &mut out));
            products.push((format!("{:?} {level:?}", m.path), out));
        }
        products
    }

    #[test]
    fn digits_hold_each_value_to_within_two_to_the_minus_54_of_the_largest() {
        for (seed, magnitude) in [(1, 1e-3), (2, 1.0), (3, 1e12), (4, 1e-300)] {
            let v = values(1000, seed, magnitude);
            let d = filled(&v);
            let max = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            let bound = if magnitude < 1e-280 { 2f64.powi(-1014) } else { max * 2f64.powi(-54) };
            for (i, &x) in v.iter().enumerate() {
                assert!((d.value(i) - x).abs() <= bound, "seed {seed} value {i}");
            }
        }
    }

    #[test]
    fn the_vector_digits_are_the_portable_digits() {
        let v = values(1003, 5, 0.02);
        let vector = filled_on(Path::Vnni, &v);
        let mut portable = vector.clone();
        split_into_digits_portable(&v, vector.scale, &mut portable.digits, vector.stride, 0);
        assert_eq!(vector.digits, portable.digits);
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512dq") {
            let mut avx512 = vector.clone();
            // SAFETY: the CPU supports AVX-512F and DQ, checked just above.
            unsafe {
                split_into_digits_avx512(&v, vector.scale, &mut avx512.digits, vector.stride)
            };
            assert_eq!(vector.digits, avx512.digits);
        }
        // The padding past the last value stays zero.
        assert!((0..DIGITS).all(|k| vector.digits[k * vector.stride + 1003] == 0));
    }

    #[test]
    fn forward_products_are_the_correctly_rounded_exact_sums() {
        // Odd sizes: rows past the last multiple of 4, pictures past the last block of 16,
        // and a range that starts inside.
        let (n_x, m) = (12288 + 37, 40);
        let pixels = pictures(n_x, m, 6);
        let cols = 3..38;
        let w = values(n_x, 7, 0.01);
        for path in paths() {
            let d = filled_on(path, &w);
            let forward = ColumnTiles::transposed_on(path, &pixels, n_x, cols.clone());
            assert_eq!((forward.rows(), forward.columns()), (35, n_x));
            for (how, z) in every_product(&forward, &d, cols.len()) {
                for (c, j) in cols.clone().enumerate() {
                    let column = &pixels[j * n_x..(j + 1) * n_x];
                    assert_eq!(z[c], exact_dot(&d, column), "picture {j}, {how}");
                }
            }
        }
    }

    #[test]
    fn backward_products_are_the_correctly_rounded_exact_sums() {
        let (n_x, m) = (1000 + 5, 4 * 27 + 1);
        let pixels = pictures(n_x, m, 8);
        let s = values(m, 9, 0.3);
        for path in paths() {
            let mut backward = ColumnTiles::new_on(path, &pixels, n_x, 0..m);
            assert_eq!((backward.rows(), backward.columns()), (n_x, m));
            let mut out = vec![0.0; n_x];
            assert!(backward.combination(&s, &mut out));
            let s_digits = filled_on(path, &s);
            for i in 0..n_x {
                let row: Vec<u8> = (0..m).map(|j| pixels[j * n_x + i]).collect();
                assert_eq!(out[i], exact_dot(&s_digits, &row), "row {i}, {path:?}");
            }
            for (how, other) in every_product(&backward, &s_digits, n_x) {
                assert_eq!(other, out, "{how}");
            }
        }
    }

    #[test]
    fn pairs_of_products_are_two_products() {
        // Two vectors of different scales through one pass over the bytes, at every level and
        // on both paths; rows past the last panel of 16 and a pair with a non-finite vector.
        let (n_x, m) = (1000 + 5, 37);
        let pixels = pictures(n_x, m, 17);
        let (w, v) = (values(n_x, 18, 0.01), values(n_x, 19, 300.0));
        let (s, t) = (values(m, 20, 0.5), values(m, 21, 1e-7));
        for path in paths() {
            let forward = ColumnTiles::transposed_on(path, &pixels, n_x, 0..m);
            let backward = ColumnTiles::new_on(path, &pixels, n_x, 0..m);
            let cases = [
                (&forward, filled_on(path, &w), filled_on(path, &v)),
                (&backward, filled_on(path, &s), filled_on(path, &t)),
            ];
            for (matrix, one, two) in &cases {
                let rows = matrix.rows();
                for level in Level::available() {
                    let (mut first, mut second) = (vec![0.0; rows], vec![0.0; rows]);
                    let finite =
                        matrix.product_pair_at(level, [one, two], [&mut first, &mut second]);
                    assert_eq!(finite, [true, true]);
                    let (mut alone_one, mut alone_two) = (vec![0.0; rows], vec![0.0; rows]);
                    matrix.product_at(level, one, &mut alone_one);
                    matrix.product_at(level, two, &mut alone_two);
                    assert_eq!((first, second), (alone_one, alone_two), "{path:?} {level:?}");
                }
            }
            let mut bad = Digits::on(path, n_x);
            assert!(!bad.fill(&vec![f64::NAN; n_x]));
            let (mut first, mut second) = (vec![0.0; m], vec![0.0; m]);
            let finite = forward.product_pair([&cases[0].1, &bad], [&mut first, &mut second]);
            assert_eq!(finite, [true, false]);
            assert!(second.iter().all(|z| z.is_nan()));
            for (j, z) in first.iter().enumerate() {
                assert_eq!(*z, exact_dot(&cases[0].1, &pixels[j * n_x..(j + 1) * n_x]));
            }
        }
    }

    /// `round_ties_even(v 2^scale)`'s signed low 28 bits and the rest, in 64-bit integers: what
    /// the lanes' float64 steps must give.
    fn halves_in_integers(v: f64, scale: i32) -> (f64, f64) {
        let (up, down) = scale_factors(scale);
        let x = ((v * up) * down).round_ties_even() as i64;
        let low = (x << (64 - HALF_BITS)) >> (64 - HALF_BITS);
        (((x - low) >> HALF_BITS) as f64, low as f64)
    }

    #[test]
    fn halves_are_the_integers_split_at_every_level() {
        // Ties both ways, the edges of the low half, 2^52 and 2^54 (where the rounding step
        // must stand aside), negatives, zeros, and random values at several scales.
        let two = |e: i32| 2f64.powi(e);
        let mut cases: Vec<(f64, i32)> = [
            0.5,
            1.5,
            2.5,
            -0.5,
            -1.5,
            -2.5,
            0.49999999999999994,
            -0.0,
            0.0,
            two(27) - 0.5,
            two(27) + 0.5,
            -two(27) - 0.5,
            two(28) - 1.0,
            -two(28),
            two(52) - 0.5,
            two(52) + 1.0,
            -two(52) + 1.5,
            two(53) + 2.0,
            two(54),
            -two(54),
            two(54) - 4.0,
            3.0 * two(27) + 0.5,
            -(3.0 * two(27)) - 0.5,
        ]
        .iter()
        .map(|&v| (v, 0))
        .collect();
        for (seed, magnitude) in [(22, 1e-3), (23, 1.0), (24, 1e9)] {
            let v = values(37, seed, magnitude);
            let scale = scale_exponent(v.iter().fold(0.0f64, |m, x| m.max(x.abs())));
            cases.extend(v.iter().map(|&v| (v, scale)));
        }
        for level in Level::available() {
            for &(v, scale) in &cases {
                let mut halves = [0.0; 2];
                split_into_halves_at(level, &[v], scale, &mut halves);
                assert_eq!((halves[0], halves[1]), halves_in_integers(v, scale), "{v} {level:?}");
            }
            // Whole vectors and a tail.
            let v = values(37, 25, 0.3);
            let scale = scale_exponent(v.iter().fold(0.0f64, |m, x| m.max(x.abs())));
            let mut halves = vec![0.0; 74];
            split_into_halves_at(level, &v, scale, &mut halves);
            for (i, &v) in v.iter().enumerate() {
                let expected = halves_in_integers(v, scale);
                assert_eq!((halves[i], halves[37 + i]), expected, "value {i}, {level:?}");
            }
        }
    }

    #[test]
    fn both_paths_hold_the_same_integers() {
        // The digits of the VNNI kernels and the halves of the lanes are two spellings of
        // round(v 2^s): the reason both paths give the same bits.
        let v = values(1003, 15, 0.07);
        let (lanes, vnni) = (filled_on(Path::Lanes, &v), filled_on(Path::Vnni, &v));
        assert_eq!(lanes.scale, vnni.scale);
        for i in 0..v.len() {
            assert_eq!(lanes.exact(i), vnni.exact(i), "value {i}");
        }
        for i in 0..v.len() {
            assert!(lanes.halves[v.len() + i].abs() <= f64::from(1u32 << (HALF_BITS - 1)));
        }
    }

    #[test]
    fn tiny_matrices_and_empty_ranges_give_exact_sums() {
        // Fewer columns than one step of the lanes (the tail alone), and no columns at all.
        let pixels = pictures(3, 4, 16);
        for path in paths() {
            let d = filled_on(path, &[0.5, -0.25, 3.0]);
            let forward = ColumnTiles::transposed_on(path, &pixels, 3, 0..4);
            for (how, z) in every_product(&forward, &d, 4) {
                for (j, z) in z.iter().enumerate() {
                    assert_eq!(*z, exact_dot(&d, &pixels[3 * j..3 * j + 3]), "{how}");
                }
            }
            let empty = ColumnTiles::new_on(path, &pixels, 3, 2..2);
            for (how, out) in every_product(&empty, &filled_on(path, &[]), 3) {
                assert_eq!(out, [0.0; 3], "{how}");
            }
        }
    }

    #[test]
    fn the_largest_sums_are_still_combined_exactly() {
        // MAX_TERMS bytes of 255 against digits of -128 (the most negative) and of 127: the
        // digit sums' extremes, where the float64 combination is only just exact.
        let n = MAX_TERMS;
        let pixels = vec![255u8; n];
        for path in paths() {
            for v in [-(2f64.powi(54)), 2f64.powi(54) - 1.0, -1.0 - 2f64.powi(-40)] {
                let d = filled_on(path, &vec![v; n]);
                let forward = ColumnTiles::transposed_on(path, &pixels, n, 0..1);
                for (how, z) in every_product(&forward, &d, 1) {
                    assert_eq!(z[0], exact_dot(&d, &pixels), "{v} {how}");
                }
            }
        }
    }

    #[test]
    fn the_products_agree_with_float64_arithmetic_on_x_over_255() {
        // The course's use: w^T X with X = B / 255, to float64 rounding.
        let (n_x, m) = (12288, 9);
        let pixels = pictures(n_x, m, 10);
        let w = values(n_x, 11, 0.01);
        let forward = ColumnTiles::transposed(&pixels, n_x, 0..m);
        let mut z = vec![0.0; m];
        assert!(forward.product(&filled(&w), &mut z));
        for j in 0..m {
            let column = &pixels[j * n_x..(j + 1) * n_x];
            let float: f64 = w.iter().zip(column).map(|(w, &b)| w * (b as f64 / 255.0)).sum();
            let size: f64 = w.iter().zip(column).map(|(w, &b)| (w * b as f64).abs()).sum();
            assert!((z[j] / 255.0 - float).abs() <= 1e-13 * size / 255.0, "column {j}");
        }
    }

    #[test]
    fn the_largest_magnitude_and_non_finite_values_are_found_by_every_code_path() {
        let mut v = values(101, 14, 3.0);
        v[57] = -1e6;
        assert_eq!(max_abs(&v), Some(1e6));
        assert_eq!(max_abs_portable(&v), Some(1e6));
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            for at in [3, 100] {
                let mut w = v.clone();
                w[at] = bad;
                assert_eq!(max_abs(&w), None, "{bad} at {at}");
                assert_eq!(max_abs_portable(&w), None, "{bad} at {at}");
            }
        }
        assert_eq!(max_abs(&[]), Some(0.0));
    }

    #[test]
    fn non_finite_inputs_give_nan_not_garbage() {
        let pixels = pictures(70, 5, 12);
        let mut d = Digits::new(70);
        let mut w = values(70, 13, 1.0);
        w[69] = f64::INFINITY;
        assert!(!d.fill(&w));
        let forward = ColumnTiles::transposed(&pixels, 70, 0..5);
        let mut z = [0.0; 5];
        assert!(!forward.product(&d, &mut z));
        assert!(z.iter().all(|v| v.is_nan()));
        let mut backward = ColumnTiles::new(&pixels, 70, 0..5);
        let mut out = vec![0.0; 70];
        assert!(!backward.combination(&[1.0, f64::NAN, 0.0, 0.0, 0.0], &mut out));
        assert!(out.iter().all(|v| v.is_nan()));
        // Zeros are fine: exact zeros out.
        assert!(d.fill(&[0.0; 70]));
        assert!(forward.product(&d, &mut z));
        assert_eq!(z, [0.0; 5]);
    }
}
