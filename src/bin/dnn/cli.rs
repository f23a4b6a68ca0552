//! The command line: every flag, its default and its meaning.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Dense neural networks as taught in "Neural Networks and Deep Learning": train, evaluate
/// and use logistic regression, shallow and deep networks on CSV, HDF5, NumPy and image data.
#[derive(Debug, Parser)]
#[command(name = "dnn", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Commands,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a network by batch gradient descent (default: the course's shallow network on
    /// the planar flower data).
    Train(Box<TrainArgs>),
    /// Measure a saved model on labelled data.
    Evaluate(EvaluateArgs),
    /// Write a saved model's predictions as CSV.
    Predict(PredictArgs),
    /// Search hyperparameters by training every combination of the values given (or a
    /// random sample), scoring each on held-out data; `dnn search merge` combines logs.
    Search(Box<SearchArgs>),
    /// Check backpropagation against central differences on a random network.
    Gradcheck(GradcheckArgs),
    /// Show a saved model's architecture, preprocessing and training configuration.
    Info(InfoArgs),
}

/// How data files are read.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// The data format, when the file extension does not say it.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// The CSV column holding the labels: a header name or an index from 0 (default: the
    /// last column).
    #[arg(long, value_name = "NAME|INDEX")]
    pub label_column: Option<String>,
    /// The HDF5 dataset (or .npz array) holding X (default: the one named x or *_x).
    #[arg(long, value_name = "KEY")]
    pub x_key: Option<String>,
    /// The HDF5 dataset (or .npz array) holding Y (default: the one named y or *_y).
    #[arg(long, value_name = "KEY")]
    pub y_key: Option<String>,
    /// Seed of the generated builtin: data sets.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub data_seed: u32,
    /// The number of classes of builtin:blobs (default: 6 blobs in two classes) and
    /// builtin:spiral (default: 3).
    #[arg(long, value_name = "K")]
    pub classes: Option<usize>,
    /// The CSV delimiter: one character, or tab (default: found from the first lines; tab
    /// for .tsv).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// Missing values in CSV files (empty, NA, N/A, NaN, null, ?): refuse them naming the
    /// cell (error), drop the examples that have one (drop), or fill features with the
    /// training means (mean). Default: error, or for a model trained on CSV data, mean.
    #[arg(long, value_enum, value_name = "HOW")]
    pub missing: Option<MissingArg>,
    /// CSV columns that are neither features nor the label (names or indexes from 0).
    #[arg(long, value_name = "COLUMN,…", value_delimiter = ',')]
    pub ignore_columns: Vec<String>,
    /// A CSV column of example IDs: not a feature; predict writes it as the input column.
    #[arg(long, value_name = "NAME|INDEX")]
    pub id_column: Option<String>,
    /// The label value that is class 1 (default: the larger of two numbers; for names, the
    /// one whose negation is the other (cat, non-cat), true/yes/positive, else the later in
    /// sorted order).
    #[arg(long, value_name = "LABEL")]
    pub positive_class: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MissingArg {
    /// Refuse the file, naming the cell.
    Error,
    /// Drop the examples with a missing value.
    Drop,
    /// Fill missing features with the training data's means.
    Mean,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Hdf5,
    Npz,
    Npy,
    Images,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScaleArg {
    /// 255 for 8-bit images, none for the built-in sets, standardize for any other data.
    Auto,
    /// Use values as they are.
    None,
    /// Divide by 255 (8-bit pixels).
    #[value(name = "255")]
    Divide255,
    /// Subtract each feature's mean and divide by its standard deviation (of the training data).
    Standardize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetScaleArg {
    /// Subtract the training targets' mean and divide by their standard deviation.
    Standardize,
    /// Use the targets as they are.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GramArg {
    Auto,
    On,
    Off,
}

impl From<GramArg> for dnn::GramMode {
    fn from(gram: GramArg) -> Self {
        match gram {
            GramArg::Auto => dnn::GramMode::Auto,
            GramArg::On => dnn::GramMode::On,
            GramArg::Off => dnn::GramMode::Off,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DTypeArg {
    F32,
    F64,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Training data: a .csv or .tsv file (- for CSV on standard input), an .h5/.hdf5, .npz or
    /// x.npy file, a folder of class folders of images, or builtin:NAME (planar, moons,
    /// circles, blobs, gaussian-quantiles, xor; with the course's fixed seeds:
    /// init-circles-train, init-circles-test, optim-moons).
    #[arg(default_value = "builtin:planar", value_name = "DATA")]
    pub data: String,
    /// Held-out data to report accuracy on (same forms as DATA).
    #[arg(long, value_name = "DATA")]
    pub test: Option<String>,
    /// Hidden layer sizes, comma-separated ("" for logistic regression). Default: 4 for the
    /// built-in sets (the course's planar network), 32 for a data file.
    #[arg(long, value_name = "N,N,…", allow_hyphen_values = true)]
    pub layers: Option<String>,
    /// Activation of every hidden layer: sigmoid, tanh, relu, leaky-relu, leaky-relu:SLOPE,
    /// linear. Default: tanh for the built-in sets, relu for a data file.
    #[arg(long, value_name = "NAME")]
    pub hidden_activation: Option<String>,
    /// Output activation: sigmoid (binary classification, cross-entropy), softmax (k
    /// classes, categorical cross-entropy) or linear (regression, mean squared error).
    /// Default: softmax when the labels have more than two classes, else sigmoid.
    #[arg(long, value_name = "NAME")]
    pub output_activation: Option<String>,
    /// Weight initialisation: zeros, scaled:S (randn·S), lecun (randn/√n), he, xavier.
    /// Default: scaled:0.01 for the built-in sets, he for a data file.
    #[arg(long, value_name = "NAME")]
    pub init: Option<String>,
    /// Allow zero initialisation with hidden layers (every hidden unit then stays identical).
    #[arg(long)]
    pub allow_symmetry: bool,
    /// Seed of the weight initialisation (NumPy's np.random.seed). Default: 2 for the
    /// built-in sets, 1 for a data file.
    #[arg(long, value_name = "N")]
    pub seed: Option<u32>,
    /// Gradient descent's learning rate α. Default: 1.2 for the built-in sets, 0.02 for a
    /// data file.
    #[arg(long, value_name = "ALPHA", allow_hyphen_values = true)]
    pub learning_rate: Option<f64>,
    /// Number of gradient descent iterations. Default: 10000 for the built-in sets, 2000 for
    /// a data file.
    #[arg(long, value_name = "N")]
    pub iterations: Option<usize>,
    /// Float precision of the computation.
    #[arg(long, value_enum, default_value_t = DTypeArg::F64)]
    pub dtype: DTypeArg,
    /// Threads for the matrix products (default: all cores); results do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Carry the first layer as W₀ + C·Xᵀ with G = XᵀX precomputed: much less work when there
    /// are fewer examples than features (auto: then). Same numbers to rounding.
    #[arg(long, value_enum, default_value_t = GramArg::Auto)]
    pub gram: GramArg,
    /// Feature scaling (default auto: 255 for 8-bit images, none for the built-in sets,
    /// standardize for any other data); saved in the model.
    #[arg(long, value_enum, value_name = "SCALE")]
    pub scale: Option<ScaleArg>,
    /// A regression's targets: standardize (learn (y − mean)/std, map predictions back) or
    /// none. Saved in the model.
    #[arg(long, value_enum, default_value_t = TargetScaleArg::Standardize, value_name = "HOW")]
    pub target_scale: TargetScaleArg,
    /// Save the trained model (safetensors) to this file.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// When training diverges (its cost turns NaN or infinite, or grows past 100 times the
    /// first), still save to --model the last network whose cost was finite: the one training
    /// stopped at, or the one before it when that cost was NaN or infinite. The command fails
    /// either way; without this flag no model is saved.
    #[arg(long, requires = "model")]
    pub keep_diverged: bool,
    /// Write the cost history as CSV (iteration,cost).
    #[arg(long, value_name = "FILE.csv")]
    pub history: Option<PathBuf>,
    /// Print (and record in --history) the cost every N iterations (default: 100, or 1000
    /// from 10000 iterations).
    #[arg(long, value_name = "N")]
    pub print_every: Option<usize>,
    /// Draw the cost curve to this PNG.
    #[arg(long, value_name = "FILE.png")]
    pub plot: Option<PathBuf>,
    /// Draw the decision boundary with the training points to this PNG (2-D data only).
    #[arg(long, value_name = "FILE.png")]
    pub boundary: Option<PathBuf>,
    /// Print one JSON object with the results instead of text.
    #[arg(long)]
    pub json: bool,
    /// Print only the final results.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub optimization: OptimizationArgs,
    #[command(flatten)]
    pub data_args: DataArgs,
}

/// How `dnn train` trains past full-batch gradient descent (the second course).
#[derive(Debug, Args)]
#[command(next_help_heading = "Optimisation and regularisation")]
pub struct OptimizationArgs {
    /// Examples per mini-batch (default: all of them, one full batch per iteration). Each
    /// epoch shuffles the examples as the course does (seed S + 1 + epoch, see
    /// --shuffle-seed); the last batch of an epoch is smaller.
    #[arg(long, value_name = "B")]
    pub batch_size: Option<usize>,
    /// Number of epochs (passes over the data), instead of --iterations. Default with
    /// mini-batches: 100.
    #[arg(long, value_name = "N")]
    pub epochs: Option<usize>,
    /// The course's shuffle seed S: epoch k is shuffled with np.random.seed(S + 1 + k)
    /// (10 reproduces the course). Default: --seed.
    #[arg(long, value_name = "S")]
    pub shuffle_seed: Option<u32>,
    /// Update rule: gd, momentum, rmsprop, adam. With rmsprop or adam the learning rate for a
    /// data file defaults to 0.001.
    #[arg(long, default_value = "gd", value_name = "NAME")]
    pub optimizer: String,
    /// β₁ of Adam, and momentum's β.
    #[arg(long, default_value_t = dnn::optimizer::DEFAULT_BETA1, value_name = "BETA", allow_hyphen_values = true)]
    pub beta1: f64,
    /// β₂ of Adam and RMSprop.
    #[arg(long, default_value_t = dnn::optimizer::DEFAULT_BETA2, value_name = "BETA", allow_hyphen_values = true)]
    pub beta2: f64,
    /// ε of Adam and RMSprop.
    #[arg(long, default_value_t = dnn::optimizer::DEFAULT_EPSILON, value_name = "EPS", allow_hyphen_values = true)]
    pub epsilon: f64,
    /// Learning-rate decay: α = α₀ / (1 + RATE·epoch), recomputed after each epoch.
    #[arg(long, value_name = "RATE", allow_hyphen_values = true)]
    pub decay: Option<f64>,
    /// Decay in steps: α = α₀ / (1 + RATE·⌊epoch / T⌋) (the course's schedule_lr_decay).
    #[arg(long, value_name = "T")]
    pub decay_every: Option<usize>,
    /// L2 regularisation λ: the cost gains λ/(2m)·Σ‖W‖², each dW gains (λ/m)·W.
    #[arg(long, value_name = "LAMBDA", allow_hyphen_values = true)]
    pub l2: Option<f64>,
    /// Inverted dropout: the probability of keeping a hidden unit, one value for every hidden
    /// layer or one per hidden layer (P,P,…). Off at prediction.
    #[arg(long, value_name = "P[,P…]", allow_hyphen_values = true)]
    pub keep_prob: Option<String>,
    /// Seed of dropout's masks. Default: --seed.
    #[arg(long, value_name = "S")]
    pub dropout_seed: Option<u32>,
    /// Draw the same dropout masks in every iteration (the generator reseeded before every
    /// forward pass), as the course's regularisation notebook does.
    #[arg(long)]
    pub dropout_reseed: bool,
    /// Hold out this fraction of the training data (stratified by class, seeded by --seed)
    /// and report its cost and accuracy after every epoch.
    #[arg(long, value_name = "FRACTION", allow_hyphen_values = true)]
    pub validation: Option<f64>,
    /// Early stopping: stop after K epochs without a lower validation cost and keep the
    /// weights of the best epoch (needs --validation).
    #[arg(long, value_name = "K")]
    pub patience: Option<usize>,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The model file.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// Labelled data (same forms as for train).
    #[arg(value_name = "DATA")]
    pub data: String,
    /// Probability above which an example is predicted as class 1.
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Draw the confusion matrix into this PNG file.
    #[arg(long, value_name = "FILE.png")]
    pub plot: Option<PathBuf>,
    #[command(flatten)]
    pub data_args: DataArgs,
}

#[derive(Debug, Args)]
pub struct PredictArgs {
    /// The model file.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// A data file (its label column, if present, is not read), - for CSV on standard input,
    /// one or more image files, or a folder of pictures.
    #[arg(value_name = "DATA|IMAGE", required = true)]
    pub inputs: Vec<String>,
    /// Write the CSV here instead of to stdout.
    #[arg(long, short, value_name = "FILE.csv")]
    pub output: Option<PathBuf>,
    /// Probability above which an example is labelled class 1.
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// Refuse images whose size differs from the model's instead of resizing them.
    #[arg(long)]
    pub no_resize: bool,
    /// For a model of k classes: write the K most likely classes with their probabilities
    /// (class_1,p_1,…) instead of one p_<class> column per class.
    #[arg(long, value_name = "K")]
    pub top: Option<usize>,
    #[command(flatten)]
    pub data_args: DataArgs,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, flatten_help = true)]
pub struct SearchArgs {
    #[command(subcommand)]
    pub command: Option<SearchCommand>,
    #[command(flatten)]
    pub run: SearchRunArgs,
}

#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Combine search logs (of shards, or of runs on other machines) and rank every trial.
    Merge(MergeArgs),
}

/// `dnn search DATA`: lists separated by commas are alternatives to try.
#[derive(Debug, Args)]
pub struct SearchRunArgs {
    /// Training data (same forms as for train).
    #[arg(default_value = "builtin:planar", value_name = "DATA")]
    pub data: String,
    /// Hidden layer lists to try, separated by ';' (each comma-separated; "" for logistic
    /// regression), e.g. "7;20,7,5;50".
    #[arg(long, default_value = "4", value_name = "N,N;N…", allow_hyphen_values = true)]
    pub layers: String,
    /// Hidden activations to try, e.g. relu,tanh.
    #[arg(long, default_value = "tanh", value_name = "NAME,…")]
    pub hidden_activation: String,
    /// Output activation: sigmoid (two classes), softmax (k classes) or linear
    /// (regression). Default: softmax when the labels have more than two classes, else
    /// sigmoid.
    #[arg(long, value_name = "NAME")]
    pub output_activation: Option<String>,
    /// Weight initialisations to try, e.g. scaled:0.01,lecun,he.
    #[arg(long, default_value = "scaled:0.01", value_name = "NAME,…")]
    pub init: String,
    /// Allow zero initialisation with hidden layers.
    #[arg(long)]
    pub allow_symmetry: bool,
    /// Initialisation seeds to try: a list, or A..B for every seed from A to B.
    #[arg(long, default_value = "2", value_name = "N,…|A..B")]
    pub seed: String,
    /// Learning rates to try: a list, or LOW..HIGH sampled log-uniformly (with --random).
    #[arg(long, default_value = "1.2", value_name = "ALPHA,…|LOW..HIGH")]
    pub learning_rate: String,
    /// Iteration counts to try: a list, or LOW..HIGH sampled uniformly (with --random).
    #[arg(long, default_value = "10000", value_name = "N,…|LOW..HIGH")]
    pub iterations: String,
    /// Try N random combinations instead of every one.
    #[arg(long, value_name = "N")]
    pub random: Option<usize>,
    /// Optimizers to try: gd, momentum, rmsprop, adam (default βs and ε).
    #[arg(long, default_value = "gd", value_name = "NAME,…")]
    pub optimizer: String,
    /// Mini-batch sizes to try ("full" for one batch of all examples); with mini-batches
    /// --iterations counts epochs.
    #[arg(long, default_value = "full", value_name = "B,…")]
    pub batch_size: String,
    /// L2 strengths λ to try (0 for none).
    #[arg(long, default_value = "0", value_name = "LAMBDA,…")]
    pub l2: String,
    /// Dropout keep probabilities to try, for every hidden layer (1 for none).
    #[arg(long, default_value = "1", value_name = "P,…")]
    pub keep_prob: String,
    /// Seed of the random combinations and of the validation split.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub search_seed: u32,
    /// Fraction of the training data held out to score on (stratified by class); 0 scores
    /// on the training data itself.
    #[arg(long, default_value_t = 0.2, value_name = "FRACTION")]
    pub validation: f64,
    /// Score by K-fold cross-validation instead of one hold-out.
    #[arg(long, value_name = "K", conflicts_with = "validation")]
    pub folds: Option<usize>,
    /// What to rank by: accuracy, log-loss, f1 (classification), mse, r2 (regression)
    /// (default: accuracy, or mse with a linear output).
    #[arg(long, value_name = "NAME")]
    pub metric: Option<String>,
    /// Trials trained at once (default: the number of cores); the cores are shared among
    /// them. Scores do not depend on it.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Append every finished trial to this log (.csv or .jsonl); rerunning with the same log
    /// skips the trials it holds.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Run only shard I of N: every N-th trial of the same trial list, starting at the I-th
    /// (1 ≤ I ≤ N). Combine the shards' logs with `dnn search merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Draw the score against each hyperparameter that varies to this PNG.
    #[arg(long, value_name = "FILE.png")]
    pub plot: Option<PathBuf>,
    /// Retrain the best trial on all the training data and save it to this model file.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Show only the N best trials in the table (default: all).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Float precision of the computation.
    #[arg(long, value_enum, default_value_t = DTypeArg::F64)]
    pub dtype: DTypeArg,
    /// The Gram form of the first layer (as for train).
    #[arg(long, value_enum, default_value_t = GramArg::Auto)]
    pub gram: GramArg,
    /// Feature scaling (default: 255 for 8-bit images, none otherwise); standardize is fitted
    /// to each training part.
    #[arg(long, value_enum, value_name = "SCALE")]
    pub scale: Option<ScaleArg>,
    /// Print only the table (no line per trial, no progress bar).
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub data_args: DataArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Search logs (.csv or .jsonl) of the same search.
    #[arg(value_name = "LOG", required = true)]
    pub logs: Vec<PathBuf>,
    /// Write the combined log here (.csv or .jsonl).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Show only the N best trials in the table (default: all).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
}

#[derive(Debug, Args)]
pub struct GradcheckArgs {
    /// Hidden layer sizes, comma-separated.
    #[arg(long, default_value = "5,3", value_name = "N,N,…", allow_hyphen_values = true)]
    pub layers: String,
    /// Activation of every hidden layer.
    #[arg(long, default_value = "relu", value_name = "NAME")]
    pub hidden_activation: String,
    /// Output activation: sigmoid (cross-entropy), softmax (categorical cross-entropy, with
    /// --outputs of two or more) or linear (squared error).
    #[arg(long, default_value = "sigmoid", value_name = "NAME")]
    pub output_activation: String,
    /// Number of output units (classes of a softmax).
    #[arg(long, default_value_t = 1, value_name = "K")]
    pub outputs: usize,
    /// Number of input features of the random data.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub inputs: usize,
    /// Number of random examples.
    #[arg(long, default_value_t = 10, value_name = "M")]
    pub examples: usize,
    /// Seed of the random network and data.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub seed: u32,
    /// Central-difference step ε.
    #[arg(long, default_value_t = 1e-6)]
    pub epsilon: f64,
    /// The largest relative error that passes.
    #[arg(long, default_value_t = 1e-7)]
    pub tolerance: f64,
    /// Check the gradient of the cost with L2 regularisation of this λ.
    #[arg(long, default_value_t = 0.0, value_name = "LAMBDA", allow_hyphen_values = true)]
    pub l2: f64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// The model file.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// Print the model's metadata as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Every subcommand: the course's ([`Command`]) and the playground.
#[derive(Debug, Subcommand)]
pub enum Commands {
    #[command(flatten)]
    Course(Box<Command>),
    /// Serve a page where a network trains live on 2-D data: its decision boundary, hidden
    /// units, weights and cost as it learns.
    Playground(PlaygroundArgs),
}

#[derive(Debug, Args)]
pub struct PlaygroundArgs {
    /// The port to listen on (0: any free port).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The interface to listen on; anything but the loopback makes the page reachable from
    /// other machines.
    #[arg(long, default_value = "127.0.0.1", value_name = "HOST")]
    pub host: String,
    /// Open the page in the desktop's browser.
    #[arg(long)]
    pub open: bool,
}
