import { connect, createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { InvalidOptionsError } from '@cachette/core'
import { DelayedPipe, type PipeConditions } from './delayed-pipe.js'

/** Options of {@link startChaosProxy}. */
export interface ChaosProxyOptions {
  /**
   * Where the proxy forwards to (a redis-server, the Upstash bridge...). Loopback only.
   * @example
   * ```ts
   * const server = await startRedisServer()
   * const proxy = await startChaosProxy({ target: { host: server.host, port: server.port } })
   * ```
   */
  readonly target: { readonly host: string; readonly port: number }
  /**
   * The port to listen on (on 127.0.0.1).
   * @default a free port chosen by the OS
   * @example
   * ```ts
   * await startChaosProxy({ target: { host: '127.0.0.1', port: 6379 }, port: 16379 }) // clients use redis://127.0.0.1:16379
   * ```
   */
  readonly port?: number
  /**
   * The random source of the jitter, for reproducible runs.
   * @default Math.random
   * @example
   * ```ts
   * const proxy = await startChaosProxy({ target, random: () => 0.5 })
   * proxy.setLatency(100, 40) // every chunk then waits exactly 120 ms, each way
   * ```
   */
  readonly random?: () => number
}

/** A running proxy: a TCP man-in-the-middle whose faults can be switched on and off under traffic. */
export interface ChaosProxy {
  readonly host: '127.0.0.1'
  /** The port clients connect to. */
  readonly port: number
  /** Connections open now. */
  readonly connections: number
  /**
   * Adds `latencyMs` + random [0, jitterMs) to every chunk, both ways (0, 0 removes it).
   *
   * @example
   * ```ts
   * proxy.setLatency(300, 50) // a latency spike past a 200 ms deadline
   * proxy.setLatency(0, 0)    // back to normal
   * ```
   */
  setLatency(latencyMs: number, jitterMs?: number): void
  /**
   * A network partition: bytes in flight and new bytes are held (not dropped) both ways, and new
   * connections are accepted but not forwarded, until {@link ChaosProxy.heal}.
   *
   * @example
   * ```ts
   * proxy.partition() // calls through the proxy hit their deadline; nothing is lost
   * await proxy.heal()
   * ```
   */
  partition(): void
  /**
   * Ends a partition: held bytes and held connections go through, in order. Also stops refusing.
   *
   * @example
   * ```ts
   * proxy.partition()
   * await proxy.heal() // held bytes go through, in order
   * ```
   */
  heal(): Promise<void>
  /**
   * Resets (TCP RST) every open connection, both sides. New connections work.
   *
   * @example
   * ```ts
   * proxy.reset() // every open connection gets a TCP RST; clients reconnect
   * ```
   */
  reset(): void
  /**
   * Stops listening: new connections are refused (ECONNREFUSED) until {@link ChaosProxy.heal}. Open ones stay.
   *
   * @example
   * ```ts
   * await proxy.refuse() // new connections: ECONNREFUSED
   * await proxy.heal()
   * ```
   */
  refuse(): Promise<void>
  /**
   * Closes everything. Idempotent.
   *
   * @example
   * ```ts
   * afterAll(() => proxy.stop())
   * ```
   */
  stop(): Promise<void>
}

interface Pair {
  readonly client: Socket
  upstream: Socket | undefined
  readonly toUpstream: DelayedPipe | undefined
  toClient: DelayedPipe | undefined
  /** Held during a partition: connect upstream on heal. */
  start: (() => void) | undefined
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])

/**
 * Starts a TCP proxy on a free loopback port in front of `target`, with switchable faults:
 * latency and jitter, a partition that holds traffic and flushes it on heal (dropping bytes would
 * desynchronize replies), connection resets, and refused connections. Each fault applies to open
 * connections and new ones. For tests and the chaos suite; it never leaves loopback.
 *
 * @example
 * ```ts
 * import { startChaosProxy, startRedisServer } from '@cachette/testing'
 *
 * const redis = await startRedisServer()
 * const proxy = await startChaosProxy({ target: { host: redis.host, port: redis.port } })
 * const driver = ioredisDriver({ url: `redis://127.0.0.1:${proxy.port}` })
 * proxy.setLatency(300, 50)   // a latency spike
 * proxy.partition()           // nothing gets through...
 * await proxy.heal()          // ...and everything held is delivered
 * await proxy.stop()
 * ```
 */
