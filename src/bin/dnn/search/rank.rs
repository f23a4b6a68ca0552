//! The order of a search's results: best first.

use dnn::search::Metric;

use super::log::Record;

/// Best first: finished trials by score (ties by trial number), then diverged ones.
pub fn rank(records: &mut [Record], metric: Metric) {
    records.sort_by(|a, b| match (a.score.filter(|_| a.done()), b.score.filter(|_| b.done())) {
        (Some(x), Some(y)) => metric.compare(x, y).then(a.trial.cmp(&b.trial)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.trial.cmp(&b.trial),
    });
}
