//! Pictures a learner may pass to `--image` (`linalg_nn::data::load_image_as_column`): a
//! photo cut short, a text file named `.png`, a PNG named `.jpg`, one pixel, 10000 x 10000
//! pixels, a header declaring 30000 x 30000, grey, grey with alpha, RGBA, 16-bit and palette
//! pictures (converted, not rejected), and seeded mutations of a real test-set picture saved as
//! PNG and as JPEG. Each must give an error naming the file or a 64 x 64 RGB picture, within the
//! time budget. Builds the "Pictures" tables of docs/reference/reliability.md; complements
//! tests/data_image.rs (exact pixel values of the conversions).
//!
//! Reads the real test set (`$DL_COURSE_DATA` or `datasets/`) and FAILS when it is missing.

#[path = "hostile_support/mod.rs"]
mod hostile_support;

use hostile_support::guard::{LargestAllocation, TIME_BUDGET, measure};
use hostile_support::mutate::{SplitMix64, random_mutation};
use hostile_support::oracle::{Outcome, Tally, classify_error};
use hostile_support::report::{Section, sanitize};
use image::{DynamicImage, GrayAlphaImage, GrayImage, ImageFormat, LumaA, Rgb, RgbImage};
use linalg_nn::data::image::MAX_DECODE_BYTES;
use linalg_nn::data::{DataError, Split, default_data_dir, load_cat_file, load_image_as_column};
use nalgebra::DMatrix;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use test_support::png::{chunk, crc32};

#[global_allocator]
static ALLOC: LargestAllocation = LargestAllocation;

/// The side the course's models take.
const NUM_PX: u32 = 64;

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).expect("encodes in memory");
    bytes.into_inner()
}

/// Test-set picture 1 (a cat), as the learner's own photo.
fn cat_picture() -> &'static RgbImage {
    static PICTURE: OnceLock<RgbImage> = OnceLock::new();
    PICTURE.get_or_init(|| {
        let path = default_data_dir().join("test_catvnoncat.h5");
        let test = load_cat_file(&path, Split::Test)
            .unwrap_or_else(|e| panic!("the picture tests need the course files: {e}"));
        RgbImage::from_raw(64, 64, test.image(1).to_vec()).expect("64 * 64 * 3 bytes")
    })
}

type Loaded = Result<(DMatrix<f64>, RgbImage), DataError>;

/// Loads `path` under the time budget (the decoder's own limit bounds memory, so no
/// allocation allowance is asserted) and checks the result's shape.
fn load(path: &Path) -> (Loaded, std::time::Duration) {
    let (result, cost) = measure(|| load_image_as_column(path, NUM_PX));
    if let Ok((column, picture)) = &result {
        assert_eq!(column.shape(), (12288, 1), "{}", path.display());
        assert_eq!(picture.dimensions(), (NUM_PX, NUM_PX), "{}", path.display());
        assert!(column.iter().all(|v| (0.0..=1.0).contains(v)), "{}", path.display());
    }
    assert!(
        cost.largest_allocation as u64 <= MAX_DECODE_BYTES + (1 << 20),
        "{}: one allocation of {} bytes",
        path.display(),
        cost.largest_allocation
    );
    (result, cost.elapsed)
}

struct Pictures {
    dir: tempfile::TempDir,
    section: Section,
}

impl Pictures {
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn message(&self, err: &DataError) -> String {
        let message = sanitize(&err.to_string(), &[(self.dir.path(), "$TMP")]);
        assert!(message.starts_with("$TMP/"), "names the file: {message}");
        message
    }

    fn refused(&mut self, case: &str, input: &str, path: &Path, fragment: &str) {
        let (result, elapsed) = load(path);
        assert!(elapsed < TIME_BUDGET, "{case}: {elapsed:?}");
        let err = result.map(|_| ()).expect_err(case);
        let message = self.message(&err);
        assert!(message.contains(fragment), "{case}: expected «{fragment}» in {message}");
        self.section.row(
            case,
            input,
            format!("an error naming the file, saying: {fragment}"),
            message,
        );
    }

