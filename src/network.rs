//! A network of dense layers: its architecture, the forward and backward sweeps over all
//! layers, and prediction.

use ndarray::{Array2, ArrayView2, ArrayViewMut1, ArrayViewMut2};
use serde::{Deserialize, Serialize};

use crate::gram::GramFirstLayer;
use crate::layer::{Dense, Gradients};
use crate::linalg::GemmScratch;
use crate::regularization::{dropout_backward, dropout_forward};
use crate::{Activation, Error, Float, Init, Loss, NumpyRng, Result};

/// The shape of a network: layer sizes `[n_x, n[1], …, n[L]]`, one activation per layer and
/// the loss. Checked when built, so a network made from it is always consistent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Architecture {
    sizes: Vec<usize>,
    activations: Vec<Activation>,
    loss: Loss,
}

impl Architecture {
    /// Layer sizes `[n_x, n[1], …, n[L]]` with one activation for every hidden layer and
    /// another for the output; the loss follows from the output (cross-entropy for sigmoid,
    /// squared error otherwise). `[n_x, 1]` with a sigmoid output is logistic regression.
    pub fn new(sizes: &[usize], hidden: Activation, output: Activation) -> Result<Self> {
        let layers = sizes.len().saturating_sub(1);
        let activations = (0..layers).map(|l| if l + 1 == layers { output } else { hidden }).collect();
        Architecture::with_activations(sizes, activations, Loss::for_output(output))
    }

    /// Layer sizes with an activation chosen for each layer (`activations[l−1]` is g\[l\]) and
    /// the loss given explicitly.
    pub fn with_activations(sizes: &[usize], activations: Vec<Activation>, loss: Loss) -> Result<Self> {
        if sizes.len() < 2 {
            return Err(Error::InvalidHyperparameter {
                name: "layer sizes",
                value: format!("{sizes:?}"),
                expected: "at least an input size and an output size",
            });
        }
        if let Some(position) = sizes.iter().position(|&n| n == 0) {
            return Err(Error::InvalidHyperparameter {
                name: "layer sizes",
                value: format!("{sizes:?}"),
                expected: if position == 0 {
                    "an input size of at least 1"
                } else {
                    "every layer to have at least 1 unit"
                },
            });
        }
        if activations.len() != sizes.len() - 1 {
            return Err(Error::InvalidHyperparameter {
                name: "activations",
                value: format!("{} for {} layers", activations.len(), sizes.len() - 1),
                expected: "one activation per layer",
            });
        }
        loss.check_output(*activations.last().expect("at least one layer"))?;
        check_softmax(&activations, sizes[sizes.len() - 1])?;
        Ok(Architecture { sizes: sizes.to_vec(), activations, loss })
    }

    /// `[n_x, n[1], …, n[L]]`.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// g\[1\], …, g\[L\].
    pub fn activations(&self) -> &[Activation] {
        &self.activations
    }

    /// The loss.
    pub fn loss(&self) -> Loss {
        self.loss
    }

    /// L − 1, the number of hidden layers.
    pub fn hidden_layers(&self) -> usize {
        self.sizes.len() - 2
    }

    /// The check [`Network::init`] makes before drawing: [`Init::Zeros`] is refused when there
    /// are hidden layers ([`Error::SymmetricInit`]).
    pub(crate) fn check_init(&self, init: Init) -> Result<()> {
        if init == Init::Zeros && self.hidden_layers() > 0 {
            return Err(Error::SymmetricInit { hidden_layers: self.hidden_layers() });
        }
        Ok(())
    }
}

/// A trained or initialised network: its layers and loss.
#[derive(Debug, Clone, PartialEq)]
pub struct Network<T> {
    layers: Vec<Dense<T>>,
    loss: Loss,
}

/// The buffers of one forward and backward sweep over m examples, allocated once and reused
/// by every iteration of training.
#[derive(Debug, Clone)]
pub struct Workspace<T> {
    caches: Vec<LayerCache<T>>,
    grads: Vec<Gradients<T>>,
    scratch: GemmScratch<T>,
}

