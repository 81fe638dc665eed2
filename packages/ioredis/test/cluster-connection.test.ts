import { EventEmitter } from 'node:events'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ClusterConnection } from '../src/cluster-connection.js'
import type { ClusterCommandClient } from '../src/commands.js'

/** A node connection that only has a status and emits what ioredis emits on status changes. */
class FakeNode extends EventEmitter {
  connects = 0
  constructor(public status: string) {
    super()
  }
  connect(): Promise<void> {
    this.connects++
    this.status = 'connecting'
    return Promise.resolve()
  }
  become(status: 'ready' | 'close' | 'end'): void {
    this.status = status
    this.emit(status)
  }
}

class FakeCluster extends EventEmitter {
  status = 'connecting'
  constructor(readonly masters: FakeNode[]) {
    super()
  }
  nodes(): FakeNode[] {
    return this.masters
  }
  connect(): Promise<void> {
    return Promise.resolve()
  }
  becomeReady(): void {
    this.status = 'ready'
    this.emit('ready')
  }
}

const WARM_UP_MS = 500

function connectionOn(cluster: FakeCluster): { connection: ClusterConnection; events: string[] } {
  const connection = new ClusterConnection(cluster as unknown as ClusterCommandClient, WARM_UP_MS)
  const events: string[] = []
  for (const event of ['ready', 'close', 'end']) connection.on(event, () => events.push(event))
  return { connection, events }
}

describe('ClusterConnection: the cluster is connecting until its masters are', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('connects the lazy masters when the cluster is ready, and is ready once every one is', () => {
    const masters = [new FakeNode('ready'), new FakeNode('wait'), new FakeNode('wait')]
    const cluster = new FakeCluster(masters)
    const { connection, events } = connectionOn(cluster)
    expect(connection.status).toBe('connecting')

    cluster.becomeReady()
    expect(masters.map((node) => node.connects)).toEqual([0, 1, 1])
    expect(connection.status).toBe('connect')
    masters[1]!.become('ready')
    expect(events).toEqual([])
    masters[2]!.become('ready')
    expect(events).toEqual(['ready'])
    expect(connection.status).toBe('ready')
  })

  it('is ready at once when every master is connected already', () => {
    const cluster = new FakeCluster([new FakeNode('ready'), new FakeNode('ready')])
    const { connection, events } = connectionOn(cluster)
    cluster.becomeReady()
    expect(events).toEqual(['ready'])
    expect(connection.status).toBe('ready')
  })

  it('waits no longer for a master whose attempt failed', () => {
    const masters = [new FakeNode('wait'), new FakeNode('connecting')]
    const cluster = new FakeCluster(masters)
    const { events } = connectionOn(cluster)
    cluster.becomeReady()
    masters[0]!.become('ready')
    masters[1]!.become('close')
    expect(events).toEqual(['ready'])
  })

  it('holds calls at most warmUpMs, however long a master takes', () => {
    const cluster = new FakeCluster([new FakeNode('connect')])
    const { connection, events } = connectionOn(cluster)
    cluster.becomeReady()
    vi.advanceTimersByTime(WARM_UP_MS - 1)
    expect(connection.status).toBe('connect')
    vi.advanceTimersByTime(1)
    expect(events).toEqual(['ready'])
    expect(connection.status).toBe('ready')
    cluster.masters[0]!.become('ready')
    expect(events).toEqual(['ready'])
  })

  it('passes the cluster closing on, and a master ready afterwards does not make it ready', () => {
    const masters = [new FakeNode('wait')]
    const cluster = new FakeCluster(masters)
    const { connection, events } = connectionOn(cluster)
    cluster.becomeReady()
    cluster.status = 'reconnecting'
    cluster.emit('close')
    masters[0]!.become('ready')
    vi.advanceTimersByTime(WARM_UP_MS)
    expect(events).toEqual(['close'])
    expect(connection.status).toBe('reconnecting')
  })

  it('warms up a cluster handed in ready, and close() stops listening to it', () => {
    const masters = [new FakeNode('wait')]
    const cluster = new FakeCluster(masters)
    cluster.status = 'ready'
    const { connection, events } = connectionOn(cluster)
    expect(connection.status).toBe('connect')
    masters[0]!.become('ready')
    expect(events).toEqual(['ready'])

    connection.close()
    expect(['ready', 'close', 'end'].map((event) => cluster.listenerCount(event))).toEqual([0, 0, 0])
  })
})
