import { InvalidOptionsError, defineKey, isCacheError, type Key } from '@cachette/core'
import type { ResolvedPatientOptions } from './patient-options.js'
import { PatientSchema, type Patient } from './patient-schema.js'

/** Builds the key of a patient code; throws InvalidKeyError for a code the template's mode refuses. */
export type PatientKeyBuilder = (code: string) => Key<Patient>

/**
 * Compiles the key template once. The establishment id is bound here and checked now (a bad one is
 * a configuration error at startup, not a failure on the first request).
 */
export function patientKeyBuilder(options: ResolvedPatientOptions): PatientKeyBuilder {
  let definition: (params: Readonly<Record<string, unknown>>) => Key<Patient>
  try {
    definition = defineKey(options.keyTemplate, {
      params: { [options.codeParamName]: options.codeParam },
      // In 'json' storage the cache validates what it reads with the same schema as the HASH reader.
      schema: PatientSchema,
      label: options.label,
    }) as unknown as (params: Readonly<Record<string, unknown>>) => Key<Patient>
  } catch (error) {
    throw new InvalidOptionsError(`[@cachette/patient] createPatientCache options are invalid: keyTemplate or codeParam: ${isCacheError(error) ? error.message.replace('[@cachette/core] ', '') : 'rejected'}`, { cause: error })
  }
  const { etablissement, codeParamName } = options
  try {
    definition({ etablissement, [codeParamName]: 'check' })
  } catch (error) {
    // Names the option, never its value.
    throw new InvalidOptionsError("[@cachette/patient] createPatientCache options are invalid: etablissement: holds a character keys may not contain (a glob character, ':', a brace or whitespace)", { cause: error })
  }
  return (code) => definition({ etablissement, [codeParamName]: code })
}

/** The data subject of a patient code (see {@link patientSubjectBuilder}). */
export type PatientSubjectBuilder = (code: string) => string

/**
 * The data subject every patient entry names (erasure by data subject, `cache.forget`):
 * `patient:` and the key's own code parameter value. In the default `'strict'` mode that is the
 * code itself (`patient:CI-20250108-00001`), which the key name already shows; with
 * `codeParam: { hmac }` (or `'hash'`, `'encode'`) it is the same value the key name holds, so the
 * subject index (a plain SHA-256 of the subject) never exposes a code the key hides.
 */
export function patientSubjectBuilder(options: ResolvedPatientOptions): PatientSubjectBuilder {
  const name = options.codeParamName
  const definition = defineKey(`patient:{${name}}`, { params: { [name]: options.codeParam } }) as unknown as (params: Readonly<Record<string, unknown>>) => Key<unknown>
  return (code) => definition({ [name]: code }).key
}
