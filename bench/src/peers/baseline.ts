import type { Cluster, Redis } from 'ioredis'
import { TTL_MS, runId, type Contender, type Loader } from './contender.js'

/**
 * The baselines every figure is divided by: what a careful developer writes by hand without a
 * library. A hit is exactly `Map.get` + `JSON.parse` + `await` (memory) or `GET` + `JSON.parse`
 * (raw ioredis). A miss shares one in-flight load per key (a `Map` of promises, only looked at on
 * a miss, so the hit path stays bare) and stores the JSON.
 */

function singleFlight(load: (key: string, loader: Loader) => Promise<unknown>): (key: string, loader: Loader) => Promise<unknown> {
  const flights = new Map<string, Promise<unknown>>()
  return (key, loader) => {
    let flight = flights.get(key)
    if (flight === undefined) {
      flight = load(key, loader).finally(() => flights.delete(key))
      flights.set(key, flight)
    }
    return flight
  }
}

/**
 * `Map.get` + `JSON.parse` + `await`.
 *
 * @example
 * ```ts
 * const baseline = memoryBaseline()
 * await baseline.getOrSet('42', () => db.load(42))
 * ```
 */
export function memoryBaseline(): Contender {
  const entries = new Map<string, string>()
  const miss = singleFlight(async (key, loader) => {
    const value = await loader()
    entries.set(key, JSON.stringify(value))
    return value
  })
  return {
    name: 'baseline: Map.get + JSON.parse',
    packageName: undefined,
    async getOrSet(id, loader) {
      const key = `patient:${id}`
      const raw = entries.get(key)
      if (raw !== undefined) return JSON.parse(raw)
      return miss(key, loader)
    },
    async delete(id) {
      entries.delete(`patient:${id}`)
    },
    async close() {
      entries.clear()
    },
  }
}

/**
 * Raw ioredis `GET` + `JSON.parse`; a miss loads once per key and `SET ... PX`.
 *
 * @example
 * ```ts
 * const baseline = redisBaseline(new Redis(port))
 * ```
 */
export function redisBaseline(client: Redis | Cluster): Contender {
  const prefix = `bench:${runId()}:raw:`
  const miss = singleFlight(async (key, loader) => {
    const value = await loader()
    await client.set(key, JSON.stringify(value), 'PX', TTL_MS)
    return value
  })
  return {
    name: 'baseline: ioredis GET + JSON.parse',
    packageName: 'ioredis',
    async getOrSet(id, loader) {
      const key = `${prefix}patient:${id}`
      const raw = await client.get(key)
      if (raw !== null) return JSON.parse(raw)
      return miss(key, loader)
    },
    async delete(id) {
      await client.del(`${prefix}patient:${id}`)
    },
    async close() {
      client.disconnect()
    },
  }
}
