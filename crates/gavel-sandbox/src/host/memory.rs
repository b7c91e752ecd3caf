//! The limiter that enforces the memory cap (the limits themselves are
//! `gavel_core::Limits`).

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
}
