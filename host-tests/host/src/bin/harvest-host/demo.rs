//! `harvest-host demo`: the fake Harvest, and five requests played as an agent's tool calls.

use anyhow::Result;
use harvest_fake::{self as fake, FakeHarvest, FakeOptions};
use harvest_host::demo;
use harvest_host::host::Host;

pub fn run(host: &Host) -> Result<()> {
    let options = FakeOptions::default();
    let today = options.anchor;
    let server = FakeHarvest::start(options)?;
    let env = vec![
        (
            "HARVEST_ACCESS_TOKEN".to_string(),
            fake::ADMIN_TOKEN.to_string(),
        ),
        (
            "HARVEST_ACCOUNT_ID".to_string(),
            fake::ACCOUNT_ID.to_string(),
        ),
        ("HARVEST_API_URL".to_string(), server.url()),
        ("HARVEST_ID_URL".to_string(), server.url()),
    ];
    println!(
        "The fake Harvest runs at {}; today is {today}. Each request below is played as the\n\
         tool calls an agent makes (→), through the component's dispatcher.",
        server.url()
    );
    demo::run(host, &env, today, &mut std::io::stdout())?;
    Ok(())
}
