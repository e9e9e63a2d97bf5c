//! The inputs `X` `(n_x, m)` of a model, one example per column, as the training engines read
//! them: either a float64 matrix, or the cat pictures' bytes `B` with `X = B / 255` (the
//! notebooks' `train_set_x_flatten / 255`, `lr_utils.load_dataset` of weeks 2 and 4) never
//! built as floats.
//!
//! The Gram engine ([`crate::gram`]) reads `X` only outside its loop: `X^T X` once, and a few
//! products at the end (the weights, the last gradient, the predictions). From the bytes those
//! read 2.5 MB instead of the 20 MB float64 copy, and the copy itself (allocating, zeroing and
//! filling 20 MB) cost more than all of them (docs/reference/performance.md). hw1's direct engine streams
//! `X` every iteration: from the bytes ([`Inputs::pixels`], with [`crate::exact_bytes`]) when
//! there are bytes, else from the float64 matrix ([`Inputs::to_matrix`]).

use crate::gram::GramMatrix;
use crate::kernels::{self, Op};
use crate::lanes::{Kernel, Lanes, Level};
use linalg_nn::data::cat::{TEST_FILE, TRAIN_FILE};
use linalg_nn::data::{CatDataset, CatSplit, DataError, Split, load_cat_file};
use linalg_nn::error::{NnError, Result};
use linalg_nn::matrix::ensure_shape;
use nalgebra::DMatrix;
use std::borrow::Cow;
use std::path::Path;

/// The inputs `X` `(n_x, m)` of a model, one example per column: the products the engines need,
/// whatever `X` is stored as. Implemented by `DMatrix<f64>` and by [`CatSplit`] (the pictures'
/// bytes, `X = B / 255`).
///
/// ```
/// use nn_engines::inputs::Inputs;
/// use nalgebra::DMatrix;
///
/// let x = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 0.0, 1.0, 3.0, -1.0]);
/// let inputs: &dyn Inputs = &x;
/// assert_eq!(inputs.shape(), (3, 2));
/// let w = DMatrix::from_row_slice(3, 1, &[1.0, 1.0, 1.0]);
/// let mut z = DMatrix::zeros(1, 2);
/// inputs.tr_mul_into(&mut z, &w).unwrap(); // w^T X
/// assert_eq!(z, DMatrix::from_row_slice(1, 2, &[4.0, 2.0]));
/// ```
pub trait Inputs: std::fmt::Debug + Sync {
    /// `(n_x, m)`: features by examples.
    fn shape(&self) -> (usize, usize);

    /// Rejects a NaN or infinite entry, naming `what` and the entry.
    fn ensure_finite(&self, what: &str) -> Result<()>;

    /// `G = X^T X` `(m, m)`, exactly symmetric.
    fn gram(&self) -> GramMatrix;

    /// `dst = V^T X`: `V` `(n_x, k)` (one column per output row, e.g. the weights `w` of
    /// logistic regression) into `dst` `(k, m)`.
    fn tr_mul_into(&self, dst: &mut DMatrix<f64>, v: &DMatrix<f64>) -> Result<()>;

    /// `dst = alpha dst + beta S X^T`: `S` `(k, m)` into `dst` `(k, n_x)`. With `alpha = 0` the
    /// old contents of `dst` are ignored, as in BLAS.
    fn gemm_transposed_into(
        &self,
        dst: &mut DMatrix<f64>,
        alpha: f64,
        s: &DMatrix<f64>,
        beta: f64,
    ) -> Result<()>;

    /// `X` as a float64 matrix: borrowed when it is one, built otherwise.
    fn to_matrix(&self) -> Cow<'_, DMatrix<f64>>;

    /// The pictures' bytes `B` with `X = B / 255`, `n_x` bytes per column, column after column,
    /// when `X` is stored that way (`None` for a float64 matrix).
    fn pixels(&self) -> Option<&[u8]> {
        None
    }
}

impl Inputs for DMatrix<f64> {
    fn shape(&self) -> (usize, usize) {
        self.shape()
    }

    fn ensure_finite(&self, what: &str) -> Result<()> {
        linalg_nn::matrix::ensure_finite(self, what)
    }

    fn gram(&self) -> GramMatrix {
        crate::gram::gram_matrix(self)
    }

