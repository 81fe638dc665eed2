import { EventEmitter } from 'node:events'
import type { ConnectionLike } from './call-runner.js'
import type { ClusterCommandClient, CommandClient } from './commands.js'

/** Node statuses before a connection is open: not started yet (lazy), or an attempt in flight. */
const OPENING = new Set(['wait', 'connecting', 'connect'])

/**
 * A Redis Cluster as the driver's `CallRunner` sees it: still connecting after the cluster is ready,
 * until the connections to its masters are open.
 *
 * ioredis opens a node's connection on the node's first command. ioredis 5 queued the commands
 * sent to a node while its connection was opening on that node; ioredis 6, with the cluster's
 * offline queue off (as the driver runs it), rejects them ("Connection is closed."). Without
 * this, the first burst of calls after startup failed on every master but the one that had
 * answered the cluster's ready check (measured: 2 calls in 3). So each time the cluster becomes
 * ready its masters are connected at once, and calls wait for that as they wait for the cluster,
 * within their deadline. A master whose attempt fails is waited for no longer, and the whole
 * warm-up holds calls at most `warmUpMs`.
 */
export class ClusterConnection extends EventEmitter implements ConnectionLike {
  private warming = false
  /** Bumped by each warm-up and by each cluster close: late node events of an older one are ignored. */
  private generation = 0
  private warmUpTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly cluster: ClusterCommandClient,
    private readonly warmUpMs: number,
  ) {
    super()
    cluster.on('ready', this.warmUp)
    cluster.on('close', this.onClose)
    cluster.on('end', this.onEnd)
    // A cluster handed in ready has masters whose connections may not be open yet.
    if (cluster.status === 'ready') this.warmUp()
  }

  get status(): string {
    return this.warming ? 'connect' : (this.cluster.status ?? 'ready')
  }

  connect(): Promise<void> {
    return this.cluster.connect()
  }

  private readonly warmUp = (): void => {
    const generation = ++this.generation
    const opening = this.cluster.nodes('master').filter((node) => OPENING.has(node.status ?? ''))
    if (opening.length === 0) {
      this.emit('ready')
      return
    }
    this.warming = true
    let left = opening.length
    const settled = () => {
      if (generation === this.generation && --left === 0) this.finishWarmUp()
    }
    for (const node of opening) {
      onceOpenOrFailed(node, settled)
      if (node.status === 'wait') node.connect().catch(() => undefined)
    }
    clearTimeout(this.warmUpTimer)
    this.warmUpTimer = setTimeout(this.finishWarmUp, this.warmUpMs)
  }

  private readonly finishWarmUp = (): void => {
    if (!this.warming) return
    this.warming = false
    clearTimeout(this.warmUpTimer)
    this.emit('ready')
  }

  private cancelWarmUp(): void {
    this.generation++
    this.warming = false
    clearTimeout(this.warmUpTimer)
  }

  private readonly onClose = (): void => {
    this.cancelWarmUp()
    this.emit('close')
  }

  private readonly onEnd = (): void => {
    this.cancelWarmUp()
    this.emit('end')
  }

  /** Stops listening to the cluster (which may be its owner's, handed in with `{ client }`). */
  close(): void {
    this.cancelWarmUp()
    this.cluster.off('ready', this.warmUp)
    this.cluster.off('close', this.onClose)
    this.cluster.off('end', this.onEnd)
  }
}

/** Calls `settled` once, when `node`'s connection is ready or its attempt failed. */
function onceOpenOrFailed(node: CommandClient, settled: () => void): void {
  const done = () => {
    node.off('ready', done)
    node.off('close', done)
    node.off('end', done)
    settled()
  }
  node.on('ready', done)
  node.on('close', done)
  node.on('end', done)
}
