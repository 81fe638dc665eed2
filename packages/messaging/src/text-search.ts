import { foldText } from '@cachette/core'

const NOT_A_WORD = /[^\p{L}\p{N}]+/gu

/** Shortest prefix indexed: a one-letter query matches whole one-letter words only. */
export const MIN_PREFIX = 2
/** Longest prefix indexed: longer queries match whole words only. */
export const MAX_PREFIX = 20

/**
 * The words of a text once folded: letters and digits only, so a word never holds a key separator.
 *
 * @example
 * ```ts
 * searchWords('Dr. Élodie Kouadio-Aya') // ['dr', 'elodie', 'kouadio', 'aya']
 * ```
 */
export function searchWords(text: string): string[] {
  return foldText(text)
    .split(NOT_A_WORD)
    .filter((word) => word !== '')
    .map((word) => word.slice(0, 64))
}

/**
 * The prefixes of a word that the index keeps ({@link MIN_PREFIX} to {@link MAX_PREFIX} characters, the word itself excluded).
 *
 * @example
 * ```ts
 * prefixesOf('elodie') // ['el', 'elo', 'elod', 'elodi']
 * ```
 */
export function prefixesOf(word: string): string[] {
  const prefixes: string[] = []
  for (let length = MIN_PREFIX; length < word.length && length <= MAX_PREFIX; length += 1) prefixes.push(word.slice(0, length))
  return prefixes
}

// Folded as @cachette/patient folds person names: core's foldText.
export { foldText }
