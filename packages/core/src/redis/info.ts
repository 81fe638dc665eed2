import type { DriverInfo } from '../driver/driver.js'

/*
 * INFO as Redis and Upstash answer it: "# Section" headers, "field:value" lines, keyspace lines
 * "db0:keys=12,expires=3,avg_ttl=0". Redis ends lines with CRLF; Upstash (and proxies) may use LF
 * alone. Upstash answers with its own subset of fields, so any field may be missing, and a field
 * that is missing or not a plain decimal number is left out rather than reported as 0.
 */

type MutableInfo = { -readonly [K in keyof DriverInfo]: DriverInfo[K] }

const DECIMAL = /^-?\d+(?:\.\d+)?$/
const KEYSPACE_LINE = /^db\d+$/
const KEYS_FIELD = /(?:^|,)keys=(\d+)/

/** Where each reported figure comes from. */
const FIELDS: readonly (readonly [keyof DriverInfo, string])[] = Object.freeze([
  ['usedMemoryBytes', 'used_memory'],
  ['keyspaceHits', 'keyspace_hits'],
  ['keyspaceMisses', 'keyspace_misses'],
  ['connectedClients', 'connected_clients'],
  ['totalCommands', 'total_commands_processed'],
] as const)

/**
 * Parses the INFO text of one server into {@link DriverInfo}. `keys` sums the keyspace lines of
 * every database; a server with no key prints an empty `# Keyspace` section, which is 0 keys, while
 * an answer without that section leaves `keys` out.
 *
 * @example
 * ```ts
 * import { parseInfo } from '@cachette/core/redis'
 *
 * parseInfo('# Memory\r\nused_memory:1048576\r\n# Keyspace\r\ndb0:keys=12,expires=3,avg_ttl=0\r\n')
 * // { usedMemoryBytes: 1048576, keys: 12 }
 * ```
 */
export function parseInfo(text: string): DriverInfo {
  const fields = new Map<string, string>()
  let keys: number | undefined
  let keyspaceSection = false
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim()
    if (line.startsWith('#')) {
      if (line.slice(1).trim().toLowerCase() === 'keyspace') keyspaceSection = true
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon)
    const value = line.slice(colon + 1).trim()
    if (KEYSPACE_LINE.test(name)) {
      const count = KEYS_FIELD.exec(value)
      if (count !== null) keys = (keys ?? 0) + Number(count[1])
      continue
    }
    fields.set(name, value)
  }
  const info: MutableInfo = {}
  for (const [field, name] of FIELDS) {
    const value = fields.get(name)
    if (value !== undefined && DECIMAL.test(value)) info[field] = Number(value)
  }
  if (keys !== undefined) info.keys = keys
  else if (keyspaceSection) info.keys = 0
  return info
}

/**
 * Adds up the figures of several servers (the masters of a cluster). A figure is in the sum when at
 * least one server reported it.
 *
 * @example
 * ```ts
 * import { parseInfo, sumInfo } from '@cachette/core/redis'
 *
 * const total = sumInfo(masterInfoTexts.map(parseInfo)) // keys, memory, hits... of the whole cluster
 * ```
 */
export function sumInfo(parts: readonly DriverInfo[]): DriverInfo {
  const total: MutableInfo = {}
  for (const part of parts) {
    for (const field of Object.keys(part) as (keyof DriverInfo)[]) {
      const value = part[field]
      if (value !== undefined) total[field] = (total[field] ?? 0) + value
    }
  }
  return total
}
