/**
 * Reproduces the failures the driver's defaults were chosen against, on real redis-server
 * processes, and prints what callers see with node-redis' own defaults and with the driver's.
 *
 *   cd packages/redis
 *   node --expose-gc --conditions=@cachette/source --import ../../examples/quickstart/node_modules/tsx/dist/esm/index.mjs scripts/measure-failures.ts
 *   (add --cluster for the cluster failover)
 *
 * Not part of the test run (it takes ~40 s and prints numbers rather than asserting them); the
 * assertions live in test/failure.test.ts and test/chaos.test.ts.
 */
import { redisDriver } from '@cachette/redis'
import { startRedisCluster, startRedisServer } from '@cachette/testing'
import { createClient, createCluster } from 'redis'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined)

type Call = () => Promise<unknown>

interface TrafficReport {
  calls: number
  ok: number
  failed: number
  maxLatencyMs: number
  stillPendingAtEnd: number
}

/** Issues `call` every `everyMs` for `durationMs`, and reports latencies once all settled or `graceMs` passed. */
async function traffic(call: Call, durationMs: number, everyMs: number, graceMs: number, during: () => Promise<void>): Promise<TrafficReport> {
  const report: TrafficReport = { calls: 0, ok: 0, failed: 0, maxLatencyMs: 0, stillPendingAtEnd: 0 }
  const pending = new Set<Promise<unknown>>()
  const started = Date.now()
  const loop = (async () => {
    while (Date.now() - started < durationMs) {
      const t0 = Date.now()
      report.calls++
      const p = call().then(
        () => report.ok++,
        () => report.failed++,
      ).finally(() => {
        report.maxLatencyMs = Math.max(report.maxLatencyMs, Date.now() - t0)
        pending.delete(p)
      })
      pending.add(p)
      await sleep(everyMs)
    }
  })()
  await during()
  await loop
  const end = Date.now() + graceMs
  while (pending.size > 0 && Date.now() < end) await sleep(20)
  report.stillPendingAtEnd = pending.size
  return report
}

async function killScenario(label: string, make: (url: string) => { call: Call; close: () => Promise<void> }) {
  const server = await startRedisServer()
  const client = make(server.url)
  await sleep(200)
  const report = await traffic(client.call, 3000, 5, 15_000, async () => {
    await sleep(500)
    await server.kill('SIGKILL')
    await sleep(1500)
    await server.restart()
  })
  console.log(`kill+restart  ${label.padEnd(28)} ${JSON.stringify(report)}`)
  await client.close()
  await server.stop()
}

async function freezeScenario(label: string, make: (url: string) => { call: Call; close: () => Promise<void> }, frozenMs: number) {
  const server = await startRedisServer()
  const client = make(server.url)
  await sleep(200)
  const report = await traffic(client.call, frozenMs + 1000, 5, 3000, async () => {
    await sleep(300)
    server.freeze()
    await sleep(frozenMs)
    server.thaw()
  })
  console.log(`freeze ${String(frozenMs).padStart(5)} ms ${label.padEnd(28)} ${JSON.stringify(report)}`)
  await client.close()
  await server.stop()
}

/** Calls acknowledged as failed (timed out) that Redis executed anyway, after a freeze. */
async function lateExecution(label: string, make: (url: string) => { call: (key: string) => Promise<unknown>; close: () => Promise<void> }) {
  const server = await startRedisServer()
  const client = make(server.url)
  const probe = createClient({ socket: { host: '127.0.0.1', port: server.port } })
  probe.on('error', () => undefined)
  await probe.connect()
  await sleep(200)
  server.freeze()
  let acknowledged = 0
  const calls: Promise<unknown>[] = []
  for (let i = 0; i < 200; i++) {
    calls.push(client.call('late-counter').then(() => acknowledged++, () => undefined))
    await sleep(15)
  }
  await Promise.allSettled(calls.map((p) => Promise.race([p, sleep(5000)])))
  server.thaw()
  await sleep(1500)
  const executed = Number(await probe.get('late-counter'))
  console.log(`late execution ${label.padEnd(28)} issued=200 acknowledged=${acknowledged} executed-by-redis=${executed}`)
  probe.destroy()
  await client.close()
  await server.stop()
}

