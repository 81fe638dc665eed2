import type { CallRunner } from './call-runner.js'
import type { CommandClient } from './commands.js'

/** A SCAN page that arrived and waits to be yielded. */
interface Page {
  readonly node: CommandClient
  /** The cursor of the node's next page; '0' when this was its last. */
  readonly next: string
  readonly keys: string[]
}

/**
 * Every key of every node matching `pattern`, the nodes scanned concurrently.
 *
 * Each node runs its own cursor loop, and a node's next page is asked for only when its previous
 * page is taken to be yielded: each node has at most one page in flight or waiting, so memory stays
 * bounded by nodes x COUNT keys whatever the consumer's pace. Pages are yielded as they arrive,
 * in any order across nodes. Every page goes through the runner (its own deadline). The first
 * failed page rejects the iteration; once the iteration failed or the consumer stopped
 * (`break`, `return()`), nothing more is sent: pages already in flight settle into the void,
 * their rejections handled here.
 */
export async function* scanConcurrently(runner: CallRunner, nodes: readonly CommandClient[], pattern: string, count: number): AsyncGenerator<string> {
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
  const fetch = (node: CommandClient, cursor: string) => {
    inFlight++
    // A call that waited for a connection checks, when it may finally be sent, that it is still wanted.
    const send = async (): Promise<[string, string[]]> => (stopped || failure !== undefined ? ['0', []] : node.scan(cursor, 'MATCH', pattern, 'COUNT', count))
    runner
      .run('scan', send)
      .then(
        ([next, keys]) => ready.push({ node, next: String(next), keys }),
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
      // Prefetch: the node's next page travels while this one is consumed.
      if (page.next !== '0') fetch(page.node, page.next)
      for (const key of page.keys) yield key
    }
  } finally {
    stopped = true
  }
}
