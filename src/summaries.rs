//! `summarize-time`: every time entry of a period, added up per group page by page
//! (docs/harvest-notes.md#summaries). Only the groups are kept, never the entries.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, Weekday};

use crate::bindings::wit::{
    CurrencyAmounts, Error, GroupKey, Grouping, TimeGroup, TimeTotals, TimeTotalsQuery,
};
use crate::company;
use crate::filters;
use crate::http::{Client, Query};
use crate::json::json_record;
use crate::paging;
use crate::period::{self, Calendar, Span};
use crate::validate;

json_record! {
    /// The fields of a time entry a summary needs; the rest are skipped.
    pub(crate) struct Entry {
        spent_date: NaiveDate,
        pub user: Named,
        project: Named,
        client: EntryClient,
        task: Named,
        pub hours: f64,
        rounded_hours: Option<f64>,
        billable: bool,
        billable_rate: Option<f64>,
        cost_rate: Option<f64>,
    }
}

json_record! {
    pub(crate) struct Named {
        pub id: u64,
        name: String,
    }
}

json_record! {
    struct EntryClient {
        id: u64,
        name: String,
        currency: Option<String>,
    }
}

/// A `YYYY-MM-DD` date; anything else makes the page unreadable rather than misfiled.
impl Entry {
    /// Hours after Time Rounding; an entry that does not say was not rounded.
    pub fn rounded(&self) -> f64 {
        self.rounded_hours.unwrap_or(self.hours)
    }
}

/// One level of a group's key, ordered as its groups are listed.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    Record(u64),
    Day(NaiveDate),
    Month(i32, u32),
}

/// Checks the query; returns the groupings, the span and Harvest's filters.
fn parse(query: &TimeTotalsQuery) -> Result<(Vec<Grouping>, Span, Query), Error> {
    let groupings = query.group_by.clone();
    let rule = "give one or two groupings, each once: user, project, client, task, date, week \
                or month (e.g. [user, project])";
    let repeated = groupings.len() == 2 && groupings.first() == groupings.get(1);
    if groupings.is_empty() || groupings.len() > 2 || repeated {
        return Err(Error::invalid("group-by", rule));
    }
    let span = Span::required(query.period, query.from.as_deref(), query.to.as_deref())?;
    let filters = filters::work(query.user_id, query.client_id, query.project_id)?
        .opt("task_id", validate::opt_id("task-id", query.task_id)?)
        .opt("is_billed", query.is_billed);
    Ok((groupings, span, filters))
}

pub fn summarize(query: TimeTotalsQuery) -> Result<TimeTotals, Error> {
    let (groupings, span, filters) = parse(&query)?;
    let client = Client::for_account(query.account_id)?;
    // A period needs the calendar (the account's week and the user's today); the week grouping
    // needs only the week start, which the calendar has when it was read.
    let (dates, week_start) = match span {
        Span::Period(_) => {
            let calendar = Calendar::read(&client)?;
            (span.resolve_in(&calendar), Some(calendar.week_start))
        }
        Span::Dates { .. } => (span.resolve(&client)?, None),
    };
    let week_start = match week_start {
        Some(day) => day,
        None if groupings.contains(&Grouping::Week) => company::week_start(&client)?,
        // Not used without the week grouping.
        None => Weekday::Mon,
    };
    let (Some(from), Some(to)) = (dates.from, dates.to) else {
        return Err(Error::internal("the period has no dates"));
    };
    let filters = filters
        .set("from", from.to_string())
        .set("to", to.to_string());
    let mut summary = Summary::new(groupings.clone(), week_start);
    paging::for_each(&client, "/v2/time_entries", filters, |entry: Entry| {
        if query.billable.is_none_or(|b| b == entry.billable) {
            summary.add(entry);
        }
    })?;
    let (groups, total) = summary.finish();
    Ok(TimeTotals {
        from: from.to_string(),
        to: to.to_string(),
        period: dates.resolved,
        group_by: groupings,
        groups,
        entries: total.entries,
        hours: hours(total.hours),
        rounded_hours: hours(total.rounded),
        billable_hours: hours(total.billable),
        totals: total.amounts(),
    })
}

