import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { ioredisDriver } from '../src/index.js'
import { eventually } from './support/traffic.js'

// vitest runs without --expose-gc; V8 still lets a process turn the flag on and hand out gc()
// through a fresh context. A forced collection makes heapUsed a measure of what is *retained*.
setFlagsFromString('--expose_gc')
const gc = runInNewContext('gc') as () => void

function retainedHeapBytes(): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

describe('commands issued while Redis is down', () => {
  let server: RedisServerHandle
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(() => server.stop())

  it('200,000 of them fail fast and leave the heap within a few MB of where it started', async () => {
    const driver = ioredisDriver({ url: server.url })
    try {
      await driver.ping()
      await server.kill('SIGKILL')
      expect(await eventually(async () => (await driver.ping().then(() => false, () => true)), 5000)).toBe(true)

      const before = retainedHeapBytes()
      let rejected = 0
      const started = Date.now()
      // In slices, as request handlers would issue them, so the measure is not one giant array.
      for (let slice = 0; slice < 20; slice++) {
        const calls: Promise<unknown>[] = []
        for (let i = 0; i < 10_000; i++) {
          calls.push(driver.set(`offline:${slice}:${i}`, 'a value that must not be queued anywhere', { ttlMs: 60_000 }).catch(() => rejected++))
        }
        await Promise.all(calls)
      }
      const elapsedMs = Date.now() - started
      const growthBytes = retainedHeapBytes() - before
      // CACHETTE_PRINT_MEASURES=1 prints the figures quoted in docs/drivers.md.
      if (process.env['CACHETTE_PRINT_MEASURES']) console.log(`200k commands while down: ${elapsedMs} ms, retained heap growth ${(growthBytes / 1024 / 1024).toFixed(2)} MB`)

      expect(rejected).toBe(200_000)
      // Nothing waited for a deadline: each failed at once (a generous bound, not a benchmark).
      expect(elapsedMs).toBeLessThan(15_000)
      expect(growthBytes).toBeLessThan(4 * 1024 * 1024)

      // And nothing was kept to be replayed: the restarted server starts empty, so any of those
      // keys appearing once the driver is connected again would be a replayed command.
      await server.restart()
      expect(await eventually(async () => (await driver.ping().then(() => true)), 5000)).toBe(true)
      expect(await driver.exists(['offline:0:0', 'offline:19:9999'])).toBe(0)
    } finally {
      await driver.close()
    }
  })
})
