//! Host tests: the real component in wasmtime, against the fake Harvest over loopback.

mod support;

mod fake_conformance;
mod foundation;
