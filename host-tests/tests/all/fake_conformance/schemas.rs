//! The fake's answers against the OpenAPI schemas, endpoint by endpoint.

use harvest_fake::{ACCOUNT_ID, MEMBER_TOKEN, MULTI_TOKEN, TIMESTAMP_ACCOUNT_ID, ids};
use serde_json::json;

use super::client::Caller;
use super::schema::{assert_list, assert_schema};
use super::start;

#[test]
fn time_entries_match_the_schemas() {
    let fake = start();
    let admin = Caller::admin(&fake);
    let page = assert_list(
        &admin,
        "/v2/time_entries?per_page=50",
        "TimeEntries",
        "time_entries",
    );
    let id = page["time_entries"][0]["id"].as_u64().expect("an id");
    assert_schema("TimeEntry", &admin.ok(&format!("/v2/time_entries/{id}")));
    let billed = admin.ok("/v2/time_entries?is_billed=true&per_page=5");
    assert_schema("TimeEntries", &billed);
    let labs = Caller::new(&fake, MULTI_TOKEN, TIMESTAMP_ACCOUNT_ID);
    assert_list(
        &labs,
        "/v2/time_entries?per_page=20",
        "TimeEntries",
        "time_entries",
    );
}

#[test]
fn expenses_match_the_schemas() {
    let fake = start();
    let admin = Caller::admin(&fake);
    let page = assert_list(&admin, "/v2/expenses", "Expenses", "expenses");
    assert!(page["expenses"].as_array().is_some_and(|e| !e.is_empty()));
    assert_list(
        &admin,
        "/v2/expenses?is_billed=false&per_page=3",
        "Expenses",
        "expenses",
    );
}

#[test]
fn catalogue_endpoints_match_the_schemas() {
    let fake = start();
    let admin = Caller::admin(&fake);
    assert_list(&admin, "/v2/projects", "Projects", "projects");
    assert_schema(
        "Project",
        &admin.ok(&format!("/v2/projects/{}", ids::ANNUAL_REPORT)),
    );
    assert_list(&admin, "/v2/clients", "Clients", "clients");
    assert_schema(
        "Client",
        &admin.ok(&format!("/v2/clients/{}", ids::INITECH)),
    );
    assert_list(&admin, "/v2/tasks", "Tasks", "tasks");
    let target = format!("/v2/projects/{}/task_assignments", ids::WEBSITE_REDESIGN);
    assert_list(&admin, &target, "TaskAssignments", "task_assignments");
    assert_list(&admin, "/v2/users", "Users", "users");
    assert_schema("User", &admin.ok("/v2/users/me"));
    assert_schema("Company", &admin.ok("/v2/company"));
    let member = Caller::new(&fake, MEMBER_TOKEN, ACCOUNT_ID);
    assert_list(
        &member,
        "/v2/users/me/project_assignments",
        "ProjectAssignments",
        "project_assignments",
    );
}

#[test]
fn invoices_and_payments_match_the_schemas() {
    let fake = start();
    let admin = Caller::admin(&fake);
    assert_list(&admin, "/v2/invoices", "Invoices", "invoices");
    assert_schema(
        "Invoice",
        &admin.ok(&format!("/v2/invoices/{}", ids::INVOICE_OVERDUE)),
    );
    let target = format!("/v2/invoices/{}/payments", ids::INVOICE_OVERDUE);
    assert_list(&admin, &target, "InvoicePayments", "invoice_payments");
    let payment = admin.send(
        "POST",
        &target,
        Some(&json!({ "amount": 10.0, "paid_date": "2025-11-10" })),
    );
    assert_eq!(payment.status, 201, "{}", payment.body);
    assert_schema("InvoicePayment", &payment.json());
    let target = format!("/v2/invoices/{}/messages", ids::INVOICE_OPEN);
    let message = admin.send("POST", &target, Some(&json!({ "event_type": "close" })));
    assert_eq!(message.status, 201, "{}", message.body);
    assert_schema("InvoiceMessage", &message.json());
}

#[test]
fn reports_match_the_schemas() {
    let fake = start();
    let admin = Caller::admin(&fake);
    for kind in ["projects", "team", "clients", "tasks"] {
        let target = format!("/v2/reports/time/{kind}?from=20250801&to=2025-11-12");
        assert_list(&admin, &target, "TimeReportsResults", "results");
    }
    assert_list(
        &admin,
        "/v2/reports/uninvoiced?from=2025-08-01&to=2025-11-12",
        "UninvoicedReportResults",
        "results",
    );
}
