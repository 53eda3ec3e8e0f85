#!/usr/bin/env bash
# Push both artifacts, dist/harvest.wasm (the tools, for generic hosts) and dist/harvest-host.wasm
# (with oauth and catalogue), to a real OCI registry (Debian's docker-registry) on 127.0.0.1, each
# as its own repository, pull them back and check the digests, media types and annotations. Installs the registry if it is missing
# and stops it, with its temporary storage, on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
tool=${HARVEST_DIST:-target/harvest-dist/debug/harvest-dist}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)

if ! command -v docker-registry >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-registry >/dev/null
fi

dir=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: 127.0.0.1:$port
YAML
docker-registry serve "$dir/config.yml" > "$dir/registry.log" 2>&1 &
pid=$!
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null || { cat "$dir/registry.log"; exit 1; }
echo "registry: docker-registry $(dpkg-query -W -f='${Version}' docker-registry) on 127.0.0.1:$port"

# The same repositories as a release: harvest-tools (what generic hosts load) and
# harvest-tools-host.
for artifact in harvest:harvest-tools harvest-host:harvest-tools-host; do
  file=dist/${artifact%%:*}.wasm repository=harvest/${artifact#*:}
  "$tool" oci-round-trip "127.0.0.1:$port/$repository:$version" "$file"
  echo "manifest of $repository:$version as the registry serves it:"
  curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://127.0.0.1:$port/v2/$repository/manifests/$version"
  echo
done
