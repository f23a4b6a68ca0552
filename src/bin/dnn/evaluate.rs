//! `dnn evaluate`: a saved model's accuracy, precision, recall, F1, log loss and confusion
//! matrix on labelled data (MSE, MAE and R² for a regression).

use anyhow::Result;
use dnn::data::{LabelNeed, Task};
use dnn::metrics::{self, ConfusionMatrix};
use dnn::model_file::{self, ModelMeta};
use dnn::{DType, Float, Loss, Network};
use serde_json::json;

use crate::cli::EvaluateArgs;
use crate::data::{load_for, Reader};

pub fn run(args: EvaluateArgs) -> Result<()> {
    let meta = model_file::read_meta(&args.model)?;
    match meta.dtype {
        DType::F64 => evaluate_as::<f64>(&args),
        DType::F32 => evaluate_as::<f32>(&args),
    }
}

/// The task a model was trained for.
pub fn task_of(meta: &ModelMeta) -> Task {
    match meta.loss {
        Loss::CrossEntropy | Loss::CategoricalCrossEntropy => Task::Classification,
        Loss::MeanSquaredError => Task::Regression,
    }
}

fn evaluate_as<T: Float>(args: &EvaluateArgs) -> Result<()> {
    let (network, meta): (Network<T>, ModelMeta) = model_file::load(&args.model)?;
    let task = task_of(&meta);
    let reader =
        Reader { preprocessing: &meta.preprocessing, classes: meta.class_names.as_deref(), task, n_x: network.n_x() };
    let data = load_for(&args.data, &args.data_args, &reader, LabelNeed::Required)?;
    dnn::memory::check_fits("evaluation", dnn::memory::prediction_bytes(&network.architecture(), data.m(), T::DTYPE))?;
    let x = data.x.mapv(T::from_f64);
    let y = data.y.mapv(T::from_f64);
    let mut output = network.predict_proba(x.view())?;
    if task == Task::Regression {
        if let Some(target) = meta.preprocessing.target {
            output.mapv_inplace(|v| T::from_f64(target.undo(v.as_f64())));
        }
        let r = metrics::regression_metrics(output.view(), y.view())?;
        if args.json {
            outln!("{}", json!({"examples": data.m(), "mse": r.mse, "mae": r.mae, "r2": r.r2}));
        } else {
            outln!("examples: {}\nMSE: {:.6}\nMAE: {:.6}\nR²: {:.6}", data.m(), r.mse, r.mae, r.r2);
        }
        return Ok(());
    }
    let threshold = T::from_f64(args.threshold);
    let predicted = output.mapv(|p| if p > threshold { T::one() } else { T::zero() });
    let cm = ConfusionMatrix::from_labels(predicted.view(), y.view())?;
    let log_loss = metrics::log_loss(output.view(), y.view())?;
    let names = meta.class_names.clone().unwrap_or_else(|| vec!["0".into(), "1".into()]);
    if args.json {
        let report = json!({
            "examples": data.m(),
            "accuracy": cm.accuracy(),
            "precision": cm.precision(),
            "recall": cm.recall(),
            "f1": cm.f1(),
            "log_loss": log_loss,
            "confusion_matrix": {
                "true_negatives": cm.true_negatives,
                "false_positives": cm.false_positives,
                "false_negatives": cm.false_negatives,
                "true_positives": cm.true_positives,
            },
            "classes": names,
        });
        outln!("{report}");
        return Ok(());
    }
    let width = names.iter().map(String::len).max().unwrap_or(1).max(9);
    outln!("examples:  {}", data.m());
    outln!("accuracy:  {:.4}", cm.accuracy());
    outln!("precision: {:.4}", cm.precision());
    outln!("recall:    {:.4}", cm.recall());
    outln!("F1:        {:.4}", cm.f1());
    outln!("log loss:  {:.6}", log_loss);
    outln!("confusion matrix (rows: actual, columns: predicted):");
    outln!("  {:>width$}  {:>width$}  {:>width$}", "", names[0], names[1]);
    outln!("  {:>width$}  {:>width$}  {:>width$}", names[0], cm.true_negatives, cm.false_positives);
    outln!("  {:>width$}  {:>width$}  {:>width$}", names[1], cm.false_negatives, cm.true_positives);
    Ok(())
}
