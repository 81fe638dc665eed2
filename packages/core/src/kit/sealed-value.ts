/** What starts a value sealed by `kit.seal` (`@s1 <keyId> <iv> <ciphertext>`, see CacheKit.seal). */
export const SEALED_PREFIX = '@s1 '

/**
 * Whether a stored value is one `kit.seal` sealed (it starts with `@s1 `). A package reading a
 * record field by field uses it to tell sealed values from plain ones written before encryption.
 *
 * @example
 * ```ts
 * import { isSealed } from '@cachette/core/kit'
 *
 * isSealed(await kit.seal(storeKey, 'email', email)) // true with encryption on, false without
 * ```
 */
export function isSealed(value: string): boolean {
  return value.startsWith(SEALED_PREFIX)
}
