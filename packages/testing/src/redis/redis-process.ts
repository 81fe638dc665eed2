import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findFreePort } from './free-port.js'
import { RespError, sendRedisCommand, type RespTls } from './resp.js'

/**
 * One redis-server (or Sentinel) child process, owned by a launcher. Nothing may outlive the test
 * process, by two means:
 * - an 'exit' hook SIGKILLs what is alive and removes the temp dirs (synchronously, as 'exit'
 *   requires), for a test that forgets `stop()`;
 * - a watchdog per server (a detached `sh` loop) SIGKILLs it once the test process is gone, for
 *   the exits that run no hook: a test runner stops its workers with a signal, and a process
 *   killed by a signal runs no 'exit' listener. We found a server left behind that way.
 */

const DEFAULT_BIN = '/usr/bin/redis-server'
const READY_TIMEOUT_MS = 10_000
const STOP_GRACE_MS = 2_000

const liveProcesses = new Set<RedisProcess>()
const tempDirs = new Set<string>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const child of liveProcesses) child.kill('SIGKILL')
    // (Each watchdog then finds its server gone and exits by itself.)
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
  })
}

/** The redis-server binary: `REDIS_SERVER_BIN`, else Debian's path, else whatever PATH finds. */
export function redisServerBinary(): string {
  const fromEnv = process.env['REDIS_SERVER_BIN']
  if (fromEnv) return fromEnv
  return existsSync(DEFAULT_BIN) ? DEFAULT_BIN : 'redis-server'
}

/** A fresh temp dir, removed by {@link removeTempDir} or at process exit. */
export function createTempDir(label: string): string {
  installExitHook()
  const dir = mkdtempSync(join(tmpdir(), `cachette-${label}-`))
  tempDirs.add(dir)
  return dir
}

/** Removes a dir made by {@link createTempDir}. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  tempDirs.delete(dir)
}

/** Thrown when the chosen port was taken between picking it and redis binding it. */
class PortTakenError extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** What {@link RedisProcess.start} runs. */
export interface RedisProcessSpec {
  /** Working dir of the process (config rewrites, nodes.conf, the log file). */
  readonly dir: string
  /** The port it listens on (also passed in `args`). */
  readonly port: number
  /** Arguments after the binary, e.g. `['--port', '1234', ...]` or `['sentinel.conf', '--sentinel']`. */
  readonly args: readonly string[]
  /** Log file inside `dir`, read back to explain a failed start. */
  readonly logFile: string
  /** Set for a TLS-only server: readiness is then checked over TLS, trusting this CA. */
  readonly tls?: RespTls
}

/** A running redis-server child process. */
export class RedisProcess {
  private child: ChildProcess
  private exited: Promise<void>
  private running = true
  /** Why the binary could not be run at all (ENOENT, EACCES), for a clear startup error. */
  private spawnError: NodeJS.ErrnoException | undefined

  private dog: ChildProcess | undefined

  private constructor(readonly spec: RedisProcessSpec, child: ChildProcess) {
    this.child = child
    this.exited = this.watch(child)
    this.dog = RedisProcess.watchdog(child, spec.dir)
    liveProcesses.add(this)
  }

  /** Spawns the process and resolves once it answers PING. */
  static async start(spec: RedisProcessSpec): Promise<RedisProcess> {
    installExitHook()
    const redis = new RedisProcess(spec, RedisProcess.spawnChild(spec))
    await redis.waitUntilReady()
    return redis
  }

  private static spawnChild(spec: RedisProcessSpec): ChildProcess {
    return spawn(redisServerBinary(), [...spec.args], { cwd: spec.dir, stdio: 'ignore' })
  }

  /**
   * Starts the watchdog of `child`: it polls both PIDs and SIGKILLs the server when the test
   * process has disappeared. It also stops once the server is gone, and `stop()` ends it first,
   * so it never signals a PID that was reused by someone else.
   */
  private static watchdog(child: ChildProcess, dir: string): ChildProcess | undefined {
    if (child.pid === undefined || process.platform === 'win32') return undefined
    // The dir comes from mkdtemp (no quote in it); it is removed only after a kill by the watchdog.
    const script = `while kill -0 ${process.pid} 2>/dev/null; do kill -0 ${child.pid} 2>/dev/null || exit 0; sleep 0.5; done; kill -9 ${child.pid} 2>/dev/null; sleep 0.2; rm -rf '${dir}'`
    const dog = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' })
    dog.on('error', () => undefined)
    dog.unref()
    return dog
  }

