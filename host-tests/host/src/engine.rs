//! The wasmtime configuration of the reference host: a fresh instance per call, a few at a
//! time, so the settings aim at cheap instantiation and a low resident footprint rather than
//! at many instances in parallel.

use wasmtime::{Config, InstanceAllocationStrategy, PoolingAllocationConfig};

/// Instances alive at once per engine; a `Host` makes further calls wait for a slot.
pub const POOLED_INSTANCES: u32 = 16;
/// Core instances and tables per component instance, with room to spare: the component's main
/// module and the small modules `wit-component` adds around it.
const CORE_INSTANCES_PER_COMPONENT: u32 = 8;

/// The engine configuration every `Host` uses. It is part of the compiled-component cache's key
/// (through `Engine::precompile_compatibility_hash`), so changing it here invalidates entries.
pub fn config() -> Config {
    let mut config = Config::new();
    // One compile per component, normally once per cache entry: on one thread, Cranelift's
    // per-function working memory is held for one function at a time instead of one per core,
    // which keeps the peak resident set of a cold start down (the compile is slower, but
    // happens once).
    config.parallel_compilation(false);
    // A call's instance takes a slot of a small pool instead of mapping its memory, tables and
    // instance state afresh and unmapping them when the store drops: that mmap/munmap and its
    // page faults were most of the cost of instantiating. A freed slot's memory is given back
    // to the kernel (`linear_memory_keep_resident` stays 0), so the pool costs address space,
    // not resident memory.
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(POOLED_INSTANCES)
        .total_core_instances(POOLED_INSTANCES * CORE_INSTANCES_PER_COMPONENT)
        .total_memories(POOLED_INSTANCES)
        .total_tables(POOLED_INSTANCES * CORE_INSTANCES_PER_COMPONENT)
        .max_memory_size(crate::host::MEMORY_LIMIT_BYTES);
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    config
}
