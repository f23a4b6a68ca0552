//! The ranked table printed at the end of a search (and of a merge), and how scores read.

use std::io::Write;

use anyhow::Result;
use dnn::search::{Metric, Status};

use super::log::Record;
use super::rank::best;
use crate::train::format_percent;

pub fn format_score(metric: Metric, score: f64) -> String {
    match metric {
        // Exact when it is a whole number of hundredths of a percent (as the course prints).
        Metric::Accuracy if (score * 1e6).round() == score * 1e6 => format!("{} %", format_percent(score)),
        Metric::Accuracy => format!("{:.4} %", score * 100.0),
        Metric::F1 | Metric::MacroF1 | Metric::R2 => format!("{score:.4}"),
        Metric::LogLoss | Metric::Mse => format!("{score:.6}"),
    }
}

/// `x` to `digits` significant digits, or shorter when its exact form is.
fn significant(x: f64, digits: i32) -> String {
    let exact = dnn::number::written(x);
    let rounded = if exact.contains('e') {
        let decimals = (digits - 1) as usize;
        format!("{x:.decimals$e}")
    } else {
        let decimals = (digits - 1 - x.abs().log10().floor() as i32).max(0) as usize;
        format!("{x:.decimals$}")
    };
    if exact.len() <= rounded.len() {
        exact
    } else {
        rounded
    }
}

/// The ranked table on stdout, then the best trial.
pub fn print_table(records: &[Record], metric: Metric, validation: &str, top: Option<usize>) -> Result<()> {
    // The second course's columns only when some trial uses them: a first-course search
    // prints the table it always did.
    let regimen =
        records.iter().any(|r| r.optimizer != "gd" || r.batch_size.is_some() || r.l2 != 0.0 || r.keep_prob != 1.0);
    let mut header = vec!["rank", metric.name(), "layers", "hidden", "init", "learning rate", "iterations"];
    if regimen {
        header.extend(["optimizer", "batch", "l2", "keep"]);
    }
    header.extend(["seed", "train cost", "seconds", "status", "trial"]);
    let rows: Vec<Vec<String>> = records
        .iter()
        .take(top.unwrap_or(usize::MAX))
        .enumerate()
        .map(|(rank, r)| {
            let mut row = vec![
                (rank + 1).to_string(),
                r.score().map_or("-".into(), |s| format_score(metric, s)),
                if r.layers.is_empty() { "none".into() } else { r.layers.clone() },
                r.hidden_activation.clone(),
                r.init.clone(),
                significant(r.learning_rate, 4),
                r.iterations.to_string(),
            ];
            if regimen {
                row.extend([
                    r.optimizer.clone(),
                    r.batch_size.map_or("full".into(), |b| b.to_string()),
                    r.l2.to_string(),
                    r.keep_prob.to_string(),
                ]);
            }
            row.extend([
                r.seed.to_string(),
                r.train_cost.map_or("-".into(), |c| format!("{c:.6}")),
                format!("{:.2}", r.seconds),
                r.status.to_string(),
                r.trial.to_string(),
            ]);
            row
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|row| row[c].chars().count()).chain([header[c].len()]).max().unwrap_or(0))
        .collect();
    let mut out = crate::stdout::stdout();
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(cell, &w)| format!("{cell:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    writeln!(out, "Scored by {metric} on {validation}")?;
    writeln!(out, "{}", line(header.clone()))?;
    for row in &rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    let one_class: Vec<String> =
        records.iter().filter(|r| r.status == Status::OneClass).map(|r| r.trial.to_string()).collect();
    if let Some(line) = one_class_warning(&one_class, best(records).is_some_and(|r| r.status == Status::Done)) {
        writeln!(out, "{line}")?;
    }
    match best(records) {
        Some(best) => writeln!(
            out,
            "Best: trial {}: {}: {metric} {}{}",
            best.trial,
            best.to_trial()?,
            format_score(metric, best.score().expect("the best trial has a score")),
            if best.status == Status::OneClass { " (predicts one class only)" } else { "" }
        )?,
        None if records.is_empty() => writeln!(out, "No trial finished")?,
        None => writeln!(out, "Every trial diverged: try smaller learning rates")?,
    }
    Ok(())
}

/// The line under the table about trials that predict one class only (`trials`, by
/// number), or `None` when there are none. `others` says whether some trial predicts both.
fn one_class_warning(trials: &[String], others: bool) -> Option<String> {
    let (who, verb) = match trials {
        [] => return None,
        [one] => (format!("trial {one}"), "predicts"),
        many => (format!("trials {}", many.join(", ")), "predict"),
    };
    let rank = if others {
        "ranked after every trial that predicts both classes"
    } else {
        "no trial predicts both classes: train longer, with another learning rate, or scale the features"
    };
    Some(format!("Warning: {who} {verb} one class for every validation example (status one-class); {rank}"))
}
