//! The order of a search's results: best first.

use std::cmp::Ordering;

use dnn::search::{Metric, Status};

use super::log::Record;

/// Best first: finished trials by score (ties by trial number), then the trials that
/// predict one class only (by score), then diverged ones. A constant predictor never ranks
/// above a trial that tells the classes apart, whatever their scores.
pub fn rank(records: &mut [Record], metric: Metric) {
    let group = |r: &Record| match (r.status, r.score()) {
        (_, None) => 2,
        (Status::OneClass, Some(_)) => 1,
        _ => 0,
    };
    records.sort_by(|a, b| {
        group(a)
            .cmp(&group(b))
            .then_with(|| match (a.score(), b.score()) {
                (Some(x), Some(y)) => metric.compare(x, y),
                _ => Ordering::Equal,
            })
            .then(a.trial.cmp(&b.trial))
    });
}

/// The best trial of ranked records: the first with a score. It predicts one class only
/// when every scored trial does.
pub fn best(records: &[Record]) -> Option<&Record> {
    records.iter().find(|r| r.score().is_some())
}
