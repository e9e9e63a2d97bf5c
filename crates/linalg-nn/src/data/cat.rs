//! The cat / non-cat picture sets: `lr_utils.load_dataset` of the week-2 "Logistic Regression
//! with a Neural Network mindset" notebook (reused by the week-4 deep network application).
//!
//! The course ships two HDF5 files: `train_catvnoncat.h5` holds `train_set_x` (uint8,
//! `(209, 64, 64, 3)`), `train_set_y` (int64, `(209,)`) and `list_classes` (`|S7`,
//! `["non-cat", "cat"]`); `test_catvnoncat.h5` holds `test_set_x` `(50, 64, 64, 3)` and
//! `test_set_y` `(50,)`. The loader accepts any number of images `m >= 1` and any square size,
//! and checks everything else before it reads a byte of data, because the files come from the
//! network.

use super::error::{DataError, format_shape};
use hdf5_pure::DType;
use nalgebra::DMatrix;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// File name of the training set inside the data folder.
pub const TRAIN_FILE: &str = "train_catvnoncat.h5";
/// File name of the test set inside the data folder.
pub const TEST_FILE: &str = "test_catvnoncat.h5";
/// The course's `list_classes`: label 0 is `"non-cat"`, label 1 is `"cat"`.
pub const CLASSES: [&str; 2] = ["non-cat", "cat"];
/// Name of the class-name dataset in both files.
const CLASSES_DATASET: &str = "list_classes";
/// What a missing course file's error tells the user to do.
pub const FETCH_HINT: &str = "run `cargo xtask fetch-data` to download the course data sets, \
     or pass `--data-dir DIR` (or set DL_COURSE_DATA) to read them from another folder";

/// Which of the two course files: it decides the dataset names (`train_set_x`, `test_set_y`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    /// `train_catvnoncat.h5`, datasets `train_set_x` / `train_set_y`.
    Train,
    /// `test_catvnoncat.h5`, datasets `test_set_x` / `test_set_y`.
    Test,
}

impl Split {
    /// The dataset-name prefix: `"train"` or `"test"`.
    ///
    /// ```
    /// assert_eq!(linalg_nn::data::Split::Test.prefix(), "test");
    /// ```
    pub fn prefix(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "test",
        }
    }

    /// The course's file name for this split.
    ///
    /// ```
    /// assert_eq!(linalg_nn::data::Split::Train.file_name(), "train_catvnoncat.h5");
    /// ```
    pub fn file_name(self) -> &'static str {
        match self {
            Split::Train => TRAIN_FILE,
            Split::Test => TEST_FILE,
        }
    }

    fn x_dataset(self) -> String {
        format!("{}_set_x", self.prefix())
    }

    fn y_dataset(self) -> String {
        format!("{}_set_y", self.prefix())
    }
}

