// Runs the azurite blob emulator (npm package) as a child process on 127.0.0.1 and
// signs SAS URLs for it with the emulator's well-known devstoreaccount1 key.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import {
  BlobSASPermissions,
  BlobServiceClient,
  type ContainerClient,
  SASProtocol,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob'

/** Azurite's documented development account (not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1'
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

export interface Azurite {
  port: number
  /** http://127.0.0.1:<port>/devstoreaccount1 */
  accountUrl: string
  stop(): Promise<void>
}

export interface AzuriteOptions {
  location: string
  port?: number
  log?: (line: string) => void
  startTimeoutMs?: number
}

export async function startAzurite(opts: AzuriteOptions): Promise<Azurite> {
  const main = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js')
  const args = [
    main,
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(opts.port ?? 0),
    '--location',
    opts.location,
    '--disableTelemetry', // mandatory: azurite otherwise reports to Application Insights
    '--skipApiVersionCheck', // @azure/storage-blob may be newer than the emulator
    '--silent',
  ]
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.AZURITE_ACCOUNTS // keep the well-known account/key
  delete env.NODE_OPTIONS
  // detached: its own process group, so a terminal Ctrl-C reaches only our process and
  // stop() shuts azurite down exactly once (a second signal while closing crashes it).
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true })
  const log = opts.log ?? (() => {})
  // ...and it must not outlive us if we exit without stop().
  const killOnExit = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', killOnExit)
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', killOnExit)
      resolve()
    }),
  )

  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`azurite did not start within ${opts.startTimeoutMs ?? 30000} ms:\n${output}`)),
      opts.startTimeoutMs ?? 30_000,
    )
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8')
      output += text
      for (const line of text.split('\n')) if (line.trim()) log(`[azurite] ${line.trim()}`)
      const m = /successfully listens on https?:\/\/[^\s:]+:(\d+)/.exec(output)
      if (m) {
        clearTimeout(timer)
        child.off('exit', onExit)
        resolve(Number(m[1]))
      }
    }
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      fail(new Error(`azurite exited (code ${code}, signal ${signal}) before listening:\n${output}`))
    function fail(err: Error): void {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(err)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', onExit)
  })

  return {
    port,
    accountUrl: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM') // azurite closes its server and exits 0
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(killer)
      child.stdout.destroy()
      child.stderr.destroy()
    },
  }
}

/** Blob container operations the cache service needs. */
export interface BlobStore {
  container: ContainerClient
  /** URL with a SAS token: 'cw' to upload (PutBlob / PutBlock / PutBlockList), 'r' to download. */
  sasUrl(blobName: string, permissions: 'cw' | 'r', ttlMs?: number): string
  /** Size of the committed blob, undefined when it does not exist. */
  size(blobName: string): Promise<number | undefined>
  delete(blobName: string): Promise<void>
}

export async function openBlobStore(accountUrl: string, containerName: string): Promise<BlobStore> {
  const credential = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY)
  const service = new BlobServiceClient(accountUrl, credential)
  const container = service.getContainerClient(containerName)
  await container.createIfNotExists()
  return {
    container,
    sasUrl(blobName, permissions, ttlMs = 6 * 3600_000) {
      const sas = generateBlobSASQueryParameters(
        {
          containerName,
          blobName,
          permissions: BlobSASPermissions.parse(permissions),
          startsOn: new Date(Date.now() - 5 * 60_000), // tolerate clock skew
          expiresOn: new Date(Date.now() + ttlMs),
          protocol: SASProtocol.HttpsAndHttp,
        },
        credential,
      ).toString()
      return `${container.getBlockBlobClient(blobName).url}?${sas}`
    },
    async size(blobName) {
      try {
        const props = await container.getBlockBlobClient(blobName).getProperties()
        return props.contentLength ?? 0
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined
        throw err
      }
    },
    async delete(blobName) {
      await container.getBlockBlobClient(blobName).deleteIfExists()
    },
  }
}