    fn tr_mul_into(&self, dst: &mut DMatrix<f64>, v: &DMatrix<f64>) -> Result<()> {
        kernels::matmul_into(dst, v, Op::T, self, Op::N)
    }

    fn gemm_transposed_into(
        &self,
        dst: &mut DMatrix<f64>,
        alpha: f64,
        s: &DMatrix<f64>,
        beta: f64,
    ) -> Result<()> {
        kernels::gemm_into(dst, alpha, s, Op::N, self, Op::T, beta)
    }

    fn to_matrix(&self) -> Cow<'_, DMatrix<f64>> {
        Cow::Borrowed(self)
    }
}

/// The pictures as `X = B / 255` without the float64 copy. The products are computed from the
/// bytes and divided by 255 once per result entry, `(S B^T) / 255`, instead of
/// multiplying by each rounded `b / 255`, with `(V^T B) / 255` for `V^T X`: the same numbers up to the last bits (tested against
/// [`CatSplit::x`] to 1e-14 relative), and one rounding fewer.
///
/// ```
/// use hdf5_pure::FileBuilder;
/// use linalg_nn::data::{CatSplit, Split};
/// use nn_engines::inputs::Inputs;
/// use nalgebra::DMatrix;
///
/// let pixels: Vec<u8> = (0..24).map(|v| v * 10 + 5).collect();
/// let mut fb = FileBuilder::new();
/// fb.create_dataset("test_set_x").with_u8_data(&pixels).with_shape(&[2, 2, 2, 3]);
/// fb.create_dataset("test_set_y").with_i64_data(&[1, 0]);
/// fb.create_dataset("list_classes").with_ascii_strings(&["non-cat", "cat"]).unwrap();
/// let split = CatSplit::from_bytes(std::path::Path::new("t.h5"), fb.finish().unwrap(), Split::Test)
///     .unwrap();
///
/// let x = split.x(); // (12, 2): the float64 copy
/// let w = DMatrix::from_fn(12, 1, |i, _| i as f64 - 5.5);
/// let (mut from_bytes, mut from_floats) = (DMatrix::zeros(1, 2), DMatrix::zeros(1, 2));
/// split.tr_mul_into(&mut from_bytes, &w).unwrap(); // w^T X from the bytes
/// x.tr_mul_into(&mut from_floats, &w).unwrap();
/// assert!((from_bytes - from_floats).abs().max() < 1e-14);
/// ```
impl Inputs for CatSplit {
    fn shape(&self) -> (usize, usize) {
        (self.n_x(), self.m())
    }

    fn ensure_finite(&self, _what: &str) -> Result<()> {
        // Every byte / 255 is finite.
        Ok(())
    }

    fn gram(&self) -> GramMatrix {
        crate::gram::gram_of_pictures(self)
    }

    fn tr_mul_into(&self, dst: &mut DMatrix<f64>, v: &DMatrix<f64>) -> Result<()> {
        let (n_x, m) = Inputs::shape(self);
        let k = v.ncols();
        ensure_shape(v, (n_x, k), "V against the pictures X (n_x rows)")?;
        ensure_shape(dst, (k, m), "the product V^T X's destination")?;
        let pixels = self.pixels();
        let fill = |first: usize, columns: &mut [f64]| {
            let count = columns.len() / k.max(1);
            let pictures = &pixels[first * n_x..(first + count) * n_x];
            for r in 0..k {
                let row = &v.as_slice()[r * n_x..(r + 1) * n_x];
                byte_dots(row, pictures, columns[r..].iter_mut().step_by(k));
            }
        };
        // Two halves of the pictures (dst's columns).
        let mid = m.div_ceil(2);
        in_two_parts(dst.as_mut_slice(), k * mid, mid, k * n_x * m, fill);
        Ok(())
    }

