//! Complexity classes, and deciding which one a curve of fuel against input
//! size follows.
//!
//! Fuel is an exact count of work, the same on every run and every machine,
//! so a class is decided from counts, not from noisy timings. The method:
//! for each class `f`, fit `fuel ≈ a + b·f(n)` (`a` the fixed cost of a run,
//! between 0 and the smallest measured fuel; `b ≥ 0`) by least squares on
//! **relative** errors, and score the class by the root mean square of those
//! relative errors. Every class has the same two parameters and is scored on
//! the same scale (a fraction of the measured fuel), so a more complex class
//! is not favoured by construction, as it is when times are fitted on each
//! class's own scale. The best class is the answer only when it fits well
//! (within [`GOOD_FIT`]) and every other class fits clearly worse
//! ([`SEPARATION`]); otherwise the answer is *inconclusive*, naming the
//! classes the sizes cannot tell apart. A curve that barely grows over the
//! sizes is O(1).

use serde::{Deserialize, Serialize};

/// A complexity class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Class {
    /// Constant.
    #[serde(rename = "1")]
    Constant,
    /// Logarithmic.
    #[serde(rename = "log n")]
    Log,
    /// Linear.
    #[serde(rename = "n")]
    Linear,
    /// Linearithmic.
    #[serde(rename = "n log n")]
    Linearithmic,
    /// Quadratic.
    #[serde(rename = "n^2")]
    Quadratic,
    /// Cubic.
    #[serde(rename = "n^3")]
    Cubic,
    /// Exponential.
    #[serde(rename = "2^n")]
    Exponential,
}

impl Class {
    /// Every class, from the cheapest.
    pub const ALL: [Class; 7] = [
        Class::Constant,
        Class::Log,
        Class::Linear,
        Class::Linearithmic,
        Class::Quadratic,
        Class::Cubic,
        Class::Exponential,
    ];

    /// The class's growth at `n` (up to a constant factor); infinite where
    /// it does not fit in an `f64`.
    pub fn at(self, n: f64) -> f64 {
        match self {
            Class::Constant => 1.0,
            Class::Log => n.log2(),
            Class::Linear => n,
            Class::Linearithmic => n * n.log2(),
            Class::Quadratic => n * n,
            Class::Cubic => n * n * n,
            Class::Exponential => n.exp2(),
        }
    }

    /// The name in the manifest (`n log n`).
    pub fn name(self) -> &'static str {
        match self {
            Class::Constant => "1",
            Class::Log => "log n",
            Class::Linear => "n",
            Class::Linearithmic => "n log n",
            Class::Quadratic => "n^2",
            Class::Cubic => "n^3",
            Class::Exponential => "2^n",
        }
    }
}

impl std::fmt::Display for Class {
    /// `O(n log n)`, `O(n²)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = match self {
            Class::Quadratic => "n²",
            Class::Cubic => "n³",
            Class::Exponential => "2ⁿ",
            other => other.name(),
        };
        write!(f, "O({inner})")
    }
}

impl std::str::FromStr for Class {
    type Err = String;

    fn from_str(text: &str) -> Result<Class, String> {
        Class::ALL
            .into_iter()
            .find(|c| c.name() == text.trim())
            .ok_or_else(|| {
                let names: Vec<String> = Class::ALL
                    .iter()
                    .map(|c| format!("`{}`", c.name()))
                    .collect();
                format!("`{text}` is not a class: one of {}", names.join(", "))
            })
    }
}

/// A class fits when the RMS of its relative errors is at most this.
pub const GOOD_FIT: f64 = 0.10;

/// Every other class must have an error at least `SEPARATION.0 ×` the
/// best's, and at least `SEPARATION.1` more, or the sizes cannot tell them
/// apart: two excellent fits (0.1% and 0.5%) are a tie, and so are two
/// mediocre ones (6% and 10%). Chosen on the catalog's references: where
/// their class is clear, the runner-up's error is 2.1× to 300× the best's;
/// sorting a dict by value (1.6×) stays inconclusive.
pub const SEPARATION: (f64, f64) = (2.0, 0.03);

