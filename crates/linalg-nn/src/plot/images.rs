//! Pictures with titles: `plt.imshow(train_set_x_orig[index])` with its "y = 1, it's a 'cat'
//! picture." caption in the logistic-regression notebook, and the grid of mislabeled images of
//! the deep-network notebook (`print_mislabeled_images`).

use super::{DrawResult, Figure, Format, PlotError, WrappedText, canvas_size, encode_png, render};
use base64::Engine as _;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// One RGB picture and the title shown above it.
#[derive(Debug, Clone, PartialEq)]
pub struct LabeledImage<'a> {
    /// Pixels row by row, 3 bytes (R, G, B) per pixel: `width * height * 3` bytes, the layout of
    /// one `(64, 64, 3)` entry of the cat data set.
    pub rgb: &'a [u8],
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Text above the picture; wrapped (and set smaller if needed) to the picture's width.
    pub title: String,
}

/// Space between cells and around the grid, in pixels.
const GAP: u32 = 12;
/// Narrowest cell, so that titles stay readable beside small pictures.
const MIN_CELL_WIDTH: u32 = 180;
/// Title font sizes tried from largest to smallest until the title fits in [`MAX_TITLE_LINES`].
const TITLE_SIZES: [f64; 4] = [18.0, 16.0, 14.0, 12.0];
const MAX_TITLE_LINES: usize = 3;
/// Space between a title and its picture.
const TITLE_GAP: u32 = 6;

/// Draws `images` in a grid of `columns` columns (row by row), each upscaled `scale` times by
/// nearest neighbour (use [`DEFAULT_IMAGE_SCALE`](super::DEFAULT_IMAGE_SCALE) for 64x64
/// pictures) under its title. A single image is the one-element case. The figure's size follows
/// from the pictures, the titles and `columns`.
///
/// ```
/// use linalg_nn::plot::{LabeledImage, image_grid};
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("cat.png");
/// let pixels = vec![200u8; 64 * 64 * 3];
/// let cat = LabeledImage {
///     rgb: &pixels,
///     width: 64,
///     height: 64,
///     title: "y = 1, you predicted that it is a \"cat\" picture.".to_string(),
/// };
/// image_grid(&path, &[cat], 1, 4).unwrap();
/// assert!(image::open(&path).unwrap().width() >= 256);
/// ```
pub fn image_grid(
    path: impl AsRef<Path>,
    images: &[LabeledImage<'_>],
    columns: usize,
    scale: u32,
) -> Result<(), PlotError> {
    let path = path.as_ref();
    let format = Format::of(path)?;
    let figure = PreparedGrid::new(path, images, columns, scale)?;
    render(path, format, &figure)
}

/// Where one picture and its title go, in pixels.
struct Placed<'a> {
    image: &'a LabeledImage<'a>,
    title: WrappedText,
    title_top: i32,
    centre_x: i32,
    left: u32,
    top: u32,
}

struct PreparedGrid<'a> {
    placed: Vec<Placed<'a>>,
    scale: u32,
    size: (u32, u32),
}

