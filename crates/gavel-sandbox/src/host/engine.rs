//! The wasmtime engine and the runner image compiled to native code, cached
//! per image and engine configuration so that every process after the first
//! loads it in milliseconds.

use crate::error::SandboxError;
use crate::image::{BuildStep, Image, ImageError};
use gavel_core::cache::{Cache, LockKind};
use gavel_core::fs::write_atomically;
use gavel_core::hash::{Key, sha256_hex};
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wasmtime::component::Component;
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// The wasm stack a run may use. wasmtime's 512 KiB default makes recursive
/// solutions trap long before Python's own recursion limit; with 64 MiB, plain
/// recursion to 10,000 and `lru_cache` recursion to 1,000 work, and deeper
/// recursion ends in a clean `RecursionError` from CPython's own checks.
pub(crate) const WASM_STACK: usize = 64 << 20;

/// Turns wasmtime's error (with its causes) into the judge's, saying what
/// was being done.
pub(crate) fn wasmtime_error(
    context: &'static str,
) -> impl FnOnce(wasmtime::Error) -> SandboxError {
    move |e| SandboxError::Wasmtime {
        context: context.into(),
        message: format!("{e:#}"),
    }
}

/// The largest linear memory a run may have: the top of the memory limit's
/// allowed range (wasm32 addresses 4 GiB).
const MAX_MEMORY: usize = 4 << 30;

/// Memory a slot keeps mapped between runs, reset in place: the pages a run
/// wrote are copied back from the snapshot instead of being unmapped and
/// faulted in again (copy-on-write faults and the cross-core TLB flushes of
/// unmapping were most of a small run's cost). CPython's snapshot is ~16 MiB.
const KEEP_RESIDENT: usize = 64 << 20;

/// Per-instance resources of the runner component, with room to spare; the
/// pool refuses an image that needs more.
const CORE_INSTANCES_PER_RUN: u32 = 64;
const MEMORIES_PER_RUN: u32 = 4;
const TABLES_PER_RUN: u32 = 16;

/// The function table of a statically linked CPython with numpy, pandas and
/// scipy has tens of thousands of entries (the pool's default is 20,000).
const REACTOR_TABLE_ELEMENTS: usize = 1 << 17;

/// Its instance's own state (a pointer per function among it) is about
/// 1.5 MB; the pool's default is 1 MiB.
const REACTOR_INSTANCE_SIZE: usize = 4 << 20;

/// Whether the kernel has the `PAGEMAP_SCAN` ioctl (Linux 6.7), which lets a
/// slot find the pages a run wrote. Without it, keeping memory resident would
/// mean resetting all of it after every run, so less is kept.
fn pagemap_scan_available() -> bool {
    #[cfg(target_os = "linux")]
    {
        let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
        let mut parts = release
            .trim()
            .split(['.', '-'])
            .map(|p| p.parse::<u32>().unwrap_or(0));
        let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        (major, minor) >= (6, 7)
    }
    #[cfg(not(target_os = "linux"))]
    false
}

/// What an engine is configured for: each kind of runner image gets only
/// what it needs, so that the default image's runs pay for nothing the
/// scientific one needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Profile {
    /// The component kind (the default image) and native programs.
    Component,
    /// The reactor kind (the scientific image) and native programs.
    Reactor,
}

/// Everything about the engine that compiled code depends on. Runs and the
/// compilation of an image share it, so that what one process compiles every
/// other one loads: the pool is not part of it (`engine_key` leaves it out,
/// a test checks).
fn config(profile: Profile) -> Config {
    let mut config = Config::new();
    match profile {
        Profile::Component => config
            // The runner's start functions fill its tables with `ref.func`s;
            // filled eagerly at instantiation, a run spends 0.3-0.6 ms less
            // than through lazy initialisation (measured, a run of a small
            // program; over a catalog of small tests the two were within
            // noise of each other).
            .table_lazy_init(false)
            // Neither componentize-py's CPython nor a C checker throws wasm
            // exceptions or uses GC types: without them, wasmtime sets up no
            // GC heap for a store.
            .wasm_exceptions(false)
            .gc_support(false),
        Profile::Reactor => config
            // A statically linked CPython's one function table holds every
            // function of numpy, pandas and scipy: filled lazily, a run
            // initialises the few entries it calls.
            .table_lazy_init(true)
            // The scientific CPython is built with wasm exception handling
            // (its C++ libraries throw).
            .wasm_exceptions(true),
    };
    config
        .consume_fuel(true)
        .max_wasm_stack(WASM_STACK)
        // Async runs execute on fibers of this size; it must exceed the wasm stack.
        .async_stack_size(WASM_STACK + (1 << 20))
        // A trap's wasm backtrace is of no use to a candidate and costs time;
        // so do the tables behind it and native unwind info (for debuggers),
        // which every process would load with the compiled image.
        .wasm_backtrace_max_frames(None)
        .generate_address_map(false)
        .native_unwind_info(false);
    config
}

