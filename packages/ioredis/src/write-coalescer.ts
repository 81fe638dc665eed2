/**
 * Write coalescing. ioredis writes every command to its socket at once, one `write` system call
 * per command. When a request handler fans out (a page of 100 patients, `Promise.all` over
 * entries), those system calls cost more client CPU than everything else a hit does (measured in
 * docs/benchmarks.md: about 9 µs each on the bench machine, out of 20 µs per call).
 *
 * The first command of an event-loop turn is written at once, exactly as before: a lone call
 * waits for nothing. From the second command of the same turn on, the sockets are corked, and a
 * `process.nextTick` uncorks them when the turn's synchronous code and promise reactions are
 * done: the turn's commands leave in one `writev`, in the order they were issued. Nothing waits
 * for a timer or for the next turn of the event loop, unlike ioredis' `enableAutoPipelining`
 * (which defers every command, a lone one too, to `setImmediate`).
 */

import type { ClusterCommandClient, CommandClient } from './commands.js'

/** The part of a socket (net.Socket, tls.TLSSocket) that coalescing uses. */
export interface CorkableSocket {
  cork(): void
  uncork(): void
}

/** Where the driver's sockets are: the client's one socket, or every node's on a cluster. */
export type SocketSource = () => Iterable<CorkableSocket | undefined>

/** The socket of a connection, when it has one (ioredis-mock and a client not connected yet have none). */
function socketOf(connection: CommandClient): CorkableSocket | undefined {
  return (connection as { stream?: CorkableSocket }).stream
}

/** Every socket commands may go to: the client's, or each cluster node's. */
export function socketsOf(client: CommandClient, cluster: ClusterCommandClient | undefined): SocketSource {
  if (cluster === undefined) return () => [socketOf(client)]
  return () => cluster.nodes('all').map(socketOf)
}

function isCorkable(socket: CorkableSocket | undefined): socket is CorkableSocket {
  return socket !== undefined && typeof socket.cork === 'function' && typeof socket.uncork === 'function'
}

/** Coalesces the commands of one event-loop turn into one write per socket. */
export class WriteCoalescer {
  private inTurn = false
  private corkedThisTurn = false
  private corked: CorkableSocket[] = []

  constructor(private readonly sockets: SocketSource) {}

  /**
   * Call right before a command is handed to ioredis.
   *
   * @example
   * ```ts
   * coalescer.beforeWrite()
   * return client.get(key)
   * ```
   */
  beforeWrite(): void {
    if (!this.inTurn) {
      this.inTurn = true
      process.nextTick(this.endTurn)
      return
    }
    if (this.corkedThisTurn) return
    this.corkedThisTurn = true
    for (const socket of this.sockets()) {
      if (!isCorkable(socket)) continue
      socket.cork()
      this.corked.push(socket)
    }
  }

  /**
   * Uncorks at once what this turn corked (the driver calls it on close, so nothing stays
   * buffered). Uncorking a socket that was destroyed meanwhile does nothing.
   */
  readonly endTurn = (): void => {
    this.inTurn = false
    this.corkedThisTurn = false
    if (this.corked.length === 0) return
    const corked = this.corked
    this.corked = []
    for (const socket of corked) socket.uncork()
  }
}
