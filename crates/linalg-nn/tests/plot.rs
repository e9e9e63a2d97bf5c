//! Tests of `linalg_nn::plot` (feature `plot`): every figure kind as PNG and SVG, pixel colours
//! where they are checkable, byte-identical re-renders, and the errors for odd input.

use image::RgbImage;
use linalg_nn::plot::{
    BoundaryGrid, CHART_SIZE, CLASS0_COLOR, CLASS1_COLOR, DecisionBoundary, GridError, Heatmap,
    LabeledImage, LineChart, NetworkDiagram, PANEL_SIZE, PlotError, REGION0_COLOR, REGION1_COLOR,
    Scatter, Series, decision_boundary, decision_boundary_grid, heatmap, image_grid, line_chart,
    network_diagram, scatter,
};
use nalgebra::DMatrix;
use std::cell::Cell;
use std::path::Path;
use test_support::png::assert_png;

/// Ends of matplotlib's `viridis` colormap (plotters' `ViridisRGB` uses the same anchors).
const VIRIDIS_LOW: [u8; 3] = [68, 1, 84];
const VIRIDIS_HIGH: [u8; 3] = [254, 232, 37];
/// First two colours of matplotlib's `tab10` cycle, the colours of series 0 and 1.
const TAB10_BLUE: [u8; 3] = [0x1f, 0x77, 0xb4];
const TAB10_ORANGE: [u8; 3] = [0xff, 0x7f, 0x0e];

fn svg(path: &Path) -> String {
    std::fs::read_to_string(path).expect("the SVG is UTF-8 text")
}

/// Pixels of exactly `color`, as (x, y).
fn pixels_of(img: &RgbImage, color: [u8; 3]) -> Vec<(u32, u32)> {
    img.enumerate_pixels().filter(|(_, _, p)| p.0 == color).map(|(x, y, _)| (x, y)).collect()
}

/// Mean position of the pixels of exactly `color`, rounded.
fn centroid(img: &RgbImage, color: [u8; 3]) -> (u32, u32) {
    let pixels = pixels_of(img, color);
    assert!(!pixels.is_empty(), "no pixel of colour {color:?}");
    let n = pixels.len() as u64;
    let sx: u64 = pixels.iter().map(|p| u64::from(p.0)).sum();
    let sy: u64 = pixels.iter().map(|p| u64::from(p.1)).sum();
    (((sx + n / 2) / n) as u32, ((sy + n / 2) / n) as u32)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn cost_chart() -> LineChart {
    LineChart {
        title: "Learning rate = 0.005".into(),
        x_label: "iterations (per hundreds)".into(),
        y_label: "cost".into(),
        series: vec![Series::from_values("only-series", &[0.693, 0.585, 0.467, 0.376, 0.332])],
        log_y: false,
    }
}

/// One class-0 point on the left and one class-1 point on the right.
fn two_points() -> (DMatrix<f64>, Vec<u8>) {
    (DMatrix::from_row_slice(2, 2, &[-1.0, 1.0, 0.0, 0.0]), vec![0, 1])
}

/// The notebook's model in miniature: class 1 iff x1 > 0.
fn right_half_grid(points: &DMatrix<f64>, resolution: usize) -> BoundaryGrid {
    BoundaryGrid::compute(points, resolution, |cells| {
        cells.column_iter().map(|c| u8::from(c[0] > 0.0)).collect()
    })
    .unwrap()
}

fn gradient_image() -> Vec<u8> {
    let mut rgb = Vec::with_capacity(64 * 64 * 3);
    for y in 0..64u8 {
        for x in 0..64u8 {
            rgb.extend_from_slice(&[x * 4, y * 4, 100]);
        }
    }
    rgb
}

fn study() -> Heatmap {
    Heatmap {
        title: "test accuracy".into(),
        x_label: "learning rate".into(),
        y_label: "hidden layers".into(),
        x_ticks: vec!["0.0075".into(), "0.01".into()],
        y_ticks: vec!["2".into(), "4".into()],
        values: DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 2.0, 3.0]),
        decimals: 2,
    }
}

