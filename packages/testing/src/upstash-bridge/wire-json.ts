/**
 * The JSON side of the Upstash REST protocol, replies out, exactly as `@upstash/redis` 1.39
 * reads them (see pkg/http.ts `decode()` in the client). Request bodies: request-json.ts.
 */
import type { RespReply } from './resp-parser.js'

/** A JSON value of a `result` field. */
export type JsonResult = string | number | null | JsonResult[]

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
