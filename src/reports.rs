//! Time reports and the uninvoiced report (docs/harvest-notes.md#reports). Ranges longer than Harvest allows
//! are fetched in consecutive chunks whose rows are merged per subject and currency.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::json::FromJson;
use chrono::{NaiveDate, TimeDelta};

use crate::bindings::wit::{
    ClientTimeReport, ClientTimeRow, Error, ProjectTimeReport, ProjectTimeRow, ReportQuery,
    ResolvedPeriod, TaskTimeReport, TaskTimeRow, TeamTimeReport, TeamTimeRow, UninvoicedReport,
    UninvoicedRow,
};
use crate::http::{Client, Query};
use crate::paging::{self, Listing, MAX_LIMIT};
use crate::period::{Dates, Span};
use crate::validate::MAX_REPORT_DAYS;

/// Most chunks one report may fetch (about 30 years), so that a mistyped year cannot spend the
/// reports rate limit (100 requests per 15 minutes, docs/harvest-notes.md#rate-limits) on hundreds of requests.
const MAX_CHUNKS: i64 = 30;

pub fn by_project(query: ReportQuery) -> Result<ProjectTimeReport, Error> {
    report("/v2/reports/time/projects", query, |range, rows| {
        ProjectTimeReport {
            from: range.from.to_string(),
            to: range.to.to_string(),
            period: range.period,
            rows,
        }
    })
}

pub fn by_team(query: ReportQuery) -> Result<TeamTimeReport, Error> {
    report("/v2/reports/time/team", query, |range, rows| {
        TeamTimeReport {
            from: range.from.to_string(),
            to: range.to.to_string(),
            period: range.period,
            rows,
        }
    })
}

pub fn by_client(query: ReportQuery) -> Result<ClientTimeReport, Error> {
    report("/v2/reports/time/clients", query, |range, rows| {
        ClientTimeReport {
            from: range.from.to_string(),
            to: range.to.to_string(),
            period: range.period,
            rows,
        }
    })
}

pub fn by_task(query: ReportQuery) -> Result<TaskTimeReport, Error> {
    report("/v2/reports/time/tasks", query, |range, rows| {
        TaskTimeReport {
            from: range.from.to_string(),
            to: range.to.to_string(),
            period: range.period,
            rows,
        }
    })
}

/// With `include_fixed_fee` (Harvest's default here) a fixed-fee project's amount is
/// what is left of its fee, whatever the range, so summing chunks would count it once per chunk.
/// A range of several chunks is then also fetched without fixed fees, and each fee counts once.
pub fn uninvoiced(query: ReportQuery) -> Result<UninvoicedReport, Error> {
    const ENDPOINT: &str = "/v2/reports/uninvoiced";
    let (client, range) = range(&query)?;
    let full = plan(ENDPOINT, &range, query.include_fixed_fee)?;
    let split = (full.len() > 1 && query.include_fixed_fee != Some(false))
        .then(|| plan(ENDPOINT, &range, Some(false)))
        .transpose()?;
    let chunks = fetch(&client, ENDPOINT, full)?;
    let rows = match split {
        Some(split) => fees_once(chunks, fetch(&client, ENDPOINT, split)?),
        None => merge(chunks.into_iter().flatten().collect()),
    };
    Ok(UninvoicedReport {
        from: range.from.to_string(),
        to: range.to.to_string(),
        period: range.period,
        rows,
    })
}

/// Fetches every page of every chunk of the range and merges the rows into the report record.
fn report<R: Row, T>(
    endpoint: &str,
    query: ReportQuery,
    record: fn(Range, Vec<R>) -> T,
) -> Result<T, Error> {
    let (client, range) = range(&query)?;
    let listings = plan(endpoint, &range, query.include_fixed_fee)?;
    let chunks = fetch(&client, endpoint, listings)?;
    Ok(record(range, merge(chunks.into_iter().flatten().collect())))
}

/// A report's checked dates, and the period they came from.
struct Range {
    from: NaiveDate,
    to: NaiveDate,
    period: Option<ResolvedPeriod>,
}

/// The client and dates of a report. Dates given as such are checked before any request; a
/// period is resolved in the account, then checked likewise.
fn range(query: &ReportQuery) -> Result<(Client, Range), Error> {
    let span = Span::required(query.period, query.from.as_deref(), query.to.as_deref())?;
    if let Some(dates) = span.explicit() {
        ends(&dates)?;
    }
    let client = Client::for_account(query.account_id)?;
    let dates = span.resolve(&client)?;
    let (from, to) = ends(&dates)?;
    Ok((
        client,
        Range {
            from,
            to,
            period: dates.resolved,
        },
    ))
}

