import { createCache, defineKey, memoryDriver, type BaseDriver, type Cache } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { Redis } from 'ioredis'
import { variedEncounterBundle } from '../fhir-bundles.js'
import { measureInTurns, type Measured, type TimedTask } from '../measure.js'
import { TTL_MS, runId } from '../peers/contender.js'
import { buildRows, type ResultRow, type RowExtras, type ScenarioResult } from '../results.js'
import type { RedisTarget } from '../servers.js'
import { valueShapes } from '../values.js'
import { countingLoader, idList, type CountingLoader, type ScenarioContext } from './context.js'
import { formatBytes } from './hits.js'
import { storeName } from './lineups.js'

/**
 * `createCache({ compression })` on large values: three caches on one store, compression off (the
 * baseline), gzip and brotli, each running two operations whose calls take turns one at a time
 * in an order shuffled every round (as the fence's tables):
 *
 * - hit: getOrSet on a key holding the value (GET, decompression, JSON.parse);
 * - miss: getOrSet on an absent key, with a loader returning the prebuilt value: read, claim,
 *   loader, JSON.stringify, compression and the fenced write, since getOrSet waits for its write
 *   (within its deadline) before answering. The key is deleted afterwards, untimed, once the
 *   write has landed, so no background work spills into the next sample.
 *
 * Bytes stored are read back from the store: STRLEN on Redis, the value's UTF-8 length on the
 * memory driver. Four values: the 1.1 KB patient record, below the default threshold (4096 bytes:
 * the three caches must store and serve it alike), the 101 KB bundle every scenario uses (one
 * entry repeated with a counter: gzip's best case), and FHIR bundles of varied Encounters
 * (`fhir-bundles.ts`) of 101 KB and 1 MB, which compress like real exports.
 */

const SETTINGS = ['off', 'gzip', 'brotli'] as const
type Setting = (typeof SETTINGS)[number]
const OPERATIONS = ['hit', 'miss'] as const
type Operation = (typeof OPERATIONS)[number]

const bundleKey = defineKey('bundle:{id}')

/** One cache of the comparison, with what its tasks need. */
interface Subject {
  readonly setting: Setting
  readonly cache: Cache
  readonly driver: BaseDriver
  readonly keyPrefix: string
  readonly hitLoader: CountingLoader
  readonly loader: CountingLoader
}

/** A value the scenario runs on. */
interface Shape {
  readonly label: string
  readonly value: unknown
  readonly jsonBytes: number
}

function shapes(bundleBytes: number): Shape[] {
  const [patient, fixture] = valueShapes(bundleBytes)
  if (patient?.id !== 'patient' || fixture?.id !== 'bundle') throw new Error('values.ts no longer gives the patient record and the bundle')
  const varied = (bytes: number, label: string): Shape => {
    const value = variedEncounterBundle(bytes)
    return { label, value, jsonBytes: Buffer.byteLength(JSON.stringify(value)) }
  }
  return [
    { label: 'patient record, below the threshold', value: patient.value, jsonBytes: patient.jsonBytes },
    { label: 'FHIR bundle, one entry repeated', value: fixture.value, jsonBytes: fixture.jsonBytes },
    varied(bundleBytes, 'FHIR bundle, varied encounters'),
    varied(bundleBytes * 10, 'FHIR bundle, varied encounters'),
  ]
}

/** `101 KB`, `1.0 MB`. */
function size(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : formatBytes(bytes)
}

/** `101,191 B`. */
function bytes(count: number): string {
  return `${count.toLocaleString('en-US')} B`
}

function rowName(operation: Operation, setting: Setting): string {
  return `${operation}, ${setting === 'off' ? 'compression off' : setting}`
}

/** Resolves once the key holds an entry (not the claim of a load, not empty), or after 2 s. */
async function landed(driver: BaseDriver, fullKey: string): Promise<void> {
  const giveUp = performance.now() + 2_000
  for (;;) {
    const raw = await driver.get(fullKey)
    if ((raw !== null && !raw.startsWith('@cf ')) || performance.now() > giveUp) return
    await new Promise((resolve) => setImmediate(resolve))
  }
}

function tasks(subject: Subject, hitIds: readonly string[]): TimedTask[] {
  const { cache, driver, keyPrefix, hitLoader, loader } = subject
  let nextHit = 0
  let missSequence = 0
  let missId = ''
  return [
    { name: rowName('hit', subject.setting), fn: () => cache.getOrSet(bundleKey({ id: hitIds[nextHit++ % hitIds.length] as string }), hitLoader.load) },
    {
      name: rowName('miss', subject.setting),
      beforeEach: () => {
        missId = `miss-${missSequence++}`
      },
      fn: () => cache.getOrSet(bundleKey({ id: missId }), loader.load),
      afterEach: async () => {
        const fullKey = keyPrefix + bundleKey({ id: missId }).key
        await landed(driver, fullKey)
        await driver.delete([fullKey])
      },
    },
  ]
}

/** The stored size of one entry, in bytes, as the store reports it. */
async function storedBytes(subject: Subject, raw: Redis | undefined, id: string): Promise<number> {
  const fullKey = subject.keyPrefix + bundleKey({ id }).key
  if (raw !== undefined) return raw.strlen(fullKey)
  return Buffer.byteLength((await subject.driver.get(fullKey)) ?? '')
}

type Standalone = RedisTarget & { kind: 'standalone' }

