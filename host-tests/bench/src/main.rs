//! `make bench`: the release component measured against the fake Harvest, beside a native Rust
//! client making the same requests, in one run on one machine. Prints one Markdown table and
//! writes it to `dist/bench.md`.
//!
//! Every figure is a median after warm-up runs; component and native runs alternate so both
//! see the same machine load. The component runs as hosts run it: a fresh store and instance
//! per call from one `InstancePre`, outgoing HTTP through `wasmtime-wasi-http`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use futures_util::StreamExt;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use harvest_fake::{self as fake, FakeHarvest, FakeOptions, ids};
use harvest_host::cache::Cache;
use harvest_host::host::{CallRecord, Host};
use harvest_host::wit;

mod mcp_bench;

#[derive(Parser)]
#[command(
    name = "harvest-bench",
    about = "Benchmarks the Harvest component against a native client"
)]
struct Cli {
    /// The component to measure; default: dist/harvest-host.wasm.
    #[arg(long)]
    component: Option<PathBuf>,
    /// Where to write the table; default: dist/bench.md.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Measured runs of each listing (after one warm-up run).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Measured runs of the small call (after a tenth as many warm-up runs).
    #[arg(long, default_value_t = 200)]
    calls: usize,
}

/// The per-request latency of the paging rows, the budgeted one among them.
const LATENCY: Duration = Duration::from_millis(50);
/// A slower network, for one more paging row.
const SLOW_LATENCY: Duration = Duration::from_millis(200);
const CONCURRENCY: usize = 4;
const MIB: f64 = 1024.0 * 1024.0;

fn main() -> Result<()> {
    let cli = Cli::parse();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = cli
        .component
        .clone()
        .unwrap_or_else(Host::default_component_path);
    let out = cli
        .out
        .clone()
        .unwrap_or_else(|| root.join("dist/bench.md"));
    let table = run(&cli, &path).with_context(|| format!("benchmarking {}", path.display()))?;
    println!("{table}");
    std::fs::write(&out, &table).with_context(|| format!("writing {}", out.display()))?;
    eprintln!("written to {}", out.display());
    Ok(())
}

