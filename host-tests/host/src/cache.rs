//! The reference host's compiled-component cache: Cranelift's output for a component, kept in
//! the user's cache directory so that a second `harvest-host call`, `mcp` or `demo` skips the
//! compile (hundreds of milliseconds and tens of megabytes) and only loads machine code.
//!
//! An entry is what [`Engine::precompile_component`] returns, wrapped in a header of ours:
//!
//! ```text
//! MAGIC (8 bytes) | key (32) | payload length (u64 LE) | sha256(payload) (32) | payload
//! ```
//!
//! The key of a compiled entry is a sha256 over the component's bytes and the engine's
//! compatibility hash ([`Engine::precompile_compatibility_hash`]: target, Cranelift flags,
//! tunables, wasm features and wasmtime's own version), so a different component, engine
//! configuration or wasmtime build never finds another's entry. Beside it, keyed on the
//! component's bytes alone, the cache keeps the tool catalogue, so that an MCP server can
//! answer `tools/list` before the component is loaded.
//!
//! Entries are written to a temporary file and renamed into place (readers see a whole entry or
//! none), as 0600 files in a 0700 directory. An entry that is truncated, altered, written for
//! another key or not ours at all fails the header or checksum check and is rebuilt; it is never
//! handed to wasmtime.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::hash::Hasher;
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// The first bytes of every entry this cache writes (format version 1).
const MAGIC: &[u8; 8] = b"HHCACHE1";
const HEADER_LEN: usize = 8 + 32 + 8 + 32;
/// Changes whenever the layout of [`CachedTool`] does.
const CATALOGUE_FORMAT: &str = "catalogue-v1";
/// Overrides where the cache lives (tests point it at a temporary directory).
pub const CACHE_DIR_ENV: &str = "HARVEST_HOST_CACHE_DIR";

/// Where compiled components are kept, or nowhere (`--no-cache`).
#[derive(Clone, Debug)]
pub struct Cache {
    dir: Option<PathBuf>,
}

/// What loading through the cache did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The cache is off: compiled, nothing written.
    Disabled,
    /// A valid entry was loaded; nothing was compiled.
    Hit,
    /// No entry: compiled, and the entry written.
    Miss,
    /// An entry was there but failed the checks (the reason): compiled and rewritten.
    Rebuilt(String),
}

/// The identity of one component's entries: the sha256 of its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ComponentDigest([u8; 32]);

impl ComponentDigest {
    pub fn of(bytes: &[u8]) -> ComponentDigest {
        ComponentDigest(Sha256::digest(bytes).into())
    }

    fn hex(&self) -> String {
        hex(&self.0)
    }
}

impl Cache {
    /// No cache: every load compiles, nothing is read or written.
    pub fn disabled() -> Cache {
        Cache { dir: None }
    }

    /// A cache in `dir` (created on first write).
    pub fn at(dir: impl Into<PathBuf>) -> Cache {
        Cache {
            dir: Some(dir.into()),
        }
    }

