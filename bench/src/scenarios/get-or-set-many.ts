// Redis Cluster hash slots for the hand-written baseline: core's grouping by CRC16 slot (what any client computes).
import { groupBySlot } from '@cachette/core/redis'
import { createCache, defineKey, type Cache, type CacheStats, type Key } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import type { Cluster, Redis } from 'ioredis'
import { measureInTurns, type TimedTask } from '../measure.js'
import { TTL_MS, runId } from '../peers/contender.js'
import { buildRows, type RowExtras, type ScenarioResult } from '../results.js'
import { rawClient, type RedisTarget } from '../servers.js'
import { valueShapes } from '../values.js'
import { commandTrace } from './command-trace.js'
import { idList, type ScenarioContext } from './context.js'
import { formatBytes } from './hits.js'
import { storeName } from './lineups.js'

/**
 * Batches (`getOrSetMany`, `getMany`) against what they replace, on the standalone server and on
 * the 3-master cluster, 100 keys of the 1.1 KB patient record per call:
 *
 * - all 100 cached: the baseline is the hand-written read, ioredis `MGET` of the 100 keys +
 *   `JSON.parse` of each (on the cluster one MGET per hash slot, the keys grouped by their slot,
 *   computed per call as a hand-written version must, the MGETs sent together); against it
 *   Cachette `getOrSetMany(100 keys)`, `getMany(100 keys)`, and 100 `getOrSet` calls awaited with
 *   `Promise.all`;
 * - 60 of the 100 missing (the same 60 every call, deleted again before each sample, untimed):
 *   the baseline is the hand-written read-through, MGET (per slot), ONE load of the missing keys,
 *   then their `SET ... PX` (one pipeline on the standalone server; on the cluster one SET per key,
 *   sent together, since an ioredis pipeline cannot span nodes); against it `getOrSetMany`, whose
 *   loader must run once per call with exactly the 60 missing keys, and 100 `getOrSet`, whose
 *   loaders run 60 times; and `getOrSetMany` on a cache with `fence: false`, whose writes are
 *   plain SETs (the default fences each write: a claim, then a compare-and-set script);
 * - on the cluster only, all 100 cached again but under one hash tag (`{ej:1}:patient:{id}`), so
 *   the batch is one slot: one MGET for the baseline and for Cachette, instead of one per key.
 *
 * Each row has its own cache or key prefix, filled beforehand. The rows take turns one call at a
 * time, in an order shuffled every round (`measureInTurns`). Checked afterwards, untimed, and
 * thrown if wrong: every answer held the value; with all keys cached no loader ran and no miss was
 * counted; with 60 missing the loaders ran as stated above.
 */

const patientKey = defineKey('patient:{id}')
/** The same family under one Redis Cluster hash tag: every key of a batch in one slot. */
const taggedPatientKey = defineKey('{{ej:{ej}}}:patient:{id}')

const KEYS = 100
const MISSING = 60

/** Keys `index % 5 < 3` are the missing ones: 60 of 100, spread over the batch. */
function isMissing(index: number): boolean {
  return index % 5 < 3
}


/** The hand-written batch read: MGET (one per slot on a cluster), `null` for an absent key. */
async function mgetRaw(client: Redis | Cluster, cluster: boolean, keys: readonly string[]): Promise<(string | null)[]> {
  if (!cluster) return client.mget(keys as string[])
  const raws = new Array<string | null>(keys.length)
  await Promise.all(
    groupBySlot(keys).map(async (group) => {
      const found = await client.mget(group.map((i) => keys[i] as string))
      for (let j = 0; j < group.length; j++) raws[group[j] as number] = found[j] ?? null
    }),
  )
  return raws
}

// --- The rows.

const BASELINE_HIT = 'baseline: ioredis MGET + JSON.parse'
const BASELINE_MISS = 'baseline: MGET + one load + SET PX of the missing'
const MANY = 'cachette getOrSetMany(100 keys)'
const GET_MANY = 'cachette getMany(100 keys)'
const EACH = 'cachette 100 × getOrSet, Promise.all'
const MANY_UNFENCED = 'cachette getOrSetMany, fence: false'

/** One row of one table: its task, how to delete its missing keys, its counters. */
interface Row {
  readonly name: string
  readonly cache: Cache | undefined
  /** Store keys of this row's 100 entries, in batch order. */
  readonly storeKeys: readonly string[]
  /** Calls made (warm-up and timed), counted outside the timed part. */
  calls: number
  /** Loader runs, and keys they were asked for, in total. */
  loaderRuns: number
  loadedKeys: number
  /** Per call, a loader run that did not receive exactly the expected keys. */
  wrongLoads: number
  before: CacheStats | undefined
  task: TimedTask
}

