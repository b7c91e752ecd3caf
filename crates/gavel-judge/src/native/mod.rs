//! Compiling an exercise's checker or interactor in C or C++ to WebAssembly
//! (`wasm32-wasi`): the toolchain found and checked once per process, each
//! program compiled once per source, headers, flags and compiler version,
//! and kept in gavel's cache. The result runs in the sandbox like any guest
//! (`gavel_sandbox::Entry::Native`), never as a process of the host.
//!
//! The compiler itself runs on the host, on the catalog's sources only. It
//! would read any file an `#include` names, so includes are checked twice
//! before compiling: by their text (`gavel_exercise::native::include_outside`)
//! and by what the preprocessor lists (every file inside the program's own
//! directory or the compiler's search path).

pub(crate) mod convention;

pub use crate::error::ToolchainError;
use crate::error::{ExerciseFailure, JudgeError};
pub use crate::runner::ToolchainStep;
use bytes::Bytes;
use gavel_core::Cache;
use gavel_core::fs::write_atomically;
use gavel_core::hash::{Key, sha256_hex};
use gavel_exercise::Exercise;
use gavel_exercise::native::{Language, NativeProgram};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The variable naming a wasi-sdk to use instead of the system's clang.
pub const SDK_VARIABLE: &str = "GAVEL_WASI_SDK";

/// The variable that chooses the toolchain: `clang` (the system's, with
/// Debian's WASI packages), `zig` (provisioned into gavel's cache), or unset
/// for the first that works, in that order (after [`SDK_VARIABLE`]).
pub const TOOLCHAIN_VARIABLE: &str = "GAVEL_TOOLCHAIN";

/// The provisioned toolchain's pip requirements: Zig, pinned by hash.
const ZIG_REQUIREMENTS: &str = include_str!("zig-requirements.txt");
const ZIG: &str = "ziglang==0.17.1";

/// How long one compilation may take before it is the author's failure.
/// (Zig's first compilation also builds its C and C++ libraries for WASI,
/// about a minute: `provision` does that before any exercise's.)
const COMPILE_TIMEOUT: Duration = Duration::from_secs(300);

/// What compiler diagnostics a failure keeps.
const MAX_DIAGNOSTICS: usize = 4_000;

/// The flags of every compilation (after the target). A native program gets
/// an 8 MiB stack (wasm-ld's default is 64 KiB, which a recursive checker
/// overflows into its own data), and WASI's emulations of signals and
/// process clocks, which headers such as testlib.h use: provided around the
/// program, not in it.
const FLAGS: [&str; 7] = [
    "-O2",
    "-s",
    "-Wl,-z,stack-size=8388608",
    "-D_WASI_EMULATED_SIGNAL",
    "-D_WASI_EMULATED_PROCESS_CLOCKS",
    "-fno-color-diagnostics",
    "-fno-caret-diagnostics",
];

/// Libraries of the emulations above (after the source, for the linker).
const LIBRARIES: [&str; 2] = ["-lwasi-emulated-signal", "-lwasi-emulated-process-clocks"];

/// C++ is built without exceptions: wasm32-wasi's libc++ has none.
const CPP_FLAGS: [&str; 2] = ["-std=c++17", "-fno-exceptions"];
const C_FLAGS: [&str; 1] = ["-std=c17"];

/// The compiler a toolchain runs.
#[derive(Debug, Clone)]
enum Compiler {
    /// clang with a WASI sysroot: Debian's packages, or a wasi-sdk.
    Clang {
        c: PathBuf,
        cpp: PathBuf,
        sysroot: Option<PathBuf>,
    },
    /// Zig's `zig cc` and `zig c++`, installed with pip into `site`.
    Zig { site: PathBuf, cache: PathBuf },
}

/// A C/C++ toolchain that builds `wasm32-wasi` programs.
#[derive(Debug)]
pub struct Toolchain {
    compiler: Compiler,
    /// What identifies the compiler (part of every cache key): clang's
    /// `--version` line, or the pinned Zig package.
    pub version: String,
    /// Where `#include <…>` may read from, once the toolchain was checked
    /// (only before a first compilation: a cached program needs no compiler).
    search: OnceLock<Result<Vec<PathBuf>, String>>,
}

/// The toolchain, found once per process (nothing is installed or checked
/// until a program must be compiled).
pub fn toolchain(cache: &Cache) -> Result<&'static Toolchain, ToolchainError> {
    static FOUND: OnceLock<Result<Toolchain, String>> = OnceLock::new();
    let found = FOUND.get_or_init(|| find(cache).map_err(|e| e.to_string()));
    found.as_ref().map_err(|e| ToolchainError::Found(e.clone()))
}

