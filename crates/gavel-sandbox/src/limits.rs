//! Resource limits of one run and the limiter that enforces the memory cap.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The resources one run may use. Every limit is hard: reaching it ends the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Instruction budget in wasmtime fuel units (about one per wasm instruction).
    /// Deterministic: the same program and input always consume the same fuel.
    pub fuel: u64,
    /// Wall-clock limit, covering host-side waits such as `time.sleep` as well.
    #[serde(with = "duration_ms")]
    pub wall_time: Duration,
    /// Cap on the total size of the guest's linear memories, in bytes.
    pub memory_bytes: u64,
    /// Cap on stdout and stderr together, in bytes.
    pub output_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // About a second of CPython at ~10 G fuel/s on the machines we measured.
            fuel: 10_000_000_000,
            wall_time: Duration::from_secs(10),
            memory_bytes: 256 * 1024 * 1024,
            output_bytes: 1024 * 1024,
        }
    }
}

mod duration_ms {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis().try_into().unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

/// Enforces the memory cap over all linear memories of an instance and records
/// what happened, so that a memory-limit verdict rests on a fact rather than on
/// guessing from whichever error CPython produced after a refused `memory.grow`.
#[derive(Debug)]
pub(crate) struct MemoryLimiter {
    cap: u64,
    current: u64,
    pub(crate) peak: u64,
    pub(crate) hit: bool,
}

impl MemoryLimiter {
    pub(crate) fn new(cap: u64) -> Self {
        MemoryLimiter {
            cap,
            current: 0,
            peak: 0,
            hit: false,
        }
    }
}

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Memory creation arrives here too (current = 0), so the total counts
        // every memory of the component, including the snapshot's initial pages.
        let grown = (desired as u64).saturating_sub(current as u64);
        let total = self.current.saturating_add(grown);
        if total > self.cap {
            self.hit = true;
            return Ok(false);
        }
        self.current = total;
        self.peak = self.peak.max(total);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // CPython grows its function table only when it loads code, which a
        // snapshot has already done; a runaway table is as hostile as a memory bomb.
        const MAX_TABLE_ELEMENTS: usize = 1 << 20;
        if desired > MAX_TABLE_ELEMENTS {
            self.hit = true;
            return Ok(false);
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::ResourceLimiter;

    #[test]
    fn counts_all_memories_together_and_records_the_refusal() {
        let mut limiter = MemoryLimiter::new(100);
        assert!(limiter.memory_growing(0, 60, None).unwrap());
        assert!(limiter.memory_growing(0, 30, None).unwrap());
        assert_eq!(limiter.peak, 90);
        assert!(!limiter.hit);
        assert!(!limiter.memory_growing(60, 80, None).unwrap());
        assert!(limiter.hit);
        assert_eq!(limiter.peak, 90);
    }

    #[test]
    fn limits_serialise_wall_time_as_milliseconds() {
        let json = serde_json::to_value(Limits::default()).unwrap();
        assert_eq!(json["wall_time"], 10_000);
    }
}
