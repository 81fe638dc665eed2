// One step of the consumer check: a command in a scratch project, its output kept for the report.
import { spawn } from 'node:child_process'

/** A step that fails after this long hangs; the whole CI run has 90 minutes. */
const STEP_TIMEOUT_MS = 4 * 60_000

/**
 * Returns a function that runs `command args` in `cwd` and resolves `{ ok, label, ms, output }`,
 * `ok` being a zero exit code within the timeout; output is the last 60 lines of stdout+stderr.
 */
export function run({ label, command, args, cwd, env }) {
  return () =>
    new Promise((resolve) => {
      const started = Date.now()
      const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      let output = ''
      const keep = (chunk) => {
        output = (output + chunk).slice(-64_000)
      }
      child.stdout.on('data', keep)
      child.stderr.on('data', keep)
      const timer = setTimeout(() => {
        keep(`\n[consumer check] timed out after ${STEP_TIMEOUT_MS / 1000} s\n`)
        process.kill(-child.pid, 'SIGKILL')
      }, STEP_TIMEOUT_MS)
      child.on('close', (code) => {
        clearTimeout(timer)
        const tail = output.split('\n').slice(-60).join('\n')
        resolve({ ok: code === 0, label, ms: Date.now() - started, output: `$ ${command} ${args.join(' ')}\n${tail}` })
      })
    })
}
