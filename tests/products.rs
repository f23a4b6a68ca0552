//! Every matrix product a layer runs, against a naive f64 reference, on random shapes, memory
//! layouts, both float types and 1, 2 and 3 threads.
//!
//! The paths: [`Dense::linear_forward`] and [`Dense::linear_activation_forward`],
//! [`Dense::linear_backward`], the sweeps [`Network::forward`] and [`Network::backward`] on
//! workspaces of 1, 2 and 3 threads, and [`Network::predict_proba`] in pools of 1, 2 and 3
//! threads (one example with n_x = 12288 goes through the helper thread). Shapes: layers of 1 to
//! 300 units, 1 to 200 examples, a few inputs of n_x = 12288. Inputs that the functions take as
//! views come transposed, strided, reversed or broadcast.
//!
//! Each computed value must lie within the rounding bound of its sum, with u the unit
//! roundoff of the float type: a sum of k products is within about k·u·Σ|terms| of the exact
//! value whatever the order of summation, and so is the f64 reference. Gradients of lower
//! layers also carry the rounding of the dZ they start from, bounded the same way. The bits
//! must be the same for every number of threads, and a prediction's the same as the forward
//! sweep's.
//!
//! Kernels: the tests run with the best kernel the CPU has (AVX-512 where it has AVX-512F,
//! else AVX2 + FMA, else the portable loops), and `every_kernel_agrees_with_the_reference`
//! runs them again in child processes with each other kernel (`DNN_KERNEL=avx512|avx2|portable`);
//! a kernel the CPU lacks is skipped with a printed reason.
//!
//! `DNN_PRODUCT_CASES` sets the number of random cases (default 400; e.g. 5000 for a long
//! run), `DNN_PRODUCT_SEED` the first seed (default 0); case i uses `NumpyRng::new(seed + i)`,
//! and a failure names both, so `DNN_PRODUCT_SEED=<seed + i> DNN_PRODUCT_CASES=1` repeats it.
//!
//! Under Miri (not run in CI; shapes and cases shrink there, and only the library runs: the
//! reference comparisons are skipped, the comparisons of bits are not): the portable loops with
//! `CARGO_TARGET_DIR=target-miri cargo +nightly miri test --no-default-features --test products`,
//! the AVX2 + FMA kernels by adding `RUSTFLAGS="-C target-feature=+avx2,+fma"` to it.

use std::sync::OnceLock;

use dnn::{Activation, Architecture, Dense, Float, Loss, Network, NumpyRng, Workspace};
use ndarray::{s, Array1, Array2, ArrayView2, Axis};

/// How an input matrix is laid out in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Row-major.
    Standard,
    /// Column-major: a transposed view.
    Transposed,
    /// Every other column of a wider array, rows padded.
    Strided,
    /// Rows in reverse order (a negative stride).
    Reversed,
    /// One column repeated for every example (a zero stride).
    Broadcast,
}

const LAYOUTS: [Layout; 5] =
    [Layout::Standard, Layout::Transposed, Layout::Strided, Layout::Reversed, Layout::Broadcast];

/// A matrix held in some layout.
struct Operand<T> {
    storage: Array2<T>,
    layout: Layout,
    dim: (usize, usize),
}

impl<T: Float> Operand<T> {
    /// A `rows × cols` matrix of `values` (row-major), stored in `layout`. A broadcast
    /// operand repeats its first column.
    fn new(values: &Array2<f64>, layout: Layout) -> Self {
        let (rows, cols) = values.dim();
        let cast = |v: &f64| T::from_f64(*v);
        let storage = match layout {
            Layout::Standard => values.map(cast),
            Layout::Transposed => values.t().as_standard_layout().map(cast),
            Layout::Strided => {
                let mut wide = Array2::from_elem((rows, 2 * cols + 3), T::from_f64(f64::NAN));
                wide.slice_mut(s![.., 1..2 * cols + 1;2]).assign(&values.map(cast));
                wide
            }
            Layout::Reversed => values.slice(s![..;-1, ..]).map(cast),
            Layout::Broadcast => values.column(0).map(cast).insert_axis(Axis(1)),
        };
        Operand { storage, layout, dim: (rows, cols) }
    }