/// The course's cache for layer l: Z\[l\] and A\[l\], plus `delta`, which holds dA\[l\] and
/// then, in place, dZ\[l\]; and for a hidden layer trained with dropout, its mask and output.
#[derive(Debug, Clone)]
struct LayerCache<T> {
    z: Array2<T>,
    a: Array2<T>,
    delta: Array2<T>,
    dropout: Option<DropoutCache<T>>,
}

/// Dropout's buffers for one layer: the mask D of the last forward pass and the layer's
/// output `A⊙D / keep_prob`, which the next layer reads instead of A (A itself stays, for
/// g'(Z) in the backward pass).
#[derive(Debug, Clone)]
struct DropoutCache<T> {
    keep_prob: f64,
    mask: Array2<T>,
    kept: Array2<T>,
}

impl<T: Float> LayerCache<T> {
    /// What the next layer reads: A\[l\], or A\[l\] after dropout.
    fn output(&self) -> ArrayView2<'_, T> {
        match &self.dropout {
            Some(dropout) => dropout.kept.view(),
            None => self.a.view(),
        }
    }
}

impl<T: Float> Workspace<T> {
    /// Buffers for `network` over `m` examples, computing on one thread.
    pub fn new(network: &Network<T>, m: usize) -> Self {
        Self::with_threads(network, m, 1)
    }

    /// Buffers for `network` over `m` examples whose matrix products split over up to
    /// `threads` threads of the current rayon pool. Results do not depend on `threads`.
    pub fn with_threads(network: &Network<T>, m: usize, threads: usize) -> Self {
        Self::for_training(network, m, threads, &[])
    }

    /// Buffers for training `network` on batches of up to `m` examples, with dropout on the
    /// hidden layers whose keep probability (`keep_probs[l−1]` for layer l) is below 1.
    pub(crate) fn for_training(network: &Network<T>, m: usize, threads: usize, keep_probs: &[f64]) -> Self {
        let caches = network
            .layers
            .iter()
            .enumerate()
            .map(|(l, layer)| {
                let shape = (layer.n_out(), m);
                let keep_prob = keep_probs.get(l).copied().filter(|&p| p < 1.0);
                LayerCache {
                    z: Array2::zeros(shape),
                    a: Array2::zeros(shape),
                    delta: Array2::zeros(shape),
                    dropout: keep_prob.map(|keep_prob| DropoutCache {
                        keep_prob,
                        mask: Array2::zeros(shape),
                        kept: Array2::zeros(shape),
                    }),
                }
            })
            .collect();
        let grads = network.layers.iter().map(Gradients::zeros_like).collect();
        Workspace { caches, grads, scratch: GemmScratch::for_training(threads) }
    }

    /// The number of examples the buffers hold.
    pub fn m(&self) -> usize {
        self.caches[0].z.ncols()
    }

    /// A\[L\], the output of the last forward sweep (n\[L\] × m).
    pub fn output(&self) -> ArrayView2<'_, T> {
        self.caches.last().expect("a network has layers").a.view()
    }

    /// Z\[l\] of the last forward sweep, for layer `l` in 1..=L.
    pub fn z(&self, l: usize) -> ArrayView2<'_, T> {
        self.caches[l - 1].z.view()
    }

    /// A\[l\] of the last forward sweep, for layer `l` in 1..=L.
    pub fn a(&self, l: usize) -> ArrayView2<'_, T> {
        self.caches[l - 1].a.view()
    }

    /// dZ\[1\] of the last backward sweep (n\[1\] × m).
    pub(crate) fn first_delta(&self) -> ArrayView2<'_, T> {
        self.caches[0].delta.view()
    }

    /// The matrix-product scratch, for products outside the sweeps.
    pub(crate) fn scratch(&mut self) -> &mut GemmScratch<T> {
        &mut self.scratch
    }

    /// The gradients of the last backward sweep, layer 1 first.
    pub fn gradients(&self) -> &[Gradients<T>] {
        &self.grads
    }

    /// The gradients, for changing them in place (L2's term) between the sweeps.
    pub(crate) fn gradients_mut(&mut self) -> &mut [Gradients<T>] {
        &mut self.grads
    }
}

