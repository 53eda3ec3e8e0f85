//! Projects (docs/harvest-notes.md#projects-tasks-clients-users).

use crate::bindings::wit::{
    Error, Project, ProjectAssignmentPage, ProjectAssignmentQuery, ProjectPage, ProjectQuery,
};
use crate::filters::{self, is_active};
use crate::http::{Client, Query, Request};
use crate::paging;
use crate::validate;

pub fn list(query: ProjectQuery) -> Result<ProjectPage, Error> {
    let filters = Query::new()
        .opt("is_active", query.activity.and_then(is_active))
        .opt("client_id", validate::opt_id("client-id", query.client_id)?);
    let filters = filters::updated_since(filters, query.updated_since.as_deref())?;
    paging::list("/v2/projects", filters, &query)
}

pub fn get(project_id: u64, account_id: Option<u64>) -> Result<Project, Error> {
    let request = get_request(project_id)?;
    Client::for_account(account_id)?.send(&request)
}

fn get_request(project_id: u64) -> Result<Request<Project>, Error> {
    let project_id = validate::id("project-id", project_id)?;
    Ok(Request::get(format!("/v2/projects/{project_id}")))
}

/// The token's user's own projects with their tasks (docs/harvest-notes.md#permissions: every
/// role may read them); page-numbered (docs/harvest-notes.md#pagination), and Harvest takes no
/// filters on it.
pub fn list_my_assignments(query: ProjectAssignmentQuery) -> Result<ProjectAssignmentPage, Error> {
    paging::list("/v2/users/me/project_assignments", Query::new(), &query)
}
