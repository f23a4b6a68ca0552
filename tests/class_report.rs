//! The k-class metrics against scikit-learn's on the same predictions
//! (tests/fixtures/class_report.txt, which holds the snippet that computed them).

mod common;

use dnn::metrics::{categorical_log_loss, ClassReport};
use ndarray::Array2;

#[test]
fn a_four_class_report_matches_scikit_learn() {
    let numbers = common::fixture_numbers("class_report.txt");
    let (k, m) = (4, 37);
    let mut rest = numbers.as_slice();
    let mut take = |n: usize| {
        let (head, tail) = rest.split_at(n);
        rest = tail;
        head.to_vec()
    };
    let actual: Vec<usize> = take(m).iter().map(|&v| v as usize).collect();
    let predicted: Vec<usize> = take(m).iter().map(|&v| v as usize).collect();
    let probabilities = Array2::from_shape_vec((k, m), take(k * m)).unwrap();
    let counts = take(k * k);
    let (precision, recall, f1, support) = (take(k), take(k), take(k), take(k));
    let (macro_avg, weighted, accuracy, log_loss) = (take(3), take(3), take(1)[0], take(1)[0]);
    assert!(rest.is_empty());

    let report = ClassReport::from_classes(&predicted, &actual, k).unwrap();
    let flat: Vec<f64> = report.counts.iter().flatten().map(|&n| n as f64).collect();
    assert_eq!(flat, counts);
    for c in 0..k {
        let scores = report.scores(c);
        assert_eq!(report.support(c) as f64, support[c]);
        common::assert_rel(scores.precision, precision[c], 1e-15, "precision");
        common::assert_rel(scores.recall, recall[c], 1e-15, "recall");
        common::assert_rel(scores.f1, f1[c], 1e-15, "F1");
    }
    for (average, expected) in [(report.macro_average(), &macro_avg), (report.weighted_average(), &weighted)] {
        common::assert_rel(average.precision, expected[0], 1e-15, "average precision");
        common::assert_rel(average.recall, expected[1], 1e-15, "average recall");
        common::assert_rel(average.f1, expected[2], 1e-15, "average F1");
    }
    common::assert_rel(report.accuracy(), accuracy, 1e-15, "accuracy");
    common::assert_rel(categorical_log_loss(probabilities.view(), &actual).unwrap(), log_loss, 1e-13, "log loss");
}

#[test]
fn out_of_range_classes_are_refused() {
    assert_eq!(
        ClassReport::from_classes(&[0, 3], &[0, 1], 3).unwrap_err().to_string(),
        "invalid class index 3 at example 1: below the number of classes"
    );
    let p = Array2::<f64>::zeros((2, 2));
    assert_eq!(
        categorical_log_loss(p.view(), &[0, 2]).unwrap_err().to_string(),
        "invalid class index 2 at example 1: below the number of classes"
    );
}