impl<T: Float> Network<T> {
    /// A network from explicit layers; their sizes must chain and the loss must suit the last
    /// activation.
    pub fn from_layers(layers: Vec<Dense<T>>, loss: Loss) -> Result<Self> {
        let last = layers.last().ok_or(Error::InvalidHyperparameter {
            name: "layers",
            value: "none".into(),
            expected: "at least one layer",
        })?;
        loss.check_output(last.activation())?;
        let activations: Vec<Activation> = layers.iter().map(Dense::activation).collect();
        check_softmax(&activations, last.n_out())?;
        for (l, pair) in layers.windows(2).enumerate() {
            if pair[1].n_in() != pair[0].n_out() {
                return Err(Error::shape(format!("W{}", l + 2), (pair[1].n_out(), pair[0].n_out()), pair[1].w().dim()));
            }
        }
        Ok(Network { layers, loss })
    }

    /// Initialises the course's way: for l = 1..L in order, W\[l\] is drawn with `init` from
    /// `rng` (row-major) and b\[l\] = 0.
    ///
    /// Refuses [`Init::Zeros`] when there are hidden layers ([`Error::SymmetricInit`]); see
    /// [`Network::init_allowing_symmetry`] to show the symmetry problem on purpose.
    pub fn init(arch: &Architecture, init: Init, rng: &mut NumpyRng) -> Result<Self> {
        arch.check_init(init)?;
        Ok(Self::init_allowing_symmetry(arch, init, rng))
    }

    /// As [`Network::init`], but accepts zero weights with hidden layers: every hidden unit
    /// then stays identical to the others of its layer, however long it trains.
    pub fn init_allowing_symmetry(arch: &Architecture, init: Init, rng: &mut NumpyRng) -> Self {
        let layers = arch
            .sizes
            .windows(2)
            .zip(&arch.activations)
            .map(|(pair, &activation)| {
                let w = init.draw(pair[1], pair[0], rng).mapv(T::from_f64);
                Dense::new(w, ndarray::Array1::zeros(pair[1]), activation)
                    .expect("an architecture's sizes are at least 1")
            })
            .collect();
        Network { layers, loss: arch.loss }
    }

    /// The layers, layer 1 first.
    pub fn layers(&self) -> &[Dense<T>] {
        &self.layers
    }

    /// W\[l\] and b\[l\] of every layer, layer 1 first, as views whose values can change in
    /// place (views cannot change a shape: see [`Dense::parameters_mut`]).
    pub fn layers_mut(&mut self) -> impl Iterator<Item = (ArrayViewMut2<'_, T>, ArrayViewMut1<'_, T>)> {
        self.layers.iter_mut().map(Dense::parameters_mut)
    }

    /// The loss.
    pub fn loss(&self) -> Loss {
        self.loss
    }

    /// The architecture this network has.
    pub fn architecture(&self) -> Architecture {
        Architecture {
            sizes: self.sizes(),
            activations: self.layers.iter().map(Dense::activation).collect(),
            loss: self.loss,
        }
    }

    /// `[n_x, n[1], …, n[L]]`.
    pub fn sizes(&self) -> Vec<usize> {
        std::iter::once(self.layers[0].n_in()).chain(self.layers.iter().map(Dense::n_out)).collect()
    }

    /// n_x, the number of input features.
    pub fn n_x(&self) -> usize {
        self.layers[0].n_in()
    }

    /// n\[L\], the number of outputs.
    pub fn n_out(&self) -> usize {
        self.layers.last().expect("a network has layers").n_out()
    }

    /// The number of trainable parameters (all weights and biases).
    pub fn parameter_count(&self) -> usize {
        self.layers.iter().map(|layer| layer.w().len() + layer.b().len()).sum()
    }

