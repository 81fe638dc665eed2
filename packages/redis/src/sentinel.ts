import type { ConnectionSource } from './node-connection.js'
import { newClient, safeClientOptions } from './create-client.js'
import type { RedisDriverClient } from './options.js'
import type { ResolvedTarget, ResolvedTuning } from './resolve-options.js'

/**
 * Sentinel, done by the driver over plain node-redis clients: ask the Sentinels, in order, for
 * the master's address (`SENTINEL GET-MASTER-ADDR-BY-NAME`), connect a client there, and ask
 * again when that connection fails or a write gets READONLY (the old master, demoted after a
 * failover, refuses writes), moving when the answer changed. node-redis' own `createSentinel()`
 * spreads commands over a pool of connections it replaces by itself, while tracking needs the one
 * connection every read goes through, and the driver's deadlines need to see each connection.
 */

type SentinelTarget = Extract<ResolvedTarget, { kind: 'sentinel' }>

interface Address {
  readonly host: string
  readonly port: number
}

/** Where each client the driver opened for the master points. */
const addresses = new WeakMap<RedisDriverClient, Address>()

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('Sentinel did not answer in time')), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

async function askSentinel(target: SentinelTarget, tuning: ResolvedTuning, sentinel: Address): Promise<Address> {
  const client = newClient(
    safeClientOptions(sentinel.host, sentinel.port, undefined, target.sentinelAuth, tuning, {
      socket: { reconnectStrategy: false },
      disableClientInfo: true,
    } as never),
  )
  client.on('error', () => undefined)
  try {
    await withTimeout(client.connect(), tuning.connectTimeoutMs)
    const reply = await withTimeout(client.sendCommand(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', target.name]), tuning.connectTimeoutMs)
    if (!Array.isArray(reply) || reply.length < 2) throw new Error('Sentinel does not know the master')
    return { host: String(reply[0]), port: Number(reply[1]) }
  } finally {
    client.destroy()
  }
}

/** The master's address from the first Sentinel that answers. */
async function resolveMaster(target: SentinelTarget, tuning: ResolvedTuning): Promise<Address> {
  for (const sentinel of target.sentinels) {
    try {
      return await askSentinel(target, tuning, sentinel)
    } catch {
      // The next Sentinel.
    }
  }
  throw new Error('no Sentinel named the master')
}

/** A connection source that follows the master the Sentinels name. */
export function sentinelSource(target: SentinelTarget, tuning: ResolvedTuning, overrides: Record<string, unknown> = {}): ConnectionSource {
  return {
    owned: true,
    open: async () => {
      const master = await resolveMaster(target, tuning)
      const client = newClient(safeClientOptions(master.host, master.port, target.db, target.auth, tuning, { ...target.clientOptions, ...overrides }))
      addresses.set(client, master)
      return client
    },
    moved: async (client) => {
      const master = await resolveMaster(target, tuning)
      const current = addresses.get(client)
      return current === undefined || current.host !== master.host || current.port !== master.port
    },
  }
}
