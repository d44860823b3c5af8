/**
 * The main step's part of the remote cache: mask its secrets, check the TLS
 * files exist, and build the daemon's settings.
 */
import { access } from 'node:fs/promises'
import type { Inputs } from '../action/inputs.ts'
import { Input } from '../action/constants.ts'
import { ConfigError } from '../action/errors.ts'
import type { WriteDecision } from '../policy/write-policy.ts'
import { manifestKey, remoteSettings, secretValues, type RemoteConfig, type RemoteSettings } from './settings.ts'

export type ManifestScope = Parameters<typeof manifestKey>[0]

type RemoteInputs = Pick<
  Inputs,
  'cacheUrl' | 'cacheToken' | 'cacheHeaders' | 'cacheCaCert' | 'cacheClientCert' | 'cacheClientKey' | 'cacheTimeoutMs' | 'cacheCompression'
>

export function remoteConfig(inputs: RemoteInputs): RemoteConfig | undefined {
  if (inputs.cacheUrl === '') return undefined
  return {
    url: inputs.cacheUrl,
    token: inputs.cacheToken,
    headers: inputs.cacheHeaders,
    ...(inputs.cacheCaCert && { caFile: inputs.cacheCaCert }),
    ...(inputs.cacheClientCert && { certFile: inputs.cacheClientCert }),
    ...(inputs.cacheClientKey && { keyFile: inputs.cacheClientKey }),
    timeoutMs: inputs.cacheTimeoutMs,
    compression: inputs.cacheCompression,
  }
}

/** core.setSecret for the token, its Authorization forms and every extra header value. */
export function maskRemoteSecrets(inputs: RemoteInputs, setSecret: (value: string) => void): void {
  const config = remoteConfig(inputs)
  if (config === undefined) {
    if (inputs.cacheToken !== '') setSecret(inputs.cacheToken)
    return
  }
  for (const value of secretValues(config)) setSecret(value)
}

/** The daemon's settings, or undefined without cache-url; a missing TLS file is the user's to fix (ConfigError). */
export async function remoteFromInputs(inputs: RemoteInputs, write: WriteDecision, scope: ManifestScope): Promise<RemoteSettings | undefined> {
  const config = remoteConfig(inputs)
  if (config === undefined) return undefined
  const files: [string, string | undefined][] = [
    [Input.CacheCaCert, config.caFile],
    [Input.CacheClientCert, config.certFile],
    [Input.CacheClientKey, config.keyFile],
  ]
  for (const [name, file] of files) {
    if (file !== undefined && !(await access(file).then(() => true, () => false))) {
      throw new ConfigError(`${name}: ${file} does not exist in this job; write the PEM file first (for example from a secret), or fix the path.`)
    }
  }
  return remoteSettings(config, write.allowed, manifestKey(scope))
}
