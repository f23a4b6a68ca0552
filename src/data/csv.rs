//! CSV files: one example per line, numeric features, one label column.
//!
//! - **Delimiter:** `,`, `;`, tab or `|`, found from the first lines (the one that splits them
//!   all into the same number of fields, commas first); tab for `.tsv`; or given.
//! - **Header:** detected (a first line with a non-numeric cell where the second line has a
//!   number, or with no number at all). A UTF-8 byte-order mark is skipped.
//! - **Columns:** the label is the last column unless named or numbered (from 0); an ID
//!   column and ignored columns are set aside; every other column is a feature. A model's
//!   [`Columns`] picks the same columns out of a new file.
//! - **Missing values:** an empty cell, `NA`, `N/A`, `NaN` (any case), `null` or `?`. They
//!   are refused ([`Missing::Error`], naming the cell), their rows dropped ([`Missing::Drop`]),
//!   or (features only) left as NaN for [`Missing::Mean`] to fill afterwards.
//! - **Labels:** numbers as they are, or names (any text), kept sorted in `class_names` with
//!   each example's index in Y. Which name is class 1 is decided later
//!   ([`super::binary_classes`]).
//!
//! Line numbers in messages are the file's own, counted from 1.

use std::path::Path;

use ndarray::Array2;

use super::columns::Slot;
use super::{ColumnRef, ColumnRole, Columns, Dataset};
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
    /// None: every column not otherwise named is a feature, and Y is all zeros.
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

/// The character between fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Delimiter {
    /// Found from the first lines (tab for `.tsv` files).
    #[default]
    Auto,
    /// This byte.
    Byte(u8),
}

/// What to do with a missing value (see the module doc for what counts as missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Missing {
    /// Refuse the file, naming the cell.
    #[default]
    Error,
    /// Drop the examples that have one; [`Dataset::dropped`] lists their lines.
    Drop,
    /// Leave missing features as NaN, to be filled with the training means
    /// ([`super::Preprocessing::fill`]); examples with a missing label are dropped.
    Mean,
}

/// How to read a CSV file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CsvOptions {
    /// The label column.
    pub label: LabelColumn,
    /// The delimiter.
    pub delimiter: Delimiter,
    /// Missing values.
    pub missing: Missing,
    /// Columns that are neither features nor the label.
    pub ignore: Vec<ColumnRef>,
    /// The column of IDs, carried to [`Dataset::ids`].
    pub id: Option<ColumnRef>,
}

/// Whether the label column must be in a file read for a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelNeed {
    /// It must (evaluation).
    Required,
    /// It may be there (prediction); its values are not read.
    Optional,
}

/// Reads a CSV file into X (n_x × m) and Y (1 × m), recording its [`Columns`].
pub fn read_csv(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Dataset> {
    let path = path.as_ref();
    let bytes = read_text_file(path)?;
    read_csv_bytes(path, &bytes, options, None)
}

/// A file's bytes, decompressed when its name ends in `.gz`.
fn read_text_file(path: &Path) -> Result<Vec<u8>> {
    let io_error = |error| Error::Io { path: path.to_path_buf(), error };
    let bytes = std::fs::read(path).map_err(io_error)?;
    if !has_extension(path, "gz") {
        return Ok(bytes);
    }
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(bytes.as_slice()), &mut text).map_err(|e| {
        io_error(std::io::Error::new(e.kind(), format!("not a readable gzip file ({e}); its name ends in .gz")))
    })?;
    Ok(text)
}

/// Reads a CSV file by the columns a model was trained on: features by name (or position)
/// in the model's order, the label when there (required by `need`).
pub fn read_csv_for_model(
    path: impl AsRef<Path>,
    options: &CsvOptions,
    columns: &Columns,
    need: LabelNeed,
) -> Result<Dataset> {
    let path = path.as_ref();
    let bytes = read_text_file(path)?;
    read_csv_bytes(path, &bytes, options, Some((columns, need)))
}

