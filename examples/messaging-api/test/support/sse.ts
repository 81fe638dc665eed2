/** One Server-Sent Event. */
export interface SseEvent {
  readonly event: string
  readonly data: any
}

/** An open event stream read with fetch: the events so far, and a way to wait for one. */
export interface SseStream {
  readonly events: SseEvent[]
  next(predicate: (event: SseEvent) => boolean, timeoutMs: number): Promise<SseEvent>
  close(): void
}

/** Opens `url` with fetch and parses its `text/event-stream` body as it arrives. */
export async function openEventStream(url: string): Promise<SseStream> {
  const controller = new AbortController()
  const response = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } })
  if (response.status !== 200 || response.body === null) throw new Error(`event stream answered ${response.status}`)
  const events: SseEvent[] = []
  const waiters = new Set<() => void>()
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  void (async () => {
    let buffer = ''
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        buffer += value
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const fields = Object.fromEntries(block.split('\n').filter((line) => !line.startsWith(':')).map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]))
          if (fields['event'] !== undefined) events.push({ event: fields['event'], data: JSON.parse(fields['data'] ?? 'null') })
          for (const wake of waiters) wake()
        }
      }
    } catch {
      // aborted by close()
    }
  })()
  return {
    events,
    next(predicate, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(predicate)
          if (found === undefined) return
          waiters.delete(check)
          clearTimeout(timer)
          resolve(found)
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error('no such event in time'))
        }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    close: () => controller.abort(),
  }
}
