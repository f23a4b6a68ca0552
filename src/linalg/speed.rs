//! The speed of the products the networks run, kernel beside kernel in one process, and the
//! CPU's peak rate of fused multiply-adds measured the same way. Not run by `cargo test`:
//!
//! `cargo test --release --lib linalg::speed -- --ignored --nocapture`
//!
//! (`DNN_SPEED_SHAPES=cat` times only the products whose name contains "cat".)
//!
//! Each figure is the median (and the best) of 21 samples, each sample repeating the product
//! for at least about 20 ms, the kernels' samples taken in turn; on one thread the samples
//! count the thread's CPU time, on two the time on the wall. The products: the first layer of [784, 256, 128, 1] on 6000
//! examples (a tenth of W5) and of the course's 4-layer cat network [12288, 20, 7, 5, 1] on
//! m = 209 (W1·X and dW1 = (1/m)·dZ1·Xᵀ), X stored one example per row as the data files
//! give it, and a mini-batch of 64
//! columns of [784, 256, 128, 1] (W1·Xb, W2·A1, dW1 = dZ1·Xbᵀ with Xbᵀ as training gathers
//! it, one example per row, dW2 = dZ2·A1ᵀ and dA1 = W2ᵀ·dZ2), and the SIGNS network's Gram form on 1080 pictures (G = XᵀX, and C·G both
//! read in place and packed once), in f64 and f32, on one thread and on two (split as training
//! splits them, with the helper thread).

use std::hint::black_box;
use std::time::{Duration, Instant};

use ndarray::{Array2, ArrayView2};

use super::{matmul_with, GemmScratch, Kernel};
use crate::{Float, NumpyRng};

/// Samples per figure.
const SAMPLES: usize = 21;

/// The least time one sample takes.
const SAMPLE_TIME: Duration = Duration::from_millis(20);

/// The CPU time this thread has used: unlike the time on the wall, it does not count the time
/// the thread waits while another process runs on its core.
fn thread_cpu_time() -> Duration {
    #[repr(C)]
    struct Timespec {
        seconds: i64,
        nanoseconds: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, time: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut time = Timespec { seconds: 0, nanoseconds: 0 };
    // SAFETY: `time` is a valid timespec for the call to fill.
    let status = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut time) };
    assert_eq!(status, 0, "clock_gettime");
    Duration::new(time.seconds as u64, time.nanoseconds as u32)
}

/// How a sample is timed.
#[derive(Clone, Copy)]
enum Clock {
    /// The CPU time of this thread (for runs on this thread alone).
    Thread,
    /// The time on the wall (for runs on several threads).
    Wall,
}

/// (median, best) seconds per call of each of `runs`, their samples taken in turn (so that
/// whatever else the machine runs slows them alike).
fn time(runs: &mut [&mut dyn FnMut()], clock: Clock) -> Vec<(f64, f64)> {
    let origin = Instant::now();
    let now = || match clock {
        Clock::Thread => thread_cpu_time(),
        Clock::Wall => origin.elapsed(),
    };
    let reps: Vec<usize> = runs
        .iter_mut()
        .map(|run| {
            run();
            let start = Instant::now();
            run();
            let once = start.elapsed().max(Duration::from_nanos(100));
            (SAMPLE_TIME.as_secs_f64() / once.as_secs_f64()).ceil().max(1.0) as usize
        })
        .collect();
    let mut samples = vec![Vec::with_capacity(SAMPLES); runs.len()];
    for _ in 0..SAMPLES {
        for ((run, &reps), samples) in runs.iter_mut().zip(&reps).zip(&mut samples) {
            let start = now();
            for _ in 0..reps {
                run();
            }
            samples.push((now() - start).as_secs_f64() / reps as f64);
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            (s[SAMPLES / 2], s[0])
        })
        .collect()
}

/// How an operand is given to the product.
#[derive(Clone, Copy)]
enum View {
    /// As stored (row-major).
    Plain,
    /// The transpose of a row-major matrix.
    Transposed,
}

/// One product as a layer runs it: `c = scale · a · b`, a p × k, b k × q.
struct Shape {
    name: &'static str,
    p: usize,
    k: usize,
    q: usize,
    a: View,
    b: View,
    scale: f64,
}

