//! The five things Harvest users ask an agent for, played as the tool calls an agent makes
//! through the component's dispatcher, each ending in a readable answer.
//!
//! `harvest-host demo` prints them against the fake Harvest; host tests check the numbers in
//! [`Answers`] against the fake's data and against data they lay out.
//!
//! Money is never added across currencies: every total is per currency. Dates come from
//! natural periods, which the component resolves with the account's week start and the user's
//! time zone; each request says how many tool calls it took.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{Datelike, NaiveDate, Weekday};
use serde_json::{Value, json};

use crate::host::{CallOptions, Host, error_text};

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
    pub user_id: u64,
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
    /// What payments have covered.
    pub paid: f64,
    pub due_date: NaiveDate,
    pub overdue: bool,
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

/// An agent's session: tool calls through the dispatcher, each shown as it is made, with the
/// guest's clock at noon UTC of the demo's today.
struct Agent<'a> {
    host: &'a Host,
    env: &'a [(String, String)],
    options: CallOptions,
    out: &'a mut dyn Write,
    calls: usize,
}

impl Agent<'_> {
    fn call(&mut self, tool: &str, arguments: Value) -> Result<Value> {
        writeln!(self.out, "  → {tool} {arguments}")?;
        self.calls += 1;
        let (outcome, _) =
            self.host
                .call_tool_with(&self.options, self.env, tool, &arguments.to_string())?;
        match outcome {
            Ok(text) => serde_json::from_str(&text).with_context(|| format!("{tool} answered")),
            Err(error) => bail!("{tool}: {}", error_text(&error)),
        }
    }

    fn say(&mut self, line: impl AsRef<str>) -> Result<()> {
        writeln!(self.out, "  {}", line.as_ref())?;
        Ok(())
    }

    /// Starts a request; returns the number of calls made so far, for [`Agent::done`].
    fn task(&mut self, number: u32, prompt: &str) -> Result<usize> {
        writeln!(self.out, "\n{number}. \"{prompt}\"")?;
        Ok(self.calls)
    }

    fn done(&mut self, since: usize) -> Result<()> {
        let calls = self.calls - since;
        writeln!(
            self.out,
            "  ({calls} tool call{})",
            if calls == 1 { "" } else { "s" }
        )?;
        Ok(())
    }
}

