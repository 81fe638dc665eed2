import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { waitFor } from './cluster-setup.js'
import { RedisProcess, baseServerArgs, createTempDir, removeTempDir, withFreePorts } from './redis-process.js'
import { parseInfoFields, redisCommandOk } from './resp.js'
import { createTlsCertificates, tlsFileArgs, tlsServerArgs, type TlsCertificates } from './tls-certificates.js'

/** Options of {@link startRedisSentinel}. */
export interface StartRedisSentinelOptions {
  /**
   * Replicas of the master.
   * @default 1
   * @example
   * ```ts
   * const group = await startRedisSentinel({ replicas: 2 })
   * ```
   */
  readonly replicas?: number
  /**
   * Sentinel processes; the quorum is a majority of them.
   * @default 3
   * @example
   * ```ts
   * const group = await startRedisSentinel({ sentinels: 5 }) // quorum 3
   * ```
   */
  readonly sentinels?: number
  /**
   * The name the sentinels monitor the master under.
   * @default 'cachette'
   * @example
   * ```ts
   * const group = await startRedisSentinel({ masterName: 'mymaster' })
   * const client = new Redis({ sentinels: [...group.sentinels], name: group.masterName })
   * ```
   */
  readonly masterName?: string
  /**
   * `down-after-milliseconds`: how long the master may be unreachable before a failover.
   * @default 1000
   * @example
   * ```ts
   * const group = await startRedisSentinel({ downAfterMs: 500 }) // the sentinels notice a dead master sooner
   * ```
   */
  readonly downAfterMs?: number
  /**
   * Master and replicas serve TLS only (replication too), and the Sentinels reach them over TLS;
   * the Sentinels themselves still listen in plain TCP, so a client needs TLS for the data nodes
   * only (ioredis: `tls` plus `enableTLSForSentinelMode`). `true` makes a throwaway CA
   * ({@link createTlsCertificates}).
   * @default false
   * @example
   * ```ts
   * const group = await startRedisSentinel({ tls: true })
   * ioredisDriver({ sentinels: group.sentinels, name: group.masterName, tls: { ca: group.tls!.ca } })
   * ```
   */
  readonly tls?: boolean | TlsCertificates
}

/** A data node (master or replica) of a Sentinel group. */
export interface RedisSentinelDataNode {
  /** Always the loopback address. */
  readonly host: '127.0.0.1'
  /** The node's client port. */
  readonly port: number
  /** The current process id. */
  readonly pid: number
  /**
   * Sends a signal; resolves once the process exited for SIGKILL/SIGTERM.
   *
   * @example
   * ```ts
   * await group.master.kill('SIGKILL') // the Sentinels promote the replica after downAfterMs
   * ```
   */
  kill(signal?: NodeJS.Signals): Promise<void>
  /**
   * SIGSTOP.
   *
   * @example
   * ```ts
   * group.master.freeze() // a hung master: the Sentinels fail over after downAfterMs
   * group.master.thaw()
   * ```
   */
  freeze(): void
  /**
   * SIGCONT.
   *
   * @example
   * ```ts
   * group.master.freeze()
   * group.master.thaw() // answers again; it may now be a replica
   * ```
   */
  thaw(): void
}

/** A running Sentinel group started by {@link startRedisSentinel}. */
export interface RedisSentinelHandle {
  /** The monitored master's name, for a client's `name` option. */
  readonly masterName: string
  /** Sentinel addresses, for a client's `sentinels` option. */
  readonly sentinels: readonly { readonly host: '127.0.0.1'; readonly port: number }[]
  /** The node started as master. */
  readonly master: RedisSentinelDataNode
  /** The nodes started as its replicas. */
  readonly replicas: readonly RedisSentinelDataNode[]
  /** With `tls`: the CA a client must trust for the data nodes (PEM). Undefined otherwise. */
  readonly tls: { readonly ca: string } | undefined
  /**
   * Stops every process and removes the temp dirs. Idempotent.
   *
   * @example
   * ```ts
   * afterAll(() => group.stop()) // master, replicas and Sentinels
   * ```
   */
  stop(): Promise<void>
}

const READY_TIMEOUT_MS = 15_000

/** `['--a', '1', '--b', '2']` as config file lines `a 1`, `b 2`. */
function pairs(args: readonly string[]): string[] {
  const lines: string[] = []
  for (let i = 0; i < args.length; i += 2) lines.push(`${(args[i] as string).slice(2)} ${args[i + 1] as string}`)
  return lines
}

