//! The search's plot: each trial's score against every hyperparameter that varies.

use std::path::Path;

use anyhow::Result;
use dnn::plot::{self, Panel, PanelAxis};
use dnn::search::{Metric, Trial};

use super::log::Record;

/// The score against each hyperparameter that takes more than one value.
pub fn draw(path: &Path, records: &[Record], metric: Metric, validation: &str) -> Result<()> {
    let mut done: Vec<(Trial, f64)> = records
        .iter()
        .filter_map(|r| r.score().map(|score| (r, score)))
        .map(|(r, score)| Ok((r.to_trial()?, score)))
        .collect::<Result<_>>()?;
    // Categories in the order the search lists them.
    done.sort_by_key(|(trial, _)| trial.index);
    let scale = if metric == Metric::Accuracy { 100.0 } else { 1.0 };
    let categories = |name: &str, value: &dyn Fn(&Trial) -> String| {
        let mut names: Vec<String> = Vec::new();
        for (trial, _) in &done {
            let v = value(trial);
            if !names.contains(&v) {
                names.push(v);
            }
        }
        let points = done
            .iter()
            .map(|(t, s)| (names.iter().position(|n| *n == value(t)).expect("listed") as f64, s * scale))
            .collect();
        Panel { name: name.to_string(), axis: PanelAxis::Categories(names), points }
    };
    let numeric = |name: &str, axis: PanelAxis, value: &dyn Fn(&Trial) -> f64| Panel {
        name: name.to_string(),
        axis,
        points: done.iter().map(|(t, s)| (value(t), s * scale)).collect(),
    };
    let panels = [
        categories("hidden layers", &|t| if t.layers.is_empty() { "none".into() } else { t.layers_text() }),
        categories("hidden activation", &|t| t.hidden_activation.to_string()),
        categories("initialisation", &|t| t.init.to_string()),
        numeric("learning rate", PanelAxis::Log, &|t| t.learning_rate),
        numeric("iterations", PanelAxis::Linear, &|t| t.iterations as f64),
        categories("seed", &|t| t.seed.to_string()),
    ];
    let distinct = |p: &Panel| {
        let mut xs: Vec<f64> = p.points.iter().map(|&(x, _)| x).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        xs.len()
    };
    let varying: Vec<Panel> = panels.iter().filter(|p| distinct(p) > 1).cloned().collect();
    let panels = if varying.is_empty() { vec![panels[0].clone()] } else { varying };
    let score_name = if metric == Metric::Accuracy { "accuracy %".to_string() } else { metric.to_string() };
    let title = format!("{} trials, {metric} on {validation}", done.len());
    plot::search_scores(path, &title, &score_name, &panels)?;
    Ok(())
}
