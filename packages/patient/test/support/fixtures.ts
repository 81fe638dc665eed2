import { randomUUID } from 'node:crypto'
import { createCache, DriverError, memoryDriver, type Cache, type CacheLogFields, type CacheOptions, type Driver } from '@cachette/core'
import { createFakeClock, type FakeClock } from '@cachette/testing'
import { createPatientCache, type PatientCache, type PatientCacheOptions, type PatientInput } from '../../src/index.js'

/** Seed 000's example HASH, field for field, exactly as the seed lists it. */
export const SEED_HASH: Readonly<Record<string, string>> = Object.freeze({
  id: '550e8400-e29b-41d4-a716-446655440001',
  code_patient: 'CI-20250108-00001',
  nom: 'KOUADIO',
  prenoms: 'Jean Baptiste Marie',
  date_naissance: '1985-06-15',
  sexe: 'M',
  nationalite_id: '660e8400-e29b-41d4-a716-446655440002',
  situation_matrimoniale_id: '770e8400-e29b-41d4-a716-446655440003',
  telephone_principal: '+225 07 12 34 56 78',
  telephone_secondaire: '+225 01 98 76 54 32',
  email: 'jean.kouadio@example.com',
  adresse_complete: 'Cocody, Angré 8ème tranche, Villa 123',
  ville: 'Abidjan',
  commune: 'Cocody',
  etablissement_createur_id: '880e8400-e29b-41d4-a716-446655440004',
  est_assure: 'true',
  statut: 'actif',
  created_at: '2025-01-08T10:00:00Z',
  updated_at: '2025-01-08T14:30:00Z',
  assurances: '[{"id":"990e8400-e29b-41d4-a716-446655440005","nom":"MUGEF-CI","numero":"MUGEF-2024-12345","type":"principal"}]',
})

/** Seed 000's example patient, as a loader would return it. */
export function seedPatient(overrides: Partial<PatientInput> = {}): PatientInput {
  return {
    id: '550e8400-e29b-41d4-a716-446655440001',
    code_patient: 'CI-20250108-00001',
    nom: 'KOUADIO',
    prenoms: 'Jean Baptiste Marie',
    date_naissance: '1985-06-15',
    sexe: 'M',
    nationalite_id: '660e8400-e29b-41d4-a716-446655440002',
    situation_matrimoniale_id: '770e8400-e29b-41d4-a716-446655440003',
    telephone_principal: '+225 07 12 34 56 78',
    telephone_secondaire: '+225 01 98 76 54 32',
    email: 'jean.kouadio@example.com',
    adresse_complete: 'Cocody, Angré 8ème tranche, Villa 123',
    ville: 'Abidjan',
    commune: 'Cocody',
    etablissement_createur_id: '880e8400-e29b-41d4-a716-446655440004',
    est_assure: true,
    statut: 'actif',
    created_at: new Date('2025-01-08T10:00:00Z'),
    updated_at: new Date('2025-01-08T14:30:00Z'),
    assurances: [{ id: '990e8400-e29b-41d4-a716-446655440005', nom: 'MUGEF-CI', numero: 'MUGEF-2024-12345', type: 'principal' }],
    ...overrides,
  }
}

/** A random patient code, so tests never share keys. */
export function randomCode(): string {
  return `CI-20250108-${randomUUID().slice(0, 8)}`
}

/** A driver whose calls reject while `down` is true (a store outage), counting calls per method. */
export interface FlakyDriver extends Driver {
  down: boolean
  readonly calls: Record<string, number>
}

export function flakyDriver(inner: Driver): FlakyDriver {
  const calls: Record<string, number> = {}
  const state = { down: false }
  const proxy = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'down') return state.down
      if (property === 'calls') return calls
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls[String(property)] = (calls[String(property)] ?? 0) + 1
        if (state.down && property !== 'close') return Promise.reject(new DriverError('DRIVER_FAILURE', 'simulated outage'))
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
    set(_target, property, value) {
      if (property !== 'down') return false
      state.down = value as boolean
      return true
    },
  })
  return proxy as FlakyDriver
}

/** What a key holds: nothing, an invalidation's tombstone (`@cf <token>`), a HASH, or another value. */
export async function keyContent(driver: Driver, key: string): Promise<'absent' | 'tombstone' | 'hash' | 'value'> {
  if ((await driver.exists([key])) === 0) return 'absent'
  try {
    return (await driver.get(key))?.startsWith('@cf ') === true ? 'tombstone' : 'value'
  } catch {
    return 'hash'
  }
}

/** Collects log lines. */
export function memoryLogger(): { warn: (message: string, fields: CacheLogFields) => void; lines: { message: string; fields: CacheLogFields }[] } {
  const lines: { message: string; fields: CacheLogFields }[] = []
  return { lines, warn: (message, fields) => lines.push({ message, fields }) }
}

export interface PatientFixture {
  readonly clock: FakeClock
  readonly driver: FlakyDriver
  readonly cache: Cache
  readonly patients: PatientCache
  readonly etablissement: string
  readonly logger: ReturnType<typeof memoryLogger>
}

/**
 * A patient cache on the memory driver and a fake clock, with a random establishment id. `cacheOptions`
 * go to the cache (its deadline, fence, meter, invalidation queue...); failed invalidations are
 * retried every 10 ms.
 */
export function patientFixture(options: Partial<PatientCacheOptions> & { prefix?: string; cacheOptions?: Partial<CacheOptions> } = {}): PatientFixture {
  const clock = createFakeClock(Date.now())
  const driver = flakyDriver(memoryDriver({ clock }))
  const logger = memoryLogger()
  const { prefix, cacheOptions, ...rest } = options
  const cache = createCache({ driver, env: false, clock, logger, invalidationQueue: { retryInterval: 10 }, ...(prefix === undefined ? {} : { prefix }), ...cacheOptions })
  const etablissement = randomUUID()
  const patients = createPatientCache({ cache, etablissement, env: false, ...rest })
  return { clock, driver, cache, patients, etablissement, logger }
}
