//! Figures of the three assignments (the notebooks' matplotlib cells): cost curves, the cat
//! pictures with their predictions, the planar "flower" and its decision boundaries, and a
//! heatmap for hyperparameter studies, plus the lectures' network diagrams. Enabled by the `plot` feature of `linalg-nn`.
//!
//! Every function writes one file and picks the format from the path's extension: `.png` (an RGB
//! raster) or `.svg`. Text is drawn with an embedded Noto Sans font through `ab_glyph`, so figures
//! render the same on a machine without any system font, and the same inputs always give
//! byte-identical files. Files are written atomically: on any error nothing is left under `path`.
//!
//! | function | figure | notebook cell |
//! |---|---|---|
//! | [`line_chart`] | curves with a legend, optional log y axis | `plt.plot(costs)`, learning-rate comparison, activation functions |
//! | [`image_grid`] | pictures upscaled, each with a title above | `plt.imshow(train_set_x_orig[index])`, mislabeled images |
//! | [`scatter`] | 2-D points coloured by class | `plt.scatter(X[0, :], X[1, :], c=Y, cmap=plt.cm.Spectral)` |
//! | [`decision_boundary`] | class regions of a model plus the points | `plot_decision_boundary` |
//! | [`decision_boundary_grid`] | several decision boundaries side by side | hidden-layer-size sweep |
//! | [`heatmap`] | a value per (row, column) cell with the number written in it | hyperparameter study |
//! | [`network_diagram`] | layers as columns of units, each joined to every unit of the next | the lectures' network pictures |
//! | [`three_layer`] | Course 2's data, cost curves and decision boundaries of the three-layer network | `init_utils.py` / `reg_utils.py` |
//!
//! Odd input never panics: non-finite values are skipped, and a figure with nothing finite left
//! to draw, a shape mismatch or an empty layout is a [`PlotError`] naming the output path.

mod heatmap;
mod images;
mod line;
mod network;
mod points;
mod text;
pub mod three_layer;

pub use heatmap::{Heatmap, heatmap};
pub use images::{LabeledImage, image_grid};
pub use line::{LineChart, Series, line_chart};
pub use network::{MAX_LAYERS, MAX_UNITS_PER_LAYER, NetworkDiagram, network_diagram};
pub use points::{
    BoundaryGrid, DecisionBoundary, GridError, MAX_GRID_RESOLUTION, Scatter, decision_boundary,
    decision_boundary_grid, scatter,
};

use crate::atomic::{WriteError, write_bytes_atomic};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::error::Error as StdError;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use thiserror::Error;

/// Size in pixels (width, height) of a single chart: line charts, scatter plots, decision
/// boundaries and heatmaps.
pub const CHART_SIZE: (u32, u32) = (800, 600);

/// Size in pixels (width, height) of one panel of [`decision_boundary_grid`].
pub const PANEL_SIZE: (u32, u32) = (400, 380);

/// Upscaling factor that shows a 64x64 cat picture at a readable 256x256.
pub const DEFAULT_IMAGE_SCALE: u32 = 4;

/// Largest width or height, in pixels, of a figure; bigger layouts are refused rather than
/// allocating gigabytes.
pub const MAX_FIGURE_SIDE: u32 = 16_384;

/// Colour of class 0 points: the low end of matplotlib's `Spectral` colormap (dark red).
pub const CLASS0_COLOR: [u8; 3] = [0x9e, 0x01, 0x42];
/// Colour of class 1 points: the high end of matplotlib's `Spectral` colormap (blue).
pub const CLASS1_COLOR: [u8; 3] = [0x5e, 0x4f, 0xa2];
/// Background of the region where the model predicts class 0 (light red).
pub const REGION0_COLOR: [u8; 3] = [0xf7, 0xc4, 0xc4];
/// Background of the region where the model predicts class 1 (light blue).
pub const REGION1_COLOR: [u8; 3] = [0xc6, 0xd4, 0xf0];

