//! Harvest ID accounts (docs/harvest-notes.md#accounts): which accounts a token reaches, and
//! choosing one.

use crate::bindings::wit::{Account, AccountList, Error, Identity};
use crate::config::{ACCOUNT_ID, Config};
use crate::http::{Client, Request, Server};
use crate::json::json_record;

json_record! {
    struct AccountsAnswer {
        user: Identity,
        accounts: Vec<WireAccount>,
    }
}

json_record! {
    struct WireAccount {
        id: u64,
        name: String,
        product: String,
    }
}

pub fn list_accounts() -> Result<AccountList, Error> {
    fetch(&Client::harvest_id(Config::from_env()?))
}

fn accounts_request() -> Request<AccountsAnswer> {
    Request::get("/api/v2/accounts").on(Server::HarvestId)
}

fn fetch(client: &Client) -> Result<AccountList, Error> {
    let answer = client.send(&accounts_request())?;
    let accounts = answer
        .accounts
        .into_iter()
        .map(|a| Account {
            usable: a.product == "harvest",
            id: a.id,
            name: a.name,
            product: a.product,
        })
        .collect();
    Ok(AccountList {
        user: answer.user,
        accounts,
    })
}

/// The token's one Harvest account. Several are never narrowed down silently: the caller is
/// told which there are and asked to choose.
pub fn only_harvest_account(client: &Client) -> Result<u64, Error> {
    let list = fetch(client)?;
    let harvest: Vec<&Account> = list.accounts.iter().filter(|a| a.usable).collect();
    match harvest.as_slice() {
        [only] => Ok(only.id),
        [] => Err(Error::Config(format!(
            "the access token reaches no Harvest account (only {} Forecast account(s)); \
             connect with a Harvest user or set {ACCOUNT_ID}",
            list.accounts.len()
        ))),
        several => {
            let choices: Vec<String> = several
                .iter()
                .map(|a| format!("{} ({})", a.id, a.name))
                .collect();
            Err(Error::invalid(
                "account-id",
                format!(
                    "the access token reaches several Harvest accounts: {}; pass one of these ids \
                     as account-id, or set {ACCOUNT_ID} in the host",
                    choices.join(", ")
                ),
            ))
        }
    }
}
