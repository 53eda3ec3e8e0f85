//! Seeded catalogue of one account: company, users, clients, tasks, projects and assignments.
//! Creation dates are fixed offsets before the anchor, so the data depends on the anchor alone.

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::clock::at;
use super::ids::{self, AccountSpec, opaque_key};
use super::model::{
    AccountData, Client, ClientRef, Company, IdName, Project, Sequences, Task, TaskAssignment,
    User, UserAssignment,
};

struct Person {
    id: u64,
    first: &'static str,
    last: &'static str,
    access: &'static [&'static str],
    role: &'static str,
    rate: f64,
    cost: f64,
}

/// Edsger is the contractor (and has no time in the anchor's month); Charles is archived.
#[rustfmt::skip]
const PEOPLE: [Person; 6] = [
    Person { id: ids::ADA, first: "Ada", last: "Lovelace", access: &["administrator"], role: "Founder", rate: 150.0, cost: 70.0 },
    // A manager with the extra permissions docs/harvest-notes.md#projects-tasks-clients-users
    // lists.
    Person {
        id: ids::GRACE, first: "Grace", last: "Hopper", role: "Project Manager", rate: 140.0, cost: 65.0,
        access: &["manager", "project_creator", "billable_rates_manager", "managed_projects_invoice_manager"],
    },
    Person { id: ids::ALAN, first: "Alan", last: "Turing", access: &["member"], role: "Developer", rate: 120.0, cost: 55.0 },
    Person { id: ids::KATHERINE, first: "Katherine", last: "Johnson", access: &["member"], role: "Analyst", rate: 110.0, cost: 50.0 },
    Person { id: ids::EDSGER, first: "Edsger", last: "Dijkstra", access: &["member"], role: "Consultant", rate: 125.0, cost: 60.0 },
    Person { id: ids::CHARLES, first: "Charles", last: "Babbage", access: &["member"], role: "Developer", rate: 100.0, cost: 45.0 },
];

/// (id, name, currency, active)
#[rustfmt::skip]
const CLIENTS: [(u64, &str, &str, bool); 4] = [
    (ids::GLOBEX, "Globex Corporation", "USD", true),
    (ids::INITECH, "Initech GmbH", "EUR", true),
    (ids::ACME_INTERNAL, "Acme Studio (internal)", "USD", true),
    (ids::SOYLENT, "Soylent Foods", "USD", false),
];

/// (id, name, billable by default, default rate, active)
#[rustfmt::skip]
const TASKS: [(u64, &str, bool, Option<f64>, bool); 6] = [
    (ids::DESIGN, "Design", true, Some(130.0), true),
    (ids::DEVELOPMENT, "Development", true, Some(150.0), true),
    (ids::PROJECT_MANAGEMENT, "Project Management", true, Some(120.0), true),
    (ids::MEETINGS, "Meetings", false, None, true),
    (ids::RESEARCH, "Research", true, Some(100.0), true),
    (ids::QUALITY_ASSURANCE, "Quality Assurance", true, Some(90.0), false),
];

struct ProjectRow {
    id: u64,
    client: u64,
    name: &'static str,
    code: &'static str,
    bill_by: &'static str,
    rate: Option<f64>,
    billable: bool,
    fee: Option<f64>,
    active: bool,
    tasks: &'static [u64],
}

#[rustfmt::skip]
const PROJECTS: [ProjectRow; 6] = {
    use ids::*;
    [
        ProjectRow { id: WEBSITE_REDESIGN, client: GLOBEX, name: "Website Redesign", code: "GLX-WEB", bill_by: "Tasks", rate: None, billable: true, fee: None, active: true,
            tasks: &[DESIGN, DEVELOPMENT, PROJECT_MANAGEMENT, MEETINGS] },
        ProjectRow { id: MOBILE_APP, client: GLOBEX, name: "Mobile App", code: "GLX-APP", bill_by: "People", rate: None, billable: true, fee: None, active: true,
            tasks: &[DESIGN, DEVELOPMENT, PROJECT_MANAGEMENT, MEETINGS, RESEARCH] },
        ProjectRow { id: ERP_INTEGRATION, client: INITECH, name: "ERP Integration", code: "INI-ERP", bill_by: "Project", rate: Some(135.0), billable: true, fee: None, active: true,
            tasks: &[DEVELOPMENT, PROJECT_MANAGEMENT, MEETINGS] },
        ProjectRow { id: ANNUAL_REPORT, client: GLOBEX, name: "Annual Report", code: "GLX-AR", bill_by: "Project", rate: Some(120.0), billable: true, fee: Some(12_000.0), active: true,
            tasks: &[DESIGN, PROJECT_MANAGEMENT] },
        ProjectRow { id: INTERNAL_OPERATIONS, client: ACME_INTERNAL, name: "Internal Operations", code: "ACME-OPS", bill_by: "none", rate: None, billable: false, fee: None, active: true,
            tasks: &[MEETINGS, RESEARCH, PROJECT_MANAGEMENT] },
        ProjectRow { id: LEGACY_PORTAL, client: SOYLENT, name: "Legacy Portal", code: "SOY-LP", bill_by: "Project", rate: Some(100.0), billable: true, fee: None, active: false,
            tasks: &[DEVELOPMENT, PROJECT_MANAGEMENT, QUALITY_ASSURANCE] },
    ]
};

