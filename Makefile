# The component is built for wasm32-wasip2 with the size-tuned release profile; the host
# (wasmtime, the fake Harvest, the reference CLI) is native.

WASM      := target/wasm32-wasip2/release/harvest.wasm
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
PACKAGE_ARGS = --world harvest --name harvest --version '$(VERSION)' \
               --description '$(DESCRIPTION)' --licenses '$(LICENSES)' --source '$(REPOSITORY)' \
               --homepage '$(REPOSITORY)' --revision '$(REVISION)' --authors '$(AUTHORS)'
DIST_TOOL   := target/harvest-dist/debug/harvest-dist
TOOLS       := target/tools
# Release tooling from crates.io, pinned; installed into $(TOOLS), outside the user's PATH.
CARGO_DENY  := $(TOOLS)/bin/cargo-deny
CARGO_SBOM  := $(TOOLS)/bin/cargo-sbom

.PHONY: setup component build mcp-client test lint demo bench clean dist reproducible oci-test licenses \
        release-check

setup:
	rustup toolchain list | grep -q '^$(TOOLCHAIN)' || rustup toolchain install $(TOOLCHAIN) --profile minimal
	rustup target add wasm32-wasip2 --toolchain $(TOOLCHAIN)
	rustup component add rustfmt clippy --toolchain $(TOOLCHAIN)

component: setup
	cargo build --target wasm32-wasip2 --release -p harvest
	mkdir -p dist
	cp $(WASM) dist/harvest.wasm
	@echo "dist/harvest.wasm: $$(wc -c < dist/harvest.wasm) bytes"

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
	cargo test -p harvest --lib
	cargo build -p harvest-host -p host-tests --bins --tests
	cargo test -p harvest-fake -p harvest-host -p host-tests

lint: setup
	cargo fmt --all --check
	cargo clippy --target wasm32-wasip2 -p harvest -- -D warnings
	cargo clippy -p harvest --lib --tests -- -D warnings
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
	$(DIST_TOOL) package --component $(WASM) --wit wit --out dist/harvest.wasm \
	  --wit-out dist/harvest.wit.wasm $(PACKAGE_ARGS)
	rm -rf dist/wit && cp -r wit dist/wit
	cp harvest.policy.yaml dist/harvest.policy.yaml
	$(CARGO_SBOM) sbom --cargo-package harvest --output-format cyclone_dx_json_1_4 \
	  > dist/harvest.cdx.json
	sed -e 's/@VERSION@/$(VERSION)/g' -e 's/@REVISION@/$(REVISION)/g' \
	  -e 's|@REPOSITORY@|$(REPOSITORY)|g' \
	  -e "s/@SHA256@/$$(sha256sum dist/harvest.wasm | cut -d' ' -f1)/g" \
	  tools/RELEASE.md.in > dist/RELEASE.md
	cd dist && sha256sum harvest.wasm > harvest.wasm.sha256 && sha256sum -c harvest.wasm.sha256
	$(DIST_TOOL) show dist/harvest.wasm

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
	  env -u CARGO_BUILD_BUILD_DIR -u CARGO_TARGET_DIR $(MAKE) -s -C target/repro/$$n component && \
	  $(DIST_TOOL) package --component target/repro/$$n/$(WASM) --wit target/repro/$$n/wit \
	    --out target/repro/harvest-$$n.wasm --wit-out target/repro/harvest-$$n.wit.wasm \
	    $(PACKAGE_ARGS) || exit 1; \
	done
	cmp target/repro/1/$(WASM) target/repro/2/$(WASM)
	cmp target/repro/harvest-1.wasm target/repro/harvest-2.wasm
	cmp target/repro/harvest-1.wit.wasm target/repro/harvest-2.wit.wasm
	@echo "reproducible: two clean builds give sha256 $$(sha256sum < target/repro/harvest-1.wasm | cut -d' ' -f1)"

# Push dist/harvest.wasm to a local OCI registry, pull it back and check it.
oci-test: dist
	HARVEST_DIST=$(DIST_TOOL) tools/oci-round-trip.sh

# What CI runs besides the tests: the artifact, its reproducibility and the registry round trip.
release-check: dist reproducible oci-test
