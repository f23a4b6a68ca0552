//! PNG plots drawn in pure Rust (plotters with the embedded DejaVu Sans font): cost curves,
//! the decision boundary of a classifier on 2-D data (the regions of k classes), a confusion
//! matrix, and a search's scores against each hyperparameter.

use std::error::Error as StdError;
use std::path::Path;
use std::sync::OnceLock;

use ndarray::{Array2, ArrayView2};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::full_palette::{
    AMBER_100, AMBER_700, BLUE_100, BLUE_700, BROWN_100, BROWN_700, CYAN_100, CYAN_700, GREEN_100, GREEN_700, GREY_100,
    GREY_700, LIME_100, LIME_700, PINK_100, PINK_700, PURPLE_100, PURPLE_700, RED_100, RED_700,
};
use plotters::style::register_font;

use crate::{Error, Result};

/// Width and height of every plot, in pixels.
const SIZE: (u32, u32) = (900, 600);

/// Cells per side of the grid a decision boundary is evaluated on.
const GRID: usize = 200;

/// One named cost curve: `costs[i]` is the cost at iteration i.
#[derive(Debug, Clone, Copy)]
pub struct Curve<'a> {
    /// The legend's text (unused when there is one curve).
    pub label: &'a str,
    /// Cost per iteration.
    pub costs: &'a [f64],
}

/// Draws cost against iteration for one or more curves (a legend when several) to a PNG.
pub fn cost_curves(path: impl AsRef<Path>, title: &str, curves: &[Curve<'_>]) -> Result<()> {
    cost_curves_per(path, title, "iteration", curves)
}

/// As [`cost_curves`], with the horizontal axis named `unit` (such as "epoch").
pub fn cost_curves_per(path: impl AsRef<Path>, title: &str, unit: &str, curves: &[Curve<'_>]) -> Result<()> {
    render(path.as_ref(), SIZE, |root| draw_cost_curves(root, title, unit, curves))
}

/// How a [`Panel`]'s horizontal axis reads its values.
#[derive(Debug, Clone, PartialEq)]
pub enum PanelAxis {
    /// Numbers on a linear scale.
    Linear,
    /// Positive numbers on a logarithmic scale (learning rates).
    Log,
    /// Named values: a point's x is the index of its name here.
    Categories(Vec<String>),
}

/// One hyperparameter's panel of a search plot: a score per trial against its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// The hyperparameter's name, under the axis.
    pub name: String,
    /// How x is read.
    pub axis: PanelAxis,
    /// `(x, score)` per trial.
    pub points: Vec<(f64, f64)>,
}

/// Draws one panel per hyperparameter, each with every trial's score (`score_name` on the
/// vertical axis) against that hyperparameter's value, to a PNG.
pub fn search_scores(path: impl AsRef<Path>, title: &str, score_name: &str, panels: &[Panel]) -> Result<()> {
    let columns = panels.len().clamp(1, 3);
    let rows = panels.len().div_ceil(columns).max(1);
    let size = (450 * columns.max(2) as u32, 60 + 380 * rows as u32);
    render(path.as_ref(), size, |root| {
        root.fill(&WHITE)?;
        let root = root.titled(title, ("sans-serif", 26))?;
        let (lo, hi) = padded_range(panels.iter().flat_map(|p| p.points.iter().map(|&(_, s)| s)));
        for (area, panel) in root.split_evenly((rows, columns)).iter().zip(panels) {
            let points = panel.points.iter().filter(|(x, s)| x.is_finite() && s.is_finite());
            match &panel.axis {
                PanelAxis::Categories(names) => {
                    let n = names.len().max(1) as i32;
                    let mut chart = ChartBuilder::on(area)
                        .margin(12)
                        .x_label_area_size(40)
                        .y_label_area_size(60)
                        .build_cartesian_2d((0..n - 1).into_segmented(), lo..hi)?;
                    chart
                        .configure_mesh()
                        .disable_x_mesh()
                        .x_desc(panel.name.as_str())
                        .y_desc(score_name)
                        .x_labels(names.len())
                        .x_label_formatter(&|v| match v {
                            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                                names.get(*i as usize).cloned().unwrap_or_default()
                            }
                            SegmentValue::Last => String::new(),
                        })
                        .label_style(("sans-serif", 14))
                        .draw()?;
                    chart.draw_series(points.map(|&(x, s)| {
                        Circle::new((SegmentValue::CenterOf(x.round() as i32), s), 5, BLUE.mix(0.7).filled())
                    }))?;
                }
                PanelAxis::Linear | PanelAxis::Log => {
                    let log = panel.axis == PanelAxis::Log;
                    let to_x = |x: f64| if log { x.log10() } else { x };
                    let (x_lo, x_hi) = padded_range(panel.points.iter().map(|&(x, _)| to_x(x)));
                    let mut chart = ChartBuilder::on(area)
                        .margin(12)
                        .x_label_area_size(40)
                        .y_label_area_size(60)
                        .build_cartesian_2d(x_lo..x_hi, lo..hi)?;
                    chart
                        .configure_mesh()
                        .x_desc(if log { format!("{} (log scale)", panel.name) } else { panel.name.clone() })
                        .y_desc(score_name)
                        .x_labels(6)
                        .x_label_formatter(&|&x| if log { format!("{:.1e}", 10f64.powf(x)) } else { format!("{x}") })
                        .label_style(("sans-serif", 14))
                        .draw()?;
                    chart.draw_series(points.map(|&(x, s)| Circle::new((to_x(x), s), 5, BLUE.mix(0.7).filled())))?;
                }
            }
        }
        root.present()?;
        Ok(())
    })
}