/// Both ends of a report's dates, within the longest range a report may fetch.
fn ends(dates: &Dates) -> Result<(NaiveDate, NaiveDate), Error> {
    let (Some(from), Some(to)) = (dates.from, dates.to) else {
        return Err(Error::invalid(
            "from",
            "a report needs period, or from and to",
        ));
    };
    let last = from.checked_add_signed(TimeDelta::days(MAX_CHUNKS * MAX_REPORT_DAYS - 1));
    if let Some(last) = last.filter(|last| to > *last) {
        return Err(Error::invalid(
            "to",
            format!(
                "must be at most {} days ({MAX_CHUNKS} × {MAX_REPORT_DAYS}) after from ({from}), e.g. {last}; \
                 ask for one period at a time",
                MAX_CHUNKS * MAX_REPORT_DAYS
            ),
        ));
    }
    Ok((from, to))
}

/// The listing of each chunk of the range.
fn plan(
    endpoint: &str,
    range: &Range,
    include_fixed_fee: Option<bool>,
) -> Result<Vec<Listing>, Error> {
    chunk_queries(range.from, range.to, include_fixed_fee)
        .into_iter()
        .map(|chunk| Listing::new(endpoint, chunk, Some(MAX_LIMIT), None))
        .collect()
}

/// The rows of each chunk, every page of it; more than [`MAX_LIMIT`] is an error, never a cut.
fn fetch<R: Row>(
    client: &Client,
    endpoint: &str,
    listings: Vec<Listing>,
) -> Result<Vec<Vec<R>>, Error> {
    listings
        .into_iter()
        .map(|listing| {
            let page = paging::collect::<R>(client, listing)?;
            if page.has_more {
                return Err(Error::internal(
                    format!(
                        "{endpoint} returned more than {MAX_LIMIT} rows for one chunk of up to {MAX_REPORT_DAYS} \
                         days; rather than cut the report short, nothing was returned: ask for a shorter period"
                    ),
                ));
            }
            Ok(page.items)
        })
        .collect()
}

/// The query of each chunk (`from`, `to`, `include_fixed_fee` if given).
fn chunk_queries(from: NaiveDate, to: NaiveDate, include_fixed_fee: Option<bool>) -> Vec<Query> {
    chunks(from, to)
        .into_iter()
        .map(|(start, end)| {
            Query::new()
                .set("from", start)
                .set("to", end)
                .opt("include_fixed_fee", include_fixed_fee)
        })
        .collect()
}

/// Splits `from..=to` into consecutive ranges of at most [`MAX_REPORT_DAYS`] days each,
/// counting both ends: Harvest says a range "may not exceed 1 year (365 days)", and counting
/// the days inclusively is the reading Harvest cannot refuse.
fn chunks(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let span = TimeDelta::days(MAX_REPORT_DAYS - 1);
    let mut chunks = Vec::new();
    let mut start = from;
    loop {
        let end = start
            .checked_add_signed(span)
            .filter(|end| *end < to)
            .unwrap_or(to);
        chunks.push((start, end));
        match end.succ_opt() {
            Some(next) if end < to => start = next,
            _ => return chunks,
        }
    }
}

/// A row's subject id and currency (one row per subject and currency, docs/harvest-notes.md#reports).
type Key = (u64, Option<String>);

/// A report row: what identifies it across chunks, and how two rows of one subject add up.
trait Row: FromJson {
    fn key(&self) -> Key;
    fn add(&mut self, other: &Self);
}

/// Merges rows of the same subject and currency, keeping the order in which each first appears.
fn merge<R: Row>(rows: Vec<R>) -> Vec<R> {
    let mut merged: Vec<R> = Vec::new();
    let mut index: HashMap<Key, usize> = HashMap::new();
    for row in rows {
        match index.entry(row.key()) {
            Entry::Occupied(at) => {
                if let Some(first) = merged.get_mut(*at.get()) {
                    first.add(&row);
                }
            }
            Entry::Vacant(at) => {
                at.insert(merged.len());
                merged.push(row);
            }
        }
    }
    merged
}

