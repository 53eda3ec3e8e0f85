//! The five things Harvest users ask an agent for, played as the tool calls an agent makes
//! through the component's dispatcher, each ending in a readable answer.
//!
//! `harvest-host demo` prints them against the fake Harvest; host tests check the numbers in
//! [`Answers`] against the fake's data and against data they lay out.
//!
//! Money is never added across currencies: every total is per currency. Weeks start on the
//! account's `week_start_day`, which [`week_start`] alone supplies.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde_json::{Value, json};

use crate::host::{Host, error_text};

/// What the five answers said, in numbers.
#[derive(Debug)]
pub struct Answers {
    pub logged: Logged,
    pub week: Week,
    pub invoice: NewInvoice,
    pub open_invoices: Vec<OpenInvoice>,
    /// What the open invoices still owe, per currency.
    pub outstanding: BTreeMap<String, f64>,
    /// The overdue part of it, per currency (currencies with nothing overdue are left out).
    pub overdue: BTreeMap<String, f64>,
    pub team: TeamMonth,
}

#[derive(Debug)]
pub struct Logged {
    pub entry_id: u64,
    pub project_id: u64,
    pub task_id: u64,
    pub hours: f64,
}

#[derive(Debug)]
pub struct Week {
    pub user_id: u64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Tracked hours per project id.
    pub per_project: BTreeMap<u64, f64>,
    pub total: f64,
    /// The same time as rounded hours (the account's Time Rounding), as Harvest's reports
    /// count it.
    pub rounded_total: f64,
}

#[derive(Debug)]
pub struct NewInvoice {
    pub invoice_id: u64,
    pub client_id: u64,
    pub project_ids: Vec<u64>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Hours billed: the quantities of the time lines.
    pub hours: f64,
    /// The amount of the expense lines.
    pub expenses: f64,
    pub amount: f64,
    pub currency: String,
}

#[derive(Debug)]
pub struct OpenInvoice {
    pub id: u64,
    pub currency: String,
    pub amount: f64,
    pub due_amount: f64,
    pub due_date: NaiveDate,
    pub overdue: bool,
    pub payments: usize,
}

#[derive(Debug)]
pub struct TeamMonth {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Hours per user id.
    pub per_person: BTreeMap<u64, f64>,
    /// Hours per project id.
    pub per_project: BTreeMap<u64, f64>,
    /// Active users with no time in the month.
    pub idle: Vec<u64>,
}

/// An agent's session: tool calls through the dispatcher, each shown as it is made.
struct Agent<'a> {
    host: &'a Host,
    env: &'a [(String, String)],
    out: &'a mut dyn Write,
}

impl Agent<'_> {
    fn call(&mut self, tool: &str, arguments: Value) -> Result<Value> {
        writeln!(self.out, "  → {tool} {arguments}")?;
        let (outcome, _) = self
            .host
            .call_tool(self.env, tool, &arguments.to_string())?;
        match outcome {
            Ok(text) => serde_json::from_str(&text).with_context(|| format!("{tool} answered")),
            Err(error) => bail!("{tool}: {}", error_text(&error)),
        }
    }

    fn say(&mut self, line: impl AsRef<str>) -> Result<()> {
        writeln!(self.out, "  {}", line.as_ref())?;
        Ok(())
    }

    fn task(&mut self, number: u32, prompt: &str) -> Result<()> {
        writeln!(self.out, "\n{number}. \"{prompt}\"")?;
        Ok(())
    }
}

/// Plays the five tasks for the user the configuration names, "today" being `today`.
pub fn run(
    host: &Host,
    env: &[(String, String)],
    today: NaiveDate,
    out: &mut dyn Write,
) -> Result<Answers> {
    let mut agent = Agent { host, env, out };
    let logged = log_time(&mut agent, today)?;
    let week = my_week(&mut agent, today)?;
    let invoice = invoice_last_month(&mut agent, today)?;
    let (open_invoices, outstanding, overdue) = open_invoices(&mut agent, today)?;
    let team = team_month(&mut agent, today)?;
    Ok(Answers {
        logged,
        week,
        invoice,
        open_invoices,
        outstanding,
        overdue,
        team,
    })
}

