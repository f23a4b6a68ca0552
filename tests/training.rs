//! Properties of training: identical results for any thread count, the symmetry of zero
//! initialisation, f32 against f64, early stopping, metrics.

use std::ops::ControlFlow;

use dnn::metrics::{self, ConfusionMatrix};
use dnn::{fit, fit_with, Activation, Architecture, GramMode, Init, Network, NumpyRng, TrainConfig};
use ndarray::{array, Array2, Axis};

/// Two noisy interleaved classes in `n_x` dimensions, m examples.
fn data(n_x: usize, m: usize, seed: u32) -> (Array2<f64>, Array2<f64>) {
    let mut rng = NumpyRng::new(seed);
    let x = rng.randn_matrix(n_x, m);
    let y = x.sum_axis(Axis(0)).mapv(|s| if s.sin() > 0.0 { 1.0 } else { 0.0 }).insert_axis(Axis(0));
    (x, y)
}

#[test]
fn same_seed_same_bits_for_one_and_two_threads() {
    // Large enough that the products split over threads (rows and columns).
    for (sizes, m) in [(vec![300, 64, 16, 1], 700), (vec![40, 200, 1], 3000)] {
        let (x, y) = data(sizes[0], m, 3);
        let arch = Architecture::new(&sizes, Activation::Relu, Activation::Sigmoid).unwrap();
        let train = |threads| {
            let net = Network::<f64>::init(&arch, Init::He, &mut NumpyRng::new(1)).unwrap();
            let config = TrainConfig::new(0.05, 15).with_threads(threads).check().unwrap();
            fit(net, x.view(), y.view(), &config).unwrap()
        };
        let (one, h1) = train(1);
        let (two, h2) = train(2);
        assert_eq!(
            h1.costs.iter().map(|c| c.to_bits()).collect::<Vec<_>>(),
            h2.costs.iter().map(|c| c.to_bits()).collect::<Vec<_>>()
        );
        for (a, b) in one.layers().iter().zip(two.layers()) {
            assert!(a.w().iter().zip(b.w()).all(|(p, q)| p.to_bits() == q.to_bits()), "weights differ for {sizes:?}");
            assert!(a.b().iter().zip(b.b()).all(|(p, q)| p.to_bits() == q.to_bits()), "biases differ for {sizes:?}");
        }
        // And the same seed twice gives the same bits.
        assert_eq!(train(2).0, two);
    }
}

#[test]
fn predictions_have_the_same_bits_on_one_and_two_threads() {
    // One example of the 4-layer cat shape: W[1]·x is split with the helper thread on two
    // threads; a batch goes through the pool. Both f64 and f32.
    let arch = Architecture::new(&[12288, 20, 7, 5, 1], Activation::Relu, Activation::Sigmoid).unwrap();
    let net = Network::<f64>::init(&arch, Init::Lecun, &mut NumpyRng::new(1)).unwrap();
    let x = NumpyRng::new(2).randn_matrix(12288, 3);
    let predict = |threads: usize, x: Array2<f64>| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let f64_bits = net.predict_proba(x.view()).unwrap().mapv(f64::to_bits);
            let f32_bits = net.cast::<f32>().predict_proba(x.mapv(|v| v as f32).view()).unwrap().mapv(f32::to_bits);
            (f64_bits, f32_bits)
        })
    };
    for x in [x.slice(ndarray::s![.., ..1]).to_owned(), x] {
        let one = predict(1, x.clone());
        // Repeated, so that the helper thread (awake after the first) takes its half.
        for _ in 0..20 {
            assert_eq!(predict(2, x.clone()), one, "{} examples", x.ncols());
        }
    }
}

#[test]
fn zero_initialisation_keeps_hidden_units_identical() {
    // The symmetry problem: with W = 0 every hidden unit computes the same function and gets
    // the same gradient, so after training all rows of W1 are equal.
    let (x, y) = data(2, 200, 4);
    let arch = Architecture::new(&[2, 5, 1], Activation::Tanh, Activation::Sigmoid).unwrap();
    let zero = Network::<f64>::init_allowing_symmetry(&arch, Init::Zeros, &mut NumpyRng::new(0));
    let config = TrainConfig::new(0.5, 300).check().unwrap();
    let (trained, _) = fit(zero, x.view(), y.view(), &config).unwrap();
    let w1 = trained.layers()[0].w();
    for row in w1.rows() {
        assert_eq!(row, w1.row(0));
    }
    let w2 = trained.layers()[1].w();
    assert!(w2.iter().all(|&v| v == w2[(0, 0)]));
    // With a random start the units differ.
    let random = Network::<f64>::init(&arch, Init::Scaled(0.01), &mut NumpyRng::new(2)).unwrap();
    let (trained, _) = fit(random, x.view(), y.view(), &config).unwrap();
    let w1 = trained.layers()[0].w();
    assert_ne!(w1.row(0), w1.row(1));
}

#[test]
fn f32_follows_f64() {
    let data = dnn::data::planar(1);
    let arch = Architecture::new(&[2, 4, 1], Activation::Tanh, Activation::Sigmoid).unwrap();
    let config = TrainConfig::new(1.2, 1001).check().unwrap();
    let net64 = Network::<f64>::init(&arch, Init::Scaled(0.01), &mut NumpyRng::new(2)).unwrap();
    let net32 = Network::<f32>::init(&arch, Init::Scaled(0.01), &mut NumpyRng::new(2)).unwrap();
    let (_, h64) = fit(net64, data.x.view(), data.y.view(), &config).unwrap();
    let (x32, y32) = (data.x.mapv(|v| v as f32), data.y.mapv(|v| v as f32));
    let (_, h32) = fit(net32, x32.view(), y32.view(), &config).unwrap();
    // The course's printed costs (0.693048 at 0, 0.288083 at 1000) hold in f32 to ~1e-4.
    assert!((h32.costs[0] - h64.costs[0]).abs() < 1e-6, "{} vs {}", h32.costs[0], h64.costs[0]);
    assert!((h32.costs[1000] - 0.288083).abs() < 2e-3, "f32 cost at 1000: {}", h32.costs[1000]);
}

