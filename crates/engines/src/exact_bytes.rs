//! Exact integer products of the cat pictures' bytes, for the direct engine's pass over
//! `X = B / 255` (course 1 week 2's `propagate`: `w^T X` forward, `X (A - Y)^T` backward).
//!
//! The direct engine reads all of `X` every iteration. From the float64 matrix that is 20.5 MB
//! per iteration; from the bytes 2.5 MB, but converting each byte to a float twice per
//! iteration costs more than the traffic it saves (docs/reference/performance.md). Here the bytes are
//! never converted: the other operand is split into seven signed 8-bit digits (`v = 2^-s sum_k
//! d_k 256^k`, 56 bits, more than a float64's 53), and each product `sum_i d_k[i] b_i` is an exact
//! 32-bit integer sum, 64 terms per AVX-512 VNNI instruction. The seven sums are combined into
//! one float64 with a single rounding, so every result is the correctly rounded value of
//! `sum_i v_i b_i` for the digits' `v` (within `2^-54 max |v|` of each `v_i`). Exact integers do
//! not depend on the order of their terms, so the vector code, the portable code, one thread
//! and two give the same bits.
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

#[cfg(target_arch = "x86_64")]
use crate::lanes::Level;
use std::ops::Range;

mod layer;
pub use layer::ByteFirstLayer;

/// Signed 8-bit digits per value: 56 bits, so that a float64's 53-bit significand is kept.
pub const DIGITS: usize = 7;

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
    /// `round(v_i 2^s) = sum_k d_k[i] 256^k`.
    digits: Vec<i8>,
    scale: i32,
    finite: bool,
}

impl Digits {
    /// Room for `len` values, all zero.
    pub fn new(len: usize) -> Self {
        let stride = len.div_ceil(TILE_COLUMNS) * TILE_COLUMNS;
        Digits { len, stride, digits: vec![0; DIGITS * stride], scale: 0, finite: true }
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
        split_into_digits(values, self.scale, &mut self.digits, self.stride);
        true
    }

    /// Value `i` as the digits hold it: `2^-s sum_k d_k[i] 256^k` (for tests and checks).
    pub fn value(&self, i: usize) -> f64 {
        scaled(self.exact(i), self.scale)
    }

    /// `round(v_i 2^s)`.
    fn exact(&self, i: usize) -> i128 {
        (0..DIGITS).rev().fold(0, |sum, k| sum * 256 + self.digits[k * self.stride + i] as i128)
    }