/// Reads CSV text (`name` is used in messages and for the `.tsv` rule), for training or, with
/// `model`, by a model's columns.
pub fn read_csv_bytes(
    name: &Path,
    bytes: &[u8],
    options: &CsvOptions,
    model: Option<(&Columns, LabelNeed)>,
) -> Result<Dataset> {
    let fail = |reason: String| Error::DataFile { path: name.to_path_buf(), reason };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let delimiter = match options.delimiter {
        Delimiter::Byte(b) => b,
        Delimiter::Auto if has_extension(name, "tsv") || has_extension(&name.with_extension(""), "tsv") => b'\t',
        Delimiter::Auto => sniff_delimiter(bytes),
    };
    let rows = records(bytes, delimiter).map_err(fail)?;
    if rows.is_empty() {
        return Err(fail("the file is empty: expected a header line and one line per example".into()));
    }
    let first = &rows[0].1;
    let model_names = model.and_then(|(columns, _)| columns.feature_names());
    let has_header = looks_like_header(first, rows.get(1).map(|r| &r.1))
        || model_names.is_some_and(|names| names.iter().all(|n| first.iter().any(|c| c == n)));
    let width = first.len();
    let header: Option<Vec<String>> = has_header.then(|| first.iter().map(str::to_string).collect());
    if let Some(header) = &header {
        check_unique(header).map_err(|e| fail(format!("line {}: {e}", rows[0].0)))?;
    }
    let data_rows = if has_header { &rows[1..] } else { &rows[..] };
    if data_rows.is_empty() {
        return Err(fail("no data lines after the header".into()));
    }
    let (slots, columns) = match model {
        Some((columns, need)) => {
            let slots = columns
                .slots_for(header.as_deref(), width, &options.ignore, options.id.as_ref(), need == LabelNeed::Required)
                .map_err(&fail)?;
            (slots, None)
        }
        None => {
            let columns = training_columns(header.as_deref(), width, options).map_err(&fail)?;
            (columns.slots(false), Some(columns))
        }
    };
    let column_name = |j: usize| match &header {
        Some(names) => format!("column '{}' ({j})", names[j]),
        None => format!("column {j}"),
    };
    let n_x = slots.iter().filter(|s| matches!(s, Slot::Feature(_))).count();
    let label_at = slots.iter().position(|s| *s == Slot::Label);
    let id_at = slots.iter().position(|s| *s == Slot::Id);
    let read_label = label_at.is_some() && model.is_none_or(|(_, need)| need == LabelNeed::Required);

    let mut values: Vec<f64> = Vec::with_capacity(n_x * data_rows.len());
    let mut labels: Vec<&str> = Vec::new();
    let mut ids = Vec::new();
    let mut lines = Vec::new();
    let mut dropped = Vec::new();
    let mut row_values = vec![0.0; n_x];
    'rows: for (line, record) in data_rows {
        if record.len() != width {
            return Err(fail(format!("line {line}: {} fields, expected {width} like the first line", record.len())));
        }
        for (j, (cell, slot)) in record.iter().zip(&slots).enumerate() {
            match *slot {
                Slot::Feature(k) => {
                    row_values[k] = if is_missing(cell) {
                        match options.missing {
                            Missing::Error => {
                                return Err(fail(format!(
                                    "line {line}, {}: missing value{}: choose --missing drop (skip such \
                                     examples) or --missing mean (fill in the training mean)",
                                    column_name(j),
                                    if cell.is_empty() { String::new() } else { format!(" '{cell}'") }
                                )));
                            }
                            Missing::Drop => {
                                dropped.push(*line);
                                continue 'rows;
                            }
                            Missing::Mean => f64::NAN,
                        }
                    } else {
                        let value: f64 = cell
                            .parse()
                            .map_err(|_| fail(format!("line {line}, {}: '{cell}' is not a number", column_name(j))))?;
                        if !value.is_finite() {
                            return Err(fail(format!(
                                "line {line}, {}: {cell} is not a finite number",
                                column_name(j)
                            )));
                        }
                        value
                    };
                }
                Slot::Label if read_label && is_missing(cell) => {
                    if options.missing == Missing::Error {
                        return Err(fail(format!(
                            "line {line}, {}: missing label: choose --missing drop to skip such examples",
                            column_name(j)
                        )));
                    }
                    dropped.push(*line);
                    continue 'rows;
                }
                _ => {}
            }
        }
        values.extend_from_slice(&row_values);
        if read_label {
            labels.push(&record[label_at.expect("read_label implies a label column")]);
        }
        if let Some(i) = id_at {
            ids.push(record[i].to_string());
        }
        lines.push(*line);
    }
    let m = lines.len();
    if m == 0 {
        return Err(fail(format!("every example has a missing value ({} dropped)", dropped.len())));
    }
    let x = Array2::from_shape_vec((m, n_x), values).expect("n_x values per example").reversed_axes();
    let x = x.as_standard_layout().into_owned();
    let (y, class_names) = if read_label { label_values(&labels) } else { (vec![0.0; m], None) };
    let feature_names = match (&columns, model) {
        (Some(columns), _) => columns.feature_names(),
        (None, Some((columns, _))) => columns.feature_names(),
        _ => None,
    };
    Ok(Dataset {
        x,
        y: Array2::from_shape_vec((1, m), y).expect("one label per example"),
        class_names,
        feature_names,
        columns,
        ids: id_at.map(|_| ids),
        lines: Some(lines),
        dropped,
        ..Dataset::default()
    })
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

