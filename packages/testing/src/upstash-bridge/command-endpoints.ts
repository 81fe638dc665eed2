import type { ServerResponse } from 'node:http'
import type { CommandRunner } from './command-runner.js'
import { sendJson } from './http-io.js'
import { assertCommandsAllowed } from './refused-commands.js'
import {
  assertCommandCount,
  countTopLevelElements,
  encodeCommands,
  parseCommand,
  parseCommandList,
  parseJsonBody,
  type JsonCommand,
} from './request-json.js'
import { encodeEntry, encodeResult } from './wire-json.js'

/** What the command endpoints need from the bridge. */
export interface CommandContext {
  readonly runner: CommandRunner
  readonly allowFlush: boolean
  readonly maxCommandsPerRequest: number
}

/** The paths {@link answerCommands} serves. */
export const COMMAND_PATHS: ReadonlySet<string> = new Set(['/', '/pipeline', '/multi-exec'])

const MULTI: JsonCommand = ['MULTI']
const EXEC: JsonCommand = ['EXEC']

/**
 * `POST /`, `POST /pipeline` and `POST /multi-exec` (see {@link COMMAND_PATHS}). Every command is
 * checked before any runs: one refused command refuses the whole request.
 */
export async function answerCommands(path: string, body: Buffer, base64: boolean, context: CommandContext, response: ServerResponse): Promise<void> {
  const { runner, allowFlush, maxCommandsPerRequest } = context
  if (path === '/') {
    const command = parseCommand(parseJsonBody(body))
    assertCommandsAllowed([command], allowFlush)
    const [reply] = await runner.run(encodeCommands([command]), 1)
    if (reply === undefined) throw new Error('redis-server sent no reply')
    if (reply.kind === 'error') sendJson(response, 400, { error: reply.message })
    else sendJson(response, 200, { result: encodeResult(reply, base64) })
    return
  }
  // Counted on the bytes first: parsing a body of millions of commands is the expense to avoid.
  assertCommandCount(countTopLevelElements(body), maxCommandsPerRequest)
  const commands = parseCommandList(parseJsonBody(body), maxCommandsPerRequest)
  assertCommandsAllowed(commands, allowFlush)
  if (path === '/pipeline') {
    const replies = await runner.run(encodeCommands(commands), commands.length)
    sendJson(response, 200, replies.map((reply) => encodeEntry(reply, base64)))
    return
  }
  const replies = await runner.run(encodeCommands([MULTI, ...commands, EXEC]), commands.length + 2)
  const exec = replies[replies.length - 1]
  // A command refused at queue time discards the whole transaction (EXECABORT): Upstash
  // answers with one { error }, not an array.
  if (exec === undefined || exec.kind === 'error' || exec.kind !== 'array' || exec.value === null) {
    const queueError = replies.find((reply) => reply.kind === 'error')
    const message = exec?.kind === 'error' ? exec.message : 'EXECABORT Transaction discarded'
    const detail = queueError?.kind === 'error' && queueError !== exec ? ` (${queueError.message})` : ''
    sendJson(response, 400, { error: `${message}${detail}` })
    return
  }
  sendJson(response, 200, exec.value.map((reply) => encodeEntry(reply, base64)))
}
