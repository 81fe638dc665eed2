import { Redis } from '@upstash/redis'
import type { ResolvedUpstashOptions } from './resolve-options.js'

type ConnectionSettings = Extract<ResolvedUpstashOptions, { kind: 'connection' }>

/**
 * The client the driver creates (and owns) for `{ url, token }`:
 * - `automaticDeserialization: false`: the client would otherwise JSON.parse every answer, so
 *   a stored "123" would come back as the number 123 and "null" as null;
 * - one deadline per command, retries included (`signal` as a function is evaluated once per
 *   request); an aborted command is never retried;
 * - auto-pipelining off: the driver batches explicitly (MGET, DEL chunks, MULTI) and every
 *   command it sends goes through `exec`, which the auto-pipeline would not batch anyway;
 * - telemetry headers off: no runtime or platform details leave with each request.
 */
export function createClient(settings: ConnectionSettings): Redis {
  return new Redis({
    url: settings.url,
    token: settings.token,
    automaticDeserialization: false,
    responseEncoding: settings.responseEncoding === 'json' ? false : 'base64',
    enableAutoPipelining: false,
    enableTelemetry: false,
    retry: { retries: settings.retries, backoff: (attempt) => Math.min(50 * 2 ** attempt, 1_000) },
    signal: () => AbortSignal.timeout(settings.timeoutMs),
  })
}