/// The engine every run of this process shares, with a pool of `slots`
/// instance slots: one per run that may be in progress at once.
pub(crate) fn engine(slots: u32, profile: Profile) -> Result<Engine, SandboxError> {
    let slots = slots.max(1);
    let mut pool = PoolingAllocationConfig::new();
    let keep_resident = if pagemap_scan_available() {
        KEEP_RESIDENT
    } else {
        1 << 20
    };
    pool.total_component_instances(slots)
        .total_core_instances(slots * CORE_INSTANCES_PER_RUN)
        .max_core_instances_per_component(CORE_INSTANCES_PER_RUN)
        .total_memories(slots * MEMORIES_PER_RUN)
        .max_memories_per_component(MEMORIES_PER_RUN)
        .total_tables(slots * TABLES_PER_RUN)
        .max_tables_per_component(TABLES_PER_RUN)
        .total_stacks(slots)
        .max_memory_size(MAX_MEMORY)
        .linear_memory_keep_resident(keep_resident)
        .table_keep_resident(1 << 20)
        .async_stack_keep_resident(1 << 20)
        .pagemap_scan(Enabled::Auto)
        // A slot is reused by the same module's next instance (its memory
        // already holds most of the snapshot's pages).
        .max_unused_warm_slots(0);
    if profile == Profile::Reactor {
        pool.table_elements(REACTOR_TABLE_ELEMENTS)
            .max_core_instance_size(REACTOR_INSTANCE_SIZE);
    }
    let mut config = config(profile);
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Engine::new(&config).map_err(wasmtime_error("cannot configure wasmtime"))
}

/// An engine that only compiles: configured like [`engine`]'s, so that what it
/// compiles is what runs load, but without the pool, whose reserved address
/// space and stacks a process that runs nothing has no use for.
pub(crate) fn compiler(profile: Profile) -> Result<Engine, SandboxError> {
    Engine::new(&config(profile)).map_err(wasmtime_error("cannot configure wasmtime"))
}

/// An engine that runs a reactor once, to snapshot it: its code is
/// compiled without optimisation (about half the time for a 99 MB
/// interpreter; the snapshot holds memory and globals, never code, so it does
/// not depend on how the code was compiled).
pub(crate) fn snapshot_compiler() -> Result<Engine, SandboxError> {
    let mut config = config(Profile::Reactor);
    config.cranelift_opt_level(wasmtime::OptLevel::None);
    Engine::new(&config).map_err(wasmtime_error("cannot configure wasmtime"))
}

