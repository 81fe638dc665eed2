/**
 * How long and how big a run is. The full run is the published one (about 5 minutes on 2 cores);
 * the smoke run (`BENCH_SMOKE=1` or `--smoke`) keeps every scenario and every contender but with a
 * few iterations and small key counts, so the test suite can run it in well under 30 seconds.
 */

/** Every knob of a run. */
export interface BenchConfig {
  readonly smoke: boolean
  /** tinybench `time` per task, ms (a task also runs at least `minIterations`). */
  readonly taskTimeMs: number
  /**
   * Rounds per scenario: every task runs once per round, the order rotating, and the samples of
   * all rounds are pooled, so a burst of load from elsewhere spreads over every contender.
   */
  readonly rounds: number
  /** tinybench warm-up time per task, ms. */
  readonly warmupTimeMs: number
  /** tinybench minimum iterations per task. */
  readonly minIterations: number
  /** Size of the FHIR bundle shape, bytes of JSON (the patient record is always ~1 KB). */
  readonly bundleBytes: number
  /** tinybench warm-up iterations per task (at least). */
  readonly warmupIterations: number
  /** Distinct keys read in turn by the hit scenarios. */
  readonly hotKeys: number
  /** Concurrent callers in the "100 concurrent callers" variant, each on its own key. */
  readonly concurrentCallers: number
  /** Callers of the stampede scenario, all on one cold key. */
  readonly stampedeCallers: number
  /** Stampede rounds per contender at least (each on a fresh cold key); more if they fit in `taskTimeMs`. */
  readonly stampedeRounds: number
  /** Keys in the store during deletePattern, and how many of them the pattern matches. */
  readonly deletePatternTotalKeys: number
  readonly deletePatternMatchingKeys: number
  /** deletePattern runs per contender (the store is refilled before each). */
  readonly deletePatternRounds: number
  /** Tagged entry counts of the tag-invalidation scenario (the issue: 10 and 100,000). */
  readonly tagEntryCounts: readonly number[]
  /** Runs of the naive (per-entry) tag invalidation, which must refill every entry before each run. */
  readonly naiveTagRounds: number
  /** Which scenarios to run (all by default; `--only memory-hit,stampede`). */
  readonly only: ReadonlySet<string> | undefined
}

const FULL: Omit<BenchConfig, 'only'> = {
  smoke: false,
  taskTimeMs: 1_000,
  rounds: 10,
  warmupTimeMs: 250,
  minIterations: 64,
  bundleBytes: 100_000,
  warmupIterations: 16,
  hotKeys: 100,
  concurrentCallers: 100,
  stampedeCallers: 1_000,
  stampedeRounds: 3,
  deletePatternTotalKeys: 1_000_000,
  deletePatternMatchingKeys: 100_000,
  deletePatternRounds: 3,
  tagEntryCounts: [10, 100_000],
  naiveTagRounds: 3,
}

const SMOKE: Omit<BenchConfig, 'only'> = {
  smoke: true,
  taskTimeMs: 10,
  rounds: 1,
  warmupTimeMs: 5,
  minIterations: 3,
  bundleBytes: 10_000,
  warmupIterations: 1,
  hotKeys: 20,
  concurrentCallers: 100,
  // Still a stampede (single flight must hold), but keyv's get-then-set runs the loader and a
  // write once per caller: 1,000 of them would take most of the smoke budget.
  stampedeCallers: 200,
  stampedeRounds: 2,
  deletePatternTotalKeys: 10_000,
  deletePatternMatchingKeys: 1_000,
  deletePatternRounds: 1,
  tagEntryCounts: [10, 1_000],
  naiveTagRounds: 1,
}

/**
 * The run's configuration from the environment and the command line.
 *
 * @example
 * ```ts
 * resolveConfig({ BENCH_SMOKE: '1' }, []) // the smoke configuration
 * resolveConfig({}, ['--only', 'memory-hit,stampede'])
 * ```
 */
export function resolveConfig(env: NodeJS.ProcessEnv, argv: readonly string[]): BenchConfig {
  const smoke = argv.includes('--smoke') || (env.BENCH_SMOKE !== undefined && env.BENCH_SMOKE !== '' && env.BENCH_SMOKE !== '0')
  const onlyIndex = argv.indexOf('--only')
  const onlyList = onlyIndex >= 0 ? argv[onlyIndex + 1] : env.BENCH_ONLY
  const only = onlyList === undefined || onlyList === '' ? undefined : new Set(onlyList.split(',').map((name) => name.trim()))
  return { ...(smoke ? SMOKE : FULL), only }
}
