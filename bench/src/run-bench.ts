import type { BenchConfig } from './config.js'
import { machineInfo, packageVersions, redisServerVersion } from './machine.js'
import type { BenchReport } from './report.js'
import type { ScenarioResult } from './results.js'
import { runCompression } from './scenarios/compression.js'
import type { ScenarioContext } from './scenarios/context.js'
import { runDeletePattern } from './scenarios/delete-pattern.js'
import { runFence } from './scenarios/fence.js'
import { runGetOrSetMany } from './scenarios/get-or-set-many.js'
import { runHits } from './scenarios/hits.js'
import { runL1Hit } from './scenarios/l1-hit.js'
import { runMessaging } from './scenarios/messaging.js'
import { runMissThenSet } from './scenarios/miss-then-set.js'
import { runStampede } from './scenarios/stampede.js'
import { runTagInvalidation } from './scenarios/tag-invalidation.js'
import { startBenchServers, type RedisTarget } from './servers.js'

/** Scenario ids, as `--only` takes them (with the store names memory, redis, cluster). */
export const SCENARIO_IDS = ['memory-hit', 'redis-hit', 'redis-hit-concurrent', 'miss-then-set', 'stampede', 'delete-pattern', 'tag-invalidation', 'fence', 'compression', 'messaging', 'l1-hit', 'get-or-set-many'] as const

type Store = 'memory' | 'redis' | 'cluster'

interface Step {
  readonly id: (typeof SCENARIO_IDS)[number]
  readonly store: Store
  readonly run: (ctx: ScenarioContext, target: 'memory' | RedisTarget) => Promise<ScenarioResult[]>
}

const STEPS: readonly Step[] = [
  { id: 'memory-hit', store: 'memory', run: (ctx) => runHits(ctx, 'memory') },
  { id: 'miss-then-set', store: 'memory', run: (ctx) => runMissThenSet(ctx, 'memory') },
  { id: 'stampede', store: 'memory', run: (ctx) => runStampede(ctx, 'memory') },
  ...(['redis', 'cluster'] as const).flatMap((store): Step[] => [
    { id: 'redis-hit', store, run: (ctx, target) => runHits(ctx, target) },
    { id: 'redis-hit-concurrent', store, run: (ctx, target) => runHits(ctx, target, true) },
    { id: 'miss-then-set', store, run: (ctx, target) => runMissThenSet(ctx, target) },
    { id: 'stampede', store, run: (ctx, target) => runStampede(ctx, target) },
    { id: 'delete-pattern', store, run: (ctx, target) => runDeletePattern(ctx, target as RedisTarget) },
    { id: 'tag-invalidation', store, run: (ctx, target) => runTagInvalidation(ctx, target as RedisTarget) },
  ]),
  { id: 'fence', store: 'redis', run: (ctx) => runFence(ctx, ctx.servers.standalone) },
  { id: 'compression', store: 'memory', run: (ctx) => runCompression(ctx, 'memory') },
  { id: 'compression', store: 'redis', run: (ctx) => runCompression(ctx, ctx.servers.standalone) },
  { id: 'messaging', store: 'redis', run: (ctx) => runMessaging(ctx, ctx.servers.standalone) },
  { id: 'l1-hit', store: 'redis', run: (ctx) => runL1Hit(ctx, ctx.servers.standalone) },
  { id: 'get-or-set-many', store: 'redis', run: (ctx, target) => runGetOrSetMany(ctx, target as RedisTarget) },
  { id: 'get-or-set-many', store: 'cluster', run: (ctx, target) => runGetOrSetMany(ctx, target as RedisTarget) },
]

function selected(step: Step, only: ReadonlySet<string> | undefined): boolean {
  if (only === undefined) return true
  const ids = [...only].filter((name) => (SCENARIO_IDS as readonly string[]).includes(name))
  const stores = [...only].filter((name) => name === 'memory' || name === 'redis' || name === 'cluster')
  return (ids.length === 0 || ids.includes(step.id)) && (stores.length === 0 || stores.includes(step.store))
}

/**
 * Starts a redis-server and a 3-master cluster on free loopback ports, runs the selected
 * scenarios in one process, stops the servers, and returns every table.
 *
 * @example
 * ```ts
 * const report = await runBench(resolveConfig(process.env, process.argv), (line) => console.error(line))
 * ```
 */
export async function runBench(config: BenchConfig, log: (line: string) => void, command = 'pnpm bench'): Promise<BenchReport> {
  const started = Date.now()
  const steps = STEPS.filter((step) => selected(step, config.only))
  log(`starting redis-server and a 3-master cluster...`)
  const servers = await startBenchServers()
  const scenarios: ScenarioResult[] = []
  try {
    const ctx: ScenarioContext = { config, servers, log }
    for (const step of steps) {
      const stepStarted = Date.now()
      log(`${step.id} (${step.store})`)
      const target = step.store === 'memory' ? 'memory' : step.store === 'redis' ? servers.standalone : servers.cluster
      scenarios.push(...(await step.run(ctx, target)))
      log(`  ${((Date.now() - stepStarted) / 1_000).toFixed(1)} s`)
    }
  } finally {
    await servers.stop()
  }
  return {
    startedAt: new Date(started).toISOString(),
    durationS: (Date.now() - started) / 1_000,
    command,
    config,
    machine: machineInfo(redisServerVersion()),
    versions: packageVersions(),
    scenarios,
  }
}
