//! The time-entries index: for each query a page is asked for (filters and the caller's
//! visibility), the positions of the matching entries in the order Harvest lists them (newest
//! `spent_date` first, then by descending id), computed once and reused by every page of that
//! listing, so a page costs a copy of its own entries rather than a scan and sort of all of
//! them.
//!
//! The fake's data is mutated in place, by handlers and by tests, through the state lock. The
//! index stays correct without knowing who changed what: the lock's guard ([`StateGuard`])
//! counts every mutable access, and lists computed before the count last moved are thrown away.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, NaiveDate, Utc};

use super::model::{FakeState, TimeEntry};

/// Queries remembered at once; more than this and the oldest set is dropped.
const MAX_QUERIES: usize = 64;

/// Lists of positions in `AccountData::time_entries`, by query, valid for one generation.
#[derive(Default)]
pub struct EntryIndex {
    /// Bumped on every mutable access to the state (see [`StateGuard`]).
    generation: u64,
    lists: Mutex<Lists>,
}

#[derive(Default)]
struct Lists {
    generation: u64,
    by_query: HashMap<EntryQuery, Arc<[u32]>>,
    /// Stopped entries as JSON, by account and position: their rendering does not depend on
    /// the time of the request (a running entry's hours do, so those are never kept).
    rendered: HashMap<(u64, u32), Arc<str>>,
}

impl std::fmt::Debug for EntryIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntryIndex")
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

/// Everything that decides which entries a time-entries listing holds, and in what order.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct EntryQuery {
    pub account_id: u64,
    /// Who is looking, unless an administrator: what a manager or a member may see depends on
    /// them.
    pub viewer: Option<u64>,
    pub user_id: Option<u64>,
    pub client_id: Option<u64>,
    pub project_id: Option<u64>,
    pub task_id: Option<u64>,
    pub is_billed: Option<bool>,
    pub is_running: Option<bool>,
    pub approval: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub since: Option<DateTime<Utc>>,
    pub reference: Option<String>,
}

impl EntryIndex {
    /// The positions for `query`, from the index when the state has not changed since they
    /// were computed, else from `build` (then remembered).
    pub fn positions(&self, query: &EntryQuery, build: impl FnOnce() -> Vec<u32>) -> Arc<[u32]> {
        let mut lists = self.lists.lock().unwrap_or_else(PoisonError::into_inner);
        lists.refresh(self.generation);
        if let Some(positions) = lists.by_query.get(query) {
            return positions.clone();
        }
        let positions: Arc<[u32]> = build().into();
        if lists.by_query.len() >= MAX_QUERIES {
            lists.by_query.clear();
        }
        lists.by_query.insert(query.clone(), positions.clone());
        positions
    }
}

impl Lists {
    fn refresh(&mut self, generation: u64) {
        if self.generation != generation {
            self.by_query.clear();
            self.rendered.clear();
            self.generation = generation;
        }
    }
}

impl EntryIndex {
    /// The JSON of the entry at `position` of `account_id`'s entries as listed at `now`: the
    /// same text as serialising `entry.live(now)` through a `serde_json::Value`, kept for
    /// stopped entries until the state changes.
    pub fn rendered(
        &self,
        account_id: u64,
        position: u32,
        entry: &TimeEntry,
        now: DateTime<Utc>,
    ) -> Arc<str> {
        let render = || -> Arc<str> {
            serde_json::to_value(entry.live(now))
                .map(|value| value.to_string())
                .unwrap_or_else(|_| "null".into())
                .into()
        };
        if entry.is_running {
            return render();
        }
        let mut lists = self.lists.lock().unwrap_or_else(PoisonError::into_inner);
        lists.refresh(self.generation);
        lists
            .rendered
            .entry((account_id, position))
            .or_insert_with(render)
            .clone()
    }
}

/// The state lock's guard. Reading goes straight through; every mutable access first moves the
/// index's generation, which invalidates every list computed so far.
pub struct StateGuard<'a>(MutexGuard<'a, FakeState>);

impl<'a> StateGuard<'a> {
    pub fn new(guard: MutexGuard<'a, FakeState>) -> StateGuard<'a> {
        StateGuard(guard)
    }
}

impl Deref for StateGuard<'_> {
    type Target = FakeState;

    fn deref(&self) -> &FakeState {
        &self.0
    }
}

impl DerefMut for StateGuard<'_> {
    fn deref_mut(&mut self) -> &mut FakeState {
        self.0.entry_index.generation = self.0.entry_index.generation.wrapping_add(1);
        &mut self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query() -> EntryQuery {
        EntryQuery {
            account_id: 1,
            viewer: None,
            user_id: None,
            client_id: None,
            project_id: None,
            task_id: None,
            is_billed: None,
            is_running: None,
            approval: None,
            from: None,
            to: None,
            since: None,
            reference: None,
        }
    }

    #[test]
    fn a_list_is_reused_until_the_state_is_changed() {
        let state = Mutex::new(super::super::seed::state(
            NaiveDate::from_ymd_opt(2025, 3, 14).unwrap_or_default(),
            60,
        ));
        let builds = std::cell::Cell::new(0);
        let build = || {
            builds.set(builds.get() + 1);
            vec![1, 0]
        };
        {
            let st = StateGuard::new(state.lock().unwrap_or_else(PoisonError::into_inner));
            st.entry_index.positions(&query(), build);
            st.entry_index.positions(&query(), build);
            let other = EntryQuery {
                user_id: Some(5),
                ..query()
            };
            st.entry_index.positions(&other, build);
        }
        assert_eq!(builds.get(), 2, "one build per distinct query");
        {
            let mut st = StateGuard::new(state.lock().unwrap_or_else(PoisonError::into_inner));
            st.api_requests += 1;
            st.entry_index.positions(&query(), build);
        }
        assert_eq!(builds.get(), 3, "a mutable access invalidates the lists");
    }
}
