import { beforeAll, describe, expect, it } from 'vitest'
import { resolveConfig } from '../src/config.js'
import type { BenchReport } from '../src/report.js'
import { renderReport } from '../src/report.js'
import { runBench } from '../src/run-bench.js'

/**
 * The bench's smoke run, so the benchmark cannot rot: every scenario on every store, with every
 * contender, a few iterations each and small key counts (BENCH_SMOKE). It asserts what must hold
 * whatever the machine's speed: each table has finite figures, single flight held under the
 * stampede, deletePattern removed exactly the matching keys, and invalidated entries read as misses.
 */
describe('bench smoke run', () => {
  let report: BenchReport

  beforeAll(async () => {
    report = await runBench(resolveConfig({ BENCH_SMOKE: '1' }, []), () => undefined)
  }, 120_000)

  it('runs every scenario on memory, Redis and Redis Cluster with finite medians and p99s', () => {

    const tables = report.scenarios.map((scenario) => `${scenario.id}/${scenario.store}`)
    const expected: readonly (readonly [string, string, number])[] = [
      ['memory-hit', 'memory', 2],
      ['miss-then-set', 'memory', 2],
      ['stampede', 'memory', 2],
      ...(['redis', 'cluster'] as const).flatMap((store): (readonly [string, string, number])[] => [
        ['redis-hit', store, 2],
        ['redis-hit-concurrent', store, 2],
        ['miss-then-set', store, 2],
        ['stampede', store, 2],
        ['delete-pattern', store, 1],
        ['tag-invalidation', store, 2],
      ]),
      ['fence', 'redis', 4],
      ['compression', 'memory', 4],
      ['compression', 'redis', 4],
      ['messaging', 'redis', 3],
      ['l1-hit', 'redis', 2],
      ['get-or-set-many', 'redis', 2],
      ['get-or-set-many', 'cluster', 3],
    ]
    for (const [id, store, count] of expected) expect(tables.filter((table) => table === `${id}/${store}`), `${id} on ${store}`).toHaveLength(count)

    for (const scenario of report.scenarios) {
      expect(scenario.rows.length, scenario.title).toBeGreaterThanOrEqual(2)
      expect(scenario.rows[0]?.isBaseline, scenario.title).toBe(true)
      for (const row of scenario.rows) {
        const where = `${scenario.title} / ${row.contender}`
        expect(Number.isFinite(row.medianMs) && row.medianMs > 0, `${where}: median ${row.medianMs}`).toBe(true)
        expect(Number.isFinite(row.p99Ms) && row.p99Ms >= row.medianMs, `${where}: p99 ${row.p99Ms}`).toBe(true)
        expect(Number.isFinite(row.ratio), `${where}: ratio`).toBe(true)
        expect(row.samples, where).toBeGreaterThan(0)
      }
    }
    expect(renderReport(report)).toContain('| **baseline')
  })

  it('ran the loader exactly once per stampede round for Cachette, on every store and shape', () => {
    const stampedes = report.scenarios.filter((scenario) => scenario.id === 'stampede')
    expect(stampedes).toHaveLength(6)
    for (const scenario of stampedes) {
      const cachette = scenario.rows.find((row) => row.contender === 'cachette')
      expect(cachette?.loaderCalls, scenario.title).toBe(1)
    }
  })

  it('served every memory hit from the cache, never from the loader', () => {
    for (const scenario of report.scenarios.filter((entry) => entry.id === 'memory-hit')) {
      for (const row of scenario.rows) expect(row.loaderCalls, `${scenario.title} / ${row.contender}`).toBe(0)
    }
  })

  it('deleted exactly the matching keys, and invalidated tags turned entries into misses', () => {
    const checked = report.scenarios.filter((scenario) => scenario.id === 'delete-pattern' || scenario.id === 'tag-invalidation')
    expect(checked).toHaveLength(6)
    for (const scenario of checked) {
      for (const row of scenario.rows) expect(row.verified, `${scenario.title} / ${row.contender}: ${row.note ?? ''}`).toBe(true)
    }
  })

  it('fenced or not, hits were served, misses stored and invalidated keys read as misses', () => {
    const fence = report.scenarios.filter((scenario) => scenario.id === 'fence')
    expect(fence).toHaveLength(4)
    for (const scenario of fence) {
      for (const row of scenario.rows) expect(row.verified, `${scenario.title} / ${row.contender}: ${row.note ?? ''}`).toBe(true)
    }
  })

  it('compression: every hit was served from the cache; gzip and brotli stored less, except below the threshold', () => {
    const tables = report.scenarios.filter((scenario) => scenario.id === 'compression')
    expect(tables).toHaveLength(8)
    for (const scenario of tables) {
      const hits = scenario.rows.filter((row) => row.contender.startsWith('hit, '))
      expect(hits.map((row) => row.contender), scenario.title).toEqual(['hit, compression off', 'hit, gzip', 'hit, brotli'])
      for (const row of hits) expect(row.verified, `${scenario.title} / ${row.contender}: ${row.note ?? ''}`).toBe(true)
      const [off, gzip, brotli] = hits.map((row) => Number(/stores ([\d,]+) B/.exec(row.note ?? '')?.[1]?.replaceAll(',', '')))
      if (scenario.title.includes('below the threshold')) {
        expect([gzip, brotli], scenario.title).toEqual([off, off])
      } else {
        expect(gzip, scenario.title).toBeLessThan(off as number)
        expect(brotli, scenario.title).toBeLessThan(off as number)
      }
    }
  })

  it('messaging: the package and the hand-written calls both stored every send and read a full page', () => {
    const tables = report.scenarios.filter((scenario) => scenario.id === 'messaging')
    expect(tables).toHaveLength(3)
    for (const scenario of tables) {
      for (const row of scenario.rows) expect(row.verified, `${scenario.title} / ${row.contender}`).toBe(true)
    }
  })

  it('l1-hit: every L1 row call was an L1 hit and no loader ran (the scenario throws otherwise)', () => {
    const tables = report.scenarios.filter((scenario) => scenario.id === 'l1-hit')
    expect(tables).toHaveLength(2)
    for (const scenario of tables) {
      // Six rows in clear, the three encrypted ones (memory, L1 over Redis, Redis), and the L1 kept by client-side caching.
      expect(scenario.rows.map((row) => row.contender), scenario.title).toHaveLength(10)
      expect(scenario.rows.some((row) => row.contender.includes('client-side caching')), scenario.title).toBe(true)
      expect(scenario.rows.filter((row) => row.contender.endsWith(', encrypted')), scenario.title).toHaveLength(3)
      for (const row of scenario.rows) {
        expect(row.verified, `${scenario.title} / ${row.contender}`).toBe(true)
        expect(row.loaderCalls, `${scenario.title} / ${row.contender}`).toBe(0)
      }
      for (const row of scenario.rows.filter((entry) => entry.contender.includes('L1 over Redis'))) expect(row.note, `${scenario.title} / ${row.contender}`).toMatch(/ L1 hits$/)
    }
  })

  it('get-or-set-many: batches answered every value; getOrSetMany ran its loader once per batch with 60 keys missing', () => {
    const tables = report.scenarios.filter((scenario) => scenario.id === 'get-or-set-many')
    expect(tables).toHaveLength(5)
    for (const scenario of tables) {
      for (const row of scenario.rows) expect(row.verified, `${scenario.title} / ${row.contender}`).toBe(true)
      const many = scenario.rows.filter((row) => row.contender.startsWith('cachette getOrSetMany'))
      expect(many.length, scenario.title).toBeGreaterThan(0)
      for (const row of many) expect(row.loaderCalls, `${scenario.title} / ${row.contender}`).toBe(scenario.title.includes('missing') ? 1 : 0)
    }
  })

  it('reports the versions of every peer, read from their package.json', () => {
    for (const name of ['bentocache', 'cache-manager', 'cacheable', '@epic-web/cachified', 'lru-cache', 'keyv', '@keyv/redis', 'ioredis']) {
      expect(report.versions[name], name).toMatch(/^\d+\.\d+\.\d+/)
    }
  })
})
