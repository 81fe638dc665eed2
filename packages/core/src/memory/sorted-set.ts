import type { ScoreBound, SortedSetEntry } from '../driver/driver.js'

/**
 * Compares two strings in UTF-8 byte order, which is Unicode code point order. JavaScript's `<`
 * compares UTF-16 units instead, and disagrees for astral characters against U+E000..U+FFFF
 * ('\uFFFF' < '😀' in bytes, the reverse in UTF-16). Redis orders equal scores with memcmp.
 */
export function compareBytes(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    // Move surrogates above U+E000..U+FFFF so the first differing unit orders by code point.
    if (x >= 0xd800) x += x >= 0xe000 ? -0x800 : 0x2000
    if (y >= 0xd800) y += y >= 0xe000 ? -0x800 : 0x2000
    return x - y
  }
  return a.length - b.length
}

interface Item {
  readonly member: string
  readonly score: number
}

function compareItems(a: Item, score: number, member: string): number {
  if (a.score !== score) return a.score < score ? -1 : 1
  return compareBytes(a.member, member)
}

/** A bound turned into a number and a flag, once per call. */
export interface Bound {
  readonly value: number
  readonly exclusive: boolean
}

/** Parses a ScoreBound; `undefined` when it is not one Redis would accept (NaN). */
export function toBound(bound: ScoreBound): Bound | undefined {
  if (bound === '-inf') return { value: Number.NEGATIVE_INFINITY, exclusive: false }
  if (bound === '+inf') return { value: Number.POSITIVE_INFINITY, exclusive: false }
  if (typeof bound === 'number') return Number.isNaN(bound) ? undefined : { value: bound, exclusive: false }
  if (typeof bound === 'object' && bound !== null && typeof bound.exclusive === 'number' && !Number.isNaN(bound.exclusive)) {
    return { value: bound.exclusive, exclusive: true }
  }
  return undefined
}

/**
 * A sorted set kept as an array ordered by (score, member bytes) plus a member -> score map.
 * Inserts are a binary search and a splice: a memmove that stays cheap up to hundreds of
 * thousands of members, which is far beyond what a cache index holds, and much simpler than a
 * skip list.
 */
export class SortedSet {
  private readonly items: Item[]
  private readonly scores: Map<string, number>

  constructor(items: Item[] = [], scores: Map<string, number> = new Map()) {
    this.items = items
    this.scores = scores
  }

  get size(): number {
    return this.items.length
  }

  clone(): SortedSet {
    return new SortedSet(this.items.slice(), new Map(this.scores))
  }

  /** Adds or re-scores a member; true when it is new. */
  add(member: string, score: number): boolean {
    const previous = this.scores.get(member)
    if (previous !== undefined) {
      if (previous === score) return false
      this.items.splice(this.position(previous, member), 1)
    }
    this.scores.set(member, score)
    this.items.splice(this.position(score, member), 0, { member, score })
    return previous === undefined
  }

  /** Removes a member; true when it was there. */
  remove(member: string): boolean {
    const score = this.scores.get(member)
    if (score === undefined) return false
    this.scores.delete(member)
    this.items.splice(this.position(score, member), 1)
    return true
  }

  /**
   * Members within [min, max], ascending, or descending with `reverse`; `offset` counts from the
   * first member returned (the highest with `reverse`), as ZRANGE ... BYSCORE [REV] LIMIT.
   */
  range(min: Bound, max: Bound, reverse: boolean, offset: number, limit: number): SortedSetEntry[] {
    const result: SortedSetEntry[] = []
    const low = this.lowIndex(min)
    const high = this.highIndex(max)
    if (offset < 0 || low >= high) return result
    if (reverse) {
      for (let i = high - 1 - offset; i >= low && result.length < limit; i--) result.push(this.copy(i))
    } else {
      for (let i = low + offset; i < high && result.length < limit; i++) result.push(this.copy(i))
    }
    return result
  }

  /** Removes every member within [min, max]; how many went. */
  removeRange(min: Bound, max: Bound): Item[] {
    const low = this.lowIndex(min)
    const high = this.highIndex(max)
    if (low >= high) return []
    const removed = this.items.splice(low, high - low)
    for (const item of removed) this.scores.delete(item.member)
    return removed
  }

  private copy(index: number): SortedSetEntry {
    const item = this.items[index] as Item
    return { member: item.member, score: item.score }
  }

  /** Index of (score, member) if present, else where it belongs. */
  private position(score: number, member: string): number {
    let lo = 0
    let hi = this.items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareItems(this.items[mid] as Item, score, member) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** First index whose score satisfies the lower bound. */
  private lowIndex(min: Bound): number {
    let lo = 0
    let hi = this.items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const score = (this.items[mid] as Item).score
      if (min.exclusive ? score <= min.value : score < min.value) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** First index past the upper bound. */
  private highIndex(max: Bound): number {
    let lo = 0
    let hi = this.items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const score = (this.items[mid] as Item).score
      if (max.exclusive ? score < max.value : score <= max.value) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
