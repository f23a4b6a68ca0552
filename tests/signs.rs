//! The course's SIGNS hand signs (6 classes, 64×64 pictures) with a softmax network, against
//! the numpy reference of course 2's `c2_signs_softmax.py` (fixture signs_softmax_gd.txt).
//!
//! Only the 120-picture `test_signs.h5` is at hand: as the reference does, its first 100
//! pictures train and its last 20 are held out.
#![cfg(feature = "io")]

mod common;

use std::path::PathBuf;

use dnn::data::{read_hdf5, Dataset, Hdf5Keys};
use dnn::{fit, Activation, Architecture, GramMode, Init, Network, NumpyRng, Optimizer, TrainConfig};
use ndarray::{s, Array2};

fn signs_path() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/signs/test_signs.h5");
    if !path.exists() {
        println!("skipped: the course's SIGNS data is not at {}", path.display());
        return None;
    }
    Some(path)
}

/// One-hot Y (k × m) from class indexes (1 × m).
fn one_hot(y: &Array2<f64>, k: usize) -> Array2<f64> {
    Array2::from_shape_fn((k, y.ncols()), |(i, j)| if y[(0, j)] == i as f64 { 1.0 } else { 0.0 })
}

fn accuracy(network: &Network<f64>, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let classes = network.predict_classes(x.view()).unwrap();
    classes.iter().zip(y.row(0)).filter(|(&c, &y)| c as f64 == y).count() as f64 / y.ncols() as f64
}

#[test]
fn signs_loads_with_its_integer_class_list() {
    let Some(path) = signs_path() else { return };
    let data: Dataset = read_hdf5(&path, &Hdf5Keys::default()).unwrap();
    assert_eq!((data.n_x(), data.m()), (12288, 120));
    let names: Vec<String> = (0..6).map(|i| i.to_string()).collect();
    assert_eq!(data.class_names, Some(names));
    // RESULTS.md §5.5: Σ X_train = 877436.388235294 (columns 0–99, divided by 255).
    let sum: f64 = data.x.slice(s![.., ..100]).iter().map(|v| v / 255.0).sum();
    common::assert_rel(sum, 877436.388235294, 1e-11, "Σ X_train (summed in another order than numpy)");
    // Classes 18/17/13/15/18/19 in the first 100, 2/3/7/5/2/1 in the last 20.
    let count = |range: std::ops::Range<usize>| -> Vec<usize> {
        (0..6).map(|c| range.clone().filter(|&j| data.y[(0, j)] == c as f64).count()).collect()
    };
    assert_eq!(count(0..100), [18, 17, 13, 15, 18, 19]);
    assert_eq!(count(100..120), [2, 3, 7, 5, 2, 1]);
}

#[test]
fn signs_full_batch_gradient_descent_matches_numpy() {
    let Some(path) = signs_path() else { return };
    let data = read_hdf5(&path, &Hdf5Keys::default()).unwrap();
    let x = data.x.mapv(|v| v / 255.0);
    let (x_train, x_test) = (x.slice(s![.., ..100]).to_owned(), x.slice(s![.., 100..]).to_owned());
    let (y_train, y_test) = (data.y.slice(s![.., ..100]).to_owned(), data.y.slice(s![.., 100..]).to_owned());
    let reference = common::fixture_numbers("signs_softmax_gd.txt");
    let (pairs, accuracies) = reference.split_at(reference.len() - 2);

    let arch = Architecture::new(&[12288, 25, 12, 6], Activation::Relu, Activation::Softmax).unwrap();
    for gram in [GramMode::Off, GramMode::On] {
        let network = Network::<f64>::init(&arch, Init::He, &mut NumpyRng::new(1)).unwrap();
        assert_eq!(network.layers()[0].w()[(0, 0)], 0.020723006807450633, "W1[0, 0] of the reference");
        let config = TrainConfig::new(0.001, 1000).with_gram(gram).check().unwrap();
        let (network, history) = fit(network, x_train.view(), one_hot(&y_train, 6).view(), &config).unwrap();
        let mut worst = 0.0f64;
        for pair in pairs.chunks(2) {
            let (i, expected) = (pair[0] as usize, pair[1]);
            common::assert_rel(history.costs[i], expected, 1e-8, &format!("{gram:?}: cost after {i} iterations"));
            worst = worst.max((history.costs[i] - expected).abs() / expected);
        }
        println!("{gram:?}: largest relative difference from numpy over 100 costs: {worst:.1e}");
        assert_eq!(accuracy(&network, &x_train, &y_train), accuracies[0], "train accuracy");
        assert_eq!(accuracy(&network, &x_test, &y_test), accuracies[1], "held-out accuracy");
    }
}

#[test]
fn signs_mini_batch_adam_matches_numpy() {
    // RESULTS.md §5.5, Adam: batches of 32 (32, 32, 32, 4) shuffled with the course's seeds from
    // 10, Adam lr 0.0001 with t counted per mini-batch, 300 epochs; every tenth epoch cost and
    // the last (fixture signs_softmax_adam.txt), final accuracy 59 % / 25 %.
    let Some(path) = signs_path() else { return };
    let data = read_hdf5(&path, &Hdf5Keys::default()).unwrap();
    let x = data.x.mapv(|v| v / 255.0);
    let (x_train, x_test) = (x.slice(s![.., ..100]).to_owned(), x.slice(s![.., 100..]).to_owned());
    let (y_train, y_test) = (data.y.slice(s![.., ..100]).to_owned(), data.y.slice(s![.., 100..]).to_owned());
    let reference = common::fixture_numbers("signs_softmax_adam.txt");
    let (pairs, accuracies) = reference.split_at(reference.len() - 2);

    let arch = Architecture::new(&[12288, 25, 12, 6], Activation::Relu, Activation::Softmax).unwrap();
    let network = Network::<f64>::init(&arch, Init::He, &mut NumpyRng::new(1)).unwrap();
    let adam = Optimizer::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    let config = TrainConfig::new(0.0001, 300).with_batches(32, 10).with_optimizer(adam).check().unwrap();
    let (network, history) = fit(network, x_train.view(), one_hot(&y_train, 6).view(), &config).unwrap();
    let mut worst = 0.0f64;
    for pair in pairs.chunks(2) {
        let (i, expected) = (pair[0] as usize, pair[1]);
        common::assert_rel(history.costs[i], expected, 1e-8, &format!("cost of epoch {i}"));
        worst = worst.max((history.costs[i] - expected).abs() / expected);
    }
    println!("largest relative difference from numpy over {} costs: {worst:.1e}", pairs.len() / 2);
    assert_eq!(accuracy(&network, &x_train, &y_train), accuracies[0], "train accuracy");
    assert_eq!(accuracy(&network, &x_test, &y_test), accuracies[1], "held-out accuracy");
}
