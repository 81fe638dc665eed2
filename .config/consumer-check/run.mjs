// The consumer check: what a user does, which publint and attw cannot see. Packs every published
// package with pnpm (as `pnpm publish` would), installs the tarballs with npm into scratch projects
// the way a user adds Cachette to a project that already has its client (`npm i ioredis`, then
// `npm i @cachette/core @cachette/ioredis`: the order that broke on ioredis 6), twice per Node
// version (the newest peers, then the oldest each range allows), and in each project: npm install
// and npm ls with no
// problem, import() and require() of every entry point, a round trip on memory, a real
// redis-server and the Upstash bridge, a node:test and a Jest test that start a redis-server, the
// conformance suite under the installed vitest, and tsc --strict under three module resolutions.
//
//   node .config/consumer-check/run.mjs [--node 20,22,24] [--peers newest,oldest]
//
// Needs the packages built (pnpm build), redis-server on PATH, and the npm registry. Node 22 and 24
// come from the registry's node-linux-<arch> packages.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { reportTarballs } from './tarballs.mjs'
import { run } from './run-step.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))
// Outside the repository, so that nothing in the workspace's node_modules can stand in for a
// dependency a tarball forgot to declare.
const work = path.join(tmpdir(), 'cachette-consumer-check')
const { values: args } = parseArgs({
  options: { node: { type: 'string', default: '20,22,24' }, peers: { type: 'string', default: 'newest,oldest' } },
})

/** The published packages, by name: their directory and manifest. */
function publishedPackages() {
  const found = new Map()
  for (const dir of readdirSync(path.join(root, 'packages'))) {
    const manifest = JSON.parse(readFileSync(path.join(root, 'packages', dir, 'package.json'), 'utf8'))
    if (!manifest.private) found.set(manifest.name, { dir: path.join(root, 'packages', dir), manifest })
  }
  return found
}

/** `^5.4.0 || ^6.0.0` -> `5.4.0`: the lowest version a caret range admits. */
function oldestIn(range) {
  const versions = range.split('||').map((part) => part.trim().replace(/^[\^~]/, ''))
  for (const version of versions) if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`consumer check: cannot read the range ${range}`)
  const key = (v) => v.split('.').map(Number)
  return versions.sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1] || key(a)[2] - key(b)[2])[0]
}

/** What the user installs beside Cachette, per peer set, read from the manifests so it cannot drift. */
function peerVersions(packages, set, nodeMajor) {
  const range = (pkg, dep) => {
    const manifest = packages.get(pkg).manifest
    const value = manifest.peerDependencies?.[dep] ?? manifest.dependencies?.[dep]
    if (!value) throw new Error(`consumer check: ${pkg} declares no range for ${dep}`)
    return value
  }
  const ranges = {
    ioredis: range('@cachette/ioredis', 'ioredis'),
    '@upstash/redis': range('@cachette/upstash', '@upstash/redis'),
    redis: range('@cachette/redis', 'redis'),
    '@valkey/valkey-glide': range('@cachette/valkey-glide', '@valkey/valkey-glide'),
    vitest: range('@cachette/testing', 'vitest'),
    'fast-check': range('@cachette/testing', 'fast-check'),
    zod: range('@cachette/core', 'zod'),
    '@opentelemetry/api': range('@cachette/core', '@opentelemetry/api'),
  }
  if (set === 'oldest') return Object.fromEntries(Object.entries(ranges).map(([name, r]) => [name, oldestIn(r)]))
  // Newest: what `npm i <name>` gives, except vitest 5 needs Node 22.12, so Node 20 gets the newest 4.
  const newest = Object.fromEntries(Object.keys(ranges).map((name) => [name, 'latest']))
  if (nodeMajor < 22) newest.vitest = '4'
  return newest
}

/** The Node binary for a major: this process's own, or the registry's node-linux-<arch> package. */
function nodeBinary(major) {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath
  const prefix = path.join(work, `node-${major}`)
  const pkg = `node-linux-${process.arch}`
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', prefix, `${pkg}@${major}`], { stdio: 'inherit' })
  return path.join(prefix, 'node_modules', pkg, 'bin', 'node')
}

