//! Heatmaps for hyperparameter studies (e.g. test accuracy by learning rate and depth, the
//! "try other settings" exercises at the end of the notebooks): one coloured cell per value with
//! the number written in it.

use super::{
    AXIS_LABEL_SIZE, CHART_SIZE, DrawResult, Figure, Format, PlotError, TICK_SIZE, TITLE_SIZE,
    font, min_max, render, text_size,
};
use nalgebra::DMatrix;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::colors::colormaps::{ColorMap, ViridisRGB};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// A table of values drawn as coloured cells (matplotlib's `viridis`: low values dark purple,
/// high values yellow) with each value written in its cell. Row 0 is at the top.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    /// Text above the heatmap.
    pub title: String,
    /// Text under the x axis, e.g. "learning rate".
    pub x_label: String,
    /// Text beside the y axis, e.g. "hidden layers".
    pub y_label: String,
    /// Column names, left to right (`values.ncols()` of them).
    pub x_ticks: Vec<String>,
    /// Row names, top to bottom (`values.nrows()` of them).
    pub y_ticks: Vec<String>,
    /// The values; non-finite ones get a grey cell and are written as `NaN` / `inf`.
    pub values: DMatrix<f64>,
    /// Digits after the decimal point of the numbers written in the cells (at most 10).
    pub decimals: usize,
}

/// Draws `heatmap` into `path` (`.png` or `.svg`), [`CHART_SIZE`] pixels.
///
/// ```
/// use linalg_nn::plot::{Heatmap, heatmap};
/// use nalgebra::DMatrix;
///
/// let dir = tempfile::tempdir().unwrap();
/// let study = Heatmap {
///     title: "test accuracy".into(),
///     x_label: "learning rate".into(),
///     y_label: "hidden layers".into(),
///     x_ticks: vec!["0.0075".into(), "0.01".into()],
///     y_ticks: vec!["2".into(), "4".into()],
///     values: DMatrix::from_row_slice(2, 2, &[0.72, 0.74, 0.80, 0.78]),
///     decimals: 2,
/// };
/// heatmap(dir.path().join("study.svg"), &study).unwrap();
/// ```
pub fn heatmap(path: impl AsRef<Path>, heatmap: &Heatmap) -> Result<(), PlotError> {
    let path = path.as_ref();
    let format = Format::of(path)?;
    let figure = PreparedHeatmap::new(path, heatmap)?;
    render(path, format, &figure)
}

/// Colour of cells whose value is not finite.
const MISSING_COLOR: RGBColor = RGBColor(0xd9, 0xd9, 0xd9);
const MAX_DECIMALS: usize = 10;
const MARGIN: u32 = 20;
const X_LABEL_AREA: u32 = 55;
/// Largest and smallest font size of the numbers in the cells.
const CELL_TEXT_SIZES: (f64, f64) = (24.0, 8.0);

struct Cell {
    color: RGBColor,
    text: String,
    text_color: RGBColor,
}

struct PreparedHeatmap<'a> {
    heatmap: &'a Heatmap,
    /// Row-major, row 0 at the top.
    cells: Vec<Cell>,
    cell_text_size: f64,
    y_label_area: u32,
}

