//! The component's WIT, as the host sees it: the one place that runs `bindgen!`.
//!
//! Everything native imports WIT types from here (`harvest_host::wit::TimeEntryQuery`,
//! `harvest_host::wit::Error`), so a change to the WIT's packages or interfaces changes only
//! these re-exports.

// World `harvest`: the tools, world-level exports. Both artifacts export them, so `Harvest`
// calls the tools of either.
wasmtime::component::bindgen!({
    world: "harvest",
    path: "../../wit",
    // The same records decoded natively from Harvest's JSON (the benchmark's native client).
    additional_derives: [serde::Deserialize],
});

/// World `harvest-host`: the tools plus the `oauth` and `catalogue` interfaces, which only the
/// host artifact (`dist/harvest-host.wasm`) exports. Its types are those generated above.
pub mod host_world {
    wasmtime::component::bindgen!({
        world: "harvest-host",
        path: "../../wit",
        with: {
            "harvest:tools/common": super::harvest::tools::common,
            "harvest:tools/accounts": super::harvest::tools::accounts,
            "harvest:tools/time": super::harvest::tools::time,
            "harvest:tools/projects": super::harvest::tools::projects,
            "harvest:tools/clients": super::harvest::tools::clients,
            "harvest:tools/invoices": super::harvest::tools::invoices,
            "harvest:tools/reports": super::harvest::tools::reports,
            "harvest:tools/preview": super::harvest::tools::preview,
        },
    });
}

/// The component's shared types: every WIT interface's types under one path. The interfaces
/// that `use` `common`'s types re-export them, so those are named once. (Each interface's `Host`
/// trait and `add_to_linker` clash too; they are not used through here.) `Error` is the world's
/// own alias, generated above.
pub use self::harvest::tools::common::{
    ActivityFilter, ClientRef, Date, DuplicateEntry, IdRef, Instant, InvoiceRef, Limit, NamedRef,
    Percent, Period, PositiveAmount, ProjectRef, ResolvedPeriod,
};
#[allow(ambiguous_glob_reexports, unused_imports)]
pub use self::harvest::tools::{
    accounts::*, clients::*, common::*, company::*, expenses::*, invoices::*, lookup::*,
    preview::*, projects::*, reports::*, summaries::*, time::*,
};
/// A tool as the component's catalogue describes it.
pub use self::host_world::exports::harvest::tools::catalogue::{Access, Annotations, Tool};
/// The records of the component's `oauth` interface.
pub use self::host_world::exports::harvest::tools::oauth::{
    ClientCredentials, ScopedAccount, TokenSet,
};

impl TimeEntryQuery {
    /// Every time entry the token may see: no filters, up to `limit`, from the start.
    pub fn unfiltered(limit: Option<u32>) -> TimeEntryQuery {
        TimeEntryQuery {
            user_id: None,
            client_id: None,
            project_id: None,
            task_id: None,
            is_billed: None,
            is_running: None,
            period: None,
            from: None,
            to: None,
            updated_since: None,
            limit,
            continuation: None,
            account_id: None,
        }
    }
}

impl TimeTotalsQuery {
    /// Every time entry the token may see from `from` to `to`, grouped by `group_by`.
    pub fn between(from: &str, to: &str, group_by: Vec<Grouping>) -> TimeTotalsQuery {
        TimeTotalsQuery {
            period: None,
            from: Some(from.to_string()),
            to: Some(to.to_string()),
            user_id: None,
            project_id: None,
            client_id: None,
            task_id: None,
            is_billed: None,
            billable: None,
            group_by,
            account_id: None,
        }
    }
}
