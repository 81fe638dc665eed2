/**
 * The parent side of the two-tier tests: forks worker processes (a worker script run by node with
 * tsx and the `@cachette/source` condition, so no build is needed) and sends them requests over
 * IPC, several in flight at once. No vitest import: the Upstash tests use it too.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type {
  GetResult,
  MonitorResult,
  RunResult,
  TwoTiersConfig,
  TwoTiersOperation,
  TwoTiersReply,
  TwoTiersRequest,
  WatchResult,
  WatchStarted,
} from './two-tiers-process.js'
import type { CacheStats } from '@cachette/core'

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
// tsx is installed by the quickstart example and the bench (as fence-race-harness.ts finds it).
const TSX_LOADER = ['examples/quickstart', 'bench'].map((dir) => `${ROOT}${dir}/node_modules/tsx/dist/esm/index.mjs`).find((path) => existsSync(path))
/** How long a worker may take to answer one request (a watch or a monitor answers within seconds). */
const REPLY_TIMEOUT_MS = 30_000
/** How long a worker may take to start (tsx compiles the sources) and to exit once told to. */
const START_TIMEOUT_MS = 30_000
const EXIT_TIMEOUT_MS = 5_000

/** Every worker not yet known to have exited, so {@link killTwoTiersWorkers} in afterAll reaches them. */
const live = new Set<ChildProcess>()

/**
 * SIGKILLs every worker still running: for afterAll, so a failed or timed-out test leaves none.
 *
 * @example
 * ```ts
 * afterAll(() => killTwoTiersWorkers())
 * ```
 */
export function killTwoTiersWorkers(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  live.clear()
}

/** One forked worker: a process with its own driver and two-tier cache. */
export class TwoTiersWorker {
  private nextId = 1
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  private gone: Error | undefined
  private readonly exited: Promise<void>
  readonly ready: Promise<void>

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    live.add(child)
    let markReady: () => void = () => undefined
    let failReady: (error: Error) => void = () => undefined
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve
      failReady = reject
    })
    const readyTimer = setTimeout(() => failReady(new Error(`${name} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS)
    child.on('message', (reply: TwoTiersReply) => {
      if (reply.id === 0) {
        clearTimeout(readyTimer)
        markReady()
        return
      }
      const waiter = this.waiting.get(reply.id)
      if (waiter === undefined) return
      this.waiting.delete(reply.id)
      if (reply.ok) waiter.resolve(reply.result)
      else waiter.reject(new Error(`${name} failed: ${reply.error}`))
    })
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child)
        clearTimeout(readyTimer)
        const error = new Error(`${name} exited (${signal ?? String(code)})`)
        failReady(error)
        this.fail(error)
        resolve()
      })
    })
    child.once('error', (error) => this.fail(error))
  }

  private fail(error: Error): void {
    this.gone ??= error
    for (const waiter of this.waiting.values()) waiter.reject(error)
    this.waiting.clear()
  }

  /** Sends a request; resolves its result. */
  ask<T>(request: TwoTiersRequest): Promise<T> {
    if (this.gone !== undefined) return Promise.reject(this.gone)
    const id = this.nextId++
    let timer: NodeJS.Timeout | undefined
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject })
      timer = setTimeout(() => {
        this.waiting.delete(id)
        reject(new Error(`${this.name} did not answer ${request.type} within ${REPLY_TIMEOUT_MS} ms`))
      }, REPLY_TIMEOUT_MS)
      this.child.send({ ...request, id })
    }).finally(() => clearTimeout(timer))
  }

  get(key: string): Promise<GetResult> {
    return this.ask({ type: 'get', key })
  }

  run(operations: readonly TwoTiersOperation[]): Promise<RunResult> {
    return this.ask({ type: 'run', operations })
  }

  stats(): Promise<CacheStats> {
    return this.ask({ type: 'stats' })
  }

  /** Every onConnectionChange the driver reported since the process started, with its time. */
  connectionLog(): Promise<{ at: number; connected: boolean }[]> {
    return this.ask({ type: 'connectionLog' })
  }

  watchStart(key: string, timeoutMs: number): Promise<WatchStarted> {
    return this.ask({ type: 'watchStart', key, timeoutMs })
  }

  watchResult(key: string): Promise<WatchResult> {
    return this.ask({ type: 'watchResult', key })
  }

  monitorStart(keys: readonly string[], intervalMs: number): Promise<null> {
    return this.ask({ type: 'monitorStart', keys, intervalMs })
  }

  monitorStop(): Promise<MonitorResult> {
    return this.ask({ type: 'monitorStop' })
  }

  /** Asks it to close its cache and exit; SIGKILL if it does not within EXIT_TIMEOUT_MS. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    if (this.child.connected) void this.ask({ type: 'exit' }).catch(() => undefined)
    const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_TIMEOUT_MS)
    await this.exited
    clearTimeout(timer)
  }
}

/**
 * Forks one worker per name, all with the same prefix and store; resolves once each answered ready.
 *
 * @example
 * ```ts
 * const workers = await forkTwoTiersWorkers(WORKER, ['p1', 'p2', 'p3'], { prefix, store: { url } })
 * ```
 */
export async function forkTwoTiersWorkers(worker: string, names: readonly string[], config: Omit<TwoTiersConfig, 'name'>): Promise<TwoTiersWorker[]> {
  if (TSX_LOADER === undefined) throw new Error('tsx is needed to run the two-tier workers (pnpm install in examples/quickstart or bench)')
  const workers = names.map((name) => {
    const child = fork(worker, [], {
      execArgv: ['--conditions=@cachette/source', '--import', TSX_LOADER],
      env: { ...process.env, TWO_TIERS_CONFIG: JSON.stringify({ ...config, name } satisfies TwoTiersConfig) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    return new TwoTiersWorker(name, child)
  })
  await Promise.all(workers.map((worker) => worker.ready))
  return workers
}
