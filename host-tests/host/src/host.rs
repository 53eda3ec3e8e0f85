//! A wasmtime host for the Harvest component, as agent runtimes run it: the component is
//! compiled once, every call gets a fresh store and instance, configuration arrives as the
//! instance's environment, and outgoing HTTP is allowed only to the configured Harvest hosts.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use anyhow::{Context, Result, anyhow};
use wasmtime::component::types::ComponentFunc;
use wasmtime::component::{Component, Instance, Linker, ResourceTable, Val};
use wasmtime::{Engine, ResourceLimiter, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{
    RequestOptions, WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView,
};

use crate::wit::host_world::exports::harvest::tools::{catalogue, oauth};
use crate::wit::{self, Harvest, HarvestIndices, HarvestPre, Tool};

/// Environment keys the component reads; a host passes these and nothing else.
pub const CONFIG_PREFIX: &str = "HARVEST_";
const DEFAULT_API_HOST: &str = "api.harvestapp.com";
const DEFAULT_ID_HOST: &str = "id.getharvest.com";
/// Guest memory cap per call.
pub const MEMORY_LIMIT_BYTES: usize = 512 * 1024 * 1024;
const STDERR_CAPACITY: usize = 1024 * 1024;

/// Per-call store state.
pub struct State {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    policy: NetworkPolicy,
    memory: MemoryCap,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.policy,
        }
    }
}

/// Deny-by-default outgoing HTTP: only the listed host names (ports ignored, as hosts do).
pub struct NetworkPolicy {
    allowed: Vec<String>,
    denied: Arc<Mutex<Vec<String>>>,
}

impl WasiHttpHooks for NetworkPolicy {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
    ) -> Box<
        dyn Future<
                Output = wasmtime_wasi_http::Result<(
                    http::Response<WasiBody>,
                    Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
                )>,
            > + Send,
    > {
        let host = request
            .uri()
            .host()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !self.allowed.contains(&host) {
            if let Ok(mut denied) = self.denied.lock() {
                denied.push(request.uri().to_string());
            }
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        _ = fut;
        // Allowed: sent on a kept-alive connection to the origin (see `pool.rs`).
        Box::new(crate::pool::shared().send(request, options))
    }
}

/// The loaded component, ready to instantiate once per call: either artifact, the tools-only
/// `dist/harvest.wasm` or the host artifact `dist/harvest-host.wasm`.
pub struct Host {
    engine: Engine,
    component: Component,
    pre: HarvestPre<State>,
    tools: HarvestIndices,
    /// The `oauth` and `catalogue` exports, when the component has them.
    host_interfaces: Option<HostInterfaces>,
    slots: Slots,
}

/// The engine's pool has room for [`crate::engine::POOLED_INSTANCES`] instances: a call beyond
/// those waits for a slot rather than failing to instantiate (the MCP server runs each call on
/// a blocking thread of its own, so a client can ask for many at once).
struct Slots {
    free: Mutex<u32>,
    freed: Condvar,
}

/// A taken slot, given back when dropped (after the call's store).
struct Slot<'h>(&'h Slots);

impl Slots {
    fn take(&self) -> Slot<'_> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self
                .freed
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        Slot(self)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.0.freed.notify_one();
    }
}

/// Where the host artifact's own interfaces sit among the component's exports.
struct HostInterfaces {
    oauth: oauth::GuestIndices,
    catalogue: catalogue::GuestIndices,
}

impl HostInterfaces {
    fn new(pre: &wasmtime::component::InstancePre<State>) -> Result<HostInterfaces> {
        Ok(HostInterfaces {
            oauth: oauth::GuestIndices::new(pre)?,
            catalogue: catalogue::GuestIndices::new(pre)?,
        })
    }
}

/// One instance's exports: the tools (through `Deref`, as [`Harvest`]), and the `oauth` and
/// `catalogue` interfaces of the host artifact. Loading an export checks the types of each of
/// its functions, which for 34 tools costs as much as the instantiation itself; so the
/// interfaces are loaded only when a call asks for them.
pub struct Exports<'h> {
    tools: Harvest,
    instance: Instance,
    host_interfaces: Option<&'h HostInterfaces>,
}

