import { createCache, memoryDriver } from '@cachette/core'
import { createFakeClock } from '@cachette/testing'
import { describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { createDashboardStatsCache, createProfessionalCache } from '../src/index.js'

function identityCache(env: Record<string, string> | false = false) {
  const clock = createFakeClock()
  const driver = memoryDriver({ clock })
  const cache = createCache({ driver, prefix: 'identity', env, clock, logger: { warn: () => undefined } })
  return { clock, driver, cache }
}

const ProfessionalSchema = z.object({ id: z.number(), nom: z.string(), specialite: z.string() })

describe("seed 001's professional and dashboard caches", () => {
  it('caches a professional at identity:professional:<id> for 10 minutes', async () => {
    const { cache, driver, clock } = identityCache()
    const professionals = createProfessionalCache({ cache, schema: ProfessionalSchema, env: false })
    const load = vi.fn(async (id: string | number) => ({ id: Number(id), nom: 'Dr Yao', specialite: 'pédiatrie' }))
    expect(await professionals.getById(123, load)).toEqual({ id: 123, nom: 'Dr Yao', specialite: 'pédiatrie' })
    await professionals.getById(123, load)
    expect(load).toHaveBeenCalledTimes(1)
    expect(await driver.pttl('identity:professional:123')).toBe(600_000)
    clock.advance(600_001)
    await professionals.getById(123, load)
    expect(load).toHaveBeenCalledTimes(2)
    expect(await professionals.invalidate(123)).toBe(1)
  })

  it('does not cache an unknown professional', async () => {
    const { cache, driver } = identityCache()
    const professionals = createProfessionalCache({ cache, env: false })
    expect(await professionals.getById(7, async () => undefined)).toBeUndefined()
    expect(await driver.exists(['identity:professional:7'])).toBe(0)
  })

  it('caches the dashboard statistics at identity:stats:dashboard for 5 minutes', async () => {
    const { cache, driver } = identityCache()
    const dashboard = createDashboardStatsCache({ cache, env: false })
    const compute = vi.fn(async () => ({ patients: 10, actifs: 9 }))
    await dashboard.get(compute)
    expect(await dashboard.get(compute)).toEqual({ patients: 10, actifs: 9 })
    expect(compute).toHaveBeenCalledTimes(1)
    expect(await driver.pttl('identity:stats:dashboard')).toBe(300_000)
    await dashboard.invalidate()
    await dashboard.get(compute)
    expect(compute).toHaveBeenCalledTimes(2)
  })

  it('reads CACHE_TTL_PROFESSIONAL and CACHE_TTL_STATS_DASHBOARD (seconds)', () => {
    const { cache } = identityCache()
    const env = { CACHE_TTL_PROFESSIONAL: '120', CACHE_TTL_STATS_DASHBOARD: '30' }
    expect(createProfessionalCache({ cache, env }).ttlMs).toBe(120_000)
    expect(createDashboardStatsCache({ cache, env }).ttlMs).toBe(30_000)
    expect(createDashboardStatsCache({ cache, ttl: '1m', env: false }).ttlMs).toBe(60_000)
  })

  it('treats a cached professional that fails the schema as a miss', async () => {
    const { cache, driver } = identityCache()
    const professionals = createProfessionalCache({ cache, schema: ProfessionalSchema, env: false })
    await cache.set('professional:5', { id: 'five' })
    const loaded = await professionals.getById(5, async () => ({ id: 5, nom: 'Dr Koné', specialite: 'cardiologie' }))
    expect(loaded?.nom).toBe('Dr Koné')
    expect(cache.stats().decodeFailures).toBe(1)
    expect(await driver.exists(['identity:professional:5'])).toBe(1)
  })
})
