import type { MachineInfo } from '../machine.js'
import { formatDuration } from '../report.js'
import type { HitResult, SideFigures } from './hit-scenarios.js'

/** Everything the before/after report states besides the figures. */
export interface BeforeAfterRun {
  readonly startedAt: string
  readonly durationS: number
  readonly command: string
  /** `c304a8b review: core exports ...` */
  readonly before: string
  /** `working tree (HEAD 73011af, uncommitted changes in packages/core)` */
  readonly after: string
  readonly esbuildVersion: string
  /** How the Redis scenarios got their driver on each side. */
  readonly driverNote: string
  readonly valueLabel: string
  readonly blocks: number
  readonly blockMs: number
  readonly machine: MachineInfo
}

function ops(figures: SideFigures): string {
  return `${Math.round(figures.opsPerSec).toLocaleString('en-US')} (${formatDuration(figures.medianMs)})`
}

function checked(result: HitResult): string {
  const failures = (['before', 'after'] as const).filter((side) => result[side].loaderCalls !== 0 || !result[side].served)
  return failures.length === 0 ? 'every call a hit' : `FAILED (${failures.join(', ')}: loader called or value not served)`
}

/**
 * The run as markdown: what was compared, how, then one line per scenario.
 *
 * @example
 * ```ts
 * process.stdout.write(renderBeforeAfter(run, results))
 * ```
 */
export function renderBeforeAfter(run: BeforeAfterRun, results: readonly HitResult[]): string {
  const { machine } = run
  const lines = [
    `### Hit path before/after: run of ${run.startedAt} (${run.durationS.toFixed(0)} s)`,
    '',
    `Command: \`${run.command}\``,
    '',
    `- Before: @cachette/core at ${run.before}.`,
    `- After: @cachette/core in the ${run.after}.`,
    `- Both bundled the same way from their TypeScript sources (esbuild ${run.esbuildVersion}, the one tsup builds with; ESM, node20), loaded in one process; zod, @opentelemetry/api and ioredis are one copy from the workspace, shared by both.`,
    `- Redis: ${run.driverNote}; a redis-server started by the run on a free loopback port (${machine.redisServer}).`,
    `- Machine: ${machine.cpuModel}, ${machine.cpus} CPUs (nproc), ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}.`,
    '',
    `Every call reads one of 100 keys holding a ${run.valueLabel}, the key built per call (\`defineKey('patient:{id}')\`). In each scenario the before and after calls take turns one call at a time, the order shuffled every round, in ${run.blocks} block(s) of ${run.blockMs} ms per side spread over the run. ops/s = 1 ÷ the median time of one call (pooled samples; the median in brackets); after ÷ before is the throughput ratio, above 1.00 = faster now; the spread is the lowest and highest ratio of the ${run.blocks} block(s).`,
    '',
    '| scenario | before: ops/s (median) | after: ops/s (median) | after ÷ before | spread over blocks | samples per side | check |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...results.map((result) => {
      const low = Math.min(...result.blockRatios)
      const high = Math.max(...result.blockRatios)
      const samples = Math.min(result.before.samples, result.after.samples).toLocaleString('en-US')
      return `| ${result.scenario.title} | ${ops(result.before)} | ${ops(result.after)} | **${result.ratio.toFixed(2)}×** | ${low.toFixed(2)}–${high.toFixed(2)}× | ${samples} | ${checked(result)} |`
    }),
    '',
  ]
  return lines.join('\n')
}
