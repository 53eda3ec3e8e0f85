//! Host tests: the real component in wasmtime, against the fake Harvest over loopback.

mod support;
mod values;

mod accounts_and_config;
mod compile_cache;
mod demo;
mod duplicate_guard;
mod expenses;
mod export_coverage;
mod fake_conformance;
mod fuzz;
mod invoices;
mod lookup;
mod mcp;
mod oauth;
mod paging;
mod payments;
mod periods;
mod preview;
mod projects;
mod reliability;
mod reports;
mod roles;
mod rounding;
mod sandbox;
mod summaries;
mod time_entries;
mod tool_catalogue;
mod tools_only;
mod transport;
mod users_tasks_clients;
