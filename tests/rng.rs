//! NumPy's legacy generator, bit for bit: the course's sanity values and fixtures generated
//! with numpy (the generating snippet heads each fixture): 1200 draws of randn per seed,
//! bounded integers, shuffles, permutations and normal(scale=…); and scikit-learn's
//! make_circles / make_moons, which are built on them, against scikit-learn's own points.

mod common;

use std::path::PathBuf;

use dnn::data::{builtin, make_circles, make_moons, Dataset};
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

/// The lines of a fixture that are not comments, each split at whitespace.
fn fixture_lines(name: &str) -> Vec<Vec<String>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .map(|line| line.split_whitespace().map(str::to_string).collect())
        .collect()
}

#[test]
fn interval_matches_numpy_below_and_above_2_to_the_32() {
    // np.random.seed(5); six np.random.randint(0, max + 1, dtype=np.uint64) per max, maxes
    // from 0 to 2⁶⁴ − 1; then one randn, which shows where the stream stands.
    let lines = fixture_lines("interval_seed5.txt");
    assert_eq!(lines.len(), 18);
    let mut rng = NumpyRng::new(5);
    for line in &lines[..17] {
        let numbers: Vec<u64> = line.iter().map(|t| t.parse().unwrap()).collect();
        let max = numbers[0];
        for (k, &expected) in numbers[1..].iter().enumerate() {
            assert_eq!(rng.interval(max), expected, "max {max}, draw {k}");
        }
    }
    let after: f64 = lines[17][0].parse().unwrap();
    assert_eq!(rng.randn().to_bits(), after.to_bits(), "the randn after the integers");
}

#[test]
fn permutation_matches_numpy_and_leaves_the_stream_where_numpy_does() {
    // For seeds 0, 1, 11, 2³² − 1 and n in {1, 2, 5, 44, 64, 148, 300, 1080}:
    // np.random.seed(seed); np.random.permutation(n); then np.random.randn().
    let lines = fixture_lines("permutation.txt");
    assert_eq!(lines.len(), 32);
    for line in &lines {
        let seed: u32 = line[0].parse().unwrap();
        let n: usize = line[1].parse().unwrap();
        let after: f64 = line[2].parse().unwrap();
        let expected: Vec<usize> = line[3..].iter().map(|t| t.parse().unwrap()).collect();
        assert_eq!(expected.len(), n);
        let mut rng = NumpyRng::new(seed);
        assert_eq!(rng.permutation(n), expected, "seed {seed}, n {n}");
        let next = rng.randn();
        assert_eq!(next.to_bits(), after.to_bits(), "seed {seed}, n {n}: randn after: {next:?} vs {after:?}");
    }
}

#[test]
fn shuffle_matches_numpy_and_keeps_the_cached_gaussian() {
    // np.random.seed(7); randn(); shuffle(np.arange(20) * 0.25); randn(3).
    let lines = fixture_lines("shuffle_seed7.txt");
    let numbers = |line: &Vec<String>| line.iter().map(|t| t.parse::<f64>().unwrap()).collect::<Vec<f64>>();
    let (first, shuffled, then) = (numbers(&lines[0]), numbers(&lines[1]), numbers(&lines[2]));
    let mut rng = NumpyRng::new(7);
    assert_eq!(rng.randn(), first[0]);
    let mut a: Vec<f64> = (0..20).map(|i| f64::from(i) * 0.25).collect();
    rng.shuffle(&mut a);
    assert_eq!(a, shuffled);
    let mut fresh = NumpyRng::new(7);
    fresh.randn();
    let cached = fresh.randn();
    assert_eq!(then[0], cached, "the value the polar method kept before the shuffle");
    assert_eq!((0..3).map(|_| rng.randn()).collect::<Vec<_>>(), then);
}

#[test]
fn shuffling_zero_or_one_item_draws_nothing() {
    let mut rng = NumpyRng::new(9);
    rng.shuffle::<u8>(&mut []);
    rng.shuffle(&mut [1]);
    assert_eq!(rng.permutation(1), [0]);
    assert_eq!(rng.next_u32(), NumpyRng::new(9).next_u32());
}

#[test]
fn normal_matches_numpy_bit_for_bit() {
    // np.random.seed(seed); np.random.normal(scale=scale, size=25), seeds 0, 3, 2³² − 1.
    let lines = fixture_lines("normal.txt");
    assert_eq!(lines.len(), 6);
    for line in &lines {
        let seed: u32 = line[0].parse().unwrap();
        let scale: f64 = line[1].parse().unwrap();
        let mut rng = NumpyRng::new(seed);
        for (i, t) in line[2..].iter().enumerate() {
            let expected: f64 = t.parse().unwrap();
            let v = rng.normal(scale);
            assert_eq!(v.to_bits(), expected.to_bits(), "seed {seed}, scale {scale}, draw {i}: {v:?} vs {expected:?}");
        }
    }
}