/// One of the two course files: `m` square RGB pictures and their 0/1 labels.
///
/// The raw bytes are kept exactly as in the file, `(m, num_px, num_px, 3)` row-major, and are
/// the only copy held. [`CatSplit::x`] builds the notebook's `X` from them on each call rather
/// than caching a second, eight-times-larger `f64` copy inside every split: column `j` of `X`
/// is image `j`'s bytes in file order divided by 255, so in nalgebra's column-major storage
/// the whole matrix is one linear pass over the bytes. Call it once and keep the result.
///
/// ```
/// use hdf5_pure::FileBuilder;
/// use linalg_nn::data::{CatSplit, Split};
/// use std::path::Path;
///
/// // Two 2x2 pictures, written the way h5py writes the course files.
/// let pixels: Vec<u8> = (0..24).collect();
/// let mut fb = FileBuilder::new();
/// fb.create_dataset("train_set_x").with_u8_data(&pixels).with_shape(&[2, 2, 2, 3]);
/// fb.create_dataset("train_set_y").with_i64_data(&[1, 0]);
/// fb.create_dataset("list_classes").with_ascii_strings(&["non-cat", "cat"]).unwrap();
/// let bytes = fb.finish().unwrap();
///
/// let split = CatSplit::from_bytes(Path::new("tiny.h5"), bytes, Split::Train).unwrap();
/// assert_eq!((split.m(), split.num_px()), (2, 2));
/// assert_eq!(split.image(1), &pixels[12..24]);
/// assert_eq!(split.labels(), &[1, 0]);
///
/// // X = train_set_x.reshape(m, -1).T / 255: one picture per column.
/// let x = split.x();
/// assert_eq!(x.shape(), (12, 2));
/// assert_eq!(x[(1, 0)], 1.0 / 255.0);
/// assert_eq!(x[(0, 1)], 12.0 / 255.0);
/// assert_eq!(split.y(), nalgebra::DMatrix::from_row_slice(1, 2, &[1.0, 0.0]));
/// ```
#[derive(Clone)]
pub struct CatSplit {
    m: usize,
    num_px: usize,
    /// The bytes holding the pixels, at `pixels_at`: the course file's bytes as read, when it
    /// stores them as plain bytes in one run, as h5py writes them; otherwise the decoded pixels
    /// alone. No copy of 2.5 MB is made just to cut the pixels out of the file.
    bytes: SharedBytes,
    pixels_at: Range<usize>,
    labels: Vec<u8>,
}

/// Bytes shared by the clones of a [`CatSplit`].
type SharedBytes = Arc<Vec<u8>>;

impl std::fmt::Debug for CatSplit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatSplit")
            .field("m", &self.m)
            .field("num_px", &self.num_px)
            .field("pixels", &format_args!("{} bytes", self.pixels().len()))
            .field("labels", &self.labels)
            .finish()
    }
}

/// Two splits are equal when they hold the same pictures and labels, wherever the bytes are.
impl PartialEq for CatSplit {
    fn eq(&self, other: &Self) -> bool {
        (self.m, self.num_px, &self.labels) == (other.m, other.num_px, &other.labels)
            && self.pixels() == other.pixels()
    }
}

impl Eq for CatSplit {}

impl CatSplit {
    /// Parses a course file already in memory. `path` is only used in error messages.
    ///
    /// Validates, in this order and each with its own [`DataError`]: the HDF5 structure, that
    /// `{prefix}_set_x`, `{prefix}_set_y` and `list_classes` exist, their element types (before
    /// reading them), their shapes, that no dataset declares more bytes than the file holds
    /// (before allocating for it), that x and y agree on `m`, that every label is 0 or 1, and
    /// that `list_classes` is `["non-cat", "cat"]`. Damaged bytes give an error, never a panic.
    ///
    /// ```
    /// use linalg_nn::data::{CatSplit, DataError, Split};
    /// use std::path::Path;
    ///
    /// let err = CatSplit::from_bytes(Path::new("notes.txt"), b"hello".to_vec(), Split::Test);
    /// assert!(matches!(err, Err(DataError::NotHdf5 { .. })));
    /// ```
    pub fn from_bytes(path: &Path, bytes: Vec<u8>, split: Split) -> Result<Self, DataError> {
        Self::from_shared(path, Arc::new(bytes), split)
    }

    /// [`CatSplit::from_bytes`] on bytes shared with the HDF5 reader.
    fn from_shared(path: &Path, bytes: SharedBytes, split: Split) -> Result<Self, DataError> {
        // hdf5-pure is not documented to be panic-free on hostile input; nothing the closure
        // builds escapes when it unwinds, so asserting unwind safety is sound.
        match catch_unwind(AssertUnwindSafe(|| parse(path, bytes, split))) {
            Ok(result) => result,
            Err(payload) => {
                let reason = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown reason".to_owned());
                Err(DataError::Corrupt {
                    path: path.to_path_buf(),
                    detail: format!("the HDF5 reader failed on damaged data: {reason}"),
                })
            }
        }
    }

