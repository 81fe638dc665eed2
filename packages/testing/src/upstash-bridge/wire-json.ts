/**
 * The JSON side of the Upstash REST protocol: request bodies in, replies out, exactly as
 * `@upstash/redis` 1.39 writes and reads them (see pkg/http.ts `decode()` in the client).
 */
import type { RespReply } from './resp-parser.js'

/** A request the bridge refuses before it reaches redis-server (HTTP 400). */
export class BadRequestError extends Error {}

/** A JSON value of a `result` field. */
export type JsonResult = string | number | null | JsonResult[]

/**
 * The client serializes every argument with `defaultSerializer`: strings, numbers and booleans
 * travel as JSON scalars (`["set","k","v","px",1000]`), anything else was already
 * JSON.stringify'd into a string. A JSON string's UTF-8 bytes are the argument, so only valid
 * UTF-8 can be sent: there is no way to put a lone 0xff byte in a JSON string.
 */
function toArgument(value: unknown): Buffer {
  switch (typeof value) {
    case 'string':
      return Buffer.from(value, 'utf8')
    case 'number':
      if (!Number.isFinite(value)) throw new BadRequestError('ERR command arguments must be finite numbers')
      return Buffer.from(String(value), 'latin1')
    case 'boolean':
      return Buffer.from(String(value), 'latin1')
    default:
      throw new BadRequestError('ERR command arguments must be strings, numbers or booleans')
  }
}

/** Commands that would change the shared connection's state or block it; Upstash refuses them over REST too. */
const CONNECTION_STATE_COMMANDS = new Set([
  'subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe', 'monitor',
  'multi', 'exec', 'discard', 'watch', 'unwatch', 'select', 'quit', 'reset', 'hello', 'auth',
  'blpop', 'brpop', 'blmove', 'brpoplpush', 'bzpopmin', 'bzpopmax', 'blmpop', 'bzmpop', 'wait', 'waitaof',
])

/** One command: a non-empty array whose first element names it. */
export function parseCommand(value: unknown): Buffer[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadRequestError('ERR a command must be a non-empty JSON array')
  }
  const args = value.map(toArgument)
  const name = (args[0] as Buffer).toString('utf8').toLowerCase()
  if (CONNECTION_STATE_COMMANDS.has(name)) {
    throw new BadRequestError(`ERR command '${name}' is not supported over REST`)
  }
  return args
}

/** A pipeline or transaction body: an array of commands. */
export function parseCommandList(value: unknown): Buffer[][] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadRequestError('ERR a pipeline must be a non-empty JSON array of commands')
  }
  return value.map(parseCommand)
}

/** Parses a request body as JSON, or refuses it. */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    throw new BadRequestError('ERR the request body is not valid JSON')
  }
}

function encodeString(bytes: Buffer, base64: boolean): string {
  // Without base64, invalid UTF-8 becomes U+FFFD, as Upstash documents for its JSON responses.
  return base64 ? bytes.toString('base64') : bytes.toString('utf8')
}

/**
 * A reply as the value of a `result` field.
 *
 * With `Upstash-Encoding: base64` every bulk string and status reply is base64, recursively in
 * arrays; integers and nil stay as they are. The one exception, documented by Upstash and
 * mirrored by the client's `decode()`: a top-level status `OK` (the whole result of a command,
 * or of one pipeline entry) is sent as plain `"OK"`. Inside an array the client base64-decodes
 * every string unconditionally, so a nested status must be encoded like any other string.
 */
export function encodeResult(reply: RespReply, base64: boolean, topLevel = true): JsonResult {
  switch (reply.kind) {
    case 'integer':
      return reply.value
    case 'bulk':
      return reply.value === null ? null : encodeString(reply.value, base64)
    case 'status':
      if (topLevel && reply.value.length === 2 && reply.value.toString('latin1') === 'OK') return 'OK'
      return encodeString(reply.value, base64)
    case 'error':
      // An error nested in an array (a script can return one): its text, like a status.
      return encodeString(Buffer.from(reply.message, 'utf8'), base64)
    case 'array':
      return reply.value === null ? null : reply.value.map((item) => encodeResult(item, base64, false))
  }
}

/** One entry of a pipeline or transaction response: errors stay inside the array. */
export function encodeEntry(reply: RespReply, base64: boolean): { result: JsonResult } | { error: string } {
  return reply.kind === 'error' ? { error: reply.message } : { result: encodeResult(reply, base64) }
}
