//! Turning DATA arguments into data sets, and the parsing shared by the subcommands.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use dnn::data::{self, Dataset, Hdf5Keys, LabelColumn, Preprocessing, Scale, Task};

use crate::cli::{DataArgs, Format, ScaleArg};

/// Loads DATA: `builtin:NAME`, or a file/folder whose format comes from `--format` or its
/// extension.
pub fn load(spec: &str, args: &DataArgs, task: Task) -> Result<Dataset> {
    if let Some(name) = spec.strip_prefix("builtin:") {
        return Ok(data::builtin(name, args.data_seed)?);
    }
    let path = Path::new(spec);
    if !path.exists() {
        bail!("{spec}: no such file or folder");
    }
    let format = match args.format {
        Some(format) => format,
        None => format_of(path)?,
    };
    let keys = Hdf5Keys { x: args.x_key.clone(), y: args.y_key.clone() };
    let label = args.label_column.as_deref().map_or(LabelColumn::Last, |s| s.parse().expect("infallible"));
    let dataset = match format {
        Format::Csv => data::read_csv(path, &label, task)?,
        Format::Hdf5 => data::read_hdf5(path, &keys)?,
        Format::Npz | Format::Npy => data::read_numpy(path, &keys)?,
        Format::Images => data::read_image_folder(path, None)?,
    };
    if dataset.m() == 0 {
        bail!("{spec}: no examples");
    }
    if task == Task::Classification && dataset.class_names.is_none() {
        check_binary(spec, &dataset)?;
    }
    Ok(dataset)
}

/// The format a path's extension (or being a folder) implies.
pub fn format_of(path: &Path) -> Result<Format> {
    if path.is_dir() {
        return Ok(Format::Images);
    }
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    Ok(match extension.as_str() {
        "csv" | "txt" => Format::Csv,
        "h5" | "hdf5" | "he5" => Format::Hdf5,
        "npz" => Format::Npz,
        "npy" => Format::Npy,
        _ => bail!(
            "{}: cannot tell the format from the extension '{extension}': expected .csv, .h5, .hdf5, .npz, .npy \
             or a folder of images; or give --format",
            path.display()
        ),
    })
}

/// Labels of a classification must be 0 or 1.
fn check_binary(spec: &str, dataset: &Dataset) -> Result<()> {
    if let Some((j, v)) = dataset.y.iter().enumerate().find(|(_, &v)| v != 0.0 && v != 1.0) {
        bail!("{spec}: label of example {j} is {v}, expected 0 or 1 (use --output-activation linear for real-valued labels)");
    }
    Ok(())
}

/// The preprocessing for training data: the requested scaling (default 255 for 8-bit
/// images, none otherwise), fitted to `train` for standardisation.
pub fn preprocessing_for(train: &Dataset, scale: Option<ScaleArg>) -> Preprocessing {
    let scale = match scale.unwrap_or(if train.image.is_some() { ScaleArg::Divide255 } else { ScaleArg::None }) {
        ScaleArg::None => Scale::None,
        ScaleArg::Divide255 => Scale::Divide { by: 255.0 },
        ScaleArg::Standardize => Scale::standardize_fit(&train.x),
    };
    Preprocessing { scale, image: train.image }
}

/// Applies a model's preprocessing to a data set, checking its feature count first.
pub fn apply(preprocessing: &Preprocessing, dataset: &mut Dataset, n_x: usize, spec: &str) -> Result<()> {
    if dataset.n_x() != n_x {
        bail!("{spec}: {} features per example, but the model takes {n_x}", dataset.n_x());
    }
    preprocessing.scale.apply_in_place(&mut dataset.x);
    Ok(())
}

/// Parses `--layers`: comma-separated positive sizes, or empty for none.
pub fn parse_layers(text: &str) -> Result<Vec<usize>> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|part| match part.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(anyhow!(
                "invalid --layers '{text}': expected comma-separated positive sizes such as 20,7,5 (or \"\" for none)"
            )),
        })
        .collect()
}

/// What `--output-activation` makes of the labels: classes for sigmoid, real values for
/// linear.
pub fn task_for_output(output: dnn::Activation) -> Result<Task> {
    match output {
        dnn::Activation::Sigmoid => Ok(Task::Classification),
        dnn::Activation::Linear => Ok(Task::Regression),
        other => bail!("--output-activation {other}: expected sigmoid (classification) or linear (regression)"),
    }
}

/// Parses an activation flag, naming the flag in the error.
pub fn parse_activation(flag: &str, text: &str) -> Result<dnn::Activation> {
    text.parse().with_context(|| flag.to_string())
}