    /// Loads a picture that must be accepted, returns it and records `observed`.
    fn accepted(
        &mut self,
        case: &str,
        input: &str,
        path: &Path,
        check: impl FnOnce(&RgbImage) -> String,
    ) {
        let (result, elapsed) = load(path);
        assert!(elapsed < TIME_BUDGET, "{case}: {elapsed:?}");
        let (_, picture) = result.unwrap_or_else(|e| panic!("{case}: {e}"));
        let observed = check(&picture);
        self.section.row(case, input, "converted to a 64 x 64 RGB picture", observed);
    }
}

fn mean_rgb(picture: &RgbImage) -> [f64; 3] {
    let n = f64::from(picture.width() * picture.height());
    let mut sum = [0.0; 3];
    for p in picture.pixels() {
        for (total, &channel) in sum.iter_mut().zip(&p.0) {
            *total += f64::from(channel);
        }
    }
    sum.map(|s| (s / n).round())
}

#[test]
fn pictures_a_learner_may_pass() {
    let cat = cat_picture();
    let mut p = Pictures {
        dir: tempfile::tempdir().unwrap(),
        section: Section::new(
            "images",
            "Pictures for `--image`",
            "`linalg_nn::data::load_image_as_column(path, 64)`, which `--image` of hw1 and hw3 \
             calls. The format is recognised from the content, not the name; colour types are \
             converted; decoding is refused beyond 512 MiB (`MAX_DECODE_BYTES`), before the \
             pixels are allocated. Each load took under 2 s in the dev profile.",
        ),
    };
    let png = encode(&DynamicImage::ImageRgb8(cat.clone()), ImageFormat::Png);
    let jpeg = encode(&DynamicImage::ImageRgb8(cat.clone()), ImageFormat::Jpeg);

    // Damaged or wrong files.
    for (k, label) in [(8, "half"), (15, "15/16")] {
        let cut = p.write(&format!("cut_{k}.jpg"), &jpeg[..jpeg.len() * k / 16]);
        p.refused(
            &format!("truncated JPEG ({label})"),
            &format!("the cat photo's first {k}/16 of {} bytes", jpeg.len()),
            &cut,
            "the file is cut short",
        );
    }
    let cut = p.write("cut.png", &png[..png.len() / 2]);
    p.refused(
        "truncated PNG",
        &format!("the first half of {} bytes", png.len()),
        &cut,
        "cannot decode",
    );
    let headers_only = p.write("header.jpg", &jpeg[..200.min(jpeg.len())]);
    p.refused("JPEG headers only", "the first 200 bytes", &headers_only, "cannot decode");
    let text = p.write("cat.png", b"this is my cat, honest\n");
    p.refused("text file named .png", "23 bytes of text", &text, "not a PNG or JPEG");
    let empty = p.write("empty.jpg", b"");
    p.refused("empty file", "0 bytes named .jpg", &empty, "not a PNG or JPEG");
    let gif = p.write("cat.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;");
    p.refused("another format", "a 1x1 GIF", &gif, "Gif is not supported");
    let h5 = default_data_dir().join("test_catvnoncat.h5");
    let (result, _) = load(&h5);
    let err = result.map(|_| ()).expect_err("HDF5 is not a picture");
    let message = sanitize(&err.to_string(), &[(&default_data_dir(), "$DL_COURSE_DATA")]);
    assert!(message.contains("not a PNG or JPEG"), "{message}");
    p.section.row(
        "the data file as picture",
        "test_catvnoncat.h5",
        "an error naming the file, saying: not a PNG or JPEG",
        message,
    );
    let folder = p.dir.path().join("photos");
    std::fs::create_dir(&folder).unwrap();
    p.refused("a directory", "a folder", &folder, "directory");
    p.refused("missing file", "no such path", &p.dir.path().join("missing.jpg"), "file not found");
    // A PNG header declaring 30000 x 30000 RGB (2.7 GB decoded), with a one-byte image body.
    let mut huge = png.clone();
    huge[16..20].copy_from_slice(&30_000u32.to_be_bytes());
    huge[20..24].copy_from_slice(&30_000u32.to_be_bytes());
    let crc = crc32(&huge[12..29]);
    huge[29..33].copy_from_slice(&crc.to_be_bytes());
    let huge_path = p.write("huge.png", &huge);
    p.refused(
        "header declaring 30000 x 30000",
        "the cat PNG with its IHDR edited (CRC fixed)",
        &huge_path,
        "30000x30000 picture needs 2700000000 bytes",
    );

    // Pictures that must be converted.
    let renamed = p.write("really_a_png.jpg", &png);
    p.accepted("PNG named .jpg", "the cat PNG", &renamed, |picture| {
        assert_eq!(picture, cat);
        "loaded, pixels identical to the test set's picture 1".to_owned()
    });
    let jpeg_path = p.write("cat.jpg", &jpeg);
    p.accepted("JPEG photo", "the cat as JPEG (quality 75)", &jpeg_path, |picture| {
        let worst =
            picture.as_raw().iter().zip(cat.as_raw()).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
        assert!(worst < 96, "{worst}");
        let mean = mean_rgb(picture);
        format!("loaded, mean RGB {mean:?} (the original's is {:?})", mean_rgb(cat))
    });
    let dot = p.write(
        "dot.png",
        &encode(&RgbImage::from_pixel(1, 1, Rgb([200, 100, 7])).into(), ImageFormat::Png),
    );
    p.accepted("1 x 1 picture", "one orange pixel", &dot, |picture| {
        assert!(picture.pixels().all(|px| px.0 == [200, 100, 7]));
        "stretched: all 4096 pixels [200, 100, 7]".to_owned()
    });
    let grey = GrayImage::from_fn(64, 64, |x, y| image::Luma([(x * 4 + y) as u8]));
    let grey_path = p.write("grey.png", &encode(&grey.clone().into(), ImageFormat::Png));
    p.accepted("grayscale PNG", "64 x 64 grey ramp", &grey_path, |picture| {
        assert!(picture.enumerate_pixels().all(|(x, y, px)| px.0 == [grey.get_pixel(x, y)[0]; 3]));
        "channels copied: every pixel [g, g, g] of its grey level".to_owned()
    });
    let grey_jpeg = p.write(
        "grey.jpg",
        &encode(&DynamicImage::ImageRgb8(cat.clone()).grayscale(), ImageFormat::Jpeg),
    );
    p.accepted("grayscale JPEG", "the cat in grey, as JPEG", &grey_jpeg, |picture| {
        assert!(picture.pixels().all(|px| px.0[0] == px.0[1] && px.0[1] == px.0[2]));
        format!("channels copied: all pixels grey, mean {:?}", mean_rgb(picture))
    });
    let grey_alpha = GrayAlphaImage::from_pixel(3, 5, LumaA([90, 20]));
    let grey_alpha_path = p.write("grey_alpha.png", &encode(&grey_alpha.into(), ImageFormat::Png));
    p.accepted("grey with alpha", "3 x 5 grey + alpha PNG", &grey_alpha_path, |picture| {
        assert!(picture.pixels().all(|px| px.0 == [90; 3]));
        "alpha dropped, grey copied: all pixels [90, 90, 90]".to_owned()
    });
    let rgba = DynamicImage::ImageRgb8(cat.clone()).to_rgba8();
    let mut rgba = rgba;
    for px in rgba.pixels_mut() {
        px.0[3] = 128;
    }
    let rgba_path = p.write("rgba.png", &encode(&rgba.into(), ImageFormat::Png));
    p.accepted("RGBA PNG", "the cat with alpha 128", &rgba_path, |picture| {
        assert_eq!(picture, cat);
        "alpha dropped: pixels identical to the test set's picture 1".to_owned()
    });
    let deep = DynamicImage::ImageRgb8(cat.clone()).to_rgb16();
    let deep_path = p.write("deep.png", &encode(&deep.into(), ImageFormat::Png));
    p.accepted("16-bit PNG", "the cat with 16 bits per channel", &deep_path, |picture| {
        assert_eq!(picture, cat);
        "scaled to 8 bits: pixels identical to the test set's picture 1".to_owned()
    });
    let palette = p.write("palette.png", &palette_png());
    p.accepted("palette PNG", "2 x 2 indexed colours", &palette, |picture| {
        assert_eq!(picture.get_pixel(0, 0).0, [255, 0, 0]);
        assert_eq!(picture.get_pixel(63, 63).0, [0, 0, 255]);
        "expanded: corners [255, 0, 0] and [0, 0, 255]".to_owned()
    });
    // The largest picture the issue names: 10000 x 10000 grey zeros compress to about 100 kB;
    // decoding takes 100 MB and well under a second.
    let big = GrayImage::new(10_000, 10_000);
    let big_bytes = encode(&big.into(), ImageFormat::Png);
    let big_path = p.write("big.png", &big_bytes);
    p.accepted("10000 x 10000 picture", "grey PNG of zeros", &big_path, |picture| {
        assert!(picture.pixels().all(|px| px.0 == [0; 3]));
        "downscaled: all 4096 pixels black, under 2 s".to_owned()
    });

    p.section.publish();
}

