import { connect, createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startChaosProxy, type ChaosProxy } from '../src/index.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A line-echo server: what a request/response protocol looks like to the proxy. */
let echo: Server
let echoPort: number
beforeAll(async () => {
  echo = createServer((socket) => socket.on('data', (data) => socket.write(data)).on('error', () => undefined))
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))
  echoPort = (echo.address() as AddressInfo).port
})
afterAll(() => new Promise<void>((resolve) => echo.close(() => resolve())))

/** A client that collects everything it receives. */
async function client(proxy: ChaosProxy): Promise<{ socket: Socket; received: () => string; errors: string[] }> {
  const socket = connect({ host: '127.0.0.1', port: proxy.port })
  let text = ''
  const errors: string[] = []
  socket.on('data', (data) => (text += data.toString()))
  socket.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message))
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  return { socket, received: () => text, errors }
}

async function withProxy(run: (proxy: ChaosProxy) => Promise<void>): Promise<void> {
  const proxy = await startChaosProxy({ target: { host: '127.0.0.1', port: echoPort } })
  try {
    await run(proxy)
  } finally {
    await proxy.stop()
  }
}

describe('chaos proxy', () => {
  it('forwards bytes both ways', () =>
    withProxy(async (proxy) => {
      const { socket, received } = await client(proxy)
      socket.write('ping\n')
      await expect.poll(received).toBe('ping\n')
      expect(proxy.connections).toBe(1)
      socket.destroy()
    }))

  it('adds latency to each direction and keeps the stream in order under jitter', () =>
    withProxy(async (proxy) => {
      proxy.setLatency(40, 30)
      const { socket, received } = await client(proxy)
      const started = performance.now()
      const expected = Array.from({ length: 50 }, (_, i) => `${i};`).join('')
      for (let i = 0; i < 50; i++) socket.write(`${i};`)
      await expect.poll(received, { timeout: 5_000 }).toBe(expected)
      // A lower bound only: the bytes cannot arrive before two one-way delays.
      expect(performance.now() - started).toBeGreaterThanOrEqual(79)
      socket.destroy()
    }))

  it('a partition holds traffic, then delivers all of it, in order, on heal', () =>
    withProxy(async (proxy) => {
      const { socket, received } = await client(proxy)
      proxy.partition()
      socket.write('a;')
      socket.write('b;')
      await sleep(80)
      expect(received()).toBe('')
      await proxy.heal()
      await expect.poll(received).toBe('a;b;')
      socket.destroy()
    }))

  it('a connection opened during a partition is held too, and works after the heal', () =>
    withProxy(async (proxy) => {
      proxy.partition()
      const { socket, received } = await client(proxy)
      socket.write('late;')
      await sleep(50)
      expect(received()).toBe('')
      await proxy.heal()
      await expect.poll(received).toBe('late;')
      socket.destroy()
    }))

  it('reset() resets open connections; new ones still work', () =>
    withProxy(async (proxy) => {
      const first = await client(proxy)
      proxy.reset()
      await expect.poll(() => first.errors).toContain('ECONNRESET')
      const second = await client(proxy)
      second.socket.write('again;')
      await expect.poll(second.received).toBe('again;')
      second.socket.destroy()
    }))

  it('refuse() makes new connections fail with ECONNREFUSED until heal()', () =>
    withProxy(async (proxy) => {
      await proxy.refuse()
      await expect(client(proxy)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
      await proxy.heal()
      const { socket, received } = await client(proxy)
      socket.write('back;')
      await expect.poll(received).toBe('back;')
      socket.destroy()
    }))

  it('refuses a target outside loopback', async () => {
    await expect(startChaosProxy({ target: { host: '10.0.0.1', port: 6379 } })).rejects.toThrow(/loopback/)
  })
})
