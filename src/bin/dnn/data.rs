//! Turning DATA arguments into data sets, and the parsing shared by the subcommands.
//!
//! Training data is read by [`load`]: its columns, its two classes (class 1 chosen by the
//! rule of `dnn::data::binary_classes`) or its real-valued targets. Data for a trained model
//! (`evaluate`, `predict`, `train --test`) is read by [`load_for`], through everything the
//! model recorded: the same columns by name, the same classes, the same missing-value fill
//! and scaling.

use std::io::Read;
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use clap::ValueEnum;
use dnn::data::{
    self, binary_classes, encode_classes, fill_missing, label_keys, means_ignoring_missing, Columns, CsvOptions,
    Dataset, Delimiter, Hdf5Keys, LabelColumn, LabelError, LabelNeed, Missing, Preprocessing, Scale, Task,
};

use crate::cli::{DataArgs, Format, MissingArg, ScaleArg};

/// The name standard input goes by in messages.
const STDIN: &str = "<stdin>";

/// How many classes training data may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classes {
    /// Exactly two (a sigmoid output).
    Two,
    /// Two or more (a softmax output for more than two, or when asked for).
    Any,
}

/// Loads training DATA: `builtin:NAME`, `-` (CSV on standard input), or a file or folder
/// whose format comes from `--format` or its extension. For a classification, Y is made the
/// class indexes (0/1 for two classes) and `class_names` the classes, class 0 first.
pub fn load(spec: &str, args: &DataArgs, task: Task, count: Classes) -> Result<Dataset> {
    let mut dataset = read(spec, args, None)?;
    match task {
        Task::Classification => {
            let positive = args.positive_class.as_deref();
            let found = match count {
                Classes::Two => binary_classes(&dataset, positive).map(|(y, classes)| (y, classes.to_vec())),
                Classes::Any => data::classes(&dataset, positive),
            };
            let (y, classes) = found.map_err(|error| {
                let place = match &error {
                    LabelError::TooManyClasses { third_at, .. } => format!("{}, ", dataset.place(*third_at)),
                    _ => String::new(),
                };
                let label = dataset.columns.as_ref().and_then(|c| c.describe(data::ColumnRole::Label));
                let label = label.map_or(String::new(), |label| format!("label column {label}: "));
                anyhow!("{spec}: {place}{label}{error}")
            })?;
            dataset.y = y;
            dataset.class_names = Some(classes);
        }
        Task::Regression => check_numeric_labels(spec, &dataset)?,
    }
    Ok(dataset)
}

/// What a trained model (or the training data of `train --test`) says about reading new data.
pub struct Reader<'a> {
    /// Columns, fill values, scaling.
    pub preprocessing: &'a Preprocessing,
    /// The classes, class 0 first (`None`: the labels 0 and 1).
    pub classes: Option<&'a [String]>,
    /// Classification or regression.
    pub task: Task,
    /// The number of features the network takes.
    pub n_x: usize,
}

/// Loads DATA for a trained model: the model's columns (by name when both files have a
/// header), its classes (`need` says whether labels must be there), missing values filled
/// with the model's training means (`--missing`, by default `mean` when the model has them),
/// and its scaling applied. Labels of a classification become the model's class indexes.
pub fn load_for(spec: &str, args: &DataArgs, reader: &Reader<'_>, need: LabelNeed) -> Result<Dataset> {
    let unnamed;
    let columns = match &reader.preprocessing.columns {
        Some(columns) => columns,
        None => {
            unnamed = Columns::unnamed(reader.n_x);
            &unnamed
        }
    };
    let mut dataset = read(spec, args, Some((columns, need, reader.preprocessing.fill.is_some())))?;
    if dataset.n_x() != reader.n_x {
        bail!("{spec}: {} features per example, but the model takes {}", dataset.n_x(), reader.n_x);
    }
    if need == LabelNeed::Required {
        match reader.task {
            Task::Classification => {
                let default = ["0".to_string(), "1".to_string()];
                dataset.y =
                    encode_classes(&dataset, reader.classes.unwrap_or(&default)).with_context(|| spec.to_string())?;
            }
            Task::Regression => check_numeric_labels(spec, &dataset)?,
        }
    }
    if let Some(fill) = &reader.preprocessing.fill {
        fill_missing(&mut dataset.x, fill);
    }
    reader.preprocessing.scale.apply_in_place(&mut dataset.x);
    Ok(dataset)
}

