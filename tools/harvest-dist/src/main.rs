//! Release tooling for the Harvest component: `package` turns a release build into a
//! distributed artifact (WIT docs and registry metadata embedded, the WIT package beside it),
//! `show` prints the embedded metadata, `wit` the WIT a component exports and imports,
//! `sbom-artifacts` names the artifacts in the SBOM, and `oci-round-trip` pushes an artifact to
//! an OCI registry, pulls it back and checks what the registry holds.

use std::collections::BTreeMap;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use clap::{Parser, Subcommand};
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use oci_wasm::{WASM_LAYER_MEDIA_TYPE, WASM_MANIFEST_CONFIG_MEDIA_TYPE, WasmClient, WasmConfig};
use sha2::{Digest, Sha256};
use wasm_encoder::{ComponentSection, CustomSection};
use wasm_metadata::{
    AddMetadata, AddMetadataField, Authors, Description, Homepage, Licenses, Metadata, Payload,
    Revision, Source, Version,
};
use wit_component::DecodedWasm;
use wit_parser::{PackageMetadata, Resolve, WorldItem, WorldKey};

#[derive(Parser)]
#[command(about = "Package the Harvest component and check an OCI registry round trip")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Embed the WIT docs and the metadata in a release build and write the WIT package.
    Package(PackageArgs),
    /// Print the metadata embedded in a component.
    Show { component: PathBuf },
    /// Write a component's main core module (its largest, the program; the others are WASI
    /// adapter glue) to a file, to be optimized.
    CoreModule { component: PathBuf, out: PathBuf },
    /// Put `module` (an optimized build of the main core module) in the component in place of
    /// the main core module, drop the debug names of the component's internals, and check that
    /// the result is a valid component.
    ReplaceCoreModule {
        component: PathBuf,
        module: PathBuf,
        out: PathBuf,
    },
    /// Print a component's WIT (its world, with the docs of `package-docs`), as
    /// `wasm-tools component wit` does.
    Wit { component: PathBuf },
    /// Add the shipped artifacts, with their SHA-256, to a CycloneDX SBOM of their dependencies;
    /// prints the result.
    SbomArtifacts {
        /// The SBOM `cargo sbom` wrote.
        #[arg(long)]
        sbom: PathBuf,
        #[arg(long)]
        version: String,
        /// An artifact to name in it (repeated).
        #[arg(long = "artifact", required = true)]
        artifacts: Vec<PathBuf>,
    },
    /// Publish a component to a registry over HTTPS, its metadata as the manifest's
    /// annotations. Credentials come from `REGISTRY_USERNAME` and `REGISTRY_PASSWORD`.
    Push {
        /// `registry/repository:tag`, such as `ghcr.io/owner/harvest-tools:0.2.0`.
        reference: String,
        component: PathBuf,
    },
    /// Push a component to a registry over plain HTTP, pull it back and check it.
    OciRoundTrip {
        /// `host:port/repository:tag` of a registry reached over plain HTTP (a local test one).
        reference: String,
        component: PathBuf,
    },
}

