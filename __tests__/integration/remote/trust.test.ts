/**
 * Trust boundaries on the remote (docs/security.md), as attacks that must
 * fail: real bazel-remote with htpasswd and --allow_unauthenticated_reads (the
 * server-side recipe: writes need the credential, reads do not), real go, the
 * bundled action under the runner harness.
 */
import { mkdir, readdir, readFile, mkdtemp, rm, writeFile, open } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { encodeActionResult } from '../../../src/remote/action-result.ts'
import { startBazelRemote, type BazelRemote } from '../../support/bazel-remote/index.ts'
import { checkoutSample, newMachine, REPO_ROOT, wipeHome, type Machine } from '../../support/go-jobs.ts'
import { runJob, type JobResult, type StepSpec } from '../../support/runner/index.ts'
import { compiledPackages, dumpJob, execFileP, expectSuccess, prepareModCache } from '../client/helpers.ts'

const USER = 'ci-writer'
const PASSWORD = 'trusted-Wr1te-credential-5b2e'
const WRITE_TOKEN = `${USER}:${PASSWORD}`
const REPO = 'octo-org/octo-repo'
const samePr = (number: number) => ({
  name: 'pull_request',
  payload: { number, pull_request: { number, head: { repo: { full_name: REPO } }, base: { repo: { full_name: REPO } } } },
})

let root: string
let modCache: string
let server: BazelRemote

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'remote-trust-'))
  modCache = path.join(root, 'modcache')
  ;[server] = await Promise.all([
    startBazelRemote({
      htpasswd: { user: USER, password: PASSWORD },
      storageMode: 'uncompressed',
      dir: path.join(root, 'bazel-remote'),
      extraArgs: ['--allow_unauthenticated_reads'],
    }),
    prepareModCache(modCache),
  ])
})
afterAll(async () => {
  await server?.stop()
  await execFileP('chmod', ['-R', 'u+w', root]).catch(() => undefined)
  await rm(root, { recursive: true, force: true })
})

interface TrustJob {
  machine: Machine
  /** The credential the job holds; none: the read-only (unauthenticated) access pull requests get. */
  token?: string
  with?: Record<string, string>
  steps: StepSpec[]
  event?: { name: string; payload?: unknown }
}

function runTrustJob(o: TrustJob): Promise<JobResult> {
  return runJob({
    workspace: o.machine.workspace,
    env: { GOTOOLCHAIN: 'local', GOMODCACHE: modCache, GOPROXY: 'off', GOFLAGS: '' },
    runner: {
      home: o.machine.home,
      temp: path.join(path.dirname(o.machine.workspace), '..', 'runner-temp'),
      toolCache: path.join(path.dirname(o.machine.workspace), '..', 'tool-cache'),
    },
    ...(o.token && { secrets: { CACHE_TOKEN: o.token } }),
    event: o.event,
    keepTemp: true,
    steps: [
      {
        id: 'cache',
        uses: REPO_ROOT,
        with: { 'module-cache': 'false', 'cache-url': server.httpUrl, ...(o.token && { 'cache-token': o.token }), ...o.with },
      },
      ...o.steps,
    ],
  })
}

const post = (job: JobResult) => job.step('cache', 'post')
const remoteFigure = (job: JobResult, name: string): number => {
  const value = post(job).outputs[`remote-cache-${name}`]
  if (value === undefined) throw new Error(`post set no remote-cache-${name} output:\n${dumpJob(job)}`)
  return Number(value)
}
const summaryRow = (job: JobResult, label: string): string => job.summary.split('\n').find((line) => line.startsWith(`| ${label} |`)) ?? `(no ${label} row)`
const buildX: StepSpec = { id: 'build', run: 'go build -x -o bin/ ./... 2> build-x.txt && go test ./... && ./bin/sample --help > /dev/null' }
const compiled = async (job: JobResult) => compiledPackages(await readFile(path.join(job.paths.workspace, 'build-x.txt'), 'utf8'))
const fresh = async (name: string, change?: string): Promise<Machine> => {
  const machine = await newMachine(root, name)
  await checkoutSample(machine)
  await setChange(machine, change)
  return machine
}
const setChange = async (machine: Machine, change: string | undefined): Promise<void> => {
  const file = path.join(machine.workspace, 'extra.go')
  if (change === undefined) await rm(file, { force: true })
  else await writeFile(file, `package main\n\nvar extra = ${change}\n`)
}
/**
 * The same machine as a fresh runner: same paths (go's action IDs for the
 * module's own packages include its directory), a fresh checkout (a binary
 * left in bin/ would let go skip the build: its build ID matches), empty HOME,
 * runner temp (with the local store) and tool cache.
 */
