//! The duplicate guard of `create-time-entry` (docs/harvest-notes.md#duplicate-entries): a call
//! repeated after a lost answer, or an agent logging the same time twice, must not create a
//! second entry. Before the POST, one read lists the user's entries of that day, project and
//! task; an entry with the same time and notes created in the last ten minutes (on the WASI wall
//! clock) refuses the create.

use chrono::DateTime;

use crate::bindings::wit::{DuplicateEntry, Error};
use crate::http::{Client, Query};
use crate::json::json_record;
use crate::paging::{self, Listing, MAX_LIMIT};
use crate::time_entries::ENDPOINT;
use crate::timezone;
use crate::validate::TimeOfDay;

/// How long after its creation an identical entry refuses a new one.
pub const WINDOW_MINUTES: i64 = 10;
/// How far ahead of the wall clock a `created_at` may be and still count as just now: the
/// host's clock and Harvest's are not the same clock.
const CLOCK_SKEW_SECS: i64 = 120;

/// What the new entry would be, as the guard compares it.
pub struct Candidate<'a> {
    pub user_id: u64,
    pub project_id: u64,
    pub task_id: u64,
    pub spent_date: &'a str,
    /// The duration sent (accounts of durations).
    pub hours: Option<f64>,
    /// The start time sent (accounts of start and end times).
    pub started_time: Option<&'a str>,
    /// True when the entry starts a running timer.
    pub running: bool,
    pub notes: Option<&'a str>,
}

json_record! {
    /// An entry as the guard reads it; nothing else of it matters here.
    struct Existing {
        id: u64,
        user: Option<UserRef>,
        hours: Option<f64>,
        started_time: Option<String>,
        notes: Option<String>,
        is_running: bool = default,
        created_at: Option<String>,
    }
}

json_record! {
    struct UserRef {
        id: u64,
    }
}

const CHECK: &str = "the check for a duplicate entry (GET /v2/time_entries)";

/// The most recent entry `candidate` would duplicate, if any: one read of the user's entries of
/// that day, project and task. A failed read is an error, never a skipped check.
pub fn find(client: &Client, candidate: &Candidate) -> Result<Option<DuplicateEntry>, Error> {
    let query = Query::new()
        .set("user_id", candidate.user_id)
        .set("project_id", candidate.project_id)
        .set("task_id", candidate.task_id)
        .set("from", candidate.spent_date)
        .set("to", candidate.spent_date);
    let listing = Listing::new(ENDPOINT, query, Some(MAX_LIMIT), None)?;
    let page = paging::collect::<Existing>(client, listing).map_err(|e| e.before_write(CHECK))?;
    if page.has_more {
        let error = Error::internal(format!(
            "more than {MAX_LIMIT} entries match; pass allow-duplicate: true to create it anyway"
        ));
        return Err(error.before_write(CHECK));
    }
    let now = timezone::wall_clock().map_err(|e| e.before_write(CHECK))?;
    let recent = (now - WINDOW_MINUTES * 60)..=(now + CLOCK_SKEW_SECS);
    let found = page
        .items
        .iter()
        .filter(|e| e.user.as_ref().is_some_and(|u| u.id == candidate.user_id))
        .map(|e| (e, created(e, now)))
        .filter(|(e, at)| recent.contains(at) && candidate.matches(e))
        .max_by_key(|(_, at)| *at);
    Ok(found.map(|(existing, at)| candidate.duplicate(existing, now.saturating_sub(at))))
}

/// Seconds since the epoch of an entry's `created_at`; an entry without a readable one is
/// taken as created `now`, so that the guard errs on the side of refusing.
fn created(entry: &Existing, now: i64) -> i64 {
    match entry
        .created_at
        .as_deref()
        .map(DateTime::parse_from_rfc3339)
    {
        Some(Ok(at)) => at.timestamp(),
        _ => now,
    }
}

/// Notes as the guard compares them: trimmed, none the same as empty.
fn notes(notes: Option<&str>) -> &str {
    notes.unwrap_or_default().trim()
}

/// Minutes of a duration in hours, the precision Harvest keeps (two decimals) and more.
fn minutes(hours: f64) -> i64 {
    (hours * 60.0).round() as i64
}

