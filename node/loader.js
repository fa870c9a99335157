'use strict'
// Loads the native addon of meshverdict for this platform, the napi-rs v3 way: one npm
// package per platform (`meshverdict-linux-x64-gnu`, …), each with `os`, `cpu` and
// `libc`, listed in the main package's `optionalDependencies` so that npm installs only
// the one that fits. A build in this folder (`napi build --platform`, for development)
// wins over the package.
//
// What it says when it cannot load is the point of this file: on a platform without a
// build, which platforms have one and what to use instead; on a platform with one, that
// its package is missing and how to get it; else the loader's own error.

const { readFileSync } = require('node:fs')
const path = require('node:path')

/** The platforms with a build: napi-rs's platform name → Rust target (package.json `napi.targets`). */
const PLATFORMS = {
  'linux-x64-gnu': 'x86_64-unknown-linux-gnu',
  'linux-arm64-gnu': 'aarch64-unknown-linux-gnu',
  'linux-x64-musl': 'x86_64-unknown-linux-musl',
  'linux-arm64-musl': 'aarch64-unknown-linux-musl',
  'darwin-x64': 'x86_64-apple-darwin',
  'darwin-arm64': 'aarch64-apple-darwin',
  'win32-x64-msvc': 'x86_64-pc-windows-msvc',
  'win32-arm64-msvc': 'aarch64-pc-windows-msvc',
}

function isMusl() {
  // glibc reports its version in the process report; musl does not.
  try {
    const report = process.report && typeof process.report.getReport === 'function' ? process.report.getReport() : null
    if (report && report.header) return !report.header.glibcVersionRuntime
  } catch {}
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl')
  } catch {
    return false
  }
}

/** The napi-rs platform name of a platform (`linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`). */
function platformName(platform = process.platform, arch = process.arch, musl = platform === 'linux' && isMusl()) {
  if (platform === 'linux') return `linux-${arch}-${musl ? 'musl' : 'gnu'}`
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

/** The error for a platform without a build, or with a build that is not installed. */
function loadError(name, packageName, causes) {
  let error
  if (!Object.hasOwn(PLATFORMS, name)) {
    error = new Error(
      `meshverdict has no native build for this platform (${name}). Builds exist for ` +
        `${Object.keys(PLATFORMS).join(', ')}. The same engine and API run anywhere as ` +
        'WebAssembly: npm install @meshverdict/wasm',
    )
    error.code = 'ERR_MESHVERDICT_UNSUPPORTED_PLATFORM'
  } else {
    error = new Error(
      `meshverdict: the native build for this platform is the package ${packageName}, which is not installed ` +
        '(it is an optional dependency of meshverdict: was the install run with --omit=optional or --no-optional, ' +
        'or on another platform and copied here?). Install it: npm install meshverdict ' +
        `(or npm install ${packageName}).`,
    )
    error.code = 'ERR_MESHVERDICT_NATIVE_MISSING'
  }
  error.cause = causes.length > 1 ? new AggregateError(causes, 'loading the addon failed') : causes[0]
  return error
}

function missing(e) {
  return e && e.code === 'MODULE_NOT_FOUND'
}

function load() {
  if (process.env.NAPI_RS_NATIVE_LIBRARY_PATH) return require(process.env.NAPI_RS_NATIVE_LIBRARY_PATH)
  const name = platformName()
  const packageName = `meshverdict-${name}`
  const causes = []
  for (const candidate of [path.join(__dirname, `meshverdict.${name}.node`), packageName]) {
    try {
      return require(candidate)
    } catch (e) {
      // A build that exists but fails to load (wrong Node ABI, missing glibc symbol) is
      // that failure, not a missing package.
      if (!missing(e) || !String(e.message).includes(candidate)) throw e
      causes.push(e)
    }
  }
  throw loadError(name, packageName, causes)
}

module.exports = { load, platformName, loadError, PLATFORMS }
