//! `dnn info`: what a model file holds.

use anyhow::Result;
use dnn::data::{ColumnRole, Columns, Scale};
use dnn::model_file;
use dnn::Architecture;

use crate::cli::InfoArgs;

pub fn run(args: InfoArgs) -> Result<()> {
    let meta = model_file::read_meta(&args.model)?;
    if args.json {
        outln!("{}", serde_json::to_string(&meta)?);
        return Ok(());
    }
    let sizes = &meta.layer_sizes;
    let mut layers = format!("{} inputs", sizes[0]);
    for (n, activation) in sizes[1..].iter().zip(&meta.activations) {
        layers.push_str(&format!(" → {n} {activation}"));
    }
    // The sizes come from the header alone: counted without overflow.
    let arch = Architecture::with_activations(sizes, meta.activations.clone(), meta.loss)?;
    let parameters =
        dnn::memory::parameter_count(&arch).map_or_else(|| "more than 2^64".to_string(), |p| p.to_string());
    outln!("model:         {}", args.model.display());
    outln!("layers:        {layers}");
    outln!("parameters:    {parameters}");
    outln!("loss:          {}", meta.loss);
    outln!("dtype:         {}", meta.dtype);
    let scale = match &meta.preprocessing.scale {
        Scale::None => "none".to_string(),
        Scale::Divide { by } => format!("divide by {by}"),
        Scale::Standardize { .. } => {
            "standardize (per-feature mean and standard deviation of the training data)".into()
        }
    };
    outln!("scaling:       {scale}");
    if let Some(image) = meta.preprocessing.image {
        outln!(
            "images:        {}×{} pixels, {} channel(s), flattened (row, column, channel)",
            image.width,
            image.height,
            image.channels
        );
    }
    if let Some(columns) = &meta.preprocessing.columns {
        outln!("columns:       {}", describe_columns(columns));
    }
    if meta.preprocessing.fill.is_some() {
        outln!("missing:       filled with the training means (--missing mean)");
    }
    if let Some(target) = meta.preprocessing.target {
        outln!(
            "targets:       standardized (mean {}, standard deviation {}); predictions are in their units",
            target.mean,
            target.std
        );
    }
    match &meta.class_names {
        Some(names) if meta.loss == dnn::Loss::CategoricalCrossEntropy => {
            let listed: Vec<String> = names.iter().enumerate().map(|(i, name)| format!("{i} = {name}")).collect();
            outln!("classes:       {} ({})", names.len(), listed.join(", "));
        }
        Some(names) => outln!("classes:       0 = {}, 1 = {}", names[0], names.get(1).map_or("?", String::as_str)),
        None if meta.loss == dnn::Loss::CategoricalCrossEntropy => {
            outln!("classes:       {}", sizes[sizes.len() - 1])
        }
        None => {}
    }
    if let Some(training) = &meta.training {
        outln!("training:      {training}");
        let config = training.get("config").and_then(|c| serde_json::from_value::<dnn::TrainConfig>(c.clone()).ok());
        if let Some(config) = config {
            let best_epoch = training.get("best_epoch").and_then(serde_json::Value::as_u64);
            outln!("optimisation:  {}", crate::optimization::describe(&config, best_epoch));
        }
    }
    outln!("format:        safetensors, dnn metadata version {}", meta.format_version);
    Ok(())
}

/// "features a, b, c; label 'y'; ID 'id'; ignored 'name'" (column indexes without a header).
fn describe_columns(columns: &Columns) -> String {
    let name = |i: usize| columns.names.as_ref().map_or(i.to_string(), |names| names[i].clone());
    let with = |role: ColumnRole| -> Vec<String> {
        columns.roles.iter().enumerate().filter(|(_, &r)| r == role).map(|(i, _)| name(i)).collect()
    };
    let quote = |names: Vec<String>| names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ");
    let features = with(ColumnRole::Feature);
    let shown = if features.len() > 12 {
        format!("{}, … ({} in all)", features[..12].join(", "), features.len())
    } else {
        features.join(", ")
    };
    let mut text =
        if columns.names.is_some() { format!("features {shown}") } else { format!("features in columns {shown}") };
    for (role, what) in [(ColumnRole::Label, "label"), (ColumnRole::Id, "ID"), (ColumnRole::Ignored, "ignored")] {
        let names = with(role);
        if !names.is_empty() {
            text.push_str(&format!("; {what} {}", quote(names)));
        }
    }
    text
}
