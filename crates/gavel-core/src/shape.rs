//! How a JSON value crosses into and out of a function exercise: named in the
//! exercise manifest, carried by the sandbox to the runner's interface.

use serde::{Deserialize, Serialize};

/// A JSON conversion for a function's arguments and return value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// As is: numbers, strings, lists, dicts, booleans, null.
    #[default]
    Json,
    /// A JSON list as a chain of `ListNode(val, next)`.
    LinkedList,
    /// A level-order JSON list with nulls as `TreeNode(val, left, right)`.
    BinaryTree,
}

impl Shape {
    /// The name used in manifests and messages.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Json => "json",
            Shape::LinkedList => "linked_list",
            Shape::BinaryTree => "binary_tree",
        }
    }
}
