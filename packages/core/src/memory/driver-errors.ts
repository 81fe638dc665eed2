import { DriverError, InvalidOptionsError } from '../errors.js'

/*
 * Error factories of the memory driver. Messages name the command and the reason, never a key or
 * a value (see errors.ts).
 */

const PREFIX = '[@cachette/core] [memory]'

/** Redis WRONGTYPE: the key holds another kind of value. */
export function wrongTypeError(command: string): DriverError {
  return new DriverError('WRONG_TYPE', `${PREFIX} ${command}: operation against a key holding the wrong kind of value`)
}

/** Redis "value is not an integer or out of range" / "increment or decrement would overflow". */
export function notIntegerError(command: string, reason: 'not an integer' | 'would overflow'): DriverError {
  return new DriverError('NOT_INTEGER', `${PREFIX} ${command}: ${reason === 'not an integer' ? 'value is not an integer or out of range' : 'increment or decrement would overflow'}`)
}

/** Every call after `close()`. */
export function closedError(): DriverError {
  return new DriverError('CLOSED', `${PREFIX} the driver is closed`)
}

/** An argument Redis itself would refuse (a TTL below 1 ms, a NaN score...). */
export function invalidArgumentError(command: string, reason: string): InvalidOptionsError {
  return new InvalidOptionsError(`${PREFIX} ${command}: ${reason}`)
}
