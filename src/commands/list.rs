//! `gavel list` and `gavel show`: what a candidate may read.

use super::Context;
use crate::exit::Code;
use anyhow::Result;
use console::style;
use gavel_exercise::{Exercise, Kind, TestData, Visibility};
use serde_json::{Value, json};

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Stdio => "stdio",
        Kind::Function => "function",
    }
}

/// The documented item of `gavel list --json`.
pub fn summary(exercise: &Exercise) -> Value {
    json!({
        "id": exercise.id,
        "title": exercise.title,
        "kind": kind_name(exercise.kind),
        "difficulty": exercise.difficulty,
        "tags": exercise.tags,
        "public_tests": exercise.count(Visibility::Public),
        "hidden_tests": exercise.count(Visibility::Hidden),
        "function": exercise.function.as_ref().map(|f| &f.name),
    })
}

pub fn list(context: &Context, json: bool) -> Result<Code> {
    let exercises = context.catalog()?;
    if json {
        let items: Vec<Value> = exercises.iter().map(|e| summary(e)).collect();
        println!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(Code::Accepted);
    }
    let width = exercises.iter().map(|e| e.id.len()).max().unwrap_or(0);
    for e in &exercises {
        println!(
            "{:<width$}  {:<8} {:<8} {}  {}",
            style(&e.id).bold(),
            kind_name(e.kind),
            format!("{:?}", e.difficulty).to_lowercase(),
            e.title,
            style(format!("[{}]", e.tags.join(", "))).dim(),
        );
    }
    eprintln!(
        "{} exercises in {}",
        exercises.len(),
        context.catalog_dir().display()
    );
    Ok(Code::Accepted)
}

/// The public examples of an exercise: never a hidden test, and never a
/// generated test's data (which needs the reference solution to produce).
fn examples(exercise: &Exercise) -> Vec<Value> {
    exercise
        .public_tests()
        .filter_map(|t| match &t.data {
            TestData::Stdio { input, expected, files } => Some(json!({
                "name": t.name,
                "input": String::from_utf8_lossy(input),
                "expected": expected,
                "files": files.iter().map(|(n, b)| json!({"name": n, "content": String::from_utf8_lossy(b)})).collect::<Vec<_>>(),
            })),
            TestData::Function { args, expected } => Some(json!({
                "name": t.name,
                "args": args,
                "expected": expected,
            })),
            TestData::Generated { .. } => None,
        })
        .collect()
}

pub fn show(context: &Context, id: &str, json: bool) -> Result<Code> {
    let exercise = context.exercise(id)?;
    let examples = examples(&exercise);
    if json {
        let mut value = summary(&exercise);
        value["statement"] = json!(exercise.statement);
        value["starter"] = json!(exercise.starter);
        value["examples"] = json!(examples);
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(Code::Accepted);
    }
    println!("{}", exercise.statement.trim_end());
    println!("\n{}\n", style("## Starter code").bold());
    println!("```python\n{}```", exercise.starter);
    println!("\n{}", style("## Public examples").bold());
    for example in &examples {
        println!("\n### {}", example["name"].as_str().unwrap_or_default());
        if let Some(args) = example.get("args") {
            let name = exercise.function.as_ref().map_or("f", |f| f.name.as_str());
            let list: Vec<String> = args
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| a.to_string())
                .collect();
            println!("{name}({}) == {}", list.join(", "), example["expected"]);
        } else {
            for file in example["files"].as_array().into_iter().flatten() {
                println!(
                    "file `{}`:\n```\n{}```",
                    file["name"].as_str().unwrap_or_default(),
                    file["content"].as_str().unwrap_or_default()
                );
            }
            println!(
                "input:\n```\n{}```",
                example["input"].as_str().unwrap_or_default()
            );
            println!(
                "expected output:\n```\n{}```",
                example["expected"].as_str().unwrap_or_default()
            );
        }
    }
    println!(
        "\n{} public and {} hidden tests. Try yours with `gavel test {id} FILE`, then `gavel submit {id} FILE`.",
        exercise.count(Visibility::Public),
        exercise.count(Visibility::Hidden),
    );
    Ok(Code::Accepted)
}
