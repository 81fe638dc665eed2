import { connect, type Socket } from 'node:net'
import { encodeCommand, RespParser, type RespReply } from './resp-parser.js'

/** Where the bridge finds its redis-server. */
export interface RedisEndpoint {
  readonly host: string
  readonly port: number
  readonly password?: string
  readonly username?: string
  readonly db?: number
}

/** A batch's replies passed the byte limit it was sent with; the connection was dropped. */
export class ReplyTooLargeError extends Error {
  constructor(readonly maxReplyBytes: number) {
    super(`the replies passed ${maxReplyBytes} bytes`)
  }
}

interface PendingBatch {
  readonly count: number
  readonly maxReplyBytes: number
  /** Bytes received while this batch was the oldest waiting for replies. */
  receivedBytes: number
  readonly replies: RespReply[]
  readonly resolve: (replies: RespReply[]) => void
  readonly reject: (error: Error) => void
}

/**
 * One TCP connection to redis-server. Commands are written whole, one request's commands in a
 * single write, so a MULTI ... EXEC sent by one HTTP request is never interleaved with another
 * request's commands on the same connection. In pub/sub mode every reply goes to `onPush`.
 */
export class RespConnection {
  private readonly parser = new RespParser()
  private readonly pending: PendingBatch[] = []
  private closedError: Error | undefined
  private onPush: ((reply: RespReply) => void) | undefined
  /** Called once when the socket closes or fails, whoever closed it. */
  onClose: ((error: Error) => void) | undefined

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('error', (error) => this.fail(error))
    socket.on('close', () => this.fail(new Error('connection to redis-server closed')))
  }

  /**
   * Opens a connection and authenticates / selects the database when the endpoint says so.
   * `signal` aborts the attempt at any point, the socket with it: a bridge stopped while
   * redis-server is frozen must not keep a half-open connection (and its process) alive.
   */
  static async open(endpoint: RedisEndpoint, signal?: AbortSignal): Promise<RespConnection> {
    signal?.throwIfAborted()
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: endpoint.host, port: endpoint.port })
      s.setNoDelay(true)
      const abort = () => {
        s.destroy()
        reject(signal?.reason as Error)
      }
      signal?.addEventListener('abort', abort, { once: true })
      s.once('connect', () => {
        signal?.removeEventListener('abort', abort)
        s.off('error', reject)
        resolve(s)
      })
      s.once('error', (error) => {
        signal?.removeEventListener('abort', abort)
        reject(error)
      })
    })
    const connection = new RespConnection(socket)
    if (signal?.aborted === true) {
      connection.fail(signal.reason as Error)
      throw signal.reason
    }
    const abort = () => connection.fail(signal?.reason as Error)
    signal?.addEventListener('abort', abort, { once: true })
    try {
      await connection.setUp(endpoint)
    } finally {
      signal?.removeEventListener('abort', abort)
    }
    return connection
  }

  private async setUp(endpoint: RedisEndpoint): Promise<void> {
    const setup: Buffer[][] = []
    if (endpoint.password !== undefined) {
      setup.push(
        endpoint.username === undefined
          ? [Buffer.from('AUTH'), Buffer.from(endpoint.password)]
          : [Buffer.from('AUTH'), Buffer.from(endpoint.username), Buffer.from(endpoint.password)],
      )
    }
    if (endpoint.db !== undefined && endpoint.db !== 0) setup.push([Buffer.from('SELECT'), Buffer.from(String(endpoint.db))])
    if (setup.length > 0) {
      const replies = await this.send(setup)
      const failed = replies.find((reply) => reply.kind === 'error')
      if (failed !== undefined && failed.kind === 'error') {
        this.close()
        throw new Error(`redis-server refused the bridge's connection setup: ${failed.message}`)
      }
    }
  }

  /** True while the socket is usable. */
  get alive(): boolean {
    return this.closedError === undefined
  }

  /** Sends commands in one write; resolves their replies in order. See {@link sendEncoded}. */
  send(commands: readonly (readonly Buffer[])[], maxReplyBytes = Number.POSITIVE_INFINITY): Promise<RespReply[]> {
    return this.sendEncoded(Buffer.concat(commands.map((args) => encodeCommand(args))), commands.length, maxReplyBytes)
  }

  /**
   * Writes `count` commands already encoded as RESP; resolves their replies in order. Past
   * `maxReplyBytes` received for this batch, the connection is dropped (redis-server frees what
   * it still had to send) and every pending batch rejects, this one with a
   * {@link ReplyTooLargeError}: send one batch at a time when others must not suffer from it.
   */
  sendEncoded(payload: Buffer, count: number, maxReplyBytes = Number.POSITIVE_INFINITY): Promise<RespReply[]> {
    if (this.closedError !== undefined) return Promise.reject(this.closedError)
    if (count === 0) return Promise.resolve([])
    return new Promise<RespReply[]>((resolve, reject) => {
      this.pending.push({ count, maxReplyBytes, receivedBytes: 0, replies: [], resolve, reject })
      this.socket.write(payload)
    })
  }

  /**
   * Switches to pub/sub mode: sends the command (SUBSCRIBE ...) and from then on hands every
   * reply, the subscription confirmation included, to `onPush`.
   */
  subscribe(command: readonly Buffer[], onPush: (reply: RespReply) => void): void {
    this.onPush = onPush
    this.socket.write(encodeCommand(command))
  }

  /** Closes the socket; pending commands reject. Idempotent. */
  close(): void {
    this.fail(new Error('connection to redis-server closed by the bridge'))
  }

  private receive(chunk: Buffer): void {
    const oldest = this.pending[0]
    if (oldest !== undefined && this.onPush === undefined) {
      oldest.receivedBytes += chunk.length
      if (oldest.receivedBytes > oldest.maxReplyBytes) {
        this.pending.shift()
        oldest.reject(new ReplyTooLargeError(oldest.maxReplyBytes))
        this.fail(new Error('connection to redis-server dropped: a reply passed the limit'))
        return
      }
    }
    let replies: RespReply[]
    try {
      replies = this.parser.push(chunk)
    } catch (error) {
      this.fail(error as Error)
      return
    }
    for (const reply of replies) {
      if (this.onPush !== undefined) {
        this.onPush(reply)
        continue
      }
      const head = this.pending[0]
      if (head === undefined) continue
      head.replies.push(reply)
      if (head.replies.length === head.count) {
        this.pending.shift()
        // What the chunk held past this batch's replies belongs to the next one.
        const next = this.pending[0]
        if (next !== undefined) next.receivedBytes = 0
        head.resolve(head.replies)
      }
    }
  }

  /** Closes the socket and rejects every pending batch with `error`. Idempotent. */
  private fail(error: Error): void {
    if (this.closedError !== undefined) return
    this.closedError = error
    this.socket.destroy()
    for (const batch of this.pending.splice(0)) batch.reject(error)
    this.onClose?.(error)
  }
}
