//! The per-iteration product of the Gram engine for logistic regression (course 1, week 2,
//! `optimize`): `G dZ^T` for rows of `G`, on a copy of those rows laid out for it.
//!
//! A step of logistic regression reads the whole `(m, m)` matrix `G` once (209 x 209 on the cat
//! pictures) for `m^2` multiply-adds, so how `G` is stored decides the speed. The rows are cut into
//! tiles of at most [`MAX_TILE_VECTORS`] vectors of 8 rows whose sums stay in registers while the
//! columns stream past, and when every value is an integer below `2^32` (the byte Gram matrix
//! `B^T B` of the pictures) they are stored as `u32`: exact, and half the bytes of `f64`.

use crate::lanes::{Kernel, Lanes, Level};
use nalgebra::DMatrix;
use std::ops::Range;

/// Rows per vector: an AVX-512 register holds 8 `f64`.
const LANES: usize = 8;

/// The most vectors of rows a tile keeps in registers (16 of AVX-512's 32), 128 rows.
const MAX_TILE_VECTORS: usize = 16;

/// Rows `rows` of a Gram matrix's values, stored for [`GramRows::product`].
///
/// Every entry of the product is `sum_k values[r, k] v[k]` taken as one fused multiply-add per
/// term, in the order `k = 0, 1, ...`, from zero. It does not depend on how the rows are cut into
/// blocks, on how a block is stored, or on the vector width of the machine (the portable code
/// takes the same fused multiply-adds one at a time), so two threads with a block each give the
/// bits of one thread with one block.
///
/// ```
/// use nn_engines::gram::GramRows;
/// use nalgebra::DMatrix;
///
/// let values = DMatrix::from_row_slice(3, 3, &[4.0, 1.0, 0.0, 1.0, 9.0, 2.0, 0.0, 2.0, 16.0]);
/// let v = [0.5, -1.0, 0.25];
/// let mut all = [0.0; 3];
/// GramRows::new(&values, 0..3).product(&v, &mut all);
/// assert_eq!(all, [1.0, -8.0, 2.0]);
/// // Rows 1..3 on their own give the same bits.
/// let mut last_two = [0.0; 2];
/// GramRows::new(&values, 1..3).product(&v, &mut last_two);
/// assert_eq!(last_two, [all[1], all[2]]);
/// ```
#[derive(Clone, Debug)]
pub struct GramRows {
    rows: Range<usize>,
    columns: usize,
    tiles: Vec<Tile>,
    storage: Storage,
}

/// A tile: `vectors` vectors of rows starting `first_row` rows into the block, stored from
/// `offset` column after column (`vectors * 8` values per column, the rows past the block zero).
#[derive(Clone, Copy, Debug)]
struct Tile {
    first_row: usize,
    rows: usize,
    vectors: usize,
    offset: usize,
}

/// The stored values: exact integers as `u32`, anything else as `f64`.
#[derive(Clone, Debug)]
enum Storage {
    Integers(Vec<u32>),
    Floats(Vec<f64>),
}

impl GramRows {
    /// Copies rows `rows` of `values` (`(n, k)`, any real values; the range is clamped to
    /// `0..n`, and [`GramRows::rows`] says which rows the block holds). As `u32` when every value of the rows is an integer in
    /// `[0, 2^32)`, which converts back to the same `f64` exactly.
    pub fn new(values: &DMatrix<f64>, rows: Range<usize>) -> Self {
        let end = rows.end.min(values.nrows());
        let rows = rows.start.min(end)..end;
        let columns = values.ncols();
        let height = rows.len();
        let vectors = height.div_ceil(LANES);
        let tile_count = vectors.div_ceil(MAX_TILE_VECTORS);
        // Tiles of equal size (within one vector): 14 vectors are one tile, 20 are two of 10.
        let per_tile = if tile_count == 0 { 0 } else { vectors.div_ceil(tile_count) };
        let mut tiles = Vec::with_capacity(tile_count);
        let mut offset = 0;
        let mut first_vector = 0;
        while first_vector < vectors {
            let tile_vectors = per_tile.min(vectors - first_vector);
            let first_row = first_vector * LANES;
            let tile_rows = (tile_vectors * LANES).min(height - first_row);
            tiles.push(Tile { first_row, rows: tile_rows, vectors: tile_vectors, offset });
            offset += tile_vectors * LANES * columns;
            first_vector += tile_vectors;
        }
        let block = values.rows(rows.start, height);
        // `as u32` saturates and maps NaN to 0, so only values it keeps are integers below 2^32.
        let exact = block.iter().all(|&v| f64::from(v as u32) == v);
        let storage = if exact {
            Storage::Integers(lay_out(&tiles, offset, columns, |r, k| block[(r, k)] as u32))
        } else {
            Storage::Floats(lay_out(&tiles, offset, columns, |r, k| block[(r, k)]))
        };
        GramRows { rows, columns, tiles, storage }
    }

    /// The rows of the matrix this block holds.
    pub fn rows(&self) -> Range<usize> {
        self.rows.clone()
    }

