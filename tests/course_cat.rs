//! The course's cat / non-cat results, read from ../shared/data/catvnoncat (skipped, saying
//! so, when the files are absent). Golden values: ../shared/reference/course_results.md and
//! tests/fixtures/catvnoncat_checks.txt (h5py's view of the same files).

// Golden values are quoted digit for digit as published, including ln 2 at iteration 0.
#![allow(clippy::excessive_precision, clippy::approx_constant)]
#![cfg(feature = "io")]

mod common;

use dnn::data::Dataset;
use dnn::{fit, metrics, Activation, Architecture, GramMode, Init, Network, NumpyRng, TrainConfig};

fn accuracy(net: &Network<f64>, data: &Dataset) -> f64 {
    let predictions = net.predict(data.x.view(), 0.5).unwrap();
    metrics::accuracy(predictions.view(), data.y.view()).unwrap()
}

#[test]
fn hdf5_files_read_as_h5py_reads_them() {
    let Some((train, test)) = common::cat_data() else { return };
    // "train_set_x (209, 64, 64, 3) uint8 … test_set_x (50, 64, 64, 3)": X is 12288 × m.
    assert_eq!((train.x.dim(), train.y.dim()), ((12288, 209), (1, 209)));
    assert_eq!((test.x.dim(), test.y.dim()), ((12288, 50), (1, 50)));
    let image = train.image.expect("uint8 images are recognised");
    assert_eq!((image.height, image.width, image.channels), (64, 64, 3));
    assert_eq!(train.class_names.as_deref(), Some(&["non-cat".to_string(), "cat".to_string()][..]));
    // Sums of all bytes and first values of images 0 (fixture) and 1 (course_results.md:
    // "training image 1's first ten flattened values are 196, 192, 190, 193, 186, 182, 188,
    // 179, 174, 213; test image 1's: 115, 110, 111, 137, 129, 129, 155, 146, 145, 159").
    let bytes = |d: &Dataset| d.x.iter().map(|v| (v * 255.0).round()).sum::<f64>();
    assert_eq!(bytes(&train), 264542077.0);
    assert_eq!(bytes(&test), 65969547.0);
    let first_ten = |d: &Dataset, j: usize| (0..10).map(|i| (d.x[(i, j)] * 255.0).round()).collect::<Vec<_>>();
    assert_eq!(first_ten(&train, 0), [17.0, 31.0, 56.0, 22.0, 33.0, 59.0, 25.0, 35.0, 62.0, 25.0]);
    assert_eq!(first_ten(&test, 0), [158.0, 104.0, 83.0, 161.0, 106.0, 85.0, 162.0, 107.0, 84.0, 163.0]);
    assert_eq!(first_ten(&train, 1), [196.0, 192.0, 190.0, 193.0, 186.0, 182.0, 188.0, 179.0, 174.0, 213.0]);
    assert_eq!(first_ten(&test, 1), [115.0, 110.0, 111.0, 137.0, 129.0, 129.0, 155.0, 146.0, 145.0, 159.0]);
    // "The test set has 33 cats and 17 non-cats."
    assert_eq!(test.y.sum(), 33.0);
}

/// Trains the course's model twice: with W[1] updated directly (the course's way) and in the
/// Gram form (W[1] = W[1]₀ + C·Xᵀ); both runs must give the course's numbers.
fn train_both_ways(
    train: &Dataset,
    arch: &Architecture,
    init: Init,
    seed: u32,
    learning_rate: f64,
    iterations: usize,
) -> Vec<(Network<f64>, dnn::History)> {
    [GramMode::Off, GramMode::On]
        .into_iter()
        .map(|gram| {
            let net = Network::<f64>::init(arch, init, &mut NumpyRng::new(seed)).unwrap();
            let config = TrainConfig::new(learning_rate, iterations).with_gram(gram).check().unwrap();
            fit(net, train.x.view(), train.y.view(), &config).unwrap()
        })
        .collect()
}

fn assert_costs(costs: &[f64], expected: &[(usize, f64)]) {
    for &(i, want) in expected {
        common::assert_rel(costs[i], want, 1e-8, &format!("cost after iteration {i}"));
    }
}

#[test]
fn logistic_regression_week_2() {
    let Some((train, test)) = common::cat_data() else { return };
    // "w = 0 (12288×1), b = 0, learning rate 0.005, 2000 iterations."
    let arch = Architecture::new(&[12288, 1], Activation::Sigmoid, Activation::Sigmoid).unwrap();
    for (net, history) in train_both_ways(&train, &arch, Init::Zeros, 0, 0.005, 2000) {
        assert_costs(
            &history.costs,
            &[
                (0, 0.69314718055994529),
                (100, 0.58450836369930859),
                (200, 0.46694904094655459),
                (300, 0.37600686694802077),
                (400, 0.33146328932825114),
                (500, 0.30327306747438287),
                (1000, 0.21481951378449646),
                (1500, 0.16652139705400335),
                (1900, 0.14087207570310162),
            ],
        );
        // "Final b = −0.015906243999692933. Train accuracy 99.04306220095694 %, test 70.0 %."
        common::assert_rel(net.layers()[0].b()[0], -0.015906243999692933, 1e-8, "final b");
        assert_eq!(accuracy(&net, &train), 207.0 / 209.0);
        assert_eq!(accuracy(&net, &test), 0.70);
    }
}

#[test]
fn two_layer_cat_classifier() {
    let Some((train, test)) = common::cat_data() else { return };
    // "2-layer [12288, 7, 1], W = randn·0.01", seed 1, ReLU/sigmoid, lr 0.0075, 2500 iterations.
    let arch = Architecture::new(&[12288, 7, 1], Activation::Relu, Activation::Sigmoid).unwrap();
    for (net, history) in train_both_ways(&train, &arch, Init::Scaled(0.01), 1, 0.0075, 2500) {
        assert_costs(
            &history.costs,
            &[
                (0, 0.6930497356599888),
                (100, 0.6464320953428849),
                (500, 0.5158304772764731),
                (1000, 0.33942815383664127),
                (1500, 0.17448318112556652),
                (2000, 0.07439078704319087),
                (2499, 0.0442149821586896),
            ],
        );
        // "Train accuracy 1.0, test 0.72."
        assert_eq!(accuracy(&net, &train), 1.0);
        assert_eq!(accuracy(&net, &test), 0.72);
    }
}

#[test]
fn four_layer_cat_classifier() {
    let Some((train, test)) = common::cat_data() else { return };
    // "4-layer [12288, 20, 7, 5, 1], W = randn / sqrt(n[l−1])", seed 1, lr 0.0075, 2500.
    let arch = Architecture::new(&[12288, 20, 7, 5, 1], Activation::Relu, Activation::Sigmoid).unwrap();
    for (net, history) in train_both_ways(&train, &arch, Init::Lecun, 1, 0.0075, 2500) {
        assert_costs(
            &history.costs,
            &[
                (0, 0.7717493284237686),
                (100, 0.6720534400822914),
                (500, 0.5401376634547801),
                (800, 0.36912585249592794),
                (900, 0.39174697434805344),
                (1000, 0.3151869888600617),
                (1500, 0.16118854665827748),
                (2000, 0.1138206066863371),
                (2499, 0.08843994344170202),
            ],
        );
        // "Train accuracy 0.9856459330143541, test 0.8."
        assert_eq!(accuracy(&net, &train), 206.0 / 209.0);
        assert_eq!(accuracy(&net, &test), 0.8);
    }
}
