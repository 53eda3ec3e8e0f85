//! `find-by-name` end to end: ranking, ambiguity, codes, typos, every page read, and a Member's
//! search through their own project assignments.

use harvest_fake::{self as fake, ids};

use crate::roles::assign_only;
use crate::support::{Session, method_paths, wit};

fn find(kind: wit::RecordKind, text: &str) -> wit::FindQuery {
    wit::FindQuery {
        kind,
        text: text.into(),
        limit: None,
        account_id: None,
    }
}

fn call_find(session: &Session, query: &wit::FindQuery) -> wit::NameMatches {
    session
        .call(|h, s| h.call_find_by_name(s, query))
        .unwrap_or_else(|e| panic!("find-by-name: {e:?}"))
}

/// Adds copies of a seeded project (Website Redesign), each with the given (id, name, client
/// id, active), to the main account.
fn add_projects(session: &Session, rows: &[(u64, &str, u64, bool)]) {
    let mut state = session.fake.state();
    let account = state.account_mut(fake::ACCOUNT_ID).expect("main account");
    let template = account
        .project(ids::WEBSITE_REDESIGN)
        .cloned()
        .expect("seeded project");
    for (id, name, client_id, active) in rows {
        let client = account.client(*client_id).expect("seeded client");
        let client = fake::ClientRef {
            id: client.id,
            name: client.name.clone(),
            currency: client.currency.clone(),
        };
        account.projects.push(fake::Project {
            id: *id,
            name: (*name).into(),
            code: None,
            is_active: *active,
            client,
            ..template.clone()
        });
    }
}

/// (id, quality, is-active) of each match, in the order returned.
fn ranked(found: &wit::NameMatches) -> Vec<(u64, wit::MatchQuality, bool)> {
    found
        .matches
        .iter()
        .map(|m| (m.id, m.quality, m.is_active))
        .collect()
}

#[test]
fn two_projects_of_one_name_under_two_clients_are_ambiguous_and_both_are_returned() {
    let session = Session::new();
    const INITECH_WEBSITE: u64 = 7_490_001;
    add_projects(
        &session,
        &[(INITECH_WEBSITE, "Website Redesign", ids::INITECH, true)],
    );
    let found = call_find(
        &session,
        &find(wit::RecordKind::Project, "website redesign"),
    );
    assert!(found.ambiguous, "{found:?}");
    let exact: Vec<(u64, Option<u64>)> = found
        .matches
        .iter()
        .filter(|m| m.quality == wit::MatchQuality::Exact)
        .map(|m| (m.id, m.client.as_ref().map(|c| c.id)))
        .collect();
    let mut exact_sorted = exact.clone();
    exact_sorted.sort();
    assert_eq!(
        exact_sorted,
        [
            (ids::WEBSITE_REDESIGN, Some(ids::GLOBEX)),
            (INITECH_WEBSITE, Some(ids::INITECH))
        ]
    );
    assert!(found.hint.contains("client"), "{}", found.hint);
    assert_eq!(found.scope, wit::SearchScope::Account);
}

#[test]
fn an_exact_name_comes_before_prefixes_and_prefixes_before_fuzzy_matches() {
    let session = Session::new();
    add_projects(
        &session,
        &[
            (7_490_011, "Webside", ids::GLOBEX, true),
            (7_490_012, "Website", ids::INITECH, true),
        ],
    );
    let found = call_find(&session, &find(wit::RecordKind::Project, "Website"));
    use wit::MatchQuality::{Exact, Fuzzy, Prefix};
    assert_eq!(
        ranked(&found),
        [
            (7_490_012, Exact, true),
            (ids::WEBSITE_REDESIGN, Prefix, true),
            (7_490_011, Fuzzy, true),
        ]
    );
    assert!(!found.ambiguous, "one exact match");
    assert!(found.hint.contains("7490012"), "{}", found.hint);
    assert_eq!(found.total_matches, 3);
}

#[test]
fn a_project_code_is_an_exact_match() {
    let session = Session::new();
    let found = call_find(&session, &find(wit::RecordKind::Project, "ini-erp"));
    let best = found.matches.first().expect("a match");
    assert_eq!(
        (
            best.id,
            best.quality,
            best.code.as_deref(),
            best.client.as_ref().map(|c| c.name.as_str())
        ),
        (
            ids::ERP_INTEGRATION,
            wit::MatchQuality::Exact,
            Some("INI-ERP"),
            Some("Initech GmbH")
        )
    );
    assert!(!found.ambiguous);
}

#[test]
fn active_records_come_before_archived_ones_of_the_same_quality() {
    let session = Session::new();
    // "legacy" covers more of "Legacy Portal" (archived in the seed) than of "Legacy Systems".
    add_projects(
        &session,
        &[(7_490_021, "Legacy Systems", ids::SOYLENT, true)],
    );
    let found = call_find(&session, &find(wit::RecordKind::Project, "legacy"));
    use wit::MatchQuality::Prefix;
    assert_eq!(
        ranked(&found),
        [
            (7_490_021, Prefix, true),
            (ids::LEGACY_PORTAL, Prefix, false)
        ]
    );
    let scores: Vec<f64> = found.matches.iter().map(|m| m.score).collect();
    assert!(
        scores[1] > scores[0],
        "the archived one scores higher: {scores:?}"
    );
    assert!(found.ambiguous, "two prefix matches and no exact one");
}

