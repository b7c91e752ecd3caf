//! `gavel image`: explicit control over the runner image.

use super::Context;
use crate::cli::ImageCommand;
use crate::exit::Code;
use crate::ui::SetupProgress;
use anyhow::{Context as _, Result};
use gavel_sandbox::{Image, Sandbox, image as images};

pub fn execute(context: &Context, command: ImageCommand) -> Result<Code> {
    match command {
        ImageCommand::Build { json } => {
            let mut progress = SetupProgress::new();
            let image = images::build(&context.cache, &images::PYTHON_3_14, &mut |step| {
                progress.step(step)
            })?;
            drop(progress);
            print_image(&image, None, json)?;
        }
        ImageCommand::Info { verify, json } => {
            let sandbox = context.sandbox()?;
            if verify {
                images::verify(sandbox.image())?;
            }
            let modules = context.runtime.block_on(sandbox.preloaded_modules())?;
            print_image(sandbox.image(), Some(&modules), json)?;
        }
        ImageCommand::Path => println!("{}", context.image()?.path.display()),
        ImageCommand::Import { file } => {
            // Load it first: an import must be a component that implements
            // gavel's runner interface, or it is refused before it replaces anything.
            let candidate = images::from_file(&file)?;
            let sandbox = Sandbox::new(&context.cache, candidate)
                .with_context(|| format!("`{}` is not a gavel runner image", file.display()))?;
            context
                .runtime
                .block_on(sandbox.preloaded_modules())
                .with_context(|| format!("`{}` is not a gavel runner image", file.display()))?;
            let image = images::import(&context.cache, &images::PYTHON_3_14, &file)?;
            print_image(&image, None, false)?;
        }
        ImageCommand::Export { file } => {
            let image = context.image()?;
            images::export(&image, &file)
                .with_context(|| format!("cannot export the image to `{}`", file.display()))?;
            eprintln!("wrote {} (sha256 {})", file.display(), image.sha256);
        }
    }
    Ok(Code::Accepted)
}

fn print_image(image: &Image, modules: Option<&[String]>, json: bool) -> Result<()> {
    if json {
        let mut value = serde_json::to_value(image)?;
        if let Some(modules) = modules {
            value["modules"] = serde_json::to_value(modules)?;
        }
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    println!("name:     {}", image.name);
    println!("python:   {}", image.python_version);
    println!("sha256:   {}", image.sha256);
    println!("size:     {} bytes", image.size);
    println!("path:     {}", image.path.display());
    println!("origin:   {}", serde_json::to_string(&image.origin)?);
    if let Some(modules) = modules {
        println!("modules:  {}", modules.join(" "));
    }
    Ok(())
}
