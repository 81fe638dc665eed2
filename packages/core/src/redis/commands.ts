/*
 * Arguments and replies of the string and hash commands, as both Redis drivers send and read them.
 */

/**
 * The `[PX ttlMs] [NX|XX]` arguments of SET after the value. Check the TTL first with
 * {@link checkTtl}: this only spells it.
 *
 * @example
 * ```ts
 * import { setArguments } from '@cachette/core/redis'
 *
 * setArguments(60_000, 'nx') // ['PX', '60000', 'NX']
 * setArguments(undefined, undefined) // []
 * ```
 */
export function setArguments(ttlMs: number | undefined, condition: 'nx' | 'xx' | undefined): string[] {
  const args: string[] = []
  if (ttlMs !== undefined) args.push('PX', String(ttlMs))
  if (condition === 'nx') args.push('NX')
  else if (condition === 'xx') args.push('XX')
  return args
}

/**
 * The `field value field value...` arguments of HSET after the key, from an object's own
 * enumerable fields. Empty when there is no field: HSET with none is a syntax error, so the caller
 * answers 0 without a round trip.
 *
 * @example
 * ```ts
 * import { hsetArguments } from '@cachette/core/redis'
 *
 * hsetArguments({ name: 'Dupont', city: 'Lyon' }) // ['name', 'Dupont', 'city', 'Lyon']
 * ```
 */
export function hsetArguments(fields: Readonly<Record<string, string>>): string[] {
  const args: string[] = []
  for (const field of Object.keys(fields)) args.push(field, fields[field] as string)
  return args
}

/**
 * HGETALL's flat reply `[field, value, field, value...]` as an object. The fields become own
 * properties (`Object.fromEntries`), so a field named `__proto__` stays a field and changes no
 * prototype.
 *
 * @example
 * ```ts
 * import { hgetallRecord } from '@cachette/core/redis'
 *
 * hgetallRecord(['name', 'Dupont', 'city', 'Lyon']) // { name: 'Dupont', city: 'Lyon' }
 * ```
 */
export function hgetallRecord(reply: readonly string[]): Record<string, string> {
  const pairs: [string, string][] = []
  for (let i = 0; i + 1 < reply.length; i += 2) pairs.push([reply[i] as string, reply[i + 1] as string])
  return Object.fromEntries(pairs)
}