fn created(anchor: NaiveDate, days_before: u64) -> DateTime<Utc> {
    at(
        anchor
            .checked_sub_days(Days::new(days_before))
            .unwrap_or(anchor),
        9,
        0,
    )
}

fn company(spec: &AccountSpec) -> Company {
    let pick = |timestamp: &str, duration: &str| {
        if spec.timestamp { timestamp } else { duration }.to_owned()
    };
    Company {
        base_uri: format!("https://{}.harvestapp.com", spec.subdomain),
        full_domain: format!("{}.harvestapp.com", spec.subdomain),
        name: spec.name.into(),
        is_active: true,
        week_start_day: spec.week_start_day.into(),
        wants_timestamp_timers: spec.timestamp,
        time_format: pick("hours_minutes", "decimal"),
        date_format: "%m/%d/%Y".into(),
        plan_type: "simple-v4".into(),
        clock: pick("24h", "12h"),
        currency_code_display: "iso_code_none".into(),
        currency_symbol_display: "symbol_before".into(),
        decimal_symbol: ".".into(),
        thousands_separator: ",".into(),
        color_scheme: "orange".into(),
        weekly_capacity: 144_000,
        expense_feature: true,
        invoice_feature: true,
        estimate_feature: true,
        approval_feature: true,
        team_feature: true,
        time_rounding: spec.time_rounding,
    }
}

fn user(anchor: NaiveDate, o: u64, i: usize, p: &Person) -> User {
    let (contractor, active) = (p.id == ids::EDSGER, p.id != ids::CHARLES);
    User {
        id: p.id + o,
        first_name: p.first.into(),
        last_name: p.last.into(),
        email: format!("{}@acme.example", p.first.to_lowercase()),
        telephone: String::new(),
        timezone: "Eastern Time (US & Canada)".into(),
        has_access_to_all_future_projects: i < 2,
        is_contractor: contractor,
        is_active: active,
        weekly_capacity: if contractor { 72_000 } else { 144_000 },
        default_hourly_rate: Some(p.rate),
        cost_rate: Some(p.cost),
        roles: vec![p.role.into()],
        access_roles: p.access.iter().map(|r| (*r).into()).collect(),
        avatar_url: "https://d3s3969qhosaug.cloudfront.net/v2/user.png".into(),
        created_at: created(anchor, 400 - 7 * i as u64),
        updated_at: created(anchor, if active { 300 } else { 59 }),
    }
}

fn project(anchor: NaiveDate, o: u64, i: usize, row: &ProjectRow, clients: &[Client]) -> Project {
    let client = clients.iter().find(|c| c.id == row.client + o);
    let client = client.map(|c| ClientRef {
        id: c.id,
        name: c.name.clone(),
        currency: c.currency.clone(),
    });
    let created_at = created(anchor, 360 - 10 * i as u64);
    let budget_by = match (i, row.fee) {
        (0, _) => "project",
        (_, Some(_)) => "project_cost",
        _ => "none",
    };
    Project {
        id: row.id + o,
        client: client.unwrap_or(ClientRef {
            id: row.client + o,
            name: String::new(),
            currency: "USD".into(),
        }),
        name: row.name.into(),
        code: Some(row.code.into()),
        is_active: row.active,
        is_billable: row.billable,
        is_fixed_fee: row.fee.is_some(),
        bill_by: row.bill_by.into(),
        hourly_rate: row.rate,
        budget: (i == 0).then_some(400.0),
        budget_by: budget_by.into(),
        budget_is_monthly: false,
        notify_when_over_budget: i == 0,
        over_budget_notification_percentage: 80.0,
        over_budget_notification_date: None,
        show_budget_to_all: false,
        cost_budget: row.fee,
        cost_budget_include_expenses: false,
        fee: row.fee,
        notes: None,
        starts_on: Some(created_at.date_naive()),
        ends_on: None,
        created_at,
        updated_at: if row.active {
            created_at
        } else {
            created(anchor, 58)
        },
    }
}

