/**
 * A request the bridge answers itself with `{ error }` and a 4xx status, the shape
 * `@upstash/redis` turns into an `UpstashError` carrying the message.
 */
export class RefusedRequestError extends Error {
  constructor(
    message: string,
    /** The HTTP status of the answer. */
    readonly status = 400,
  ) {
    super(message)
  }
}
