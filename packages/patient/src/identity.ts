import { InvalidOptionsError, foldText, hmacSha256, sha256, toHex } from '@cachette/core'
import { CalendarDateSchema } from './patient-schema.js'

/** What identifies a person for the anti-duplicate rule of seed 000: name, first names, birth date. */
export interface PatientIdentity {
  /** Family name, as typed (`'KOUADIO'`, `'Kouadio '`). */
  readonly nom: string
  /** First names, as typed (`'Jean  Baptiste Marie'`). */
  readonly prenoms: string
  /** Birth date `YYYY-MM-DD`. */
  readonly date_naissance: string
}

const WHITESPACE_RUN = /\s+/gu

/**
 * Normalizes a name for duplicate detection: compatibility decomposition (NFKD, which also splits
 * ligatures and full-width letters), accents removed, case folded, whitespace runs collapsed to
 * one space, trimmed. Hyphens and apostrophes are kept (`Jean-Baptiste` ≠ `Jean Baptiste`).
 *
 * @example
 * ```ts
 * normalizePersonName('  KOUADÍO   Élodie ') // 'kouadio elodie'
 * ```
 */
export function normalizePersonName(name: string): string {
  // core's foldText: NFKD, marks removed, a full case fold (idempotent, checked on every code point).
  return foldText(name).replace(WHITESPACE_RUN, ' ').trim()
}

/**
 * The fingerprint of a person: hex SHA-256 (or hex HMAC-SHA-256 with `secret`) of the normalized
 * name, first names and birth date joined by line feeds (normalization removes line feeds from
 * names, so the parts cannot run into each other). It names the anti-duplicate lock
 * (`soins_suite_patient_lock:<fingerprint>`), and a service can store it in its database to find
 * duplicates with the same rule.
 *
 * Names and birth dates are guessable: with no `secret`, anyone who reads key names can confirm a
 * guessed person. Give a `secret` when key names must not reveal who is being registered.
 *
 * @throws InvalidOptionsError when a part is missing or the birth date is not `YYYY-MM-DD`.
 * @example
 * ```ts
 * identityFingerprint({ nom: 'Kouadio', prenoms: 'Jean  Baptiste', date_naissance: '1985-06-15' })
 * // same as for { nom: 'KOUADIO', prenoms: 'jean baptiste', date_naissance: '1985-06-15' }
 * ```
 */
export function identityFingerprint(identity: PatientIdentity, secret?: string): string {
  if (typeof identity !== 'object' || identity === null || typeof identity.nom !== 'string' || typeof identity.prenoms !== 'string') {
    throw new InvalidOptionsError('[@cachette/patient] an identity needs nom and prenoms as strings')
  }
  if (!CalendarDateSchema.safeParse(identity.date_naissance).success) {
    throw new InvalidOptionsError('[@cachette/patient] an identity needs date_naissance as YYYY-MM-DD')
  }
  const nom = normalizePersonName(identity.nom)
  const prenoms = normalizePersonName(identity.prenoms)
  if (nom === '' || prenoms === '') throw new InvalidOptionsError('[@cachette/patient] an identity needs a non-blank nom and prenoms')
  const text = `${nom}\n${prenoms}\n${identity.date_naissance}`
  return toHex(secret === undefined ? sha256(text) : hmacSha256(secret, text))
}