/// The delimiter that splits the first (up to 20) lines into the same number of fields,
/// more than one: `,` first, then `;`, tab, `|`. A comma when none does.
fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let sample: Vec<&[u8]> =
        bytes.split(|&b| b == b'\n').filter(|line| !line.iter().all(u8::is_ascii_whitespace)).take(20).collect();
    let joined = sample.join(&b'\n');
    for candidate in [b',', b';', b'\t', b'|'] {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(candidate)
            .from_reader(joined.as_slice());
        let widths: Vec<usize> = reader.records().map_while(|r| r.ok()).map(|r| r.len()).collect();
        if widths.len() == sample.len()
            && widths.first().is_some_and(|&w| w > 1)
            && widths.iter().all(|&w| w == widths[0])
        {
            return candidate;
        }
    }
    b','
}

/// The non-empty records with the line each starts on (from 1, counting every line of the
/// file, blank ones too).
fn records(bytes: &[u8], delimiter: u8) -> Result<Vec<(u64, csv::StringRecord)>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    // The reader's own line count skips blank lines; count from byte offsets instead.
    let mut line = 1;
    let mut counted_to = 0;
    let mut line_at = |byte: u64| {
        // A record's position can be that of the blank lines before it.
        let mut byte = (byte as usize).min(bytes.len());
        while bytes.get(byte).is_some_and(|b| matches!(b, b'\n' | b'\r')) {
            byte += 1;
        }
        line += bytes[counted_to..byte].iter().filter(|&&b| b == b'\n').count() as u64;
        counted_to = byte;
        line
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(String::new(), |p| format!("line {}: ", line_at(p.byte())));
            format!("{line}not valid CSV ({e})")
        })?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        rows.push((line, record));
    }
    Ok(rows)
}

fn looks_like_header(first: &csv::StringRecord, second: Option<&csv::StringRecord>) -> bool {
    let is_number = |s: &str| s.parse::<f64>().is_ok();
    first.iter().all(|c| !is_number(c))
        || second.is_some_and(|second| {
            first.iter().zip(second.iter()).any(|(a, b)| !is_number(a) && !is_missing(a) && is_number(b))
        })
}

fn check_unique(header: &[String]) -> Result<(), String> {
    for (i, name) in header.iter().enumerate() {
        if let Some(j) = header[..i].iter().position(|n| n == name) {
            return Err(format!("the column name '{name}' appears twice (columns {j} and {i}, from 0)"));
        }
    }
    Ok(())
}

/// The columns of a training file from the options.
fn training_columns(header: Option<&[String]>, width: usize, options: &CsvOptions) -> Result<Columns, String> {
    let name_of = |i: usize| header.map(|h| h[i].as_str());
    let find = |column: &ColumnRef, what: &str| -> Result<usize, String> {
        (0..width).find(|&i| column.matches(i, name_of(i))).ok_or_else(|| match (column, header) {
            (ColumnRef::Index(i), _) => format!("no {what} {i}: the file has {width} columns, numbered from 0"),
            (ColumnRef::Name(name), Some(header)) => format!("no {what} '{name}' (columns: {})", header.join(", ")),
            (ColumnRef::Name(name), None) => format!("no {what} '{name}' (the file has no header)"),
        })
    };
    let mut roles = vec![ColumnRole::Feature; width];
    for column in &options.ignore {
        roles[find(column, "column")?] = ColumnRole::Ignored;
    }
    if let Some(id) = &options.id {
        roles[find(id, "ID column")?] = ColumnRole::Id;
    }
    let label = match &options.label {
        LabelColumn::None => None,
        LabelColumn::Last => Some(width - 1),
        LabelColumn::Index(i) => Some(find(&ColumnRef::Index(*i), "label column")?),
        LabelColumn::Name(name) => Some(find(&ColumnRef::Name(name.clone()), "label column")?),
    };
    if let Some(i) = label {
        if roles[i] != ColumnRole::Feature {
            let name = name_of(i).map_or(format!("column {i}"), |n| format!("column '{n}' ({i})"));
            return Err(format!("{name} is the label: it cannot also be ignored or the ID column"));
        }
        roles[i] = ColumnRole::Label;
    }
    if !roles.contains(&ColumnRole::Feature) {
        return Err(format!("{width} column(s) and none of them a feature: expected at least one feature and a label"));
    }
    Ok(Columns { names: header.map(<[String]>::to_vec), roles })
}

/// Whether a cell holds a missing value.
fn is_missing(cell: &str) -> bool {
    cell.is_empty() || ["NA", "N/A", "null", "?"].contains(&cell) || cell.eq_ignore_ascii_case("nan")
}

