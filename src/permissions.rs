//! Which tool serves a role that Harvest refused (docs/harvest-notes.md#permissions): the one
//! table from a refused request to the tool to call instead, used where every 403 is mapped.

/// The tool to call instead of the request on `path` (without its query) that Harvest refused
/// with 403, when one serves the same need for every role.
pub fn use_instead(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        // Projects, their task assignments, tasks and clients: a member's own projects carry
        // each one's client and the tasks it accepts.
        ["v2", "projects" | "tasks" | "clients", ..] => Some("list-my-project-assignments"),
        ["v2", "users", rest @ ..] if rest.first() != Some(&"me") => Some("get-current-user"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_lists_name_the_tool_every_role_may_call() {
        let cases = [
            ("/v2/projects", Some("list-my-project-assignments")),
            (
                "/v2/projects/7/task_assignments",
                Some("list-my-project-assignments"),
            ),
            ("/v2/tasks", Some("list-my-project-assignments")),
            ("/v2/clients/3", Some("list-my-project-assignments")),
            ("/v2/users", Some("get-current-user")),
            ("/v2/users/me/project_assignments", None),
            ("/v2/invoices", None),
            ("/v2/reports/uninvoiced", None),
            ("/v2/time_entries/1", None),
        ];
        for (path, tool) in cases {
            assert_eq!(use_instead(path), tool, "{path}");
        }
    }
}
