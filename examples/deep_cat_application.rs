//! Week 4 of the course, "Deep neural network for image classification: application", with the
//! course's printed numbers beside dnn's:
//!
//! - the 2-layer model 12288 → 7 ReLU → 1 sigmoid (W = randn·0.01 after `np.random.seed(1)`,
//!   b = 0, learning rate 0.0075, 2500 iterations): its costs, train accuracy 1.0, test 0.72,
//!   and its cost curve;
//! - the 4-layer model 12288 → 20 → 7 → 5 → 1 (W[l] = randn / √n[l−1]): its costs, train
//!   accuracy 0.9856459330143541, test 0.8, and its cost curve;
//! - the test pictures the 4-layer model gets wrong, as one grid of pictures;
//! - "test with your own image": the 4-layer model's probability of "cat" for a picture of your
//!   own, resized to the model's 64×64 pixels.
//!
//! Needs `../shared/data/catvnoncat/{train,test}_catvnoncat.h5` next to the crate. Run:
//!
//! ```sh
//! cargo run --release --example deep_cat_application [-- --out-dir DIR] [IMAGE]
//! ```
//!
//! IMAGE is an optional PNG or JPEG file. The PNGs go to `target/examples-output/` unless
//! `--out-dir` names another folder. The exit status is 1 when a number does not match the
//! course's.
//! Golden values: ../shared/reference/course_results.md, "Deep network application".

mod common;

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use common::{Options, Report, Result, Tolerance, COST, EXACT};
use dnn::data::{read_image, Dataset, ImageShape, Resize};
use dnn::plot::{cost_curves, Curve};
use dnn::{fit, Activation, Architecture, History, Init, Network, NumpyRng, TrainConfig};
use image::imageops::{self, FilterType};
use image::{Rgb, RgbImage};
use ndarray::{Array2, ArrayView2};

const USAGE: &str = "usage: deep_cat_application [--out-dir DIR] [IMAGE]";

/// The course's costs of the 2-layer model, by iteration.
const TWO_LAYER_COSTS: [(usize, f64); 7] = [
    (0, 0.6930497356599888),
    (100, 0.6464320953428849),
    (500, 0.5158304772764731),
    (1000, 0.33942815383664127),
    (1500, 0.17448318112556652),
    (2000, 0.07439078704319087),
    (2499, 0.0442149821586896),
];

/// The course's costs of the 4-layer model, by iteration (not monotone: 800 → 900 rises).
const FOUR_LAYER_COSTS: [(usize, f64); 9] = [
    (0, 0.7717493284237686),
    (100, 0.6720534400822914),
    (500, 0.5401376634547801),
    (800, 0.36912585249592794),
    (900, 0.39174697434805344),
    (1000, 0.3151869888600617),
    (1500, 0.16118854665827748),
    (2000, 0.1138206066863371),
    (2499, 0.08843994344170202),
];

/// How the two models are described, built and what the course got with them.
struct Model {
    name: &'static str,
    plot_title: &'static str,
    file: &'static str,
    sizes: &'static [usize],
    init: Init,
    course_costs: &'static [(usize, f64)],
    course_train_accuracy: f64,
    course_test_accuracy: f64,
}

const TWO_LAYER: Model = Model {
    name: "2-layer model: 12288 → 7 ReLU → 1 sigmoid, W = randn·0.01",
    plot_title: "2-layer cat classifier, learning rate 0.0075",
    file: "cat_2_layer_cost.png",
    sizes: &[12288, 7, 1],
    init: Init::Scaled(0.01),
    course_costs: &TWO_LAYER_COSTS,
    course_train_accuracy: 1.0,
    course_test_accuracy: 0.72,
};

const FOUR_LAYER: Model = Model {
    name: "4-layer model: 12288 → 20 → 7 → 5 ReLU → 1 sigmoid, W[l] = randn / √n[l−1]",
    plot_title: "4-layer cat classifier, learning rate 0.0075",
    file: "cat_4_layer_cost.png",
    sizes: &[12288, 20, 7, 5, 1],
    init: Init::Lecun,
    course_costs: &FOUR_LAYER_COSTS,
    course_train_accuracy: 0.9856459330143541,
    course_test_accuracy: 0.8,
};

