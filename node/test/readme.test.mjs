// The usage snippet of README.md (its ```js block) runs as it is written, importing the
// package by its name, and prints what its comments say. (test/pack.test.mjs runs it
// again from the packed tarballs in a fresh project, as ESM, CommonJS and TypeScript.)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { snippet } from '../../tests/hosts/pack-suite.mjs'
import { checkReadmeOutput, nodeDir } from './helpers.mjs'

test('README.md usage snippet runs', () => {
  // Inside the package folder, so that `import … from 'meshverdict'` resolves to it.
  const dir = mkdtempSync(path.join(nodeDir, '.readme-'))
  try {
    const file = path.join(dir, 'snippet.mjs')
    writeFileSync(file, snippet(path.join(nodeDir, 'README.md')))
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 })
    assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`)
    checkReadmeOutput(r.stdout)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
