// A runner-faithful harness for running a bundled JavaScript (node24) action and
// bash steps the way the GitHub Actions runner does. No jest imports: usable from
// tests and from scripts run directly with Node 24.
export { runJob, HarnessError } from './run-job.ts'
export type {
  JobResult,
  JobSpec,
  JobStatus,
  RunnerSpec,
  GitHubSpec,
  RunStepSpec,
  StepAnnotation,
  StepPhase,
  StepResult,
  StepSpec,
  UsesStepSpec,
} from './types.ts'
export { loadActionManifest, type ActionInput, type ActionManifest } from './action-manifest.ts'
export { inputEnvName, inputsToEnv, resolveInputs, type ResolvedInputs } from './inputs.ts'
export {
  evaluateExpression,
  evaluateTemplateString,
  ExpressionError,
  INPUT_DEFAULT_CONTEXTS,
  parseStatusCondition,
  statusConditionPasses,
  type ExprContexts,
  type ExprValue,
  type StatusFunction,
} from './expressions.ts'
export {
  addToPrependPath,
  composePath,
  FileCommandError,
  iterateKeyValueFile,
  parseKeyValueFile,
  parsePathFile,
  scrubStepSummary,
  splitDotNetLines,
} from './file-commands.ts'
export { MASK, SecretMasker, secretVariations } from './secret-masker.ts'
export {
  escapeData,
  escapeProperty,
  parseWorkflowCommand,
  StepOutputProcessor,
  type Annotation,
  type WorkflowCommand,
} from './workflow-commands.ts'
export { FIXTURE_PRELUDE, writeNodeAction, type FixtureAction, type FixtureInput } from './write-action.ts'