/// Harvest's name of a weekday (`week_start_day` on the company: `Sunday`, `Monday`, ...).
pub fn parse_weekday(name: &str) -> Result<Weekday> {
    name.parse::<Weekday>()
        .map_err(|_| anyhow!("{name:?} is not a day of the week"))
}

/// The first day of the account's week, from `get_company`'s `week_start_day` (Harvest's
/// default, Monday, when the account does not say).
fn week_start(agent: &mut Agent) -> Result<Weekday> {
    let company = agent.call("get_company", json!({}))?;
    match company["week_start_day"].as_str() {
        Some(day) => parse_weekday(day),
        None => Ok(Weekday::Mon),
    }
}

/// The first day of the week that contains `day`, weeks starting on `start`.
pub fn week_of(day: NaiveDate, start: Weekday) -> NaiveDate {
    let back = (7 + day.weekday().num_days_from_monday() - start.num_days_from_monday()) % 7;
    day - Duration::days(back.into())
}

/// `amount` with two decimals and thousands separators, and its currency: `1,234.50 USD`.
fn money(amount: f64, currency: &str) -> String {
    let cents = (amount * 100.0).round() as i64;
    let (sign, cents) = if cents < 0 {
        ("-", -cents)
    } else {
        ("", cents)
    };
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{:02} {currency}", cents % 100)
}

/// Per-currency sums as `1,650.00 USD and 700.00 EUR`.
fn per_currency(sums: &BTreeMap<String, f64>) -> String {
    if sums.is_empty() {
        return "nothing".into();
    }
    let parts: Vec<String> = sums.iter().map(|(c, a)| money(*a, c)).collect();
    parts.join(" and ")
}

fn log_time(agent: &mut Agent, today: NaiveDate) -> Result<Logged> {
    agent.task(
        1,
        "Show me my projects and their tasks, then log 1.5 hours of design review today.",
    )?;
    let me = agent.call("get_current_user", json!({}))?;
    let projects = agent.call("list_projects", json!({"activity": "active"}))?;
    for project in &items(&projects) {
        agent.say(format!(
            "{:<28} {}",
            text(&project["name"]),
            text(&project["client"]["name"])
        ))?;
    }
    let projects = items(&projects);
    let project = projects
        .iter()
        .find(|p| p["is_billable"] == true)
        .or_else(|| projects.first())
        .ok_or_else(|| anyhow!("the account has no active project"))?;
    let project_id = number(&project["id"])?;
    let assignments = agent.call(
        "list_project_task_assignments",
        json!({"project_id": project_id, "activity": "active"}),
    )?;
    let tasks: Vec<String> = items(&assignments)
        .iter()
        .map(|a| {
            let billable = if a["billable"] == true {
                ""
            } else {
                " (non-billable)"
            };
            format!("{}{billable}", text(&a["task"]["name"]))
        })
        .collect();
    agent.say(format!(
        "{} tasks: {}",
        text(&project["name"]),
        tasks.join(", ")
    ))?;
    let assignments = items(&assignments);
    let billable = |a: &&Value| a["billable"] == true;
    let assignment = assignments
        .iter()
        .filter(billable)
        .find(|a| text(&a["task"]["name"]).contains("Design"))
        .or_else(|| assignments.iter().find(billable))
        .or_else(|| assignments.first())
        .ok_or_else(|| anyhow!("the project has no task"))?;
    let task_id = number(&assignment["task"]["id"])?;
    let entry = agent.call(
        "create_time_entry",
        json!({"project_id": project_id, "task_id": task_id, "spent_date": today.to_string(),
               "duration": "1.5", "notes": "Design review", "user_id": me["id"]}),
    )?;
    let hours = entry["hours"].as_f64().unwrap_or_default();
    agent.say(format!(
        "Logged {hours:.2} h for {} {} on {} / {} today ({today}), entry {}.",
        text(&me["first_name"]),
        text(&me["last_name"]),
        text(&entry["project"]["name"]),
        text(&entry["task"]["name"]),
        entry["id"]
    ))?;
    Ok(Logged {
        entry_id: number(&entry["id"])?,
        project_id,
        task_id,
        hours,
    })
}

