//! Invoice payments (docs/harvest-notes.md#payments).

use serde::Serialize;

use crate::bindings::wit::{
    Error, InvoicePayment, InvoicePaymentPage, InvoicePaymentQuery, NewInvoicePayment,
};
use crate::filters;
use crate::http::{Client, Query, Request};
use crate::paging;
use crate::validate;

pub fn list(query: InvoicePaymentQuery) -> Result<InvoicePaymentPage, Error> {
    let filters = filters::updated_since(Query::new(), query.updated_since.as_deref())?;
    let endpoint = payments_path(query.invoice_id)?;
    paging::list(&endpoint, filters, &query)
}

pub fn create(payment: NewInvoicePayment) -> Result<InvoicePayment, Error> {
    let (client, request) = plan_create(payment)?;
    client.send(&request)
}

pub fn plan_create(payment: NewInvoicePayment) -> Result<(Client, Request<InvoicePayment>), Error> {
    let account_id = payment.account_id;
    let request = create_request(payment)?;
    Ok((Client::for_account(account_id)?, request))
}

fn payments_path(invoice_id: u64) -> Result<String, Error> {
    Ok(format!(
        "/v2/invoices/{}/payments",
        validate::id("invoice-id", invoice_id)?
    ))
}

#[derive(Debug, Serialize)]
struct PaymentBody {
    amount: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    paid_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paid_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    send_thank_you: Option<bool>,
}

fn create_request(payment: NewInvoicePayment) -> Result<Request<InvoicePayment>, Error> {
    let path = payments_path(payment.invoice_id)?;
    let amount = validate::amount("amount", payment.amount, true)?;
    // One of the two dates, never both (docs/harvest-notes.md#payments).
    if payment.paid_date.is_some() && payment.paid_at.is_some() {
        return Err(Error::invalid(
            "paid-date",
            "give paid-date or paid-at, not both; e.g. paid-date 2026-03-31 alone",
        ));
    }
    let body = PaymentBody {
        amount,
        paid_at: validate::opt_instant("paid-at", payment.paid_at.as_deref())?,
        paid_date: validate::opt_date("paid-date", payment.paid_date.as_deref())?
            .map(|d| d.to_string()),
        notes: payment.notes,
        send_thank_you: payment.send_thank_you,
    };
    Request::post(path, &body)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::http::{Body, Method};

    fn payment(amount: f64) -> NewInvoicePayment {
        NewInvoicePayment {
            invoice_id: 13150403,
            amount,
            paid_date: None,
            paid_at: None,
            notes: None,
            send_thank_you: None,
            account_id: None,
        }
    }

    fn field<T>(result: Result<T, Error>) -> Option<String> {
        match result {
            Err(Error::InvalidInput(invalid)) => Some(invalid.field),
            _ => None,
        }
    }

    fn body<T>(request: &Request<T>) -> Option<Value> {
        match &request.body {
            Some(Body::Json(bytes)) => serde_json::from_slice(bytes).ok(),
            _ => None,
        }
    }

    #[test]
    fn create_posts_the_payment_with_only_the_fields_given() -> Result<(), String> {
        let given = NewInvoicePayment {
            paid_date: Some("2026-03-31".into()),
            notes: Some("Wire".into()),
            send_thank_you: Some(false),
            ..payment(1575.86)
        };
        let request = create_request(given).map_err(|e| format!("{e:?}"))?;
        assert_eq!(
            (request.method, request.path.as_str()),
            (Method::Post, "/v2/invoices/13150403/payments")
        );
        let expected = json!({"amount": 1575.86, "paid_date": "2026-03-31", "notes": "Wire", "send_thank_you": false});
        assert_eq!(body(&request), Some(expected));
        let at = NewInvoicePayment {
            paid_at: Some("2026-03-31T14:00:00Z".into()),
            ..payment(10.0)
        };
        let request = create_request(at).map_err(|e| format!("{e:?}"))?;
        assert_eq!(
            body(&request),
            Some(json!({"amount": 10.0, "paid_at": "2026-03-31T14:00:00Z"}))
        );
        Ok(())
    }

    #[test]
    fn create_names_the_field_at_fault() {
        let cases = [
            (payment(0.0), "amount"),
            (payment(-5.0), "amount"),
            (payment(f64::NAN), "amount"),
            (
                NewInvoicePayment {
                    invoice_id: 0,
                    ..payment(1.0)
                },
                "invoice-id",
            ),
            (
                NewInvoicePayment {
                    paid_date: Some("31.03.2026".into()),
                    ..payment(1.0)
                },
                "paid-date",
            ),
            (
                NewInvoicePayment {
                    paid_at: Some("2026-03-31T14:00:00".into()),
                    ..payment(1.0)
                },
                "paid-at",
            ),
            (
                NewInvoicePayment {
                    paid_date: Some("2026-03-31".into()),
                    paid_at: Some("2026-03-31T14:00:00Z".into()),
                    ..payment(1.0)
                },
                "paid-date",
            ),
        ];
        for (given, expected) in cases {
            assert_eq!(field(create_request(given)).as_deref(), Some(expected));
        }
    }

    #[test]
    fn list_is_per_invoice() {
        assert_eq!(
            payments_path(13150403).ok().as_deref(),
            Some("/v2/invoices/13150403/payments")
        );
        assert_eq!(field(payments_path(0)).as_deref(), Some("invoice-id"));
    }
}
