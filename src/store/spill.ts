/**
 * Where a put goes when the store cannot take it (a full disk or quota, a
 * directory this user may not write, a symlink the store refuses): a private
 * directory of the go process' own, removed when its session ends.
 *
 * What Go requires (cmd/go/internal/cache/prog.go, Go 1.24–1.27): a put
 * answered with an error, or without a DiskPath ("GOCACHEPROG didn't return
 * DiskPath in put response"), is an error from Cache.Put. go ignores it for a
 * compiled package (work/buildid.go), but fails on it for `go list -export`
 * (the DiskPath is the export data), testmain (list.go, base.Fatalf), cgo's
 * objdir files (work/exec.go) and the module index (modindex/read.go), and
 * then reads the DiskPath while it runs. So a put is answered with a file
 * that holds the body, here, and go goes on; the store has no entry for it,
 * and the next go process misses it. Only when this disk is full too does go
 * get the store's error.
 */
import { closeSync, existsSync, mkdtempSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export class Spill {
  private readonly parent: string
  private dir: string | undefined

  constructor(parent = os.tmpdir()) {
    this.parent = parent
  }

  /** A file holding `body` under its OutputID (64 hex); throws when it cannot be written either. */
  put(outputId: string, body: Iterable<Buffer>): string {
    if (!/^[0-9a-f]{64}$/.test(outputId)) throw new Error(`invalid OutputID ${JSON.stringify(outputId)}`)
    // mkdtemp: owner-only, a fresh name.
    this.dir ??= mkdtempSync(path.join(this.parent, 'go-cache-setup-spill-'))
    const file = path.join(this.dir, outputId)
    // Written whole and renamed before, so its bytes are this OutputID's.
    if (existsSync(file)) return file
    const temp = `${file}.tmp`
    const fd = openSync(temp, 'wx', 0o600)
    try {
      for (const chunk of body) for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at)
    } catch (error) {
      closeSync(fd)
      unlinkSync(temp)
      throw error
    }
    closeSync(fd)
    renameSync(temp, file)
    return file
  }

  /** Removes what was spilled: once go has closed the session, it reads none of it any more. */
  remove(): void {
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true })
    this.dir = undefined
  }
}
