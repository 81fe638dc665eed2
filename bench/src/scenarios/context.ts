import type { BenchConfig } from '../config.js'
import type { Contender, Loader } from '../peers/contender.js'
import type { BenchServers } from '../servers.js'

/** What every scenario receives. */
export interface ScenarioContext {
  readonly config: BenchConfig
  readonly servers: BenchServers
  /** Progress lines (stderr), so stdout stays the report. */
  readonly log: (line: string) => void
}

/** A loader returning `value` that counts its calls. */
export interface CountingLoader {
  readonly load: Loader
  calls: number
}

/**
 * A loader for one contender; `calls` counts how often the cache had to run it.
 *
 * @example
 * ```ts
 * const loader = countingLoader(shape.value)
 * await contender.getOrSet('1', loader.load)
 * loader.calls // 1
 * ```
 */
export function countingLoader(value: unknown): CountingLoader {
  const loader: CountingLoader = {
    calls: 0,
    load: async () => {
      loader.calls++
      return value
    },
  }
  return loader
}

/** Ids `0`..`count - 1` as strings (built once, outside timed code). */
export function idList(count: number, prefix = ''): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${index}`)
}

/**
 * Closes every contender, even if some fail.
 *
 * @example
 * ```ts
 * await closeAll(contenders)
 * ```
 */
export async function closeAll(contenders: readonly Contender[]): Promise<void> {
  await Promise.allSettled(contenders.map((contender) => contender.close()))
}

/**
 * Creates the contenders, runs `body`, and closes them whatever happens.
 *
 * @example
 * ```ts
 * return withContenders(() => [memoryBaseline(), cachetteMemory()], (contenders) => measure(contenders))
 * ```
 */
export async function withContenders<T>(create: () => Contender[], body: (contenders: Contender[]) => Promise<T>): Promise<T> {
  const contenders: Contender[] = []
  try {
    contenders.push(...create())
    return await body(contenders)
  } finally {
    await closeAll(contenders)
  }
}