#[test]
fn line_chart_png_has_chart_size_and_series_colours() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lr.png");
    let chart = LineChart {
        series: vec![
            Series::from_values("0.01", &[0.7, 0.4, 0.2]),
            Series::from_values("0.001", &[0.7, 0.6, 0.5]),
        ],
        ..cost_chart()
    };
    line_chart(&path, &chart).unwrap();
    let img = assert_png(&path, 1, 1);
    assert_eq!(img.dimensions(), CHART_SIZE);
    // Both curves (2 px wide) and their legend samples are drawn in their own colour.
    assert!(pixels_of(&img, TAB10_BLUE).len() > 200);
    assert!(pixels_of(&img, TAB10_ORANGE).len() > 200);
    // The first series falls faster: its pixels sit lower on average (y grows downwards).
    assert!(centroid(&img, TAB10_BLUE).1 > centroid(&img, TAB10_ORANGE).1);
}

#[test]
fn line_chart_svg_has_title_and_legend_only_for_several_series() {
    let dir = tempfile::tempdir().unwrap();
    let single = dir.path().join("cost.svg");
    line_chart(&single, &cost_chart()).unwrap();
    let text = svg(&single);
    assert!(text.starts_with("<svg"));
    assert!(text.trim_end().ends_with("</svg>"));
    assert!(text.contains("Learning rate = 0.005"));
    assert!(text.contains("iterations (per hundreds)"));
    assert!(!text.contains("only-series"), "one series needs no legend");

    let several = dir.path().join("lr.svg");
    let chart = LineChart {
        series: vec![
            Series::from_values("lr-0.01", &[0.7, 0.4]),
            Series::from_values("lr-0.001", &[0.7, 0.6]),
            Series::from_values("lr-0.0001", &[0.7, 0.69]),
        ],
        ..cost_chart()
    };
    line_chart(&several, &chart).unwrap();
    let text = svg(&several);
    for label in ["lr-0.01", "lr-0.001", "lr-0.0001"] {
        assert!(text.contains(label), "legend entry {label} missing");
    }
}

#[test]
fn line_chart_breaks_lines_at_non_finite_values() {
    let dir = tempfile::tempdir().unwrap();
    let count_lines = |name: &str, values: &[f64]| {
        let path = dir.path().join(name);
        let chart = LineChart { series: vec![Series::from_values("c", values)], ..cost_chart() };
        line_chart(&path, &chart).unwrap();
        svg(&path).matches("<polyline").count()
    };
    // Same x and y extents in all three, so the grid lines (also polylines) are the same.
    let whole = count_lines("whole.svg", &[1.0, 2.0, 3.0, 4.0, 5.0]);
    let broken = count_lines("broken.svg", &[1.0, 2.0, f64::NAN, 4.0, 5.0]);
    let inf = count_lines("inf.svg", &[1.0, 2.0, f64::INFINITY, 4.0, 5.0, f64::NEG_INFINITY]);
    assert_eq!(broken, whole + 1);
    assert_eq!(inf, whole + 1);
}

#[test]
fn line_chart_draws_a_single_point_as_a_dot() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one.png");
    let chart = LineChart { series: vec![Series::new("c", vec![(3.0, 0.5)])], ..cost_chart() };
    line_chart(&path, &chart).unwrap();
    let img = assert_png(&path, 1, 1);
    let dot = pixels_of(&img, TAB10_BLUE);
    // A filled circle of radius 3 in the middle of the plot area (a single value is centred).
    assert!((20..=60).contains(&dot.len()), "{} dot pixels", dot.len());
    let (cx, cy) = centroid(&img, TAB10_BLUE);
    assert!((300..=600).contains(&cx) && (200..=400).contains(&cy), "dot at ({cx}, {cy})");
}

