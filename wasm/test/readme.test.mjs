// The usage snippet of wasm/README.md runs as written and prints what the README shows.
// The snippet is the ```js block after `<!-- readme-test: usage -->`; its output is the
// ```text block after `<!-- readme-test: output -->`. It runs from wasm/.readme-test/, inside
// the package, so `import … from '@meshverdict/wasm'` resolves to this package (nodejs build).
// The snippet of "Questions as columns" (`<!-- readme-test: columns -->`) runs the same
// way and prints exactly the ```text block after `<!-- readme-test: columns-output -->`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { readmeBlock, wasmDir } from './helpers.mjs'

/** Runs the ```js block after the `code` marker; it must print the ```text block after `output`. */
function runsAsShown(code, output) {
  const readme = readFileSync(path.join(wasmDir, 'README.md'), 'utf8')
  const snippet = readmeBlock(readme, code, 'js')
  const expected = readmeBlock(readme, output, 'text')
  const dir = path.join(wasmDir, '.readme-test')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir)
  try {
    writeFileSync(path.join(dir, `${code}.mjs`), snippet)
    const r = spawnSync(process.execPath, [`${code}.mjs`], { cwd: dir, encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout.trimEnd(), expected.trimEnd())
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

test('README usage snippet runs and prints what the README shows', () => {
  runsAsShown('usage', 'output')
})

test('README columns snippet runs and prints what the README shows', () => {
  runsAsShown('columns', 'columns-output')
})
