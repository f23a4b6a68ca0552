//! Properties of training: identical results for any thread count, the symmetry of zero
//! initialisation, f32 against f64, early stopping, divergence, metrics, and the
//! diagnoses of a run that stalled or had badly scaled features.

use std::ops::ControlFlow;

use dnn::diagnose::diagnose;
use dnn::metrics::{self, ConfusionMatrix};
use dnn::{
    fit, fit_with, Activation, Architecture, Dropout, GramMode, Init, Network, NumpyRng, Optimizer, TrainConfig,
};
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

/// With mini-batches over many epochs, two threads draw the epochs' orders ahead on a thread
/// of their own: the same bits as one thread. A run its callback stops early ends with the
/// epochs it ran (its drawer, asleep on a full ring of orders, is stopped).
#[test]
fn mini_batch_epochs_have_the_same_bits_on_one_and_two_threads() {
    let (x, y) = data(20, 300, 4);
    let arch = Architecture::new(&[20, 8, 1], Activation::Relu, Activation::Sigmoid).unwrap();
    let adam = Optimizer::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    let train = |threads: usize, stop_after: usize| {
        let net = Network::<f64>::init(&arch, Init::He, &mut NumpyRng::new(1)).unwrap();
        let config = TrainConfig::new(0.01, 600)
            .with_threads(threads)
            .with_batches(64, 10)
            .with_optimizer(adam)
            .check()
            .unwrap();
        fit_with(net, x.view(), y.view(), &config, |p| {
            if p.iteration + 1 == stop_after {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap()
    };
    let bits = |costs: &[f64]| costs.iter().map(|c| c.to_bits()).collect::<Vec<_>>();
    let (one, h1) = train(1, 0);
    let (two, h2) = train(2, 0);
    assert_eq!(h1.costs.len(), 600);
    assert_eq!(bits(&h1.costs), bits(&h2.costs));
    for (a, b) in one.layers().iter().zip(two.layers()) {
        assert!(a.w().iter().zip(b.w()).all(|(p, q)| p.to_bits() == q.to_bits()), "weights differ");
        assert!(a.b().iter().zip(b.b()).all(|(p, q)| p.to_bits() == q.to_bits()), "biases differ");
    }
    let (_, stopped) = train(2, 10);
    assert!(stopped.stopped_early);
    assert_eq!(bits(&stopped.costs), bits(&h1.costs[..10]));
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

#[test]
fn training_stops_where_it_diverges() {
    // Linear regression y = 100·x on three points, from zero weights, by hand: the cost of
    // iteration 0 is (100² + 200² + 300²)/3 = 46666.67; dZ = 2(A − Y) = −2Y gives
    // dW = −2800/3, db = −400, so α = 0.5 moves to w = 1400/3, b = 200, whose predictions
    // 666.7, 1133.3, 1600 cost 960740.74 (20.6 times the first); iteration 2 costs
    // 19855884.77, more than 100 times the first: training stops there, before its update.
    let x = array![[1.0, 2.0, 3.0]];
    let y = array![[100.0, 200.0, 300.0]];
    let arch = Architecture::new(&[1, 1], Activation::Linear, Activation::Linear).unwrap();
    let zeros = Network::<f64>::init(&arch, Init::Zeros, &mut NumpyRng::new(0)).unwrap();
    let config = TrainConfig::new(0.5, 100).check().unwrap();
    let mut callbacks = 0;
    let (network, history) = fit_with(zeros.clone(), x.view(), y.view(), &config, |_| {
        callbacks += 1;
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(history.costs.len(), 3);
    assert_eq!(callbacks, 2, "no callback for the iteration that diverged");
    assert!(!history.stopped_early);
    let divergence = history.diverged.expect("diverged");
    assert_eq!((divergence.iteration, divergence.learning_rate), (2, 0.5));
    assert!((history.costs[1] - 960740.7407407408).abs() < 1e-6, "{:?}", history.costs);
    assert!((divergence.first_cost - 140000.0 / 3.0).abs() < 1e-9);
    assert!((divergence.cost - 19855884.773662552).abs() < 1e-4, "{}", divergence.cost);
    assert_eq!(
        divergence.to_string(),
        "training diverged at iteration 2: the cost grew from 46666.666667 to 1.986e7, over 100 times its first \
         value, with learning rate 0.5; try a smaller learning rate, such as 0.05"
    );
    // The network returned is the one whose cost diverged: 2 updates; its cost is finite.
    assert_eq!(divergence.last_finite_updates(), Some(2));
    let two = fit(zeros.clone(), x.view(), y.view(), &TrainConfig::new(0.5, 2).check().unwrap()).unwrap().0;
    assert_eq!(network, two);

    // Inputs of 1e200: one update makes the predictions overflow, so the cost of iteration 1
    // is infinite; the last finite network is the initial one.
    let x = x.mapv(|v| v * 1e200);
    let config = TrainConfig::new(1.0, 100).check().unwrap();
    let (_, history) = fit(zeros, x.view(), y.view(), &config).unwrap();
    let divergence = history.diverged.expect("diverged");
    assert_eq!((divergence.iteration, divergence.cost), (1, f64::INFINITY));
    assert_eq!(divergence.last_finite_updates(), Some(0));
    assert_eq!(
        divergence.to_string(),
        "training diverged at iteration 1: the cost became inf with learning rate 1; try a smaller learning rate, \
         such as 0.1"
    );

    // The course's planar run does not diverge.
    let data = dnn::data::planar(1);
    let arch = Architecture::new(&[2, 4, 1], Activation::Tanh, Activation::Sigmoid).unwrap();
    let net = Network::<f64>::init(&arch, Init::Scaled(0.01), &mut NumpyRng::new(2)).unwrap();
    let (_, history) = fit(net, data.x.view(), data.y.view(), &TrainConfig::new(1.2, 2000).check().unwrap()).unwrap();
    assert_eq!((history.costs.len(), history.diverged), (2000, None));
}

/// The warnings of a run trained on (x, y) as given: `sizes`' hidden layers tanh, weights
/// randn·0.01 from seed 2.
fn warnings_of(
    x: &Array2<f64>,
    y: &Array2<f64>,
    hidden: &[usize],
    learning_rate: f64,
    iterations: usize,
) -> Vec<String> {
    let sizes: Vec<usize> = [x.nrows()].into_iter().chain(hidden.iter().copied()).chain([1]).collect();
    let arch = Architecture::new(&sizes, Activation::Tanh, Activation::Sigmoid).unwrap();
    let net = Network::<f64>::init(&arch, Init::Scaled(0.01), &mut NumpyRng::new(2)).unwrap();
    let config = TrainConfig::new(learning_rate, iterations).check().unwrap();
    let (net, history) = fit(net, x.view(), y.view(), &config).unwrap();
    let predicted = net.predict(x.view(), 0.5).unwrap();
    diagnose(&history, Some(predicted.view()), x.view(), None).iter().map(ToString::to_string).collect()
}

#[test]
fn a_stalled_run_is_diagnosed() {
    let planar = dnn::data::planar(1);
    // The course's flower with the course's flags: nothing to say (after 2000 iterations
    // as after the full 10000, which tests/train_outcome.rs runs).
    assert!(warnings_of(&planar.x, &planar.y, &[4], 1.2, 2000).is_empty());
    // A learning rate of 1e-5: the cost does not move. Both classes are still predicted
    // (the weights are as drawn), so that is the only warning.
    assert_eq!(
        warnings_of(&planar.x, &planar.y, &[4], 1e-5, 200),
        ["the cost stayed flat from the start (0.693048 at iteration 0, 0.693048 at iteration 100, 0.693048 at \
          the end): training is stuck; try a larger learning rate, or standardize the features (--scale \
          standardize)"]
    );
    // Under 101 iterations there is too little to call the cost flat.
    assert!(warnings_of(&planar.x, &planar.y, &[4], 1e-5, 100).is_empty());

    // Every fifth example of class 1: 50 small steps leave the output's bias in charge, and
    // every example is predicted as class 0.
    let x = NumpyRng::new(1).randn_matrix(2, 100);
    let y = Array2::from_shape_fn((1, 100), |(_, j)| if j % 5 == 0 { 1.0 } else { 0.0 });
    assert_eq!(
        warnings_of(&x, &y, &[4], 0.001, 50),
        ["all 100 training examples are predicted as class 0: it has not learned to tell the classes apart; \
          train longer or with a larger learning rate, or standardize the features (--scale standardize)"]
    );
}

#[test]
fn badly_scaled_features_are_diagnosed() {
    // Incomes around 50000 (spread 20000) beside ratios of spread 0.01: too large, and about
    // 2·10⁶ times apart (as drawn, spreads of 19534 and 0.01093).
    let noise = NumpyRng::new(3).randn_matrix(2, 200);
    let mut x = noise.clone();
    x.row_mut(0).mapv_inplace(|v| 50_000.0 + 20_000.0 * v);
    x.row_mut(1).mapv_inplace(|v| 0.01 * v);
    let names = ["income".to_string(), "ratio".to_string()];
    let history = dnn::History::default();
    let warnings: Vec<String> =
        diagnose::<f64>(&history, None, x.view(), Some(&names)).iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings,
        [
            "feature 'income' has values of size 52364 (root mean square): inputs this large saturate the units; \
             standardize the features (--scale standardize)",
            "the features' scales differ by a factor of 1.787e6 (feature 'income' has standard deviation 19534, \
             feature 'ratio' 0.01093): one learning rate cannot suit them all; standardize the features (--scale \
             standardize)",
        ]
    );
    // Standardised, nothing is left to say; a constant feature is not a scale.
    let mut standardized = noise;
    standardized.push_row(ndarray::Array1::from_elem(200, 0.0).view()).unwrap();
    assert!(diagnose::<f64>(&history, None, standardized.view(), None).is_empty());
}

#[test]
fn the_gram_form_carries_momentum_and_l2() {
    // W[1] = s·W[1]₀ + C·Xᵀ holds through momentum and L2's shrink: the same costs (L2's term
    // included) and weights as the direct computation, to rounding, with dropout on too.
    let (x, y) = data(300, 40, 8);
    let arch = Architecture::new(&[300, 16, 4, 1], Activation::Relu, Activation::Sigmoid).unwrap();
    let settings: [(Optimizer, f64, Option<f64>); 4] = [
        (Optimizer::GradientDescent, 0.7, None),
        (Optimizer::Momentum { beta: 0.9 }, 0.0, None),
        (Optimizer::Momentum { beta: 0.9 }, 0.7, None),
        (Optimizer::Momentum { beta: 0.8 }, 0.3, Some(0.8)),
    ];
    for (optimizer, l2, keep_prob) in settings {
        let train = |gram| {
            let net = Network::<f64>::init(&arch, Init::He, &mut NumpyRng::new(3)).unwrap();
            let mut config = TrainConfig::new(0.05, 200).with_gram(gram).with_optimizer(optimizer).with_l2(l2);
            if let Some(keep_prob) = keep_prob {
                config = config.with_dropout(Dropout { keep_prob: vec![keep_prob], seed: 4, reseed_every_pass: false });
            }
            fit(net, x.view(), y.view(), &config.check().unwrap()).unwrap()
        };
        let (direct, h_direct) = train(GramMode::Off);
        let (gram, h_gram) = train(GramMode::On);
        let what = format!("{optimizer}, L2 {l2}, keep {keep_prob:?}");
        for (i, (a, b)) in h_direct.costs.iter().zip(&h_gram.costs).enumerate() {
            assert!((a - b).abs() <= 1e-11 * a.abs(), "{what}: cost {i}: {a} vs {b}");
        }
        assert!(h_direct.costs[199] < 0.9 * h_direct.costs[0], "{what}: it trains: {:?}", h_direct.costs[199]);
        for (la, lb) in direct.layers().iter().zip(gram.layers()) {
            let scale = la.w().iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let diff = (la.w() - lb.w()).iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(diff <= 1e-11 * scale, "{what}: weights differ by {diff:e}");
        }
        // Auto chooses the Gram form for these settings too.
        assert_eq!(train(GramMode::Auto).1, h_gram, "{what}");
    }
    // Adam and RMSprop cannot be carried: auto trains directly, and on is refused.
    let adam = TrainConfig::new(0.01, 5).with_optimizer(Optimizer::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    let error = adam.with_gram(GramMode::On).check().unwrap_err();
    assert_eq!(
        error.to_string(),
        "the Gram form cannot be used here: RMSprop and Adam scale each weight's step by its own history, \
         which W₀ + C·Xᵀ cannot hold"
    );
}
