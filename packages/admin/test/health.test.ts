import { createCache, memoryDriver } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { chaosDriver, startRedisServer } from '@cachette/testing'
import { describe, expect, it } from 'vitest'
import { createAdminHandler } from '../src/index.js'
import { TOKEN, adminRequest, bodyOf, recordingLogger } from './support/fixtures.js'

const quiet = { warn: () => undefined }

describe('GET /health', () => {
  it("answers 200 with cache.health() while the store answers", async () => {
    const cache = createCache({ driver: memoryDriver(), prefix: 'identity', env: false })
    const admin = createAdminHandler({ cache, token: TOKEN, logger: recordingLogger() })
    const response = await admin(adminRequest('/health'))
    expect(response.status).toBe(200)
    expect(await bodyOf(response)).toEqual({ ok: true, enabled: true, driver: 'memory', latencyMs: expect.any(Number), pendingInvalidations: 0 })
  })

  it('answers 503 with the reason when a real redis-server is gone, and 200 once it is back', async () => {
    const server = await startRedisServer()
    const driver = ioredisDriver({ url: server.url })
    try {
      const cache = createCache({ driver, prefix: 'identity', deadlineMs: 300, env: false, logger: quiet })
      const admin = createAdminHandler({ cache, token: TOKEN, logger: recordingLogger() })
      expect((await admin(adminRequest('/health'))).status).toBe(200)
      await server.kill('SIGKILL')
      const down = await admin(adminRequest('/health'))
      expect(down.status).toBe(503)
      expect(await bodyOf(down)).toMatchObject({ ok: false, driver: 'ioredis', error: expect.stringMatching(/^(DRIVER_FAILURE|DEADLINE_EXCEEDED)$/) })
      await server.restart()
      await expect.poll(async () => (await admin(adminRequest('/health'))).status, { timeout: 10_000 }).toBe(200)
    } finally {
      await driver.close()
      await server.stop()
    }
  })

  it('answers 503 DEADLINE_EXCEEDED for a store that hangs', async () => {
    const driver = chaosDriver(memoryDriver(), { hang: true })
    const cache = createCache({ driver, deadlineMs: 50, prefix: 'identity', env: false, logger: quiet })
    const admin = createAdminHandler({ cache, token: TOKEN, logger: recordingLogger() })
    const response = await admin(adminRequest('/health'))
    expect(response.status).toBe(503)
    expect(await bodyOf(response)).toMatchObject({ ok: false, error: 'DEADLINE_EXCEEDED' })
  })

  it('answers 503 CLOSED for a closed cache', async () => {
    const cache = createCache({ driver: memoryDriver(), prefix: 'identity', env: false })
    const admin = createAdminHandler({ cache, token: TOKEN, logger: recordingLogger() })
    await cache.close()
    const response = await admin(adminRequest('/health'))
    expect(response.status).toBe(503)
    expect(await bodyOf(response)).toMatchObject({ ok: false, error: 'CLOSED' })
  })
})