/// Reads DATA as it is (labels as the source gives them); for a model, by its columns
/// (`model` also says whether it has fill values for missing features).
fn read(spec: &str, args: &DataArgs, model: Option<(&Columns, LabelNeed, bool)>) -> Result<Dataset> {
    if let Some(name) = spec.strip_prefix("builtin:") {
        if let Some(flag) = csv_only_flag(args) {
            bail!("{flag} applies to CSV files only, and {spec} is a built-in data set");
        }
        return Ok(match args.classes {
            Some(k) => data::builtin_classes(name, args.data_seed, k).context("--classes")?,
            None => data::builtin(name, args.data_seed)?,
        });
    }
    if let Some(k) = args.classes {
        bail!("--classes {k} applies to builtin:blobs and builtin:spiral, and {spec} is a data file");
    }
    let format = if spec == "-" {
        match args.format {
            None | Some(Format::Csv) => Format::Csv,
            Some(other) => {
                let name = other.to_possible_value().map_or(String::new(), |v| v.get_name().to_string());
                bail!("standard input (-) can only be CSV, not --format {name}")
            }
        }
    } else {
        let path = Path::new(spec);
        if !path.exists() {
            bail!("{spec}: no such file or folder");
        }
        match args.format {
            Some(format) => format,
            None => format_of(path)?,
        }
    };
    let keys = Hdf5Keys { x: args.x_key.clone(), y: args.y_key.clone() };
    let dataset = match format {
        Format::Csv => read_csv(spec, args, model)?,
        Format::Hdf5 => data::read_hdf5(spec, &keys)?,
        Format::Npz | Format::Npy => data::read_numpy(spec, &keys)?,
        Format::Images => data::read_image_folder(spec, None)?,
    };
    if format != Format::Csv {
        if let Some(flag) = csv_only_flag(args) {
            bail!("{flag} applies to CSV files only, and {spec} is not one");
        }
    }
    if dataset.m() == 0 {
        bail!("{spec}: no examples");
    }
    Ok(dataset)
}

fn read_csv(spec: &str, args: &DataArgs, model: Option<(&Columns, LabelNeed, bool)>) -> Result<Dataset> {
    let missing = match (args.missing, model) {
        (Some(MissingArg::Error), _) => Missing::Error,
        (Some(MissingArg::Drop), _) => Missing::Drop,
        (Some(MissingArg::Mean), Some((_, _, false))) => {
            bail!("--missing mean: the model has no training means to fill in (it was not trained on a CSV file)")
        }
        (Some(MissingArg::Mean), _) | (None, Some((_, _, true))) => Missing::Mean,
        (None, _) => Missing::Error,
    };
    let options = CsvOptions {
        label: match (&args.label_column, model) {
            (Some(label), None) => label.parse().expect("infallible"),
            (Some(_), Some(_)) => bail!("--label-column is the model's: it cannot be given with --model"),
            (None, _) => LabelColumn::Last,
        },
        delimiter: parse_delimiter(args.delimiter.as_deref())?,
        missing,
        ignore: args.ignore_columns.iter().map(|c| c.parse().expect("infallible")).collect(),
        id: args.id_column.as_deref().map(|c| c.parse().expect("infallible")),
    };
    let dataset = if spec == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).context("cannot read standard input")?;
        data::read_csv_bytes(Path::new(STDIN), &bytes, &options, model.map(|(c, n, _)| (c, n)))?
    } else {
        match model {
            Some((columns, need, _)) => data::read_csv_for_model(spec, &options, columns, need)?,
            None => data::read_csv(spec, &options)?,
        }
    };
    if !dataset.dropped.is_empty() {
        let shown: Vec<String> = dataset.dropped.iter().take(10).map(u64::to_string).collect();
        let more = if dataset.dropped.len() > 10 { ", …" } else { "" };
        eprintln!(
            "note: {spec}: dropped {} example(s) with a missing value (line {}{more})",
            dataset.dropped.len(),
            shown.join(", ")
        );
    }
    Ok(dataset)
}

