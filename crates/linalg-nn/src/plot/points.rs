//! 2-D points coloured by class and decision boundaries: `plt.scatter(X[0, :], X[1, :], c=Y,
//! cmap=plt.cm.Spectral)` and `plot_decision_boundary` of the planar-data notebook
//! (`planar_utils.py`), including its hidden-layer-size sweep.

use super::line::{CHART_MARGIN, X_LABEL_AREA, Y_LABEL_AREA};
use super::{
    AXIS_LABEL_SIZE, CHART_SIZE, CLASS0_COLOR, CLASS1_COLOR, DrawResult, Figure, Format,
    PANEL_SIZE, PlotError, REGION0_COLOR, REGION1_COLOR, TICK_SIZE, TITLE_SIZE, canvas_size, font,
    min_max, padded_range, render, rgb, tick_label,
};
use nalgebra::DMatrix;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
use thiserror::Error;

/// Largest [`BoundaryGrid`] resolution (cells per axis): 2000² cells already take 64 MB of
/// cell centres.
pub const MAX_GRID_RESOLUTION: usize = 2000;

/// Why a [`BoundaryGrid`] could not be built.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum GridError {
    /// The points matrix is not `(2, m)`.
    #[error("points: expected 2 rows (x1 and x2), found {rows}")]
    Shape {
        /// Rows found.
        rows: usize,
    },
    /// `resolution` is 0 or above [`MAX_GRID_RESOLUTION`].
    #[error("resolution: expected 1..={MAX_GRID_RESOLUTION} cells per axis, found {found}")]
    Resolution {
        /// The resolution asked for.
        found: usize,
    },
    /// No column of the points has both coordinates finite, so the grid has no extent.
    #[error("points: no column has finite x1 and x2, so the grid has no extent")]
    NoFinitePoints,
    /// A window given to [`BoundaryGrid::compute_in`] is not finite with `min < max` on both axes.
    #[error("window: expected finite ranges with min < max, found x {x_range:?}, y {y_range:?}")]
    Window {
        /// The x range asked for.
        x_range: (f64, f64),
        /// The y range asked for.
        y_range: (f64, f64),
    },
    /// `predict` returned a different number of classes than there are cells.
    #[error("predict: expected one class per grid cell ({expected}), found {found}")]
    PredictionCount {
        /// Number of cells (`resolution²`).
        expected: usize,
        /// Length of the returned vector.
        found: usize,
    },
    /// `predict` returned something other than 0 or 1.
    #[error("predict: expected class 0 or 1 for every cell, found {value} for cell {cell}")]
    InvalidClass {
        /// Index of the cell (column of the matrix given to `predict`).
        cell: usize,
        /// The value returned.
        value: u8,
    },
}

/// A model's predicted class on a regular mesh covering the data, like the `xx, yy` meshgrid and
/// `Z = model(np.c_[xx.ravel(), yy.ravel()])` of `plot_decision_boundary`.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundaryGrid {
    x_range: (f64, f64),
    y_range: (f64, f64),
    resolution: usize,
    /// Class of cell `(ix, iy)` at `iy * resolution + ix`, `iy = 0` at the bottom.
    classes: Vec<u8>,
}