/// An axis range around the finite `values`, with a 5 % margin (half the value around a single
/// one; 0..1 when there is none).
fn padded_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let finite = values.filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() || !hi.is_finite() {
        (0.0, 1.0)
    } else if hi <= lo {
        (lo - 0.5 * lo.abs().max(1e-3), hi + 0.5 * hi.abs().max(1e-3))
    } else {
        (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
    }
}

/// Draws a classifier's decision boundary over 2-D points: the plane coloured by the
/// predicted probability of class 1 (blue 0, red 1), the points on top coloured by their
/// label.
///
/// `probabilities` receives a 2 × G matrix of grid points (one per column, in the
/// coordinates of `points`) and returns G probabilities.
///
/// # Shapes
/// `points`: 2 × m; `labels`: m values in {0, 1}.
pub fn decision_boundary(
    path: impl AsRef<Path>,
    title: &str,
    points: ArrayView2<f64>,
    labels: &[f64],
    probabilities: impl FnOnce(ArrayView2<f64>) -> Result<Vec<f64>>,
) -> Result<()> {
    let path = path.as_ref();
    check_two_dimensional(path, points)?;
    let (grid, step, x_range, y_range) = grid_over(points);
    let p = probabilities(grid.view())?;
    render(path, SIZE, |root| {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 26))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(55)
            .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)?;
        chart.draw_series((0..GRID * GRID).map(|cell| {
            let (x0, y0) = (grid[(0, cell)] - step.0 / 2.0, grid[(1, cell)] - step.1 / 2.0);
            let color = mix(BLUE_100, RED_100, p[cell].clamp(0.0, 1.0));
            Rectangle::new([(x0, y0), (x0 + step.0, y0 + step.1)], color.filled())
        }))?;
        chart.configure_mesh().disable_mesh().x_desc("x1").y_desc("x2").label_style(("sans-serif", 14)).draw()?;
        let dots = points.columns().into_iter().zip(labels).map(|(point, &label)| {
            let color = if label > 0.5 { RED_700 } else { BLUE_700 };
            Circle::new((point[0], point[1]), 4, color.filled())
        });
        chart.draw_series(dots)?;
        chart.draw_series(points.columns().into_iter().map(|p| Circle::new((p[0], p[1]), 4, BLACK.stroke_width(1))))?;
        root.present()?;
        Ok(())
    })
}

/// The light (regions) and dark (points) colour of each class, in turn; past ten classes the
/// colours repeat.
const CLASS_COLORS: [(RGBColor, RGBColor); 10] = [
    (BLUE_100, BLUE_700),
    (RED_100, RED_700),
    (GREEN_100, GREEN_700),
    (AMBER_100, AMBER_700),
    (PURPLE_100, PURPLE_700),
    (CYAN_100, CYAN_700),
    (BROWN_100, BROWN_700),
    (PINK_100, PINK_700),
    (LIME_100, LIME_700),
    (GREY_100, GREY_700),
];

