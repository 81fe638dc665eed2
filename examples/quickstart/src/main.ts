/**
 * Cachette in one screen, on the embedded memory driver: a miss then a hit with their timings,
 * an invalidation, a pattern delete, a tag invalidation, the stats, and hits sharing one frozen
 * value (`shareValues`).
 *
 *   pnpm demo
 *
 * Copy this file as a starting point: swap `memoryDriver()` for `ioredisDriver({ url })` from
 * `@cachette/ioredis` and nothing else changes.
 */
import { runDemo } from './demo.js'

const lines = await runDemo()
for (const line of lines) console.log(line)