impl BoundaryGrid {
    /// Builds the mesh over `points` (`(2, m)`, one example per column) like the notebook: x from
    /// `min - 1` to `max + 1` of row 0, y likewise from row 1 (non-finite columns ignored), cut
    /// into `resolution` cells per axis. `predict` is called exactly once, with the `(2,
    /// resolution²)` matrix of cell centres (cell `(ix, iy)` in column `iy * resolution + ix`), so
    /// the model runs one batched forward pass; it returns the class (0 or 1) of every column.
    ///
    /// ```
    /// use linalg_nn::plot::BoundaryGrid;
    /// use nalgebra::DMatrix;
    ///
    /// let x = DMatrix::from_row_slice(2, 2, &[-1.0, 1.0, 0.0, 2.0]);
    /// let grid = BoundaryGrid::compute(&x, 4, |cells| {
    ///     cells.column_iter().map(|c| u8::from(c[0] > 0.0)).collect()
    /// })
    /// .unwrap();
    /// assert_eq!(grid.x_range(), (-2.0, 2.0));
    /// assert_eq!(grid.y_range(), (-1.0, 3.0));
    /// assert_eq!(grid.class_at(0, 0), Some(0));
    /// assert_eq!(grid.class_at(3, 0), Some(1));
    /// ```
    pub fn compute(
        points: &DMatrix<f64>,
        resolution: usize,
        predict: impl FnOnce(&DMatrix<f64>) -> Vec<u8>,
    ) -> Result<Self, GridError> {
        if points.nrows() != 2 {
            return Err(GridError::Shape { rows: points.nrows() });
        }
        if resolution == 0 || resolution > MAX_GRID_RESOLUTION {
            return Err(GridError::Resolution { found: resolution });
        }
        let finite: Vec<(f64, f64)> = points
            .column_iter()
            .map(|c| (c[0], c[1]))
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect();
        let (Some((x_min, x_max)), Some((y_min, y_max))) =
            (min_max(finite.iter().map(|p| p.0)), min_max(finite.iter().map(|p| p.1)))
        else {
            return Err(GridError::NoFinitePoints);
        };
        let x_range = (x_min - 1.0, x_max + 1.0);
        let y_range = (y_min - 1.0, y_max + 1.0);
        Self::compute_in(x_range, y_range, resolution, predict)
    }

    /// [`BoundaryGrid::compute`] over a window of the caller's choosing instead of the points'
    /// extent plus 1 (the notebook's `axes.set_xlim` / `set_ylim` when the data is small next to
    /// that margin, as the regularisation notebook's is).
    ///
    /// ```
    /// use linalg_nn::plot::BoundaryGrid;
    ///
    /// let grid = BoundaryGrid::compute_in((-0.75, 0.4), (-0.75, 0.65), 10, |cells| {
    ///     cells.column_iter().map(|c| u8::from(c[1] > 0.0)).collect()
    /// })
    /// .unwrap();
    /// assert_eq!(grid.y_range(), (-0.75, 0.65));
    /// assert_eq!((grid.class_at(0, 0), grid.class_at(0, 9)), (Some(0), Some(1)));
    /// assert!(BoundaryGrid::compute_in((1.0, 0.0), (0.0, 1.0), 10, |_| vec![]).is_err());
    /// ```
    pub fn compute_in(
        x_range: (f64, f64),
        y_range: (f64, f64),
        resolution: usize,
        predict: impl FnOnce(&DMatrix<f64>) -> Vec<u8>,
    ) -> Result<Self, GridError> {
        let proper = |(low, high): (f64, f64)| low.is_finite() && high.is_finite() && low < high;
        if !(proper(x_range) && proper(y_range)) {
            return Err(GridError::Window { x_range, y_range });
        }
        if resolution == 0 || resolution > MAX_GRID_RESOLUTION {
            return Err(GridError::Resolution { found: resolution });
        }
        let step_x = (x_range.1 - x_range.0) / resolution as f64;
        let step_y = (y_range.1 - y_range.0) / resolution as f64;
        let cells = resolution * resolution;
        let centres = DMatrix::from_fn(2, cells, |row, k| {
            let (ix, iy) = (k % resolution, k / resolution);
            if row == 0 {
                x_range.0 + (ix as f64 + 0.5) * step_x
            } else {
                y_range.0 + (iy as f64 + 0.5) * step_y
            }
        });
        let classes = predict(&centres);
        if classes.len() != cells {
            return Err(GridError::PredictionCount { expected: cells, found: classes.len() });
        }
        if let Some((cell, &value)) = classes.iter().enumerate().find(|(_, c)| **c > 1) {
            return Err(GridError::InvalidClass { cell, value });
        }
        Ok(BoundaryGrid { x_range, y_range, resolution, classes })
    }

    /// The mesh's x extent: `(min - 1, max + 1)` of the points' first row, or the window's.
    pub fn x_range(&self) -> (f64, f64) {
        self.x_range
    }

    /// The mesh's y extent `(min - 1, max + 1)` of the points' second row.
    pub fn y_range(&self) -> (f64, f64) {
        self.y_range
    }

    /// Cells per axis.
    pub fn resolution(&self) -> usize {
        self.resolution
    }

