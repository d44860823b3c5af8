/**
 * Builds the daemon's remote tier from its environment (REMOTE_ENV, set by
 * whoever starts the daemon: buildcache/client-daemon.ts). The variable is
 * removed from the process environment once read, so nothing the daemon
 * might start inherits it.
 */
import { BazelHttpClient } from '../remote/bazel-http.ts'
import { S3Remote } from '../remote/s3.ts'
import type { AwsCredentials } from '../remote/sigv4.ts'
import { CircuitBreaker } from '../remote/breaker.ts'
import { decodeRemoteSettings, type RemoteSettings } from '../remote/config.ts'
import type { LocalStore } from '../store/local-store.ts'
import { PREFETCH_CONCURRENCY, RemoteTier } from '../store/remote-tier.ts'
import { REMOTE_ENV } from '../common/env.ts'

/** Failures in a row that open a direction's circuit, and for how long it stays open at first and at most. */
export const BREAKER = { failureThreshold: 3, openMs: 30_000, maxOpenMs: 300_000 }
/**
 * The job-wide budget: once failed requests have cost this much time in one
 * direction (summed over concurrent ones), that direction is off for the rest
 * of the job. Reads are what go waits on; uploads run in the background.
 */
export const BUDGET_MS = { read: 10_000, write: 30_000 }

export function takeRemoteSettings(env: NodeJS.ProcessEnv): RemoteSettings | undefined {
  const text = env[REMOTE_ENV]
  delete env[REMOTE_ENV]
  if (text === undefined || text === '') return undefined
  return decodeRemoteSettings(text)
}

/**
 * The remote tier's factory, its remote's code loaded first: REAPI's gRPC
 * runtime and generated code (reapi.ts) load only when the remote is one,
 * so the HTTP and S3 daemons, and every other entry, start without them.
 */
export async function remoteTier(settings: RemoteSettings, log: (message: string) => void): Promise<(store: LocalStore) => RemoteTier> {
  const { config } = settings
  const reapi = config.kind === 'grpc' ? await import('../remote/reapi.ts') : undefined
  return (store) => {
    // Sockets: the uploads plus the lookups of a parallel build (gRPC: one HTTP/2 connection carries them all).
    const sockets = settings.uploadConcurrency + PREFETCH_CONCURRENCY + 8
    const remote =
      config.kind === 'http'
        ? new BazelHttpClient(config, sockets)
        : config.kind === 'grpc'
          ? new reapi!.ReapiRemote(config)
          : new S3Remote(config, awsCredentials(process.env), sockets)
    const now = () => performance.now()
    const health = { read: new CircuitBreaker({ ...BREAKER, now }), write: new CircuitBreaker({ ...BREAKER, now }), budgetMs: BUDGET_MS, now }
    const { read, write } = settings.scopes
    log(
      `remote cache ${config.url}${config.kind === 'grpc' && config.instance !== '' ? ` instance ${config.instance}` : ''} (reads ${read.join(', then ')}; ${write ? `writes ${write}` : 'read-only'}; timeout ${config.timeoutMs} ms${config.kind === 's3' ? `, region ${config.region}` : `, compression ${config.compression}`})`,
    )
    return new RemoteTier(remote, store, health, {
      scopes: settings.scopes,
      uploadConcurrency: settings.uploadConcurrency,
      log,
      ...(settings.manifestKey && { manifestKey: settings.manifestKey }),
    })
  }
}

/**
 * The AWS credentials the job's environment holds (aws-actions/configure-aws-credentials
 * exports them, OIDC included); the main step checked they are there. Read here, never written anywhere.
 */
function awsCredentials(env: NodeJS.ProcessEnv): AwsCredentials {
  return {
    accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    ...(env.AWS_SESSION_TOKEN && { sessionToken: env.AWS_SESSION_TOKEN }),
  }
}
