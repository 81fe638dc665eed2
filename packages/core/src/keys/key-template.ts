import { InvalidKeyError } from '../errors.js'

/**
 * Key templates: `'patient:{id}'`, `'soins_suite_{etablissement}_patient_cache:{code}'`.
 *
 * Syntax: `{name}` is a parameter (a name is letters, digits and `_`, not starting with a digit);
 * `{{` and `}}` are a literal `{` and `}`, so a Redis Cluster hash tag is written
 * `'{{conv:{id}}}:messages'` and gives the key `{conv:42}:messages`.
 */

/**
 * The parameter names of a template, as a union of string literals, computed by the type system.
 *
 * @example
 * ```ts
 * type P = TemplateParamNames<'fhir:export:{type}:ej:{ejId}'> // 'type' | 'ejId'
 * ```
 */
export type TemplateParamNames<Template extends string> = Template extends `${infer _Head}{${infer Rest}`
  ? Rest extends `{${infer AfterEscape}`
    ? TemplateParamNames<AfterEscape>
    : Rest extends `${infer Name}}${infer Tail}`
      ? Name | TemplateParamNames<Tail>
      : never
  : never

/** One piece of a parsed template. */
export type TemplatePart = { readonly literal: string; readonly param?: undefined } | { readonly param: string; readonly literal?: undefined }

/** A template after parsing and validation, done once by `defineKey`. */
export interface ParsedTemplate {
  readonly template: string
  readonly parts: readonly TemplatePart[]
  readonly paramNames: readonly string[]
  /** Literal text before the first parameter, trailing separators trimmed: a bounded metrics label. */
  readonly staticHead: string
}

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
// Glob characters in a literal would turn key.pattern() into a wider match than the template.
const FORBIDDEN_LITERAL = /[*?[\]\\\s\p{Cc}]/u

/**
 * Parses and validates a template.
 *
 * @throws InvalidKeyError naming the template and what is wrong with it.
 * @example
 * ```ts
 * parseTemplate('patient:{id}').paramNames // ['id']
 * ```
 */
export function parseTemplate(template: string): ParsedTemplate {
  const fail = (reason: string): never => {
    throw new InvalidKeyError(`[@cachette/core] key template '${template}' is invalid: ${reason}`)
  }
  if (typeof template !== 'string' || template.length === 0) {
    throw new InvalidKeyError('[@cachette/core] a key template must be a non-empty string')
  }
  const parts: TemplatePart[] = []
  const paramNames: string[] = []
  let literal = ''
  let i = 0
  while (i < template.length) {
    const c = template[i] as string
    if (c === '{' && template[i + 1] === '{') {
      literal += '{'
      i += 2
    } else if (c === '}' && template[i + 1] === '}') {
      literal += '}'
      i += 2
    } else if (c === '}') {
      fail(`a lone '}' at position ${i} (write '}}' for a literal brace)`)
    } else if (c === '{') {
      const close = template.indexOf('}', i + 1)
      if (close === -1) fail(`'{' at position ${i} is never closed (write '{{' for a literal brace)`)
      const name = template.slice(i + 1, close)
      if (!PARAM_NAME.test(name)) fail(`parameter name '${name}' must be letters, digits and '_', not starting with a digit`)
      if (literal !== '') parts.push({ literal })
      literal = ''
      parts.push({ param: name })
      if (!paramNames.includes(name)) paramNames.push(name)
      i = close + 1
    } else {
      literal += c
      i++
    }
  }
  if (literal !== '') parts.push({ literal })

  for (const part of parts) {
    if (part.literal !== undefined && FORBIDDEN_LITERAL.test(part.literal)) fail('literal text may not hold glob characters (* ? [ ] \\), whitespace or control characters')
  }
  checkSegments(parts, fail)

  const first = parts[0]
  const head = first?.literal ?? ''
  return { template, parts, paramNames, staticHead: head.replace(/[:_\-.]+$/, '') }
}

/**
 * Segments are the pieces between ':' separators. A parameter value never holds ':', so with at
 * most one parameter per segment a key maps back to exactly one set of parameters; two
 * parameters in one segment (`{a}_{b}`) would let 'x_y' + 'z' and 'x' + 'y_z' collide.
 */
function checkSegments(parts: readonly TemplatePart[], fail: (reason: string) => never): void {
  let paramsInSegment = 0
  let segmentLength = 0
  const endSegment = () => {
    if (segmentLength === 0) fail("empty segment (a leading, trailing or doubled ':')")
    paramsInSegment = 0
    segmentLength = 0
  }
  for (const part of parts) {
    if (part.param !== undefined) {
      paramsInSegment++
      segmentLength++
      if (paramsInSegment > 1) fail(`parameters '{${part.param}}' and the one before it share a segment; put a ':' between them`)
      continue
    }
    for (const c of part.literal) {
      if (c === ':') endSegment()
      else segmentLength++
    }
  }
  endSegment()
}
