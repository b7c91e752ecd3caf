//! Virtual time: a program's sleeps end at once and move its clocks forward.
//!
//! Fuel limits the time a program computes; what burns no fuel is waiting
//! (`time.sleep`, a timeout in `select`). A wall clock that measured real time
//! would make verdicts depend on how busy the host is: sixteen runs on two
//! cores each take eight times longer. So every wait is virtual: the timer the
//! guest subscribes to is ready at once, the guest's monotonic and wall clocks
//! jump forward by the time it waited, and the total it waited counts against
//! the run's `wall_time` limit. A run that waits longer than allowed ends with
//! a time limit (`wall_time`), the same on every machine and at every load, and
//! a sleep costs the judge no real time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::Notify;
use wasmtime::component::{HasData, Resource, ResourceTable};
use wasmtime_wasi::clocks::{HostMonotonicClock, HostWallClock};
use wasmtime_wasi::p2::bindings::clocks::monotonic_clock;
use wasmtime_wasi::p2::{DynPollable, Pollable, subscribe};
use wasmtime_wasi_io::async_trait;

/// The virtual time of one run, shared by its clocks and its timers.
#[derive(Debug)]
pub(crate) struct VirtualTime {
    started: Instant,
    /// How long the guest has waited in total, in nanoseconds.
    waited: AtomicU64,
    limit: u64,
    exceeded: AtomicBool,
    exceeded_notify: Notify,
}

impl VirtualTime {
    pub(crate) fn new(limit: Duration) -> Arc<VirtualTime> {
        Arc::new(VirtualTime {
            started: Instant::now(),
            waited: AtomicU64::new(0),
            limit: u64::try_from(limit.as_nanos()).unwrap_or(u64::MAX),
            exceeded: AtomicBool::new(false),
            exceeded_notify: Notify::new(),
        })
    }

    fn waited(&self) -> u64 {
        self.waited.load(Ordering::Relaxed)
    }

    /// Nanoseconds since the run started, waits included.
    fn now(&self) -> u64 {
        let real = u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        real.saturating_add(self.waited())
    }

    /// Moves time forward to `until`; false when that passes the limit.
    fn wait_until(&self, until: u64) -> bool {
        let now = self.now();
        if until <= now {
            return true;
        }
        let total = self.waited().saturating_add(until - now);
        if total > self.limit {
            self.exceeded.store(true, Ordering::Relaxed);
            self.exceeded_notify.notify_one();
            return false;
        }
        self.waited.store(total, Ordering::Relaxed);
        true
    }

    /// Resolves once the guest has tried to wait past its limit.
    pub(crate) async fn exceeded(&self) {
        let notified = self.exceeded_notify.notified();
        if self.exceeded.load(Ordering::Relaxed) {
            return;
        }
        notified.await;
    }

    /// How long the guest waited, in total.
    pub(crate) fn total_waited(&self) -> Duration {
        Duration::from_nanos(self.waited())
    }
}

/// The guest's monotonic clock: real time since the run started, plus waits.
pub(crate) struct MonotonicClock(pub(crate) Arc<VirtualTime>);

impl HostMonotonicClock for MonotonicClock {
    fn resolution(&self) -> u64 {
        1
    }

    fn now(&self) -> u64 {
        self.0.now()
    }
}

/// The guest's wall clock: the host's, plus waits.
pub(crate) struct WallClock(pub(crate) Arc<VirtualTime>);

impl HostWallClock for WallClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }

    fn now(&self) -> Duration {
        let real = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        real + Duration::from_nanos(self.0.waited())
    }
}

/// A timer of the guest: ready at once, moving virtual time to its deadline.
struct Timer {
    time: Arc<VirtualTime>,
    until: u64,
    yielded: bool,
}

#[async_trait]
impl Pollable for Timer {
    async fn ready(&mut self) {
        if self.time.wait_until(self.until) {
            // A zero timeout in a busy polling loop must still let other tasks run.
            if !self.yielded {
                self.yielded = true;
                tokio::task::yield_now().await;
            }
        } else {
            // Past the limit: the run is ended from outside (see `exceeded`).
            std::future::pending::<()>().await;
        }
    }
}

/// What the `wasi:clocks/monotonic-clock` host functions see of a run.
pub(crate) struct ClockView<'a> {
    pub(crate) time: &'a Arc<VirtualTime>,
    pub(crate) table: &'a mut ResourceTable,
}

/// Marker for `monotonic_clock::add_to_linker`.
pub(crate) struct VirtualClock;

impl HasData for VirtualClock {
    type Data<'a> = ClockView<'a>;
}

impl ClockView<'_> {
    fn timer(&mut self, until: u64) -> wasmtime::Result<Resource<DynPollable>> {
        let timer = self.table.push(Timer {
            time: self.time.clone(),
            until,
            yielded: false,
        })?;
        subscribe(self.table, timer)
    }
}

impl monotonic_clock::Host for ClockView<'_> {
    fn now(&mut self) -> wasmtime::Result<monotonic_clock::Instant> {
        Ok(self.time.now())
    }

    fn resolution(&mut self) -> wasmtime::Result<monotonic_clock::Duration> {
        Ok(1)
    }

    fn subscribe_instant(
        &mut self,
        when: monotonic_clock::Instant,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        self.timer(when)
    }

    fn subscribe_duration(
        &mut self,
        duration: monotonic_clock::Duration,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        let until = self.time.now().saturating_add(duration);
        self.timer(until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_move_time_forward_until_the_limit() {
        let time = VirtualTime::new(Duration::from_secs(10));
        let before = time.now();
        assert!(time.wait_until(before + 3_000_000_000));
        assert!(time.now() >= before + 3_000_000_000);
        assert!(time.total_waited() >= Duration::from_millis(2_900));
        assert!(!time.wait_until(time.now() + 8_000_000_000));
        assert!(time.exceeded.load(Ordering::Relaxed));
        // A deadline in the past costs nothing.
        assert!(time.wait_until(0));
    }
}
