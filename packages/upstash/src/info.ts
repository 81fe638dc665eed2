import type { DriverInfo } from '@cachette/core'

/**
 * Reads the fields Cachette reports from an INFO answer ("field:value" lines, "# Section"
 * headers, "db0:keys=1,expires=0,avg_ttl=0" keyspace lines). Upstash answers INFO with its own
 * subset of Redis' fields, so any field may be missing; a missing field is left out.
 */
export function parseInfo(text: string): DriverInfo {
  const fields = new Map<string, string>()
  let keys: number | undefined
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#')) continue
    const colon = line.indexOf(':')
    if (colon === -1) continue
    const name = line.slice(0, colon)
    const value = line.slice(colon + 1)
    if (/^db\d+$/.test(name)) {
      const count = /(?:^|,)keys=(\d+)/.exec(value)
      if (count !== null) keys = (keys ?? 0) + Number(count[1])
      continue
    }
    fields.set(name, value)
  }
  const number = (name: string): number | undefined => {
    const value = fields.get(name)
    if (value === undefined) return undefined
    const parsed = Number(value)
    return Number.isFinite(parsed) ? parsed : undefined
  }
  const info: {
    -readonly [K in keyof DriverInfo]: DriverInfo[K]
  } = {}
  const usedMemoryBytes = number('used_memory')
  const keyspaceHits = number('keyspace_hits')
  const keyspaceMisses = number('keyspace_misses')
  const connectedClients = number('connected_clients')
  const totalCommands = number('total_commands_processed')
  if (usedMemoryBytes !== undefined) info.usedMemoryBytes = usedMemoryBytes
  if (keyspaceHits !== undefined) info.keyspaceHits = keyspaceHits
  if (keyspaceMisses !== undefined) info.keyspaceMisses = keyspaceMisses
  if (connectedClients !== undefined) info.connectedClients = connectedClients
  if (totalCommands !== undefined) info.totalCommands = totalCommands
  // An empty database has no "db0" line at all: zero keys, not "unknown".
  info.keys = keys ?? (text.includes('# Keyspace') ? 0 : undefined)
  if (info.keys === undefined) delete info.keys
  return info
}