/// A sum rounded to 6 decimals, so that merging does not add binary noise such as
/// 0.1 + 0.2 = 0.30000000000000004 to Harvest's 2-decimal values.
fn sum(a: f64, b: f64) -> f64 {
    ((a + b) * 1e6).round() / 1e6
}

macro_rules! time_row {
    ($row:ty, $subject:ident) => {
        impl Row for $row {
            fn key(&self) -> Key {
                (self.$subject, self.currency.clone())
            }
            fn add(&mut self, other: &Self) {
                self.total_hours = sum(self.total_hours, other.total_hours);
                self.billable_hours = sum(self.billable_hours, other.billable_hours);
                // An amount hidden in one chunk (no rate access) is hidden in all of them.
                self.billable_amount = match (self.billable_amount, other.billable_amount) {
                    (Some(a), Some(b)) => Some(sum(a, b)),
                    (a, b) => a.or(b),
                };
            }
        }
    };
}

time_row!(ProjectTimeRow, project_id);
time_row!(TeamTimeRow, user_id);
time_row!(ClientTimeRow, client_id);
time_row!(TaskTimeRow, task_id);

impl Row for UninvoicedRow {
    fn key(&self) -> Key {
        (self.project_id, Some(self.currency.clone()))
    }
    fn add(&mut self, other: &Self) {
        self.total_hours = sum(self.total_hours, other.total_hours);
        self.uninvoiced_hours = sum(self.uninvoiced_hours, other.uninvoiced_hours);
        self.uninvoiced_expenses = sum(self.uninvoiced_expenses, other.uninvoiced_expenses);
        self.uninvoiced_amount = sum(self.uninvoiced_amount, other.uninvoiced_amount);
    }
}

