import { afterEach, describe, expect, it, vi } from 'vitest'
import { closePrometheusServers, prometheus, samples, valuesOf, withoutScope } from '../../core/test/support/prometheus.js'
import { bundleOf, memoryExports, randomEj } from './support/exports.js'

afterEach(closePrometheusServers)

/** `[labels, value]` of each line of a `fhir_export_*` series (core's helper reads `cache_*` lines only). */
function fhirSeries(text: string, name: string): [Record<string, string>, number][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .map((line) => {
      const [, labels = '', value = ''] = /^\w+\{(.*)\} (\S+)$/.exec(line) ?? []
      return [withoutScope(Object.fromEntries([...labels.matchAll(/(\w+)="([^"]*)"/g)].map(([, label, text]) => [label, text]))), Number(value)]
    })
}

describe("the seed's metrics, through a real MeterProvider and the Prometheus exporter", () => {
  it('fhir.export.duration is a histogram in seconds labelled cache="hit" | "miss", printed as fhir_export_duration_bucket{cache,key_prefix,le}', async () => {
    const { meter, scrape } = await prometheus()
    const { exports } = memoryExports({}, { meter })
    const ej = randomEj()
    await exports.getExport('venues', ej, async () => bundleOf('venues', ej))
    await exports.getExport('venues', ej, async () => bundleOf('venues', ej))
    await exports.getExport('venues', ej, async () => bundleOf('venues', ej))
    const text = await scrape()
    expect(text).toContain('# TYPE fhir_export_duration histogram')
    expect(text).toContain('# UNIT fhir_export_duration s')
    expect(fhirSeries(text, 'fhir_export_duration_count')).toEqual([
      [{ cache: 'miss', key_prefix: 'fhir_export' }, 1],
      [{ cache: 'hit', key_prefix: 'fhir_export' }, 2],
    ])
    const hitBuckets = fhirSeries(text, 'fhir_export_duration_bucket').filter(([labels]) => labels['cache'] === 'hit')
    expect(hitBuckets.map(([labels]) => labels['le'])).toEqual(['0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30', '+Inf'])
    expect(hitBuckets.at(-1)?.[1]).toBe(2)
    expect(fhirSeries(text, 'fhir_export_duration_sum').every(([, seconds]) => seconds > 0 && seconds < 5)).toBe(true)
    // Bounded labels: never a legal entity or a key.
    expect(text).not.toContain(ej)
  })

  it('counts operations by kind (get, set, delete), and core counts the hits and misses under the same key_prefix', async () => {
    const { meter, scrape } = await prometheus()
    const { exports } = memoryExports({}, { meter })
    await exports.getExport('structure', 1, async () => bundleOf('structure', 1))
    await exports.getExport('structure', 1, async () => bundleOf('structure', 1))
    await exports.getExport('patients', 1, async ({ skipCache }) => {
      skipCache()
      return bundleOf('patients', 1)
    })
    await exports.structureChanged(1)
    await exports.fhirImported('all')
    const text = await scrape()
    expect(fhirSeries(text, 'fhir_export_cache_operations_total')).toEqual([
      [{ operation: 'get', key_prefix: 'fhir_export' }, 3],
      [{ operation: 'set', key_prefix: 'fhir_export' }, 1],
      [{ operation: 'delete', key_prefix: 'fhir_export' }, 2],
    ])
    const all = samples(text)
    expect(valuesOf(all, 'cache_hits_total')).toEqual([[{ key_prefix: 'fhir_export' }, 1]])
    expect(valuesOf(all, 'cache_misses_total')).toEqual([[{ key_prefix: 'fhir_export' }, 2]])
    expect(exports.stats()).toMatchObject({ requests: 3, hits: 1, misses: 2, hitRate: 1 / 3, invalidations: 2, keysInvalidated: 1 })
  })

  it('with the store down: the export is a miss in fhir_export_duration, and the failures are in cache_errors_total', async () => {
    const { meter, scrape } = await prometheus()
    const { exports, driver } = memoryExports({}, { meter })
    driver.chaos.set({ failureRate: 1 })
    expect(await exports.getExport('venues', 9, async () => bundleOf('venues', 9))).toEqual(bundleOf('venues', 9))
    const text = await scrape()
    expect(fhirSeries(text, 'fhir_export_duration_count')).toEqual([[{ cache: 'miss', key_prefix: 'fhir_export' }, 1]])
    expect(valuesOf(samples(text), 'cache_errors_total')).toEqual([
      [{ operation: 'get', key_prefix: 'fhir_export', error_code: 'DRIVER_FAILURE' }, 1],
      [{ operation: 'set', key_prefix: 'fhir_export', error_code: 'DRIVER_FAILURE' }, 1],
    ])
  })

  it('a revalidation answered "not modified" counts as a renew operation, and the request as a hit', async () => {
    const { meter, scrape } = await prometheus()
    const { exports, clock } = memoryExports({ revalidate: { window: '1m' } }, { meter })
    await exports.getExport('venues', 1, async () => bundleOf('venues', 1))
    clock.advance(280_000)
    await exports.getExport('venues', 1, async ({ notModified }) => notModified())
    await vi.waitFor(() => expect(exports.stats().renewals).toBe(1), { timeout: 2_000, interval: 5 })
    const text = await scrape()
    expect(fhirSeries(text, 'fhir_export_cache_operations_total')).toEqual([
      [{ operation: 'get', key_prefix: 'fhir_export' }, 2],
      [{ operation: 'set', key_prefix: 'fhir_export' }, 1],
      [{ operation: 'renew', key_prefix: 'fhir_export' }, 1],
    ])
    expect(fhirSeries(text, 'fhir_export_duration_count')).toEqual([
      [{ cache: 'miss', key_prefix: 'fhir_export' }, 1],
      [{ cache: 'hit', key_prefix: 'fhir_export' }, 1],
    ])
  })

  it('a label of its own names the series', async () => {
    const { meter, scrape } = await prometheus()
    const { exports } = memoryExports({ label: 'fhir_export_ej' }, { meter })
    await exports.getExport('venues', 1, async () => bundleOf('venues', 1))
    const text = await scrape()
    expect(fhirSeries(text, 'fhir_export_duration_count')).toEqual([[{ cache: 'miss', key_prefix: 'fhir_export_ej' }, 1]])
    expect(valuesOf(samples(text), 'cache_misses_total')).toEqual([[{ key_prefix: 'fhir_export_ej' }, 1]])
  })
})
