import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { RefusedRequestError } from './bridge-errors.js'
import { resolveBridgeOptions, type UpstashBridgeOptions } from './bridge-options.js'
import { BridgeStoppedError, CommandRunner } from './command-runner.js'
import { answerCommands, COMMAND_PATHS } from './command-endpoints.js'
import { readBody, sendJson, tokenMatches } from './http-io.js'
import { ReplyTooLargeError, type RedisEndpoint } from './resp-connection.js'
import { SseSubscription } from './sse-subscription.js'

/** A running bridge. */
export interface UpstashBridge {
  /** Base URL to give `@upstash/redis` (`http://127.0.0.1:<port>`). */
  readonly url: string
  /** The bearer token the bridge accepts. */
  readonly token: string
  /**
   * Ends every subscription stream, closes every HTTP connection (idle keep-alive ones and those
   * with a request in flight, which answer nothing more) and every Redis connection, those still
   * opening included, so nothing of the bridge keeps the process alive. Idempotent: a second
   * call returns the first call's promise.
   *
   * @example
   * ```ts
   * afterAll(() => bridge.stop()) // then stop the redis-server behind it
   * process.once('SIGTERM', () => void bridge.stop()) // the process exits once the bridge is closed
   * ```
   */
  stop(): Promise<void>
}

/** The answer to a request that failed: its own 4xx, or 500 / 503 when the bridge could not serve it. */
function answerFailure(response: ServerResponse, error: unknown, maxReplyBytes: number): void {
  if (error instanceof RefusedRequestError) {
    // After a 413 the body may be unread: the connection cannot carry another request.
    sendJson(response, error.status, { error: error.message }, error.status === 413)
  } else if (error instanceof ReplyTooLargeError) {
    sendJson(response, 400, {
      error: `ERR max response size exceeded: the replies passed the bridge's maxReplyBytes (${maxReplyBytes}); the commands did run`,
    })
  } else if (error instanceof BridgeStoppedError) {
    sendJson(response, 503, { error: 'ERR the Upstash bridge is stopping' }, true)
  } else {
    sendJson(response, 500, { error: 'ERR the bridge could not reach redis-server' })
  }
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
 * (`GET /set/k/v`), `/psubscribe`, `/monitor`, RESP2 responses.
 *
 * Requests run one after the other on one shared Redis connection. Commands that would change
 * or block it, or change redis-server for its other clients (CLIENT, SUBSCRIBE, MULTI, SELECT,
 * BLPOP, CONFIG, FLUSHDB unless `allowFlush`...; see refused-commands.ts) answer 400. What one
 * client may make the bridge hold is bounded (the `max…` options): past a limit it gets
 * `{ error }` with a 4xx status, and other clients are served as before.
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
  const { endpoint, token, allowFlush, limits } = resolveBridgeOptions(options)
  const expectedToken = Buffer.from(token, 'utf8')
  const subscriptions = new Set<SseSubscription>()
  const runner = new CommandRunner(endpoint, limits.maxReplyBytes)
  const context = { runner, allowFlush, maxCommandsPerRequest: limits.maxCommandsPerRequest }
  let stopping: Promise<void> | undefined

  const subscribe = async (path: string, response: ServerResponse): Promise<void> => {
    let channel: string
    try {
      channel = decodeURIComponent(path.slice('/subscribe/'.length))
    } catch {
      sendJson(response, 400, { error: 'ERR the channel is not a valid percent-encoded path' })
      return
    }
    // Each stream holds a Redis connection of its own.
    if (subscriptions.size >= limits.maxSubscriptions) {
      sendJson(response, 429, {
        error: `ERR too many subscriptions: the bridge's maxSubscriptions (${limits.maxSubscriptions}) are open; end one first`,
      })
      return
    }
    const subscription = new SseSubscription(response, channel, (s) => subscriptions.delete(s))
    subscriptions.add(subscription)
    await subscription.start(endpoint)
  }

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
    if (stopping !== undefined) throw new BridgeStoppedError()
    const path = url.pathname
    if (path.startsWith('/subscribe/')) {
      request.resume()
      await subscribe(path, response)
      return
    }
    if (!COMMAND_PATHS.has(path)) {
      request.resume()
      sendJson(response, 404, { error: 'ERR unknown endpoint' })
      return
    }
    const body = await readBody(request, limits.maxBodyBytes)
    const base64 = String(request.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64'
    await answerCommands(path, body, base64, context, response)
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) response.destroy()
      else answerFailure(response, error, limits.maxReplyBytes)
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

  const stop = async (): Promise<void> => {
    for (const subscription of [...subscriptions]) subscription.end()
    runner.close()
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    // Idle keep-alive sockets, ended SSE streams, requests in flight: all of them, now.
    server.closeAllConnections()
    await closed
  }

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    stop() {
      stopping ??= stop()
      return stopping
    },
  }
}

export type { RedisEndpoint }
