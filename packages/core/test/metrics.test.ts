import { afterEach, describe, expect, it } from 'vitest'
import { createCache, defineKey, memoryDriver } from '../src/index.js'
import { throwingDriver } from './support/drivers.js'
import { closePrometheusServers, prometheus, samples, withoutScope } from './support/prometheus.js'

afterEach(closePrometheusServers)

describe('metrics through @opentelemetry/api, as the Prometheus exporter prints them', () => {
  const patientKey = defineKey('patient:{id}')

  it('exposes cache_hits_total, cache_misses_total and cache_latency_seconds with the seed labels', async () => {
    const { meter, scrape } = await prometheus()
    const cache = createCache({ driver: memoryDriver(), prefix: 'identity', meter, env: false })
    await cache.get(patientKey({ id: 42 }))
    await cache.set(patientKey({ id: 42 }), { id: 42 })
    await cache.get(patientKey({ id: 42 }))
    await cache.getOrSet(patientKey({ id: 42 }), () => ({ id: 42 }))
    const text = await scrape()

    expect(text).toContain('# TYPE cache_hits_total counter')
    expect(text).toContain('# TYPE cache_misses_total counter')
    expect(text).toContain('# TYPE cache_latency_seconds histogram')
    const all = samples(text)
    const names = new Set(all.map((sample) => sample.name))
    expect([...names].sort()).toEqual(['cache_hits_total', 'cache_latency_seconds_bucket', 'cache_latency_seconds_count', 'cache_latency_seconds_sum', 'cache_misses_total'])

    const hits = all.filter((sample) => sample.name === 'cache_hits_total')
    expect(hits.map((sample) => [withoutScope(sample.labels), sample.value])).toEqual([[{ key_prefix: 'identity:patient' }, 2]])
    const misses = all.filter((sample) => sample.name === 'cache_misses_total')
    expect(misses.map((sample) => [withoutScope(sample.labels), sample.value])).toEqual([[{ key_prefix: 'identity:patient' }, 1]])

    const counts = all.filter((sample) => sample.name === 'cache_latency_seconds_count')
    expect(counts.map((sample) => [withoutScope(sample.labels), sample.value]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      [{ operation: 'get', key_prefix: 'identity:patient' }, 3],
      [{ operation: 'set', key_prefix: 'identity:patient' }, 1],
    ])
    const buckets = all.filter((sample) => sample.name === 'cache_latency_seconds_bucket')
    expect(new Set(buckets.map((sample) => sample.labels.le))).toContain('0.001')
    // Bounded labels: never a whole key.
    expect(text).not.toContain('identity:patient:42')
  })

  it('prints exactly the seed names and labels when scope info is off', async () => {
    const { meter, scrape } = await prometheus({ withoutScopeInfo: true })
    const cache = createCache({ driver: memoryDriver(), prefix: 'identity', meter, env: false })
    await cache.set(patientKey({ id: 1 }), 1)
    await cache.get(patientKey({ id: 1 }))
    await cache.get(patientKey({ id: 2 }))
    const lines = (await scrape()).split('\n')
    expect(lines).toContain('cache_hits_total{key_prefix="identity:patient"} 1')
    expect(lines).toContain('cache_misses_total{key_prefix="identity:patient"} 1')
    expect(lines).toContain('cache_latency_seconds_count{operation="get",key_prefix="identity:patient"} 2')
    expect(lines.some((line) => line.startsWith('cache_latency_seconds_bucket{operation="get",key_prefix="identity:patient",le="'))).toBe(true)
  })

  it('labels each template by its static head, string keys by the prefix', async () => {
    const { meter, scrape } = await prometheus({ withoutScopeInfo: true })
    const cache = createCache({ driver: memoryDriver(), prefix: 'fhir', meter, env: false })
    await cache.get(defineKey('export:{type}:ej:{ejId}')({ type: 'venues', ejId: 1 }))
    await cache.get(defineKey('soins_suite_{etablissement}_patient_cache:{code}')({ etablissement: 1, code: 'X' }))
    await cache.get(defineKey('{service}:{entity}:{id}', { label: 'generic' })({ service: 'a', entity: 'b', id: 1 }))
    await cache.get('free:form:key')
    const lines = (await scrape()).split('\n')
    expect(lines).toContain('cache_misses_total{key_prefix="fhir:export"} 1')
    expect(lines).toContain('cache_misses_total{key_prefix="fhir:soins_suite"} 1')
    expect(lines).toContain('cache_misses_total{key_prefix="fhir:generic"} 1')
    expect(lines).toContain('cache_misses_total{key_prefix="fhir"} 1')
  })

  it('counts store failures in cache_errors_total by operation and code', async () => {
    const { meter, scrape } = await prometheus({ withoutScopeInfo: true })
    const cache = createCache({ driver: throwingDriver(memoryDriver()), prefix: 'identity', meter, env: false, logger: { warn: () => undefined } })
    await cache.get(patientKey({ id: 1 }))
    const lines = (await scrape()).split('\n')
    expect(lines).toContain('cache_errors_total{operation="get",key_prefix="identity:patient",error_code="DRIVER_FAILURE"} 1')
    expect(lines).toContain('cache_misses_total{key_prefix="identity:patient"} 1')
  })
})
