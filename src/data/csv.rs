//! CSV files: one example per line, numeric features, one label column.
//!
//! The header is detected (a first line with a non-numeric cell where the second line has a
//! number, or with no number at all). The label column is the last unless named or numbered
//! (from 0). Labels are numbers, or exactly two distinct strings, mapped in sorted order to
//! 0 and 1 with the names kept.

use std::path::Path;

use ndarray::Array2;

use super::{Dataset, Task};
use crate::{Error, Result};

/// Which column holds the labels.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum LabelColumn {
    /// The last column.
    #[default]
    Last,
    /// The column with this header name.
    Name(String),
    /// The column with this index, counted from 0.
    Index(usize),
    /// None: every column is a feature, and Y is all zeros (for prediction).
    None,
}

impl std::str::FromStr for LabelColumn {
    type Err = std::convert::Infallible;

    /// A number is an index, anything else a name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.parse::<usize>() {
            Ok(i) => LabelColumn::Index(i),
            Err(_) => LabelColumn::Name(s.to_string()),
        })
    }
}

/// Reads a CSV file into X (n_x × m) and Y (1 × m).
///
/// For [`Task::Classification`] numeric labels must be 0 or 1; string labels must take
/// exactly two values. For [`Task::Regression`] labels are any finite numbers.
pub fn read_csv(path: impl AsRef<Path>, label: &LabelColumn, task: Task) -> Result<Dataset> {
    let path = path.as_ref();
    let fail = |reason: String| Error::DataFile { path: path.to_path_buf(), reason };
    let text = std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), error: source })?;
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(&text[..]);
    let mut rows: Vec<(u64, csv::StringRecord)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(String::new(), |p| format!("line {}: ", p.line()));
            fail(format!("{line}not valid CSV ({e})"))
        })?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line());
        rows.push((line, record));
    }
    if rows.is_empty() {
        return Err(fail("the file is empty: expected a header line and one line per example".into()));
    }
    let is_number = |s: &str| s.parse::<f64>().is_ok();
    let first = &rows[0].1;
    let has_header = first.iter().all(|c| !is_number(c))
        || rows
            .get(1)
            .is_some_and(|(_, second)| first.iter().zip(second.iter()).any(|(a, b)| !is_number(a) && is_number(b)));
    let width = first.len();
    let names: Vec<String> = if has_header {
        first.iter().map(str::to_string).collect()
    } else {
        (0..width).map(|i| i.to_string()).collect()
    };
    let data_rows = if has_header { &rows[1..] } else { &rows[..] };
    if data_rows.is_empty() {
        return Err(fail("no data lines after the header".into()));
    }
    let needed = if *label == LabelColumn::None { 1 } else { 2 };
    if width < needed {
        return Err(fail(format!("line {}: {width} column, expected at least one feature and a label", rows[0].0)));
    }
    let label_index = match label {
        LabelColumn::None => usize::MAX,
        LabelColumn::Last => width - 1,
        LabelColumn::Index(i) if *i < width => *i,
        LabelColumn::Index(i) => {
            return Err(fail(format!("no label column {i}: the file has {width} columns, numbered from 0")));
        }
        LabelColumn::Name(name) => names.iter().position(|n| n == name).ok_or_else(|| {
            let hint =
                if has_header { format!("columns: {}", names.join(", ")) } else { "the file has no header".into() };
            fail(format!("no label column '{name}' ({hint})"))
        })?,
    };
    let column_name =
        |j: usize| if has_header { format!("column '{}' ({j})", names[j]) } else { format!("column {j}") };

    let m = data_rows.len();
    let n_x = if *label == LabelColumn::None { width } else { width - 1 };
    let mut x = Array2::zeros((n_x, m));
    let mut raw_labels = Vec::with_capacity(m);
    for (example, (line, record)) in data_rows.iter().enumerate() {
        if record.len() != width {
            return Err(fail(format!("line {line}: {} fields, expected {width} like the first line", record.len())));
        }
        let mut feature = 0;
        for (j, cell) in record.iter().enumerate() {
            if j == label_index {
                raw_labels.push((*line, cell));
                continue;
            }
            let value: f64 =
                cell.parse().map_err(|_| fail(format!("line {line}, {}: '{cell}' is not a number", column_name(j))))?;
            if !value.is_finite() {
                return Err(fail(format!("line {line}, {}: {cell} is not a finite number", column_name(j))));
            }
            x[(feature, example)] = value;
            feature += 1;
        }
    }
    if *label == LabelColumn::None {
        let feature_names = has_header.then(|| names.clone());
        return Ok(Dataset { x, y: Array2::zeros((1, m)), class_names: None, image: None, feature_names });
    }
    let label_name = column_name(label_index);
    let (labels, class_names) =
        parse_labels(&raw_labels, task).map_err(|(line, e)| fail(format!("line {line}, {label_name}: {e}")))?;
    let y = Array2::from_shape_vec((1, m), labels).expect("one label per example");
    let feature_names = if has_header {
        Some(names.iter().enumerate().filter(|&(j, _)| j != label_index).map(|(_, n)| n.clone()).collect())
    } else {
        None
    };
    Ok(Dataset { x, y, class_names, image: None, feature_names })
}

/// Label values, and the class names when the labels were names.
type Labels = (Vec<f64>, Option<Vec<String>>);

/// Labels from their text: numbers, or for classification two class names. An error names
/// the line.
fn parse_labels(raw: &[(u64, &str)], task: Task) -> Result<Labels, (u64, String)> {
    let numeric: Option<Vec<f64>> = raw.iter().map(|(_, s)| s.parse::<f64>().ok()).collect();
    match (numeric, task) {
        (Some(values), Task::Regression) => {
            if let Some(((line, text), _)) = raw.iter().zip(&values).find(|(_, v)| !v.is_finite()) {
                return Err((*line, format!("label {text} is not a finite number")));
            }
            Ok((values, None))
        }
        (Some(values), Task::Classification) => {
            if let Some(((line, text), _)) = raw.iter().zip(&values).find(|(_, &v)| v != 0.0 && v != 1.0) {
                return Err((*line, format!("label {text} is not 0 or 1 (expected 0/1 or exactly two class names)")));
            }
            Ok((values, None))
        }
        (None, Task::Regression) => {
            let (line, text) = raw.iter().find(|(_, s)| s.parse::<f64>().is_err()).expect("some label is not a number");
            Err((*line, format!("label '{text}' is not a number, and a regression needs numbers")))
        }
        (None, Task::Classification) => {
            let mut classes: Vec<&str> = Vec::new();
            for &(line, text) in raw {
                if !classes.contains(&text) {
                    if classes.len() == 2 {
                        return Err((
                            line,
                            format!(
                                "a third label value '{text}' (after '{}' and '{}'): expected two classes",
                                classes[0], classes[1]
                            ),
                        ));
                    }
                    classes.push(text);
                }
            }
            if classes.len() < 2 {
                return Err((raw[0].0, format!("every label is '{}': expected two classes", classes[0])));
            }
            classes.sort_unstable();
            let values = raw.iter().map(|(_, s)| if *s == classes[0] { 0.0 } else { 1.0 }).collect();
            Ok((values, Some(classes.iter().map(|s| s.to_string()).collect())))
        }
    }
}
