//! An API client bound to one configuration and one Harvest account.

use serde::de::DeserializeOwned;

use crate::accounts;
use crate::bindings::harvest::tools::types::Error;
use crate::config::Config;
use crate::transport::{Request, Transport, check_status};
use crate::validate;

pub struct Api {
    pub config: Config,
    pub account_id: u64,
}

impl Api {
    /// Reads the configuration and settles the account: the explicit `account_id`, else
    /// `HARVEST_ACCOUNT_ID`, else the token's only Harvest account.
    pub fn connect(account_id: Option<u64>) -> Result<Api, Error> {
        if let Some(id) = account_id {
            validate::id("account-id", id)?;
        }
        let config = Config::from_env()?;
        let account_id = match account_id.or(config.account_id) {
            Some(id) => id,
            None => accounts::only_harvest_account(&config)?,
        };
        Ok(Api { config, account_id })
    }

    pub fn transport(&self) -> Transport<'_> {
        Transport {
            config: &self.config,
            account_id: Some(self.account_id),
        }
    }

    /// Sends `request` and decodes its JSON answer.
    pub fn call<T: DeserializeOwned>(&self, request: &Request) -> Result<T, Error> {
        self.transport().call(request)
    }

    /// Sends `request` and checks its status, ignoring the body (Harvest's DELETE answers).
    pub fn execute(&self, request: &Request) -> Result<(), Error> {
        let response = self.transport().send(request)?;
        check_status(request, &response, &self.config.access_token)
    }
}
