import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createTempDir } from './redis-process.js'

/** A throwaway CA and a server certificate it signed, for 127.0.0.1 and localhost. */
export interface TlsCertificates {
  /** The CA certificate (PEM): what a client passes as `tls: { ca }` to trust the servers. */
  readonly ca: string
  /** Path of the CA certificate, for redis-server's `--tls-ca-cert-file`. */
  readonly caFile: string
  /** Path of the server certificate, for `--tls-cert-file`. */
  readonly certFile: string
  /** Path of the server's private key, for `--tls-key-file`. */
  readonly keyFile: string
}

function openssl(dir: string, args: readonly string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
    throw new Error(
      missing ? 'createTlsCertificates needs the openssl command (Debian: apt-get install openssl)' : `openssl ${args[0]} failed: ${String((error as { stderr?: unknown }).stderr ?? error)}`,
    )
  }
}

/**
 * Makes a CA and a server certificate signed by it (P-256 keys, valid 2 days, subject alternative
 * names `IP:127.0.0.1` and `DNS:localhost`) in a temp dir removed at process exit, with the
 * `openssl` command. The launchers' `tls: true` uses it; call it yourself to share one CA between
 * several servers.
 *
 * @example
 * ```ts
 * const certificates = createTlsCertificates()
 * const server = await startRedisServer({ tls: certificates })
 * const driver = ioredisDriver({ url: server.url, tls: { ca: certificates.ca } }) // rediss://127.0.0.1:<port>
 * ```
 */
export function createTlsCertificates(): TlsCertificates {
  const dir = createTempDir('tls')
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  openssl(dir, ['req', '-x509', ...ecKey, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Cachette test CA'])
  openssl(dir, ['req', ...ecKey, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'])
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext'])
  return {
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    caFile: join(dir, 'ca.crt'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
  }
}

/**
 * redis-server arguments that make it TLS-only: no plain port, `port` served over TLS, replication
 * (and Sentinel's connections) over TLS too, client certificates not required.
 *
 * @example
 * ```ts
 * const args = [...baseServerArgs(port, 'redis.log'), ...tlsServerArgs(port, createTlsCertificates())]
 * ```
 */
export function tlsServerArgs(port: number, certificates: TlsCertificates): string[] {
  return [
    '--port', '0',
    '--tls-port', String(port),
    ...tlsFileArgs(certificates),
  ]
}

/**
 * The certificate arguments alone, as `--name value` pairs (a Sentinel config writes them as
 * lines): the files, TLS for replication, client certificates not required.
 *
 * @example
 * ```ts
 * tlsFileArgs(certificates) // ['--tls-cert-file', '/tmp/.../server.crt', ...]
 * ```
 */
export function tlsFileArgs(certificates: TlsCertificates): string[] {
  return [
    '--tls-cert-file', certificates.certFile,
    '--tls-key-file', certificates.keyFile,
    '--tls-ca-cert-file', certificates.caFile,
    '--tls-auth-clients', 'no',
    '--tls-replication', 'yes',
  ]
}
