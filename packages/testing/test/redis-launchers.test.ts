import { afterAll, describe, expect, it, vi } from 'vitest'
import { createTlsCertificates, startRedisCluster, startRedisSentinel, startRedisServer } from '../src/index.js'
import { RespError, parseInfoFields, sendRedisCommand } from '../src/redis/resp.js'

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function waitUntilGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && processExists(pid); i++) await new Promise((resolve) => setTimeout(resolve, 20))
  return !processExists(pid)
}

describe('startRedisServer', () => {
  it('starts on a free loopback port, answers PING and stops by PID', async () => {
    const server = await startRedisServer()
    try {
      expect(server.host).toBe('127.0.0.1')
      expect(server.port).not.toBe(6379)
      expect(server.url).toBe(`redis://127.0.0.1:${server.port}`)
      expect(await sendRedisCommand(server.port, ['PING'])).toBe('PONG')
      const config = await sendRedisCommand(server.port, ['CONFIG', 'GET', 'save'])
      expect(config).toEqual(['save', ''])
    } finally {
      await server.stop()
    }
    expect(await waitUntilGone(server.pid)).toBe(true)
    await expect(sendRedisCommand(server.port, ['PING'], 300)).rejects.toThrow()
    await server.stop() // idempotent
  })

  it('leaves no timer behind once stopped, so a test runner can exit at once', async () => {
    const server = await startRedisServer()
    const started: unknown[] = []
    const cleared = new Set<unknown>()
    const realSetTimeout = globalThis.setTimeout
    const setSpy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      const handle = realSetTimeout(fn, ms)
      started.push(handle)
      return handle
    }) as typeof setTimeout)
    const clearSpy = vi.spyOn(globalThis, 'clearTimeout').mockImplementation((handle) => {
      cleared.add(handle)
      clearInterval(handle)
    })
    try {
      await server.stop()
    } finally {
      setSpy.mockRestore()
      clearSpy.mockRestore()
    }
    // The old stop() raced the exit against a 2 s sleep it never cleared, keeping the process
    // alive (Jest: "did not exit one second after the test run has completed").
    expect(started.length).toBeGreaterThan(0)
    expect(started.filter((handle) => !cleared.has(handle))).toEqual([])
  })

  it('names the binary it tried and REDIS_SERVER_BIN when redis-server cannot be run', async () => {
    const previous = process.env['REDIS_SERVER_BIN']
    process.env['REDIS_SERVER_BIN'] = '/nonexistent/cachette/redis-server'
    try {
      const failure = await startRedisServer().then(
        () => undefined,
        (error: unknown) => error as Error,
      )
      expect(failure?.message).toMatch(/ENOENT: \/nonexistent\/cachette\/redis-server\).*REDIS_SERVER_BIN/)
    } finally {
      if (previous === undefined) delete process.env['REDIS_SERVER_BIN']
      else process.env['REDIS_SERVER_BIN'] = previous
    }
  })

  it('gives two servers two ports and applies extra arguments', async () => {
    const [a, b] = await Promise.all([startRedisServer(), startRedisServer({ args: ['--requirepass', 'launcher-secret'] })])
    try {
      expect(a.port).not.toBe(b.port)
      expect(await sendRedisCommand(a.port, ['PING'])).toBe('PONG')
      const refused = await sendRedisCommand(b.port, ['PING'])
      expect(refused).toBeInstanceOf(RespError)
      expect((refused as RespError).message).toMatch(/^NOAUTH/)
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })

  it('freezes, thaws, is killed and restarts on the same port', async () => {
    const server = await startRedisServer()
    try {
      server.freeze()
      await expect(sendRedisCommand(server.port, ['PING'], 200)).rejects.toThrow(/no reply/)
      server.thaw()
      expect(await sendRedisCommand(server.port, ['PING'])).toBe('PONG')

      const firstPid = server.pid
      await server.kill('SIGKILL')
      expect(processExists(firstPid)).toBe(false)
      await expect(sendRedisCommand(server.port, ['PING'], 300)).rejects.toThrow()

      await server.restart()
      expect(server.pid).not.toBe(firstPid)
      expect(await sendRedisCommand(server.port, ['PING'])).toBe('PONG')
    } finally {
      await server.stop()
    }
  })

  it('stops a frozen server', async () => {
    const server = await startRedisServer()
    server.freeze()
    await server.stop()
    expect(await waitUntilGone(server.pid)).toBe(true)
  })
})