function packAll(packages) {
  const dest = path.join(work, 'tarballs')
  rmSync(dest, { recursive: true, force: true })
  mkdirSync(dest, { recursive: true })
  const tarballs = new Map()
  for (const [name, { dir }] of packages) {
    const before = new Set(readdirSync(dest))
    execFileSync('pnpm', ['pack', '--pack-destination', dest], { cwd: dir, stdio: 'ignore' })
    const [file] = readdirSync(dest).filter((f) => !before.has(f))
    tarballs.set(name, path.join(dest, file))
  }
  return tarballs
}

const versionOf = (dir, name) => JSON.parse(readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')).version

/** One scratch project: the installs a user runs, then every check; returns the lines to print. */
async function checkProject({ nodeMajor, nodeBin, set, packages, tarballs }) {
  const dir = path.join(work, `node-${nodeMajor}-${set}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  cpSync(fixtures, dir, { recursive: true })
  // The same type test as an ES module file, for nodenext (types.ts is CommonJS in this project).
  cpSync(path.join(dir, 'types.ts'), path.join(dir, 'types.mts'))
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `consumer-${nodeMajor}-${set}`, version: '1.0.0', private: true }, null, 2))
  const peers = peerVersions(packages, set, nodeMajor)
  const at = (name) => `${name}@${peers[name]}`
  const tgz = (name) => tarballs.get(name)
  const env = { ...process.env, PATH: `${path.dirname(nodeBin)}:${process.env.PATH}`, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_loglevel: 'error' }
  delete env.VITEST
  delete env.VITEST_WORKER_ID
  const step = (label, command, commandArgs) => run({ label, command, args: commandArgs, cwd: dir, env })
  const npmI = (...names) => ['i', ...names]
  const newestVitest = set === 'newest' && nodeMajor >= 22
  const steps = [
    ...(set === 'oldest' ? [step('npm i zod @opentelemetry/api (oldest in range)', 'npm', npmI(at('zod'), at('@opentelemetry/api')))] : []),
    step(`npm i ${at('ioredis')}`, 'npm', npmI(at('ioredis'))),
    step('then npm i @cachette/core @cachette/ioredis', 'npm', npmI(tgz('@cachette/core'), tgz('@cachette/ioredis'))),
    step(`npm i @cachette/upstash @cachette/patient @cachette/admin @cachette/fhir-export @cachette/messaging ${at('@upstash/redis')}`, 'npm', npmI(tgz('@cachette/upstash'), tgz('@cachette/patient'), tgz('@cachette/admin'), tgz('@cachette/fhir-export'), tgz('@cachette/messaging'), at('@upstash/redis'))),
    step(`npm i @cachette/redis ${at('redis')} @cachette/valkey-glide ${at('@valkey/valkey-glide')}`, 'npm', npmI(tgz('@cachette/redis'), at('redis'), tgz('@cachette/valkey-glide'), at('@valkey/valkey-glide'))),
    // The README's line for the suite; on Node 22+ a bare `vitest` is vitest 5.
    newestVitest
      ? step('npm i -D vitest @cachette/testing', 'npm', npmI('-D', 'vitest', tgz('@cachette/testing')))
      : step(`npm i -D ${at('vitest')} @cachette/testing`, 'npm', npmI('-D', at('vitest'), tgz('@cachette/testing'))),
    step(`npm i -D ${at('fast-check')} typescript @types/node jest`, 'npm', npmI('-D', at('fast-check'), 'typescript', `@types/node@${nodeMajor}`, 'jest')),
    // ioredis 6.1.0's declarations import 'redis-errors', whose types it lists only as a devDependency:
    // a strict tsc without skipLibCheck needs them, with or without Cachette (docs/drivers.md says so).
    () => (versionOf(dir, 'ioredis').startsWith('6.') ? step('npm i -D @types/redis-errors (for ioredis 6 types)', 'npm', npmI('-D', '@types/redis-errors'))() : null),
    step('npm install (again)', 'npm', ['install']),
    step('npm ls --all: no problem', 'npm', ['ls', '--all']),
  ]
  const results = []
  for (const pending of steps) {
    const result = await pending()
    if (result === null) continue
    results.push(result)
    if (!result.ok) return results // the checks below need a good install
  }
  const installed = versionOf(dir, 'ioredis')
  const vitestVersion = versionOf(dir, 'vitest')
  results.push({ ok: true, label: `installed: ioredis ${installed}, vitest ${vitestVersion}`, ms: 0, info: true })
  const tsc = (label, file, module, resolution) =>
    step(`tsc --strict, ${label}`, 'npx', ['tsc', '--noEmit', '--strict', '--types', 'node', '--module', module, '--moduleResolution', resolution, '--target', 'es2022', file])
  const checks = [
    step('import() of every entry point; memory, redis-server, Upstash round trips', 'node', ['smoke.mjs']),
    step('require() of every entry point; memory, redis-server, Upstash round trips', 'node', ['smoke-require.cjs']),
    step('node:test starts and stops a redis-server; two tiers and batches over it', 'node', ['--test', 'node-test.test.mjs']),
    step('Jest (CommonJS) starts and stops a redis-server', 'npx', ['jest', '--ci', '--testMatch', '**/jest.test.cjs']),
    // docs/testing.md's two files, byte for byte (packages/testing/test/testing-guide-docs.test.ts checks it).
    step('docs/testing.md in node:test: memory driver, fake clock, event recorder', 'node', ['--test', 'guide.node-test.test.mjs']),
    step('docs/testing.md in Jest (CommonJS): memory driver, fake clock, event recorder', 'npx', ['jest', '--ci', '--testMatch', '**/guide.jest.test.cjs']),
    step(`vitest ${vitestVersion}: the conformance suite on memory and redis-server`, 'npx', ['vitest', 'run', 'conformance.test.mjs']),
    tsc('moduleResolution bundler', 'types.ts', 'esnext', 'bundler'),
    tsc('moduleResolution node16 (CommonJS file)', 'types.ts', 'node16', 'node16'),
    tsc('moduleResolution nodenext (ESM file)', 'types.mts', 'nodenext', 'nodenext'),
  ]
  for (const pending of checks) results.push(await pending())
  return results
}

async function main() {
  const packages = publishedPackages()
  mkdirSync(work, { recursive: true })
  const tarballs = packAll(packages)
  console.log('consumer check: tarballs packed with pnpm')
  let failed = !reportTarballs(tarballs)
  const summary = []
  for (const nodeMajor of args.node.split(',').map(Number)) {
    const nodeBin = nodeBinary(nodeMajor)
    const nodeVersion = execFileSync(nodeBin, ['--version'], { encoding: 'utf8' }).trim()
    for (const set of args.peers.split(',')) {
      const results = await checkProject({ nodeMajor, nodeBin, set, packages, tarballs })
      const passed = results.filter((r) => r.ok && !r.info).length
      const total = results.filter((r) => !r.info).length
      const ok = results.every((r) => r.ok)
      console.log(`\nconsumer check: Node ${nodeVersion}, ${set} peers: ${ok ? 'ok' : 'FAILED'}`)
      for (const r of results) console.log(`  ${r.info ? '    ' : r.ok ? 'ok  ' : 'FAIL'} ${r.label}${r.info ? '' : ` (${(r.ms / 1000).toFixed(1)} s)`}`)
      for (const r of results.filter((x) => !x.ok)) console.log(`\n--- ${r.label} ---\n${r.output}`)
      summary.push(`Node ${nodeVersion}, ${set} peers: ${ok ? 'ok' : 'FAILED'}, ${passed} of ${total} steps passed`)
      if (!ok) failed = true
    }
  }
  console.log(`\nconsumer check, per Node version:\n  ${summary.join('\n  ')}`)
  if (failed) process.exit(1)
}

await main()
