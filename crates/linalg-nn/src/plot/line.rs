//! Line charts: the cost curve (`plt.plot(costs)` in every notebook), the learning-rate
//! comparison of the logistic-regression notebook, and activation functions with their
//! derivatives (week 3).

use super::{
    AXIS_LABEL_SIZE, CHART_SIZE, DrawResult, Figure, Format, LEGEND_SIZE, PALETTE, PlotError,
    TICK_SIZE, TITLE_SIZE, font, min_max, padded_range, render, rgb, text_size, tick_label,
};
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::path::Path;

/// One named curve of a [`LineChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// `(x, y)` points in drawing order. Non-finite points (and, on a log axis, `y <= 0`) are
    /// skipped and break the line there, like matplotlib does with NaN.
    pub points: Vec<(f64, f64)>,
}

impl Series {
    /// A series from explicit `(x, y)` points.
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series { label: label.into(), points }
    }

    /// A series whose x values are the indices 0, 1, 2, ... like `plt.plot(costs)`: the cost
    /// recorded every hundred iterations gives x in "iterations (per hundreds)".
    pub fn from_values(label: impl Into<String>, values: &[f64]) -> Self {
        let points = values.iter().enumerate().map(|(i, &y)| (i as f64, y)).collect();
        Series { label: label.into(), points }
    }
}

/// A chart of one or more curves, each in its own colour, with a legend when there is more than
/// one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineChart {
    /// Text above the chart.
    pub title: String,
    /// Text under the x axis, e.g. "iterations (per hundreds)".
    pub x_label: String,
    /// Text beside the y axis, e.g. "cost".
    pub y_label: String,
    /// The curves; colours follow matplotlib's `tab10` cycle in this order.
    pub series: Vec<Series>,
    /// Logarithmic y axis (only points with `y > 0` are drawn).
    pub log_y: bool,
}

/// Draws `chart` into `path` (`.png` or `.svg`), [`CHART_SIZE`] pixels.
///
/// ```
/// use linalg_nn::plot::{LineChart, Series, line_chart};
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("cost.png");
/// let costs = [0.693, 0.585, 0.467, 0.376, 0.332];
/// let chart = LineChart {
///     title: "Learning rate = 0.005".into(),
///     x_label: "iterations (per hundreds)".into(),
///     y_label: "cost".into(),
///     series: vec![Series::from_values("cost", &costs)],
///     log_y: false,
/// };
/// line_chart(&path, &chart).unwrap();
/// let png = image::open(&path).unwrap();
/// assert_eq!((png.width(), png.height()), linalg_nn::plot::CHART_SIZE);
///
/// // Nothing finite to draw is an error, and no file is written.
/// let nan = dir.path().join("nan.svg");
/// let chart = LineChart { series: vec![Series::from_values("cost", &[f64::NAN])], ..chart };
/// assert!(line_chart(&nan, &chart).is_err());
/// assert!(!nan.exists());
/// ```
pub fn line_chart(path: impl AsRef<Path>, chart: &LineChart) -> Result<(), PlotError> {
    let path = path.as_ref();
    let format = Format::of(path)?;
    let figure = PreparedLines::new(path, chart)?;
    render(path, format, &figure)
}

/// A series reduced to what is drawn: unbroken runs of drawable points.
struct DrawnSeries<'a> {
    label: &'a str,
    color: RGBColor,
    runs: Vec<Vec<(f64, f64)>>,
}

/// Where the legend goes: the candidate corner covering the fewest data points.
#[derive(Debug, Clone, Copy, PartialEq)]
enum LegendSpot {
    UpperRight,
    UpperLeft,
    LowerRight,
    LowerLeft,
    UpperMiddle,
    LowerMiddle,
    MiddleRight,
    MiddleLeft,
}

impl LegendSpot {
    const ALL: [LegendSpot; 8] = [
        LegendSpot::UpperRight,
        LegendSpot::UpperLeft,
        LegendSpot::LowerRight,
        LegendSpot::LowerLeft,
        LegendSpot::UpperMiddle,
        LegendSpot::LowerMiddle,
        LegendSpot::MiddleRight,
        LegendSpot::MiddleLeft,
    ];

