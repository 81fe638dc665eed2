/**
 * One process of the two-tier tests (two-tiers-harness.ts forks three): a cache with a memory
 * tier and the invalidation bus, answering the harness's requests over IPC. Store-agnostic: a
 * driver's worker script (two-tiers-worker.ts here, the Upstash one) builds the driver, wraps it
 * with {@link recordConnectionChanges}, builds the cache and calls {@link serveTwoTiers}.
 * Imports only types, so the Upstash worker can import it from this package without ioredis.
 *
 * Times are absolute milliseconds (`performance.timeOrigin + performance.now()`), comparable
 * between processes of one machine, so a delay can be measured from the moment another process's
 * call resolved.
 */
import type { Cache, Driver, SubscribeOptions } from '@cachette/core'

/** What each worker gets from the harness, as JSON in `TWO_TIERS_CONFIG`. */
export interface TwoTiersConfig {
  /** 'p1', 'p2', 'p3': for messages. */
  readonly name: string
  /** The cache prefix, shared by the three processes. */
  readonly prefix: string
  /** Where the store is, in the driver worker's own terms. */
  readonly store: Readonly<Record<string, unknown>>
}

/** A value as it crosses IPC: its JSON, or null for undefined (a miss). */
export type Encoded = string | null

/** An invalidation (or write) process 1 makes. */
export type TwoTiersOperation =
  | { readonly kind: 'set'; readonly key: string; readonly value: unknown; readonly tags?: readonly string[] }
  | { readonly kind: 'invalidate'; readonly key: string }
  | { readonly kind: 'deletePattern'; readonly pattern: string }
  | { readonly kind: 'invalidateTags'; readonly tags: readonly string[] }
  | { readonly kind: 'expire'; readonly key: string }
  | { readonly kind: 'expireTags'; readonly tags: readonly string[] }
  | { readonly kind: 'clear' }

/** Harness -> worker (each with an id; the reply carries it back). */
export type TwoTiersRequest =
  | { readonly type: 'get'; readonly key: string }
  | { readonly type: 'run'; readonly operations: readonly TwoTiersOperation[] }
  | { readonly type: 'stats' }
  | { readonly type: 'connectionLog' }
  | { readonly type: 'watchStart'; readonly key: string; readonly timeoutMs: number }
  | { readonly type: 'watchResult'; readonly key: string }
  | { readonly type: 'monitorStart'; readonly keys: readonly string[]; readonly intervalMs: number }
  | { readonly type: 'monitorStop' }
  | { readonly type: 'exit' }

/** What `get` answers: the value, and whether the memory tier answered it. */
export interface GetResult {
  readonly value: Encoded
  readonly l1Hit: boolean
}

/** What `run` answers: when each operation resolved (they run concurrently), and what it resolved. */
export interface RunResult {
  readonly startedAt: number
  readonly resolvedAt: readonly number[]
  readonly results: readonly Encoded[]
}

/** What `watchStart` answers: the first poll (the value being watched). */
export interface WatchStarted {
  readonly value: Encoded
  readonly l1Hit: boolean
}

/** What `watchResult` answers: the first read that returned something else, or null on timeout. */
export interface WatchResult {
  /** When that read resolved (absolute ms), null if the value never changed within the timeout. */
  readonly changedAt: number | null
  /** When the last read that still returned the watched value started. */
  readonly lastOldAt: number
  readonly value: Encoded
  readonly polls: number
}

/** Per key and distinct value seen: the first and last time a read that returned it started. */
export interface Sighting {
  readonly key: string
  readonly value: Encoded
  readonly firstStart: number
  readonly lastStart: number
  readonly reads: number
}

/** What `monitorStop` answers. */
export interface MonitorResult {
  readonly sightings: readonly Sighting[]
  readonly rounds: number
  /** Every change of `stats().l1.serving` seen by the monitor's sampling, with its time. */
  readonly servingSamples: readonly { readonly at: number; readonly serving: boolean }[]
  /** Every `onConnectionChange` the driver reported to the bus, with its time. */
  readonly connectionChanges: readonly { readonly at: number; readonly connected: boolean }[]
  readonly errors: readonly string[]
}

