/** Resolves once `condition()` holds, polling; rejects after `deadlineMs` (generous, never a timing assertion). */
export async function waitFor(condition: () => boolean, deadlineMs = 5_000): Promise<void> {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > deadlineMs) throw new Error(`[@cachette/testing] condition not met within ${deadlineMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}
