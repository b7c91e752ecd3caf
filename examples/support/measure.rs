//! Shared by the benchmarks: a child process's wall time and CPU time,
//! from the kernel's accounting (wait4).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Wall time and CPU time (user + system) of a child process.
// The child is reaped with wait4, which reports its resource usage.
#[allow(clippy::zombie_processes)]
pub(crate) fn measure(command: &mut Command) -> (Duration, Duration, i32) {
    let started = Instant::now();
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the command starts");
    let pid = child.id() as i32;
    let mut status = 0;
    // SAFETY: wait4 on our own child's pid with valid out-pointers.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::wait4(pid, &mut status, 0, &mut usage), pid);
        usage
    };
    let wall = started.elapsed();
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (wall, tv(usage.ru_utime) + tv(usage.ru_stime), code)
}
