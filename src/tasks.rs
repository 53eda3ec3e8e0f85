//! Tasks (§10.6) and the tasks assigned to a project (§10.7).

use crate::api::Api;
use crate::bindings::harvest::tools::types::{
    Error, Task, TaskAssignment, TaskAssignmentPage, TaskAssignmentQuery, TaskPage, TaskQuery,
};
use crate::paging::{self, Listing, page_record};
use crate::transport::Query;
use crate::users::is_active;
use crate::validate;

page_record!(TaskPage, Task);
page_record!(TaskAssignmentPage, TaskAssignment);

pub fn list(query: TaskQuery) -> Result<TaskPage, Error> {
    let filters = Query::new()
        .opt("is_active", query.activity.and_then(is_active))
        .opt(
            "updated_since",
            validate::opt_instant("updated-since", query.updated_since.as_deref())?,
        );
    let listing = Listing::new(
        "/v2/tasks",
        filters,
        query.limit,
        query.continuation.as_deref(),
    )?;
    let api = Api::connect(query.account_id)?;
    paging::collect(&api, listing).map(TaskPage::from)
}

pub fn list_assignments(query: TaskAssignmentQuery) -> Result<TaskAssignmentPage, Error> {
    let project_id = validate::id("project-id", query.project_id)?;
    let filters = Query::new()
        .opt("is_active", query.activity.and_then(is_active))
        .opt(
            "updated_since",
            validate::opt_instant("updated-since", query.updated_since.as_deref())?,
        );
    let endpoint = format!("/v2/projects/{project_id}/task_assignments");
    let listing = Listing::new(
        &endpoint,
        filters,
        query.limit,
        query.continuation.as_deref(),
    )?;
    let api = Api::connect(query.account_id)?;
    paging::collect(&api, listing).map(TaskAssignmentPage::from)
}
