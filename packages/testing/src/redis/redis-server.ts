import { RedisProcess, baseServerArgs, createTempDir, removeTempDir, withFreePorts } from './redis-process.js'
import { createTlsCertificates, tlsServerArgs, type TlsCertificates } from './tls-certificates.js'

/** Options of {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /**
   * Extra redis-server arguments, appended after the launcher's own, e.g.
   * `['--requirepass', 'secret']` or `['--maxmemory', '10mb']`.
   * @default []
   * @example
   * ```ts
   * const server = await startRedisServer({ args: ['--requirepass', 'secret'] })
   * const client = new Redis(server.port, server.host, { password: 'secret' })
   * ```
   */
  readonly args?: readonly string[]
  /**
   * Serve TLS only, on the one port: `true` makes a throwaway CA and certificate
   * ({@link createTlsCertificates}); pass certificates to share one CA between servers. The
   * handle's `url` is then `rediss://`, and `tls.ca` is what a client must trust.
   * @default false
   * @example
   * ```ts
   * const server = await startRedisServer({ tls: true })
   * const driver = ioredisDriver({ url: server.url, tls: { ca: server.tls!.ca } })
   * ```
   */
  readonly tls?: boolean | TlsCertificates
}

/** A running redis-server started by {@link startRedisServer}. */
export interface RedisServerHandle {
  /** Always the loopback address. */
  readonly host: '127.0.0.1'
  /** The free port it was started on; kept across {@link RedisServerHandle.restart}. */
  readonly port: number
  /** `redis://127.0.0.1:<port>`, or `rediss://` when started with `tls`. */
  readonly url: string
  /** With `tls`: the CA a client must trust (PEM). Undefined for a plain server. */
  readonly tls: { readonly ca: string } | undefined
  /** The current process id (a restart changes it). */
  readonly pid: number
  /**
   * Stops the server (SIGTERM, then SIGKILL) and removes its temp dir. Idempotent.
   *
   * @example
   * ```ts
   * afterAll(() => server.stop()) // SIGTERM, SIGKILL after a grace period; a second call does nothing
   * ```
   */
  stop(): Promise<void>
  /**
   * Sends a signal, e.g. `'SIGKILL'` to simulate a crash. Resolves once it has exited for SIGKILL/SIGTERM.
   *
   * @example
   * ```ts
   * await server.kill('SIGKILL') // a crash: calls now fail fast
   * await server.restart()       // back on the same port, empty
   * ```
   */
  kill(signal?: NodeJS.Signals): Promise<void>
  /**
   * SIGSTOP: the server keeps its sockets open but answers nothing (a hung server).
   *
   * @example
   * ```ts
   * server.freeze() // connections stay open, nothing answers: calls hit their deadline
   * server.thaw()
   * ```
   */
  freeze(): void
  /**
   * SIGCONT: resumes a frozen server.
   *
   * @example
   * ```ts
   * server.freeze()
   * await expect(driver.ping()).rejects.toThrow() // DeadlineExceededError
   * server.thaw()   // queued commands are answered now
   * ```
   */
  thaw(): void
  /**
   * Starts the server again on the same port (after a kill, or stopping it first). Data is not kept.
   *
   * @example
   * ```ts
   * await server.kill('SIGKILL')
   * await server.restart() // resolves once it answers PING again
   * ```
   */
  restart(): Promise<void>
}

/**
 * Starts Debian's redis-server (or `REDIS_SERVER_BIN`) on a free loopback port, without
 * persistence, in its own temp dir, and resolves once it answers PING. The process is stopped by
 * PID and killed at process exit if a test forgets to stop it.
 *
 * @example
 * ```ts
 * import { startRedisServer } from '@cachette/testing'
 *
 * const server = await startRedisServer()
 * const client = new Redis(server.port, server.host)
 * // ...
 * await server.stop()
 * ```
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServerHandle> {
  const certificates = options.tls === true ? createTlsCertificates() : options.tls || undefined
  const dir = createTempDir('redis')
  let redis: RedisProcess
  try {
    redis = await withFreePorts(1, ([port]) =>
      RedisProcess.start({
        dir,
        port: port as number,
        logFile: 'redis.log',
        args: [
          ...baseServerArgs(port as number, 'redis.log'),
          ...(certificates === undefined ? [] : tlsServerArgs(port as number, certificates)),
          ...(options.args ?? []),
        ],
        ...(certificates === undefined ? {} : { tls: { ca: certificates.ca } }),
      }),
    )
  } catch (error) {
    removeTempDir(dir)
    throw error
  }
  let stopped = false
  return {
    host: '127.0.0.1',
    port: redis.port,
    url: `${certificates === undefined ? 'redis' : 'rediss'}://127.0.0.1:${redis.port}`,
    tls: certificates === undefined ? undefined : { ca: certificates.ca },
    get pid() {
      return redis.pid
    },
    async stop() {
      if (stopped) return
      stopped = true
      await redis.stop()
      removeTempDir(dir)
    },
    async kill(signal = 'SIGKILL') {
      redis.kill(signal)
      // A frozen process only acts on SIGTERM once it runs again.
      if (signal === 'SIGTERM') redis.thaw()
      if (signal === 'SIGKILL' || signal === 'SIGTERM') await redis.waitForExit()
    },
    freeze: () => redis.freeze(),
    thaw: () => redis.thaw(),
    restart: () => redis.restart(),
  }
}
