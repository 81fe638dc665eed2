import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runTwoTiersDemo } from '../src/two-tiers.js'

const EXPECTED = [
  /^instance A: miss then hit from memory \(memory tier hits: 1\)$/,
  /^instance B: KOUADIO from the store, no database call \(database calls: \d+\)$/,
  /^instance B wrote statut=inactif; instance A sees it: true$/,
  /^instance A invalidated tag patient:42; instance B no longer has it: true$/,
  /^instance A bus: published=\d+ received=\d+ serving=true$/,
]

describe('two-tiers demo', () => {
  it('tells its story on the memory driver', async () => {
    const lines = await runTwoTiersDemo()
    expect(lines).toHaveLength(EXPECTED.length)
    lines.forEach((line, i) => expect(line).toMatch(EXPECTED[i] as RegExp))
  })

  describe('on a real redis-server', () => {
    let server: RedisServerHandle
    beforeAll(async () => {
      server = await startRedisServer()
    })
    afterAll(async () => {
      await server?.stop()
    })

    it('tells the same story', async () => {
      const driver = ioredisDriver({ url: server.url })
      try {
        const lines = await runTwoTiersDemo(driver)
        lines.forEach((line, i) => expect(line).toMatch(EXPECTED[i] as RegExp))
      } finally {
        await driver.close()
      }
    })
  })
})
