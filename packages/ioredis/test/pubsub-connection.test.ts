import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { isCacheError, type Driver } from '@cachette/core'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { ioredisDriver } from '../src/index.js'

/** onConnectionChange across a redis-server crash: told once each way, never after close(). */
describe('subscriber connection changes', () => {
  let server: RedisServerHandle
  const opened: Driver[] = []
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((driver) => driver.close()))
  })
  afterAll(() => server.stop())

  const open = (): Driver => {
    const driver = ioredisDriver({ url: server.url })
    opened.push(driver)
    return driver
  }
  const waitFor = (condition: () => boolean) => expect.poll(condition, { timeout: 10_000, interval: 5 }).toBe(true)

  it('tells false at the crash and true once re-subscribed; a closed driver is told nothing more', async () => {
    const channel = `conn-change:${Math.random().toString(36).slice(2)}`
    const kept: boolean[] = []
    const closed: boolean[] = []
    const received: string[] = []
    const keptDriver = open()
    const closedDriver = open()
    await keptDriver.subscribe(channel, (message) => received.push(message), { onConnectionChange: (connected) => kept.push(connected) })
    await closedDriver.subscribe(channel, () => undefined, { onConnectionChange: (connected) => closed.push(connected) })

    await server.kill('SIGKILL')
    await waitFor(() => kept.length >= 1 && closed.length >= 1)
    expect(kept).toEqual([false])
    expect(closed).toEqual([false])
    // Another listener on the channel cannot start while the connection is down.
    const refused = await keptDriver.subscribe(channel, () => undefined).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(isCacheError(refused) && refused.code).toBe('DRIVER_FAILURE')
    await closedDriver.close()
    await server.restart()

    await waitFor(() => kept.length >= 2)
    expect(kept).toEqual([false, true])
    expect(closed).toEqual([false])
    const probe = new Redis(server.port, server.host)
    try {
      expect(await probe.pubsub('NUMSUB', channel)).toEqual([channel, 1])
    } finally {
      probe.disconnect()
    }
    // The driver's command connection comes back on its own schedule, independent of the subscriber's.
    await expect.poll(() => keptDriver.ping().then(() => true, () => false), { timeout: 10_000, interval: 20 }).toBe(true)
    expect(await keptDriver.publish(channel, 'back')).toBe(1)
    await waitFor(() => received.length >= 1)
    expect(received).toEqual(['back'])
  })
})
