//! `find-by-name`: a record's id from the name a person gave, ranked, with a word on ambiguity.
//! The account's list is read whole; when Harvest refuses it to the user's role (403,
//! docs/harvest-notes.md#permissions), the user's own project assignments, or the user, are
//! searched instead.

use std::cmp::Ordering;

use crate::bindings::wit::{
    Error, FindQuery, MatchQuality, NameMatch, NameMatches, NamedRef, ProjectRef, RecordKind,
    SearchScope,
};
use crate::http::{Client, Query, Request};
use crate::json::json_record;
use crate::paging::{self, Listing, MAX_LIMIT};
use crate::validate;

const DEFAULT_LIMIT: u32 = 10;
const MAX_MATCHES: u32 = 100;
/// Fuzzy matches less similar than this (normalized Damerau-Levenshtein) are not matches.
const FUZZY_MIN: f64 = 0.7;

pub fn find(query: FindQuery) -> Result<NameMatches, Error> {
    let text = normalized(&validate::non_empty("text", &query.text)?);
    let limit = match query.limit.unwrap_or(DEFAULT_LIMIT) {
        n @ 1..=MAX_MATCHES => n as usize,
        _ => {
            let rule = format!("must be between 1 and {MAX_MATCHES}");
            return Err(Error::invalid("limit", rule));
        }
    };
    let client = Client::for_account(query.account_id)?;
    let (candidates, scope) = candidates(&client, query.kind)?;
    Ok(ranked(query.kind, &text, candidates, scope, limit))
}

/// A record that may match: what is compared and what is returned.
struct Candidate {
    id: u64,
    name: String,
    code: Option<String>,
    is_active: bool,
    client: Option<NamedRef>,
    project: Option<ProjectRef>,
}

impl Candidate {
    fn new(id: u64, name: String, is_active: bool) -> Candidate {
        Candidate {
            id,
            name,
            code: None,
            is_active,
            client: None,
            project: None,
        }
    }
}

/// The records of `kind` the user may list, and where they came from.
fn candidates(client: &Client, kind: RecordKind) -> Result<(Vec<Candidate>, SearchScope), Error> {
    let endpoint = match kind {
        RecordKind::Project => "/v2/projects",
        RecordKind::Client => "/v2/clients",
        RecordKind::Task => "/v2/tasks",
        RecordKind::User => "/v2/users",
    };
    match every(client, endpoint) {
        Ok(records) => Ok((
            records.into_iter().map(WireRecord::candidate).collect(),
            SearchScope::Account,
        )),
        Err(Error::Forbidden(_)) => Ok((own(client, kind)?, SearchScope::Own)),
        Err(error) => Err(error),
    }
}

/// What the user may see of `kind` whatever their role: their project assignments, or
/// themselves.
fn own(client: &Client, kind: RecordKind) -> Result<Vec<Candidate>, Error> {
    if kind == RecordKind::User {
        let me: WireRecord = client.send(&Request::get("/v2/users/me"))?;
        return Ok(vec![me.candidate()]);
    }
    let mut found: Vec<Candidate> = Vec::new();
    for assignment in every(client, "/v2/users/me/project_assignments")? {
        let WireRecord {
            project: Some(project),
            client: Some(client),
            is_active,
            task_assignments,
            ..
        } = assignment
        else {
            continue;
        };
        match kind {
            RecordKind::Project => found.push(Candidate {
                code: project.code.clone(),
                client: Some(client),
                ..Candidate::new(project.id, project.name, is_active)
            }),
            RecordKind::Client => match found.iter_mut().find(|c| c.id == client.id) {
                Some(known) => known.is_active |= is_active,
                None => found.push(Candidate::new(client.id, client.name, is_active)),
            },
            RecordKind::Task => {
                found.extend(task_assignments.into_iter().map(|assigned| Candidate {
                    client: Some(client.clone()),
                    project: Some(project.clone()),
                    ..Candidate::new(
                        assigned.task.id,
                        assigned.task.name,
                        is_active && assigned.is_active,
                    )
                }))
            }
            RecordKind::User => {}
        }
    }
    Ok(found)
}

/// Every record of a list, page after page: nothing is left out of a search.
fn every(client: &Client, endpoint: &str) -> Result<Vec<WireRecord>, Error> {
    let mut records = Vec::new();
    let mut continuation: Option<String> = None;
    loop {
        let listing = Listing::new(
            endpoint,
            Query::new(),
            Some(MAX_LIMIT),
            continuation.as_deref(),
        )?;
        let page = paging::collect::<WireRecord>(client, listing)?;
        records.extend(page.items);
        match page.continuation {
            Some(next) => continuation = Some(next),
            None => return Ok(records),
        }
    }
}

