//! Measuring a submission's complexity class in fuel: it runs on the
//! `[complexity]` inputs of growing size (generated from the exercise's own
//! generator, never a test's input), and the curve of fuel against size is
//! fitted by [`gavel_exercise::complexity::fit`].
//!
//! Fuel is deterministic, so the same submission gives the same measurement
//! on every run, at any parallelism. A run that hits its limit (fuel, time
//! or memory — each size's budget is [`crate::COMPLEXITY_MARGIN`] × the
//! reference's) is evidence too: the class is then *at least* the one the
//! smaller sizes follow. A run that fails otherwise (an exception) measures
//! nothing.

use crate::prepare::{ComplexityInputs, Prepared, SizedInput};
use crate::result::{Efficiency, EfficiencyStatus, Performance, SizeFuel};
use crate::runner::Runner;
use bytes::Bytes;
use gavel_exercise::complexity::{Class, fit};
use gavel_sandbox::Outcome;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The fewest finished sizes a class is decided on.
pub const MIN_POINTS: usize = 3;

/// How one run on a sized input ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SizedRun {
    /// It finished, with this fuel.
    Finished(u64),
    /// It hit a limit.
    Limit,
    /// It failed otherwise; the reason, for people.
    Failed(&'static str),
    /// It was not run: a smaller size hit a limit or failed (or a task of
    /// the judge failed).
    Skipped,
}

/// Runs `source` (compiled to `code`) on the complexity inputs, size by
/// size from the smallest (a size's seeds at once, sharing the sandbox's
/// slots), and returns the runs in input order. Once a size hits a limit or
/// fails, the larger ones are not run: they could only cost more.
pub(crate) async fn run_all(
    runner: &Runner,
    prepared: &Arc<Prepared>,
    source: &Bytes,
    code: &Bytes,
) -> Vec<SizedRun> {
    let Some(inputs) = &prepared.complexity else {
        return Vec::new();
    };
    let mut runs = vec![SizedRun::Skipped; inputs.inputs.len()];
    let mut index = 0;
    while index < inputs.inputs.len() {
        let n = inputs.inputs[index].n;
        let size_end = inputs.inputs[index..]
            .iter()
            .position(|input| input.n != n)
            .map_or(inputs.inputs.len(), |p| index + p);
        let mut tasks = tokio::task::JoinSet::new();
        for at in index..size_end {
            let runner = runner.clone();
            let prepared = prepared.clone();
            let (source, code) = (source.clone(), code.clone());
            tasks.spawn(async move {
                let inputs = prepared.complexity.as_ref().expect("checked above");
                let job = prepared.sized_job(source, code, &inputs.inputs[at]);
                (at, sized_run(runner.run(&job).await))
            });
        }
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((at, run)) => runs[at] = run,
                Err(e) => tracing::error!("a complexity task failed: {e}"),
            }
        }
        for run in &mut runs[index..size_end] {
            if *run == SizedRun::Skipped {
                *run = SizedRun::Failed("the judge failed");
            }
        }
        let finished = runs[index..size_end]
            .iter()
            .all(|run| matches!(run, SizedRun::Finished(_)));
        if !finished {
            break;
        }
        index = size_end;
    }
    runs
}

fn sized_run(run: Result<gavel_sandbox::RunResult, gavel_sandbox::SandboxError>) -> SizedRun {
    match run {
        Ok(report) => match report.outcome {
            Outcome::Ok => SizedRun::Finished(report.fuel),
            Outcome::TimeLimit { .. } | Outcome::MemoryLimit => SizedRun::Limit,
            Outcome::OutputLimit => SizedRun::Failed("it wrote past the output limit"),
            Outcome::RuntimeError { .. } | Outcome::CompileError { .. } => {
                SizedRun::Failed("it raised an exception")
            }
        },
        Err(e) => {
            tracing::error!("a complexity run failed in the judge: {e}");
            SizedRun::Failed("the judge failed")
        }
    }
}