/// Y from label texts: numbers as they are when every label is one, else each example's
/// index among the sorted distinct names.
fn label_values(labels: &[&str]) -> (Vec<f64>, Option<Vec<String>>) {
    let numbers: Option<Vec<f64>> = labels.iter().map(|s| s.parse::<f64>().ok().filter(|v| v.is_finite())).collect();
    if let Some(numbers) = numbers {
        return (numbers, None);
    }
    let mut names: Vec<&str> = labels.to_vec();
    names.sort_unstable();
    names.dedup();
    let y = labels.iter().map(|l| names.binary_search(l).expect("every label is among the names") as f64).collect();
    (y, Some(names.into_iter().map(str::to_string).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, options: &CsvOptions) -> Result<Dataset> {
        read_csv_bytes(Path::new("t.csv"), text.as_bytes(), options, None)
    }

    #[test]
    fn delimiters_are_found_from_the_first_lines() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1,5;2;0\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n1\t0\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a,b\n1,0\n"), b',');
        assert_eq!(sniff_delimiter(b"a|b|y\n1|2|0\n"), b'|');
        let data = read("x;y;label\n1;2;0\n3;4;1\n", &CsvOptions::default()).unwrap();
        assert_eq!(data.x.row(1).to_vec(), [2.0, 4.0]);
    }

    #[test]
    fn line_numbers_are_the_files_own() {
        // Line 1 is the header, line 3 is blank, the bad cells are on lines 4 and 7.
        let error = read("a,b,y\n1,2,0\n\n3,x,1\n", &CsvOptions::default()).unwrap_err();
        assert_eq!(error.to_string(), "t.csv: line 4, column 'b' (1): 'x' is not a number");
        let error = read("a,b,y\r\n1,2,0\r\n\r\n3,4,1\r\n\r\n\r\n5,x,0\r\n", &CsvOptions::default()).unwrap_err();
        assert_eq!(error.to_string(), "t.csv: line 7, column 'b' (1): 'x' is not a number");
    }

    #[test]
    fn missing_values_are_refused_dropped_or_left_for_the_mean() {
        let text = "a,b,y\n1,NA,0\n3,4,1\n,6,1\n7,8,\n";
        assert_eq!(
            read(text, &CsvOptions::default()).unwrap_err().to_string(),
            "t.csv: line 2, column 'b' (1): missing value 'NA': choose --missing drop (skip such examples) or \
             --missing mean (fill in the training mean)"
        );
        let dropped = read(text, &CsvOptions { missing: Missing::Drop, ..CsvOptions::default() }).unwrap();
        assert_eq!((dropped.m(), dropped.dropped.clone(), dropped.lines.clone()), (1, vec![2, 4, 5], Some(vec![3])));
        let mean = read(text, &CsvOptions { missing: Missing::Mean, ..CsvOptions::default() }).unwrap();
        assert_eq!(mean.dropped, [5]);
        assert!(mean.x[(1, 0)].is_nan() && mean.x[(0, 2)].is_nan() && mean.x[(0, 1)] == 3.0);
    }

    #[test]
    fn ids_and_ignored_columns_are_not_features() {
        let options = CsvOptions {
            label: LabelColumn::Name("answer".into()),
            ignore: vec![ColumnRef::Name("name".into())],
            id: Some(ColumnRef::Name("id".into())),
            ..CsvOptions::default()
        };
        let data = read("id,name,answer,a,b\nx1,Ann,yes,1,2\nx2,Bob,no,3,4\n", &options).unwrap();
        assert_eq!(data.x.dim(), (2, 2));
        assert_eq!(data.ids, Some(vec!["x1".to_string(), "x2".to_string()]));
        assert_eq!(data.class_names, Some(vec!["no".to_string(), "yes".to_string()]));
        assert_eq!(data.y.row(0).to_vec(), [1.0, 0.0]);
        assert_eq!(data.feature_names, Some(vec!["a".to_string(), "b".to_string()]));
        use ColumnRole::*;
        assert_eq!(data.columns.unwrap().roles, [Id, Ignored, Label, Feature, Feature]);
    }

    #[test]
    fn a_byte_order_mark_and_duplicate_names() {
        let data = read("\u{feff}a,y\n1,0\n2,1\n", &CsvOptions::default()).unwrap();
        assert_eq!(data.columns.unwrap().names.unwrap()[0], "a");
        assert_eq!(
            read("a,a,y\n1,2,0\n", &CsvOptions::default()).unwrap_err().to_string(),
            "t.csv: line 1: the column name 'a' appears twice (columns 0 and 1, from 0)"
        );
    }
}