    /// Predicted class of cell `(ix, iy)`, counted from the left and from the bottom; `None`
    /// outside the grid.
    pub fn class_at(&self, ix: usize, iy: usize) -> Option<u8> {
        if ix >= self.resolution || iy >= self.resolution {
            return None;
        }
        self.classes.get(iy * self.resolution + ix).copied()
    }

    /// Maximal horizontal runs of equal class as data-space rectangles with their class, so a
    /// smooth boundary becomes a few rectangles per row rather than one per cell.
    fn runs(&self) -> Vec<RegionRun> {
        let n = self.resolution;
        let step_x = (self.x_range.1 - self.x_range.0) / n as f64;
        let step_y = (self.y_range.1 - self.y_range.0) / n as f64;
        let x_at = |i: usize| self.x_range.0 + i as f64 * step_x;
        let mut runs = Vec::new();
        for (iy, row) in self.classes.chunks(n).enumerate() {
            let (y0, y1) =
                (self.y_range.0 + iy as f64 * step_y, self.y_range.0 + (iy + 1) as f64 * step_y);
            let mut start = 0;
            for ix in 1..=n {
                if ix == n || row[ix] != row[start] {
                    runs.push(RegionRun {
                        corners: [(x_at(start), y0), (x_at(ix), y1)],
                        class: row[start],
                    });
                    start = ix;
                }
            }
        }
        runs
    }
}

/// A rectangle of cells of one predicted class, in data coordinates.
struct RegionRun {
    corners: [(f64, f64); 2],
    class: u8,
}

/// Points coloured by class, like the planar "flower".
#[derive(Debug, Clone, PartialEq)]
pub struct Scatter<'a> {
    /// Text above the plot.
    pub title: String,
    /// `(2, m)`: x1 in row 0, x2 in row 1, one point per column.
    pub points: &'a DMatrix<f64>,
    /// Class (0 or 1) of each column.
    pub labels: &'a [u8],
}

/// Draws `scatter` into `path` (`.png` or `.svg`), [`CHART_SIZE`] pixels: class 0 in
/// [`CLASS0_COLOR`], class 1 in [`CLASS1_COLOR`], with equal scales on both axes.
///
/// ```
/// use linalg_nn::plot::{Scatter, scatter};
/// use nalgebra::DMatrix;
///
/// let dir = tempfile::tempdir().unwrap();
/// let x = DMatrix::from_row_slice(2, 3, &[0.0, 1.0, 2.0, 0.0, 1.0, 0.5]);
/// let plot = Scatter { title: "flower".into(), points: &x, labels: &[0, 1, 1] };
/// scatter(dir.path().join("flower.svg"), &plot).unwrap();
/// ```
pub fn scatter(path: impl AsRef<Path>, scatter: &Scatter<'_>) -> Result<(), PlotError> {
    let path = path.as_ref();
    let format = Format::of(path)?;
    let points = classified_points(path, "", scatter.points, scatter.labels)?;
    let (x, y) = equal_aspect_ranges(&points);
    let panel = Panel { title: &scatter.title, points, x, y, grid: None };
    render(path, format, &SinglePanel(panel))
}

/// A model's decision regions with the data drawn over them.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionBoundary<'a> {
    /// Text above the plot, e.g. "Decision Boundary for hidden layer size 4".
    pub title: String,
    /// `(2, m)` points drawn over the regions.
    pub points: &'a DMatrix<f64>,
    /// Class (0 or 1) of each column.
    pub labels: &'a [u8],
    /// The model's predictions; its extent is the plot's extent.
    pub grid: &'a BoundaryGrid,
}

