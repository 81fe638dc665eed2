import { randomUUID } from 'node:crypto'
import type { AdminLogFields, AdminLogger } from '../../src/index.js'

/** The shared token of the tests (never expected in a log line or a response). */
export const TOKEN = 'T0k3n-for-admin-tests_9f8e7d6c5b4a'

/** A key prefix no other test uses (keys of several tests share one redis-server). */
export function randomPrefix(): string {
  return `t${randomUUID().slice(0, 8)}`
}

/** One line a {@link RecordingLogger} received. */
export interface LoggedLine {
  readonly level: 'info' | 'warn'
  readonly message: string
  readonly fields: AdminLogFields
}

/** A logger that keeps every line, to assert on the audit trail. */
export interface RecordingLogger extends AdminLogger {
  readonly lines: LoggedLine[]
  /** Everything logged, as one string: to check that a secret or a value never appears. */
  text(): string
}

export function recordingLogger(): RecordingLogger {
  const lines: LoggedLine[] = []
  return {
    lines,
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    text: () => JSON.stringify(lines),
  }
}

interface RequestOptions {
  readonly method?: string
  /** The bearer token; `null` sends no Authorization header. */
  readonly token?: string | null
  readonly headers?: Readonly<Record<string, string>>
  /** A raw query string, sent as is (after `?`). */
  readonly query?: string
  readonly base?: string
}

/** A request to the admin API, with the test token unless told otherwise. */
export function adminRequest(route: string, options: RequestOptions = {}): Request {
  const { method = 'GET', token = TOKEN, headers = {}, query, base = '/api/cache' } = options
  const url = `http://cache.test${base}${route}${query === undefined ? '' : `?${query}`}`
  return new Request(url, { method, headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers } })
}

/** The JSON body of a response. */
export async function bodyOf(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>
}

/** The pattern query parameter, percent-encoded. */
export function patternQuery(pattern: string): string {
  return `pattern=${encodeURIComponent(pattern)}`
}
