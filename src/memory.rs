//! How much memory a run needs, counted before anything is allocated, so that a network or
//! a data set too large for the machine is refused with a clear error instead of ending in
//! an allocation failure.
//!
//! Every count is checked: sizes whose product passes `u64` give `None` (more than any
//! machine holds) instead of wrapping round to a small number.

use crate::{Architecture, DType, Error, Result, ValidTrainConfig};

/// Bytes needed to train `arch` on `m` examples in `dtype`, at the peak:
///
/// - the parameters W\[l\], b\[l\] and their gradients dW\[l\], db\[l\];
/// - the workspace: Z\[l\], A\[l\] and dZ\[l\] (n\[l\] × m each) for every layer;
/// - with `gram`, the first layer's Gram form: G = XᵀX (m × m) and its packed copy (both held
///   while it is packed), P₀ and C (n\[1\] × m each) and a copy of W\[1\];
/// - the data in `dtype`: X (n_x × m) and Y (n\[L\] × m).
///
/// `None` when the count passes `u64`.
pub fn training_bytes(arch: &Architecture, m: usize, dtype: DType, gram: bool) -> Option<u64> {
    let sizes = arch.sizes();
    let (n_x, n_1, n_out) = (sizes[0], sizes[1], sizes[sizes.len() - 1]);
    let parameters = parameter_count(arch)?;
    let units = unit_count(arch)?;
    let mut values = Count::of(parameters).times(2);
    values = values.plus(Count::of(units).times(3).times(m));
    if gram {
        let gram_form =
            Count::of(m).times(m).times(2).plus(Count::of(n_1).times(m).times(2)).plus(Count::of(n_1).times(n_x));
        values = values.plus(gram_form);
    }
    values = values.plus(Count::of(n_x).plus(Count::of(n_out)).times(m));
    values.times(dtype_bytes(dtype)).0
}

/// Bytes needed to train `arch` on `m` examples in mini-batches of `batch` in `dtype`, at the
/// peak: the parameters, their gradients and the optimizer's two running averages; the
/// workspace for `batch` examples (Z\[l\], A\[l\], dZ\[l\] and dropout's mask and output,
/// n\[l\] × batch each); the data X and Y in `dtype` and their copy one example per row, and
/// the gathered batch. `None` when the count passes `u64`.
pub fn batch_training_bytes(arch: &Architecture, m: usize, batch: usize, dtype: DType) -> Option<u64> {
    let sizes = arch.sizes();
    let (n_x, n_out) = (sizes[0], sizes[sizes.len() - 1]);
    let values = Count::of(parameter_count(arch)?)
        .times(4)
        .plus(Count::of(unit_count(arch)?).times(5).times(batch))
        .plus(Count::of(n_x).plus(Count::of(n_out)).times(m).times(2))
        .plus(Count::of(n_x).plus(Count::of(n_out)).times(batch));
    values.times(dtype_bytes(dtype)).0
}

/// Bytes needed to train `arch` on `m` examples in `dtype` as `config` says: in mini-batches
/// ([`batch_training_bytes`]) when its batches are smaller than m, else in one batch
/// ([`training_bytes`], with the Gram form when `config` uses it). `None` when the count
/// passes `u64`.
pub fn configured_training_bytes(
    arch: &Architecture,
    m: usize,
    config: &ValidTrainConfig,
    dtype: DType,
) -> Option<u64> {
    let batch = config.batch_size(m);
    if batch < m {
        batch_training_bytes(arch, m, batch, dtype)
    } else {
        training_bytes(arch, m, dtype, config.uses_gram(arch.sizes()[0], m, dtype_bytes(dtype)))
    }
}

/// Bytes needed to predict with `arch` on `m` examples in `dtype`: the parameters, Z\[l\] and
/// A\[l\] of every layer (n\[l\] × m each) and X in `dtype` (n_x × m). `None` when the count
/// passes `u64`.
pub fn prediction_bytes(arch: &Architecture, m: usize, dtype: DType) -> Option<u64> {
    let n_x = arch.sizes()[0];
    let values = Count::of(parameter_count(arch)?)
        .plus(Count::of(unit_count(arch)?).times(2).times(m))
        .plus(Count::of(n_x).times(m));
    values.times(dtype_bytes(dtype)).0
}

/// The number of weights and biases, Σ n\[l\]·(n\[l−1\] + 1); `None` when it passes `u64`.
pub fn parameter_count(arch: &Architecture) -> Option<u64> {
    arch.sizes().windows(2).try_fold(0u64, |total, pair| {
        let layer = Count::of(pair[0]).plus(Count::of(1)).times(pair[1]);
        Count(Some(total)).plus(layer).0
    })
}