#[test]
fn a_misspelt_name_is_found_as_a_fuzzy_match_to_confirm() {
    let session = Session::new();
    let found = call_find(
        &session,
        &find(wit::RecordKind::Project, "Webiste Redesing"),
    );
    let best = found.matches.first().expect("a match");
    assert_eq!(
        (best.id, best.quality),
        (ids::WEBSITE_REDESIGN, wit::MatchQuality::Fuzzy)
    );
    assert!(best.score >= 0.7 && best.score < 1.0, "{}", best.score);
    assert!(found.hint.contains("confirm"), "{}", found.hint);
    let found = call_find(&session, &find(wit::RecordKind::Client, "Globx"));
    assert_eq!(found.matches.first().map(|m| m.id), Some(ids::GLOBEX));
}

#[test]
fn every_page_of_the_list_is_searched() {
    let session = Session::new();
    {
        let mut state = session.fake.state();
        let account = state.account_mut(fake::ACCOUNT_ID).expect("main account");
        let template = account.client(ids::GLOBEX).cloned().expect("seeded client");
        for n in 0..2_500u64 {
            account.clients.push(fake::Client {
                id: 5_210_000 + n,
                name: format!("Holding {n:04}"),
                ..template.clone()
            });
        }
    }
    let before = session
        .fake
        .state()
        .account(fake::ACCOUNT_ID)
        .map(|a| a.clients.len());
    session.clear();
    let found = call_find(&session, &find(wit::RecordKind::Client, "Holding 2499"));
    assert_eq!(
        found.matches.first().map(|m| (m.id, m.quality)),
        Some((5_212_499, wit::MatchQuality::Exact))
    );
    assert_eq!(Some(found.searched as usize), before, "every client read");
    let pages = session
        .requests()
        .iter()
        .filter(|r| r.path == "/v2/clients")
        .count();
    assert!(pages >= 2, "the list spans pages of at most 2000: {pages}");
}

#[test]
fn a_member_searches_their_project_assignments_and_finds_only_themselves() {
    let session = Session::new().configured(fake::MEMBER_TOKEN, Some(fake::ACCOUNT_ID));
    assign_only(
        &session,
        fake::ACCOUNT_ID,
        ids::ALAN,
        &[
            (ids::ERP_INTEGRATION, false),
            (ids::WEBSITE_REDESIGN, false),
        ],
    );
    session.clear();
    let found = call_find(&session, &find(wit::RecordKind::Project, "erp"));
    assert_eq!(found.scope, wit::SearchScope::Own);
    assert_eq!(
        found
            .matches
            .iter()
            .map(|m| (m.id, m.client.as_ref().map(|c| c.id)))
            .collect::<Vec<_>>(),
        [(ids::ERP_INTEGRATION, Some(ids::INITECH))]
    );
    assert_eq!(
        method_paths(&session.requests()),
        [
            ("GET", "/v2/projects"),
            ("GET", "/v2/users/me/project_assignments")
        ],
        "the refused list, then the member's own assignments"
    );

    // Development is assigned on both projects: one match per project, to pick from.
    let found = call_find(&session, &find(wit::RecordKind::Task, "Development"));
    let mut on: Vec<(u64, Option<u64>)> = found
        .matches
        .iter()
        .map(|m| (m.id, m.project.as_ref().map(|p| p.id)))
        .collect();
    on.sort();
    assert_eq!(
        on,
        [
            (ids::DEVELOPMENT, Some(ids::WEBSITE_REDESIGN)),
            (ids::DEVELOPMENT, Some(ids::ERP_INTEGRATION)),
        ]
    );
    assert!(
        found.ambiguous && found.hint.contains("project"),
        "{found:?}"
    );

    let found = call_find(&session, &find(wit::RecordKind::User, "alan turing"));
    assert_eq!(
        ranked(&found),
        [(ids::ALAN, wit::MatchQuality::Exact, true)]
    );
    let found = call_find(&session, &find(wit::RecordKind::User, "Ada"));
    assert!(found.matches.is_empty(), "a member sees only themselves");
}

#[test]
fn empty_text_and_a_limit_out_of_range_are_refused_before_any_request() {
    let session = Session::new();
    session.clear();
    for (query, field) in [
        (find(wit::RecordKind::Project, "   "), "text"),
        (
            wit::FindQuery {
                limit: Some(0),
                ..find(wit::RecordKind::Task, "design")
            },
            "limit",
        ),
    ] {
        let result = session.call(|h, s| h.call_find_by_name(s, &query));
        match result {
            Err(wit::Error::InvalidInput(invalid)) => assert_eq!(invalid.field, field),
            other => panic!("expected invalid {field}, got {other:?}"),
        }
    }
    assert!(session.requests().is_empty());
}