fn run(cli: &Cli, path: &PathBuf) -> Result<String> {
    let mut rows = Vec::new();
    let bytes = std::fs::read(path).context("reading the component (run `make build` first)")?;
    let size = bytes.len();
    rows.push(
        Row::new(".wasm size (release)")
            .component(format!("{size} bytes ({:.2} MiB)", size as f64 / MIB))
            .budget("≤ 1 MiB", size as f64 <= MIB),
    );

    eprintln!("compiling the component with Cranelift…");
    let compile = median_of(1, cli.runs, || {
        let engine = wasmtime::Engine::new(&wasmtime::Config::new())?;
        let started = Instant::now();
        wasmtime::component::Component::from_binary(&engine, &bytes)?;
        Ok(started.elapsed())
    })?;
    rows.push(Row::new("Cranelift compile of the component").component(ms(compile)));

    let (host, _) = Host::load_with(path, &Cache::user())?;
    let fake = FakeHarvest::start(FakeOptions::default())?;
    let env = config(&fake, None);
    let instantiate = median_of(10, cli.calls, || {
        let started = Instant::now();
        host.call(&env, |_, _| Ok(()))?;
        Ok(started.elapsed())
    })?;
    rows.push(Row::new("instantiate from `InstancePre` (fresh store)").component(us(instantiate)));

    eprintln!("get-project, component and native side by side…");
    // Both sides keep connections alive (the component through the host's pool); the native
    // client opening a connection per request is shown beside them for reference.
    let native = Native::new(&fake.url(), true)?;
    let native_fresh = Native::new(&fake.url(), false)?;
    let project_path = format!("/v2/projects/{}", ids::MOBILE_APP);
    let get_project = || {
        let (result, _) = host.call(&env, |h, s| h.call_get_project(s, ids::MOBILE_APP, None))?;
        result.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        Ok(())
    };
    let (component, native_time) = side_by_side(cli.calls / 10, cli.calls, get_project, || {
        native.get::<wit::Project>(&project_path).map(drop)
    })?;
    let (_, fresh_time) = side_by_side(cli.calls / 10, cli.calls, get_project, || {
        native_fresh.get::<wit::Project>(&project_path).map(drop)
    })?;
    rows.push(
        Row::new(
            "`get-project` (one request; component: fresh instance per call; both keep the connection alive)",
        )
        .component(us(component))
        .native(us(native_time))
        .ratio(component, native_time)
        .budget("≤ 1.5× native", ratio(component, native_time) <= 1.5),
    );
    // The part of a call no component work can remove, beside the whole native call.
    let (floor, native_time) = side_by_side(
        cli.calls / 10,
        cli.calls,
        || host.instantiate(&env).map(drop),
        || native.get::<wit::Project>(&project_path).map(drop),
    )?;
    rows.push(
        Row::new("fresh store and instance, nothing loaded or called (every call's floor), beside the native `get-project`")
            .component(us(floor))
            .native(us(native_time))
            .ratio(floor, native_time),
    );
    rows.push(
        Row::new("`get-project`, native client opening a connection per request")
            .component(us(component))
            .native(us(fresh_time))
            .ratio(component, fresh_time),
    );
    // The path `harvest-host mcp` takes: the catalogue's `call`, JSON arguments in and the
    // result as JSON out, no other export loaded.
    let arguments = format!(r#"{{"project_id": {}}}"#, ids::MOBILE_APP);
    let (through_catalogue, native_time) = side_by_side(
        cli.calls / 10,
        cli.calls,
        || {
            let (result, _) = host.call_tool(&env, "get_project", &arguments)?;
            result.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            Ok(())
        },
        || native.get::<wit::Project>(&project_path).map(drop),
    )?;
    rows.push(
        Row::new(
            "`get_project` through the catalogue, as `harvest-host mcp` calls it (JSON in and out)",
        )
        .component(us(through_catalogue))
        .native(us(native_time))
        .ratio(through_catalogue, native_time)
        .budget(
            "≤ 1.5× native",
            ratio(through_catalogue, native_time) <= 1.5,
        ),
    );

    for entries in [10_000u32, 50_000] {
        eprintln!("listing {entries} time entries…");
        let expected = fake.seed_time_entries(u64::from(entries))?;
        let query = wit::TimeEntryQuery::unfiltered(Some(entries));
        let list_path = format!("/v2/time_entries?per_page={}", 2000.min(entries));
        let mut record = CallRecord::default();
        let mut requests = 0;
        let (component, native_time) = side_by_side(
            1,
            cli.runs,
            || {
                fake.clear_requests();
                let (page, call) = host.call(&env, |h, s| h.call_list_time_entries(s, &query))?;
                let page = page.map_err(|e| anyhow::anyhow!("{e:?}"))?;
                check_ids(page.items.iter().map(|e| e.id), &expected)?;
                requests = fake.requests().len();
                record = call;
                Ok(())
            },
            || {
                let items: Vec<wit::TimeEntry> = native.list(&list_path, CONCURRENCY)?;
                check_ids(items.iter().map(|e| e.id), &expected)
            },
        )?;
        rows.push(
            Row::new(format!("list {entries} time entries (time)"))
                .component(ms(component))
                .native(ms(native_time))
                .ratio(component, native_time)
                .budget("≤ 2× native", ratio(component, native_time) <= 2.0),
        );
        rows.push(
            Row::new(format!(
                "list {entries} time entries (HTTP requests, peak guest memory)"
            ))
            .component(format!(
                "{requests} requests, {:.1} MiB",
                record.peak_memory_bytes as f64 / MIB
            ))
            .native(format!("{requests} requests")),
        );
        rows.push(summarize(&host, &env, &fake, entries, cli.runs)?);
    }

    // The last case is one where the wait, not the component's work, is most of a page's time.
    let cases: [(Duration, u32, &[usize]); 3] = [
        (LATENCY, 10_000, &[CONCURRENCY]),
        (LATENCY, 50_000, &[CONCURRENCY, 8]),
        (SLOW_LATENCY, 50_000, &[CONCURRENCY]),
    ];
    for (latency, entries, in_flight) in cases {
        eprintln!("listing {entries} time entries with {latency:?} per request…");
        fake.set_latency(latency);
        let expected = fake.seed_time_entries(u64::from(entries))?;
        let query = wit::TimeEntryQuery::unfiltered(Some(entries));
        let list = |env: &[(String, String)]| {
            let (page, _) = host.call(env, |h, s| h.call_list_time_entries(s, &query))?;
            let page = page.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            check_ids(page.items.iter().map(|e| e.id), &expected)
        };
        let sequential_env = config(&fake, Some(1));
        for &n in in_flight {
            let concurrent_env = config(&fake, Some(n));
            let mut on_cpu = Vec::new();
            let (concurrent, sequential) = side_by_side(
                1,
                cli.runs,
                || {
                    let before = thread_cpu();
                    list(&concurrent_env)?;
                    on_cpu.extend(
                        thread_cpu()
                            .zip(before)
                            .map(|(after, before)| after - before),
                    );
                    Ok(())
                },
                || list(&sequential_env),
            )?;
            // As the times: the first run is the warm-up.
            let on_cpu: Vec<Duration> = on_cpu.into_iter().skip(1).collect();
            let on_cpu = if on_cpu.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} of it on CPU in the calling thread)",
                    ms(median(on_cpu))
                )
            };
            let speedup = ratio(sequential, concurrent);
            let budgeted = latency == LATENCY && entries == 50_000 && n == CONCURRENCY;
            rows.push(
                Row::new(format!(
                    "list {entries} time entries, {} ms per request: 1 page in flight → {n}",
                    latency.as_millis()
                ))
                .component(format!("{} → {}{on_cpu}", ms(sequential), ms(concurrent)))
                .ratio_text(format!("{speedup:.2}× faster"))
                .budget(
                    if budgeted { "≥ 3× faster" } else { "" },
                    !budgeted || speedup >= 3.0,
                ),
            );
        }
    }
    fake.set_latency(Duration::ZERO);

    // The MCP server as a client starts it, through the official Python SDK.
    let project_env = config(&fake, None);
    rows.extend(mcp_bench::rows(path, &project_env)?);
    rows.push(silent_upstream(&host)?);
    Ok(render(&rows, cli))
}

