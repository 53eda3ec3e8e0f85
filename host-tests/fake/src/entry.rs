//! Building and changing time entries: where an entry sits (user, project, task, rates) and the
//! timer rules (one running timer per user, docs/harvest-notes.md#time-entries).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::clock::{format_time, round2};
use super::error::ApiError;
use super::model::{
    AccountData, ClientRef, EmbeddedTaskAssignment, EmbeddedUserAssignment, IdName, ProjectRef,
    Sequences, TimeEntry, UserAssignment,
};
use super::rounding::rounded;

/// Everything an entry copies from its user, project and task.
pub struct Placement {
    pub user: IdName,
    pub client: ClientRef,
    pub project: ProjectRef,
    pub task: IdName,
    pub user_assignment: EmbeddedUserAssignment,
    pub task_assignment: EmbeddedTaskAssignment,
    pub billable: bool,
    pub billable_rate: Option<f64>,
    pub cost_rate: Option<f64>,
}

impl Placement {
    pub fn apply(self, entry: &mut TimeEntry) {
        entry.user = self.user;
        entry.client = self.client;
        entry.project = self.project;
        entry.task = self.task;
        entry.user_assignment = self.user_assignment;
        entry.task_assignment = self.task_assignment;
        entry.billable = self.billable;
        entry.billable_rate = self.billable_rate;
        entry.cost_rate = self.cost_rate;
    }
}

impl AccountData {
    /// Resolves user, project and task. The task must be assigned to the project; with
    /// `for_tracking`, archived projects, tasks and assignments are refused too. A user without an
    /// assignment on the project gets one (the fake does not model project membership).
    pub fn placement(
        &mut self,
        user_id: u64,
        project_id: u64,
        task_id: u64,
        for_tracking: bool,
        now: DateTime<Utc>,
    ) -> Result<Placement, ApiError> {
        let user = self.user(user_id).filter(|u| u.is_active || !for_tracking);
        let user = user
            .ok_or_else(|| ApiError::invalid(&["User is not valid"]))?
            .clone();
        let project = self
            .project(project_id)
            .ok_or_else(|| ApiError::invalid(&["Project is not valid"]))?;
        let task = self
            .task(task_id)
            .ok_or_else(|| ApiError::invalid(&["Task is not valid"]))?;
        if for_tracking && !project.is_active {
            return Err(ApiError::invalid(&[
                "Project is archived and can't be tracked to",
            ]));
        }
        if for_tracking && !task.is_active {
            return Err(ApiError::invalid(&[
                "Task is archived and can't be tracked to",
            ]));
        }
        let ta = self
            .task_assignment(project_id, task_id)
            .filter(|ta| ta.is_active || !for_tracking);
        let ta = ta.ok_or_else(|| ApiError::invalid(&["Task is not assigned to the project"]))?;
        let (project, task, ta) = (project.clone(), task.clone(), ta.clone());
        let ua = match self
            .user_assignments
            .iter()
            .find(|a| a.user.id == user_id && a.project.id == project_id)
        {
            Some(ua) => ua.clone(),
            None => {
                let ua = UserAssignment {
                    id: Sequences::next(&mut self.seq.user_assignment),
                    project: project.reference(),
                    user: IdName {
                        id: user.id,
                        name: user.name(),
                    },
                    is_active: true,
                    is_project_manager: false,
                    use_default_rates: true,
                    hourly_rate: user.default_hourly_rate,
                    budget: None,
                    created_at: now,
                    updated_at: now,
                };
                self.user_assignments.push(ua.clone());
                ua
            }
        };
        let billable = project.is_billable && ta.billable;
        let rate = match project.bill_by.as_str() {
            "Project" => project.hourly_rate,
            "Tasks" => ta.hourly_rate,
            "People" if ua.use_default_rates => user.default_hourly_rate,
            "People" => ua.hourly_rate,
            _ => None,
        };
        Ok(Placement {
            user: IdName {
                id: user.id,
                name: user.name(),
            },
            client: project.client.clone(),
            project: project.reference(),
            task: IdName {
                id: task.id,
                name: task.name.clone(),
            },
            user_assignment: EmbeddedUserAssignment {
                id: ua.id,
                is_project_manager: ua.is_project_manager,
                is_active: ua.is_active,
                use_default_rates: ua.use_default_rates,
                budget: ua.budget,
                created_at: ua.created_at,
                updated_at: ua.updated_at,
                hourly_rate: ua.hourly_rate,
            },
            task_assignment: EmbeddedTaskAssignment {
                id: ta.id,
                billable: ta.billable,
                is_active: ta.is_active,
                created_at: ta.created_at,
                updated_at: ta.updated_at,
                hourly_rate: ta.hourly_rate,
                budget: ta.budget,
            },
            billable,
            billable_rate: if billable { rate } else { None },
            cost_rate: user.cost_rate,
        })
    }