export type TwoTiersReply = { readonly id: number; readonly ok: true; readonly result: unknown } | { readonly id: number; readonly ok: false; readonly error: string }

export const now = (): number => performance.timeOrigin + performance.now()

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const encode = (value: unknown): Encoded => (value === undefined ? null : JSON.stringify(value))

/**
 * The config the harness gave this process.
 *
 * @example
 * ```ts
 * const config = twoTiersConfig()
 * const driver = ioredisDriver(config.store as { url: string })
 * ```
 */
export function twoTiersConfig(): TwoTiersConfig {
  const json = process.env['TWO_TIERS_CONFIG']
  if (json === undefined) throw new Error('TWO_TIERS_CONFIG is not set: this script is run by two-tiers-harness.ts')
  return JSON.parse(json) as TwoTiersConfig
}

/** Every onConnectionChange the driver reported, with its time. */
export type ConnectionLog = { at: number; connected: boolean }[]

/**
 * Wraps `driver.subscribe` so every `onConnectionChange` it reports (to the cache's bus) is also
 * recorded with its time: the exact moments the memory tier stopped and resumed serving.
 *
 * @example
 * ```ts
 * const connectionLog = recordConnectionChanges(driver)
 * ```
 */
export function recordConnectionChanges(driver: Driver): ConnectionLog {
  const log: ConnectionLog = []
  const subscribe = driver.subscribe.bind(driver)
  ;(driver as { subscribe: Driver['subscribe'] }).subscribe = (channel: string, listener: (message: string) => void, options?: SubscribeOptions) => {
    const told = options?.onConnectionChange
    return subscribe(channel, listener, {
      ...options,
      onConnectionChange: (connected: boolean) => {
        log.push({ at: now(), connected })
        told?.(connected)
      },
    })
  }
  return log
}

async function runOperation(cache: Cache, operation: TwoTiersOperation): Promise<unknown> {
  switch (operation.kind) {
    case 'set':
      return cache.set(operation.key, operation.value, operation.tags === undefined ? undefined : { tags: [...operation.tags] })
    case 'invalidate':
      return cache.invalidate(operation.key)
    case 'deletePattern':
      return cache.deletePattern(operation.pattern)
    case 'invalidateTags':
      return cache.invalidateTags(operation.tags)
    case 'expire':
      return cache.expire(operation.key)
    case 'expireTags':
      return cache.expireTags(operation.tags)
    case 'clear':
      return cache.clear()
  }
}

/** Polls a key every ~1 ms until it returns something other than its first answer. */
class Watch {
  readonly started: Promise<WatchStarted>
  readonly result: Promise<WatchResult>

  constructor(cache: Cache, key: string, timeoutMs: number) {
    const l1Hits = () => cache.stats().l1?.hits ?? 0
    let resolveStarted: (started: WatchStarted) => void = () => undefined
    this.started = new Promise((resolve) => (resolveStarted = resolve))
    this.result = (async () => {
      const hitsBefore = l1Hits()
      const first = encode(await cache.get(key))
      resolveStarted({ value: first, l1Hit: l1Hits() === hitsBefore + 1 })
      const deadline = now() + timeoutMs
      let lastOldAt = now()
      let polls = 1
      while (now() < deadline) {
        await sleep(1)
        const start = now()
        const value = encode(await cache.get(key))
        polls++
        if (value !== first) return { changedAt: now(), lastOldAt, value, polls }
        lastOldAt = start
      }
      return { changedAt: null, lastOldAt, value: first, polls }
    })()
  }
}

/** Reads a set of keys every `intervalMs`, remembering which values each key returned and when. */
class Monitor {
  private running = true
  private readonly sightings = new Map<string, { key: string; value: Encoded; firstStart: number; lastStart: number; reads: number }>()
  private readonly servingSamples: { at: number; serving: boolean }[] = []
  private readonly errors: string[] = []
  private rounds = 0
  private readonly loop: Promise<void>

  constructor(
    private readonly cache: Cache,
    keys: readonly string[],
    intervalMs: number,
  ) {
    this.loop = (async () => {
      while (this.running) {
        this.sample()
        await Promise.all(keys.map((key) => this.read(key)))
        this.rounds++
        await sleep(intervalMs)
      }
      this.sample()
    })()
  }

