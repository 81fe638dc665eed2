import { appendFile, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ackRecord, entryRecord, scanJournal } from '../src/outbox/file-journal.js'
import { fileOutbox } from '../src/outbox/file-outbox.js'
import type { Outbox } from '../src/outbox/shared.js'
import { useOutboxTempDir } from './support/outbox-temp-dir.js'

/*
 * What the journal file survives: a torn last record (crash mid-write), zeros left by a power
 * loss, damage in the middle (refused, not guessed), reopening after acknowledgements, and
 * compaction by truncation and by rewrite.
 */

interface Sent {
  readonly id: string
  readonly content: string
}

const tempDir = useOutboxTempDir()
const sent = (index: number): Sent => ({ id: `msg_${index}`, content: `Ordonnance #${index}: merci docteur` })

async function journalPath(): Promise<string> {
  return join(await tempDir(), 'outbox.journal')
}

async function drain(outbox: Outbox<Sent>): Promise<Sent[]> {
  const applied: Sent[] = []
  await outbox.replay(async (entry) => void applied.push(entry))
  return applied
}

async function appendAll(path: string, count: number): Promise<void> {
  const outbox = await fileOutbox<Sent>({ path })
  for (let index = 0; index < count; index += 1) await outbox.append(sent(index))
  await outbox.close()
}

describe('fileOutbox recovery', () => {
  it('keeps entries and acknowledgements across a reopen', async () => {
    const path = await journalPath()
    await appendAll(path, 5)
    const first = await fileOutbox<Sent>({ path })
    expect(first.depth).toBe(5)
    let calls = 0
    await first.replay(async () => {
      calls += 1
      if (calls === 3) throw new Error('store down again')
    })
    await first.close()
    const second = await fileOutbox<Sent>({ path })
    expect(second.depth).toBe(3)
    expect(await drain(second)).toEqual([sent(2), sent(3), sent(4)])
    await second.close()
  })

  it.each([
    ['a record cut in its payload', (record: Buffer) => record.subarray(0, record.byteLength - 7)],
    ['a record cut before its newline', (record: Buffer) => record.subarray(0, record.byteLength - 1)],
    ['a record cut in its header', (record: Buffer) => record.subarray(0, 3)],
    ['zeros where a record was being written', (record: Buffer) => Buffer.alloc(record.byteLength)],
    ['a complete record with a flipped byte', (record: Buffer) => Buffer.from(record.toString('latin1').replace('msg_5', 'msg_6'), 'latin1')],
  ])('drops a torn last record (%s) and appends after it cleanly', async (_, tear) => {
    const path = await journalPath()
    await appendAll(path, 5)
    await appendFile(path, tear(entryRecord(6, JSON.stringify(sent(5)))))
    const reopened = await fileOutbox<Sent>({ path })
    expect(reopened.depth).toBe(5)
    await reopened.append(sent(6))
    await reopened.close()
    const again = await fileOutbox<Sent>({ path })
    expect(await drain(again)).toEqual([0, 1, 2, 3, 4, 6].map(sent))
    await again.close()
  })

  it('refuses a journal damaged in the middle (valid records after the damage) with OUTBOX_CORRUPT', async () => {
    const path = await journalPath()
    await appendAll(path, 3)
    const bytes = await readFile(path)
    const firstNewline = bytes.indexOf(0x0a)
    bytes[firstNewline - 3] = bytes[firstNewline - 3]! ^ 0x01 // inside the first record's JSON
    await writeFile(path, bytes)
    const error = await fileOutbox<Sent>({ path }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'OUTBOX_CORRUPT' })
    expect((error as Error).message).not.toContain('Ordonnance')
    // Nothing was truncated: the file is left for a person to inspect.
    expect(await readFile(path)).toEqual(bytes)
  })

  it('truncates the journal once every entry is acknowledged', async () => {
    const path = await journalPath()
    const outbox = await fileOutbox<Sent>({ path })
    for (let index = 0; index < 10; index += 1) await outbox.append(sent(index))
    expect((await stat(path)).size).toBeGreaterThan(0)
    expect(await drain(outbox)).toHaveLength(10)
    expect((await stat(path)).size).toBe(0)
    await outbox.append(sent(10))
    await outbox.close()
    const reopened = await fileOutbox<Sent>({ path })
    expect(await drain(reopened)).toEqual([sent(10)])
    await reopened.close()
  })

  it('rewrites the journal with only its live entries once acknowledged records pass compactAtBytes', async () => {
    const path = await journalPath()
    const outbox = await fileOutbox<Sent>({ path, compactAtBytes: 1024 })
    for (let index = 0; index < 40; index += 1) await outbox.append(sent(index))
    const before = (await stat(path)).size
    let applied = 0
    await outbox.replay(async () => {
      applied += 1
      if (applied > 30) throw new Error('store down again')
    })
    const after = (await stat(path)).size
    expect(after).toBeLessThan(before)
    const scan = scanJournal(await readFile(path))
    // A rewrite holds no acknowledgement records for what came before it: what is left is live
    // entries and at most the acknowledgements written since the last rewrite, below the threshold.
    expect(scan.deadBytes).toBeLessThan(1024)
    expect(scan.entries.map((entry) => JSON.parse(entry.body).id)).toEqual(Array.from({ length: 10 }, (_, index) => `msg_${index + 30}`))
    // Appends after a rewrite go to the new file.
    await outbox.append(sent(40))
    await outbox.close()
    const reopened = await fileOutbox<Sent>({ path, compactAtBytes: 1024 })
    expect(await drain(reopened)).toEqual(Array.from({ length: 11 }, (_, index) => sent(index + 30)))
    await reopened.close()
  })

  it('ignores a rewrite left unfinished by a crash (the .compact file)', async () => {
    const path = await journalPath()
    await appendAll(path, 2)
    await writeFile(`${path}.compact`, entryRecord(99, '"half a rewrite"'))
    const outbox = await fileOutbox<Sent>({ path })
    expect(await drain(outbox)).toEqual([sent(0), sent(1)])
    await outbox.close()
    await expect(stat(`${path}.compact`)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('keeps a rejected decode in the outbox instead of dropping it', async () => {
    const path = await journalPath()
    await writeFile(path, Buffer.concat([entryRecord(1, 'not json'), entryRecord(2, JSON.stringify(sent(2)))]))
    const outbox = await fileOutbox<Sent>({ path })
    await expect(outbox.replay(async () => undefined)).resolves.toBe(0)
    expect(outbox.depth).toBe(2)
    await outbox.close()
  })
})

describe('the journal format', () => {
  it('reads back what it frames, with acknowledgements removing entries up to their sequence number', () => {
    const bytes = Buffer.concat([entryRecord(1, 'a'), entryRecord(2, 'b\n"é'), ackRecord(1), entryRecord(3, 'c')])
    const scan = scanJournal(bytes)
    expect(scan.entries.map((entry) => [entry.seq, entry.body])).toEqual([
      [2, 'b\n"é'],
      [3, 'c'],
    ])
    expect(scan.validLength).toBe(bytes.byteLength)
    expect(scan.lastSeq).toBe(3)
    expect(scan.corruptAt).toBeUndefined()
  })

  it('stops at records that are well formed but out of sequence', () => {
    const scan = scanJournal(Buffer.concat([entryRecord(2, 'a'), entryRecord(2, 'again'), ackRecord(9)]))
    expect(scan.entries.map((entry) => entry.body)).toEqual(['a'])
    expect(scan.corruptAt).toBeDefined()
  })
})
