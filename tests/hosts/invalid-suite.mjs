// Hostile and wrong inputs, for every JavaScript host: each file of tests/invalid names,
// on its first line, the error it must produce (`# expect-error: code=… doc=… path=…
// line=…`, `-` = not checked). Loading throws it, or loads and the cluster's `errors()`
// holds it, with the same code and location as in Rust.
//
//   invalidSuite({ errorsOf, checkThrown })
//     errorsOf(text, name)  loads and returns the cluster's errors (or throws)
//     checkThrown(e)        asserts that a thrown value is the host's error type
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { repoRoot, yamlFiles } from './corpus.mjs'

function field(header, key) {
  const w = header.split(/\s+/).find((x) => x.startsWith(`${key}=`))
  const v = w?.slice(key.length + 1)
  return v === undefined || v === '-' ? undefined : v
}

export function invalidSuite({ errorsOf, checkThrown }) {
  const dir = path.join(repoRoot, 'tests', 'invalid')
  const files = yamlFiles(dir)
  test('there are invalid inputs', () => assert.ok(files.length > 0, `no files in ${dir}`))
  for (const file of files) {
    test(path.basename(file), () => {
      const text = readFileSync(file, 'utf8')
      const first = text.split('\n', 1)[0]
      assert.ok(first.startsWith('# expect-error:'), 'first line must be `# expect-error: …`')
      const header = first.slice('# expect-error:'.length)
      const code = field(header, 'code')
      assert.ok(code, 'no code=')
      const doc = field(header, 'doc')
      const fpath = field(header, 'path')
      const line = field(header, 'line')
      const name = path.relative(repoRoot, file)
      let errors
      let how = 'errors()'
      try {
        errors = errorsOf(text, name)
      } catch (e) {
        checkThrown(e)
        assert.equal(typeof e.message, 'string')
        assert.ok(e.message.length > 0)
        errors = [e]
        how = 'threw'
      }
      const hit = errors.find((e) => {
        const loc = e.location ?? {}
        return (
          e.code === code &&
          (doc === undefined || loc.document === Number(doc)) &&
          (fpath === undefined || loc.path === fpath) &&
          (line === undefined || loc.line === Number(line))
        )
      })
      assert.ok(
        hit,
        `expected ${code} doc=${doc} path=${fpath} line=${line}; ${how}:\n` +
          errors.map((e) => `  ${e.code} ${JSON.stringify(e.location)}: ${e.message}`).join('\n'),
      )
      // The error names the input, so a person can find it.
      assert.equal(hit.location?.source, name)
    })
  }
}
