//! The component's WIT, as the host sees it: the one place that runs `bindgen!`.
//!
//! Everything native imports WIT types from here (`harvest_host::wit::TimeEntryQuery`,
//! `harvest_host::wit::Error`), so a change to the WIT's packages or interfaces changes only
//! these re-exports.

wasmtime::component::bindgen!({
    world: "harvest",
    path: "../../wit",
    // The same records decoded natively from Harvest's JSON (the benchmark's native client).
    additional_derives: [serde::Deserialize],
});

/// A tool as the component's catalogue describes it.
pub use self::exports::harvest::tools::catalogue::{Access, Annotations, Tool};
/// The records of the component's `oauth` interface.
pub use self::exports::harvest::tools::oauth::{ClientCredentials, ScopedAccount, TokenSet};
/// The component's shared types: every WIT interface's types under one path. The interfaces
/// that `use` `common`'s types re-export them, so those are named once. (Each interface's `Host`
/// trait and `add_to_linker` clash too; they are not used through here.) `Error` is the world's
/// own alias, generated above.
pub use self::harvest::tools::common::{
    ActivityFilter, ClientRef, Date, IdRef, Instant, InvoiceRef, Limit, NamedRef, Percent,
    PositiveAmount, ProjectRef,
};
#[allow(ambiguous_glob_reexports, unused_imports)]
pub use self::harvest::tools::{
    accounts::*, clients::*, common::*, expenses::*, invoices::*, projects::*, reports::*, time::*,
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
            from: None,
            to: None,
            updated_since: None,
            limit,
            continuation: None,
            account_id: None,
        }
    }
}