    fn gemm_transposed_into(
        &self,
        dst: &mut DMatrix<f64>,
        alpha: f64,
        s: &DMatrix<f64>,
        beta: f64,
    ) -> Result<()> {
        let (n_x, m) = Inputs::shape(self);
        let k = s.nrows();
        ensure_shape(s, (k, m), "S against the pictures X (one column per picture)")?;
        ensure_shape(dst, (k, n_x), "the product S X^T's destination")?;
        let pixels = self.pixels();
        // Row r of the result is sum_j S[r, j] b_j over the pictures b_j, accumulated picture
        // by picture into a contiguous row (then written into the column-major dst).
        let mut rows = vec![0.0; k * n_x];
        let fill = |first_pixel: usize, part: &mut [f64]| {
            let len = part.len() / k.max(1);
            for (r, row) in part.chunks_exact_mut(len.max(1)).enumerate().take(k) {
                let scales: Vec<f64> = s.row(r).iter().copied().collect();
                byte_combination(row, &scales, pixels, n_x, first_pixel);
            }
        };
        // Two halves of the pixels: `rows` as [half 1 of every row, half 2 of every row], so
        // each half is one contiguous part.
        let mid = n_x.div_ceil(2);
        in_two_parts(&mut rows, k * mid, mid, k * n_x * m, fill);
        let (first, second) = rows.split_at(k * mid);
        for r in 0..k {
            for i in 0..n_x {
                let sum = match i < mid {
                    true => first[r * mid + i],
                    false => second[r * (n_x - mid) + (i - mid)],
                };
                let product = beta * (sum / 255.0);
                let out = &mut dst[(r, i)];
                *out = if alpha == 0.0 { product } else { alpha * *out + product };
            }
        }
        Ok(())
    }

    fn to_matrix(&self) -> Cow<'_, DMatrix<f64>> {
        Cow::Owned(pictures_as_floats(self))
    }

    fn pixels(&self) -> Option<&[u8]> {
        Some(CatSplit::pixels(self))
    }
}

/// [`linalg_nn::data::load_dataset`] with the two files read and parsed at once, the test file
/// on the helper thread of [`crate::pair::join`]: the same data set, a millisecond sooner (the
/// Gram runs take about ten).
///
/// ```
/// let empty = tempfile::tempdir().unwrap();
/// let err = nn_engines::inputs::load_dataset_in_parallel(empty.path()).unwrap_err();
/// assert!(err.to_string().contains("train_catvnoncat.h5"));
/// ```
pub fn load_dataset_in_parallel(dir: &Path) -> std::result::Result<CatDataset, DataError> {
    let (train, test) = crate::pair::join(
        || load_cat_file(&dir.join(TRAIN_FILE), Split::Train),
        || load_cat_file(&dir.join(TEST_FILE), Split::Test),
    );
    CatDataset::from_splits(dir, train?, test?)
}

/// The notebook's `X = set_x_orig.reshape(m, -1).T / 255` for `split`: [`CatSplit::x`] bit for
/// bit, built faster. Most of the time of the plain conversion goes into the kernel handing out
/// (and zeroing) 20 MB of fresh memory, so large sets are converted in two halves on two
/// threads, into memory backed by 2 MB pages where the OS allows, eight or four bytes at a time
/// on vector lanes ([`pixels_to_unit_into`]).
///
/// ```
/// use hdf5_pure::FileBuilder;
/// use linalg_nn::data::{CatSplit, Split};
///
/// let pixels: Vec<u8> = (0..=255).chain(0..=255).take(2 * 4 * 4 * 3).collect();
/// let mut fb = FileBuilder::new();
/// fb.create_dataset("test_set_x").with_u8_data(&pixels).with_shape(&[2, 4, 4, 3]);
/// fb.create_dataset("test_set_y").with_i64_data(&[1, 0]);
/// fb.create_dataset("list_classes").with_ascii_strings(&["non-cat", "cat"]).unwrap();
/// let split = CatSplit::from_bytes(std::path::Path::new("t.h5"), fb.finish().unwrap(), Split::Test)
///     .unwrap();
/// assert_eq!(nn_engines::inputs::pictures_as_floats(&split), split.x());
/// ```
pub fn pictures_as_floats(split: &CatSplit) -> DMatrix<f64> {
    let pixels = CatSplit::pixels(split);
    let mut values = huge_page_zeros(pixels.len());
    let convert = |(out, bytes): (&mut [f64], &[u8])| pixels_to_unit_into(out, bytes);
    let (len, half) = (values.len(), values.len().div_ceil(2));
    let mut halves = values.chunks_mut(half.max(1)).zip(pixels.chunks(half.max(1)));
    if len >= PARALLEL_CONVERSION_MIN && crate::pair::cores() > 1 {
        std::thread::scope(|scope| {
            if let Some(first) = halves.next() {
                scope.spawn(move || convert(first));
            }
            halves.for_each(convert);
        });
    } else {
        halves.for_each(convert);
    }
    DMatrix::from_vec(split.n_x(), split.m(), values)
}

