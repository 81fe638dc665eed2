import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const exampleDir = fileURLToPath(new URL('../../', import.meta.url))

/** The service as `pnpm start` runs it, in a child process a test can SIGKILL. */
export interface ChildInstance {
  readonly address: string
  readonly child: ChildProcess
  /** SIGKILL, resolved once it has exited. */
  kill(): Promise<void>
}

/** Starts src/main.ts on a free port with `env`; resolves once it listens. */
export async function startChildInstance(env: Record<string, string>): Promise<ChildInstance> {
  const child = spawn(process.execPath, ['--conditions=@cachette/source', '--import', 'tsx', 'src/main.ts'], {
    cwd: exampleDir,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const address = await new Promise<string>((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`the instance did not start: ${output.slice(-500)}`)), 20_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const found = /messaging API on (http:\/\/[\d.:]+)/.exec(output)
      if (found?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(found[1])
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', () => {
      clearTimeout(timer)
      reject(new Error(`the instance exited: ${output.slice(-500)}`))
    })
  })
  return {
    address,
    child,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}

/** A JSON request to a child instance. */
export async function request(address: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${address}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) })
  return { status: response.status, body: await response.json() }
}
