/**
 * The main step's part of the remote cache: mask its secrets before anything
 * is logged, check the TLS files exist, and build the daemon's settings.
 */
import { access } from 'node:fs/promises'
import { ConfigError } from '../common/errors.ts'
import type { RemoteScopes } from '../policy/write-policy.ts'
import { manifestKey, remoteSettings, secretValues, type ManifestScope, type RemoteConfig, type RemoteSettings } from '../remote/config.ts'
import { Input } from './constants.ts'

/** core.setSecret for the token, and every header value with and without its scheme (Authorization among them). */
export function maskRemoteSecrets(token: string, remote: RemoteConfig | undefined, setSecret: (value: string) => void): void {
  for (const value of secretValues(token, remote)) setSecret(value)
}

/** The daemon's settings; a missing TLS file is the user's to fix (ConfigError). */
export async function daemonRemote(remote: RemoteConfig, scopes: RemoteScopes, manifest: ManifestScope): Promise<RemoteSettings> {
  const files: [string, string | undefined][] =
    remote.kind === 'http'
      ? [
          [Input.CacheCaCert, remote.caFile],
          [Input.CacheClientCert, remote.certFile],
          [Input.CacheClientKey, remote.keyFile],
        ]
      : []
  for (const [name, file] of files) {
    if (
      file !== undefined &&
      !(await access(file).then(
        () => true,
        () => false,
      ))
    ) {
      throw new ConfigError(`${name}: ${file} does not exist in this job; write the PEM file first (for example from a secret), or fix the path.`)
    }
  }
  return remoteSettings(remote, scopes, manifestKey(manifest))
}
