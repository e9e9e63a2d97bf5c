//! Text rasterisation for PNG figures. plotters 0.3.7's `ab_glyph` text drawing drops each
//! glyph's left side bearing (it places the glyph's pixel box, not its origin, at the pen
//! position), which shifts narrow letters and makes "it is" look like "it i s". [`GlyphFix`]
//! wraps a raster backend and draws text itself with correct glyph placement; everything else
//! goes to the wrapped backend unchanged. SVG output is unaffected: there the viewer sets text.

use ab_glyph::{Font, FontRef, ScaleFont, point};
use plotters::prelude::{DrawingBackend, FontTransform};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use std::sync::OnceLock;

/// The embedded font, parsed once; `None` if the bytes are not a font.
fn noto_sans() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(ttf_noto_sans::REGULAR).ok()).as_ref()
}

/// A raster backend whose text is drawn by [`draw_glyphs`] instead of plotters' font code.
pub(super) struct GlyphFix<B>(pub(super) B);

/// The error plotters reports when a font cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("the embedded font could not be parsed")]
struct FontUnavailable;

/// Calls `put(x, y, coverage)` for every pixel of `text` at `size` pixels, in a box whose top-left
/// corner is (0, 0) and whose height is plotters' estimate (`size / 1.24`): the baseline is set
/// so that capitals and digits are centred in that box, as the anchors expect.
fn draw_glyphs(font: &FontRef<'_>, size: f32, text: &str, mut put: impl FnMut(i32, i32, f32)) {
    let scaled = font.as_scaled(size);
    let box_height = size / 1.24;
    let cap_height = scaled
        .outline_glyph(scaled.scaled_glyph('H'))
        .map(|h| -h.px_bounds().min.y)
        .unwrap_or(size * 0.52);
    let baseline = (box_height + cap_height) / 2.0;
    let mut pen = 0.0f32;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = previous {
            pen += scaled.kern(p, id);
        }
        let glyph = id.with_scale_and_position(size, point(pen, baseline));
        if let Some(outline) = scaled.outline_glyph(glyph) {
            let bounds = outline.px_bounds();
            let (left, top) = (bounds.min.x as i32, bounds.min.y as i32);
            outline.draw(|x, y, coverage| put(left + x as i32, top + y as i32, coverage));
        }
        pen += scaled.h_advance(id);
        previous = Some(id);
    }
}

impl<B: DrawingBackend> DrawingBackend for GlyphFix<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        self.0.estimate_text_size(text, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }

    /// plotters' default `draw_text` (anchor and rotation handling kept as is), with the glyphs
    /// from [`draw_glyphs`].
    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let font =
            noto_sans().ok_or_else(|| DrawingErrorKind::FontError(Box::new(FontUnavailable)))?;
        let ((min_x, min_y), (max_x, max_y)) =
            style.layout_box(text).map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let transform: FontTransform = style.transform();
        let (w, h) = self.get_size();
        let mut pixels = Vec::new();
        draw_glyphs(font, style.size() as f32, text, |x, y, coverage| {
            pixels.push((x, y, coverage));
        });
        for (x, y, coverage) in pixels {
            let (x, y) = transform.transform(x + dx - min_x, y + dy - min_y);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                let alpha = color.alpha * f64::from(coverage.clamp(0.0, 1.0));
                self.0.draw_pixel((x, y), BackendColor { alpha, rgb: color.rgb })?;
            }
        }
        Ok(())
    }
}
