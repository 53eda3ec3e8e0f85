//! Invoices (docs/harvest-notes.md#invoices, docs/harvest-notes.md#payments) and reports
//! (docs/harvest-notes.md#reports), checked against the seeded time they come from.

use harvest_fake::{ACCOUNT_ID, ids};
use serde_json::{Value, json};

use super::client::Caller;
use super::schema::assert_schema;
use super::start;

#[test]
fn invoice_import_bills_time_and_payments_settle_it() {
    let fake = start();
    let admin = Caller::admin(&fake);
    let body = json!({
        "client_id": ids::INITECH, "payment_term": "net 30", "issue_date": "2025-11-12",
        "line_items_import": { "project_ids": [ids::ERP_INTEGRATION], "time": { "summary_type": "task", "from": "2025-09-15", "to": "2025-11-11" } }
    });
    let created = admin.send("POST", "/v2/invoices", Some(&body));
    assert_eq!(created.status, 201, "{}", created.body);
    let invoice = created.json();
    assert_schema("Invoice", &invoice);
    assert_eq!(
        (invoice["state"].clone(), invoice["due_date"].clone()),
        (json!("draft"), json!("2025-12-12"))
    );
    assert_eq!(
        (invoice["currency"].clone(), invoice["period_start"].clone()),
        (json!("EUR"), json!("2025-09-15"))
    );
    let id = invoice["id"].as_u64().expect("id");
    let (hours, expected) = {
        let st = fake.state();
        let entries = &st.account(ACCOUNT_ID).expect("main").time_entries;
        let billed: Vec<_> = entries
            .iter()
            .filter(|e| e.invoice.as_ref().is_some_and(|i| i.id == id))
            .collect();
        let hours: f64 = billed.iter().map(|e| e.hours).sum();
        let amount: f64 = billed
            .iter()
            .map(|e| e.hours * e.billable_rate.unwrap_or(0.0))
            .sum();
        (hours, (amount * 100.0).round() / 100.0)
    };
    assert!(hours > 0.0);
    assert_eq!(invoice["amount"], expected);
    // The same time is not imported twice: a second import finds nothing and makes an empty
    // draft (the fake's choice; Harvest documents no error for it).
    let again = admin.send("POST", "/v2/invoices", Some(&body));
    assert_eq!(again.status, 201);
    assert_eq!(again.json()["line_items"], json!([]));

    let payments = format!("/v2/invoices/{id}/payments");
    assert_eq!(
        admin
            .send("POST", &payments, Some(&json!({ "amount": 1.0 })))
            .status,
        422,
        "draft: no payments"
    );
    let sent = admin.send(
        "POST",
        &format!("/v2/invoices/{id}/messages"),
        Some(&json!({ "event_type": "send" })),
    );
    assert_eq!(sent.status, 201);
    let both =
        json!({ "amount": 1.0, "paid_at": "2025-11-12T10:00:00Z", "paid_date": "2025-11-12" });
    assert_eq!(admin.send("POST", &payments, Some(&both)).status, 422);
    assert_eq!(
        admin
            .send("POST", &payments, Some(&json!({ "amount": 100.0 })))
            .status,
        201
    );
    let rest = admin.ok(&format!("/v2/invoices/{id}"))["due_amount"]
        .as_f64()
        .expect("due");
    assert_eq!(rest, ((expected - 100.0) * 100.0).round() / 100.0);
    assert_eq!(
        admin
            .send(
                "POST",
                &payments,
                Some(&json!({ "amount": rest, "paid_date": "2025-11-13" }))
            )
            .status,
        201
    );
    let paid = admin.ok(&format!("/v2/invoices/{id}"));
    assert_eq!(
        (paid["state"].clone(), paid["paid_date"].clone()),
        (json!("paid"), json!("2025-11-13"))
    );
    assert_eq!(paid["due_amount"], 0.0);
}

