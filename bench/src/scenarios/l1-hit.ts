import { createCache, defineKey, memoryDriver, type Cache, type CacheStats } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { redisDriver } from '@cachette/redis'
import { measureInTurns, type TimedTask } from '../measure.js'
import { memoryBaseline } from '../peers/baseline.js'
import { TTL_MS, runId, type Contender } from '../peers/contender.js'
import { buildRows, type ResultRow, type RowExtras, type ScenarioResult } from '../results.js'
import type { RedisTarget } from '../servers.js'
import { valueShapes } from '../values.js'
import { countingLoader, idList, type CountingLoader, type ScenarioContext } from './context.js'
import { formatBytes } from './hits.js'

/**
 * Hits of the two-tier cache (`createCache({ l1 })`): what an L1 hit costs (the payload decoded:
 * JSON.parse, no store round trip) against the hand-written memory baseline (`Map.get` +
 * `JSON.parse` + `await`), against a memory-driver hit, and against a Redis hit without L1. Six
 * rows, on the 1.1 KB patient record and on a 20-byte value:
 *
 * - the baseline (`memoryBaseline()` of peers/baseline.ts);
 * - Cachette on `memoryDriver()`, no L1: `getOrSet`, and `get`;
 * - Cachette on `ioredisDriver` with `l1: true` (the bus on, so the tier serves once subscribed):
 *   `getOrSet`, and `get`;
 * - Cachette on `ioredisDriver` without L1: `getOrSet` (a store round trip per hit, for contrast);
 * - the three encrypted rows, and Cachette on `@cachette/redis` with `l1: { tracking: true }`
 *   (client-side caching: Redis reports changed keys instead of the bus): `getOrSet`.
 *
 * Each row has its own cache (so its counters are its own) filled beforehand; the keys are built
 * on every call (`patientKey({ id })`), as applications do. The calls take turns one call at
 * a time, in an order shuffled every round (`measureInTurns`): the targets compare figures a few
 * percent apart, and a burst of load on the shared machine must land on every row alike.
 *
 * Checked afterwards, untimed, and thrown if wrong: no loader ran; every call of a Cachette row
 * was counted as a hit; every call of an L1 row as an L1 hit (`stats().l1.hits` grew by exactly
 * the number of calls, warm-up included, and `stats().l1.misses` did not grow).
 */

const patientKey = defineKey('patient:{id}')

const BASELINE = 'baseline: Map.get + JSON.parse'
const MEMORY_GET_OR_SET = 'cachette memory, getOrSet'
const MEMORY_GET = 'cachette memory, get'
const L1_GET_OR_SET = 'cachette L1 over Redis, getOrSet'
const L1_GET = 'cachette L1 over Redis, get'
const REDIS_GET_OR_SET = 'cachette Redis (no L1), getOrSet'
const MEMORY_SEALED = 'cachette memory, getOrSet, encrypted'
const L1_SEALED = 'cachette L1 over Redis, getOrSet, encrypted'
const REDIS_SEALED = 'cachette Redis (no L1), getOrSet, encrypted'
const L1_TRACKING = 'cachette L1 over node-redis, client-side caching, getOrSet'
const ROWS = [BASELINE, MEMORY_GET_OR_SET, MEMORY_GET, L1_GET_OR_SET, L1_GET, REDIS_GET_OR_SET, MEMORY_SEALED, L1_SEALED, REDIS_SEALED, L1_TRACKING] as const

/** The encrypted rows' key (AES-256-GCM, `encryption` option): a fixed one, a benchmark needs no secret. */
const ENCRYPTION = { keys: { bench: new Uint8Array(32).fill(7) }, current: 'bench' }
type RowName = (typeof ROWS)[number]

/** A value the scenario runs on, and the targets' bound against the baseline for it. */
interface Shape {
  readonly id: 'patient' | 'tiny'
  readonly label: string
  readonly value: unknown
  readonly jsonBytes: number
  /** The issue's bound for memory and L1 getOrSet hits ÷ the baseline. */
  readonly baselineTarget: number
}

/** `{"count":1234567890}`: 20 bytes of JSON, a counter or a flag as applications cache them. */
const TINY_VALUE = { count: 1_234_567_890 }

function shapes(bundleBytes: number): Shape[] {
  const patient = valueShapes(bundleBytes).find((shape) => shape.id === 'patient')
  if (patient === undefined) throw new Error('values.ts no longer gives the patient record')
  return [
    { id: 'patient', label: patient.label, value: patient.value, jsonBytes: patient.jsonBytes, baselineTarget: 1.2 },
    { id: 'tiny', label: '20-byte value', value: TINY_VALUE, jsonBytes: Buffer.byteLength(JSON.stringify(TINY_VALUE)), baselineTarget: 1.5 },
  ]
}

/** One row: how it reads, and what its check needs. */
interface Subject {
  readonly name: RowName
  readonly cache: Cache | undefined
  readonly contender: Contender | undefined
  readonly loader: CountingLoader
  readonly method: 'getOrSet' | 'get'
  readonly l1: boolean
  /** Calls made since the counters were read (warm-up and timed), counted outside the timed part. */
  calls: number
  before: CacheStats | undefined
}