/// Makes the toolchain ready before a first compilation, telling `progress`
/// what takes long: installing Zig with pip and building its libraries when
/// the machine has no clang for WASI. Callers that judge native programs
/// call it first so that the wait is shown; compiling does it anyway.
pub fn provision(
    cache: &Cache,
    progress: &mut dyn FnMut(ToolchainStep),
) -> Result<(), ToolchainError> {
    let toolchain = toolchain(cache)?;
    toolchain.install(progress)?;
    toolchain.checked(progress).map(|_| ())
}

fn find(cache: &Cache) -> Result<Toolchain, ToolchainError> {
    let wanted = std::env::var(TOOLCHAIN_VARIABLE).unwrap_or_default();
    let compiler = match (std::env::var_os(SDK_VARIABLE), wanted.as_str()) {
        (Some(sdk), _) => {
            let sdk = PathBuf::from(sdk);
            let c = sdk.join("bin").join("clang");
            if !c.is_file() {
                return Err(ToolchainError::Missing(format!(
                    "{SDK_VARIABLE}={} has no bin/clang",
                    sdk.display()
                )));
            }
            Compiler::Clang {
                c,
                cpp: sdk.join("bin").join("clang++"),
                sysroot: Some(sdk.join("share").join("wasi-sysroot")),
            }
        }
        (None, "zig") => zig(cache),
        (None, "clang") => system_clang().ok_or_else(|| {
            ToolchainError::Missing(format!(
                "{TOOLCHAIN_VARIABLE}=clang, and no clang on PATH has WASI's libc, libc++ and compiler-rt"
            ))
        })?,
        (None, "") => system_clang().unwrap_or_else(|| zig(cache)),
        (None, other) => {
            return Err(ToolchainError::Missing(format!(
                "{TOOLCHAIN_VARIABLE}={other}: use clang or zig"
            )));
        }
    };
    let version = match &compiler {
        Compiler::Zig { .. } => ZIG.to_owned(),
        Compiler::Clang { c, .. } => {
            let output = Command::new(c)
                .arg("--version")
                .stdin(Stdio::null())
                .output()
                .map_err(|e| unusable(c, &e.to_string()))?;
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned()
        }
    };
    tracing::debug!(%version, "C/C++ toolchain for wasm32-wasi");
    Ok(Toolchain {
        compiler,
        version,
        search: OnceLock::new(),
    })
}

/// The system's clang, when it has WASI's libc, libc++ and compiler-rt
/// (Debian's wasi-libc, libc++-dev-wasm32, libclang-rt-dev-wasm32).
fn system_clang() -> Option<Compiler> {
    let names = [
        "clang", "clang-19", "clang-18", "clang-17", "clang-16", "clang-15", "clang-14",
    ];
    let c = names.iter().find_map(|name| on_path(name))?;
    let name = c.file_name()?.to_string_lossy().into_owned();
    let cpp = c.with_file_name(name.replacen("clang", "clang++", 1));
    let prints = |program: &Path, arg: &str| {
        Command::new(program)
            .args(["--target=wasm32-wasi", arg])
            .stdin(Stdio::null())
            .output()
            .ok()
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
    };
    let libc = prints(&c, "-print-file-name=libc.a")?;
    let libcxx = prints(&cpp, "-print-file-name=libc++.a")?;
    let builtins =
        prints(&c, "-print-resource-dir")?.join("lib/wasi/libclang_rt.builtins-wasm32.a");
    [libc, libcxx, builtins]
        .iter()
        .all(|p| p.is_absolute() && p.is_file())
        .then_some(Compiler::Clang {
            c,
            cpp,
            sysroot: None,
        })
}

/// Zig, installed (or to be installed) in gavel's cache.
fn zig(cache: &Cache) -> Compiler {
    let key = &Key::new().part(ZIG_REQUIREMENTS).hex()[..16];
    Compiler::Zig {
        site: cache.tools_dir().join(format!("ziglang-{key}")),
        cache: cache.tools_dir().join("zig-cache"),
    }
}

