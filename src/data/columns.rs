//! The columns of the CSV file a model was trained on: which were its features (in the
//! network's input order), which held the label, the IDs, or nothing the model uses. Stored
//! with the model, so that `predict`, `evaluate` and `train --test` take the same columns from
//! a new file: by name when the files have headers, else by position.

// Matching a new file's columns is the CSV reader's (feature "io"); the types are always here.
#![cfg_attr(not(feature = "io"), allow(dead_code))]

use serde::{Deserialize, Serialize};

/// What a column of a CSV file is to a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColumnRole {
    /// An input of the network.
    Feature,
    /// The label.
    Label,
    /// The example's ID (`--id-column`), carried through to predictions.
    Id,
    /// Not used (`--ignore-columns`).
    Ignored,
}

/// A column named on the command line: by its header name, or by its index from 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnRef {
    /// The column with this header name.
    Name(String),
    /// The column with this index, counted from 0.
    Index(usize),
}

impl std::str::FromStr for ColumnRef {
    type Err = std::convert::Infallible;

    /// A number is an index, anything else a name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().parse::<usize>() {
            Ok(i) => ColumnRef::Index(i),
            Err(_) => ColumnRef::Name(s.trim().to_string()),
        })
    }
}

impl ColumnRef {
    /// Whether this names column `index` called `name` (when the file has a header).
    pub fn matches(&self, index: usize, name: Option<&str>) -> bool {
        match self {
            ColumnRef::Index(i) => *i == index,
            ColumnRef::Name(n) => name == Some(n.as_str()),
        }
    }
}

impl std::fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ColumnRef::Index(i) => write!(f, "{i}"),
            ColumnRef::Name(n) => f.write_str(n),
        }
    }
}

/// The columns of a training file, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Columns {
    /// Every column's header name, or `None` when the file had no header.
    pub names: Option<Vec<String>>,
    /// What every column was.
    pub roles: Vec<ColumnRole>,
}

/// Where a column of a file being read goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// Feature row k of X.
    Feature(usize),
    /// The label.
    Label,
    /// The ID.
    Id,
    /// Nowhere.
    Skip,
}

impl Columns {
    /// n_x features, then the label: the layout assumed for a model that recorded no columns.
    pub fn unnamed(n_x: usize) -> Columns {
        let mut roles = vec![ColumnRole::Feature; n_x];
        roles.push(ColumnRole::Label);
        Columns { names: None, roles }
    }

    /// The features' names in the network's order, when the training file had a header.
    pub fn feature_names(&self) -> Option<Vec<String>> {
        let names = self.names.as_ref()?;
        Some(self.with_role(ColumnRole::Feature).map(|i| names[i].clone()).collect())
    }

    /// The number of features.
    pub fn n_features(&self) -> usize {
        self.with_role(ColumnRole::Feature).count()
    }

    /// The name (or, without a header, the index) of the first column with `role`.
    pub fn describe(&self, role: ColumnRole) -> Option<String> {
        let index = self.with_role(role).next()?;
        Some(match &self.names {
            Some(names) => format!("'{}'", names[index]),
            None => format!("{index}"),
        })
    }