    /// Number of pictures `m`.
    pub fn m(&self) -> usize {
        self.m
    }

    /// Side of the square pictures in pixels (64 for the course files).
    pub fn num_px(&self) -> usize {
        self.num_px
    }

    /// Rows of [`CatSplit::x`]: `num_px * num_px * 3` (12288 for the course files).
    pub fn n_x(&self) -> usize {
        self.num_px * self.num_px * 3
    }

    /// Picture `i` as `num_px * num_px * 3` bytes in (row, column, channel) order, ready for
    /// `image::RgbImage::from_raw(num_px, num_px, bytes.to_vec())`.
    ///
    /// # Panics
    ///
    /// If `i >= m()`, like slice indexing.
    pub fn image(&self, i: usize) -> &[u8] {
        let n_x = self.n_x();
        &self.pixels()[i * n_x..(i + 1) * n_x]
    }

    /// All pictures' bytes, `(m, num_px, num_px, 3)` row-major as in the file.
    pub fn pixels(&self) -> &[u8] {
        &self.bytes.as_slice()[self.pixels_at.clone()]
    }

    /// The labels, 0 (non-cat) or 1 (cat), one per picture.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The notebook's `X = set_x_orig.reshape(m, -1).T / 255`, shape `(n_x, m)`: column `j` is
    /// picture `j` in (row, column, channel) order scaled to `[0, 1]`. Built fresh on each
    /// call (see the type's documentation); the engines have a faster conversion with the
    /// same bits (`nn_engines::inputs::pictures_as_floats`).
    pub fn x(&self) -> DMatrix<f64> {
        let mut x = DMatrix::zeros(self.n_x(), self.m);
        pixels_to_unit_into(x.as_mut_slice(), self.pixels());
        x
    }

    /// The labels as the notebook's `Y`, shape `(1, m)`.
    pub fn y(&self) -> DMatrix<f64> {
        DMatrix::from_iterator(1, self.m, self.labels.iter().map(|&l| f64::from(l)))
    }
}

/// Scales a pixel byte to `[0, 1]`, the notebook's `/ 255.`.
pub fn pixel_to_unit(byte: u8) -> f64 {
    f64::from(byte) / 255.0
}

/// `dst[i] = src[i] / 255` for every pixel byte: how [`CatSplit::x`] and the own-picture loader
/// build the notebook's `X`.
///
/// ```
/// let mut x = [0.0; 3];
/// linalg_nn::data::cat::pixels_to_unit_into(&mut x, &[0, 51, 255]);
/// assert_eq!(x, [0.0, 0.2, 1.0]);
/// ```
///
/// # Panics
///
/// If `dst` and `src` differ in length (a bug in the caller, never a matter of input).
pub fn pixels_to_unit_into(dst: &mut [f64], src: &[u8]) {
    assert_eq!(dst.len(), src.len(), "pixels_to_unit_into: lengths differ");
    dst.iter_mut().zip(src).for_each(|(v, &p)| *v = pixel_to_unit(p));
}

/// Both course files, as returned by `lr_utils.load_dataset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatDataset {
    /// `train_catvnoncat.h5`: 209 pictures, 72 of them cats.
    pub train: CatSplit,
    /// `test_catvnoncat.h5`: 50 pictures, 33 of them cats.
    pub test: CatSplit,
    /// `list_classes`: `["non-cat", "cat"]`, indexed by label.
    pub classes: Vec<String>,
}

/// Loads `train_catvnoncat.h5` and `test_catvnoncat.h5` from `dir`: the course's
/// `lr_utils.load_dataset()`. Both splits must have the same picture size.
///
/// ```
/// use linalg_nn::data::{DataError, load_dataset};
///
/// let empty = tempfile::tempdir().unwrap();
/// let err = load_dataset(empty.path()).unwrap_err();
/// assert!(matches!(err, DataError::Missing { .. }));
/// assert!(err.to_string().contains("train_catvnoncat.h5"));
/// assert!(err.to_string().contains("cargo xtask fetch-data"));
/// ```
pub fn load_dataset(dir: &Path) -> Result<CatDataset, DataError> {
    let train = load_cat_file(&dir.join(TRAIN_FILE), Split::Train)?;
    let test = load_cat_file(&dir.join(TEST_FILE), Split::Test)?;
    CatDataset::from_splits(dir, train, test)
}

