/**
 * Request bodies in: JSON commands, checked and counted, then encoded as RESP in a single
 * allocation. A command's arguments stay the JSON strings, numbers and booleans the client sent
 * until they are written into that one buffer: a Buffer per argument cost about 300 bytes
 * each, so one 12 MB `DEL` with 3 million keys took the bridge to a gigabyte.
 */
import { RefusedRequestError } from './bridge-errors.js'

/** One JSON argument: the client sends strings, numbers and booleans as JSON scalars. */
export type JsonArgument = string | number | boolean

/** One command as the client sent it, its name first. */
export type JsonCommand = readonly [JsonArgument, ...JsonArgument[]]

/** Parses a request body as JSON, or refuses it. */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    throw new RefusedRequestError('ERR the request body is not valid JSON')
  }
}

/**
 * The client serializes every argument with `defaultSerializer`: strings, numbers and booleans
 * travel as JSON scalars (`["set","k","v","px",1000]`), anything else was already
 * JSON.stringify'd into a string. A JSON string's UTF-8 bytes are the argument, so only valid
 * UTF-8 can be sent: there is no way to put a lone 0xff byte in a JSON string.
 */
function assertArgument(value: unknown): asserts value is JsonArgument {
  if (typeof value === 'string' || typeof value === 'boolean') return
  if (typeof value !== 'number') throw new RefusedRequestError('ERR command arguments must be strings, numbers or booleans')
  if (!Number.isFinite(value)) throw new RefusedRequestError('ERR command arguments must be finite numbers')
}

/** One command: a non-empty array whose first element names it. */
export function parseCommand(value: unknown): JsonCommand {
  if (!Array.isArray(value) || value.length === 0) {
    throw new RefusedRequestError('ERR a command must be a non-empty JSON array')
  }
  for (const argument of value as unknown[]) assertArgument(argument)
  return value as unknown as JsonCommand
}

/** Refuses a pipeline or transaction of more than `maxCommands` commands with a 413. */
export function assertCommandCount(count: number, maxCommands: number): void {
  if (count > maxCommands) {
    throw new RefusedRequestError(`ERR the request has ${count} commands, more than the bridge's maxCommandsPerRequest (${maxCommands})`, 413)
  }
}

/** A pipeline or transaction body: a non-empty array of at most `maxCommands` commands. */
export function parseCommandList(value: unknown, maxCommands: number): JsonCommand[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new RefusedRequestError('ERR a pipeline must be a non-empty JSON array of commands')
  }
  assertCommandCount(value.length, maxCommands)
  return value.map(parseCommand)
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d

/**
 * How many elements the top-level JSON array in `body` has, from one pass over the bytes that
 * allocates nothing, so a pipeline is counted before `JSON.parse` builds an array per command
 * (3 million `["PING"]`, a 27 MB body, cost the bridge 350 MB just to parse). An empty array
 * counts 1, and a body that is not an array some number: JSON parsing refuses both later.
 */
export function countTopLevelElements(body: Buffer): number {
  let depth = 0
  let inString = false
  let commas = 0
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]
    if (inString) {
      if (byte === BACKSLASH) i++
      else if (byte === QUOTE) inString = false
    } else if (byte === QUOTE) inString = true
    else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) depth++
    else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) depth--
    else if (byte === COMMA && depth === 1) commas++
  }
  return commas + 1
}

/** Numbers and booleans as Redis reads them: their decimal / literal text. */
const argumentText = (value: JsonArgument): string => (typeof value === 'string' ? value : String(value))

/** The commands as RESP2 arrays of bulk strings, in one buffer sized by a first pass. */
export function encodeCommands(commands: readonly JsonCommand[]): Buffer {
  let size = 0
  for (const command of commands) {
    size += String(command.length).length + 3
    for (const value of command) {
      const length = Buffer.byteLength(argumentText(value), 'utf8')
      size += String(length).length + 3 + length + 2
    }
  }
  const out = Buffer.allocUnsafe(size)
  let offset = 0
  for (const command of commands) {
    offset += out.write(`*${command.length}\r\n`, offset, 'latin1')
    for (const value of command) {
      const text = argumentText(value)
      offset += out.write(`$${Buffer.byteLength(text, 'utf8')}\r\n`, offset, 'latin1')
      offset += out.write(text, offset, 'utf8')
      offset += out.write('\r\n', offset, 'latin1')
    }
  }
  return out
}
