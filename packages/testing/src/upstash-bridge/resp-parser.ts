/**
 * An incremental RESP2 reply parser that keeps bytes exact: bulk strings and status lines stay
 * `Buffer`s, so the bridge can decide later how to put them in JSON (base64 or UTF-8).
 */

/** One RESP2 reply, as redis-server sent it. */
export type RespReply =
  | { readonly kind: 'status'; readonly value: Buffer }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'integer'; readonly value: number }
  | { readonly kind: 'bulk'; readonly value: Buffer | null }
  | { readonly kind: 'array'; readonly value: RespReply[] | null }

const CR = 0x0d

/** Thrown when redis-server sends bytes that are not RESP2 (never expected; a bug or a wrong port). */
export class RespProtocolError extends Error {}

/** An array whose header was read and whose items are still arriving. */
interface OpenArray {
  readonly count: number
  readonly items: RespReply[]
}

/**
 * Feeds socket chunks in, hands complete replies out in order, in time linear in the bytes:
 * chunks are joined only once an awaited bulk string is all there, and an array's items are kept
 * as they complete instead of being parsed again from the array's start on every chunk (an
 * LRANGE of 300,000 short items took 14 s that way, a million would have taken minutes).
 */
export class RespParser {
  private buffer: Buffer = Buffer.alloc(0)
  /** Chunks received since the last parse, `buffer`'s unparsed rest first. */
  private chunks: Buffer[] = []
  private chunkBytes = 0
  /** Bytes the chunks must hold before parsing can succeed (a known bulk length), else 0. */
  private needed = 0
  /** Arrays being filled, outermost first. */
  private readonly open: OpenArray[] = []

  /** Appends a chunk and returns every reply it completed. */
  push(chunk: Buffer): RespReply[] {
    this.chunks.push(chunk)
    this.chunkBytes += chunk.length
    const replies: RespReply[] = []
    if (this.chunkBytes < this.needed) return replies
    this.buffer = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.chunkBytes)
    this.needed = 0
    let offset = 0
    for (;;) {
      const next = this.parseOne(offset, replies)
      if (next === undefined) break
      offset = next
    }
    const rest = this.buffer.subarray(offset)
    this.buffer = Buffer.alloc(0)
    this.chunks = rest.length === 0 ? [] : [rest]
    this.chunkBytes = rest.length
    if (this.needed > 0) this.needed -= offset
    return replies
  }

  private line(offset: number): { text: string; next: number } | undefined {
    const end = this.buffer.indexOf(CR, offset)
    if (end === -1 || end + 1 >= this.buffer.length) return undefined
    return { text: this.buffer.toString('latin1', offset, end), next: end + 2 }
  }

  /** Reads one element (a scalar or an array header) at `offset`; its end, or undefined if incomplete. */
  private parseOne(offset: number, replies: RespReply[]): number | undefined {
    if (offset >= this.buffer.length) return undefined
    const type = this.buffer[offset]
    const head = this.line(offset + 1)
    if (head === undefined) return undefined
    switch (type) {
      case 0x2b /* + */:
        this.complete({ kind: 'status', value: Buffer.from(head.text, 'latin1') }, replies)
        return head.next
      case 0x2d /* - */:
        this.complete({ kind: 'error', message: this.buffer.toString('utf8', offset + 1, head.next - 2) }, replies)
        return head.next
      case 0x3a /* : */:
        this.complete({ kind: 'integer', value: Number(head.text) }, replies)
        return head.next
      case 0x24 /* $ */: {
        const length = Number(head.text)
        if (length < 0) {
          this.complete({ kind: 'bulk', value: null }, replies)
          return head.next
        }
        const end = head.next + length
        if (end + 2 > this.buffer.length) {
          this.needed = end + 2
          return undefined
        }
        // A copy, so a reply kept by the caller does not pin the whole socket buffer.
        this.complete({ kind: 'bulk', value: Buffer.from(this.buffer.subarray(head.next, end)) }, replies)
        return end + 2
      }
      case 0x2a /* * */: {
        const count = Number(head.text)
        if (count < 0) this.complete({ kind: 'array', value: null }, replies)
        else if (count === 0) this.complete({ kind: 'array', value: [] }, replies)
        else this.open.push({ count, items: [] })
        return head.next
      }
      default:
        throw new RespProtocolError(`unexpected RESP type byte 0x${(type ?? 0).toString(16)}`)
    }
  }

  /** Puts a finished element into the innermost open array, closing the arrays it fills. */
  private complete(reply: RespReply, replies: RespReply[]): void {
    let done = reply
    for (;;) {
      const parent = this.open[this.open.length - 1]
      if (parent === undefined) {
        replies.push(done)
        return
      }
      parent.items.push(done)
      if (parent.items.length < parent.count) return
      this.open.pop()
      done = { kind: 'array', value: parent.items }
    }
  }
}

/** Encodes one command as a RESP2 array of bulk strings, byte for byte. */
export function encodeCommand(args: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')]
  for (const arg of args) {
    parts.push(Buffer.from(`$${arg.length}\r\n`, 'latin1'), arg, Buffer.from('\r\n', 'latin1'))
  }
  return Buffer.concat(parts)
}
