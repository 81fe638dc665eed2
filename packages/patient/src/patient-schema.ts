import * as z from 'zod'

// A calendar date, as Go's `Format("2006-01-02")` writes it: no time, no zone (a birth date is not an instant).
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
// RFC 3339 as Go's time.RFC3339 and RFC3339Nano write it: seconds, an optional fraction, 'Z' or an offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/

function isRealCalendarDate(text: string): boolean {
  const match = CALENDAR_DATE.exec(text)
  if (match === null) return false
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  // There is no year 0 in the calendar (1 BC is followed by AD 1), and PostgreSQL's date type
  // refuses 0000-MM-DD: '0000-01-01' is not a birth date anyone has.
  if (year < 1) return false
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0 to 99 as 1900 to 1999, so 0050-06-15
  // became 1950-06-15 and every real date of years 1 to 99 was refused.
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  // A rolled-over date (2025-02-30 becomes March 2nd) is not the one written.
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

/**
 * `YYYY-MM-DD`, a real date of the (proleptic) Gregorian calendar from `0001-01-01` to `9999-12-31`:
 * no February 30th, no February 29th outside leap years, no month or day `00`, and no year `0000`
 * (the calendar has no year zero, and PostgreSQL's `date` refuses it).
 *
 * @example
 * ```ts
 * CalendarDateSchema.safeParse('2024-02-29').success // true (a leap year)
 * CalendarDateSchema.safeParse('0050-06-15').success // true
 * CalendarDateSchema.safeParse('2025-02-30').success // false
 * CalendarDateSchema.safeParse('0000-00-00').success // false
 * ```
 */
export const CalendarDateSchema = z.string().refine(isRealCalendarDate, { message: 'expected a calendar date YYYY-MM-DD' })

/**
 * A `Date`, or an RFC 3339 timestamp string; the output is always a valid `Date`.
 *
 * @example
 * ```ts
 * TimestampSchema.parse('2025-01-08T10:00:00Z') // Date
 * TimestampSchema.safeParse('2025-01-08 10:00').success // false (not RFC 3339)
 * ```
 */
export const TimestampSchema = z
  .union([z.date(), z.string().regex(RFC3339, { message: 'expected an RFC 3339 timestamp' }).transform((text) => new Date(text))])
  .refine((date) => !Number.isNaN(date.getTime()), { message: 'expected a valid date' })

// Optional text: absent, null or a string in; string or null out (a HASH cannot hold null, so null means "field absent").
const nullableText = z
  .string()
  .nullish()
  .transform((value) => value ?? null)

/**
 * One insurance of a patient, as seed 000's `assurances` JSON holds it.
 *
 * @example
 * ```ts
 * AssuranceSchema.parse({ id: '990e…', nom: 'MUGEF-CI', numero: 'MUGEF-2024-12345', type: 'principal' })
 * ```
 */
export const AssuranceSchema = z.object({
  id: z.string(),
  nom: z.string(),
  numero: z.string(),
  type: z.string(),
})

/** One insurance of a patient (`id`, `nom`, `numero`, `type`). */
export type Assurance = z.output<typeof AssuranceSchema>

/**
 * A patient record, with seed 000's field names. Validates what loaders return and what is read
 * back from the cache: `date_naissance` is `YYYY-MM-DD`; `created_at`/`updated_at` accept a `Date`
 * or an RFC 3339 string and come out as `Date`; optional text fields come out as `null` when absent;
 * `assurances` defaults to `[]`.
 *
 * @example
 * ```ts
 * const patient = PatientSchema.parse(row) // Patient
 * ```
 */
export const PatientSchema = z.object({
  id: z.string().min(1),
  code_patient: z.string().min(1),
  nom: z.string(),
  prenoms: z.string(),
  date_naissance: CalendarDateSchema,
  sexe: z.string().min(1),
  nationalite_id: nullableText,
  situation_matrimoniale_id: nullableText,
  telephone_principal: nullableText,
  telephone_secondaire: nullableText,
  email: nullableText,
  adresse_complete: nullableText,
  ville: nullableText,
  commune: nullableText,
  etablissement_createur_id: z.string().min(1),
  est_assure: z.boolean(),
  statut: z.string().min(1),
  created_at: TimestampSchema,
  updated_at: TimestampSchema,
  assurances: z.array(AssuranceSchema).nullish().transform((value) => value ?? []),
})

/** A patient as the cache returns it (timestamps as `Date`, absent text as `null`). */
export type Patient = z.output<typeof PatientSchema>

/** A patient as a loader may return it (timestamps as `Date` or RFC 3339 strings, optional fields omitted). */
export type PatientInput = z.input<typeof PatientSchema>
