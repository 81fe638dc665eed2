import { sha256 } from '@cachette/core'

/**
 * What `authorize` answers: `true` (let the request through, logged as `who: 'authorize'`), an
 * object naming the caller (logged as its `who`), or `false` (refused). Anything else refuses.
 */
export type AdminAuthorization = boolean | { readonly who: string }

/** Decides whether a request may use the admin API, and who it is. */
export type AdminAuthorize = (request: Request) => AdminAuthorization | Promise<AdminAuthorization>

/** The outcome of authentication: the caller, or the answer to give. */
export type AuthOutcome =
  | { readonly ok: true; readonly who: string }
  | { readonly ok: false; readonly status: 401 | 403 | 500; readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'AUTHORIZE_FAILED'; readonly errorName?: string }

/** Authenticates one request. Never rejects. */
export type Authenticator = (request: Request) => Promise<AuthOutcome>

/**
 * Longest credential hashed. Longer ones are refused without being hashed, so a huge header costs
 * nothing; the token option has the same bound, so no valid token is ever refused by it.
 */
export const MAX_TOKEN_LENGTH = 4096

/** `who` values from `authorize` are cut to this length before they reach a log line. */
const MAX_WHO_LENGTH = 128

const UNAUTHENTICATED: AuthOutcome = { ok: false, status: 401, code: 'UNAUTHENTICATED' }
const FORBIDDEN: AuthOutcome = { ok: false, status: 403, code: 'FORBIDDEN' }

/**
 * The credential of `Authorization: Bearer <credential>` (the scheme is case-insensitive, RFC 7235),
 * or undefined when the header is absent, of another scheme or empty.
 */
export function bearerCredential(request: Request): string | undefined {
  const header = request.headers.get('authorization')
  if (header === null) return undefined
  const value = header.trim()
  const space = value.indexOf(' ')
  if (space < 0 || value.slice(0, space).toLowerCase() !== 'bearer') return undefined
  const credential = value.slice(space + 1).trim()
  return credential === '' ? undefined : credential
}

/**
 * Compares two digests in time that depends only on their length (always 32 bytes here): every
 * byte is visited, differences are OR-ed together, no early exit.
 */
function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number)
  return difference === 0
}

/**
 * Token authentication. The token is kept only as its SHA-256, and the presented credential is
 * hashed and compared digest to digest in constant time: the comparison takes the same time
 * whatever the credential's length or how many of its characters are right, so timing reveals
 * neither the token nor its length. `sha256` is core's pure TypeScript one (no `node:crypto`).
 */
export function tokenAuthenticator(token: string): Authenticator {
  const expected = sha256(token)
  return async (request) => {
    const credential = bearerCredential(request)
    if (credential === undefined) return UNAUTHENTICATED
    if (credential.length > MAX_TOKEN_LENGTH) return FORBIDDEN
    return digestsEqual(sha256(credential), expected) ? { ok: true, who: 'token' } : FORBIDDEN
  }
}

/** Keeps a `who` fit for a log line: no control characters, bounded. */
function cleanWho(who: string): string {
  const printable = who.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, MAX_WHO_LENGTH)
  return printable === '' ? 'authorize' : printable
}

/**
 * Authentication by the application's own `authorize`. Only `true` or `{ who: string }` let the
 * request through (fail closed: a truthy string or number does not). A refusal is a 401 when the
 * request carries no `Authorization` header at all, else a 403; an `authorize` that throws is a 500.
 */
export function customAuthenticator(authorize: AdminAuthorize): Authenticator {
  return async (request) => {
    let answer: unknown
    try {
      answer = await authorize(request)
    } catch (error) {
      return { ok: false, status: 500, code: 'AUTHORIZE_FAILED', errorName: error instanceof Error ? error.name : typeof error }
    }
    if (answer === true) return { ok: true, who: 'authorize' }
    if (typeof answer === 'object' && answer !== null && typeof (answer as { who?: unknown }).who === 'string') {
      return { ok: true, who: cleanWho((answer as { who: string }).who) }
    }
    return request.headers.has('authorization') ? FORBIDDEN : UNAUTHENTICATED
  }
}
