//! The reference host for the Harvest component: a wasmtime host that loads it once and calls
//! it in a fresh instance per call, and the demo's five agent requests.

pub mod demo;
pub mod host;
pub mod wit;