    /// The user's cache: `$HARVEST_HOST_CACHE_DIR`, else `$XDG_CACHE_HOME/harvest-host`, else
    /// `~/.cache/harvest-host`; disabled when none of them is set.
    pub fn user() -> Cache {
        let non_empty = |key: &str| std::env::var_os(key).filter(|v| !v.is_empty());
        let dir = non_empty(CACHE_DIR_ENV).map(PathBuf::from).or_else(|| {
            non_empty("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| non_empty("HOME").map(|home| PathBuf::from(home).join(".cache")))
                .map(|base| base.join("harvest-host"))
        });
        Cache { dir }
    }

    /// The user's cache, or none when `no_cache` (the CLI's `--no-cache`).
    pub fn from_flag(no_cache: bool) -> Cache {
        if no_cache {
            Cache::disabled()
        } else {
            Cache::user()
        }
    }

    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The component compiled for `engine`: from a valid entry when there is one, else compiled
    /// and (when the cache is on) written for next time. A cache that cannot be written (full
    /// disk, read-only home) only costs the compile; the component still loads.
    pub fn component(&self, engine: &Engine, bytes: &[u8]) -> Result<(Component, Outcome)> {
        let Some(dir) = &self.dir else {
            return Ok((Component::new(engine, bytes)?, Outcome::Disabled));
        };
        let digest = ComponentDigest::of(bytes);
        let key = compiled_key(engine, &digest);
        let path = dir.join(format!("{}-{}.cwasm", digest.hex(), &hex(&key)[..16]));
        let outcome = match read_entry(&path, &key) {
            Ok(Some(payload)) => {
                // SAFETY: `Component::deserialize` trusts its input to be machine code that
                // wasmtime wrote for this engine. These bytes are: they come from a file only
                // this user can write (0700 directory, 0600 file, checked in `read_entry`),
                // that this cache wrote with `Engine::precompile_component`, and they passed
                // our header over the whole file (magic, this engine's and component's key,
                // exact length, sha256 of the payload) in memory, so what wasmtime reads here is
                // exactly what was checked (no re-read of the file in between). A truncated,
                // corrupted or foreign file fails those checks and never gets here; wasmtime
                // then checks its own header and engine compatibility on top.
                match unsafe { Component::deserialize(engine, &payload) } {
                    Ok(component) => return Ok((component, Outcome::Hit)),
                    Err(error) => Outcome::Rebuilt(format!("wasmtime refused the entry: {error}")),
                }
            }
            Ok(None) => Outcome::Miss,
            Err(reason) => Outcome::Rebuilt(reason),
        };
        let compiled = engine.precompile_component(bytes)?;
        if let Err(error) = write_entry(dir, &path, &key, &compiled) {
            eprintln!(
                "harvest-host: not caching the compiled component in {}: {error:#}",
                dir.display()
            );
        }
        // SAFETY: `compiled` was produced a moment ago, in this process, by
        // `Engine::precompile_component` on this engine, and has not left memory.
        let component = unsafe { Component::deserialize(engine, &compiled)? };
        Ok((component, outcome))
    }

    /// The catalogue kept beside the component whose bytes hash to `digest`, if there is a
    /// valid one.
    pub fn catalogue(&self, digest: &ComponentDigest) -> Option<Vec<CachedTool>> {
        let dir = self.dir.as_ref()?;
        let key = catalogue_key(digest);
        let payload = read_entry(&catalogue_path(dir, digest), &key).ok()??;
        serde_json::from_slice(&payload).ok()
    }

    /// Keeps the catalogue beside the component's entry (best effort, like the compiled entry).
    pub fn store_catalogue(&self, digest: &ComponentDigest, tools: &[CachedTool]) -> Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let payload = serde_json::to_vec(tools)?;
        write_entry(
            dir,
            &catalogue_path(dir, digest),
            &catalogue_key(digest),
            &payload,
        )
    }
}

fn catalogue_path(dir: &Path, digest: &ComponentDigest) -> PathBuf {
    dir.join(format!("{}.catalogue", digest.hex()))
}

/// A tool of the component's catalogue, as the cache keeps it (the host's `Tool` field for
/// field).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CachedTool {
    pub name: String,
    pub title: String,
    pub description: String,
    pub read: bool,
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
    pub input_schema: String,
    pub output_schema: String,
}

impl From<&crate::wit::Tool> for CachedTool {
    fn from(tool: &crate::wit::Tool) -> CachedTool {
        CachedTool {
            name: tool.name.clone(),
            title: tool.title.clone(),
            description: tool.description.clone(),
            read: matches!(tool.access, crate::wit::Access::Read),
            read_only: tool.annotations.read_only,
            destructive: tool.annotations.destructive,
            idempotent: tool.annotations.idempotent,
            open_world: tool.annotations.open_world,
            input_schema: tool.input_schema.clone(),
            output_schema: tool.output_schema.clone(),
        }
    }
}

impl From<&CachedTool> for crate::wit::Tool {
    fn from(tool: &CachedTool) -> crate::wit::Tool {
        crate::wit::Tool {
            name: tool.name.clone(),
            title: tool.title.clone(),
            description: tool.description.clone(),
            access: if tool.read {
                crate::wit::Access::Read
            } else {
                crate::wit::Access::Write
            },
            annotations: crate::wit::Annotations {
                read_only: tool.read_only,
                destructive: tool.destructive,
                idempotent: tool.idempotent,
                open_world: tool.open_world,
            },
            input_schema: tool.input_schema.clone(),
            output_schema: tool.output_schema.clone(),
        }
    }
}