const SHAPES: [Shape; 11] = [
    Shape {
        name: "W5 W1·X 256×784·784×6000",
        p: 256,
        k: 784,
        q: 6000,
        a: View::Plain,
        b: View::Transposed,
        scale: 1.0,
    },
    Shape {
        name: "W5 dW1 = dZ1·Xᵀ 256×6000·6000×784",
        p: 256,
        k: 6000,
        q: 784,
        a: View::Plain,
        b: View::Plain,
        scale: 1.0 / 6000.0,
    },
    Shape {
        name: "cat W1·X 20×12288·12288×209",
        p: 20,
        k: 12288,
        q: 209,
        a: View::Plain,
        b: View::Transposed,
        scale: 1.0,
    },
    Shape {
        name: "cat dW1 = dZ1·Xᵀ 20×209·209×12288",
        p: 20,
        k: 209,
        q: 12288,
        a: View::Plain,
        b: View::Plain,
        scale: 1.0 / 209.0,
    },
    Shape { name: "batch W1·Xb 256×784·784×64", p: 256, k: 784, q: 64, a: View::Plain, b: View::Plain, scale: 1.0 },
    Shape { name: "batch W2·A1 128×256·256×64", p: 128, k: 256, q: 64, a: View::Plain, b: View::Plain, scale: 1.0 },
    Shape {
        name: "batch dW1 = dZ1·Xbᵀ 256×64·64×784",
        p: 256,
        k: 64,
        q: 784,
        a: View::Plain,
        b: View::Plain,
        scale: 1.0 / 64.0,
    },
    Shape {
        name: "batch dW2 = dZ2·A1ᵀ 128×64·64×256",
        p: 128,
        k: 64,
        q: 256,
        a: View::Plain,
        b: View::Transposed,
        scale: 1.0 / 64.0,
    },
    Shape {
        name: "batch dA1 = W2ᵀ·dZ2 256×128·128×64",
        p: 256,
        k: 128,
        q: 64,
        a: View::Transposed,
        b: View::Plain,
        scale: 1.0,
    },
    Shape {
        name: "signs Gram G = XᵀX 1080×12288·12288×1080",
        p: 1080,
        k: 12288,
        q: 1080,
        a: View::Plain,
        b: View::Transposed,
        scale: 1.0,
    },
    Shape {
        name: "signs Gram C·G 25×1080·1080×1080",
        p: 25,
        k: 1080,
        q: 1080,
        a: View::Plain,
        b: View::Plain,
        scale: 1.0,
    },
];

/// A random matrix of the view's shape, stored row-major as the view needs.
fn operand<T: Float>(rng: &mut NumpyRng, rows: usize, cols: usize, view: View) -> Array2<T> {
    match view {
        View::Plain => rng.randn_matrix(rows, cols).mapv(T::from_f64),
        View::Transposed => rng.randn_matrix(cols, rows).mapv(T::from_f64),
    }
}

fn viewed<T>(m: &Array2<T>, view: View) -> ArrayView2<'_, T> {
    match view {
        View::Plain => m.view(),
        View::Transposed => m.t(),
    }
}

/// The kernels this CPU runs, SIMD ones only.
fn kernels() -> Vec<Kernel> {
    let supported = Kernel::supported();
    [Kernel::Avx2, Kernel::Avx512].into_iter().filter(|&k| k <= supported).collect()
}

fn products<T: Float>() {
    let mut rng = NumpyRng::new(0);
    let only = std::env::var("DNN_SPEED_SHAPES").unwrap_or_default();
    for shape in SHAPES.iter().filter(|shape| shape.name.contains(&only)) {
        let a = operand::<T>(&mut rng, shape.p, shape.k, shape.a);
        let b = operand::<T>(&mut rng, shape.k, shape.q, shape.b);
        let flop = 2.0 * (shape.p * shape.k * shape.q) as f64;
        for threads in [1, 2] {
            let kernels = kernels();
            let mut scratch: Vec<GemmScratch<T>> = kernels.iter().map(|_| GemmScratch::for_training(threads)).collect();
            let mut outputs: Vec<Array2<T>> = kernels.iter().map(|_| Array2::zeros((shape.p, shape.q))).collect();
            let (a, b, scale) = (viewed(&a, shape.a), viewed(&b, shape.b), T::from_f64(shape.scale));
            let mut runs: Vec<Box<dyn FnMut() + '_>> = kernels
                .iter()
                .zip(scratch.iter_mut().zip(outputs.iter_mut()))
                .map(|(&kernel, (scratch, c))| {
                    Box::new(move || {
                        matmul_with(kernel, c.view_mut(), scale, a, b, scratch);
                        black_box(&mut *c);
                    }) as Box<dyn FnMut()>
                })
                .collect();
            let mut refs: Vec<&mut dyn FnMut()> = runs.iter_mut().map(|r| &mut **r as &mut dyn FnMut()).collect();
            let times = time(&mut refs, if threads == 1 { Clock::Thread } else { Clock::Wall });
            let mut line = format!("{:<5} {:<38} {} thr", T::DTYPE.name(), shape.name, threads);
            for (kernel, (median, best)) in kernels.iter().zip(times) {
                line += &format!(
                    " | {kernel:?}: {:>8.1} µs {:>6.1} GFLOP/s (best {:>6.1})",
                    median * 1e6,
                    flop / median / 1e9,
                    flop / best / 1e9
                );
            }
            println!("{line}");
        }
    }
}