impl Candidate<'_> {
    /// Same notes and the same time: a running timer for a timer, else the same duration or the
    /// same start time, whichever the account tracks.
    fn matches(&self, existing: &Existing) -> bool {
        if notes(self.notes) != notes(existing.notes.as_deref()) {
            return false;
        }
        if self.running {
            return existing.is_running;
        }
        match (self.hours, self.started_time) {
            (_, Some(start)) => {
                let parse = |t: &str| TimeOfDay::parse("started-time", t).ok();
                let theirs = existing.started_time.as_deref().and_then(parse);
                parse(start).is_some_and(|ours| Some(ours) == theirs)
            }
            (Some(hours), None) => existing.hours.map(minutes) == Some(minutes(hours)),
            (None, None) => false,
        }
    }

    fn what(&self) -> String {
        match (self.running, self.hours, self.started_time) {
            (true, _, _) => "a running timer".to_string(),
            (false, _, Some(start)) => format!("the same start time ({start})"),
            (false, Some(hours), None) => format!("the same hours ({hours})"),
            (false, None, None) => "the same time".to_string(),
        }
    }

    fn duplicate(&self, existing: &Existing, age_secs: i64) -> DuplicateEntry {
        let id = existing.id;
        let created = existing.created_at.as_deref().unwrap_or("an unknown time");
        let ago = match age_secs.max(0) / 60 {
            0 => "less than a minute ago".to_string(),
            1 => "1 minute ago".to_string(),
            n => format!("{n} minutes ago"),
        };
        DuplicateEntry {
            message: format!(
                "time entry {id} of the same user has the same date ({}), project, task, notes \
                 and {}, and was created at {created} ({ago}); nothing was created. It is most \
                 likely this entry already: see it with `get-time-entry` ({id}), or call again \
                 with `allow-duplicate: true` to create a second one anyway",
                self.spent_date,
                self.what(),
            ),
            existing_id: id,
        }
    }
}

/// A create whose answer was lost may be called again as it was: the guard then finds the
/// entry if Harvest made it. The transport error says so.
pub fn retry_is_safe(error: Error) -> Error {
    match error {
        Error::Transport(mut t) if t.write_may_have_applied => {
            t.message = format!(
                "{}; calling create-time-entry again with the same arguments within \
                 {WINDOW_MINUTES} minutes is safe: it refuses to create the entry twice and \
                 names the one created",
                t.message
            );
            Error::Transport(t)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn existing(hours: f64, started: Option<&str>, running: bool, notes: Option<&str>) -> Existing {
        Existing {
            id: 7,
            user: Some(UserRef { id: 1 }),
            hours: Some(hours),
            started_time: started.map(str::to_string),
            notes: notes.map(str::to_string),
            is_running: running,
            created_at: Some("2026-03-18T10:00:00Z".into()),
        }
    }

    fn candidate<'a>(hours: Option<f64>, started: Option<&'a str>, running: bool) -> Candidate<'a> {
        Candidate {
            user_id: 1,
            project_id: 2,
            task_id: 3,
            spent_date: "2026-03-18",
            hours,
            started_time: started,
            running,
            notes: Some(" Review "),
        }
    }

    #[test]
    fn the_same_time_and_notes_match_and_anything_else_does_not() {
        let ours = candidate(Some(1.5), None, false);
        assert!(ours.matches(&existing(1.5, None, false, Some("Review"))));
        assert!(!ours.matches(&existing(1.75, None, false, Some("Review"))));
        assert!(!ours.matches(&existing(1.5, None, false, Some("Other"))));
        let thirds = candidate(Some(1.0 / 3.0), None, false);
        assert!(thirds.matches(&existing(0.33, None, false, Some("Review"))));
        let started = candidate(None, Some("09:00"), false);
        assert!(started.matches(&existing(2.0, Some("9:00am"), false, Some("Review"))));
        assert!(!started.matches(&existing(2.0, Some("9:15am"), false, Some("Review"))));
        let timer = candidate(None, None, true);
        assert!(timer.matches(&existing(0.1, None, true, Some("Review"))));
        assert!(!timer.matches(&existing(0.1, None, false, Some("Review"))));
    }

    #[test]
    fn no_notes_and_empty_notes_are_the_same() {
        let mut ours = candidate(Some(1.0), None, false);
        ours.notes = None;
        assert!(ours.matches(&existing(1.0, None, false, Some("  "))));
        assert!(ours.matches(&existing(1.0, None, false, None)));
    }
}