    /// The same network in another float type.
    pub fn cast<U: Float>(&self) -> Network<U> {
        Network { layers: self.layers.iter().map(Dense::cast).collect(), loss: self.loss }
    }

    /// Checks that X is n_x × m with finite values; m ≥ 1.
    pub fn check_input(&self, x: ArrayView2<T>) -> Result<()> {
        self.check_input_shape(x)?;
        check_finite("X", x)
    }

    fn check_input_shape(&self, x: ArrayView2<T>) -> Result<()> {
        if x.nrows() != self.n_x() || x.ncols() == 0 {
            return Err(Error::shape("X (features × examples)", (self.n_x(), x.ncols().max(1)), x.dim()));
        }
        Ok(())
    }

    /// Checks that Y is n\[L\] × m, finite, in {0, 1} for cross-entropy and one-hot columns
    /// (a single 1, zeros elsewhere) for categorical cross-entropy.
    pub fn check_labels(&self, y: ArrayView2<T>, m: usize) -> Result<()> {
        if y.dim() != (self.n_out(), m) {
            return Err(Error::shape("Y (outputs × examples)", (self.n_out(), m), y.dim()));
        }
        check_finite("Y", y)?;
        match self.loss {
            Loss::CrossEntropy => {
                if let Some(((_, example), &value)) = y.indexed_iter().find(|&(_, &v)| v != T::zero() && v != T::one())
                {
                    return Err(Error::LabelNotBinary { example, value: value.as_f64() });
                }
            }
            Loss::CategoricalCrossEntropy => {
                let one_hot = |column: ndarray::ArrayView1<T>| {
                    column.iter().all(|&v| v == T::zero() || v == T::one())
                        && column.iter().filter(|&&v| v == T::one()).count() == 1
                };
                if let Some(example) = y.columns().into_iter().position(|column| !one_hot(column)) {
                    return Err(Error::LabelNotOneHot { example, zeros: self.n_out() - 1 });
                }
            }
            Loss::MeanSquaredError => {}
        }
        Ok(())
    }

    /// The forward sweep: for l = 1..L, `Z[l] = W[l]·A[l−1] + b[l]`, `A[l] = g[l](Z[l])`,
    /// with A\[0\] = X, caching Z and A in `ws`.
    ///
    /// # Shapes
    /// `x`: n_x × m, with m the workspace's.
    pub fn forward(&self, x: ArrayView2<T>, ws: &mut Workspace<T>) {
        self.forward_sweep(x, ws, None, None);
    }

    /// The forward sweep, with layer 1's `W[1]·X` taken from the Gram form when given, and
    /// dropout's masks drawn from `masks` on the layers the workspace has them for (a
    /// workspace with dropout needs a generator).
    pub(crate) fn forward_sweep(
        &self,
        x: ArrayView2<T>,
        ws: &mut Workspace<T>,
        mut gram: Option<&mut GramFirstLayer<T>>,
        mut masks: Option<&mut NumpyRng>,
    ) {
        for l in 0..self.layers.len() {
            let (done, rest) = ws.caches.split_at_mut(l);
            let cache = &mut rest[0];
            match (l, gram.as_deref_mut()) {
                (0, Some(gram)) => {
                    gram.linear_forward_into(cache.z.view_mut(), &mut ws.scratch);
                    let offset = Some(gram.initial_product());
                    let threads = ws.scratch.threads();
                    self.layers[0].add_bias_and_activate(cache.z.view_mut(), cache.a.view_mut(), offset, threads);
                }
                _ => {
                    let a_prev = if l == 0 { x } else { done[l - 1].output() };
                    self.layers[l].forward(a_prev, cache.z.view_mut(), cache.a.view_mut(), &mut ws.scratch);
                }
            }
            if let Some(dropout) = &mut cache.dropout {
                let rng = masks.as_deref_mut().expect("a generator for dropout's masks");
                let DropoutCache { keep_prob, mask, kept } = dropout;
                dropout_forward(cache.a.view(), mask.view_mut(), kept.view_mut(), *keep_prob, rng);
            }
        }
    }

