//! The labels of a binary classification: which two values the data has, which of them is
//! class 1 (the positive class), and the same mapping applied to new data.
//!
//! Every label is compared by its text (its *key*): a class name where the source names its
//! classes (CSV text labels, class folders of pictures, an HDF5 file's `list_classes`), else
//! the number in its shortest form, so that `1`, `1.0` and `1e0` are one label.
//!
//! Which of two labels is class 1, in this order of rules:
//! 1. `--positive-class NAME` when given;
//! 2. two numbers: the larger (`0`/`1`, `-1`/`1`, `1`/`2`);
//! 3. a name and its negation (`cat` / `non-cat`, `spam` / `not spam`, `x` / `no_x`): the name;
//! 4. `false`/`true`, `no`/`yes`, `negative`/`positive`, `n`/`y`, `f`/`t` (any case): the second;
//! 5. otherwise the names in sorted order: the second (`benign` / `malignant` → `malignant`).
//!
//! With more than two labels ([`classes`]), each is a class of its own, numbered in sorted
//! order: numbers by value (so integer labels 0…k−1 keep their values), then names by their
//! text (`setosa`, `versicolor`, `virginica`). The order depends only on which labels there
//! are, never on the order of the examples. More than [`MAX_CLASSES`] distinct labels are
//! refused: such a column is far more likely a real-valued target.

use std::cmp::Ordering;

use ndarray::Array2;

use super::Dataset;

/// The most distinct labels a classification accepts.
pub const MAX_CLASSES: usize = 1000;

/// Labels that cannot be classes of a classification, or that do not match a model's.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LabelError {
    /// Every example has the same label.
    #[error("every label is '{label}': a classification needs examples of two classes")]
    OneClass {
        /// The one label.
        label: String,
    },
    /// More than two distinct labels.
    #[error(
        "{count} distinct labels ({}): expected two classes{}",
        listing(examples, *count),
        if *numeric { "; for real-valued labels use --output-activation linear" } else { "" }
    )]
    TooManyClasses {
        /// How many distinct labels there are.
        count: usize,
        /// The first few of them.
        examples: Vec<String>,
        /// Whether they are all numbers (then probably a regression target).
        numeric: bool,
        /// The example where the third distinct label first appears.
        third_at: usize,
    },
    /// More distinct labels than [`MAX_CLASSES`].
    #[error(
        "{count} distinct labels ({}): too many for a classification (at most {MAX_CLASSES} classes){}",
        listing(examples, *count),
        if *numeric { "; this looks like a real-valued target: use --output-activation linear" } else { "" }
    )]
    FarTooManyClasses {
        /// How many distinct labels there are.
        count: usize,
        /// The first few of them.
        examples: Vec<String>,
        /// Whether they are all numbers (then probably a regression target).
        numeric: bool,
    },
    /// `--positive-class` given for more than two classes.
    #[error("--positive-class applies to two classes, and the labels have {count} ({})", listing(examples, *count))]
    PositiveOfMany {
        /// How many classes there are.
        count: usize,
        /// The first few of them.
        examples: Vec<String>,
    },
    /// `--positive-class` names neither class.
    #[error("--positive-class '{positive}' is not one of the classes ({}, {})", classes[0], classes[1])]
    UnknownPositive {
        /// The name given.
        positive: String,
        /// The two classes of the data.
        classes: [String; 2],
    },
    /// Labels that are not among a model's classes.
    #[error(
        "{} not {} the model's classes ({})",
        quoted_labels(labels),
        if labels.len() == 1 { "one of" } else { "among" },
        classes.join(", ")
    )]
    UnknownLabels {
        /// The labels found that the model does not know.
        labels: Vec<String>,
        /// The model's classes, class 0 first.
        classes: Vec<String>,
    },
}

fn listing(examples: &[String], count: usize) -> String {
    let mut text = examples.join(", ");
    if count > examples.len() {
        text.push_str(", …");
    }
    text
}

fn quoted_labels(labels: &[String]) -> String {
    let quoted: Vec<String> = labels.iter().map(|l| format!("'{l}'")).collect();
    match quoted.as_slice() {
        [one] => format!("label {one} is"),
        _ => format!("labels {} are", quoted.join(", ")),
    }
}

