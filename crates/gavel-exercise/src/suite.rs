//! Test-writing exercises (`kind = "tests"`): the candidate submits tests;
//! they must pass on the correct implementation and catch buggy ones — the
//! author's **chaffs** (each one plausible bug, described in one line) and,
//! where the exercise asks, mutants gavel generates from the implementation.
//!
//! Each implementation a suite runs against is one test of the exercise:
//! [`CORRECT`] first, in a group every other test depends on (a suite that
//! fails on a correct implementation earns nothing for what it "catches"),
//! then the public chaffs by name, the hidden ones as `hidden-chaff-NN`
//! (their names say nothing of the bug), and the mutants as `mutant-NN`.
//! A test's data is the implementation's source, as a JSON list of one
//! string (the judge adds the candidate's tests when it runs them).

use crate::compare::Comparison;
use crate::manifest::{GroupSpec, OnFailure};
pub use crate::model::{Chaff, Suite};
use crate::model::{Test, TestData, TestSource, Visibility};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The test whose implementation is correct: every test of the suite must
/// pass on it.
pub const CORRECT: &str = "00-correct";

/// The group of [`CORRECT`].
pub const CORRECT_GROUP: &str = "correct";

/// The group of the chaffs, which depends on [`CORRECT_GROUP`].
pub const BUGS_GROUP: &str = "bugs";

/// The group of the generated mutants, which depends on [`CORRECT_GROUP`]
/// and is worth `[suite] mutant_points` in proportion to the mutants caught.
pub const MUTANTS_GROUP: &str = "mutants";

impl Suite {
    /// The test name of each chaff, in order.
    pub fn chaff_test_names(&self) -> Vec<String> {
        let mut hidden = 0;
        self.chaffs
            .iter()
            .map(|chaff| match chaff.visibility {
                Visibility::Public => format!("chaff-{}", chaff.name),
                Visibility::Hidden => {
                    hidden += 1;
                    format!("hidden-chaff-{hidden:02}")
                }
            })
            .collect()
    }

    /// The chaff a test runs on, by the test's name.
    pub fn chaff_of(&self, test: &str) -> Option<&Chaff> {
        let at = self.chaff_test_names().iter().position(|n| n == test)?;
        self.chaffs.get(at)
    }

    /// The exercise's tests (the correct implementation and the chaffs;
    /// mutants are added by the judge) and their two groups.
    pub fn tests(&self) -> (Vec<Test>, BTreeMap<String, GroupSpec>) {
        let mut tests = vec![test(
            CORRECT.to_owned(),
            Visibility::Public,
            0,
            CORRECT_GROUP,
            &self.implementation,
        )];
        for (chaff, name) in self.chaffs.iter().zip(self.chaff_test_names()) {
            tests.push(test(
                name,
                chaff.visibility,
                self.spec.chaff_points,
                BUGS_GROUP,
                &chaff.source,
            ));
        }
        let after_correct = |points| GroupSpec {
            points,
            on_failure: OnFailure::default(),
            depends_on: vec![CORRECT_GROUP.to_owned()],
        };
        let mut groups = BTreeMap::from([
            (CORRECT_GROUP.to_owned(), GroupSpec::default()),
            (BUGS_GROUP.to_owned(), after_correct(None)),
        ]);
        if self.spec.mutants {
            groups.insert(
                MUTANTS_GROUP.to_owned(),
                after_correct(Some(self.spec.mutant_points)),
            );
        }
        (tests, groups)
    }

    /// A generated mutant's test.
    pub fn mutant_test(&self, number: usize, source: &str) -> Test {
        test(
            format!("mutant-{number:02}"),
            Visibility::Hidden,
            1,
            MUTANTS_GROUP,
            source.as_bytes(),
        )
    }
}

fn test(name: String, visibility: Visibility, points: u32, group: &str, source: &[u8]) -> Test {
    let args = serde_json::to_string(&[String::from_utf8_lossy(source)]).expect("a string list");
    Test {
        name,
        visibility,
        points,
        group: Some(group.to_owned()),
        comparison: Comparison::Json {
            float_tolerance: None,
            unordered_lists: false,
        },
        fuel: None,
        source: TestSource::Stored(TestData::Function {
            args: args.into(),
            expected: Arc::new(serde_json::Value::Null),
        }),
    }
}

/// The implementation's source a suite test carries.
pub fn implementation_of(data: &TestData) -> Option<String> {
    match data {
        TestData::Function { args, .. } => serde_json::from_str::<Vec<String>>(args)
            .ok()
            .and_then(|mut list| list.pop()),
        TestData::Stdio { .. } => None,
    }
}
