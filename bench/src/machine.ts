import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism, totalmem } from 'node:os'

/** Where the run happened: the report states it beside every table. */
export interface MachineInfo {
  readonly cpuModel: string
  /** `nproc`: CPUs this process may use. */
  readonly cpus: number
  readonly memoryGiB: number
  readonly node: string
  readonly platform: string
  readonly redisServer: string
  /** Where @cachette/* came from: their TypeScript sources through tsx, or their tsup builds. */
  readonly cachetteFrom: 'sources (tsx)' | 'builds (dist)' | 'unknown'
}

function cachetteOrigin(): MachineInfo['cachetteFrom'] {
  try {
    const resolved = import.meta.resolve('@cachette/core')
    return resolved.endsWith('.ts') ? 'sources (tsx)' : 'builds (dist)'
  } catch {
    return 'unknown'
  }
}

/** Packages whose versions the report lists. */
export const REPORTED_PACKAGES = [
  '@cachette/core',
  '@cachette/ioredis',
  '@cachette/messaging',
  'bentocache',
  'cache-manager',
  'cacheable',
  '@epic-web/cachified',
  'lru-cache',
  'keyv',
  '@keyv/redis',
  'ioredis',
  'tinybench',
] as const

/**
 * Each package's version, read from the package.json the bench actually loads.
 *
 * @example
 * ```ts
 * packageVersions() // { bentocache: '1.6.1', ... }
 * ```
 */
export function packageVersions(): Record<string, string> {
  const versions: Record<string, string> = {}
  for (const name of REPORTED_PACKAGES) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version?: string }
      versions[name] = manifest.version ?? 'unknown'
    } catch {
      versions[name] = 'not found'
    }
  }
  return versions
}

/**
 * CPU model (from /proc/cpuinfo), nproc, memory, Node and redis-server versions.
 *
 * @example
 * ```ts
 * machineInfo('7.0.15').cpus // 2
 * ```
 */
export function machineInfo(redisServer: string): MachineInfo {
  let cpuModel = 'unknown'
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('model name'))
    if (line !== undefined) cpuModel = line.slice(line.indexOf(':') + 1).trim()
  } catch {
    // Not Linux: the model stays unknown.
  }
  return {
    cpuModel,
    cpus: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    redisServer,
    cachetteFrom: cachetteOrigin(),
  }
}

/**
 * `redis-server --version` (or `REDIS_SERVER_BIN`'s), its first three words.
 *
 * @example
 * ```ts
 * redisServerVersion() // 'Redis server v=7.0.15'
 * ```
 */
export function redisServerVersion(): string {
  try {
    return execFileSync(process.env.REDIS_SERVER_BIN ?? 'redis-server', ['--version'], { encoding: 'utf8' }).trim().split(' ').slice(0, 3).join(' ')
  } catch {
    return 'redis-server (version unknown)'
  }
}
