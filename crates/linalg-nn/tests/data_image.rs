//! Tests of `load_image_as_column`, the notebooks' "test with your own image" cell: a test-set
//! picture saved as PNG comes back as exactly its column of `X`, colour conversions, resizing,
//! and clear errors for files that are not pictures.
//!
//! The round-trip test reads the real test set (`$DL_COURSE_DATA` or `datasets/`) and FAILS
//! when it is missing, naming `cargo xtask fetch-data`.

use image::{GrayImage, ImageFormat, Luma, Rgb, RgbImage, Rgba, RgbaImage};
use linalg_nn::atomic::write_bytes_atomic;
use linalg_nn::data::image::MAX_DECODE_BYTES;
use linalg_nn::data::{DataError, Split, default_data_dir, load_cat_file, load_image_as_column};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use test_support::png::chunk;

fn encode(image: &image::DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).expect("encodes in memory");
    bytes.into_inner()
}

fn write_png(dir: &Path, name: &str, image: impl Into<image::DynamicImage>) -> PathBuf {
    let path = dir.join(name);
    write_bytes_atomic(&path, &encode(&image.into(), ImageFormat::Png)).expect("written");
    path
}

#[test]
fn test_set_picture_saved_as_png_gives_back_its_column_of_x() {
    let dir = default_data_dir();
    let test = load_cat_file(&dir.join("test_catvnoncat.h5"), Split::Test)
        .unwrap_or_else(|e| panic!("this test needs the course files: {e}"));
    let picture = RgbImage::from_raw(64, 64, test.image(1).to_vec()).expect("64*64*3 bytes");
    let tmp = tempfile::tempdir().unwrap();
    let path = write_png(tmp.path(), "cat.png", picture);

    let (column, loaded) = load_image_as_column(&path, 64).unwrap();
    assert_eq!(loaded.as_raw().as_slice(), test.image(1), "64x64 input must not be resampled");
    let x = test.x();
    assert_eq!(column.shape(), (12288, 1));
    assert_eq!(column.as_slice(), x.column(1).as_slice());
}

#[test]
fn grayscale_becomes_three_equal_channels() {
    let dir = tempfile::tempdir().unwrap();
    let grey = GrayImage::from_fn(4, 4, |x, y| Luma([(x * 60 + y * 3) as u8]));
    let path = write_png(dir.path(), "grey.png", grey.clone());
    let (column, rgb) = load_image_as_column(&path, 4).unwrap();
    for (x, y, pixel) in rgb.enumerate_pixels() {
        let g = grey.get_pixel(x, y)[0];
        assert_eq!(pixel.0, [g, g, g]);
    }
    // Pixel (row 1, col 2) is column entries 3 * (1 * 4 + 2) .. + 3.
    let start = 3 * (4 + 2);
    let expected = f64::from(2 * 60 + 3) / 255.0;
    assert_eq!(&column.as_slice()[start..start + 3], &[expected; 3]);
}

#[test]
fn alpha_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let rgba =
        RgbaImage::from_fn(2, 2, |x, y| Rgba([10 * x as u8, 20 * y as u8, 30, 40 + 100 * x as u8]));
    let path = write_png(dir.path(), "rgba.png", rgba);
    let (column, rgb) = load_image_as_column(&path, 2).unwrap();
    assert_eq!(rgb.as_raw(), &[0, 0, 30, 10, 0, 30, 0, 20, 30, 10, 20, 30]);
    let expected: Vec<f64> = rgb.as_raw().iter().map(|&b| f64::from(b) / 255.0).collect();
    assert_eq!(column.as_slice(), expected.as_slice());
}

#[test]
fn one_pixel_is_stretched_to_64x64_of_its_colour() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_png(dir.path(), "dot.png", RgbImage::from_pixel(1, 1, Rgb([200, 100, 7])));
    let (column, rgb) = load_image_as_column(&path, 64).unwrap();
    assert_eq!(rgb.dimensions(), (64, 64));
    assert!(rgb.pixels().all(|p| p.0 == [200, 100, 7]));
    assert_eq!(column.shape(), (12288, 1));
    assert_eq!(&column.as_slice()[12285..], &[200.0 / 255.0, 100.0 / 255.0, 7.0 / 255.0]);
}

