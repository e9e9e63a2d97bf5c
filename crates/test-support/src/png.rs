//! Checking a figure a run wrote: a real PNG (the signature, then a full decode) of at least
//! the size the plotting code draws.

use image::RgbImage;
use std::path::Path;

/// Decodes the PNG at `path` after checking its signature, and checks that it is at least
/// `min_width` x `min_height` pixels.
pub fn assert_png(path: &Path, min_width: u32, min_height: u32) -> RgbImage {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", path.display());
    let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    assert!(
        img.width() >= min_width && img.height() >= min_height,
        "{} is {}x{}, expected at least {min_width}x{min_height}",
        path.display(),
        img.width(),
        img.height()
    );
    img
}

/// CRC-32 (ISO-HDLC), as PNG chunks use it; bitwise, since the files the tests hand-make are
/// tiny.
///
/// ```
/// // Every PNG ends with IEND, whose CRC is AE 42 60 82 (PNG specification, section 5.6).
/// assert_eq!(test_support::png::crc32(b"IEND"), 0xAE42_6082);
/// ```
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// One PNG chunk: its length, `kind`, `data` and the CRC of kind and data, for hand-made files.
pub fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}