/// The first CSV-only flag given, if any.
fn csv_only_flag(args: &DataArgs) -> Option<&'static str> {
    [
        (args.label_column.is_some(), "--label-column"),
        (args.delimiter.is_some(), "--delimiter"),
        (args.missing.is_some(), "--missing"),
        (!args.ignore_columns.is_empty(), "--ignore-columns"),
        (args.id_column.is_some(), "--id-column"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}

/// `--delimiter`: one character, or `tab`.
fn parse_delimiter(text: Option<&str>) -> Result<Delimiter> {
    match text {
        None => Ok(Delimiter::Auto),
        Some("tab" | "\\t" | "\t") => Ok(Delimiter::Byte(b'\t')),
        Some(text) if text.len() == 1 && text.is_ascii() && text != "\"" => Ok(Delimiter::Byte(text.as_bytes()[0])),
        Some(text) => bail!("invalid --delimiter '{text}': expected one character such as , ; | or the word tab"),
    }
}

/// Labels of a regression must be numbers.
fn check_numeric_labels(spec: &str, dataset: &Dataset) -> Result<()> {
    if dataset.columns.is_none() || dataset.class_names.is_none() {
        return Ok(());
    }
    let keys = label_keys(dataset);
    if let Some(j) = keys.iter().position(|k| k.parse::<f64>().is_err()) {
        let column = dataset
            .columns
            .as_ref()
            .and_then(|c| c.describe(data::ColumnRole::Label))
            .map_or(String::new(), |c| format!(", column {c}"));
        bail!(
            "{spec}: {}{column}: label '{}' is not a number, and a regression needs numbers",
            dataset.place(j),
            keys[j]
        );
    }
    Ok(())
}

/// The format a path's extension (or being a folder) implies.
pub fn format_of(path: &Path) -> Result<Format> {
    if path.is_dir() {
        return Ok(Format::Images);
    }
    let extension_of = |path: &Path| path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let mut extension = extension_of(path).unwrap_or_default();
    // A compressed CSV file: data.csv.gz.
    if extension == "gz" {
        let inner = extension_of(&path.with_extension("")).unwrap_or_default();
        if matches!(inner.as_str(), "csv" | "tsv" | "txt") {
            return Ok(Format::Csv);
        }
        extension = format!("{inner}.gz");
    }
    Ok(match extension.as_str() {
        "csv" | "tsv" | "txt" => Format::Csv,
        "h5" | "hdf5" | "he5" => Format::Hdf5,
        "npz" => Format::Npz,
        "npy" => Format::Npy,
        _ => bail!(
            "{}: cannot tell the format from the extension '{extension}': expected .csv, .tsv, .csv.gz, .h5, .hdf5, \
             .npz, .npy or a folder of images; or give --format",
            path.display()
        ),
    })
}

/// The preprocessing for training data, fitted to it: missing features filled with the
/// training means (recorded for every CSV file), then the scaling asked for, by default
/// (`auto`) ÷255 for 8-bit images, none for the built-in sets, standardisation for any other
/// data.
pub fn preprocessing_for(train: &Dataset, scale: Option<ScaleArg>) -> Preprocessing {
    let fill: Option<Vec<f64>> = train.columns.as_ref().map(|_| {
        // A feature with no value at all is filled with 0 (and is then constant).
        means_ignoring_missing(&train.x).into_iter().map(|m| m.unwrap_or(0.0)).collect()
    });
    let scale = match scale.unwrap_or(ScaleArg::Auto) {
        ScaleArg::Auto if train.image.is_some() => ScaleArg::Divide255,
        ScaleArg::Auto if train.builtin.is_some() => ScaleArg::None,
        ScaleArg::Auto => ScaleArg::Standardize,
        other => other,
    };
    let scale = match scale {
        ScaleArg::None | ScaleArg::Auto => Scale::None,
        ScaleArg::Divide255 => Scale::Divide { by: 255.0 },
        ScaleArg::Standardize => match &fill {
            Some(fill) => {
                let mut x = train.x.clone();
                fill_missing(&mut x, fill);
                Scale::standardize_fit(&x)
            }
            None => Scale::standardize_fit(&train.x),
        },
    };
    Preprocessing { scale, image: train.image, columns: train.columns.clone(), fill, target: None }
}

/// Applies training preprocessing to the training data itself: fill, then scale.
pub fn apply_to_training(preprocessing: &Preprocessing, dataset: &mut Dataset) {
    if let Some(fill) = &preprocessing.fill {
        fill_missing(&mut dataset.x, fill);
    }
    preprocessing.scale.apply_in_place(&mut dataset.x);
}

/// The labels a network trains on: one-hot columns (k × m) for a softmax output, else Y as
/// it is (1 × m).
pub fn targets<T: dnn::Float>(data: &Dataset, network: &dnn::Network<T>) -> ndarray::Array2<f64> {
    match network.loss() {
        dnn::Loss::CategoricalCrossEntropy => data::one_hot(&data.y, network.n_out()),
        _ => data.y.clone(),
    }
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

/// What `--output-activation` makes of the labels: classes for sigmoid and softmax, real
/// values for linear.
pub fn task_for_output(output: dnn::Activation) -> Result<Task> {
    match output {
        dnn::Activation::Sigmoid | dnn::Activation::Softmax => Ok(Task::Classification),
        dnn::Activation::Linear => Ok(Task::Regression),
        other => bail!(
            "--output-activation {other}: expected sigmoid (two classes), softmax (k classes) or linear (regression)"
        ),
    }
}

/// Parses an activation flag, naming the flag in the error.
pub fn parse_activation(flag: &str, text: &str) -> Result<dnn::Activation> {
    text.parse().with_context(|| flag.to_string())
}