impl CatDataset {
    /// The data set of the two splits read from `dir`, after checking that their pictures have
    /// the same size (the error names `dir`'s test file).
    pub fn from_splits(dir: &Path, train: CatSplit, test: CatSplit) -> Result<Self, DataError> {
        check_same_size(dir, &train, &test)?;
        Ok(CatDataset { train, test, classes: CLASSES.iter().map(|&c| c.to_owned()).collect() })
    }
}

fn check_same_size(dir: &Path, train: &CatSplit, test: &CatSplit) -> Result<(), DataError> {
    if train.num_px != test.num_px {
        return Err(DataError::Inconsistent {
            path: dir.join(TEST_FILE),
            detail: format!(
                "dataset \"test_set_x\" has {0}x{0} pictures but the training set has {1}x{1}",
                test.num_px, train.num_px
            ),
        });
    }
    Ok(())
}

/// Loads one course file; `split` says which dataset names to expect.
///
/// The file is read into memory this program owns (2.5 MB for the training set), so nothing
/// another program does to the file afterwards can change the pictures, and parsed as
/// [`CatSplit::from_bytes`] does.
///
/// ```
/// use linalg_nn::data::{DataError, Split, load_cat_file};
///
/// let dir = tempfile::tempdir().unwrap();
/// let err = load_cat_file(dir.path(), Split::Train).unwrap_err();
/// assert!(matches!(err, DataError::Io { .. }), "a directory is not a data file");
/// ```
pub fn load_cat_file(path: &Path, split: Split) -> Result<CatSplit, DataError> {
    let bytes = read_file(path, FETCH_HINT)?;
    CatSplit::from_bytes(path, bytes, split)
}

/// Reads a whole file, telling a missing file (with `hint`) from an unreadable one.
pub(crate) fn read_file(path: &Path, hint: &str) -> Result<Vec<u8>, DataError> {
    refuse_directory(path)?;
    std::fs::read(path).map_err(|source| file_error(path, hint, source))
}

/// A directory where a file was expected: an I/O error that says so.
fn refuse_directory(path: &Path) -> Result<(), DataError> {
    match path.is_dir() {
        true => Err(DataError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "this is a directory, expected a file",
            ),
        }),
        false => Ok(()),
    }
}

/// An error opening or reading `path`: a missing file with `hint`, anything else as it is.
fn file_error(path: &Path, hint: &str, source: std::io::Error) -> DataError {
    match source.kind() {
        std::io::ErrorKind::NotFound => {
            DataError::Missing { path: path.to_path_buf(), hint: hint.to_owned() }
        }
        _ => DataError::Io { path: path.to_path_buf(), source },
    }
}

