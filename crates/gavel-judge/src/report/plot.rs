//! A small log-log plot of fuel against n for report.html: the reference's
//! points (grey), the submission's (blue; a red mark where it hit its
//! limit) and the expected class's slope through the reference's largest
//! point (dashed). Inline SVG built from numbers and gavel's own words only:
//! nothing a submission wrote is in it, and nothing is fetched.

use crate::result::Efficiency;
use std::fmt::Write as _;

const WIDTH: f64 = 260.0;
const HEIGHT: f64 = 150.0;
const PAD: f64 = 24.0;
const LEFT: f64 = 44.0;
const GREY: &str = "#999";
const BLUE: &str = "#1f5fbf";

/// Log-log axes over the sizes and fuels shown.
struct Frame {
    x: (f64, f64),
    y: (f64, f64),
}

impl Frame {
    fn x(&self, n: f64) -> f64 {
        LEFT + (n.log2() - self.x.0) / (self.x.1 - self.x.0).max(1e-9) * (WIDTH - LEFT - PAD)
    }

    fn y(&self, fuel: f64) -> f64 {
        HEIGHT
            - PAD
            - (fuel.max(1.0).log2() - self.y.0) / (self.y.1 - self.y.0) * (HEIGHT - 2.0 * PAD)
    }

    fn line(&self, svg: &mut String, points: &[(f64, f64)], style: &str) {
        let points: Vec<String> = points
            .iter()
            .map(|&(n, f)| format!("{:.1},{:.1}", self.x(n), self.y(f)))
            .collect();
        let _ = write!(
            svg,
            r#"<polyline fill="none" {style} points="{}"/>"#,
            points.join(" ")
        );
    }

    fn dots(&self, svg: &mut String, points: &[(f64, f64)], colour: &str) {
        for &(n, f) in points {
            let _ = write!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{colour}"/>"#,
                self.x(n),
                self.y(f)
            );
        }
    }
}

fn label(svg: &mut String, text: &str, x: f64, y: f64, anchor: &str) {
    let _ = write!(
        svg,
        r#"<text x="{x:.1}" y="{y:.1}" font-size="9" fill="{GREY}" text-anchor="{anchor}">{text}</text>"#
    );
}

/// The plot of one measurement; empty when it has no sizes.
pub(crate) fn efficiency(efficiency: &Efficiency) -> String {
    let sizes = &efficiency.sizes;
    let (Some(first), Some(last)) = (sizes.first(), sizes.last()) else {
        return String::new();
    };
    let (low, high) = sizes
        .iter()
        .flat_map(|s| [Some(s.reference_fuel), s.fuel])
        .flatten()
        .map(|f| f.max(1) as f64)
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), f| {
            (lo.min(f), hi.max(f))
        });
    let frame = Frame {
        x: (
            (first.n.max(1) as f64).log2(),
            (last.n.max(1) as f64).log2(),
        ),
        y: (low.log2(), high.log2().max(low.log2() + 1.0)),
    };
    let reference: Vec<(f64, f64)> = sizes
        .iter()
        .map(|s| (s.n as f64, s.reference_fuel as f64))
        .collect();
    let submission: Vec<(f64, f64)> = sizes
        .iter()
        .filter_map(|s| Some((s.n as f64, s.fuel? as f64)))
        .collect();
    // The expected class through the reference's largest point, kept within
    // the plot.
    let class = efficiency.expected;
    let (anchor_n, anchor_fuel) = (last.n as f64, last.reference_fuel as f64);
    let slope: Vec<(f64, f64)> = reference
        .iter()
        .map(|&(n, _)| {
            let fuel = anchor_fuel * class.at(n) / class.at(anchor_n).max(1e-300);
            (n, fuel.clamp(low, high))
        })
        .collect();
    let mut svg = format!(
        r#"<svg class="plot" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="fuel against n, log-log">"#
    );
    let _ = write!(
        svg,
        r##"<rect x="{LEFT}" y="{PAD}" width="{}" height="{}" fill="none" stroke="#ccc"/>"##,
        WIDTH - LEFT - PAD,
        HEIGHT - 2.0 * PAD
    );
    frame.line(
        &mut svg,
        &slope,
        &format!(r#"stroke="{GREY}" stroke-dasharray="4 3""#),
    );
    frame.line(&mut svg, &reference, &format!(r#"stroke="{GREY}""#));
    frame.dots(&mut svg, &reference, GREY);
    if !submission.is_empty() {
        frame.line(&mut svg, &submission, &format!(r#"stroke="{BLUE}""#));
        frame.dots(&mut svg, &submission, BLUE);
    }
    if let Some(n) = efficiency.limit_at {
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" fill="#c0392b" text-anchor="middle" font-size="12">×</text>"##,
            frame.x(n as f64),
            PAD + 4.0
        );
    }
    let human = |fuel: f64| gavel_core::limits::human_fuel(fuel as u64);
    label(
        &mut svg,
        &format!("n = {}", first.n),
        LEFT,
        HEIGHT - PAD + 12.0,
        "start",
    );
    label(
        &mut svg,
        &last.n.to_string(),
        WIDTH - PAD,
        HEIGHT - PAD + 12.0,
        "end",
    );
    label(&mut svg, &human(high), LEFT - 3.0, PAD + 3.0, "end");
    label(&mut svg, &human(low), LEFT - 3.0, HEIGHT - PAD, "end");
    let legend = format!("fuel · you (blue), reference (grey), {class} (dashed)");
    label(&mut svg, &legend, WIDTH / 2.0, 12.0, "middle");
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{EfficiencyStatus, SizeFuel};
    use gavel_exercise::complexity::Class;

    #[test]
    fn the_plot_draws_both_curves_the_slope_and_the_limit() {
        let size = |n: u64, fuel: Option<u64>| SizeFuel {
            n,
            fuel,
            reference_fuel: 1_000 * n,
        };
        let measured = Efficiency {
            expected: Class::Linear,
            detected: Some(Class::Quadratic),
            status: EfficiencyStatus::AtLeast,
            ties: Vec::new(),
            fit_error: Some(0.01),
            sizes: vec![
                size(64, Some(64 * 64 * 100)),
                size(128, Some(128 * 128 * 100)),
                size(256, Some(256 * 256 * 100)),
                size(512, None),
            ],
            limit_at: Some(512),
            ratio: Some(25.6),
            summary: String::new(),
            performance: None,
        };
        let svg = efficiency(&measured);
        assert!(svg.starts_with("<svg class=\"plot\""), "{svg}");
        assert_eq!(svg.matches("<polyline").count(), 3, "{svg}");
        // 4 of the reference's points, 3 of the submission's.
        assert_eq!(svg.matches("<circle").count(), 7, "{svg}");
        assert!(svg.contains(">×</text>"), "{svg}");
        assert!(svg.contains("O(n) (dashed)"), "{svg}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }
}