async function offlineMemory(label: string, make: (url: string) => { call: (i: number) => Promise<unknown>; close: () => Promise<void> }) {
  const server = await startRedisServer()
  const client = make(server.url)
  await sleep(200)
  await server.kill('SIGKILL')
  await sleep(300)
  gc()
  const before = process.memoryUsage().heapUsed
  const calls: Promise<unknown>[] = []
  for (let i = 0; i < 200_000; i++) calls.push(client.call(i).catch(() => undefined))
  const settled = await Promise.race([Promise.all(calls).then(() => true), sleep(3000).then(() => false)])
  calls.length = 0
  gc()
  const after = process.memoryUsage().heapUsed
  console.log(`200k while down ${label.padEnd(28)} all-settled-within-3s=${settled} heap-delta=${((after - before) / 1e6).toFixed(1)} MB`)
  await client.close()
  await server.stop()
}

/** A cluster master killed under traffic; a replica is promoted. */
async function clusterFailover(label: string, make: (nodes: { host: string; port: number }[]) => { call: (key: string) => Promise<unknown>; close: () => Promise<void> }) {
  const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 })
  const client = make([...cluster.nodes])
  await sleep(300)
  let i = 0
  let killedAt = 0
  let lastFailureAt = 0
  const report = await traffic(
    () => {
      const key = `key:${i++ % 100}`
      return client.call(key).catch((error: unknown) => {
        lastFailureAt = Date.now()
        throw error
      })
    },
    8000,
    5,
    15_000,
    async () => {
      await sleep(500)
      killedAt = Date.now()
      await cluster.killMaster(0)
      console.log(`  (${label}: replica promoted ${Date.now() - killedAt} ms after the kill)`)
    },
  )
  console.log(`cluster failover ${label.padEnd(26)} ${JSON.stringify(report)} last-failure-after-kill=${lastFailureAt === 0 ? 'none' : `${lastFailureAt - killedAt} ms`}`)
  await client.close()
  await cluster.stop()
}

/** node-redis as `createClient({ url })` makes it, connected, its errors swallowed. */
function nodeRedis(url: string, extra: Record<string, unknown> = {}) {
  const client = createClient({ url, ...extra })
  client.on('error', () => undefined)
  void client.connect().catch(() => undefined)
  return client
}
const defaults = (url: string) => {
  const client = nodeRedis(url)
  return { call: () => client.get('k'), close: async () => client.destroy() }
}
const withCommandTimeout = (url: string) => {
  const client = nodeRedis(url, { commandOptions: { timeout: 500, rejectInFlight: true } })
  return { call: () => client.get('k'), close: async () => client.destroy() }
}
const driver = (url: string) => {
  const d = redisDriver({ url })
  return { call: () => d.get('k'), close: () => d.close() }
}

if (process.argv.includes('--cluster')) {
  await clusterFailover('node-redis Cluster defaults', (nodes) => {
    const cluster = createCluster({ rootNodes: nodes.map((node) => ({ socket: node })) })
    cluster.on('error', () => undefined)
    const connected = cluster.connect()
    return { call: async (key) => (await connected).set(key, 'v'), close: async () => cluster.destroy() }
  })
  await clusterFailover('cachette driver', (nodes) => {
    const d = redisDriver({ cluster: nodes })
    return { call: (key) => d.set(key, 'v'), close: () => d.close() }
  })
  process.exit(0)
}

await killScenario('node-redis defaults', defaults)
await killScenario('cachette driver', driver)
await freezeScenario('node-redis defaults', defaults, 3000)
await freezeScenario('node-redis timeout=500 inflight', withCommandTimeout, 3000)
await freezeScenario('cachette driver', driver, 3000)
await lateExecution('node-redis timeout=500 inflight', (url) => {
  const client = nodeRedis(url, { commandOptions: { timeout: 500, rejectInFlight: true } })
  return { call: (key) => client.incr(key), close: async () => client.destroy() }
})
await lateExecution('cachette driver', (url) => {
  const d = redisDriver({ url })
  return { call: (key) => d.incrby(key, 1), close: () => d.close() }
})
await offlineMemory('node-redis defaults', (url) => {
  const client = nodeRedis(url)
  return { call: (i) => client.set(`k${i}`, 'v'), close: async () => client.destroy() }
})
await offlineMemory('cachette driver', (url) => {
  const d = redisDriver({ url })
  return { call: (i) => d.set(`k${i}`, 'v'), close: () => d.close() }
})
process.exit(0)