/// A `Hasher` that feeds everything it is given into a sha256, so that wasmtime's
/// compatibility hash becomes part of a stable, collision-resistant key.
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        0
    }
}

fn compiled_key(engine: &Engine, digest: &ComponentDigest) -> [u8; 32] {
    use std::hash::Hash;
    let mut hasher = Sha256Hasher(Sha256::new());
    hasher.write(b"harvest-host compiled component\0");
    hasher.write(&digest.0);
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hasher.0.finalize().into()
}

fn catalogue_key(digest: &ComponentDigest) -> [u8; 32] {
    let mut sha = Sha256::new();
    sha.update(b"harvest-host ");
    sha.update(CATALOGUE_FORMAT.as_bytes());
    sha.update([0]);
    sha.update(digest.0);
    sha.finalize().into()
}

/// The payload of the entry at `path` if it is there and valid: `Ok(None)` when there is no
/// entry, `Err(reason)` when there is one that must not be trusted.
fn read_entry(path: &Path, key: &[u8; 32]) -> std::result::Result<Option<Vec<u8>>, String> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(format!("unreadable: {error}")),
    };
    let meta = file.metadata().map_err(|e| format!("unreadable: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    // Only files that nobody but the user could have written: ours are 0600 in a 0700 dir.
    if meta.mode() & 0o022 != 0 {
        return Err(format!(
            "writable by others (mode {:o})",
            meta.mode() & 0o777
        ));
    }
    if let Some(parent) = path.parent() {
        let dir = fs::metadata(parent).map_err(|e| format!("unreadable directory: {e}"))?;
        if dir.mode() & 0o022 != 0 || dir.uid() != meta.uid() {
            return Err("the cache directory is not private to its owner".into());
        }
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)
        .map_err(|e| format!("unreadable: {e}"))?;
    check_entry(bytes, key).map(Some)
}

/// Checks our header over the whole entry and returns its payload.
fn check_entry(mut bytes: Vec<u8>, key: &[u8; 32]) -> std::result::Result<Vec<u8>, String> {
    if bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
        return Err("not an entry of this cache".into());
    }
    if &bytes[8..40] != key {
        return Err("an entry for another component or engine".into());
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&bytes[40..48]);
    if u64::from_le_bytes(len) != (bytes.len() - HEADER_LEN) as u64 {
        return Err("truncated or extended".into());
    }
    let payload = bytes.split_off(HEADER_LEN);
    if Sha256::digest(&payload).as_slice() != &bytes[48..80] {
        return Err("checksum mismatch".into());
    }
    Ok(payload)
}

/// Writes an entry atomically: a 0600 temporary file in the same 0700 directory, synced, then
/// renamed over `path`.
fn write_entry(dir: &Path, path: &Path, key: &[u8; 32], payload: &[u8]) -> Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))?;
    // `mode` applies only to directories created now; an existing one is made private too.
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .with_context(|| format!("making {} private", dir.display()))?;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let temp = dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| -> Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        let mut header = Vec::with_capacity(HEADER_LEN);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(key);
        header.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        header.extend_from_slice(&Sha256::digest(payload));
        file.write_all(&header)?;
        file.write_all(payload)?;
        file.sync_all()?;
        fs::rename(&temp, path)?;
        Ok(())
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written.with_context(|| format!("writing {}", path.display()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &[u8; 32], payload: &[u8]) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(key);
        bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&Sha256::digest(payload));
        bytes.extend_from_slice(payload);
        bytes
    }

    #[test]
    fn a_whole_entry_gives_back_its_payload() {
        let key = [7u8; 32];
        assert_eq!(
            check_entry(entry(&key, b"code"), &key),
            Ok(b"code".to_vec())
        );
    }

    #[test]
    fn damaged_or_foreign_entries_are_refused() {
        let key = [7u8; 32];
        let good = entry(&key, b"machine code");
        let mut flipped = good.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        let truncated = good[..good.len() - 3].to_vec();
        let mut extended = good.clone();
        extended.push(0);
        for (what, bytes) in [
            ("flipped", flipped),
            ("truncated", truncated),
            ("extended", extended),
            ("other key", entry(&[8u8; 32], b"machine code")),
            ("foreign", b"\0asm\x0d\0\x01\0".to_vec()),
            ("empty", Vec::new()),
        ] {
            assert!(check_entry(bytes, &key).is_err(), "{what} was accepted");
        }
    }
}