const reset = async (machine: Machine, change?: string): Promise<Machine> => {
  const base = path.dirname(path.dirname(machine.workspace))
  for (const dir of ['runner-temp', 'tool-cache', 'work']) await rm(path.join(base, dir), { recursive: true, force: true })
  await wipeHome(machine)
  await mkdir(machine.workspace, { recursive: true })
  await checkoutSample(machine)
  await setChange(machine, change)
  return machine
}

/** A step that tries to plant an entry through the job's own daemon: a made-up object in the local store, then "upload this" on the socket. */
const plantThroughDaemon: StepSpec = {
  id: 'plant',
  run: `node --input-type=module -e '
import net from "node:net"; import fs from "node:fs"; import crypto from "node:crypto"; import path from "node:path"
const cmd = process.env.GOCACHEPROG
const socket = / --(?:socket|daemon) (\\S+)/.exec(cmd)[1], store = / --store (\\S+)/.exec(cmd)[1]
const id = crypto.createHash("sha256").update("planted action").digest("hex")
const body = Buffer.from("planted object"), out = crypto.createHash("sha256").update(body).digest("hex")
for (const [dir, name, data] of [["o", out, body], ["a", id, "v1 " + out + " " + body.length + " 1700000000000 0\\n"]]) {
  fs.mkdirSync(path.join(store, dir, name.slice(0, 2)), { recursive: true }); fs.writeFileSync(path.join(store, dir, name.slice(0, 2), name), data)
}
const s = net.connect(socket, () => s.write(JSON.stringify({ op: "queue", actionIds: [id] }) + "\\n"))
s.on("data", (d) => { fs.writeFileSync("planted.txt", id + " " + d); s.end() })
'`,
}

/** A step that PUTs an entry straight to the server with what the job holds (no credential for a pull request): must be refused. */
const putStraightToServer = (url: string): StepSpec => ({
  id: 'curl',
  run: `node -e '
const id = "ab".repeat(32)
fetch("${url}/ac/" + id, { method: "PUT", body: Buffer.alloc(10) }).then((r) => require("node:fs").writeFileSync("put-status.txt", String(r.status)))
'`,
})