/// Below this many values [`pictures_as_floats`] converts on one thread (a thread costs more).
const PARALLEL_CONVERSION_MIN: usize = 1 << 20;

/// `len` zeros, whose memory the kernel is asked to back with 2 MB pages when it is large: the
/// training matrix is 20 MB, and faulting it in 4 KB pages (5000 page faults) took longer than
/// converting the pixels (docs/reference/performance.md). A large zeroed allocation comes straight from
/// the kernel, already zero and not yet touched, so the hint is given before any page exists.
/// It is only a hint: where it is refused (another OS, huge pages disabled) the buffer is an
/// ordinary one.
fn huge_page_zeros(len: usize) -> Vec<f64> {
    let values = vec![0.0; len];
    #[cfg(target_os = "linux")]
    {
        const HUGE_PAGE: usize = 2 << 20;
        let start = values.as_ptr() as usize;
        let end = start + len * std::mem::size_of::<f64>();
        let aligned_start = start.next_multiple_of(HUGE_PAGE);
        let aligned_end = end / HUGE_PAGE * HUGE_PAGE;
        if aligned_end > aligned_start {
            // SAFETY: madvise only advises the kernel how to back pages of this process's own,
            // live allocation (the whole 2 MB-aligned range lies inside `values`' capacity); it
            // neither reads nor writes the memory, and its result is deliberately ignored.
            unsafe {
                libc::madvise(
                    aligned_start as *mut libc::c_void,
                    aligned_end - aligned_start,
                    libc::MADV_HUGEPAGE,
                );
            }
        }
    }
    values
}

/// `dst[i] = src[i] / 255` for every pixel byte: [`linalg_nn::data::cat::pixels_to_unit_into`]
/// bit for bit. On vector lanes ([`crate::lanes`]) eight or four bytes at a time, dividing
/// without a division: `q = b c` with `c = fl(1/255)`, then one Newton correction
/// `q + (b - 255 q) c` in fused multiply-adds, which is the correctly rounded `b / 255` for all
/// 256 bytes (tested against the division); one lane at a time, a table of the 256 quotients.
///
/// ```
/// let mut x = [0.0; 3];
/// nn_engines::inputs::pixels_to_unit_into(&mut x, &[0, 51, 255]);
/// assert_eq!(x, [0.0, 0.2, 1.0]);
/// ```
///
/// # Panics
///
/// If `dst` and `src` differ in length (a bug in the caller, never a matter of input).
pub fn pixels_to_unit_into(dst: &mut [f64], src: &[u8]) {
    pixels_to_unit_at(Level::current(), dst, src);
}

/// [`pixels_to_unit_into`] at `level`.
fn pixels_to_unit_at(level: Level, dst: &mut [f64], src: &[u8]) {
    assert_eq!(dst.len(), src.len(), "pixels_to_unit_into: lengths differ");
    level.run(PixelsToUnit { dst, src });
}

/// The kernel of [`pixels_to_unit_into`].
struct PixelsToUnit<'a> {
    dst: &'a mut [f64],
    src: &'a [u8],
}

impl Kernel for PixelsToUnit<'_> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(self, l: L) {
        let PixelsToUnit { dst, src } = self;
        if L::LANES == 1 {
            // One at a time a table of the 256 possible values is faster than the fused
            // operations (a library call each where the CPU has no FMA), with the same bits.
            const UNIT: [f64; 256] = {
                let mut table = [0.0; 256];
                let mut byte = 0;
                while byte < 256 {
                    table[byte] = byte as f64 / 255.0;
                    byte += 1;
                }
                table
            };
            dst.iter_mut().zip(src).for_each(|(v, &p)| *v = UNIT[usize::from(p)]);
            return;
        }
        let (c, d) = (l.splat(1.0 / 255.0), l.splat(255.0));
        let mut dst_chunks = dst.chunks_exact_mut(L::LANES);
        for (out, bytes) in dst_chunks.by_ref().zip(src.chunks_exact(L::LANES)) {
            let b = l.load_bytes(bytes);
            let q = l.mul(b, c);
            l.store(out, l.mul_add(l.neg_mul_add(q, d, b), c, q));
        }
        let dst_tail = dst_chunks.into_remainder();
        let src_tail = &src[src.len() - dst_tail.len()..];
        dst_tail
            .iter_mut()
            .zip(src_tail)
            .for_each(|(v, &p)| *v = linalg_nn::data::cat::pixel_to_unit(p));
    }
}

