const COMBINING_MARKS = /\p{M}/gu
const NOT_A_WORD = /[^\p{L}\p{N}]+/gu

/** Shortest prefix indexed: a one-letter query matches whole one-letter words only. */
export const MIN_PREFIX = 2
/** Longest prefix indexed: longer queries match whole words only. */
export const MAX_PREFIX = 20

/**
 * Folds text for search as `@cachette/patient` normalizes person names: NFKD, marks removed, case
 * folded ('Élodie' -> 'elodie', 'ß' -> 'ss').
 *
 * @example
 * ```ts
 * foldText('  KOUADÍO   Élodie ') // '  kouadio   elodie '
 * ```
 */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase().toUpperCase().toLowerCase().normalize('NFKD').replace(COMBINING_MARKS, '')
}

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
