//! The cost curve a run keeps: at most [`CostLog::CAPACITY`] points, evenly spaced in
//! iterations. When it is full, every other point goes and the spacing doubles, so a run of
//! any length keeps a curve of bounded size, and recording a point allocates nothing.

use serde::Serialize;

/// Points `(iteration, cost)` every `stride` iterations.
#[derive(Debug, Clone, Serialize)]
pub struct CostLog {
    pub stride: usize,
    pub points: Vec<(usize, f64)>,
}

impl CostLog {
    /// The most points kept.
    pub const CAPACITY: usize = 512;

    pub fn new() -> CostLog {
        CostLog { stride: 1, points: Vec::with_capacity(Self::CAPACITY) }
    }

    /// Records the cost of `iteration` if it falls on the spacing.
    pub fn record(&mut self, iteration: usize, cost: f64) {
        if !iteration.is_multiple_of(self.stride) {
            return;
        }
        if self.points.len() == Self::CAPACITY {
            self.stride *= 2;
            let mut kept = 0;
            for i in 0..self.points.len() {
                if self.points[i].0.is_multiple_of(self.stride) {
                    self.points[kept] = self.points[i];
                    kept += 1;
                }
            }
            self.points.truncate(kept);
            if !iteration.is_multiple_of(self.stride) {
                return;
            }
        }
        self.points.push((iteration, cost));
    }

    /// Records the cost of `iteration` whatever the spacing (for points that come at
    /// irregular iterations); when full, every other point goes.
    pub fn push(&mut self, iteration: usize, cost: f64) {
        if self.points.len() == Self::CAPACITY {
            for i in 0..Self::CAPACITY / 2 {
                self.points[i] = self.points[2 * i + 1];
            }
            self.points.truncate(Self::CAPACITY / 2);
        }
        self.points.push((iteration, cost));
    }
}

#[cfg(test)]
mod tests {
    use super::CostLog;

    #[test]
    fn a_full_log_halves_and_doubles_its_spacing() {
        let mut log = CostLog::new();
        for i in 0..CostLog::CAPACITY {
            log.record(i, i as f64);
        }
        assert_eq!((log.stride, log.points.len()), (1, 512));
        log.record(512, 512.0);
        assert_eq!(log.stride, 2);
        assert_eq!(log.points.len(), 257);
        assert_eq!(log.points[..3], [(0, 0.0), (2, 2.0), (4, 4.0)]);
        assert_eq!(log.points[256], (512, 512.0));
        log.record(513, 513.0);
        assert_eq!(log.points.len(), 257);
    }
}