/// The key of every example's label (see the module doc), in example order.
pub fn label_keys(data: &Dataset) -> Vec<String> {
    data.y
        .iter()
        .map(|&value| {
            let named = data.class_names.as_ref().filter(|_| value >= 0.0 && value.fract() == 0.0);
            match named.and_then(|names| names.get(value as usize)) {
                Some(name) => name.clone(),
                None => number_key(value),
            }
        })
        .collect()
}

/// A number's key: its shortest text (`1.0` → `1`).
fn number_key(value: f64) -> String {
    format!("{value}")
}

/// A label's key from its text: numbers in their shortest form, names as they are.
fn key_of(text: &str) -> String {
    match text.trim().parse::<f64>() {
        Ok(value) if value.is_finite() => number_key(value),
        _ => text.to_string(),
    }
}

/// The two classes of `data` and its labels as 0/1 (1 × m): class 1 chosen by `positive`
/// or by the rules of the module doc. Returns `(Y, [class 0, class 1])`.
pub fn binary_classes(data: &Dataset, positive: Option<&str>) -> Result<(Array2<f64>, [String; 2]), LabelError> {
    let keys = label_keys(data);
    let mut distinct: Vec<&str> = Vec::new();
    let mut third_at = 0;
    for (j, key) in keys.iter().enumerate() {
        if !distinct.contains(&key.as_str()) {
            distinct.push(key);
            if distinct.len() > 2 {
                third_at = j;
                break;
            }
        }
    }
    match distinct.len() {
        0 | 1 => {
            return Err(LabelError::OneClass { label: distinct.first().unwrap_or(&"").to_string() });
        }
        2 => {}
        _ => {
            let mut all: Vec<&str> = keys.iter().map(String::as_str).collect();
            all.sort_unstable();
            all.dedup();
            let numeric = all.iter().all(|k| k.parse::<f64>().is_ok());
            return Err(LabelError::TooManyClasses {
                count: all.len(),
                examples: distinct.iter().take(3).map(|s| s.to_string()).collect(),
                numeric,
                third_at,
            });
        }
    }
    let (a, b) = (distinct[0], distinct[1]);
    let positive_is_b = match positive {
        Some(name) => {
            let name = key_of(name);
            if name == b {
                true
            } else if name == a {
                false
            } else {
                let mut classes = [a.to_string(), b.to_string()];
                classes.sort();
                return Err(LabelError::UnknownPositive { positive: name, classes });
            }
        }
        None => second_is_positive(a, b),
    };
    let (negative, positive) = if positive_is_b { (a, b) } else { (b, a) };
    let y = keys.iter().map(|k| if k == positive { 1.0 } else { 0.0 }).collect();
    let y = Array2::from_shape_vec((1, keys.len()), y).expect("one label per example");
    Ok((y, [negative.to_string(), positive.to_string()]))
}

/// The classes of `data`, two or more, and its labels as class indexes (1 × m): two classes
/// as [`binary_classes`] orders them, more in sorted order (see the module doc). Returns
/// `(Y, class names)`, class 0 first.
pub fn classes(data: &Dataset, positive: Option<&str>) -> Result<(Array2<f64>, Vec<String>), LabelError> {
    let keys = label_keys(data);
    let mut distinct: Vec<&str> = keys.iter().map(String::as_str).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() <= 2 {
        return binary_classes(data, positive).map(|(y, classes)| (y, classes.to_vec()));
    }
    // Numbers by value, then names by text.
    distinct.sort_by(|a, b| match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    });
    let examples = || distinct.iter().take(3).map(|s| s.to_string()).collect();
    if distinct.len() > MAX_CLASSES {
        let numeric = distinct.iter().all(|k| k.parse::<f64>().is_ok());
        return Err(LabelError::FarTooManyClasses { count: distinct.len(), examples: examples(), numeric });
    }
    if positive.is_some() {
        return Err(LabelError::PositiveOfMany { count: distinct.len(), examples: examples() });
    }
    let y = keys.iter().map(|k| distinct.iter().position(|c| c == k).expect("every key is a class") as f64).collect();
    let y = Array2::from_shape_vec((1, keys.len()), y).expect("one label per example");
    Ok((y, distinct.into_iter().map(str::to_string).collect()))
}

/// One-hot labels for k classes: column j has a 1 in row `y[j]` and zeros elsewhere.
///
/// # Shapes
/// `y`: 1 × m class indexes, each below `k`; result: k × m.
pub fn one_hot(y: &Array2<f64>, k: usize) -> Array2<f64> {
    Array2::from_shape_fn((k, y.ncols()), |(i, j)| if y[(0, j)] == i as f64 { 1.0 } else { 0.0 })
}

