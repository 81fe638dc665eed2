/** The body of every refused or failed request: what went wrong, never the input that caused it. */
export interface AdminErrorBody {
  /** A readable reason: which rule the request broke, or what failed. */
  readonly error: string
  /** A stable code when the store failed (`DRIVER_FAILURE`, `DEADLINE_EXCEEDED`, `CIRCUIT_OPEN`, `CLOSED`). */
  readonly code?: string
}

/** The body of a deletion (`invalidate`, `flush`) that went through. */
export interface AdminDeletedBody {
  /** How many keys existed and were deleted. */
  readonly deleted: number
}

/** Every answer: JSON, never cached by a proxy or a browser, never sniffed as something else. */
export function json(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...headers,
    },
  })
}

/** A refused or failed request. */
export function failure(status: number, error: string, extra: { readonly code?: string; readonly headers?: Readonly<Record<string, string>> } = {}): Response {
  const body: AdminErrorBody = extra.code === undefined ? { error } : { error, code: extra.code }
  return json(status, body, extra.headers)
}