#[test]
fn line_chart_log_axis_skips_non_positive_values() {
    let dir = tempfile::tempdir().unwrap();
    let ok = dir.path().join("log.svg");
    let chart = LineChart {
        series: vec![Series::from_values("c", &[0.0, 1.0, 0.1, 0.01, -1.0])],
        log_y: true,
        ..cost_chart()
    };
    line_chart(&ok, &chart).unwrap();
    assert!(svg(&ok).contains("0.01"), "log tick labels are written plainly");

    let bad = dir.path().join("bad.png");
    let chart = LineChart {
        series: vec![Series::from_values("c", &[0.0, -1.0, f64::NAN])],
        log_y: true,
        ..cost_chart()
    };
    let err = line_chart(&bad, &chart).unwrap_err();
    assert!(matches!(err, PlotError::NoFiniteData { .. }), "{err}");
    assert!(!bad.exists());
}

#[test]
fn line_chart_without_finite_points_is_an_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    for (name, series) in [
        ("nan.png", vec![Series::from_values("c", &[f64::NAN, f64::INFINITY])]),
        ("empty.svg", vec![Series::new("c", Vec::new())]),
        ("none.png", Vec::new()),
    ] {
        let path = dir.path().join(name);
        let err = line_chart(&path, &LineChart { series, ..cost_chart() }).unwrap_err();
        assert!(matches!(err, PlotError::NoFiniteData { .. }), "{err}");
        assert!(err.to_string().contains(name), "{err}");
    }
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn unknown_extension_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["cost.jpg", "cost", "cost.png.txt"] {
        let path = dir.path().join(name);
        let err = line_chart(&path, &cost_chart()).unwrap_err();
        assert!(matches!(err, PlotError::UnsupportedFormat { .. }), "{err}");
        assert!(err.to_string().contains(name), "{err}");
    }
    // Upper-case extensions are accepted.
    line_chart(dir.path().join("COST.PNG"), &cost_chart()).unwrap();
    assert_eq!(files_in(dir.path()), ["COST.PNG"]);
}

#[test]
fn unwritable_destination_is_an_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing-folder").join("cost.png");
    let err = line_chart(&path, &cost_chart()).unwrap_err();
    assert!(matches!(err, PlotError::Write(_)), "{err}");
    assert!(err.to_string().contains("cost.png"), "{err}");
    assert!(files_in(dir.path()).is_empty(), "no temporary file is left behind");

    // A destination that is a folder: the temporary file is removed again.
    let folder = dir.path().join("taken.svg");
    std::fs::create_dir(&folder).unwrap();
    let err = line_chart(&folder, &cost_chart()).unwrap_err();
    assert!(err.to_string().contains("taken.svg"), "{err}");
    assert_eq!(files_in(dir.path()), ["taken.svg"]);
    assert!(files_in(&folder).is_empty());
}

#[test]
fn image_grid_upscales_by_nearest_neighbour_under_the_title() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cat.png");
    let rgb = gradient_image();
    let title = "y = 1, you predicted that it is a \"cat\" picture.";
    let cat = LabeledImage { rgb: &rgb, width: 64, height: 64, title: title.into() };
    image_grid(&path, std::slice::from_ref(&cat), 1, 4).unwrap();
    let img = assert_png(&path, 1, 1);
    // One 256 px cell with a 12 px gap on each side.
    assert_eq!(img.width(), 12 + 256 + 12);
    // The picture ends 12 px above the bottom edge; everything above it is the title.
    let top = img.height() - 12 - 256;
    for (sx, sy) in [(0u32, 0u32), (10, 61), (63, 63), (37, 5)] {
        let expected = [sx as u8 * 4, sy as u8 * 4, 100];
        for (dx, dy) in [(0, 0), (3, 0), (0, 3), (3, 3)] {
            let p = img.get_pixel(12 + sx * 4 + dx, top + sy * 4 + dy);
            assert_eq!(p.0, expected, "source pixel ({sx}, {sy}) + ({dx}, {dy})");
        }
    }
    let title_ink = (0..top).flat_map(|y| (0..img.width()).map(move |x| (x, y)));
    let dark = title_ink.filter(|&(x, y)| img.get_pixel(x, y).0.iter().all(|&c| c < 100)).count();
    assert!(dark > 100, "the title is drawn above the picture ({dark} dark pixels)");
    assert!(top < 80, "a short title takes at most 3 lines");

    let svg_path = dir.path().join("cat.svg");
    image_grid(&svg_path, &[cat], 1, 4).unwrap();
    let text = svg(&svg_path);
    assert!(text.contains("<svg"));
    assert!(text.contains("you predicted that it is a"));
    assert!(text.contains("<image x=\"12\""));
    assert!(text.contains("width=\"256\" height=\"256\""));
    assert!(text.contains("href=\"data:image/png;base64,iVBORw0KGgo"));
}