/// A curve whose fuel grows by less than this share of its smallest value
/// over all sizes is O(1).
pub const FLAT: f64 = 0.02;

/// How well one class fits a curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassFit {
    /// The class.
    pub class: Class,
    /// RMS of the relative errors (0 = exact).
    pub error: f64,
    /// The fitted fixed cost.
    pub fixed: f64,
    /// The fitted factor of the class's growth.
    pub factor: f64,
}

/// What a curve says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    /// The class, when the sizes decide it; `None`: inconclusive.
    pub class: Option<Class>,
    /// The classes that fit about as well as the best, best first, when
    /// inconclusive.
    pub ties: Vec<Class>,
    /// Every class's fit, best first.
    pub fits: Vec<ClassFit>,
}

/// Decides the class of a curve of `(n, fuel)` points (at least two sizes).
pub fn fit(points: &[(u64, u64)]) -> Fit {
    let ns: Vec<f64> = points.iter().map(|p| p.0 as f64).collect();
    let ys: Vec<f64> = points.iter().map(|p| (p.1 as f64).max(1.0)).collect();
    let mut fits: Vec<ClassFit> = Class::ALL
        .into_iter()
        .filter_map(|class| fit_class(class, &ns, &ys))
        .collect();
    fits.sort_by(|a, b| a.error.total_cmp(&b.error).then(a.class.cmp(&b.class)));
    let smallest = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let largest = ys.iter().copied().fold(0.0, f64::max);
    if points.len() >= 2 && (largest - smallest) / smallest < FLAT {
        return Fit {
            class: Some(Class::Constant),
            ties: Vec::new(),
            fits,
        };
    }
    let Some(best) = fits.first().copied() else {
        return Fit {
            class: None,
            ties: Vec::new(),
            fits,
        };
    };
    let bar = (best.error * SEPARATION.0).max(best.error + SEPARATION.1);
    let ties: Vec<Class> = fits
        .iter()
        .filter(|f| f.error < bar)
        .map(|f| f.class)
        .collect();
    if best.error <= GOOD_FIT && ties.len() == 1 {
        Fit {
            class: Some(best.class),
            ties: Vec::new(),
            fits,
        }
    } else {
        Fit {
            class: None,
            ties,
            fits,
        }
    }
}

