import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

/**
 * Free loopback ports for test servers, taken *below* the kernel's ephemeral range.
 *
 * Why not `listen(0)`: that hands out an ephemeral port, and a test that kills a server and
 * restarts it on the same port leaves that port free in between, where the next `listen(0)` of
 * any other process (another test file, another helper's launcher) is likely to get it. We saw a
 * driver reconnect to a stranger's redis-server that way. Ports below the ephemeral range are
 * never handed out by the kernel, so only another launcher picking the same random number could
 * take one, and the probe below catches that.
 */

const LOWEST_PORT = 20_000
const FALLBACK_EPHEMERAL_START = 32_768

function ephemeralRangeStart(): number {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)
    const value = Number(start)
    return Number.isInteger(value) && value > 0 ? value : FALLBACK_EPHEMERAL_START
  } catch {
    // Not Linux: assume the IANA-like default.
    return FALLBACK_EPHEMERAL_START
  }
}

/** Resolves the port if a listener could bind it on 127.0.0.1 just now, else undefined. */
function probe(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer()
    server.unref()
    server.once('error', () => resolve(undefined))
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      const bound = typeof address === 'object' && address !== null ? address.port : undefined
      server.close(() => resolve(bound))
    })
  })
}

/**
 * A loopback TCP port that was free a moment ago, outside the kernel's ephemeral range when
 * there is room below it (else any free port). Another process may still take it before the
 * server binds, so launchers retry on "Address already in use".
 *
 * @example
 * ```ts
 * const port = await findFreePort()
 * ```
 */
export async function findFreePort(): Promise<number> {
  const highest = ephemeralRangeStart() - 1
  if (highest - LOWEST_PORT >= 1000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const candidate = LOWEST_PORT + Math.floor(Math.random() * (highest - LOWEST_PORT + 1))
      const port = await probe(candidate)
      if (port !== undefined) return port
    }
  }
  const port = await probe(0)
  if (port === undefined) throw new Error('no free loopback port')
  return port
}
