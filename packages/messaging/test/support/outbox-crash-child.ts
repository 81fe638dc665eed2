/**
 * The process outbox-crash.test.ts kills with SIGKILL. It prints a line for every step that
 * completed, *after* it completed, so every line the parent reads is a promise the outbox kept:
 *
 *   append <path> <count>   appends entries 0..count-1, eight in flight at a time; prints `ok <i>`
 *                           as each append resolves
 *   replay <path>           replays into stdout; prints `applied <i>` from inside apply
 *
 * Both print `ready` once the outbox is open and `done` at the end, then stay alive to be killed.
 */
import { fileOutbox } from '../../src/outbox/file-outbox.js'
import { crashEntry, type CrashEntry } from './outbox-crash-entry.js'

const [mode, path, countText] = process.argv.slice(2)
if (path === undefined) throw new Error('usage: outbox-crash-child.ts append|replay <path> [count]')

// A small compaction threshold so a kill can land in a rewrite too.
const outbox = await fileOutbox<CrashEntry>({ path, compactAtBytes: 2048, maxEntries: 100_000, maxBytes: 64 * 1024 * 1024 })
const say = (line: string) => process.stdout.write(`${line}\n`)
say('ready')

if (mode === 'append') {
  const count = Number(countText)
  const inFlight = new Set<Promise<void>>()
  for (let index = 0; index < count; index += 1) {
    const append = outbox.append(crashEntry(index)).then(() => {
      say(`ok ${index}`)
      inFlight.delete(append)
    })
    inFlight.add(append)
    if (inFlight.size >= 8) await Promise.race(inFlight)
  }
  await Promise.all(inFlight)
} else {
  await outbox.replay(async (entry) => {
    say(`applied ${entry.index}`)
  })
}
say('done')
setInterval(() => undefined, 60_000)