/// Plays the five tasks for the user the configuration names, "today" being `today` (the
/// guest's clock is set to noon UTC that day, so periods resolve to it).
pub fn run(
    host: &Host,
    env: &[(String, String)],
    today: NaiveDate,
    out: &mut dyn Write,
) -> Result<Answers> {
    let noon = today
        .and_hms_opt(12, 0, 0)
        .and_then(|t| u64::try_from(t.and_utc().timestamp()).ok())
        .ok_or_else(|| anyhow!("{today} is out of range"))?;
    let options = CallOptions {
        wall_clock: Some(std::time::Duration::from_secs(noon)),
        ..CallOptions::default()
    };
    let mut agent = Agent {
        host,
        env,
        options,
        out,
        calls: 0,
    };
    let logged = log_time(&mut agent, today)?;
    let week = my_week(&mut agent, logged.user_id)?;
    let invoice = invoice_last_month(&mut agent)?;
    let (open_invoices, outstanding, overdue) = open_invoices(&mut agent)?;
    let team = team_month(&mut agent)?;
    writeln!(agent.out, "\n{} tool calls in all.", agent.calls)?;
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

/// The dates an answer's echoed period stood for.
fn period_dates(answer: &Value, key: &str) -> Result<(NaiveDate, NaiveDate)> {
    let period = &answer[key];
    let date = |field: &str| -> Result<NaiveDate> {
        text(&period[field])
            .parse()
            .with_context(|| format!("the answer's {key}.{field}: {period}"))
    };
    Ok((date("from")?, date("to")?))
}

fn log_time(agent: &mut Agent, today: NaiveDate) -> Result<Logged> {
    let since = agent.task(
        1,
        "Show me my projects and their tasks, then log 1.5 hours of design review today.",
    )?;
    // The projects the user can log time to, with their tasks: every role may ask.
    let assignments = agent.call("list_my_project_assignments", json!({}))?;
    let assignments = items(&assignments);
    for assignment in &assignments {
        let tasks: Vec<String> = assignment["task_assignments"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| {
                let billable = if t["billable"] == true {
                    ""
                } else {
                    " (non-billable)"
                };
                format!("{}{billable}", text(&t["task"]["name"]))
            })
            .collect();
        agent.say(format!(
            "{:<28} {:<24} {}",
            text(&assignment["project"]["name"]),
            text(&assignment["client"]["name"]),
            tasks.join(", ")
        ))?;
    }
    let tasks_of = |a: &Value| {
        a["task_assignments"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let design = |t: &Value| t["billable"] == true && text(&t["task"]["name"]).contains("Design");
    let (project, task) = assignments
        .iter()
        .find_map(|a| tasks_of(a).into_iter().find(design).map(|t| (a.clone(), t)))
        .or_else(|| {
            let a = assignments.first()?;
            tasks_of(a).into_iter().next().map(|t| (a.clone(), t))
        })
        .ok_or_else(|| anyhow!("the user has no project with a task to log time to"))?;
    let project_id = number(&project["project"]["id"])?;
    let task_id = number(&task["task"]["id"])?;
    // No date: the component logs it for today in the user's time zone.
    let entry = agent.call(
        "create_time_entry",
        json!({"project_id": project_id, "task_id": task_id, "duration": "1.5",
               "notes": "Design review"}),
    )?;
    let hours = entry["hours"].as_f64().unwrap_or_default();
    agent.say(format!(
        "Logged {hours:.2} h for {} on {} / {} for {}, entry {}.",
        text(&entry["user"]["name"]),
        text(&entry["project"]["name"]),
        text(&entry["task"]["name"]),
        text(&entry["spent_date"]),
        entry["id"]
    ))?;
    if text(&entry["spent_date"]) != today.to_string() {
        bail!(
            "the entry is for {}, not today ({today})",
            entry["spent_date"]
        );
    }
    agent.done(since)?;
    Ok(Logged {
        entry_id: number(&entry["id"])?,
        user_id: number(&entry["user"]["id"])?,
        project_id,
        task_id,
        hours,
    })
}

fn my_week(agent: &mut Agent, user_id: u64) -> Result<Week> {
    let since = agent.task(2, "How many hours did I log this week, per project?")?;
    let summary = agent.call(
        "summarize_time",
        json!({"period": "this_week", "user_id": user_id, "group_by": ["project"]}),
    )?;
    let (from, to) = period_dates(&summary, "period")?;
    let mut per_project: BTreeMap<u64, f64> = BTreeMap::new();
    for group in summary["groups"].as_array().into_iter().flatten() {
        let key = &group["keys"][0];
        let hours = group["hours"].as_f64().unwrap_or_default();
        per_project.insert(number(&key["id"])?, hours);
        agent.say(format!("{:<28} {hours:>6.2} h", text(&key["name"])))?;
    }
    let total = summary["hours"].as_f64().unwrap_or_default();
    let rounded_total = summary["rounded_hours"].as_f64().unwrap_or_default();
    agent.say(format!(
        "{:<28} {total:>6.2} h tracked ({rounded_total:.2} h after the account's rounding) in {} \
         entries, {} {from} to {} {to}",
        "Total",
        summary["entries"],
        from.weekday(),
        to.weekday(),
    ))?;
    agent.done(since)?;
    Ok(Week {
        user_id,
        from,
        to,
        per_project,
        total,
        rounded_total,
    })
}

fn invoice_last_month(agent: &mut Agent) -> Result<NewInvoice> {
    let since = agent.task(
        3,
        "Invoice the client with the most unbilled time for last month.",
    )?;
    let report = agent.call("invoice_report", json!({"period": "last_month"}))?;
    let (from, to) = period_dates(&report, "period")?;
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
        "{client_name} has {unbilled_hours:.2} h uninvoiced on {} project(s) from {from} to {to}, \
         {} with expenses.",
        project_ids.len(),
        per_currency(&amounts)
    ))?;
    let arguments = json!({
        "client_id": client_id,
        "subject": format!("Services, {}", from.format("%B %Y")),
        "payment_term": "net30",
        "import": {"project_ids": project_ids,
                   "time": {"summary": "task", "from": from.to_string(), "to": to.to_string()},
                   "expenses": {"summary": "category", "from": from.to_string(),
                                "to": to.to_string()}}
    });
    // What the person approves before anything is written.
    let preview = agent.call(
        "preview_write",
        json!({"tool": "create_invoice", "arguments": arguments}),
    )?;
    for request in preview["writes"].as_array().into_iter().flatten() {
        agent.say(format!(
            "Would send: {} {} {}",
            text(&request["method"]),
            text(&request["path"]),
            request["body"].as_str().unwrap_or_default()
        ))?;
    }
    let invoice = agent.call("create_invoice", arguments)?;
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
    agent.done(since)?;
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

fn open_invoices(agent: &mut Agent) -> Result<OpenInvoices> {
    let since = agent.task(4, "Which invoices are still open, and which are overdue?")?;
    // One call: each invoice says what is paid and whether it is overdue in the user's today,
    // and the answer totals them per currency.
    let page = agent.call("list_invoices", json!({"state": "open", "limit": 2000}))?;
    if page["has_more"] == true {
        bail!("more than 2,000 open invoices: the totals would leave some out");
    }
    let mut answers = Vec::new();
    for invoice in items(&page) {
        let amount = invoice["amount"].as_f64().unwrap_or_default();
        let due_amount = invoice["due_amount"].as_f64().unwrap_or_default();
        let paid = invoice["paid_amount"].as_f64().unwrap_or_default();
        let currency = text(&invoice["currency"]).to_string();
        let due_date: NaiveDate = text(&invoice["due_date"]).parse()?;
        let overdue = invoice["is_overdue"] == true;
        let status = match (paid > 0.0, invoice["days_overdue"].as_u64()) {
            (false, None) => "unpaid".to_string(),
            (false, Some(days)) => format!("unpaid, OVERDUE by {days} day(s)"),
            (true, None) => format!("{} paid", money(paid, &currency)),
            (true, Some(days)) => {
                format!("{} paid, OVERDUE by {days} day(s)", money(paid, &currency))
            }
        };
        agent.say(format!(
            "#{:<8} {:<24} {:>14}, {:>14} due on {due_date}: {status}",
            text(&invoice["number"]),
            text(&invoice["client"]["name"]),
            money(amount, &currency),
            money(due_amount, &currency),
        ))?;
        answers.push(OpenInvoice {
            id: number(&invoice["id"])?,
            currency,
            amount,
            due_amount,
            paid,
            due_date,
            overdue,
        });
    }
    // The answer's totals are per currency: a USD and a EUR amount are never added together.
    let mut outstanding: BTreeMap<String, f64> = BTreeMap::new();
    let mut overdue: BTreeMap<String, f64> = BTreeMap::new();
    for totals in page["totals"].as_array().into_iter().flatten() {
        let currency = text(&totals["currency"]).to_string();
        outstanding.insert(currency.clone(), totals["due"].as_f64().unwrap_or_default());
        let late = totals["overdue"].as_f64().unwrap_or_default();
        if late > 0.0 {
            overdue.insert(currency, late);
        }
    }
    agent.say(format!(
        "{} open invoice(s): {} outstanding; overdue: {}.",
        answers.len(),
        per_currency(&outstanding),
        per_currency(&overdue)
    ))?;
    agent.done(since)?;
    Ok((answers, outstanding, overdue))
}

fn team_month(agent: &mut Agent) -> Result<TeamMonth> {
    let since = agent.task(
        5,
        "This month's team report: hours per person and project, and who logged nothing.",
    )?;
    let summary = agent.call(
        "summarize_time",
        json!({"period": "this_month", "group_by": ["user", "project"]}),
    )?;
    let (from, to) = period_dates(&summary, "period")?;
    let mut per_person: BTreeMap<u64, f64> = BTreeMap::new();
    let mut per_project: BTreeMap<u64, f64> = BTreeMap::new();
    for group in summary["groups"].as_array().into_iter().flatten() {
        let (user, project) = (&group["keys"][0], &group["keys"][1]);
        let hours = group["hours"].as_f64().unwrap_or_default();
        *per_person.entry(number(&user["id"])?).or_default() += hours;
        *per_project.entry(number(&project["id"])?).or_default() += hours;
        agent.say(format!(
            "{:<24} {:<28} {hours:>7.2} h",
            text(&user["name"]),
            text(&project["name"])
        ))?;
    }
    let status = agent.call("team_time_status", json!({"period": "this_month"}))?;
    let mut idle = Vec::new();
    for person in status["people"].as_array().into_iter().flatten() {
        let name = text(&person["name"]);
        let (hours, capacity) = (
            person["hours"].as_f64().unwrap_or_default(),
            person["capacity_hours"].as_f64().unwrap_or_default(),
        );
        if person["logged_nothing"] == true {
            idle.push(number(&person["user_id"])?);
            agent.say(format!(
                "No time this month: {name} (capacity so far {capacity:.2} h)"
            ))?;
        } else if person["shortfall_hours"].as_f64() > Some(0.0) {
            agent.say(format!(
                "Below capacity: {name}, {hours:.2} of {capacity:.2} h so far"
            ))?;
        }
    }
    let total: f64 = summary["hours"].as_f64().unwrap_or_default();
    agent.say(format!(
        "{total:.2} h by {} people on {} projects, {from} to {to}.",
        per_person.len(),
        per_project.len()
    ))?;
    agent.done(since)?;
    Ok(TeamMonth {
        from,
        to,
        per_person,
        per_project,
        idle,
    })
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
