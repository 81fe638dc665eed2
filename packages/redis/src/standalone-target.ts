import type { CallRunner, CallToken } from './call-runner.js'
import { firstFailure } from './batch.js'
import { type Argument, BYTES_TYPE_MAPPING, type Exec } from './commands.js'
import type { NodeConnection } from './node-connection.js'
import type { RedisDriverClient } from './options.js'

/**
 * How the driver's calls reach Redis, one server (standalone or the Sentinel master) or a
 * Cluster: {@link CommandTarget.run} gives a call its deadline and an {@link Exec} to send
 * commands with.
 */
export interface CommandTarget {
  /** Runs `send` within the deadline; `operation` names the driver method in errors. */
  run<T>(operation: string, send: (exec: Exec, token: CallToken) => Promise<T>): Promise<T>
  /** MULTI/EXEC of `queued` (every key in one slot on a cluster, routed by `key`). */
  multi(operation: string, key: string | undefined, queued: Argument[][]): Promise<unknown[]>
  /** One Exec per master (the server itself when standalone), through `run`. */
  masters(operation: string): Promise<Exec[]>
  /** Stops the calls (rejected with CLOSED) and releases what the target opened. */
  close(graceMs: number): Promise<void>
}

/** One server: the standalone server, or the master the Sentinels name. */
export class StandaloneTarget implements CommandTarget {
  private readonly bytesOptions: { readonly timeout: number; readonly typeMapping: typeof BYTES_TYPE_MAPPING }

  constructor(
    readonly connection: NodeConnection,
    readonly runner: CallRunner,
  ) {
    this.bytesOptions = Object.freeze({ ...runner.commandOptions, typeMapping: BYTES_TYPE_MAPPING })
  }

  /** An Exec on `client`, with the deadline as node-redis' command timeout. */
  execOn(client: RedisDriverClient): Exec {
    return (_key, args, options) => client.sendCommand(args, options?.bytes === true ? this.bytesOptions : this.runner.commandOptions)
  }

  run<T>(operation: string, send: (exec: Exec, token: CallToken) => Promise<T>): Promise<T> {
    return this.runner.run(operation, (client, token) => send(this.execOn(client), token))
  }

  multi(operation: string, _key: string | undefined, queued: Argument[][]): Promise<unknown[]> {
    return this.runner.run(operation, (client) => {
      const multi = client.multi()
      for (const args of queued) multi.addCommand(args)
      return (multi.exec() as Promise<unknown[]>).catch((error: unknown) => {
        throw firstFailure(error)
      })
    })
  }

  masters(operation: string): Promise<Exec[]> {
    return this.runner.run(operation, async (client) => [this.execOn(client)])
  }

  async close(graceMs: number): Promise<void> {
    this.runner.close()
    await this.connection.close(graceMs)
  }
}
