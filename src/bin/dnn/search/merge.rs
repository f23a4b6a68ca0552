//! `dnn search merge`: rank the trials of several logs (of shards, or of other machines)
//! together, and optionally write them as one log.

use std::collections::HashSet;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use dnn::search::Metric;

use super::log::{read_log, LogFormat};
use super::rank::rank;
use super::table::print_table;
use crate::cli::MergeArgs;

pub fn run_merge(args: MergeArgs) -> Result<()> {
    if let Some(path) = &args.out {
        LogFormat::of(path)?;
    }
    let mut seen = HashSet::new();
    let mut records = Vec::new();
    let mut first: Option<(PathBuf, Metric, String)> = None;
    for path in &args.logs {
        let (log, _) = read_log(path)?;
        for record in log {
            let this = (record.metric, record.validation.clone());
            match &first {
                None => first = Some((path.clone(), this.0, this.1)),
                Some((first_path, metric, validation)) if (*metric, validation) != (this.0, &this.1) => bail!(
                    "{} holds trials scored by {} on {}, but {} holds trials scored by {metric} on {validation}: \
                     they cannot be ranked together",
                    path.display(),
                    this.0,
                    this.1,
                    first_path.display()
                ),
                Some(_) => {}
            }
            if seen.insert(record.to_trial().with_context(|| path.display().to_string())?.key()) {
                records.push(record);
            }
        }
    }
    let Some((_, metric, validation)) = first else {
        bail!(
            "the logs hold no trials: {}",
            args.logs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    };
    rank(&mut records, metric);
    if let Some(path) = &args.out {
        let format = LogFormat::of(path)?;
        let mut text = Vec::new();
        for (i, record) in records.iter().enumerate() {
            text.extend(format.line(record, i == 0)?);
        }
        dnn::write_atomically(path, &text)?;
    }
    print_table(&records, metric, &validation, args.top)
}