    fn position(self) -> SeriesLabelPosition {
        match self {
            LegendSpot::UpperRight => SeriesLabelPosition::UpperRight,
            LegendSpot::UpperLeft => SeriesLabelPosition::UpperLeft,
            LegendSpot::LowerRight => SeriesLabelPosition::LowerRight,
            LegendSpot::LowerLeft => SeriesLabelPosition::LowerLeft,
            LegendSpot::UpperMiddle => SeriesLabelPosition::UpperMiddle,
            LegendSpot::LowerMiddle => SeriesLabelPosition::LowerMiddle,
            LegendSpot::MiddleRight => SeriesLabelPosition::MiddleRight,
            LegendSpot::MiddleLeft => SeriesLabelPosition::MiddleLeft,
        }
    }

    /// The legend's box in plot-area fractions `(x0, x1, y0, y1)`, y pointing up, for a legend
    /// `w` by `h` fractions of the plot area (with a small margin around it).
    fn bounds(self, w: f64, h: f64) -> (f64, f64, f64, f64) {
        let (w, h) = ((w + 0.03).min(1.0), (h + 0.03).min(1.0));
        let (x0, x1) = match self {
            LegendSpot::UpperLeft | LegendSpot::LowerLeft | LegendSpot::MiddleLeft => (0.0, w),
            LegendSpot::UpperRight | LegendSpot::LowerRight | LegendSpot::MiddleRight => {
                (1.0 - w, 1.0)
            }
            LegendSpot::UpperMiddle | LegendSpot::LowerMiddle => (0.5 - w / 2.0, 0.5 + w / 2.0),
        };
        let (y0, y1) = match self {
            LegendSpot::UpperLeft | LegendSpot::UpperRight | LegendSpot::UpperMiddle => {
                (1.0 - h, 1.0)
            }
            LegendSpot::LowerLeft | LegendSpot::LowerRight | LegendSpot::LowerMiddle => (0.0, h),
            LegendSpot::MiddleLeft | LegendSpot::MiddleRight => (0.5 - h / 2.0, 0.5 + h / 2.0),
        };
        (x0, x1, y0, y1)
    }
}

/// Margins and label areas of a single chart, in pixels (shared by all single-chart figures).
pub(super) const CHART_MARGIN: u32 = 20;
pub(super) const X_LABEL_AREA: u32 = 55;
pub(super) const Y_LABEL_AREA: u32 = 80;

/// Approximate plot-area size of a [`CHART_SIZE`] chart with a title, used to place the legend.
fn plot_area_estimate() -> (f64, f64) {
    let title = TITLE_SIZE * 1.25 + 10.0;
    let w = f64::from(CHART_SIZE.0 - 2 * CHART_MARGIN - Y_LABEL_AREA);
    let h = f64::from(CHART_SIZE.1 - 2 * CHART_MARGIN - X_LABEL_AREA) - title;
    (w, h)
}

struct PreparedLines<'a> {
    chart: &'a LineChart,
    series: Vec<DrawnSeries<'a>>,
    x: (f64, f64),
    y: (f64, f64),
    legend: Option<LegendSpot>,
}

