import { describe, expect, it } from 'vitest'
import type { MetricAttributes, PatientMeter } from '../src/index.js'
import { patientFixture, randomCode, seedPatient } from './support/fixtures.js'

function recordingMeter() {
  const points: { name: string; value: number; attributes: MetricAttributes | undefined }[] = []
  const meter: PatientMeter = {
    createCounter: (name) => ({ add: (value, attributes) => void points.push({ name, value, attributes }) }),
    createHistogram: (name) => ({ record: (value, attributes) => void points.push({ name, value, attributes }) }),
  }
  return { meter, points }
}

describe('HASH storage metrics', () => {
  it("records cache_hits / cache_misses with key_prefix and store latencies, under core's instrument names", async () => {
    const { meter, points } = recordingMeter()
    const { patients } = patientFixture({ meter })
    const code = randomCode()
    await patients.getByCode(code, async (c) => seedPatient({ code_patient: c }))
    await patients.getByCode(code, async (c) => seedPatient({ code_patient: c }))
    expect(points.filter((p) => p.name === 'cache_misses')).toEqual([{ name: 'cache_misses', value: 1, attributes: { key_prefix: 'patient' } }])
    expect(points.filter((p) => p.name === 'cache_hits')).toEqual([{ name: 'cache_hits', value: 1, attributes: { key_prefix: 'patient' } }])
    const latencies = points.filter((p) => p.name === 'cache_latency_seconds')
    // The miss: HGETALL; the fence's claim (SET NX), compareAndDelete and MULTI; then the hit's HGETALL.
    expect(latencies.map((p) => p.attributes?.operation)).toEqual(['get', 'set', 'set', 'set', 'get'])
    expect(latencies.every((p) => p.value >= 0 && p.value < 5 && p.attributes?.key_prefix === 'patient')).toBe(true)
  })

  it('counts store failures in cache_errors with the error code, never a key', async () => {
    const { meter, points } = recordingMeter()
    const { patients, driver } = patientFixture({ meter, label: 'soins_suite_patient' })
    driver.down = true
    await patients.get(randomCode())
    expect(points.find((p) => p.name === 'cache_errors')).toEqual({
      name: 'cache_errors',
      value: 1,
      attributes: { operation: 'get', key_prefix: 'soins_suite_patient', error_code: 'DRIVER_FAILURE' },
    })
  })
})
