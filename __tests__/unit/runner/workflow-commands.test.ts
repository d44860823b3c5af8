import { describe, expect, it } from '@jest/globals'
import { SecretMasker } from '../../support/runner/secret-masker.ts'
import {
  deprecatedCommandMessage,
  disabledCommandMessage,
  escapeData,
  escapeProperty,
  parseWorkflowCommand,
  StepOutputProcessor,
  type StepOutputOptions,
} from '../../support/runner/workflow-commands.ts'

describe('parseWorkflowCommand', () => {
  it('parses name, properties and data', () => {
    expect(parseWorkflowCommand('::warning file=src/a.ts,line=3,col=7,title=Heads up::Something odd')).toEqual({
      command: 'warning',
      properties: { file: 'src/a.ts', line: '3', col: '7', title: 'Heads up' },
      data: 'Something odd',
      form: '::',
    })
  })

  it('unescapes data (%0D %0A %25) and properties (also %3A %2C)', () => {
    const cmd = parseWorkflowCommand('::error title=a%3Ab%2Cc%25::50%25 done%0Anext%0Dline')
    expect(cmd?.properties).toEqual({ title: 'a:b,c%' })
    expect(cmd?.data).toBe('50% done\nnext\rline')
  })

  it('round-trips @actions/core escaping', () => {
    const message = 'multi\nline: 100%, ok\r'
    const line = `::notice title=${escapeProperty('t: 1, 2')}::${escapeData(message)}`
    expect(parseWorkflowCommand(line)).toEqual({
      command: 'notice',
      properties: { title: 't: 1, 2' },
      data: message,
      form: '::',
    })
  })

  it('allows leading whitespace, is case-insensitive on the name, and keeps data as-is', () => {
    expect(parseWorkflowCommand('   ::DEBUG::  spaced  ')).toEqual({ command: 'DEBUG', properties: {}, data: '  spaced  ', form: '::' })
  })

  it('handles commands without data and without properties', () => {
    expect(parseWorkflowCommand('::endgroup::')).toEqual({ command: 'endgroup', properties: {}, data: '', form: '::' })
    expect(parseWorkflowCommand('::group::Build')?.data).toBe('Build')
  })

  it('drops malformed properties', () => {
    expect(parseWorkflowCommand('::warning file=,=x,line,col=2,,::m')?.properties).toEqual({ col: '2' })
  })

  it('ignores unknown commands, text before ::, and lines without a closing ::', () => {
    expect(parseWorkflowCommand('::unknown::x')).toBeNull()
    expect(parseWorkflowCommand('echo ::warning::x')).toBeNull()
    expect(parseWorkflowCommand('::warning x')).toBeNull()
    expect(parseWorkflowCommand('')).toBeNull()
  })

  it('parses the legacy ##[command] form anywhere in the line', () => {
    expect(parseWorkflowCommand('prefix ##[warning]careful')).toEqual({ command: 'warning', properties: {}, data: 'careful', form: '##[' })
    expect(parseWorkflowCommand('##[set-output name=x;]v%5D')).toEqual({
      command: 'set-output',
      properties: { name: 'x' },
      data: 'v]',
      form: '##[',
    })
  })
})

function processor(options: Partial<StepOutputOptions> = {}): StepOutputProcessor {
  return new StepOutputProcessor({ masker: new SecretMasker(), ...options })
}

