// `pnpm lint:package` in a published package: publint --strict and attw on the tarball pnpm packs,
// which is what `pnpm publish` uploads (publishConfig applied, workspace: ranges replaced), rather
// than on the working directory or on what `npm pack` would make of it.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const dest = mkdtempSync(path.join(tmpdir(), 'cachette-lint-'))
try {
  execFileSync('pnpm', ['pack', '--pack-destination', dest], { stdio: 'ignore' })
  const tarball = path.join(dest, readdirSync(dest)[0])
  execFileSync('publint', ['run', tarball, '--strict'], { stdio: 'inherit' })
  execFileSync('attw', [tarball], { stdio: 'inherit' })
} catch (error) {
  process.exitCode = typeof error.status === 'number' ? error.status : 1
} finally {
  rmSync(dest, { recursive: true, force: true })
}
