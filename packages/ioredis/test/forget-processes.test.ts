import { fileURLToPath } from 'node:url'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { forkTwoTiersWorkers, killTwoTiersWorkers, type TwoTiersWorker } from './support/two-tiers-harness.js'
import type { GetResult } from './support/two-tiers-process.js'
import type { ForgetRequest } from './support/forget-worker.js'
import { waitUntilServing } from './support/two-tiers-scenarios.js'
import { randomPrefix } from './support/traffic.js'

/**
 * Erasure by data subject across real processes: three Node processes, each with its own
 * ioredisDriver and createCache({ l1: true }), on one redis-server. Every process holds the
 * patients' entries in its memory tier; one process forgets a patient; afterwards no process
 * returns any of that patient's entries, and the other patients' entries are untouched (still
 * answered from memory).
 */

const WORKER = fileURLToPath(new URL('./support/forget-worker.ts', import.meta.url))
const ask = <T>(worker: TwoTiersWorker, request: ForgetRequest): Promise<T> => worker.ask<T>(request as never)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('forget: three processes on L1 + one redis-server', () => {
  let server: RedisServerHandle
  let workers: TwoTiersWorker[] = []
  const prefix = randomPrefix('forget')

  beforeAll(async () => {
    server = await startRedisServer()
    workers = await forkTwoTiersWorkers(WORKER, ['p1', 'p2', 'p3'], { prefix, store: { url: server.url } })
    await waitUntilServing(workers, 10_000)
  }, 90_000)

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop())).catch(() => undefined)
    killTwoTiersWorkers()
    await server?.stop()
  }, 30_000)

  it("forget('patient:42') in p3: no process returns any of that patient's entries afterwards; other patients' are untouched", async () => {
    const [p1, p2, p3] = workers as [TwoTiersWorker, TwoTiersWorker, TwoTiersWorker]
    const patients = [42, 7, 8]
    const keysOf = (patient: number) => Array.from({ length: 10 }, (_, i) => `record:${patient}:${i}`)
    // p1 writes half of each patient's entries, p2 the other half, each naming its patient;
    // one entry of patient 7 also names patient 42 (a shared record).
    for (const [writer, half] of [[p1, 0], [p2, 1]] as const) {
      const entries = patients.flatMap((patient) => keysOf(patient).filter((_, i) => i % 2 === half).map((key) => ({ key, value: { key }, subjects: [`patient:${patient}`] })))
      expect(await ask<boolean[]>(writer, { type: 'setMany', entries })).toEqual(entries.map(() => true))
    }
    expect(await ask<boolean[]>(p1, { type: 'setMany', entries: [{ key: 'shared:7-42', value: { shared: true }, subjects: ['patient:7', 'patient:42'] }] })).toEqual([true])
    const allKeys = [...patients.flatMap(keysOf), 'shared:7-42']
    // Every process reads everything twice: the second read comes from its memory tier.
    for (const worker of workers) {
      for (const key of allKeys) expect((await ask<GetResult>(worker, { type: 'get', key })).value).not.toBeNull()
      for (const key of allKeys) expect(await ask<GetResult>(worker, { type: 'get', key })).toMatchObject({ l1Hit: true })
    }
    // No key name in the store holds the subject.
    const redis = new Redis(server.port, '127.0.0.1')
    try {
      for (const name of await redis.keys(`${prefix}*`)) expect(name).not.toContain('patient:')
    } finally {
      redis.disconnect()
    }

    expect(await ask<number>(p3, { type: 'forget', subjects: ['patient:42'] })).toBe(11)

    const forgotten = [...keysOf(42), 'shared:7-42']
    // The bus reaches p1 and p2 within moments; from then on, no process ever returns them.
    const deadline = Date.now() + 2_000
    for (;;) {
      const answers = await Promise.all(workers.flatMap((worker) => forgotten.map((key) => ask<GetResult>(worker, { type: 'get', key }))))
      if (answers.every((answer) => answer.value === null)) break
      if (Date.now() > deadline) throw new Error('a process still returns a forgotten entry 2 s after forget resolved')
      await sleep(5)
    }
    await sleep(100)
    for (const worker of workers) {
      for (const key of forgotten) expect(await ask<GetResult>(worker, { type: 'get', key }), `${worker.name} ${key}`).toEqual({ value: null, l1Hit: false })
      // The other patients' entries are untouched, still answered from memory.
      for (const key of [...keysOf(7), ...keysOf(8)]) expect(await ask<GetResult>(worker, { type: 'get', key }), `${worker.name} ${key}`).toEqual({ value: JSON.stringify({ key }), l1Hit: true })
    }
  }, 60_000)
})