fn main() -> ExitCode {
    common::exit_code(run())
}

fn run() -> Result<Report> {
    let options = Options::parse(USAGE, 1)?;
    let mut report = Report::new();
    let (train, test) = common::cat_data()?;
    // The picture of your own is read before any training, so that a bad file fails at once.
    let own_image = match options.inputs.first() {
        Some(path) => Some((path, read_own_image(path, &train)?)),
        None => None,
    };
    train_and_compare(&mut report, &options, &TWO_LAYER, &train, &test)?;
    let network = train_and_compare(&mut report, &options, &FOUR_LAYER, &train, &test)?;
    mislabelled_pictures(&mut report, &options, &network, &train, &test)?;
    match own_image {
        Some((path, x)) => classify_own_image(&mut report, &network, &train, path, &x)?,
        None => report.note("\n(no picture of your own given: add a PNG or JPEG path to classify it)"),
    }
    Ok(report)
}

/// Trains `model` the course's way — `np.random.seed(1)`, then W[1], W[2], … drawn in order,
/// b = 0, learning rate 0.0075, 2500 iterations — and compares it with the course's numbers.
fn train_and_compare(
    report: &mut Report,
    options: &Options,
    model: &Model,
    train: &Dataset,
    test: &Dataset,
) -> Result<Network<f64>> {
    report.section(&format!("{}; learning rate 0.0075, 2500 iterations", model.name));
    let arch = Architecture::new(model.sizes, Activation::Relu, Activation::Sigmoid)?;
    let network = Network::init(&arch, model.init, &mut NumpyRng::new(1))?;
    let config = TrainConfig::new(0.0075, 2500).check()?;
    let start = Instant::now();
    let (network, history): (Network<f64>, History) = fit(network, train.x.view(), train.y.view(), &config)?;
    let seconds = start.elapsed().as_secs_f64();
    for &(i, course) in model.course_costs {
        report.check(format!("cost after iteration {i}"), course, history.costs[i], COST);
    }
    // One picture is 1/209 of the train accuracy and 1/50 of the test accuracy: ±1e-9 means
    // the same pictures right.
    let train_accuracy = common::accuracy(&network, train.x.view(), train.y.view())?;
    let test_accuracy = common::accuracy(&network, test.x.view(), test.y.view())?;
    report.check("train accuracy", model.course_train_accuracy, train_accuracy, Tolerance::Absolute(1e-9));
    report.check("test accuracy", model.course_test_accuracy, test_accuracy, Tolerance::Absolute(1e-9));
    report.show("training time (s)", format!("{seconds:.2}"));

    let path = options.out(model.file);
    cost_curves(&path, model.plot_title, &[Curve { label: "cost", costs: &history.costs }])?;
    report.note(format!("cost curve: {}", path.display()));
    Ok(network)
}

/// The course's print_mislabeled_images: the test pictures whose prediction is not the label.
fn mislabelled_pictures(
    report: &mut Report,
    options: &Options,
    network: &Network<f64>,
    train: &Dataset,
    test: &Dataset,
) -> Result<()> {
    report.section("Test pictures the 4-layer model gets wrong");
    let probabilities = network.predict_proba(test.x.view())?;
    let wrong: Vec<(usize, f64)> = probabilities
        .row(0)
        .iter()
        .zip(test.y.row(0))
        .enumerate()
        .filter(|&(_, (&p, &y))| (p > 0.5) != (y == 1.0))
        .map(|(j, (&p, _))| (j, p))
        .collect();
    // The course's test accuracy (0.8) leaves (1 − 0.8)·50 = 10 pictures wrong.
    let course_wrong = ((1.0 - FOUR_LAYER.course_test_accuracy) * test.m() as f64).round();
    report.check("pictures wrong", course_wrong, wrong.len() as f64, EXACT);
    for &(j, p) in &wrong {
        let label = class_name(train, test.y[(0, j)] == 1.0);
        report.show(format!("test picture {j}: a {label}, probability of cat"), format!("{p:.4}"));
    }
    if wrong.is_empty() {
        return Ok(());
    }
    let shape = test.image.ok_or("the test set holds no pictures")?;
    let pictures: Vec<(usize, bool)> = wrong.iter().map(|&(j, _)| (j, test.y[(0, j)] == 1.0)).collect();
    let path = options.out("cat_mislabelled.png");
    write_picture_grid(&path, test.x.view(), shape, &pictures)?;
    report.note(format!(
        "the wrong pictures, in the order above (blue frame: a cat taken for a non-cat; \
         red frame: a non-cat taken for a cat): {}",
        path.display()
    ));
    Ok(())
}

