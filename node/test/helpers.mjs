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
