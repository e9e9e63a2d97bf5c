//! Network diagrams as the course draws them: each layer a column of circles (units), every unit
//! joined by a line to every unit of the next layer, and the course's notation under the columns
//! (`x` for the input, `a[l]` for layer `l`, `ŷ` for the output).

use super::{
    CHART_SIZE, DrawResult, Figure, Format, PALETTE, PlotError, TITLE_SIZE, WrappedText, font,
    render, rgb, text_size,
};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// Most units a layer may have: more would not fit as readable circles.
pub const MAX_UNITS_PER_LAYER: usize = 12;

/// Most layers (input and output included) a diagram may have.
pub const MAX_LAYERS: usize = 12;

/// A fully connected network drawn as columns of units, input layer on the left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkDiagram {
    /// Text above the diagram; empty for none.
    pub title: String,
    /// Units per layer, input layer first: `[3, 1]` is logistic regression on three features,
    /// `[3, 4, 1]` a network with one hidden layer of four units. At least 2 layers and at most
    /// [`MAX_LAYERS`], each of 1 to [`MAX_UNITS_PER_LAYER`] units.
    pub layer_sizes: Vec<usize>,
}

/// Draws `diagram` into `path` (`.png` or `.svg`), [`CHART_SIZE`] pixels.
///
/// Columns are labelled `input` / `x`, `layer l` / `a[l]` for the hidden layers, and `output` /
/// `ŷ` for the last one. Invalid layer sizes are a [`PlotError::InvalidInput`] naming
/// `layer_sizes`, and nothing is written.
///
/// ```
/// use linalg_nn::plot::{NetworkDiagram, network_diagram};
///
/// let dir = tempfile::tempdir().unwrap();
/// let one_hidden =
///     NetworkDiagram { title: "one hidden layer".into(), layer_sizes: vec![3, 4, 1] };
/// network_diagram(dir.path().join("network.svg"), &one_hidden).unwrap();
///
/// let empty = NetworkDiagram { title: String::new(), layer_sizes: vec![3] };
/// assert!(network_diagram(dir.path().join("bad.png"), &empty).is_err());
/// ```
pub fn network_diagram(path: impl AsRef<Path>, diagram: &NetworkDiagram) -> Result<(), PlotError> {
    let path = path.as_ref();
    let format = Format::of(path)?;
    let figure = PreparedNetwork::new(path, diagram)?;
    render(path, format, &figure)
}

const MARGIN: u32 = 20;
/// Font sizes tried for the column labels, largest first.
const LABEL_SIZES: [f64; 5] = [20.0, 18.0, 16.0, 14.0, 12.0];
/// Title sizes tried, largest first.
const TITLE_SIZES: [f64; 3] = [TITLE_SIZE, 22.0, 18.0];
/// Largest distance between the centres of two units of a column, and largest radius.
const MAX_SPACING: f64 = 72.0;
const MAX_RADIUS: f64 = 22.0;
/// Colour of the connections.
const EDGE_COLOR: RGBColor = RGBColor(0x9a, 0x9a, 0x9a);
/// Fill of input units.
const INPUT_COLOR: [u8; 3] = [0xe6, 0xe6, 0xe6];

/// The two label lines under column `layer` of a network with `layers` layers.
fn column_label(layer: usize, layers: usize) -> [String; 2] {
    if layer == 0 {
        ["input".into(), "x".into()]
    } else if layer + 1 == layers {
        ["output".into(), "ŷ".into()]
    } else {
        [format!("layer {layer}"), format!("a[{layer}]")]
    }
}

struct PreparedNetwork {
    title: WrappedText,
    sizes: Vec<usize>,
    labels: Vec<[String; 2]>,
    label_size: f64,
}