/// Whether `b` rather than `a` is the positive class by rules 2 to 5 of the module doc.
fn second_is_positive(a: &str, b: &str) -> bool {
    if let (Ok(x), Ok(y)) = (a.parse::<f64>(), b.parse::<f64>()) {
        return y > x;
    }
    if is_negation_of(a, b) {
        return true;
    }
    if is_negation_of(b, a) {
        return false;
    }
    const PAIRS: [(&str, &str); 5] =
        [("false", "true"), ("no", "yes"), ("negative", "positive"), ("n", "y"), ("f", "t")];
    let (la, lb) = (a.to_lowercase(), b.to_lowercase());
    for (negative, positive) in PAIRS {
        if la == negative && lb == positive {
            return true;
        }
        if lb == negative && la == positive {
            return false;
        }
    }
    a.cmp(b) == Ordering::Less
}

/// Whether `negated` is `name` with a negating prefix: `non-`, `not-`, `no-` (or with `_`,
/// a space, or nothing between), in any case.
fn is_negation_of(negated: &str, name: &str) -> bool {
    let (negated, name) = (negated.to_lowercase(), name.to_lowercase());
    ["non", "not", "no"].iter().any(|prefix| {
        negated.strip_prefix(prefix).is_some_and(|rest| {
            let rest = rest.strip_prefix(['-', '_', ' ']).unwrap_or(rest);
            rest == name
        })
    })
}

