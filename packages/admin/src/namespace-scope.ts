import { escapeGlob } from '@cachette/core'

/**
 * The literal start of a Redis glob: its characters up to the first unescaped `*`, `?` or `[`,
 * with `\x` read as `x` (as Redis reads it outside brackets; a `\` that ends the pattern is itself).
 * Every key the glob matches starts with this string, byte for byte: Redis matches each literal
 * character against exactly one character of the key, in order.
 *
 * @example
 * ```ts
 * literalHead('fhir:export:*:ej:1') // 'fhir:export:'
 * literalHead('fhir\\:exp*')        // 'fhir:exp'
 * literalHead('[a-z]hir:*')         // ''
 * ```
 */
export function literalHead(glob: string): string {
  let head = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string
    if (c === '*' || c === '?' || c === '[') return head
    if (c === '\\' && i + 1 < glob.length) {
      i++
      head += glob[i] as string
    } else {
      head += c
    }
  }
  return head
}

/**
 * The namespaces a handler may delete in, relative to the cache's prefix. `['']` stands for
 * everything below the prefix (a cache with a prefix and no `namespaces` option).
 */
export class NamespaceScope {
  readonly namespaces: readonly string[]

  constructor(namespaces: readonly string[]) {
    this.namespaces = namespaces
  }

  /**
   * Whether every key `pattern` can match lies in one of the namespaces: the pattern's literal head
   * (before any glob character, escapes read) must start with a namespace. So `f*:`, `[a-z]hir:`,
   * `fhir:expor?:` do not pass for `fhir:export:` (their literal head is shorter than it), while
   * `fhir\:export:*` does (it can only match what `fhir:export:*` matches).
   */
  admits(pattern: string): boolean {
    const head = literalHead(pattern)
    return this.namespaces.some((namespace) => head.startsWith(namespace))
  }

  /**
   * The globs that delete every key of the namespaces: one per namespace, a namespace inside
   * another one left out (its keys go with the wider one).
   */
  flushPatterns(): string[] {
    const distinct = [...new Set(this.namespaces)]
    const widest = distinct.filter((namespace) => !distinct.some((other) => other !== namespace && namespace.startsWith(other)))
    return widest.map((namespace) => `${escapeGlob(namespace)}*`)
  }
}
