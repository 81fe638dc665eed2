import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { RefusedRequestError } from './bridge-errors.js'

/** Answers JSON; `close` asks the client to open a new connection for its next request. */
export function sendJson(response: ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...(close ? { Connection: 'close' } : {}),
  })
  response.end(text)
}

/**
 * Reads the body, up to `maxBytes`. Past it (or when Content-Length says it will be), rejects
 * with a 413 {@link RefusedRequestError} and drops the rest of the body as it arrives: the client
 * still reads its answer, where destroying the socket mid-upload gave it a connection reset.
 */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const tooLarge = () => {
      request.off('data', onData).off('end', onEnd)
      request.resume()
      reject(new RefusedRequestError(`ERR max request size exceeded: the bridge's maxBodyBytes is ${maxBytes}`, 413))
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) tooLarge()
      else chunks.push(chunk)
    }
    const onEnd = () => resolve(Buffer.concat(chunks, size))
    request.on('error', reject)
    if (Number(request.headers['content-length']) > maxBytes) {
      tooLarge()
      return
    }
    request.on('data', onData).on('end', onEnd)
  })
}

/** The bearer token, from `Authorization: Bearer` or `?_token=`, compared in constant time. */
export function tokenMatches(request: IncomingMessage, url: URL, expected: Buffer): boolean {
  const header = request.headers.authorization
  const given = header?.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('_token')
  if (given === null || given === undefined) return false
  const givenBytes = Buffer.from(given, 'utf8')
  return givenBytes.length === expected.length && timingSafeEqual(givenBytes, expected)
}
