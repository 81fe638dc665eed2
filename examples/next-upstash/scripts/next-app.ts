/**
 * Builds and starts the example with `next`, for `pnpm demo next-upstash` and for the tests.
 * In this monorepo the app uses the built `dist` of @cachette/core and @cachette/upstash (as an
 * application installing them from npm does), so they are built first.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const appDir = fileURLToPath(new URL('..', import.meta.url))
const nextBin = fileURLToPath(new URL('../node_modules/next/dist/bin/next', import.meta.url))

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { cwd, env: { ...env, NEXT_TELEMETRY_DISABLED: '1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`)
}

/** `pnpm build` of the two packages the app imports, then `next build`. */
export function buildApp(): void {
  run('pnpm', ['--filter', '@cachette/core', '--filter', '@cachette/upstash', 'build'], appDir)
  run(process.execPath, [nextBin, 'build'], appDir)
}

export interface RunningApp {
  readonly url: string
  readonly process: ChildProcess
  /** What the server printed (for a failing test's message). */
  output(): string
  stop(): Promise<void>
}

/**
 * `next start` on `port` with `env` added to this process's environment; resolves once it answers (its stats route, which also opens the database).
 *
 * @example
 * ```ts
 * const app = await startApp(3000, { UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: bridge.token })
 * ```
 */
export async function startApp(port: number, env: Record<string, string>, options: { inherit?: boolean } = {}): Promise<RunningApp> {
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: appDir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', ...env },
    stdio: options.inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  for (const started = Date.now(); Date.now() - started < 30_000; ) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${output}`)
    try {
      if ((await fetch(`${url}/api/cache/stats`)).ok) return { url, process: child, output: () => output, stop }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await stop()
  throw new Error(`next start did not answer within 30 s:\n${output}`)
}
