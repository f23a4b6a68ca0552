//! The training loop allocates nothing after its first iteration: a counting global
//! allocator (this test binary only) sees the same count at the end as after iteration 0.
//! Predicting one example allocates two buffers: its layers' values and its result.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};

use dnn::{fit_with, Activation, Architecture, Init, Network, NumpyRng, TrainConfig};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made during iterations 1.. of training, for the given shape and threads: a
/// sigmoid output for one unit, a softmax for more.
fn allocations_after_first_iteration(sizes: &[usize], m: usize, threads: usize) -> usize {
    let k = sizes[sizes.len() - 1];
    let output = if k > 1 { Activation::Softmax } else { Activation::Sigmoid };
    let arch = Architecture::new(sizes, Activation::Relu, output).unwrap();
    let mut rng = NumpyRng::new(1);
    let net = Network::<f64>::init(&arch, Init::He, &mut rng).unwrap();
    let x = rng.randn_matrix(sizes[0], m);
    let y = x.row(0).mapv(|v| if v > 0.0 { 1.0 } else { 0.0 }).insert_axis(ndarray::Axis(0));
    let y = if k > 1 { dnn::data::one_hot(&y.mapv(|v| v + (k - 2) as f64), k) } else { y };
    let config = TrainConfig::new(0.01, 20).with_threads(threads).check().unwrap();
    let mut after_first = 0;
    let mut at_end = 0;
    fit_with(net, x.view(), y.view(), &config, |progress| {
        let count = ALLOCATIONS.load(Ordering::SeqCst);
        if progress.iteration == 0 {
            after_first = count;
        }
        at_end = count;
        ControlFlow::Continue(())
    })
    .unwrap();
    at_end - after_first
}

/// One test, so that nothing else in this binary allocates while it counts.
#[test]
fn training_allocates_nothing_per_iteration_and_a_prediction_twice() {
    // Small shapes (single-threaded product paths) and large ones (where the products
    // split over threads).
    // Softmax outputs too: SIGNS's network (the Gram form applies) and a small one.
    for (sizes, m) in [
        (&[5usize, 4, 3, 1][..], 17),
        (&[5, 4, 3][..], 17),
        (&[12288, 20, 7, 5, 1][..], 209),
        (&[300, 256, 128, 1][..], 2000),
        (&[12288, 25, 12, 6][..], 100),
    ] {
        for threads in [1, 2] {
            // The count is global: a thread pool of an earlier run winding down can
            // allocate during a short run, so the fewest of three runs is the loop's own.
            let count = (0..3).map(|_| allocations_after_first_iteration(sizes, m, threads)).min().unwrap();
            assert_eq!(count, 0, "{count} allocations in iterations 1..20 for {sizes:?}, m = {m}, {threads} thread(s)");
        }
    }
    // One example through the cat model, split with the helper thread on two threads.
    // (Several examples make W[1]·X a blocked product, whose packing buffers come on top.)
    for threads in [1, 2] {
        let count = allocations_of_one_prediction(&[12288, 20, 7, 5, 1], 1, threads);
        assert_eq!(count, 2, "{count} allocations predicting one example on {threads} thread(s)");
    }
}

/// Allocations made by one call to `predict_proba`, after a first call (which may start the
/// helper thread). Threads that are still starting (the new pool's, the helper) allocate
/// too, and the count is global: the fewest of ten calls is the prediction's own.
fn allocations_of_one_prediction(sizes: &[usize], m: usize, threads: usize) -> usize {
    let arch = Architecture::new(sizes, Activation::Relu, Activation::Sigmoid).unwrap();
    let mut rng = NumpyRng::new(1);
    let net = Network::<f64>::init(&arch, Init::He, &mut rng).unwrap();
    let x = rng.randn_matrix(sizes[0], m);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        net.predict_proba(x.view()).unwrap();
        let one_call = || {
            let before = ALLOCATIONS.load(Ordering::SeqCst);
            let output = net.predict_proba(x.view()).unwrap();
            let count = ALLOCATIONS.load(Ordering::SeqCst) - before;
            drop(output);
            count
        };
        (0..10).map(|_| one_call()).min().expect("ten calls")
    })
}
