//! Projects (§10.5).

use crate::api::Api;
use crate::bindings::harvest::tools::types::{Error, Project, ProjectPage, ProjectQuery};
use crate::paging::{self, Listing, page_record};
use crate::transport::{Query, Request};
use crate::users::is_active;
use crate::validate;

page_record!(ProjectPage, Project);

pub fn list(query: ProjectQuery) -> Result<ProjectPage, Error> {
    let filters = Query::new()
        .opt("is_active", query.activity.and_then(is_active))
        .opt("client_id", validate::opt_id("client-id", query.client_id)?)
        .opt(
            "updated_since",
            validate::opt_instant("updated-since", query.updated_since.as_deref())?,
        );
    let listing = Listing::new(
        "/v2/projects",
        filters,
        query.limit,
        query.continuation.as_deref(),
    )?;
    let api = Api::connect(query.account_id)?;
    paging::collect(&api, listing).map(ProjectPage::from)
}

pub fn get(project_id: u64, account_id: Option<u64>) -> Result<Project, Error> {
    let project_id = validate::id("project-id", project_id)?;
    Api::connect(account_id)?.call(&Request::get(format!("/v2/projects/{project_id}")))
}
