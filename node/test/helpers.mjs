// Paths and small helpers shared by the tests.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

export const nodeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const repoRoot = path.resolve(nodeDir, '..')

// The package under test, loaded by its own name (package.json `exports`).
const require = createRequire(import.meta.url)
export const meshverdict = require('meshverdict')

export { sharedCasesDir, isCI, isDir, yamlFiles } from '../../tests/hosts/corpus.mjs'

/** What the README snippet prints, as its comments say. */
export function checkReadmeOutput(stdout) {
  const lines = stdout.split('\n')
  for (const want of ['false', '4143', 'cilium', '[ false, true ]', 'error unknown-endpoint', 'readme 2 0 []']) {
    if (!lines.includes(want)) throw new Error(`the snippet printed no line ${JSON.stringify(want)}:\n${stdout}`)
  }
  const patterns = [
    /^DENIED: shop\/web → shop\/api on 8080\/TCP/m,
    /^error mesh-port-rewrite-blocked: /m,
    /^unknown-endpoint - shop\/ghost/m,
    /^parse-error broken\.yaml:\d+$/m,
    /^TypeError query\.port must be an integer between 1 and 65535 or a port name \(string\), not boolean$/m,
  ]
  for (const p of patterns) {
    if (!p.test(stdout)) throw new Error(`the snippet printed nothing matching ${p}:\n${stdout}`)
  }
}
