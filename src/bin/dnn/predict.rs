//! `dnn predict`: a saved model's output for every example of a data file or for image
//! files, as CSV `input,probability,label` (`input,label,p_<class>…` for k classes, or with
//! `--top K` `input,label,class_1,p_1,…`; `input,value` for a regression).

use std::path::Path;

use anyhow::{bail, Context, Result};
use dnn::data::{self, Dataset, LabelNeed, Resize, Task};
use dnn::model_file::{self, ModelMeta};
use dnn::{DType, Float, Loss, Network};
use ndarray::Array2;

use crate::cli::PredictArgs;
use crate::data::{load_for, Reader};
use crate::evaluate::task_of;

pub fn run(args: PredictArgs) -> Result<()> {
    let meta = model_file::read_meta(&args.model)?;
    match meta.dtype {
        DType::F64 => predict_as::<f64>(&args),
        DType::F32 => predict_as::<f32>(&args),
    }
}

fn predict_as<T: Float>(args: &PredictArgs) -> Result<()> {
    let (network, meta): (Network<T>, ModelMeta) = model_file::load(&args.model)?;
    let task = task_of(&meta);
    let k = network.n_out();
    match args.top {
        Some(_) if meta.loss != Loss::CategoricalCrossEntropy => {
            bail!("--top applies to a model of more than two classes (a softmax output), and this model has one output")
        }
        Some(top) if top == 0 || top > k => bail!("invalid --top {top}: expected 1 to {k}, the model's classes"),
        _ => {}
    }
    let images = args.inputs.iter().all(|input| data::is_image_file(Path::new(input)));
    let picture_folder = match args.inputs.as_slice() {
        [one] => is_picture_folder(Path::new(one))?,
        _ => false,
    };
    let (names, dataset) = if images || picture_folder {
        let (names, mut dataset) = read_images(&args.inputs, &meta, args.no_resize, picture_folder)?;
        meta.preprocessing.scale.apply_in_place(&mut dataset.x);
        (names, dataset)
    } else {
        if args.inputs.len() != 1 {
            bail!("give one data file, or image files (.png, .jpg, .jpeg) only; got {} inputs", args.inputs.len());
        }
        let spec = &args.inputs[0];
        let reader = Reader {
            preprocessing: &meta.preprocessing,
            classes: meta.class_names.as_deref(),
            task,
            n_x: network.n_x(),
        };
        let dataset = load_for(spec, &args.data_args, &reader, LabelNeed::Optional)?;
        (example_names(&dataset), dataset)
    };
    dnn::memory::check_fits(
        "prediction",
        dnn::memory::prediction_bytes(&network.architecture(), dataset.m(), T::DTYPE),
    )?;
    let output = network.predict_proba(dataset.x.mapv(T::from_f64).view())?;

    let mut csv = String::new();
    match task {
        Task::Classification if meta.loss == Loss::CategoricalCrossEntropy => {
            let classes = meta.class_names.clone().unwrap_or_else(|| (0..k).map(|c| c.to_string()).collect());
            write_classes(&mut csv, &names, &classes, output.view(), args.top);
        }
        Task::Classification => {
            csv.push_str("input,probability,label\n");
            for (name, p) in names.iter().zip(output.row(0)) {
                let class = usize::from(p.as_f64() > args.threshold);
                let label =
                    meta.class_names.as_ref().and_then(|n| n.get(class)).cloned().unwrap_or_else(|| class.to_string());
                csv.push_str(&format!("{},{},{}\n", quote(name), p.as_f64(), quote(&label)));
            }
        }
        Task::Regression => {
            csv.push_str("input,value\n");
            for (name, v) in names.iter().zip(output.row(0)) {
                let value = meta.preprocessing.target.map_or(v.as_f64(), |t| t.undo(v.as_f64()));
                csv.push_str(&format!("{},{}\n", quote(name), value));
            }
        }
    }
    match &args.output {
        Some(path) => dnn::write_atomically(path, csv.as_bytes())?,
        None => out!("{csv}"),
    }
    Ok(())
}