#[derive(clap::Args)]
struct PackageArgs {
    /// The component as cargo built it.
    #[arg(long)]
    component: PathBuf,
    /// The WIT directory the component was built from.
    #[arg(long)]
    wit: PathBuf,
    /// The world in that directory the component targets.
    #[arg(long)]
    world: String,
    /// Where to write the component with docs and metadata.
    #[arg(long)]
    out: PathBuf,
    /// Where to write the binary WIT package.
    #[arg(long)]
    wit_out: PathBuf,
    #[arg(long)]
    name: String,
    #[arg(long)]
    version: String,
    #[arg(long)]
    description: String,
    /// An SPDX licence expression.
    #[arg(long)]
    licenses: String,
    #[arg(long)]
    source: String,
    #[arg(long)]
    homepage: String,
    #[arg(long)]
    revision: String,
    #[arg(long)]
    authors: String,
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Package(args) => package(&args),
        Command::Show { component } => {
            let wasm = read(&component)?;
            for (key, value) in annotations(&wasm)? {
                println!("{key}: {value}");
            }
            Ok(())
        }
        Command::CoreModule { component, out } => {
            let wasm = read(&component)?;
            let (_, module) = main_core_module(&wasm)?;
            fs::write(&out, &wasm[module]).with_context(|| format!("writing {}", out.display()))
        }
        Command::ReplaceCoreModule {
            component,
            module,
            out,
        } => {
            let replaced = replace_core_module(&read(&component)?, &read(&module)?)?;
            fs::write(&out, replaced).with_context(|| format!("writing {}", out.display()))
        }
        Command::Wit { component } => {
            print!("{}", component_wit(&read(&component)?)?);
            Ok(())
        }
        Command::SbomArtifacts {
            sbom,
            version,
            artifacts,
        } => {
            let sbom = sbom_with_artifacts(&read(&sbom)?, &version, &artifacts)?;
            println!("{}", serde_json::to_string_pretty(&sbom)?);
            Ok(())
        }
        Command::Push {
            reference,
            component,
        } => {
            let auth = match (
                std::env::var("REGISTRY_USERNAME"),
                std::env::var("REGISTRY_PASSWORD"),
            ) {
                (Ok(user), Ok(password)) => RegistryAuth::Basic(user, password),
                _ => RegistryAuth::Anonymous,
            };
            let (reference, client) = (reference.parse()?, registry(ClientProtocol::Https));
            let wasm = read(&component)?;
            let url = runtime()?.block_on(push(&client, &reference, &auth, &wasm))?;
            println!("pushed {reference}: {url}");
            Ok(())
        }
        Command::OciRoundTrip {
            reference,
            component,
        } => runtime()?.block_on(oci_round_trip(&reference, &component)),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

fn registry(protocol: ClientProtocol) -> WasmClient {
    WasmClient::new(Client::new(ClientConfig {
        protocol,
        ..ClientConfig::default()
    }))
}

/// Pushes the component with its metadata as annotations; returns the manifest's URL.
async fn push(
    client: &WasmClient,
    reference: &Reference,
    auth: &RegistryAuth,
    wasm: &[u8],
) -> Result<String> {
    let annotations = annotations(wasm)?;
    ensure!(!annotations.is_empty(), "the component carries no metadata");
    let (config, layer) = WasmConfig::from_raw_component(wasm.to_vec(), None)?;
    let pushed = client
        .push(reference, auth, layer, config, Some(annotations))
        .await
        .with_context(|| format!("pushing {reference}"))?;
    Ok(pushed.manifest_url)
}

/// The byte ranges of the component's largest core module section: the whole section (id and
/// size first) and the module in it.
fn main_core_module(component: &[u8]) -> Result<(Range<usize>, Range<usize>)> {
    let mut largest: Option<Range<usize>> = None;
    for payload in wasmparser::Parser::new(0).parse_all(component) {
        if let wasmparser::Payload::ModuleSection {
            unchecked_range, ..
        } = payload?
            && largest.as_ref().is_none_or(|r| unchecked_range.len() > r.len())
        {
            largest = Some(unchecked_range);
        }
    }
    let module = largest.context("the component has no core module")?;
    let header = section_header(module.len());
    let start = module
        .start
        .checked_sub(header.len())
        .filter(|start| component[*start..module.start] == header[..])
        .context("the main core module is not a top-level section of the component")?;
    Ok((start..module.end, module))
}

/// A core module section's id and size, as the component binary encodes them.
fn section_header(size: usize) -> Vec<u8> {
    let mut header = vec![1u8];
    let mut rest = size;
    loop {
        let byte = (rest & 0x7f) as u8;
        rest >>= 7;
        if rest == 0 {
            header.push(byte);
            return header;
        }
        header.push(byte | 0x80);
    }
}

fn replace_core_module(component: &[u8], module: &[u8]) -> Result<Vec<u8>> {
    let (section, _) = main_core_module(component)?;
    let mut out = Vec::with_capacity(component.len());
    out.extend_from_slice(&component[..section.start]);
    out.extend_from_slice(&section_header(module.len()));
    out.extend_from_slice(module);
    out.extend_from_slice(&component[section.end..]);
    let out = without_component_names(&out)?;
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&out)
        .context("the component with the optimized module does not validate")?;
    Ok(out)
}

/// `component` without its top-level `component-name` section, the names of its internal
/// instances and aliases for debuggers (14 KB of the tools-only component). Hosts read the
/// WIT from the type and export sections, which keep every name a caller sees.
fn without_component_names(component: &[u8]) -> Result<Vec<u8>> {
    const PREAMBLE: usize = 8;
    let (preamble, sections) = component
        .split_at_checked(PREAMBLE)
        .context("not a component")?;
    let mut out = preamble.to_vec();
    let mut reader = wasmparser::BinaryReader::new(sections, PREAMBLE);
    while !reader.eof() {
        let start = reader.original_position();
        let id = reader.read_u8()?;
        let size = reader.read_var_u32()? as usize;
        let contents = reader.original_position();
        let name = match id {
            0 => wasmparser::BinaryReader::new(&component[contents..], contents)
                .read_string()
                .ok(),
            _ => None,
        };
        reader.read_bytes(size)?;
        if name != Some("component-name") {
            out.extend_from_slice(&component[start..reader.original_position()]);
        }
    }
    Ok(out)
}

