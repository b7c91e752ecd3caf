//! Shared by the benchmarks: items handed out to a fixed number of threads,
//! each taking the next item as soon as it is free (as a judge's workers do).

use std::sync::atomic::{AtomicUsize, Ordering};

/// Calls `each` on every item, `workers` at a time.
pub(crate) fn for_each_in_parallel<T: Sync>(items: &[T], workers: usize, each: impl Fn(&T) + Sync) {
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) {
                    each(item);
                }
            });
        }
    });
}
