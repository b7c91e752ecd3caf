//! A real PostgreSQL for the tests: started by the harness in a temporary
//! directory, listening on loopback only (no Unix socket), one per test,
//! and stopped when the test ends — also when the test binary dies, since
//! the server gets SIGKILL with its parent.
//!
//! The server's programs are Debian's `postgresql` package (what `.ci/run`
//! installs) when present; otherwise, so that a clean machine with only
//! python3 and pip runs the suite, a pinned PostgreSQL build from the Python
//! registry is downloaded once into the target directory. A test that cannot
//! start PostgreSQL fails, saying why; it never skips.

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The Python package that carries PostgreSQL's binaries, pinned.
const WHEEL: &str = "pgserver==0.1.4";

/// A running PostgreSQL, stopped on drop.
pub(crate) struct Postgres {
    child: Child,
    port: u16,
    bin: PathBuf,
    _dir: tempfile::TempDir,
}

impl Postgres {
    /// Starts a fresh server (a new cluster in a temporary directory).
    pub(crate) fn start() -> Postgres {
        let bin = binaries().unwrap_or_else(|why| panic!("cannot start PostgreSQL: {why}"));
        let mut last = String::new();
        // The port is free when chosen; another process may take it before
        // the server binds it, so a few attempts.
        for _ in 0..3 {
            match start_in(bin) {
                Ok(postgres) => return postgres,
                Err(why) => last = why,
            }
        }
        panic!("cannot start PostgreSQL: {last}");
    }

    /// The server's process id (its sessions are its children).
    #[allow(dead_code)] // for the benchmarks' CPU accounting
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The URL of a new, empty database on this server.
    pub(crate) fn database(&self, name: &str) -> String {
        let output = Command::new(self.bin.join("createdb"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "gavel",
                name,
            ])
            .output()
            .expect("createdb runs");
        assert!(
            output.status.success(),
            "createdb {name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        format!("postgres://gavel@127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // SIGINT: PostgreSQL's fast shutdown (sessions ended, no waiting).
        #[allow(unsafe_code)]
        // SAFETY: a signal to our own child, not yet waited for.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGINT);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The user the server runs as: PostgreSQL refuses to run as root, so as
/// root the `postgres` user (Debian's package makes it), else `nobody`.
fn server_user() -> Option<(u32, u32)> {
    #[allow(unsafe_code)]
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let ids = |name: &str| {
        passwd.lines().find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.len() > 3 && fields[0] == name)
                .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
                .flatten()
        })
    };
    Some(
        ids("postgres")
            .or_else(|| ids("nobody"))
            .unwrap_or((65534, 65534)),
    )
}

fn start_in(bin: &Path) -> Result<Postgres, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let user = server_user();
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).map_err(|e| e.to_string())?;
    }
    let data = dir.path().join("data");
    let as_user = |command: &mut Command| {
        if let Some((uid, gid)) = user {
            command.uid(uid).gid(gid);
        }
        command
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .current_dir(dir.path());
    };
    let mut initdb = Command::new(bin.join("initdb"));
    initdb.arg("-D").arg(&data).args([
        "-U",
        "gavel",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    ]);
    as_user(&mut initdb);
    let output = initdb.output().map_err(|e| format!("initdb: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let mut postgres = Command::new(bin.join("postgres"));
    postgres
        .arg("-D")
        .arg(&data)
        .args(["-p", &port.to_string()])
        .args(["-c", "listen_addresses=127.0.0.1"])
        .args(["-c", "unix_socket_directories="])
        // A throwaway cluster: durability is not what is tested.
        .args(["-c", "fsync=off", "-c", "full_page_writes=off"])
        .args(["-c", "max_connections=200"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    as_user(&mut postgres);
    #[allow(unsafe_code)]
    // SAFETY: prctl is async-signal-safe; it runs after the user changed
    // (which would clear it) and survives the exec.
    unsafe {
        postgres.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = postgres.spawn().map_err(|e| format!("postgres: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = Command::new(bin.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if ready {
            return Ok(Postgres {
                child,
                port,
                bin: bin.to_owned(),
                _dir: dir,
            });
        }
        if let Ok(Some(status)) = child.try_wait() {
            let mut log = String::new();
            if let Some(mut stderr) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut stderr, &mut log);
            }
            return Err(format!("postgres exited ({status}): {log}"));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err("postgres did not accept connections within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The directory of PostgreSQL's programs, found or provisioned once.
fn binaries() -> Result<&'static Path, String> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| installed().map_or_else(provision, Ok))
        .as_ref()
        .map(PathBuf::as_path)
        .map_err(Clone::clone)
}

/// The newest PostgreSQL of the system's: Debian's packages put each
/// version's programs in /usr/lib/postgresql/VERSION/bin.
fn installed() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("postgres").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// Downloads the pinned build of PostgreSQL into the target directory (once).
fn provision() -> Result<PathBuf, String> {
    // Tests have a scratch directory in the target directory; the
    // benchmarks (examples) use the same place.
    let scratch = option_env!("CARGO_TARGET_TMPDIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tmp"),
        PathBuf::from,
    );
    let root = scratch.join("postgres-pgserver-0.1.4");
    let bin = root.join("pgserver/pginstall/bin");
    if bin.join("postgres").is_file() {
        return Ok(bin);
    }
    let platform = match std::env::consts::ARCH {
        "x86_64" => "manylinux2014_x86_64",
        "aarch64" => "manylinux2014_aarch64",
        other => {
            return Err(format!(
                "PostgreSQL is not installed, and there is no build of it to download for {other}: install Debian's `postgresql`"
            ));
        }
    };
    eprintln!(
        "PostgreSQL is not installed: downloading {WHEEL} (once) into {}",
        root.display()
    );
    let download = root.with_extension("download");
    let _ = std::fs::remove_dir_all(&download);
    let status = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
        ])
        .args([
            "--only-binary=:all:",
            "--python-version",
            "3.11",
            "--platform",
            platform,
        ])
        .arg("-d")
        .arg(&download)
        .arg(WHEEL)
        .status()
        .map_err(|e| format!("python3 -m pip: {e}"))?;
    if !status.success() {
        return Err(format!(
            "pip could not download {WHEEL}; install Debian's `postgresql` instead"
        ));
    }
    let wheel = std::fs::read_dir(&download)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or("pip downloaded no wheel")?;
    let unpacked = root.with_extension("unpack");
    let _ = std::fs::remove_dir_all(&unpacked);
    let status = Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(&wheel)
        .arg(&unpacked)
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("cannot unpack {}", wheel.display()));
    }
    // A zip keeps no modes: the programs are made executable again.
    let unpacked_bin = unpacked.join("pgserver/pginstall/bin");
    for entry in std::fs::read_dir(&unpacked_bin).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| e.to_string())?;
    }
    // Readable by the server's user when the tests run as root.
    let _ = Command::new("chmod")
        .args(["-R", "a+rX"])
        .arg(&unpacked)
        .status();
    let _ = std::fs::remove_dir_all(&root);
    std::fs::rename(&unpacked, &root).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&download);
    Ok(bin)
}
