/** The part of a zod issue the messages need. */
export interface Issue {
  readonly code: string
  readonly path: readonly PropertyKey[]
  readonly message: string
  readonly errors?: readonly (readonly Issue[])[]
}

/**
 * zod issues as readable `path: message` lines. A union (`boolean | { ... }`) reports only
 * "Invalid input"; the issues of the branch that had the right type say what is wrong.
 *
 * @example
 * ```ts
 * describeIssues(result.error.issues) // ['circuitBreaker.openDuration: expected a duration']
 * ```
 */
export function describeIssues(issues: readonly Issue[], prefix: readonly PropertyKey[] = []): string[] {
  const lines: string[] = []
  for (const issue of issues) {
    const path = [...prefix, ...issue.path]
    if (issue.code === 'invalid_union' && issue.errors !== undefined) {
      // A branch whose only complaint is "not my type" (false vs a duration, boolean vs an object) is not the one meant.
      const branch = issue.errors.find((issues) => issues.length > 0 && !issues.every((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value')))
      if (branch !== undefined) {
        lines.push(...describeIssues(branch, path))
        continue
      }
    }
    lines.push(`${path.length > 0 ? path.map(String).join('.') : 'options'}: ${issue.message}`)
  }
  return lines
}