/// `summarize-time` over the same seeded entries, per user and project: its time and peak
/// guest memory, which stays that of a few pages however many entries there are.
fn summarize(
    host: &Host,
    env: &[(String, String)],
    fake: &FakeHarvest,
    entries: u32,
    runs: usize,
) -> Result<Row> {
    eprintln!("summarizing {entries} time entries…");
    let query = wit::TimeTotalsQuery::between(
        "2000-01-01",
        "2100-12-31",
        vec![wit::Grouping::User, wit::Grouping::Project],
    );
    let mut record = CallRecord::default();
    let mut requests = 0;
    let mut times = Vec::new();
    for run in 0..=runs {
        fake.clear_requests();
        let started = Instant::now();
        let (summary, call) = host.call(env, |h, s| h.call_summarize_time(s, &query))?;
        let elapsed = started.elapsed();
        let summary = summary.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        if summary.entries != u64::from(entries) {
            bail!(
                "summarize-time counted {} of {entries} entries",
                summary.entries
            );
        }
        requests = fake.requests().len();
        record = call;
        if run > 0 {
            times.push(elapsed);
        }
    }
    times.sort();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    Ok(Row::new(format!(
        "summarize-time over {entries} time entries, per user and project (time; HTTP requests, peak guest memory)"
    ))
    .component(format!(
        "{}; {requests} requests, {:.1} MiB",
        ms(median),
        record.peak_memory_bytes as f64 / MIB
    )))
}

