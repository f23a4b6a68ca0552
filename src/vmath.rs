//! exp, expm1, tanh, sigmoid and softplus written without branches or library calls, so that
//! loops over them compile to SIMD instructions. Each is within a few units in the last place
//! of the correctly rounded value (tests compare them with the standard library over wide
//! ranges); the network's elementwise passes use them.
//!
//! Method: Cody–Waite range reduction `x = k·ln 2 + r` with |r| ≤ ln 2 / 2, a degree-13 Taylor
//! polynomial for `e^r − 1` (remainder below 2⁻⁵³), and `2^k` assembled in the exponent bits.
//! log1p uses `log(1 + u) = 2·atanh(u / (2 + u))` for u in \[0, 1\].

use crate::Float;

/// ln 2 split in a part with 32 significant bits (so k·LN2_HI is exact) and the rest
/// (6.93147180369123816490e-01 and 1.90821492927058770002e-10, as in fdlibm).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const INV_LN2: f64 = std::f64::consts::LOG2_E;
/// 1.5·2⁵²: adding it rounds to an integer kept in the low mantissa bits.
const SHIFTER: f64 = 6_755_399_441_055_744.0;

/// `x·y + z`: one fused instruction when `FMA` (the caller runs with FMA enabled), else a
/// multiply and an add (never a library call).
#[inline(always)]
pub(crate) fn madd<T: Float, const FMA: bool>(x: T, y: T, z: T) -> T {
    if FMA {
        x.mul_add(y, z)
    } else {
        x * y + z
    }
}

/// `(bits, r)` with `x = k·ln 2 + r`, |r| ≤ ln 2 / 2, and k held in `bits` (see [`two_to`]).
#[inline(always)]
fn reduce<const FMA: bool>(x: f64) -> (u64, f64) {
    let shifted = madd::<f64, FMA>(x, INV_LN2, SHIFTER);
    let k = shifted - SHIFTER;
    let r = madd::<f64, FMA>(-k, LN2_LO, madd::<f64, FMA>(-k, LN2_HI, x));
    (shifted.to_bits(), r)
}

/// `e^r − 1` for |r| ≤ 0.35 by its Taylor series to r¹³ (Horner, fused).
#[inline(always)]
fn expm1_reduced<const FMA: bool>(r: f64) -> f64 {
    const C: [f64; 12] = [
        1.0 / 6_227_020_800.0, // 1/13!
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
    ];
    let mut p = C[0];
    for &c in &C[1..] {
        p = madd::<f64, FMA>(p, r, c);
    }
    // r + r²·(1/2 + r/6 + …)
    madd::<f64, FMA>(p * r, r, r)
}

/// 2^k from the bits of `k + SHIFTER` (k between −1022 and 1023).
#[inline(always)]
fn two_to(shifted_bits: u64) -> f64 {
    let k = shifted_bits.wrapping_sub(SHIFTER.to_bits());
    f64::from_bits(k.wrapping_add(1023) << 52)
}

/// e^x, for x in [−708, 709] (clamped outside: 0-ish below, a large finite value above).
#[inline(always)]
pub fn exp<const FMA: bool>(x: f64) -> f64 {
    let x = x.clamp(-708.0, 709.0);
    let (bits, r) = reduce::<FMA>(x);
    let scale = two_to(bits);
    madd::<f64, FMA>(expm1_reduced::<FMA>(r), scale, scale)
}

/// e^x − 1, accurate near 0, for x in [−708, 709].
#[inline(always)]
pub fn expm1<const FMA: bool>(x: f64) -> f64 {
    let x = x.clamp(-708.0, 709.0);
    let (bits, r) = reduce::<FMA>(x);
    let scale = two_to(bits);
    // 2^k·(e^r − 1) + (2^k − 1); exact in the second term, and for k = 0 just e^r − 1.
    madd::<f64, FMA>(expm1_reduced::<FMA>(r), scale, scale - 1.0)
}

/// tanh x = expm1(2|x|) / (expm1(2|x|) + 2), with the sign of x (exactly ±1 beyond |x| = 20).
#[inline(always)]
pub fn tanh<const FMA: bool>(x: f64) -> f64 {
    let e = expm1::<FMA>(2.0 * x.abs().min(20.0));
    (e / (e + 2.0)).copysign(x)
}

