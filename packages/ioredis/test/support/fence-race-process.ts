/**
 * One process of the fence race (fence-race-harness.ts runs two): the writer commits updates to
 * the "database" and invalidates, the reader loads through `cache.getOrSet` with a slow loader.
 * Store-agnostic: a driver's worker script (fence-race-worker.ts here, the Upstash one) builds
 * the cache and the database client, then calls {@link serveFenceRace}. Imports only types, so
 * the Upstash worker can import it from this package without ioredis.
 */
import type { Cache, CacheOptions } from '@cachette/core'

/** What each worker gets from the harness, as JSON in `FENCE_RACE_CONFIG`. */
export interface FenceRaceConfig {
  readonly role: 'writer' | 'reader'
  /** The cache prefix, one per test. */
  readonly prefix: string
  /** false: `createCache({ fence: false })`, the control run. */
  readonly fence: boolean
  /** How the writer invalidates: `cache.invalidate(key)`, or `cache.invalidateTags([tag])` of a tagged getOrSet. */
  readonly invalidation: 'key' | 'tag'
  /** Where the cache is, in the driver worker's own terms. */
  readonly store: Readonly<Record<string, unknown>>
  /** Where the database is (a separate redis-server), in the driver worker's own terms. */
  readonly database: Readonly<Record<string, unknown>>
}

/** The system of record: a version number per round, in a store the cache does not use. */
export interface FenceRaceDatabase {
  /** INCR: commits an update, resolves the new version. */
  increment(key: string): Promise<number>
  /** The committed version (0 before the first update). */
  read(key: string): Promise<number>
}

/** What a worker script hands to {@link serveFenceRace}. */
export interface FenceRaceSide {
  readonly cache: Cache
  readonly database: FenceRaceDatabase
  /** Closes the cache and the database client. */
  close(): Promise<void>
}

/** Harness -> worker. */
export type FenceRaceCommand =
  | { readonly type: 'start'; readonly round: number }
  | { readonly type: 'update'; readonly round: number }
  | { readonly type: 'stop' }
  | { readonly type: 'check'; readonly round: number }
  | { readonly type: 'exit' }

/** Worker -> harness. `cached` is what `cache.get` returned (null on a miss). */
export type FenceRaceReply =
  | { readonly type: 'ready' }
  | { readonly type: 'started' }
  | { readonly type: 'updated' }
  | { readonly type: 'stopped'; readonly loads: number }
  | { readonly type: 'checked'; readonly cached: number | null; readonly committed: number }
  | { readonly type: 'failed'; readonly message: string }

/** Concurrent getOrSet loops of the reader (one process: they share its single flight). */
const READER_LOOPS = 10
/** Updates the writer commits per round, each followed by its invalidation. */
const UPDATES_PER_ROUND = 5
/** The loader sleeps up to this long after reading, like a slow query still in flight. */
const LOADER_SLOW_MS = 15
/** The writer waits up to this long between updates, so they land in different loads. */
const UPDATE_GAP_MS = 8
/**
 * After the loops stopped: getOrSet waits for its write only within the deadline budget, so a
 * write may still be on the wire; give it time to land before the check reads the key.
 */
const SETTLE_MS = 10

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The config the harness gave this process.
 *
 * @example
 * ```ts
 * const config = fenceRaceConfig()
 * const driver = ioredisDriver(config.store as { url: string })
 * ```
 */
export function fenceRaceConfig(): FenceRaceConfig {
  const json = process.env['FENCE_RACE_CONFIG']
  if (json === undefined) throw new Error('FENCE_RACE_CONFIG is not set: this script is run by fence-race-harness.ts')
  return JSON.parse(json) as FenceRaceConfig
}

/**
 * The `createCache` options of every worker: the defaults (the fence on), or `fence: false` for
 * the control run; nothing else differs.
 *
 * @example
 * ```ts
 * const cache = createCache({ driver, ...fenceRaceCacheOptions(config) })
 * ```
 */
export function fenceRaceCacheOptions(config: FenceRaceConfig): Pick<CacheOptions, 'prefix' | 'env' | 'fence'> {
  return config.fence ? { prefix: config.prefix, env: false } : { prefix: config.prefix, env: false, fence: false }
}

const keyOf = (round: number) => `race:${round}`
const tagOf = (round: number) => `race-${round}`
const rowOf = (config: FenceRaceConfig, round: number) => `${config.prefix}:db:${round}`

/**
 * Answers the harness's commands over IPC until it says exit, then closes `side` and exits (at
 * once, with code 1, if the harness goes away).
 *
 * @example
 * ```ts
 * await serveFenceRace(config, { cache, database, close })
 * ```
 */
export async function serveFenceRace(config: FenceRaceConfig, side: FenceRaceSide): Promise<void> {
  const { cache, database } = side
  const reply = (message: FenceRaceReply) => process.send?.(message)
  // The harness died: no orphan keeps the event loop (and the connections) alive.
  const orphaned = () => process.exit(1)
  process.on('disconnect', orphaned)

  let running = false
  let loops: Promise<void>[] = []
  let loads = 0

  const readLoop = async (round: number) => {
    const row = rowOf(config, round)
    const loader = async () => {
      const version = await database.read(row)
      loads++
      await sleep(Math.random() * LOADER_SLOW_MS)
      return version
    }
    const options = config.invalidation === 'tag' ? { tags: [tagOf(round)] } : undefined
    while (running) await cache.getOrSet(keyOf(round), loader, options)
  }

  const update = async (round: number) => {
    const row = rowOf(config, round)
    for (let i = 0; i < UPDATES_PER_ROUND; i++) {
      await database.increment(row)
      if (config.invalidation === 'tag') await cache.invalidateTags([tagOf(round)])
      else await cache.invalidate(keyOf(round))
      await sleep(Math.random() * UPDATE_GAP_MS)
    }
  }

  const handle = async (command: FenceRaceCommand): Promise<FenceRaceReply | 'exit'> => {
    switch (command.type) {
      case 'start':
        running = true
        loads = 0
        loops = Array.from({ length: READER_LOOPS }, () => readLoop(command.round))
        // A failing loop is reported by 'stop' (Promise.all), not as an unhandled rejection now.
        for (const loop of loops) loop.catch(() => undefined)
        return { type: 'started' }
      case 'update':
        await update(command.round)
        return { type: 'updated' }
      case 'stop':
        running = false
        await Promise.all(loops)
        await sleep(SETTLE_MS)
        return { type: 'stopped', loads }
      case 'check': {
        const cached = await cache.get<number>(keyOf(command.round))
        return { type: 'checked', cached: cached ?? null, committed: await database.read(rowOf(config, command.round)) }
      }
      case 'exit':
        return 'exit'
    }
  }

  // Commands are handled one at a time, in order: the harness waits for each reply anyway.
  let queue = Promise.resolve()
  await new Promise<void>((resolve) => {
    process.on('message', (command: FenceRaceCommand) => {
      queue = queue.then(async () => {
        try {
          const answer = await handle(command)
          if (answer === 'exit') resolve()
          else reply(answer)
        } catch (error) {
          reply({ type: 'failed', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) })
        }
      })
    })
    reply({ type: 'ready' })
  })
  process.off('disconnect', orphaned)
  await side.close()
  process.exit(0)
}