#[test]
fn image_grid_wraps_long_titles_and_lays_out_rows() {
    let dir = tempfile::tempdir().unwrap();
    let rgb = gradient_image();
    let image =
        |title: &str| LabeledImage { rgb: &rgb, width: 64, height: 64, title: title.into() };
    let short = dir.path().join("short.png");
    image_grid(&short, &[image("cat")], 1, 2).unwrap();
    let long = dir.path().join("long.png");
    let words = "a very long title that cannot possibly fit on one line of a small picture ";
    image_grid(&long, &[image(&words.repeat(3))], 1, 2).unwrap();
    let (short, long) = (assert_png(&short, 1, 1), assert_png(&long, 1, 1));
    // Narrow pictures get a 180 px cell so titles stay readable; long titles wrap, not widen.
    assert_eq!(short.width(), 12 + 180 + 12);
    assert_eq!(long.width(), short.width());
    assert!(long.height() > short.height() + 30);

    let grid = dir.path().join("grid.png");
    let five: Vec<_> = (0..5).map(|i| image(&format!("image {i}"))).collect();
    image_grid(&grid, &five, 2, 4).unwrap();
    let img = assert_png(&grid, 1, 1);
    assert_eq!(img.width(), 2 * 256 + 3 * 12);
    // Three rows of (title + 256 px picture) and four gaps.
    assert!(img.height() > 3 * 256 + 4 * 12 && img.height() < 3 * (256 + 80) + 4 * 12);
    // The last row holds one picture, in the first column: the second column is blank there.
    let bottom_right = img.get_pixel(12 + 256 + 12 + 128, img.height() - 12 - 128);
    assert_eq!(bottom_right.0, [255, 255, 255]);
    let bottom_left = img.get_pixel(12 + 4 * 10, img.height() - 12 - 256 + 4 * 20);
    assert_eq!(bottom_left.0, [40, 80, 100]);
}

#[test]
fn image_grid_rejects_bad_input_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.png");
    let rgb = gradient_image();
    let good = LabeledImage { rgb: &rgb, width: 64, height: 64, title: "ok".into() };
    let short = LabeledImage { rgb: &rgb[..100], ..good.clone() };
    let empty = LabeledImage { rgb: &[], width: 0, height: 64, title: String::new() };
    let cases: Vec<(Vec<LabeledImage<'_>>, usize, u32, &str)> = vec![
        (vec![], 1, 4, "images"),
        (vec![good.clone()], 0, 4, "columns"),
        (vec![good.clone()], 1, 0, "scale"),
        (vec![good.clone(), short], 1, 4, "images[1].rgb"),
        (vec![empty], 1, 4, "images[0]"),
        (vec![good.clone()], 1, 1_000_000, "layout"),
    ];
    for (images, columns, scale, field) in cases {
        let err = image_grid(&path, &images, columns, scale).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, PlotError::InvalidInput { .. }), "{message}");
        assert!(message.contains("bad.png") && message.contains(field), "{message}");
    }
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn scatter_draws_class_colours_where_the_points_are() {
    let dir = tempfile::tempdir().unwrap();
    let (points, labels) = two_points();
    let plot = Scatter { title: "flower".into(), points: &points, labels: &labels };
    let path = dir.path().join("flower.png");
    scatter(&path, &plot).unwrap();
    let img = assert_png(&path, 1, 1);
    assert_eq!(img.dimensions(), CHART_SIZE);
    let red = centroid(&img, CLASS0_COLOR);
    let blue = centroid(&img, CLASS1_COLOR);
    // Each point's centre pixel has its class colour; class 0 (x1 = -1) is left of class 1.
    assert_eq!(img.get_pixel(red.0, red.1).0, CLASS0_COLOR);
    assert_eq!(img.get_pixel(blue.0, blue.1).0, CLASS1_COLOR);
    assert!(red.0 < blue.0);
    assert!(red.1.abs_diff(blue.1) <= 1, "both points have x2 = 0");
    // Radius-4 dots: a few dozen pixels each.
    assert!((30..=80).contains(&pixels_of(&img, CLASS0_COLOR).len()));

    let svg_path = dir.path().join("flower.svg");
    scatter(&svg_path, &plot).unwrap();
    let text = svg(&svg_path);
    assert!(text.contains("flower"));
    assert_eq!(text.matches("<circle").count(), 2);
    assert!(text.contains("#9E0142") && text.contains("#5E4FA2"), "Spectral ends");
}