json_record! {
    /// A project, client, task, user or project assignment, as far as a search needs it. One type
    /// for all, so that the component carries one copy of the list reading.
    struct WireRecord {
        id: u64,
        /// Projects, clients and tasks.
        name: Option<String>,
        /// Users.
        first_name: Option<String>,
        last_name: Option<String>,
        /// Projects.
        code: Option<String>,
        is_active: bool,
        /// Projects and project assignments.
        client: Option<NamedRef>,
        /// Project assignments, with their tasks.
        project: Option<ProjectRef>,
        task_assignments: Vec<WireAssignedTask> = default,
    }
}

impl WireRecord {
    fn candidate(self) -> Candidate {
        let name = match (self.name, self.first_name, self.last_name) {
            (Some(name), _, _) => name,
            (None, first, last) => {
                format!("{} {}", first.unwrap_or_default(), last.unwrap_or_default())
                    .trim()
                    .to_string()
            }
        };
        Candidate {
            code: self.code.filter(|c| !c.trim().is_empty()),
            client: self.client,
            ..Candidate::new(self.id, name, self.is_active)
        }
    }
}

json_record! {
    struct WireAssignedTask {
        task: NamedRef,
        is_active: bool,
    }
}

/// Lower case, words separated by single spaces.
fn normalized(text: &str) -> String {
    lowercase(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Each character in lower case. Not `str::to_lowercase`, whose one difference (a final Greek
/// sigma) costs a copy of the Unicode tables' walk: both sides of a match go through this.
fn lowercase(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// How `text` (normalized) matches a record, if it does.
fn quality(text: &str, candidate: &Candidate) -> Option<(MatchQuality, f64)> {
    let name = normalized(&candidate.name);
    let code = candidate.code.as_deref().map(normalized);
    let targets: Vec<&str> = std::iter::once(name.as_str())
        .chain(code.as_deref())
        .collect();
    if targets.contains(&text) {
        return Some((MatchQuality::Exact, 1.0));
    }
    let words = || targets.iter().flat_map(|t| t.split(' '));
    let covered = |target: &str| text.len() as f64 / target.len().max(1) as f64;
    // The start of the whole name scores 0.5 to 1, the start of one of its words up to 0.5; the
    // more of it the text covers, the higher.
    let prefix = targets
        .iter()
        .filter(|t| t.starts_with(text))
        .map(|t| 0.5 + covered(t) / 2.0)
        .chain(
            words()
                .filter(|w| w.starts_with(text))
                .map(|w| covered(w) / 2.0),
        )
        .max_by(f64::total_cmp);
    if let Some(score) = prefix {
        return Some((MatchQuality::Prefix, round(score)));
    }
    // A one-word text is also compared with each word, so that "redesgn" finds "Website Redesign".
    let single_word = !text.contains(' ');
    let fuzzy = targets
        .iter()
        .copied()
        .chain(words().filter(|_| single_word))
        .map(|target| similarity(text, target))
        .max_by(f64::total_cmp)
        .filter(|score| *score >= FUZZY_MIN)?;
    Some((MatchQuality::Fuzzy, round(fuzzy)))
}

/// 1 for the same text, 0 for nothing in common: one less the edits between the two (each an
/// insertion, deletion, substitution or swap of neighbours: the optimal string alignment
/// distance) over the longer one's length. Full Damerau-Levenshtein differs only where an edit
/// falls inside a swap, and takes a hash map per comparison.
fn similarity(a: &str, b: &str) -> f64 {
    let longest = a.chars().count().max(b.chars().count());
    if longest == 0 {
        return 1.0;
    }
    1.0 - strsim::osa_distance(a, b) as f64 / longest as f64
}

fn round(score: f64) -> f64 {
    (score * 1000.0).round() / 1000.0
}

fn rank(quality: MatchQuality) -> u8 {
    match quality {
        MatchQuality::Exact => 0,
        MatchQuality::Prefix => 1,
        MatchQuality::Fuzzy => 2,
    }
}

/// Best first: quality, then active before inactive, then score, then name and id.
fn order(a: &NameMatch, b: &NameMatch) -> Ordering {
    rank(a.quality)
        .cmp(&rank(b.quality))
        .then(b.is_active.cmp(&a.is_active))
        .then(b.score.total_cmp(&a.score))
        .then_with(|| lowercase(&a.name).cmp(&lowercase(&b.name)))
        .then(a.id.cmp(&b.id))
}

fn ranked(
    kind: RecordKind,
    text: &str,
    candidates: Vec<Candidate>,
    scope: SearchScope,
    limit: usize,
) -> NameMatches {
    let searched = u32::try_from(candidates.len()).unwrap_or(u32::MAX);
    let mut matches: Vec<NameMatch> = candidates
        .into_iter()
        .filter_map(|candidate| {
            let (quality, score) = quality(text, &candidate)?;
            Some(NameMatch {
                kind,
                id: candidate.id,
                name: candidate.name,
                code: candidate.code,
                is_active: candidate.is_active,
                quality,
                score,
                client: candidate.client,
                project: candidate.project,
            })
        })
        .collect();
    matches.sort_by(order);
    let best = matches.first().map(|m| m.quality);
    let tied = matches.iter().filter(|m| Some(m.quality) == best).count();
    let hint = hint(kind, text, &matches, tied);
    let total_matches = u32::try_from(matches.len()).unwrap_or(u32::MAX);
    matches.truncate(limit);
    NameMatches {
        matches,
        total_matches,
        ambiguous: tied > 1,
        hint,
        scope,
        searched,
    }
}

fn kind_name(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Project => "project",
        RecordKind::Client => "client",
        RecordKind::Task => "task",
        RecordKind::User => "user",
    }
}

/// One sentence on what to do with the matches; `tied` share the best quality.
fn hint(kind: RecordKind, text: &str, matches: &[NameMatch], tied: usize) -> String {
    let kind_name = kind_name(kind);
    let Some(best) = matches.first() else {
        return format!(
            "No {kind_name} matches \"{text}\": check the spelling with the user, or list the \
             {kind_name}s."
        );
    };
    if tied > 1 {
        let how = match best.quality {
            MatchQuality::Exact => "match this name or code exactly",
            MatchQuality::Prefix => "start with this text and none is named so exactly",
            MatchQuality::Fuzzy => "resemble this text and none matches it exactly",
        };
        let pick = match kind {
            RecordKind::Project => "ask the user which one they mean, or pick by its client",
            RecordKind::Task if best.project.is_some() => {
                "ask the user which one they mean, or pick by the project they log time to"
            }
            _ => "ask the user which one they mean",
        };
        return format!("{tied} {kind_name}s {how}: {pick}; do not guess.");
    }
    let archived = if best.is_active {
        ""
    } else {
        " (it is archived)"
    };
    match best.quality {
        MatchQuality::Fuzzy => format!(
            "No {kind_name} is named \"{text}\"; the closest is \"{}\" (id {}){archived}: confirm \
             it with the user before using it.",
            best.name, best.id
        ),
        _ => format!(
            "Use {kind_name} \"{}\", id {}{archived}.",
            best.name, best.id
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: u64, name: &str, code: Option<&str>, is_active: bool) -> Candidate {
        Candidate {
            code: code.map(str::to_string),
            ..Candidate::new(id, name.into(), is_active)
        }
    }

    fn find_in(text: &str, candidates: Vec<Candidate>) -> NameMatches {
        ranked(
            RecordKind::Project,
            &normalized(text),
            candidates,
            SearchScope::Account,
            10,
        )
    }

    fn ids(found: &NameMatches) -> Vec<(u64, MatchQuality)> {
        found.matches.iter().map(|m| (m.id, m.quality)).collect()
    }

    #[test]
    fn exact_beats_prefix_beats_fuzzy_and_active_comes_first_within_each() {
        let found = find_in(
            "  website  ",
            vec![
                candidate(1, "Websites", None, true),
                candidate(2, "Website", None, false),
                candidate(3, "Wbsite", None, true),
                candidate(4, "Old Website Pages", None, true),
                candidate(5, "Website", None, true),
                candidate(6, "Mobile App", None, true),
            ],
        );
        use MatchQuality::{Exact, Fuzzy, Prefix};
        assert_eq!(
            ids(&found),
            [(5, Exact), (2, Exact), (1, Prefix), (4, Prefix), (3, Fuzzy)]
        );
        assert!(found.ambiguous, "two exact matches");
        assert_eq!(found.total_matches, 5);
        assert_eq!(found.searched, 6);
    }

    #[test]
    fn codes_match_exactly_and_a_single_match_is_not_ambiguous() {
        let found = find_in(
            "mob-01",
            vec![
                candidate(1, "Mobile App", Some("MOB-01"), true),
                candidate(2, "Mobile Web", Some("MOB-02"), true),
            ],
        );
        assert_eq!(found.matches.first().map(|m| m.id), Some(1));
        assert_eq!(
            found.matches.first().map(|m| m.quality),
            Some(MatchQuality::Exact)
        );
        assert!(!found.ambiguous);
        assert!(found.hint.contains("id 1"), "{}", found.hint);
    }

    #[test]
    fn unrelated_names_are_not_fuzzy_matches() {
        let found = find_in(
            "meetings",
            vec![
                candidate(1, "Marketing", None, true),
                candidate(2, "Research", None, true),
            ],
        );
        assert!(found.matches.is_empty(), "{:?}", ids(&found));
        assert!(!found.ambiguous);
        assert!(found.hint.starts_with("No project matches"));
    }

    #[test]
    fn the_limit_cuts_the_list_but_not_the_count() {
        let many = (1..=5)
            .map(|id| candidate(id, &format!("Design {id}"), None, true))
            .collect();
        let found = ranked(RecordKind::Task, "design", many, SearchScope::Account, 2);
        assert_eq!((found.matches.len(), found.total_matches), (2, 5));
        assert!(found.ambiguous);
    }
}
