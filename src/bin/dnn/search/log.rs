//! A search log: one finished trial per line (CSV or JSON lines), appended as trials finish
//! and read back to resume a search or merge the logs of shards.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use dnn::search::{Metric, Outcome, Regimen, Status, Trial};
use serde::{Deserialize, Serialize};

use crate::data::parse_layers;

/// One finished trial as a search log holds it (a CSV row or a JSON line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub trial: usize,
    pub layers: String,
    pub hidden_activation: String,
    pub init: String,
    pub learning_rate: f64,
    pub iterations: usize,
    pub seed: u32,
    pub metric: Metric,
    pub validation: String,
    pub score: Option<f64>,
    pub train_cost: Option<f64>,
    pub seconds: f64,
    pub status: Status,
    /// The regimen's settings, last (logs written before they existed lack them: the
    /// default regimen).
    #[serde(default = "default_optimizer")]
    pub optimizer: String,
    #[serde(default)]
    pub batch_size: Option<usize>,
    #[serde(default)]
    pub l2: f64,
    #[serde(default = "one")]
    pub keep_prob: f64,
}

impl Record {
    pub fn new(trial: &Trial, outcome: &Outcome, metric: Metric, validation: &str) -> Record {
        Record {
            trial: trial.index,
            layers: trial.layers_text(),
            hidden_activation: trial.hidden_activation.to_string(),
            init: trial.init.to_string(),
            learning_rate: trial.learning_rate,
            iterations: trial.iterations,
            seed: trial.seed,
            optimizer: trial.regimen.optimizer.to_string(),
            batch_size: trial.regimen.batch_size,
            l2: trial.regimen.l2,
            keep_prob: trial.regimen.keep_prob,
            metric,
            validation: validation.to_string(),
            score: outcome.score,
            train_cost: outcome.train_cost,
            seconds: outcome.seconds,
            status: outcome.status,
        }
    }

    /// The trial this record is of (its values parsed back).
    pub fn to_trial(&self) -> Result<Trial> {
        Ok(Trial {
            index: self.trial,
            layers: parse_layers(&self.layers)?,
            hidden_activation: self.hidden_activation.parse()?,
            init: self.init.parse()?,
            learning_rate: self.learning_rate,
            iterations: self.iterations,
            seed: self.seed,
            regimen: Regimen {
                optimizer: self.optimizer.parse()?,
                batch_size: self.batch_size,
                l2: self.l2,
                keep_prob: self.keep_prob,
            },
        })
    }

    /// The score of a trial that was scored: finished, or predicting one class only
    /// (`None` when it diverged).
    pub fn score(&self) -> Option<f64> {
        self.score.filter(|_| matches!(self.status, Status::Done | Status::OneClass))
    }
}

fn default_optimizer() -> String {
    "gd".into()
}

fn one() -> f64 {
    1.0
}

/// The records of an existing log that belong to this search's trials (after checking they
/// were scored the same way), trimming an unfinished last line.
pub fn resume(path: &Path, metric: Metric, validation: &str, mine: &[Trial]) -> Result<Vec<Record>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let (records, complete) = read_log(path)?;
    let length = std::fs::metadata(path).with_context(|| path.display().to_string())?.len();
    if complete < length {
        eprintln!("{}: dropping an unfinished last line", path.display());
        let file = OpenOptions::new().write(true).open(path).with_context(|| path.display().to_string())?;
        file.set_len(complete).with_context(|| path.display().to_string())?;
    }
    let keys: HashSet<String> = mine.iter().map(Trial::key).collect();
    let mut kept = Vec::new();
    let mut seen = HashSet::new();
    for record in records {
        if record.metric != metric || record.validation != validation {
            bail!(
                "{}: holds trials scored by {} on {}, and this search scores by {metric} on {validation}: \
                 give another --out",
                path.display(),
                record.metric,
                record.validation
            );
        }
        let key = record.to_trial().with_context(|| path.display().to_string())?.key();
        if keys.contains(&key) && seen.insert(key) {
            kept.push(record);
        }
    }
    Ok(kept)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Csv,
    JsonLines,
}

impl LogFormat {
    pub fn of(path: &Path) -> Result<LogFormat> {
        let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
        match extension.as_str() {
            "csv" => Ok(LogFormat::Csv),
            "jsonl" | "ndjson" | "json" => Ok(LogFormat::JsonLines),
            _ => bail!("{}: a search log is .csv or .jsonl, not '{extension}'", path.display()),
        }
    }

    /// One record as a line (CSV: with the header line before it when `header`).
    pub fn line(self, record: &Record, header: bool) -> Result<Vec<u8>> {
        Ok(match self {
            LogFormat::Csv => {
                let mut writer = csv::WriterBuilder::new().has_headers(header).from_writer(Vec::new());
                writer.serialize(record)?;
                writer.into_inner().map_err(|e| anyhow!("{e}"))?
            }
            LogFormat::JsonLines => {
                let mut line = serde_json::to_vec(record)?;
                line.push(b'\n');
                line
            }
        })
    }
}

/// A log open for appending, one flushed line per finished trial.
pub struct LogWriter {
    path: PathBuf,
    format: LogFormat,
    file: File,
    empty: bool,
}

impl LogWriter {
    pub fn open(path: &Path) -> Result<LogWriter> {
        let file =
            OpenOptions::new().create(true).append(true).open(path).with_context(|| path.display().to_string())?;
        let empty = file.metadata().with_context(|| path.display().to_string())?.len() == 0;
        Ok(LogWriter { path: path.to_path_buf(), format: LogFormat::of(path)?, file, empty })
    }

    pub fn append(&mut self, record: &Record) -> Result<()> {
        let line = self.format.line(record, self.empty)?;
        self.file.write_all(&line).and_then(|()| self.file.flush()).with_context(|| self.path.display().to_string())?;
        self.empty = false;
        Ok(())
    }
}

/// A log's records, and the length of its complete lines (a last line without its newline
/// is an interrupted write and is left out).
pub fn read_log(path: &Path) -> Result<(Vec<Record>, u64)> {
    let format = LogFormat::of(path)?;
    let bytes = std::fs::read(path).map_err(|error| dnn::Error::Io { path: path.to_path_buf(), error })?;
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let text =
        std::str::from_utf8(&bytes[..complete]).map_err(|e| anyhow!("{}: not UTF-8 text: {e}", path.display()))?;
    let at = |line: usize, e: &dyn std::fmt::Display| anyhow!("{}: line {line}: {e}", path.display());
    let records = match format {
        LogFormat::Csv => {
            let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
            let mut records = Vec::new();
            for (i, row) in reader.deserialize::<Record>().enumerate() {
                records.push(row.map_err(|e| {
                    let line = e.position().map_or(i + 2, |p| p.line() as usize);
                    at(line, &csv_reason(&e))
                })?);
            }
            records
        }
        LogFormat::JsonLines => text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| serde_json::from_str(line).map_err(|e| at(i + 1, &e)))
            .collect::<Result<_>>()?,
    };
    Ok((records, complete as u64))
}

/// A CSV error without the position the caller already names.
fn csv_reason(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Deserialize { err, .. } => match err.field() {
            Some(field) => format!("field {}: {}", field + 1, err.kind()),
            None => err.kind().to_string(),
        },
        _ => error.to_string(),
    }
}