/// What a kind of runner image compiles to (a component, a core module);
/// every kind shares the cache below.
pub(crate) trait Code: Sized {
    /// Compiles an image's bytes to native code.
    fn precompile(engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Vec<u8>>;

    /// Loads what [`Code::precompile`] wrote.
    ///
    /// # Safety
    ///
    /// `path` must hold native code that `precompile` made with an engine of
    /// this configuration, unchanged since (see [`CacheEntry::load`]).
    #[allow(unsafe_code)]
    unsafe fn deserialize_file(engine: &Engine, path: &Path) -> wasmtime::Result<Self>;
}

impl Code for Component {
    fn precompile(engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Vec<u8>> {
        engine.precompile_component(wasm)
    }

    #[allow(unsafe_code)]
    unsafe fn deserialize_file(engine: &Engine, path: &Path) -> wasmtime::Result<Self> {
        // SAFETY: the caller's contract is this function's own.
        unsafe { Component::deserialize_file(engine, path) }
    }
}

impl Code for wasmtime::Module {
    fn precompile(engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Vec<u8>> {
        engine.precompile_module(wasm)
    }

    #[allow(unsafe_code)]
    unsafe fn deserialize_file(engine: &Engine, path: &Path) -> wasmtime::Result<Self> {
        // SAFETY: the caller's contract is this function's own.
        unsafe { wasmtime::Module::deserialize_file(engine, path) }
    }
}

#[derive(Serialize, Deserialize, PartialEq, Eq)]
struct CompiledMeta {
    image_sha256: String,
    engine: String,
    size: u64,
    sha256: String,
}

/// Feeds `Hash` output into a key, which is stable across processes (unlike
/// `DefaultHasher`, whose algorithm may change).
struct KeyHasher(Key);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        unreachable!("only the digest is used")
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.push(bytes);
    }
}

pub(crate) fn engine_key(engine: &Engine) -> String {
    let mut hasher = KeyHasher(Key::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hasher.0.hex()[..16].to_owned()
}

/// Loads the image compiled to native code: from the cache when a compilation
/// of this image by this engine's configuration is there, else compiling it
/// once (a few seconds) and caching the result for every later process.
pub(crate) fn load<C: Code>(
    engine: &Engine,
    cache: &Cache,
    image: &Image,
    progress: &mut dyn FnMut(BuildStep),
) -> Result<C, SandboxError> {
    cached_or_compile::<C, C>(engine, cache, image, progress, |entry| entry.load(engine))
}

/// Removes compiled code no process used for a month (see `prune_compiled`).
pub(crate) fn prune(dir: &Path) {
    prune_compiled(dir);
}

/// Makes sure the cache holds the image compiled for `engine`'s configuration
/// (compiling it once if not), without loading it: for a process that only
/// starts the ones that run.
pub(crate) fn compile<C: Code>(
    engine: &Engine,
    cache: &Cache,
    image: &Image,
    progress: &mut dyn FnMut(BuildStep),
) -> Result<(), SandboxError> {
    cached_or_compile::<C, ()>(engine, cache, image, progress, |entry| {
        entry.recorded().then_some(())
    })
}

/// What `usable` finds in the cache; when nothing, compiles under the cache's
/// lock (parallel processes compile once, the others wait and find it) and
/// looks again.
fn cached_or_compile<C: Code, T>(
    engine: &Engine,
    cache: &Cache,
    image: &Image,
    progress: &mut dyn FnMut(BuildStep),
    usable: impl Fn(&CacheEntry<'_>) -> Option<T>,
) -> Result<T, SandboxError> {
    let entry = CacheEntry::new(engine, cache, image);
    if let Some(found) = usable(&entry) {
        return Ok(found);
    }
    let _lock = cache.lock(LockKind::Compile).map_err(ImageError::from)?;
    if let Some(found) = usable(&entry) {
        return Ok(found);
    }
    progress(BuildStep::Compiling);
    entry.compile::<C>(engine)?;
    prune_compiled(&cache.compiled_dir());
    usable(&entry).ok_or_else(|| SandboxError::Wasmtime {
        context: "cannot load the freshly compiled runner image".into(),
        message: entry.code.display().to_string(),
    })
}

/// One image compiled for one engine configuration, in the cache.
struct CacheEntry<'a> {
    image: &'a Image,
    engine_key: String,
    code: PathBuf,
    meta: PathBuf,
}

impl CacheEntry<'_> {
    fn new<'a>(engine: &Engine, cache: &Cache, image: &'a Image) -> CacheEntry<'a> {
        let engine_key = engine_key(engine);
        let dir = cache.compiled_dir();
        let stem = format!(
            "{}-{engine_key}",
            &image.sha256[..16.min(image.sha256.len())]
        );
        CacheEntry {
            image,
            engine_key,
            code: dir.join(format!("{stem}.cwasm")),
            meta: dir.join(format!("{stem}.json")),
        }
    }

    fn compile<C: Code>(&self, engine: &Engine) -> Result<(), SandboxError> {
        let image = self.image;
        tracing::info!(image = %image.sha256, "compiling the runner image to native code");
        let started = Instant::now();
        let wasm = std::fs::read(&image.path).map_err(ImageError::io(&image.path))?;
        let compiled = C::precompile(engine, &wasm)
            .map_err(wasmtime_error("cannot compile the runner image"))?;
        tracing::info!(elapsed = ?started.elapsed(), bytes = compiled.len(), "compiled");
        let record = CompiledMeta {
            image_sha256: image.sha256.clone(),
            engine: self.engine_key.clone(),
            size: compiled.len() as u64,
            sha256: sha256_hex(&compiled),
        };
        write_atomically(&self.code, &compiled).map_err(ImageError::io(&self.code))?;
        let text = serde_json::to_vec_pretty(&record).expect("metadata serialises");
        write_atomically(&self.meta, &text).map_err(ImageError::io(&self.meta))?;
        Ok(())
    }

    /// Whether the cache holds a file this program wrote for this image and
    /// engine: its record (written after it, atomically) must name both and
    /// the file's exact size. Anything else is recompiled rather than trusted.
    fn recorded(&self) -> bool {
        let record: Option<CompiledMeta> = std::fs::read(&self.meta)
            .ok()
            .and_then(|text| serde_json::from_slice(&text).ok());
        let Some(record) = record else {
            return false;
        };
        let size = std::fs::metadata(&self.code).ok().map(|m| m.len());
        let matches = record.image_sha256 == self.image.sha256
            && record.engine == self.engine_key
            && Some(record.size) == size;
        if !matches {
            tracing::debug!(path = %self.code.display(), "compiled cache entry does not match; ignoring it");
        }
        matches
    }

    /// The cached native code, if [`CacheEntry::recorded`] and wasmtime takes it.
    fn load<C: Code>(&self, engine: &Engine) -> Option<C> {
        if !self.recorded() {
            return None;
        }
        // SAFETY: `deserialize_file` trusts its input to be native code
        // produced by a compatible wasmtime. The file is in the user's own
        // cache, was written atomically by `compile` above, and its record
        // matches this image, this engine and its size; wasmtime checks the
        // version and configuration again and refuses a mismatch.
        #[allow(unsafe_code)]
        let loaded = unsafe { C::deserialize_file(engine, &self.code) };
        match loaded {
            Ok(code) => {
                // Marks the entry as in use, for `prune_compiled`.
                if let Ok(file) = std::fs::File::options().append(true).open(&self.meta) {
                    let _ = file.set_modified(std::time::SystemTime::now());
                }
                Some(code)
            }
            Err(e) => {
                tracing::warn!(path = %self.code.display(), "ignoring unusable compiled code: {e:#}");
                None
            }
        }
    }
}

