//! Time zones (docs/harvest-notes.md#time-zones): a Harvest user's `timezone` is an ActiveSupport
//! name such as `Eastern Time (US & Canada)`. [`ZONES`] maps every such name to its IANA zone and
//! that zone's current rule as a POSIX TZ string (the rule the tz database gives for dates after
//! its last listed change); [`Rule`] turns a rule and an instant into the local date and time,
//! daylight saving time included. Only today matters here, so the component carries these rules
//! rather than the whole database's history; a unit test checks every rule against the full tz
//! database (chrono-tz, a dev-dependency) hour by hour for years ahead. "Today" is the user's
//! today, never UTC's.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};

use crate::bindings::wit::Error;
use crate::http::{Client, Request};
use crate::json::json_record;

/// ActiveSupport's zone names (`ActiveSupport::TimeZone::MAPPING`, Rails 7.1), the IANA zone each
/// stands for, and its current POSIX TZ rule (tz database 2025).
#[rustfmt::skip]
pub const ZONES: &[(&str, &str, &str)] = &[
    ("International Date Line West", "Etc/GMT+12", "<-12>12"),
    ("Midway Island", "Pacific/Midway", "SST11"),
    ("American Samoa", "Pacific/Pago_Pago", "SST11"),
    ("Hawaii", "Pacific/Honolulu", "HST10"),
    ("Alaska", "America/Juneau", "AKST9AKDT,M3.2.0,M11.1.0"),
    ("Pacific Time (US & Canada)", "America/Los_Angeles", "PST8PDT,M3.2.0,M11.1.0"),
    ("Tijuana", "America/Tijuana", "PST8PDT,M3.2.0,M11.1.0"),
    ("Mountain Time (US & Canada)", "America/Denver", "MST7MDT,M3.2.0,M11.1.0"),
    ("Arizona", "America/Phoenix", "MST7"),
    ("Chihuahua", "America/Chihuahua", "CST6"),
    ("Mazatlan", "America/Mazatlan", "MST7"),
    ("Central Time (US & Canada)", "America/Chicago", "CST6CDT,M3.2.0,M11.1.0"),
    ("Saskatchewan", "America/Regina", "CST6"),
    ("Guadalajara", "America/Mexico_City", "CST6"),
    ("Mexico City", "America/Mexico_City", "CST6"),
    ("Monterrey", "America/Monterrey", "CST6"),
    ("Central America", "America/Guatemala", "CST6"),
    ("Eastern Time (US & Canada)", "America/New_York", "EST5EDT,M3.2.0,M11.1.0"),
    ("Indiana (East)", "America/Indiana/Indianapolis", "EST5EDT,M3.2.0,M11.1.0"),
    ("Bogota", "America/Bogota", "<-05>5"),
    ("Lima", "America/Lima", "<-05>5"),
    ("Quito", "America/Lima", "<-05>5"),
    ("Atlantic Time (Canada)", "America/Halifax", "AST4ADT,M3.2.0,M11.1.0"),
    ("Caracas", "America/Caracas", "<-04>4"),
    ("La Paz", "America/La_Paz", "<-04>4"),
    ("Santiago", "America/Santiago", "<-04>4<-03>,M9.1.6/24,M4.1.6/24"),
    ("Newfoundland", "America/St_Johns", "NST3:30NDT,M3.2.0,M11.1.0"),
    ("Brasilia", "America/Sao_Paulo", "<-03>3"),
    ("Buenos Aires", "America/Argentina/Buenos_Aires", "<-03>3"),
    ("Montevideo", "America/Montevideo", "<-03>3"),
    ("Georgetown", "America/Guyana", "<-04>4"),
    ("Puerto Rico", "America/Puerto_Rico", "AST4"),
    ("Greenland", "America/Nuuk", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0"),
    ("Mid-Atlantic", "Atlantic/South_Georgia", "<-02>2"),
    ("Azores", "Atlantic/Azores", "<-01>1<+00>,M3.5.0/0,M10.5.0/1"),
    ("Cape Verde Is.", "Atlantic/Cape_Verde", "<-01>1"),
    ("Dublin", "Europe/Dublin", "IST-1GMT0,M10.5.0,M3.5.0/1"),
    ("Edinburgh", "Europe/London", "GMT0BST,M3.5.0/1,M10.5.0"),
    ("Lisbon", "Europe/Lisbon", "WET0WEST,M3.5.0/1,M10.5.0"),
    ("London", "Europe/London", "GMT0BST,M3.5.0/1,M10.5.0"),
    ("Casablanca", "Africa/Casablanca", "<+01>-1"),
    ("Monrovia", "Africa/Monrovia", "GMT0"),
    ("UTC", "Etc/UTC", "UTC0"),
    ("Belgrade", "Europe/Belgrade", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Bratislava", "Europe/Bratislava", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Budapest", "Europe/Budapest", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Ljubljana", "Europe/Ljubljana", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Prague", "Europe/Prague", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Sarajevo", "Europe/Sarajevo", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Skopje", "Europe/Skopje", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Warsaw", "Europe/Warsaw", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Zagreb", "Europe/Zagreb", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Brussels", "Europe/Brussels", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Copenhagen", "Europe/Copenhagen", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Madrid", "Europe/Madrid", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Paris", "Europe/Paris", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Amsterdam", "Europe/Amsterdam", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Berlin", "Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Bern", "Europe/Zurich", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Zurich", "Europe/Zurich", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Rome", "Europe/Rome", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Stockholm", "Europe/Stockholm", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("Vienna", "Europe/Vienna", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("West Central Africa", "Africa/Algiers", "CET-1"),
    ("Bucharest", "Europe/Bucharest", "EET-2EEST,M3.5.0/3,M10.5.0/4"),
    ("Cairo", "Africa/Cairo", "EET-2EEST,M4.5.5/0,M10.5.4/24"),
    ("Helsinki", "Europe/Helsinki", "EET-2EEST,M3.5.0/3,M10.5.0/4"),
    ("Kyiv", "Europe/Kyiv", "EET-2EEST,M3.5.0/3,M10.5.0/4"),
    ("Riga", "Europe/Riga", "EET-2EEST,M3.5.0/3,M10.5.0/4"),
    ("Sofia", "Europe/Sofia", "EET-2EEST,M3.5.0/3,M10.5.0/4"),
    ("Tallinn", "Europe/Tallinn", "EET-2EEST,M3.5.0/3,M10.5.0/4"),
    ("Vilnius", "Europe/Vilnius", "EET-2EEST,M3.5.0/3,M10.5.0/4"),
    ("Athens", "Europe/Athens", "EET-2EEST,M3.5.0/3,M10.5.0/4"),
    ("Istanbul", "Europe/Istanbul", "<+03>-3"),
    ("Minsk", "Europe/Minsk", "<+03>-3"),
    ("Jerusalem", "Asia/Jerusalem", "IST-2IDT,M3.4.4/26,M10.5.0"),
    ("Harare", "Africa/Harare", "CAT-2"),
    ("Pretoria", "Africa/Johannesburg", "SAST-2"),
    ("Kaliningrad", "Europe/Kaliningrad", "EET-2"),
    ("Moscow", "Europe/Moscow", "MSK-3"),
    ("St. Petersburg", "Europe/Moscow", "MSK-3"),
    ("Volgograd", "Europe/Volgograd", "MSK-3"),
    ("Samara", "Europe/Samara", "<+04>-4"),
    ("Kuwait", "Asia/Kuwait", "<+03>-3"),
    ("Riyadh", "Asia/Riyadh", "<+03>-3"),
    ("Nairobi", "Africa/Nairobi", "EAT-3"),
    ("Baghdad", "Asia/Baghdad", "<+03>-3"),
    ("Tehran", "Asia/Tehran", "<+0330>-3:30"),
    ("Abu Dhabi", "Asia/Muscat", "<+04>-4"),
    ("Muscat", "Asia/Muscat", "<+04>-4"),
    ("Baku", "Asia/Baku", "<+04>-4"),
    ("Tbilisi", "Asia/Tbilisi", "<+04>-4"),
    ("Yerevan", "Asia/Yerevan", "<+04>-4"),
    ("Kabul", "Asia/Kabul", "<+0430>-4:30"),
    ("Ekaterinburg", "Asia/Yekaterinburg", "<+05>-5"),
    ("Islamabad", "Asia/Karachi", "PKT-5"),
    ("Karachi", "Asia/Karachi", "PKT-5"),
    ("Tashkent", "Asia/Tashkent", "<+05>-5"),
    ("Chennai", "Asia/Kolkata", "IST-5:30"),
    ("Kolkata", "Asia/Kolkata", "IST-5:30"),
    ("Mumbai", "Asia/Kolkata", "IST-5:30"),
    ("New Delhi", "Asia/Kolkata", "IST-5:30"),
    ("Kathmandu", "Asia/Kathmandu", "<+0545>-5:45"),
    ("Astana", "Asia/Almaty", "<+05>-5"),
    ("Dhaka", "Asia/Dhaka", "<+06>-6"),
    ("Sri Jayawardenepura", "Asia/Colombo", "<+0530>-5:30"),
    ("Almaty", "Asia/Almaty", "<+05>-5"),
    ("Novosibirsk", "Asia/Novosibirsk", "<+07>-7"),
    ("Rangoon", "Asia/Yangon", "<+0630>-6:30"),
    ("Bangkok", "Asia/Bangkok", "<+07>-7"),
    ("Hanoi", "Asia/Bangkok", "<+07>-7"),
    ("Jakarta", "Asia/Jakarta", "WIB-7"),
    ("Krasnoyarsk", "Asia/Krasnoyarsk", "<+07>-7"),
    ("Beijing", "Asia/Shanghai", "CST-8"),
    ("Chongqing", "Asia/Chongqing", "CST-8"),
    ("Hong Kong", "Asia/Hong_Kong", "HKT-8"),
    ("Urumqi", "Asia/Urumqi", "<+06>-6"),
    ("Kuala Lumpur", "Asia/Kuala_Lumpur", "<+08>-8"),
    ("Singapore", "Asia/Singapore", "<+08>-8"),
    ("Taipei", "Asia/Taipei", "CST-8"),
    ("Perth", "Australia/Perth", "AWST-8"),
    ("Irkutsk", "Asia/Irkutsk", "<+08>-8"),
    ("Ulaanbaatar", "Asia/Ulaanbaatar", "<+08>-8"),
    ("Seoul", "Asia/Seoul", "KST-9"),
    ("Osaka", "Asia/Tokyo", "JST-9"),
    ("Sapporo", "Asia/Tokyo", "JST-9"),
    ("Tokyo", "Asia/Tokyo", "JST-9"),
    ("Yakutsk", "Asia/Yakutsk", "<+09>-9"),
    ("Darwin", "Australia/Darwin", "ACST-9:30"),
    ("Adelaide", "Australia/Adelaide", "ACST-9:30ACDT,M10.1.0,M4.1.0/3"),
    ("Canberra", "Australia/Melbourne", "AEST-10AEDT,M10.1.0,M4.1.0/3"),
    ("Melbourne", "Australia/Melbourne", "AEST-10AEDT,M10.1.0,M4.1.0/3"),
    ("Sydney", "Australia/Sydney", "AEST-10AEDT,M10.1.0,M4.1.0/3"),
    ("Brisbane", "Australia/Brisbane", "AEST-10"),
    ("Hobart", "Australia/Hobart", "AEST-10AEDT,M10.1.0,M4.1.0/3"),
    ("Vladivostok", "Asia/Vladivostok", "<+10>-10"),
    ("Guam", "Pacific/Guam", "ChST-10"),
    ("Port Moresby", "Pacific/Port_Moresby", "<+10>-10"),
    ("Magadan", "Asia/Magadan", "<+11>-11"),
    ("Srednekolymsk", "Asia/Srednekolymsk", "<+11>-11"),
    ("Solomon Is.", "Pacific/Guadalcanal", "<+11>-11"),
    ("New Caledonia", "Pacific/Noumea", "<+11>-11"),
    ("Fiji", "Pacific/Fiji", "<+12>-12"),
    ("Kamchatka", "Asia/Kamchatka", "<+12>-12"),
    ("Marshall Is.", "Pacific/Majuro", "<+12>-12"),
    ("Auckland", "Pacific/Auckland", "NZST-12NZDT,M9.5.0,M4.1.0/3"),
    ("Wellington", "Pacific/Auckland", "NZST-12NZDT,M9.5.0,M4.1.0/3"),
    ("Nuku'alofa", "Pacific/Tongatapu", "<+13>-13"),
    ("Tokelau Is.", "Pacific/Fakaofo", "<+13>-13"),
    ("Chatham Is.", "Pacific/Chatham", "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45"),
    ("Samoa", "Pacific/Apia", "<+13>-13"),
];

/// The rule of the zone an ActiveSupport name stands for; the IANA name of one of those zones
/// is taken too.
fn rule(name: &str) -> Option<&'static str> {
    let name = name.trim();
    ZONES
        .iter()
        .find(|(rails, iana, _)| *rails == name || *iana == name)
        .map(|(_, _, rule)| *rule)
}

/// The wall-clock date and time in the zone named `timezone` at `seconds` since the Unix epoch.
pub fn local_at(timezone: &str, seconds: i64) -> Option<NaiveDateTime> {
    let offset = Rule::parse(rule(timezone)?)?.utc_offset(seconds)?;
    DateTime::from_timestamp(seconds.checked_add(offset)?, 0).map(|t| t.naive_utc())
}

/// A POSIX TZ rule (`std offset [dst [offset] ,start[/time],end[/time]]`, POSIX.1-2017 section
/// 8.3), in the forms [`ZONES`] uses: transition dates as `Mm.w.d` only. Offsets are kept as
/// seconds east of UTC; POSIX writes them west.
struct Rule {
    standard: i64,
    daylight: Option<Daylight>,
}

struct Daylight {
    offset: i64,
    /// When daylight saving time starts, in standard time, and ends, in daylight time.
    start: Transition,
    end: Transition,
}

/// `Mm.w.d/time`: the `week`th (5: last) `weekday` (0: Sunday) of `month`, at `time` seconds
/// after its midnight, which may be negative or past 24 hours.
struct Transition {
    month: u32,
    week: u32,
    weekday: u32,
    time: i64,
}

impl Rule {
    fn parse(text: &str) -> Option<Rule> {
        let mut rest = text;
        name(&mut rest)?;
        let standard = -clock(&mut rest)?;
        if rest.is_empty() {
            return Some(Rule {
                standard,
                daylight: None,
            });
        }
        name(&mut rest)?;
        let offset = match rest.starts_with(',') {
            true => standard + 3600,
            false => -clock(&mut rest)?,
        };
        rest = rest.strip_prefix(',')?;
        let (start, end) = rest.split_once(',')?;
        Some(Rule {
            standard,
            daylight: Some(Daylight {
                offset,
                start: Transition::parse(start)?,
                end: Transition::parse(end)?,
            }),
        })
    }

    /// The offset from UTC, in seconds, at `seconds` since the Unix epoch.
    fn utc_offset(&self, seconds: i64) -> Option<i64> {
        let Some(daylight) = &self.daylight else {
            return Some(self.standard);
        };
        let year = DateTime::from_timestamp(seconds.checked_add(self.standard)?, 0)?.year();
        let start = daylight
            .start
            .local_seconds(year)?
            .checked_sub(self.standard)?;
        let end = daylight
            .end
            .local_seconds(year)?
            .checked_sub(daylight.offset)?;
        // In the south (and in Dublin, whose "daylight" time is its winter time) the daylight
        // part of the year wraps over its end.
        let in_daylight = match start < end {
            true => (start..end).contains(&seconds),
            false => !(end..start).contains(&seconds),
        };
        Some(if in_daylight {
            daylight.offset
        } else {
            self.standard
        })
    }
}

impl Transition {
    fn parse(text: &str) -> Option<Transition> {
        let (date, time) = match text.split_once('/') {
            Some((date, time)) => (date, Some(time)),
            None => (text, None),
        };
        let mut parts = date.strip_prefix('M')?.split('.').map(str::parse::<u32>);
        let (month, week, weekday) = (
            parts.next()?.ok()?,
            parts.next()?.ok()?,
            parts.next()?.ok()?,
        );
        let time = match time {
            Some(mut time) => clock(&mut time).filter(|_| time.is_empty())?,
            None => 2 * 3600,
        };
        Some(Transition {
            month,
            week,
            weekday,
            time,
        })
    }

    /// The transition in `year`, as seconds since the epoch of the local clock it is given in.
    fn local_seconds(&self, year: i32) -> Option<i64> {
        let first = NaiveDate::from_ymd_opt(year, self.month, 1)?;
        let first_weekday = first.weekday().num_days_from_sunday();
        let day = 1 + (self.weekday % 7 + 7 - first_weekday) % 7 + (self.week.clamp(1, 5) - 1) * 7;
        // Week 5 is the last: a week earlier when the month has no fifth such day.
        let date = NaiveDate::from_ymd_opt(year, self.month, day)
            .or_else(|| NaiveDate::from_ymd_opt(year, self.month, day - 7))?;
        let midnight = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
        midnight.checked_add(self.time)
    }
}

/// Skips a zone abbreviation: `<+0545>` or three or more letters.
fn name(rest: &mut &str) -> Option<()> {
    let length = match rest.strip_prefix('<') {
        Some(quoted) => quoted.find('>')? + 2,
        None => rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len()),
    };
    *rest = rest.get(length..).filter(|_| length >= 3)?;
    Some(())
}