/// Why a figure could not be written. Every variant names the output file.
#[derive(Debug, Error)]
pub enum PlotError {
    /// The extension of `path` is neither `.png` nor `.svg`.
    #[error("cannot plot to {}: unsupported file extension, expected .png or .svg", path.display())]
    UnsupportedFormat {
        /// The requested output path.
        path: PathBuf,
    },
    /// The input does not describe a drawable figure (shape mismatch, zero columns, ...).
    #[error("cannot plot {}: {field}: {reason}", path.display())]
    InvalidInput {
        /// The output path.
        path: PathBuf,
        /// The offending field or argument, e.g. `labels`.
        field: String,
        /// What was expected and what was found.
        reason: String,
    },
    /// Once non-finite values (NaN, ±inf) were skipped, nothing was left to draw.
    #[error("cannot plot {}: {field} has no finite value to draw", path.display())]
    NoFiniteData {
        /// The output path.
        path: PathBuf,
        /// Which data, e.g. `series` or `points`.
        field: String,
    },
    /// The embedded font could not be registered with plotters.
    #[error("cannot plot {}: the embedded Noto Sans font could not be loaded", path.display())]
    Font {
        /// The output path.
        path: PathBuf,
    },
    /// plotters failed while drawing.
    #[error("cannot draw {}: {source}", path.display())]
    Draw {
        /// The output path.
        path: PathBuf,
        /// plotters' error.
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
    /// The rendered pixels could not be encoded as PNG.
    #[error("cannot encode {} as PNG: {source}", path.display())]
    Encode {
        /// The output path.
        path: PathBuf,
        /// The encoder's error.
        #[source]
        source: image::ImageError,
    },
    /// The finished file could not be written (it names the path itself).
    #[error(transparent)]
    Write(#[from] WriteError),
}

impl PlotError {
    fn invalid(path: &Path, field: impl Into<String>, reason: impl Into<String>) -> Self {
        PlotError::InvalidInput {
            path: path.to_path_buf(),
            field: field.into(),
            reason: reason.into(),
        }
    }

    fn no_finite(path: &Path, field: impl Into<String>) -> Self {
        PlotError::NoFiniteData { path: path.to_path_buf(), field: field.into() }
    }

    fn draw(path: &Path, source: Box<dyn StdError + Send + Sync>) -> Self {
        PlotError::Draw { path: path.to_path_buf(), source }
    }
}

/// The family name our embedded font is registered under; plotters' `FontFamily::SansSerif`
/// looks it up by this name, and SVG viewers fall back to their own sans-serif face.
const FONT: &str = "sans-serif";

/// Registers the embedded font once per process; `false` if the bytes were rejected.
fn font_ready() -> bool {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, ttf_noto_sans::REGULAR).is_ok()
    })
}

/// A font of our family at `size` pixels.
fn font(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FONT), size, FontStyle::Normal)
}

/// Width and height in pixels of `text` at `size`, as plotters will lay it out.
fn text_size(path: &Path, text: &str, size: f64) -> Result<(u32, u32), PlotError> {
    ensure_font(path)?;
    font(size).box_size(text).map_err(|e| PlotError::draw(path, Box::new(e)))
}

/// Registers the embedded font before anything measures or draws text.
fn ensure_font(path: &Path) -> Result<(), PlotError> {
    if font_ready() { Ok(()) } else { Err(PlotError::Font { path: path.to_path_buf() }) }
}

fn rgb(c: [u8; 3]) -> RGBColor {
    RGBColor(c[0], c[1], c[2])
}

/// Distinct line colours (matplotlib's `tab10`), cycled when there are more series.
const PALETTE: [[u8; 3]; 10] = [
    [0x1f, 0x77, 0xb4],
    [0xff, 0x7f, 0x0e],
    [0x2c, 0xa0, 0x2c],
    [0xd6, 0x27, 0x28],
    [0x94, 0x67, 0xbd],
    [0x8c, 0x56, 0x4b],
    [0xe3, 0x77, 0xc2],
    [0x7f, 0x7f, 0x7f],
    [0xbc, 0xbd, 0x22],
    [0x17, 0xbe, 0xcf],
];

/// Text sizes shared by all charts, in pixels.
const TITLE_SIZE: f64 = 26.0;
const AXIS_LABEL_SIZE: f64 = 20.0;
const TICK_SIZE: f64 = 18.0;
const LEGEND_SIZE: f64 = 18.0;

/// Errors of drawing code that runs on either backend: plotters' error, boxed so the PNG and SVG
/// paths share one type.
type DrawResult = Result<(), Box<dyn StdError + Send + Sync>>;

/// Output formats, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Png,
    Svg,
}

impl Format {
    fn of(path: &Path) -> Result<Self, PlotError> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("png") => Ok(Format::Png),
            Some("svg") => Ok(Format::Svg),
            _ => Err(PlotError::UnsupportedFormat { path: path.to_path_buf() }),
        }
    }
}

/// A validated figure, ready to be drawn on either backend.
trait Figure {
    /// Canvas size in pixels; both sides are at least 1 and at most [`MAX_FIGURE_SIDE`].
    fn size(&self) -> (u32, u32);

    /// Draws everything plotters can draw.
    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static;

    /// Copies raster content (pictures) into the finished RGB buffer of a PNG.
    fn paste_pixels(&self, _rgb: &mut [u8], _width: u32) {}

    /// SVG elements for raster content, inserted just before `</svg>`.
    fn svg_overlay(&self, _path: &Path) -> Result<String, PlotError> {
        Ok(String::new())
    }
}

/// Checks a layout's pixel size, refusing zero and oversized canvases.
fn canvas_size(path: &Path, width: u64, height: u64) -> Result<(u32, u32), PlotError> {
    let max = u64::from(MAX_FIGURE_SIDE);
    if width == 0 || height == 0 || width > max || height > max {
        return Err(PlotError::invalid(
            path,
            "layout",
            format!(
                "the figure would be {width}x{height} pixels; each side must be 1..={MAX_FIGURE_SIDE}"
            ),
        ));
    }
    // Both fit in u32 as they are at most MAX_FIGURE_SIDE.
    Ok((width as u32, height as u32))
}

