import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { CacheStats } from '@cachette/core'
import { startRedisServer, type RedisServerHandle } from '@cachette/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ioredisDriver } from '../src/index.js'
import { randomPrefix } from './support/traffic.js'

/**
 * The distributed stampede lock across real Node processes sharing a real redis-server: each
 * child runs its own cache (its own single flight), so only the lock can keep them from all
 * calling the loader. The loader counts its runs with INCR in the store.
 */

const WORKER = fileURLToPath(new URL('./fixtures/lock-worker.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
// tsx is installed by the quickstart example and the bench; spawn from where it resolves.
const TSX_HOME = ['examples/quickstart', 'bench'].map((dir) => `${ROOT}${dir}`).find((dir) => existsSync(`${dir}/node_modules/tsx/package.json`))

interface Worker {
  readonly child: ChildProcess
  /** Resolves with each line the child prints. */
  nextLine(): Promise<string>
}

function startWorker(url: string, prefix: string, mode: 'load' | 'hang'): Worker {
  const child = spawn(process.execPath, ['--conditions=@cachette/source', '--import', 'tsx', WORKER, url, prefix, mode], {
    cwd: TSX_HOME,
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const lines: string[] = []
  const waiting: ((line: string) => void)[] = []
  let buffer = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    let end: number
    while ((end = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, end)
      buffer = buffer.slice(end + 1)
      const waiter = waiting.shift()
      if (waiter === undefined) lines.push(line)
      else waiter(line)
    }
  })
  return {
    child,
    nextLine: () => {
      const line = lines.shift()
      if (line !== undefined) return Promise.resolve(line)
      return new Promise((resolve, reject) => {
        waiting.push(resolve)
        child.once('exit', (code) => reject(new Error(`worker exited (${String(code)}) before printing`)))
      })
    },
  }
}

type WorkerResult = { value: { computedBy: number }; stats: CacheStats }

describe('distributed lock across processes (real redis-server)', () => {
  let server: RedisServerHandle
  const children: ChildProcess[] = []
  beforeAll(async () => {
    if (TSX_HOME === undefined) throw new Error('tsx is needed to run the worker processes (pnpm install in examples/quickstart or bench)')
    server = await startRedisServer()
  })
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
    await server?.stop()
  })

  async function loaderRuns(prefix: string): Promise<number> {
    const driver = ioredisDriver({ url: server.url })
    try {
      return Number(await driver.get(`${prefix}:loader-runs`))
    } finally {
      await driver.close()
    }
  }

  it('four Node processes asking for one cold key call the loader exactly once, and all get its value', async () => {
    const prefix = randomPrefix('lock4')
    const workers = Array.from({ length: 4 }, () => startWorker(server.url, prefix, 'load'))
    children.push(...workers.map((worker) => worker.child))
    expect(await Promise.all(workers.map((worker) => worker.nextLine()))).toEqual(['ready', 'ready', 'ready', 'ready'])
    for (const worker of workers) worker.child.stdin?.write('go\n')
    const results = (await Promise.all(workers.map((worker) => worker.nextLine()))).map((line) => JSON.parse(line) as WorkerResult)

    expect(await loaderRuns(prefix)).toBe(1)
    const computedBy = new Set(results.map((result) => result.value.computedBy))
    expect(computedBy.size).toBe(1)
    expect(results.filter((result) => result.stats.loaderCalls === 1)).toHaveLength(1)
    expect(results.filter((result) => result.stats.lockWaitHits === 1)).toHaveLength(3)
  }, 60_000)

  it('a holder killed while loading blocks nobody past the lock TTL: one survivor loads, the others pick its value up', async () => {
    const prefix = randomPrefix('lockdead')
    const holder = startWorker(server.url, prefix, 'hang')
    const others = Array.from({ length: 3 }, () => startWorker(server.url, prefix, 'load'))
    children.push(holder.child, ...others.map((worker) => worker.child))
    await Promise.all([holder, ...others].map((worker) => worker.nextLine()))
    holder.child.stdin?.write('go\n')
    expect(await holder.nextLine()).toBe('loading')
    for (const worker of others) worker.child.stdin?.write('go\n')
    holder.child.kill('SIGKILL')
    const results = (await Promise.all(others.map((worker) => worker.nextLine()))).map((line) => JSON.parse(line) as WorkerResult)

    // The dead holder's run and one survivor's: the lock expired (1.5 s), it was taken over once.
    expect(await loaderRuns(prefix)).toBe(2)
    expect(new Set(results.map((result) => result.value.computedBy)).size).toBe(1)
  }, 60_000)
})
