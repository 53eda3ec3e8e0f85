//! The reference host for the Harvest component: a wasmtime host that loads it once and calls
//! it in a fresh instance per call, and the demo's five agent requests.

pub mod cache;
pub mod demo;
pub mod engine;
pub mod host;
pub mod pool;
pub mod wit;
