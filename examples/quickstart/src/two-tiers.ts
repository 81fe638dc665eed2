import { createCache, defineKey, memoryDriver, type Driver } from '@cachette/core'
import { z } from 'zod'
import { loadPatientFromDatabase, sourceCalls } from './fake-database.js'

const PatientSchema = z.object({
  id: z.number(),
  nom: z.string(),
  prenoms: z.string(),
  statut: z.enum(['actif', 'inactif']),
})

const patientKey = defineKey('patient:{id}', { schema: PatientSchema, ttl: '10m', tags: ({ id }) => [`patient:${id}`] })

/** Waits until `check` holds (the bus delivers asynchronously), at most `timeoutMs`. */
async function until(check: () => boolean | Promise<boolean>, timeoutMs = 1_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  return false
}

/**
 * Two tiers, told as a story: two instances of a service (two caches, as two processes would
 * have) with a memory tier each, in front of one store. A hit is answered from memory; a write in
 * one instance reaches the other's memory tier over the invalidation bus; a tag invalidation too.
 * Pass a Redis driver to see the same over a real store (each instance would have its own driver
 * in real life; one is enough here).
 */
export async function runTwoTiersDemo(given?: Driver): Promise<string[]> {
  const driver = given ?? memoryDriver()
  const out: string[] = []
  // The same options in every instance: the bus is the prefix's own channel.
  const options = { driver, prefix: 'identity', ttl: '5m', l1: { maxEntries: 10_000, ttl: '1m' } } as const
  const a = createCache(options)
  const b = createCache(options)
  await until(() => a.stats().l1?.serving === true && b.stats().l1?.serving === true)

  await a.getOrSet(patientKey({ id: 42 }), () => loadPatientFromDatabase(42))
  await a.getOrSet(patientKey({ id: 42 }), () => loadPatientFromDatabase(42))
  out.push(`instance A: miss then hit from memory (memory tier hits: ${a.stats().l1?.hits})`)

  const fromB = await b.getOrSet(patientKey({ id: 42 }), () => loadPatientFromDatabase(42))
  out.push(`instance B: ${fromB.nom} from the store, no database call (database calls: ${sourceCalls.count})`)

  await b.set(patientKey({ id: 42 }), { ...fromB, statut: 'inactif' })
  const seen = await until(async () => (await a.get(patientKey({ id: 42 })))?.statut === 'inactif')
  out.push(`instance B wrote statut=inactif; instance A sees it: ${seen}`)

  await a.invalidateTags(['patient:42'])
  const gone = await until(async () => (await b.get(patientKey({ id: 42 }))) === undefined)
  out.push(`instance A invalidated tag patient:42; instance B no longer has it: ${gone}`)

  const stats = a.stats().l1
  out.push(`instance A bus: published=${stats?.busPublished} received=${stats?.busReceived} serving=${stats?.serving}`)
  await Promise.all([a.close(), b.close()])
  if (given === undefined) await driver.close()
  return out
}