function cachetteSubject(name: RowName, cache: Cache, method: 'getOrSet' | 'get', l1: boolean, value: unknown): Subject {
  return { name, cache, contender: undefined, loader: countingLoader(value), method, l1, calls: 0, before: undefined }
}

function createSubjects(target: RedisTarget & { kind: 'standalone' }, value: unknown): Subject[] {
  const run = runId()
  const sealed = (yes: boolean) => (yes ? { encryption: ENCRYPTION } : {})
  const memory = (index: number, encrypted = false) => createCache({ driver: memoryDriver(), prefix: `bench:${run}:l1hit${index}`, ttl: TTL_MS, ...sealed(encrypted) })
  const redis = (index: number, l1: boolean, encrypted = false) =>
    createCache({ driver: ioredisDriver({ url: target.url }), prefix: `bench:${run}:l1hit${index}`, ttl: TTL_MS, ...(l1 ? { l1: true } : {}), ...sealed(encrypted) })
  const subjects: Subject[] = [{ name: BASELINE, cache: undefined, contender: memoryBaseline(), loader: countingLoader(value), method: 'getOrSet', l1: false, calls: 0, before: undefined }]
  try {
    subjects.push(
      cachetteSubject(MEMORY_GET_OR_SET, memory(1), 'getOrSet', false, value),
      cachetteSubject(MEMORY_GET, memory(2), 'get', false, value),
      cachetteSubject(L1_GET_OR_SET, redis(3, true), 'getOrSet', true, value),
      cachetteSubject(L1_GET, redis(4, true), 'get', true, value),
      cachetteSubject(REDIS_GET_OR_SET, redis(5, false), 'getOrSet', false, value),
      cachetteSubject(MEMORY_SEALED, memory(6, true), 'getOrSet', false, value),
      cachetteSubject(L1_SEALED, redis(7, true, true), 'getOrSet', true, value),
      cachetteSubject(REDIS_SEALED, redis(8, false, true), 'getOrSet', false, value),
      // Redis's CLIENT TRACKING instead of the bus: the same L1 hit, another way to stay coherent.
      cachetteSubject(L1_TRACKING, createCache({ driver: redisDriver({ url: target.url }), prefix: `bench:${run}:l1hit9`, ttl: TTL_MS, l1: { tracking: true } }), 'getOrSet', true, value),
    )
  } catch (error) {
    void closeSubjects(subjects)
    throw error
  }
  return subjects
}

async function closeSubjects(subjects: readonly Subject[]): Promise<void> {
  await Promise.allSettled(subjects.map((subject) => (subject.cache === undefined ? subject.contender?.close() : subject.cache.close({ driver: true }))))
}