interface Setup {
  readonly target: RedisTarget
  readonly cluster: boolean
  readonly raw: Redis | Cluster
  readonly value: unknown
  readonly json: string
  readonly ids: readonly string[]
  readonly keys: readonly Key<unknown>[]
  /** The hand-written rows' store key of `id` under `prefix` (the same shape as Cachette's). */
  readonly rawKey: (prefix: string, id: string) => string
  /** Whether the keys share one hash tag. */
  readonly tagged: boolean
  readonly caches: Cache[]
}

function newCache(setup: Setup, prefix: string, fence: boolean): Cache {
  const { target } = setup
  const driver = target.kind === 'standalone' ? ioredisDriver({ url: target.url }) : ioredisDriver({ cluster: target.nodes })
  const cache = createCache({ driver, prefix, ttl: TTL_MS, ...(fence ? {} : { fence: false }) })
  setup.caches.push(cache)
  return cache
}

function newRow(name: string, cache: Cache | undefined, storeKeys: readonly string[]): Row {
  return { name, cache, storeKeys, calls: 0, loaderRuns: 0, loadedKeys: 0, wrongLoads: 0, before: undefined, task: { name, fn: () => undefined } }
}

function withTask(row: Row, fn: () => Promise<unknown>, beforeEach?: () => Promise<unknown>): Row {
  row.task = {
    name: row.name,
    fn,
    ...(beforeEach === undefined ? {} : { beforeEach }),
    afterEach: () => {
      row.calls++
    },
  }
  return row
}

/** Deletes the missing keys of a row (untimed): one DEL on the standalone server, one per key on a cluster. */
function deleter(setup: Setup, row: Row): () => Promise<unknown> {
  const missing = row.storeKeys.filter((_, index) => isMissing(index))
  if (!setup.cluster) return () => setup.raw.del(...missing)
  return () => Promise.all(missing.map((key) => setup.raw.del(key)))
}

/** The hand-written rows: raw keys under their own prefix, filled with SET PX. */
async function baselineRow(setup: Setup, withMisses: boolean, prefix: string): Promise<Row> {
  const { raw, cluster, json, value } = setup
  const storeKeys = setup.ids.map((id) => setup.rawKey(prefix, id))
  for (const key of storeKeys) await raw.set(key, json, 'PX', TTL_MS)
  const row = newRow(withMisses ? BASELINE_MISS : BASELINE_HIT, undefined, storeKeys)
  const expected = withMisses ? MISSING : 0
  const load = async (missing: readonly string[]): Promise<unknown[]> => {
    row.loaderRuns++
    row.loadedKeys += missing.length
    if (missing.length !== expected) row.wrongLoads++
    return missing.map(() => value)
  }
  return withTask(
    row,
    async () => {
      const raws = await mgetRaw(raw, cluster, storeKeys)
      const values = new Array<unknown>(raws.length)
      const missingAt: number[] = []
      for (let i = 0; i < raws.length; i++) {
        const text = raws[i]
        if (text === null || text === undefined) missingAt.push(i)
        else values[i] = JSON.parse(text)
      }
      if (missingAt.length === 0) return values
      const loaded = await load(missingAt.map((i) => storeKeys[i] as string))
      const writes = missingAt.map((i, k) => {
        values[i] = loaded[k]
        return [storeKeys[i] as string, JSON.stringify(loaded[k])] as const
      })
      if (cluster) {
        await Promise.all(writes.map(([key, text]) => raw.set(key, text, 'PX', TTL_MS)))
      } else {
        const pipeline = raw.pipeline()
        for (const [key, text] of writes) pipeline.set(key, text, 'PX', TTL_MS)
        await pipeline.exec()
      }
      return values
    },
    withMisses ? deleter(setup, row) : undefined,
  )
}

