//! How test results add up to a submission's points.

use crate::result::TestResult;
use gavel_exercise::Verdict;
use gavel_exercise::manifest::Scoring;
use std::collections::BTreeMap;

/// Points earned: each test's, or with groups, a group's only when all of its
/// tests are accepted (tests without a group count alone).
pub(crate) fn score(scoring: Scoring, results: &[TestResult]) -> f64 {
    match scoring {
        Scoring::Sum => results.iter().map(|r| r.points).sum(),
        Scoring::Groups => {
            let mut groups: BTreeMap<&str, (bool, u32)> = BTreeMap::new();
            let mut loose = 0.0;
            for r in results {
                match &r.group {
                    None => loose += r.points,
                    Some(g) => {
                        let entry = groups.entry(g).or_insert((true, 0));
                        entry.0 &= r.verdict == Verdict::Accepted;
                        entry.1 += r.max_points;
                    }
                }
            }
            loose
                + groups
                    .values()
                    .filter(|(all, _)| *all)
                    .map(|(_, p)| f64::from(*p))
                    .sum::<f64>()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gavel_exercise::Visibility;

    #[track_caller]
    fn result(group: Option<&str>, verdict: Verdict, points: u32) -> TestResult {
        TestResult {
            name: "t".to_owned(),
            visibility: Visibility::Public,
            group: group.map(str::to_owned),
            verdict,
            reason: None,
            limit: None,
            message: None,
            error: None,
            diff: Vec::new(),
            stdout: None,
            stderr: None,
            points: if verdict == Verdict::Accepted {
                f64::from(points)
            } else {
                0.0
            },
            max_points: points,
            fuel: None,
            fuel_limit: None,
            wall_ms: None,
            peak_memory_bytes: None,
        }
    }

    #[test]
    fn groups_score_only_when_all_their_tests_pass() {
        let results = [
            result(Some("small"), Verdict::Accepted, 1),
            result(Some("small"), Verdict::Accepted, 1),
            result(Some("large"), Verdict::Accepted, 2),
            result(Some("large"), Verdict::TimeLimit, 2),
            result(None, Verdict::Accepted, 1),
        ];
        assert_eq!(score(Scoring::Groups, &results), 3.0);
        assert_eq!(score(Scoring::Sum, &results), 5.0);
    }
}