fn my_week(agent: &mut Agent, today: NaiveDate) -> Result<Week> {
    agent.task(2, "How many hours did I log this week, per project?")?;
    let from = week_of(today, week_start(agent)?);
    let me = agent.call("get_current_user", json!({}))?;
    let user_id = number(&me["id"])?;
    let entries = all(
        agent,
        "list_time_entries",
        json!({
            "user_id": user_id, "from": from.to_string(), "to": today.to_string()
        }),
    )?;
    let mut per_project: BTreeMap<u64, f64> = BTreeMap::new();
    let mut names: BTreeMap<u64, String> = BTreeMap::new();
    let mut rounded_total = 0.0;
    for entry in &entries {
        let project = number(&entry["project"]["id"])?;
        let hours = entry["hours"].as_f64().unwrap_or_default();
        *per_project.entry(project).or_default() += hours;
        rounded_total += entry["rounded_hours"].as_f64().unwrap_or(hours);
        names.insert(project, text(&entry["project"]["name"]).to_string());
    }
    for (project, hours) in &per_project {
        let name = names.get(project).map_or("-", String::as_str);
        agent.say(format!("{name:<28} {hours:>6.2} h"))?;
    }
    let total = per_project.values().sum();
    agent.say(format!(
        "{:<28} {total:>6.2} h tracked ({rounded_total:.2} h after the account's rounding) in {} \
         entries, {} {from} to {today}",
        "Total",
        entries.len(),
        from.weekday(),
    ))?;
    Ok(Week {
        user_id,
        from,
        to: today,
        per_project,
        total,
        rounded_total,
    })
}

