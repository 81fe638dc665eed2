import { createCache, defineKey, type Cache } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { Redis } from 'ioredis'
import { measureInTurns, type Measured, type TimedTask } from '../measure.js'
import { TTL_MS, runId } from '../peers/contender.js'
import { buildRows, type RowExtras, type ScenarioResult } from '../results.js'
import type { RedisTarget } from '../servers.js'
import { valueShapes, type ValueShape } from '../values.js'
import { commandTrace, type CommandTrace } from './command-trace.js'
import { countingLoader, idList, type CountingLoader, type ScenarioContext } from './context.js'
import { formatBytes } from './hits.js'

/**
 * The fence's price (issue 11): `invalidate` leaves a short-lived tombstone instead of a DEL, and
 * a getOrSet miss writes with SET NX (after a compareAndDelete of a tombstone it read), so a load
 * that started before an invalidation never writes. Two Cachette caches on the standalone server,
 * the default (fenced) and `fence: false` (today's behaviour, the baseline of every table), each
 * running four operations: a hit, a miss then set on an absent key, a miss on a key just
 * invalidated, and an invalidation. The eight calls take turns one call at a time (as in
 * `interleaved.ts`), not in tinybench's stretches of time: the differences here are tens of
 * microseconds, and a burst of load on this shared machine must land on both sides of each alike.
 *
 * Untimed around the samples: the miss's key is removed with a raw DEL (absent again, and no
 * tombstone left behind by either cache); the miss after an invalidation runs `invalidate` first;
 * the invalidation runs `set` first, so it always replaces a value. Afterwards each row checks
 * what the fence must not break (hits served, misses stored, an invalidated key reads as a miss)
 * and lists the Redis commands of one call, as MONITOR sees them.
 */

const UNFENCED = 'cachette, fence: false (today)'
const FENCED = 'cachette, fenced (default)'
const CACHES = [UNFENCED, FENCED] as const

const patientKey = defineKey('patient:{id}')

/** What one cache needs to run the operations: the cache, its prefix for raw DELs, the loaders. */
interface Subject {
  readonly name: (typeof CACHES)[number]
  readonly cache: Cache
  readonly keyPrefix: string
  /** The hits' own loader, so a loader call during the timed hits shows. */
  readonly hitLoader: CountingLoader
  readonly loader: CountingLoader
}

interface Operation {
  readonly id: string
  readonly title: string
  readonly unit: string
  /** Puts the store in the state the operation starts from (untimed, before the measurement). */
  prepare(subject: Subject, ids: readonly string[]): Promise<void>
  task(subject: Subject, ids: readonly string[], raw: Redis): TimedTask
  /** One more call, untimed, that checks the operation still does its job; its note if it does. */
  check(subject: Subject, monitor: CommandTrace): Promise<RowExtras>
}

async function fillEach(subject: Subject, ids: readonly string[]): Promise<void> {
  for (const id of ids) await subject.cache.getOrSet(patientKey({ id }), subject.loader.load)
}

async function fillHits({ cache, hitLoader }: Subject, ids: readonly string[]): Promise<void> {
  for (const id of ids) await cache.getOrSet(patientKey({ id }), hitLoader.load)
  // Read each once more so a cache that stores in the background has stored by now.
  for (const id of ids) await cache.getOrSet(patientKey({ id }), hitLoader.load)
  hitLoader.calls = 0
}

function rotating(ids: readonly string[]): () => string {
  let next = 0
  return () => ids[next++ % ids.length] as string
}

function checked(ok: boolean, commands: string, failure: string): RowExtras {
  return { verified: ok, note: ok ? commands : `FAILED: ${failure}; ${commands}` }
}

