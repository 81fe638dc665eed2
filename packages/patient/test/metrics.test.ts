import { afterEach, describe, expect, it } from 'vitest'
import { SEED_HASH, patientFixture, randomCode, seedPatient } from './support/fixtures.js'
import { closePrometheusServers, prometheus, samples, valuesOf } from '../../core/test/support/prometheus.js'

afterEach(closePrometheusServers)

/** Sorted, so the order the exporter prints series in does not matter. */
const sorted = (values: [Record<string, string>, number][]) => [...values].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))

describe("HASH storage metrics, through the cache's meter", () => {
  it("records cache_hits_total / cache_misses_total with key_prefix and store latencies, under core's instrument names", async () => {
    const { meter, scrape } = await prometheus()
    const { patients } = patientFixture({ cacheOptions: { meter } })
    const code = randomCode()
    await patients.getByCode(code, async (c) => seedPatient({ code_patient: c }))
    await patients.getByCode(code, async (c) => seedPatient({ code_patient: c }))
    const text = await scrape()
    const all = samples(text)
    expect(valuesOf(all, 'cache_misses_total')).toEqual([[{ key_prefix: 'patient' }, 1]])
    expect(valuesOf(all, 'cache_hits_total')).toEqual([[{ key_prefix: 'patient' }, 1]])
    // The miss: HGETALL; the fence's claim (SET NX), the subject index (SADD + PEXPIRE), compareAndDelete and MULTI; then the hit's HGETALL.
    expect(sorted(valuesOf(all, 'cache_latency_seconds_count'))).toEqual([
      [{ operation: 'get', key_prefix: 'patient' }, 2],
      [{ operation: 'set', key_prefix: 'patient' }, 4],
    ])
    const sums = valuesOf(all, 'cache_latency_seconds_sum')
    expect(sums.every(([, seconds]) => seconds >= 0 && seconds < 5)).toBe(true)
    expect(valuesOf(all, 'cache_errors_total')).toEqual([])
    // Bounded labels: never a key or a code.
    expect(text).not.toContain(code)
  })

  it('counts store failures in cache_errors_total with the error code, never a key, and core logs them under the label', async () => {
    const { meter, scrape } = await prometheus()
    const { patients, driver, logger } = patientFixture({ label: 'soins_suite_patient', cacheOptions: { meter } })
    const code = randomCode()
    driver.down = true
    expect(await patients.get(code)).toBeUndefined()
    const text = await scrape()
    const all = samples(text)
    expect(valuesOf(all, 'cache_errors_total')).toEqual([[{ operation: 'get', key_prefix: 'soins_suite_patient', error_code: 'DRIVER_FAILURE' }, 1]])
    expect(valuesOf(all, 'cache_misses_total')).toEqual([[{ key_prefix: 'soins_suite_patient' }, 1]])
    expect(text).not.toContain(code)
    expect(logger.lines).toEqual([
      {
        message: '[@cachette/core] cache get failed',
        fields: { operation: 'get', code: 'DRIVER_FAILURE', keyPrefix: 'soins_suite_patient', driver: 'memory', errorName: 'DriverError' },
      },
    ])
  })

  it('counts corrupted entries in cache_errors_total with their reason, and logs them as the patient package with the key template', async () => {
    const { meter, scrape } = await prometheus()
    const { patients, driver, logger } = patientFixture({ cacheOptions: { meter } })
    const partial = randomCode()
    const { prenoms, ...withoutPrenoms } = SEED_HASH
    await driver.hset(patients.keyOf(partial), { ...withoutPrenoms, code_patient: partial })
    const mismatched = randomCode()
    await driver.hset(patients.keyOf(mismatched), { ...SEED_HASH, code_patient: randomCode() })
    expect(await patients.get(partial)).toBeUndefined()
    expect(await patients.get(mismatched)).toBeUndefined()
    const all = samples(await scrape())
    expect(sorted(valuesOf(all, 'cache_errors_total'))).toEqual([
      [{ operation: 'get', key_prefix: 'patient', error_code: 'DECODE_FAILED' }, 1],
      [{ operation: 'get', key_prefix: 'patient', error_code: 'KEY_MISMATCH' }, 1],
    ])
    expect(valuesOf(all, 'cache_misses_total')).toEqual([[{ key_prefix: 'patient' }, 2]])
    const template = 'soins_suite_{etablissement}_patient_cache:{code_patient}'
    expect(logger.lines.map((line) => [line.message, line.fields.keyPrefix, line.fields.template, line.fields.code])).toEqual([
      ['[@cachette/patient] a patient entry could not be decoded (partial or corrupted); it was deleted and read as a miss', 'patient', template, 'DECODE_FAILED'],
      ["[@cachette/patient] a patient entry holds another patient's record than its key names; it was deleted and read as a miss", 'patient', template, 'DECODE_FAILED'],
    ])
  })
})
