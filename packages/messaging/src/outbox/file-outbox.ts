import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import * as z from 'zod'
import { OutboxError, OutboxFullError } from './errors.js'
import { ackRecord, entryRecord, scanJournal, type JournalEntry } from './file-journal.js'
import {
  closedError,
  createSerialQueue,
  fullMessage,
  replayInOrder,
  resolveCodec,
  resolveLimits,
  sharedOptionsShape,
  positiveInteger,
  utf8Length,
  type Outbox,
  type OutboxCodecOptions,
  type OutboxLimitOptions,
} from './shared.js'

/*
 * Node only: this is the one outbox file that imports node:fs. Import it from its own module
 * (`src/outbox/file-outbox.ts`) so a browser or edge bundle of the package never pulls it in.
 */

const optionsSchema = z.object({
  path: z.string().min(1),
  compactAtBytes: positiveInteger.optional(),
  ...sharedOptionsShape,
})

/** Options of {@link fileOutbox}. */
export interface FileOutboxOptions<T> extends OutboxCodecOptions<T>, OutboxLimitOptions {
  /**
   * The journal file. Its directory is created if missing; `<path>.compact` is used while the
   * journal is rewritten. One process at a time may open a path: there is no lock between processes.
   *
   * @default none (required)
   * @example
   * ```ts
   * await fileOutbox<Message>({ path: '/var/lib/messaging/outbox.journal' })
   * ```
   */
  readonly path: string
  /**
   * Rewrite the journal with only its live entries once acknowledged records take this many bytes
   * and at least half the file. A journal whose entries are all acknowledged is truncated to
   * empty whatever its size.
   *
   * @default 1 MiB
   * @example
   * ```ts
   * await fileOutbox({ path, compactAtBytes: 256 * 1024 })
   * ```
   */
  readonly compactAtBytes?: number
}

