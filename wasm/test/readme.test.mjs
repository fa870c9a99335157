// The usage snippet of wasm/README.md runs as written and prints what the README shows.
// The snippet is the ```js block after `<!-- readme-test: usage -->`; its output is the
// ```text block after `<!-- readme-test: output -->`. It runs from wasm/.readme-test/, inside
// the package, so `import … from '@meshverdict/wasm'` resolves to this package (nodejs build).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { readmeBlock, wasmDir } from './helpers.mjs'

test('README usage snippet runs and prints what the README shows', () => {
  const readme = readFileSync(path.join(wasmDir, 'README.md'), 'utf8')
  const code = readmeBlock(readme, 'usage', 'js')
  const expected = readmeBlock(readme, 'output', 'text')
  const dir = path.join(wasmDir, '.readme-test')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir)
  try {
    writeFileSync(path.join(dir, 'usage.mjs'), code)
    const r = spawnSync(process.execPath, ['usage.mjs'], { cwd: dir, encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout.trimEnd(), expected.trimEnd())
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
