//! Expenses (docs/harvest-notes.md#expenses): a page-numbered list with the filters time entries
//! share.

use crate::bindings::wit::{Error, ExpensePage, ExpenseQuery};
use crate::filters;
use crate::http::Query;
use crate::paging;
use crate::period::Dates;

const ENDPOINT: &str = "/v2/expenses";

fn list_filters(query: &ExpenseQuery, dates: &Dates) -> Result<Query, Error> {
    let filters = filters::work(query.user_id, query.client_id, query.project_id)?
        .opt("is_billed", query.is_billed)
        .opt("from", dates.from)
        .opt("to", dates.to);
    filters::updated_since(filters, query.updated_since.as_deref())
}

/// `list-expenses`: every filter checked before the first page is asked for.
pub fn list(query: ExpenseQuery) -> Result<ExpensePage, Error> {
    paging::list_dated(ENDPOINT, &query, |dates| list_filters(&query, dates))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paging::DatedQuery;
    use crate::paging::Listing;

    fn query() -> ExpenseQuery {
        ExpenseQuery {
            user_id: None,
            period: None,
            client_id: None,
            project_id: None,
            is_billed: None,
            from: None,
            to: None,
            updated_since: None,
            limit: None,
            continuation: None,
            account_id: None,
        }
    }

    fn first_path(query: &ExpenseQuery) -> Result<String, Error> {
        let listing = Listing::new(
            ENDPOINT,
            list_filters(query, &query.given()?)?,
            query.limit,
            None,
        )?;
        Ok(listing.first_request::<()>().path_and_query())
    }

    #[test]
    fn filters_go_out_under_harvests_names() -> Result<(), String> {
        let q = ExpenseQuery {
            user_id: Some(7),
            client_id: Some(8),
            project_id: Some(9),
            is_billed: Some(false),
            from: Some("2026-03-01".into()),
            to: Some("2026-03-31".into()),
            updated_since: Some("2026-03-01T00:00:00Z".into()),
            limit: Some(50),
            ..query()
        };
        let path = first_path(&q).map_err(|e| format!("{e:?}"))?;
        assert_eq!(
            path,
            "/v2/expenses?user_id=7&client_id=8&project_id=9&is_billed=false&from=2026-03-01\
             &to=2026-03-31&updated_since=2026-03-01T00%3A00%3A00Z&per_page=50"
        );
        Ok(())
    }

    #[test]
    fn bad_filters_are_refused_before_anything_is_sent() {
        let field = |q: ExpenseQuery| match q.given().and_then(|dates| list_filters(&q, &dates)) {
            Err(Error::InvalidInput(i)) => Some(i.field),
            _ => None,
        };
        assert_eq!(
            field(ExpenseQuery {
                project_id: Some(0),
                ..query()
            })
            .as_deref(),
            Some("project-id")
        );
        assert_eq!(
            field(ExpenseQuery {
                from: Some("2026-03-31".into()),
                to: Some("2026-03-01".into()),
                ..query()
            })
            .as_deref(),
            Some("to")
        );
        assert_eq!(
            field(ExpenseQuery {
                updated_since: Some("yesterday".into()),
                ..query()
            })
            .as_deref(),
            Some("updated-since")
        );
    }
}