/// Runs `fill(0, values[..split])` and `fill(second_start, values[split..])`, where the number
/// says which column or pixel each part starts at: on two threads when the product has at least
/// [`kernels::PARALLEL_THRESHOLD`] multiply-adds. Each result entry is computed whole by one call,
/// so the split changes no bit.
fn in_two_parts(
    values: &mut [f64],
    split: usize,
    second_start: usize,
    work: usize,
    fill: impl Fn(usize, &mut [f64]) + Sync,
) {
    let (first, second) = values.split_at_mut(split.min(values.len()));
    if work >= kernels::PARALLEL_THRESHOLD && crate::pair::cores() > 1 && !second.is_empty() {
        crate::pair::join(|| fill(0, first), || fill(second_start, second));
    } else {
        fill(0, first);
        fill(second_start, second);
    }
}

/// Partial sums of each byte product (one AVX-512 vector, two AVX2 ones, eight single lanes).
const LANES: usize = 8;

/// Pixels per block of [`byte_dots`]: the block of `w` (16 KB) stays in the L1 cache while every
/// picture's bytes of the block pass by, instead of all of `w` (96 KB) once per picture.
const DOT_BLOCK: usize = 2048;

/// `out[j] = sum_i w[i] b_j[i] / 255` for the pictures `b_j` (`w.len()` bytes each) of
/// `pictures`: for each, eight interleaved partial sums (lane `l` adds the terms `i = l mod 8`
/// in order, each product rounded then added), added pairwise at the end, then the terms past
/// the last whole eight one by one. The same bits on every CPU and for any block size, since
/// blocking over `i` keeps each lane's order.
fn byte_dots<'a>(w: &[f64], pictures: &[u8], out: impl Iterator<Item = &'a mut f64>) {
    let n = w.len();
    let count = pictures.len().checked_div(n).unwrap_or(0);
    let whole = n - n % LANES;
    let mut sums = vec![[0.0f64; LANES]; count];
    let mut start = 0;
    while start < whole {
        let end = (start + DOT_BLOCK).min(whole);
        // Four pictures at a time: four independent chains of additions.
        for (quad, lanes) in sums.chunks_mut(4).enumerate() {
            let bytes = |q: usize| {
                let j = 4 * quad + q;
                &pictures[j * n + start..j * n + end]
            };
            match lanes {
                [a, b, c, d] => lane_sums([a, b, c, d], &w[start..end], [0, 1, 2, 3].map(bytes)),
                _ => lanes.iter_mut().enumerate().for_each(|(q, lanes)| {
                    lane_sums_portable(lanes, &w[start..end], bytes(q));
                }),
            }
        }
        start = end;
    }
    for ((j, lanes), out) in sums.iter().enumerate().zip(out) {
        let mut sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
            + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
        for (&w, &b) in w[whole..].iter().zip(&pictures[j * n + whole..(j + 1) * n]) {
            sum += w * f64::from(b);
        }
        *out = sum / 255.0;
    }
}

/// `lanes[q][l] += w[i] b_q[i]` for `i = l mod 8` in order, for four pictures `b_q` at once
/// (`w.len()` a multiple of 8), on the lanes of [`Level::current`].
fn lane_sums(lanes: [&mut [f64; LANES]; 4], w: &[f64], bytes: [&[u8]; 4]) {
    Level::current().run(LaneSums { lanes, w, bytes });
}

/// One picture's `lanes[l] += w[i] b[i]`, each product rounded then added.
#[inline(always)]
fn lane_sums_portable(lanes: &mut [f64; LANES], w: &[f64], bytes: &[u8]) {
    for (w, b) in w.chunks_exact(LANES).zip(bytes.chunks_exact(LANES)) {
        for lane in 0..LANES {
            lanes[lane] += w[lane] * f64::from(b[lane]);
        }
    }
}

