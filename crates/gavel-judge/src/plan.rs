//! The order a submission's tests run in: a pure function of the exercise's
//! tests and groups and of the options, so that group rules,
//! stop-on-first-failure and the public-before-hidden rule are unit-tested
//! without a sandbox. The judge carries the steps out.

use gavel_exercise::manifest::{GroupSpec, OnFailure};
use gavel_exercise::{Test, Visibility};
use std::collections::BTreeMap;

/// One step of a submission's judging, over test indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// Run these at once (sharing the sandbox's slots).
    AtOnce(Vec<usize>),
    /// Run these one after another; after the first that fails, the rest
    /// are skipped (SK) with `why` as their message.
    InOrder {
        /// The tests, in order.
        tests: Vec<usize>,
        /// The skipped tests' message.
        why: Option<String>,
    },
    /// A group with rules: its tests are skipped when a group it depends on
    /// did not pass; else run at once, or in order when the group stops at
    /// its first failure.
    Group {
        /// The group.
        name: String,
        /// Groups that must have passed.
        depends_on: Vec<String>,
        /// Its tests.
        tests: Vec<usize>,
        /// Whether it stops at its first failure.
        in_order: bool,
    },
}

/// The steps that judge `tests` (in the exercise's order) with `groups`.
///
/// - With `stop_on_first_failure`: every test in order.
/// - With groups that have rules: the tests outside them first (public,
///   then hidden), then each group after the groups it depends on.
/// - Otherwise: the public tests at once, then the hidden ones at once, so
///   no public test's timing depends on a hidden one (docs/confidentiality.md).
pub(crate) fn plan(
    tests: &[&Test],
    groups: &BTreeMap<String, GroupSpec>,
    stop_on_first_failure: bool,
) -> Vec<Step> {
    if stop_on_first_failure {
        return vec![Step::InOrder {
            tests: (0..tests.len()).collect(),
            why: None,
        }];
    }
    if !groups.values().any(GroupSpec::has_rules) {
        return public_then_hidden(tests, (0..tests.len()).collect());
    }
    let free: Vec<usize> = (0..tests.len())
        .filter(|&i| {
            tests[i]
                .group
                .as_ref()
                .is_none_or(|g| !groups.contains_key(g))
        })
        .collect();
    let mut steps = public_then_hidden(tests, free);
    for name in group_order(groups) {
        let spec = &groups[name];
        steps.push(Step::Group {
            name: name.to_owned(),
            depends_on: spec.depends_on.clone(),
            tests: (0..tests.len())
                .filter(|&i| tests[i].group.as_deref() == Some(name))
                .collect(),
            in_order: spec.on_failure == OnFailure::Skip,
        });
    }
    steps
}

/// `indices` as two steps: the public tests, then the hidden ones (an empty
/// step is left out).
fn public_then_hidden(tests: &[&Test], indices: Vec<usize>) -> Vec<Step> {
    let (public, hidden): (Vec<usize>, Vec<usize>) = indices
        .into_iter()
        .partition(|&i| tests[i].visibility == Visibility::Public);
    [public, hidden]
        .into_iter()
        .filter(|part| !part.is_empty())
        .map(Step::AtOnce)
        .collect()
}

/// The declared groups, each after the groups it depends on (the loader
/// refuses cycles), ties in name order.
pub(crate) fn group_order(groups: &BTreeMap<String, GroupSpec>) -> Vec<&str> {
    let mut order: Vec<&str> = Vec::new();
    while order.len() < groups.len() {
        let before = order.len();
        for (name, spec) in groups {
            if !order.contains(&name.as_str())
                && spec.depends_on.iter().all(|d| order.contains(&d.as_str()))
            {
                order.push(name);
            }
        }
        if order.len() == before {
            break;
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use gavel_exercise::{Comparison, TestData, TestSource};

    fn test(visibility: Visibility, group: Option<&str>) -> Test {
        Test {
            name: "t".to_owned(),
            visibility,
            points: 1,
            group: group.map(str::to_owned),
            comparison: Comparison::default(),
            fuel: None,
            source: TestSource::Stored(TestData::Stdio {
                stdin: bytes::Bytes::new(),
                files: std::sync::Arc::new([]),
                expected: "".into(),
            }),
        }
    }

    fn groups(specs: &[(&str, OnFailure, &[&str])]) -> BTreeMap<String, GroupSpec> {
        specs
            .iter()
            .map(|(name, on_failure, depends_on)| {
                (
                    (*name).to_owned(),
                    GroupSpec {
                        points: None,
                        on_failure: *on_failure,
                        depends_on: depends_on.iter().map(|d| (*d).to_owned()).collect(),
                    },
                )
            })
            .collect()
    }

    use Visibility::{Hidden, Public};

    #[test]
    fn public_tests_run_before_hidden_ones() {
        let tests = [
            test(Hidden, None),
            test(Public, None),
            test(Hidden, None),
            test(Public, None),
        ];
        let refs: Vec<&Test> = tests.iter().collect();
        assert_eq!(
            plan(&refs, &BTreeMap::new(), false),
            [Step::AtOnce(vec![1, 3]), Step::AtOnce(vec![0, 2])]
        );
        // Groups without rules change nothing.
        let plain = groups(&[("a", OnFailure::Continue, &[])]);
        assert_eq!(plan(&refs, &plain, false).len(), 2);
    }

    #[test]
    fn stopping_at_the_first_failure_runs_every_test_in_order() {
        let tests = [test(Hidden, None), test(Public, None)];
        let refs: Vec<&Test> = tests.iter().collect();
        assert_eq!(
            plan(&refs, &BTreeMap::new(), true),
            [Step::InOrder {
                tests: vec![0, 1],
                why: None
            }]
        );
    }

    #[test]
    fn groups_run_after_free_tests_and_after_their_dependencies() {
        let tests = [
            test(Public, Some("large")),
            test(Hidden, Some("small")),
            test(Public, None),
            test(Hidden, Some("label-only")),
        ];
        let refs: Vec<&Test> = tests.iter().collect();
        let specs = groups(&[
            ("large", OnFailure::Continue, &["small"]),
            ("small", OnFailure::Skip, &[]),
        ]);
        assert_eq!(
            plan(&refs, &specs, false),
            [
                Step::AtOnce(vec![2]),
                Step::AtOnce(vec![3]),
                Step::Group {
                    name: "small".to_owned(),
                    depends_on: vec![],
                    tests: vec![1],
                    in_order: true
                },
                Step::Group {
                    name: "large".to_owned(),
                    depends_on: vec!["small".to_owned()],
                    tests: vec![0],
                    in_order: false
                },
            ]
        );
    }

    #[test]
    fn groups_are_ordered_by_dependency_then_name() {
        let specs = groups(&[
            ("c", OnFailure::Continue, &["b"]),
            ("b", OnFailure::Continue, &["a"]),
            ("a", OnFailure::Continue, &[]),
            ("d", OnFailure::Continue, &[]),
        ]);
        assert_eq!(group_order(&specs), ["a", "b", "c", "d"]);
    }
}