  private watch(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        if (child === this.child) {
          this.running = false
          liveProcesses.delete(this)
          this.stopWatchdog()
        }
        resolve()
      }
      child.once('exit', done)
      child.once('error', (error: NodeJS.ErrnoException) => {
        if (child === this.child) this.spawnError = error
        done()
      })
    })
  }

  private stopWatchdog(): void {
    if (this.dog?.pid !== undefined && this.dog.exitCode === null) {
      try {
        process.kill(this.dog.pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    this.dog = undefined
  }

  /** The OS process id. */
  get pid(): number {
    return this.child.pid ?? -1
  }

  /** The port it listens on. */
  get port(): number {
    return this.spec.port
  }

  /** True until the process exits. */
  get alive(): boolean {
    return this.running
  }

  private logTail(): string {
    try {
      return readFileSync(join(this.spec.dir, this.spec.logFile), 'utf8').split('\n').slice(-8).join('\n')
    } catch {
      return '(no log)'
    }
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS
    while (Date.now() < deadline) {
      if (!this.running) {
        const log = this.logTail()
        if (/Address already in use/i.test(log)) throw new PortTakenError(log)
        if (this.spawnError !== undefined) {
          // ENOENT / EACCES: say which binary was tried and how to choose another.
          throw new Error(
            `[@cachette/testing] could not start redis-server (${this.spawnError.code ?? this.spawnError.message}: ${redisServerBinary()}); install it (apt-get install redis-server) or set REDIS_SERVER_BIN to its path`,
          )
        }
        throw new Error(`redis-server exited during startup on port ${this.port}:\n${log}`)
      }
      const reply = await sendRedisCommand(this.port, ['PING'], 250, this.spec.tls).catch(() => undefined)
      // NOAUTH (a server started with requirepass) also proves it accepts commands; LOADING does not.
      if (reply === 'PONG' || (reply instanceof RespError && !reply.message.startsWith('LOADING'))) return
      await sleep(15)
    }
    this.kill('SIGKILL')
    throw new Error(`redis-server on port ${this.port} did not answer PING within ${READY_TIMEOUT_MS} ms:\n${this.logTail()}`)
  }

  /** Sends a signal (no-op once exited). */
  kill(signal: NodeJS.Signals): void {
    if (!this.running || this.child.pid === undefined) return
    try {
      process.kill(this.child.pid, signal)
    } catch {
      // Already gone: the 'exit' event is on its way.
    }
  }

  /** SIGSTOP: the process keeps its sockets open but answers nothing, as a hung server does. */
  freeze(): void {
    this.kill('SIGSTOP')
  }

  /** SIGCONT: resumes a frozen process. */
  thaw(): void {
    this.kill('SIGCONT')
  }

  /** Resolves once the process has exited. */
  waitForExit(): Promise<void> {
    return this.exited
  }

  /** SIGTERM (and SIGCONT, so a frozen process can act on it), then SIGKILL after a grace period. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.kill('SIGTERM')
    this.kill('SIGCONT')
    // The grace timer is cleared once the process exits: a pending 2 s timer would keep the
    // caller's process alive (Jest's "did not exit one second after the test run").
    let graceTimer: NodeJS.Timeout | undefined
    const grace = new Promise<boolean>((resolve) => {
      graceTimer = setTimeout(() => resolve(true), STOP_GRACE_MS)
    })
    const timedOut = await Promise.race([this.exited.then(() => false), grace])
    clearTimeout(graceTimer)
    if (timedOut) {
      this.kill('SIGKILL')
      await this.exited
    }
  }

  /** Stops the process if needed and starts it again with the same port, dir and arguments. */
  async restart(): Promise<void> {
    await this.stop()
    const child = RedisProcess.spawnChild(this.spec)
    this.child = child
    this.running = true
    this.spawnError = undefined
    liveProcesses.add(this)
    this.exited = this.watch(child)
    this.dog = RedisProcess.watchdog(child, this.spec.dir)
    await this.waitUntilReady()
  }
}

/**
 * Picks `count` free ports and calls `start` with them, retrying with new ports when one was
 * taken in between (the race every "find a free port" scheme has).
 */
export async function withFreePorts<T>(count: number, start: (ports: number[]) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = []
    while (ports.length < count) {
      const port = await findFreePort()
      if (!ports.includes(port)) ports.push(port)
    }
    try {
      return await start(ports)
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= 5) throw error
    }
  }
}

/** Arguments every launched redis-server gets: loopback only, no persistence, a log file. */
export function baseServerArgs(port: number, logFile: string): string[] {
  return [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--protected-mode', 'no',
    '--daemonize', 'no',
    '--logfile', logFile,
    // Replicas must sync at once: Redis 7 otherwise waits 5 s for more replicas to batch.
    '--repl-diskless-sync-delay', '0',
  ]
}