/// "cat" or "non-cat", as the data file names its classes.
fn class_name(data: &Dataset, is_cat: bool) -> String {
    let fallback = if is_cat { "cat" } else { "non-cat" };
    let names = data.class_names.as_deref().unwrap_or_default();
    names.get(usize::from(is_cat)).map_or(fallback.to_string(), |name| name.clone())
}

/// Draws pictures (columns of X in (row, column, channel) order, values 0–1) side by side,
/// five to a row, each enlarged twice and framed blue when it is a cat, red when not, to a PNG.
fn write_picture_grid(path: &Path, x: ArrayView2<f64>, shape: ImageShape, pictures: &[(usize, bool)]) -> Result<()> {
    const PER_ROW: u32 = 5;
    const ZOOM: u32 = 2;
    const FRAME: u32 = 4;
    const GAP: u32 = 10;
    if shape.channels != 3 {
        return Err(format!("expected RGB pictures, found {} channels", shape.channels).into());
    }
    let (width, height) = (u32::try_from(shape.width)?, u32::try_from(shape.height)?);
    let (tile_width, tile_height) = (width * ZOOM + 2 * FRAME, height * ZOOM + 2 * FRAME);
    let count = u32::try_from(pictures.len())?;
    let columns = count.min(PER_ROW);
    let rows = count.div_ceil(PER_ROW);
    let white = Rgb([255, 255, 255]);
    let mut grid = RgbImage::from_pixel(GAP + columns * (tile_width + GAP), GAP + rows * (tile_height + GAP), white);
    for (k, &(j, is_cat)) in (0..).zip(pictures) {
        // Values were divided by 255 when loaded; back to bytes.
        let picture = RgbImage::from_fn(width, height, |column, row| {
            let at = (row as usize * shape.width + column as usize) * shape.channels;
            Rgb(std::array::from_fn(|c| (x[(at + c, j)] * 255.0).round() as u8))
        });
        let enlarged = imageops::resize(&picture, width * ZOOM, height * ZOOM, FilterType::Nearest);
        let frame =
            RgbImage::from_pixel(tile_width, tile_height, if is_cat { Rgb([40, 90, 220]) } else { Rgb([220, 40, 40]) });
        let left = i64::from(GAP + (k % PER_ROW) * (tile_width + GAP));
        let top = i64::from(GAP + (k / PER_ROW) * (tile_height + GAP));
        imageops::overlay(&mut grid, &frame, left, top);
        imageops::overlay(&mut grid, &enlarged, left + i64::from(FRAME), top + i64::from(FRAME));
    }
    let mut png = Vec::new();
    grid.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
    dnn::write_atomically(path, &png)?;
    Ok(())
}

/// The course's "test with your own image", first half: the picture resized to the model's
/// 64×64, flattened as the training pictures (row, column, channel) into one column, and
/// divided by 255 as they were.
fn read_own_image(path: &Path, train: &Dataset) -> Result<Array2<f64>> {
    let shape = train.image.ok_or("the training set holds no pictures")?;
    let (pixels, _) = read_image(path, Some(shape), Resize::Yes)?;
    Ok(Array2::from_shape_vec((pixels.len(), 1), pixels)? / 255.0)
}

/// Second half: the 4-layer model's probability of "cat" for the picture, and its class.
fn classify_own_image(
    report: &mut Report,
    network: &Network<f64>,
    train: &Dataset,
    path: &Path,
    x: &Array2<f64>,
) -> Result<()> {
    report.section("Your own image, through the 4-layer model");
    let probability = network.predict_proba(x.view())?[(0, 0)];
    report.show(format!("{}: probability of cat", path.display()), probability);
    report.show(format!("{}: class", path.display()), class_name(train, probability > 0.5));
    Ok(())
}
