//! The account's Time Rounding preference (docs/harvest-notes.md#time-rounding): how
//! `rounded_hours` follows from `hours`. Reports and invoice imports use rounded hours.
//!
//! Harvest documents that the setting exists and what uses it, not the arithmetic. The fake's
//! reading, marked as inference: each entry is rounded on its own (reports and imports then add
//! the rounded entries up, never round a total), to a whole number of `minutes`, up or to the
//! nearest increment, from the entry's hours taken to the minute. A running timer's rounded
//! hours follow its live hours the same way.

use serde::Serialize;

/// How an account rounds time; `None` on the company means rounding is off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TimeRounding {
    /// The increment, in minutes (Harvest offers increments such as 6, 10, 15 and 30).
    pub minutes: u32,
    /// True: round up to the next increment; false: to the nearest one.
    pub up: bool,
}

impl TimeRounding {
    /// 15 minutes, rounded up: the rounding account's setting.
    pub const UP_TO_QUARTER_HOUR: TimeRounding = TimeRounding {
        minutes: 15,
        up: true,
    };
}

/// `hours` as `rounded_hours` under `rounding` (unchanged when it is off).
pub fn rounded(hours: f64, rounding: Option<TimeRounding>) -> f64 {
    let Some(TimeRounding { minutes, up }) = rounding.filter(|r| r.minutes > 0) else {
        return hours;
    };
    let tracked = (hours * 60.0).round();
    let step = f64::from(minutes);
    let steps = if up {
        (tracked / step).ceil()
    } else {
        (tracked / step).round()
    };
    steps * step / 60.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_each_entry_up_to_the_increment() {
        let quarter = Some(TimeRounding::UP_TO_QUARTER_HOUR);
        assert_eq!(rounded(1.12, quarter), 1.25); // 67 minutes
        assert_eq!(rounded(1.25, quarter), 1.25);
        assert_eq!(rounded(0.02, quarter), 0.25); // 1 minute
        assert_eq!(rounded(0.0, quarter), 0.0);
        assert_eq!(rounded(1.12, None), 1.12);
        let nearest = Some(TimeRounding {
            minutes: 15,
            up: false,
        });
        assert_eq!(rounded(1.12, nearest), 1.0);
    }
}
