//! How test results add up to a submission's points, and what groups with
//! rules (`[groups.NAME]`) earned.
//!
//! Points come in units: a test on its own; a group that declares `points`
//! (worth those, all or nothing); and, with `scoring = "groups"`, any group
//! label (worth its tests' points, all or nothing).

use crate::evaluate::Evaluation;
use crate::result::GroupResult;
use gavel_exercise::manifest::Scoring;
use gavel_exercise::{Exercise, Verdict};
use std::collections::BTreeMap;

/// Points earned and possible, and each declared group's result. Tests of a
/// group that declares its points carry no points of their own (the group
/// does), so the tests' and groups' points add up to the total; their
/// evaluations are changed in place.
pub(crate) fn score(
    exercise: &Exercise,
    evaluations: &mut [Evaluation],
) -> (f64, u32, Vec<GroupResult>) {
    let mut units: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, r) in evaluations.iter().map(|e| &e.full).enumerate() {
        if let Some(group) = &r.group {
            units.entry(group.clone()).or_default().push(i);
        }
    }
    let (mut points, mut max_points) = (0.0, 0u32);
    let mut grouped = vec![false; evaluations.len()];
    let mut groups = Vec::new();
    for (name, members) in &units {
        let declared = exercise.groups.get(name);
        let all_or_nothing =
            declared.is_some_and(|g| g.points.is_some()) || exercise.scoring == Scoring::Groups;
        let passed = members.iter().all(|&i| evaluations[i].full.accepted());
        let own_max: u32 = members
            .iter()
            .map(|&i| evaluations[i].full.max_points)
            .sum();
        let own_points: f64 = members.iter().map(|&i| evaluations[i].full.points).sum();
        let group_max = declared.and_then(|g| g.points).unwrap_or(own_max);
        // A test-writing exercise's mutants earn their points in proportion.
        let proportional = exercise.suite.is_some() && name == gavel_exercise::suite::MUTANTS_GROUP;
        let all_or_nothing = all_or_nothing && !proportional;
        let group_points = match (all_or_nothing, passed) {
            _ if proportional => {
                let caught = members
                    .iter()
                    .filter(|&&i| evaluations[i].full.accepted())
                    .count();
                crate::result::points::round(
                    f64::from(group_max) * caught as f64 / members.len() as f64,
                )
            }
            (true, true) => f64::from(group_max),
            (true, false) => 0.0,
            (false, _) => own_points,
        };
        if declared.is_some_and(|g| g.points.is_some()) {
            for &i in members {
                evaluations[i].full.points = 0.0;
                evaluations[i].full.max_points = 0;
            }
        }
        if all_or_nothing || proportional {
            for &i in members {
                grouped[i] = true;
            }
            points += group_points;
            max_points += group_max;
        }
        if declared.is_some() {
            let skipped = members
                .iter()
                .all(|&i| evaluations[i].full.verdict == Verdict::Skipped)
                .then(|| evaluations[members[0]].full.message.clone())
                .flatten();
            groups.push(GroupResult {
                name: name.clone(),
                verdict: Verdict::combine(members.iter().map(|&i| evaluations[i].full.verdict)),
                points: group_points,
                max_points: group_max,
                skipped,
            });
        }
    }
    for (i, r) in evaluations.iter().map(|e| &e.full).enumerate() {
        if !grouped[i] {
            points += r.points;
            max_points += r.max_points;
        }
    }
    (points, max_points, groups)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gavel_exercise::Visibility;
    use gavel_exercise::manifest::GroupSpec;

    use crate::result::TestResult;

    #[track_caller]
    fn result(group: Option<&str>, verdict: Verdict, points: u32) -> Evaluation {
        let earned = if verdict == Verdict::Accepted {
            f64::from(points)
        } else {
            0.0
        };
        Evaluation {
            full: TestResult::bare(
                "t".to_owned(),
                Visibility::Public,
                group.map(str::to_owned),
                verdict,
                earned,
                points,
            ),
            memory_limit: 1,
        }
    }

    fn exercise(scoring: Scoring, groups: &[(&str, GroupSpec)]) -> Exercise {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exercises/two-sum");
        let mut exercise = gavel_exercise::load(&dir).unwrap();
        exercise.scoring = scoring;
        exercise.groups = groups
            .iter()
            .map(|(n, g)| ((*n).to_owned(), g.clone()))
            .collect();
        exercise
    }

    #[test]
    fn groups_score_only_when_all_their_tests_pass() {
        let mut results = [
            result(Some("small"), Verdict::Accepted, 1),
            result(Some("small"), Verdict::Accepted, 1),
            result(Some("large"), Verdict::Accepted, 2),
            result(Some("large"), Verdict::TimeLimit, 2),
            result(None, Verdict::Accepted, 1),
        ];
        let (points, max, groups) = score(&exercise(Scoring::Groups, &[]), &mut results.clone());
        assert_eq!((points, max), (3.0, 7));
        assert!(groups.is_empty(), "labels without rules are not listed");
        let (points, max, _) = score(&exercise(Scoring::Sum, &[]), &mut results);
        assert_eq!((points, max), (5.0, 7));
    }

    #[test]
    fn a_group_with_points_is_worth_them_all_or_nothing() {
        let worth = |points| GroupSpec {
            points: Some(points),
            ..GroupSpec::default()
        };
        let exercise = exercise(Scoring::Sum, &[("small", worth(10)), ("large", worth(30))]);
        let mut results = [
            result(Some("small"), Verdict::Accepted, 1),
            result(Some("small"), Verdict::Accepted, 1),
            result(Some("large"), Verdict::WrongAnswer, 1),
            result(None, Verdict::Accepted, 5),
        ];
        let (points, max, groups) = score(&exercise, &mut results);
        assert_eq!((points, max), (15.0, 45));
        assert_eq!(groups.len(), 2);
        let small = groups.iter().find(|g| g.name == "small").unwrap();
        assert_eq!(
            (small.points, small.max_points, small.verdict),
            (10.0, 10, Verdict::Accepted)
        );
        assert_eq!(
            (results[0].full.points, results[0].full.max_points),
            (0.0, 0)
        );
    }
}
