/** The entries the crash test's child appends: varied lengths and non-ASCII, so a torn record is likely to cut through text. */
export interface CrashEntry {
  readonly index: number
  readonly content: string
}

export function crashEntry(index: number): CrashEntry {
  return { index, content: `Bonjour docteur ${index} — é`.padEnd(20 + ((index * 37) % 300), '·') }
}
