#!/usr/bin/env bash
# Installs the real servers and build tools the integration tests run against,
# into .tmp/ (ignored by git). Idempotent and quick once done; `npm test` and
# .ci/run both call it, so `npm install && npm test` works on a fresh machine.
#   bazel-remote  .tmp/bin/bazel-remote   (built from the pinned module, scripts/install-bazel-remote.sh)
#   versitygw, go-cache-plugin  .tmp/bin  (an S3 server and the client our S3 layout matches, scripts/install-s3-tools.sh)
#   Wine, go.exe, node.exe  .tmp/wine  (the Windows code path under Wine, scripts/install-wine-tools.sh; root or wine installed)
#   Pants         .tmp/pants-venv         (pip, in a Python 3.9 venv) and the pex it needs
# Needs go, network access to the Go module proxy and PyPI, and a Python 3.9
# (pyenv's, or python3.9 on PATH) the first time.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pants 2.17 is the last line on PyPI and runs on Python 3.7-3.9; it pins pex 2.1.137.
PANTS_VERSION=2.17.1
PEX_VERSION=2.1.137
tools="$PWD/.tmp/bin"
mkdir -p "$tools"

# bazel-remote: pinned, built from the module download (scripts/install-bazel-remote.sh says why).
bash scripts/install-bazel-remote.sh "$tools"
bash scripts/install-s3-tools.sh "$tools"
# Wine, a Windows go.exe and node.exe, for the Windows tests (__tests__/integration/windows/wine.test.ts).
# Exits 0 when it cannot install, saying why: the tests skip then, or fail under CI.
bash scripts/install-wine-tools.sh

# Prints the path of a Python 3.9: pyenv's newest 3.9, else python3.9 on PATH.
# Prints nothing when there is none. Each candidate must run and say it is 3.9
# (a pyenv shim for a version that is not installed does not).
find_python39() {
  local root candidate
  root="$(pyenv root 2>/dev/null || true)"
  for candidate in \
    "$(printf '%s\n' "${root:-/nonexistent}"/versions/3.9.*/bin/python3.9 | sort -V | tail -1)" \
    "$(command -v python3.9 || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 9))' >/dev/null 2>&1; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 0
}

venv=.tmp/pants-venv
if [ ! -x "$venv/bin/pants" ] || [ "$("$venv/bin/pip" show pantsbuild.pants 2>/dev/null | sed -n 's/^Version: //p')" != "$PANTS_VERSION" ]; then
  echo "installing Pants ${PANTS_VERSION} in a Python 3.9 venv"
  python39="$(find_python39)"
  if [ -z "$python39" ]; then
    {
      echo "error: Pants ${PANTS_VERSION} (for the Pants integration tests) needs Python 3.9, and none was found."
      echo "Looked for pyenv's versions/3.9.*/bin/python3.9 and for python3.9 on PATH."
      echo "Install one, then run this again:"
      echo "  pyenv install 3.9    (see https://github.com/pyenv/pyenv; Debian and Ubuntu may have no python3.9 package)"
      echo "  or put a python3.9 on PATH."
    } >&2
    exit 1
  fi
  rm -rf "$venv"
  "$python39" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "pantsbuild.pants==${PANTS_VERSION}"
fi
# Pants 2.17 fetches its pex tool from GitHub releases; build the same pex
# version from PyPI, and the tests point [pex-cli] at it (__tests__/support/pants.ts).
if [ ! -f ".tmp/pex-${PEX_VERSION}.pex" ]; then
  echo "building pex ${PEX_VERSION}"
  "$venv/bin/pex" "pex==${PEX_VERSION}" -c pex -o ".tmp/pex-${PEX_VERSION}.pex"
fi