  private sample(): void {
    const serving = this.cache.stats().l1?.serving ?? false
    const last = this.servingSamples[this.servingSamples.length - 1]
    if (last === undefined || last.serving !== serving) this.servingSamples.push({ at: now(), serving })
  }

  private async read(key: string): Promise<void> {
    const start = now()
    let value: Encoded
    try {
      value = encode(await this.cache.get(key))
    } catch (error) {
      if (this.errors.length < 20) this.errors.push(`${key}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`)
      return
    }
    const id = `${key}\u0000${value ?? ''}\u0000${value === null ? 'miss' : 'hit'}`
    const seen = this.sightings.get(id)
    if (seen === undefined) this.sightings.set(id, { key, value, firstStart: start, lastStart: start, reads: 1 })
    else {
      if (start > seen.lastStart) seen.lastStart = start
      seen.reads++
    }
  }

  async stop(connectionChanges: ConnectionLog): Promise<MonitorResult> {
    this.running = false
    await this.loop
    return { sightings: [...this.sightings.values()], rounds: this.rounds, servingSamples: this.servingSamples, connectionChanges: [...connectionChanges], errors: this.errors }
  }
}

/**
 * Answers the harness's requests over IPC (concurrently: a watch runs while other requests are
 * answered) until it says exit, then closes and exits (at once, with code 1, if the harness goes
 * away).
 *
 * @example
 * ```ts
 * await serveTwoTiers(cache, connectionLog, () => cache.close({ driver: true }))
 * ```
 */
export async function serveTwoTiers(cache: Cache, connectionLog: ConnectionLog, close: () => Promise<void>): Promise<void> {
  const orphaned = () => process.exit(1)
  process.on('disconnect', orphaned)
  const watches = new Map<string, Watch>()
  let monitor: Monitor | undefined

  const handle = async (request: TwoTiersRequest): Promise<unknown> => {
    switch (request.type) {
      case 'get': {
        const before = cache.stats().l1?.hits ?? 0
        const value = encode(await cache.get(request.key))
        return { value, l1Hit: (cache.stats().l1?.hits ?? 0) === before + 1 } satisfies GetResult
      }
      case 'run': {
        const startedAt = now()
        const resolvedAt: number[] = []
        const results: Encoded[] = []
        await Promise.all(
          request.operations.map(async (operation, index) => {
            results[index] = encode(await runOperation(cache, operation))
            resolvedAt[index] = now()
          }),
        )
        return { startedAt, resolvedAt, results } satisfies RunResult
      }
      case 'stats':
        return cache.stats()
      case 'connectionLog':
        return connectionLog
      case 'watchStart': {
        const watch = new Watch(cache, request.key, request.timeoutMs)
        watches.set(request.key, watch)
        return watch.started
      }
      case 'watchResult': {
        const watch = watches.get(request.key)
        if (watch === undefined) throw new Error(`no watch on ${request.key}`)
        watches.delete(request.key)
        return watch.result
      }
      case 'monitorStart':
        if (monitor !== undefined) throw new Error('a monitor is running already')
        monitor = new Monitor(cache, request.keys, request.intervalMs)
        return null
      case 'monitorStop': {
        if (monitor === undefined) throw new Error('no monitor is running')
        const result = await monitor.stop(connectionLog)
        monitor = undefined
        return result
      }
      case 'exit':
        return null
    }
  }

  await new Promise<void>((resolve) => {
    process.on('message', (message: TwoTiersRequest & { id: number }) => {
      handle(message).then(
        (result) => {
          process.send?.({ id: message.id, ok: true, result } satisfies TwoTiersReply)
          if (message.type === 'exit') resolve()
        },
        (error: unknown) => process.send?.({ id: message.id, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) } satisfies TwoTiersReply),
      )
    })
    process.send?.({ id: 0, ok: true, result: 'ready' } satisfies TwoTiersReply)
  })
  process.off('disconnect', orphaned)
  await close().catch(() => undefined)
  process.exit(0)
}
