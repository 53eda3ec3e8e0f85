# The component is built for wasm32-wasip2 with the size-tuned release profile; the host
# (wasmtime, the fake Harvest, the reference CLI) is native.

WASM      := target/wasm32-wasip2/release/harvest.wasm
# Two artifacts from one source: harvest.wasm (world `harvest`, the tools only, for generic
# hosts) and harvest-host.wasm (world `harvest-host`, with the `host-interfaces` feature: the
# tools, `oauth` and `catalogue`, for the reference host and hosts that speak JSON).
BUILT     := target/components
ARTIFACTS := harvest harvest-host
FEATURES_harvest      :=
FEATURES_harvest-host := --features host-interfaces
# Each artifact's main core module goes through Debian's binaryen before it ships (see README,
# Performance, Size). The version is pinned: another wasm-opt gives other bytes. Flattening and
# re-looping the control flow between two -Oz rounds finds 8 KB that -Oz alone does not.
BINARYEN_VERSION := 108
WASM_OPT_FLAGS   := -Oz --flatten --rereloop -Oz -Oz \
                    --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
                    --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue
TOOLCHAIN := 1.95.0
# The release profile is tuned for the component's size; the native host is built for speed.
HOST_RELEASE := --config profile.release.lto=false --config profile.release.codegen-units=16 \
                --config profile.release.opt-level=3 --config profile.release.strip=false \
                --config 'profile.release.panic="unwind"'
# The MCP client the host tests drive `harvest-host mcp` with: the official Python SDK, pinned.
MCP_CLIENT  := target/mcp-client
MCP_VERSION := 2.3.0

# Paths are remapped so that the component does not depend on where it is built.
CARGO_HOME ?= $(HOME)/.cargo
export CARGO_TARGET_WASM32_WASIP2_RUSTFLAGS := --remap-path-prefix=$(CARGO_HOME)=/cargo \
                                               --remap-path-prefix=$(CURDIR)=/harvest

# Distribution: metadata embedded in dist/harvest.wasm comes from Cargo.toml and git.
VERSION     := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
DESCRIPTION := $(shell sed -n 's/^description = "\(.*\)"/\1/p' Cargo.toml | head -n1)
LICENSES    := $(shell sed -n 's/^license = "\(.*\)"/\1/p' Cargo.toml | head -n1)
REPOSITORY  := $(shell sed -n 's/^repository = "\(.*\)"/\1/p' Cargo.toml | head -n1)
AUTHORS     := Harvest component maintainers ($(REPOSITORY))
REVISION     = $(shell git rev-parse HEAD)$(shell git diff --quiet HEAD -- || echo -dirty)
PACKAGE_ARGS = --version '$(VERSION)' --licenses '$(LICENSES)' --source '$(REPOSITORY)' \
               --homepage '$(REPOSITORY)' --revision '$(REVISION)' --authors '$(AUTHORS)'
# Per artifact: its world (also its name) and description.
DESCRIPTION_harvest      := $(DESCRIPTION)
DESCRIPTION_harvest-host := $(DESCRIPTION), with the oauth and catalogue interfaces for hosts
PACKAGE_harvest      = --world harvest --name harvest --description '$(DESCRIPTION_harvest)'
PACKAGE_harvest-host = --world harvest-host --name harvest-host \
                       --description '$(DESCRIPTION_harvest-host)'
DIST_TOOL   := target/harvest-dist/debug/harvest-dist
TOOLS       := target/tools
# Release tooling from crates.io, pinned; installed into $(TOOLS), outside the user's PATH.
CARGO_DENY  := $(TOOLS)/bin/cargo-deny
CARGO_SBOM  := $(TOOLS)/bin/cargo-sbom

.PHONY: setup binaryen component build mcp-client test lint demo bench clean dist reproducible oci-test licenses \
        release-check

setup:
	rustup toolchain list | grep -q '^$(TOOLCHAIN)' || rustup toolchain install $(TOOLCHAIN) --profile minimal
	rustup target add wasm32-wasip2 --toolchain $(TOOLCHAIN)
	rustup component add rustfmt clippy --toolchain $(TOOLCHAIN)