/// Σ n\[l\] over the layers 1 … L; `None` when it passes `u64`.
fn unit_count(arch: &Architecture) -> Option<u64> {
    arch.sizes()[1..].iter().try_fold(0u64, |total, &n| total.checked_add(n as u64))
}

fn dtype_bytes(dtype: DType) -> usize {
    match dtype {
        DType::F32 => 4,
        DType::F64 => 8,
    }
}

/// A count of values whose arithmetic stops at `None` on overflow.
#[derive(Debug, Clone, Copy)]
struct Count(Option<u64>);

impl Count {
    fn of(n: impl TryInto<u64>) -> Count {
        Count(n.try_into().ok())
    }

    fn times(self, factor: usize) -> Count {
        Count(self.0.and_then(|a| a.checked_mul(factor as u64)))
    }

    fn plus(self, other: Count) -> Count {
        Count(self.0.zip(other.0).and_then(|(a, b)| a.checked_add(b)))
    }
}

/// The memory free for a new allocation: `MemAvailable` of `/proc/meminfo` where there is
/// one, else `None`.
pub fn available_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|line| line.starts_with("MemAvailable:"))?;
    let kib: u64 = line.trim_start_matches("MemAvailable:").trim().trim_end_matches("kB").trim().parse().ok()?;
    kib.checked_mul(1024)
}

/// Refuses `needed` bytes for `what` ("training", "prediction", …) with
/// [`Error::OutOfMemory`] when they are more than [`available_bytes`], or more than one
/// allocation can ever be (`isize::MAX`) where the available memory is not known.
pub fn check_fits(what: &str, needed: Option<u64>) -> Result<()> {
    let available = available_bytes().unwrap_or(isize::MAX as u64);
    match needed {
        Some(bytes) if bytes <= available => Ok(()),
        _ => Err(Error::OutOfMemory { what: what.to_string(), needed, available }),
    }
}

/// `bytes` in gigabytes (10⁹ bytes) with one decimal, as error messages print them.
pub fn gigabytes(bytes: u64) -> String {
    format!("{:.1} GB", bytes as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Activation;

    fn arch(sizes: &[usize]) -> Architecture {
        Architecture::new(sizes, Activation::Relu, Activation::Sigmoid).unwrap()
    }

    #[test]
    fn training_counts_parameters_workspace_gram_and_data() {
        // [2, 4, 1]: 4·3 + 1·5 = 17 parameters, 5 units; m = 10.
        // 2·17 + 3·5·10 + (2 + 1)·10 = 34 + 150 + 30 = 214 values.
        assert_eq!(parameter_count(&arch(&[2, 4, 1])), Some(17));
        assert_eq!(training_bytes(&arch(&[2, 4, 1]), 10, DType::F64, false), Some(214 * 8));
        assert_eq!(training_bytes(&arch(&[2, 4, 1]), 10, DType::F32, false), Some(214 * 4));
        // The Gram form adds G and its packed copy (2·10·10), P₀ and C (2·4·10) and W[1]₀
        // (4·2): 288 values.
        assert_eq!(training_bytes(&arch(&[2, 4, 1]), 10, DType::F64, true), Some((214 + 288) * 8));
    }

    #[test]
    fn prediction_counts_parameters_activations_and_input() {
        // 17 + 2·5·10 + 2·10 = 137 values.
        assert_eq!(prediction_bytes(&arch(&[2, 4, 1]), 10, DType::F64), Some(137 * 8));
    }

    #[test]
    fn absurd_sizes_give_none_instead_of_wrapping() {
        let huge = arch(&[usize::MAX / 2, usize::MAX / 2, 1]);
        assert_eq!(parameter_count(&huge), None);
        assert_eq!(training_bytes(&huge, 1, DType::F64, false), None);
        assert_eq!(prediction_bytes(&arch(&[2, 1 << 40, 1]), 1 << 30, DType::F64), None);
    }

    #[test]
    fn a_need_past_the_machine_is_refused_with_both_amounts() {
        let error = check_fits("training", Some(u64::MAX)).unwrap_err().to_string();
        assert!(error.starts_with("training needs 18446744073.7 GB of memory, but "), "{error}");
        assert!(error.ends_with(" GB is available"), "{error}");
        let error = check_fits("training", None).unwrap_err().to_string();
        assert!(error.starts_with("training needs more than 18446744073.7 GB of memory, but "), "{error}");
        assert!(check_fits("training", Some(1000)).is_ok());
    }
}