/** Waits until the memory tier serves (its bus subscribed): before that every read goes to the store. */
async function untilServing(subject: Subject, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs
  while (subject.cache?.stats().l1?.serving !== true) {
    if (performance.now() > end) throw new Error(`l1-hit: the memory tier of '${subject.name}' is not serving after ${timeoutMs} ms (bus not subscribed)`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function fill(subject: Subject, ids: readonly string[]): Promise<void> {
  if (subject.l1) await untilServing(subject)
  const { cache, contender, loader } = subject
  for (let pass = 0; pass < 2; pass++) {
    for (const id of ids) {
      if (cache === undefined) await contender?.getOrSet(id, loader.load)
      else await cache.getOrSet(patientKey({ id }), loader.load)
    }
  }
  // A get row reads what getOrSet stored: check it is there before timing anything.
  if (cache !== undefined) for (const id of ids) if ((await cache.get(patientKey({ id }))) === undefined) throw new Error(`l1-hit: '${subject.name}' misses key ${id} right after filling it`)
  loader.calls = 0
  subject.calls = 0
  subject.before = cache?.stats()
}

function task(subject: Subject, ids: readonly string[]): TimedTask {
  let next = 0
  const count = ids.length
  const { cache, contender, loader } = subject
  const afterEach = () => {
    subject.calls++
  }
  if (cache === undefined) {
    const baseline = contender as Contender
    return { name: subject.name, fn: () => baseline.getOrSet(ids[next++ % count] as string, loader.load), afterEach }
  }
  if (subject.method === 'get') return { name: subject.name, fn: () => cache.get(patientKey({ id: ids[next++ % count] as string })), afterEach }
  return { name: subject.name, fn: () => cache.getOrSet(patientKey({ id: ids[next++ % count] as string }), loader.load), afterEach }
}

/** The untimed check of one row: a failure message, or undefined when every call was the hit it should be. */
function failure(subject: Subject): string | undefined {
  const { name, cache, loader, calls, before } = subject
  if (loader.calls !== 0) return `${name}: the loader ran ${loader.calls} times during ${calls} hits`
  if (cache === undefined || before === undefined) return undefined
  const after = cache.stats()
  const hits = after.hits - before.hits
  const misses = after.misses - before.misses
  if (hits !== calls || misses !== 0) return `${name}: ${calls} calls counted ${hits} hits and ${misses} misses`
  if (!subject.l1) return after.l1 === undefined ? undefined : `${name}: has a memory tier it should not have`
  if (after.l1 === undefined || before.l1 === undefined) return `${name}: stats().l1 is missing`
  const l1Hits = after.l1.hits - before.l1.hits
  const l1Misses = after.l1.misses - before.l1.misses
  if (l1Hits !== calls || l1Misses !== 0) return `${name}: ${calls} calls were ${l1Hits} L1 hits and ${l1Misses} L1 misses (every one should be an L1 hit)`
  return undefined
}

function verdict(ratio: number, bound: number): string {
  return `${ratio.toFixed(2)}× (target ≤ ${bound.toFixed(2)}×: ${ratio <= bound ? 'met' : '**missed**'})`
}

/** The issue's targets, each measured in this table: the lines printed under it. */
function targetNotes(rows: readonly ResultRow[], shape: Shape): string[] {
  const median = (name: RowName) => rows.find((row) => row.contender === name)?.medianMs ?? Number.NaN
  const ratio = (name: RowName, over: RowName) => median(name) / median(over)
  return [
    'Targets (medians of this table):',
    '',
    `- memory getOrSet hit ÷ baseline: ${verdict(ratio(MEMORY_GET_OR_SET, BASELINE), shape.baselineTarget)}`,
    `- L1 getOrSet hit (over Redis) ÷ baseline: ${verdict(ratio(L1_GET_OR_SET, BASELINE), shape.baselineTarget)}`,
    `- memory getOrSet hit ÷ memory get hit: ${verdict(ratio(MEMORY_GET_OR_SET, MEMORY_GET), 1.05)}`,
    `- L1 getOrSet hit ÷ L1 get hit: ${verdict(ratio(L1_GET_OR_SET, L1_GET), 1.05)}`,
    `- L1 getOrSet hit ÷ memory getOrSet hit: ${verdict(ratio(L1_GET_OR_SET, MEMORY_GET_OR_SET), 1.2)}`,
    `- L1 get hit ÷ memory get hit: ${verdict(ratio(L1_GET, MEMORY_GET), 1.2)}`,
    `- for contrast, Redis getOrSet hit without L1 ÷ L1 getOrSet hit: ${ratio(REDIS_GET_OR_SET, L1_GET_OR_SET).toFixed(1)}×`,
    '',
    'Encryption at rest (AES-256-GCM), an encrypted hit ÷ the same hit in clear:',
    '',
    `- memory (the store decrypts on every hit): ${ratio(MEMORY_SEALED, MEMORY_GET_OR_SET).toFixed(2)}×`,
    `- L1 over Redis (the memory tier holds it decrypted): ${ratio(L1_SEALED, L1_GET_OR_SET).toFixed(2)}×`,
    `- Redis without L1: ${ratio(REDIS_SEALED, REDIS_GET_OR_SET).toFixed(2)}×`,
  ]
}

async function measureShape(ctx: ScenarioContext, target: RedisTarget & { kind: 'standalone' }, shape: Shape): Promise<ScenarioResult> {
  const { config } = ctx
  const ids = idList(config.hotKeys)
  const subjects = createSubjects(target, shape.value)
  try {
    for (const subject of subjects) await fill(subject, ids)
    const stats = await measureInTurns(
      subjects.map((subject) => task(subject, ids)),
      config,
    )
    const failures = subjects.map(failure).filter((message) => message !== undefined)
    if (failures.length > 0) throw new Error(`l1-hit (${shape.label}): not every call was the hit it should be:\n  ${failures.join('\n  ')}`)
    const extras: Record<string, RowExtras> = {}
    for (const subject of subjects) {
      const l1Hits = subject.l1 ? (subject.cache?.stats().l1?.hits ?? 0) - (subject.before?.l1?.hits ?? 0) : undefined
      extras[subject.name] = {
        loaderCalls: subject.loader.calls,
        verified: true,
        note: `${subject.calls.toLocaleString('en-US')} calls${l1Hits === undefined ? '' : `, ${l1Hits.toLocaleString('en-US')} L1 hits`}`,
      }
    }
    const rows = buildRows(ROWS, stats, extras)
    return {
      id: 'l1-hit',
      title: `L1 hit (memory tier in front of Redis) against memory hits: ${shape.label} (${shape.id === 'tiny' ? `${shape.jsonBytes} B` : formatBytes(shape.jsonBytes)})`,
      store: 'redis',
      unit: 'one call on a key every row filled beforehand (100 keys in turn); the nine calls take turns one at a time, in an order shuffled every round',
      rows,
      notes: targetNotes(rows, shape),
    }
  } finally {
    await closeSubjects(subjects)
  }
}

/**
 * The L1-hit tables, on the patient record and on a 20-byte value.
 *
 * @example
 * ```ts
 * const tables = await runL1Hit(ctx, ctx.servers.standalone)
 * ```
 */
export async function runL1Hit(ctx: ScenarioContext, target: RedisTarget & { kind: 'standalone' }): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = []
  for (const shape of shapes(ctx.config.bundleBytes)) {
    ctx.log(`  L1 hit, ${shape.label}`)
    results.push(await measureShape(ctx, target, shape))
  }
  return results
}
