//! The one client: bound to a configuration and, for the Harvest API, an account. It turns a
//! described [`Request`] into headers and bytes, sends it through the schedule, and judges the
//! answer in one place.

use std::ops::ControlFlow;

use wasip2::clocks::monotonic_clock;

use super::deadline::Deadline;
use super::error::check_status;
use super::request::{Request, Server};
use super::response::Response;
use super::schedule::{self, lost};
use super::wasi::{Outgoing, path_only};
use crate::accounts;
use crate::bindings::wit::Error;
use crate::config::Config;
use crate::json::FromJson;
use crate::validate;

pub struct Client {
    pub config: Config,
    /// The account of Harvest API requests; a Harvest ID client has none.
    account_id: Option<u64>,
    /// The call's deadline, from the client's creation: every request it sends, with its
    /// retries, rate-limit waits and pages, ends within it.
    deadline: Deadline,
}

impl Client {
    /// A client of the Harvest API. Reads the configuration and settles the account: the
    /// explicit `account_id`, else `HARVEST_ACCOUNT_ID`, else the token's only Harvest account.
    pub fn for_account(account_id: Option<u64>) -> Result<Client, Error> {
        if let Some(id) = account_id {
            validate::id("account-id", id)?;
        }
        let mut client = Client::harvest_id(Config::from_env()?);
        client.account_id = match account_id.or(client.config.account_id) {
            Some(id) => Some(id),
            None => Some(accounts::only_harvest_account(&client)?),
        };
        Ok(client)
    }

    /// A client for Harvest ID (accounts, OAuth), which needs no account. The call deadline
    /// starts now, on the WASI monotonic clock.
    pub fn harvest_id(config: Config) -> Client {
        let deadline = Deadline::new(monotonic_clock::now(), config.policy.call_deadline_secs);
        Client {
            config,
            account_id: None,
            deadline,
        }
    }

    /// The account of Harvest API requests; none for a Harvest ID client.
    pub fn account_id(&self) -> Option<u64> {
        self.account_id
    }

    /// Sends `request` and decodes its 2xx JSON answer; any other status is an error.
    pub fn send<T: FromJson>(&self, request: &Request<T>) -> Result<T, Error> {
        self.checked(request)?.decode(&request.path)
    }

    /// Sends `request` and checks its status, returning the 2xx response undecoded.
    pub fn checked<T>(&self, request: &Request<T>) -> Result<Response, Error> {
        let response = self.exchange(request)?;
        self.check(&response, request)?;
        Ok(response)
    }

    /// Sends `request` and checks its status, ignoring the body (Harvest's DELETE answers).
    pub fn execute<T>(&self, request: &Request<T>) -> Result<(), Error> {
        let response = self.exchange(request)?;
        self.check(&response, request)
    }

    /// Sends `request`, returning the response whatever its status.
    pub fn exchange<T>(&self, request: &Request<T>) -> Result<Response, Error> {
        let outgoing = [self.outgoing(request)?];
        let mut answer = None;
        schedule::run(
            &outgoing,
            1,
            &self.config.policy,
            &self.deadline,
            &mut |_, response| {
                answer = Some(response);
                Ok(ControlFlow::Break(()))
            },
        )?;
        let [outgoing] = &outgoing;
        answer.unwrap_or_else(|| Err(lost(outgoing)))
    }

    /// Sends `requests` with up to `concurrency` of them in flight, and hands each 2xx answer
    /// to `each` in the order of `requests`. The first error (a status, or one `each` returns)
    /// ends the whole exchange; `each` may also end it early with `Break`.
    pub fn exchange_all(
        &self,
        requests: &[Request<()>],
        concurrency: usize,
        each: &mut dyn FnMut(usize, Response) -> Result<ControlFlow<()>, Error>,
    ) -> Result<(), Error> {
        let outgoing = requests
            .iter()
            .map(|request| self.outgoing(request))
            .collect::<Result<Vec<_>, _>>()?;
        schedule::run(
            &outgoing,
            concurrency,
            &self.config.policy,
            &self.deadline,
            &mut |index, response| {
                let response = response?;
                let request = requests.get(index).ok_or_else(|| {
                    Error::internal(format!("request {index} of a batch was lost"))
                })?;
                self.check(&response, request)?;
                each(index, response)
            },
        )
    }

    fn check<T>(&self, response: &Response, request: &Request<T>) -> Result<(), Error> {
        let path = path_only(&request.path);
        check_status(request.method, path, response, &[&self.config.access_token])
    }

    /// A request ready for the wire: its origin and every header it carries.
    fn outgoing<T>(&self, request: &Request<T>) -> Result<Outgoing, Error> {
        let origin = match request.server {
            Server::HarvestApi => &self.config.api,
            Server::HarvestId => &self.config.identity,
        };
        let mut headers = vec![
            ("user-agent", self.config.user_agent.clone()),
            ("accept", "application/json".to_string()),
        ];
        if request.bearer {
            headers.push((
                "authorization",
                format!("Bearer {}", self.config.access_token.expose()),
            ));
        }
        if request.server == Server::HarvestApi {
            let account = self.account_id.ok_or_else(|| {
                Error::Config("no Harvest account was chosen for this request".into())
            })?;
            headers.push(("harvest-account-id", account.to_string()));
        }
        if let Some(body) = &request.body {
            headers.push(("content-type", body.content_type().into()));
        }
        Ok(Outgoing {
            method: request.method,
            origin: origin.clone(),
            path_and_query: request.path_and_query(),
            headers,
            body: request
                .body
                .as_ref()
                .map_or_else(Vec::new, |b| b.bytes().to_vec()),
            is_write: request.is_write(),
            is_repeatable: request.is_repeatable(),
        })
    }
}