impl PreparedNetwork {
    fn new(path: &Path, diagram: &NetworkDiagram) -> Result<Self, PlotError> {
        let sizes = &diagram.layer_sizes;
        if sizes.len() < 2 || sizes.len() > MAX_LAYERS {
            return Err(PlotError::invalid(
                path,
                "layer_sizes",
                format!(
                    "expected 2..={MAX_LAYERS} layers (input and output included), found {}",
                    sizes.len()
                ),
            ));
        }
        if let Some((i, &n)) =
            sizes.iter().enumerate().find(|&(_, &n)| n == 0 || n > MAX_UNITS_PER_LAYER)
        {
            return Err(PlotError::invalid(
                path,
                "layer_sizes",
                format!("layer {i} has {n} units; each layer needs 1..={MAX_UNITS_PER_LAYER}"),
            ));
        }
        let width = CHART_SIZE.0 - 2 * MARGIN;
        let title = WrappedText::fit(path, &diagram.title, width, &TITLE_SIZES, 2)?;
        let labels: Vec<[String; 2]> =
            (0..sizes.len()).map(|l| column_label(l, sizes.len())).collect();
        let column = width / sizes.len() as u32;
        let mut label_size = LABEL_SIZES[LABEL_SIZES.len() - 1];
        'sizes: for size in LABEL_SIZES {
            for text in labels.iter().flatten() {
                if text_size(path, text, size)?.0 + 6 > column {
                    continue 'sizes;
                }
            }
            label_size = size;
            break;
        }
        Ok(PreparedNetwork { title, sizes: sizes.clone(), labels, label_size })
    }

    fn line_height(&self) -> f64 {
        (self.label_size * 1.3).ceil()
    }

    /// Centre of every unit, by layer, and the circles' radius.
    fn layout(&self) -> (Vec<Vec<(i32, i32)>>, u32) {
        let (width, height) = (f64::from(CHART_SIZE.0), f64::from(CHART_SIZE.1));
        let margin = f64::from(MARGIN);
        let top = margin + f64::from(self.title.height()) + 10.0;
        let bottom = height - margin - 2.0 * self.line_height() - 10.0;
        let column = (width - 2.0 * margin) / self.sizes.len() as f64;
        let most = self.sizes.iter().copied().max().unwrap_or(1) as f64;
        let spacing = ((bottom - top) / most).min(MAX_SPACING);
        let radius = (spacing * 0.36).min(column * 0.2).clamp(3.0, MAX_RADIUS);
        let middle = (top + bottom) / 2.0;
        let centres = self
            .sizes
            .iter()
            .enumerate()
            .map(|(l, &n)| {
                let x = margin + (l as f64 + 0.5) * column;
                (0..n)
                    .map(|i| {
                        let y = middle + (i as f64 - (n as f64 - 1.0) / 2.0) * spacing;
                        (x.round() as i32, y.round() as i32)
                    })
                    .collect()
            })
            .collect();
        (centres, radius.round() as u32)
    }
}

impl Figure for PreparedNetwork {
    fn size(&self) -> (u32, u32) {
        CHART_SIZE
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        self.title.draw(root, (CHART_SIZE.0 / 2) as i32, MARGIN as i32)?;
        let (centres, radius) = self.layout();
        let edge = ShapeStyle::from(&EDGE_COLOR).stroke_width(1);
        for pair in centres.windows(2) {
            for &from in &pair[0] {
                for &to in &pair[1] {
                    root.draw(&PathElement::new(vec![from, to], edge))?;
                }
            }
        }
        let layers = centres.len();
        for (l, column) in centres.iter().enumerate() {
            let fill = match l {
                0 => rgb(INPUT_COLOR),
                _ if l + 1 == layers => rgb(PALETTE[1]),
                _ => rgb(PALETTE[0]),
            };
            for &centre in column {
                root.draw(&Circle::new(centre, radius, fill.filled()))?;
                root.draw(&Circle::new(centre, radius, BLACK.stroke_width(2)))?;
            }
        }
        let style = TextStyle::from(font(self.label_size))
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Top));
        let first_line =
            CHART_SIZE.1 as i32 - MARGIN as i32 - (2.0 * self.line_height()).round() as i32;
        for (column, label) in centres.iter().zip(&self.labels) {
            let x = column.first().map_or(0, |c| c.0);
            for (i, line) in label.iter().enumerate() {
                let y = first_line + (i as f64 * self.line_height()).round() as i32;
                root.draw_text(line, &style, (x, y))?;
            }
        }
        Ok(())
    }
}
