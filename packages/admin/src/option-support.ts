import { InvalidOptionsError } from '@cachette/core'
import * as z from 'zod'

/** A zod check that a value is an object with these methods (a Cache, a logger...). */
export function objectWith(methods: readonly string[], message: string) {
  return z.custom<unknown>(
    (value) => typeof value === 'object' && value !== null && methods.every((name) => typeof (value as Record<string, unknown>)[name] === 'function'),
    { message },
  )
}

/** A zod check that a value is a function. */
export function functionValue<T>(message: string) {
  return z.custom<T>((value) => typeof value === 'function', { message })
}

/** Throws the one readable error every factory of this package throws for bad options. */
export function failOptions(where: string, problems: readonly string[], cause?: unknown): never {
  throw new InvalidOptionsError(`[@cachette/admin] ${where} options are invalid: ${problems.join('; ')}`, cause === undefined ? undefined : { cause })
}

/**
 * Validates options with zod and returns the problems as readable lines (`path: why`), so that the
 * factory can add the checks zod cannot make and still throw one error listing every problem.
 * Messages never carry an input value: an option may be a secret (a token).
 */
export function optionProblems<T>(schema: z.ZodType<T>, input: unknown): { readonly data: T | undefined; readonly problems: string[] } {
  const parsed = schema.safeParse(input)
  if (parsed.success) return { data: parsed.data, problems: [] }
  return {
    data: undefined,
    problems: parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'options'}: ${issue.message}`),
  }
}
