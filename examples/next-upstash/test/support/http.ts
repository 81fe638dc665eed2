import type { RunningApp } from '../../scripts/next-app'

export interface Reply {
  readonly status: number
  readonly cache: string | null
  readonly body: any
  readonly ms: number
}

/**
 * One request to the app as tenant `tenant` (the `x-tenant-id` header), timed from the client.
 *
 * @example
 * ```ts
 * const reply = await call(app, 'GET', '/api/fmpa?status=ACTIVE', 'sdis-13')
 * ```
 */
export async function call(app: RunningApp, method: string, path: string, tenant: string, body?: unknown): Promise<Reply> {
  const started = performance.now()
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: { 'x-tenant-id': tenant, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  const ms = performance.now() - started
  return { status: response.status, cache: response.headers.get('x-cache'), body: text === '' ? undefined : JSON.parse(text), ms }
}

/** The median of `values` (0 when empty). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return 0
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}
