//! NumPy's legacy generator, bit for bit: the course's sanity values and fixtures of 1200
//! draws per seed generated with numpy (the generating snippet heads each fixture).

mod common;

use dnn::NumpyRng;

#[test]
fn sanity_values_of_course_results() {
    // ../shared/reference/course_results.md, "NumPy's legacy random generator".
    let cases: [(u32, &[f64]); 3] = [
        (1, &[1.62434536, -0.61175641, -0.52817175, -1.07296862, 0.86540763, -2.3015387]),
        (3, &[1.78862847, 0.43650985, 0.09649747, -1.8634927, -0.2773882, -0.35475898]),
        (2, &[-0.416758, -0.056267, -2.136196, 1.640271]),
    ];
    for (seed, expected) in cases {
        let mut rng = NumpyRng::new(seed);
        for (i, &e) in expected.iter().enumerate() {
            let v = rng.randn();
            assert!((v - e).abs() < 5e-7, "seed {seed} draw {i}: {v} vs {e}");
        }
    }
}

#[test]
fn randn_matches_numpy_bit_for_bit() {
    for seed in [0u32, 1, 3, 42, 2024, 4294967295] {
        let expected = common::fixture_numbers(&format!("randn_seed{seed}.txt"));
        assert_eq!(expected.len(), 1200);
        let mut rng = NumpyRng::new(seed);
        for (i, &e) in expected.iter().enumerate() {
            let v = rng.randn();
            assert_eq!(v.to_bits(), e.to_bits(), "seed {seed}, draw {i}: {v:?} vs numpy {e:?}");
        }
    }
}

#[test]
fn uniform_matches_numpy_bit_for_bit() {
    let expected = common::fixture_numbers("rand_seed1.txt");
    let mut rng = NumpyRng::new(1);
    for (i, &e) in expected.iter().enumerate() {
        assert_eq!(rng.uniform().to_bits(), e.to_bits(), "draw {i}");
    }
}

#[test]
fn reseeding_forgets_the_cached_gaussian() {
    // np.random.seed(5); a = randn(3); np.random.seed(5); b = randn(4)
    let expected = common::fixture_numbers("randn_reseed.txt");
    let mut rng = NumpyRng::new(5);
    let a: Vec<f64> = (0..3).map(|_| rng.randn()).collect();
    rng.seed(5);
    let b: Vec<f64> = (0..4).map(|_| rng.randn()).collect();
    assert_eq!([a, b].concat(), expected);
}

#[test]
fn randn_matrix_fills_row_major() {
    let mut flat = NumpyRng::new(1);
    let draws: Vec<f64> = (0..6).map(|_| flat.randn()).collect();
    let matrix = NumpyRng::new(1).randn_matrix(2, 3);
    assert_eq!(matrix[(1, 0)], draws[3]);
    assert_eq!(matrix.iter().copied().collect::<Vec<_>>(), draws);
}