binaryen:
	@command -v wasm-opt >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends binaryen; }
	@wasm-opt --version | grep -qx 'wasm-opt version $(BINARYEN_VERSION)' || { \
	  echo "wasm-opt $(BINARYEN_VERSION) (Debian's binaryen) is needed for reproducible bytes, found: $$(wasm-opt --version)"; \
	  exit 1; }

# Both artifacts, one cargo build each (the feature selects the world). The build's main core
# module is taken out of the component, optimized by wasm-opt and put back; the result is kept
# in $(BUILT) (with the cargo build as $(BUILT)/<name>.rustc.wasm) and copied to dist/.
component: setup binaryen | $(DIST_TOOL)
	mkdir -p $(BUILT) dist
	$(foreach a,$(ARTIFACTS),\
	  cargo build --target wasm32-wasip2 --release -p harvest $(FEATURES_$(a)) && \
	  cp $(WASM) $(BUILT)/$(a).rustc.wasm && \
	  $(DIST_TOOL) core-module $(BUILT)/$(a).rustc.wasm $(BUILT)/$(a).core.wasm && \
	  wasm-opt $(WASM_OPT_FLAGS) $(BUILT)/$(a).core.wasm -o $(BUILT)/$(a).core.opt.wasm && \
	  $(DIST_TOOL) replace-core-module $(BUILT)/$(a).rustc.wasm $(BUILT)/$(a).core.opt.wasm \
	    $(BUILT)/$(a).wasm && \
	  cp $(BUILT)/$(a).wasm dist/$(a).wasm &&) true
	@for a in $(ARTIFACTS); do \
	  echo "dist/$$a.wasm: $$(wc -c < dist/$$a.wasm) bytes ($$(wc -c < $(BUILT)/$$a.rustc.wasm) as cargo built it)"; \
	done

build: component
	cargo build --release -p harvest-host --bin harvest-host $(HOST_RELEASE)

mcp-client: $(MCP_CLIENT)/.mcp-$(MCP_VERSION)

$(MCP_CLIENT)/.mcp-$(MCP_VERSION):
	python3 -m venv $(MCP_CLIENT)
	$(MCP_CLIENT)/bin/pip install --quiet --disable-pip-version-check 'mcp==$(MCP_VERSION)'
	touch $@

# The host tests run the harvest-host binary, another package's, which cargo does not build for
# them: build it first, in one invocation with the tests so that both share one feature set.
test: component mcp-client
	cargo test -p harvest --lib --features host-interfaces
	cargo build -p harvest-host -p host-tests --bins --tests
	cargo test -p harvest-fake -p harvest-host -p host-tests

lint: setup
	cargo fmt --all --check
	cargo clippy --target wasm32-wasip2 -p harvest -- -D warnings
	cargo clippy --target wasm32-wasip2 -p harvest --features host-interfaces -- -D warnings
	cargo clippy -p harvest --lib --tests --features host-interfaces -- -D warnings
	cargo clippy -p harvest-host -p harvest-fake -p harvest-bench -p host-tests --all-targets -- -D warnings

demo: build
	target/release/harvest-host demo

# Prints the performance table and writes it to dist/bench.md (see README, Performance).
bench: component mcp-client
	cargo build --release -p harvest-bench -p harvest-host $(HOST_RELEASE)
	target/release/harvest-bench

clean:
	cargo clean
	rm -rf dist