    fn view(&self) -> ArrayView2<'_, T> {
        let (rows, cols) = self.dim;
        match self.layout {
            Layout::Standard => self.storage.view(),
            Layout::Transposed => self.storage.t(),
            Layout::Strided => self.storage.slice(s![.., 1..2 * cols + 1;2]),
            Layout::Reversed => self.storage.slice(s![..;-1, ..]),
            Layout::Broadcast => self.storage.broadcast((rows, cols)).expect("one column"),
        }
    }

    /// The values as the reference sees them (exactly the operand's, in f64).
    fn values(&self) -> Array2<f64> {
        self.view().map(|v| v.as_f64())
    }
}

/// u, the unit roundoff of `T`.
fn unit_roundoff<T: Float>() -> f64 {
    T::epsilon().as_f64() / 2.0
}

/// `a · b` in f64, and `|a| · |b|`, the size of the terms each sum adds up.
fn product(a: &Array2<f64>, b: &Array2<f64>) -> (Array2<f64>, Array2<f64>) {
    let (p, k) = a.dim();
    let q = b.ncols();
    assert_eq!(b.nrows(), k);
    let a = a.as_standard_layout().into_owned();
    let bt = b.t().as_standard_layout().into_owned();
    let (a, bt) = (a.as_slice().unwrap(), bt.as_slice().unwrap());
    let mut value = Array2::zeros((p, q));
    let mut size = Array2::zeros((p, q));
    for i in 0..p {
        let a_row = &a[i * k..(i + 1) * k];
        for j in 0..q {
            let b_col = &bt[j * k..(j + 1) * k];
            let (mut sum, mut abs) = (0.0, 0.0);
            for (&x, &y) in a_row.iter().zip(b_col) {
                sum += x * y;
                abs += (x * y).abs();
            }
            value[(i, j)] = sum;
            size[(i, j)] = abs;
        }
    }
    (value, size)
}

/// Checks `got` against `want` within `bound` per entry (and the shapes).
#[track_caller]
fn assert_within<T: Float>(got: ArrayView2<T>, want: &Array2<f64>, bound: &Array2<f64>, what: &str, case: &str) {
    assert_eq!(got.dim(), want.dim(), "{case}: {what}: shape");
    for (((index, &g), &w), &b) in got.indexed_iter().zip(want).zip(bound) {
        let g = g.as_f64();
        assert!(
            (g - w).abs() <= b + f64::MIN_POSITIVE,
            "{case}: {what}{index:?} is {g:e}, the reference {w:e}, allowed error {b:e}"
        );
    }
}

/// The same bits, entry by entry.
#[track_caller]
fn assert_same_bits<T: Float>(a: ArrayView2<T>, b: ArrayView2<T>, what: &str, case: &str) {
    assert_eq!(a.dim(), b.dim(), "{case}: {what}: shape");
    let differs = a.iter().zip(b).position(|(x, y)| x.as_f64().to_bits() != y.as_f64().to_bits());
    assert!(differs.is_none(), "{case}: {what} differs at flat index {differs:?}");
}

/// g(z) in f64, written independently of the library's.
fn activate(g: Activation, z: f64) -> f64 {
    match g {
        Activation::Sigmoid => 1.0 / (1.0 + (-z).exp()),
        Activation::Tanh => z.tanh(),
        Activation::Relu => z.max(0.0),
        Activation::LeakyRelu(slope) => {
            if z > 0.0 {
                z
            } else {
                slope * z
            }
        }
        Activation::Linear => z,
        Activation::Softmax => unreachable!("the products' cases have element-wise activations only"),
    }
}

