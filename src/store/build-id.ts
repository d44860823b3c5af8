/**
 * What a client can check about a build-cache object beyond its digest: that
 * a compiled package archive belongs to the action it is stored under.
 *
 * cmd/go stores a package compile's archive (a.Mode == "build") under key
 * a.actionID (cmd/go/internal/work/buildid.go updateBuildID: c.Put(a.actionID,
 * r)), and that archive carries the build ID HashToString(actionID) + "/" +
 * contentID (useCache sets a.buildID; updateBuildID only replaces the part after
 * the last "/", and caches nothing when the ID was not found in the file). When go
 * later gets the entry, useCache reads the build ID (cmd/internal/buildid
 * buildid.go ReadFile) and adopts it without comparing its action part with the
 * key. A poisoned or mismatched entry (another action's archive under this key)
 * then passes the digest check and breaks the build further on; here it is
 * caught before go sees it, so the entry can be treated as a miss.
 *
 * What it cannot catch: an archive crafted to carry the right build ID (the ID
 * is derived from the key, so anyone writing to the cache can forge it); and
 * every object that is not a Go archive (compile stdout, srcfiles lists, cgo
 * files, vet facts, test results, executables, PGO profiles: stored under other
 * keys or without a build ID in an archive header), which pass unchecked; nor
 * gccgo archives, whose ID sits in a _buildid.o member that ReadFile's fallback
 * reads. An archive whose build ID line does not parse passes too: ReadFile's
 * gccgo fallback then usually reads it as having an empty ID, which go accepts.
 */

/** How many leading bytes of an object callers pass: buildid.ReadFile reads at most the first 1024. */
export const BUILD_ID_HEAD_BYTES = 1024

const HEX_ID = /^[0-9a-fA-F]{64}$/
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * cmd/internal/buildid HashToString: the first 15 bytes of a 32-byte ID as 20
 * characters of URL-safe base64 without padding. Throws on an ID that is not 64 hex digits.
 */
export function hashToString(actionIdHex: string): string {
  if (!HEX_ID.test(actionIdHex)) throw new Error(`not a 64-hex-digit ID: ${JSON.stringify(actionIdHex)}`)
  const h = Buffer.from(actionIdHex, 'hex')
  let out = ''
  for (let i = 0; i < 5; i++) {
    const v = (h[3 * i]! << 16) | (h[3 * i + 1]! << 8) | h[3 * i + 2]!
    out += B64[(v >> 18) & 0x3f]! + B64[(v >> 12) & 0x3f]! + B64[(v >> 6) & 0x3f]! + B64[v & 0x3f]!
  }
  return out
}

const BANG_ARCH = Buffer.from('!<arch>\n')
const PKGDEF = Buffer.from('__.PKGDEF')
const GO_OBJECT = Buffer.from('go object ')
const BUILD_ID = Buffer.from('build id ')
const NL = 0x0a

/**
 * The build ID of a Go archive from its first bytes, parsed as buildid.ReadFile
 * parses the first 1024 bytes: "!<arch>\n", a line starting "__.PKGDEF", a line
 * starting "go object ", then a line `build id "<id>"`. A fourth line that does
 * not start "build id " gives '' (ReadFile: "doesn't have a build id line",
 * success with an empty ID). Undefined where ReadFile would fall back to other
 * formats (gccgo archives, executables) or fail: not a Go archive in this sense.
 *
 * The ID is read only in the form cmd/compile writes it (gc/obj.go
 * printObjHeader: %q of base64 characters and "/", so no escapes); any other
 * quoting is undefined, so the object passes unjudged: a writer able to craft
 * one could as well write the right ID.
 *
 * Pass min(size, BUILD_ID_HEAD_BYTES) bytes: a shorter head may cut the build
 * ID line and give undefined where go would read an ID.
 */
export function archiveBuildId(head: Buffer): string | undefined {
  let data = head.subarray(0, BUILD_ID_HEAD_BYTES)
  if (data.length < BANG_ARCH.length || !data.subarray(0, BANG_ARCH.length).equals(BANG_ARCH)) return undefined
  data = data.subarray(BANG_ARCH.length)
  const lines: Buffer[] = []
  for (let i = 1; i <= 3; i++) {
    const j = data.indexOf(NL)
    if (j < 0) return undefined
    lines.push(data.subarray(0, j))
    data = data.subarray(j + 1)
  }
  const [pkgdef, goObject, idLine] = lines as [Buffer, Buffer, Buffer]
  if (!startsWith(pkgdef, PKGDEF) || !startsWith(goObject, GO_OBJECT)) return undefined
  if (!startsWith(idLine, BUILD_ID)) return ''
  // Printable ASCII but " and \: what %q leaves unescaped.
  const m = /^"([ !#-[\]-~]*)"$/.exec(idLine.subarray(BUILD_ID.length).toString('latin1'))
  return m?.[1]
}

/**
 * Ok unless `head` (the object's first BUILD_ID_HEAD_BYTES bytes) is a Go
 * archive whose non-empty build ID's action part (before the first "/") is not
 * hashToString(actionIdHex): then the object belongs to another action.
 */
export function checkObjectForAction(actionIdHex: string, head: Buffer): { ok: true } | { ok: false; reason: string } {
  const want = hashToString(actionIdHex)
  const id = archiveBuildId(head)
  if (id === undefined || id === '') return { ok: true }
  const got = id.split('/', 1)[0]!
  if (got === want) return { ok: true }
  return { ok: false, reason: `archive build ID ${JSON.stringify(id)} is not for action ${want} (${actionIdHex.slice(0, 12)}…)` }
}

function startsWith(line: Buffer, prefix: Buffer): boolean {
  return line.length >= prefix.length && line.subarray(0, prefix.length).equals(prefix)
}
