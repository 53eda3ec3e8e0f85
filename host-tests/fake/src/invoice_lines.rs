//! Invoice line items: free-form input, PATCH edits (add / update / `_destroy`), and importing
//! tracked time (docs/harvest-notes.md#invoices `line_items_import`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use super::clock::round2;
use super::error::Problems;
use super::model::{AccountData, InvoiceRef, LineItem, ProjectRef, Sequences, TimeEntry};

#[derive(Debug, Default, Deserialize)]
pub struct LineItemInput {
    pub id: Option<u64>,
    pub project_id: Option<u64>,
    pub kind: Option<String>,
    pub description: Option<String>,
    pub quantity: Option<f64>,
    pub unit_price: Option<f64>,
    pub taxed: Option<bool>,
    pub taxed2: Option<bool>,
    #[serde(rename = "_destroy")]
    pub destroy: Option<bool>,
}

/// How imported time is summarised into lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Summary {
    Project,
    Task,
    People,
    Detailed,
}

impl Summary {
    pub fn parse(s: &str) -> Option<Summary> {
        match s {
            "project" => Some(Summary::Project),
            "task" => Some(Summary::Task),
            "people" => Some(Summary::People),
            "detailed" => Some(Summary::Detailed),
            _ => None,
        }
    }
}

/// Which time to import: the client's unbilled, billable, stopped entries of these projects,
/// within `range` when given (else all of them).
pub struct TimeSelection {
    pub project_ids: Vec<u64>,
    pub summary: Summary,
    pub range: Option<(NaiveDate, NaiveDate)>,
}

impl AccountData {
    fn project_ref(&self, id: Option<u64>) -> Option<ProjectRef> {
        id.and_then(|id| self.project(id)).map(|p| p.reference())
    }

    /// A new free-form line; `kind` and `unit_price` are required (docs/harvest-notes.md#invoices).
    pub fn new_line(&mut self, input: &LineItemInput, problems: &mut Problems) -> Option<LineItem> {
        if input.kind.as_deref().is_none_or(str::is_empty) {
            problems.add("Line items kind can't be blank");
        }
        if input.unit_price.is_none() {
            problems.add("Line items unit price can't be blank");
        }
        let project = self.project_ref(input.project_id);
        if input.project_id.is_some() && project.is_none() {
            problems.add("Line items project is not valid");
        }
        let (kind, unit_price) = (input.kind.clone()?, input.unit_price?);
        let quantity = input.quantity.unwrap_or(1.0);
        Some(LineItem {
            id: Sequences::next(&mut self.seq.line_item),
            project,
            kind,
            description: input.description.clone().unwrap_or_default(),
            quantity,
            unit_price,
            amount: round2(quantity * unit_price),
            taxed: input.taxed.unwrap_or(false),
            taxed2: input.taxed2.unwrap_or(false),
            time_entry_ids: Vec::new(),
            expense_ids: Vec::new(),
        })
    }

    /// Applies a PATCH's line items to `lines`: no id adds, an id updates, `_destroy` removes.
    /// Returns the time entries of removed lines, which stop being billed.
    pub fn edit_lines(
        &mut self,
        lines: &mut Vec<LineItem>,
        inputs: &[LineItemInput],
        problems: &mut Problems,
    ) -> Vec<u64> {
        let mut released = Vec::new();
        for input in inputs {
            let Some(id) = input.id else {
                if let Some(line) = self.new_line(input, problems) {
                    lines.push(line);
                }
                continue;
            };
            let Some(pos) = lines.iter().position(|l| l.id == id) else {
                problems.add(format!("Line item {id} is not on this invoice"));
                continue;
            };
            if input.destroy == Some(true) {
                released.extend(lines.remove(pos).time_entry_ids);
                continue;
            }
            let project = self.project_ref(input.project_id);
            if input.project_id.is_some() && project.is_none() {
                problems.add("Line items project is not valid");
            }
            let Some(line) = lines.get_mut(pos) else {
                continue;
            };
            if project.is_some() {
                line.project = project;
            }
            if let Some(kind) = input.kind.clone().filter(|k| !k.is_empty()) {
                line.kind = kind;
            }
            line.description = input
                .description
                .clone()
                .unwrap_or_else(|| line.description.clone());
            line.quantity = input.quantity.unwrap_or(line.quantity);
            line.unit_price = input.unit_price.unwrap_or(line.unit_price);
            line.taxed = input.taxed.unwrap_or(line.taxed);
            line.taxed2 = input.taxed2.unwrap_or(line.taxed2);
        }
        released
    }