/// The regions of k classes on 2-D data: each cell of a grid over the points coloured by the
/// class `classes` predicts there (lighter where its probability is lower), the points by
/// their own class, as [`decision_boundary`] draws two classes.
///
/// `classes` receives a 2 × G matrix of grid points and returns, for each, the predicted
/// class and its probability.
///
/// # Shapes
/// `points`: 2 × m; `labels`: m class indexes.
pub fn decision_regions(
    path: impl AsRef<Path>,
    title: &str,
    points: ArrayView2<f64>,
    labels: &[usize],
    classes: impl FnOnce(ArrayView2<f64>) -> Result<Vec<(usize, f64)>>,
) -> Result<()> {
    let path = path.as_ref();
    check_two_dimensional(path, points)?;
    let (grid, step, x_range, y_range) = grid_over(points);
    let predicted = classes(grid.view())?;
    let colors = |class: usize| CLASS_COLORS[class % CLASS_COLORS.len()];
    render(path, SIZE, |root| {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 26))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(55)
            .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)?;
        chart.draw_series((0..GRID * GRID).map(|cell| {
            let (x0, y0) = (grid[(0, cell)] - step.0 / 2.0, grid[(1, cell)] - step.1 / 2.0);
            let (class, p) = predicted[cell];
            let color = mix(WHITE, colors(class).0, p.clamp(0.0, 1.0));
            Rectangle::new([(x0, y0), (x0 + step.0, y0 + step.1)], color.filled())
        }))?;
        chart.configure_mesh().disable_mesh().x_desc("x1").y_desc("x2").label_style(("sans-serif", 14)).draw()?;
        let dots = points
            .columns()
            .into_iter()
            .zip(labels)
            .map(|(point, &label)| Circle::new((point[0], point[1]), 4, colors(label).1.filled()));
        chart.draw_series(dots)?;
        chart.draw_series(points.columns().into_iter().map(|p| Circle::new((p[0], p[1]), 4, BLACK.stroke_width(1))))?;
        root.present()?;
        Ok(())
    })
}

/// A confusion matrix as a picture: `counts[actual][predicted]` in a k × k grid of cells,
/// each shaded by the fraction of its row (its class's examples) and labelled with its count;
/// the class names along both axes.
pub fn confusion_matrix(path: impl AsRef<Path>, title: &str, counts: &[Vec<usize>], names: &[String]) -> Result<()> {
    let path = path.as_ref();
    let k = counts.len();
    let cell = (480 / k.max(1)).clamp(24, 90) as i32;
    let label_width = 12 + 9 * names.iter().map(|n| n.chars().count()).max().unwrap_or(1).min(24) as i32;
    let (left, top) = (label_width.max(80) + 20, 80);
    let size = ((left + cell * k as i32 + 30) as u32, (top + cell * k as i32 + 80) as u32);
    let size = (size.0.max(420), size.1.max(240));
    render(path, size, |root| {
        root.fill(&WHITE)?;
        let style = |px: i32| ("sans-serif", px).into_font();
        root.draw(&Text::new(title.to_string(), (15, 15), style(24)))?;
        root.draw(&Text::new("predicted →".to_string(), (left, top - 30), style(16)))?;
        root.draw(&Text::new("actual ↓".to_string(), (10, top - 30), style(16)))?;
        for (i, row) in counts.iter().enumerate() {
            let total = row.iter().sum::<usize>().max(1) as f64;
            let y = top + cell * i as i32;
            let name: String = names.get(i).map_or(i.to_string(), |n| n.chars().take(24).collect());
            root.draw(&Text::new(name, (10, y + cell / 2 - 8), style(15)))?;
            for (j, &count) in row.iter().enumerate() {
                let x = left + cell * j as i32;
                let shade = mix(WHITE, BLUE_700, count as f64 / total);
                root.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], shade.filled()))?;
                root.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], BLACK.stroke_width(1)))?;
                let ink = if count as f64 / total > 0.5 { WHITE } else { BLACK };
                let text = count.to_string();
                let font = style((cell / 3).clamp(10, 22));
                let at = (x + cell / 2 - 4 * text.len() as i32, y + cell / 2 - 8);
                root.draw(&Text::new(text, at, font.color(&ink)))?;
            }
        }
        for (j, name) in names.iter().enumerate().take(k) {
            let short: String = name.chars().take((cell / 9).max(3) as usize).collect();
            let x = left + cell * j as i32 + cell / 2 - 4 * short.chars().count() as i32;
            root.draw(&Text::new(short, (x, top + cell * k as i32 + 8), style(14)))?;
        }
        root.present()?;
        Ok(())
    })
}

