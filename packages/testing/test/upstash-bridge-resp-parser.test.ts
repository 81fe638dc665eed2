/**
 * The bridge's RESP2 parser against an encoder written here: any reply tree, cut into any
 * chunks (down to one byte), comes out whole, in order, with its bytes exact. Arrays are filled
 * across chunks rather than re-parsed from their start, so this is what keeps that honest.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RespParser, type RespReply } from '../src/upstash-bridge/resp-parser.js'

function encode(reply: RespReply): Buffer {
  switch (reply.kind) {
    case 'status':
      return Buffer.concat([Buffer.from('+'), reply.value, Buffer.from('\r\n')])
    case 'error':
      return Buffer.from(`-${reply.message}\r\n`, 'utf8')
    case 'integer':
      return Buffer.from(`:${reply.value}\r\n`)
    case 'bulk':
      return reply.value === null ? Buffer.from('$-1\r\n') : Buffer.concat([Buffer.from(`$${reply.value.length}\r\n`), reply.value, Buffer.from('\r\n')])
    case 'array':
      return reply.value === null ? Buffer.from('*-1\r\n') : Buffer.concat([Buffer.from(`*${reply.value.length}\r\n`), ...reply.value.map(encode)])
  }
}

// Status and error lines cannot hold CR or LF; bulk strings hold any byte, "\r\n" included.
const line = fc.string({ maxLength: 12 }).map((text) => text.replace(/[\r\n]/g, ' '))
const { reply } = fc.letrec<{ reply: RespReply }>((tie) => ({
  reply: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    line.map((text): RespReply => ({ kind: 'status', value: Buffer.from(text, 'latin1') })),
    line.map((text): RespReply => ({ kind: 'error', message: text })),
    fc.integer().map((value): RespReply => ({ kind: 'integer', value })),
    fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }).map((bytes): RespReply => ({ kind: 'bulk', value: bytes === null ? null : Buffer.from(bytes) })),
    fc.option(fc.array(tie('reply'), { maxLength: 5 }), { nil: null }).map((items): RespReply => ({ kind: 'array', value: items })),
  ),
}))

/** Cuts `bytes` at the given positions (taken modulo its length). */
function cut(bytes: Buffer, positions: number[]): Buffer[] {
  const points = [...new Set(positions.map((p) => (bytes.length === 0 ? 0 : p % bytes.length)))].sort((a, b) => a - b)
  const chunks: Buffer[] = []
  let start = 0
  for (const point of points) {
    if (point > start) chunks.push(bytes.subarray(start, point))
    start = Math.max(start, point)
  }
  chunks.push(bytes.subarray(start))
  return chunks
}

describe('RespParser', () => {
  it('returns every reply whole and in order, however the bytes are cut', () => {
    fc.assert(
      fc.property(fc.array(reply, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 30 }), (replies, positions) => {
        const parser = new RespParser()
        const out = cut(Buffer.concat(replies.map(encode)), positions).flatMap((chunk) => parser.push(chunk))
        expect(out).toEqual(replies)
      }),
      { numRuns: 300 },
    )
  })

  it('parses byte by byte: nested arrays, empty and nil arrays, a bulk string holding CRLF', () => {
    const replies: RespReply[] = [
      { kind: 'array', value: [{ kind: 'array', value: [] }, { kind: 'array', value: null }, { kind: 'array', value: [{ kind: 'bulk', value: Buffer.from('a\r\nb') }] }] },
      { kind: 'integer', value: -7 },
      { kind: 'array', value: [] },
    ]
    const parser = new RespParser()
    const bytes = Buffer.concat(replies.map(encode))
    const out: RespReply[] = []
    for (let i = 0; i < bytes.length; i++) out.push(...parser.push(bytes.subarray(i, i + 1)))
    expect(out).toEqual(replies)
  })
})