/// Compiled code is ~40 MB per image and engine configuration; entries no
/// process has loaded for this long (older images, other gavel versions) go.
const UNUSED_COMPILED_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

fn prune_compiled(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let meta = entry.path();
        // A native program's code (`host::native`) is its own record: its
        // time is its last use.
        let native = entry.file_name().to_string_lossy().starts_with("native-");
        if meta.extension().and_then(|e| e.to_str()) != Some(if native { "cwasm" } else { "json" })
        {
            continue;
        }
        let unused = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > UNUSED_COMPILED_TTL);
        if unused {
            tracing::info!(path = %meta.display(), "removing unused compiled code");
            let _ = std::fs::remove_file(meta.with_extension("cwasm"));
            let _ = std::fs::remove_file(&meta);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_removes_only_long_unused_compiled_code() {
        let dir = tempfile::tempdir().unwrap();
        for stem in ["old", "fresh"] {
            std::fs::write(dir.path().join(format!("{stem}.cwasm")), b"code").unwrap();
            std::fs::write(dir.path().join(format!("{stem}.json")), b"{}").unwrap();
        }
        let long_ago = std::time::SystemTime::now() - UNUSED_COMPILED_TTL - Duration::from_secs(60);
        std::fs::File::options()
            .append(true)
            .open(dir.path().join("old.json"))
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        prune_compiled(dir.path());
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["fresh.cwasm", "fresh.json"]);
    }

    /// The process that only starts workers compiles with [`compiler`]; the
    /// workers load with [`engine`]: the cache entry must be the same one.
    #[test]
    fn compiling_and_running_engines_share_compiled_code() {
        let key = engine_key(&compiler(Profile::Component).unwrap());
        for slots in [1, 2, 16] {
            assert_eq!(
                engine_key(&engine(slots, Profile::Component).unwrap()),
                key,
                "{slots} slots"
            );
        }
    }

    #[test]
    fn an_image_is_compiled_once_and_then_loaded_from_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().join("cache"));
        let path = dir.path().join("empty.wasm");
        std::fs::write(&path, "(component)").unwrap();
        let image = Image {
            name: "empty".to_owned(),
            python_version: String::new(),
            sha256: sha256_hex(&std::fs::read(&path).unwrap()),
            size: 11,
            path,
            source_key: String::new(),
            origin: crate::image::Origin::File,
        };
        let compiled = std::cell::Cell::new(0);
        let mut progress = |step| {
            assert_eq!(step, BuildStep::Compiling);
            compiled.set(compiled.get() + 1);
        };
        compile::<Component>(
            &compiler(Profile::Component).unwrap(),
            &cache,
            &image,
            &mut progress,
        )
        .unwrap();
        compile::<Component>(
            &compiler(Profile::Component).unwrap(),
            &cache,
            &image,
            &mut progress,
        )
        .unwrap();
        load::<Component>(
            &engine(1, Profile::Component).unwrap(),
            &cache,
            &image,
            &mut progress,
        )
        .unwrap();
        assert_eq!(compiled.get(), 1);
        // A record that does not match its file is not trusted: compiled again.
        let entry = CacheEntry::new(&compiler(Profile::Component).unwrap(), &cache, &image);
        std::fs::write(&entry.code, b"not native code").unwrap();
        load::<Component>(
            &engine(1, Profile::Component).unwrap(),
            &cache,
            &image,
            &mut progress,
        )
        .unwrap();
        assert_eq!(compiled.get(), 2);
    }

    /// RUSTSEC-2026-0570 aborts a wasmtime built without its `gc` feature;
    /// the pinned 48.0.8 predates the fix (docs/runner-image.md), so the
    /// feature must stay on. An engine with GC cannot be made without it.
    #[test]
    fn the_gc_feature_that_avoids_rustsec_2026_0570_is_built_in() {
        let mut config = Config::new();
        config.wasm_gc(true).wasm_function_references(true);
        Engine::new(&config).expect("wasmtime is built with its `gc` feature");
    }
}