/// `[+-]hh[:mm[:ss]]` as seconds, consumed from the front of `rest`.
fn clock(rest: &mut &str) -> Option<i64> {
    let sign = match rest.as_bytes().first() {
        Some(b'-') => -1,
        _ => 1,
    };
    let unsigned = rest.trim_start_matches(['+', '-']);
    let length = unsigned
        .find(|c: char| !c.is_ascii_digit() && c != ':')
        .unwrap_or(unsigned.len());
    let mut seconds = 0;
    let mut scale = 3600;
    let (digits, after) = unsigned.split_at_checked(length)?;
    for part in digits.split(':') {
        let value = part.parse::<i64>().ok().filter(|v| *v < 1000)?;
        seconds += value * scale;
        scale /= 60;
    }
    *rest = after;
    Some(sign * seconds)
}

/// Seconds since the Unix epoch on the WASI wall clock (`wasi:clocks/wall-clock`, which
/// `SystemTime` reads on wasm32-wasip2).
pub fn wall_clock() -> Result<i64, Error> {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| Error::internal("the host's wall clock is before 1970"))?;
    i64::try_from(since.as_secs())
        .map_err(|_| Error::internal("the host's wall clock is out of range"))
}

json_record! {
    /// The token's user, as far as logging time needs it: `GET /v2/users/me`.
    pub struct CurrentUser {
        pub id: u64,
        timezone: Option<String>,
        /// `administrator`, `manager`, `member` and the finer manager permissions.
        pub access_roles: Option<Vec<String>>,
    }
}

