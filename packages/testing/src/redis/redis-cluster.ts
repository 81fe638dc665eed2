import { clusterStateOk, formCluster, replicationInfo, waitFor } from './cluster-setup.js'
import { RedisProcess, baseServerArgs, createTempDir, removeTempDir, withFreePorts } from './redis-process.js'

/** Options of {@link startRedisCluster}. */
export interface StartRedisClusterOptions {
  /**
   * Masters, each serving an equal share of the 16384 slots.
   * @default 3
   * @example
   * ```ts
   * const cluster = await startRedisCluster({ masters: 4 }) // 4096 slots each, master 0 serves 0-4095
   * ```
   */
  readonly masters?: number
  /**
   * Replicas per master. Use 1 to test failover (a replica is promoted when its master dies).
   * @default 0
   * @example
   * ```ts
   * const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 })
   * await cluster.killMaster(0) // resolves once a replica was promoted
   * ```
   */
  readonly replicasPerMaster?: number
  /**
   * `cluster-node-timeout`: how long a node may be unreachable before it is failed over.
   * Lower is a faster failover in tests, but a loaded machine may then fail over a healthy node.
   * @default 2000
   * @example
   * ```ts
   * const cluster = await startRedisCluster({ replicasPerMaster: 1, nodeTimeoutMs: 1000 }) // faster failover
   * ```
   */
  readonly nodeTimeoutMs?: number
  /**
   * Extra redis-server arguments for every node.
   * @default []
   * @example
   * ```ts
   * const cluster = await startRedisCluster({ args: ['--maxmemory', '10mb'] })
   * ```
   */
  readonly args?: readonly string[]
}

/** One node of a cluster started by {@link startRedisCluster}. */
export interface RedisClusterNode {
  /** Always the loopback address. */
  readonly host: '127.0.0.1'
  /** The node's client port. */
  readonly port: number
  /** The role it was started with (a failover may change the live role). */
  readonly initialRole: 'master' | 'replica'
  /** The current process id. */
  readonly pid: number
  /**
   * Sends a signal; resolves once the process exited for SIGKILL/SIGTERM.
   *
   * @example
   * ```ts
   * await cluster.masters[1]!.kill('SIGKILL') // no failover wait: see killMaster()
   * ```
   */
  kill(signal?: NodeJS.Signals): Promise<void>
  /**
   * SIGSTOP.
   *
   * @example
   * ```ts
   * cluster.masters[0]!.freeze() // the slots it serves stop answering
   * cluster.masters[0]!.thaw()
   * ```
   */
  freeze(): void
  /**
   * SIGCONT.
   *
   * @example
   * ```ts
   * cluster.masters[0]!.freeze()
   * cluster.masters[0]!.thaw() // answers again (unless the cluster failed it over meanwhile)
   * ```
   */
  thaw(): void
  /**
   * Starts the node again on the same port with its nodes.conf, so it rejoins the cluster.
   *
   * @example
   * ```ts
   * await cluster.masters[2]!.kill('SIGKILL')
   * await cluster.masters[2]!.restart() // rejoins with its nodes.conf
   * ```
   */
  restart(): Promise<void>
}

/** A running cluster started by {@link startRedisCluster}. */
export interface RedisClusterHandle {
  /** Every node, masters first, as `{ host, port }` startup nodes for a client. */
  readonly nodes: readonly { readonly host: '127.0.0.1'; readonly port: number }[]
  /** The nodes started as masters, in slot order (master 0 serves slot 0). */
  readonly masters: readonly RedisClusterNode[]
  /** The nodes started as replicas; `replicas[i]` belongs to master `floor(i / replicasPerMaster)`. */
  readonly replicas: readonly RedisClusterNode[]
  /**
   * SIGKILLs master `index` (of {@link RedisClusterHandle.masters}). When it has replicas, resolves
   * once one of them was promoted and every surviving node reports `cluster_state:ok`, with the
   * promoted node's address; without replicas, resolves `undefined` right after the kill.
   *
   * @example
   * ```ts
   * const promoted = await cluster.killMaster(0) // with replicasPerMaster >= 1: the new master's address
   * ```
   */
  killMaster(index: number): Promise<{ host: '127.0.0.1'; port: number } | undefined>
  /**
   * Stops every node and removes the temp dirs. Idempotent.
   *
   * @example
   * ```ts
   * afterAll(() => cluster.stop())
   * ```
   */
  stop(): Promise<void>
}

const FORM_TIMEOUT_MS = 20_000
const FAILOVER_TIMEOUT_MS = 30_000

