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

interface Parsed {
  readonly reply: RespReply
  readonly next: number
}

/**
 * Feeds socket chunks in, hands complete replies out in order. Incomplete input is kept until
 * the next chunk, and a half-received bulk string is not re-parsed until enough bytes are there.
 */
export class RespParser {
  private buffer: Buffer = Buffer.alloc(0)
  /** Bytes the buffer must hold before parsing can succeed (a known bulk length), else 0. */
  private needed = 0

  /** Appends a chunk and returns every reply it completed. */
  push(chunk: Buffer): RespReply[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    const replies: RespReply[] = []
    if (this.buffer.length < this.needed) return replies
    this.needed = 0
    let offset = 0
    for (;;) {
      const parsed = this.parse(offset)
      if (parsed === undefined) break
      replies.push(parsed.reply)
      offset = parsed.next
    }
    this.buffer = offset === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(offset)
    if (this.needed > 0) this.needed -= offset
    return replies
  }

  private line(offset: number): { text: string; next: number } | undefined {
    const end = this.buffer.indexOf(CR, offset)
    if (end === -1 || end + 1 >= this.buffer.length) return undefined
    return { text: this.buffer.toString('latin1', offset, end), next: end + 2 }
  }

  private parse(offset: number): Parsed | undefined {
    if (offset >= this.buffer.length) return undefined
    const type = this.buffer[offset]
    const head = this.line(offset + 1)
    if (head === undefined) return undefined
    switch (type) {
      case 0x2b /* + */:
        return { reply: { kind: 'status', value: Buffer.from(head.text, 'latin1') }, next: head.next }
      case 0x2d /* - */:
        return {
          reply: { kind: 'error', message: this.buffer.toString('utf8', offset + 1, head.next - 2) },
          next: head.next,
        }
      case 0x3a /* : */:
        return { reply: { kind: 'integer', value: Number(head.text) }, next: head.next }
      case 0x24 /* $ */: {
        const length = Number(head.text)
        if (length < 0) return { reply: { kind: 'bulk', value: null }, next: head.next }
        const end = head.next + length
        if (end + 2 > this.buffer.length) {
          this.needed = end + 2
          return undefined
        }
        // A copy, so a reply kept by the caller does not pin the whole socket buffer.
        return { reply: { kind: 'bulk', value: Buffer.from(this.buffer.subarray(head.next, end)) }, next: end + 2 }
      }
      case 0x2a /* * */: {
        const count = Number(head.text)
        if (count < 0) return { reply: { kind: 'array', value: null }, next: head.next }
        const items: RespReply[] = []
        let next = head.next
        for (let i = 0; i < count; i++) {
          const item = this.parse(next)
          if (item === undefined) return undefined
          items.push(item.reply)
          next = item.next
        }
        return { reply: { kind: 'array', value: items }, next }
      }
      default:
        throw new RespProtocolError(`unexpected RESP type byte 0x${(type ?? 0).toString(16)}`)
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
