const COMBINING_MARKS = /\p{M}/gu

/**
 * Folds text for matching people's names and search terms: compatibility decomposition (NFKD,
 * which also splits ligatures and full-width letters), accents removed, a full case fold (lower,
 * upper, lower: 'ß' and 'ẞ' become 'ss'), then the same again for letters the case mapping made
 * decomposable. Idempotent. Whitespace is left as it is.
 *
 * @example
 * ```ts
 * foldText('KOUADÍO Élodie') // 'kouadio elodie'
 * ```
 */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase().toUpperCase().toLowerCase().normalize('NFKD').replace(COMBINING_MARKS, '')
}
