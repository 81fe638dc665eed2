import type { Redis } from '@upstash/redis'

/*
 * One `POST <url>/subscribe/<channel>` server-sent event stream, read with `fetch`. The driver
 * reads it itself rather than through `redis.subscribe()`: @upstash/redis 1.39 ends its stream
 * reader silently when the server closes the stream (and only logs a read error), so a lost
 * subscription would go unnoticed and never come back. The request is the one the client sends
 * (same URL, same headers, an empty JSON command body), lines are read as the client reads them.
 */

/** Where the client sends its requests, read from its `HttpClient` (`baseUrl`, `headers`). */
export interface StreamEndpoint {
  readonly baseUrl: string
  /** Read at each request: the client updates its headers (read-your-writes sync token). */
  headers(): Record<string, string>
}

/** The client's own limit on a line being read. */
const MAX_LINE_CHARS = 1024 * 1024

/** The endpoint of `client`, or undefined when its requester is not @upstash/redis's HttpClient. */
export function streamEndpoint(client: Redis): StreamEndpoint | undefined {
  const requester = (client as unknown as { client?: { baseUrl?: unknown; headers?: unknown } }).client
  if (requester === undefined || typeof requester.baseUrl !== 'string' || typeof requester.headers !== 'object' || requester.headers === null) return undefined
  const baseUrl = requester.baseUrl
  return { baseUrl, headers: () => ({ ...(requester.headers as Record<string, string>) }) }
}

/** An error answer, shaped as the client's (`UpstashError`) so the driver maps it the same way. */
async function answerError(response: Response): Promise<Error> {
  let text = `HTTP ${response.status}`
  try {
    const body = (await response.json()) as { error?: unknown }
    if (typeof body.error === 'string') text = body.error
  } catch {
    // Not JSON: the status says enough.
  }
  const error = new Error(text)
  error.name = 'UpstashError'
  return error
}

/**
 * Opens the stream and calls `onData` with the text after `data: ` of each line. Resolves when the
 * server ends the stream; rejects on an error answer, a network failure or an abort of `signal`.
 */
export async function readEventStream(endpoint: StreamEndpoint, path: string, signal: AbortSignal, onData: (data: string) => void): Promise<void> {
  const response = await fetch(`${endpoint.baseUrl}/subscribe/${path}`, {
    method: 'POST',
    headers: { ...endpoint.headers(), Accept: 'text/event-stream', 'Cache-Control': 'no-cache' },
    body: '[]',
    signal,
  })
  if (!response.ok) throw await answerError(response)
  if (response.body === null) return
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      if (buffer.length > MAX_LINE_CHARS) throw new Error('an event stream line exceeded 1 MiB')
      for (const line of lines) {
        if (line.startsWith('data: ')) onData(line.slice(6))
      }
    }
  } finally {
    reader.cancel().catch(() => undefined)
  }
}