    /// Digit `k` of values `4 q .. 4 q + 4` as one little-endian word.
    #[inline(always)]
    fn word(&self, k: usize, q: usize) -> i32 {
        let at = k * self.stride + TILE_COLUMNS * q;
        let bytes = &self.digits[at..at + TILE_COLUMNS];
        i32::from_le_bytes([bytes[0] as u8, bytes[1] as u8, bytes[2] as u8, bytes[3] as u8])
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

/// The exact integer `value` times `2^-scale`, rounded once to float64.
fn scaled(value: i128, scale: i32) -> f64 {
    let (up, down) = scale_factors(-scale);
    (value as f64 * up) * down
}

/// `sum_k sums[k] 256^k`, exactly.
fn combine(sums: &[i32; DIGITS]) -> i128 {
    sums.iter().rev().fold(0i128, |total, &s| total * 256 + s as i128)
}

/// Whether the products run on the AVX-512 VNNI kernels here (else on portable code, exact
/// too but several times slower than a float64 product): the training loops read the bytes
/// only when this is true.
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
#[derive(Clone, Debug)]
pub struct ColumnTiles {
    rows: usize,
    columns: usize,
    quads: usize,
    /// Row block `r`, quad `q`: 64 bytes, byte `4 l + t` = `M[16 r + l][4 q + t]`.
    tiles: Vec<u8>,
    /// The coefficients of [`ColumnTiles::combination`] as digits.
    digits: Digits,
}

impl ColumnTiles {
    /// Empty tiles for an `rows` by `columns` matrix.
    fn zeros(rows: usize, columns: usize) -> Self {
        assert!(columns <= MAX_TERMS, "at most {MAX_TERMS} terms per sum");
        let quads = columns.div_ceil(TILE_COLUMNS);
        let tiles = vec![0u8; rows.div_ceil(TILE_ROWS) * quads * TILE_BYTES];
        ColumnTiles { rows, columns, quads, tiles, digits: Digits::new(columns) }
    }

    /// `M = B[:, cols]`, `(n_x, cols.len())`, from `pixels` (`n_x` bytes per column, column
    /// after column); missing rows and columns of the last tiles are zero.
    ///
    /// # Panics
    ///
    /// If `cols.len() > MAX_TERMS` or `pixels` is shorter than `cols.end * n_x` bytes.
    pub fn new(pixels: &[u8], n_x: usize, cols: Range<usize>) -> Self {
        assert!(pixels.len() >= cols.end * n_x, "columns in range");
        let mut m = ColumnTiles::zeros(n_x, cols.len());
        let quads = m.quads;
        for (c, column) in pixels[cols.start * n_x..cols.end * n_x].chunks_exact(n_x).enumerate() {
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
        assert!(pixels.len() >= cols.end * n_x, "columns in range");
        let mut m = ColumnTiles::zeros(cols.len(), n_x);
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
        let mut digits = std::mem::replace(&mut self.digits, Digits::new(0));
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
        assert_eq!(digits.len, self.columns, "one coefficient per column");
        assert_eq!(out.len(), self.rows, "one output per row");
        if !digits.finite {
            out.fill(f64::NAN);
            return false;
        }
        #[cfg(target_arch = "x86_64")]
        if accelerated() {
            // SAFETY: the CPU supports AVX-512F, BW and VNNI, checked by accelerated().
            unsafe { self.product_vnni(digits, out) };
            return true;
        }
        self.product_portable(digits, out);
        true
    }

    fn product_portable(&self, digits: &Digits, out: &mut [f64]) {
        for (i, out) in out.iter_mut().enumerate() {
            let (r, l) = (i / TILE_ROWS, i % TILE_ROWS);
            let mut sums = [0i32; DIGITS];
            for q in 0..self.quads {
                let tile = &self.tiles[(r * self.quads + q) * TILE_BYTES..][..TILE_BYTES];
                for (k, sum) in sums.iter_mut().enumerate() {
                    let word = digits.word(k, q).to_le_bytes();
                    for t in 0..TILE_COLUMNS {
                        *sum += tile[l * TILE_COLUMNS + t] as i32 * word[t] as i8 as i32;
                    }
                }
            }
            *out = scaled(combine(&sums), digits.scale);
        }
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
        let mut d = Digits::new(v.len());
        assert!(d.fill(v));
        d
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
        let vector = filled(&v);
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
        let d = filled(&values(n_x, 7, 0.01));
        let cols = 3..38;
        let forward = ColumnTiles::transposed(&pixels, n_x, cols.clone());
        assert_eq!((forward.rows(), forward.columns()), (35, n_x));
        let mut z = vec![0.0; cols.len()];
        assert!(forward.product(&d, &mut z));
        for (c, j) in cols.clone().enumerate() {
            assert_eq!(z[c], exact_dot(&d, &pixels[j * n_x..(j + 1) * n_x]), "picture {j}");
        }
        let mut portable = vec![0.0; cols.len()];
        forward.product_portable(&d, &mut portable);
        assert_eq!(z, portable);
    }

    #[test]
    fn backward_products_are_the_correctly_rounded_exact_sums() {
        let (n_x, m) = (1000 + 5, 4 * 27 + 1);
        let pixels = pictures(n_x, m, 8);
        let s = values(m, 9, 0.3);
        let mut backward = ColumnTiles::new(&pixels, n_x, 0..m);
        assert_eq!((backward.rows(), backward.columns()), (n_x, m));
        let mut out = vec![0.0; n_x];
        assert!(backward.combination(&s, &mut out));
        let s_digits = filled(&s);
        for i in 0..n_x {
            let row: Vec<u8> = (0..m).map(|j| pixels[j * n_x + i]).collect();
            assert_eq!(out[i], exact_dot(&s_digits, &row), "row {i}");
        }
        let mut portable = vec![0.0; n_x];
        backward.product_portable(&s_digits, &mut portable);
        assert_eq!(out, portable);
    }

    #[test]
    fn the_largest_sums_are_still_combined_exactly() {
        // MAX_TERMS bytes of 255 against digits of -128 (the most negative) and of 127: the
        // digit sums' extremes, where the float64 combination is only just exact.
        let n = MAX_TERMS;
        let pixels = vec![255u8; n];
        for v in [-(2f64.powi(54)), 2f64.powi(54) - 1.0, -1.0 - 2f64.powi(-40)] {
            let d = filled(&vec![v; n]);
            let forward = ColumnTiles::transposed(&pixels, n, 0..1);
            let mut z = [0.0];
            assert!(forward.product(&d, &mut z));
            assert_eq!(z[0], exact_dot(&d, &pixels), "{v}");
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
