//! The wasmtime configuration of the reference host: one small instance at a time, so the
//! settings aim at a low resident footprint rather than at many instances in parallel.

use wasmtime::{Config, InstanceAllocationStrategy};

/// The engine configuration every `Host` uses. It is part of the compiled-component cache's key
/// (through `Engine::precompile_compatibility_hash`), so changing it here invalidates entries.
pub fn config() -> Config {
    let mut config = Config::new();
    // One compile per component, normally once per cache entry: on one thread, Cranelift's
    // per-function working memory is held for one function at a time instead of one per core,
    // which keeps the peak resident set of a cold start down (the compile is slower, but
    // happens once).
    config.parallel_compilation(false);
    // Instances are created on demand and their memory returned when the store drops; no pool
    // of pre-reserved slots for a host that runs one call at a time.
    config.allocation_strategy(InstanceAllocationStrategy::OnDemand);
    // Linear memory keeps wasmtime's default virtual reservation and guard: they cost address
    // space, not resident memory, and let compiled code skip bounds checks.
    config
}