/// `data`'s labels as indexes into `classes` (a model's classes, class 0 first): every label
/// must be one of them.
pub fn encode_classes(data: &Dataset, classes: &[String]) -> Result<Array2<f64>, LabelError> {
    let class_keys: Vec<String> = classes.iter().map(|c| key_of(c)).collect();
    let keys = label_keys(data);
    let mut unknown: Vec<String> = Vec::new();
    let mut y = Vec::with_capacity(keys.len());
    for key in &keys {
        match class_keys.iter().position(|c| c == key) {
            Some(index) => y.push(index as f64),
            None => {
                if !unknown.contains(key) {
                    unknown.push(key.clone());
                }
                y.push(f64::NAN);
            }
        }
    }
    if !unknown.is_empty() {
        unknown.sort();
        return Err(LabelError::UnknownLabels { labels: unknown, classes: classes.to_vec() });
    }
    Ok(Array2::from_shape_vec((1, keys.len()), y).expect("one label per example"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(names: &[&str], indexes: &[f64]) -> Dataset {
        Dataset {
            y: Array2::from_shape_vec((1, indexes.len()), indexes.to_vec()).unwrap(),
            class_names: Some(names.iter().map(|s| s.to_string()).collect()),
            ..Dataset::default()
        }
    }

    fn numbers(values: &[f64]) -> Dataset {
        Dataset { y: Array2::from_shape_vec((1, values.len()), values.to_vec()).unwrap(), ..Dataset::default() }
    }

    fn classes(data: &Dataset, positive: Option<&str>) -> ([String; 2], Vec<f64>) {
        let (y, classes) = binary_classes(data, positive).unwrap();
        (classes, y.iter().copied().collect())
    }

    #[test]
    fn the_positive_class_follows_the_documented_rules() {
        let pair = |a: &str, b: &str| [a.to_string(), b.to_string()];
        // Numbers: the larger.
        assert_eq!(classes(&numbers(&[1.0, -1.0, 1.0]), None), (pair("-1", "1"), vec![1.0, 0.0, 1.0]));
        assert_eq!(classes(&numbers(&[2.0, 1.0]), None).0, pair("1", "2"));
        // A name and its negation, whatever the sorted order says ("cat" < "non-cat").
        assert_eq!(
            classes(&named(&["cat", "non-cat"], &[0.0, 1.0, 1.0]), None),
            (pair("non-cat", "cat"), vec![1.0, 0.0, 0.0])
        );
        assert_eq!(classes(&named(&["Not Spam", "spam"], &[0.0, 1.0]), None).0, pair("Not Spam", "spam"));
        assert_eq!(classes(&named(&["no_x", "x"], &[1.0, 0.0]), None).0, pair("no_x", "x"));
        // Known pairs, any case.
        assert_eq!(classes(&named(&["True", "False"], &[0.0, 1.0]), None).0, pair("False", "True"));
        assert_eq!(classes(&named(&["yes", "no"], &[0.0, 1.0]), None).0, pair("no", "yes"));
        // Otherwise sorted: the second.
        assert_eq!(classes(&named(&["malignant", "benign"], &[0.0, 1.0]), None).0, pair("benign", "malignant"));
        // --positive-class overrides, and must name a class.
        assert_eq!(classes(&named(&["cat", "non-cat"], &[0.0, 1.0]), Some("non-cat")).0, pair("cat", "non-cat"));
        assert_eq!(classes(&numbers(&[0.0, 1.0]), Some("0.0")).0, pair("1", "0"));
        assert_eq!(
            binary_classes(&numbers(&[0.0, 1.0]), Some("2")).unwrap_err().to_string(),
            "--positive-class '2' is not one of the classes (0, 1)"
        );
    }

    #[test]
    fn one_or_many_classes_are_refused_with_the_values() {
        assert_eq!(
            binary_classes(&named(&["a"], &[0.0, 0.0]), None).unwrap_err().to_string(),
            "every label is 'a': a classification needs examples of two classes"
        );
        assert_eq!(
            binary_classes(&numbers(&[151.0, 75.0, 141.0, 206.0, 135.0, 97.0]), None).unwrap_err().to_string(),
            "6 distinct labels (151, 75, 141, …): expected two classes; for real-valued labels use --output-activation linear"
        );
        assert_eq!(
            binary_classes(&named(&["a", "b", "c"], &[0.0, 1.0, 2.0]), None).unwrap_err().to_string(),
            "3 distinct labels (a, b, c): expected two classes"
        );
    }

    #[test]
    fn more_than_two_classes_are_numbered_in_sorted_order() {
        let (y, names) = super::classes(&numbers(&[2.0, 10.0, 0.0, 2.0, 1.0]), None).unwrap();
        assert_eq!(
            (y.row(0).to_vec(), names),
            (vec![2.0, 3.0, 0.0, 2.0, 1.0], ["0", "1", "2", "10"].iter().map(|s| s.to_string()).collect())
        );
        let (y, names) =
            super::classes(&named(&["virginica", "setosa", "versicolor"], &[0.0, 1.0, 2.0, 1.0]), None).unwrap();
        assert_eq!(y.row(0).to_vec(), [2.0, 0.0, 1.0, 0.0]);
        assert_eq!(names, ["setosa", "versicolor", "virginica"]);
        // Two classes keep the binary rules.
        assert_eq!(super::classes(&named(&["cat", "non-cat"], &[0.0, 1.0]), None).unwrap().1, ["non-cat", "cat"]);
        assert_eq!(
            super::classes(&numbers(&[0.0, 1.0, 2.0]), Some("1")).unwrap_err().to_string(),
            "--positive-class applies to two classes, and the labels have 3 (0, 1, 2)"
        );
        let many: Vec<f64> = (0..1001).map(|i| i as f64 * 0.5).collect();
        assert_eq!(
            super::classes(&numbers(&many), None).unwrap_err().to_string(),
            "1001 distinct labels (0, 0.5, 1, …): too many for a classification (at most 1000 classes); \
             this looks like a real-valued target: use --output-activation linear"
        );
        assert_eq!(one_hot(&y, 3), ndarray::array![[0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]]);
    }

    #[test]
    fn new_labels_must_be_the_models_classes() {
        let model = ["benign".to_string(), "malignant".to_string()];
        assert_eq!(
            encode_classes(&named(&["malignant", "benign"], &[0.0, 1.0]), &model).unwrap().row(0).to_vec(),
            [1.0, 0.0]
        );
        assert_eq!(
            encode_classes(&numbers(&[0.0, 1.0, 1.0]), &model).unwrap_err().to_string(),
            "labels '0', '1' are not among the model's classes (benign, malignant)"
        );
        assert_eq!(
            encode_classes(&named(&["benign", "healthy"], &[0.0, 1.0]), &model).unwrap_err().to_string(),
            "label 'healthy' is not one of the model's classes (benign, malignant)"
        );
        // Numbers match by value; one class alone is fine for evaluation.
        let numeric = ["0".to_string(), "1".to_string()];
        assert_eq!(encode_classes(&numbers(&[1.0, 1.0]), &numeric).unwrap().row(0).to_vec(), [1.0, 1.0]);
        assert_eq!(
            encode_classes(&numbers(&[0.0]), &["-1".to_string(), "1".to_string()]).unwrap_err().to_string(),
            "label '0' is not one of the model's classes (-1, 1)"
        );
    }
}