/** What a compressed entry's payload is as raw bytes (what a bytes codec stores), header included. */
async function asRawBytes(subject: Subject, id: string): Promise<number> {
  const entry = (await subject.driver.get(subject.keyPrefix + bundleKey({ id }).key)) ?? ''
  const end = entry.indexOf('\n')
  return Buffer.byteLength(entry.slice(0, end).replace(',"e":"base64"', '')) + 1 + Buffer.from(entry.slice(end + 1), 'base64').byteLength
}

async function measureShape(ctx: ScenarioContext, store: 'memory' | Standalone, shape: Shape): Promise<ScenarioResult> {
  const { config, log } = ctx
  const name = storeName(store)
  const run = runId()
  // At most about 20 MB of values per cache: 100 keys of the 101 KB bundles, 20 of the 1 MB one.
  const keyCount = Math.max(2, Math.min(config.hotKeys, Math.floor(20_000_000 / shape.jsonBytes)))
  const hitIds = idList(keyCount, 'hit-')
  const subjects: Subject[] = SETTINGS.map((setting) => {
    const prefix = `bench:${run}:compression:${setting}`
    const driver = store === 'memory' ? memoryDriver() : ioredisDriver({ url: store.url })
    const cache = createCache({ driver, prefix, ttl: TTL_MS, compression: setting === 'off' ? false : { algorithm: setting } })
    return { setting, cache, driver, keyPrefix: `${prefix}:`, hitLoader: countingLoader(shape.value), loader: countingLoader(shape.value) }
  })
  const raw = store === 'memory' ? undefined : new Redis(store.port, store.host)
  try {
    for (const subject of subjects) for (const id of hitIds) await subject.cache.set(bundleKey({ id }), shape.value)
    const stored = new Map<Setting, number>()
    for (const subject of subjects) stored.set(subject.setting, await storedBytes(subject, raw, hitIds[0] as string))
    log(`  ${name}, ${shape.label} (${size(shape.jsonBytes)}): off, gzip, brotli, ${keyCount} keys, taking turns call by call`)
    const stats = await measureInTurns(
      subjects.flatMap((subject) => tasks(subject, hitIds)),
      config,
    )
    const offBytes = stored.get('off') as number
    const rows: ResultRow[] = []
    for (const operation of OPERATIONS) {
      const names = SETTINGS.map((setting) => rowName(operation, setting))
      const extras: Record<string, RowExtras> = {}
      for (const subject of subjects) {
        const entryBytes = stored.get(subject.setting) as number
        const storedNote = `stores ${bytes(entryBytes)} (${(entryBytes / offBytes).toFixed(3)}× off)`
        const served = subject.hitLoader.calls === 0
        extras[rowName(operation, subject.setting)] =
          operation === 'hit' ? { verified: served, note: served ? storedNote : `FAILED: a hit ran the loader; ${storedNote}` } : {}
      }
      rows.push(...buildRows(names, new Map(names.map((row) => [row, stats.get(row) as Measured])), extras))
    }
    const gzip = stored.get('gzip') as number
    const brotli = stored.get('brotli') as number
    const where = raw === undefined ? "the UTF-8 length of the memory driver's value" : 'STRLEN'
    let note: string
    if (gzip === offBytes && brotli === offBytes) {
      note = `Stored per entry (${where}): ${bytes(offBytes)} by all three caches, the same uncompressed @c1 entry.`
    } else {
      const subjectOf = (setting: Setting) => subjects.find((subject) => subject.setting === setting) as Subject
      const gzipRaw = await asRawBytes(subjectOf('gzip'), hitIds[0] as string)
      const brotliRaw = await asRawBytes(subjectOf('brotli'), hitIds[0] as string)
      note =
        `Stored per entry (${where}): compression off ${bytes(offBytes)}, gzip ${bytes(gzip)} (${(offBytes / gzip).toFixed(1)}× smaller), brotli ${bytes(brotli)} (${(offBytes / brotli).toFixed(1)}× smaller). ` +
        `The JSON codec's compressed payload is base64 text; as raw bytes (a bytes codec) it would be gzip ${bytes(gzipRaw)} (${(offBytes / gzipRaw).toFixed(1)}×), brotli ${bytes(brotliRaw)} (${(offBytes / brotliRaw).toFixed(1)}×).`
    }
    return {
      id: 'compression',
      title: `Compression (${name === 'memory' ? 'memory' : 'Redis'}): ${shape.label} (${size(shape.jsonBytes)})`,
      store: name === 'memory' ? 'memory' : 'redis',
      unit: 'one call; hit: getOrSet on a key holding the value; miss: getOrSet on an absent key (read, loader, write: getOrSet waits for its write), the key deleted afterwards, untimed. The six calls (two operations, three caches) take turns one call at a time, in an order shuffled every round; each operation\'s ratios divide by its "compression off" row',
      rows,
      notes: [note],
    }
  } finally {
    raw?.disconnect()
    await Promise.allSettled(subjects.map((subject) => subject.cache.close({ driver: true })))
  }
}

/**
 * The compression tables on `store` (memory, or the standalone redis-server): one per value.
 *
 * @example
 * ```ts
 * const tables = await runCompression(ctx, servers.standalone)
 * ```
 */
export async function runCompression(ctx: ScenarioContext, store: 'memory' | Standalone): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = []
  for (const shape of shapes(ctx.config.bundleBytes)) results.push(await measureShape(ctx, store, shape))
  return results
}