fn invoice_last_month(agent: &mut Agent, today: NaiveDate) -> Result<NewInvoice> {
    let to = today.with_day(1).unwrap_or(today) - Duration::days(1);
    let from = to.with_day(1).unwrap_or(to);
    agent.task(
        3,
        &format!(
            "Invoice the client with the most unbilled time for {}.",
            from.format("%B %Y")
        ),
    )?;
    let report = agent.call(
        "invoice_report",
        json!({"from": from.to_string(), "to": to.to_string()}),
    )?;
    let rows = report["rows"].as_array().cloned().unwrap_or_default();
    // The biggest client by unbilled hours: amounts in different currencies do not compare.
    // A client's amounts are summed per currency.
    let mut per_client: BTreeMap<u64, Unbilled> = BTreeMap::new();
    for row in rows
        .iter()
        .filter(|r| r["uninvoiced_hours"].as_f64() > Some(0.0))
    {
        let client = per_client.entry(number(&row["client_id"])?).or_default();
        client.name = text(&row["client_name"]).to_string();
        client.hours += row["uninvoiced_hours"].as_f64().unwrap_or_default();
        *client
            .amounts
            .entry(text(&row["currency"]).to_string())
            .or_default() += row["uninvoiced_amount"].as_f64().unwrap_or_default();
        client.projects.push(number(&row["project_id"])?);
    }
    let (client_id, unbilled) = per_client
        .into_iter()
        .max_by(|a, b| a.1.hours.total_cmp(&b.1.hours))
        .ok_or_else(|| anyhow!("nothing is left to invoice for {from} to {to}"))?;
    let Unbilled {
        name: client_name,
        hours: unbilled_hours,
        amounts,
        projects: project_ids,
    } = unbilled;
    agent.say(format!(
        "{client_name} has {unbilled_hours:.2} h uninvoiced on {} project(s), {} with expenses.",
        project_ids.len(),
        per_currency(&amounts)
    ))?;
    let invoice = agent.call(
        "create_invoice",
        json!({
            "client_id": client_id,
            "subject": format!("Services, {}", from.format("%B %Y")),
            "payment_term": "net30",
            "import": {"project_ids": project_ids,
                       "time": {"summary": "task", "from": from.to_string(), "to": to.to_string()},
                       "expenses": {"summary": "category", "from": from.to_string(),
                                    "to": to.to_string()}}
        }),
    )?;
    let lines = invoice["line_items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let currency = text(&invoice["currency"]).to_string();
    let (mut hours, mut expenses) = (0.0, 0.0);
    for line in &lines {
        let (quantity, unit_price, amount) = (
            line["quantity"].as_f64().unwrap_or_default(),
            line["unit_price"].as_f64().unwrap_or_default(),
            line["amount"].as_f64().unwrap_or_default(),
        );
        // Imported time is a `Service` line in hours; imported expenses are the other lines.
        if line["kind"] == "Service" {
            hours += quantity;
            agent.say(format!(
                "{:<40} {quantity:>6.2} h × {unit_price:>7.2} = {:>14}",
                text(&line["description"]),
                money(amount, &currency)
            ))?;
        } else {
            expenses += amount;
            agent.say(format!(
                "{:<40} {:>27}",
                text(&line["description"]),
                money(amount, &currency)
            ))?;
        }
    }
    let amount = invoice["amount"].as_f64().unwrap_or_default();
    agent.say(format!(
        "Draft invoice {} for {client_name}: {hours:.2} h and {} of expenses, {} in all, due {} \
         (not sent).",
        text(&invoice["number"]),
        money(expenses, &currency),
        money(amount, &currency),
        text(&invoice["due_date"])
    ))?;
    Ok(NewInvoice {
        invoice_id: number(&invoice["id"])?,
        client_id,
        project_ids,
        from,
        to,
        hours,
        expenses,
        amount,
        currency,
    })
}

/// A client's uninvoiced work in the report.
#[derive(Default)]
struct Unbilled {
    name: String,
    hours: f64,
    /// Uninvoiced amount per currency.
    amounts: BTreeMap<String, f64>,
    projects: Vec<u64>,
}

type OpenInvoices = (
    Vec<OpenInvoice>,
    BTreeMap<String, f64>,
    BTreeMap<String, f64>,
);

fn open_invoices(agent: &mut Agent, today: NaiveDate) -> Result<OpenInvoices> {
    agent.task(4, "Which invoices are still open, and which are overdue?")?;
    let invoices = all(agent, "list_invoices", json!({"state": "open"}))?;
    let mut answers = Vec::new();
    for invoice in &invoices {
        let id = number(&invoice["id"])?;
        let payments = all(agent, "list_invoice_payments", json!({"invoice_id": id}))?;
        let amount = invoice["amount"].as_f64().unwrap_or_default();
        let due_amount = invoice["due_amount"].as_f64().unwrap_or_default();
        let currency = text(&invoice["currency"]).to_string();
        let due_date: NaiveDate = text(&invoice["due_date"]).parse()?;
        let overdue = due_date < today;
        let paid = money(amount - due_amount, &currency);
        let status = match (payments.len(), overdue) {
            (0, false) => "unpaid".to_string(),
            (0, true) => "unpaid, OVERDUE".to_string(),
            (n, false) => format!("{n} payment(s), {paid} paid"),
            (n, true) => format!("{n} payment(s), {paid} paid, OVERDUE"),
        };
        agent.say(format!(
            "#{:<8} {:<24} {:>14}, {:>14} due on {due_date}: {status}",
            text(&invoice["number"]),
            text(&invoice["client"]["name"]),
            money(amount, &currency),
            money(due_amount, &currency),
        ))?;
        answers.push(OpenInvoice {
            id,
            currency,
            amount,
            due_amount,
            due_date,
            overdue,
            payments: payments.len(),
        });
    }
    // Totals per currency: a USD and a EUR amount are never added together.
    let mut outstanding: BTreeMap<String, f64> = BTreeMap::new();
    let mut overdue: BTreeMap<String, f64> = BTreeMap::new();
    for invoice in &answers {
        *outstanding.entry(invoice.currency.clone()).or_default() += invoice.due_amount;
        if invoice.overdue {
            *overdue.entry(invoice.currency.clone()).or_default() += invoice.due_amount;
        }
    }
    agent.say(format!(
        "{} open invoice(s): {} outstanding; overdue: {}.",
        answers.len(),
        per_currency(&outstanding),
        per_currency(&overdue)
    ))?;
    Ok((answers, outstanding, overdue))
}

fn team_month(agent: &mut Agent, today: NaiveDate) -> Result<TeamMonth> {
    let from = today.with_day(1).unwrap_or(today);
    agent.task(
        5,
        "This month's team report: hours per person and project, and who logged nothing.",
    )?;
    let period = json!({"from": from.to_string(), "to": today.to_string()});
    // Report rows are per subject and currency: a person billing in two currencies has two.
    let team = agent.call("time_report_by_team", period.clone())?;
    let per_person = hours_per(&team, "user_id", "user_name")?;
    for (hours, name) in per_person.values() {
        agent.say(format!("{name:<28} {hours:>7.2} h"))?;
    }
    let projects = agent.call("time_report_by_project", period)?;
    let per_project = hours_per(&projects, "project_id", "project_name")?;
    for (hours, name) in per_project.values() {
        agent.say(format!("{name:<28} {hours:>7.2} h"))?;
    }
    let per_person: BTreeMap<u64, f64> = per_person.into_iter().map(|(k, v)| (k, v.0)).collect();
    let per_project: BTreeMap<u64, f64> = per_project.into_iter().map(|(k, v)| (k, v.0)).collect();
    agent.say("(report hours are rounded hours, as Harvest's reports count them)")?;
    let users = all(agent, "list_users", json!({"activity": "active"}))?;
    let mut idle = Vec::new();
    for user in &users {
        let id = number(&user["id"])?;
        // Someone without time may have no row, or a row of zero hours.
        if per_person.get(&id).is_none_or(|hours| *hours <= 0.0) {
            idle.push(id);
            agent.say(format!(
                "No time this month: {} {}",
                text(&user["first_name"]),
                text(&user["last_name"])
            ))?;
        }
    }
    let total: f64 = per_person.values().sum();
    agent.say(format!(
        "{total:.2} h by {} people on {} projects, {from} to {today}.",
        per_person.len(),
        per_project.len()
    ))?;
    Ok(TeamMonth {
        from,
        to: today,
        per_person,
        per_project,
        idle,
    })
}

/// A report's total hours per subject id, with the subject's name.
fn hours_per(report: &Value, id: &str, name: &str) -> Result<BTreeMap<u64, (f64, String)>> {
    let mut sums: BTreeMap<u64, (f64, String)> = BTreeMap::new();
    for row in report["rows"].as_array().into_iter().flatten() {
        let sum = sums.entry(number(&row[id])?).or_default();
        sum.0 += row["total_hours"].as_f64().unwrap_or_default();
        sum.1 = text(&row[name]).to_string();
    }
    Ok(sums)
}

/// Every item of a list tool, following its continuations.
fn all(agent: &mut Agent, tool: &str, mut arguments: Value) -> Result<Vec<Value>> {
    let mut collected = Vec::new();
    loop {
        let page = agent.call(tool, arguments.clone())?;
        collected.extend(items(&page));
        match page["continuation"].as_str() {
            Some(continuation) if page["has_more"] == true => {
                arguments["continuation"] = json!(continuation);
            }
            _ => return Ok(collected),
        }
    }
}

fn items(page: &Value) -> Vec<Value> {
    page["items"].as_array().cloned().unwrap_or_default()
}

fn number(value: &Value) -> Result<u64> {
    value
        .as_u64()
        .ok_or_else(|| anyhow!("expected an id, got {value}"))
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("-")
}
