//! The fake's clock and Harvest's date/time string formats (docs/harvest-notes.md#dates-and-times).

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Timelike, Utc};

/// Real time shifted by whole days so that "today" is the anchor date. With the default anchor
/// (today) it is simply the real clock. Datetimes are whole seconds, as Harvest sends them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    offset: Duration,
}

impl Clock {
    pub fn new(anchor: NaiveDate) -> Clock {
        Clock {
            offset: anchor - Utc::now().date_naive(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let now = Utc::now() + self.offset;
        DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now)
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// Rounds money and hours to two decimals.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A time of day in the account's clock: "8:00am"/"2:30pm" (12h) or "08:00"/"14:30" (24h).
pub fn format_time(time: NaiveTime, clock: &str) -> String {
    if clock == "24h" {
        return time.format("%H:%M").to_string();
    }
    let (pm, hour) = time.hour12();
    format!(
        "{}:{:02}{}",
        hour,
        time.minute(),
        if pm { "pm" } else { "am" }
    )
}

/// Parses a time of day in either clock ("8:00am", "8am", "2:30 PM", "14:30", "8:00"). Harvest
/// parses loosely; the fake accepts both clocks whatever the account setting.
pub fn parse_time(input: &str) -> Option<NaiveTime> {
    let s = input.trim().to_ascii_lowercase();
    let (digits, meridiem) = match (s.strip_suffix("am"), s.strip_suffix("pm")) {
        (Some(d), _) => (d.trim(), Some(false)),
        (_, Some(d)) => (d.trim(), Some(true)),
        _ => (s.as_str(), None),
    };
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        None => (digits.parse::<u32>().ok()?, 0),
    };
    let hour = match meridiem {
        None => h,
        Some(_) if !(1..=12).contains(&h) => return None,
        Some(false) => h % 12,
        Some(true) => h % 12 + 12,
    };
    NaiveTime::from_hms_opt(hour, m, 0)
}

/// Parses a date as `YYYY-MM-DD` or the compact `YYYYMMDD` the report examples use
/// (docs/harvest-notes.md#dates-and-times).
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let s = input.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y%m%d"))
        .ok()
}

/// Parses an ISO 8601 datetime (`2024-05-01T00:00:00Z`); a bare date means its midnight UTC.
pub fn parse_datetime(input: &str) -> Option<DateTime<Utc>> {
    let s = input.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    parse_date(s).map(|d| d.and_time(NaiveTime::MIN).and_utc())
}

/// A date at a time of day, UTC.
pub fn at(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    date.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN))
        .and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_in_both_clocks() {
        let t = NaiveTime::from_hms_opt(14, 30, 0).unwrap();
        assert_eq!(format_time(t, "12h"), "2:30pm");
        assert_eq!(format_time(t, "24h"), "14:30");
        assert_eq!(parse_time("2:30pm"), Some(t));
        assert_eq!(parse_time("14:30"), Some(t));
        assert_eq!(parse_time("12:05am"), NaiveTime::from_hms_opt(0, 5, 0));
        assert_eq!(parse_time("8am"), NaiveTime::from_hms_opt(8, 0, 0));
        assert_eq!(parse_time("13pm"), None);
        assert_eq!(parse_date("20240131"), NaiveDate::from_ymd_opt(2024, 1, 31));
    }
}