/** A Cachette row on its own cache, filled through getOrSet. */
async function cachetteRow(setup: Setup, name: string, withMisses: boolean, prefix: string): Promise<Row> {
  const { keys, value } = setup
  const cache = newCache(setup, prefix, name !== MANY_UNFENCED)
  const fillLoader = async () => value
  for (const key of keys) await cache.getOrSet(key, fillLoader)
  const row = newRow(
    name,
    cache,
    keys.map((key) => `${prefix}:${key.key}`),
  )
  const expected = withMisses ? MISSING : 0
  const loadMany = async (missing: readonly unknown[]): Promise<unknown[]> => {
    row.loaderRuns++
    row.loadedKeys += missing.length
    if (missing.length !== expected) row.wrongLoads++
    return missing.map(() => value)
  }
  const loadOne = async (): Promise<unknown> => {
    row.loaderRuns++
    row.loadedKeys++
    return value
  }
  const calls = new Array<Promise<unknown>>(keys.length)
  const fn =
    name === MANY || name === MANY_UNFENCED
      ? () => cache.getOrSetMany(keys, loadMany)
      : name === GET_MANY
        ? () => cache.getMany(keys)
        : () => {
            for (let i = 0; i < keys.length; i++) calls[i] = cache.getOrSet(keys[i] as Key<unknown>, loadOne)
            return Promise.all(calls)
          }
  return withTask(row, fn, withMisses ? deleter(setup, row) : undefined)
}

/** The untimed check of a row after the measurement: a failure message, or undefined. */
async function failure(setup: Setup, row: Row, withMisses: boolean): Promise<string | undefined> {
  const { name, cache, calls, loaderRuns, loadedKeys, wrongLoads, before } = row
  if (withMisses) {
    const perCall = name === EACH ? MISSING : 1
    if (loaderRuns !== calls * perCall || loadedKeys !== calls * MISSING || wrongLoads !== 0) {
      return `${name}: ${calls} calls ran the loader ${loaderRuns} times for ${loadedKeys} keys (${wrongLoads} runs not given exactly ${MISSING} keys); expected ${perCall} run(s) and ${MISSING} keys per call`
    }
  } else if (loaderRuns !== 0) {
    return `${name}: the loader ran ${loaderRuns} times with every key cached`
  }
  if (cache !== undefined && before !== undefined) {
    const after = cache.stats()
    const hits = after.hits - before.hits
    const misses = after.misses - before.misses
    const expectedMisses = withMisses ? calls * MISSING : 0
    if (hits !== calls * KEYS - expectedMisses || misses !== expectedMisses) return `${name}: ${calls} calls of ${KEYS} keys counted ${hits} hits and ${misses} misses (expected ${expectedMisses} misses)`
  }
  // One more call, untimed: every answer holds the value.
  await row.task.beforeEach?.()
  const answer = (await row.task.fn()) as unknown[]
  await row.task.afterEach?.()
  if (!Array.isArray(answer) || answer.length !== KEYS || answer.some((entry) => JSON.stringify(entry) !== setup.json)) return `${name}: a call did not answer the ${KEYS} values`
  return undefined
}

/**
 * The Redis commands of one more call of each row (untimed, MONITOR on the standalone server),
 * counted by command: one note line per row.
 */
async function commandCounts(target: RedisTarget & { kind: 'standalone' }, rows: readonly Row[]): Promise<string[]> {
  const monitor = await commandTrace(target)
  try {
    const lines: string[] = []
    for (const row of rows) {
      await row.task.beforeEach?.()
      const trace = await monitor.trace(async () => row.task.fn())
      await row.task.afterEach?.()
      const counts = new Map<string, number>()
      for (const command of trace.replace(/^Redis: /, '').split(' → ')) counts.set(command, (counts.get(command) ?? 0) + 1)
      lines.push(`- Commands of one call, ${row.name}: ${[...counts].map(([command, count]) => `${command} ×${count}`).join(', ')}.`)
    }
    return [...lines, '']
  } finally {
    monitor.close()
  }
}