/// What a group's entries add up to.
#[derive(Default)]
struct Sums {
    entries: u64,
    hours: f64,
    rounded: f64,
    billable: f64,
    /// Billable amount and cost per currency.
    money: BTreeMap<Option<String>, (f64, f64)>,
}

impl Sums {
    fn add(&mut self, entry: &Entry) {
        let rounded = entry.rounded();
        self.entries += 1;
        self.hours += entry.hours;
        self.rounded += rounded;
        let money = self.money.entry(entry.client.currency.clone()).or_default();
        if entry.billable {
            self.billable += rounded;
            money.0 += rounded * entry.billable_rate.unwrap_or(0.0);
        }
        money.1 += rounded * entry.cost_rate.unwrap_or(0.0);
    }

    fn amounts(&self) -> Vec<CurrencyAmounts> {
        self.money
            .iter()
            .map(|(currency, (amount, cost))| CurrencyAmounts {
                currency: currency.clone(),
                billable_amount: money(*amount),
                cost: money(*cost),
            })
            .collect()
    }
}

/// Entries added up so far, per group and in all.
struct Summary {
    groupings: Vec<Grouping>,
    /// The account's first day of the week, for the week grouping.
    week_start: Weekday,
    groups: HashMap<Vec<Key>, Sums>,
    total: Sums,
    /// The last name seen of each (grouping, id).
    names: HashMap<(usize, u64), String>,
}

impl Summary {
    fn new(groupings: Vec<Grouping>, week_start: Weekday) -> Summary {
        Summary {
            groupings,
            week_start,
            groups: HashMap::new(),
            total: Sums::default(),
            names: HashMap::new(),
        }
    }

    fn add(&mut self, entry: Entry) {
        let day = entry.spent_date;
        let mut keys = Vec::with_capacity(self.groupings.len());
        for (level, grouping) in self.groupings.iter().enumerate() {
            let (key, name) = match grouping {
                Grouping::User => (entry.user.id, &entry.user.name),
                Grouping::Project => (entry.project.id, &entry.project.name),
                Grouping::Task => (entry.task.id, &entry.task.name),
                Grouping::Client => (entry.client.id, &entry.client.name),
                Grouping::Date => {
                    keys.push(Key::Day(day));
                    continue;
                }
                Grouping::Week => {
                    let first = period::week_of(day, self.week_start);
                    keys.push(Key::Day(first));
                    continue;
                }
                Grouping::Month => {
                    keys.push(Key::Month(day.year(), day.month()));
                    continue;
                }
            };
            if self.names.get(&(level, key)) != Some(name) {
                self.names.insert((level, key), name.clone());
            }
            keys.push(Key::Record(key));
        }
        self.total.add(&entry);
        self.groups.entry(keys).or_default().add(&entry);
    }

    /// The groups in their documented order, and the grand total.
    fn finish(self) -> (Vec<TimeGroup>, Sums) {
        // Rounded hours of each first-level key, which orders entity keys at that level.
        let mut first_level: HashMap<Key, f64> = HashMap::new();
        for (keys, sums) in &self.groups {
            if let Some(key) = keys.first() {
                *first_level.entry(key.clone()).or_default() += sums.rounded;
            }
        }
        let mut groups: Vec<(Vec<Key>, Sums)> = self.groups.into_iter().collect();
        let name_of = |level: usize, key: &Key| match key {
            Key::Record(id) => self.names.get(&(level, *id)).map_or("", String::as_str),
            _ => "",
        };
        let level_order = |level: usize, a: &Key, b: &Key, weight: (f64, f64)| match (a, b) {
            (Key::Record(x), Key::Record(y)) => weight
                .1
                .total_cmp(&weight.0)
                .then_with(|| name_of(level, a).cmp(name_of(level, b)))
                .then(x.cmp(y)),
            _ => a.cmp(b),
        };
        groups.sort_by(|(a, sa), (b, sb)| {
            let mut order = Ordering::Equal;
            for (level, (ka, kb)) in a.iter().zip(b).enumerate() {
                let weight = if level + 1 == a.len() {
                    (sa.rounded, sb.rounded)
                } else {
                    let of = |k: &Key| first_level.get(k).copied().unwrap_or_default();
                    (of(ka), of(kb))
                };
                order = order.then_with(|| level_order(level, ka, kb, weight));
            }
            order
        });
        let groups = groups
            .into_iter()
            .map(|(keys, sums)| TimeGroup {
                keys: keys
                    .iter()
                    .zip(&self.groupings)
                    .enumerate()
                    .map(|(level, (key, by))| group_key(*by, key, name_of(level, key)))
                    .collect(),
                entries: sums.entries,
                hours: hours(sums.hours),
                rounded_hours: hours(sums.rounded),
                billable_hours: hours(sums.billable),
                amounts: sums.amounts(),
            })
            .collect();
        (groups, self.total)
    }
}

