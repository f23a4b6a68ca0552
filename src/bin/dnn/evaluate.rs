//! `dnn evaluate`: a saved model's accuracy, precision, recall, F1, log loss and confusion
//! matrix on labelled data (for k classes, each class's and their averages, as
//! scikit-learn's `classification_report`; MSE, MAE and R² for a regression).

use anyhow::Result;
use dnn::data::{LabelNeed, Task};
use dnn::metrics::{self, ClassReport, ConfusionMatrix};
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
    if meta.loss == Loss::CategoricalCrossEntropy {
        return report_classes(args, &meta, output.view(), &data.y);
    }
    let threshold = T::from_f64(args.threshold);
    let predicted = output.mapv(|p| if p > threshold { T::one() } else { T::zero() });
    let cm = ConfusionMatrix::from_labels(predicted.view(), y.view())?;
    let log_loss = metrics::log_loss(output.view(), y.view())?;
    let names = meta.class_names.clone().unwrap_or_else(|| vec!["0".into(), "1".into()]);
    if let Some(path) = &args.plot {
        let counts = vec![vec![cm.true_negatives, cm.false_positives], vec![cm.false_negatives, cm.true_positives]];
        let title = format!("Confusion matrix, {} examples", data.m());
        dnn::plot::confusion_matrix(path, &title, &counts, &names)?;
    }
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

/// The report of a model of k classes: accuracy, each class's precision, recall, F1 and
/// support, their macro and weighted averages, the log loss and the k × k confusion matrix.
///
/// # Shapes
/// `probabilities`: k × m; `y`: 1 × m class indexes.
fn report_classes<T: Float>(
    args: &EvaluateArgs,
    meta: &ModelMeta,
    probabilities: ndarray::ArrayView2<T>,
    y: &ndarray::Array2<f64>,
) -> Result<()> {
    let k = probabilities.nrows();
    let actual: Vec<usize> = y.iter().map(|&c| c as usize).collect();
    let predicted = metrics::classes_of(probabilities);
    let report = ClassReport::from_classes(&predicted, &actual, k)?;
    let log_loss = metrics::categorical_log_loss(probabilities, &actual)?;
    let names = meta.class_names.clone().unwrap_or_else(|| (0..k).map(|c| c.to_string()).collect());
    if let Some(path) = &args.plot {
        let title = format!("Confusion matrix, {} examples", actual.len());
        dnn::plot::confusion_matrix(path, &title, &report.counts, &names)?;
    }
    let (macro_average, weighted) = (report.macro_average(), report.weighted_average());
    if args.json {
        let classes: Vec<serde_json::Value> = (0..k)
            .map(|c| {
                let s = report.scores(c);
                json!({"class": names[c], "precision": s.precision, "recall": s.recall, "f1": s.f1,
                       "support": report.support(c)})
            })
            .collect();
        let average = |s: metrics::Scores| json!({"precision": s.precision, "recall": s.recall, "f1": s.f1});
        let report = json!({
            "examples": actual.len(),
            "accuracy": report.accuracy(),
            "log_loss": log_loss,
            "per_class": classes,
            "macro_average": average(macro_average),
            "weighted_average": average(weighted),
            "confusion_matrix": report.counts,
            "classes": names,
        });
        outln!("{report}");
        return Ok(());
    }
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(1).max(12);
    outln!("examples:  {}", actual.len());
    outln!("accuracy:  {:.4}", report.accuracy());
    outln!("log loss:  {:.6}", log_loss);
    outln!("{:>width$}  {:>9}  {:>9}  {:>9}  {:>7}", "", "precision", "recall", "F1", "support");
    let line = |name: &str, s: metrics::Scores, support: usize| {
        outln!("{name:>width$}  {:>9.4}  {:>9.4}  {:>9.4}  {support:>7}", s.precision, s.recall, s.f1);
    };
    for (c, name) in names.iter().enumerate() {
        line(name, report.scores(c), report.support(c));
    }
    line("macro avg", macro_average, actual.len());
    line("weighted avg", weighted, actual.len());
    outln!("confusion matrix (rows: actual, columns: predicted):");
    let cell = names.iter().map(|n| n.chars().count()).max().unwrap_or(1).max(report.total().to_string().len());
    let mut header = format!("  {:>cell$}", "");
    for name in &names {
        header.push_str(&format!("  {name:>cell$}"));
    }
    outln!("{header}");
    for (name, row) in names.iter().zip(&report.counts) {
        let mut text = format!("  {name:>cell$}");
        for count in row {
            text.push_str(&format!("  {count:>cell$}"));
        }
        outln!("{text}");
    }
    Ok(())
}