/// The WIT of a component, its own package first and the packages it imports from after it.
fn component_wit(component: &[u8]) -> Result<String> {
    let DecodedWasm::Component(resolve, root) = wit_component::decode(component)? else {
        bail!("expected a component, found a WIT package");
    };
    let package = resolve.worlds[root]
        .package
        .context("the component's world has no package")?;
    let nested: Vec<_> = resolve
        .packages
        .iter()
        .map(|(id, _)| id)
        .filter(|id| *id != package)
        .collect();
    let mut printer = wit_component::WitPrinter::default();
    printer.print(&resolve, package, &nested)?;
    Ok(printer.output.to_string())
}

/// The SBOM with each artifact as a `file` component: name, version, what it is (its embedded
/// description) and its SHA-256.
fn sbom_with_artifacts(
    sbom: &[u8],
    version: &str,
    artifacts: &[PathBuf],
) -> Result<serde_json::Value> {
    let mut sbom: serde_json::Value = serde_json::from_slice(sbom).context("parsing the SBOM")?;
    let mut files = Vec::new();
    for path in artifacts {
        let wasm = read(path)?;
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .context("an artifact's file name")?;
        let description = annotations(&wasm)?
            .remove("org.opencontainers.image.description")
            .with_context(|| format!("{name} carries no description: package it first"))?;
        let digest = sha256(&wasm);
        files.push(serde_json::json!({
            "type": "file",
            "bom-ref": format!("artifact:{name}"),
            "name": name,
            "version": version,
            "description": description,
            "hashes": [{"alg": "SHA-256", "content": digest.trim_start_matches("sha256:")}],
        }));
    }
    let components = sbom
        .as_object_mut()
        .context("the SBOM is not a JSON object")?
        .entry("components")
        .or_insert_with(|| serde_json::Value::Array(Vec::new()))
        .as_array_mut()
        .context("the SBOM's components are not a list")?;
    for (at, file) in files.into_iter().enumerate() {
        components.insert(at, file);
    }
    Ok(sbom)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn package(args: &PackageArgs) -> Result<()> {
    let built = read(&args.component)?;
    let mut source = Resolve::new();
    let (package, _) = source
        .push_dir(&args.wit)
        .with_context(|| format!("parsing {}", args.wit.display()))?;

    let with_docs = add_package_docs(&built, &source, package, &args.world)?;
    let mut add = AddMetadata::default();
    add.name = AddMetadataField::Set(args.name.clone());
    add.version = AddMetadataField::Set(Version::new(args.version.clone()));
    add.description = AddMetadataField::Set(Description::new(args.description.clone()));
    add.licenses = AddMetadataField::Set(Licenses::new(&args.licenses)?);
    add.source = AddMetadataField::Set(Source::new(&args.source)?);
    add.homepage = AddMetadataField::Set(Homepage::new(&args.homepage)?);
    add.revision = AddMetadataField::Set(Revision::new(args.revision.clone()));
    add.authors = AddMetadataField::Set(Authors::new(args.authors.clone()));
    let shipped = add.to_wasm(&with_docs)?;
    fs::write(&args.out, &shipped).with_context(|| format!("writing {}", args.out.display()))?;

    // The WIT package as a binary: `wasm-tools component wit` turns it back into text, and
    // registries store it as the package's interface.
    let wit = wit_component::encode(&source, package)?;
    fs::write(&args.wit_out, wit).with_context(|| format!("writing {}", args.wit_out.display()))
}

/// Adds a `package-docs` section to the component, so that hosts decoding it see each tool's
/// description. A component describes itself as the world `root` of a synthetic package
/// `root:component`; the docs are copied from the WIT world onto it, export by export.
fn add_package_docs(
    component: &[u8],
    wit: &Resolve,
    wit_package: wit_parser::PackageId,
    world: &str,
) -> Result<Vec<u8>> {
    if Payload::from_binary(component).is_err() {
        bail!("not a WebAssembly component");
    }
    let DecodedWasm::Component(mut resolve, root) = wit_component::decode(component)? else {
        bail!("expected a component, found a WIT package");
    };
    let source_world = wit.packages[wit_package]
        .worlds
        .get(world)
        .map(|id| &wit.worlds[*id])
        .with_context(|| format!("no world `{world}` in the WIT package"))?;

    let target = &mut resolve.worlds[root];
    target.docs = source_world.docs.clone();
    let mut documented = 0;
    for (key, item) in &source_world.exports {
        let (WorldKey::Name(name), WorldItem::Function(func)) = (key, item) else {
            continue;
        };
        let Some(WorldItem::Function(exported)) =
            target.exports.get_mut(&WorldKey::Name(name.clone()))
        else {
            bail!("the component does not export `{name}`, which world `{world}` declares");
        };
        exported.docs = func.docs.clone();
        documented += 1;
    }
    ensure!(documented > 0, "world `{world}` exports no functions");

    let package = resolve.worlds[root]
        .package
        .context("the component's world has no package")?;
    let docs = PackageMetadata::extract(&resolve, package).encode()?;
    let mut out = component.to_vec();
    CustomSection {
        name: PackageMetadata::SECTION_NAME.into(),
        data: docs.into(),
    }
    .append_to_component(&mut out);
    Ok(out)
}

/// The component's metadata under the OCI annotation keys registries show.
fn annotations(component: &[u8]) -> Result<BTreeMap<String, String>> {
    let payload = Payload::from_binary(component)?;
    let Metadata {
        name,
        authors,
        description,
        licenses,
        source,
        homepage,
        revision,
        version,
        ..
    } = payload.metadata();
    let fields = [
        ("title", name.as_ref().map(ToString::to_string)),
        ("version", version.as_ref().map(ToString::to_string)),
        ("description", description.as_ref().map(ToString::to_string)),
        ("licenses", licenses.as_ref().map(ToString::to_string)),
        ("source", source.as_ref().map(ToString::to_string)),
        ("url", homepage.as_ref().map(ToString::to_string)),
        ("revision", revision.as_ref().map(ToString::to_string)),
        ("authors", authors.as_ref().map(ToString::to_string)),
    ];
    Ok(fields
        .into_iter()
        .filter_map(|(key, value)| Some((format!("org.opencontainers.image.{key}"), value?)))
        .collect())
}

fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

async fn oci_round_trip(reference: &str, path: &Path) -> Result<()> {
    let wasm = read(path)?;
    let reference: Reference = reference.parse()?;
    let expected = annotations(&wasm)?;
    let client = registry(ClientProtocol::Http);
    let auth = RegistryAuth::Anonymous;

    let url = push(&client, &reference, &auth, &wasm).await?;
    println!("pushed {reference}");
    println!("  manifest {url}");

    let (manifest, config, digest) = client
        .pull_manifest_and_config(&reference, &auth)
        .await
        .context("pulling the manifest")?;
    let image = client.pull(&reference, &auth).await.context("pulling")?;

    println!("pulled {reference}");
    println!("  manifest digest {digest}");
    println!("  config media type {}", manifest.config.media_type);
    ensure!(
        manifest.config.media_type == WASM_MANIFEST_CONFIG_MEDIA_TYPE,
        "config media type {}",
        manifest.config.media_type
    );
    ensure!(
        manifest.layers.len() == 1,
        "{} layers",
        manifest.layers.len()
    );
    let layer = &manifest.layers[0];
    println!(
        "  layer media type {}, {} bytes, {}",
        layer.media_type, layer.size, layer.digest
    );
    ensure!(
        layer.media_type == WASM_LAYER_MEDIA_TYPE,
        "layer media type {}",
        layer.media_type
    );
    let local = sha256(&wasm);
    ensure!(
        layer.digest == local,
        "layer digest {} but the file is {local}",
        layer.digest
    );
    let [pulled] = image.layers.as_slice() else {
        bail!("pulled {} layers", image.layers.len());
    };
    ensure!(
        pulled.data.as_ref() == wasm.as_slice(),
        "the pulled bytes differ from the file"
    );
    ensure!(
        sha256(&pulled.data) == local,
        "the pulled bytes hash differently"
    );
    println!("  pulled bytes match {} ({local})", path.display());

    let annotations = manifest.annotations.unwrap_or_default();
    for (key, value) in &expected {
        let found = annotations.get(key);
        ensure!(
            found == Some(value),
            "annotation {key}: expected {value:?}, found {found:?}"
        );
        println!("  {key}: {value}");
    }
    let component = config
        .component
        .context("the config describes no component")?;
    ensure!(!component.exports.is_empty(), "the config lists no exports");
    println!(
        "  config: {} exports, {} imports, architecture {}, os {}",
        component.exports.len(),
        component.imports.len(),
        config.architecture,
        config.os
    );
    println!("OCI round trip: ok");
    Ok(())
}
