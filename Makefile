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

.PHONY: setup component build mcp-client test lint demo bench clean

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
	cargo build --release -p host-tests --bin harvest-host $(HOST_RELEASE)

mcp-client: $(MCP_CLIENT)/.mcp-$(MCP_VERSION)

$(MCP_CLIENT)/.mcp-$(MCP_VERSION):
	python3 -m venv $(MCP_CLIENT)
	$(MCP_CLIENT)/bin/pip install --quiet --disable-pip-version-check 'mcp==$(MCP_VERSION)'
	touch $@

test: component mcp-client
	cargo test -p harvest --lib
	cargo test -p host-tests

lint: setup
	cargo fmt --all --check
	cargo clippy --target wasm32-wasip2 -p harvest -- -D warnings
	cargo clippy -p harvest --lib --tests -- -D warnings
	cargo clippy -p host-tests --all-targets -- -D warnings

demo: build
	target/release/harvest-host demo

# Prints the performance table and writes it to dist/bench.md (see README, Performance).
bench: component
	cargo build --release -p host-tests --bin harvest-bench $(HOST_RELEASE)
	target/release/harvest-bench

clean:
	cargo clean
	rm -rf dist