/// g'(z) in f64 from z and a = g(z), as the course's backward functions.
fn derivative(g: Activation, z: f64, a: f64) -> f64 {
    match g {
        Activation::Sigmoid => a * (1.0 - a),
        Activation::Tanh => 1.0 - a * a,
        Activation::Relu => {
            if z > 0.0 {
                1.0
            } else {
                0.0
            }
        }
        Activation::LeakyRelu(slope) => {
            if z > 0.0 {
                1.0
            } else {
                slope
            }
        }
        Activation::Linear => 1.0,
        Activation::Softmax => unreachable!("the products' cases have element-wise activations only"),
    }
}

/// The rounding bound of a computed sum of k terms of total size `size`, plus that of the
/// f64 reference: (k + 2)·u·size for each (the 2 for a scale and a bias).
fn sum_bound<T: Float>(k: usize, size: f64) -> f64 {
    ((k + 2) as f64 * unit_roundoff::<T>() + (k + 2) as f64 * unit_roundoff::<f64>()) * size * 1.01
}

/// Z = W·A_prev + b (k = n[l−1] terms and the bias) and A = g(Z), against the reference from
/// the same inputs; A within 16 units in the last place of g(Z) computed from the Z returned.
#[track_caller]
fn check_forward<T: Float>(layer: &Dense<T>, a_prev: &Array2<f64>, z: ArrayView2<T>, a: ArrayView2<T>, case: &str) {
    let w = layer.w().map(|v| v.as_f64());
    let b = layer.b().map(|v| v.as_f64());
    let (mut want, mut size) = product(&w, a_prev);
    want += &b.view().insert_axis(Axis(1));
    size += &b.mapv(f64::abs).insert_axis(Axis(1));
    let k = w.ncols() + 1;
    assert_within(z, &want, &size.mapv(|s| sum_bound::<T>(k, s)), "Z", case);
    let g = layer.activation();
    let a_want = z.map(|&z| activate(g, z.as_f64()));
    let a_bound = a_want.mapv(|a| 16.0 * unit_roundoff::<T>() * a.abs());
    assert_within(a, &a_want, &a_bound, "A", case);
}

/// A random matrix of standard normal values times `scale`.
fn randn(rng: &mut NumpyRng, rows: usize, cols: usize, scale: f64) -> Array2<f64> {
    rng.randn_matrix(rows, cols) * scale
}

fn pick<T: Copy>(rng: &mut NumpyRng, items: &[T]) -> T {
    items[rng.below(items.len() as u32) as usize]
}

/// 1..=n, more often small: half the draws from 1..=n, half from 1..=min(n, 20).
fn size(rng: &mut NumpyRng, n: usize) -> usize {
    let n = if rng.below(2) == 0 { n } else { n.min(20) };
    1 + rng.below(n as u32) as usize
}

/// A layer of `n_out` units over `n_in` inputs, weights of size about 1/√n_in.
fn random_layer<T: Float>(rng: &mut NumpyRng, n_in: usize, n_out: usize, g: Activation) -> Dense<T> {
    let w = randn(rng, n_out, n_in, 1.0 / (n_in as f64).sqrt()).mapv(T::from_f64);
    let b = Array1::from_iter((0..n_out).map(|_| T::from_f64(0.5 * rng.randn())));
    Dense::new(w, b, g).unwrap()
}

const HIDDEN: [Activation; 5] =
    [Activation::Relu, Activation::Tanh, Activation::Sigmoid, Activation::LeakyRelu(0.01), Activation::Linear];

/// The largest sizes drawn: smaller under Miri, which interprets every instruction.
#[cfg(not(miri))]
const LIMITS: (usize, usize, usize) = (300, 200, 12288);
#[cfg(miri)]
const LIMITS: (usize, usize, usize) = (24, 12, 400);

/// A case of one layer's functions.
#[derive(Debug, Clone, Copy)]
struct LayerSpec {
    n_in: usize,
    n_out: usize,
    m: usize,
    g: Activation,
    a_layout: Layout,
    dz_layout: Layout,
}