/// The grid a decision boundary is evaluated on: GRID × GRID cell centres over the points'
/// range padded by a tenth (2 × GRID² points), the cell size and the x and y ranges.
#[allow(clippy::type_complexity)]
fn grid_over(points: ArrayView2<f64>) -> (Array2<f64>, (f64, f64), (f64, f64), (f64, f64)) {
    let bounds = |row: usize| {
        let values = points.row(row);
        let (lo, hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        let pad = 0.1 * (hi - lo).max(1e-9);
        (lo - pad, hi + pad)
    };
    let (x_range, y_range) = (bounds(0), bounds(1));
    let step = ((x_range.1 - x_range.0) / GRID as f64, (y_range.1 - y_range.0) / GRID as f64);
    let mut grid = Array2::zeros((2, GRID * GRID));
    for i in 0..GRID {
        for j in 0..GRID {
            grid[(0, i * GRID + j)] = x_range.0 + (i as f64 + 0.5) * step.0;
            grid[(1, i * GRID + j)] = y_range.0 + (j as f64 + 0.5) * step.1;
        }
    }
    (grid, step, x_range, y_range)
}

/// A decision boundary is drawn over two features only.
fn check_two_dimensional(path: &Path, points: ArrayView2<f64>) -> Result<()> {
    if points.nrows() != 2 {
        return Err(Error::DataFile {
            path: path.to_path_buf(),
            reason: format!("a decision boundary needs 2-D data, and this data has {} features", points.nrows()),
        });
    }
    Ok(())
}

fn draw_cost_curves<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    unit: &str,
    curves: &[Curve<'_>],
) -> std::result::Result<(), Box<dyn StdError>>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let iterations = curves.iter().map(|c| c.costs.len()).max().unwrap_or(0).max(2);
    let (lo, hi) = padded_range(curves.iter().flat_map(|c| c.costs.iter().copied()));
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 26))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..(iterations - 1) as f64, lo..hi)?;
    chart
        .configure_mesh()
        .x_desc(unit)
        .y_desc("cost")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .label_style(("sans-serif", 14))
        .draw()?;
    let palette = [BLUE, RED, GREEN, MAGENTA, CYAN, BLACK];
    for (k, curve) in curves.iter().enumerate() {
        let color = palette[k % palette.len()];
        let points = curve.costs.iter().enumerate().filter(|(_, c)| c.is_finite()).map(|(i, &c)| (i as f64, c));
        // Thick lines through many points zigzag past the data at sharp turns: one pixel
        // wide then.
        let width = if curve.costs.len() > 500 { 1 } else { 2 };
        let series = chart.draw_series(LineSeries::new(points, color.stroke_width(width)))?;
        if curves.len() > 1 {
            series
                .label(curve.label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        }
    }
    if curves.len() > 1 {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 16))
            .draw()?;
    }
    root.present()?;
    Ok(())
}

/// The colour a fraction `t` of the way from `a` to `b`.
fn mix(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let channel = |u: u8, v: u8| (f64::from(u) + (f64::from(v) - f64::from(u)) * t).round() as u8;
    RGBColor(channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
}

/// Registers DejaVu Sans as plotters' "sans-serif" once.
fn ensure_font() -> std::result::Result<(), String> {
    static FONT: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    FONT.get_or_init(|| {
        register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
            .map_err(|_| "the embedded DejaVu Sans font is invalid".to_string())
    })
    .clone()
}

/// Draws into an RGB buffer and writes it as PNG, atomically.
fn render(
    path: &Path,
    (w, h): (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> std::result::Result<(), Box<dyn StdError>>,
) -> Result<()> {
    let fail = |reason: String| Error::DataFile {
        path: path.to_path_buf(),
        reason: format!("cannot draw the plot: {reason}"),
    };
    ensure_font().map_err(fail)?;
    let mut buffer = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area();
        draw(&root).map_err(|e| fail(e.to_string()))?;
    }
    let image = image::RgbImage::from_raw(w, h, buffer).expect("the buffer holds w·h RGB pixels");
    let mut png = Vec::new();
    image.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).map_err(|e| fail(e.to_string()))?;
    crate::write_atomically(path, &png)
}