impl<'a> PreparedGrid<'a> {
    fn new(
        path: &Path,
        images: &'a [LabeledImage<'a>],
        columns: usize,
        scale: u32,
    ) -> Result<Self, PlotError> {
        if images.is_empty() {
            return Err(PlotError::invalid(
                path,
                "images",
                "expected at least one image, found none",
            ));
        }
        if columns == 0 {
            return Err(PlotError::invalid(path, "columns", "expected at least 1, found 0"));
        }
        if scale == 0 {
            return Err(PlotError::invalid(path, "scale", "expected at least 1, found 0"));
        }
        for (i, image) in images.iter().enumerate() {
            let expected = u64::from(image.width) * u64::from(image.height) * 3;
            if image.width == 0 || image.height == 0 {
                return Err(PlotError::invalid(
                    path,
                    format!("images[{i}]"),
                    format!("expected a non-empty picture, found {}x{}", image.width, image.height),
                ));
            }
            if image.rgb.len() as u64 != expected {
                return Err(PlotError::invalid(
                    path,
                    format!("images[{i}].rgb"),
                    format!(
                        "expected {expected} bytes ({}x{} RGB pixels), found {}",
                        image.width,
                        image.height,
                        image.rgb.len()
                    ),
                ));
            }
        }
        let scaled = |side: u32| u64::from(side) * u64::from(scale);
        let max_w = images.iter().map(|im| scaled(im.width)).max().unwrap_or(0);
        let max_h = images.iter().map(|im| scaled(im.height)).max().unwrap_or(0);
        let columns = columns.min(images.len()) as u64;
        let rows = (images.len() as u64).div_ceil(columns);
        let cell_w = max_w.max(u64::from(MIN_CELL_WIDTH));
        // Refuse oversized layouts before measuring any title.
        let width = columns * cell_w + (columns + 1) * u64::from(GAP);
        canvas_size(path, width, rows * max_h + (rows + 1) * u64::from(GAP))?;

        let cell_w = cell_w as u32;
        // plotters' SVG backend writes font sizes about 10% larger than the PNG glyphs measured
        // here, so wrap to 90% of the cell for titles to fit in both formats.
        let title_w = cell_w * 9 / 10;
        let titles = images
            .iter()
            .map(|im| WrappedText::fit(path, &im.title, title_w, &TITLE_SIZES, MAX_TITLE_LINES))
            .collect::<Result<Vec<_>, _>>()?;
        let tallest_title = titles.iter().map(WrappedText::height).max().unwrap_or(0);
        let title_h = if tallest_title == 0 { 0 } else { tallest_title + TITLE_GAP };
        let cell_h = max_h + u64::from(title_h);
        let size = canvas_size(path, width, rows * cell_h + (rows + 1) * u64::from(GAP))?;

        let cell_h = cell_h as u32;
        let placed = images
            .iter()
            .zip(titles)
            .enumerate()
            .map(|(i, (image, title))| {
                let (row, col) = ((i as u64 / columns) as u32, (i as u64 % columns) as u32);
                let cell_x = GAP + col * (cell_w + GAP);
                let cell_y = GAP + row * (cell_h + GAP);
                let title_top = cell_y + title_h - TITLE_GAP.min(title_h) - title.height();
                Placed {
                    image,
                    title_top: title_top as i32,
                    title,
                    centre_x: (cell_x + cell_w / 2) as i32,
                    left: cell_x + (cell_w - image.width * scale) / 2,
                    top: cell_y + title_h,
                }
            })
            .collect();
        Ok(PreparedGrid { placed, scale, size })
    }
}

impl Figure for PreparedGrid<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        for p in &self.placed {
            p.title.draw(root, p.centre_x, p.title_top)?;
        }
        Ok(())
    }

    fn paste_pixels(&self, rgb: &mut [u8], width: u32) {
        let (width, scale) = (width as usize, self.scale as usize);
        for p in &self.placed {
            let (src_w, src_h) = (p.image.width as usize, p.image.height as usize);
            for y in 0..src_h * scale {
                let src_row = &p.image.rgb[(y / scale) * src_w * 3..][..src_w * 3];
                let start = ((p.top as usize + y) * width + p.left as usize) * 3;
                let Some(dst_row) = rgb.get_mut(start..start + src_w * scale * 3) else {
                    continue;
                };
                for (x, dst) in dst_row.chunks_exact_mut(3).enumerate() {
                    dst.copy_from_slice(&src_row[(x / scale) * 3..][..3]);
                }
            }
        }
    }

    fn svg_overlay(&self, path: &Path) -> Result<String, PlotError> {
        let mut overlay = String::new();
        for p in &self.placed {
            let png = encode_png(path, p.image.rgb, p.image.width, p.image.height)?;
            let data = base64::engine::general_purpose::STANDARD.encode(png);
            overlay.push_str(&format!(
                "<image x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" preserveAspectRatio=\"none\" \
                 style=\"image-rendering:pixelated\" href=\"data:image/png;base64,{data}\"/>\n",
                p.left,
                p.top,
                p.image.width * self.scale,
                p.image.height * self.scale,
            ));
        }
        Ok(overlay)
    }
}