describe('startRedisServer({ tls })', () => {
  it('serves TLS only, with a certificate the returned CA verifies, and restarts with TLS', async () => {
    const server = await startRedisServer({ tls: true })
    try {
      expect(server.url).toBe(`rediss://127.0.0.1:${server.port}`)
      const ca = server.tls?.ca ?? ''
      expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/)
      expect(await sendRedisCommand(server.port, ['PING'], 1000, { ca })).toBe('PONG')
      // Plain TCP gets no reply on the TLS port.
      await expect(sendRedisCommand(server.port, ['PING'], 300)).rejects.toThrow()
      // Another CA is refused: the client really verifies the certificate.
      const stranger = createTlsCertificates()
      await expect(sendRedisCommand(server.port, ['PING'], 1000, { ca: stranger.ca })).rejects.toThrow(/certificate/)
      await server.restart()
      expect(await sendRedisCommand(server.port, ['PING'], 1000, { ca })).toBe('PONG')
    } finally {
      await server.stop()
    }
  })
})

describe('startRedisCluster', () => {
  const handles: { stop(): Promise<void> }[] = []
  afterAll(async () => {
    await Promise.all(handles.map((handle) => handle.stop()))
  })

  it('forms a healthy cluster whose masters share every slot and fails a master over', async () => {
    const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 })
    handles.push(cluster)
    expect(cluster.nodes).toHaveLength(6)
    expect(new Set(cluster.nodes.map((node) => node.port)).size).toBe(6)
    for (const node of cluster.nodes) {
      const info = parseInfoFields(String(await sendRedisCommand(node.port, ['CLUSTER', 'INFO'])))
      expect(info.get('cluster_state')).toBe('ok')
      expect(info.get('cluster_slots_assigned')).toBe('16384')
    }
    const slots = (await sendRedisCommand(cluster.masters[0]!.port, ['CLUSTER', 'SLOTS'])) as [number, number, ...unknown[]][]
    expect(slots.map(([from, to]) => to - from + 1).reduce((a, b) => a + b, 0)).toBe(16384)
    expect(slots).toHaveLength(3)

    const deadPid = cluster.masters[0]!.pid
    const promoted = await cluster.killMaster(0)
    expect(processExists(deadPid)).toBe(false)
    expect(promoted?.port).toBe(cluster.replicas[0]!.port)
    const role = parseInfoFields(String(await sendRedisCommand(promoted!.port, ['INFO', 'replication']))).get('role')
    expect(role).toBe('master')

    const pids = [...cluster.masters, ...cluster.replicas].map((node) => node.pid)
    await cluster.stop()
    for (const pid of pids) expect(await waitUntilGone(pid)).toBe(true)
  })
})

describe('startRedisSentinel', () => {
  it('starts a master, a synced replica and sentinels that report the master', async () => {
    const group = await startRedisSentinel({ replicas: 1, sentinels: 3 })
    try {
      expect(group.sentinels).toHaveLength(3)
      for (const sentinel of group.sentinels) {
        const address = await sendRedisCommand(sentinel.port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', group.masterName])
        expect(address).toEqual(['127.0.0.1', String(group.master.port)])
      }
      const replication = parseInfoFields(String(await sendRedisCommand(group.replicas[0]!.port, ['INFO', 'replication'])))
      expect(replication.get('role')).toBe('slave')
      expect(replication.get('master_link_status')).toBe('up')
    } finally {
      await group.stop()
    }
    expect(await waitUntilGone(group.master.pid)).toBe(true)
  })
})

describe('startRedisSentinel({ tls })', () => {
  it('serves the data nodes over TLS only, replicates over TLS, and the sentinels still report the master', async () => {
    const group = await startRedisSentinel({ replicas: 1, sentinels: 1, tls: true })
    try {
      const ca = group.tls?.ca ?? ''
      const address = await sendRedisCommand(group.sentinels[0]!.port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', group.masterName])
      expect(address).toEqual(['127.0.0.1', String(group.master.port)])
      const replication = parseInfoFields(String(await sendRedisCommand(group.replicas[0]!.port, ['INFO', 'replication'], 1000, { ca })))
      expect(replication.get('master_link_status')).toBe('up')
      await expect(sendRedisCommand(group.master.port, ['PING'], 300)).rejects.toThrow()
    } finally {
      await group.stop()
    }
  })
})