/// Merges uninvoiced chunks fetched with fixed fees (`with`) and without them (`without`, the
/// same chunks): the part of a row's amount that only fixed fees add is a fee left to invoice,
/// counted once (its largest value) instead of once per chunk.
fn fees_once(
    with: Vec<Vec<UninvoicedRow>>,
    without: Vec<Vec<UninvoicedRow>>,
) -> Vec<UninvoicedRow> {
    let mut fees: HashMap<Key, f64> = HashMap::new();
    let mut rows = Vec::new();
    for (with, without) in with.into_iter().zip(without) {
        let time_amounts: HashMap<_, _> = without
            .iter()
            .map(|row| (row.key(), row.uninvoiced_amount))
            .collect();
        for mut row in with {
            let time_amount = time_amounts.get(&row.key()).copied().unwrap_or(0.0);
            let fee = fees.entry(row.key()).or_insert(0.0);
            *fee = fee.max(row.uninvoiced_amount - time_amount);
            row.uninvoiced_amount = time_amount;
            rows.push(row);
        }
    }
    let mut merged = merge(rows);
    for row in &mut merged {
        row.uninvoiced_amount = sum(
            row.uninvoiced_amount,
            fees.get(&row.key()).copied().unwrap_or(0.0),
        );
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paging::Listed;

    fn day(text: &str) -> Result<NaiveDate, String> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| format!("{text}: {e}"))
    }

    fn query(from: &str, to: &str, include_fixed_fee: Option<bool>) -> ReportQuery {
        ReportQuery {
            period: None,
            from: Some(from.into()),
            to: Some(to.into()),
            include_fixed_fee,
            account_id: None,
        }
    }

    /// The dates and chunk queries of a report query, as checked before any request.
    fn chunk_queries_of(query: &ReportQuery) -> Result<(NaiveDate, NaiveDate, Vec<Query>), Error> {
        let span = Span::required(query.period, query.from.as_deref(), query.to.as_deref())?;
        let (from, to) = ends(&span.explicit().unwrap_or_default())?;
        Ok((from, to, chunk_queries(from, to, query.include_fixed_fee)))
    }

    fn field<T>(result: Result<T, Error>) -> Option<String> {
        match result {
            Err(Error::InvalidInput(invalid)) => Some(invalid.field),
            _ => None,
        }
    }

    /// One page of a report, as Harvest sends it (docs/harvest-notes.md#reports).
    fn results<R: Row>(rows: &str) -> Result<Vec<R>, String> {
        let page = format!(
            r#"{{"results":[{rows}],"per_page":2000,"total_pages":1,"total_entries":2,"next_page":null,
            "previous_page":null,"page":1,"links":{{"first":"f","next":null,"previous":null,"last":"l"}}}}"#
        );
        crate::json::decode::<Listed<R>>(page.as_bytes()).map(|p| p.items)
    }

    /// Every day of `from..=to` in exactly one chunk, in order, no chunk longer than 365 days.
    fn assert_covers(from: NaiveDate, to: NaiveDate, chunks: &[(NaiveDate, NaiveDate)]) {
        let mut next = Some(from);
        for (start, end) in chunks {
            assert_eq!(Some(*start), next, "{chunks:?}");
            assert!(
                start <= end && (*end - *start).num_days() < MAX_REPORT_DAYS,
                "{chunks:?}"
            );
            next = end.succ_opt();
        }
        assert_eq!(chunks.last().map(|c| c.1), Some(to));
    }

    #[test]
    fn two_years_with_a_leap_year_split_into_legal_chunks() -> Result<(), String> {
        let (from, to) = (day("2024-01-01")?, day("2025-12-31")?);
        let chunks = chunks(from, to);
        let expected = vec![
            (day("2024-01-01")?, day("2024-12-30")?),
            (day("2024-12-31")?, day("2025-12-30")?),
            (day("2025-12-31")?, day("2025-12-31")?),
        ];
        assert_eq!(chunks, expected);
        assert_covers(from, to, &chunks);
        Ok(())
    }

    #[test]
    fn ranges_up_to_365_days_are_one_chunk() -> Result<(), String> {
        for (from, to, count) in [
            ("2026-03-01", "2026-03-01", 1),
            ("2025-01-01", "2025-12-31", 1),
            ("2024-01-01", "2024-12-31", 2),
            ("2023-03-01", "2024-02-29", 2),
            ("2016-02-29", "2026-02-28", 11),
        ] {
            let (from, to) = (day(from)?, day(to)?);
            let chunks = chunks(from, to);
            assert_eq!(chunks.len(), count, "{from}..{to}");
            assert_covers(from, to, &chunks);
        }
        Ok(())
    }

    #[test]
    fn each_chunk_is_queried_with_dashed_dates() -> Result<(), String> {
        let (from, to, queries) = chunk_queries_of(&query("2024-01-01", "2025-01-05", Some(true)))
            .map_err(|e| format!("{e:?}"))?;
        assert_eq!((from, to), (day("2024-01-01")?, day("2025-01-05")?));
        let queries: Vec<&str> = queries.iter().map(Query::as_str).collect();
        assert_eq!(
            queries,
            [
                "from=2024-01-01&to=2024-12-30&include_fixed_fee=true",
                "from=2024-12-31&to=2025-01-05&include_fixed_fee=true"
            ]
        );
        let (_, _, plain) = chunk_queries_of(&query("2026-03-01", "2026-03-31", None))
            .map_err(|e| format!("{e:?}"))?;
        assert_eq!(
            plain.iter().map(Query::as_str).collect::<Vec<_>>(),
            ["from=2026-03-01&to=2026-03-31"]
        );
        Ok(())
    }

    #[test]
    fn report_ranges_are_checked_before_any_request() {
        assert_eq!(
            field(chunk_queries_of(&query("2026-3-1", "2026-03-31", None))).as_deref(),
            Some("from")
        );
        assert_eq!(
            field(chunk_queries_of(&query("2026-03-01", "", None))).as_deref(),
            Some("to")
        );
        assert_eq!(
            field(chunk_queries_of(&query("2026-04-01", "2026-03-31", None))).as_deref(),
            Some("to")
        );
        assert_eq!(
            field(chunk_queries_of(&query("0001-01-01", "9999-12-31", None))).as_deref(),
            Some("to")
        );
        // 30 chunks of 365 days: 1997-01-01 + 10949 days is the last day allowed.
        assert!(chunk_queries_of(&query("1997-01-01", "2026-12-24", None)).is_ok());
        assert_eq!(
            field(chunk_queries_of(&query("1997-01-01", "2026-12-25", None))).as_deref(),
            Some("to")
        );
    }

    /// A team report row as Harvest sends it (docs/harvest-notes.md#reports).
    fn team(
        user_id: u64,
        currency: &str,
        total_hours: f64,
        billable_hours: f64,
        billable_amount: f64,
    ) -> String {
        format!(
            r#"{{"user_id":{user_id},"user_name":"User {user_id}","is_contractor":false,"total_hours":{total_hours:?},
            "billable_hours":{billable_hours:?},"currency":"{currency}","billable_amount":{billable_amount:?},
            "weekly_capacity":126000,"avatar_url":"https://example.com/{user_id}.png"}}"#
        )
    }

    #[test]
    fn time_rows_merge_per_subject_and_currency_in_first_seen_order() -> Result<(), String> {
        let first: Vec<TeamTimeRow> = results(&format!(
            "{},{}",
            team(1782959, "EUR", 4.1, 3.1, 310.0),
            team(1782959, "USD", 1.0, 1.0, 100.0)
        ))?;
        let second: Vec<TeamTimeRow> = results(&format!(
            "{},{}",
            team(1795925, "EUR", 2.0, 0.0, 0.0),
            team(1782959, "EUR", 2.2, 0.2, 20.0)
        ))?;
        let merged = merge(first.into_iter().chain(second).collect());
        let summary = merged
            .iter()
            .map(|r| {
                (
                    r.user_id,
                    r.currency.as_deref(),
                    r.total_hours,
                    r.billable_hours,
                    r.billable_amount,
                )
            })
            .collect::<Vec<_>>();
        assert_eq!(
            summary,
            [
                (1782959, Some("EUR"), 6.3, 3.3, Some(330.0)),
                (1782959, Some("USD"), 1.0, 1.0, Some(100.0)),
                (1795925, Some("EUR"), 2.0, 0.0, Some(0.0)),
            ]
        );
        Ok(())
    }

    #[test]
    fn rows_without_rates_merge_without_amounts() -> Result<(), String> {
        let row = r#"{"task_id":8083365,"task_name":"Graphic Design","total_hours":2.0,"billable_hours":1.5,
            "currency":null,"billable_amount":null}"#;
        let rows: Vec<TaskTimeRow> = results(&format!("{row},{row}"))?;
        let merged = merge(rows);
        assert_eq!(merged.len(), 1);
        assert!(
            matches!(merged.first(), Some(r) if r.total_hours == 4.0 && r.billable_amount.is_none())
        );
        Ok(())
    }

    const UNINVOICED: &str = r#"{"client_id":5735776,"client_name":"123 Industries","project_id":14307913,
        "project_name":"Marketing Website","currency":"EUR","total_hours":10.0,"uninvoiced_hours":8.0,
        "uninvoiced_expenses":100.0,"uninvoiced_amount":900.0},
        {"client_id":5735774,"client_name":"ABC Corp","project_id":14308069,"project_name":"Fixed Fee",
        "currency":"USD","total_hours":3.0,"uninvoiced_hours":3.0,"uninvoiced_expenses":0.0,"uninvoiced_amount":5000.0}"#;

    #[test]
    fn uninvoiced_rows_sum_every_total() -> Result<(), String> {
        let rows: Vec<UninvoicedRow> = results(&format!("{UNINVOICED},{UNINVOICED}"))?;
        let merged = merge(rows);
        let totals: Vec<(u64, f64, f64, f64, f64)> = merged
            .iter()
            .map(|r| {
                (
                    r.project_id,
                    r.total_hours,
                    r.uninvoiced_hours,
                    r.uninvoiced_expenses,
                    r.uninvoiced_amount,
                )
            })
            .collect();
        assert_eq!(
            totals,
            [
                (14307913, 20.0, 16.0, 200.0, 1800.0),
                (14308069, 6.0, 6.0, 0.0, 10000.0)
            ]
        );
        Ok(())
    }

    #[test]
    fn a_fixed_fee_left_to_invoice_counts_once_across_chunks() -> Result<(), String> {
        let with: Vec<UninvoicedRow> = results(UNINVOICED)?;
        let mut without: Vec<UninvoicedRow> = results(UNINVOICED)?;
        // Without fixed fees, the fixed-fee project has no amount; the hourly one is unchanged.
        if let Some(fixed) = without.iter_mut().find(|r| r.project_id == 14308069) {
            fixed.uninvoiced_amount = 0.0;
        }
        let merged = fees_once(vec![with.clone(), with], vec![without.clone(), without]);
        let amounts: Vec<(u64, f64, f64)> = merged
            .iter()
            .map(|r| (r.project_id, r.total_hours, r.uninvoiced_amount))
            .collect();
        assert_eq!(amounts, [(14307913, 20.0, 1800.0), (14308069, 6.0, 5000.0)]);
        Ok(())
    }

    #[test]
    fn sums_drop_binary_noise() {
        assert_eq!(sum(0.1, 0.2), 0.3);
        assert_eq!(sum(1.005, 2.0), 3.005);
    }
}