impl LayerSpec {
    fn random(rng: &mut NumpyRng) -> LayerSpec {
        let (max_n, max_m, wide) = LIMITS;
        let n_in = if rng.below(30) == 0 { wide } else { size(rng, max_n) };
        let n_out = size(rng, if n_in == wide { 24 } else { max_n });
        let m = size(rng, if n_in == wide { 16 } else { max_m });
        let g = pick(rng, &HIDDEN);
        LayerSpec { n_in, n_out, m, g, a_layout: pick(rng, &LAYOUTS), dz_layout: pick(rng, &LAYOUTS) }
    }
}

/// One layer's step-by-step functions: `linear_forward`, `linear_activation_forward` and
/// `linear_backward`.
fn layer_case<T: Float>(spec: LayerSpec, rng: &mut NumpyRng, case: &str) {
    let LayerSpec { n_in, n_out, m, g, a_layout, dz_layout } = spec;
    let layer = random_layer::<T>(rng, n_in, n_out, g);
    let case = format!("{case}: {} W {n_out}×{n_in}, m = {m}, A_prev {a_layout:?}, dZ {dz_layout:?}", T::DTYPE.name());
    let a_prev = Operand::<T>::new(&randn(rng, n_in, m, 1.0), a_layout);
    let dz = Operand::<T>::new(&randn(rng, n_out, m, 1.0), dz_layout);

    let z = layer.linear_forward(a_prev.view()).unwrap();
    let (z_again, a) = layer.linear_activation_forward(a_prev.view()).unwrap();
    let (da_prev, grads) = layer.linear_backward(dz.view(), a_prev.view()).unwrap();
    if cfg!(miri) {
        return; // Miri looks for undefined behaviour; the reference would take it hours.
    }
    check_forward(&layer, &a_prev.values(), z.view(), a.view(), &case);
    assert_same_bits(z.view(), z_again.view(), "Z of linear_activation_forward", &case);

    let (w, dz, a_prev) = (layer.w().map(|v| v.as_f64()), dz.values(), a_prev.values());
    let (want, size) = product(&w.t().to_owned(), &dz);
    assert_within(da_prev.view(), &want, &size.mapv(|s| sum_bound::<T>(n_out, s)), "dA_prev", &case);
    let (want, size) = product(&dz, &a_prev.t().to_owned());
    let one_over_m = 1.0 / m as f64;
    let bound = size.mapv(|s| sum_bound::<T>(m, s * one_over_m));
    assert_within(grads.dw.view(), &(want * one_over_m), &bound, "dW", &case);
    let db_want = dz.sum_axis(Axis(1)) * one_over_m;
    let db_bound = dz.mapv(f64::abs).sum_axis(Axis(1)).mapv(|s| sum_bound::<T>(m, s * one_over_m));
    let column = |v: Array1<f64>| v.insert_axis(Axis(1));
    assert_within(grads.db.view().insert_axis(Axis(1)), &column(db_want), &column(db_bound), "db", &case);
}

/// Rayon pools of 1, 2 and 3 threads, made once.
fn pools() -> &'static [rayon::ThreadPool; 3] {
    static POOLS: OnceLock<[rayon::ThreadPool; 3]> = OnceLock::new();
    POOLS.get_or_init(|| std::array::from_fn(|i| rayon::ThreadPoolBuilder::new().num_threads(i + 1).build().unwrap()))
}

/// What one forward and backward sweep computed.
struct Sweep<T> {
    z: Vec<Array2<T>>,
    a: Vec<Array2<T>>,
    dw: Vec<Array2<T>>,
    db: Vec<Array1<T>>,
}