/// Company, users, clients, tasks, projects and assignments of one account; no activity yet.
pub fn catalogue(anchor: NaiveDate, spec: &AccountSpec) -> AccountData {
    let o = spec.offset;
    let users = PEOPLE
        .iter()
        .enumerate()
        .map(|(i, p)| user(anchor, o, i, p))
        .collect();
    let clients: Vec<Client> = CLIENTS
        .iter()
        .enumerate()
        .map(|(i, (id, name, currency, active))| Client {
            id: id + o,
            name: (*name).into(),
            is_active: *active,
            address: Some(format!("{} Main Street\r\nSpringfield", 100 + i * 11)),
            statement_key: opaque_key(id + o),
            currency: (*currency).into(),
            created_at: created(anchor, 380 - 5 * i as u64),
            updated_at: created(anchor, if *active { 200 } else { 58 }),
        })
        .collect();
    let tasks = TASKS
        .iter()
        .enumerate()
        .map(|(i, (id, name, billable, rate, active))| Task {
            id: id + o,
            name: (*name).into(),
            billable_by_default: *billable,
            default_hourly_rate: *rate,
            is_default: i < 4,
            is_active: *active,
            created_at: created(anchor, 390 - i as u64),
            updated_at: created(anchor, if *active { 390 - i as u64 } else { 120 }),
        })
        .collect();
    let projects = PROJECTS
        .iter()
        .enumerate()
        .map(|(i, row)| project(anchor, o, i, row, &clients))
        .collect();
    let mut account = AccountData {
        account_id: spec.account_id,
        company: company(spec),
        users,
        clients,
        tasks,
        projects,
        task_assignments: Vec::new(),
        user_assignments: Vec::new(),
        time_entries: Vec::new(),
        expenses: Vec::new(),
        invoices: Vec::new(),
        payments: Vec::new(),
        messages: Vec::new(),
        seq: Sequences {
            time_entry: ids::FIRST_TIME_ENTRY - 1 + spec.entry_offset,
            user_assignment: 9_600_000 + o,
            invoice: ids::INVOICE_PAID - 1 + o,
            line_item: 2_800_000 + o,
            payment: ids::PAYMENT_FULL - 1 + o,
            message: 3_100_000 + o,
            invoice_number: 1000,
            expense: ids::FIRST_EXPENSE - 1 + o,
        },
    };
    assign(&mut account, o);
    account
}

/// Each project's task assignments (ids from 8_500_001), and every user on every project: Ada
/// manages all projects, Grace the Globex ones.
fn assign(account: &mut AccountData, o: u64) {
    let mut next_ta = 8_500_000 + o;
    for row in &PROJECTS {
        let Some(project) = account.project(row.id + o).cloned() else {
            continue;
        };
        for task_id in row.tasks {
            let Some(task) = account.task(task_id + o).cloned() else {
                continue;
            };
            next_ta += 1;
            account.task_assignments.push(TaskAssignment {
                id: next_ta,
                project: project.reference(),
                task: IdName {
                    id: task.id,
                    name: task.name.clone(),
                },
                is_active: task.is_active,
                billable: project.is_billable && task.billable_by_default,
                hourly_rate: if project.is_billable {
                    task.default_hourly_rate
                } else {
                    None
                },
                budget: None,
                created_at: project.created_at,
                updated_at: project.created_at,
            });
        }
        for user in account.users.clone() {
            let manages =
                user.id == ids::ADA + o || (user.id == ids::GRACE + o && row.client == ids::GLOBEX);
            let since = project.created_at.max(user.created_at);
            account.user_assignments.push(UserAssignment {
                id: Sequences::next(&mut account.seq.user_assignment),
                project: project.reference(),
                user: IdName {
                    id: user.id,
                    name: user.name(),
                },
                is_active: true,
                is_project_manager: manages,
                use_default_rates: true,
                hourly_rate: user.default_hourly_rate,
                budget: None,
                created_at: since,
                updated_at: since,
            });
        }
    }
}
