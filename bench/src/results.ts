import type { Measured } from './measure.js'

/** One contender's line in a scenario table. Times in ms; ratios are this row / the baseline row. */
export interface ResultRow {
  readonly contender: string
  readonly isBaseline: boolean
  readonly medianMs: number
  readonly p99Ms: number
  readonly samples: number
  /** median / baseline median (lower is faster). */
  readonly ratio: number
  /** p99 / baseline p99. */
  readonly p99Ratio: number
  /** Operations per second at the median (concurrent scenarios). */
  readonly opsPerSec?: number
  /** opsPerSec / baseline opsPerSec (higher is better). */
  readonly throughputRatio?: number
  /** Loader calls: per stampede round (the most of any round), or in total for hit scenarios (0 = every call was a hit). */
  readonly loaderCalls?: number
  /** PING p99 from another connection while the operation ran (deletePattern). */
  readonly pingP99Ms?: number
  readonly pingMedianMs?: number
  readonly pingSamples?: number
  readonly note?: string
  /** A correctness check of the scenario passed (deletePattern deleted every matching key; an invalidated entry reads as a miss). */
  readonly verified?: boolean
}

/** One table of the report. */
export interface ScenarioResult {
  /** Scenario id, as accepted by `--only`: memory-hit, redis-hit, redis-hit-concurrent, miss-then-set, stampede, delete-pattern, tag-invalidation, fence, compression, messaging. */
  readonly id: string
  readonly title: string
  readonly store: 'memory' | 'redis' | 'cluster'
  /** What one sample measures: 'one call', 'a batch of 100 concurrent calls'... */
  readonly unit: string
  readonly rows: readonly ResultRow[]
  /** Sentences printed under the table. */
  readonly notes?: readonly string[]
}

/** Extra per-contender figures a scenario attaches to its rows. */
export type RowExtras = Partial<Pick<ResultRow, 'opsPerSec' | 'loaderCalls' | 'pingP99Ms' | 'pingMedianMs' | 'pingSamples' | 'note' | 'verified'>>

/**
 * Rows in `names` order, each divided by the baseline's figures (the first name is the baseline).
 *
 * @example
 * ```ts
 * buildRows(['baseline', 'cachette'], stats, { cachette: { loaderCalls: 0 } })
 * ```
 */
export function buildRows(names: readonly string[], stats: ReadonlyMap<string, Measured>, extras: Readonly<Record<string, RowExtras>> = {}): ResultRow[] {
  const baselineName = names[0] as string
  const baseline = stats.get(baselineName)
  if (baseline === undefined) throw new Error(`no measurement for the baseline '${baselineName}'`)
  const baselineOps = extras[baselineName]?.opsPerSec
  return names.map((name) => {
    const measured = stats.get(name)
    if (measured === undefined) throw new Error(`no measurement for '${name}'`)
    const extra = extras[name] ?? {}
    return {
      contender: name,
      isBaseline: name === baselineName,
      medianMs: measured.medianMs,
      p99Ms: measured.p99Ms,
      samples: measured.samples,
      ratio: measured.medianMs / baseline.medianMs,
      p99Ratio: measured.p99Ms / baseline.p99Ms,
      ...extra,
      ...(extra.opsPerSec !== undefined && baselineOps !== undefined ? { throughputRatio: extra.opsPerSec / baselineOps } : {}),
    }
  })
}
