//! Parsing the search's flags: lists of alternatives, ranges, seeds and shards.

use anyhow::{anyhow, bail, Context, Result};
use dnn::search::Values;

/// Comma-separated values of a flag, each parsed.
pub fn parse_list<T: std::str::FromStr>(flag: &str, text: &str) -> Result<Vec<T>>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    text.split(',').map(|part| part.trim().parse::<T>().with_context(|| flag.to_string())).collect()
}

/// A list `a,b,c` or a range `low..high`.
pub fn parse_values<T: std::str::FromStr>(flag: &str, text: &str) -> Result<Values<T>> {
    let number = |part: &str| {
        part.trim()
            .parse::<T>()
            .map_err(|_| anyhow!("invalid {flag} '{text}': expected numbers separated by commas, or a range LOW..HIGH"))
    };
    Ok(match text.split_once("..") {
        Some((low, high)) => Values::Range { low: number(low)?, high: number(high)? },
        None => Values::List(text.split(',').map(number).collect::<Result<_>>()?),
    })
}

/// Mini-batch sizes: positive numbers, or `full` for one batch of all examples.
pub fn parse_batch_sizes(text: &str) -> Result<Vec<Option<usize>>> {
    text.split(',')
        .map(|part| match part.trim() {
            "full" => Ok(None),
            number => match number.parse::<usize>() {
                Ok(size) if size > 0 => Ok(Some(size)),
                _ => bail!("invalid --batch-size '{text}': expected sizes of at least 1, or full"),
            },
        })
        .collect()
}

/// Numbers of a flag, each checked by `valid` (which says what a valid one is).
pub fn parse_checked(flag: &str, text: &str, valid: fn(f64) -> bool, expected: &str) -> Result<Vec<f64>> {
    text.split(',')
        .map(|part| match part.trim().parse::<f64>() {
            Ok(value) if valid(value) => Ok(value),
            _ => bail!("invalid {flag} '{text}': expected {expected}"),
        })
        .collect()
}

/// Seeds: a list, or `a..b` for every seed from a to b.
pub fn parse_seeds(text: &str) -> Result<Vec<u32>> {
    match parse_values::<u32>("--seed", text)? {
        Values::List(seeds) => Ok(seeds),
        Values::Range { low, high } if low <= high && high - low < 100_000 => Ok((low..=high).collect()),
        Values::Range { .. } => bail!("invalid --seed '{text}': expected A..B with A ≤ B, at most 100000 seeds"),
    }
}

/// `--shard I/N` with 1 ≤ I ≤ N.
pub fn parse_shard(text: &str) -> Result<(usize, usize)> {
    let parsed = text.split_once('/').and_then(|(i, n)| Some((i.trim().parse().ok()?, n.trim().parse().ok()?)));
    match parsed {
        Some((i, n)) if 1 <= i && i <= n => Ok((i, n)),
        _ => bail!("invalid --shard '{text}': expected I/N with 1 ≤ I ≤ N, such as 2/4"),
    }
}