fn sweep<T: Float>(network: &Network<T>, x: ArrayView2<T>, y: ArrayView2<T>, threads: usize) -> Sweep<T> {
    pools()[threads - 1].install(|| {
        let mut ws = Workspace::with_threads(network, x.ncols(), threads);
        network.forward(x, &mut ws);
        network.backward(x, y, &mut ws);
        let layers = 1..=network.layers().len();
        Sweep {
            z: layers.clone().map(|l| ws.z(l).to_owned()).collect(),
            a: layers.map(|l| ws.a(l).to_owned()).collect(),
            dw: ws.gradients().iter().map(|g| g.dw.clone()).collect(),
            db: ws.gradients().iter().map(|g| g.db.clone()).collect(),
        }
    })
}

/// A case of a whole network.
#[derive(Debug, Clone)]
struct NetworkSpec {
    sizes: Vec<usize>,
    m: usize,
    hidden: Activation,
    output: Activation,
    x_layout: Layout,
    y_layout: Layout,
}

impl NetworkSpec {
    fn random(rng: &mut NumpyRng) -> NetworkSpec {
        let (max_n, max_m, wide) = LIMITS;
        let depth = 1 + rng.below(3) as usize;
        let n_x = if rng.below(20) == 0 { wide } else { size(rng, max_n) };
        let m = if n_x == wide { pick(rng, &[1, 1, 2, 8, 16]) } else { size(rng, max_m) };
        let max_hidden = if n_x == wide { 24 } else { max_n };
        let mut sizes = vec![n_x];
        sizes.extend((0..depth).map(|l| size(rng, if l + 1 == depth { 3 } else { max_hidden })));
        NetworkSpec {
            sizes,
            m,
            hidden: pick(rng, &HIDDEN),
            output: pick(rng, &[Activation::Sigmoid, Activation::Linear]),
            x_layout: pick(rng, &LAYOUTS),
            y_layout: pick(rng, &[Layout::Standard, Layout::Transposed, Layout::Strided]),
        }
    }
}

