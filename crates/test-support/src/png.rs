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
