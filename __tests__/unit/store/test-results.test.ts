import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { LocalStore } from '../../../src/store/local-store.ts'
import { countTestResults } from '../../../src/store/test-results.ts'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const id = (s: string) => sha(Buffer.from(s))

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'test-results-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('countTestResults', () => {
  it("counts used entries whose object is a passing test's output, as go test stores it", () => {
    const store = new LocalStore(dir)
    const objects: [string, string][] = [
      ['plain', 'ok  \texample.com/m\t0.005s\n'],
      ['verbose', '=== RUN   TestX\n--- PASS: TestX (0.00s)\nPASS\nok  \texample.com/m/sub\t0.012s\n'],
      ['coverage', 'ok  \texample.com/m/cov\t0.010s\tcoverage: 80.0% of statements\n'],
      ['testlog', '# test log\nopen /w/testdata/in.txt\n'],
      ['archive', '!<arch>\n__.PKGDEF       0           0     0     644     1234      `\ngo object linux amd64\n'],
      ['empty', ''],
    ]
    for (const [name, text] of objects) {
      const body = Buffer.from(text)
      store.put(id(name), sha(body), [body], body.length)
    }
    expect(
      countTestResults(
        store,
        objects.map(([name]) => id(name)),
      ),
    ).toBe(3)
    // Only what the job used counts, and an entry that is gone is not counted.
    expect(countTestResults(store, [id('plain'), id('missing')])).toBe(1)
  })
})
