// Run after tsup in each published package (`pnpm build`): tsup writes every declaration twice,
// `X.d.ts` for the ESM build and an identical `X.d.cts` for the CJS one. The ESM file becomes a
// one-line re-export of the CJS one, so a tarball carries the types once. The direction matters:
// ESM types may re-export CommonJS types under node16/nodenext, not the reverse (TS1479), and attw
// checks both resolutions on the packed tarball (`pnpm lint:package`).
import { readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const dist = path.resolve('dist')
for (const file of readdirSync(dist)) {
  const match = /^(.*)\.d\.ts$/.exec(file)
  if (!match || !readdirSync(dist).includes(`${match[1]}.d.cts`)) continue
  writeFileSync(path.join(dist, file), `export * from './${match[1]}.cjs'\n`)
}