    /// Whether the values are stored as `u32` (every one an integer below `2^32`).
    pub fn is_integer(&self) -> bool {
        matches!(self.storage, Storage::Integers(_))
    }

    /// `out[i] = sum_k values[rows.start + i, k] v[k]` for every row of the block.
    ///
    /// # Panics
    /// If `v` does not have one entry per column or `out` one per row of the block (a caller's
    /// bug: the Gram engine sizes both from the matrix).
    pub fn product(&self, v: &[f64], out: &mut [f64]) {
        assert_eq!(v.len(), self.columns, "one entry of v per column of G");
        assert_eq!(out.len(), self.rows.len(), "one entry of out per row of the block");
        for tile in &self.tiles {
            let out = &mut out[tile.first_row..tile.first_row + tile.rows];
            let size = tile.vectors * LANES * self.columns;
            match &self.storage {
                Storage::Integers(all) => tile_product(out, &all[tile.offset..][..size], v),
                Storage::Floats(all) => tile_product(out, &all[tile.offset..][..size], v),
            }
        }
    }
}

/// The tiles' values, column after column within each tile, zero past the block's last row.
fn lay_out<T: Copy + Default>(
    tiles: &[Tile],
    len: usize,
    columns: usize,
    value: impl Fn(usize, usize) -> T,
) -> Vec<T> {
    let mut stored = vec![T::default(); len];
    for tile in tiles {
        let width = tile.vectors * LANES;
        for k in 0..columns {
            let column = &mut stored[tile.offset + k * width..][..tile.rows];
            for (r, slot) in column.iter_mut().enumerate() {
                *slot = value(tile.first_row + r, k);
            }
        }
    }
    stored
}

/// A value type the tiles can be stored in: converted to `f64` exactly.
trait Stored: Copy {
    fn to_f64(self) -> f64;
    /// Eight values from `p` into a vector.
    ///
    /// # Safety
    /// AVX-512F must be available and `p` valid for reading 8 values.
    #[cfg(target_arch = "x86_64")]
    unsafe fn load8(p: *const Self) -> std::arch::x86_64::__m512d;
}

impl Stored for u32 {
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load8(p: *const Self) -> std::arch::x86_64::__m512d {
        use std::arch::x86_64::*;
        // SAFETY: the caller guarantees AVX-512F and 8 readable values.
        unsafe { _mm512_cvtepu32_pd(_mm256_loadu_si256(p.cast())) }
    }
}

impl Stored for f64 {
    fn to_f64(self) -> f64 {
        self
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load8(p: *const Self) -> std::arch::x86_64::__m512d {
        // SAFETY: the caller guarantees AVX-512F and 8 readable values.
        unsafe { std::arch::x86_64::_mm512_loadu_pd(p) }
    }
}

/// One tile's product: `stored` holds `v.len()` columns of `out.len()` rows rounded up to whole
/// vectors (at most [`MAX_TILE_VECTORS`]).
fn tile_product<T: Stored>(out: &mut [f64], stored: &[T], v: &[f64]) {
    let vectors = out.len().div_ceil(LANES);
    debug_assert_eq!(stored.len(), vectors * LANES * v.len());
    let level = Level::current();
    #[cfg(target_arch = "x86_64")]
    if level.avx512().is_some() {
        // SAFETY: the AVX-512 token exists, so the CPU has AVX-512F; `stored` holds
        // `vectors * 8` values per column.
        unsafe {
            match vectors {
                1 => tile_avx512::<T, 1>(out, stored, v),
                2 => tile_avx512::<T, 2>(out, stored, v),
                3 => tile_avx512::<T, 3>(out, stored, v),
                4 => tile_avx512::<T, 4>(out, stored, v),
                5 => tile_avx512::<T, 5>(out, stored, v),
                6 => tile_avx512::<T, 6>(out, stored, v),
                7 => tile_avx512::<T, 7>(out, stored, v),
                8 => tile_avx512::<T, 8>(out, stored, v),
                9 => tile_avx512::<T, 9>(out, stored, v),
                10 => tile_avx512::<T, 10>(out, stored, v),
                11 => tile_avx512::<T, 11>(out, stored, v),
                12 => tile_avx512::<T, 12>(out, stored, v),
                13 => tile_avx512::<T, 13>(out, stored, v),
                14 => tile_avx512::<T, 14>(out, stored, v),
                15 => tile_avx512::<T, 15>(out, stored, v),
                _ => tile_avx512::<T, 16>(out, stored, v),
            }
        }
        return;
    }
    level.run(TileProduct { out, stored, v });
}

/// The kernel of [`tile_product`] below AVX-512: [`tile_portable`], compiled by [`Level::run`]
/// with hardware fused multiply-adds at [`Level::Avx2`] (the same bits, many times faster than
/// the library's `fma`).
struct TileProduct<'a, T> {
    out: &'a mut [f64],
    stored: &'a [T],
    v: &'a [f64],
}

impl<T: Stored> Kernel for TileProduct<'_, T> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(self, _lanes: L) {
        tile_portable(self.out, self.stored, self.v);
    }
}

