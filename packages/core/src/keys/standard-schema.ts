/**
 * The Standard Schema v1 interface (https://standardschema.dev), written out here so core has
 * no dependency for it. zod 4, Valibot, ArkType and others implement it through their
 * `~standard` property, so any of them can validate cached values.
 */

/**
 * A validator that follows Standard Schema v1.
 *
 * @example
 * ```ts
 * import * as z from 'zod'
 * const schema: StandardSchemaV1<unknown, { id: number }> = z.object({ id: z.number() })
 * ```
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The Standard Schema properties. */
  readonly '~standard': StandardSchemaV1Props<Input, Output>
}

/** The `~standard` properties of a {@link StandardSchemaV1}. */
export interface StandardSchemaV1Props<Input = unknown, Output = Input> {
  /** The version of the standard: 1. */
  readonly version: 1
  /** The library that implements it (`'zod'`, `'valibot'`...). */
  readonly vendor: string
  /** Validates an unknown value; may be asynchronous. */
  readonly validate: (value: unknown, options?: { readonly libraryOptions?: Record<string, unknown> | undefined } | undefined) => StandardSchemaV1Result<Output> | Promise<StandardSchemaV1Result<Output>>
  /** Types only: the input and output types of the schema. */
  readonly types?: { readonly input: Input; readonly output: Output } | undefined
}

/** The result of a Standard Schema validation: a value, or issues. */
export type StandardSchemaV1Result<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined }> }

/** The output type of a Standard Schema. */
export type InferSchemaOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output']