/// The parser proper; [`CatSplit::from_bytes`] wraps it against panics.
fn parse(path: &Path, bytes: SharedBytes, split: Split) -> Result<CatSplit, DataError> {
    let file_len = u64::try_from(bytes.as_slice().len()).unwrap_or(u64::MAX);
    let file = hdf5_pure::File::from_source(FileBytes(Arc::clone(&bytes)))
        .map_err(|e| DataError::NotHdf5 { path: path.to_path_buf(), detail: e.to_string() })?;
    let ctx = Ctx { path, file: &file, file_len };

    let x_name = split.x_dataset();
    let x_ds = ctx.dataset(&x_name)?;
    ctx.expect_dtype(&x_ds, &x_name, "uint8", |d| matches!(d, DType::U8))?;
    let x_shape = ctx.shape(&x_ds, &x_name)?;
    let (m, num_px) = match x_shape[..] {
        [m, h, w, 3] if m >= 1 && h >= 1 && h == w => (m, h),
        _ => {
            return Err(DataError::WrongShape {
                path: path.to_path_buf(),
                dataset: x_name,
                expected: "(m, num_px, num_px, 3) with m >= 1 and num_px >= 1".to_owned(),
                found: x_shape,
            });
        }
    };
    let pixel_count = ctx.check_fits(&x_ds, &x_name, &x_shape)?;
    // Plain 8-bit unsigned bytes (what h5py writes for uint8) are the pixel values as stored:
    // stored in one run, they are used where they are in the file. Any other uint8 encoding
    // (bit offset, reduced precision) or layout (chunks, compact) goes through the decoder.
    let plain_bytes = matches!(
        x_ds.datatype(),
        Ok(hdf5_pure::Datatype::FixedPoint {
            size: 1,
            layout: hdf5_pure::FixedPointLayout { signed: false, bit_offset: 0, bit_precision: 8 },
            ..
        })
    );
    let in_file = match x_ds.layout() {
        Ok(hdf5_pure::Layout::Contiguous { address: Some(address), size }) if plain_bytes => {
            let start = usize::try_from(address).ok();
            let end = start.and_then(|start| start.checked_add(pixel_count));
            match (start, end) {
                (Some(start), Some(end))
                    if size == pixel_count as u64 && end <= bytes.as_slice().len() =>
                {
                    Some(start..end)
                }
                _ => None,
            }
        }
        _ => None,
    };
    let (pixel_bytes, pixels_at) = match in_file {
        Some(range) => (Arc::clone(&bytes), range),
        None => {
            let pixels = if plain_bytes { x_ds.read_raw() } else { x_ds.read_u8() }
                .map_err(|e| ctx.corrupt(&x_name, &e))?;
            if pixels.len() != pixel_count {
                return Err(ctx.short_read(&x_name, pixel_count, pixels.len()));
            }
            (Arc::new(pixels) as SharedBytes, 0..pixel_count)
        }
    };

    let y_name = split.y_dataset();
    let y_ds = ctx.dataset(&y_name)?;
    ctx.expect_dtype(&y_ds, &y_name, "int64 (or another integer type)", is_integer)?;
    let y_shape = ctx.shape(&y_ds, &y_name)?;
    let [label_count] = y_shape[..] else {
        return Err(DataError::WrongShape {
            path: path.to_path_buf(),
            dataset: y_name,
            expected: format!("({m},), one label per picture"),
            found: y_shape,
        });
    };
    if label_count != m {
        return Err(DataError::Inconsistent {
            path: path.to_path_buf(),
            detail: format!(
                "dataset \"{x_name}\" has {m} pictures but dataset \"{y_name}\" has {label_count} labels"
            ),
        });
    }
    let label_total = ctx.check_fits(&y_ds, &y_name, &y_shape)?;
    let raw_labels = y_ds.read_i64().map_err(|e| ctx.corrupt(&y_name, &e))?;
    if raw_labels.len() != label_total {
        return Err(ctx.short_read(&y_name, label_total, raw_labels.len()));
    }
    let labels = raw_labels
        .iter()
        .enumerate()
        .map(|(index, &value)| match value {
            0 => Ok(0),
            1 => Ok(1),
            _ => Err(DataError::BadLabel {
                path: path.to_path_buf(),
                dataset: y_name.clone(),
                index,
                value,
            }),
        })
        .collect::<Result<Vec<u8>, _>>()?;

    ctx.check_classes()?;

    // Both fit in usize: check_fits bounded them by the file length.
    let to_usize = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
    Ok(CatSplit { m: to_usize(m), num_px: to_usize(num_px), bytes: pixel_bytes, pixels_at, labels })
}

/// The bytes of a course file as hdf5-pure's [`hdf5_pure::Source`]: it reads the metadata from
/// them, and the pixels are then taken where they are.
struct FileBytes(SharedBytes);