/// Draws one decision boundary into `path` (`.png` or `.svg`), [`CHART_SIZE`] pixels: cells
/// predicted 0 in [`REGION0_COLOR`], 1 in [`REGION1_COLOR`], the points on top as in
/// [`scatter`]. Points outside the grid's extent are not drawn.
///
/// ```
/// use linalg_nn::plot::{BoundaryGrid, DecisionBoundary, decision_boundary};
/// use nalgebra::DMatrix;
///
/// let dir = tempfile::tempdir().unwrap();
/// let x = DMatrix::from_row_slice(2, 2, &[-1.0, 1.0, 0.0, 0.0]);
/// let grid = BoundaryGrid::compute(&x, 50, |cells| {
///     cells.column_iter().map(|c| u8::from(c[0] > 0.0)).collect()
/// })
/// .unwrap();
/// let plot = DecisionBoundary { title: "x1 > 0".into(), points: &x, labels: &[0, 1], grid: &grid };
/// decision_boundary(dir.path().join("boundary.png"), &plot).unwrap();
/// ```
pub fn decision_boundary(
    path: impl AsRef<Path>,
    boundary: &DecisionBoundary<'_>,
) -> Result<(), PlotError> {
    let path = path.as_ref();
    let format = Format::of(path)?;
    let panel = Panel::boundary(path, "", boundary)?;
    render(path, format, &SinglePanel(panel))
}

/// Draws several decision boundaries in a grid of `columns` columns, one [`PANEL_SIZE`] subplot
/// per panel with its own title (the hidden-layer-size sweep: "Hidden Layer of size 5", ...).
pub fn decision_boundary_grid(
    path: impl AsRef<Path>,
    panels: &[DecisionBoundary<'_>],
    columns: usize,
) -> Result<(), PlotError> {
    let path = path.as_ref();
    let format = Format::of(path)?;
    if panels.is_empty() {
        return Err(PlotError::invalid(path, "panels", "expected at least one panel, found none"));
    }
    if columns == 0 {
        return Err(PlotError::invalid(path, "columns", "expected at least 1, found 0"));
    }
    let columns = columns.min(panels.len());
    let rows = panels.len().div_ceil(columns);
    let size = canvas_size(
        path,
        columns as u64 * u64::from(PANEL_SIZE.0),
        rows as u64 * u64::from(PANEL_SIZE.1),
    )?;
    let panels = panels
        .iter()
        .enumerate()
        .map(|(i, b)| Panel::boundary(path, &format!("panels[{i}]."), b))
        .collect::<Result<Vec<_>, _>>()?;
    render(path, format, &PanelGrid { panels, rows, columns, size })
}

/// Validated points with their class, non-finite columns dropped.
fn classified_points(
    path: &Path,
    prefix: &str,
    points: &DMatrix<f64>,
    labels: &[u8],
) -> Result<Vec<(f64, f64, u8)>, PlotError> {
    if points.nrows() != 2 {
        return Err(PlotError::invalid(
            path,
            format!("{prefix}points"),
            format!("expected 2 rows (x1 and x2), found {}", points.nrows()),
        ));
    }
    if labels.len() != points.ncols() {
        return Err(PlotError::invalid(
            path,
            format!("{prefix}labels"),
            format!("expected one label per point ({}), found {}", points.ncols(), labels.len()),
        ));
    }
    if let Some((i, l)) = labels.iter().enumerate().find(|(_, l)| **l > 1) {
        return Err(PlotError::invalid(
            path,
            format!("{prefix}labels"),
            format!("expected classes 0 or 1, found {l} at index {i}"),
        ));
    }
    let finite: Vec<_> = points
        .column_iter()
        .zip(labels)
        .map(|(c, &l)| (c[0], c[1], l))
        .filter(|(x, y, _)| x.is_finite() && y.is_finite())
        .collect();
    if finite.is_empty() {
        return Err(PlotError::no_finite(path, format!("{prefix}points")));
    }
    Ok(finite)
}

/// Axis ranges around `points` with the same data units per pixel on both axes, for the plot
/// area of a [`CHART_SIZE`] chart.
fn equal_aspect_ranges(points: &[(f64, f64, u8)]) -> ((f64, f64), (f64, f64)) {
    let (x0, x1) = min_max(points.iter().map(|p| p.0)).unwrap_or((0.0, 0.0));
    let (y0, y1) = min_max(points.iter().map(|p| p.1)).unwrap_or((0.0, 0.0));
    let (x0, x1) = padded_range(x0, x1, 0.05);
    let (y0, y1) = padded_range(y0, y1, 0.05);
    let area_w = f64::from(CHART_SIZE.0 - 2 * CHART_MARGIN - Y_LABEL_AREA);
    let area_h =
        f64::from(CHART_SIZE.1 - 2 * CHART_MARGIN - X_LABEL_AREA) - (TITLE_SIZE * 1.25 + 10.0);
    let per_pixel = ((x1 - x0) / area_w).max((y1 - y0) / area_h);
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let (half_w, half_h) = (per_pixel * area_w / 2.0, per_pixel * area_h / 2.0);
    ((cx - half_w, cx + half_w), (cy - half_h, cy + half_h))
}

/// One scatter or decision-boundary plot, validated.
struct Panel<'a> {
    title: &'a str,
    points: Vec<(f64, f64, u8)>,
    x: (f64, f64),
    y: (f64, f64),
    grid: Option<&'a BoundaryGrid>,
}