    /// Lines for the selected time, one per group (project / task / person, and rate) or one per
    /// entry (`detailed`), each with `kind: "Service"` and `quantity` = hours
    /// (docs/harvest-notes.md#invoices examples).
    pub fn import_time(&mut self, client_id: u64, selection: &TimeSelection) -> Vec<LineItem> {
        let mut picked: Vec<&TimeEntry> = self
            .time_entries
            .iter()
            .filter(|e| e.client.id == client_id && selection.project_ids.contains(&e.project.id))
            .filter(|e| e.billable && !e.is_billed && !e.is_running)
            .filter(|e| {
                selection
                    .range
                    .is_none_or(|(from, to)| e.spent_date >= from && e.spent_date <= to)
            })
            .collect();
        picked.sort_by_key(|e| (e.spent_date, e.id));
        let mut groups: BTreeMap<(String, String, i64), Vec<&TimeEntry>> = BTreeMap::new();
        for (n, e) in picked.iter().enumerate() {
            let rate_key = (e.billable_rate.unwrap_or(0.0) * 100.0).round() as i64;
            let label = match selection.summary {
                Summary::Project => String::new(),
                Summary::Task => e.task.name.clone(),
                Summary::People => e.user.name.clone(),
                Summary::Detailed => format!("{n:08}"),
            };
            groups
                .entry((e.project.name.clone(), label, rate_key))
                .or_default()
                .push(e);
        }
        let drafts: Vec<(ProjectRef, String, f64, f64, Vec<u64>)> = groups
            .into_values()
            .filter_map(|entries| {
                let first = entries.first()?;
                let description = match selection.summary {
                    Summary::Project => first.project.name.clone(),
                    Summary::Task => format!("{}: {}", first.project.name, first.task.name),
                    Summary::People => format!("{}: {}", first.project.name, first.user.name),
                    Summary::Detailed => detailed_description(first),
                };
                // Imports bill rounded hours (docs/harvest-notes.md#time-rounding).
                let hours = round2(entries.iter().map(|e| e.rounded_hours).sum());
                let ids = entries.iter().map(|e| e.id).collect();
                Some((
                    first.project.clone(),
                    description,
                    hours,
                    first.billable_rate.unwrap_or(0.0),
                    ids,
                ))
            })
            .collect();
        drafts
            .into_iter()
            .map(
                |(project, description, quantity, unit_price, time_entry_ids)| LineItem {
                    id: Sequences::next(&mut self.seq.line_item),
                    project: Some(project),
                    kind: "Service".into(),
                    description,
                    quantity,
                    unit_price,
                    amount: round2(quantity * unit_price),
                    taxed: false,
                    taxed2: false,
                    time_entry_ids,
                    expense_ids: Vec::new(),
                },
            )
            .collect()
    }

    /// Marks entries as invoiced (`is_billed`, `invoice {id, number}`, locked).
    pub fn mark_billed(&mut self, invoice: &InvoiceRef, entry_ids: &[u64]) {
        for entry in self
            .time_entries
            .iter_mut()
            .filter(|e| entry_ids.contains(&e.id))
        {
            entry.is_billed = true;
            entry.invoice = Some(invoice.clone());
            entry.refresh_lock();
        }
    }

    /// Undoes [`AccountData::mark_billed`].
    pub fn unbill(&mut self, entry_ids: &[u64]) {
        for entry in self
            .time_entries
            .iter_mut()
            .filter(|e| entry_ids.contains(&e.id))
        {
            entry.is_billed = false;
            entry.invoice = None;
            entry.refresh_lock();
        }
    }
}

/// `"03/01/2017 - Project Management: [9:00am - 11:00am] Planning meetings"`
/// (docs/harvest-notes.md#invoices example); the bracketed times appear only when the entry has
/// them.
fn detailed_description(e: &TimeEntry) -> String {
    let mut text = format!("{} - {}:", e.spent_date.format("%m/%d/%Y"), e.task.name);
    if let (Some(start), Some(end)) = (&e.started_time, &e.ended_time) {
        text.push_str(&format!(" [{start} - {end}]"));
    }
    if let Some(notes) = &e.notes {
        text.push(' ');
        text.push_str(notes);
    }
    text
}
