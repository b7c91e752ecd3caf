//! `gavel list` and `gavel show` for people.

use super::safe;
use console::style;
use gavel_exercise::view::{ExerciseDetails, ExerciseSummary};

/// A line per exercise, then where the catalog is.
pub(crate) fn list(items: &[ExerciseSummary], catalog: &str) {
    let width = items.iter().map(|e| e.id.len()).max().unwrap_or(0);
    for e in items {
        // Only an exercise that needs another image than the default says so.
        let image = if e.image.is_default() {
            String::new()
        } else {
            format!("  {}", style(format!("(image: {})", e.image.name())).cyan())
        };
        println!(
            "{:<width$}  {:<8} {:<8} {}  {}{image}",
            style(&e.id).bold(),
            e.kind.name(),
            e.difficulty.name(),
            safe(&e.title),
            style(format!("[{}]", e.tags.join(", "))).dim(),
        );
    }
    eprintln!("{} exercises in {catalog}", items.len());
}

/// The statement, the starter code and the public examples.
pub(crate) fn show(details: &ExerciseDetails) {
    println!("{}", safe(details.statement.trim_end()));
    println!("\n{}\n", style("## Starter code").bold());
    println!("```python\n{}```", safe(&details.starter));
    println!("\n{}", style("## Public examples").bold());
    if !details.image.is_default() {
        println!(
            "\nThis exercise runs on the `{}` runner image (numpy, pandas, scipy): \
             `gavel test` uses it, and `gavel run --image {}` runs a file on it.",
            details.image.name(),
            details.image.name()
        );
    }
    if details.interactive {
        println!(
            "\nThis exercise is interactive: your program talks to a judge program. \
             `gavel test {} FILE` shows the exchange of each public test your program fails.",
            details.id
        );
    }
    if !details.bugs.is_empty() {
        println!(
            "\nYour tests run on a correct implementation (`{}`, where all must pass) and on buggy ones; these are public:",
            gavel_exercise::suite::CORRECT
        );
        for bug in &details.bugs {
            println!("- `{}`: {}", safe(&bug.name), safe(&bug.description));
        }
    }
    for example in &details.examples {
        println!("\n### {}", example.name);
        if let Some(args) = &example.args {
            let name = details.function.as_deref().unwrap_or("f");
            let list: Vec<String> = args
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| a.to_string())
                .collect();
            println!(
                "{name}({}) == {}",
                safe(&list.join(", ")),
                safe(&example.expected.to_string())
            );
            continue;
        }
        for file in example.files.iter().flatten() {
            println!("file `{}`:\n```\n{}```", file.name, safe(&file.content));
        }
        println!(
            "input:\n```\n{}```",
            safe(example.input.as_deref().unwrap_or_default())
        );
        println!(
            "expected output:\n```\n{}```",
            safe(example.expected.as_str().unwrap_or_default())
        );
    }
    let hidden = if details.hidden_tests > 0 {
        format!("{} hidden tests", details.hidden_tests)
    } else {
        "hidden tests kept by the hiring team".to_owned()
    };
    println!(
        "\n{} public tests and {hidden}. Try yours with `gavel test {id} FILE`, then `gavel submit {id} FILE`.",
        details.public_tests,
        id = details.id,
    );
}