pub const NO_HOST_INTERFACES: &str = "this component exports only the tools, no `oauth` or \
                                  `catalogue`: load the host artifact, dist/harvest-host.wasm";

impl std::ops::Deref for Exports<'_> {
    type Target = Harvest;
    fn deref(&self) -> &Harvest {
        &self.tools
    }
}

impl Exports<'_> {
    /// The `oauth` export; an error for the tools-only artifact (check
    /// [`Host::has_host_interfaces`], or load with [`Host::load_host_artifact`]).
    pub fn harvest_tools_oauth(&self, store: &mut Store<State>) -> wasmtime::Result<oauth::Guest> {
        self.host_interfaces
            .ok_or_else(|| wasmtime::format_err!(NO_HOST_INTERFACES))?
            .oauth
            .load(store, &self.instance)
    }
}

/// What one call left behind besides its result.
#[derive(Debug, Default)]
pub struct CallRecord {
    /// Everything the guest wrote to stderr.
    pub stderr: String,
    /// URLs the network policy refused.
    pub denied: Vec<String>,
    /// The largest size guest memory reached, in bytes.
    pub peak_memory_bytes: usize,
}

impl Host {
    /// Where `make build` puts the host artifact (the tools, `oauth` and `catalogue`);
    /// `HARVEST_COMPONENT` overrides it.
    pub fn default_component_path() -> PathBuf {
        match std::env::var_os("HARVEST_COMPONENT") {
            Some(path) => PathBuf::from(path),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist/harvest-host.wasm"),
        }
    }

    /// Where `make build` puts the tools-only artifact, what generic hosts load;
    /// `HARVEST_TOOLS_COMPONENT` overrides it.
    pub fn tools_only_component_path() -> PathBuf {
        match std::env::var_os("HARVEST_TOOLS_COMPONENT") {
            Some(path) => PathBuf::from(path),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist/harvest.wasm"),
        }
    }

    /// Loads the host artifact through `cache`, refusing a component without `oauth` and
    /// `catalogue`.
    pub fn load_host_artifact(path: &Path, cache: &crate::cache::Cache) -> Result<Host> {
        let (host, _) = Host::load_with(path, cache)?;
        if !host.has_host_interfaces() {
            return Err(anyhow!("{}: {NO_HOST_INTERFACES}", path.display()));
        }
        Ok(host)
    }

    /// Whether the component exports `oauth` and `catalogue` (the host artifact).
    pub fn has_host_interfaces(&self) -> bool {
        self.host_interfaces.is_some()
    }

    pub fn load(path: &Path) -> Result<Host> {
        Host::load_with(path, &crate::cache::Cache::disabled()).map(|(host, _)| host)
    }

    /// Loads the component through `cache` (see `cache.rs`), saying whether it was compiled.
    pub fn load_with(
        path: &Path,
        cache: &crate::cache::Cache,
    ) -> Result<(Host, crate::cache::Outcome)> {
        let engine = Engine::new(&crate::engine::config())?;
        let (component, outcome) = std::fs::read(path)
            .map_err(anyhow::Error::from)
            .and_then(|bytes| cache.component(&engine, &bytes))
            .with_context(|| {
                format!(
                    "loading the component {} (run `make build` first)",
                    path.display()
                )
            })?;
        let mut linker = Linker::<State>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_sync(&mut linker)?;
        let pre = HarvestPre::new(linker.instantiate_pre(&component)?)?;
        let tools = HarvestIndices::new(pre.instance_pre())?;
        let host_interfaces = HostInterfaces::new(pre.instance_pre()).ok();
        let host = Host {
            engine,
            component,
            pre,
            tools,
            host_interfaces,
            slots: Slots {
                free: Mutex::new(crate::engine::POOLED_INSTANCES),
                freed: Condvar::new(),
            },
        };
        Ok((host, outcome))
    }

    /// The interfaces the component imports, each with the number of functions the host
    /// must provide for it (none for an interface that only shares types).
    pub fn imports(&self) -> Vec<(String, usize)> {
        use wasmtime::component::types::ComponentItem;
        let ty = self.component.component_type();
        ty.imports(&self.engine)
            .map(|(name, item)| {
                let functions = match &item.ty {
                    ComponentItem::ComponentInstance(instance) => instance
                        .exports(&self.engine)
                        .filter(|(_, e)| matches!(e.ty, ComponentItem::ComponentFunc(_)))
                        .count(),
                    ComponentItem::ComponentFunc(_) => 1,
                    _ => 0,
                };
                (name.to_string(), functions)
            })
            .collect()
    }