fn cache_error(path: &Path) -> impl FnOnce(std::io::Error) -> ToolchainError + '_ {
    move |source| ToolchainError::Cache {
        path: path.to_owned(),
        source,
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

fn unusable(compiler: &Path, message: &str) -> ToolchainError {
    ToolchainError::Unusable {
        compiler: compiler.display().to_string(),
        message: gavel_core::text::clip(message.trim(), MAX_DIAGNOSTICS).into_owned(),
    }
}

impl Toolchain {
    /// Installs Zig with pip into the cache when it is the toolchain and is
    /// not there yet (once per machine, under a lock).
    fn install(&self, progress: &mut dyn FnMut(ToolchainStep)) -> Result<(), ToolchainError> {
        let Compiler::Zig { site, .. } = &self.compiler else {
            return Ok(());
        };
        let done = site.join(".installed");
        if done.exists() {
            return Ok(());
        }
        let parent = site.parent().unwrap_or(site);
        std::fs::create_dir_all(parent).map_err(cache_error(parent))?;
        let _lock = gavel_core::fs::FileLock::exclusive(&parent.join("ziglang.lock"))
            .map_err(cache_error(parent))?;
        if done.exists() {
            return Ok(());
        }
        progress(ToolchainStep::Installing {
            package: ZIG.to_owned(),
        });
        let work = tempfile::tempdir_in(parent).map_err(cache_error(parent))?;
        let requirements = work.path().join("requirements.txt");
        std::fs::write(&requirements, ZIG_REQUIREMENTS).map_err(cache_error(&requirements))?;
        let target = work.path().join("site");
        let output = gavel_core::tools::pip_install(&requirements, &target)
            .output()
            .map_err(|e| {
                ToolchainError::Missing(format!(
                    "cannot run `{} -m pip` to install {ZIG}: {e} (install python3 and pip, or set GAVEL_PYTHON)",
                    gavel_core::tools::python()
                ))
            })?;
        if !output.status.success() {
            let said = String::from_utf8_lossy(&output.stderr);
            return Err(ToolchainError::Missing(format!(
                "pip could not install {ZIG} ({}): {}",
                output.status,
                gavel_core::text::clip(said.trim(), MAX_DIAGNOSTICS)
            )));
        }
        std::fs::write(target.join(".installed"), ZIG).map_err(cache_error(&target))?;
        if site.exists() {
            std::fs::remove_dir_all(site).map_err(cache_error(site))?;
        }
        std::fs::rename(&target, site).map_err(cache_error(site))?;
        Ok(())
    }

    /// The directories `#include <…>` may read from, after checking (once)
    /// that the toolchain builds C and C++ for WASI.
    fn checked(
        &self,
        progress: &mut dyn FnMut(ToolchainStep),
    ) -> Result<&[PathBuf], ToolchainError> {
        let checked = self.search.get_or_init(|| {
            self.install(progress).map_err(|e| e.to_string())?;
            let zig = matches!(self.compiler, Compiler::Zig { .. });
            if zig {
                progress(ToolchainStep::BuildingLibraries);
            }
            let checked = self
                .probe()
                .and_then(|()| self.search_path())
                .map_err(|e| e.to_string());
            if zig {
                progress(ToolchainStep::Ready);
            }
            checked
        });
        match checked {
            Ok(search) => Ok(search),
            Err(message) => Err(ToolchainError::Found(message.clone())),
        }
    }

    /// A command of the compiler for `language`, with every flag.
    fn command(&self, language: Language) -> Command {
        let mut command = match &self.compiler {
            Compiler::Clang { c, cpp, sysroot } => {
                let mut command = Command::new(match language {
                    Language::C => c,
                    Language::Cpp => cpp,
                });
                command.arg("--target=wasm32-wasi");
                if let Some(sysroot) = sysroot {
                    command.arg(format!("--sysroot={}", sysroot.display()));
                }
                command
            }
            Compiler::Zig { site, cache } => {
                let mut command = Command::new(site.join("ziglang").join("zig"));
                command
                    .arg(match language {
                        Language::C => "cc",
                        Language::Cpp => "c++",
                    })
                    .args(["-target", "wasm32-wasi"])
                    .env("ZIG_GLOBAL_CACHE_DIR", cache)
                    .env("ZIG_LOCAL_CACHE_DIR", cache);
                command
            }
        };
        command.args(FLAGS);
        command.args(match language {
            Language::C => &C_FLAGS[..],
            Language::Cpp => &CPP_FLAGS[..],
        });
        command.stdin(Stdio::null());
        command
    }

    fn name(&self) -> PathBuf {
        match &self.compiler {
            Compiler::Clang { c, .. } => c.clone(),
            Compiler::Zig { site, .. } => site.join("ziglang").join("zig"),
        }
    }

    /// The directories `#include <…>` searches, as the compiler lists them.
    fn search_path(&self) -> Result<Vec<PathBuf>, ToolchainError> {
        let output = self
            .command(Language::Cpp)
            .args(["-E", "-v", "-x", "c++", "-"])
            .output()
            .map_err(|e| unusable(&self.name(), &e.to_string()))?;
        let listed = String::from_utf8_lossy(&output.stderr);
        let dirs: Vec<PathBuf> = listed
            .lines()
            .skip_while(|l| !l.starts_with("#include <...>"))
            .skip(1)
            .take_while(|l| !l.starts_with("End of search list"))
            .filter_map(|l| std::fs::canonicalize(l.trim()).ok())
            .collect();
        if dirs.is_empty() {
            return Err(unusable(&self.name(), &listed));
        }
        Ok(dirs)
    }

    /// Builds a C and a C++ program, or says why not (which package is
    /// missing shows in what the linker says).
    fn probe(&self) -> Result<(), ToolchainError> {
        let dir = tempfile::tempdir().map_err(|e| unusable(&self.name(), &e.to_string()))?;
        for (language, file, source) in [
            (
                Language::C,
                "probe.c",
                "#include <stdio.h>\nint main(void) { puts(\"ok\"); return 0; }\n",
            ),
            (
                Language::Cpp,
                "probe.cpp",
                "#include <string>\n#include <cstdio>\nint main() { std::string s = \"ok\"; std::puts(s.c_str()); }\n",
            ),
        ] {
            std::fs::write(dir.path().join(file), source)
                .map_err(|e| unusable(&self.name(), &e.to_string()))?;
            let output = self
                .command(language)
                .current_dir(dir.path())
                .args([file, "-o", "probe.wasm"])
                .args(LIBRARIES)
                .output()
                .map_err(|e| unusable(&self.name(), &e.to_string()))?;
            if !output.status.success() {
                return Err(unusable(
                    &self.name(),
                    &String::from_utf8_lossy(&output.stderr),
                ));
            }
        }
        Ok(())
    }
}

/// An exercise's checker or interactor in C or C++, compiled and ready to
/// run.
#[derive(Debug, Clone)]
pub struct Ready {
    /// The program as the exercise holds it.
    pub program: NativeProgram,
    /// It compiled.
    pub compiled: Compiled,
    /// Arguments after its convention's (`[native] args`).
    pub args: Vec<String>,
}

/// `exercise`'s checker or interactor in C or C++ compiled (once per source,
/// then from `cache`), or `None` when it has none.
pub(crate) async fn ready(
    cache: &Cache,
    setup: crate::runner::Setup,
    exercise: &Exercise,
) -> Result<Option<Ready>, JudgeError> {
    let Some(program) = exercise.native.clone() else {
        return Ok(None);
    };
    let cache = cache.clone();
    let compiled = tokio::task::spawn_blocking(move || {
        let toolchain = toolchain(&cache)?;
        compile(toolchain, &cache, &program, &mut |step| (setup.0)(step))
            .map(|compiled| (program, compiled))
    })
    .await
    .map_err(JudgeError::panicked)??;
    let (program, compiled) = compiled;
    let compiled = compiled.map_err(|failure| JudgeError::exercise(&exercise.id, failure))?;
    Ok(Some(Ready {
        program,
        compiled,
        args: exercise
            .manifest
            .native
            .as_ref()
            .map(|n| n.args.clone())
            .unwrap_or_default(),
    }))
}

/// A native program compiled to WebAssembly.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The module.
    pub wasm: Bytes,
    /// Its sha256 (recorded in results beside the image's).
    pub sha256: String,
}

