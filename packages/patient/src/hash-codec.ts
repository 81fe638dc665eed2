import { PatientSchema, type Patient } from './patient-schema.js'

/**
 * The fields of seed 000's patient HASH, in the seed's order. Readers ignore other fields (a newer
 * writer may add some); optional fields whose value is `null` are not written.
 *
 * @example
 * ```ts
 * const values = await redis.hmget(key, ...PATIENT_HASH_FIELDS) // in the seed's order
 * ```
 */
export const PATIENT_HASH_FIELDS = [
  'id',
  'code_patient',
  'nom',
  'prenoms',
  'date_naissance',
  'sexe',
  'nationalite_id',
  'situation_matrimoniale_id',
  'telephone_principal',
  'telephone_secondaire',
  'email',
  'adresse_complete',
  'ville',
  'commune',
  'etablissement_createur_id',
  'est_assure',
  'statut',
  'created_at',
  'updated_at',
  'assurances',
] as const

/**
 * The fields of the patient HASH that stay clear when the cache has encryption at rest: the
 * patient code and the creating establishment (both already in the key name,
 * `soins_suite_<etablissement>_patient_cache:<code>`) and the row's technical timestamps. Every other
 * field of {@link PATIENT_HASH_FIELDS} holds the patient's data (identity, contacts, address,
 * nationality, marital status, insurances, status, the row id) and is sealed with `kit.seal`.
 *
 * @example
 * ```ts
 * PATIENT_CLEAR_FIELDS.includes('nom') // false: sealed when the cache encrypts
 * ```
 */
export const PATIENT_CLEAR_FIELDS = ['code_patient', 'etablissement_createur_id', 'created_at', 'updated_at'] as const

/**
 * The fields of the patient HASH sealed when the cache has encryption at rest: every field of
 * {@link PATIENT_HASH_FIELDS} but {@link PATIENT_CLEAR_FIELDS}.
 *
 * @example
 * ```ts
 * PATIENT_SEALED_FIELDS.includes('email') // true
 * ```
 */
export const PATIENT_SEALED_FIELDS: readonly PatientHashField[] = PATIENT_HASH_FIELDS.filter((field) => !(PATIENT_CLEAR_FIELDS as readonly string[]).includes(field))

/** One field name of the patient HASH. */
export type PatientHashField = (typeof PATIENT_HASH_FIELDS)[number]

/** The fields that are not stored as the record's text as is: each has its own encoding below. */
const ENCODED_FIELDS = ['est_assure', 'created_at', 'updated_at', 'assurances'] as const
type TextField = Exclude<PatientHashField, (typeof ENCODED_FIELDS)[number]>

const TEXT_FIELDS = PATIENT_HASH_FIELDS.filter(
  (field): field is TextField => !(ENCODED_FIELDS as readonly string[]).includes(field),
)

/**
 * A timestamp as Go's `time.RFC3339` writes a UTC time: `2025-01-08T10:00:00Z`, whole seconds.
 *
 * @example
 * ```ts
 * formatRfc3339(new Date('2025-01-08T10:00:00.250Z')) // '2025-01-08T10:00:00Z'
 * ```
 */
export function formatRfc3339(date: Date): string {
  // toISOString is always UTC with milliseconds; the seed's writer has whole seconds and 'Z'.
  return `${date.toISOString().slice(0, 19)}Z`
}

/**
 * Encodes a patient into seed 000's HASH fields: text as is, `est_assure` as `"true"`/`"false"`,
 * `date_naissance` as `YYYY-MM-DD`, `created_at`/`updated_at` as RFC 3339 UTC to the second, and
 * `assurances` as a JSON array string (`"[]"` when empty). `null` optional fields are omitted.
 *
 * @example
 * ```ts
 * await redis.hset(key, encodePatientHash(patient))
 * ```
 */
export function encodePatientHash(patient: Patient): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const name of TEXT_FIELDS) {
    const value = patient[name]
    if (value !== null) fields[name] = value
  }
  fields.est_assure = patient.est_assure ? 'true' : 'false'
  fields.created_at = formatRfc3339(patient.created_at)
  fields.updated_at = formatRfc3339(patient.updated_at)
  fields.assurances = JSON.stringify(patient.assurances.map(({ id, nom, numero, type }) => ({ id, nom, numero, type })))
  return fields
}

/**
 * Decodes seed 000's HASH fields into a patient, or `undefined` when the hash is empty, partial
 * (a required field is missing) or corrupted (`est_assure` other than `"true"`/`"false"`, a bad
 * date, `assurances` that is not a JSON array of insurances). Never throws. Fields the seed's Go
 * writer omits (`assurances` when empty, optional contacts) are read as `[]` / `null`.
 *
 * @example
 * ```ts
 * const patient = decodePatientHash(await redis.hgetall(key)) // Patient | undefined
 * ```
 */
export function decodePatientHash(fields: Readonly<Record<string, string>>): Patient | undefined {
  const candidate: Record<string, unknown> = {}
  for (const name of TEXT_FIELDS) {
    const value = fields[name]
    if (value !== undefined) candidate[name] = value
  }
  const estAssure = fields.est_assure
  if (estAssure === 'true') candidate.est_assure = true
  else if (estAssure === 'false') candidate.est_assure = false
  else return undefined
  candidate.created_at = fields.created_at
  candidate.updated_at = fields.updated_at
  const assurances = fields.assurances
  if (assurances !== undefined) {
    try {
      candidate.assurances = JSON.parse(assurances)
    } catch {
      return undefined
    }
  }
  const parsed = PatientSchema.safeParse(candidate)
  return parsed.success ? parsed.data : undefined
}
