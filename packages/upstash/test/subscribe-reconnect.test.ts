/**
 * A subscription whose event stream is lost: re-opened with a backoff while redis-server is
 * away, stopped for good by close() (no more attempts, nothing told afterwards).
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Driver } from '@cachette/core'
import { upstashDriver } from '../src/index.js'
import { bridgeClient, freshKeyPrefix, useUpstashServer } from './support/upstash-server.js'

const server = useUpstashServer()

/** Polls until `condition()` holds (a generous bound, not a timing assertion). */
async function waitFor(condition: () => boolean, timeout = 5_000): Promise<void> {
  await expect.poll(condition, { timeout, interval: 5 }).toBe(true)
}
const opened: Driver[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((driver) => driver.close()))
})

function open(): Driver {
  const driver = upstashDriver({ url: server().bridge.url, token: server().bridge.token })
  opened.push(driver)
  return driver
}

describe('a lost subscription stream', () => {
  it('is re-opened once redis-server is back, and close() stops the attempts of another driver', async () => {
    const channel = `${freshKeyPrefix()}ch`
    const kept: boolean[] = []
    const closed: boolean[] = []
    const received: string[] = []
    const keptDriver = open()
    const closedDriver = open()
    await keptDriver.subscribe(channel, (message) => received.push(message), { onConnectionChange: (connected) => kept.push(connected) })
    await closedDriver.subscribe(channel, () => undefined, { onConnectionChange: (connected) => closed.push(connected) })

    await server().redis.kill('SIGKILL')
    await waitFor(() => kept.length >= 1 && closed.length >= 1)
    expect(kept).toEqual([false])
    expect(closed).toEqual([false])
    // Attempts fail (the bridge answers 503) and back off; close() ends them.
    await closedDriver.close()
    await server().redis.restart()

    await waitFor(() => kept.length >= 2, 10_000)
    expect(kept).toEqual([false, true])
    expect(closed).toEqual([false])
    const client = bridgeClient(server())
    expect(await client.exec(['PUBSUB', 'NUMSUB', channel])).toEqual([channel, 1])
    expect(await keptDriver.publish(channel, 'back')).toBe(1)
    await waitFor(() => received.length >= 1)
    expect(received).toEqual(['back'])
  })
})
