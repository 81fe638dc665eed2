import { type Exec, toText, toTexts } from './commands.js'
import type { CommandTarget } from './standalone-target.js'

/**
 * SCAN as an async iterable. On a cluster every master holds its own keyspace, so the driver
 * walks every master, all at once: each master runs its own cursor loop, and its next page is
 * asked for only when its previous page is taken to be yielded, so memory stays bounded by
 * masters x COUNT keys whatever the consumer's pace. Each page is one call with its own deadline.
 * The first failed page rejects the iteration; once it failed or the consumer stopped, nothing
 * more is sent.
 */

interface Page {
  readonly node: Exec
  readonly next: string
  readonly keys: (string | null)[]
}

export async function* scanKeys(target: CommandTarget, pattern: string, count: number): AsyncGenerator<string> {
  const nodes = await target.masters('scan')
  const ready: Page[] = []
  let failure: { error: unknown } | undefined
  let stopped = false
  let inFlight = 0
  let wake: (() => void) | undefined
  const settled = () => {
    inFlight--
    const resume = wake
    wake = undefined
    resume?.()
  }
  const fetch = (node: Exec, cursor: string) => {
    inFlight++
    target
      .run('scan', async () => {
        if (stopped || failure !== undefined) return ['0', []] as const
        const reply = (await node(undefined, ['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(count)])) as unknown[]
        return [toText(reply[0]) ?? '0', toTexts(reply[1])] as const
      })
      .then(
        ([next, keys]) => ready.push({ node, next, keys: [...keys] }),
        (error: unknown) => {
          failure ??= { error }
        },
      )
      .finally(settled)
  }

  for (const node of nodes) fetch(node, '0')
  try {
    for (;;) {
      if (failure !== undefined) throw failure.error
      const page = ready.shift()
      if (page === undefined) {
        if (inFlight === 0) return
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        continue
      }
      if (page.next !== '0') fetch(page.node, page.next)
      for (const key of page.keys) if (key !== null) yield key
    }
  } finally {
    stopped = true
  }
}
