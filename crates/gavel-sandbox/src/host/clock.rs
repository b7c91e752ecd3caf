//! Virtual time: the guest's clocks never read the host's.
//!
//! Fuel limits the time a program computes; what burns no fuel is waiting
//! (`time.sleep`, a timeout in `select`). Clocks that measured real time would
//! make output, fuel and verdicts depend on the host and its load (a program
//! seeding `random` from the time, sixteen runs on two cores each taking eight
//! times longer). So a run's time is virtual and deterministic:
//!
//! - the monotonic clock starts at zero and the wall clock at
//!   [`WALL_CLOCK_START`] (2025-01-01T00:00:00Z, UTC);
//! - every read of a clock advances time by [`READ_STEP`] (1 µs), so a loop
//!   that waits for the clock to move ends, and elapsed times are never zero;
//! - every wait is ready at once and moves time forward by what it waited; the
//!   total waited counts against the run's `wall_time` limit. A run that waits
//!   past it ends with a time limit (`wall_time`) at once, the same everywhere,
//!   and a sleep costs the judge no real time.
//!
//! Same image, program and input: same clock readings, output and fuel.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Notify;
use wasmtime::component::{HasData, Resource, ResourceTable};
use wasmtime_wasi::clocks::{HostMonotonicClock, HostWallClock};
use wasmtime_wasi::p2::bindings::clocks::monotonic_clock;
use wasmtime_wasi::p2::{DynPollable, Pollable, subscribe};
use wasmtime_wasi_io::async_trait;

/// Where the guest's wall clock starts: 2025-01-01T00:00:00Z.
pub const WALL_CLOCK_START: Duration = Duration::from_secs(1_735_689_600);

/// How far each read of a clock moves time, in nanoseconds.
pub const READ_STEP: u64 = 1_000;

/// The virtual time of one run, shared by its clocks and its timers.
#[derive(Debug)]
pub(crate) struct VirtualTime {
    /// Time the guest's clock reads have moved, in nanoseconds.
    read: AtomicU64,
    /// How long the guest has waited in total, in nanoseconds.
    waited: AtomicU64,
    limit: u64,
    exceeded: AtomicBool,
    exceeded_notify: Notify,
}

impl VirtualTime {
    pub(crate) fn new(limit: Duration) -> Arc<VirtualTime> {
        Arc::new(VirtualTime {
            read: AtomicU64::new(0),
            waited: AtomicU64::new(0),
            limit: u64::try_from(limit.as_nanos()).unwrap_or(u64::MAX),
            exceeded: AtomicBool::new(false),
            exceeded_notify: Notify::new(),
        })
    }

    fn waited(&self) -> u64 {
        self.waited.load(Ordering::Relaxed)
    }

    /// Nanoseconds since the run started: reads and waits.
    pub(crate) fn now(&self) -> u64 {
        self.read
            .load(Ordering::Relaxed)
            .saturating_add(self.waited())
    }

    /// A read of a clock by the guest: time moves by one step.
    fn read(&self) -> u64 {
        self.read.fetch_add(READ_STEP, Ordering::Relaxed);
        self.now()
    }

    /// Moves time forward to `until`; false when that passes the limit.
    pub(crate) fn wait_until(&self, until: u64) -> bool {
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

/// The guest's monotonic clock: virtual time since the run started.
pub(crate) struct MonotonicClock(pub(crate) Arc<VirtualTime>);

impl HostMonotonicClock for MonotonicClock {
    fn resolution(&self) -> u64 {
        1
    }

    fn now(&self) -> u64 {
        self.0.read()
    }
}

/// The guest's wall clock: [`WALL_CLOCK_START`] plus virtual time.
pub(crate) struct WallClock(pub(crate) Arc<VirtualTime>);

impl HostWallClock for WallClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }

    fn now(&self) -> Duration {
        WALL_CLOCK_START + Duration::from_nanos(self.0.read())
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
        Ok(self.time.read())
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

    #[test]
    fn clocks_move_only_by_reads_and_waits() {
        let time = VirtualTime::new(Duration::from_secs(10));
        assert_eq!(time.now(), 0);
        assert_eq!(time.read(), READ_STEP);
        assert_eq!(time.read(), 2 * READ_STEP);
        assert!(time.wait_until(time.now() + 500));
        assert_eq!(time.now(), 2 * READ_STEP + 500);
        let wall = WallClock(time.clone());
        assert_eq!(
            wall.now(),
            WALL_CLOCK_START + Duration::from_nanos(3 * READ_STEP + 500)
        );
    }
}
