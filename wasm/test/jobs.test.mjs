// matrix, exposure, diff, synthesize, repair and endpoints through the WASM host, against
// the CLI's -o json (the suite is shared with node/). Files are named as the CLI names them.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { files, jobsSuite } from '../../tests/hosts/jobs-suite.mjs'
import { meshverdict, wasmDir } from './helpers.mjs'

const tsconfig = JSON.parse(readFileSync(path.join(wasmDir, 'tsconfig.json'), 'utf8'))
jobsSuite({
  host: 'wasm',
  meshverdict,
  load: (rel, options) => meshverdict.Cluster.fromFiles(files(rel), options),
  types: { tsc: path.join(wasmDir, 'node_modules', 'typescript', 'bin', 'tsc'), dir: wasmDir, packageName: '@meshverdict/wasm', compilerOptions: tsconfig.compilerOptions },
})
