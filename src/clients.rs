//! Clients (§10.8).

use crate::api::Api;
use crate::bindings::harvest::tools::types::{Client, ClientPage, ClientQuery, Error};
use crate::paging::{self, Listing, page_record};
use crate::transport::{Query, Request};
use crate::users::is_active;
use crate::validate;

page_record!(ClientPage, Client);

pub fn list(query: ClientQuery) -> Result<ClientPage, Error> {
    let filters = Query::new()
        .opt("is_active", query.activity.and_then(is_active))
        .opt(
            "updated_since",
            validate::opt_instant("updated-since", query.updated_since.as_deref())?,
        );
    let listing = Listing::new(
        "/v2/clients",
        filters,
        query.limit,
        query.continuation.as_deref(),
    )?;
    let api = Api::connect(query.account_id)?;
    paging::collect(&api, listing).map(ClientPage::from)
}

pub fn get(client_id: u64, account_id: Option<u64>) -> Result<Client, Error> {
    let client_id = validate::id("client-id", client_id)?;
    Api::connect(account_id)?.call(&Request::get(format!("/v2/clients/{client_id}")))
}
