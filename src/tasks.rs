//! Tasks and the tasks assigned to a project
//! (docs/harvest-notes.md#projects-tasks-clients-users).

use crate::bindings::wit::{Error, TaskAssignmentPage, TaskAssignmentQuery, TaskPage, TaskQuery};
use crate::filters;
use crate::paging;
use crate::validate;

pub fn list(query: TaskQuery) -> Result<TaskPage, Error> {
    let filters = filters::activity(query.activity, query.updated_since.as_deref())?;
    paging::list("/v2/tasks", filters, &query)
}

pub fn list_assignments(query: TaskAssignmentQuery) -> Result<TaskAssignmentPage, Error> {
    let project_id = validate::id("project-id", query.project_id)?;
    let filters = filters::activity(query.activity, query.updated_since.as_deref())?;
    let endpoint = format!("/v2/projects/{project_id}/task_assignments");
    paging::list(&endpoint, filters, &query)
}