    /// The cost of the last forward sweep against labels `y` (n\[L\] × m).
    pub fn cost(&self, ws: &Workspace<T>, y: ArrayView2<T>) -> f64 {
        let last = ws.caches.last().expect("a network has layers");
        self.loss.cost(last.z.view(), last.a.view(), y)
    }

    /// The summed loss `Σ L` of the last forward sweep against labels `y` (n\[L\] × m): the
    /// cost times m.
    pub(crate) fn loss_total(&self, ws: &Workspace<T>, y: ArrayView2<T>) -> f64 {
        let last = ws.caches.last().expect("a network has layers");
        self.loss.total(last.z.view(), last.a.view(), y)
    }

    /// The backward sweep after [`Network::forward`] on the same `x`: dZ\[L\] from the loss,
    /// then for l = L..1: dW\[l\], db\[l\] and, for l > 1, `dA[l−1] = W[l]ᵀ·dZ[l]` turned in place
    /// into `dZ[l−1] = dA[l−1] ⊙ g'[l−1](Z[l−1])`. The gradients land in `ws`.
    pub fn backward(&self, x: ArrayView2<T>, y: ArrayView2<T>, ws: &mut Workspace<T>) {
        // The output pass reads Y along memory: labels in another layout are copied first.
        let y = y.as_standard_layout();
        self.backward_sweep(x, y.view(), ws, true);
    }

    /// The backward sweep; `first_dw` false skips dW\[1\] (the Gram form needs only dZ\[1\]).
    pub(crate) fn backward_sweep(&self, x: ArrayView2<T>, y: ArrayView2<T>, ws: &mut Workspace<T>, first_dw: bool) {
        let last = ws.caches.last_mut().expect("a network has layers");
        let output = self.layers.last().expect("a network has layers").activation();
        self.loss.output_delta_in_place(
            output,
            contiguous(&last.z),
            contiguous(&last.a),
            y.as_slice().expect("labels in standard layout"),
            last.delta.as_slice_mut().expect("buffers are contiguous"),
        );
        for l in (0..self.layers.len()).rev() {
            let (before, rest) = ws.caches.split_at_mut(l);
            let dz = rest[0].delta.view();
            match before.last_mut() {
                None => self.layers[l].backward(x, dz, &mut ws.grads[l], first_dw, None, &mut ws.scratch),
                Some(prev) => {
                    let da_prev = Some(prev.delta.view_mut());
                    // `prev.output()`, by field: its delta is borrowed for dA[l−1] at once.
                    let a_prev = match &prev.dropout {
                        Some(dropout) => dropout.kept.view(),
                        None => prev.a.view(),
                    };
                    self.layers[l].backward(a_prev, dz, &mut ws.grads[l], true, da_prev, &mut ws.scratch);
                    if let Some(dropout) = &prev.dropout {
                        dropout_backward(prev.delta.view_mut(), dropout.mask.view(), dropout.keep_prob);
                    }
                    activation_backward_in_parts(
                        self.layers[l - 1].activation(),
                        contiguous(&prev.z),
                        contiguous(&prev.a),
                        prev.delta.as_slice_mut().expect("buffers are contiguous"),
                        ws.scratch.threads(),
                    );
                }
            }
        }
    }

    /// One gradient-descent step with the gradients in `ws`:
    /// `W[l] := W[l] − α·dW[l]`, `b[l] := b[l] − α·db[l]`.
    /// Training runs its optimizer instead (gradient descent among them: see
    /// [`Optimizer`](crate::Optimizer)).
    pub fn update(&mut self, ws: &Workspace<T>, learning_rate: T) {
        for (layer, grads) in self.layers.iter_mut().zip(&ws.grads) {
            layer.update(grads, learning_rate);
        }
    }

