//! Host tests: the real component in wasmtime, against the fake Harvest over loopback.

mod support;

mod catalogue;
mod compile_cache;
mod coverage;
mod demo;
mod fake_conformance;
mod foundation;
mod fuzz;
mod invoices;
mod mcp;
mod oauth;
mod paging;
mod payments;
mod reliability;
mod reports;
mod scope;
mod time_entries;
mod tool_catalogue;
