import type { FastifyInstance, FastifyLoggerOptions, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify'

/** Where the app's log lines go (pino JSON, one line per call). */
export interface AppLogOptions {
  /** A pino destination: anything with `write(line)`. @default process.stdout */
  readonly stream?: { write(line: string): void }
  /** @default 'info' */
  readonly level?: string
}

const ERROR_CODE = /^[0-9A-Z_]{1,60}$/

/**
 * The stable code of an error, safe to log: a SQLSTATE (`23505`), a Fastify code
 * (`FST_ERR_CTP_INVALID_JSON_BODY`), a Cachette code. Never the message: PostgreSQL puts values in
 * messages (`invalid input syntax for type date: "…"`), PGlite adds the query and its parameters
 * to its errors, and `detail` names the conflicting key.
 *
 * @example
 * ```ts
 * errorCode(databaseError) // '23505'
 * ```
 */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && ERROR_CODE.test(code) ? code : undefined
}

/** The error's class name (`DatabaseError`, `TypeError`), or its type. */
function errorName(error: unknown): string {
  if (error instanceof Error) return error.name.slice(0, 60)
  return typeof error
}

/**
 * Pino serializers that keep health data out of the log whoever logs `req`, `res` or `err`:
 * the method and route pattern (never the URL: query strings carry legal entity ids, bodies carry patients),
 * the status, and an error's code and class name only.
 */
const SERIALIZERS = {
  req: (request: { method?: string; routeOptions?: { url?: string } }) => ({ method: request.method, route: request.routeOptions?.url ?? '(unmatched)' }),
  res: (reply: { statusCode?: number }) => ({ status: reply.statusCode }),
  err: (error: unknown) => ({ type: errorName(error), code: errorCode(error) }),
}

/**
 * Fastify's `logger` option for the app: `false`, or pino with redacting serializers.
 *
 * @example
 * ```ts
 * Fastify({ logger: loggerOptions({ stream }) })
 * ```
 */
export function loggerOptions(logger: boolean | AppLogOptions | undefined): FastifyServerOptions['logger'] {
  if (logger === undefined || logger === false) return false
  const options = logger === true ? {} : logger
  return {
    level: options.level ?? 'info',
    // Fastify types `err`'s output as pino's (message, stack): leaving those out is the point.
    serializers: SERIALIZERS as unknown as FastifyLoggerOptions['serializers'],
    ...(options.stream === undefined ? {} : { stream: options.stream }),
  }
}

/**
 * One redacted line per request, written once the response is sent: method, route pattern
 * (`/fhir/export/:type`), status and duration. It replaces Fastify's own request logging (turned off
 * with `disableRequestLogging`), which logs the full URL of every request and of every 404.
 *
 * @example
 * ```ts
 * logRequests(app) // {"method":"GET","route":"/fhir/export/:type","status":200,"durationMs":3,"msg":"request"}
 * ```
 */
export function logRequests(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => logRequest(request, reply))
}

/**
 * The redacted line of one request (see {@link logRequests}); for the answers no hook sees
 * (Fastify's `frameworkErrors`: a malformed or too long URL).
 *
 * @example
 * ```ts
 * logRequest(request, reply)
 * ```
 */
export function logRequest(request: FastifyRequest, reply: FastifyReply): void {
  request.log.info({ method: request.method, route: request.routeOptions?.url ?? '(unmatched)', status: reply.statusCode, durationMs: Math.round(reply.elapsedTime) }, 'request')
}

/**
 * Logs a failed request by its code and class name only (see {@link errorCode}).
 *
 * @example
 * ```ts
 * logFailure(request.log, error) // {"code":"XX000","type":"DatabaseError","msg":"request failed"}
 * ```
 */
export function logFailure(log: FastifyInstance['log'], error: unknown): void {
  log.error({ code: errorCode(error) ?? 'UNKNOWN', type: errorName(error) }, 'request failed')
}
