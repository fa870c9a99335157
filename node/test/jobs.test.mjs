// matrix, exposure, diff, synthesize, repair and endpoints through the napi host, against
// the CLI's -o json (the suite is shared with wasm/). Files are named as the CLI names them:
// fromPath with paths relative to the repository root.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { jobsSuite } from '../../tests/hosts/jobs-suite.mjs'
import { meshverdict, nodeDir, repoRoot } from './helpers.mjs'

const tsconfig = JSON.parse(readFileSync(path.join(nodeDir, 'tsconfig.json'), 'utf8'))
process.chdir(repoRoot)
jobsSuite({
  host: 'node',
  meshverdict,
  load: (rel, options) => meshverdict.Cluster.fromPath(rel, options),
  types: { tsc: path.join(nodeDir, 'node_modules', 'typescript', 'bin', 'tsc'), dir: nodeDir, packageName: 'meshverdict', compilerOptions: tsconfig.compilerOptions },
})
