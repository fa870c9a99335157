// The usage snippet of README.md (its first ```js block) runs as it is written, importing
// the package by its name, and prints what its comments say. (test/pack.test.mjs runs it
// again from the packed tarballs in a fresh project, as ESM, CommonJS and TypeScript.)
// The snippet of "Questions as columns" (the ```js block after `<!-- readme-test: columns`)
// runs too and prints exactly the ```text block after `<!-- readme-test: columns-output`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
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

/** The block of `lang` after the README's `<!-- readme-test: MARKER -->` comment. */
function readmeBlock(readme, marker, lang) {
  const at = readme.search(new RegExp(`<!-- readme-test: ${marker}[ >]`))
  assert.ok(at >= 0, `README has no <!-- readme-test: ${marker} … --> marker`)
  const m = readme.slice(at).match(new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```'))
  assert.ok(m, `no \`\`\`${lang} block after the ${marker} marker`)
  return m[1]
}

test('README.md columns snippet runs and prints what the README shows', () => {
  const readme = readFileSync(path.join(nodeDir, 'README.md'), 'utf8')
  const code = readmeBlock(readme, 'columns', 'js')
  const expected = readmeBlock(readme, 'columns-output', 'text')
  const dir = mkdtempSync(path.join(nodeDir, '.readme-'))
  try {
    const file = path.join(dir, 'columns.mjs')
    writeFileSync(file, code)
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 })
    assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`)
    assert.equal(r.stdout.trimEnd(), expected.trimEnd())
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
