/**
 * The auto-configure toggle end to end: the bundled action run by the runner
 * harness with our cache client (installed and started for real) and a
 * repository with Pants. Off, whether from the step, the runner's environment
 * or the kit config, means nothing reaches GITHUB_ENV and every value is an output.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { checkoutSample, newMachine, REPO_ROOT, type Machine } from '../../support/go-jobs.ts'
import { runJob, type JobResult, type RunnerSpec } from '../../support/runner/index.ts'
import { clientPaths, execFileP, expectSuccess } from '../client/helpers.ts'

let root: string

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'auto-configure-e2e-'))
})
afterAll(async () => {
  await execFileP('chmod', ['-R', 'u+w', root]).catch(() => undefined)
  await rm(root, { recursive: true, force: true })
})

async function machineWithPants(name: string): Promise<Machine> {
  const machine = await newMachine(root, name)
  await checkoutSample(machine)
  await writeFile(path.join(machine.workspace, 'pants.toml'), '[GLOBAL]\npants_version = "2.17.1"\n')
  return machine
}

/** An init-pants-like step, the action, and a step that shows what a later step sees. */
function job(machine: Machine, opts: { with?: Record<string, string>; runner?: RunnerSpec }): Promise<JobResult> {
  return runJob({
    workspace: machine.workspace,
    env: { GOTOOLCHAIN: 'local' },
    // Kept after the job, so the test can look at what the action installed and wrote.
    runner: { home: machine.home, temp: path.join(machine.home, '..', 'runner-temp'), toolCache: path.join(machine.home, '..', 'tool-cache'), ...opts.runner },
    steps: [
      { id: 'init', run: 'echo "PANTS_CONFIG_FILES=pants.ci.toml" >> "$GITHUB_ENV"' },
      {
        id: 'cache',
        uses: REPO_ROOT,
        // Our GOCACHEPROG client is what auto-configure exports for Go (native mode exports nothing: D27).
        with: { 'module-cache': 'false', 'build-cache-mode': 'gocacheprog', 'pants-remote-store-address': 'grpc://127.0.0.1:9092', ...opts.with },
      },
      { id: 'later', run: 'echo "GOCACHEPROG=${GOCACHEPROG:-<unset>}"; echo "PANTS_CONFIG_FILES=${PANTS_CONFIG_FILES:-<unset>}"' },
    ],
  })
}

async function expectOff(result: JobResult, from: string): Promise<void> {
  expectSuccess(result)
  const cache = result.step('cache')
  expect(cache.log).toContain(`Auto-configure off (from ${from}): GOCACHEPROG and the Pants config are outputs only, not set for later steps`)
  expect(Object.keys(cache.envAdded)).toEqual([])
  expect(result.summary).toContain(`Auto-configure off (from ${from}): GOCACHEPROG and the Pants config are outputs only.`)
  expect(result.summary).toContain(`config written to \`${cache.outputs['pants-config']}\`, not registered.`)
  expect(result.env.GOCACHEPROG).toBeUndefined()
  expect(result.env.PANTS_CONFIG_FILES).toBe('pants.ci.toml')
  expect(result.step('later').log).toContain('GOCACHEPROG=<unset>')
  expect(result.step('later').log).toContain('PANTS_CONFIG_FILES=pants.ci.toml')
  // Still set up, for wiring by hand: the client is installed and the config written.
  expect(cache.outputs['auto-configure']).toBe('false')
  expect(existsSync(clientPaths(cache.outputs.gocacheprog!).client)).toBe(true)
  expect(await readFile(cache.outputs['pants-config']!, 'utf8')).toContain('remote_store_address = "grpc://127.0.0.1:9092"\n')
}

describe('auto-configure', () => {
  it('on by default: GOCACHEPROG and PANTS_CONFIG_FILES reach later steps', async () => {
    const result = await job(await machineWithPants('on'), {})
    expectSuccess(result)
    const outputs = result.step('cache').outputs
    expect(outputs['auto-configure']).toBe('true')
    expect(result.env.GOCACHEPROG).toBe(outputs.gocacheprog)
    expect(result.env.PANTS_CONFIG_FILES).toBe(`+['pants.ci.toml', '${outputs['pants-config']}']`)
    expect(result.step('later').log).toContain(`GOCACHEPROG=${outputs.gocacheprog}`)
  })

  it('off through the step input', async () => {
    await expectOff(await job(await machineWithPants('input-off'), { with: { 'auto-configure': 'false' } }), 'the auto-configure input')
  })

  it("off through GO_CACHE_SETUP_AUTO_CONFIGURE in the runner's environment, for every repository", async () => {
    await expectOff(
      await job(await machineWithPants('env-off'), { runner: { baseEnv: { GO_CACHE_SETUP_AUTO_CONFIGURE: 'false' } } }),
      'GO_CACHE_SETUP_AUTO_CONFIGURE',
    )
  })

  it("off through the bootstrap kit's config; the step's input still wins over the organisation", async () => {
    const kit = path.join(root, 'kit.json')
    await writeFile(kit, JSON.stringify({ version: 1, autoConfigure: false, storePath: path.join(root, 'kit-store') }))
    const runner = { baseEnv: { GO_CACHE_SETUP_KIT_CONFIG: kit } }
    await expectOff(await job(await machineWithPants('kit-off'), { runner }), "the bootstrap kit's config")

    const overridden = await job(await machineWithPants('input-on'), {
      with: { 'auto-configure': 'true' },
      runner: { baseEnv: { GO_CACHE_SETUP_KIT_CONFIG: kit, GO_CACHE_SETUP_AUTO_CONFIGURE: 'false' } },
    })
    expectSuccess(overridden)
    expect(overridden.step('cache').log).toContain('Auto-configure on (from the auto-configure input)')
    expect(overridden.env.GOCACHEPROG).toBe(overridden.step('cache').outputs.gocacheprog)
  })
})