/// A whole network: the forward and backward sweeps on 1, 2 and 3 threads (the same bits),
/// each layer's Z, A, dW and db against the reference, and predictions in pools of 1, 2 and 3
/// threads (the same bits as the forward sweep's A[L]).
fn network_case<T: Float>(spec: &NetworkSpec, rng: &mut NumpyRng, case: &str) {
    let NetworkSpec { ref sizes, m, hidden, output, x_layout, y_layout } = *spec;
    let (n_x, depth) = (sizes[0], sizes.len() - 1);
    let case = format!(
        "{case}: {} sizes {sizes:?}, m = {m}, {hidden:?}/{output:?}, X {x_layout:?}, Y {y_layout:?}",
        T::DTYPE.name()
    );
    let arch = Architecture::new(sizes, hidden, output).unwrap();
    let layers: Vec<Dense<T>> =
        sizes.windows(2).zip(arch.activations()).map(|(pair, &g)| random_layer(rng, pair[0], pair[1], g)).collect();
    let network = Network::from_layers(layers, arch.loss()).unwrap();
    let x = Operand::<T>::new(&randn(rng, n_x, m, 1.0), x_layout);
    let y_values = match arch.loss() {
        Loss::CrossEntropy => randn(rng, sizes[depth], m, 1.0).mapv(|v| if v > 0.0 { 1.0 } else { 0.0 }),
        Loss::MeanSquaredError => randn(rng, sizes[depth], m, 1.0),
        Loss::CategoricalCrossEntropy => unreachable!("the products' cases have sigmoid or linear outputs"),
    };
    let y = Operand::<T>::new(&y_values, y_layout);

    let one = sweep(&network, x.view(), y.view(), 1);
    for threads in [2, 3] {
        let other = sweep(&network, x.view(), y.view(), threads);
        for l in 0..depth {
            let what = |name: &str| format!("{name}[{}] on {threads} threads against 1", l + 1);
            assert_same_bits(one.z[l].view(), other.z[l].view(), &what("Z"), &case);
            assert_same_bits(one.a[l].view(), other.a[l].view(), &what("A"), &case);
            assert_same_bits(one.dw[l].view(), other.dw[l].view(), &what("dW"), &case);
            let column = |v: &Array1<T>| v.clone().insert_axis(Axis(1));
            assert_same_bits(column(&one.db[l]).view(), column(&other.db[l]).view(), &what("db"), &case);
        }
    }
    for (threads, pool) in pools().iter().enumerate() {
        let predicted = pool.install(|| network.predict_proba(x.view()).unwrap());
        let what = format!("predict_proba in a pool of {} threads against the forward sweep", threads + 1);
        assert_same_bits(predicted.view(), one.a[depth - 1].view(), &what, &case);
    }

    if cfg!(miri) {
        return; // As in `layer_case`.
    }

    // The forward sweep, layer by layer, from the A[l−1] it computed.
    let inputs: Vec<Array2<f64>> =
        std::iter::once(x.values()).chain(one.a.iter().map(|a| a.map(|v| v.as_f64()))).collect();
    for (l, layer) in network.layers().iter().enumerate() {
        check_forward(layer, &inputs[l], one.z[l].view(), one.a[l].view(), &format!("{case}, layer {}", l + 1));
    }

    // The backward sweep: dZ[L] from the loss, then down the layers. `dz` is the reference dZ[l]
    // and `dz_error` a bound on how far the library's dZ[l] may be from it.
    let u = unit_roundoff::<T>();
    let y = y.values();
    let (z_last, a_last) = (one.z[depth - 1].map(|v| v.as_f64()), one.a[depth - 1].map(|v| v.as_f64()));
    let (mut dz, mut dz_error) = match arch.loss() {
        Loss::CrossEntropy => (&a_last - &y, (&a_last - &y).mapv(|d| 2.0 * u * d.abs())),
        Loss::MeanSquaredError => {
            let g = ndarray::Zip::from(&z_last).and(&a_last).map_collect(|&z, &a| derivative(output, z, a));
            let dz = (&a_last - &y) * 2.0 * &g;
            let error = dz.mapv(|d| 4.0 * u * d.abs());
            (dz, error)
        }
        Loss::CategoricalCrossEntropy => unreachable!("the products' cases have sigmoid or linear outputs"),
    };
    let one_over_m = 1.0 / m as f64;
    for l in (0..depth).rev() {
        let layer_case = format!("{case}, layer {}", l + 1);
        let a_prev = &inputs[l];
        // dW = (1/m)·dZ·A_prevᵀ: its own rounding, and dZ's error carried through.
        let (want, size) = product(&dz, &a_prev.t().to_owned());
        let (carried, _) = product(&dz_error, &a_prev.mapv(f64::abs).t().to_owned());
        let bound = (size.mapv(|s| sum_bound::<T>(m, s)) + carried * 2.0) * one_over_m;
        assert_within(one.dw[l].view(), &(want * one_over_m), &bound, "dW", &layer_case);
        let db_want = dz.sum_axis(Axis(1)) * one_over_m;
        let db_bound = (dz.mapv(f64::abs).sum_axis(Axis(1)).mapv(|s| sum_bound::<T>(m, s))
            + dz_error.sum_axis(Axis(1)) * 2.0)
            * one_over_m;
        let column = |v: Array1<f64>| v.insert_axis(Axis(1));
        assert_within(one.db[l].view().insert_axis(Axis(1)), &column(db_want), &column(db_bound), "db", &layer_case);
        if l == 0 {
            break;
        }
        // dA[l−1] = W[l]ᵀ·dZ[l], then dZ[l−1] = dA[l−1] ⊙ g'(Z[l−1]) from the cached Z and A.
        let w = network.layers()[l].w().map(|v| v.as_f64());
        let (da, size) = product(&w.t().to_owned(), &dz);
        let (carried, _) = product(&w.mapv(f64::abs).t().to_owned(), &dz_error);
        let da_error = size.mapv(|s| sum_bound::<T>(w.nrows(), s)) + carried;
        let (z, a) = (one.z[l - 1].map(|v| v.as_f64()), one.a[l - 1].map(|v| v.as_f64()));
        let g = ndarray::Zip::from(&z).and(&a).map_collect(|&z, &a| derivative(hidden, z, a));
        // g' itself is rounded: for tanh, 1 − a² cancels where a is near ±1, so its error is
        // about u·a² however small 1 − a² is.
        let g_error = ndarray::Zip::from(&z).and(&a).map_collect(|&z, &a| match hidden {
            Activation::Tanh => 4.0 * u * (a * a + (1.0 - a * a).abs()),
            _ => 4.0 * u * derivative(hidden, z, a).abs(),
        });
        dz = &da * &g;
        dz_error = &da_error * &g.mapv(f64::abs) + &da.mapv(f64::abs) * &g_error + dz.mapv(|d| 2.0 * u * d.abs());
    }
}