impl<'a> Panel<'a> {
    fn boundary(path: &Path, prefix: &str, b: &'a DecisionBoundary<'a>) -> Result<Self, PlotError> {
        let (x, y) = (b.grid.x_range(), b.grid.y_range());
        let inside =
            |&(px, py, _): &(f64, f64, u8)| px >= x.0 && px <= x.1 && py >= y.0 && py <= y.1;
        let points = classified_points(path, prefix, b.points, b.labels)?
            .into_iter()
            .filter(inside)
            .collect();
        Ok(Panel { title: &b.title, points, x, y, grid: Some(b.grid) })
    }

    fn draw<DB>(&self, area: &DrawingArea<DB, Shift>, style: &PanelStyle) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let mut builder = ChartBuilder::on(area);
        if !self.title.is_empty() {
            builder.caption(self.title, font(style.title));
        }
        let mut chart = builder
            .margin(style.margin)
            .x_label_area_size(style.x_label_area)
            .y_label_area_size(style.y_label_area)
            .build_cartesian_2d(self.x.0..self.x.1, self.y.0..self.y.1)?;
        if let Some(grid) = self.grid {
            chart.draw_series(grid.runs().into_iter().map(|run| {
                let color = if run.class == 0 { REGION0_COLOR } else { REGION1_COLOR };
                Rectangle::new(run.corners, rgb(color).filled())
            }))?;
        }
        chart
            .configure_mesh()
            .x_desc("x1")
            .y_desc("x2")
            .axis_desc_style(font(style.axis_label))
            .label_style(font(style.ticks))
            .x_label_formatter(&|v| tick_label(*v))
            .y_label_formatter(&|v| tick_label(*v))
            .disable_mesh()
            .draw()?;
        chart.draw_series(self.points.iter().map(|&(x, y, class)| {
            let color = if class == 0 { CLASS0_COLOR } else { CLASS1_COLOR };
            Circle::new((x, y), style.radius, rgb(color).filled())
        }))?;
        Ok(())
    }
}

/// Text sizes and spacing of a panel, in pixels.
struct PanelStyle {
    title: f64,
    axis_label: f64,
    ticks: f64,
    margin: u32,
    x_label_area: u32,
    y_label_area: u32,
    radius: u32,
}

const SINGLE_STYLE: PanelStyle = PanelStyle {
    title: TITLE_SIZE,
    axis_label: AXIS_LABEL_SIZE,
    ticks: TICK_SIZE,
    margin: CHART_MARGIN,
    x_label_area: X_LABEL_AREA,
    y_label_area: Y_LABEL_AREA,
    radius: 4,
};

const SMALL_STYLE: PanelStyle = PanelStyle {
    title: 18.0,
    axis_label: 16.0,
    ticks: 14.0,
    margin: 10,
    x_label_area: 40,
    y_label_area: 50,
    radius: 3,
};

struct SinglePanel<'a>(Panel<'a>);

impl Figure for SinglePanel<'_> {
    fn size(&self) -> (u32, u32) {
        CHART_SIZE
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        self.0.draw(root, &SINGLE_STYLE)
    }
}

struct PanelGrid<'a> {
    panels: Vec<Panel<'a>>,
    rows: usize,
    columns: usize,
    size: (u32, u32),
}

impl Figure for PanelGrid<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let areas = root.split_evenly((self.rows, self.columns));
        for (panel, area) in self.panels.iter().zip(&areas) {
            panel.draw(area, &SMALL_STYLE)?;
        }
        Ok(())
    }
}
