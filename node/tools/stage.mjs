#!/usr/bin/env node
// node tools/stage.mjs [OUT] — stage and pack the npm packages of the Node host, the way
// napi-rs's `pre-publish` lays them out: the main package `meshverdict` (the wrapper, its
// types, the loader, README and LICENSE, and `optionalDependencies` on every platform
// package), and one `meshverdict-<platform>` package per addon built here (with `os`,
// `cpu`, `libc` from npm/<platform>/package.json). OUT defaults to <repo>/target/npm;
// each package is staged in OUT/<name>/ and packed into OUT/<name>-<version>.tgz.
// Prints the tarballs as JSON: { main, platforms: { <platform>: tarball } }.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const nodeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const repo = path.resolve(nodeDir, '..')
const out = path.resolve(process.argv[2] ?? path.join(repo, 'target', 'npm'))
const require = createRequire(import.meta.url)
const { PLATFORMS } = require('../loader.js')
const pkg = JSON.parse(readFileSync(path.join(nodeDir, 'package.json'), 'utf8'))
const license = path.join(repo, 'LICENSE')

function fail(message) {
  process.stderr.write(`stage.mjs: ${message}\n`)
  process.exit(1)
}

// The three lists of platforms must agree: the loader's, napi's targets, npm/ folders.
const fromTargets = Object.entries(PLATFORMS).filter(([, t]) => pkg.napi.targets.includes(t)).map(([p]) => p)
if (fromTargets.length !== pkg.napi.targets.length || fromTargets.length !== Object.keys(PLATFORMS).length) {
  fail(`loader.js PLATFORMS and package.json napi.targets differ: ${JSON.stringify(PLATFORMS)} vs ${JSON.stringify(pkg.napi.targets)}`)
}
for (const p of Object.keys(PLATFORMS)) {
  if (!existsSync(path.join(nodeDir, 'npm', p, 'package.json'))) fail(`no npm/${p}/package.json (napi create-npm-dirs)`)
}
if (!existsSync(license)) fail(`no ${license}`)

function pack(dir) {
  const r = spawnSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: dir, encoding: 'utf8' })
  if (r.status !== 0) fail(`npm pack in ${dir}: ${r.stderr}`)
  return path.join(out, JSON.parse(r.stdout)[0].filename)
}

mkdirSync(out, { recursive: true })

// ---------------------------------------------------------------- the main package
const main = path.join(out, pkg.name)
rmSync(main, { recursive: true, force: true })
mkdirSync(main, { recursive: true })
for (const f of pkg.files) {
  if (f === 'LICENSE') continue
  copyFileSync(path.join(nodeDir, f), path.join(main, f))
}
copyFileSync(license, path.join(main, 'LICENSE'))
const published = { ...pkg }
delete published.devDependencies
delete published.scripts
published.optionalDependencies = Object.fromEntries(Object.keys(PLATFORMS).map((p) => [`${pkg.name}-${p}`, pkg.version]))
writeFileSync(path.join(main, 'package.json'), `${JSON.stringify(published, null, 2)}\n`)
const result = { main: pack(main), platforms: {} }

// ---------------------------------------------------------------- platform packages
for (const p of Object.keys(PLATFORMS)) {
  const addon = path.join(nodeDir, `${pkg.napi.binaryName}.${p}.node`)
  if (!existsSync(addon)) continue // built elsewhere (a CI job per platform)
  const meta = JSON.parse(readFileSync(path.join(nodeDir, 'npm', p, 'package.json'), 'utf8'))
  if (meta.version !== pkg.version) fail(`npm/${p}/package.json is version ${meta.version}, the package ${pkg.version} (napi version)`)
  const dir = path.join(out, meta.name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  copyFileSync(path.join(nodeDir, 'npm', p, 'package.json'), path.join(dir, 'package.json'))
  copyFileSync(path.join(nodeDir, 'npm', p, 'README.md'), path.join(dir, 'README.md'))
  copyFileSync(license, path.join(dir, 'LICENSE'))
  copyFileSync(addon, path.join(dir, meta.main))
  result.platforms[p] = pack(dir)
}
process.stdout.write(`${JSON.stringify(result)}\n`)
