//! What the course examples share: the comparison table (`quantity | course | dnn | match`),
//! the command line (`--out-dir DIR`, input files), the output folder and the
//! course's cat data.
//!
//! Every example prints its tables, then one summary line
//! (`checks: N match, K do not match`), and exits with status 1 when a check fails, 2 when
//! it cannot run (bad arguments, missing data).
#![allow(dead_code)]

use std::error::Error;
use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dnn::data::{read_hdf5, Dataset, Hdf5Keys, Scale};
use dnn::{metrics, Network};
use ndarray::ArrayView2;

/// What the examples' `run` functions return.
pub type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// How close dnn's value must be to the course's to count as the same.
#[derive(Debug, Clone, Copy)]
pub enum Tolerance {
    /// |dnn − course| ≤ this.
    Absolute(f64),
    /// |dnn − course| ≤ this · |course|.
    Relative(f64),
}

impl Tolerance {
    /// Half a unit of the last digit shown in `printed` (the course printed "88.995": ±0.0005).
    pub fn printed(printed: &str) -> Tolerance {
        let decimals = printed.split_once('.').map_or(0, |(_, fraction)| fraction.len());
        Tolerance::Absolute(0.5 * 10f64.powi(-(decimals as i32)))
    }

    /// Whether `dnn` is close enough to `course`.
    pub fn accepts(self, course: f64, dnn: f64) -> bool {
        // A relative allowance of a few ulps, so that "±5e-9" accepts a value that is 5e-9 away
        // after rounding.
        let slack = 4.0 * f64::EPSILON * course.abs().max(dnn.abs());
        match self {
            Tolerance::Absolute(0.0) => dnn == course,
            Tolerance::Absolute(limit) => (dnn - course).abs() <= limit + slack,
            Tolerance::Relative(limit) => (dnn - course).abs() <= limit * course.abs() + slack,
        }
    }

    fn describe(self) -> String {
        let number = |limit: f64| if limit >= 1e-3 { format!("{limit}") } else { format!("{limit:e}") };
        match self {
            Tolerance::Absolute(0.0) => "exact".to_string(),
            Tolerance::Absolute(limit) => format!("±{}", number(limit)),
            Tolerance::Relative(limit) => format!("rel. {}", number(limit)),
        }
    }
}

/// Equal to the last bit.
pub const EXACT: Tolerance = Tolerance::Absolute(0.0);

/// Numpy prints arrays with 8 decimals: its values are known to ±5e-9.
pub const NUMPY_PRINTED: Tolerance = Tolerance::Absolute(5e-9);

/// Costs that the course prints in full agree to about 1e-9 between machines (summation
/// order); 1e-8 relative is the tolerance of the project's tests.
pub const COST: Tolerance = Tolerance::Relative(1e-8);

/// Rows of comparisons, printed section by section, and the count of failed checks.
#[derive(Debug, Default)]
pub struct Report {
    rows: Vec<[String; 4]>,
    checks: usize,
    failures: Vec<String>,
}

impl Report {
    /// An empty report.
    pub fn new() -> Report {
        Report::default()
    }

    /// Prints the rows so far as a table, then the title of the next section.
    pub fn section(&mut self, title: &str) {
        self.print_table();
        println!("\n== {title}");
    }

    /// A line of text between tables.
    pub fn note(&mut self, text: impl Display) {
        self.print_table();
        println!("{text}");
    }

    /// Compares one number with the course's.
    pub fn check(&mut self, quantity: impl Into<String>, course: f64, dnn: f64, tolerance: Tolerance) {
        let ok = tolerance.accepts(course, dnn);
        self.row(quantity.into(), course.to_string(), dnn.to_string(), ok, &tolerance.describe());
    }

    /// Compares a number with the course's printed text, to the digits printed.
    pub fn check_printed(&mut self, quantity: impl Into<String>, printed: &str, dnn: f64) -> Result<()> {
        let course: f64 = printed.parse()?;
        let tolerance = Tolerance::printed(printed);
        let ok = tolerance.accepts(course, dnn);
        self.row(quantity.into(), printed.to_string(), dnn.to_string(), ok, &tolerance.describe());
        Ok(())
    }