    /// Every export of the component, by name, with whether it is a function (a world-level
    /// export, one tool) or an instance (an exported interface), as its type information says.
    pub fn exports(&self) -> Vec<(String, ExportKind)> {
        use wasmtime::component::types::ComponentItem;
        let ty = self.component.component_type();
        ty.exports(&self.engine)
            .map(|(name, item)| {
                let kind = match item.ty {
                    ComponentItem::ComponentFunc(_) => ExportKind::Function,
                    ComponentItem::ComponentInstance(_) => ExportKind::Interface,
                    _ => ExportKind::Other,
                };
                (name.to_string(), kind)
            })
            .collect()
    }

    /// The names of the component's exported functions.
    pub fn export_names(&self) -> Vec<String> {
        let ty = self.component.component_type();
        ty.exports(&self.engine)
            .filter(|(_, item)| {
                matches!(
                    item.ty,
                    wasmtime::component::types::ComponentItem::ComponentFunc(_)
                )
            })
            .map(|(name, _)| name.to_string())
            .collect()
    }

    /// A fresh store whose environment holds `env`, with the network allow list derived from
    /// it unless `options` names one.
    fn store(&self, env: &[(String, String)], options: &CallOptions) -> (Store<State>, Observers) {
        let stderr = MemoryOutputPipe::new(STDERR_CAPACITY);
        let mut builder = WasiCtx::builder();
        builder.envs(env).stderr(stderr.clone());
        if let Some(at) = options.wall_clock {
            builder.wall_clock(FixedWallClock(at));
        }
        let wasi = builder.build();
        let denied = Arc::new(Mutex::new(Vec::new()));
        let allowed = options
            .allowed_hosts
            .clone()
            .unwrap_or_else(|| allowed_hosts(env));
        let state = State {
            wasi,
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            policy: NetworkPolicy {
                allowed,
                denied: denied.clone(),
            },
            memory: MemoryCap {
                limit: MEMORY_LIMIT_BYTES,
                peak: 0,
            },
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.memory);
        (store, Observers { stderr, denied })
    }

    /// Instantiates the component in a fresh store and drops both, loading and calling nothing:
    /// what every call costs before the component does any work.
    pub fn instantiate(&self, env: &[(String, String)]) -> Result<CallRecord> {
        self.run(&CallOptions::default(), env, |_, _| Ok(()))
            .map(|((), record)| record)
    }

    /// Calls typed exports in a fresh instance.
    pub fn call<R>(
        &self,
        env: &[(String, String)],
        f: impl FnOnce(&Exports, &mut Store<State>) -> wasmtime::Result<R>,
    ) -> Result<(R, CallRecord)> {
        self.call_with(&CallOptions::default(), env, f)
    }

    /// Calls typed exports in a fresh instance, with per-call host settings.
    pub fn call_with<R>(
        &self,
        options: &CallOptions,
        env: &[(String, String)],
        f: impl FnOnce(&Exports, &mut Store<State>) -> wasmtime::Result<R>,
    ) -> Result<(R, CallRecord)> {
        self.run(options, env, |store, instance| {
            let exports = Exports {
                tools: self.tools.load(&mut *store, &instance)?,
                instance,
                host_interfaces: self.host_interfaces.as_ref(),
            };
            f(&exports, store)
        })
    }

    /// Runs `f` on a fresh instance, and says what the call left behind.
    fn run<R>(
        &self,
        options: &CallOptions,
        env: &[(String, String)],
        f: impl FnOnce(&mut Store<State>, Instance) -> wasmtime::Result<R>,
    ) -> Result<(R, CallRecord)> {
        let _slot = self.slots.take();
        let (mut store, observers) = self.store(env, options);
        let instance = self.pre.instance_pre().instantiate(&mut store)?;
        let result = f(&mut store, instance);
        let record = observers.record(&store);
        match result {
            Ok(value) => Ok((value, record)),
            Err(trap) => Err(trapped(trap, &record)),
        }
    }