async function measureTable(ctx: ScenarioContext, setup: Setup, withMisses: boolean, run: string): Promise<ScenarioResult> {
  const names = withMisses ? [MANY, MANY_UNFENCED, EACH] : [MANY, GET_MANY, EACH]
  const table = `${withMisses ? 'miss' : 'hit'}${setup.tagged ? '-tagged' : ''}`
  const rows: Row[] = [await baselineRow(setup, withMisses, `bench:${run}:many-${table}-raw`)]
  for (let i = 0; i < names.length; i++) rows.push(await cachetteRow(setup, names[i] as string, withMisses, `bench:${run}:many-${table}${i}`))
  for (const row of rows) row.before = row.cache?.stats()
  // Batches take milliseconds and the machine is shared: three times the usual time per row.
  const stats = await measureInTurns(
    rows.map((row) => row.task),
    ctx.config,
    ctx.config.smoke ? {} : { timeMs: 3 * ctx.config.taskTimeMs },
  )
  const failures: string[] = []
  for (const row of rows) {
    const message = await failure(setup, row, withMisses)
    if (message !== undefined) failures.push(message)
  }
  if (failures.length > 0) throw new Error(`get-or-set-many (${storeName(setup.target)}, ${withMisses ? `${MISSING} missing` : 'all cached'}): ${failures.join('; ')}`)
  const traces = setup.target.kind === 'standalone' ? await commandCounts(setup.target, rows) : []
  const extras: Record<string, RowExtras> = {}
  for (const row of rows) {
    extras[row.name] = {
      loaderCalls: row.calls === 0 ? 0 : row.loaderRuns / row.calls,
      verified: true,
      note: withMisses ? `${row.calls.toLocaleString('en-US')} calls; per call ${row.loaderRuns / row.calls} loader run(s) for ${row.loadedKeys / row.calls} keys` : `${row.calls.toLocaleString('en-US')} calls`,
    }
  }
  const store = storeName(setup.target)
  const where = store === 'redis' ? 'Redis' : 'Redis Cluster, 3 masters'
  const rawGroups = groupBySlot(rows[0]?.storeKeys ?? []).length
  const cachetteGroups = groupBySlot(rows[1]?.storeKeys ?? []).length
  return {
    id: 'get-or-set-many',
    title: `Batch of ${KEYS} keys${setup.tagged ? ' sharing one hash tag' : ''}, ${withMisses ? `${MISSING} of them missing` : 'all cached'} (${where}): patient record (${formatBytes(Buffer.byteLength(setup.json))})`,
    store,
    unit: `one batch of ${KEYS} keys${withMisses ? `, after the same ${MISSING} keys were deleted (untimed)` : ''}; the rows take turns one batch at a time, in an order shuffled every round`,
    rows: buildRows(
      rows.map((row) => row.name),
      stats,
      extras,
    ),
    notes: [
      ...traces,
      ...(setup.cluster
        ? [
            `On the cluster the ${KEYS} keys fall in ${rawGroups} hash slot(s) (the baseline's keys) and ${cachetteGroups} (Cachette's getOrSetMany keys): one MGET per slot, all sent at once, for both.`,
          ]
        : []),
      withMisses
        ? `"loader calls" is per batch: getOrSetMany must run its loader once with the ${MISSING} missing keys (checked: it did, every call); 100 getOrSet run theirs once per missing key.`
        : '"loader calls" is per batch: 0, every key was served from the store (checked, with no miss counted).',
    ],
  }
}

/**
 * The batch tables on one target: all 100 keys cached, and 60 of them missing.
 *
 * @example
 * ```ts
 * const tables = await runGetOrSetMany(ctx, ctx.servers.cluster)
 * ```
 */
export async function runGetOrSetMany(ctx: ScenarioContext, target: RedisTarget): Promise<ScenarioResult[]> {
  const patient = valueShapes(ctx.config.bundleBytes).find((shape) => shape.id === 'patient')
  if (patient === undefined) throw new Error('values.ts no longer gives the patient record')
  const ids = idList(KEYS)
  const setup: Setup = {
    target,
    cluster: target.kind === 'cluster',
    raw: rawClient(target),
    value: patient.value,
    json: JSON.stringify(patient.value),
    ids,
    keys: ids.map((id) => patientKey({ id })),
    rawKey: (prefix, id) => `${prefix}:patient:${id}`,
    tagged: false,
    caches: [],
  }
  const run = runId()
  try {
    const results: ScenarioResult[] = []
    for (const withMisses of [false, true]) {
      ctx.log(`  ${KEYS} keys, ${withMisses ? `${MISSING} missing` : 'all cached'}`)
      results.push(await measureTable(ctx, setup, withMisses, run))
    }
    if (setup.cluster) {
      // Keys spread over 100 slots make one MGET per key on a cluster; one hash tag makes one MGET.
      ctx.log(`  ${KEYS} keys sharing one hash tag, all cached`)
      const tagged: Setup = { ...setup, keys: ids.map((id) => taggedPatientKey({ ej: '1', id })), rawKey: (prefix, id) => `${prefix}:{ej:1}:patient:${id}`, tagged: true }
      results.push(await measureTable(ctx, tagged, false, run))
    }
    return results
  } finally {
    setup.raw.disconnect()
    await Promise.allSettled(setup.caches.map((cache) => cache.close({ driver: true })))
  }
}
