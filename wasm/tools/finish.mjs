#!/usr/bin/env node
// node wasm/tools/finish.mjs PKG — finish what wasm-bindgen wrote into PKG/{bundler,nodejs,web}:
//
// - every build's entry module exports MeshverdictError (the class of
//   js/host.js that the module throws), so `instanceof` works with the
//   class users import, as in the Node package;
// - the nodejs build's copy of that snippet becomes CommonJS (wasm-bindgen copies it as
//   written, an ES module, and `require`s it; Node < 20.19 cannot);
// - each build folder says its module type in a package.json (wasm/package.json has no
//   "type"; the nodejs build must stay CommonJS whatever a parent says).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const pkg = path.resolve(process.argv[2] ?? 'pkg')
const SNIPPET = 'host.js'
const ENTRY = 'meshverdict_wasm.js'

function fail(message) {
  process.stderr.write(`finish.mjs: ${message}\n`)
  process.exit(1)
}

/** The snippet's path relative to the build folder (`snippets/<crate-hash>/js/…`). */
function snippetOf(dir) {
  const root = path.join(dir, 'snippets')
  if (!existsSync(root)) fail(`no ${root}: did wasm-bindgen run?`)
  const found = readdirSync(root, { recursive: true }).map(String).filter((f) => f.endsWith(`js/${SNIPPET}`))
  if (found.length !== 1) fail(`expected one ${SNIPPET} below ${root}, found ${found.length}`)
  return `./snippets/${found[0].split(path.sep).join('/')}`
}

function appendOnce(file, marker, text) {
  const src = readFileSync(file, 'utf8')
  if (!src.includes(marker)) writeFileSync(file, `${src.trimEnd()}\n${text}\n`)
}

for (const target of ['bundler', 'nodejs', 'web']) {
  const dir = path.join(pkg, target)
  if (!existsSync(path.join(dir, ENTRY))) continue
  const rel = snippetOf(dir)
  const marker = '// meshverdict: MeshverdictError'
  if (target === 'nodejs') {
    const file = path.join(dir, rel)
    let src = readFileSync(file, 'utf8')
    if (/^export /m.test(src)) {
      const names = [...src.matchAll(/^export (?:class|function) (\w+)/gm)].map((m) => m[1])
      src = src.replace(/^export (class|function) /gm, '$1 ')
      src += `\nmodule.exports = { ${names.join(', ')} }\n`
      writeFileSync(file, src)
    }
    appendOnce(path.join(dir, ENTRY), marker, `${marker}\nexports.MeshverdictError = require(${JSON.stringify(rel)}).MeshverdictError;`)
    writeFileSync(path.join(dir, 'package.json'), '{\n  "type": "commonjs"\n}\n')
  } else {
    appendOnce(path.join(dir, ENTRY), marker, `${marker}\nexport { MeshverdictError } from ${JSON.stringify(rel)};`)
    writeFileSync(path.join(dir, 'package.json'), '{\n  "type": "module"\n}\n')
  }
}
