/**
 * Real Pants 2.17.1 for the remote-cache tests: the pip install in a Python
 * 3.9 venv that .ci/run makes (.tmp/pants-venv), a checkout of the tiny
 * fixture project, and the counters Pants prints with --stats-log.
 *
 * Pants 2.17 downloads its pex tool from GitHub releases, which this machine
 * cannot reach; .ci/run builds the same pex version from PyPI instead
 * (.tmp/pex-<version>.pex), and pants.toml points [pex-cli] at that file.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { cp, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { REPO_ROOT } from './go-jobs.ts'

export const PANTS_VERSION = '2.17.1'
const TMP = path.join(REPO_ROOT, '.tmp')
export const PANTS_VENV = path.join(TMP, 'pants-venv')
export const PANTS_BIN = path.join(PANTS_VENV, 'bin', 'pants')
/** pantsbuild.pants==2.17.1 pins pex==2.1.137. */
export const PEX_VERSION = '2.1.137'
export const PEX_PEX = path.join(TMP, `pex-${PEX_VERSION}.pex`)
/** Pants' downloads (pip/pex caches), kept between runs so a job does not fetch pytest again. */
export const PANTS_NAMED_CACHES = path.join(TMP, 'pants-named-caches')
export const PANTS_PROJECT = path.join(REPO_ROOT, '__tests__', 'fixtures', 'pants-project')

export function requirePants(): void {
  for (const file of [PANTS_BIN, PEX_PEX]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run .ci/run (it installs Pants ${PANTS_VERSION} in a Python 3.9 venv)`)
  }
}

/** Copies the fixture project into `workspace` and writes its pants.toml for this machine. */
export async function checkoutPantsProject(workspace: string): Promise<void> {
  await cp(PANTS_PROJECT, workspace, { recursive: true })
  const pex = await readFile(PEX_PEX)
  const platform = process.arch === 'arm64' ? 'linux_arm64' : 'linux_x86_64'
  const toml = [
    '[GLOBAL]',
    `pants_version = "${PANTS_VERSION}"`,
    'backend_packages = ["pants.backend.python"]',
    // No daemon: each run starts cold, so a hit can only come from a cache.
    'pantsd = false',
    '',
    '[anonymous-telemetry]',
    'enabled = false',
    '',
    '[python]',
    'interpreter_constraints = ["==3.9.*"]',
    '',
    '[python-bootstrap]',
    `search_path = ["${path.join(PANTS_VENV, 'bin')}"]`,
    '',
    '[pex-cli]',
    `version = "v${PEX_VERSION}"`,
    `url_template = "file://${PEX_PEX}"`,
    `known_versions = ["v${PEX_VERSION}|${platform}|${createHash('sha256').update(pex).digest('hex')}|${pex.length}"]`,
    '',
  ].join('\n')
  await writeFile(path.join(workspace, 'pants.toml'), toml)
}

/** The environment of a step that runs Pants from the venv, offline from telemetry, with shared downloads. */
export function pantsStepEnv(): Record<string, string> {
  return {
    PANTS_BIN,
    // Running from a pip install instead of the scie launcher warns on every run (pants_runner.py).
    NO_SCIE_WARNING: '1',
    PANTS_NAMED_CACHES_DIR: PANTS_NAMED_CACHES,
  }
}

/** `pants --stats-log` prints "Counters:" then `  name: value` lines. */
export function pantsCounters(output: string): Record<string, number> {
  const counters: Record<string, number> = {}
  const start = output.lastIndexOf('Counters:')
  if (start < 0) throw new Error(`no "Counters:" in Pants' output (run with --stats-log):\n${output.slice(-3000)}`)
  for (const m of output.slice(start).matchAll(/^\s+([a-z_]+): (\d+)$/gm)) counters[m[1]!] = Number(m[2])
  return counters
}

/** Test targets and how Pants says they went: `✓ src/calc/add_test.py:tests succeeded in 0.4s (cached remotely).` */
export function pantsTestResults(output: string): Record<string, string> {
  const results: Record<string, string> = {}
  for (const m of output.matchAll(/^[✓✕] (\S+) (succeeded|failed) in [\d.]+s(?: \(([^)]+)\))?\.?$/gm)) {
    results[m[1]!] = m[3] === undefined ? m[2]! : `${m[2]} (${m[3]})`
  }
  return results
}