    /// Calls the host artifact's `catalogue` in a fresh instance, loading no other export.
    fn call_catalogue<R>(
        &self,
        options: &CallOptions,
        env: &[(String, String)],
        f: impl FnOnce(&catalogue::Guest, &mut Store<State>) -> wasmtime::Result<R>,
    ) -> Result<(R, CallRecord)> {
        let indices = self
            .host_interfaces
            .as_ref()
            .ok_or_else(|| anyhow!(NO_HOST_INTERFACES))?;
        self.run(options, env, |store, instance| {
            let catalogue = indices.catalogue.load(&mut *store, &instance)?;
            f(&catalogue, store)
        })
    }

    /// Calls the export `name` with the parameters `params` builds from its type, returning
    /// its raw result.
    pub fn call_dynamic(
        &self,
        env: &[(String, String)],
        name: &str,
        params: impl FnOnce(&ComponentFunc) -> Result<Vec<Val>>,
    ) -> Result<(Option<Val>, CallRecord)> {
        // A missing export or parameters that do not fit its type are the caller's mistake,
        // not a trap: they travel inside the call's result.
        let (result, record) = self.run(&CallOptions::default(), env, |store, instance| {
            let Some(func) = instance.get_func(&mut *store, name) else {
                return Ok(Err(anyhow!("the component has no export named {name:?}")));
            };
            let ty = func.ty(&*store);
            let params = match params(&ty) {
                Ok(params) => params,
                Err(error) => return Ok(Err(error)),
            };
            let mut results = vec![Val::Bool(false); ty.results().len()];
            func.call(&mut *store, &params, &mut results)?;
            Ok(Ok(results.into_iter().next()))
        })?;
        Ok((result?, record))
    }
}

impl Host {
    /// The component's tool catalogue (it needs no configuration).
    pub fn tools(&self) -> Result<Vec<Tool>> {
        let (tools, _) =
            self.call_catalogue(&CallOptions::default(), &[], |catalogue, store| {
                catalogue.call_tools(store)
            })?;
        Ok(tools)
    }

    /// Calls a tool by its catalogue name with a JSON object of arguments, in a fresh instance:
    /// `Ok(json)` when the tool succeeded, `Err(error)` for its typed error.
    pub fn call_tool(
        &self,
        env: &[(String, String)],
        name: &str,
        arguments: &str,
    ) -> Result<(std::result::Result<String, wit::Error>, CallRecord)> {
        self.call_tool_with(&CallOptions::default(), env, name, arguments)
    }

    /// As [`Host::call_tool`], with per-call host settings.
    pub fn call_tool_with(
        &self,
        options: &CallOptions,
        env: &[(String, String)],
        name: &str,
        arguments: &str,
    ) -> Result<(std::result::Result<String, wit::Error>, CallRecord)> {
        self.call_catalogue(options, env, |catalogue, store| {
            catalogue.call_call(store, name, arguments)
        })
    }
}

/// What an export of the component is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    /// A world-level function: one tool.
    Function,
    /// An exported interface (an instance of functions).
    Interface,
    /// Anything else (a type, a module, a component).
    Other,
}

/// A tool's typed error as JSON, in the shape generic component hosts show variants.
pub fn error_json(error: &wit::Error) -> serde_json::Value {
    use serde_json::json;
    use wit::Error;
    let (tag, val) = match error {
        Error::InvalidInput(e) => ("invalid-input", json!({"field": e.field, "rule": e.rule})),
        Error::Unauthorized(m) => ("unauthorized", json!(m)),
        Error::Forbidden(e) => (
            "forbidden",
            json!({"message": e.message, "use_instead": e.use_instead}),
        ),
        Error::NotFound(m) => ("not-found", json!(m)),
        Error::Rejected(m) => ("rejected", json!(m)),
        Error::RateLimited(e) => (
            "rate-limited",
            json!({"retry_after_seconds": e.retry_after_seconds, "message": e.message}),
        ),
        Error::Upstream(e) => (
            "upstream",
            json!({"status": e.status, "message": e.message}),
        ),
        Error::Transport(e) => (
            "transport",
            json!({"message": e.message, "write_may_have_applied": e.write_may_have_applied}),
        ),
        Error::Config(m) => ("config", json!(m)),
        Error::Internal(m) => ("internal", json!(m)),
        Error::Duplicate(e) => (
            "duplicate",
            json!({"message": e.message, "existing_id": e.existing_id}),
        ),
    };
    json!({"tag": tag, "val": val})
}