interface PendingWrite {
  readonly record: Buffer
  /** Runs once the record is on disk, before the caller's promise resolves. */
  readonly onDurable: () => void
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

const KIND = 'file-outbox'

/**
 * A durable outbox in an append-only journal file, for the seed's degraded mode on a Node server:
 * while the store is down, sends are appended here; once it is back, `replay` writes them to the
 * store in order.
 *
 * - `append` resolves only after its record is written and `fdatasync`ed. Appends made while a
 *   sync is in flight share the next one (group commit), so concurrent senders cost one sync per
 *   batch, not one each; a single awaited sender pays one sync per append.
 * - Each record carries its length and CRC-32: a record torn by a crash (power loss, SIGKILL) is
 *   detected at open and truncated away; it is never read as an entry. Damage with valid records
 *   after it is not a torn tail: opening rejects with `OUTBOX_CORRUPT` rather than guess.
 * - Replay appends an acknowledgement record (also synced) after each applied entry; a crash in
 *   between applies that entry again on the next replay, so `apply` must be idempotent (key the
 *   write by message id). The journal is truncated once everything is acknowledged and rewritten
 *   (write, sync, rename, sync the directory) once acknowledged records pass `compactAtBytes`.
 * - A write or sync that fails stops the outbox: the failing and every later call reject with
 *   `OUTBOX_CLOSED` (cause attached) until it is reopened, since after a failed fsync the kernel
 *   may have dropped the data. An append that rejected this way may still be on disk and replayed.
 *
 * @example
 * ```ts
 * const outbox = await fileOutbox<Message>({ path: '/var/lib/messaging/outbox.journal', maxEntries: 50_000 })
 * try {
 *   await messageStore.storeMessage(message)
 * } catch {
 *   await outbox.append(message) // durable once this resolves; OutboxFullError when at its bound
 * }
 * // once the store answers again:
 * const applied = await outbox.replay((queued) => messageStore.storeMessage(queued)) // idempotent by message id
 * ```
 */
export async function fileOutbox<T>(options: FileOutboxOptions<T>): Promise<Outbox<T>> {
  const limits = resolveLimits(KIND, optionsSchema, options, { maxEntries: 10_000, maxBytes: 16 * 1024 * 1024 })
  const { encode, decode } = resolveCodec(options)
  const { path } = options
  const compactAtBytes = options.compactAtBytes ?? 1024 * 1024
  const compactPath = `${path}.compact`

  await mkdir(dirname(path), { recursive: true })
  // A rewrite that crashed before its rename left this behind; the journal itself is intact.
  await rm(compactPath, { force: true })
  let handle = await openJournal(path)
  const scan = scanJournal(await handle.readFile())
  if (scan.corruptAt !== undefined) {
    await handle.close()
    throw new OutboxError('OUTBOX_CORRUPT', `[@cachette/messaging] [${KIND}] the journal is damaged at byte ${scan.corruptAt} and valid records follow; move it aside to inspect it`)
  }
  const { size } = await handle.stat()
  if (scan.validLength < size) {
    // A torn last record: nothing in it was ever acknowledged to a caller, since its sync never returned.
    await handle.truncate(scan.validLength)
    await handle.datasync()
  }

  const entries: JournalEntry[] = scan.entries
  let liveBytes = entries.reduce((sum, entry) => sum + entry.bytes, 0)
  let fileBytes = scan.validLength
  let deadBytes = scan.deadBytes
  let nextSeq = scan.lastSeq + 1
  // Appends accepted against the bounds whose records are not on disk yet.
  let reservedEntries = 0
  let reservedBytes = 0
  let pending: PendingWrite[] = []
  // A flag, not the promise: it must drop in the same tick the drain loop sees nothing pending, or
  // a write queued in between would wait for a drain that has already finished (a promise's
  // settlement, even of an async function's return, takes another tick).
  let draining = false
  let drained: Promise<void> = Promise.resolve()
  let failure: unknown
  let closed = false
  let closing: Promise<void> | undefined
  const serialReplay = createSerialQueue()

  function write(record: Buffer, onDurable: () => void): Promise<void> {
    if (failure !== undefined) return Promise.reject(closedError(KIND, failure))
    return new Promise((resolve, reject) => {
      pending.push({ record, onDurable, resolve, reject })
      if (!draining) {
        draining = true
        drained = drain()
      }
    })
  }

  async function drain(): Promise<void> {
    // Every await below is inside a try, so the loop only ends here, and the flag drops in the
    // same tick that found nothing pending.
    for (;;) {
      if (pending.length === 0) {
        draining = false
        return
      }
      const batch = pending
      pending = []
      if (failure !== undefined) {
        for (const item of batch) item.reject(closedError(KIND, failure))
        continue
      }
      try {
        const buffer = batch.length === 1 ? batch[0]!.record : Buffer.concat(batch.map((item) => item.record))
        await writeFully(handle, buffer)
        await handle.datasync()
        fileBytes += buffer.byteLength
      } catch (error) {
        failure = error
        for (const item of batch) item.reject(closedError(KIND, error))
        continue
      }
      for (const item of batch) {
        item.onDurable()
        item.resolve()
      }
      try {
        await compact()
      } catch (error) {
        failure = error
      }
    }
  }

  async function compact(): Promise<void> {
    if (entries.length === 0 && fileBytes > 0) {
      await handle.truncate(0)
      await handle.datasync()
      fileBytes = 0
      deadBytes = 0
      return
    }
    if (deadBytes < compactAtBytes || deadBytes * 2 < fileBytes) return
    const live = Buffer.concat(entries.map((entry) => entryRecord(entry.seq, entry.body)))
    const next = await open(compactPath, 'w')
    try {
      await writeFully(next, live)
      await next.sync()
    } finally {
      await next.close()
    }
    await rename(compactPath, path)
    await syncDirectory(path)
    const previous = handle
    handle = await open(path, 'a+')
    await previous.close()
    fileBytes = live.byteLength
    deadBytes = 0
  }

  return {
    get depth() {
      return entries.length
    },
    append(entry) {
      if (closed) return Promise.reject(closedError(KIND))
      if (failure !== undefined) return Promise.reject(closedError(KIND, failure))
      let body: string
      try {
        body = encode(entry)
      } catch (error) {
        return Promise.reject(error)
      }
      const bytes = utf8Length(body)
      const depth = entries.length + reservedEntries
      if (depth >= limits.maxEntries || liveBytes + reservedBytes + bytes > limits.maxBytes) {
        return Promise.reject(new OutboxFullError(fullMessage(KIND, limits, depth, liveBytes + reservedBytes, bytes)))
      }
      const seq = nextSeq++
      const record = entryRecord(seq, body)
      reservedEntries += 1
      reservedBytes += bytes
      const release = () => {
        reservedEntries -= 1
        reservedBytes -= bytes
      }
      return write(record, () => {
        release()
        entries.push({ seq, body, bytes, recordBytes: record.byteLength })
        liveBytes += bytes
      }).catch((error: unknown) => {
        release()
        throw error
      })
    },
    replay(apply) {
      if (closed) return Promise.reject(closedError(KIND))
      return serialReplay(() =>
        replayInOrder(
          () => entries[0],
          (applied) => {
            const record = ackRecord(applied.seq)
            return write(record, () => {
              // Replays run one at a time, so the acknowledged entry is still the head.
              const head = entries.shift()!
              liveBytes -= head.bytes
              deadBytes += head.recordBytes + record.byteLength
            })
          },
          decode,
          apply,
        ),
      )
    },
    close() {
      if (closing === undefined) {
        closed = true
        closing = (async () => {
          await serialReplay(async () => undefined)
          await drained
          await handle.close()
        })()
      }
      return closing
    },
  }
}

async function openJournal(path: string): Promise<FileHandle> {
  let existed = true
  try {
    await stat(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    existed = false
  }
  // 'a+' (O_APPEND): every write lands at the end, whatever a read or a truncate did to the position.
  const handle = await open(path, 'a+')
  // A new file's directory entry must be synced too, or a crash could lose the whole file along
  // with records whose syncs returned.
  if (!existed) await syncDirectory(path)
  return handle
}

async function writeFully(handle: FileHandle, buffer: Buffer): Promise<void> {
  for (let offset = 0; offset < buffer.byteLength; ) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.byteLength - offset)
    offset += bytesWritten
  }
}

async function syncDirectory(path: string): Promise<void> {
  // Windows cannot open a directory for syncing; its rename and create are journaled by NTFS.
  if (process.platform === 'win32') return
  const directory = await open(dirname(path), 'r')
  try {
    await directory.sync()
  } finally {
    await directory.close()
  }
}
