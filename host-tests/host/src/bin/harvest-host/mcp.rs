//! `harvest-host mcp`: the component served as an MCP server over stdio.
//!
//! `tools/list` is the component's catalogue; `tools/call` runs the component's dispatcher in a
//! fresh instance per call, configured by this process's `HARVEST_*` variables and nothing a
//! client sends. Stdout carries the protocol; every log line goes to stderr.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use harvest_host::cache::{Cache, CachedTool, ComponentDigest};
use harvest_host::host::{self, Host};
use harvest_host::wit;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    JsonObject, ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
    ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::Value;

const INSTRUCTIONS: &str = "Harvest time tracking and invoicing: time entries and timers, \
projects, tasks, clients, invoices and payments, reports, and computed answers (summarize_time, \
team_time_status, overdue invoices). When the access token may reach several Harvest accounts, \
call list_accounts first and pass the chosen account_id to the other tools. Dates: pass a \
natural period (period: today, this_week, last_month, this_quarter, last_30_days, ...) rather \
than computing from/to yourself; it is resolved in the user's time zone and the account's week \
start, and the answer echoes the dates. Most people who log time are Members, who may not list \
projects, tasks, clients or users: use list_my_project_assignments (or find_by_name) to find \
project and task ids, and a forbidden error's use_instead names the tool to call. Before a write \
a person should approve (deleting, changing an invoice), call preview_write with the same \
arguments to show the exact requests; create_time_entry refuses an identical entry made in the \
last 10 minutes unless allow_duplicate is true. Hours are decimal; money adds up per currency.";

/// Serves the component at `path` on stdin and stdout until the client closes the connection.
///
/// The component is loaded (through `cache`) on a thread of its own while the session starts:
/// `initialize` never waits for it, and `tools/list` waits only when the catalogue is not
/// cached beside the compiled component (see `host_tests::cache`).
pub fn serve(path: PathBuf, cache: Cache) -> Result<()> {
    let bytes = std::fs::read(&path).with_context(|| {
        format!(
            "reading the component {} (run `make build` first)",
            path.display()
        )
    })?;
    let digest = ComponentDigest::of(&bytes);
    drop(bytes);
    let tools = Arc::new(OnceLock::new());
    if let Some(cached) = cache.catalogue(&digest) {
        let listed = cached
            .iter()
            .map(|tool| mcp_tool(&wit::Tool::from(tool)))
            .collect::<Result<Vec<_>>>();
        if let Ok(listed) = listed {
            let _ = tools.set(Arc::new(listed));
        }
    }
    let server = Server {
        host: Arc::new(LazyHost {
            path,
            cache,
            digest,
            tools: tools.clone(),
            loaded: OnceLock::new(),
        }),
        tools,
        env: Arc::new(host::config_from_process_env()),
    };
    let loading = server.host.clone();
    std::thread::Builder::new()
        .name("load-component".into())
        .spawn(move || {
            if let Err(error) = loading.get() {
                eprintln!("harvest-host mcp: {error}");
            }
        })?;
    // One thread: the protocol is one client on stdio; calls run on blocking threads.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let running = server
            .serve(rmcp::transport::stdio())
            .await
            .context("starting the MCP session")?;
        running.waiting().await.context("serving MCP")?;
        Ok(())
    })
}

/// The component, loaded once by whoever needs it first (the loading thread, or a request that
/// arrives before it is done and then waits for it).
struct LazyHost {
    path: PathBuf,
    cache: Cache,
    digest: ComponentDigest,
    /// Filled from the cache at start, or here once the component is loaded.
    tools: Arc<OnceLock<Arc<Vec<Tool>>>>,
    loaded: OnceLock<Result<Host, String>>,
}

impl LazyHost {
    fn get(&self) -> Result<&Host, String> {
        self.loaded
            .get_or_init(|| self.load().map_err(|error| format!("{error:#}")))
            .as_ref()
            .map_err(Clone::clone)
    }

    fn load(&self) -> Result<Host> {
        let started = Instant::now();
        let (host, outcome) = Host::load_with(&self.path, &self.cache)?;
        if !host.has_host_interfaces() {
            return Err(anyhow!(
                "{}: {}",
                self.path.display(),
                host::NO_HOST_INTERFACES
            ));
        }
        eprintln!(
            "harvest-host mcp: component loaded in {} ms ({outcome:?})",
            started.elapsed().as_millis()
        );
        if self.tools.get().is_none() {
            let catalogue = host.tools()?;
            let listed = catalogue.iter().map(mcp_tool).collect::<Result<Vec<_>>>()?;
            let _ = self.tools.set(Arc::new(listed));
            let cached: Vec<CachedTool> = catalogue.iter().map(CachedTool::from).collect();
            if let Err(error) = self.cache.store_catalogue(&self.digest, &cached) {
                eprintln!("harvest-host mcp: not caching the catalogue: {error:#}");
            }
        }
        Ok(host)
    }
}