#[test]
fn scatter_skips_non_finite_points_and_rejects_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.svg");
    let points = DMatrix::from_row_slice(2, 3, &[0.0, f64::NAN, 1.0, 0.0, 1.0, f64::INFINITY]);
    scatter(&path, &Scatter { title: "t".into(), points: &points, labels: &[0, 1, 1] }).unwrap();
    assert_eq!(svg(&path).matches("<circle").count(), 1);

    let bad = dir.path().join("bad.png");
    let three_rows = DMatrix::<f64>::zeros(3, 2);
    let all_nan = DMatrix::from_element(2, 2, f64::NAN);
    let empty = DMatrix::<f64>::zeros(2, 0);
    let (ok_points, _) = two_points();
    let cases: [(&DMatrix<f64>, &[u8], &str); 5] = [
        (&three_rows, &[0, 1], "points"),
        (&ok_points, &[0], "labels"),
        (&ok_points, &[0, 2], "labels"),
        (&all_nan, &[0, 1], "points"),
        (&empty, &[], "points"),
    ];
    for (points, labels, field) in cases {
        let err = scatter(&bad, &Scatter { title: "t".into(), points, labels }).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("bad.png") && message.contains(field), "{message}");
    }
    assert!(!bad.exists());
}

#[test]
fn boundary_grid_calls_predict_once_with_every_cell_centre() {
    let points = DMatrix::from_row_slice(2, 3, &[-1.0, 3.0, f64::NAN, 0.5, -2.0, 7.0]);
    let calls = Cell::new(0);
    let grid = BoundaryGrid::compute(&points, 10, |cells| {
        calls.set(calls.get() + 1);
        assert_eq!(cells.shape(), (2, 100));
        // Mesh of the notebook: min - 1 .. max + 1 on each axis (the NaN column is ignored),
        // here cut into 10 cells per axis: x step 0.6, y step 0.45; first centre half a step in.
        assert!((cells[(0, 0)] - (-2.0 + 0.3)).abs() < 1e-12);
        assert!((cells[(1, 0)] - (-3.0 + 0.225)).abs() < 1e-12);
        assert!((cells[(0, 9)] - (4.0 - 0.3)).abs() < 1e-12);
        assert!((cells[(1, 99)] - (1.5 - 0.225)).abs() < 1e-12);
        cells.column_iter().map(|c| u8::from(c[1] > 0.0)).collect()
    })
    .unwrap();
    assert_eq!(calls.get(), 1);
    assert_eq!(grid.x_range(), (-2.0, 4.0));
    assert_eq!(grid.y_range(), (-3.0, 1.5));
    assert_eq!(grid.resolution(), 10);
    // Centres of row 6 are at y = -3 + 6.5 * 0.45 = -0.075, row 7 at 0.375.
    assert_eq!(grid.class_at(0, 6), Some(0));
    assert_eq!(grid.class_at(9, 7), Some(1));
    assert_eq!(grid.class_at(10, 0), None);
}