/// What the runs on `inputs` say (one run per input, in order).
pub(crate) fn measure(inputs: &ComplexityInputs, runs: &[SizedRun]) -> Efficiency {
    debug_assert_eq!(inputs.inputs.len(), runs.len());
    // Per size: the reference's largest fuel over the seeds, and the
    // submission's (a limit or failure on any seed decides the size).
    let mut sizes: BTreeMap<u64, (u64, Result<u64, SizedRun>)> = BTreeMap::new();
    for (input, run) in inputs.inputs.iter().zip(runs) {
        let entry = sizes.entry(input.n).or_insert((0, Ok(0)));
        entry.0 = entry.0.max(input.reference_fuel);
        entry.1 = match (entry.1, *run) {
            (Err(SizedRun::Failed(why)), _) | (_, SizedRun::Failed(why)) => {
                Err(SizedRun::Failed(why))
            }
            (Err(limit), _) | (_, limit @ (SizedRun::Limit | SizedRun::Skipped)) => Err(limit),
            (Ok(most), SizedRun::Finished(fuel)) => Ok(most.max(fuel)),
        };
    }
    let expected = inputs.spec.expected;
    let table: Vec<SizeFuel> = sizes
        .iter()
        .map(|(&n, &(reference_fuel, fuel))| SizeFuel {
            n,
            fuel: fuel.ok(),
            reference_fuel,
        })
        .collect();
    let failed = sizes.iter().find_map(|(&n, (_, fuel))| match fuel {
        Err(SizedRun::Failed(why)) => Some((n, *why)),
        _ => None,
    });
    if let Some((n, why)) = failed {
        return Efficiency {
            expected,
            detected: None,
            status: EfficiencyStatus::NotMeasured,
            ties: Vec::new(),
            fit_error: None,
            summary: format!("efficiency: not measured — at n = {}, {why}", thousands(n)),
            performance: None,
            sizes: table,
            limit_at: None,
            ratio: None,
        };
    }
    // The sizes before the first limit: beyond it, nothing is known.
    let limit_at = table.iter().find(|s| s.fuel.is_none()).map(|s| s.n);
    let finished: Vec<&SizeFuel> = table.iter().take_while(|s| s.fuel.is_some()).collect();
    let points: Vec<(u64, u64)> = finished
        .iter()
        .map(|s| (s.n, s.fuel.unwrap_or_default()))
        .collect();
    let ratio = finished.last().map(|s| {
        (
            s.n,
            s.fuel.unwrap_or_default() as f64 / s.reference_fuel.max(1) as f64,
        )
    });
    let curve = (points.len() >= MIN_POINTS).then(|| fit(&points));
    let (detected, ties, fit_error) = match &curve {
        Some(curve) => (
            curve.class,
            curve.ties.clone(),
            curve
                .fits
                .iter()
                .find(|f| Some(f.class) == curve.class)
                .or(curve.fits.first())
                .map(|f| f.error),
        ),
        None => (None, Vec::new(), None),
    };
    let status = match (detected, limit_at) {
        (Some(_), Some(_)) => EfficiencyStatus::AtLeast,
        (Some(class), None) if class == expected => EfficiencyStatus::AsExpected,
        (Some(class), None) if class < expected => EfficiencyStatus::Better,
        (Some(_), None) => EfficiencyStatus::Worse,
        (None, _) => EfficiencyStatus::Inconclusive,
    };
    let summary = summary(
        curve.is_some(),
        expected,
        detected,
        status,
        &ties,
        limit_at,
        ratio,
    );
    Efficiency {
        expected,
        detected,
        status,
        ties,
        fit_error: fit_error.map(rounded),
        sizes: table,
        limit_at,
        ratio: ratio.map(|(_, r)| rounded(r)),
        summary,
        performance: None,
    }
}

/// Awards the exercise's performance points (if it declares any) to a
/// submission with `verdict`, and says so in the summary.
pub(crate) fn score(efficiency: &mut Efficiency, max_points: u32, accepted: bool) {
    if max_points == 0 {
        return;
    }
    let expected = efficiency.expected;
    let fast = match efficiency.status {
        EfficiencyStatus::AsExpected | EfficiencyStatus::Better => true,
        EfficiencyStatus::Inconclusive => {
            !efficiency.ties.is_empty() && efficiency.ties.iter().all(|c| *c <= expected)
        }
        _ => false,
    };
    let points = if accepted && fast { max_points } else { 0 };
    efficiency
        .summary
        .push_str(&format!(" · performance {points}/{max_points}"));
    efficiency.performance = Some(Performance { points, max_points });
}

