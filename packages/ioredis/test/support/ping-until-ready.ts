import type { BaseDriver } from '@cachette/core'

/**
 * Pings until the store answers (at most 20 tries, 250 ms apart). A worker process starting
 * beside others on a loaded 2-core machine may miss one ping's deadline, and a Cluster client
 * may take longer than that to discover the slots; neither is what a test is about.
 */
export async function pingUntilReady(driver: BaseDriver): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await driver.ping()
      return
    } catch (error) {
      if (attempt >= 20) throw error
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}