    /// A stopped, unbilled, unapproved entry with no hours yet.
    pub fn new_entry(
        &mut self,
        spent_date: NaiveDate,
        placement: Placement,
        now: DateTime<Utc>,
    ) -> TimeEntry {
        TimeEntry {
            id: Sequences::next(&mut self.seq.time_entry),
            spent_date,
            hours: 0.0,
            hours_without_timer: 0.0,
            rounded_hours: 0.0,
            notes: None,
            is_locked: false,
            locked_reason: None,
            approval_status: "unsubmitted".into(),
            is_closed: false,
            is_billed: false,
            timer_started_at: None,
            started_time: None,
            ended_time: None,
            is_running: false,
            billable: placement.billable,
            budgeted: true,
            billable_rate: placement.billable_rate,
            cost_rate: placement.cost_rate,
            created_at: now,
            updated_at: now,
            user: placement.user,
            client: placement.client,
            project: placement.project,
            task: placement.task,
            user_assignment: placement.user_assignment,
            task_assignment: placement.task_assignment,
            invoice: None,
            external_reference: None,
            rounding: self.company.time_rounding,
        }
    }

    /// The clock format when the account tracks start and end times, else `None`.
    pub fn timestamp_clock(&self) -> Option<String> {
        self.company
            .wants_timestamp_timers
            .then(|| self.company.clock.clone())
    }

    /// Stops every running timer of `user_id` (one running timer per user,
    /// docs/harvest-notes.md#time-entries).
    pub fn stop_timers_of(&mut self, user_id: u64, now: DateTime<Utc>) {
        let clock = self.timestamp_clock();
        for entry in self
            .time_entries
            .iter_mut()
            .filter(|e| e.user.id == user_id && e.is_running)
        {
            entry.stop(now, clock.as_deref());
        }
    }
}

impl TimeEntry {
    /// Stops a running timer at `now`; in timestamp accounts `ended_time` becomes now.
    pub fn stop(&mut self, now: DateTime<Utc>, timestamp_clock: Option<&str>) {
        let live = self.live(now);
        self.hours = live.hours;
        self.rounded_hours = live.rounded_hours;
        self.hours_without_timer = live.hours;
        self.is_running = false;
        self.timer_started_at = None;
        if let Some(clock) = timestamp_clock {
            self.ended_time = Some(format_time(now.time(), clock));
        }
        self.updated_at = now;
    }

    /// Starts (or restarts) the timer at `started`, keeping the hours tracked so far.
    pub fn start(&mut self, started: DateTime<Utc>, now: DateTime<Utc>) {
        self.is_running = true;
        self.timer_started_at = Some(started);
        self.ended_time = None;
        self.hours = self.hours_without_timer;
        self.rounded_hours = rounded(self.hours, self.rounding);
        self.updated_at = now;
    }

    /// Sets hours of a stopped entry.
    pub fn set_hours(&mut self, hours: f64) {
        self.hours = round2(hours);
        self.rounded_hours = rounded(self.hours, self.rounding);
        self.hours_without_timer = self.hours;
    }

    /// 422 unless the entry may change (docs/harvest-notes.md#time-entries: invoiced or locked
    /// entries are refused).
    pub fn ensure_editable(&self, action: &str) -> Result<(), ApiError> {
        if !(self.is_billed || self.is_locked) {
            return Ok(());
        }
        let reason = self
            .locked_reason
            .clone()
            .unwrap_or_else(|| "Item Invoiced and Locked for this Time Period".into());
        Err(ApiError::Unprocessable(format!(
            "This time entry is locked and can't be {action}: {reason}"
        )))
    }
}

/// Hours between two times of day on the same date; `None` if the end comes first.
pub fn span_hours(start: NaiveTime, end: NaiveTime) -> Option<f64> {
    (end >= start).then(|| round2((end - start).num_minutes() as f64 / 60.0))
}