/// The reference's own measurement (its fuel on each input is known from
/// preparing the exercise): `gavel check` holds it to the declared class.
pub fn reference(inputs: &ComplexityInputs) -> Efficiency {
    let runs: Vec<SizedRun> = inputs
        .inputs
        .iter()
        .map(|input: &SizedInput| SizedRun::Finished(input.reference_fuel))
        .collect();
    measure(inputs, &runs)
}

fn summary(
    fitted: bool,
    expected: Class,
    detected: Option<Class>,
    status: EfficiencyStatus,
    ties: &[Class],
    limit_at: Option<u64>,
    ratio: Option<(u64, f64)>,
) -> String {
    let found = match (status, detected) {
        (EfficiencyStatus::AtLeast, Some(class)) => format!("at least {class}"),
        (_, Some(class)) => class.to_string(),
        (_, None) if ties.len() > 1 => {
            let names: Vec<String> = ties.iter().map(Class::to_string).collect();
            format!("inconclusive ({})", names.join(" or "))
        }
        (_, None) if !fitted => format!("inconclusive (fewer than {MIN_POINTS} sizes finished)"),
        (_, None) => "inconclusive (no class fits the curve well)".to_owned(),
    };
    let mut line = format!("efficiency: {found}, expected {expected}");
    if let Some(n) = limit_at {
        line.push_str(&format!(" — hit its limit at n = {}", thousands(n)));
    }
    if let Some((n, ratio)) = ratio {
        let sep = if limit_at.is_some() { ";" } else { " —" };
        line.push_str(&format!(
            "{sep} {} the reference's fuel at n = {}",
            times(ratio),
            thousands(n)
        ));
    }
    line
}