#[test]
fn boundary_grid_rejects_bad_input() {
    let (points, _) = two_points();
    let ones = |cells: &DMatrix<f64>| vec![1u8; cells.ncols()];
    assert_eq!(
        BoundaryGrid::compute(&DMatrix::zeros(3, 2), 5, ones).unwrap_err(),
        GridError::Shape { rows: 3 }
    );
    assert_eq!(
        BoundaryGrid::compute(&points, 0, ones).unwrap_err(),
        GridError::Resolution { found: 0 }
    );
    assert_eq!(
        BoundaryGrid::compute(&points, 100_000, ones).unwrap_err(),
        GridError::Resolution { found: 100_000 }
    );
    assert_eq!(
        BoundaryGrid::compute(&DMatrix::from_element(2, 2, f64::NAN), 5, ones).unwrap_err(),
        GridError::NoFinitePoints
    );
    assert_eq!(
        BoundaryGrid::compute(&points, 5, |_| vec![0; 24]).unwrap_err(),
        GridError::PredictionCount { expected: 25, found: 24 }
    );
    let err = BoundaryGrid::compute(&points, 5, |_| {
        let mut classes = vec![0; 25];
        classes[7] = 3;
        classes
    })
    .unwrap_err();
    assert_eq!(err, GridError::InvalidClass { cell: 7, value: 3 });
}

#[test]
fn decision_boundary_colours_regions_by_prediction() {
    let dir = tempfile::tempdir().unwrap();
    let (points, labels) = two_points();
    let grid = right_half_grid(&points, 100);
    let plot =
        DecisionBoundary { title: "x1 > 0".into(), points: &points, labels: &labels, grid: &grid };
    let path = dir.path().join("boundary.png");
    decision_boundary(&path, &plot).unwrap();
    let img = assert_png(&path, 1, 1);
    assert_eq!(img.dimensions(), CHART_SIZE);
    let left = pixels_of(&img, REGION0_COLOR);
    let right = pixels_of(&img, REGION1_COLOR);
    // Each half of the plot area (about 700 x 470 px) is filled.
    assert!(left.len() > 100_000 && right.len() > 100_000, "{} / {}", left.len(), right.len());
    let left_max = left.iter().map(|p| p.0).max().unwrap();
    let right_min = right.iter().map(|p| p.0).min().unwrap();
    assert!(left_max <= right_min, "light red strictly left of light blue");
    // The boundary x1 = 0 is in the middle of the x range (-2, 2).
    let right_max = right.iter().map(|p| p.0).max().unwrap();
    let left_min = left.iter().map(|p| p.0).min().unwrap();
    let middle = (left_min + right_max) / 2;
    assert!(right_min.abs_diff(middle) <= 2, "boundary at {right_min}, middle {middle}");
    // The points are drawn on top, in their class colour, one in each region.
    let red = centroid(&img, CLASS0_COLOR);
    let blue = centroid(&img, CLASS1_COLOR);
    assert!(red.0 < right_min && blue.0 > left_max);
    assert_eq!(img.get_pixel(red.0, red.1).0, CLASS0_COLOR);

    let svg_path = dir.path().join("boundary.svg");
    decision_boundary(&svg_path, &plot).unwrap();
    let text = svg(&svg_path);
    assert!(text.contains("x1 &gt; 0") || text.contains("x1 > 0"), "title");
    // One rectangle per run of equal cells: two runs in each of the 100 rows.
    assert_eq!(text.matches("fill=\"#F7C4C4\"").count(), 100);
    assert_eq!(text.matches("fill=\"#C6D4F0\"").count(), 100);
}

