// The usage snippet of README.md (its ```js block) runs as it is written, importing the
// package by its name, and prints what its comments say.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { nodeDir } from './helpers.mjs'

test('README.md usage snippet runs', () => {
  const readme = readFileSync(path.join(nodeDir, 'README.md'), 'utf8')
  const blocks = [...readme.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1])
  assert.equal(blocks.length, 1, 'README.md has one ```js block')
  // Inside the package folder, so that `import … from 'meshverdict'` resolves to it.
  const dir = mkdtempSync(path.join(nodeDir, '.readme-'))
  try {
    const file = path.join(dir, 'snippet.mjs')
    writeFileSync(file, blocks[0])
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 })
    assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`)
    const lines = r.stdout.split('\n')
    for (const want of ['false', '4143', '[ false, true ]', 'error unknown-endpoint', 'readme 2 0 []']) {
      assert.ok(lines.includes(want), `the snippet printed no line ${JSON.stringify(want)}:\n${r.stdout}`)
    }
    assert.match(r.stdout, /^DENIED: shop\/web → shop\/api on 8080\/TCP/m)
    assert.match(r.stdout, /^error mesh-port-rewrite-blocked: /m)
    assert.match(r.stdout, /^unknown-endpoint - shop\/ghost/m)
    assert.match(r.stdout, /^parse-error \{.*source: 'broken\.yaml'/m)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