/// The kernel of [`lane_sums`]: [`lane_sums_portable`] for four pictures, each one's eight sums
/// in `8 / L::LANES` vectors, a multiply then an add as there.
struct LaneSums<'a> {
    lanes: [&'a mut [f64; LANES]; 4],
    w: &'a [f64],
    bytes: [&'a [u8]; 4],
}

impl Kernel for LaneSums<'_> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(self, l: L) {
        let LaneSums { lanes, w, bytes } = self;
        let vectors = LANES / L::LANES;
        let (w, _) = w.as_chunks::<LANES>();
        let bytes = bytes.map(|b| b.as_chunks::<LANES>().0);
        let steps = bytes.iter().fold(w.len(), |len, b| len.min(b.len()));
        let mut sums = [[l.splat(0.0); LANES]; 4];
        for (sums, lanes) in sums.iter_mut().zip(&lanes) {
            for (v, sum) in sums.iter_mut().enumerate().take(vectors) {
                *sum = l.load(&lanes[v * L::LANES..]);
            }
        }
        for step in 0..steps {
            for v in 0..vectors {
                let wv = l.load(&w[step][v * L::LANES..]);
                for (sums, bytes) in sums.iter_mut().zip(&bytes) {
                    let b = l.load_bytes(&bytes[step][v * L::LANES..]);
                    sums[v] = l.add(sums[v], l.mul(wv, b));
                }
            }
        }
        for (lanes, sums) in lanes.into_iter().zip(&sums) {
            for (v, &sum) in sums.iter().enumerate().take(vectors) {
                l.store(&mut lanes[v * L::LANES..], sum);
            }
        }
    }
}

/// `row[i] = sum_j scales[j] b_j[first + i]` over the pictures `b_j` (`n_x` bytes each, one per
/// scale): for each entry `((0 + s_0 b_0) + s_1 b_1) + ...`, each product rounded then added,
/// in the order of the pictures. The same bits on every CPU.
fn byte_combination(row: &mut [f64], scales: &[f64], pixels: &[u8], n_x: usize, first: usize) {
    Level::current().run(ByteCombination { row, scales, pixels, n_x, first });
}

#[inline(always)]
fn byte_combination_portable(
    row: &mut [f64],
    scales: &[f64],
    pixels: &[u8],
    n_x: usize,
    first: usize,
) {
    row.fill(0.0);
    for (j, &scale) in scales.iter().enumerate() {
        let bytes = &pixels[j * n_x + first..j * n_x + first + row.len()];
        for (out, &b) in row.iter_mut().zip(bytes) {
            *out += scale * f64::from(b);
        }
    }
}

/// Entries per block of [`ByteCombination`]: their sums (8 KB) stay in the L1 cache while each
/// picture's bytes of the block (1 KB, read in order) pass by.
const COMBINATION_BLOCK: usize = 1024;

/// The kernel of [`byte_combination`]: [`byte_combination_portable`] on lanes for the whole
/// vectors of `row`, a block of entries at a time (a multiply then an add, as there), then the
/// last entries as there.
struct ByteCombination<'a> {
    row: &'a mut [f64],
    scales: &'a [f64],
    pixels: &'a [u8],
    n_x: usize,
    first: usize,
}

impl Kernel for ByteCombination<'_> {
    type Output = ();

    #[inline(always)]
    fn run<L: Lanes>(self, l: L) {
        let ByteCombination { row, scales, pixels, n_x, first } = self;
        let whole = row.len() - row.len() % L::LANES;
        let (vectors, rest) = row.split_at_mut(whole);
        vectors.fill(0.0);
        for (block, sums) in vectors.chunks_mut(COMBINATION_BLOCK).enumerate() {
            let offset = first + block * COMBINATION_BLOCK;
            for (j, &scale) in scales.iter().enumerate() {
                let scale = l.splat(scale);
                let bytes = &pixels[j * n_x + offset..j * n_x + offset + sums.len()];
                for (sum, b) in sums.chunks_exact_mut(L::LANES).zip(bytes.chunks_exact(L::LANES)) {
                    l.store(sum, l.add(l.load(sum), l.mul(scale, l.load_bytes(b))));
                }
            }
        }
        byte_combination_portable(rest, scales, pixels, n_x, first + whole);
    }
}

