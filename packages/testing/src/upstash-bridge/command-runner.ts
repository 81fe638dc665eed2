import { RespConnection, type RedisEndpoint } from './resp-connection.js'
import type { RespReply } from './resp-parser.js'

/** The bridge was stopped; nothing more runs. */
export class BridgeStoppedError extends Error {
  constructor() {
    super('the Upstash bridge was stopped')
  }
}

/**
 * Runs each request's commands on one shared connection to redis-server, one request at a
 * time: the next request's commands are written once the previous request's replies are all in.
 * That costs a loopback round trip per request under concurrency, and buys isolation: a request
 * whose replies pass `maxReplyBytes` has the connection to itself when it is dropped, so no
 * other request loses its answer, and requests queued behind it run on a fresh connection.
 */
export class CommandRunner {
  private connection: RespConnection | undefined
  private tail: Promise<unknown> = Promise.resolve()
  private readonly stopping = new AbortController()

  constructor(
    private readonly endpoint: RedisEndpoint,
    private readonly maxReplyBytes: number,
  ) {}

  /** Runs one request's `count` commands, encoded as RESP, once the requests before it are done. */
  run(payload: Buffer, count: number): Promise<RespReply[]> {
    const result = this.tail.then(() => this.runNow(payload, count))
    this.tail = result.catch(() => undefined)
    return result
  }

  /** Aborts a connection being opened, closes the open one; queued and later requests reject. */
  close(): void {
    this.stopping.abort(new BridgeStoppedError())
    this.connection?.close()
  }

  private async runNow(payload: Buffer, count: number): Promise<RespReply[]> {
    if (this.stopping.signal.aborted) throw new BridgeStoppedError()
    // Reopened after redis-server went away, or after a reply passed the limit.
    if (this.connection?.alive !== true) this.connection = await RespConnection.open(this.endpoint, this.stopping.signal)
    return this.connection.sendEncoded(payload, count, this.maxReplyBytes)
  }
}
