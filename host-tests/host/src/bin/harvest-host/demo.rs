//! `harvest-host demo`: the fake Harvest, and five requests played as an agent's tool calls.

use anyhow::Result;
use harvest_fake::{FakeHarvest, FakeOptions};
use harvest_host::demo;
use harvest_host::host::Host;

pub fn run(host: &Host) -> Result<()> {
    let options = FakeOptions::default();
    let today = options.anchor;
    let server = FakeHarvest::start(options)?;
    let env = server.env();
    println!(
        "The fake Harvest runs at {}; today is {today}. Each request below is played as the\n\
         tool calls an agent makes (→), through the component's dispatcher.",
        server.url()
    );
    demo::run(host, &env, today, &mut std::io::stdout())?;
    Ok(())
}