/// A Harvest that never sends response headers, with the default settings: the time the
/// component takes to return a typed error (README, "When Harvest or the network
/// misbehaves"). Measured once: it is two first-byte timeouts, about 30 s.
fn silent_upstream(host: &Host) -> Result<Row> {
    eprintln!("a silent upstream with the default timeouts (about 30 s)…");
    let fake = FakeHarvest::start(FakeOptions::default())?;
    for _ in 0..3 {
        fake.inject(fake::Fault::Silent);
    }
    let started = Instant::now();
    let (result, _) = host.call(&fake.env(), |h, s| {
        h.call_get_project(s, ids::MOBILE_APP, None)
    })?;
    let elapsed = started.elapsed();
    let message = match result {
        Err(wit::Error::Transport(failure)) => failure.message,
        other => bail!("a silent upstream must end in a transport error, got {other:?}"),
    };
    let what = ["first-byte timeout", "call deadline"]
        .into_iter()
        .find(|what| message.contains(what))
        .unwrap_or("transport error");
    let attempts = fake.requests().len();
    Ok(Row::new("silent upstream: time to typed error (defaults)")
        .component(format!(
            "{:.1} s (transport: {what}, {attempts} attempts)",
            elapsed.as_secs_f64()
        ))
        .budget("≤ 35 s", elapsed <= Duration::from_secs(35)))
}

/// The fake's administrator environment, with `HARVEST_PAGE_CONCURRENCY` when given.
fn config(fake: &FakeHarvest, concurrency: Option<usize>) -> Vec<(String, String)> {
    let mut env = fake.env();
    if let Some(n) = concurrency {
        env.push(("HARVEST_PAGE_CONCURRENCY".to_string(), n.to_string()));
    }
    env
}

/// A benchmark that returns wrong answers measures nothing.
fn check_ids(got: impl Iterator<Item = u64>, expected: &[u64]) -> Result<()> {
    if !got.eq(expected.iter().copied()) {
        bail!("the listing did not return the seeded entries in order");
    }
    Ok(())
}

/// The median of `runs` timings after `warm_up` untimed ones.
fn median_of(
    warm_up: usize,
    runs: usize,
    mut once: impl FnMut() -> Result<Duration>,
) -> Result<Duration> {
    for _ in 0..warm_up {
        once()?;
    }
    let samples = (0..runs.max(1))
        .map(|_| once())
        .collect::<Result<Vec<_>>>()?;
    Ok(median(samples))
}

/// Medians of two workloads run alternately, so both see the same conditions.
fn side_by_side(
    warm_up: usize,
    runs: usize,
    mut a: impl FnMut() -> Result<()>,
    mut b: impl FnMut() -> Result<()>,
) -> Result<(Duration, Duration)> {
    for _ in 0..warm_up {
        a()?;
        b()?;
    }
    let (mut times_a, mut times_b) = (Vec::new(), Vec::new());
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        a()?;
        times_a.push(started.elapsed());
        let started = Instant::now();
        b()?;
        times_b.push(started.elapsed());
    }
    Ok((median(times_a), median(times_b)))
}

/// The time the calling thread has spent on CPU (Linux), where the guest runs: a listing whose
/// wall time is about this is bound by the component's work, not by the wait.
fn thread_cpu() -> Option<Duration> {
    let schedstat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = schedstat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(f64::MIN_POSITIVE)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn us(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1_000_000.0)
}

/// One line of the table.
pub struct Row {
    measure: String,
    component: String,
    native: String,
    ratio: String,
    budget: String,
}

impl Row {
    pub fn new(measure: impl Into<String>) -> Row {
        Row {
            measure: measure.into(),
            component: String::new(),
            native: String::new(),
            ratio: String::new(),
            budget: String::new(),
        }
    }

    pub fn component(self, value: String) -> Row {
        Row {
            component: value,
            ..self
        }
    }

    fn native(self, value: String) -> Row {
        Row {
            native: value,
            ..self
        }
    }

    fn ratio(self, component: Duration, native: Duration) -> Row {
        self.ratio_text(format!("{:.2}×", ratio(component, native)))
    }

    fn ratio_text(self, ratio: String) -> Row {
        Row { ratio, ..self }
    }

