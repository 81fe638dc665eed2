import { randomUUID } from 'node:crypto'
import { DriverError, memoryDriver, type Driver } from '@cachette/core'
import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { buildApp } from '../../src/app.js'
import { createAppCaches, type AppCaches, type AppCachesOptions } from '../../src/caches.js'
import type { Database } from '../../src/db/database.js'
import { captureLogs, TEST_LOCK_SECRET, uniqueName } from './api-suite.js'

/** A driver whose every call rejects, as a store that is down (only `close` works). */
export function failingDriver(inner: Driver = memoryDriver()): Driver {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function' || property === 'close') return value
      return () => Promise.reject(new DriverError('DRIVER_FAILURE', 'simulated outage'))
    },
  })
}

/** One more app instance (its own caches over `driver`), as another process of the service would be. */
export interface AppInstance {
  readonly app: FastifyInstance
  readonly caches: AppCaches
  readonly logs: readonly string[]
  close(): Promise<void>
}

/**
 * Builds an app over `db` and `driver`. Instances share the establishment and the lock secret, so
 * they compute the same fingerprints, as the processes of one deployment do. The instance owns
 * `driver`: its `close()` closes it (give each instance its own).
 */
export async function appInstance(db: Database, driver: Driver, etablissement: string, options: Pick<AppCachesOptions, 'fence'> = {}): Promise<AppInstance> {
  const logs = captureLogs()
  const caches = createAppCaches({ driver, etablissement, env: false, lockSecret: TEST_LOCK_SECRET, logger: logs.cacheLogger, ...options })
  const app = buildApp({ db, caches, etablissement, logger: { stream: logs.stream } })
  await app.ready()
  return {
    app,
    caches,
    logs: logs.lines,
    async close() {
      await app.close()
      await caches.close()
      await driver.close()
    },
  }
}

/**
 * Sends `count` POSTs of one person at once, spread over the instances, and checks that exactly one
 * row was created and every other request got seed 000's 409: the lock is unavailable, so only the
 * database (its duplicate check and the UNIQUE index on the fingerprint) can keep the person unique.
 */
export async function expectOneRowFromConcurrentCreations(db: Database, instances: readonly AppInstance[], count = 40): Promise<void> {
  const payload = { nom: uniqueName('Coulibaly'), prenoms: 'Fatou', date_naissance: '1994-04-04', sexe: 'F', telephone_principal: '+225 07 44 44 44 44' }
  const responses = await Promise.all(
    Array.from({ length: count }, (_, index) => (instances[index % instances.length] as AppInstance).app.inject({ method: 'POST', url: '/patients', payload })),
  )
  const statuses = responses.map((response) => response.statusCode)
  expect(statuses.filter((status) => status === 201)).toHaveLength(1)
  expect(statuses.filter((status) => status === 409)).toHaveLength(count - 1)
  for (const response of responses.filter((r) => r.statusCode === 409)) expect(response.json()).toEqual({ error: 'Patient en doublon', raison: 'exists' })
  const fingerprint = (instances[0] as AppInstance).caches.patients.identityFingerprint(payload)
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM patients_patient WHERE cle_doublon = $1', [fingerprint])
  expect(rows[0]?.n).toBe(1)
  // The lock really was unavailable: every creation went ahead without it.
  const lockUnavailable = instances.reduce((total, instance) => total + instance.caches.patients.stats().lockUnavailable, 0)
  expect(lockUnavailable).toBe(count)
}

/** A fresh establishment id for a group of instances. */
export function newEtablissement(): string {
  return randomUUID()
}