/// A 2 x 2 palette PNG: red, green / green, blue (8-bit indices, stored zlib block).
fn palette_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = 2u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&2u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 3, 0, 0, 0]);
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"PLTE", &[255, 0, 0, 0, 255, 0, 0, 0, 255]));
    // Two scanlines, filter 0: [0, 0, 1] and [0, 1, 2], in one uncompressed deflate block.
    let raw = [0u8, 0, 1, 0, 1, 2];
    let mut zlib = vec![0x78, 0x01, 0x01, raw.len() as u8, 0, !(raw.len() as u8), 0xFF];
    zlib.extend_from_slice(&raw);
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());
    png.extend(chunk(b"IDAT", &zlib));
    png.extend(chunk(b"IEND", &[]));
    png
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in bytes {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

#[test]
fn seeded_mutations_of_a_photo_give_errors_or_pictures() {
    let cat = cat_picture();
    let mut s = Section::new(
        "image-mutations",
        "Pictures: seeded mutations",
        "Seeded damage anywhere in the cat picture saved as PNG and as JPEG (the same mutation \
         code as for the data files). PNG chunks carry CRCs, so most damage is refused; JPEG has \
         no checksum, so damage in the entropy-coded data decodes to a changed picture.",
    );
    let dir = tempfile::tempdir().unwrap();
    for (format, name, seed) in
        [(ImageFormat::Png, "cat.png", 0x1A6E_0001u64), (ImageFormat::Jpeg, "cat.jpg", 0x1A6E_0002)]
    {
        let original = encode(&DynamicImage::ImageRgb8(cat.clone()), format);
        let path = dir.path().join(name);
        std::fs::write(&path, &original).unwrap();
        let (reference, _) = load(&path);
        let (_, reference) = reference.expect("the undamaged picture loads");
        let mut rng = SplitMix64::new(seed);
        let mut tally = Tally::default();
        let count = 300;
        for _ in 0..count {
            let mutation = random_mutation(&mut rng, &(0..original.len()), original.len());
            let mut bytes = original.clone();
            mutation.apply(&mut bytes);
            std::fs::write(&path, &bytes).unwrap();
            let (result, elapsed) = load(&path);
            assert!(elapsed < TIME_BUDGET, "{name} after {}: {elapsed:?}", mutation.describe());
            let outcome = match &result {
                Ok(_) => Outcome::Loaded,
                Err(err) => {
                    let message = sanitize(&err.to_string(), &[(dir.path(), "$TMP")]);
                    classify_error(message, &format!("{err:?}"), &format!("$TMP/{name}"))
                }
            };
            let same = result.as_ref().is_ok_and(|(_, picture)| picture == &reference);
            tally.add(outcome, same, &mutation.describe());
        }
        assert_eq!(tally.total(), count);
        assert!(tally.contained_panics().is_empty());
        s.row(
            format!("{name} mutated"),
            format!("{count} seeded mutations (seed {seed:#x}) of {} bytes", original.len()),
            "an error naming the file, or a 64 x 64 picture; no panic, under 2 s",
            tally.observed("a changed picture"),
        );
    }
    s.publish();
}