describe('trust boundaries on the remote', () => {
  let main: Machine

  it('a default-branch push, holding the write credential, fills the trusted scope', async () => {
    main = await fresh('main')
    const job = await runTrustJob({ machine: main, token: WRITE_TOKEN, steps: [buildX], with: { 'store-path': path.join(root, 'main-store') } })
    expectSuccess(job)
    expect(remoteFigure(job, 'uploads')).toBeGreaterThan(100)
    expect(summaryRow(job, 'Remote scopes')).toBe('| Remote scopes | reads `trusted`; writes `trusted` |')
  }, 600_000)

  it('a same-repository pull request with default inputs writes nothing to the remote, even holding the write credential and asking its daemon', async () => {
    const before = await server.entries()
    const machine = await fresh('pr-default', '"pull request 7"')
    const job = await runTrustJob({ machine, token: WRITE_TOKEN, event: samePr(7), steps: [buildX, plantThroughDaemon] })
    expectSuccess(job)
    expect(remoteFigure(job, 'hits')).toBeGreaterThan(100)
    expect(remoteFigure(job, 'uploads')).toBe(0)
    // The daemon answered the planted queue request, and uploaded nothing.
    expect(await readFile(path.join(machine.workspace, 'planted.txt'), 'utf8')).toMatch(/^[0-9a-f]{64} \{"ok":true\}/)
    expect(await server.entries()).toEqual(before)
    expect(summaryRow(job, 'Remote scopes')).toBe(
      '| Remote scopes | reads `trusted`; writes nothing (pull requests are read-only on the remote; cache-write: true writes their own scope) |',
    )
  }, 600_000)

  it('with the read-only access pull requests get, a job cannot write the server however it asks', async () => {
    const before = await server.entries()
    const machine = await fresh('pr-readonly', '"pull request 8"')
    const job = await runTrustJob({ machine, event: samePr(8), with: { 'cache-write': 'true' }, steps: [buildX, putStraightToServer(server.httpUrl)] })
    expectSuccess(job)
    expect(remoteFigure(job, 'hits')).toBeGreaterThan(100)
    // cache-write: true tried its own scope; the server refused every upload.
    expect(remoteFigure(job, 'uploads')).toBe(0)
    expect(await readFile(path.join(machine.workspace, 'put-status.txt'), 'utf8')).toBe('401')
    expect(await server.entries()).toEqual(before)
  }, 600_000)

  it('a pull request that opts in writes only its own scope: its next run reads it, a default-branch build of the same code does not', async () => {
    const change = '"pull request 9"'
    const machine = await fresh('pr-optin', change)
    const opted = await runTrustJob({ machine, token: WRITE_TOKEN, event: samePr(9), with: { 'cache-write': 'true' }, steps: [buildX] })
    expectSuccess(opted)
    expect(await compiled(opted)).toEqual(['main'])
    expect(remoteFigure(opted, 'uploads')).toBeGreaterThan(0)
    expect(summaryRow(opted, 'Remote scopes')).toBe(`| Remote scopes | reads \`pr:${REPO}#9\`, then \`trusted\`; writes \`pr:${REPO}#9\` |`)

    // The same pull request again, on a fresh runner: its own scope has the changed package.
    const again = await runTrustJob({
      machine: await reset(machine, change),
      token: WRITE_TOKEN,
      event: samePr(9),
      with: { 'cache-write': 'true' },
      steps: [buildX],
    })
    expectSuccess(again)
    expect(await compiled(again)).toEqual([])

    // A default-branch job building the very same code does not see the pull request's entries.
    const trusted = await runTrustJob({ machine: await reset(machine, change), token: WRITE_TOKEN, steps: [buildX] })
    expectSuccess(trusted)
    expect(await compiled(trusted)).toEqual(['main'])
  }, 900_000)

  it('wrong but well-formed entries in the trusted scope (each package archive under another action ID) end in a green build', async () => {
    // The package archives the first job stored, from its local store's entries.
    const store = path.join(root, 'main-store')
    const archives: { actionId: string; outputId: string; size: number }[] = []
    for (const fan of await readdir(path.join(store, 'a'))) {
      for (const actionId of await readdir(path.join(store, 'a', fan))) {
        const [, outputId, size] = (await readFile(path.join(store, 'a', fan, actionId), 'latin1')).split(' ')
        const head = Buffer.alloc(8)
        const fd = await open(path.join(store, 'o', outputId!.slice(0, 2), outputId!))
        await fd.read(head, 0, 8, 0)
        await fd.close()
        if (head.toString('latin1') === '!<arch>\n' && !archives.some((a) => a.outputId === outputId))
          archives.push({ actionId, outputId: outputId!, size: Number(size) })
      }
    }
    expect(archives.length).toBeGreaterThan(10)
    // An attacker holding the write credential (curl): each archive's trusted key now names the next
    // archive, which the server has. Each entry is well formed and its blob passes the digest check.
    for (const [i, victim] of archives.entries()) {
      const other = archives[(i + 1) % archives.length]!
      const put = await fetch(`${server.httpUrl}/ac/${victim.actionId}`, {
        method: 'PUT',
        headers: { Authorization: server.authorization, 'Content-Type': 'application/octet-stream' },
        body: encodeActionResult({ outputId: other.outputId, size: other.size, timeMs: Date.now() }),
      })
      expect(put.status).toBe(200)
    }
    // The first job's machine as a fresh runner: the same paths, so every other entry is a hit.
    const job = await runTrustJob({ machine: await reset(main), token: WRITE_TOKEN, steps: [buildX] })
    expectSuccess(job)
    // Every mismatched archive was refused (by the prefetch, and again when go asked): a miss each, so go
    // compiled the packages it needed, and built, tested and ran the program.
    const rejected = Number(/ (\d+) rejected \(digest or format\)/.exec(summaryRow(job, 'Remote lookups'))?.[1])
    expect(rejected).toBeGreaterThanOrEqual(archives.length)
    expect((await compiled(job)).length).toBeGreaterThan(10)
  }, 600_000)
})
