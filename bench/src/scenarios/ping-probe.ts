import { Worker } from 'node:worker_threads'

/**
 * Measures Redis PING round trips from other connections, in a worker thread, while the main
 * thread runs the operation under test: a busy main event loop then cannot inflate the figures,
 * only a busy Redis can. The worker speaks RESP over plain sockets (no client library, nothing to
 * load), pings each port in turn with ~1 ms between pings, and returns every round trip in ms.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const net = require('node:net')
const sockets = workerData.ports.map((port) => net.createConnection({ host: '127.0.0.1', port, noDelay: true }))
const samples = []
let stopping = false
function ping(socket) {
  return new Promise((resolve, reject) => {
    let received = ''
    const started = performance.now()
    const onData = (chunk) => {
      received += chunk.toString('latin1')
      if (received.includes('\\r\\n')) {
        socket.off('data', onData)
        if (!received.startsWith('+PONG')) reject(new Error('unexpected PING reply'))
        else resolve(performance.now() - started)
      }
    }
    socket.on('data', onData)
    socket.write('PING\\r\\n')
  })
}
async function main() {
  await Promise.all(sockets.map((socket) => new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })))
  parentPort.postMessage({ type: 'ready' })
  let next = 0
  while (!stopping) {
    samples.push(await ping(sockets[next++ % sockets.length]))
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  for (const socket of sockets) socket.destroy()
  parentPort.postMessage({ type: 'samples', samples })
}
parentPort.on('message', () => { stopping = true })
main().catch((error) => parentPort.postMessage({ type: 'error', message: String(error && error.message) }))
`

/** A running probe. */
export interface PingProbe {
  /** Stops pinging and resolves every round trip measured (ms). */
  stop(): Promise<number[]>
}

/**
 * Starts pinging `ports` (every master of a cluster, in turn); resolves once connected.
 *
 * @example
 * ```ts
 * const probe = await startPingProbe([port])
 * await cache.deletePattern('dp:*')
 * const roundTrips = await probe.stop()
 * ```
 */
export async function startPingProbe(ports: readonly number[]): Promise<PingProbe> {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ports: [...ports] } })
  const messages: { type: string; samples?: number[]; message?: string }[] = []
  const waiters: (() => void)[] = []
  worker.on('message', (message: { type: string }) => {
    messages.push(message)
    for (const wake of waiters.splice(0)) wake()
  })
  worker.on('error', (error) => {
    messages.push({ type: 'error', message: error.message })
    for (const wake of waiters.splice(0)) wake()
  })
  const next = async (type: string): Promise<{ samples?: number[] }> => {
    for (;;) {
      const failed = messages.find((message) => message.type === 'error')
      if (failed !== undefined) throw new Error(`PING probe failed: ${failed.message ?? 'unknown error'}`)
      const found = messages.find((message) => message.type === type)
      if (found !== undefined) return found
      await new Promise<void>((resolve) => waiters.push(resolve))
    }
  }
  try {
    await next('ready')
  } catch (error) {
    await worker.terminate()
    throw error
  }
  return {
    async stop() {
      worker.postMessage('stop')
      try {
        return (await next('samples')).samples ?? []
      } finally {
        await worker.terminate()
      }
    },
  }
}
