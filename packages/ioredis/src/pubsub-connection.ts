import type { EventEmitter } from 'node:events'
import type { CommandClient } from './commands.js'

/*
 * Whether the subscriber connection still holds the driver's subscriptions.
 *
 * Standalone and Sentinel: the duplicated `Redis` reconnects by itself and, with
 * `autoResubscribe`, sends SUBSCRIBE for every channel from its ready handler. Its 'ready' event
 * fires right after that SUBSCRIBE was written, not once Redis acknowledged it (ioredis 5.9 and
 * 6.1, redis/event_handler.js). So after a loss, 'ready' is not enough: the watcher sends its own
 * SUBSCRIBE for every channel (Redis answers a repeated SUBSCRIBE without a second delivery) and
 * reports the connection back only once Redis acknowledged it.
 *
 * Cluster: the duplicated `Cluster` subscribes through one plain `Redis` connection to a node,
 * made by its ClusterSubscriber with no retry strategy. When that connection ends (a killed
 * client, a node gone), the ClusterSubscriber makes a new connection to a random node and
 * re-subscribes there; the Cluster itself emits nothing. So the watcher follows the current
 * subscriber node connection (`cluster.subscriber.getInstance()`, unchanged in ioredis 5.9 and
 * 6.1), re-read each time the previous one ends and each time the cluster becomes ready.
 */

/** How long to wait before re-subscribing again after a re-subscribe failed on a live connection. */
const RETRY_MS = 200

interface NodeConnection extends EventEmitter {
  readonly status?: string
}

/** The ClusterSubscriber of an ioredis Cluster (not in its public types). */
function clusterSubscriberNode(cluster: CommandClient): NodeConnection | undefined {
  const subscriber = (cluster as unknown as { subscriber?: { getInstance?: () => NodeConnection | null } }).subscriber
  return subscriber?.getInstance?.() ?? undefined
}

/** Watches one subscriber client; tells `notify(false)` on a loss and `notify(true)` once re-subscribed. */
export class SubscriberConnection {
  /** 'up': no known loss. 'down': lost, not yet re-subscribed. 'restoring': re-subscribe in flight. */
  private state: 'up' | 'down' | 'restoring' = 'up'
  /** Bumped by each loss: a re-subscribe started before it does not report the connection back. */
  private generation = 0
  private restoring: Promise<void> | undefined
  private retryTimer: NodeJS.Timeout | undefined
  /** Cluster: the subscriber node connection followed. Standalone: the client itself. */
  private node: NodeConnection | undefined
  private stopped = false

  constructor(
    private readonly client: CommandClient,
    private readonly resubscribe: () => Promise<void>,
    private readonly notify: (connected: boolean) => void,
  ) {
    client.on('close', this.lost)
    client.on('end', this.lost)
    if (client.isCluster === true) {
      client.on('ready', this.follow)
      client.on('+node', this.follow)
      this.follow()
    } else {
      this.node = client
      client.on('ready', this.restore)
    }
  }

  /** True unless the connection was lost and is not subscribed again yet. */
  get up(): boolean {
    return this.state === 'up'
  }

  /** Settles once a re-subscribe in flight is over (at once when there is none). */
  async settled(): Promise<void> {
    await this.restoring
  }

  private readonly lost = (): void => {
    if (this.stopped) return
    this.generation++
    clearTimeout(this.retryTimer)
    const wasUp = this.state === 'up'
    this.state = 'down'
    // 'restoring' already told false.
    if (wasUp) this.notify(false)
  }

  private readonly nodeEnded = (): void => {
    this.lost()
    this.follow()
  }

  /** Cluster: starts watching the current subscriber node connection, when it changed. */
  private readonly follow = (): void => {
    if (this.stopped) return
    const node = clusterSubscriberNode(this.client)
    if (node !== this.node) {
      this.detachNode()
      this.node = node
      node?.on('close', this.lost)
      node?.on('end', this.nodeEnded)
      node?.on('ready', this.restore)
    }
    // Its 'ready' may have fired already (the cluster came back with the same node connection).
    if (node?.status === 'ready') this.restore()
  }

  private detachNode(): void {
    if (this.node === undefined || this.node === this.client) return
    this.node.off('close', this.lost)
    this.node.off('end', this.nodeEnded)
    this.node.off('ready', this.restore)
  }

  private readonly restore = (): void => {
    if (this.stopped || this.state !== 'down') return
    this.state = 'restoring'
    const generation = this.generation
    const attempt = this.resubscribe().then(
      () => {
        if (generation !== this.generation || this.stopped) return
        this.state = 'up'
        this.notify(true)
      },
      () => {
        if (generation !== this.generation || this.stopped) return
        // The connection is still there (a loss bumps the generation) but the re-subscribe
        // failed (its deadline, a cluster without a subscriber node yet): try again.
        this.state = 'down'
        this.retryTimer = setTimeout(() => {
          if (this.node?.status === 'ready') this.restore()
        }, RETRY_MS)
        this.retryTimer.unref()
      },
    )
    this.restoring = attempt
    void attempt.finally(() => {
      if (this.restoring === attempt) this.restoring = undefined
    })
  }

  /** Stops watching: nothing is told afterwards. */
  stop(): void {
    this.stopped = true
    clearTimeout(this.retryTimer)
    this.detachNode()
    this.client.off('close', this.lost)
    this.client.off('end', this.lost)
    this.client.off('ready', this.follow)
    this.client.off('+node', this.follow)
    this.client.off('ready', this.restore)
  }
}