const OPERATIONS: readonly Operation[] = [
  {
    id: 'hit',
    title: 'getOrSet hit',
    unit: 'one getOrSet on a key holding a value',
    prepare: fillHits,
    task({ name, cache, hitLoader }, ids) {
      const nextId = rotating(ids)
      return { name: `hit/${name}`, fn: () => cache.getOrSet(patientKey({ id: nextId() }), hitLoader.load) }
    },
    async check({ cache, hitLoader }, monitor) {
      const commands = await monitor.trace(() => cache.getOrSet(patientKey({ id: 'hit-0' }), hitLoader.load))
      return checked(hitLoader.calls === 0, commands, 'a hit ran the loader')
    },
  },
  {
    id: 'miss',
    title: 'getOrSet miss then set',
    unit: 'one getOrSet on an absent key (read, loader, write); the key is removed by a raw DEL after each sample, untimed',
    prepare: async () => undefined,
    task({ name, cache, keyPrefix, loader }, _ids, raw) {
      let sequence = 0
      let id = ''
      return {
        name: `miss/${name}`,
        beforeEach: () => {
          id = `miss-${sequence++}`
        },
        fn: () => cache.getOrSet(patientKey({ id }), loader.load),
        afterEach: () => raw.del(keyPrefix + patientKey({ id }).key),
      }
    },
    async check({ cache, loader }, monitor) {
      const key = patientKey({ id: 'miss-check' })
      const calls = loader.calls
      const commands = await monitor.trace(() => cache.getOrSet(key, loader.load))
      return checked(loader.calls === calls + 1 && (await cache.get(key)) !== undefined, commands, 'the miss did not load once, or did not store')
    },
  },
  {
    id: 'miss-after-invalidate',
    title: 'getOrSet miss after an invalidation',
    unit: 'one getOrSet on a key invalidated just before (fenced: it holds a tombstone; unfenced: it was deleted); the invalidate is untimed',
    prepare: fillEach,
    task({ name, cache, loader }, ids) {
      const nextId = rotating(ids)
      let key = patientKey({ id: ids[0] as string })
      return {
        name: `miss-after-invalidate/${name}`,
        beforeEach: () => {
          key = patientKey({ id: nextId() })
          return cache.invalidate(key)
        },
        fn: () => cache.getOrSet(key, loader.load),
      }
    },
    async check({ cache, loader }, monitor) {
      const key = patientKey({ id: 'miss-after-invalidate-0' })
      await cache.invalidate(key)
      const calls = loader.calls
      const commands = await monitor.trace(() => cache.getOrSet(key, loader.load))
      return checked(loader.calls === calls + 1 && (await cache.get(key)) !== undefined, commands, 'the miss after an invalidation did not load once, or did not store')
    },
  },
  {
    id: 'invalidate',
    title: 'invalidate one key',
    unit: 'one invalidate of a key holding a value (fenced: writes a tombstone; unfenced: deletes the key); the value is set again before each sample, untimed',
    prepare: fillEach,
    task({ name, cache, loader }, ids) {
      const nextId = rotating(ids)
      let key = patientKey({ id: ids[0] as string })
      return {
        name: `invalidate/${name}`,
        beforeEach: async () => {
          key = patientKey({ id: nextId() })
          await cache.set(key, await loader.load())
        },
        fn: () => cache.invalidate(key),
      }
    },
    async check({ cache, loader }, monitor) {
      const key = patientKey({ id: 'invalidate-0' })
      await cache.set(key, await loader.load())
      const servedBefore = (await cache.get(key)) !== undefined
      const commands = await monitor.trace(() => cache.invalidate(key))
      return checked(servedBefore && (await cache.get(key)) === undefined, commands, 'the key was not served before, or still served after')
    },
  },
]

/**
 * The four operations, fenced and unfenced, on the standalone server: one table per operation,
 * the unfenced cache as the baseline; the last table's note sums up the four ratios.
 *
 * @example
 * ```ts
 * const tables = await runFence(ctx, servers.standalone)
 * ```
 */
export async function runFence(ctx: ScenarioContext, target: RedisTarget & { kind: 'standalone' }): Promise<ScenarioResult[]> {
  const { config, log } = ctx
  const shape = valueShapes(config.bundleBytes).find((candidate) => candidate.id === 'patient') as ValueShape
  const run = runId()
  const subjects: Subject[] = CACHES.map((name, index) => {
    const prefix = `bench:${run}:fence${index}`
    const options = { driver: ioredisDriver({ url: target.url }), prefix, ttl: TTL_MS }
    const cache = name === FENCED ? createCache(options) : createCache({ ...options, fence: false })
    return { name, cache, keyPrefix: `${prefix}:`, hitLoader: countingLoader(shape.value), loader: countingLoader(shape.value) }
  })
  const raw = new Redis(target.port, target.host)
  let monitor: CommandTrace | undefined
  try {
    const ids = new Map(OPERATIONS.map((operation) => [operation.id, idList(config.hotKeys, `${operation.id}-`)]))
    for (const operation of OPERATIONS) for (const subject of subjects) await operation.prepare(subject, ids.get(operation.id) as string[])
    log(`  ${shape.label}, ${OPERATIONS.length} operations, fenced and unfenced, taking turns call by call`)
    const stats = await measureInTurns(
      OPERATIONS.flatMap((operation) => subjects.map((subject) => operation.task(subject, ids.get(operation.id) as string[], raw))),
      config,
    )

    monitor = await commandTrace(target)
    const results: ScenarioResult[] = []
    const ratios: string[] = []
    for (const operation of OPERATIONS) {
      const extras: Record<string, RowExtras> = {}
      for (const subject of subjects) extras[subject.name] = await operation.check(subject, monitor)
      const rows = buildRows(CACHES, new Map(CACHES.map((name) => [name, stats.get(`${operation.id}/${name}`) as Measured])), extras)
      ratios.push(`${operation.title} ${(rows[1]?.ratio ?? Number.NaN).toFixed(2)}×`)
      results.push({
        id: 'fence',
        title: `Fence: ${operation.title} (Redis): ${shape.label} (${formatBytes(shape.jsonBytes)})`,
        store: 'redis',
        unit: `${operation.unit}; the eight calls (four operations, two caches) take turns one call at a time, in an order shuffled every round`,
        rows,
      })
    }
    const last = results[results.length - 1]
    if (last !== undefined) results[results.length - 1] = { ...last, notes: [`Fenced ÷ fence: false, median: ${ratios.join(', ')}.`] }
    return results
  } finally {
    monitor?.close()
    raw.disconnect()
    await Promise.allSettled(subjects.map((subject) => subject.cache.close({ driver: true })))
  }
}