async function startClusterNode(dir: string, nodeTimeoutMs: number, extra: readonly string[]): Promise<{ child: RedisProcess; busPort: number }> {
  return withFreePorts(2, async ([port, busPort]) => {
    const child = await RedisProcess.start({
      dir,
      port: port as number,
      logFile: 'redis.log',
      args: [
        ...baseServerArgs(port as number, 'redis.log'),
        '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', String(nodeTimeoutMs),
        // An explicit bus port: the default (port + 10000) can overflow or be taken.
        '--cluster-port', String(busPort),
        '--cluster-announce-ip', '127.0.0.1',
        // A replica may be promoted however long its link was down, so a test never ends up
        // with a cluster that refuses to fail over.
        '--cluster-replica-validity-factor', '0',
        ...extra,
      ],
    })
    return { child, busPort: busPort as number }
  })
}

function nodeHandle(child: RedisProcess, initialRole: 'master' | 'replica'): RedisClusterNode {
  return {
    host: '127.0.0.1',
    port: child.port,
    initialRole,
    get pid() {
      return child.pid
    },
    async kill(signal = 'SIGKILL') {
      child.kill(signal)
      if (signal === 'SIGTERM') child.thaw()
      if (signal === 'SIGKILL' || signal === 'SIGTERM') await child.waitForExit()
    },
    freeze: () => child.freeze(),
    thaw: () => child.thaw(),
    restart: () => child.restart(),
  }
}

/**
 * Starts a real Redis Cluster of `masters` (+ replicas) redis-server processes on free loopback
 * ports and resolves once every node reports `cluster_state:ok`.
 *
 * @example
 * ```ts
 * import { startRedisCluster } from '@cachette/testing'
 *
 * const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 })
 * const client = new Cluster([...cluster.nodes])
 * await cluster.killMaster(0)   // a replica takes over
 * await cluster.stop()
 * ```
 */
export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const masterCount = options.masters ?? 3
  const replicasPerMaster = options.replicasPerMaster ?? 0
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 2000
  const extra = options.args ?? []
  const dirs: string[] = []
  const started: RedisProcess[] = []
  const stopAll = async () => {
    await Promise.all(started.map((child) => child.stop()))
    for (const dir of dirs) removeTempDir(dir)
  }
  try {
    const launch = async () => {
      const dir = createTempDir('redis-cluster')
      dirs.push(dir)
      const node = await startClusterNode(dir, nodeTimeoutMs, extra)
      started.push(node.child)
      return node
    }
    const masters = await Promise.all(Array.from({ length: masterCount }, launch))
    const replicas = await Promise.all(Array.from({ length: masterCount * replicasPerMaster }, launch))
    await formCluster(
      {
        masters: masters.map((node) => ({ port: node.child.port, busPort: node.busPort })),
        replicas: replicas.map((node, i) => ({
          port: node.child.port,
          busPort: node.busPort,
          masterIndex: Math.floor(i / replicasPerMaster),
        })),
      },
      FORM_TIMEOUT_MS,
    )
    const masterHandles = masters.map((node) => nodeHandle(node.child, 'master'))
    const replicaHandles = replicas.map((node) => nodeHandle(node.child, 'replica'))
    const allHandles = [...masterHandles, ...replicaHandles]
    let stopped = false
    return {
      nodes: allHandles.map((node) => ({ host: '127.0.0.1' as const, port: node.port })),
      masters: masterHandles,
      replicas: replicaHandles,
      async killMaster(index) {
        const master = masterHandles[index]
        if (master === undefined) throw new Error(`no master at index ${index}`)
        await master.kill('SIGKILL')
        const own = replicaHandles.slice(index * replicasPerMaster, (index + 1) * replicasPerMaster)
        if (own.length === 0) return undefined
        let promoted: RedisClusterNode | undefined
        await waitFor('a replica to be promoted', FAILOVER_TIMEOUT_MS, async () => {
          for (const replica of own) {
            if ((await replicationInfo(replica.port)).get('role') === 'master') promoted = replica
          }
          if (promoted === undefined) return false
          const survivors = allHandles.filter((node) => node !== master)
          for (const node of survivors) if (!(await clusterStateOk(node.port, allHandles.length))) return false
          return true
        })
        return { host: '127.0.0.1', port: (promoted as RedisClusterNode).port }
      },
      async stop() {
        if (stopped) return
        stopped = true
        await stopAll()
      },
    }
  } catch (error) {
    await stopAll()
    throw error
  }
}
