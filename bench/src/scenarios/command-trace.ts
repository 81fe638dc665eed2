import { Redis } from 'ioredis'
import type { RedisTarget } from '../servers.js'

/** The Redis commands of one call, from MONITOR (every connection's: keep the others idle meanwhile): `GET → SET PX NX`, a script's own commands in brackets. */
export interface CommandTrace {
  /** Runs `call` and lists the commands it sent, in order. */
  trace(call: () => Promise<unknown>): Promise<string>
  close(): void
}

const SHOWN_FLAGS = new Set(['NX', 'XX', 'PX', 'EX', 'GET', 'KEEPTTL'])
const MARK = 'bench-command-trace-mark'

/**
 * Opens a MONITOR connection on `target` (standalone) for {@link CommandTrace.trace}. MONITOR
 * slows the server down: trace untimed calls only.
 *
 * @example
 * ```ts
 * const trace = await commandTrace(servers.standalone)
 * await trace.trace(() => cache.invalidate(key)) // 'Redis: MGET → MULTI → UNLINK → SET PX → EXEC'
 * trace.close()
 * ```
 */
export async function commandTrace(target: RedisTarget & { kind: 'standalone' }): Promise<CommandTrace> {
  const client = new Redis(target.port, target.host)
  const marker = new Redis(target.port, target.host)
  const monitor = await client.monitor()
  let seen: { args: string[]; fromScript: boolean }[] = []
  let onMark: (() => void) | undefined
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (args[0]?.toUpperCase() === 'ECHO' && args[1] === MARK) onMark?.()
    else seen.push({ args, fromScript: source === 'lua' })
  })
  // MONITOR's stream lags behind the replies on other connections, but keeps the order the server
  // ran commands in: once a mark sent now is reported, so is every command that ran before it.
  const mark = () =>
    new Promise<void>((resolve) => {
      onMark = resolve
      void marker.echo(MARK)
    })
  // The command and its flags, never a key or a value.
  const describe = ({ args }: { args: string[] }) => {
    const flags = args.slice(1).map((arg) => arg.toUpperCase()).filter((arg) => SHOWN_FLAGS.has(arg))
    return [args[0]?.toUpperCase(), ...flags].join(' ')
  }
  return {
    async trace(call) {
      await mark()
      seen = []
      await call()
      await mark()
      // A script's own commands follow the EVALSHA that ran them.
      const calls: { command: string; inScript: string[] }[] = []
      for (const command of seen) {
        const last = calls[calls.length - 1]
        if (command.fromScript && last !== undefined) last.inScript.push(describe(command))
        else calls.push({ command: describe(command), inScript: [] })
      }
      const shown = calls.map(({ command, inScript }) => (inScript.length === 0 ? command : `${command} [${inScript.join(', ')}]`))
      return `Redis: ${shown.length === 0 ? 'none' : shown.join(' → ')}`
    },
    close() {
      monitor.disconnect()
      client.disconnect()
      marker.disconnect()
    },
  }
}