#[test]
fn the_callback_can_stop_training() {
    let data = dnn::data::planar(1);
    let arch = Architecture::new(&[2, 4, 1], Activation::Tanh, Activation::Sigmoid).unwrap();
    let net = Network::<f64>::init(&arch, Init::Scaled(0.01), &mut NumpyRng::new(2)).unwrap();
    let config = TrainConfig::new(1.2, 100).check().unwrap();
    let mut seen = Vec::new();
    let (_, history) = fit_with(net, data.x.view(), data.y.view(), &config, |p| {
        seen.push(p.iteration);
        if p.iteration == 9 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert_eq!(seen, (0..10).collect::<Vec<_>>());
    assert_eq!(history.costs.len(), 10);
    assert!(history.stopped_early);
}

#[test]
fn metrics_of_a_worked_example() {
    // predicted 1 1 0 0 1 0, actual 1 0 0 1 1 0: TP 2, FP 1, FN 1, TN 2.
    let predicted = array![[1.0, 1.0, 0.0, 0.0, 1.0, 0.0]];
    let actual = array![[1.0, 0.0, 0.0, 1.0, 1.0, 0.0]];
    let cm = ConfusionMatrix::from_labels(predicted.view(), actual.view()).unwrap();
    assert_eq!(cm, ConfusionMatrix { true_negatives: 2, false_positives: 1, false_negatives: 1, true_positives: 2 });
    assert_eq!(cm.accuracy(), 4.0 / 6.0);
    assert_eq!(cm.precision(), 2.0 / 3.0);
    assert_eq!(cm.recall(), 2.0 / 3.0);
    assert_eq!(cm.f1(), 4.0 / 6.0);
    assert_eq!(metrics::accuracy(predicted.view(), actual.view()).unwrap(), 4.0 / 6.0);
    // log loss of p = [0.9, 0.2] against [1, 0]: −(ln 0.9 + ln 0.8)/2.
    let p = array![[0.9, 0.2]];
    let y = array![[1.0, 0.0]];
    let expected = -(0.9f64.ln() + 0.8f64.ln()) / 2.0;
    assert!((metrics::log_loss(p.view(), y.view()).unwrap() - expected).abs() < 1e-15);
    // A certain wrong answer is clipped at 1e-15: −ln(1e-15) = 34.538…
    let certain = metrics::log_loss(array![[0.0]].view(), array![[1.0]].view()).unwrap();
    assert!((certain - 34.538776394910684).abs() < 1e-9, "{certain}");
    // Nothing predicted positive: precision is 0, not NaN.
    let none = ConfusionMatrix::from_labels(array![[0.0, 0.0]].view(), array![[1.0, 0.0]].view()).unwrap();
    assert_eq!((none.precision(), none.recall(), none.f1()), (0.0, 0.0, 0.0));
    // Regression: predictions 1, 2, 3 against 1, 2, 5: MSE 4/3, MAE 2/3.
    let r = metrics::regression_metrics(array![[1.0, 2.0, 3.0]].view(), array![[1.0, 2.0, 5.0]].view()).unwrap();
    assert_eq!((r.mse, r.mae), (4.0 / 3.0, 2.0 / 3.0));
    // mean 8/3, SS_tot = (5/3)² + (2/3)² + (7/3)² = 78/9; R² = 1 − 4 / (78/9).
    assert!((r.r2 - (1.0 - 4.0 * 9.0 / 78.0)).abs() < 1e-15);
    let error = metrics::accuracy(array![[1.0]].view(), array![[1.0, 0.0]].view()).unwrap_err();
    assert_eq!(error.to_string(), "shape mismatch for predictions: expected (1, 2), found (1, 1)");
}

#[test]
fn the_gram_form_trains_the_same_network() {
    // Fewer examples than features, where the Gram form is chosen automatically.
    let (x, y) = data(300, 40, 8);
    for (hidden, sizes) in [(Activation::Relu, vec![300, 16, 4, 1]), (Activation::Tanh, vec![300, 1])] {
        let arch = Architecture::new(&sizes, hidden, Activation::Sigmoid).unwrap();
        let train = |gram, threads| {
            let net = Network::<f64>::init(&arch, Init::He, &mut NumpyRng::new(3)).unwrap();
            let config = TrainConfig::new(0.05, 200).with_gram(gram).with_threads(threads).check().unwrap();
            fit(net, x.view(), y.view(), &config).unwrap()
        };
        let (direct, h_direct) = train(GramMode::Off, 1);
        let (gram, h_gram) = train(GramMode::On, 1);
        for (i, (a, b)) in h_direct.costs.iter().zip(&h_gram.costs).enumerate() {
            assert!((a - b).abs() <= 1e-12 * a.abs(), "{sizes:?} cost {i}: {a} vs {b}");
        }
        for (la, lb) in direct.layers().iter().zip(gram.layers()) {
            let scale = la.w().iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let diff = (la.w() - lb.w()).iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(diff <= 1e-12 * scale, "{sizes:?}: weights differ by {diff:e}");
        }
        // Auto picks the Gram form here (m = 40 ≤ 300 / 2), bit for bit, for any thread count.
        assert_eq!(train(GramMode::Auto, 2).1, h_gram);
    }
    assert!(GramMode::Auto.applies(12288, 209, 8));
    assert!(!GramMode::Auto.applies(784, 60000, 4));
}
