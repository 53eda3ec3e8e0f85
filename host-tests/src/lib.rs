//! Test host, fake Harvest and reference CLI for the Harvest component.

pub mod cache;
pub mod demo;
pub mod engine;
pub mod fake;
pub mod host;
pub mod json;
pub mod pool;