/// The tile's product one fused multiply-add at a time.
#[inline(always)]
fn tile_portable<T: Stored>(out: &mut [f64], stored: &[T], v: &[f64]) {
    let width = out.len().div_ceil(LANES) * LANES;
    let mut sums = [0.0f64; MAX_TILE_VECTORS * LANES];
    let sums = &mut sums[..width];
    for (column, &scale) in stored.chunks_exact(width).zip(v) {
        for (sum, &value) in sums.iter_mut().zip(column) {
            *sum = value.to_f64().mul_add(scale, *sum);
        }
    }
    out.copy_from_slice(&sums[..out.len()]);
}

/// The tile's product with `NV` vectors of sums held in AVX-512 registers.
///
/// # Safety
/// AVX-512F must be available, `NV * 8 >= out.len()`, and `stored` must hold `NV * 8` values
/// for each entry of `v`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn tile_avx512<T: Stored, const NV: usize>(out: &mut [f64], stored: &[T], v: &[f64]) {
    use std::arch::x86_64::*;
    debug_assert!(NV * LANES >= out.len() && stored.len() == NV * LANES * v.len());
    let mut sums = [_mm512_setzero_pd(); NV];
    for (k, &scale) in v.iter().enumerate() {
        let scale = _mm512_set1_pd(scale);
        // SAFETY: column k of the tile is NV * 8 values from k * NV * 8.
        let column = unsafe { stored.as_ptr().add(k * NV * LANES) };
        for (j, sum) in sums.iter_mut().enumerate() {
            // SAFETY: as above, j < NV.
            let values = unsafe { T::load8(column.add(j * LANES)) };
            *sum = _mm512_fmadd_pd(values, scale, *sum);
        }
    }
    let mut all = [0.0f64; MAX_TILE_VECTORS * LANES];
    for (j, &sum) in sums.iter().enumerate() {
        // SAFETY: j * 8 + 8 <= NV * 8 <= all.len().
        unsafe { _mm512_storeu_pd(all.as_mut_ptr().add(j * LANES), sum) };
    }
    out.copy_from_slice(&all[..out.len()]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use linalg_nn::rng::NumpyRng;

    /// The product written out term by term: the definition the blocks must reproduce.
    fn reference(values: &DMatrix<f64>, rows: Range<usize>, v: &[f64]) -> Vec<f64> {
        rows.map(|r| (0..v.len()).fold(0.0, |sum, k| values[(r, k)].mul_add(v[k], sum))).collect()
    }

    #[test]
    fn every_block_shape_gives_the_terms_in_order() {
        let mut rng = NumpyRng::new(11);
        // 300 rows: three tiles of 13 vectors for the whole; odd sizes for the ends.
        for (n, k) in [(1, 1), (7, 3), (9, 5), (129, 40), (300, 17)] {
            let floats = rng.randn(n, k);
            let integers = rng.rand(n, k).map(|v| (v * 8.0e8).floor());
            let v: Vec<f64> = rng.randn(k, 1).iter().copied().collect();
            for values in [&floats, &integers] {
                for rows in [0..n, 0..n.div_ceil(2), n.div_ceil(2)..n, n..n] {
                    let block = GramRows::new(values, rows.clone());
                    if !rows.is_empty() {
                        assert_eq!(block.is_integer(), std::ptr::eq(values, &integers));
                    }
                    let mut out = vec![f64::NAN; rows.len()];
                    block.product(&v, &mut out);
                    assert_eq!(out, reference(values, rows.clone(), &v), "{n}x{k}, rows {rows:?}");
                    let mut portable = vec![f64::NAN; rows.len()];
                    for tile in &block.tiles {
                        let size = tile.vectors * LANES * k;
                        let out = &mut portable[tile.first_row..tile.first_row + tile.rows];
                        match &block.storage {
                            Storage::Integers(all) => {
                                tile_portable(out, &all[tile.offset..][..size], &v)
                            }
                            Storage::Floats(all) => {
                                tile_portable(out, &all[tile.offset..][..size], &v)
                            }
                        }
                    }
                    assert_eq!(portable, out, "portable code, {n}x{k}, rows {rows:?}");
                }
            }
        }
    }

    #[test]
    fn values_that_are_not_small_whole_numbers_are_kept_as_floats() {
        for odd in [0.5, -1.0, 2f64.powi(32), f64::NAN] {
            let values = DMatrix::from_row_slice(2, 2, &[1.0, odd, odd, 3.0]);
            let block = GramRows::new(&values, 0..2);
            assert!(!block.is_integer(), "{odd}");
            let mut out = [0.0; 2];
            block.product(&[0.0, 1.0], &mut out);
            // Row 0 is 1 * 0 + odd * 1: the value itself comes back, not a truncated integer.
            assert!(out[0] == odd || (odd.is_nan() && out[0].is_nan()), "{odd}: {out:?}");
        }
        let largest = DMatrix::from_element(1, 1, f64::from(u32::MAX));
        let block = GramRows::new(&largest, 0..1);
        assert!(block.is_integer());
        let mut out = [0.0];
        block.product(&[1.0], &mut out);
        assert_eq!(out[0], f64::from(u32::MAX));
    }
}
