#!/usr/bin/env bash
# Builds the pinned S3 server the tests run against (versitygw, posix
# backend: a real S3 gateway with a release line, one process, objects as
# plain files) and tailscale's go-cache-plugin, the client our S3 layout
# matches, into .tmp/bin (or $1). Idempotent: a tool whose .version file
# matches is kept. Not `go install …@version`: for go-cache-plugin it asks
# the module proxy for the version list (to print deprecations), which the
# proxy this project reaches refuses (403); so: download the pinned module,
# build inside it, with its own go.mod and go.sum.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSITYGW_VERSION=v1.8.0
GO_CACHE_PLUGIN_VERSION=v0.1.1
out="${1:-$PWD/.tmp/bin}"
mkdir -p "$out"

# build_pinned <binary> <module> <version> <package dir inside the module>
build_pinned() {
  local name=$1 module=$2 version=$3 pkg=$4 dir
  if [ -x "$out/$name" ] && [ "$(cat "$out/$name.version" 2>/dev/null)" = "$version" ]; then
    return 0
  fi
  echo "building $name $version"
  dir=$(GOFLAGS=-mod=mod go mod download -json "${module}@${version}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir" ] || { echo "go mod download of ${module}@${version} failed" >&2; return 1; }
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -o "$out/$name" "$pkg")
  echo "$version" > "$out/$name.version"
}

build_pinned versitygw github.com/versity/versitygw "$VERSITYGW_VERSION" ./cmd/versitygw
build_pinned go-cache-plugin github.com/tailscale/go-cache-plugin "$GO_CACHE_PLUGIN_VERSION" ./cmd/go-cache-plugin