    /// The output A\[L\] for every example: probabilities for a sigmoid output, one per class
    /// (each column summing to 1) for a softmax output, values for a linear one.
    ///
    /// The products run on the current rayon pool's threads, with one exception made for
    /// single examples: when the pool has two threads or more, a matrix-vector product too
    /// small to be worth waking the pool for (such as W\[1\]·x of the course's cat models) is
    /// split with a helper thread of the crate's. After each such product the helper keeps
    /// polling for the next one for 200 µs, then sleeps, so that back-to-back predictions do
    /// not wait for a thread to wake up. The results are the same bits on any number of
    /// threads.
    ///
    /// # Shapes
    /// `x`: n_x × m; result: n\[L\] × m.
    pub fn predict_proba(&self, x: ArrayView2<T>) -> Result<Array2<T>> {
        self.check_input_shape(x)?;
        let m = x.ncols();
        let mut scratch = GemmScratch::for_prediction(rayon::current_num_threads());
        // Z[l] and A[l] of the hidden layers, and Z[L], in one buffer: one allocation for
        // them all, which counts when predicting one example. A[L] is the result.
        let (last, hidden) = self.layers.split_last().expect("a network has layers");
        let mut buffer =
            vec![T::zero(); (hidden.iter().map(|layer| 2 * layer.n_out()).sum::<usize>() + last.n_out()) * m];
        let mut output = Array2::zeros((last.n_out(), m));
        let mut output_values = Some(output.as_slice_mut().expect("a new array is contiguous"));
        let mut free = buffer.as_mut_slice();
        let mut a_prev = x;
        for (l, layer) in self.layers.iter().enumerate() {
            let shape = (layer.n_out(), m);
            let (z, rest) = std::mem::take(&mut free).split_at_mut(shape.0 * m);
            let (a, rest) = if l < hidden.len() {
                rest.split_at_mut(shape.0 * m)
            } else {
                (output_values.take().expect("one last layer"), rest)
            };
            let (z_view, a_view) =
                (ArrayViewMut2::from_shape(shape, &mut *z), ArrayViewMut2::from_shape(shape, &mut *a));
            layer.forward(a_prev, z_view.expect("sized above"), a_view.expect("sized above"), &mut scratch);
            // A NaN or infinity in X makes every value of Z[1] it meets non-finite, so X is
            // searched (as `check_input` does) only when Z[1] is not all finite. Reading
            // X once less matters when predicting one example.
            if l == 0 && !all_finite(z) {
                check_finite("X", x)?;
            }
            let a: &[T] = a;
            a_prev = ArrayView2::from_shape(shape, a).expect("sized above");
            free = rest;
        }
        Ok(output)
    }

    /// Labels 1 where the output exceeds `threshold` (the course's `p > 0.5`), else 0.
    ///
    /// # Shapes
    /// `x`: n_x × m; result: n\[L\] × m.
    pub fn predict(&self, x: ArrayView2<T>, threshold: T) -> Result<Array2<T>> {
        Ok(self.predict_proba(x)?.mapv_into(|p| if p > threshold { T::one() } else { T::zero() }))
    }

    /// The predicted class of every example: the most probable of the k outputs (the first
    /// on a tie, as numpy's `argmax`), or for a single output class 1 where `p > 0.5` (the
    /// course's rule) and class 0 elsewhere.
    ///
    /// # Shapes
    /// `x`: n_x × m; result: m class indexes.
    pub fn predict_classes(&self, x: ArrayView2<T>) -> Result<Vec<usize>> {
        Ok(classes_of(self.predict_proba(x)?.view()))
    }
}

/// The class of every column of probabilities: the first argmax over k ≥ 2 rows, or
/// `p > 0.5` for one row.
///
/// # Shapes
/// `probabilities`: k × m; result: m class indexes.
pub fn classes_of<T: Float>(probabilities: ArrayView2<T>) -> Vec<usize> {
    let half = T::from_f64(0.5);
    probabilities
        .columns()
        .into_iter()
        .map(|column| match column.len() {
            1 => usize::from(column[0] > half),
            _ => {
                column.iter().enumerate().fold((0, column[0]), |best, (i, &p)| if p > best.1 { (i, p) } else { best }).0
            }
        })
        .collect()
}

