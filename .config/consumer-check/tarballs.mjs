// What the tarballs hold, checked before anything is installed: a LICENSE, each TypeScript source
// once (src/ shipped, source maps pointing at it without embedding it), one sourceMappingURL per
// built file, and no `@cachette/source` condition in the published exports.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

function problemsOf(tarball) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cachette-tarball-'))
  try {
    execFileSync('tar', ['xzf', tarball, '-C', dir])
    const pkg = path.join(dir, 'package')
    const problems = []
    const files = []
    const walk = (d) => {
      for (const entry of readdirSync(d, { withFileTypes: true })) {
        const full = path.join(d, entry.name)
        if (entry.isDirectory()) walk(full)
        else files.push(path.relative(pkg, full))
      }
    }
    walk(pkg)
    if (!files.includes('LICENSE')) problems.push('no LICENSE')
    const manifest = readFileSync(path.join(pkg, 'package.json'), 'utf8')
    if (manifest.includes('@cachette/source')) problems.push('the published exports keep the @cachette/source condition')
    if (manifest.includes('workspace:')) problems.push('a workspace: range was published')
    for (const file of files.filter((f) => f.endsWith('.map'))) {
      if ('sourcesContent' in JSON.parse(readFileSync(path.join(pkg, file), 'utf8'))) problems.push(`${file} embeds the sources`)
    }
    for (const file of files.filter((f) => /\.(c|m)?js$/.test(f))) {
      const count = readFileSync(path.join(pkg, file), 'utf8').match(/\/\/# sourceMappingURL=/g)?.length ?? 0
      if (count !== 1) problems.push(`${file} has ${count} sourceMappingURL comments`)
    }
    return { problems, files: files.length }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Prints one line per tarball (size, file count, problems); returns true when none has a problem. */
export function reportTarballs(tarballs) {
  let clean = true
  for (const [name, tarball] of tarballs) {
    const { problems, files } = problemsOf(tarball)
    const kb = (statSync(tarball).size / 1000).toFixed(1)
    console.log(`  ${problems.length === 0 ? 'ok  ' : 'FAIL'} ${name}: ${kb} kB packed, ${files} files${problems.length ? `: ${problems.join('; ')}` : ''}`)
    if (problems.length) clean = false
  }
  return clean
}