#[test]
fn large_photo_is_averaged_down() {
    let dir = tempfile::tempdir().unwrap();
    // Left half black, right half white, 2000x1500: bilinear shrinking keeps the halves and
    // blends only the middle columns.
    let photo =
        RgbImage::from_fn(2000, 1500, |x, _| if x < 1000 { Rgb([0; 3]) } else { Rgb([255; 3]) });
    let path = write_png(dir.path(), "photo.png", photo);
    let (_, rgb) = load_image_as_column(&path, 64).unwrap();
    assert_eq!(rgb.dimensions(), (64, 64));
    for y in 0..64 {
        assert_eq!(rgb.get_pixel(0, y).0, [0; 3]);
        assert_eq!(rgb.get_pixel(30, y).0, [0; 3]);
        assert_eq!(rgb.get_pixel(33, y).0, [255; 3]);
        assert_eq!(rgb.get_pixel(63, y).0, [255; 3]);
    }
}

#[test]
fn jpeg_is_decoded_too() {
    let dir = tempfile::tempdir().unwrap();
    let picture = image::DynamicImage::from(RgbImage::from_pixel(16, 16, Rgb([40, 120, 200])));
    let path = dir.path().join("flat.jpg");
    write_bytes_atomic(&path, &encode(&picture, ImageFormat::Jpeg)).unwrap();
    let (_, rgb) = load_image_as_column(&path, 8).unwrap();
    // JPEG is lossy: a flat colour comes back within a few levels.
    for p in rgb.pixels() {
        for (got, want) in p.0.iter().zip([40u8, 120, 200]) {
            assert!(got.abs_diff(want) <= 3, "{:?}", p.0);
        }
    }
}

#[test]
fn text_file_named_png_is_an_image_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("not_a_cat.png");
    write_bytes_atomic(&path, b"this is a text file, not a picture\n").unwrap();
    let err = load_image_as_column(&path, 64).unwrap_err();
    assert!(matches!(err, DataError::Image { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("not_a_cat.png") && msg.contains("not a PNG or JPEG"), "{msg}");
}

#[test]
fn truncated_png_is_an_image_error() {
    let dir = tempfile::tempdir().unwrap();
    let picture =
        image::DynamicImage::from(RgbImage::from_fn(32, 32, |x, y| Rgb([x as u8, y as u8, 9])));
    let bytes = encode(&picture, ImageFormat::Png);
    let path = dir.path().join("cut.png");
    write_bytes_atomic(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = load_image_as_column(&path, 64).unwrap_err();
    assert!(matches!(err, DataError::Image { .. }), "{err:?}");
    assert!(err.to_string().contains("cut.png"), "{err}");
}

#[test]
fn missing_and_directory_paths_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let err = load_image_as_column(&dir.path().join("my_cat.jpg"), 64).unwrap_err();
    assert!(matches!(err, DataError::Missing { .. }), "{err:?}");
    assert!(err.to_string().contains("my_cat.jpg"));
    let err = load_image_as_column(dir.path(), 64).unwrap_err();
    assert!(matches!(err, DataError::Io { .. }), "{err:?}");
}

#[test]
fn zero_num_px_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_png(dir.path(), "dot.png", RgbImage::from_pixel(1, 1, Rgb([1, 2, 3])));
    let err = load_image_as_column(&path, 0).unwrap_err();
    assert!(err.to_string().contains("num_px must be at least 1"), "{err}");
}

#[test]
fn absurdly_large_header_is_refused_before_decoding() {
    // A valid PNG header declaring 30000 x 30000 RGB (2.7 GB decoded) with no pixel data.
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&30_000u32.to_be_bytes());
    ihdr.extend_from_slice(&30_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    png.extend(chunk(b"IEND", &[]));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.png");
    write_bytes_atomic(&path, &png).unwrap();

    let err = load_image_as_column(&path, 64).unwrap_err();
    assert!(matches!(err, DataError::Image { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("huge.png") && msg.contains(&MAX_DECODE_BYTES.to_string()), "{msg}");
    assert!(msg.contains("30000x30000"), "{msg}");
}