/// One read of `GET /v2/users/me`.
pub fn current_user(client: &Client) -> Result<CurrentUser, Error> {
    client.send(&Request::get("/v2/users/me"))
}

/// The token's user's wall-clock time, and their zone as Harvest names it.
pub struct LocalNow {
    pub now: NaiveDateTime,
    pub zone: String,
}

impl CurrentUser {
    /// Now, in the user's zone. `field` is the argument that would spare it, named when the
    /// user's zone is missing or unknown.
    pub fn now(&self, field: &str) -> Result<NaiveDateTime, Error> {
        let timezone = self.zone();
        self.local()?.ok_or_else(|| {
            Error::invalid(
                field,
                format!(
                    "is needed: the user's time zone {timezone:?} is not one this component \
                     knows, so today's date there cannot be told"
                ),
            )
        })
    }

    fn zone(&self) -> &str {
        self.timezone.as_deref().unwrap_or_default()
    }

    /// Now in the user's zone; none when the component does not know the zone.
    fn local(&self) -> Result<Option<NaiveDateTime>, Error> {
        Ok(local_at(self.zone(), wall_clock()?))
    }
}

impl CurrentUser {
    /// Now in the user's zone, and the zone's name.
    pub fn local_now(&self, field: &str) -> Result<LocalNow, Error> {
        Ok(LocalNow {
            now: self.now(field)?,
            zone: self.zone().to_string(),
        })
    }
}