impl<'a> PreparedHeatmap<'a> {
    fn new(path: &Path, heatmap: &'a Heatmap) -> Result<Self, PlotError> {
        let (rows, cols) = heatmap.values.shape();
        if rows == 0 || cols == 0 {
            return Err(PlotError::invalid(
                path,
                "values",
                format!("expected at least one row and one column, found {rows}x{cols}"),
            ));
        }
        if heatmap.y_ticks.len() != rows {
            return Err(PlotError::invalid(
                path,
                "y_ticks",
                format!("expected one per row of values ({rows}), found {}", heatmap.y_ticks.len()),
            ));
        }
        if heatmap.x_ticks.len() != cols {
            return Err(PlotError::invalid(
                path,
                "x_ticks",
                format!(
                    "expected one per column of values ({cols}), found {}",
                    heatmap.x_ticks.len()
                ),
            ));
        }
        let Some((lo, hi)) = min_max(heatmap.values.iter().copied().filter(|v| v.is_finite()))
        else {
            return Err(PlotError::no_finite(path, "values"));
        };
        let decimals = heatmap.decimals.min(MAX_DECIMALS);
        let mut cells = Vec::with_capacity(rows * cols);
        for r in 0..rows {
            for c in 0..cols {
                let v = heatmap.values[(r, c)];
                let color = if !v.is_finite() {
                    MISSING_COLOR
                } else if hi > lo {
                    ViridisRGB.get_color_normalized(v, lo, hi)
                } else {
                    ViridisRGB.get_color(0.5)
                };
                let RGBColor(red, green, blue) = color;
                // Rec. 601 luma: dark text on the yellow end, white on the purple end.
                let luma =
                    0.299 * f64::from(red) + 0.587 * f64::from(green) + 0.114 * f64::from(blue);
                let text_color = if luma > 140.0 { BLACK } else { WHITE };
                cells.push(Cell { color, text: format!("{v:.decimals$}"), text_color });
            }
        }

        let mut widest_tick = 0;
        for tick in &heatmap.y_ticks {
            widest_tick = widest_tick.max(text_size(path, tick, TICK_SIZE)?.0);
        }
        let y_label_area = (widest_tick + (AXIS_LABEL_SIZE * 1.25) as u32 + 25).max(60);

        let title_h = if heatmap.title.is_empty() { 0.0 } else { TITLE_SIZE * 1.25 + 10.0 };
        let cell_w = f64::from(CHART_SIZE.0 - 2 * MARGIN).max(f64::from(y_label_area) + 1.0)
            - f64::from(y_label_area);
        let cell_w = cell_w / cols as f64;
        let cell_h = (f64::from(CHART_SIZE.1 - 2 * MARGIN - X_LABEL_AREA) - title_h) / rows as f64;
        let mut size = CELL_TEXT_SIZES.0.min(cell_h * 0.5).max(CELL_TEXT_SIZES.1);
        while size > CELL_TEXT_SIZES.1 {
            let mut widest = 0;
            for cell in &cells {
                widest = widest.max(text_size(path, &cell.text, size)?.0);
            }
            if f64::from(widest) <= cell_w - 8.0 {
                break;
            }
            size -= 1.0;
        }
        Ok(PreparedHeatmap { heatmap, cells, cell_text_size: size, y_label_area })
    }
}

impl Figure for PreparedHeatmap<'_> {
    fn size(&self) -> (u32, u32) {
        CHART_SIZE
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let h = self.heatmap;
        let (rows, cols) = h.values.shape();
        let rows_f = rows as f64;
        root.fill(&WHITE)?;
        let mut builder = ChartBuilder::on(root);
        if !h.title.is_empty() {
            builder.caption(&h.title, font(TITLE_SIZE));
        }
        // Row r spans y in [rows - r - 1, rows - r], so row 0 is on top.
        let mut chart = builder
            .margin(MARGIN)
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(self.y_label_area)
            .build_cartesian_2d(CellAxis { cells: cols }, CellAxis { cells: rows })?;
        let tick = |ticks: &[String], index: f64| {
            ticks.get(index.max(0.0) as usize).cloned().unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(h.x_label.as_str())
            .y_desc(h.y_label.as_str())
            .axis_desc_style(font(AXIS_LABEL_SIZE))
            .label_style(font(TICK_SIZE))
            .x_label_formatter(&|v| tick(&h.x_ticks, *v - 0.5))
            .y_label_formatter(&|v| tick(&h.y_ticks, rows_f - *v - 0.5))
            .draw()?;
        let cell_at = |i: usize| {
            let (r, c) = (i / cols, i % cols);
            (c as f64, rows_f - r as f64 - 1.0)
        };
        chart.draw_series(self.cells.iter().enumerate().map(|(i, cell)| {
            let (x, y) = cell_at(i);
            Rectangle::new([(x, y), (x + 1.0, y + 1.0)], cell.color.filled())
        }))?;
        let centred = Pos::new(HPos::Center, VPos::Center);
        chart.draw_series(self.cells.iter().enumerate().map(|(i, cell)| {
            let (x, y) = cell_at(i);
            let style =
                TextStyle::from(font(self.cell_text_size)).color(&cell.text_color).pos(centred);
            Text::new(cell.text.clone(), (x + 0.5, y + 0.5), style)
        }))?;
        Ok(())
    }
}

/// The axis `0..cells` of a heatmap, with one tick at the centre of every cell (plotters' own
/// key points would fall on round numbers, i.e. on cell borders).
#[derive(Debug, Clone, Copy)]
struct CellAxis {
    cells: usize,
}

impl Ranged for CellAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let fraction = value / self.cells as f64;
        limit.0 + (fraction * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Only bold points carry labels; light grid lines would fall between them.
        if hint.weight().allow_light_points() {
            return Vec::new();
        }
        (0..self.cells).map(|i| i as f64 + 0.5).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        0.0..self.cells as f64
    }
}