#[test]
fn free_form_invoices_compute_amounts_and_edit_lines() {
    let fake = start();
    let admin = Caller::admin(&fake);
    let missing = admin.send(
        "POST",
        "/v2/invoices",
        Some(&json!({ "client_id": ids::GLOBEX, "line_items": [{ "description": "x" }] })),
    );
    assert_eq!(
        missing.json()["message"],
        "Line items kind can't be blank, Line items unit price can't be blank"
    );
    let body = json!({
        "client_id": ids::GLOBEX, "tax": 10.0, "discount": 5.0, "payment_term": "custom", "due_date": "2025-12-24",
        "line_items": [
            { "kind": "Service", "description": "Workshop", "quantity": 2, "unit_price": 500.0, "taxed": true },
            { "kind": "Product", "description": "Licence", "unit_price": 200.0 }
        ]
    });
    let invoice = admin.send("POST", "/v2/invoices", Some(&body)).json();
    // subtotal 1200, discount 60, tax 10% of the taxed 1000 after discount = 95.
    assert_eq!(
        (
            invoice["discount_amount"].clone(),
            invoice["tax_amount"].clone()
        ),
        (json!(60.0), json!(95.0))
    );
    assert_eq!(
        (invoice["amount"].clone(), invoice["due_date"].clone()),
        (json!(1235.0), json!("2025-12-24"))
    );
    let (id, licence) = (
        invoice["id"].as_u64().expect("id"),
        invoice["line_items"][1]["id"].clone(),
    );
    let patch = json!({ "line_items": [{ "id": licence, "_destroy": true }, { "kind": "Service", "unit_price": 100.0 }] });
    let patched = admin
        .send("PATCH", &format!("/v2/invoices/{id}"), Some(&patch))
        .json();
    assert_eq!(patched["line_items"].as_array().map(Vec::len), Some(2));
    assert_eq!(patched["amount"], 1140.0);
}

#[test]
fn invoice_messages_drive_the_state_machine() {
    let fake = start();
    let admin = Caller::admin(&fake);
    let post = |id: u64, body: Value| {
        admin.send("POST", &format!("/v2/invoices/{id}/messages"), Some(&body))
    };
    assert_eq!(
        post(ids::INVOICE_DRAFT, json!({ "event_type": "close" })).status,
        422
    );
    let message = post(
        ids::INVOICE_DRAFT,
        json!({ "recipients": [{ "name": "Hank", "email": "hank@globex.example" }], "subject": "Invoice" }),
    );
    assert_eq!(message.status, 201);
    assert_eq!(
        admin.ok(&format!("/v2/invoices/{}", ids::INVOICE_DRAFT))["state"],
        "open"
    );
    assert_eq!(
        post(ids::INVOICE_DRAFT, json!({ "event_type": "close" })).status,
        201
    );
    assert_eq!(
        post(ids::INVOICE_DRAFT, json!({ "event_type": "re-open" })).status,
        201
    );
    assert_eq!(
        post(ids::INVOICE_DRAFT, json!({ "event_type": "draft" })).status,
        201
    );
    assert_eq!(
        admin.ok(&format!("/v2/invoices/{}", ids::INVOICE_DRAFT))["state"],
        "draft"
    );
    assert_eq!(
        post(ids::INVOICE_DRAFT, json!({})).status,
        422,
        "a real message needs recipients"
    );
}

#[test]
fn reports_are_computed_from_the_time_entries() {
    let fake = start();
    let admin = Caller::admin(&fake);
    let team = admin.ok("/v2/reports/time/team?from=2025-10-01&to=2025-10-31");
    let (hours, billable) = {
        let st = fake.state();
        let entries = &st.account(ACCOUNT_ID).expect("main").time_entries;
        let october: Vec<_> = entries
            .iter()
            .filter(|e| {
                e.user.id == ids::KATHERINE && e.spent_date.to_string().starts_with("2025-10")
            })
            .collect();
        let hours: f64 = october.iter().map(|e| e.hours).sum();
        (
            hours,
            october
                .iter()
                .filter(|e| e.billable)
                .map(|e| e.hours)
                .sum::<f64>(),
        )
    };
    let rows: Vec<&Value> = team["results"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["user_id"] == ids::KATHERINE)
        .collect();
    assert_eq!(
        rows.len(),
        2,
        "Katherine bills in USD and EUR: one row per currency"
    );
    let total: f64 = rows.iter().filter_map(|r| r["total_hours"].as_f64()).sum();
    let billable_total: f64 = rows
        .iter()
        .filter_map(|r| r["billable_hours"].as_f64())
        .sum();
    assert!((total - hours).abs() < 0.01 && (billable_total - billable).abs() < 0.01);
    for target in [
        "/v2/reports/time/team?from=2025-10-01",
        "/v2/reports/time/team?from=2024-01-01&to=2025-01-02",
        "/v2/reports/uninvoiced?from=2024-01-01&to=2025-01-02",
    ] {
        assert_eq!(admin.get(target).status, 422, "{target}");
    }
    let uninvoiced = admin.ok("/v2/reports/uninvoiced?from=2025-08-01&to=2025-11-12");
    let projects: Vec<u64> = uninvoiced["results"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["project_id"].as_u64())
        .collect();
    assert!(
        !projects.contains(&ids::INTERNAL_OPERATIONS),
        "billable projects only"
    );
    let fixed = uninvoiced["results"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["project_id"] == ids::ANNUAL_REPORT))
        .cloned();
    assert_eq!(
        fixed.map(|r| r["uninvoiced_amount"].clone()),
        Some(json!(6000.0)),
        "fee minus the paid milestone"
    );
}