impl hdf5_pure::Source for FileBytes {
    fn len(&self) -> u64 {
        u64::try_from(self.0.as_slice().len()).unwrap_or(u64::MAX)
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), hdf5_pure::FormatError> {
        let bytes = self.0.as_slice();
        let start = usize::try_from(offset).map_err(|_| {
            hdf5_pure::FormatError::ValueTooLargeForPlatform { value: offset, target: "usize" }
        })?;
        // Reported as hdf5-pure's in-memory files do: the end needed against the file's length.
        match start.checked_add(buf.len()) {
            Some(end) if end <= bytes.len() => {}
            end => {
                return Err(hdf5_pure::FormatError::UnexpectedEof {
                    expected: end.unwrap_or(usize::MAX),
                    available: bytes.len(),
                });
            }
        }
        buf.copy_from_slice(&bytes[start..start + buf.len()]);
        Ok(())
    }
}

fn is_integer(dtype: &DType) -> bool {
    matches!(
        dtype,
        DType::I8
            | DType::I16
            | DType::I32
            | DType::I64
            | DType::U8
            | DType::U16
            | DType::U32
            | DType::U64
    )
}

/// An element type in numpy's words, since the course and h5py users think in those.
fn numpy_name(dtype: &DType, element_size: Option<u64>) -> String {
    match dtype {
        DType::F32 => "float32".to_owned(),
        DType::F64 => "float64".to_owned(),
        DType::I8 => "int8".to_owned(),
        DType::I16 => "int16".to_owned(),
        DType::I32 => "int32".to_owned(),
        DType::I64 => "int64".to_owned(),
        DType::U8 => "uint8".to_owned(),
        DType::U16 => "uint16".to_owned(),
        DType::U32 => "uint32".to_owned(),
        DType::U64 => "uint64".to_owned(),
        DType::String => match element_size {
            Some(size) => format!("fixed-length string |S{size}"),
            None => "fixed-length string".to_owned(),
        },
        DType::VariableLengthString => "variable-length string".to_owned(),
        other => format!("{other}"),
    }
}

/// The file being parsed, for error messages and size checks.
struct Ctx<'a> {
    path: &'a Path,
    file: &'a hdf5_pure::File,
    file_len: u64,
}