fn group_key(by: Grouping, key: &Key, name: &str) -> GroupKey {
    let (id, name) = match key {
        Key::Record(id) => (Some(*id), name.to_string()),
        Key::Day(day) => (None, day.to_string()),
        Key::Month(year, month) => (None, format!("{year:04}-{month:02}")),
    };
    GroupKey { by, id, name }
}

/// Hours without the float noise of long sums.
pub fn hours(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

/// Money to the cent.
fn money(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(group_by: Vec<Grouping>) -> TimeTotalsQuery {
        TimeTotalsQuery {
            period: None,
            from: Some("2026-03-01".into()),
            to: Some("2026-03-31".into()),
            user_id: None,
            project_id: None,
            client_id: None,
            task_id: None,
            is_billed: None,
            billable: None,
            group_by,
            account_id: None,
        }
    }

    fn field(result: Result<(Vec<Grouping>, Span, Query), Error>) -> Option<String> {
        match result {
            Err(Error::InvalidInput(invalid)) => Some(invalid.field),
            _ => None,
        }
    }

    #[test]
    fn group_by_takes_one_or_two_distinct_groupings() {
        use Grouping::*;
        assert!(parse(&query(vec![User])).is_ok());
        assert!(parse(&query(vec![User, Project])).is_ok());
        for bad in [vec![], vec![User, User], vec![User, Project, Task]] {
            assert_eq!(field(parse(&query(bad))).as_deref(), Some("group-by"));
        }
        let no_dates = TimeTotalsQuery {
            from: None,
            to: None,
            ..query(vec![User])
        };
        assert_eq!(field(parse(&no_dates)).as_deref(), Some("from"));
    }

    fn entry(json: &str) -> Entry {
        crate::json::decode(json.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn groups_add_rounded_hours_and_money_per_currency_in_order() {
        let make = |user: u64, hours: f64, rounded: f64, billable: bool, currency: &str| {
            entry(&format!(
                r#"{{"spent_date":"2026-03-0{user}","user":{{"id":{user},"name":"U{user}"}},
                "project":{{"id":7,"name":"P"}},"client":{{"id":3,"name":"C","currency":"{currency}"}},
                "task":{{"id":9,"name":"T"}},"hours":{hours},"rounded_hours":{rounded},
                "billable":{billable},"billable_rate":100.0,"cost_rate":50.0,"notes":"x"}}"#
            ))
        };
        let mut summary = Summary::new(vec![Grouping::User], Weekday::Mon);
        summary.add(make(1, 0.1, 0.25, true, "USD"));
        summary.add(make(2, 1.0, 1.0, true, "EUR"));
        summary.add(make(2, 0.2, 0.25, false, "USD"));
        let (groups, total) = summary.finish();
        let users: Vec<Option<u64>> = groups
            .iter()
            .map(|g| g.keys.first().and_then(|k| k.id))
            .collect();
        assert_eq!(users, [Some(2), Some(1)]);
        assert_eq!(groups.first().map(|g| g.billable_hours), Some(1.0));
        assert_eq!(total.entries, 3);
        let totals = total.amounts();
        assert_eq!(totals.len(), 2);
        let usd = totals.iter().find(|t| t.currency.as_deref() == Some("USD"));
        assert_eq!(usd.map(|t| (t.billable_amount, t.cost)), Some((25.0, 25.0)));
    }
}
