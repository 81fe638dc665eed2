import { openStore } from '@/lib/db/open-store'
import { statsResponse } from '@/lib/http/stats-route'

export const runtime = 'nodejs'

/** Node's cache and routes, and how many queries reached the database (from both runtimes). */
export async function GET(): Promise<Response> {
  return statsResponse({ database: (await openStore()).counts() })
}
