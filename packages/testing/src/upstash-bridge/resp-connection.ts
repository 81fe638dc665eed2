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

interface PendingBatch {
  readonly count: number
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

  /** Opens a connection and authenticates / selects the database when the endpoint says so. */
  static async open(endpoint: RedisEndpoint): Promise<RespConnection> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: endpoint.host, port: endpoint.port })
      s.setNoDelay(true)
      s.once('connect', () => {
        s.off('error', reject)
        resolve(s)
      })
      s.once('error', reject)
    })
    const connection = new RespConnection(socket)
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
      const replies = await connection.send(setup)
      const failed = replies.find((reply) => reply.kind === 'error')
      if (failed !== undefined && failed.kind === 'error') {
        connection.close()
        throw new Error(`redis-server refused the bridge's connection setup: ${failed.message}`)
      }
    }
    return connection
  }

  /** True while the socket is usable. */
  get alive(): boolean {
    return this.closedError === undefined
  }

  /** Sends commands in one write; resolves their replies in order. */
  send(commands: readonly (readonly Buffer[])[]): Promise<RespReply[]> {
    if (this.closedError !== undefined) return Promise.reject(this.closedError)
    if (commands.length === 0) return Promise.resolve([])
    return new Promise<RespReply[]>((resolve, reject) => {
      this.pending.push({ count: commands.length, replies: [], resolve, reject })
      this.socket.write(Buffer.concat(commands.map((args) => encodeCommand(args))))
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
        head.resolve(head.replies)
      }
    }
  }

  private fail(error: Error): void {
    if (this.closedError !== undefined) return
    this.closedError = error
    this.socket.destroy()
    for (const batch of this.pending.splice(0)) batch.reject(error)
    this.onClose?.(error)
  }
}
