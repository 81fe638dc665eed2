import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { fileOutbox } from '../src/outbox/file-outbox.js'
import { crashEntry, type CrashEntry } from './support/outbox-crash-entry.js'
import { useOutboxTempDir } from './support/outbox-temp-dir.js'

/*
 * A real process, killed with SIGKILL while it appends or replays: every append it saw resolve is
 * in the journal, in order, exactly once, with nothing it did not write; every entry it saw
 * acknowledged stays acknowledged, and at most the one in flight is applied again.
 */

const CHILD = fileURLToPath(new URL('./support/outbox-crash-child.ts', import.meta.url))
// The repo's one tsx install, as packages/testing/test/outside-vitest.test.ts uses it.
const TSX_LOADER = fileURLToPath(new URL('../../../examples/quickstart/node_modules/tsx/dist/esm/index.mjs', import.meta.url))

const tempDir = useOutboxTempDir()

/** Runs the child, SIGKILLs it once `shouldKill` says so (or after `done`), and returns every line it printed. */
function runAndKill(args: readonly string[], shouldKill: (lines: readonly string[]) => boolean): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@cachette/source', '--import', TSX_LOADER, CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    const lines: string[] = []
    let buffer = ''
    let stderr = ''
    let killed = false
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      const parts = buffer.split('\n')
      buffer = parts.pop()!
      lines.push(...parts)
      if (!killed && (lines.includes('done') || shouldKill(lines))) {
        killed = true
        child.kill('SIGKILL')
      }
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${String(code)} before being killed: ${stderr}`))
      else resolve(lines)
    })
  })
}

async function replayAll(path: string): Promise<CrashEntry[]> {
  const outbox = await fileOutbox<CrashEntry>({ path, compactAtBytes: 2048, maxEntries: 100_000, maxBytes: 64 * 1024 * 1024 })
  const applied: CrashEntry[] = []
  await outbox.replay(async (entry) => void applied.push(entry))
  await outbox.close()
  return applied
}

const numbersAfter = (prefix: string, lines: readonly string[]) => lines.filter((line) => line.startsWith(prefix)).map((line) => Number(line.slice(prefix.length)))

describe('fileOutbox under SIGKILL', () => {
  it('has the tsx loader it spawns node with', () => {
    expect(existsSync(TSX_LOADER), TSX_LOADER).toBe(true)
  })

  it.each([1, 40, 400])('keeps every append that resolved, in order and once, when killed after %i of them', async (killAfter) => {
    const path = join(await tempDir(), 'outbox.journal')
    const lines = await runAndKill(['append', path, '20000'], (seen) => numbersAfter('ok ', seen).length >= killAfter)
    const resolved = numbersAfter('ok ', lines)
    expect(resolved.length).toBeGreaterThanOrEqual(killAfter)
    expect(lines, 'killed mid-way').not.toContain('done')

    const replayed = await replayAll(path)
    // Appends are issued in order and written in order: what is durable is a prefix 0..n-1, which
    // may include appends whose sync returned after the kill was sent (durable, never reported).
    expect(replayed).toEqual(Array.from({ length: replayed.length }, (_, index) => crashEntry(index)))
    expect(replayed.length).toBeGreaterThan(Math.max(...resolved))
  }, 60_000)

  it.each([1, 60, 250])('applies again at most the entry in flight when killed after %i applies of a replay', async (killAfter) => {
    const path = join(await tempDir(), 'outbox.journal')
    const total = 1000
    const outbox = await fileOutbox<CrashEntry>({ path, maxEntries: 100_000, maxBytes: 64 * 1024 * 1024 })
    await Promise.all(Array.from({ length: total }, (_, index) => outbox.append(crashEntry(index))))
    await outbox.close()

    const lines = await runAndKill(['replay', path], (seen) => numbersAfter('applied ', seen).length >= killAfter)
    const applied = numbersAfter('applied ', lines)
    expect(applied).toEqual(Array.from({ length: applied.length }, (_, index) => index))
    const lastApplied = applied.at(-1)!
    expect(lines, 'killed mid-way').not.toContain('done')

    const remaining = await replayAll(path)
    const first = remaining[0]?.index ?? total
    // Entry `lastApplied` was applied; its acknowledgement may or may not have reached the disk.
    expect([lastApplied, lastApplied + 1]).toContain(first)
    expect(remaining).toEqual(Array.from({ length: total - first }, (_, index) => crashEntry(first + index)))
  }, 60_000)
})
