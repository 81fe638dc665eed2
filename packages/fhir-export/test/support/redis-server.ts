import type { Driver } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll } from 'vitest'

/**
 * A real redis-server for the test file (started before its tests, stopped after), and one
 * ioredis driver on it. Read the fields inside tests: they are set once the server is up.
 */
export function redisServerForFile(): { readonly url: string; readonly driver: Driver } {
  const state: { server?: RedisServerHandle; driver?: Driver } = {}
  beforeAll(async () => {
    state.server = await startRedisServer()
    state.driver = ioredisDriver({ url: state.server.url })
  })
  afterAll(async () => {
    await state.driver?.close()
    await state.server?.stop()
  })
  return {
    get url() {
      return (state.server as RedisServerHandle).url
    },
    get driver() {
      return state.driver as Driver
    },
  }
}
