//! Time entry rules: tracking modes, one running timer per user, locks
//! (docs/harvest-notes.md#time-entries).

use harvest_fake::{ACCOUNT_ID, MULTI_TOKEN, TIMESTAMP_ACCOUNT_ID, ids};
use serde_json::{Value, json};

use super::client::{Caller, ids_of};
use super::start;

#[test]
fn billed_and_locked_entries_refuse_changes() {
    let fake = start();
    let admin = Caller::admin(&fake);
    let (billed, approved) = {
        let st = fake.state();
        let entries = &st.account(ACCOUNT_ID).expect("main").time_entries;
        let billed = entries
            .iter()
            .find(|e| e.is_billed)
            .expect("a billed entry")
            .id;
        let approved = entries
            .iter()
            .find(|e| e.is_closed && !e.is_billed)
            .expect("an approved entry")
            .id;
        (billed, approved)
    };
    for id in [billed, approved] {
        let reply = admin.send(
            "PATCH",
            &format!("/v2/time_entries/{id}"),
            Some(&json!({ "notes": "x" })),
        );
        assert_eq!(reply.status, 422);
    }
    // Invoiced entries are not deleted (the fake's choice); an administrator may delete an
    // approved one (documented).
    let reply = admin.send("DELETE", &format!("/v2/time_entries/{billed}"), None);
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(
        reply.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("locked"))
    );
    let reply = admin.send("DELETE", &format!("/v2/time_entries/{approved}"), None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let st = fake.state();
    let account = st.account(ACCOUNT_ID).expect("main");
    assert!(account.time_entry(billed).is_some());
    assert!(account.time_entry(approved).is_none());
}

#[test]
fn duration_accounts_track_hours_and_keep_one_timer_per_user() {
    let fake = start();
    let admin = Caller::admin(&fake);
    let blank = admin.send("POST", "/v2/time_entries", Some(&json!({})));
    assert_eq!(
        (blank.status, blank.json()["message"].clone()),
        (
            422,
            json!("Project can't be blank, Task can't be blank, Spent date can't be blank")
        )
    );
    let times = json!({ "project_id": ids::WEBSITE_REDESIGN, "task_id": ids::DESIGN, "spent_date": "2025-11-12", "started_time": "8:00am" });
    assert_eq!(
        admin.send("POST", "/v2/time_entries", Some(&times)).status,
        422,
        "start/end times refused"
    );
    let unassigned = json!({ "project_id": ids::ANNUAL_REPORT, "task_id": ids::DEVELOPMENT, "spent_date": "2025-11-12" });
    assert_eq!(
        admin
            .send("POST", "/v2/time_entries", Some(&unassigned))
            .status,
        422,
        "task not on project"
    );

    let running_before = admin.ok("/v2/time_entries?is_running=true&user_id=me");
    let old_timer = running_before["time_entries"][0]["id"]
        .as_u64()
        .expect("Ada's seeded timer");
    let timer = json!({ "project_id": ids::MOBILE_APP, "task_id": ids::DESIGN, "spent_date": "2025-11-12", "notes": "Icons" });
    let created = admin.send("POST", "/v2/time_entries", Some(&timer));
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    assert_eq!(
        (
            created["is_running"].clone(),
            created["started_time"].clone()
        ),
        (json!(true), Value::Null)
    );
    assert_eq!(
        created["billable_rate"], 150.0,
        "Mobile App bills Ada's default rate"
    );
    let running = admin.ok("/v2/time_entries?is_running=true&user_id=me");
    assert_eq!(
        ids_of(&[running], "time_entries"),
        vec![created["id"].as_u64().expect("id")]
    );
    assert_eq!(
        admin.ok(&format!("/v2/time_entries/{old_timer}"))["is_running"],
        false
    );

    let id = created["id"].as_u64().expect("id");
    let stopped = admin
        .send("PATCH", &format!("/v2/time_entries/{id}/stop"), None)
        .json();
    assert_eq!(stopped["is_running"], false);
    assert_eq!(
        admin
            .send("PATCH", &format!("/v2/time_entries/{id}/stop"), None)
            .status,
        422
    );
    let restarted = admin
        .send("PATCH", &format!("/v2/time_entries/{id}/restart"), None)
        .json();
    assert_eq!(
        (restarted["id"].as_u64(), restarted["is_running"].clone()),
        (Some(id), json!(true))
    );
    assert_eq!(
        admin
            .send("PATCH", &format!("/v2/time_entries/{id}/restart"), None)
            .status,
        422
    );

    let fixed = json!({ "project_id": ids::WEBSITE_REDESIGN, "task_id": ids::DESIGN, "spent_date": "2025-11-11", "hours": 1.5 });
    let fixed = admin.send("POST", "/v2/time_entries", Some(&fixed)).json();
    assert_eq!(
        (fixed["hours"].clone(), fixed["is_running"].clone()),
        (json!(1.5), json!(false))
    );
    let fixed_id = fixed["id"].as_u64().expect("id");
    let patched = admin
        .send(
            "PATCH",
            &format!("/v2/time_entries/{fixed_id}"),
            Some(&json!({ "notes": "Hero image" })),
        )
        .json();
    assert_eq!(
        (patched["notes"].clone(), patched["hours"].clone()),
        (json!("Hero image"), json!(1.5))
    );
    assert_eq!(
        admin
            .send("DELETE", &format!("/v2/time_entries/{fixed_id}"), None)
            .status,
        200
    );
    assert_eq!(
        admin.get(&format!("/v2/time_entries/{fixed_id}")).status,
        404
    );
}

#[test]
fn timestamp_accounts_track_start_and_end_times() {
    let fake = start();
    let labs = Caller::new(&fake, MULTI_TOKEN, TIMESTAMP_ACCOUNT_ID);
    let o = ids::TIMESTAMP_OFFSET;
    let base = json!({ "project_id": ids::WEBSITE_REDESIGN + o, "task_id": ids::DESIGN + o, "spent_date": "2025-11-10" });
    let mut with_hours = base.clone();
    with_hours["hours"] = json!(2.0);
    assert_eq!(
        labs.send("POST", "/v2/time_entries", Some(&with_hours))
            .status,
        422,
        "hours refused"
    );
    let mut timed = base.clone();
    (timed["started_time"], timed["ended_time"]) = (json!("08:00"), json!("14:30"));
    let entry = labs.send("POST", "/v2/time_entries", Some(&timed));
    assert_eq!(entry.status, 201, "{}", entry.body);
    let entry = entry.json();
    assert_eq!(
        (entry["hours"].clone(), entry["ended_time"].clone()),
        (json!(6.5), json!("14:30"))
    );
    let restarted = labs
        .send(
            "PATCH",
            &format!("/v2/time_entries/{}/restart", entry["id"]),
            None,
        )
        .json();
    assert_ne!(
        restarted["id"], entry["id"],
        "docs/harvest-notes.md#time-entries: a timestamp restart is a new entry"
    );
    assert_eq!(
        (restarted["hours"].clone(), restarted["is_running"].clone()),
        (json!(0.0), json!(true))
    );
    let seeded = labs.ok("/v2/time_entries?per_page=1&is_running=false");
    let started = seeded["time_entries"][0]["started_time"]
        .as_str()
        .expect("a start time");
    assert!(
        started.len() == 5 && started.contains(':'),
        "24h clock: {started}"
    );
    assert!(
        seeded["time_entries"][0]["id"]
            .as_u64()
            .is_some_and(|id| id > i32::MAX as u64)
    );
}