    fn with_role(&self, role: ColumnRole) -> impl Iterator<Item = usize> + '_ {
        self.roles.iter().enumerate().filter(move |(_, &r)| r == role).map(|(i, _)| i)
    }

    /// Where each column of a new file goes: by name when this and `header` both have
    /// names, else by position (the same number of columns, or one fewer without the label
    /// when `label_required` is false). `ignore` and `id` name further columns of the new
    /// file that are not features.
    pub(crate) fn slots_for(
        &self,
        header: Option<&[String]>,
        width: usize,
        ignore: &[ColumnRef],
        id: Option<&ColumnRef>,
        label_required: bool,
    ) -> Result<Vec<Slot>, String> {
        match (&self.names, header) {
            (Some(names), Some(header)) => self.slots_by_name(names, header, ignore, id, label_required),
            _ => self.slots_by_position(width, label_required),
        }
    }

    fn slots_by_name(
        &self,
        names: &[String],
        header: &[String],
        ignore: &[ColumnRef],
        id: Option<&ColumnRef>,
        label_required: bool,
    ) -> Result<Vec<Slot>, String> {
        let features: Vec<&str> = self.with_role(ColumnRole::Feature).map(|i| names[i].as_str()).collect();
        let role_of = |name: &str| names.iter().position(|n| n == name).map(|i| self.roles[i]);
        let mut slots = Vec::with_capacity(header.len());
        let mut extra = Vec::new();
        let mut has_label = false;
        for (i, name) in header.iter().enumerate() {
            let slot = if let Some(k) = features.iter().position(|f| f == name) {
                Slot::Feature(k)
            } else if id.is_some_and(|id| id.matches(i, Some(name))) || role_of(name) == Some(ColumnRole::Id) {
                Slot::Id
            } else if role_of(name) == Some(ColumnRole::Label) {
                has_label = true;
                Slot::Label
            } else if ignore.iter().any(|c| c.matches(i, Some(name))) || role_of(name) == Some(ColumnRole::Ignored) {
                Slot::Skip
            } else {
                extra.push(format!("'{name}'"));
                Slot::Skip
            };
            slots.push(slot);
        }
        let missing: Vec<String> =
            features.iter().filter(|f| !header.iter().any(|h| h == *f)).map(|f| format!("'{f}'")).collect();
        if !missing.is_empty() {
            return Err(format!(
                "no column{} {}: the model takes the features {}",
                plural(missing.len()),
                missing.join(", "),
                list_some(&features)
            ));
        }
        if !extra.is_empty() {
            return Err(format!(
                "column{} {} {} not among the model's features, label or ID columns: remove {} or pass \
                 --ignore-columns {}",
                plural(extra.len()),
                extra.join(", "),
                if extra.len() == 1 { "is" } else { "are" },
                if extra.len() == 1 { "it" } else { "them" },
                extra.iter().map(|e| e.trim_matches('\'')).collect::<Vec<_>>().join(",")
            ));
        }
        if label_required && !has_label {
            let label = self.describe(ColumnRole::Label).unwrap_or_else(|| "?".into());
            return Err(format!("no label column {label} (the model's)"));
        }
        Ok(slots)
    }

    fn slots_by_position(&self, width: usize, label_required: bool) -> Result<Vec<Slot>, String> {
        let has_label = self.roles.contains(&ColumnRole::Label);
        let drop_label = width + 1 == self.roles.len() && has_label && !label_required;
        if width != self.roles.len() && !drop_label {
            let label = match self.with_role(ColumnRole::Label).next() {
                Some(i) => format!(", the label in column {i}"),
                None => String::new(),
            };
            let without = if has_label && !label_required {
                format!(" (or {} without the label)", self.roles.len() - 1)
            } else {
                String::new()
            };
            return Err(format!(
                "{width} columns, but the model reads {}{without}: {} features{label}, counted from 0",
                self.roles.len(),
                self.n_features()
            ));
        }
        Ok(self.slots(drop_label))
    }

    /// Where each column goes in a file laid out as the training file (without its label
    /// column when `without_label`): features numbered in order.
    pub(crate) fn slots(&self, without_label: bool) -> Vec<Slot> {
        let mut k = 0;
        self.roles
            .iter()
            .filter(|&&role| !(without_label && role == ColumnRole::Label))
            .map(|role| match role {
                ColumnRole::Feature => {
                    k += 1;
                    Slot::Feature(k - 1)
                }
                ColumnRole::Label => Slot::Label,
                ColumnRole::Id => Slot::Id,
                ColumnRole::Ignored => Slot::Skip,
            })
            .collect()
    }
}

/// Up to 12 names, then how many there are in all.
fn list_some(names: &[&str]) -> String {
    if names.len() <= 12 {
        names.join(", ")
    } else {
        format!("{}, … ({} in all)", names[..12].join(", "), names.len())
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn trained() -> Columns {
        use ColumnRole::*;
        Columns {
            names: Some(strings(&["id", "a", "label", "b", "c"])),
            roles: vec![Id, Feature, Label, Feature, Feature],
        }
    }

    #[test]
    fn columns_are_matched_by_name_in_any_order() {
        let header = strings(&["c", "b", "label", "a", "id"]);
        let slots = trained().slots_for(Some(&header), 5, &[], None, true).unwrap();
        assert_eq!(slots, [Slot::Feature(2), Slot::Feature(1), Slot::Label, Slot::Feature(0), Slot::Id]);
        // Without the label, for prediction.
        let header = strings(&["b", "a", "c"]);
        assert_eq!(
            trained().slots_for(Some(&header), 3, &[], None, false).unwrap(),
            [Slot::Feature(1), Slot::Feature(0), Slot::Feature(2)]
        );
    }

    #[test]
    fn missing_and_extra_columns_are_named() {
        let header = strings(&["a", "label", "c"]);
        assert_eq!(
            trained().slots_for(Some(&header), 3, &[], None, true).unwrap_err(),
            "no column 'b': the model takes the features a, b, c"
        );
        let header = strings(&["a", "b", "c", "label", "notes", "zip"]);
        assert_eq!(
            trained().slots_for(Some(&header), 6, &[], None, true).unwrap_err(),
            "columns 'notes', 'zip' are not among the model's features, label or ID columns: remove them or pass \
             --ignore-columns notes,zip"
        );
        let ignore = [ColumnRef::Name("notes".into()), ColumnRef::Index(5)];
        assert!(trained().slots_for(Some(&header), 6, &ignore, None, true).is_ok());
        let header = strings(&["a", "b", "c"]);
        assert_eq!(
            trained().slots_for(Some(&header), 3, &[], None, true).unwrap_err(),
            "no label column 'label' (the model's)"
        );
    }

    #[test]
    fn files_without_a_header_must_have_the_models_width() {
        let columns = Columns::unnamed(3);
        assert_eq!(
            columns.slots_for(None, 4, &[], None, true).unwrap(),
            [Slot::Feature(0), Slot::Feature(1), Slot::Feature(2), Slot::Label]
        );
        assert_eq!(
            columns.slots_for(None, 3, &[], None, false).unwrap(),
            [Slot::Feature(0), Slot::Feature(1), Slot::Feature(2)]
        );
        assert_eq!(
            columns.slots_for(None, 3, &[], None, true).unwrap_err(),
            "3 columns, but the model reads 4: 3 features, the label in column 3, counted from 0"
        );
        assert_eq!(
            columns.slots_for(None, 5, &[], None, false).unwrap_err(),
            "5 columns, but the model reads 4 (or 3 without the label): 3 features, the label in column 3, counted from 0"
        );
    }
}