/// The number of random cases and the first seed, from the environment.
fn cases() -> (u32, u32) {
    let read = |name: &str, default: u32| {
        std::env::var(name).map_or(default, |v| v.parse().unwrap_or_else(|_| panic!("{name}={v}: not a number")))
    };
    let default = if cfg!(miri) { 1 } else { 400 };
    (read("DNN_PRODUCT_CASES", default), read("DNN_PRODUCT_SEED", 0))
}

#[test]
fn random_products_agree_with_the_reference() {
    let (count, seed) = cases();
    for i in 0..count {
        let case_seed = seed.wrapping_add(i);
        let case = format!("case {i} (DNN_PRODUCT_SEED={case_seed} DNN_PRODUCT_CASES=1)");
        let mut rng = NumpyRng::new(case_seed);
        let f32 = rng.below(2) == 0;
        let (layer, network) = (LayerSpec::random(&mut rng), NetworkSpec::random(&mut rng));
        if f32 {
            layer_case::<f32>(layer, &mut rng, &case);
            network_case::<f32>(&network, &mut rng, &case);
        } else {
            layer_case::<f64>(layer, &mut rng, &case);
            network_case::<f64>(&network, &mut rng, &case);
        }
    }
}

/// A layer of ReLU units, its inputs in standard layout.
fn standard_layer(n_in: usize, n_out: usize, m: usize) -> LayerSpec {
    LayerSpec { n_in, n_out, m, g: Activation::Relu, a_layout: Layout::Standard, dz_layout: Layout::Standard }
}

/// A ReLU network with a sigmoid output, its inputs in standard layout.
fn standard_network(sizes: &[usize], m: usize) -> NetworkSpec {
    NetworkSpec {
        sizes: sizes.to_vec(),
        m,
        hidden: Activation::Relu,
        output: Activation::Sigmoid,
        x_layout: Layout::Standard,
        y_layout: Layout::Standard,
    }
}

/// Shapes that once failed or that reach a particular path (under Miri, the layers only):
/// a blocked product reading W in place past the last step of its sum (W 20×64 against
/// dZ 20×30, and 40×100 by X 100×16), both operands packed (60×40 by 40×40), f32 panels of
/// 16 columns whose last has 8 (20×100 by 100×24), a blocked product with k = 1 (300 units
/// of one input, 200 examples), the first layer of [784, 256, 128, 1] on a mini-batch of 64
/// and of 61 examples (AVX-512's tiles of 16 and 32 columns, whole and ragged), and one
/// example split with the helper thread (2000 inputs, in the pools of 2 and 3 threads).
#[test]
fn products_of_particular_shapes() {
    let mut rng = NumpyRng::new(1);
    let mut layers = vec![(64, 20, 30), (100, 40, 16), (40, 60, 40), (100, 20, 24), (1, 300, 200)];
    if !cfg!(miri) {
        layers.extend([(784, 256, 64), (784, 256, 61)]);
    }
    for spec in layers.into_iter().map(|(n_in, n_out, m)| standard_layer(n_in, n_out, m)) {
        let case = format!("{spec:?}");
        layer_case::<f64>(spec, &mut rng, &case);
        layer_case::<f32>(spec, &mut rng, &case);
    }
    if cfg!(miri) {
        // Under Miri the pools' and the helper's idle threads spin through interpreted time:
        // the networks take longer than a run can wait.
        return;
    }
    let networks = [
        standard_network(&[100, 20, 1], 24),
        standard_network(&[2000, 20, 1], 1),
        standard_network(&[784, 256, 128, 1], 64),
        standard_network(&[784, 256, 128, 1], 61),
    ];
    for spec in networks {
        let case = format!("{spec:?}");
        network_case::<f64>(&spec, &mut rng, &case);
        network_case::<f32>(&spec, &mut rng, &case);
    }
}