/// Renders `figure` in `format` and writes it atomically to `path`.
fn render(path: &Path, format: Format, figure: &impl Figure) -> Result<(), PlotError> {
    ensure_font(path)?;
    let (width, height) = figure.size();
    let bytes = match format {
        Format::Png => {
            let mut buffer = vec![255u8; width as usize * height as usize * 3];
            {
                let root = text::GlyphFix(BitMapBackend::with_buffer(&mut buffer, (width, height)))
                    .into_drawing_area();
                figure.draw(&root).map_err(|e| PlotError::draw(path, e))?;
                root.present().map_err(|e| PlotError::draw(path, Box::new(e)))?;
            }
            figure.paste_pixels(&mut buffer, width);
            encode_png(path, &buffer, width, height)?
        }
        Format::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
                figure.draw(&root).map_err(|e| PlotError::draw(path, e))?;
                root.present().map_err(|e| PlotError::draw(path, Box::new(e)))?;
            }
            let overlay = figure.svg_overlay(path)?;
            if !overlay.is_empty() {
                let end = svg.rfind("</svg>").unwrap_or(svg.len());
                svg.insert_str(end, &overlay);
            }
            svg.into_bytes()
        }
    };
    write_bytes_atomic(path, &bytes)?;
    Ok(())
}

/// Encodes an RGB buffer as PNG (no timestamps or other varying chunks, so it is reproducible).
fn encode_png(path: &Path, rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, PlotError> {
    use image::ImageEncoder;
    let mut bytes = Vec::new();
    image::codecs::png::PngEncoder::new(&mut bytes)
        .write_image(rgb, width, height, image::ExtendedColorType::Rgb8)
        .map_err(|source| PlotError::Encode { path: path.to_path_buf(), source })?;
    Ok(bytes)
}

/// Axis range covering `lo..=hi` with a margin of `pad` times the span on each side; a
/// degenerate span (a single value) is widened so the value sits in the middle.
fn padded_range(lo: f64, hi: f64, pad: f64) -> (f64, f64) {
    let span = hi - lo;
    if span > 0.0 && span.is_finite() {
        (lo - pad * span, hi + pad * span)
    } else {
        let half = if lo == 0.0 { 0.5 } else { lo.abs() * 0.1 };
        (lo - half, lo + half)
    }
}

/// Smallest and largest of the values, or `None` when there are none.
fn min_max(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// A compact tick label: plotters picks round tick values, so trimming trailing zeros gives
/// `0.25`, `100`, `1e-5` rather than `0.25000000000000006`. The tick at zero of an axis that
/// starts at a value like -0.75 comes out of plotters' arithmetic as about `1e-16`, which is
/// labelled 0.
fn tick_label(v: f64) -> String {
    let a = v.abs();
    if a < 1e-12 {
        return "0".to_string();
    }
    if !(1e-3..1e5).contains(&a) {
        let s = format!("{v:.1e}");
        return s.replace(".0e", "e");
    }
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Greedy word wrap of `text` into lines at most `max_width` pixels wide at font `size`; a word
/// longer than a line is broken between characters.
fn wrap_text(path: &Path, text: &str, size: f64, max_width: u32) -> Result<Vec<String>, PlotError> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate =
            if current.is_empty() { word.to_string() } else { format!("{current} {word}") };
        if text_size(path, &candidate, size)?.0 <= max_width {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if text_size(path, word, size)?.0 <= max_width {
            current = word.to_string();
            continue;
        }
        for c in word.chars() {
            let mut longer = current.clone();
            longer.push(c);
            if !current.is_empty() && text_size(path, &longer, size)?.0 > max_width {
                lines.push(std::mem::replace(&mut current, c.to_string()));
            } else {
                current = longer;
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    Ok(lines)
}

/// A title wrapped to fit a width: the largest of `sizes` at which it takes at most `max_lines`
/// lines, else the smallest size with as many lines as needed.
#[derive(Debug, Clone)]
struct WrappedText {
    lines: Vec<String>,
    size: f64,
}

impl WrappedText {
    fn fit(
        path: &Path,
        text: &str,
        max_width: u32,
        sizes: &[f64],
        max_lines: usize,
    ) -> Result<Self, PlotError> {
        let mut last =
            WrappedText { lines: Vec::new(), size: sizes.last().copied().unwrap_or(12.0) };
        for &size in sizes {
            let lines = wrap_text(path, text, size, max_width)?;
            let fits = lines.len() <= max_lines;
            last = WrappedText { lines, size };
            if fits {
                break;
            }
        }
        Ok(last)
    }

    fn line_height(&self) -> u32 {
        (self.size * 1.25).ceil() as u32
    }

    fn height(&self) -> u32 {
        self.line_height() * self.lines.len() as u32
    }

    /// Draws the lines centred on `centre_x`, the first one's top at `top`.
    fn draw<DB>(&self, area: &DrawingArea<DB, Shift>, centre_x: i32, top: i32) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let style = TextStyle::from(font(self.size)).color(&BLACK).pos(
            plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Top,
            ),
        );
        for (i, line) in self.lines.iter().enumerate() {
            let y = top + (i as u32 * self.line_height()) as i32;
            area.draw_text(line, &style, (centre_x, y))?;
        }
        Ok(())
    }
}
