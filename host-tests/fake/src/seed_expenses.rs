//! Seeded expenses of one account, laid out around the anchor date on top of its time
//! (`seed_time.rs`): billable and non-billable, in the USD and EUR clients' projects, one in a
//! unit-priced category (mileage), some with receipts. None is invoiced yet.

use chrono::{Days, NaiveDate};

use super::clock::at;
use super::expenses::{ExpenseCategoryRef, ExpenseInput};
use super::ids::{self, AccountSpec};
use super::model::AccountData;

/// (id, name, unit price, unit name)
#[rustfmt::skip]
const CATEGORIES: [(u64, &str, Option<f64>, Option<&str>); 5] = [
    (4_195_001, "Travel", None, None),
    (4_195_002, "Meals", None, None),
    (4_195_003, "Lodging", None, None),
    (4_195_004, "Mileage", Some(0.70), Some("mile")),
    (4_195_005, "Software", None, None),
];

/// (days before the anchor, user, project, category index, units or cost, billable, receipt, notes)
type Seeded = (u64, u64, u64, usize, f64, bool, bool, &'static str);

#[rustfmt::skip]
const EXPENSES: [Seeded; 8] = {
    use ids::*;
    [
        (45, ADA, WEBSITE_REDESIGN, 0, 412.50, true, true, "Flight to the client workshop"),
        (44, GRACE, WEBSITE_REDESIGN, 1, 86.20, true, true, "Workshop lunch"),
        (40, KATHERINE, ERP_INTEGRATION, 2, 238.00, true, true, "Hotel, two nights"),
        (38, KATHERINE, ERP_INTEGRATION, 3, 120.0, true, false, "Drive to Initech"),
        (20, ALAN, MOBILE_APP, 4, 59.00, true, true, "Device testing licence"),
        (15, ADA, INTERNAL_OPERATIONS, 1, 120.00, true, false, "Team lunch"),
        (5, GRACE, MOBILE_APP, 0, 18.40, false, false, "Taxi"),
        (3, ADA, ERP_INTEGRATION, 1, 64.00, true, true, "Dinner with Initech"),
    ]
};

/// One seeded account: its time and invoices (`seed_time::account`), then its expenses.
pub fn account(anchor: NaiveDate, spec: &AccountSpec) -> AccountData {
    let mut account = super::seed_time::account(anchor, spec);
    let o = spec.offset;
    for (days, user, project, category, amount, billable, receipt, notes) in EXPENSES {
        let Some((id, name, unit_price, unit_name)) = CATEGORIES.get(category).copied() else {
            continue;
        };
        let spent_date = anchor.checked_sub_days(Days::new(days)).unwrap_or(anchor);
        account.add_expense(ExpenseInput {
            user_id: user + o,
            project_id: project + o,
            category: ExpenseCategoryRef {
                id: id + o,
                name: name.into(),
                unit_price,
                unit_name: unit_name.map(Into::into),
            },
            spent_date,
            units_or_cost: amount,
            billable,
            notes,
            receipt,
            now: at(spent_date, 18, 0),
        });
    }
    account
}