/// Weighted least squares of `y ≈ a + b·f(n)` with weights `1/y²` (relative
/// errors), `0 ≤ a ≤ min y`, `b ≥ 0`. `None` when the class overflows.
fn fit_class(class: Class, ns: &[f64], ys: &[f64]) -> Option<ClassFit> {
    let raw: Vec<f64> = ns.iter().map(|&n| class.at(n)).collect();
    if raw.iter().any(|x| !x.is_finite()) {
        return None;
    }
    // Scaled to at most 1, so that the sums stay well conditioned.
    let scale = raw
        .iter()
        .copied()
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let xs: Vec<f64> = raw.iter().map(|x| x / scale).collect();
    let ws: Vec<f64> = ys.iter().map(|y| 1.0 / (y * y)).collect();
    let sum = |f: &dyn Fn(usize) -> f64| (0..xs.len()).map(f).sum::<f64>();
    let s = sum(&|i| ws[i]);
    let sx = sum(&|i| ws[i] * xs[i]);
    let sy = sum(&|i| ws[i] * ys[i]);
    let sxx = sum(&|i| ws[i] * xs[i] * xs[i]);
    let sxy = sum(&|i| ws[i] * xs[i] * ys[i]);
    let smallest = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let det = s * sxx - sx * sx;
    let (mut a, mut b) = if det.abs() > 1e-12 * s * sxx {
        let b = (s * sxy - sx * sy) / det;
        (((sy - b * sx) / s), b)
    } else {
        (sy / s, 0.0)
    };
    if a < 0.0 {
        a = 0.0;
        b = sxy / sxx;
    } else if a > smallest {
        a = smallest;
        b = (sxy - a * sx) / sxx;
    }
    if b < 0.0 {
        b = 0.0;
        a = (sy / s).clamp(0.0, smallest);
    }
    let error = (xs
        .iter()
        .zip(ys)
        .map(|(x, y)| ((y - a - b * x) / y).powi(2))
        .sum::<f64>()
        / xs.len() as f64)
        .sqrt();
    Some(ClassFit {
        class,
        error,
        fixed: a,
        factor: b / scale,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(class: Class, sizes: &[u64], fixed: f64, factor: f64) -> Vec<(u64, u64)> {
        sizes
            .iter()
            .map(|&n| (n, (fixed + factor * class.at(n as f64)) as u64))
            .collect()
    }

    const WIDE: [u64; 6] = [1000, 2000, 4000, 8000, 16000, 32000];

    #[test]
    fn every_class_is_found_from_exact_counts_with_and_without_a_fixed_cost() {
        for class in Class::ALL.into_iter().skip(1) {
            let sizes: &[u64] = if class == Class::Exponential {
                &[8, 10, 12, 14, 16, 18, 20]
            } else {
                &WIDE
            };
            // log n grows little: its work must outweigh the fixed cost.
            let factor = if class == Class::Log {
                100_000.0
            } else {
                2000.0
            };
            for fixed in [0.0, 400_000.0] {
                let fit = fit(&curve(class, sizes, fixed, factor));
                assert_eq!(fit.class, Some(class), "{class} fixed {fixed}: {fit:?}");
            }
        }
        let flat = fit(&curve(Class::Constant, &WIDE, 400_000.0, 1.0));
        assert_eq!(flat.class, Some(Class::Constant));
    }

    #[test]
    fn n_and_n_log_n_are_told_apart_over_a_wide_range_but_not_a_narrow_one() {
        let wide = fit(&curve(Class::Linearithmic, &WIDE, 400_000.0, 300.0));
        assert_eq!(wide.class, Some(Class::Linearithmic), "{wide:?}");
        let narrow = fit(&curve(
            Class::Linearithmic,
            &[1000, 1200, 1400, 1600],
            400_000.0,
            300.0,
        ));
        assert_eq!(narrow.class, None, "{narrow:?}");
        assert!(narrow.ties.contains(&Class::Linear) && narrow.ties.contains(&Class::Linearithmic));
    }

    #[test]
    fn a_curve_drowned_in_its_fixed_cost_is_inconclusive_not_a_guess() {
        // The work is 1% of the fuel at the largest size.
        let fit = fit(&curve(Class::Linear, &WIDE, 400_000_000.0, 130.0));
        assert_eq!(fit.class, Some(Class::Constant), "{fit:?}");
        let fit = super::fit(&curve(Class::Linearithmic, &WIDE, 40_000_000.0, 40.0));
        assert_eq!(fit.class, None, "{fit:?}");
    }

    #[test]
    fn mixed_terms_fit_their_leading_class() {
        // Merge sort's shape: n log n plus a linear term and a fixed cost.
        let points: Vec<(u64, u64)> = WIDE
            .iter()
            .map(|&n| {
                let n = n as f64;
                (
                    n as u64,
                    (430_000.0 + 900.0 * n * n.log2() + 2_000.0 * n) as u64,
                )
            })
            .collect();
        assert_eq!(fit(&points).class, Some(Class::Linearithmic));
        // Insertion sort's: n² with a large linear term.
        let points: Vec<(u64, u64)> = WIDE
            .iter()
            .map(|&n| {
                let n = n as f64;
                (n as u64, (430_000.0 + 60.0 * n * n + 5_000.0 * n) as u64)
            })
            .collect();
        assert_eq!(fit(&points).class, Some(Class::Quadratic));
    }

    #[test]
    fn classes_read_and_print_as_people_write_them() {
        assert_eq!("n log n".parse::<Class>(), Ok(Class::Linearithmic));
        assert!("n!".parse::<Class>().is_err());
        assert_eq!(Class::Quadratic.to_string(), "O(n²)");
        assert_eq!(serde_json::to_string(&Class::Quadratic).unwrap(), "\"n^2\"");
    }
}
