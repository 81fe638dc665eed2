/**
 * The journal's record format, with no file access, so recovery can be tested on bytes.
 *
 *   <length> <crc32> <json>\n
 *
 * `length` is the byte length of `<json>` in decimal, `crc32` its CRC-32 as 8 lowercase hex digits.
 * `<json>` is `{"s":<seq>,"b":"<encoded entry>"}` for an entry, or `{"a":<seq>}` for the
 * acknowledgement of every entry up to `seq`. A record is read only if its length, its newline, its
 * checksum and its JSON shape all agree: a record cut short by a crash, or the zeros some
 * filesystems leave after a power loss, is never read as an entry.
 */

export interface JournalEntry {
  readonly seq: number
  readonly body: string
  /** Bytes the entry counts against `maxBytes`: its encoded text in UTF-8. */
  readonly bytes: number
  /** Bytes of its whole record in the journal. */
  readonly recordBytes: number
}

export interface JournalScan {
  /** Entries not acknowledged, oldest first. */
  readonly entries: JournalEntry[]
  /** Length of the valid prefix: everything after it is a torn tail to truncate. */
  readonly validLength: number
  /** The highest sequence number seen (0 for an empty journal). */
  readonly lastSeq: number
  /** Bytes of the valid prefix that belong to acknowledged entries and acknowledgement records. */
  readonly deadBytes: number
  /** Where the first invalid record starts when valid records follow it (damage, not a torn tail). */
  readonly corruptAt?: number
}

type Record = { readonly kind: 'entry'; readonly seq: number; readonly body: string; readonly end: number } | { readonly kind: 'ack'; readonly seq: number; readonly end: number }

const NEWLINE = 0x0a
const SPACE = 0x20
/** The longest `<json>` the reader accepts; longer lengths are garbage, not a record. */
const MAX_RECORD_BYTES = 1 << 30

export function entryRecord(seq: number, body: string): Buffer {
  return frame(JSON.stringify({ s: seq, b: body }))
}

export function ackRecord(seq: number): Buffer {
  return frame(JSON.stringify({ a: seq }))
}

function frame(json: string): Buffer {
  const payload = Buffer.from(json, 'utf8')
  const header = `${payload.byteLength} ${crc32(payload).toString(16).padStart(8, '0')} `
  return Buffer.concat([Buffer.from(header, 'latin1'), payload, Buffer.from([NEWLINE])])
}

/** Reads a journal's bytes: the live entries, where the valid prefix ends, and whether it is damaged. */
export function scanJournal(bytes: Uint8Array): JournalScan {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const entries: JournalEntry[] = []
  let offset = 0
  let lastSeq = 0
  let ackedSeq = 0
  let deadBytes = 0
  while (offset < buffer.byteLength) {
    const record = readRecord(buffer, offset)
    // Sequence numbers only grow and acknowledge only what was written: anything else is not ours.
    const valid = record !== undefined && (record.kind === 'entry' ? record.seq > lastSeq : record.seq >= ackedSeq && record.seq <= lastSeq)
    if (!valid) break
    const recordBytes = record.end - offset
    if (record.kind === 'entry') {
      lastSeq = record.seq
      entries.push({ seq: record.seq, body: record.body, bytes: Buffer.byteLength(record.body, 'utf8'), recordBytes })
    } else {
      ackedSeq = record.seq
      deadBytes += recordBytes
      while (entries[0] !== undefined && entries[0].seq <= ackedSeq) deadBytes += entries.shift()!.recordBytes
    }
    offset = record.end
  }
  const scan = { entries, validLength: offset, lastSeq, deadBytes }
  if (offset < buffer.byteLength && hasRecordAfter(buffer, offset)) return { ...scan, corruptAt: offset }
  return scan
}

/** True when a well-formed record starts on some line after `offset`: the damage is not a torn tail. */
function hasRecordAfter(buffer: Buffer, offset: number): boolean {
  for (let newline = buffer.indexOf(NEWLINE, offset); newline !== -1 && newline + 1 < buffer.byteLength; newline = buffer.indexOf(NEWLINE, newline + 1)) {
    if (readRecord(buffer, newline + 1) !== undefined) return true
  }
  return false
}

function readRecord(buffer: Buffer, start: number): Record | undefined {
  let cursor = start
  let length = 0
  let digits = 0
  for (; cursor < buffer.byteLength && buffer[cursor] !== SPACE; cursor += 1) {
    const digit = buffer[cursor]! - 0x30
    if (digit < 0 || digit > 9 || digits >= 10) return undefined
    length = length * 10 + digit
    digits += 1
  }
  const payloadStart = cursor + 10
  const payloadEnd = payloadStart + length
  // The newline after the payload must be inside the buffer: a shorter record was cut by a crash.
  if (digits === 0 || length > MAX_RECORD_BYTES || payloadEnd >= buffer.byteLength) return undefined
  const checksumText = buffer.toString('latin1', cursor + 1, cursor + 9)
  if (!/^[0-9a-f]{8}$/.test(checksumText) || buffer[cursor + 9] !== SPACE || buffer[payloadEnd] !== NEWLINE) return undefined
  const payload = buffer.subarray(payloadStart, payloadEnd)
  if (crc32(payload) !== Number.parseInt(checksumText, 16)) return undefined
  let json: unknown
  try {
    json = JSON.parse(payload.toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof json !== 'object' || json === null) return undefined
  const { s, b, a } = json as { s?: unknown; b?: unknown; a?: unknown }
  if (typeof s === 'number' && Number.isSafeInteger(s) && s > 0 && typeof b === 'string' && a === undefined) return { kind: 'entry', seq: s, body: b, end: payloadEnd + 1 }
  if (typeof a === 'number' && Number.isSafeInteger(a) && a > 0 && s === undefined && b === undefined) return { kind: 'ack', seq: a, end: payloadEnd + 1 }
  return undefined
}

// CRC-32 (IEEE, as zlib and PNG): zlib.crc32 only exists from Node 20.15, and the engines field says 20.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n += 1) {
    let c = n
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (let index = 0; index < bytes.byteLength; index += 1) crc = CRC_TABLE[(crc ^ bytes[index]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}
