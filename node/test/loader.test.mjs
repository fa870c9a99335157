// The platform loader (loader.js): the platforms it knows are the ones package.json builds
// and stages, and a platform without a build gets an error that says so (and what to use),
// not npm's "optional dependencies" advice.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { nodeDir } from './helpers.mjs'

const require = createRequire(import.meta.url)
const { PLATFORMS, platformName, loadError } = require('../loader.js')
const pkg = JSON.parse(readFileSync(path.join(nodeDir, 'package.json'), 'utf8'))

test('the loader, napi.targets and npm/ name the same platforms', () => {
  assert.deepEqual(Object.values(PLATFORMS).sort(), [...pkg.napi.targets].sort())
  for (const p of Object.keys(PLATFORMS)) {
    const meta = JSON.parse(readFileSync(path.join(nodeDir, 'npm', p, 'package.json'), 'utf8'))
    assert.equal(meta.name, `meshverdict-${p}`)
    assert.equal(meta.version, pkg.version)
    assert.equal(meta.main, `meshverdict.${p}.node`)
    assert.ok(meta.os.length === 1 && meta.cpu.length === 1, p)
    if (p.startsWith('linux-')) assert.deepEqual(meta.libc, [p.endsWith('-musl') ? 'musl' : 'glibc'])
  }
})

test('platform names as napi-rs writes them', () => {
  assert.equal(platformName('linux', 'x64', false), 'linux-x64-gnu')
  assert.equal(platformName('linux', 'arm64', true), 'linux-arm64-musl')
  assert.equal(platformName('darwin', 'arm64'), 'darwin-arm64')
  assert.equal(platformName('win32', 'x64'), 'win32-x64-msvc')
  assert.equal(platformName('freebsd', 'x64'), 'freebsd-x64')
})

test('an unsupported platform: which ones are, and the WASM package instead', () => {
  const cause = Object.assign(new Error("Cannot find module 'meshverdict-freebsd-x64'"), { code: 'MODULE_NOT_FOUND' })
  const e = loadError('freebsd-x64', 'meshverdict-freebsd-x64', [cause])
  assert.equal(e.code, 'ERR_MESHVERDICT_UNSUPPORTED_PLATFORM')
  assert.match(e.message, /no native build for this platform \(freebsd-x64\)/)
  assert.match(e.message, /linux-x64-gnu/)
  assert.match(e.message, /@meshverdict\/wasm/)
  assert.doesNotMatch(e.message, /npm has a bug/)
  assert.equal(e.cause, cause)
})

test('a supported platform whose package is missing: how to get it', () => {
  const e = loadError('linux-arm64-musl', 'meshverdict-linux-arm64-musl', [new Error('a'), new Error('b')])
  assert.equal(e.code, 'ERR_MESHVERDICT_NATIVE_MISSING')
  assert.match(e.message, /meshverdict-linux-arm64-musl, which is not installed/)
  assert.match(e.message, /--omit=optional/)
  assert.ok(e.cause instanceof AggregateError)
})

test('this platform has a build here', () => {
  const name = platformName()
  assert.ok(Object.hasOwn(PLATFORMS, name), name)
  assert.ok(existsSync(path.join(nodeDir, `meshverdict.${name}.node`)), 'node/build.sh builds it')
})