function dataNode(child: RedisProcess): RedisSentinelDataNode {
  return {
    host: '127.0.0.1',
    port: child.port,
    get pid() {
      return child.pid
    },
    async kill(signal = 'SIGKILL') {
      child.kill(signal)
      if (signal === 'SIGTERM') child.thaw()
      if (signal === 'SIGKILL' || signal === 'SIGTERM') await child.waitForExit()
    },
    freeze: () => child.freeze(),
    thaw: () => child.thaw(),
  }
}

/**
 * Starts a master, its replicas and a group of Sentinels (`redis-server <conf> --sentinel`, which
 * Debian's redis-server binary supports without the redis-sentinel package) on free loopback
 * ports. Resolves once the replicas are in sync and every Sentinel reports the master.
 *
 * @example
 * ```ts
 * import { startRedisSentinel } from '@cachette/testing'
 *
 * const group = await startRedisSentinel({ replicas: 1, sentinels: 3 })
 * const client = new Redis({ sentinels: [...group.sentinels], name: group.masterName })
 * await group.stop()
 * ```
 */
export async function startRedisSentinel(options: StartRedisSentinelOptions = {}): Promise<RedisSentinelHandle> {
  const replicaCount = options.replicas ?? 1
  const sentinelCount = options.sentinels ?? 3
  const masterName = options.masterName ?? 'cachette'
  const downAfterMs = options.downAfterMs ?? 1000
  const certificates = options.tls === true ? createTlsCertificates() : options.tls || undefined
  const tls = certificates === undefined ? undefined : { ca: certificates.ca }
  const dirs: string[] = []
  const started: RedisProcess[] = []
  const stopAll = async () => {
    await Promise.all(started.map((child) => child.stop()))
    for (const dir of dirs) removeTempDir(dir)
  }
  const startData = async (extra: readonly string[]) => {
    const dir = createTempDir('redis-sentinel-data')
    dirs.push(dir)
    const child = await withFreePorts(1, ([port]) =>
      RedisProcess.start({
        dir,
        port: port as number,
        logFile: 'redis.log',
        args: [...baseServerArgs(port as number, 'redis.log'), ...(certificates === undefined ? [] : tlsServerArgs(port as number, certificates)), ...extra],
        ...(tls === undefined ? {} : { tls }),
      }),
    )
    started.push(child)
    return child
  }
  try {
    const master = await startData([])
    const replicas = await Promise.all(
      Array.from({ length: replicaCount }, () => startData(['--replicaof', '127.0.0.1', String(master.port)])),
    )
    const quorum = Math.floor(sentinelCount / 2) + 1
    const sentinels = await Promise.all(
      Array.from({ length: sentinelCount }, async () => {
        const dir = createTempDir('redis-sentinel')
        dirs.push(dir)
        const child = await withFreePorts(1, ([port]) => {
          // Sentinel rewrites its config file, so each one gets its own writable copy.
          writeFileSync(
            join(dir, 'sentinel.conf'),
            [
              `port ${port}`,
              'bind 127.0.0.1',
              'protected-mode no',
              'logfile sentinel.log',
              `sentinel monitor ${masterName} 127.0.0.1 ${master.port} ${quorum}`,
              `sentinel down-after-milliseconds ${masterName} ${downAfterMs}`,
              `sentinel failover-timeout ${masterName} ${Math.max(3 * downAfterMs, 3000)}`,
              `sentinel parallel-syncs ${masterName} 1`,
              // `--tls-cert-file /path` pairs as config lines: the Sentinel then reaches the data nodes over TLS.
              ...pairs(certificates === undefined ? [] : tlsFileArgs(certificates)),
              '',
            ].join('\n'),
          )
          return RedisProcess.start({ dir, port: port as number, logFile: 'sentinel.log', args: ['sentinel.conf', '--sentinel'] })
        })
        started.push(child)
        return child
      }),
    )
    await waitFor('replicas in sync and sentinels reporting the master', READY_TIMEOUT_MS, async () => {
      for (const replica of replicas) {
        const info = parseInfoFields(String(await redisCommandOk(replica.port, ['INFO', 'replication'], 1000, tls)))
        if (info.get('master_link_status') !== 'up') return false
      }
      for (const sentinel of sentinels) {
        const address = await redisCommandOk(sentinel.port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName])
        if (!Array.isArray(address) || Number(address[1]) !== master.port) return false
      }
      return true
    })
    let stopped = false
    return {
      masterName,
      sentinels: sentinels.map((sentinel) => ({ host: '127.0.0.1' as const, port: sentinel.port })),
      master: dataNode(master),
      replicas: replicas.map(dataNode),
      tls,
      async stop() {
        if (stopped) return
        stopped = true
        await stopAll()
      },
    }
  } catch (error) {
    await stopAll()
    throw error
  }
}
