/** A position in a sorted set: the score and the member of the last item served. */
export interface Position {
  readonly score: number
  readonly member: string
}

/**
 * Encodes a position as an opaque, URL-safe cursor.
 *
 * @example
 * ```ts
 * decodeCursor(encodeCursor({ score: 1, member: 'm1' })) // { score: 1, member: 'm1' }
 * ```
 */
export function encodeCursor(position: Position): string {
  return btoa(`${position.score}|${position.member}`).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

/**
 * Decodes a cursor; undefined when it is not one this package made.
 *
 * @example
 * ```ts
 * decodeCursor('garbage') // undefined
 * ```
 */
export function decodeCursor(cursor: string): Position | undefined {
  try {
    const text = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'))
    const bar = text.indexOf('|')
    const score = Number(text.slice(0, bar))
    const member = text.slice(bar + 1)
    if (bar < 1 || !Number.isFinite(score) || member === '') return undefined
    return { score, member }
  } catch {
    return undefined
  }
}