    /// Compares a matrix with the course's, one table row per matrix row, shown as numpy
    /// prints it (8 decimals).
    pub fn check_matrix(
        &mut self,
        quantity: &str,
        course: ArrayView2<f64>,
        dnn: ArrayView2<f64>,
        tolerance: Tolerance,
    ) {
        if course.dim() != dnn.dim() {
            let shape = |(rows, cols): (usize, usize)| format!("{rows} × {cols}");
            self.row(quantity.to_string(), shape(course.dim()), shape(dnn.dim()), false, "shape");
            return;
        }
        for (i, (want, got)) in course.rows().into_iter().zip(dnn.rows()).enumerate() {
            let ok = want.iter().zip(got.iter()).all(|(&c, &d)| tolerance.accepts(c, d));
            let label = if course.nrows() == 1 { quantity.to_string() } else { format!("{quantity} row {i}") };
            self.row(label, vector(want.iter().copied()), vector(got.iter().copied()), ok, &tolerance.describe());
        }
    }

    /// Records whether a property the course states holds, with dnn's evidence.
    pub fn check_claim(&mut self, quantity: impl Into<String>, course: &str, dnn: impl Display, holds: bool) {
        self.row(quantity.into(), course.to_string(), dnn.to_string(), holds, "as stated");
    }

    /// A value of dnn's for which the course prints nothing to compare with.
    pub fn show(&mut self, quantity: impl Into<String>, dnn: impl Display) {
        self.rows.push([quantity.into(), "-".to_string(), dnn.to_string(), String::new()]);
    }

    fn row(&mut self, quantity: String, course: String, dnn: String, ok: bool, tolerance: &str) {
        self.checks += 1;
        if !ok {
            self.failures.push(quantity.clone());
        }
        let verdict = format!("{} ({tolerance})", if ok { "yes" } else { "NO" });
        self.rows.push([quantity, course, dnn, verdict]);
    }

    fn print_table(&mut self) {
        if self.rows.is_empty() {
            return;
        }
        let header = ["quantity", "course", "dnn", "match"].map(String::from);
        let mut widths = header.clone().map(|h| h.chars().count());
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: &[String; 4]| {
            let padded: Vec<String> = cells.iter().zip(widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
            println!("{}", padded.join(" | ").trim_end());
        };
        line(&header);
        line(&widths.map(|w| "-".repeat(w)));
        for row in self.rows.drain(..) {
            line(&row);
        }
    }

    /// Prints what is left and the summary line; the exit status is 1 when a check failed.
    pub fn finish(mut self) -> ExitCode {
        self.print_table();
        let failed = self.failures.len();
        println!("\nchecks: {} match, {failed} do not match", self.checks - failed);
        if failed == 0 {
            ExitCode::SUCCESS
        } else {
            println!("not matching: {}", self.failures.join("; "));
            ExitCode::from(1)
        }
    }
}

/// The exit status of an example: its report's, or 2 with the error (and its causes) printed.
pub fn exit_code(result: Result<Report>) -> ExitCode {
    match result {
        Ok(report) => report.finish(),
        Err(error) => {
            eprint!("error: {error}");
            let mut source = error.source();
            while let Some(cause) = source {
                eprint!(": {cause}");
                source = cause.source();
            }
            eprintln!();
            ExitCode::from(2)
        }
    }
}

/// Values as numpy prints an array row, 8 decimals: `[0.96890023, 0.11013289, 0, 1]`
/// (whole numbers without decimals).
pub fn vector(values: impl IntoIterator<Item = f64>) -> String {
    let text = |v: f64| if v.fract() == 0.0 && v.abs() < 1e15 { format!("{v}") } else { format!("{v:.8}") };
    let texts: Vec<String> = values.into_iter().map(text).collect();
    format!("[{}]", texts.join(", "))
}

/// The command line shared by the examples.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where PNGs are written (created if absent).
    pub out_dir: PathBuf,
    /// Paths given without a flag.
    pub inputs: Vec<PathBuf>,
}

