/**
 * Two tiers on the embedded memory driver: two instances, each with a memory tier, kept
 * coherent by the invalidation bus (docs/tiers.md).
 *
 *   pnpm --filter @cachette/example-quickstart start:two-tiers
 */
import { runTwoTiersDemo } from './two-tiers.js'

for (const line of await runTwoTiersDemo()) console.log(line)
