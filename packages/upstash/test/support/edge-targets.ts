/**
 * What an edge worker is pointed at in the tests: the real bridge (upstash-server.ts), a loopback
 * port nothing listens on, and a loopback server that accepts connections and never answers
 * (a store that hangs, the case only a deadline can bound).
 */
import { createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { findFreePort } from '@cachette/testing'
import { afterAll, beforeAll } from 'vitest'
import type { EdgeWorkerEnv } from './edge-worker.js'
import { useUpstashServer, type UpstashTestServer } from './upstash-server.js'

/** The cache deadline the worker is configured with, in ms. */
export const EDGE_DEADLINE_MS = 200

/** A running server that never answers. */
interface StalledServer {
  readonly url: string
  stop(): Promise<void>
}

async function startStalledServer(): Promise<StalledServer> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

/** The real server, and the worker's env, ready in beforeAll. */
export interface EdgeTargets {
  readonly server: UpstashTestServer
  readonly env: EdgeWorkerEnv
}

/** Starts redis-server + bridge, the stalled server and picks a closed port; stops them in afterAll. */
export function useEdgeTargets(): () => EdgeTargets {
  const upstash = useUpstashServer()
  let stalled: StalledServer | undefined
  let targets: EdgeTargets | undefined
  beforeAll(async () => {
    stalled = await startStalledServer()
    const server = upstash()
    const env: EdgeWorkerEnv = {
      UPSTASH_URL: server.bridge.url,
      UPSTASH_TOKEN: server.bridge.token,
      CLOSED_UPSTASH_URL: `http://127.0.0.1:${await findFreePort()}`,
      STALLED_UPSTASH_URL: stalled.url,
      CACHE_PREFIX: `edge${Math.random().toString(36).slice(2, 8)}`,
      DEADLINE_MS: String(EDGE_DEADLINE_MS),
    }
    targets = { server, env }
  })
  afterAll(async () => {
    await stalled?.stop()
  })
  return () => {
    if (targets === undefined) throw new Error('the edge targets are not running')
    return targets
  }
}
