import { randomBytes } from 'node:crypto'
import { createCache, memoryDriver, type Cache, type CacheLogFields, type CacheLogger, type Driver } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll } from 'vitest'
import { createMessaging, type Messaging, type MessagingOptions } from '../../src/index.js'

/** A logger that keeps what is logged (and keeps the test output quiet). */
export function capturingLogger(): CacheLogger & { readonly lines: { readonly message: string; readonly fields: CacheLogFields }[] } {
  const lines: { message: string; fields: CacheLogFields }[] = []
  return { lines, warn: (message, fields) => void lines.push({ message, fields }) }
}

/** A namespace of its own per test, so tests on one redis-server never share keys. */
export function randomNamespace(): string {
  return `messaging_${randomBytes(6).toString('hex')}`
}

/** A cache on `driver` with the test defaults (no environment, quiet logger). */
export function cacheOn(driver: Driver, deadlineMs = 2_000): Cache {
  return createCache({ driver, env: false, logger: capturingLogger(), deadlineMs })
}

/** Messaging on a fresh memory driver. */
export function memoryMessaging(options: Partial<MessagingOptions> = {}): { readonly messaging: Messaging; readonly driver: Driver; readonly namespace: string } {
  const driver = memoryDriver()
  const namespace = options.namespace ?? 'messaging'
  return { messaging: createMessaging({ cache: cacheOn(driver), ...options, namespace }), driver, namespace }
}

/** A real redis-server for the test file, and a way to open ioredis drivers on it (closed after the file). */
export function redisServerForFile(): { readonly url: string; driver(): Driver } {
  const state: { server?: RedisServerHandle; drivers: Driver[] } = { drivers: [] }
  beforeAll(async () => {
    state.server = await startRedisServer()
  })
  afterAll(async () => {
    await Promise.all(state.drivers.map((driver) => driver.close()))
    await state.server?.stop()
  })
  return {
    get url() {
      return (state.server as RedisServerHandle).url
    },
    driver() {
      const driver = ioredisDriver({ url: (state.server as RedisServerHandle).url })
      state.drivers.push(driver)
      return driver
    },
  }
}

/** A conversation between doctor 79 and patient 5 about prescription `contextId`. */
export async function openConversation(messaging: Messaging, contextId = '15') {
  const { conversation } = await messaging.createConversation({ type: 'ordonnance', contextId, doctorId: 79, patientId: 5, title: 'Ordonnance' })
  return conversation
}

/** Resolves once `predicate` holds, or rejects after `timeoutMs`. */
export async function eventually(predicate: () => boolean, timeoutMs = 1_000): Promise<void> {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
