//! `harvest-host demo`: the fake Harvest, and five requests played as an agent's tool calls.

use anyhow::{Context, Result};
use clap::ValueEnum;
use harvest_fake::{self as fake, FakeHarvest, FakeOptions};
use harvest_host::demo;
use harvest_host::host::Host;

/// Which of the fake's accounts the demo plays against.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DemoAccount {
    /// Acme Global: weeks from Sunday, Time Rounding on, invoices in USD and EUR.
    Global,
    /// Acme Studio: weeks from Monday, no rounding, invoices in USD and EUR.
    Studio,
}

pub fn run(host: &Host, account: DemoAccount) -> Result<()> {
    let options = FakeOptions::default();
    let today = options.anchor;
    let server = FakeHarvest::start(options)?;
    let (token, account_id) = match account {
        DemoAccount::Global => (fake::GLOBAL_TOKEN, fake::GLOBAL_ACCOUNT_ID),
        DemoAccount::Studio => (fake::ADMIN_TOKEN, fake::ACCOUNT_ID),
    };
    let env = server.env_as(token, Some(account_id));
    // Named in the heading only; the demo itself learns the week start through get_company.
    let (name, week_start) = {
        let state = server.state();
        let company = &state
            .account(account_id)
            .context("the demo account is seeded")?
            .company;
        (company.name.clone(), company.week_start_day.clone())
    };
    println!(
        "The fake Harvest runs at {}; today is {today}. Account: {name} (weeks start on \
         {week_start}).\nEach request below is played as the tool calls an agent makes (→), \
         through the component's dispatcher.",
        server.url()
    );
    demo::run(host, &env, today, &mut std::io::stdout())?;
    Ok(())
}