/// The shape error every engine gives for inputs that do not match: `what` names them.
///
/// ```
/// use nn_engines::inputs::{ensure_inputs_shape, Inputs};
/// use nalgebra::DMatrix;
/// let x = DMatrix::<f64>::zeros(3, 2);
/// assert!(ensure_inputs_shape(&x, (3, 2), "X").is_ok());
/// let err = ensure_inputs_shape(&x, (4, 2), "X_test against X_train").unwrap_err();
/// assert!(err.to_string().contains("X_test against X_train"));
/// ```
pub fn ensure_inputs_shape(x: &dyn Inputs, expected: (usize, usize), what: &str) -> Result<()> {
    match x.shape() == expected {
        true => Ok(()),
        false => Err(NnError::shape(what, expected, x.shape())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hdf5_pure::FileBuilder;

    use linalg_nn::rng::NumpyRng;

    /// `m` random pictures of `side x side` pixels, with some pixels 0 and 255.
    fn pictures(m: usize, side: usize, seed: u32) -> CatSplit {
        let mut rng = NumpyRng::new(seed);
        let mut pixels: Vec<u8> =
            rng.rand(1, m * side * side * 3).iter().map(|&v| (v * 256.0) as u8).collect();
        pixels[0] = 255;
        pixels[1] = 0;
        let labels: Vec<i64> = (0..m as i64).map(|j| j % 2).collect();
        let mut fb = FileBuilder::new();
        fb.create_dataset("train_set_x").with_u8_data(&pixels).with_shape(&[
            m as u64,
            side as u64,
            side as u64,
            3,
        ]);
        fb.create_dataset("train_set_y").with_i64_data(&labels);
        fb.create_dataset("list_classes").with_ascii_strings(&["non-cat", "cat"]).unwrap();
        CatSplit::from_bytes(std::path::Path::new("t.h5"), fb.finish().unwrap(), Split::Train)
            .unwrap()
    }

    fn relative(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
        (a - b).abs().max() / b.abs().max()
    }

    #[test]
    fn the_pictures_bytes_give_the_products_of_the_float_matrix() {
        // Small (one thread) and the size of the course's set (two halves on two threads).
        for (m, side) in [(7, 3), (209, 64)] {
            let split = pictures(m, side, 3);
            let x = split.x();
            let n_x = side * side * 3;
            assert_eq!(Inputs::shape(&split), x.shape());
            assert!(Inputs::ensure_finite(&split, "X").is_ok());
            assert_eq!(Inputs::gram(&split), split.gram());
            let mut rng = NumpyRng::new(5);
            for k in [1, 3] {
                let v = rng.randn(n_x, k);
                let (mut bytes, mut floats) = (DMatrix::zeros(k, m), DMatrix::zeros(k, m));
                split.tr_mul_into(&mut bytes, &v).unwrap();
                x.tr_mul_into(&mut floats, &v).unwrap();
                assert!(relative(&bytes, &floats) < 1e-13, "V^T X, k = {k}, m = {m}");

                let s = rng.randn(k, m);
                let start = rng.randn(k, n_x);
                for (alpha, beta) in [(0.0, 1.0), (1.0, -0.25), (0.5, 2.0)] {
                    let (mut bytes, mut floats) = (start.clone(), start.clone());
                    if alpha == 0.0 {
                        bytes.fill(f64::NAN); // ignored with alpha = 0
                    }
                    split.gemm_transposed_into(&mut bytes, alpha, &s, beta).unwrap();
                    x.gemm_transposed_into(&mut floats, alpha, &s, beta).unwrap();
                    assert!(relative(&bytes, &floats) < 1e-13, "S X^T, k = {k}, alpha {alpha}");
                }
            }
            assert_eq!(*split.to_matrix(), x);
        }
    }

    #[test]
    fn the_byte_products_take_their_terms_in_the_documented_order() {
        // Sizes with tails past whole blocks, whole eights and whole groups of 32.
        let mut rng = NumpyRng::new(21);
        for (n, count) in [(7, 3), (8, 1), (2048 + 37, 5), (3 * 2048, 4), (12288, 3)] {
            let w: Vec<f64> = rng.randn(n, 1).iter().copied().collect();
            let pictures: Vec<u8> =
                rng.rand(1, n * count).iter().map(|&v| (v * 256.0) as u8).collect();
            let mut dots = vec![0.0; count];
            byte_dots(&w, &pictures, dots.iter_mut());
            for (j, &dot) in dots.iter().enumerate() {
                let bytes = &pictures[j * n..(j + 1) * n];
                let mut lanes = [0.0f64; 8];
                let whole = n - n % 8;
                for i in 0..whole {
                    lanes[i % 8] += w[i] * f64::from(bytes[i]);
                }
                let mut sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
                    + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
                for i in whole..n {
                    sum += w[i] * f64::from(bytes[i]);
                }
                assert_eq!(dot.to_bits(), (sum / 255.0).to_bits(), "n {n}, picture {j}");
            }
            let scales: Vec<f64> = rng.randn(count, 1).iter().copied().collect();
            let first = n / 3;
            let mut row = vec![f64::NAN; n - first];
            byte_combination(&mut row, &scales, &pictures, n, first);
            for (i, &entry) in row.iter().enumerate() {
                let expected = (0..count)
                    .fold(0.0, |sum, j| sum + scales[j] * f64::from(pictures[j * n + first + i]));
                assert_eq!(entry.to_bits(), expected.to_bits(), "n {n}, entry {i}");
            }
        }
    }

    #[test]
    fn every_level_gives_the_plain_bits() {
        // Lengths with tails past whole vectors and whole blocks.
        let mut rng = NumpyRng::new(31);
        let n = COMBINATION_BLOCK + 2048 + 43;
        let w: Vec<f64> = rng.randn_vec(n);
        let pictures: Vec<u8> = rng.rand(1, 4 * n).iter().map(|&v| (v * 256.0) as u8).collect();
        let bytes: [&[u8]; 4] = std::array::from_fn(|q| &pictures[q * n..(q + 1) * n]);
        let whole = n - n % LANES;
        let start: [[f64; LANES]; 4] = std::array::from_fn(|q| [q as f64 * 0.5; LANES]);
        let mut plain = start;
        for (lanes, bytes) in plain.iter_mut().zip(bytes) {
            lane_sums_portable(lanes, &w[..whole], bytes);
        }
        let scales = rng.randn_vec(4);
        let mut plain_row = vec![f64::NAN; n - 7];
        byte_combination_portable(&mut plain_row, &scales, &pictures, n, 7);
        let every_byte: Vec<u8> = (0..=255).chain([7, 255, 0]).collect();
        let quotients: Vec<f64> = every_byte.iter().map(|&b| f64::from(b) / 255.0).collect();
        let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for level in Level::available() {
            let mut sums = start;
            let [a, b, c, d] = &mut sums;
            level.run(LaneSums { lanes: [a, b, c, d], w: &w[..whole], bytes });
            assert_eq!(bits(sums.as_flattened()), bits(plain.as_flattened()), "{level:?}");
            let mut row = vec![f64::NAN; n - 7];
            let (row_ref, scales) = (&mut row[..], &scales[..]);
            level.run(ByteCombination {
                row: row_ref,
                scales,
                pixels: &pictures,
                n_x: n,
                first: 7,
            });
            assert_eq!(bits(&row), bits(&plain_row), "{level:?}");
            let mut unit = vec![f64::NAN; every_byte.len()];
            pixels_to_unit_at(level, &mut unit, &every_byte);
            assert_eq!(bits(&unit), bits(&quotients), "{level:?}");
        }
    }

    #[test]
    fn shapes_that_do_not_fit_the_pictures_are_refused() {
        let split = pictures(4, 2, 1);
        let err = split.tr_mul_into(&mut DMatrix::zeros(1, 4), &DMatrix::zeros(11, 1));
        assert!(err.unwrap_err().to_string().contains("V against the pictures"));
        let err = split.tr_mul_into(&mut DMatrix::zeros(1, 5), &DMatrix::zeros(12, 1));
        assert!(err.unwrap_err().to_string().contains("V^T X's destination"));
        let err =
            split.gemm_transposed_into(&mut DMatrix::zeros(2, 12), 1.0, &DMatrix::zeros(2, 3), 1.0);
        assert!(err.unwrap_err().to_string().contains("S against the pictures"));
        let err =
            split.gemm_transposed_into(&mut DMatrix::zeros(2, 11), 1.0, &DMatrix::zeros(2, 4), 1.0);
        assert!(err.unwrap_err().to_string().contains("S X^T's destination"));
        assert!(ensure_inputs_shape(&split, (12, 5), "X_test against X_train").is_err());
    }
}