#[test]
fn decision_boundary_grid_has_one_panel_per_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let (points, labels) = two_points();
    let grid = right_half_grid(&points, 20);
    let titles = ["Hidden Layer of size 1", "Hidden Layer of size 2", "Hidden Layer of size 3"];
    let panels: Vec<_> = titles
        .iter()
        .map(|t| DecisionBoundary {
            title: t.to_string(),
            points: &points,
            labels: &labels,
            grid: &grid,
        })
        .collect();
    let path = dir.path().join("sweep.png");
    decision_boundary_grid(&path, &panels, 2).unwrap();
    let img = assert_png(&path, 1, 1);
    assert_eq!(img.dimensions(), (2 * PANEL_SIZE.0, 2 * PANEL_SIZE.1));
    // Three panels with both regions; the fourth slot (bottom right) stays white.
    for (px, py) in [(0, 0), (1, 0), (0, 1)] {
        let inside = |p: &&(u32, u32)| p.0 / PANEL_SIZE.0 == px && p.1 / PANEL_SIZE.1 == py;
        assert!(pixels_of(&img, REGION0_COLOR).iter().filter(inside).count() > 10_000);
        assert!(pixels_of(&img, REGION1_COLOR).iter().filter(inside).count() > 10_000);
    }
    let blank = (PANEL_SIZE.0..2 * PANEL_SIZE.0)
        .flat_map(|x| (PANEL_SIZE.1..2 * PANEL_SIZE.1).map(move |y| (x, y)))
        .all(|(x, y)| img.get_pixel(x, y).0 == [255, 255, 255]);
    assert!(blank);

    let svg_path = dir.path().join("sweep.svg");
    decision_boundary_grid(&svg_path, &panels, 3).unwrap();
    let text = svg(&svg_path);
    assert!(text.contains(&format!("width=\"{}\"", 3 * PANEL_SIZE.0)));
    for title in titles {
        assert!(text.contains(title), "{title}");
    }

    let bad_labels = [0u8, 5];
    let mut bad = panels.clone();
    bad[1].labels = &bad_labels;
    let err = decision_boundary_grid(dir.path().join("bad.png"), &bad, 2).unwrap_err();
    assert!(err.to_string().contains("panels[1].labels"), "{err}");
    let err = decision_boundary_grid(dir.path().join("bad.png"), &panels, 0).unwrap_err();
    assert!(err.to_string().contains("columns"), "{err}");
    let err = decision_boundary_grid(dir.path().join("bad.png"), &[], 2).unwrap_err();
    assert!(err.to_string().contains("panels"), "{err}");
    assert!(!dir.path().join("bad.png").exists());
}

#[test]
fn heatmap_colours_cells_by_value_with_row_zero_on_top() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.png");
    heatmap(&path, &study()).unwrap();
    let img = assert_png(&path, 1, 1);
    assert_eq!(img.dimensions(), CHART_SIZE);
    // values [[0, 1], [2, 3]]: the lowest (row 0, column 0) is top left, the highest bottom right.
    let low = centroid(&img, VIRIDIS_LOW);
    let high = centroid(&img, VIRIDIS_HIGH);
    assert!(low.0 < high.0 && low.1 < high.1, "low {low:?}, high {high:?}");
    assert!(pixels_of(&img, VIRIDIS_LOW).len() > 40_000, "a quarter of the plot area");

    let svg_path = dir.path().join("study.svg");
    heatmap(&svg_path, &study()).unwrap();
    let text = svg(&svg_path);
    for label in ["test accuracy", "learning rate", "hidden layers", "0.0075", "0.00", "3.00"] {
        assert!(text.contains(label), "{label}");
    }
}

#[test]
fn heatmap_marks_non_finite_cells_and_rejects_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nan.svg");
    let values = DMatrix::from_row_slice(2, 2, &[0.5, f64::NAN, 0.7, 0.9]);
    heatmap(&path, &Heatmap { values, decimals: 1, ..study() }).unwrap();
    let text = svg(&path);
    assert!(text.contains("NaN") && text.contains("0.7") && text.contains("#D9D9D9"));

    let bad = dir.path().join("bad.png");
    let cases = [
        (Heatmap { values: DMatrix::from_element(2, 2, f64::NAN), ..study() }, "values"),
        (Heatmap { values: DMatrix::zeros(0, 0), ..study() }, "values"),
        (Heatmap { x_ticks: vec!["one".into()], ..study() }, "x_ticks"),
        (Heatmap { y_ticks: vec![], ..study() }, "y_ticks"),
    ];
    for (map, field) in cases {
        let message = heatmap(&bad, &map).unwrap_err().to_string();
        assert!(message.contains("bad.png") && message.contains(field), "{message}");
    }
    assert!(!bad.exists());
}

