import { InvalidOptionsError } from '../errors.js'

/**
 * Takes the credentials and the database number out of a redis:// URL, so that they can meet the
 * explicit options on equal terms. ioredis and node-redis let every field of the URL win, even an
 * empty one: `redis://app@host` plus `password` connects with the empty password from the URL.
 * Here an explicit option fills what the URL leaves empty, and a field set in both is refused, by
 * name. Shared by the TCP drivers (@cachette/ioredis, @cachette/redis).
 */

/** A redis:// URL with its user, password and db path removed, and what they were. */
export interface SplitRedisUrl {
  /** The URL without credentials or db path: host, port and query, for the client to parse. */
  readonly url: string
  readonly username: string | undefined
  readonly password: string | undefined
  readonly db: number | undefined
}

/** What the caller gave besides the URL, and the names to use for each in an error. */
export interface ExplicitConnection {
  readonly username: string | undefined
  readonly password: string | undefined
  readonly db: number | undefined
  /** How the caller spells each field: option names, or environment variables. */
  readonly names: { readonly url: string; readonly username: string; readonly password: string; readonly db: string }
  /** Start of the error message, e.g. `invalid options`. */
  readonly context: string
  /** The package whose error it is, e.g. `@cachette/ioredis`. */
  readonly packageName: string
}

const nonEmpty = (value: string) => (value === '' ? undefined : value)
const nonEmptyOrUndefined = (value: string | undefined) => (value === undefined ? undefined : nonEmpty(value))

function invalid(explicit: ExplicitConnection, detail: string): InvalidOptionsError {
  return new InvalidOptionsError(`[${explicit.packageName}] ${explicit.context}: ${detail}`)
}

/**
 * Splits `url` and merges it with the explicit fields; never echoes the URL or a credential.
 *
 * @throws InvalidOptionsError when the URL does not parse, its path is not a database number, or a
 * field is set both in the URL and explicitly.
 * @example
 * ```ts
 * splitRedisUrl('redis://app@redis.internal:6379/2', { username: undefined, password: secret, db: undefined, names, context: 'invalid options', packageName: '@cachette/ioredis' })
 * // { url: 'redis://redis.internal:6379', username: 'app', password: secret, db: 2 }
 * ```
 */
export function splitRedisUrl(url: string, explicit: ExplicitConnection): SplitRedisUrl {
  let parsed: URL
  let fromUrl: { username: string | undefined; password: string | undefined }
  try {
    parsed = new URL(url)
    fromUrl = { username: nonEmpty(decodeURIComponent(parsed.username)), password: nonEmpty(decodeURIComponent(parsed.password)) }
  } catch {
    throw invalid(explicit, `${explicit.names.url}: not a valid URL`)
  }
  const path = parsed.pathname.replace(/^\//, '')
  if (path !== '' && !/^\d{1,7}$/.test(path)) {
    throw invalid(explicit, `${explicit.names.url}: the path must be a database number (redis://host:6379/2)`)
  }
  const urlDb = path === '' ? undefined : Number(path)
  for (const [field, inUrl, given] of [
    ['username', fromUrl.username, explicit.username],
    ['password', fromUrl.password, explicit.password],
    ['db', urlDb, explicit.db],
  ] as const) {
    if (inUrl !== undefined && given !== undefined && given !== '') {
      throw invalid(explicit, `the ${field} is set both in the URL and in ${explicit.names[field]}: set it in one place`)
    }
  }
  parsed.username = ''
  parsed.password = ''
  parsed.pathname = ''
  return {
    url: parsed.toString(),
    username: fromUrl.username ?? nonEmptyOrUndefined(explicit.username),
    password: fromUrl.password ?? nonEmptyOrUndefined(explicit.password),
    db: urlDb ?? explicit.db,
  }
}
