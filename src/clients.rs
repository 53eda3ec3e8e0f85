//! Clients (docs/harvest-notes.md#projects-tasks-clients-users).

use crate::bindings::wit::{Client, ClientPage, ClientQuery, Error};
use crate::filters;
use crate::http::{self, Request};
use crate::paging;
use crate::validate;

pub fn list(query: ClientQuery) -> Result<ClientPage, Error> {
    let filters = filters::activity(query.activity, query.updated_since.as_deref())?;
    paging::list("/v2/clients", filters, &query)
}

pub fn get(client_id: u64, account_id: Option<u64>) -> Result<Client, Error> {
    let request = get_request(client_id)?;
    http::Client::for_account(account_id)?.send(&request)
}

fn get_request(client_id: u64) -> Result<Request<Client>, Error> {
    let client_id = validate::id("client-id", client_id)?;
    Ok(Request::get(format!("/v2/clients/{client_id}")))
}