describe('StepOutputProcessor', () => {
  it('masks add-mask values in later lines, never logging the command itself', () => {
    const p = processor()
    p.processLine('before s3cret')
    p.processLine('::add-mask::s3cret')
    p.processLine('after s3cret')
    p.processLine('::warning title=s3cret::warn s3cret')
    expect(p.log).toEqual(['before s3cret', 'after ***', '##[warning]warn ***'])
    expect(p.annotations).toEqual([{ level: 'warning', message: 'warn ***', properties: { title: '***' }, origin: 'command' }])
  })

  it('warns on an empty add-mask', () => {
    const p = processor()
    p.processLine('::add-mask::  ')
    expect(p.annotations).toEqual([
      { level: 'warning', message: "Can't add secret mask for empty string in ##[add-mask] command.", properties: {}, origin: 'runner' },
    ])
  })

  it('records error/warning/notice annotations with their properties', () => {
    const p = processor()
    p.processLine('::error file=a.go,line=1,endLine=2::bad')
    p.processLine('::notice::fyi')
    expect(p.annotations.map((a) => [a.level, a.message, a.properties])).toEqual([
      ['error', 'bad', { file: 'a.go', line: '1', endLine: '2' }],
      ['notice', 'fyi', {}],
    ])
    expect(p.log).toEqual(['##[error]bad', '##[notice]fyi'])
    expect(p.commandFailed).toBe(false)
  })

  it('keeps debug messages but logs them only in debug mode', () => {
    const quiet = processor()
    quiet.processLine('::debug::details')
    expect(quiet.debug).toEqual(['details'])
    expect(quiet.log).toEqual([])
    const verbose = processor({ debug: true })
    verbose.processLine('::debug::details')
    expect(verbose.log).toEqual(['##[debug]details'])
  })

  it('logs groups', () => {
    const p = processor()
    p.processLine('::group::Install')
    p.processLine('x')
    p.processLine('::endgroup::')
    expect(p.log).toEqual(['##[group]Install', 'x', '##[endgroup]'])
  })

  it('honours set-output and save-state with the deprecation warning', () => {
    const p = processor()
    p.processLine('::set-output name=result::42')
    p.processLine('::save-state name=key::v')
    expect(p.outputs).toEqual({ result: '42' })
    expect(p.state).toEqual({ key: 'v' })
    expect(p.annotations.map((a) => a.message)).toEqual([deprecatedCommandMessage('set-output'), deprecatedCommandMessage('save-state')])
    expect(p.deprecatedCommands.map((c) => c.command)).toEqual(['set-output', 'save-state'])
    expect(p.commandFailed).toBe(false)
  })

  it('omits the deprecation warning without the server flag', () => {
    const p = processor({ deprecateStepOutputCommands: false })
    p.processLine('::set-output name=a::1')
    expect(p.annotations).toEqual([])
    expect(p.outputs).toEqual({ a: '1' })
  })

  it('fails the step on a set-output without name', () => {
    const p = processor({ deprecateStepOutputCommands: false })
    p.processLine('::set-output::1')
    expect(p.commandFailed).toBe(true)
    expect(p.annotations.map((a) => a.message)).toEqual([
      "Unable to process command '::set-output::1' successfully.",
      "Required field 'name' is missing in ##[set-output] command.",
    ])
  })

  it('refuses set-env and add-path (failing the step) unless unsecure commands are allowed', () => {
    const p = processor()
    p.processLine('::set-env name=A::1')
    p.processLine('::add-path::/opt/bin')
    expect(p.commandFailed).toBe(true)
    expect(p.env).toEqual({})
    expect(p.path).toEqual([])
    expect(p.annotations.map((a) => a.message)).toEqual([
      "Unable to process command '::set-env name=A::1' successfully.",
      disabledCommandMessage('set-env'),
      "Unable to process command '::add-path::/opt/bin' successfully.",
      disabledCommandMessage('add-path'),
    ])

    const allowed = processor({ allowUnsecureCommands: true })
    allowed.processLine('::set-env name=A::1')
    allowed.processLine('::set-env name=node_options::--require x')
    allowed.processLine('::add-path::/opt/bin')
    expect(allowed.commandFailed).toBe(false)
    expect(allowed.env).toEqual({ A: '1' })
    expect(allowed.path).toEqual(['/opt/bin'])
    expect(allowed.annotations.map((a) => a.message)).toEqual(["Can't update NODE_OPTIONS environment variable using ::set-env:: command."])
  })

  it('stops processing commands until the token, then resumes', () => {
    const p = processor()
    p.processLine('::stop-commands::pause-123')
    p.processLine('::warning::not a warning')
    p.processLine('::add-mask::visible')
    p.processLine('visible')
    p.processLine('::pause-123::')
    p.processLine('::warning::a warning')
    expect(p.log).toEqual(['::stop-commands::pause-123', '::warning::not a warning', '::add-mask::visible', 'visible', '::pause-123::', '##[warning]a warning'])
    expect(p.annotations.map((a) => a.message)).toEqual(['a warning'])
  })

  it('echoes commands when echo is on (add-mask shows ***)', () => {
    const p = processor()
    p.processLine('::echo::on')
    p.processLine('::set-output name=a::1')
    p.processLine('::add-mask::tok')
    p.processLine('::echo::off')
    p.processLine('::set-output name=b::2')
    expect(p.log.filter((l) => !l.startsWith('##[warning]'))).toEqual(['::set-output name=a::1', '::add-mask::***', '::echo::off'])
  })

  it('records add-matcher as not implemented', () => {
    const p = processor()
    p.processLine('::add-matcher::.github/matcher.json')
    expect(p.ignoredCommands.map((c) => c.command)).toEqual(['add-matcher'])
    expect(p.commandFailed).toBe(false)
  })

  it('passes plain lines through to the log', () => {
    const lines: string[] = []
    const p = processor({ onLog: (l) => lines.push(l) })
    p.processLine('')
    p.processLine('a :: b')
    expect(lines).toEqual(['', 'a :: b'])
  })
})
