/**
 * How many durable appends per second the file outbox takes on this machine. Not a test: fsync
 * time depends on the disk, so it is measured here and reported, never asserted.
 *
 *   node --conditions=@cachette/source --import ./examples/quickstart/node_modules/tsx/dist/esm/index.mjs \
 *     packages/messaging/test/support/outbox-throughput.ts [directory] [seconds]
 *
 * `directory` must be on the disk you care about: a tmpfs /tmp makes fsync free and the figure
 * meaningless. Three runs: one awaited append at a time (one fdatasync each), 64 appends in
 * flight (group commit shares syncs), and a replay (one synced acknowledgement per entry).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileOutbox } from '../../src/outbox/file-outbox.js'

const [directory = tmpdir(), secondsText = '3'] = process.argv.slice(2)
const seconds = Number(secondsText)
const entry = { id: 'msg_0123456789', conversationId: 'conv_456', content: 'Bonjour docteur, voici ma question au sujet de l’ordonnance #15.'.repeat(2) }

const dir = await mkdtemp(join(directory, 'cachette-outbox-throughput-'))
try {
  const outbox = await fileOutbox<typeof entry>({ path: join(dir, 'outbox.journal'), maxEntries: 10_000_000, maxBytes: 2 ** 40 })

  const sequential = await measure(async () => {
    await outbox.append(entry)
    return 1
  })
  const concurrent = await measure(async () => {
    await Promise.all(Array.from({ length: 64 }, () => outbox.append(entry)))
    return 64
  })
  const depth = outbox.depth
  const replayStart = performance.now()
  const replayed = await outbox.replay(async () => undefined)
  const replaySeconds = (performance.now() - replayStart) / 1000

  console.log(`directory: ${directory}`)
  console.log(`entry: ${JSON.stringify(entry).length} bytes of JSON`)
  console.log(`append, 1 in flight (1 fdatasync each):   ${format(sequential)} appends/s`)
  console.log(`append, 64 in flight (group commit):      ${format(concurrent)} appends/s`)
  console.log(`replay (1 synced acknowledgement each):   ${format(replayed / replaySeconds)} entries/s (${replayed} of ${depth})`)
  await outbox.close()
} finally {
  await rm(dir, { recursive: true, force: true })
}

async function measure(step: () => Promise<number>): Promise<number> {
  const deadline = performance.now() + seconds * 1000
  const start = performance.now()
  let count = 0
  while (performance.now() < deadline) count += await step()
  return count / ((performance.now() - start) / 1000)
}

function format(perSecond: number): string {
  return Math.round(perSecond).toLocaleString('en-US').padStart(9)
}