#[test]
fn toy_sets_match_scikit_learn_for_odd_and_tiny_sizes() {
    // make_circles / make_moons after np.random.seed(seed), with and without noise, n from 1
    // to 31, each followed by np.random.rand() to show where the stream stands.
    let lines = fixture_lines("sklearn_toy_sets.txt");
    let mut k = 0;
    let mut cases = 0;
    while k < lines.len() {
        let head = &lines[k];
        let (seed, n): (u32, usize) = (head[1].parse().unwrap(), head[2].parse().unwrap());
        let noise = Some(head[3].parse::<f64>().unwrap()).filter(|&v| v >= 0.0);
        let after: f64 = head[5].parse().unwrap();
        let mut rng = NumpyRng::new(seed);
        let set = match head[0].as_str() {
            "circles" => make_circles(n, head[4].parse().unwrap(), noise, &mut rng),
            _ => make_moons(n, noise, &mut rng),
        };
        let what = format!("{} seed {seed} n {n} noise {noise:?}", head[0]);
        let rows: Vec<[f64; 3]> = lines[k + 1..k + 1 + n]
            .iter()
            .map(|row| [row[0].parse().unwrap(), row[1].parse().unwrap(), row[2].parse().unwrap()])
            .collect();
        assert_same_points(&set, &rows, &what);
        assert_eq!(rng.uniform().to_bits(), after.to_bits(), "{what}: the draw after");
        k += n + 1;
        cases += 1;
    }
    assert_eq!(cases, 8);
}

/// X (2 × m) and Y (1 × m) equal the rows (x1, x2, y), f64 bit for bit.
#[track_caller]
fn assert_same_points(set: &Dataset, rows: &[[f64; 3]], what: &str) {
    assert_eq!(set.x.dim(), (2, rows.len()), "{what}: shape of X");
    assert_eq!(set.y.dim(), (1, rows.len()), "{what}: shape of Y");
    for (j, row) in rows.iter().enumerate() {
        let ours = [set.x[(0, j)], set.x[(1, j)], set.y[(0, j)]];
        assert_eq!(ours.map(f64::to_bits), row.map(f64::to_bits), "{what}, example {j}: {ours:?} vs {row:?}");
    }
}

/// FNV-1a, 64 bits, of the m × 2 row-major little-endian f64 bytes of X (example by example,
/// x1 then x2), as ../shared/reference/course2/RESULTS.md §3.3 states the course sets' sums.
fn fnv1a64_rows(x: &ndarray::Array2<f64>) -> u64 {
    let mut hash: u64 = 0xcbf29ce484222325;
    for example in x.columns() {
        for byte in example.iter().flat_map(|v| v.to_le_bytes()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x100000001b3);
        }
    }
    hash
}

/// The course's second-part sets: name, the CSV of scikit-learn's points, the checksum and
/// first row from RESULTS.md §3.3.
const COURSE_SETS: [(&str, &str, u64, [f64; 3]); 3] = [
    (
        "init-circles-train",
        "circles_train_seed1_n300.csv",
        0x9f4d2b03b8b0c387,
        [-0.07741354010048114, 0.8526022642742742, 1.0],
    ),
    (
        "init-circles-test",
        "circles_test_seed2_n100.csv",
        0x014edbbacee1c931,
        [-0.5242373850862546, -0.6091036148461817, 1.0],
    ),
    ("optim-moons", "moons_seed3_n300.csv", 0xbbca08561f2869f8, [-0.21687013460912397, 1.0154493742029873, 0.0]),
];

#[test]
fn course_sets_have_the_published_checksums_and_first_rows() {
    for (name, _, checksum, first) in COURSE_SETS {
        // The course's seeds, whatever --data-seed says.
        for seed in [1, 7] {
            let set = builtin(name, seed).unwrap();
            assert_eq!(fnv1a64_rows(&set.x), checksum, "{name}: FNV-1a-64 {:016x}", fnv1a64_rows(&set.x));
            assert_eq!([set.x[(0, 0)], set.x[(1, 0)], set.y[(0, 0)]], first, "{name}: first example");
            assert_eq!(set.builtin.as_deref(), Some(name));
        }
    }
}

#[test]
fn course_sets_equal_the_generated_csv_files_bit_for_bit() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/generated");
    for (name, file, _, _) in COURSE_SETS {
        let path = dir.join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            println!("skipped {name}: the course's generated data is not at {}", path.display());
            continue;
        };
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("x1,x2,y"), "{}", path.display());
        let rows: Vec<[f64; 3]> = lines
            .map(|line| {
                let v: Vec<f64> = line.split(',').map(|t| t.parse().unwrap()).collect();
                [v[0], v[1], v[2]]
            })
            .collect();
        assert_same_points(&builtin(name, 1).unwrap(), &rows, name);
    }
}

#[test]
fn course_sets_are_the_documented_make_circles_and_make_moons_calls() {
    let train = make_circles(300, 0.8, Some(0.05), &mut NumpyRng::new(1));
    let test = make_circles(100, 0.8, Some(0.05), &mut NumpyRng::new(2));
    let moons = make_moons(300, Some(0.2), &mut NumpyRng::new(3));
    for (name, set) in [("init-circles-train", train), ("init-circles-test", test), ("optim-moons", moons)] {
        let built = builtin(name, 1).unwrap();
        assert_eq!((built.x, built.y), (set.x, set.y), "{name}");
    }
}
