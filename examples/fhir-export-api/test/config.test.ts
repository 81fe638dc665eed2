import { describe, expect, it } from 'vitest'
import { configFromEnv, fhirBaseUrl, usesRedis } from '../src/config.js'

describe('configuration from the environment', () => {
  it("defaults to the seed's port 8000, PGlite, the memory store, and no admin token", () => {
    const config = configFromEnv({})
    expect(config).toMatchObject({ PORT: 8000, HOST: '127.0.0.1', DEMO_DATA: 'true' })
    expect(config.DATABASE_URL).toBeUndefined()
    expect(config.CACHE_ADMIN_TOKEN).toBeUndefined()
    expect(usesRedis(config)).toBe(false)
    expect(fhirBaseUrl(config)).toBe('http://127.0.0.1:8000/fhir')
  })

  it("goes to Redis with REDIS_URL or the seed's REDIS_HOST; empty variables count as unset (REDIS_PASSWORD=)", () => {
    expect(usesRedis(configFromEnv({ REDIS_URL: 'redis://127.0.0.1:6379' }))).toBe(true)
    expect(usesRedis(configFromEnv({ REDIS_HOST: 'localhost', REDIS_PORT: '6379', REDIS_DB: '0', REDIS_PASSWORD: '' }))).toBe(true)
    expect(usesRedis(configFromEnv({ REDIS_HOST: '' }))).toBe(false)
    expect(fhirBaseUrl(configFromEnv({ FHIR_BASE_URL: 'https://fhir.chu.example/r4/' }))).toBe('https://fhir.chu.example/r4')
  })

  it('refuses a short or malformed CACHE_ADMIN_TOKEN, naming the variable, never echoing it', () => {
    for (const token of ['short-token', 'a token with spaces in it']) {
      expect(() => configFromEnv({ CACHE_ADMIN_TOKEN: token })).toThrow(/CACHE_ADMIN_TOKEN/)
      expect(() => configFromEnv({ CACHE_ADMIN_TOKEN: token })).not.toThrow(token)
    }
    expect(configFromEnv({ CACHE_ADMIN_TOKEN: 'Zm9vYmFyYmF6cXV4cXV1eA==' }).CACHE_ADMIN_TOKEN).toBe('Zm9vYmFyYmF6cXV4cXV1eA==')
  })
})