    pub fn budget(self, budget: &str, met: bool) -> Row {
        let budget = match (budget.is_empty(), met) {
            (true, _) => String::new(),
            (false, true) => format!("{budget}: met"),
            (false, false) => format!("{budget}: **missed**"),
        };
        Row { budget, ..self }
    }
}

fn render(rows: &[Row], cli: &Cli) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| measure | component | native client | ratio | budget |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    for row in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            row.measure, row.component, row.native, row.ratio, row.budget
        );
    }
    let _ = writeln!(
        out,
        "\nMedians of {} runs after warm-up ({} for the small call and instantiation); {}; \
         wasmtime 48, Cranelift.",
        cli.runs,
        cli.calls,
        machine()
    );
    out
}

/// The machine the figures came from: logical CPUs and CPU model.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpus} CPUs ({model})")
}

/// A native client doing what the component does: the same headers, connections kept alive
/// and reused (as the reference host's pool does) or, for reference, a new connection per
/// request (as `wasmtime-wasi-http`'s default sender does), JSON decoded into the same
/// records, and page-numbered lists read ahead with the same concurrency.
struct Native {
    runtime: tokio::runtime::Runtime,
    authority: String,
    /// Keep connections alive and reuse them (else one connection per request).
    pooled: bool,
    idle: std::cell::RefCell<Vec<hyper::client::conn::http1::SendRequest<Empty<Bytes>>>>,
}

#[derive(Deserialize)]
struct NativePage<T> {
    time_entries: Vec<T>,
    total_pages: Option<u32>,
}

impl Native {
    fn new(url: &str, pooled: bool) -> Result<Native> {
        let authority = url
            .strip_prefix("http://")
            .context("the fake's URL is http")?
            .to_string();
        Ok(Native {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?,
            authority,
            pooled,
            idle: Default::default(),
        })
    }

    async fn fetch(&self, path: &str) -> Result<Bytes> {
        let mut idle = self.idle.borrow_mut().pop();
        let ready = match idle.as_mut() {
            Some(sender) => sender.ready().await.is_ok(),
            None => false,
        };
        let mut sender = match idle {
            Some(sender) if ready => sender,
            _ => {
                let stream = tokio::net::TcpStream::connect(&self.authority).await?;
                stream.set_nodelay(true)?;
                let (sender, connection) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
                tokio::spawn(connection);
                sender
            }
        };
        let request = hyper::Request::get(path)
            .header("host", &self.authority)
            .header("user-agent", "harvest-bench (native client)")
            .header("accept", "application/json")
            .header("authorization", format!("Bearer {}", fake::ADMIN_TOKEN))
            .header("harvest-account-id", fake::ACCOUNT_ID.to_string())
            .body(Empty::<Bytes>::new())?;
        let response = sender.send_request(request).await?;
        if !response.status().is_success() {
            bail!("{path}: HTTP {}", response.status());
        }
        let body = response.into_body().collect().await?.to_bytes();
        if self.pooled {
            self.idle.borrow_mut().push(sender);
        }
        Ok(body)
    }

    fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.runtime
            .block_on(async { Ok(serde_json::from_slice(&self.fetch(path).await?)?) })
    }

    /// The first page, then the others it announces, `concurrency` at a time, in order.
    fn list<T: DeserializeOwned>(&self, first: &str, concurrency: usize) -> Result<Vec<T>> {
        self.runtime.block_on(async {
            let page: NativePage<T> = serde_json::from_slice(&self.fetch(first).await?)?;
            let mut items = page.time_entries;
            let others = (2..=page.total_pages.unwrap_or(1)).map(|n| format!("{first}&page={n}"));
            let mut pages = futures_util::stream::iter(others)
                .map(|path| async move {
                    let body = self.fetch(&path).await?;
                    Ok::<_, anyhow::Error>(serde_json::from_slice::<NativePage<T>>(&body)?)
                })
                .buffered(concurrency);
            while let Some(page) = pages.next().await {
                items.extend(page?.time_entries);
            }
            Ok(items)
        })
    }
}
