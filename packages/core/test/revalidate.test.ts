import { createFakeClock } from '@cachette/testing'
import { describe, expect, it } from 'vitest'
import { defineKey, InvalidOptionsError, memoryDriver, type LoaderContext } from '../src/index.js'
import type { RevalidateOptions } from '../src/options/resilience-options.js'
import { testCache } from './support/cache.js'

interface Bundle {
  readonly id: string
  readonly meta: { readonly versionId: string }
}

const exportKey = defineKey('fhir:export:{type}:ej:{ejId}').withType<Bundle>()
const until = async (check: () => boolean | Promise<boolean>): Promise<void> => {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 5))
}

function setup(wire: 'cachette' | 'plain' = 'cachette') {
  const clock = createFakeClock()
  const driver = memoryDriver({ clock })
  const { cache } = testCache({ driver, clock, prefix: 'fhir', wire })
  const revalidate: RevalidateOptions = { window: '1m', validator: (bundle: Bundle) => bundle.meta.versionId }
  return { clock, driver, cache, revalidate }
}

describe('revalidate: conditional refresh near the end of the store TTL', () => {
  it('leaves a hit alone while more than the window is left', async () => {
    const { clock, cache, revalidate } = setup()
    const key = exportKey({ type: 'venues', ejId: '1' })
    const calls: (LoaderContext<Bundle>['previous'] | 'miss')[] = []
    const load = async (ctx: LoaderContext<Bundle>) => {
      calls.push(ctx.previous ?? 'miss')
      return { id: 'b1', meta: { versionId: '1' } }
    }
    await cache.getOrSet(key, load, { ttl: '5m', revalidate })
    clock.advance(3 * 60_000)
    await cache.getOrSet(key, load, { ttl: '5m', revalidate })
    await cache.close()
    expect(calls).toEqual(['miss'])
  })

  it('renews the TTL without rewriting the value when the loader answers notModified()', async () => {
    const { clock, driver, cache, revalidate } = setup()
    const key = exportKey({ type: 'venues', ejId: '1' })
    const seen: LoaderContext<Bundle>['previous'][] = []
    let builds = 0
    const load = async (ctx: LoaderContext<Bundle>): Promise<Bundle> => {
      seen.push(ctx.previous)
      if (ctx.previous?.validator === '7') return ctx.notModified()
      builds++
      return { id: 'b1', meta: { versionId: '7' } }
    }
    await cache.getOrSet(key, load, { ttl: '5m', revalidate })
    const raw = await driver.get('fhir:fhir:export:venues:ej:1')
    clock.advance(4 * 60_000 + 30_000)
    expect(await driver.pttl('fhir:fhir:export:venues:ej:1')).toBe(30_000)
    expect(await cache.getOrSet(key, load, { ttl: '5m', revalidate })).toEqual({ id: 'b1', meta: { versionId: '7' } })
    await until(async () => (await driver.pttl('fhir:fhir:export:venues:ej:1')) === 300_000)
    expect(await driver.pttl('fhir:fhir:export:venues:ej:1')).toBe(300_000)
    expect(await driver.get('fhir:fhir:export:venues:ej:1')).toBe(raw)
    expect(builds).toBe(1)
    expect(seen).toEqual([undefined, { value: { id: 'b1', meta: { versionId: '7' } }, validator: '7' }])
    expect(cache.stats()).toMatchObject({ revalidations: 1, refreshes: 1, loaderCalls: 2 })
    await cache.close()
  })

  it('writes the new value when the source changed', async () => {
    const { clock, cache, revalidate } = setup()
    const key = exportKey({ type: 'venues', ejId: '2' })
    let version = 1
    const load = async (ctx: LoaderContext<Bundle>): Promise<Bundle> =>
      ctx.previous?.validator === String(version) ? ctx.notModified() : { id: 'b2', meta: { versionId: String(version) } }
    await cache.getOrSet(key, load, { ttl: '5m', revalidate })
    version = 2
    clock.advance(4 * 60_000 + 30_000)
    expect((await cache.getOrSet(key, load, { ttl: '5m', revalidate })).meta.versionId).toBe('1')
    await until(async () => (await cache.get(key))?.meta.versionId === '2')
    expect((await cache.get(key))?.meta.versionId).toBe('2')
    expect(cache.stats().revalidations).toBe(0)
    await cache.close()
  })

  it('works with wire: plain (the store TTL carries it)', async () => {
    const { clock, driver, cache, revalidate } = setup('plain')
    const key = exportKey({ type: 'patients', ejId: '3' })
    const load = async (ctx: LoaderContext<Bundle>): Promise<Bundle> => (ctx.previous !== undefined ? ctx.notModified() : { id: 'p', meta: { versionId: '1' } })
    await cache.getOrSet(key, load, { ttl: '10m', revalidate })
    expect(await driver.get('fhir:fhir:export:patients:ej:3')).toBe('{"id":"p","meta":{"versionId":"1"}}')
    clock.advance(9 * 60_000 + 30_000)
    await cache.getOrSet(key, load, { ttl: '10m', revalidate })
    await until(async () => (await driver.pttl('fhir:fhir:export:patients:ej:3')) === 600_000)
    expect(await driver.pttl('fhir:fhir:export:patients:ej:3')).toBe(600_000)
    await cache.close()
  })

  it('refuses notModified() on a miss, and revalidate with grace', async () => {
    const { cache, revalidate } = setup()
    const key = exportKey({ type: 'venues', ejId: '4' })
    await expect(cache.getOrSet(key, (ctx: LoaderContext<Bundle>) => ctx.notModified(), { revalidate })).rejects.toThrow(/outside a revalidation/)
    await expect(cache.getOrSet(key, async () => ({ id: 'x', meta: { versionId: '1' } }), { revalidate, grace: '1h' })).rejects.toBeInstanceOf(InvalidOptionsError)
    expect(() => defineKey('bad:{id}', { revalidate: { window: 'soon' as never } })).toThrow(/revalidate\.window/)
    await cache.close()
  })
})