impl<'a> PreparedLines<'a> {
    fn new(path: &Path, chart: &'a LineChart) -> Result<Self, PlotError> {
        let drawable =
            |&(x, y): &(f64, f64)| x.is_finite() && y.is_finite() && (!chart.log_y || y > 0.0);
        let series: Vec<DrawnSeries<'a>> = chart
            .series
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
                let mut run = Vec::new();
                for p in &s.points {
                    if drawable(p) {
                        run.push(*p);
                    } else if !run.is_empty() {
                        runs.push(std::mem::take(&mut run));
                    }
                }
                if !run.is_empty() {
                    runs.push(run);
                }
                (!runs.is_empty()).then(|| DrawnSeries {
                    label: &s.label,
                    color: rgb(PALETTE[i % PALETTE.len()]),
                    runs,
                })
            })
            .collect();
        let all = || series.iter().flat_map(|s| s.runs.iter().flatten());
        let field = if chart.log_y { "series (y > 0 on a log axis)" } else { "series" };
        let (Some((x0, x1)), Some((y0, y1))) =
            (min_max(all().map(|p| p.0)), min_max(all().map(|p| p.1)))
        else {
            return Err(PlotError::no_finite(path, field));
        };
        let x = padded_range(x0, x1, 0.02);
        let y = if chart.log_y {
            let (l0, l1) = padded_range(y0.log10(), y1.log10(), 0.05);
            (10f64.powf(l0), 10f64.powf(l1))
        } else {
            padded_range(y0, y1, 0.05)
        };
        let mut prepared = PreparedLines { chart, series, x, y, legend: None };
        if chart.series.len() > 1 {
            prepared.legend = Some(prepared.legend_spot(path)?);
        }
        Ok(prepared)
    }

    /// Position of a point in plot-area fractions, y up.
    fn fraction(&self, (x, y): (f64, f64)) -> (f64, f64) {
        let fx = (x - self.x.0) / (self.x.1 - self.x.0);
        let fy = if self.chart.log_y {
            (y.log10() - self.y.0.log10()) / (self.y.1.log10() - self.y.0.log10())
        } else {
            (y - self.y.0) / (self.y.1 - self.y.0)
        };
        (fx, fy)
    }

    /// The candidate legend spot whose box covers the fewest samples of the drawn lines.
    fn legend_spot(&self, path: &Path) -> Result<LegendSpot, PlotError> {
        let (area_w, area_h) = plot_area_estimate();
        let mut widest = 0u32;
        for s in &self.series {
            widest = widest.max(text_size(path, s.label, LEGEND_SIZE)?.0);
        }
        let legend_w = (f64::from(widest) + 45.0) / area_w;
        let legend_h = (self.series.len() as f64 * (LEGEND_SIZE + 6.0) + 12.0) / area_h;

        let mut samples = Vec::new();
        for run in self.series.iter().flat_map(|s| &s.runs) {
            let fractions: Vec<_> = run.iter().map(|&p| self.fraction(p)).collect();
            samples.extend_from_slice(&fractions);
            for pair in fractions.windows(2) {
                let ((ax, ay), (bx, by)) = (pair[0], pair[1]);
                for k in 1..20 {
                    let t = f64::from(k) / 20.0;
                    samples.push((ax + t * (bx - ax), ay + t * (by - ay)));
                }
            }
        }
        let covered = |spot: LegendSpot| {
            let (x0, x1, y0, y1) = spot.bounds(legend_w, legend_h);
            samples.iter().filter(|&&(x, y)| x >= x0 && x <= x1 && y >= y0 && y <= y1).count()
        };
        let mut best = LegendSpot::UpperRight;
        let mut best_count = covered(best);
        for spot in LegendSpot::ALL {
            let count = covered(spot);
            if count < best_count {
                best = spot;
                best_count = count;
            }
        }
        Ok(best)
    }

    fn draw_on<'b, DB, Y>(
        &self,
        chart: &mut ChartContext<'b, DB, Cartesian2d<RangedCoordf64, Y>>,
    ) -> DrawResult
    where
        DB: DrawingBackend + 'b,
        DB::ErrorType: 'static,
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        chart
            .configure_mesh()
            .x_desc(self.chart.x_label.as_str())
            .y_desc(self.chart.y_label.as_str())
            .axis_desc_style(font(AXIS_LABEL_SIZE))
            .label_style(font(TICK_SIZE))
            .x_label_formatter(&|v| tick_label(*v))
            .y_label_formatter(&|v| tick_label(*v))
            .bold_line_style(BLACK.mix(0.12))
            .light_line_style(TRANSPARENT)
            .draw()?;
        for s in &self.series {
            let color = s.color;
            for (i, run) in s.runs.iter().enumerate() {
                let anno = if let [single] = run.as_slice() {
                    chart.draw_series(std::iter::once(Circle::new(*single, 3, color.filled())))?
                } else {
                    chart
                        .draw_series(LineSeries::new(run.iter().copied(), color.stroke_width(2)))?
                };
                if i == 0 && self.legend.is_some() {
                    anno.label(s.label).legend(move |(x, y)| {
                        PathElement::new(vec![(x - 8, y), (x + 12, y)], color.stroke_width(2))
                    });
                }
            }
        }
        if let Some(spot) = self.legend {
            chart
                .configure_series_labels()
                .position(spot.position())
                .label_font(font(LEGEND_SIZE))
                .background_style(WHITE.mix(0.9))
                .border_style(BLACK.mix(0.4))
                .draw()?;
        }
        Ok(())
    }
}

impl Figure for PreparedLines<'_> {
    fn size(&self) -> (u32, u32) {
        CHART_SIZE
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let mut builder = ChartBuilder::on(root);
        if !self.chart.title.is_empty() {
            builder.caption(&self.chart.title, font(TITLE_SIZE));
        }
        builder
            .margin(CHART_MARGIN)
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(Y_LABEL_AREA);
        let (x0, x1) = self.x;
        let (y0, y1) = self.y;
        if self.chart.log_y {
            let mut chart = builder.build_cartesian_2d(x0..x1, (y0..y1).log_scale())?;
            self.draw_on(&mut chart)
        } else {
            let mut chart = builder.build_cartesian_2d(x0..x1, y0..y1)?;
            self.draw_on(&mut chart)
        }
    }
}
