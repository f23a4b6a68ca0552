//! Numbers in messages and tables, as a person would write them.

/// `x` in the shortest form that reads back as `x`: plain decimals from 0.0001 up to a
/// million (`0.0075`, `1.2`), scientific notation beyond (`1e30`, `2.5e-9`), where plain
/// decimals would run to dozens of digits.
pub fn written(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-4..1e6).contains(&x.abs()) {
        x.to_string()
    } else {
        format!("{x:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_a_person_would_and_read_back_the_same() {
        let cases = [
            (1.2, "1.2"),
            (0.0075, "0.0075"),
            (0.0001, "0.0001"),
            (250000.0, "250000"),
            (1e30, "1e30"),
            (1e308, "1e308"),
            (-2.5e-9, "-2.5e-9"),
            (1e6, "1e6"),
            (0.0, "0"),
            (f64::INFINITY, "inf"),
        ];
        for (x, text) in cases {
            assert_eq!(written(x), text);
            assert_eq!(text.parse::<f64>().unwrap(), x);
        }
    }
}
