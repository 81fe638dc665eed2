import type { DriverInfo } from '@cachette/core'

/** Parses the INFO text of one server into {@link DriverInfo}. */
export function parseInfo(text: string): DriverInfo {
  const fields = new Map<string, string>()
  let keys: number | undefined
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon <= 0 || line.startsWith('#')) continue
    const name = line.slice(0, colon)
    const value = line.slice(colon + 1)
    // Keyspace lines: "db0:keys=12,expires=3,avg_ttl=0".
    if (/^db\d+$/.test(name)) {
      const match = /(?:^|,)keys=(\d+)/.exec(value)
      if (match) keys = (keys ?? 0) + Number(match[1])
      continue
    }
    fields.set(name, value)
  }
  const number = (name: string) => {
    const value = fields.get(name)
    return value === undefined || value === '' || Number.isNaN(Number(value)) ? undefined : Number(value)
  }
  const info: {
    -readonly [K in keyof DriverInfo]: DriverInfo[K]
  } = {}
  const set = (field: keyof DriverInfo, value: number | undefined) => {
    if (value !== undefined) info[field] = value
  }
  set('usedMemoryBytes', number('used_memory'))
  set('keyspaceHits', number('keyspace_hits'))
  set('keyspaceMisses', number('keyspace_misses'))
  set('connectedClients', number('connected_clients'))
  set('totalCommands', number('total_commands_processed'))
  // A server with no keys prints an empty Keyspace section: that is 0 keys, not "unknown".
  set('keys', keys ?? (text.includes('# Keyspace') ? 0 : undefined))
  return info
}

/** Adds the figures of several servers (the masters of a cluster). */
export function sumInfo(parts: readonly DriverInfo[]): DriverInfo {
  const total: { -readonly [K in keyof DriverInfo]: DriverInfo[K] } = {}
  for (const part of parts) {
    for (const field of Object.keys(part) as (keyof DriverInfo)[]) {
      const value = part[field]
      if (value !== undefined) total[field] = (total[field] ?? 0) + value
    }
  }
  return total
}
