import { createCache, defineKey, memoryDriver, type Driver } from '@cachette/core'
import { z } from 'zod'
import { loadPatientFromDatabase, listFmpaFromDatabase, sourceCalls } from './fake-database.js'

const PatientSchema = z.object({
  id: z.number(),
  nom: z.string(),
  prenoms: z.string(),
  statut: z.enum(['actif', 'inactif']),
})

// Seed 001's layout: {service}:{entity}:{id}, with the service as the cache prefix.
const patientKey = defineKey('patient:{id}', { schema: PatientSchema, ttl: '10m' })

// Seed 003's layout: a tenant-scoped list keyed by its filters (hashed), tagged by tenant.
const fmpaListKey = defineKey('fmpa:list:{tenantId}:{filters}', {
  params: { filters: 'hash' },
  ttl: 'list',
  tags: ({ tenantId }) => [`tenant:${tenantId}`],
})

function elapsedMs(startNs: bigint): string {
  return `${(Number(process.hrtime.bigint() - startNs) / 1e6).toFixed(3)} ms`
}

/**
 * Runs the demo and returns what it has to say, one line each, so a test can check the story
 * it tells (a miss then a hit, what each invalidation removed) without parsing console output.
 * A driver passed in stays open (it is the caller's); the default memoryDriver() is closed.
 */
export async function runDemo(given?: Driver): Promise<string[]> {
  const driver = given ?? memoryDriver()
  const out: string[] = []
  const cache = createCache({ driver, prefix: 'identity', ttl: '5m' })

  let started = process.hrtime.bigint()
  const first = await cache.getOrSet(patientKey({ id: 42 }), () => loadPatientFromDatabase(42))
  out.push(`miss: loaded ${first.nom} from the database in ${elapsedMs(started)}`)

  started = process.hrtime.bigint()
  const second = await cache.getOrSet(patientKey({ id: 42 }), () => loadPatientFromDatabase(42))
  out.push(`hit:  read ${second.nom} from the cache in ${elapsedMs(started)}`)

  const invalidated = await cache.invalidate(patientKey({ id: 42 }))
  const afterInvalidate = await cache.has(patientKey({ id: 42 }))
  out.push(`invalidate: removed ${invalidated} entry; still cached: ${afterInvalidate}`)

  for (const id of [1, 2, 3]) await cache.getOrSet(patientKey({ id }), () => loadPatientFromDatabase(id))
  const removedByPattern = await cache.deletePattern(patientKey.pattern({}))
  out.push(`deletePattern identity:patient:*: removed ${removedByPattern} entries`)

  for (const status of ['ACTIVE', 'ARCHIVED']) {
    await cache.getOrSet(fmpaListKey({ tenantId: 't7', filters: { status, page: 1 } }), () => listFmpaFromDatabase('t7', status))
  }
  await cache.invalidateTags(['tenant:t7'])
  const listStillCached = await cache.has(fmpaListKey({ tenantId: 't7', filters: { status: 'ACTIVE', page: 1 } }))
  out.push(`invalidateTags tenant:t7: lists still cached: ${listStillCached}`)

  const { hits, misses, hitRate, sets, deletes, errors } = cache.stats()
  out.push(`stats: hits=${hits} misses=${misses} hitRate=${hitRate.toFixed(2)} sets=${sets} deletes=${deletes} errors=${errors}`)
  out.push(`database calls: ${sourceCalls.count}`)

  // Read-mostly data (lists, FHIR bundles): hits can share one frozen decoded value instead of
  // decoding a copy each. Callers must not edit it: structuredClone() it first if they need to.
  const lists = createCache({ driver, prefix: 'lists', ttl: '5m', shareValues: true })
  const listKey = fmpaListKey({ tenantId: 't8', filters: { status: 'ACTIVE', page: 1 } })
  await lists.getOrSet(listKey, () => listFmpaFromDatabase('t8', 'ACTIVE'))
  const [one, two] = [await lists.get(listKey), await lists.get(listKey)]
  out.push(`shareValues: every hit gets the same frozen list: ${one === two && Object.isFrozen(one)}`)

  // Two caches over one driver: closing a cache leaves the driver open (the other cache still uses
  // it). Whoever made the driver closes it, once every cache over it is closed.
  await lists.close()
  await cache.close()
  if (given === undefined) await driver.close()
  return out
}
