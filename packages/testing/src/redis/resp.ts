import { Socket } from 'node:net'
import { connect as connectTls } from 'node:tls'

/**
 * A minimal RESP2 client for the launchers: one connection per call, enough to PING a server,
 * build a cluster and ask Sentinel questions. The launchers must not depend on a Redis client
 * library (they test those), so this speaks the wire protocol itself.
 */

/** A decoded RESP2 reply. Errors are returned as {@link RespError}, not thrown. */
export type RespReply = string | number | null | RespError | RespReply[]

/** An error reply (`-ERR ...`). */
export class RespError {
  constructor(readonly message: string) {}
}

function encode(args: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)]
  for (const arg of args) {
    const bytes = Buffer.from(String(arg))
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'))
  }
  return Buffer.concat(parts)
}

/** Parses one reply at `offset`; returns undefined while the buffer holds an incomplete reply. */
function parse(buffer: Buffer, offset: number): { value: RespReply; next: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset)
  if (lineEnd === -1) return undefined
  const type = String.fromCharCode(buffer[offset] as number)
  const line = buffer.toString('utf8', offset + 1, lineEnd)
  const afterLine = lineEnd + 2
  switch (type) {
    case '+':
      return { value: line, next: afterLine }
    case '-':
      return { value: new RespError(line), next: afterLine }
    case ':':
      return { value: Number(line), next: afterLine }
    case '$': {
      const length = Number(line)
      if (length < 0) return { value: null, next: afterLine }
      if (buffer.length < afterLine + length + 2) return undefined
      return { value: buffer.toString('utf8', afterLine, afterLine + length), next: afterLine + length + 2 }
    }
    case '*': {
      const count = Number(line)
      if (count < 0) return { value: null, next: afterLine }
      const items: RespReply[] = []
      let next = afterLine
      for (let i = 0; i < count; i++) {
        const item = parse(buffer, next)
        if (item === undefined) return undefined
        items.push(item.value)
        next = item.next
      }
      return { value: items, next }
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`)
  }
}

/** How to reach a TLS-only server: the CA that signed its certificate (PEM). */
export interface RespTls {
  readonly ca: string
}

/**
 * Sends one command to a server on 127.0.0.1 and resolves its reply. Rejects on a connection
 * error or when no complete reply arrives within `timeoutMs`. With `tls`, it speaks TLS and checks
 * the server's certificate against `tls.ca`.
 */
export function sendRedisCommand(
  port: number,
  args: readonly (string | number)[],
  timeoutMs = 1000,
  tls?: RespTls,
): Promise<RespReply> {
  return new Promise((resolve, reject) => {
    const socket = tls === undefined ? new Socket() : connectTls({ host: '127.0.0.1', port, ca: tls.ca }, () => socket.write(encode(args)))
    let received = Buffer.alloc(0)
    const finish = (error: Error | undefined, value?: RespReply) => {
      clearTimeout(timer)
      socket.destroy()
      if (error) reject(error)
      else resolve(value as RespReply)
    }
    const timer = setTimeout(() => finish(new Error(`no reply from 127.0.0.1:${port} within ${timeoutMs} ms`)), timeoutMs)
    socket.once('error', (error) => finish(error))
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk])
      const reply = parse(received, 0)
      if (reply !== undefined) finish(undefined, reply.value)
    })
    if (tls === undefined) socket.connect(port, '127.0.0.1', () => socket.write(encode(args)))
  })
}

/** Like {@link sendRedisCommand} but rejects on an error reply. */
export async function redisCommandOk(port: number, args: readonly (string | number)[], timeoutMs = 1000, tls?: RespTls): Promise<RespReply> {
  const reply = await sendRedisCommand(port, args, timeoutMs, tls)
  if (reply instanceof RespError) throw new Error(`${String(args[0])} on 127.0.0.1:${port} failed: ${reply.message}`)
  return reply
}

/** Parses `INFO`-style text (`field:value` lines) into a map. */
export function parseInfoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>()
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1))
  }
  return fields
}