impl Ctx<'_> {
    fn path(&self) -> PathBuf {
        self.path.to_path_buf()
    }

    fn corrupt(&self, dataset: &str, err: &hdf5_pure::Error) -> DataError {
        DataError::Corrupt { path: self.path(), detail: format!("dataset \"{dataset}\": {err}") }
    }

    fn short_read(&self, dataset: &str, expected: usize, found: usize) -> DataError {
        DataError::Corrupt {
            path: self.path(),
            detail: format!(
                "dataset \"{dataset}\": read {found} elements, its shape declares {expected}"
            ),
        }
    }

    fn dataset(&self, name: &str) -> Result<hdf5_pure::Dataset, DataError> {
        self.file.dataset(name).map_err(|e| match e {
            hdf5_pure::Error::Format(hdf5_pure::FormatError::PathNotFound(_))
            | hdf5_pure::Error::NotADataset(_) => {
                DataError::MissingDataset { path: self.path(), dataset: name.to_owned() }
            }
            other => self.corrupt(name, &other),
        })
    }

    fn expect_dtype(
        &self,
        ds: &hdf5_pure::Dataset,
        name: &str,
        expected: &str,
        accept: impl Fn(&DType) -> bool,
    ) -> Result<(), DataError> {
        let dtype = ds.dtype().map_err(|e| self.corrupt(name, &e))?;
        if accept(&dtype) {
            Ok(())
        } else {
            Err(DataError::WrongDtype {
                path: self.path(),
                dataset: name.to_owned(),
                expected: expected.to_owned(),
                found: numpy_name(&dtype, ds.element_size().ok()),
            })
        }
    }

    fn shape(&self, ds: &hdf5_pure::Dataset, name: &str) -> Result<Vec<u64>, DataError> {
        ds.shape().map_err(|e| self.corrupt(name, &e))
    }

    /// Refuses a dataset whose declared size exceeds the whole file, so that no allocation is
    /// ever sized by an untrusted header beyond what the file can hold. Returns the element
    /// count. (Compressed data could legitimately exceed it, but the course files are
    /// uncompressed and this build of hdf5-pure has no decompressor anyway.)
    fn check_fits(
        &self,
        ds: &hdf5_pure::Dataset,
        name: &str,
        shape: &[u64],
    ) -> Result<usize, DataError> {
        let element_size = ds.element_size().map_err(|e| self.corrupt(name, &e))?;
        let count = shape.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d));
        let bytes = count.and_then(|c| c.checked_mul(element_size));
        match (count, bytes) {
            (Some(count), Some(bytes)) if bytes <= self.file_len => {
                usize::try_from(count).map_err(|_| self.too_big(name, shape, element_size))
            }
            _ => Err(self.too_big(name, shape, element_size)),
        }
    }

    fn too_big(&self, name: &str, shape: &[u64], element_size: u64) -> DataError {
        DataError::Corrupt {
            path: self.path(),
            detail: format!(
                "dataset \"{name}\" declares shape {} of {element_size}-byte elements, \
                 more than the whole file ({} bytes)",
                format_shape(shape),
                self.file_len
            ),
        }
    }

    fn check_classes(&self) -> Result<(), DataError> {
        let name = CLASSES_DATASET;
        let ds = self.dataset(name)?;
        self.expect_dtype(&ds, name, "a string type (|S7)", |d| {
            matches!(d, DType::String | DType::VariableLengthString)
        })?;
        let shape = self.shape(&ds, name)?;
        if shape != [2] {
            return Err(DataError::WrongShape {
                path: self.path(),
                dataset: name.to_owned(),
                expected: "(2,)".to_owned(),
                found: shape,
            });
        }
        self.check_fits(&ds, name, &shape)?;
        let found = ds.read_string().map_err(|e| self.corrupt(name, &e))?;
        let trimmed: Vec<&str> = found.iter().map(|s| s.trim_end_matches(['\0', ' '])).collect();
        if trimmed == CLASSES {
            Ok(())
        } else {
            Err(DataError::WrongClasses {
                path: self.path(),
                dataset: name.to_owned(),
                found: trimmed.iter().map(|&s| s.to_owned()).collect(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixel_conversion_is_the_division_for_every_byte() {
        // Every byte value, at every position of a 16-byte chunk and in the tail.
        let bytes: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).chain([7, 255, 33]).collect();
        let mut converted = vec![f64::NAN; bytes.len()];
        pixels_to_unit_into(&mut converted, &bytes);
        for (&value, &byte) in converted.iter().zip(&bytes) {
            assert_eq!(value.to_bits(), (f64::from(byte) / 255.0).to_bits(), "byte {byte}");
        }
    }

    #[test]
    fn dtype_names_follow_numpy() {
        assert_eq!(numpy_name(&DType::F64, Some(8)), "float64");
        assert_eq!(numpy_name(&DType::U8, Some(1)), "uint8");
        assert_eq!(numpy_name(&DType::String, Some(7)), "fixed-length string |S7");
    }

    #[test]
    fn split_names_match_the_course_files() {
        assert_eq!(Split::Train.x_dataset(), "train_set_x");
        assert_eq!(Split::Test.y_dataset(), "test_set_y");
        assert_eq!(Split::Test.file_name(), "test_catvnoncat.h5");
    }

    #[test]
    fn integer_label_types_are_accepted_floats_are_not() {
        assert!(is_integer(&DType::I64));
        assert!(is_integer(&DType::U8));
        assert!(!is_integer(&DType::F64));
        assert!(!is_integer(&DType::String));
    }
}
