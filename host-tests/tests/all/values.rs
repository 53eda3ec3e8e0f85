//! Builders of the WIT values the tests pass: each query or record with its optional fields
//! left out, for a test to set what it is about (`ProjectQuery { limit, ..project_query(None) }`).

use crate::support::{ANCHOR, wit};

pub fn user_query(activity: Option<wit::ActivityFilter>) -> wit::UserQuery {
    wit::UserQuery {
        activity,
        updated_since: None,
        limit: None,
        continuation: None,
        account_id: None,
    }
}

pub fn task_query(activity: Option<wit::ActivityFilter>) -> wit::TaskQuery {
    wit::TaskQuery {
        activity,
        updated_since: None,
        limit: None,
        continuation: None,
        account_id: None,
    }
}

pub fn client_query(activity: Option<wit::ActivityFilter>) -> wit::ClientQuery {
    wit::ClientQuery {
        activity,
        updated_since: None,
        limit: None,
        continuation: None,
        account_id: None,
    }
}

pub fn task_assignment_query(project_id: u64) -> wit::TaskAssignmentQuery {
    wit::TaskAssignmentQuery {
        project_id,
        activity: None,
        updated_since: None,
        limit: None,
        continuation: None,
        account_id: None,
    }
}

pub fn project_query(limit: Option<u32>) -> wit::ProjectQuery {
    wit::ProjectQuery {
        activity: None,
        client_id: None,
        updated_since: None,
        limit,
        continuation: None,
        account_id: None,
    }
}

pub fn report_query(from: &str, to: &str) -> wit::ReportQuery {
    wit::ReportQuery {
        period: None,
        from: Some(from.into()),
        to: Some(to.into()),
        include_fixed_fee: None,
        account_id: None,
    }
}

pub fn payment_query(invoice_id: u64) -> wit::InvoicePaymentQuery {
    wit::InvoicePaymentQuery {
        invoice_id,
        updated_since: None,
        limit: None,
        continuation: None,
        account_id: None,
    }
}

pub fn new_payment(invoice_id: u64, amount: f64) -> wit::NewInvoicePayment {
    wit::NewInvoicePayment {
        invoice_id,
        amount,
        paid_date: None,
        paid_at: None,
        notes: None,
        send_thank_you: None,
        account_id: None,
    }
}

pub fn entries_query() -> wit::TimeEntryQuery {
    wit::TimeEntryQuery::unfiltered(None)
}

pub fn new_entry(project_id: u64, task_id: u64) -> wit::NewTimeEntry {
    wit::NewTimeEntry {
        project_id,
        task_id,
        spent_date: Some(ANCHOR.to_string()),
        user_id: None,
        duration: None,
        started_time: None,
        ended_time: None,
        notes: None,
        account_id: None,
    }
}

pub fn entry_changes() -> wit::TimeEntryChanges {
    wit::TimeEntryChanges {
        project_id: None,
        task_id: None,
        spent_date: None,
        duration: None,
        started_time: None,
        ended_time: None,
        notes: None,
        account_id: None,
    }
}

pub fn invoice_query() -> wit::InvoiceQuery {
    wit::InvoiceQuery {
        client_id: None,
        project_id: None,
        state: None,
        period: None,
        from: None,
        to: None,
        updated_since: None,
        limit: None,
        continuation: None,
        account_id: None,
    }
}

pub fn new_invoice(client_id: u64) -> wit::NewInvoice {
    wit::NewInvoice {
        client_id,
        subject: None,
        notes: None,
        number: None,
        purchase_order: None,
        currency: None,
        issue_date: None,
        due_date: None,
        payment_term: None,
        tax: None,
        tax2: None,
        discount: None,
        line_items: Vec::new(),
        import: None,
        account_id: None,
    }
}

pub fn invoice_changes() -> wit::InvoiceChanges {
    wit::InvoiceChanges {
        subject: None,
        notes: None,
        number: None,
        purchase_order: None,
        currency: None,
        issue_date: None,
        due_date: None,
        payment_term: None,
        tax: None,
        tax2: None,
        discount: None,
        add_line_items: Vec::new(),
        change_line_items: Vec::new(),
        remove_line_item_ids: Vec::new(),
        event: None,
        account_id: None,
    }
}

pub fn line(kind: &str, unit_price: f64) -> wit::NewLineItem {
    wit::NewLineItem {
        project_id: None,
        kind: kind.into(),
        description: None,
        quantity: None,
        unit_price,
        taxed: None,
        taxed2: None,
    }
}

pub fn line_change(id: u64) -> wit::LineItemChange {
    wit::LineItemChange {
        id,
        project_id: None,
        kind: None,
        description: None,
        quantity: None,
        unit_price: None,
        taxed: None,
        taxed2: None,
    }
}

pub fn time_import(project_ids: Vec<u64>, from: &str, to: &str) -> wit::LineItemsImport {
    wit::LineItemsImport {
        project_ids,
        time: Some(wit::TimeImport {
            summary: wit::TimeSummary::Task,
            from: Some(from.into()),
            to: Some(to.into()),
        }),
        expenses: None,
    }
}

pub fn expense_query() -> wit::ExpenseQuery {
    wit::ExpenseQuery {
        user_id: None,
        client_id: None,
        project_id: None,
        is_billed: None,
        period: None,
        from: None,
        to: None,
        updated_since: None,
        limit: None,
        continuation: None,
        account_id: None,
    }
}
