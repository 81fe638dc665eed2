import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startRedisServer } from '@cachette/testing'
import { resolveConfig } from '../config.js'
import { machineInfo, redisServerVersion } from '../machine.js'
import { valueShapes } from '../values.js'
import { ESBUILD_VERSION, REPO_ROOT, WORKING_TREE_CORE, buildSide, commitLine, extractCore, resolveCommit } from './bundle-core.js'
import { runHitScenarios } from './hit-scenarios.js'
import { renderBeforeAfter } from './report.js'

/**
 * `pnpm --filter @cachette/bench bench:before-after [-- --before <ref>] [--seconds 3] [--smoke]`:
 * is the hit path of the working tree's @cachette/core as fast as at `<ref>` (default c304a8b)?
 * Bundles core at the ref (git archive into a scratch dir under the OS temp dir) and the working
 * tree's core the same way, loads both in this process, and measures get and getOrSet hits on
 * the memory driver and on a redis-server it starts, the two sides taking turns call by call.
 * Progress goes to stderr; the markdown goes to stdout and to bench/results/ (not for --smoke).
 */

const DEFAULT_BEFORE = 'c304a8b'

// `pnpm ... -- --before x` hands the script a literal '--' before the flags.
const argv = process.argv.slice(2).filter((arg) => arg !== '--')
function flag(name: string): string | undefined {
  const index = argv.indexOf(`--${name}`)
  return index >= 0 ? argv[index + 1] : undefined
}

const config = resolveConfig(process.env, argv)
const beforeRef = flag('before') ?? DEFAULT_BEFORE
const secondsPerSide = Number(flag('seconds') ?? (config.smoke ? 0.03 : 3))
if (!Number.isFinite(secondsPerSide) || secondsPerSide <= 0) throw new Error('usage: bench:before-after [--before <ref>] [--seconds <per side and scenario>] [--smoke]')
const blocks = config.rounds
const blockMs = Math.max(1, Math.round((secondsPerSide * 1_000) / blocks))
const log = (line: string) => process.stderr.write(`${line}\n`)

const started = Date.now()
const beforeCommit = resolveCommit(beforeRef)
const headCommit = resolveCommit('HEAD')
const dirty = execFileSync('git', ['-C', REPO_ROOT, 'status', '--porcelain', '--', 'packages/core', 'packages/ioredis'], { encoding: 'utf8' }).trim() !== ''
const scratch = mkdtempSync(join(tmpdir(), 'cachette-before-after-'))
let markdown: string
try {
  log(`bundling @cachette/core at ${commitLine(beforeCommit, '%h')} and from the working tree into ${scratch}...`)
  const before = await buildSide(extractCore(beforeCommit, join(scratch, 'before')), join(scratch, 'before.mjs'))
  const after = await buildSide(WORKING_TREE_CORE, join(scratch, 'after.mjs'))
  if (after.core.ioredisDriver === undefined) throw new Error(`[@cachette/bench] before-after: the working tree's @cachette/ioredis does not build against its core: ${after.driverError}`)
  // If the driver no longer compiles against the old core, both sides use the one built against
  // the current core: the Redis figures then compare core alone, over one driver.
  const driverNote =
    before.core.ioredisDriver === undefined
      ? `the working tree's @cachette/ioredis does not compile against core at ${commitLine(beforeCommit, '%h')} (${before.driverError}), so **both sides use the driver compiled against the working tree's core**`
      : "the working tree's @cachette/ioredis on both sides, compiled into each side's bundle against that side's core"

  const server = await startRedisServer()
  try {
    const shape = valueShapes(config.bundleBytes).find((candidate) => candidate.id === 'patient')
    if (shape === undefined) throw new Error('no patient record shape')
    log(`measuring ${blocks} block(s) of ${blockMs} ms per side, 4 scenarios, redis-server on port ${server.port}...`)
    const results = await runHitScenarios(
      {
        before: { core: before.core, ioredisDriver: before.core.ioredisDriver ?? after.core.ioredisDriver },
        after: { core: after.core, ioredisDriver: after.core.ioredisDriver },
      },
      server.url,
      shape.value,
      config,
      { blocks, blockMs, log },
    )
    markdown = renderBeforeAfter(
      {
        startedAt: new Date(started).toISOString(),
        durationS: (Date.now() - started) / 1_000,
        command: `pnpm --filter @cachette/bench bench:before-after${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
        before: `${beforeCommit.startsWith(beforeRef) ? '' : `\`${beforeRef}\` = `}${commitLine(beforeCommit, '`%h` (%s)')}`,
        after: `working tree (HEAD ${commitLine(headCommit, '%h')}${dirty ? ', with uncommitted changes in packages/core or packages/ioredis' : ', no uncommitted changes in packages/core or packages/ioredis'})`,
        esbuildVersion: ESBUILD_VERSION,
        driverNote,
        valueLabel: `${shape.label} (${(shape.jsonBytes / 1_000).toFixed(1)} KB of JSON)`,
        blocks,
        blockMs,
        machine: machineInfo(redisServerVersion()),
      },
      results,
    )
  } finally {
    await server.stop()
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}

process.stdout.write(`${markdown}\n`)
if (!config.smoke) {
  const resultsDir = fileURLToPath(new URL('../../results/', import.meta.url))
  mkdirSync(resultsDir, { recursive: true })
  const file = join(resultsDir, `before-after-${new Date(started).toISOString().slice(0, 16).replace(':', '')}Z.md`)
  writeFileSync(file, `${markdown}\n`)
  log(`written to ${file}`)
}