/// Today in the token's user's zone, for results that depend on it and no argument replaces:
/// one read of `GET /v2/users/me`.
pub fn user_today(client: &Client) -> Result<NaiveDate, Error> {
    let user = current_user(client)?;
    let today = user.local()?.map(|now| now.date());
    today.ok_or_else(|| {
        Error::internal(format!(
            "the user's time zone {:?} is not one this component knows, so today's date there \
             cannot be told",
            user.zone()
        ))
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::any;

    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|date| date.and_hms_opt(h, min, 0))
            .map_or(0, |t| t.and_utc().timestamp())
    }

    fn local(name: &str, now: i64) -> String {
        local_at(name, now).map_or("unknown".into(), |t| t.format("%F %R").to_string())
    }

    /// Morocco's rule moves its clocks for Ramadan each year, which the tz database lists as
    /// single changes rather than as a rule: its POSIX rule holds outside Ramadan only.
    const RAMADAN_SHIFTS: &[&str] = &["Africa/Casablanca"];

    #[test]
    fn every_rule_agrees_with_the_tz_database_for_years_ahead() {
        use chrono::TimeZone as _;
        let (from, to) = (utc(2026, 1, 1, 0, 0), utc(2031, 1, 1, 0, 0));
        for (rails, iana, _) in ZONES {
            let zone: chrono_tz::Tz = iana
                .parse()
                .unwrap_or_else(|_| panic!("{iana} is no IANA zone"));
            if RAMADAN_SHIFTS.contains(iana) {
                continue;
            }
            for seconds in (from..to).step_by(3600) {
                let expected = chrono::DateTime::from_timestamp(seconds, 0)
                    .map(|t| zone.from_utc_datetime(&t.naive_utc()).naive_local());
                assert_eq!(
                    local_at(rails, seconds),
                    expected,
                    "{rails} ({iana}) at {seconds}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_rule_text_is_read_or_refused(text in "[A-Z<>+0-9:,./M-]{0,40}", at in any::<i64>()) {
            if let Some(rule) = Rule::parse(&text) {
                let _ = rule.utc_offset(at);
            }
        }
    }

    #[test]
    fn local_dates_follow_daylight_saving_time() {
        // New York: UTC-5 in winter, UTC-4 from 8 March 2026.
        assert_eq!(
            local("Eastern Time (US & Canada)", utc(2026, 3, 5, 3, 30)),
            "2026-03-04 22:30"
        );
        assert_eq!(
            local("Eastern Time (US & Canada)", utc(2026, 3, 18, 3, 30)),
            "2026-03-17 23:30"
        );
        // Sydney leaves daylight saving time (UTC+11 → +10) on 5 April 2026.
        assert_eq!(local("Sydney", utc(2026, 4, 4, 13, 30)), "2026-04-05 00:30");
        assert_eq!(local("Sydney", utc(2026, 4, 5, 13, 30)), "2026-04-05 23:30");
        assert_eq!(local("Tokyo", utc(2026, 3, 18, 16, 0)), "2026-03-19 01:00");
        assert_eq!(
            local("Asia/Tokyo", utc(2026, 3, 18, 16, 0)),
            "2026-03-19 01:00"
        );
        assert_eq!(local("Hawaii", utc(2026, 3, 18, 8, 0)), "2026-03-17 22:00");
        assert_eq!(
            local("Kathmandu", utc(2026, 3, 18, 18, 20)),
            "2026-03-19 00:05"
        );
        assert_eq!(local("Atlantis", utc(2026, 3, 18, 8, 0)), "unknown");
    }
}