/// `program` compiled to WebAssembly: from the cache when this source, these
/// headers and flags were compiled by this compiler before, else compiled
/// now. A program that does not compile, or includes a file from outside, is
/// the author's failure, naming the file and the line.
pub fn compile(
    toolchain: &Toolchain,
    cache: &Cache,
    program: &NativeProgram,
    progress: &mut dyn FnMut(ToolchainStep),
) -> Result<Result<Compiled, ExerciseFailure>, ToolchainError> {
    let mut key = Key::new()
        .part(&toolchain.version)
        .part(FLAGS.join(" "))
        .part(C_FLAGS.join(" "))
        .part(CPP_FLAGS.join(" "))
        .part(LIBRARIES.join(" "))
        .part(&program.file)
        .part(&program.source);
    for (name, bytes) in &program.headers {
        key.push(name);
        key.push(bytes);
    }
    let path = cache
        .judge_dir()
        .join("native")
        .join(format!("{}.wasm", key.hex()));
    if let Ok(wasm) = std::fs::read(&path) {
        return Ok(Ok(compiled(wasm)));
    }
    let started = Instant::now();
    let dir = tempfile::tempdir().map_err(|source| ToolchainError::Cache {
        path: std::env::temp_dir(),
        source,
    })?;
    let written = std::iter::once((program.file.as_str(), &program.source))
        .chain(program.headers.iter().map(|(n, b)| (n.as_str(), b)));
    for (name, bytes) in written {
        let target = dir.path().join(name);
        std::fs::write(&target, bytes).map_err(|source| ToolchainError::Cache {
            path: target,
            source,
        })?;
    }
    let search = toolchain.checked(progress)?;
    if let Some(failure) = include_outside(toolchain, search, program, dir.path()) {
        return Ok(Err(failure));
    }
    let mut command = toolchain.command(program.language);
    command
        .current_dir(dir.path())
        .args([program.file.as_str(), "-o", "program.wasm"])
        .args(LIBRARIES);
    let output = match run_bounded(command) {
        Ok(output) => output,
        Err(message) => {
            return Ok(Err(ExerciseFailure::NativeCompile {
                file: program.file.clone(),
                line: None,
                message,
            }));
        }
    };
    if !output.status.success() {
        let diagnostics = String::from_utf8_lossy(&output.stderr);
        return Ok(Err(ExerciseFailure::NativeCompile {
            file: program.file.clone(),
            line: first_error_line(&diagnostics, &program.file),
            message: gavel_core::text::clip(diagnostics.trim(), MAX_DIAGNOSTICS).into_owned(),
        }));
    }
    let built = dir.path().join("program.wasm");
    let wasm = std::fs::read(&built).map_err(|source| ToolchainError::Cache {
        path: built,
        source,
    })?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| ToolchainError::Cache {
            path: parent.to_owned(),
            source,
        })?;
    }
    write_atomically(&path, &wasm).map_err(|source| ToolchainError::Cache {
        path: path.clone(),
        source,
    })?;
    tracing::info!(file = %program.file, bytes = wasm.len(), elapsed = ?started.elapsed(), "compiled to WebAssembly");
    Ok(Ok(compiled(wasm)))
}