export async function startChaosProxy(options: ChaosProxyOptions): Promise<ChaosProxy> {
  const { target } = options
  if (typeof target?.host !== 'string' || !LOOPBACK.has(target.host) || !Number.isInteger(target.port)) {
    throw new InvalidOptionsError('[@cachette/testing] startChaosProxy: target must be a loopback { host, port }')
  }
  const random = options.random ?? Math.random
  const conditions: PipeConditions = { latencyMs: 0, jitterMs: 0, partitioned: false }
  const pairs = new Set<Pair>()
  let stopped = false

  const destroyPair = (pair: Pair, reset: boolean) => {
    if (!pairs.delete(pair)) return
    pair.toUpstream?.close()
    pair.toClient?.close()
    for (const socket of [pair.client, pair.upstream]) {
      if (socket === undefined || socket.destroyed) continue
      if (reset) socket.resetAndDestroy()
      else socket.destroy()
    }
  }

  const onConnection = (client: Socket) => {
    if (stopped) {
      client.destroy()
      return
    }
    client.setNoDelay(true)
    const pair: Pair = { client, upstream: undefined, toUpstream: undefined, toClient: undefined, start: undefined }
    // Client bytes flow into a pipe whose destination is set once the upstream socket exists.
    const pending: Buffer[] = []
    let toUpstream: DelayedPipe | undefined
    client.on('data', (data: Buffer) => (toUpstream === undefined ? pending.push(data) : toUpstream.push(data)))
    client.on('end', () => toUpstream?.end())
    client.on('error', () => destroyPair(pair, false))
    client.on('close', () => destroyPair(pair, false))
    pairs.add(pair)

    const start = () => {
      pair.start = undefined
      if (!pairs.has(pair)) return
      const upstream = connect({ host: target.host, port: target.port })
      upstream.setNoDelay(true)
      pair.upstream = upstream
      toUpstream = new DelayedPipe(upstream, conditions, random)
      ;(pair as { toUpstream: DelayedPipe }).toUpstream = toUpstream
      const toClient = new DelayedPipe(client, conditions, random)
      pair.toClient = toClient
      for (const data of pending.splice(0)) toUpstream.push(data)
      upstream.on('data', (data: Buffer) => toClient.push(data))
      upstream.on('end', () => toClient.end())
      // The target refused or died: the client sees its connection reset, as it would directly.
      upstream.on('error', () => destroyPair(pair, true))
      upstream.on('close', () => destroyPair(pair, false))
    }
    if (conditions.partitioned) pair.start = start
    else start()
  }

  let server = createServer(onConnection)
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve((server.address() as AddressInfo).port)
      })
    })
  const port = await listen(options.port ?? 0)
  let refusing = false
  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()))

  return {
    host: '127.0.0.1',
    port,
    get connections() {
      return pairs.size
    },
    setLatency(latencyMs, jitterMs = 0) {
      if (!(latencyMs >= 0) || !(jitterMs >= 0)) throw new InvalidOptionsError('[@cachette/testing] setLatency: latency and jitter are ms >= 0')
      conditions.latencyMs = latencyMs
      conditions.jitterMs = jitterMs
    },
    partition() {
      conditions.partitioned = true
    },
    async heal() {
      conditions.partitioned = false
      for (const pair of [...pairs]) {
        pair.start?.()
        pair.toUpstream?.release()
        pair.toClient?.release()
      }
      if (refusing && !stopped) {
        refusing = false
        server = createServer(onConnection)
        await listen(port)
      }
    },
    reset() {
      for (const pair of [...pairs]) destroyPair(pair, true)
    },
    async refuse() {
      if (refusing || stopped) return
      refusing = true
      // close() stops accepting at once; its callback waits for open connections, so not awaited.
      void closeServer()
    },
    async stop() {
      if (stopped) return
      stopped = true
      for (const pair of [...pairs]) destroyPair(pair, false)
      if (!refusing) await closeServer()
    },
  }
}
