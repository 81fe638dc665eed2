import { describe, expect, it } from 'vitest'
import { configFromEnv, configWarnings, DEV_PATIENT_LOCK_SECRET } from '../src/config.js'

describe('PATIENT_LOCK_SECRET (the HMAC key of identity fingerprints)', () => {
  it('defaults to the development secret, and warns when production runs with it', () => {
    const development = configFromEnv({})
    expect(development.PATIENT_LOCK_SECRET).toBe(DEV_PATIENT_LOCK_SECRET)
    expect(configWarnings(development)).toEqual([])
    const warnings = configWarnings(configFromEnv({ NODE_ENV: 'production' }))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('PATIENT_LOCK_SECRET')
  })

  it('takes a secret from the environment (no warning), and refuses a short one without echoing it', () => {
    const config = configFromEnv({ NODE_ENV: 'production', PATIENT_LOCK_SECRET: 'a-production-secret-of-32-chars!' })
    expect(config.PATIENT_LOCK_SECRET).toBe('a-production-secret-of-32-chars!')
    expect(configWarnings(config)).toEqual([])
    expect(() => configFromEnv({ PATIENT_LOCK_SECRET: 'tiny-secret' })).toThrow(/PATIENT_LOCK_SECRET/)
    expect(() => configFromEnv({ PATIENT_LOCK_SECRET: 'tiny-secret' })).not.toThrow(/tiny-secret/)
  })
})