# The release artifact: see "Distributing" in README.md.
dist: component $(DIST_TOOL) $(CARGO_SBOM) licenses
	$(foreach a,$(ARTIFACTS),\
	  $(DIST_TOOL) package --component $(BUILT)/$(a).wasm --wit wit --out dist/$(a).wasm \
	    --wit-out dist/harvest.wit.wasm $(PACKAGE_ARGS) $(PACKAGE_$(a)) &&) true
	rm -rf dist/wit && cp -r wit dist/wit
	cp harvest.policy.yaml dist/harvest.policy.yaml
	$(CARGO_SBOM) sbom --cargo-package harvest --output-format cyclone_dx_json_1_4 \
	  > target/harvest.cdx.json
	$(DIST_TOOL) sbom-artifacts --sbom target/harvest.cdx.json --version '$(VERSION)' \
	  $(foreach a,$(ARTIFACTS),--artifact dist/$(a).wasm) > dist/harvest.cdx.json
	sed -e 's/@VERSION@/$(VERSION)/g' -e 's/@REVISION@/$(REVISION)/g' \
	  -e 's|@REPOSITORY@|$(REPOSITORY)|g' \
	  -e "s/@SHA256@/$$(sha256sum dist/harvest.wasm | cut -d' ' -f1)/g" \
	  -e "s/@HOST_SHA256@/$$(sha256sum dist/harvest-host.wasm | cut -d' ' -f1)/g" \
	  tools/RELEASE.md.in > dist/RELEASE.md
	cd dist && for a in $(ARTIFACTS); do \
	  sha256sum $$a.wasm > $$a.wasm.sha256 && sha256sum -c $$a.wasm.sha256 || exit 1; \
	done
	for a in $(ARTIFACTS); do $(DIST_TOOL) show dist/$$a.wasm && $(DIST_TOOL) wit dist/$$a.wasm \
	  | grep -E '^(world|  export|  import)' || exit 1; done

$(DIST_TOOL): tools/harvest-dist/Cargo.toml tools/harvest-dist/Cargo.lock tools/harvest-dist/src/main.rs
	cargo build --locked --manifest-path tools/harvest-dist/Cargo.toml \
	  --target-dir target/harvest-dist

$(CARGO_DENY):
	cargo install --locked --root $(TOOLS) cargo-deny --version 0.20.2
$(CARGO_SBOM):
	cargo install --locked --root $(TOOLS) cargo-sbom --version 0.10.0

# Every dependency's licence against deny.toml. Only crates.io is reached (to fetch the crates
# cargo metadata reads); no advisory database is fetched.
licenses: $(CARGO_DENY)
	cargo fetch --locked --quiet
	cargo fetch --locked --quiet --manifest-path tools/harvest-dist/Cargo.toml
	$(CARGO_DENY) --offline check licenses
	$(CARGO_DENY) --offline --manifest-path tools/harvest-dist/Cargo.toml check licenses

# Two clean clones of the commit, at different paths with their own target directories, must
# build the same bytes.
reproducible: setup $(DIST_TOOL)
	rm -rf target/repro && mkdir -p target/repro
	for n in 1 2; do \
	  git clone -q --no-checkout . target/repro/$$n && \
	  git -C target/repro/$$n checkout -q --detach $$(git rev-parse HEAD) && \
	  env -u CARGO_BUILD_BUILD_DIR -u CARGO_TARGET_DIR $(MAKE) -s -C target/repro/$$n component \
	    DIST_TOOL=$(abspath $(DIST_TOOL)) && \
	  $(foreach a,$(ARTIFACTS),\
	    $(DIST_TOOL) package --component target/repro/$$n/$(BUILT)/$(a).wasm \
	      --wit target/repro/$$n/wit --out target/repro/$(a)-$$n.wasm \
	      --wit-out target/repro/harvest-$$n.wit.wasm $(PACKAGE_ARGS) $(PACKAGE_$(a)) &&) \
	  true || exit 1; \
	done
	set -e; for a in $(ARTIFACTS); do \
	  cmp target/repro/1/$(BUILT)/$$a.wasm target/repro/2/$(BUILT)/$$a.wasm; \
	  cmp target/repro/$$a-1.wasm target/repro/$$a-2.wasm; \
	  echo "reproducible: two clean builds of $$a.wasm give sha256 $$(sha256sum < target/repro/$$a-1.wasm | cut -d' ' -f1)"; \
	done
	cmp target/repro/harvest-1.wit.wasm target/repro/harvest-2.wit.wasm

# Push both artifacts to a local OCI registry, pull them back and check them.
oci-test: dist
	HARVEST_DIST=$(DIST_TOOL) tools/oci-round-trip.sh

# What CI runs besides the tests: the artifact, its reproducibility and the registry round trip.
release-check: dist reproducible oci-test