#[test]
fn same_inputs_give_byte_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let (points, labels) = two_points();
    let grid = right_half_grid(&points, 50);
    let boundary =
        DecisionBoundary { title: "b".into(), points: &points, labels: &labels, grid: &grid };
    let rgb = gradient_image();
    let cat = LabeledImage { rgb: &rgb, width: 64, height: 64, title: "a cat".into() };
    let scatter_plot = Scatter { title: "s".into(), points: &points, labels: &labels };
    for ext in ["png", "svg"] {
        let render = |name: &str| -> Vec<u8> {
            let path = dir.path().join(format!("{name}.{ext}"));
            match name.trim_end_matches(['1', '2']) {
                "line" => line_chart(&path, &cost_chart()).unwrap(),
                "images" => image_grid(&path, std::slice::from_ref(&cat), 1, 4).unwrap(),
                "scatter" => scatter(&path, &scatter_plot).unwrap(),
                "boundary" => decision_boundary(&path, &boundary).unwrap(),
                "sweep" => {
                    decision_boundary_grid(&path, std::slice::from_ref(&boundary), 1).unwrap()
                }
                "heatmap" => heatmap(&path, &study()).unwrap(),
                "network" => network_diagram(&path, &one_hidden()).unwrap(),
                other => unreachable!("{other}"),
            }
            std::fs::read(&path).unwrap()
        };
        for kind in ["line", "images", "scatter", "boundary", "sweep", "heatmap", "network"] {
            let first = render(&format!("{kind}1"));
            let second = render(&format!("{kind}2"));
            assert!(first.len() > 1000, "{kind}.{ext} has content");
            assert!(first == second, "{kind}.{ext} differs between two renders");
        }
    }
}

fn one_hidden() -> NetworkDiagram {
    NetworkDiagram { title: "1 hidden layer".into(), layer_sizes: vec![3, 4, 1] }
}

#[test]
fn network_diagram_draws_a_column_of_units_per_layer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("network.png");
    network_diagram(&path, &one_hidden()).unwrap();
    let img = assert_png(&path, 1, 1);
    assert_eq!(img.dimensions(), CHART_SIZE);
    // Hidden units in tab10 blue in the middle column, the output unit in orange on the right.
    let hidden = centroid(&img, TAB10_BLUE);
    let output = centroid(&img, TAB10_ORANGE);
    assert!(hidden.0 > CHART_SIZE.0 / 3 && hidden.0 < 2 * CHART_SIZE.0 / 3, "{hidden:?}");
    assert!(output.0 > 2 * CHART_SIZE.0 / 3, "{output:?}");

    let svg_path = dir.path().join("network.svg");
    network_diagram(&svg_path, &one_hidden()).unwrap();
    let text = svg(&svg_path);
    assert!(text.starts_with("<svg width=\"800\" height=\"600\""));
    assert!(text.trim_end().ends_with("</svg>"), "complete document");
    for label in ["1 hidden layer", "input", "layer 1", "a[1]", "output", "ŷ"] {
        assert!(text.contains(label), "{label}");
    }
    // 3 + 4 + 1 units, each a filled circle and an outline; 3*4 + 4*1 connections.
    assert_eq!(text.matches("<circle").count(), 2 * 8);
    assert_eq!(text.matches("<polyline").count(), 16);

    // Logistic regression and five hidden layers of five units also fit.
    let deep = NetworkDiagram { title: String::new(), layer_sizes: vec![3, 5, 5, 5, 5, 5, 1] };
    network_diagram(dir.path().join("deep.png"), &deep).unwrap();
    let logistic = NetworkDiagram { title: "logistic".into(), layer_sizes: vec![3, 1] };
    network_diagram(dir.path().join("logistic.svg"), &logistic).unwrap();
    assert!(!svg(&dir.path().join("logistic.svg")).contains("layer 1"));
}

#[test]
fn network_diagram_rejects_bad_layer_sizes_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.png");
    for sizes in [vec![], vec![3], vec![3, 0, 1], vec![3, 13, 1], vec![1; 13]] {
        let diagram = NetworkDiagram { layer_sizes: sizes.clone(), ..one_hidden() };
        let err = network_diagram(&bad, &diagram).unwrap_err();
        assert!(matches!(err, PlotError::InvalidInput { .. }), "{sizes:?}: {err}");
        let message = err.to_string();
        assert!(message.contains("bad.png") && message.contains("layer_sizes"), "{message}");
    }
    assert!(files_in(dir.path()).is_empty(), "nothing written");
}
