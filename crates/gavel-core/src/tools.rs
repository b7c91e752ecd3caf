//! Tools gavel installs into its cache with the machine's Python and pip:
//! the runner image's build tool, the C/C++ toolchain of native checkers.

use std::path::Path;
use std::process::{Command, Stdio};

/// The Python interpreter that runs pip: `$GAVEL_PYTHON`, else `python3`.
pub fn python() -> String {
    std::env::var("GAVEL_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// The pip command that installs what `requirements` pins (every package
/// with `--hash` lines) into `target`: binary wheels only, no dependencies.
/// `--target` rather than a virtual environment: it needs no `venv` module
/// (Debian splits it out) and touches no environment that pip might
/// consider externally managed.
pub fn pip_install(requirements: &Path, target: &Path) -> Command {
    let mut command = Command::new(python());
    command
        .args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--require-hashes",
            "--no-deps",
            "--only-binary=:all:",
            "--target",
        ])
        .arg(target)
        .arg("-r")
        .arg(requirements)
        .stdin(Stdio::null());
    command
}

/// The pip command that downloads what `requirements` pins (every package
/// with `--hash` lines) into `dir`, as wheels, without installing anything.
pub fn pip_download(requirements: &Path, dir: &Path) -> Command {
    let mut command = Command::new(python());
    command
        .args([
            "-m",
            "pip",
            "download",
            "--disable-pip-version-check",
            "--no-input",
            "--progress-bar",
            "off",
            "--require-hashes",
            "--no-deps",
            "--only-binary=:all:",
            "--dest",
        ])
        .arg(dir)
        .arg("-r")
        .arg(requirements)
        .stdin(Stdio::null());
    command
}
