//! The bindings `wit-bindgen` generates from `wit/`, and [`wit`], every WIT type under one path.

// The generated glue passes flattened records as many arguments.
#![allow(clippy::too_many_arguments)]

// World `harvest` (the tools only, `dist/harvest.wasm`), or with the `host-interfaces` feature
// world `harvest-host` (the tools, `oauth` and `catalogue`, `dist/harvest-host.wasm`). The tools
// are the same world-level exports in both, so everything but the two host interfaces compiles
// unchanged against either.
#[cfg(not(feature = "host-interfaces"))]
wit_bindgen::generate!({
    path: "wit",
    world: "harvest",
    additional_derives: [serde::Serialize],
});
#[cfg(feature = "host-interfaces")]
wit_bindgen::generate!({
    path: "wit",
    world: "harvest-host",
    additional_derives: [serde::Serialize],
});

/// Every type of the WIT package, whichever interface defines it. The interfaces that `use`
/// `common`'s types re-export them under the same names, so those are named here once.
pub mod wit {
    pub use super::harvest::tools::accounts::*;
    pub use super::harvest::tools::clients::*;
    pub use super::harvest::tools::common::*;
    #[allow(unused_imports)] // Not all are used yet; all are ambiguous through the globs.
    pub use super::harvest::tools::common::{
        ActivityFilter, ClientRef, Date, DuplicateEntry, Error, IdRef, Instant, InvoiceRef,
        JsonObject, Limit, NamedRef, Percent, Period, PositiveAmount, ProjectRef, ResolvedPeriod,
    };
    pub use super::harvest::tools::company::*;
    pub use super::harvest::tools::expenses::*;
    pub use super::harvest::tools::invoices::*;
    pub use super::harvest::tools::lookup::*;
    pub use super::harvest::tools::preview::*;
    pub use super::harvest::tools::projects::*;
    pub use super::harvest::tools::reports::*;
    pub use super::harvest::tools::summaries::*;
    pub use super::harvest::tools::time::*;
}

// Every record and enum of the tools' interfaces read from JSON (`src/json.rs`).
use crate::json::{json_enum, json_record};
include!(concat!(env!("OUT_DIR"), "/from_json.rs"));
