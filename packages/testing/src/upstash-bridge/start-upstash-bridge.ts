import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { timingSafeEqual } from 'node:crypto'
import { resolveBridgeOptions, type UpstashBridgeOptions } from './bridge-options.js'
import { RespConnection, type RedisEndpoint } from './resp-connection.js'
import { SseSubscription } from './sse-subscription.js'
import {
  BadRequestError,
  encodeEntry,
  encodeResult,
  parseCommand,
  parseCommandList,
  parseJsonBody,
} from './wire-json.js'

/** A running bridge. */
export interface UpstashBridge {
  /** Base URL to give `@upstash/redis` (`http://127.0.0.1:<port>`). */
  readonly url: string
  /** The bearer token the bridge accepts. */
  readonly token: string
  /**
   * Closes open subscriptions, the HTTP server and the Redis connections. Idempotent.
   *
   * @example
   * ```ts
   * afterAll(() => bridge.stop()) // then stop the redis-server behind it
   * ```
   */
  stop(): Promise<void>
}

const MAX_BODY_BYTES = 64 * 1024 * 1024

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
  response.end(text)
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(new BadRequestError('ERR max request size exceeded'))
        request.destroy()
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })
}

function tokenMatches(request: IncomingMessage, url: URL, expected: Buffer): boolean {
  const header = request.headers.authorization
  const given = header?.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('_token')
  if (given === null || given === undefined) return false
  const givenBytes = Buffer.from(given, 'utf8')
  return givenBytes.length === expected.length && timingSafeEqual(givenBytes, expected)
}

/**
 * Starts an HTTP server on a free loopback port that speaks the Upstash REST protocol in front
 * of a real redis-server, so the official `@upstash/redis` client can be tested over real HTTP:
 * `POST /` (one command), `POST /pipeline`, `POST /multi-exec`, `POST /subscribe/<channel>`
 * (server-sent events), bearer token (401 without it, or `?_token=`), and
 * `Upstash-Encoding: base64`. Wire details, each checked against the client's source:
 * - a Redis error answers HTTP 400 `{ error }` on `/`; inside `/pipeline` and `/multi-exec` it is
 *   an `{ error }` entry of a 200 array; a transaction refused at queue time (EXECABORT) is one
 *   HTTP 400 `{ error }`;
 * - with base64, every bulk and status string is base64, recursively in arrays, integers and nil
 *   untouched, except a top-level status `OK`, sent plain (as Upstash documents);
 * - without base64, bytes that are not UTF-8 become U+FFFD (as Upstash documents).
 * Not implemented, because `@upstash/redis` never uses them: path-style commands
 * (`GET /set/k/v`), `/psubscribe`, `/monitor`, RESP2 responses. Commands that would change or
 * block the shared connection (MULTI, SUBSCRIBE, SELECT, BLPOP...) answer 400.
 *
 * @example
 * ```ts
 * import { Redis } from '@upstash/redis'
 * import { startUpstashBridge } from '@cachette/testing'
 *
 * const bridge = await startUpstashBridge({ redisUrl: 'redis://127.0.0.1:6399' })
 * const redis = new Redis({ url: bridge.url, token: bridge.token, automaticDeserialization: false })
 * await redis.set('k', '123')
 * await redis.get('k') // '123'
 * await bridge.stop()
 * ```
 */
export async function startUpstashBridge(options: UpstashBridgeOptions): Promise<UpstashBridge> {
  const { endpoint, token } = resolveBridgeOptions(options)
  const expectedToken = Buffer.from(token, 'utf8')
  const subscriptions = new Set<SseSubscription>()
  let shared: Promise<RespConnection> | undefined
  let stopped = false

  // One shared connection for commands, reopened after redis-server went away.
  const commandConnection = async (): Promise<RespConnection> => {
    const current = shared
    if (current !== undefined) {
      const connection = await current.catch(() => undefined)
      if (connection?.alive === true) return connection
      // Another request already replaced the dead connection: use that one.
      if (shared !== current) return commandConnection()
    }
    shared = RespConnection.open(endpoint)
    return shared
  }

  const run = async (commands: Buffer[][]) => (await commandConnection()).send(commands)

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://bridge.invalid')
    if (request.method !== 'POST') {
      sendJson(response, 405, { error: 'ERR only POST is supported by this bridge' })
      return
    }
    if (!tokenMatches(request, url, expectedToken)) {
      sendJson(response, 401, { error: 'Unauthorized: missing or invalid bearer token' })
      return
    }
    const base64 = String(request.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64'
    const path = url.pathname

    if (path.startsWith('/subscribe/')) {
      request.resume()
      let channel: string
      try {
        channel = decodeURIComponent(path.slice('/subscribe/'.length))
      } catch {
        sendJson(response, 400, { error: 'ERR the channel is not a valid percent-encoded path' })
        return
      }
      const subscription = new SseSubscription(response, channel, (s) => subscriptions.delete(s))
      subscriptions.add(subscription)
      await subscription.start(endpoint)
      return
    }

    const body = parseJsonBody(await readBody(request))
    if (path === '/') {
      const [reply] = await run([parseCommand(body)])
      if (reply === undefined) throw new Error('redis-server sent no reply')
      if (reply.kind === 'error') sendJson(response, 400, { error: reply.message })
      else sendJson(response, 200, { result: encodeResult(reply, base64) })
    } else if (path === '/pipeline') {
      const replies = await run(parseCommandList(body))
      sendJson(response, 200, replies.map((reply) => encodeEntry(reply, base64)))
    } else if (path === '/multi-exec') {
      const commands = parseCommandList(body)
      const replies = await run([[Buffer.from('MULTI')], ...commands, [Buffer.from('EXEC')]])
      const exec = replies[replies.length - 1]
      // A command refused at queue time discards the whole transaction (EXECABORT): Upstash
      // answers with one { error }, not an array.
      if (exec === undefined || exec.kind === 'error' || exec.kind !== 'array' || exec.value === null) {
        const queueError = replies.find((reply) => reply.kind === 'error')
        const message = exec?.kind === 'error' ? exec.message : 'EXECABORT Transaction discarded'
        const detail = queueError?.kind === 'error' && queueError !== exec ? ` (${queueError.message})` : ''
        sendJson(response, 400, { error: `${message}${detail}` })
        return
      }
      sendJson(response, 200, exec.value.map((reply) => encodeEntry(reply, base64)))
    } else {
      sendJson(response, 404, { error: 'ERR unknown endpoint' })
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy()
        return
      }
      if (error instanceof BadRequestError) sendJson(response, 400, { error: error.message })
      else sendJson(response, 500, { error: 'ERR the bridge could not reach redis-server' })
    })
  })
  server.keepAliveTimeout = 5_000

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    async stop() {
      if (stopped) return
      stopped = true
      for (const subscription of [...subscriptions]) subscription.end()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
      const connection = await shared?.catch(() => undefined)
      connection?.close()
    },
  }
}

export type { RedisEndpoint }
