#!/usr/bin/env bash
# Builds the pinned bazel-remote into .tmp/bin (or $1) for the tests and
# benchmarks. `go install …@version` would do, but it also asks the module
# proxy for the module's version list (to print deprecations), which the proxy
# this project reaches refuses (403); so: download the pinned module, build it.
set -euo pipefail
cd "$(dirname "$0")/.."
BAZEL_REMOTE_VERSION=v2.6.2
out="${1:-$PWD/.tmp/bin}"
mkdir -p "$out"
if [ -x "$out/bazel-remote" ] && [ "$(cat "$out/bazel-remote.version" 2>/dev/null)" = "$BAZEL_REMOTE_VERSION" ]; then
  exit 0
fi
dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/buchgr/bazel-remote/v2@${BAZEL_REMOTE_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir" ] || { echo "go mod download of bazel-remote ${BAZEL_REMOTE_VERSION} failed" >&2; exit 1; }
# cgo is optional (the default zstd implementation is pure Go): a static binary.
(cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -o "$out/bazel-remote" .)
echo "$BAZEL_REMOTE_VERSION" > "$out/bazel-remote.version"
