import { createCache, defineKey, type Cache } from '@cachette/core'
import { ioredisDriver } from '@cachette/ioredis'
import { startRedisServer } from '@cachette/testing'
import { Redis } from 'ioredis'
import { valueShapes } from './values.js'

/**
 * `pnpm --filter @cachette/bench interleaved [-- --callers 100 --rounds 1500 --shape bundle]`:
 * an A/B of Redis hits where the contenders take turns call by call (batch by batch with
 * `--callers`), so a burst of load on this shared machine lands on all of them alike. tinybench's
 * tables run each contender for a stretch of time instead, which is why single ratios near a
 * target move between runs. Contenders: raw ioredis GET + JSON.parse (the baseline), Cachette's
 * getOrSet on the driver's defaults, with `coalesceWrites: false`, and with `shareValues: true`.
 * Prints the median per call and the throughput ratio to the baseline.
 */

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback
}

const callers = Number(flag('callers', '1'))
const rounds = Number(flag('rounds', callers === 1 ? '15000' : '1500'))
const shape = valueShapes(100_000).find((candidate) => candidate.id === flag('shape', 'patient'))
if (shape === undefined || !Number.isInteger(callers) || callers < 1 || !Number.isInteger(rounds) || rounds < 1) {
  throw new Error('usage: interleaved [--callers N] [--rounds N] [--shape patient|bundle]')
}

const server = await startRedisServer()
const raw = new Redis(server.port, server.host)
const patientKey = defineKey('patient:{id}')
const caches: Record<string, Cache> = {
  cachette: createCache({ driver: ioredisDriver({ url: server.url }), prefix: 'ab1' }),
  'cachette, coalesceWrites: false': createCache({ driver: ioredisDriver({ url: server.url, coalesceWrites: false }), prefix: 'ab2' }),
  'cachette, shareValues': createCache({ driver: ioredisDriver({ url: server.url }), prefix: 'ab3', shareValues: true }),
}
const json = JSON.stringify(shape.value)
const loader = () => shape.value
const ids = Array.from({ length: callers }, (_, i) => String(i))
for (const id of ids) await raw.set(`raw:${id}`, json)
for (const cache of Object.values(caches)) for (const id of ids) await cache.getOrSet(patientKey({ id }), loader)

const calls = new Array<Promise<unknown>>(callers)
const contenders: Record<string, () => Promise<unknown>> = {
  'baseline: ioredis GET + JSON.parse': () => {
    for (let i = 0; i < callers; i++) calls[i] = raw.get(`raw:${ids[i]}`).then((text) => JSON.parse(text as string) as unknown)
    return Promise.all(calls)
  },
}
for (const [name, cache] of Object.entries(caches)) {
  contenders[name] = () => {
    for (let i = 0; i < callers; i++) calls[i] = cache.getOrSet(patientKey({ id: ids[i] as string }), loader)
    return Promise.all(calls)
  }
}

const names = Object.keys(contenders)
const samples = new Map(names.map((name) => [name, [] as number[]]))
for (let round = 0; round < rounds; round++) {
  for (let turn = 0; turn < names.length; turn++) {
    const name = names[(round + turn) % names.length] as string
    const started = performance.now()
    await (contenders[name] as () => Promise<unknown>)()
    samples.get(name)?.push(performance.now() - started)
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] as number
const baseline = median(samples.get(names[0] as string) as number[])
process.stdout.write(`${shape.label}, ${callers} caller(s) per sample, ${rounds} samples each, interleaved\n`)
for (const name of names) {
  const ms = median(samples.get(name) as number[])
  process.stdout.write(`${name.padEnd(36)} ${((ms * 1000) / callers).toFixed(2).padStart(8)} µs per call   throughput ${(baseline / ms).toFixed(2)}× the baseline\n`)
}
await Promise.all(Object.values(caches).map((cache) => cache.close({ driver: true })))
raw.disconnect()
await server.stop()