/// The CSV of a model of k classes: each example's most likely class, then one probability
/// column `p_<class>` per class, or with `top` the `top` most likely classes and their
/// probabilities, most likely first (`class_1,p_1,class_2,p_2,…`).
///
/// # Shapes
/// `probabilities`: k × m, one column per example of `examples`.
fn write_classes<T: Float>(
    csv: &mut String,
    examples: &[String],
    classes: &[String],
    probabilities: ndarray::ArrayView2<T>,
    top: Option<usize>,
) {
    let predicted = dnn::metrics::classes_of(probabilities);
    let header: Vec<String> = match top {
        Some(top) => (1..=top).flat_map(|i| [format!("class_{i}"), format!("p_{i}")]).collect(),
        None => classes.iter().map(|c| quote(&format!("p_{c}"))).collect(),
    };
    csv.push_str(&format!("input,label,{}\n", header.join(",")));
    for ((name, column), &class) in examples.iter().zip(probabilities.columns()).zip(&predicted) {
        let values: Vec<String> = match top {
            Some(top) => {
                // Most likely first; equal probabilities in class order, as the label's argmax.
                let mut order: Vec<usize> = (0..classes.len()).collect();
                order.sort_by(|&a, &b| column[b].partial_cmp(&column[a]).unwrap_or(std::cmp::Ordering::Equal));
                order[..top].iter().flat_map(|&c| [quote(&classes[c]), column[c].as_f64().to_string()]).collect()
            }
            None => column.iter().map(|p| p.as_f64().to_string()).collect(),
        };
        csv.push_str(&format!("{},{},{}\n", quote(name), quote(&classes[class]), values.join(",")));
    }
}

/// What names each example in the output: its ID (`--id-column`, or the model's ID column),
/// else its index among the file's examples from 0 (kept when examples were dropped for
/// missing values).
fn example_names(dataset: &Dataset) -> Vec<String> {
    if let Some(ids) = &dataset.ids {
        return ids.clone();
    }
    match &dataset.lines {
        Some(lines) if !dataset.dropped.is_empty() => {
            let mut all: Vec<u64> = lines.iter().chain(&dataset.dropped).copied().collect();
            all.sort_unstable();
            lines.iter().map(|line| all.binary_search(line).expect("a kept line").to_string()).collect()
        }
        _ => (0..dataset.m()).map(|j| j.to_string()).collect(),
    }
}

/// Reads image files at the model's input size, one per column.
/// Whether `path` is a folder of pictures with no class folders in it (pictures to predict
/// on, as opposed to labelled data in `DIR/<class>/`).
fn is_picture_folder(path: &Path) -> Result<bool> {
    if !path.is_dir() {
        return Ok(false);
    }
    let entries = std::fs::read_dir(path).with_context(|| format!("{}: cannot list the folder", path.display()))?;
    let paths: Vec<_> = entries.filter_map(|entry| entry.ok().map(|e| e.path())).collect();
    Ok(!paths.iter().any(|p| p.is_dir()) && paths.iter().any(|p| data::is_image_file(p)))
}

/// Reads image files (or, with `folder`, every picture of the one folder given, by file name)
/// at the model's input size, one per column.
fn read_images(paths: &[String], meta: &ModelMeta, no_resize: bool, folder: bool) -> Result<(Vec<String>, Dataset)> {
    let Some(shape) = meta.preprocessing.image else {
        bail!("the model was not trained on images, so it cannot predict on image files");
    };
    let resize = if no_resize { Resize::No } else { Resize::Yes };
    let (names, x) = if folder {
        data::read_image_files(&paths[0], shape, resize)?
    } else {
        let mut x = Array2::zeros((shape.height * shape.width * shape.channels, paths.len()));
        for (j, path) in paths.iter().enumerate() {
            let (pixels, _) = data::read_image(path, Some(shape), resize)?;
            x.column_mut(j).assign(&ndarray::Array1::from(pixels));
        }
        (paths.to_vec(), x)
    };
    let y = Array2::zeros((1, x.ncols()));
    Ok((names, Dataset { x, y, image: Some(shape), ..Dataset::default() }))
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}