fn compiled(wasm: Vec<u8>) -> Compiled {
    Compiled {
        sha256: sha256_hex(&wasm),
        wasm: wasm.into(),
    }
}

/// Runs the compiler, killing it past [`COMPILE_TIMEOUT`].
fn run_bounded(mut command: Command) -> Result<Output, String> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the compiler: {e}"))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => {
                return child
                    .wait_with_output()
                    .map_err(|e| format!("the compiler: {e}"));
            }
            Ok(None) if started.elapsed() > COMPILE_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "compiling took more than {} s",
                    COMPILE_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("the compiler: {e}")),
        }
    }
}

/// The files the preprocessor includes, each of which must be in `dir` or
/// in the compiler's search path; the first that is not is the author's
/// failure. (The listing's own diagnostics are not shown: they could quote
/// the files it was refused for.)
fn include_outside(
    toolchain: &Toolchain,
    search: &[PathBuf],
    program: &NativeProgram,
    dir: &Path,
) -> Option<ExerciseFailure> {
    let mut command = toolchain.command(program.language);
    command
        .current_dir(dir)
        .args(["-M", "-MG", program.file.as_str()]);
    let output = run_bounded(command).ok()?;
    let listed = String::from_utf8_lossy(&output.stdout).replace("\\\n", " ");
    let home = std::fs::canonicalize(dir).ok()?;
    let outside = listed
        .split_once(':')
        .map(|(_, deps)| deps)
        .unwrap_or_default()
        .split_whitespace()
        .map(|dep| {
            let path = dir.join(dep);
            std::fs::canonicalize(&path).unwrap_or(path)
        })
        .find(|path| {
            !path.starts_with(&home)
                && !path.starts_with(dir)
                && !search.iter().any(|s| path.starts_with(s))
        })?;
    Some(ExerciseFailure::NativeCompile {
        file: program.file.clone(),
        line: None,
        message: format!(
            "it includes {}, outside the exercise and the compiler's headers",
            outside.display()
        ),
    })
}

/// The line of the first error the compiler reports in `file`.
fn first_error_line(diagnostics: &str, file: &str) -> Option<u32> {
    diagnostics.lines().find_map(|line| {
        let rest = line.strip_prefix(file)?.strip_prefix(':')?;
        let (number, rest) = rest.split_once(':')?;
        rest.contains("error").then(|| number.parse().ok())?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_error_line_is_read_from_the_diagnostics() {
        let diagnostics =
            "checker.cpp:3:1: warning: unused\nchecker.cpp:12:5: error: expected ';'\n";
        assert_eq!(first_error_line(diagnostics, "checker.cpp"), Some(12));
        assert_eq!(
            first_error_line("ld: undefined symbol", "checker.cpp"),
            None
        );
    }
}