/// Softmax only as the output activation, and over at least two outputs.
fn check_softmax(activations: &[Activation], n_out: usize) -> Result<()> {
    let (output, hidden) = activations.split_last().expect("at least one layer");
    if let Some(l) = hidden.iter().position(|&g| g == Activation::Softmax) {
        return Err(Error::InvalidHyperparameter {
            name: "activations",
            value: format!("softmax for hidden layer {}", l + 1),
            expected: "softmax only as the output activation",
        });
    }
    if *output == Activation::Softmax && n_out < 2 {
        return Err(Error::InvalidHyperparameter {
            name: "output",
            value: format!("softmax over {n_out} output"),
            expected: "softmax needs at least two outputs, one per class; use sigmoid for a single output",
        });
    }
    Ok(())
}

/// `dZ = dA ⊙ g'(Z)` in place, the values split in halves between `parts` threads while
/// there are many (each value is computed alone: the split changes nothing).
fn activation_backward_in_parts<T: Float>(g: Activation, z: &[T], a: &[T], dz: &mut [T], parts: usize) {
    if crate::elementwise::splits(dz.len(), parts) {
        let mid = dz.len() / 2;
        let (dz_left, dz_right) = dz.split_at_mut(mid);
        crate::elementwise::join_halves(
            parts,
            || activation_backward_in_parts(g, &z[..mid], &a[..mid], dz_left, parts / 2),
            || activation_backward_in_parts(g, &z[mid..], &a[mid..], dz_right, parts - parts / 2),
        );
    } else {
        g.backward_in_place(z, a, dz);
    }
}

fn contiguous<T>(array: &Array2<T>) -> &[T] {
    array.as_slice().expect("buffers are contiguous")
}

/// Whether every value is finite: a large array (a training set) in two halves, one on the
/// helper thread.
fn all_finite<T: Float>(values: &[T]) -> bool {
    const HALVES_FROM: usize = 1 << 20;
    if values.len() < HALVES_FROM {
        return all_finite_in_one_pass(values);
    }
    let (first, second) = values.split_at(values.len() / 2);
    let (mut first_finite, mut second_finite) = (false, false);
    crate::helper::join(
        || first_finite = all_finite_in_one_pass(first),
        || second_finite = all_finite_in_one_pass(second),
    );
    first_finite && second_finite
}

/// Whether every value is finite, in one vectorisable pass: `v·0` is 0 for a finite v and
/// NaN for an infinite or NaN one, and NaN stays NaN through the sums.
fn all_finite_in_one_pass<T: Float>(values: &[T]) -> bool {
    let mut sums = [T::zero(); 8];
    let chunks = values.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (sum, &v) in sums.iter_mut().zip(chunk) {
            *sum += v * T::zero();
        }
    }
    sums.iter().all(|s| *s == T::zero()) && rest.iter().all(|v| v.is_finite())
}

fn check_finite<T: Float>(what: &str, values: ArrayView2<T>) -> Result<()> {
    if values.as_slice_memory_order().is_some_and(all_finite) {
        return Ok(());
    }
    match values.indexed_iter().find(|(_, v)| !v.is_finite()) {
        None => Ok(()),
        Some(((row, column), value)) => {
            Err(Error::NonFinite { what: what.to_string(), row, column, value: value.as_f64() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A training set's size, checked in two halves: a NaN or an infinity anywhere is found,
    /// at either end of either half.
    #[test]
    fn all_finite_finds_a_non_finite_value_in_either_half() {
        let len = 3 << 20;
        let mut values = vec![0.5f32; len];
        assert!(all_finite(&values));
        for at in [0, len / 2 - 1, len / 2, len - 1] {
            for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
                values[at] = bad;
                assert!(!all_finite(&values), "{bad} at {at}");
                values[at] = 0.5;
            }
        }
    }
}