/// A blocked product split between 2 and 3 threads (64×64 by 64×64, the smallest product the
/// pool takes), in both sweeps. Minutes under Miri: there, run it with `--include-ignored`.
#[test]
#[cfg_attr(miri, ignore)]
fn a_blocked_product_split_between_threads() {
    let spec = standard_network(&[64, 64, 1], 64);
    network_case::<f64>(&spec, &mut NumpyRng::new(2), &format!("{spec:?}"));
}

/// The course's 4-layer model in f32 predicting 8 or 24 examples: the first product's copied
/// columns (8 or 24 of f32's 16-wide panels) once made packing panic.
#[cfg(not(miri))]
#[test]
fn f32_predictions_of_the_course_model_for_8_and_24_examples() {
    let arch = Architecture::new(&[12288, 20, 7, 5, 1], Activation::Relu, Activation::Sigmoid).unwrap();
    let network = Network::<f64>::init(&arch, dnn::Init::Lecun, &mut NumpyRng::new(1)).unwrap();
    let network32 = network.cast::<f32>();
    for m in [8, 24] {
        let x = NumpyRng::new(2).randn_matrix(12288, m);
        let p64 = network.predict_proba(x.view()).unwrap();
        let p32 = network32.predict_proba(x.mapv(|v| v as f32).view()).unwrap();
        let worst = p32.iter().zip(&p64).fold(0.0f64, |w, (&a, &b)| w.max((f64::from(a) - b).abs()));
        assert!(worst < 1e-5, "m = {m}: f32 and f64 predictions differ by {worst:e}");
    }
}

/// The tests above that compare with the reference, run again in a child process for each
/// kernel other than this process's (`DNN_KERNEL` caps the kernel; see `Kernel::detect`).
/// Each child must pass all three; a kernel the CPU lacks is skipped with the reason printed.
#[cfg(not(miri))]
#[test]
fn every_kernel_agrees_with_the_reference() {
    const TESTS: [&str; 3] = [
        "random_products_agree_with_the_reference",
        "products_of_particular_shapes",
        "a_blocked_product_split_between_threads",
    ];
    #[cfg(target_arch = "x86_64")]
    let (avx2, avx512) = {
        use std::arch::is_x86_feature_detected as has;
        let avx2 = has!("avx2") && has!("fma");
        (avx2, avx2 && has!("avx512f"))
    };
    #[cfg(not(target_arch = "x86_64"))]
    let (avx2, avx512) = (false, false);
    let best = if avx512 {
        "avx512"
    } else if avx2 {
        "avx2"
    } else {
        "portable"
    };
    let this_process = std::env::var("DNN_KERNEL").unwrap_or_else(|_| best.to_string());
    for (kernel, supported) in [("avx512", avx512), ("avx2", avx2), ("portable", true)] {
        if !supported {
            println!("DNN_KERNEL={kernel} skipped: this CPU lacks its instructions");
            continue;
        }
        if kernel == this_process {
            continue;
        }
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(TESTS)
            .args(["--exact", "--test-threads", "2"])
            .env("DNN_KERNEL", kernel)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("test result: ok. 3 passed"),
            "DNN_KERNEL={kernel}: {}\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