#[derive(Clone)]
struct Server {
    host: Arc<LazyHost>,
    tools: Arc<OnceLock<Arc<Vec<Tool>>>>,
    /// The component's configuration: the host's `HARVEST_*` variables, read once.
    env: Arc<Vec<(String, String)>>,
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("harvest", env!("CARGO_PKG_VERSION")).with_title("Harvest"),
            )
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        if let Some(tools) = self.tools.get() {
            return Ok(ListToolsResult::with_all_items(tools.to_vec()));
        }
        let host = self.host.clone();
        let loaded = tokio::task::spawn_blocking(move || host.get().map(drop))
            .await
            .map_err(|e| e.to_string())
            .and_then(|loaded| loaded);
        match (loaded, self.tools.get()) {
            (Ok(()), Some(tools)) => Ok(ListToolsResult::with_all_items(tools.to_vec())),
            (failure, _) => {
                eprintln!("harvest-host mcp: tools/list: {failure:?}");
                Err(ErrorData::internal_error(
                    "the component failed to load",
                    None,
                ))
            }
        }
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        let tools = self.tools.get()?;
        tools.iter().find(|tool| tool.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = request.name.into_owned();
        let arguments = Value::Object(request.arguments.unwrap_or_default()).to_string();
        let (host, env) = (self.host.clone(), self.env.clone());
        let started = Instant::now();
        let call = {
            let name = name.clone();
            tokio::task::spawn_blocking(move || {
                let host = host.get().map_err(|error| anyhow!(error))?;
                host.call_tool(&env, &name, &arguments)
            })
        };
        let outcome = call
            .await
            .map_err(|e| anyhow!("the call did not finish: {e}"))
            .and_then(|outcome| outcome);
        let elapsed = started.elapsed().as_millis();
        let (outcome, record) = outcome.map_err(|failure| {
            eprintln!("harvest-host mcp: {name}: host failure after {elapsed} ms: {failure:#}");
            ErrorData::internal_error(format!("{name}: the component failed"), None)
        })?;
        if !record.stderr.is_empty() {
            eprint!("{}", record.stderr);
        }
        let result = match outcome {
            Ok(json) => {
                eprintln!("harvest-host mcp: {name}: ok in {elapsed} ms");
                success(json)
            }
            Err(error) => {
                let text = host::error_text(&error);
                eprintln!("harvest-host mcp: {name}: {text} ({elapsed} ms)");
                CallToolResult::error(vec![ContentBlock::text(text)])
            }
        };
        Ok(result.into())
    }
}

/// A tool's JSON result: structured when it is an object (MCP's structured content must be),
/// and always as text for clients that read only the content.
fn success(json: String) -> CallToolResult {
    match serde_json::from_str::<Value>(&json) {
        Ok(value @ Value::Object(_)) => CallToolResult::structured(value),
        _ => CallToolResult::success(vec![ContentBlock::text(json)]),
    }
}

/// A catalogue entry as an MCP tool. The output schema is given only when it describes an
/// object, since MCP structured content is always an object.
fn mcp_tool(tool: &wit::Tool) -> Result<Tool> {
    let input = schema_object(&tool.input_schema)
        .with_context(|| format!("the input schema of {}", tool.name))?;
    let output = schema_object(&tool.output_schema)
        .with_context(|| format!("the output schema of {}", tool.name))?;
    let annotations = ToolAnnotations::with_title(tool.title.clone())
        .read_only(tool.annotations.read_only)
        .destructive(tool.annotations.destructive)
        .idempotent(tool.annotations.idempotent)
        .open_world(tool.annotations.open_world);
    let mut mcp = Tool::new_with_raw(
        tool.name.clone(),
        Some(Cow::Owned(tool.description.clone())),
        Arc::new(input),
    )
    .with_title(tool.title.clone())
    .with_annotations(annotations);
    if output.get("type").and_then(Value::as_str) == Some("object") {
        mcp = mcp.with_raw_output_schema(Arc::new(output));
    }
    Ok(mcp)
}

fn schema_object(text: &str) -> Result<JsonObject> {
    match serde_json::from_str(text).context("not JSON")? {
        Value::Object(object) => Ok(object),
        _ => Err(anyhow!("not a JSON object")),
    }
}
