import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findFreePort } from '@cachette/testing'
import pg from 'pg'

/** A PostgreSQL server started for the tests. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication, loopback only). */
  readonly url: string
  readonly port: number
  /** The postmaster's PID. */
  readonly pid: number
  /** Stops the server by PID (fast shutdown, then SIGKILL) and removes its directory. Idempotent. */
  stop(): Promise<void>
}

/** Debian's server binaries (`apt-get install postgresql`), or `PG_BIN_DIR`. */
function binDir(): string {
  const fromEnv = process.env.PG_BIN_DIR
  if (fromEnv !== undefined && existsSync(join(fromEnv, 'initdb'))) return fromEnv
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'initdb'))) : []
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0]
  if (newest === undefined) throw new Error('PostgreSQL server binaries not found: apt-get install postgresql (or set PG_BIN_DIR)')
  return join(root, newest, 'bin')
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` system user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim())
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim())
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0) throw new Error('running as root needs a postgres system user to start PostgreSQL')
  return { uid, gid }
}

// The child's own exit status, not kill(pid, 0): a zombie not yet reaped would still answer it.
function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null
}

async function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (hasExited(child)) return true
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(hasExited(child)), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (hasExited(child)) throw new Error('postgres exited during startup')
    const client = new pg.Client({ connectionString: url })
    try {
      await client.connect()
      await client.query('SELECT 1')
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    } finally {
      await client.end().catch(() => undefined)
    }
  }
}

/**
 * initdb into a fresh temp directory, then postgres on a free loopback port, without durability
 * (fsync off: test data need not survive a crash) so it starts and runs fast.
 *
 * @example
 * ```ts
 * const server = await startPostgresServer()
 * const db = await postgresDatabase(server.url)
 * await server.stop()
 * ```
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = binDir()
  const user = runAs()
  const dir = mkdtempSync(join(tmpdir(), 'cachette-pg-'))
  if (user !== undefined) chownSync(dir, user.uid, user.gid)
  const data = join(dir, 'data')
  // A UTF-8 locale: under plain C, lower() leaves 'É' alone and the french search_vector would be case-sensitive.
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'], {
    cwd: dir,
    encoding: 'utf8',
    ...(user ?? {}),
  })
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`initdb failed: ${init.stderr}`)
  }
  for (let attempt = 0; ; attempt++) {
    const port = await findFreePort()
    const child = spawn(
      join(bin, 'postgres'),
      ['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=50'],
      { cwd: dir, stdio: 'ignore', ...(user ?? {}) },
    )
    const pid = child.pid as number
    // A test run that crashes must not leave a postmaster behind.
    const killOnExit = () => {
      if (!hasExited(child)) process.kill(pid, 'SIGKILL')
    }
    process.once('exit', killOnExit)
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`
    try {
      await waitUntilReady(url, child, 20_000)
    } catch (error) {
      killOnExit()
      await waitForExit(child, 2_000)
      process.removeListener('exit', killOnExit)
      // Someone took the port between the probe and the bind: try another one.
      if (attempt < 3) continue
      rmSync(dir, { recursive: true, force: true })
      throw error
    }
    let stopped = false
    return {
      url,
      port,
      pid,
      async stop() {
        if (stopped) return
        stopped = true
        // SIGINT is PostgreSQL's fast shutdown: it disconnects clients and exits.
        if (!hasExited(child)) process.kill(pid, 'SIGINT')
        if (!(await waitForExit(child, 5_000))) process.kill(pid, 'SIGKILL')
        await waitForExit(child, 2_000)
        process.removeListener('exit', killOnExit)
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
}
