import type { ServerResponse } from 'node:http'
import { sendJson } from './http-io.js'
import { RespConnection, type RedisEndpoint } from './resp-connection.js'
import type { RespReply } from './resp-parser.js'

/**
 * `POST /subscribe/<channel>` as server-sent events, the way `@upstash/redis` 1.39 reads them:
 * the client splits the stream on "\n", takes every line that starts with `data: `, and splits
 * it at the first two commas into `type,channel,payload`. Events are therefore
 *
 *   data: subscribe,<channel>,<count>
 *   data: message,<channel>,<payload>
 *
 * Payloads are UTF-8 text (SSE cannot carry arbitrary bytes; nothing is base64-encoded here,
 * whatever `Upstash-Encoding` says, because the client does not decode event data). A payload
 * with line breaks is framed as the SSE standard says (one `data:` line per line); the 1.39
 * client delivers only its first line, a limit of the client, not of this bridge.
 */
export class SseSubscription {
  private connection: RespConnection | undefined
  /** Aborts the connection while it opens, when the stream ends first. */
  private readonly opening = new AbortController()
  private ended = false

  constructor(
    private readonly response: ServerResponse,
    private readonly channel: string,
    private readonly onEnd: (subscription: SseSubscription) => void,
  ) {}

  /** Subscribes on a dedicated connection; answers 200 + the `subscribe` event once Redis confirms. */
  async start(endpoint: RedisEndpoint): Promise<void> {
    // Not request 'close': that fires as soon as the (empty) body was read.
    this.response.on('close', () => this.end())
    try {
      this.connection = await RespConnection.open(endpoint, this.opening.signal)
    } catch {
      this.fail(503, 'ERR the bridge could not reach redis-server')
      return
    }
    if (this.ended) {
      this.connection.close()
      return
    }
    this.connection.onClose = () => this.end()
    this.connection.subscribe([Buffer.from('SUBSCRIBE'), Buffer.from(this.channel, 'utf8')], (reply) => this.push(reply))
  }

  /** Ends the stream and the Redis connection, even one still opening. Idempotent. */
  end(): void {
    if (this.ended) return
    this.ended = true
    this.opening.abort()
    this.connection?.close()
    // Ended before Redis confirmed (the bridge stopped, Redis went away): an error, not an empty 200.
    if (!this.response.headersSent && !this.response.destroyed) {
      sendJson(this.response, 503, { error: 'ERR the subscription ended before redis-server confirmed it' })
    } else if (!this.response.writableEnded) {
      this.response.end()
    }
    this.onEnd(this)
  }

  private fail(status: number, message: string): void {
    if (!this.ended && !this.response.headersSent) sendJson(this.response, status, { error: message })
    this.end()
  }

  private push(reply: RespReply): void {
    if (this.ended) return
    if (reply.kind === 'error') {
      this.fail(400, reply.message)
      return
    }
    if (reply.kind !== 'array' || reply.value === null) return
    const [type, , third] = reply.value
    if (type?.kind !== 'bulk' || type.value === null) return
    const kind = type.value.toString('utf8')
    if (kind === 'subscribe' && third?.kind === 'integer') {
      this.response.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
      })
      this.response.write(`data: subscribe,${this.channel},${third.value}\n\n`)
    } else if (kind === 'message' && third?.kind === 'bulk' && third.value !== null) {
      const lines = third.value.toString('utf8').split(/\r\n|\r|\n/)
      this.response.write(`data: message,${this.channel},${lines.join('\ndata: ')}\n\n`)
    }
  }
}
