/**
 * A throwaway CA, a server certificate for 127.0.0.1/localhost and a client
 * certificate, made with the openssl CLI, for the TLS and mutual-TLS tests.
 */
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface TestPki {
  caCert: string
  serverCert: string
  serverKey: string
  clientCert: string
  clientKey: string
}

export async function makeTestPki(dir: string): Promise<TestPki> {
  const f = (name: string) => path.join(dir, name)
  const openssl = (...args: string[]) => run('openssl', args)
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=go-cache-setup test CA',
  )
  const issue = async (name: string, subject: string, extensions: string) => {
    await writeFile(f(`${name}.ext`), extensions)
    await openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
      '-subj',
      subject,
    )
    await openssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f(`${name}.pem`),
      '-days',
      '2',
      '-extfile',
      f(`${name}.ext`),
    )
  }
  await issue('server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n')
  await issue('client', '/CN=ci-runner', 'extendedKeyUsage=clientAuth\n')
  return { caCert: f('ca.pem'), serverCert: f('server.pem'), serverKey: f('server.key'), clientCert: f('client.pem'), clientKey: f('client.key') }
}