/// A tool's typed error as one line for a model: what failed and what to do.
pub fn error_text(error: &wit::Error) -> String {
    use wit::Error;
    match error {
        Error::InvalidInput(e) => format!("invalid input: `{}` {}", e.field, e.rule),
        Error::Unauthorized(m) => format!("unauthorized: {m}"),
        Error::Forbidden(e) => match &e.use_instead {
            Some(tool) => format!("forbidden: {}; use `{tool}` instead", e.message),
            None => format!("forbidden: {}", e.message),
        },
        Error::NotFound(m) => format!("not found: {m}"),
        Error::Rejected(m) => format!("rejected by Harvest: {m}"),
        Error::RateLimited(e) => format!(
            "rate limited: {}; call again in {} s",
            e.message, e.retry_after_seconds
        ),
        Error::Upstream(e) => format!("Harvest failed (HTTP {}): {}", e.status, e.message),
        Error::Transport(e) if e.write_may_have_applied => format!(
            "network failure: {}; the change may have been applied, check before repeating it",
            e.message
        ),
        Error::Transport(e) => format!("network failure: {}", e.message),
        Error::Config(m) => format!("not configured: {m}"),
        Error::Internal(m) => format!("the component failed: {m}"),
        Error::Duplicate(e) => format!(
            "duplicate of time entry {}, nothing was created: {}",
            e.existing_id, e.message
        ),
    }
}

/// Per-call settings a host chooses.
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    /// Host names the component may reach; default: those its configuration names.
    pub allowed_hosts: Option<Vec<String>>,
    /// What the guest's `wasi:clocks/wall-clock` reads, as time since the Unix epoch, fixed for
    /// the whole call; default: the host's own clock.
    pub wall_clock: Option<std::time::Duration>,
}

/// A wall clock stopped at one instant (time since the Unix epoch).
struct FixedWallClock(std::time::Duration);

impl wasmtime_wasi::HostWallClock for FixedWallClock {
    fn resolution(&self) -> std::time::Duration {
        std::time::Duration::from_secs(1)
    }

    fn now(&self) -> std::time::Duration {
        self.0
    }
}

/// What a store's observers saw, read after the call.
struct Observers {
    stderr: MemoryOutputPipe,
    denied: Arc<Mutex<Vec<String>>>,
}

impl Observers {
    fn record(&self, store: &Store<State>) -> CallRecord {
        CallRecord {
            stderr: String::from_utf8_lossy(&self.stderr.contents()).into_owned(),
            denied: self.denied.lock().map(|d| d.clone()).unwrap_or_default(),
            peak_memory_bytes: store.data().memory.peak,
        }
    }
}

fn trapped(trap: wasmtime::Error, record: &CallRecord) -> anyhow::Error {
    anyhow::Error::from(trap).context(format!(
        "the component trapped; its stderr: {}",
        record.stderr
    ))
}

/// Caps guest memory and remembers the largest size it reached.
pub struct MemoryCap {
    limit: usize,
    peak: usize,
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit {
            return Ok(false);
        }
        self.peak = self.peak.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

/// The Harvest host names the configuration points at.
fn allowed_hosts(env: &[(String, String)]) -> Vec<String> {
    let value = |key: &str| env.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let host_of = |url: &str| {
        url.parse::<http::Uri>()
            .ok()
            .and_then(|uri| uri.host().map(str::to_ascii_lowercase))
    };
    let api = value("HARVEST_API_URL")
        .and_then(host_of)
        .unwrap_or_else(|| DEFAULT_API_HOST.into());
    let id = value("HARVEST_ID_URL")
        .and_then(host_of)
        .unwrap_or_else(|| DEFAULT_ID_HOST.into());
    vec![api, id]
}

/// The `HARVEST_*` variables of this process's environment, and only those.
pub fn config_from_process_env() -> Vec<(String, String)> {
    std::env::vars()
        .filter(|(key, _)| key.starts_with(CONFIG_PREFIX) && key != crate::cache::CACHE_DIR_ENV)
        .collect()
}
