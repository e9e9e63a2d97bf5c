//! "Test with your own image" (end of the week-2 and week-4 notebooks): turn a JPEG or PNG of
//! your own into the `(num_px * num_px * 3, 1)` column a trained model takes.
//!
//! The notebook does `scipy.misc.imresize(image, size=(num_px, num_px)).reshape((1, -1)).T / 255`;
//! `imresize` resamples bilinearly, so this module uses [`RESIZE_FILTER`] = `Triangle`, the
//! `image` crate's bilinear filter (widened when shrinking, as Pillow does, so a photo is
//! averaged rather than sampled).

use super::cat::{pixels_to_unit_into, read_file};
use super::error::DataError;
use ::image::imageops::FilterType;
use ::image::metadata::Orientation;
use ::image::{DynamicImage, ImageDecoder, ImageError, ImageReader, Limits, RgbImage};
use nalgebra::DMatrix;
use std::io::Cursor;
use std::path::Path;

/// Most memory the decoded picture may take: a 10000 x 10000 RGB photo (300 MB) fits and is
/// downscaled; anything larger is refused before its pixels are allocated.
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// The resampling filter used to bring a picture to `num_px x num_px` (bilinear, like the
/// notebook's `scipy.misc.imresize`).
pub const RESIZE_FILTER: FilterType = FilterType::Triangle;

/// What a missing picture's error suggests.
const PICTURE_HINT: &str = "check the path of your picture";

/// Loads a picture of your own as a column for a model trained on the cat pictures.
///
/// Steps: decode the JPEG or PNG (the format is recognised from the content, not the file name; a
/// JPEG cut short is refused rather than decoded half grey), refusing pictures that would need more
/// than [`MAX_DECODE_BYTES`]; resize to `num_px x num_px` with [`RESIZE_FILTER`], ignoring the
/// aspect ratio as the notebook does — skipped when the picture already has that size, so the
/// pixels pass through unchanged; apply the EXIF orientation a phone camera records; convert to
/// 8-bit RGB (grey is copied to three channels, alpha is dropped). Returns the column, `(num_px *
/// num_px * 3, 1)` in (row, column, channel) order divided by 255 — exactly the layout of
/// [`CatSplit::x`](super::CatSplit::x) — and the resized picture, for display.
///
/// ```
/// use image::{Rgb, RgbImage};
/// use linalg_nn::data::load_image_as_column;
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("orange.png");
/// RgbImage::from_pixel(3, 2, Rgb([255, 102, 0])).save(&path).unwrap();
///
/// let (column, picture) = load_image_as_column(&path, 4).unwrap();
/// assert_eq!(column.shape(), (4 * 4 * 3, 1));
/// assert_eq!(picture.dimensions(), (4, 4));
/// assert_eq!(&column.as_slice()[..3], &[1.0, 0.4, 0.0]);
/// ```
pub fn load_image_as_column(
    path: &Path,
    num_px: u32,
) -> Result<(DMatrix<f64>, RgbImage), DataError> {
    let image_error = |detail: String| DataError::Image { path: path.to_path_buf(), detail };
    if num_px == 0 {
        return Err(image_error("num_px must be at least 1".to_owned()));
    }
    let bytes = read_file(path, PICTURE_HINT)?;
    if bytes.starts_with(&[0xFF, 0xD8]) && !jpeg_is_complete(&bytes) {
        return Err(image_error(
            "the JPEG stops before its end-of-image marker: the file is cut short (an \
             interrupted download or copy?)"
                .to_owned(),
        ));
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| image_error(format!("cannot read the picture: {e}")))?;
    if reader.format().is_none() {
        return Err(image_error(
            "not a PNG or JPEG picture (its first bytes match no known format)".to_owned(),
        ));
    }
    let mut reader = reader;
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| image_error(describe(&e)))?;

    let (width, height) = decoder.dimensions();
    let needed = decoder.total_bytes();
    if needed > MAX_DECODE_BYTES {
        return Err(image_error(format!(
            "a {width}x{height} picture needs {needed} bytes once decoded, more than the \
             {MAX_DECODE_BYTES}-byte limit; shrink it first"
        )));
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let decoded = DynamicImage::from_decoder(decoder).map_err(|e| image_error(describe(&e)))?;

    // Resizing in the decoded colour type keeps the peak memory at the decoded picture plus a
    // small output; the filter treats channels independently, so dropping alpha or expanding
    // grey afterwards gives the same result as before.
    let mut resized = if decoded.width() == num_px && decoded.height() == num_px {
        decoded
    } else {
        decoded.resize_exact(num_px, num_px, RESIZE_FILTER)
    };
    // The output is square, so rotating after resizing equals resizing the rotated photo.
    resized.apply_orientation(orientation);
    let rgb = resized.into_rgb8();

    let mut column = DMatrix::zeros(rgb.as_raw().len(), 1);
    pixels_to_unit_into(column.as_mut_slice(), rgb.as_raw());
    Ok((column, rgb))
}

/// Whether a JPEG's last scan is followed by the end-of-image marker `FF D9`. The decoder fills
/// a picture whose data stops early with grey instead of failing, so without this check a
/// half-downloaded photo would be classified as if it were whole. Inside a scan `FF` bytes are
/// escaped (`FF 00`), and an EXIF thumbnail's own markers come before the main picture's last
/// scan, so only a real end of image satisfies the check. Bytes without any scan are left to
/// the decoder, which reports them.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    const START_OF_SCAN: [u8; 2] = [0xFF, 0xDA];
    const END_OF_IMAGE: [u8; 2] = [0xFF, 0xD9];
    match bytes.windows(2).rposition(|w| w == START_OF_SCAN) {
        Some(scan) => bytes[scan..].windows(2).any(|w| w == END_OF_IMAGE),
        None => true,
    }
}

/// An `image` error in words that say what to do about it.
fn describe(err: &ImageError) -> String {
    let text = match err {
        ImageError::Limits(e) => {
            format!("too large to decode within {MAX_DECODE_BYTES} bytes ({e}); shrink it first")
        }
        ImageError::Unsupported(e) => format!("unsupported picture: {e}"),
        ImageError::Decoding(e) => format!("cannot decode (damaged or truncated file?): {e}"),
        ImageError::IoError(e) => format!("cannot decode (truncated file?): {e}"),
        other => format!("cannot decode: {other}"),
    };
    // Some decoder messages end in a newline, which would split the one-line error.
    text.trim_end().to_owned()
}