/// To 6 decimals: such a number reads back from JSON exactly (a stored
/// result must compare equal to a fresh one), and no more is meaningful.
fn rounded(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

/// `41×`, `1.3×`.
fn times(ratio: f64) -> String {
    if ratio >= 9.95 {
        format!("{ratio:.0}×")
    } else {
        format!("{ratio:.1}×")
    }
}

/// `32,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use gavel_core::Limits;
    use gavel_exercise::TestData;
    use gavel_exercise::manifest::ComplexitySpec;

    fn inputs(
        expected: Class,
        sizes: &[u64],
        seeds: &[u64],
        reference: impl Fn(u64) -> u64,
    ) -> ComplexityInputs {
        let spec = ComplexitySpec {
            expected,
            sizes: sizes.to_vec(),
            args: "{n} {seed}".into(),
            seeds: seeds.to_vec(),
            points: 0,
        };
        let mut all = Vec::new();
        for &n in sizes {
            for &seed in seeds {
                all.push(SizedInput {
                    n,
                    seed,
                    data: TestData::Stdio {
                        stdin: Bytes::new(),
                        files: Arc::new([]),
                        expected: Default::default(),
                    },
                    reference_fuel: reference(n) + seed,
                    limits: Limits::default(),
                });
            }
        }
        ComplexityInputs { spec, inputs: all }
    }

    fn n_log_n(n: u64) -> u64 {
        let n = n as f64;
        (1_000_000.0 + 400.0 * n * n.log2()) as u64
    }

    const SIZES: [u64; 5] = [1_000, 2_000, 4_000, 8_000, 16_000];

    #[test]
    fn a_reference_of_its_declared_class_is_as_expected() {
        let inputs = inputs(Class::Linearithmic, &SIZES, &[1, 2], n_log_n);
        let measured = reference(&inputs);
        assert_eq!(measured.status, EfficiencyStatus::AsExpected);
        assert_eq!(measured.detected, Some(Class::Linearithmic));
        assert_eq!(measured.ratio, Some(1.0));
        assert!(
            measured
                .summary
                .starts_with("efficiency: O(n log n), expected O(n log n) — 1.0×")
        );
    }

    #[test]
    fn a_quadratic_submission_is_worse_with_its_ratio() {
        let inputs = inputs(Class::Linearithmic, &SIZES, &[1], n_log_n);
        let runs: Vec<SizedRun> = SIZES
            .iter()
            .map(|&n| SizedRun::Finished(1_000_000 + 300 * n * n))
            .collect();
        let measured = measure(&inputs, &runs);
        assert_eq!(measured.status, EfficiencyStatus::Worse);
        assert_eq!(measured.detected, Some(Class::Quadratic));
        assert!(
            measured.summary.contains("O(n²), expected O(n log n)"),
            "{}",
            measured.summary
        );
        assert!(
            measured.summary.contains("at n = 16,000"),
            "{}",
            measured.summary
        );
    }

    #[test]
    fn a_limit_at_large_sizes_says_at_least() {
        let inputs = inputs(
            Class::Linear,
            &[1_000, 2_000, 4_000, 8_000, 16_000, 32_000],
            &[1],
            |n| 10_000 + 50 * n,
        );
        let runs: Vec<SizedRun> = [1_000u64, 2_000, 4_000, 8_000]
            .iter()
            .map(|&n| SizedRun::Finished(10_000 + 10 * n * n))
            .chain([SizedRun::Limit, SizedRun::Limit])
            .collect();
        let measured = measure(&inputs, &runs);
        assert_eq!(measured.status, EfficiencyStatus::AtLeast);
        assert_eq!(measured.limit_at, Some(16_000));
        assert_eq!(measured.detected, Some(Class::Quadratic));
        assert!(
            measured.summary.contains("at least O(n²)"),
            "{}",
            measured.summary
        );
        assert_eq!(measured.sizes[4].fuel, None);
    }

    #[test]
    fn too_few_sizes_before_the_limit_are_inconclusive() {
        let inputs = inputs(Class::Linear, &SIZES, &[1], |n| 10_000 + 50 * n);
        let runs = [
            SizedRun::Finished(20_000),
            SizedRun::Finished(90_000),
            SizedRun::Limit,
            SizedRun::Limit,
            SizedRun::Limit,
        ];
        let measured = measure(&inputs, &runs);
        assert_eq!(measured.status, EfficiencyStatus::Inconclusive);
        assert_eq!(measured.limit_at, Some(4_000));
        assert!(
            measured.summary.contains("fewer than 3 sizes"),
            "{}",
            measured.summary
        );
    }

    #[test]
    fn a_failed_run_on_any_seed_measures_nothing() {
        let inputs = inputs(Class::Linear, &SIZES, &[1, 2], |n| 10_000 + 50 * n);
        let mut runs = vec![SizedRun::Finished(50_000); 10];
        runs[7] = SizedRun::Failed("it raised an exception");
        let measured = measure(&inputs, &runs);
        assert_eq!(measured.status, EfficiencyStatus::NotMeasured);
        assert_eq!(
            measured.summary,
            "efficiency: not measured — at n = 8,000, it raised an exception"
        );
    }

    #[test]
    fn the_worst_seed_decides_a_size() {
        let inputs = inputs(Class::Linear, &SIZES[..4], &[1, 2], |n| 10_000 + 50 * n);
        let runs: Vec<SizedRun> = (0..8).map(|i| SizedRun::Finished(100 + i)).collect();
        let measured = measure(&inputs, &runs);
        let fuel: Vec<Option<u64>> = measured.sizes.iter().map(|s| s.fuel).collect();
        assert_eq!(fuel, [Some(101), Some(103), Some(105), Some(107)]);
    }

    #[test]
    fn performance_points_go_to_accepted_submissions_of_the_expected_class_only() {
        let inputs = inputs(Class::Linearithmic, &SIZES, &[1], n_log_n);
        let fast = reference(&inputs);
        let slow = measure(
            &inputs,
            &SIZES
                .iter()
                .map(|&n| SizedRun::Finished(1_000_000 + 300 * n * n))
                .collect::<Vec<_>>(),
        );
        let points = |mut e: Efficiency, accepted| {
            score(&mut e, 3, accepted);
            (e.performance.map(|p| p.points), e.summary)
        };
        let (earned, summary) = points(fast.clone(), true);
        assert_eq!(earned, Some(3));
        assert!(summary.ends_with(" · performance 3/3"), "{summary}");
        assert_eq!(
            points(fast.clone(), false).0,
            Some(0),
            "a wrong answer earns none"
        );
        assert_eq!(points(slow, true).0, Some(0), "a slower class earns none");
        let mut none = fast;
        score(&mut none, 0, true);
        assert_eq!(none.performance, None, "no points declared, no score");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(32_000), "32,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(times(41.2), "41×");
        assert_eq!(times(1.26), "1.3×");
    }
}