/// σ(z) = 1/(1 + e^(−z)), as e^z/(1 + e^z) for z < 0, so that it never overflows.
#[inline(always)]
pub fn sigmoid<const FMA: bool>(z: f64) -> f64 {
    let e = exp::<FMA>(-z.abs());
    let positive = 1.0 / (1.0 + e);
    if z >= 0.0 {
        positive
    } else {
        e * positive
    }
}

/// log(1 + u) for u in [0, 1]: `2·atanh(s)` with `s = u/(2 + u)` ≤ 1/3, by its series to s³⁵.
#[inline(always)]
fn log1p_unit<const FMA: bool>(u: f64) -> f64 {
    const INVERSE_ODD: [f64; 17] = [
        1.0 / 35.0,
        1.0 / 33.0,
        1.0 / 31.0,
        1.0 / 29.0,
        1.0 / 27.0,
        1.0 / 25.0,
        1.0 / 23.0,
        1.0 / 21.0,
        1.0 / 19.0,
        1.0 / 17.0,
        1.0 / 15.0,
        1.0 / 13.0,
        1.0 / 11.0,
        1.0 / 9.0,
        1.0 / 7.0,
        1.0 / 5.0,
        1.0 / 3.0,
    ];
    let s = u / (2.0 + u);
    let s2 = s * s;
    let mut p = INVERSE_ODD[0];
    for &c in &INVERSE_ODD[1..] {
        p = madd::<f64, FMA>(p, s2, c);
    }
    // 2s·(1 + s²/3 + s⁴/5 + …)
    2.0 * madd::<f64, FMA>(p * s2, s, s)
}

/// softplus(z) = log(1 + e^z) = max(z, 0) + log(1 + e^(−|z|)).
#[inline(always)]
pub fn softplus<const FMA: bool>(z: f64) -> f64 {
    z.max(0.0) + log1p_unit::<FMA>(exp::<FMA>(-z.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Largest error in units of the last place over a range.
    fn worst_ulps(f: impl Fn(f64) -> f64, reference: impl Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
        let n = 200_001;
        (0..n)
            .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
            .map(|x| {
                let (got, want) = (f(x), reference(x));
                if want == 0.0 {
                    got.abs() / f64::MIN_POSITIVE
                } else {
                    (got - want).abs() / (want.abs() * f64::EPSILON)
                }
            })
            .fold(0.0, f64::max)
    }

    fn check<const FMA: bool>() {
        assert!(worst_ulps(exp::<FMA>, f64::exp, -700.0, 700.0) < 4.0);
        assert!(worst_ulps(exp::<FMA>, f64::exp, -1.0, 1.0) < 2.0);
        assert!(worst_ulps(expm1::<FMA>, f64::exp_m1, -30.0, 30.0) < 4.0);
        assert!(worst_ulps(expm1::<FMA>, f64::exp_m1, -1e-6, 1e-6) < 2.0);
        assert!(worst_ulps(tanh::<FMA>, f64::tanh, -25.0, 25.0) < 4.0);
        assert!(worst_ulps(tanh::<FMA>, f64::tanh, -1e-4, 1e-4) < 4.0);
        assert!(worst_ulps(sigmoid::<FMA>, |z| 1.0 / (1.0 + (-z).exp()), -30.0, 30.0) < 4.0);
        let softplus_reference = |z: f64| z.max(0.0) + (-z.abs()).exp().ln_1p();
        assert!(worst_ulps(softplus::<FMA>, softplus_reference, -40.0, 40.0) < 4.0);
    }

    #[test]
    fn within_a_few_ulps_of_the_standard_library() {
        check::<true>();
        check::<false>();
    }

    #[test]
    fn extremes_stay_finite() {
        let (tanh, sigmoid, softplus, exp) = (tanh::<true>, sigmoid::<true>, softplus::<true>, exp::<true>);
        assert_eq!(tanh(1e4), 1.0);
        assert_eq!(tanh(-1e4), -1.0);
        assert_eq!(tanh(0.0), 0.0);
        assert_eq!(sigmoid(1e4), 1.0);
        assert!(sigmoid(-1e4) >= 0.0 && sigmoid(-1e4) < 1e-300);
        assert_eq!(softplus(1e4), 1e4);
        assert!(softplus(-1e4) >= 0.0 && softplus(-1e4) < 1e-300);
        assert!(exp(1e4).is_finite());
    }
}