impl Options {
    /// Reads `[--out-dir DIR] [INPUT…]` from the command line, at most `max_inputs` inputs.
    /// `--help` prints `usage` and exits.
    pub fn parse(usage: &str, max_inputs: usize) -> Result<Options> {
        let mut options = Options { out_dir: default_out_dir(), inputs: Vec::new() };
        let mut args = std::env::args_os().skip(1);
        while let Some(arg) = args.next() {
            match arg.to_str() {
                Some("--help" | "-h") => {
                    println!("{usage}");
                    std::process::exit(0);
                }
                Some("--out-dir") => {
                    let dir = args.next().ok_or_else(|| format!("--out-dir needs a folder\n{usage}"))?;
                    options.out_dir = PathBuf::from(dir);
                }
                Some(flag) if flag.starts_with('-') => return Err(format!("unknown option {flag}\n{usage}").into()),
                _ if options.inputs.len() < max_inputs => options.inputs.push(PathBuf::from(arg)),
                _ => return Err(format!("unexpected argument {}\n{usage}", arg.to_string_lossy()).into()),
            }
        }
        std::fs::create_dir_all(&options.out_dir)
            .map_err(|e| format!("cannot create the output folder {}: {e}", options.out_dir.display()))?;
        Ok(options)
    }

    /// A file in the output folder.
    pub fn out(&self, name: &str) -> PathBuf {
        self.out_dir.join(name)
    }
}

/// `target/examples-output` under the crate's root.
pub fn default_out_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/examples-output")
}

/// The folder with the course's cat / non-cat HDF5 files.
pub fn cat_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/catvnoncat")
}

/// The course's cat training and test sets: each 64×64×3 picture flattened in (row, column,
/// channel) order into one column of X (12288 × m), divided by 255.
pub fn cat_data() -> Result<(Dataset, Dataset)> {
    let dir = cat_dir();
    let read = |name: &str| -> Result<Dataset> {
        let path = dir.join(name);
        if !path.exists() {
            return Err(format!("cannot find the course's cat data: {} does not exist", path.display()).into());
        }
        let mut data = read_hdf5(&path, &Hdf5Keys::default())?;
        Scale::Divide { by: 255.0 }.apply_in_place(&mut data.x);
        Ok(data)
    };
    Ok((read("train_catvnoncat.h5")?, read("test_catvnoncat.h5")?))
}

/// The course's accuracy: the fraction of examples whose prediction (1 when ŷ > 0.5) is the
/// label.
pub fn accuracy(network: &Network<f64>, x: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<f64> {
    let predictions = network.predict(x, 0.5)?;
    Ok(metrics::accuracy(predictions.view(), y)?)
}

/// The accuracy in percent, as weeks 2 and 3 print it.
pub fn accuracy_percent(network: &Network<f64>, x: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<f64> {
    Ok(100.0 * accuracy(network, x, y)?)
}

/// The probabilities a decision-boundary plot asks for: A[L] of each grid point.
pub fn probabilities(network: &Network<f64>, grid: ArrayView2<f64>) -> dnn::Result<Vec<f64>> {
    Ok(network.predict_proba(grid)?.row(0).to_vec())
}

/// Writes the decision boundary of `network` over `data` (2-D points) to `path` and notes
/// where in the report.
pub fn plot_boundary(
    report: &mut Report,
    path: PathBuf,
    title: &str,
    network: &Network<f64>,
    data: &Dataset,
) -> Result<()> {
    let labels = data.y.row(0).to_vec();
    dnn::plot::decision_boundary(&path, title, data.x.view(), &labels, |grid| probabilities(network, grid))?;
    report.note(format!("decision boundary: {}", path.display()));
    Ok(())
}

/// The second course's week-1 cost, computed as its helpers do: from A\[L\], with
/// `1/m · nansum(−log(a)·y − log(1 − a)·(1 − y))`. A saturated output (a exactly 0 or 1)
/// makes a log infinite: a wrong saturated answer gives `+inf`, and the `0·inf = NaN` terms of
/// the right ones are dropped by `nansum`. dnn computes the cost from Z instead (finite).
pub fn course_nansum_cost(network: &Network<f64>, x: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<f64> {
    let a = network.predict_proba(x)?;
    let total: f64 = a
        .iter()
        .zip(y.iter())
        .map(|(&a, &y)| -a.ln() * y + -(1.0 - a).ln() * (1.0 - y))
        .filter(|term| !term.is_nan())
        .sum();
    Ok(total / y.ncols() as f64)
}
