import { createRequire } from 'node:module'
import { Redis } from 'ioredis'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The ioredis major the vitest project runs on (vitest.workspace.ts sets it per project). */
    ioredisMajor: number
  }
}

/** Node's own resolution, which no vitest alias rewrites: each name is always the same copy. */
const require = createRequire(import.meta.url)
const INSTALLED = ['ioredis', 'ioredis-6'] as const

/**
 * The version of the ioredis that `import 'ioredis'` loaded in this run: the installed copy whose
 * `Redis` class is the imported one. ioredis exports no version of its own, and the
 * `ioredis@6` project aliases `ioredis` to the `ioredis-6` devDependency.
 */
export function loadedIoredisVersion(): string {
  for (const name of INSTALLED) {
    if ((require(name) as { Redis: unknown }).Redis === Redis) return (require(`${name}/package.json`) as { version: string }).version
  }
  throw new Error(`the imported ioredis is none of the installed copies (${INSTALLED.join(', ')})`)
}

/** The major of {@link loadedIoredisVersion}. */
export function loadedIoredisMajor(): number {
  return Number(loadedIoredisVersion().split('.')[0])
}
