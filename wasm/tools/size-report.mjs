#!/usr/bin/env node
// What the .wasm is made of: code bytes per crate (from the `name` section), the data
// section, and the largest functions.
//
//   node wasm/tools/size-report.mjs [MODULE.wasm] [--top 15]
//
// Without MODULE: runs wasm-bindgen on the cargo output of the last wasm/build.sh
// (target/wasm32-unknown-unknown/release/meshverdict_wasm.wasm) into a temporary dir and
// reads that: the module as shipped before wasm-opt (which strips the names and shrinks
// code by ~25 %, fairly evenly). Reads the binary itself: no twiggy or wabt needed.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values: opts, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '15' } } })
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

let file = positionals[0]
let tmp = null
if (!file) {
  const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(repo, 'target')
  const raw = path.join(targetDir, 'wasm32-unknown-unknown', 'release', 'meshverdict_wasm.wasm')
  tmp = mkdtempSync(path.join(tmpdir(), 'meshverdict-size-'))
  execFileSync('wasm-bindgen', ['--target', 'web', '--out-dir', tmp, raw], { stdio: ['ignore', 'ignore', 'inherit'] })
  file = path.join(tmp, 'meshverdict_wasm_bg.wasm')
}
const buf = readFileSync(file)
if (tmp) rmSync(tmp, { recursive: true, force: true })

let pos = 8
const u8 = () => buf[pos++]
function uleb() {
  let result = 0
  let shift = 0
  for (;;) {
    const b = u8()
    result += (b & 0x7f) * 2 ** shift
    shift += 7
    if (b < 0x80) return result
  }
}
const name = () => {
  const n = uleb()
  const s = buf.toString('utf8', pos, pos + n)
  pos += n
  return s
}
const limits = () => {
  const flags = u8()
  uleb()
  if (flags & 1) uleb()
}

const sections = []
let importedFuncs = 0
const bodySizes = []
const names = new Map()
while (pos < buf.length) {
  const id = u8()
  const size = uleb()
  const start = pos
  const end = pos + size
  let label = String(id)
  if (id === 0) {
    label = `custom:${name()}`
    if (label === 'custom:name') {
      while (pos < end) {
        const sub = u8()
        const len = uleb()
        const subEnd = pos + len
        if (sub === 1) {
          const count = uleb()
          for (let i = 0; i < count; i++) names.set(uleb(), name())
        }
        pos = subEnd
      }
    }
  } else if (id === 2) {
    label = 'import'
    const count = uleb()
    for (let i = 0; i < count; i++) {
      name()
      name()
      const kind = u8()
      if (kind === 0) (uleb(), importedFuncs++)
      else if (kind === 1) (u8(), limits())
      else if (kind === 2) limits()
      else if (kind === 3) (u8(), u8())
      else if (kind === 4) (u8(), uleb())
    }
  } else if (id === 10) {
    label = 'code'
    const count = uleb()
    for (let i = 0; i < count; i++) {
      const n = uleb()
      bodySizes.push(n)
      pos += n
    }
  } else {
    label = { 1: 'type', 3: 'function', 4: 'table', 5: 'memory', 6: 'global', 7: 'export', 8: 'start', 9: 'elem', 11: 'data', 12: 'datacount' }[id] ?? label
  }
  sections.push([label, size])
  pos = end
  void start
}

// The crate a function is charged to: the most specific crate its name mentions.
const PRIORITY = [
  'meshverdict_wasm', 'meshverdict_bindings', 'k8s_openapi', 'jiff', 'meshverdict', 'yaml_rust2', 'hashlink',
  'ipnet', 'serde_path_to_error', 'serde_json', 'serde_core', 'serde', 'wasm_bindgen', 'js_sys', 'dlmalloc',
  'hashbrown', 'alloc', 'core', 'std',
]
function crateOf(fn) {
  if (fn === undefined) return '(unnamed)'
  const crates = new Set([...fn.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/g)].map((m) => m[1]))
  for (const c of PRIORITY) if (crates.has(c)) return c
  if (crates.size === 0) return /^(cluster_|runCase|__wbg|__wbindgen|__externref)/.test(fn) ? 'meshverdict_wasm' : 'runtime (memcpy, …)'
  return [...crates][0]
}

const byCrate = new Map()
const fns = []
bodySizes.forEach((size, i) => {
  const fn = names.get(importedFuncs + i)
  const c = crateOf(fn)
  byCrate.set(c, (byCrate.get(c) ?? 0) + size)
  fns.push([size, fn ?? `func[${importedFuncs + i}]`])
})
const total = buf.length
const code = bodySizes.reduce((a, b) => a + b, 0)
const pct = (n, of) => `${((100 * n) / of).toFixed(1)}%`.padStart(6)

console.log(`${file}: ${total} bytes, ${bodySizes.length} functions`)
console.log('\nsections')
for (const [label, size] of sections.sort((a, b) => b[1] - a[1])) console.log(`  ${label.padEnd(24)} ${String(size).padStart(9)} ${pct(size, total)}`)
console.log('\ncode by crate (of the code section)')
for (const [c, size] of [...byCrate].sort((a, b) => b[1] - a[1])) console.log(`  ${c.padEnd(24)} ${String(size).padStart(9)} ${pct(size, code)}`)
console.log(`\nlargest functions`)
for (const [size, fn] of fns.sort((a, b) => b[0] - a[0]).slice(0, Number(opts.top))) console.log(`  ${String(size).padStart(7)}  ${fn.length > 110 ? `${fn.slice(0, 107)}...` : fn}`)