/// The Gram form's product C·G (25 × 1080 by 1080 × 1080, the SIGNS network's first layer on
/// 1080 pictures) with G packed once, as training runs it, against `matmul_into`'s.
fn packed_gram<T: Float>() {
    let mut rng = NumpyRng::new(1);
    let (p, m) = (25, 1080);
    let c_factor = operand::<T>(&mut rng, p, m, View::Plain);
    let g = operand::<T>(&mut rng, m, m, View::Plain);
    let packed = super::PackedB::new(g.view());
    let flop = 2.0 * (p * m * m) as f64;
    for threads in [1, 2] {
        let (mut plain_scratch, mut packed_scratch) =
            (GemmScratch::for_training(threads), GemmScratch::for_training(threads));
        let (mut plain_c, mut packed_c) = (Array2::<T>::zeros((p, m)), Array2::<T>::zeros((p, m)));
        let mut plain = || {
            matmul_with(Kernel::detect(), plain_c.view_mut(), T::one(), c_factor.view(), g.view(), &mut plain_scratch);
            black_box(&mut plain_c);
        };
        let mut packed = || {
            super::matmul_packed_into(packed_c.view_mut(), T::one(), c_factor.view(), &packed, &mut packed_scratch);
            black_box(&mut packed_c);
        };
        let times = time(&mut [&mut plain, &mut packed], if threads == 1 { Clock::Thread } else { Clock::Wall });
        let rate = |(median, _): (f64, f64)| format!("{:>8.1} µs {:>6.1} GFLOP/s", median * 1e6, flop / median / 1e9);
        println!(
            "{:<5} Gram C·G 25×1080·1080×1080 {threads} thr | in place: {} | packed: {}",
            T::DTYPE.name(),
            rate(times[0]),
            rate(times[1])
        );
    }
}

/// Fused multiply-adds on 12 independent registers (no memory traffic): the rate the cores
/// can reach, per vector width and float type.
mod peak {
    use std::arch::x86_64::*;
    use std::hint::black_box;

    /// Steps of 12 multiply-adds per call.
    pub(super) const STEPS: usize = 1 << 20;

    macro_rules! fma_loop {
        ($name:ident, $feature:literal, $t:ty, $vec:ty, $set1:ident, $fmadd:ident) => {
            /// # Safety
            #[doc = concat!("The CPU must have ", $feature, ".")]
            #[target_feature(enable = $feature)]
            pub(super) unsafe fn $name(x: $t) -> $vec {
                let (a, b) = ($set1(black_box(x)), $set1(black_box(1.0 - x)));
                let mut acc = [$set1(0.0); 12];
                for _ in 0..STEPS {
                    for r in acc.iter_mut() {
                        *r = $fmadd(*r, a, b);
                    }
                }
                acc.iter().fold($set1(0.0), |s, &r| $fmadd(s, a, r))
            }
        };
    }

    fma_loop!(fma_zmm_f64, "avx512f", f64, __m512d, _mm512_set1_pd, _mm512_fmadd_pd);
    fma_loop!(fma_zmm_f32, "avx512f", f32, __m512, _mm512_set1_ps, _mm512_fmadd_ps);
    fma_loop!(fma_ymm_f64, "avx2,fma", f64, __m256d, _mm256_set1_pd, _mm256_fmadd_pd);
    fma_loop!(fma_ymm_f32, "avx2,fma", f32, __m256, _mm256_set1_ps, _mm256_fmadd_ps);
}

/// The peak rates: GFLOP/s of `run` (12 · STEPS multiply-adds of `lanes` lanes) on one
/// thread and on two at once.
fn peak(name: &str, lanes: usize, run: fn()) {
    let flop = 2.0 * (12 * peak::STEPS * lanes) as f64;
    let (mut one, mut two) = (run, || _ = rayon::join(run, run));
    let (one, two) = (time(&mut [&mut one], Clock::Thread)[0].0, time(&mut [&mut two], Clock::Wall)[0].0);
    println!("peak {name:<10} 1 thr {:>6.1} GFLOP/s | 2 thr {:>6.1} GFLOP/s", flop / one / 1e9, 2.0 * flop / two / 1e9);
}

#[test]
#[ignore = "a benchmark: run it alone, in release mode, with --ignored --nocapture"]
fn speed_of_the_networks_products() {
    let supported = Kernel::supported();
    println!("kernels: {:?} (best: {supported:?}); rayon threads: {}", kernels(), rayon::current_num_threads());
    if supported >= Kernel::Avx2 {
        // SAFETY (each): the CPU has AVX2 and FMA.
        peak("ymm f64", 4, || _ = black_box(unsafe { peak::fma_ymm_f64(0.5) }));
        peak("ymm f32", 8, || _ = black_box(unsafe { peak::fma_ymm_f32(0.5) }));
    }
    if supported >= Kernel::Avx512 {
        // SAFETY (each): the CPU has AVX-512F.
        peak("zmm f64", 8, || _ = black_box(unsafe { peak::fma_zmm_f64(0.5) }));
        peak("zmm f32", 16, || _ = black_box(unsafe { peak::fma_zmm_f32(0.5) }));
    }
    products::<f64>();
    products::<f32>();
    packed_gram::<f64>();
    packed_gram::<f32>();
}
