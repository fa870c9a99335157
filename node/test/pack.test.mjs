// The npm packages as users get them: `tools/stage.mjs` (run by build.sh) lays out and
// packs the main package and this platform's addon package, as napi-rs publishes them;
// both tarballs go into an empty project, where the README snippet runs (ESM and
// CommonJS) and type-checks (strict TypeScript). Without its platform package the main
// package says which one is missing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { packSuite } from '../../tests/hosts/pack-suite.mjs'
import { nodeDir, repoRoot } from './helpers.mjs'
import { checkReadmeOutput } from './helpers.mjs'

const require = createRequire(import.meta.url)
const { platformName } = require('../loader.js')

let staged = null
function stage() {
  if (staged) return staged
  const out = path.join(repoRoot, 'target', 'npm')
  const r = spawnSync(process.execPath, [path.join(nodeDir, 'tools', 'stage.mjs'), out], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  staged = JSON.parse(r.stdout)
  return staged
}

packSuite({
  host: 'node',
  packageName: 'meshverdict',
  readme: path.join(nodeDir, 'README.md'),
  tsc: path.join(nodeDir, 'node_modules', 'typescript', 'bin', 'tsc'),
  tarballs: () => {
    const s = stage()
    const platform = s.platforms[platformName()]
    assert.ok(platform, `no platform package staged for ${platformName()}: ${JSON.stringify(s)}`)
    return [s.main, platform]
  },
  check: checkReadmeOutput,
})

test('node: the main package lists every platform package as optional', () => {
  const s = stage()
  const pj = JSON.parse(spawnSync('tar', ['-xzOf', s.main, 'package/package.json'], { encoding: 'utf8' }).stdout)
  assert.deepEqual(Object.keys(pj.optionalDependencies).sort(), pj.napi.targets.length ? Object.keys(pj.optionalDependencies).sort() : [])
  assert.equal(Object.keys(pj.optionalDependencies).length, pj.napi.targets.length)
  for (const [name, version] of Object.entries(pj.optionalDependencies)) {
    assert.match(name, /^meshverdict-(linux|darwin|win32)-/)
    assert.equal(version, pj.version)
  }
  assert.equal(pj.devDependencies, undefined)
  const files = spawnSync('tar', ['-tzf', s.main], { encoding: 'utf8' }).stdout
  assert.doesNotMatch(files, /\.node\n/, 'the main package carries no addon')
  const platform = spawnSync('tar', ['-tzf', s.platforms[platformName()]], { encoding: 'utf8' }).stdout
  assert.match(platform, new RegExp(`package/meshverdict\\.${platformName()}\\.node`))
  assert.match(platform, /package\/LICENSE/)
})

test('node: without its platform package, the error names the package to install', { timeout: 120_000 }, (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshverdict-node-noplatform-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(path.join(dir, 'package.json'), '{"private": true}\n')
  const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', '--omit=optional', stage().main], { cwd: dir, encoding: 'utf8' })
  assert.equal(install.status, 0, install.stderr)
  const r = spawnSync(process.execPath, ['-e', "try { require('meshverdict') } catch (e) { console.log(e.code); console.log(e.message) }"], { cwd: dir, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /^ERR_MESHVERDICT_NATIVE_MISSING\n/)
  assert.match(r.stdout, new RegExp(`meshverdict-${platformName()}, which is not installed`))
  assert.doesNotMatch(r.stdout, /npm has a bug/)
})
