import { kitPlatformProblem } from '../../../src/bootstrap/cli.ts'

describe('kitPlatformProblem', () => {
  it.each(['linux', 'darwin'])('installs on %s', (platform) => {
    expect(kitPlatformProblem(platform)).toBeUndefined()
  })

  it('refuses Windows, saying why and what to do instead', () => {
    expect(kitPlatformProblem('win32')).toBe(
      'the bootstrap kit supports Linux and macOS runners only: a Windows runner runs its job hooks as PowerShell scripts, which the kit does not write. ' +
        'On Windows, add the action to the workflow instead (uses: org/go-cache-setup@v1), which runs there.',
    )
  })
})
