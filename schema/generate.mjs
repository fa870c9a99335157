// meshverdict.schema.json → meshverdict.d.ts (json-schema-to-typescript, pinned in
// package.json). `--check`: fail if meshverdict.d.ts is not what this would write.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compile } from 'json-schema-to-typescript'

const here = dirname(fileURLToPath(import.meta.url))
const schema = JSON.parse(readFileSync(join(here, 'meshverdict.schema.json'), 'utf8'))
// Kubernetes types are named by their OpenAPI path (io.k8s.….LabelSelector): the last part is the name.
const defs = schema.definitions
for (const key of Object.keys(defs)) {
  const short = key.split('.').pop()
  if (short === key) continue
  if (short in defs) throw new Error(`${key}: ${short} is taken`)
  defs[short] = defs[key]
  delete defs[key]
}
const text = JSON.stringify(schema).replace(/"#\/definitions\/io\.k8s\.[A-Za-z0-9.]*\.([A-Za-z0-9]+)"/g, '"#/definitions/$1"')
const renamed = JSON.parse(text)
const banner = `/* The shapes of meshverdict's answers and requests, generated from the Rust serde types:
 * schema/meshverdict.schema.json (cargo run -p meshverdict-bindings --features schema --bin schema)
 * → this file (json-schema-to-typescript). Do not edit; regenerate with \`bash schema/generate.sh\`. */`
let ts = await compile(renamed, 'MeshverdictSchema', {
  bannerComment: banner,
  additionalProperties: false,
  unreachableDefinitions: true,
  declareExternallyReferenced: true,
  style: { semi: false, singleQuote: true, printWidth: 120 },
})
const out = join(here, 'meshverdict.d.ts')
if (process.argv.includes('--check')) {
  let current = ''
  try { current = readFileSync(out, 'utf8') } catch {}
  if (current !== ts) {
    console.error('schema/meshverdict.d.ts is stale: run `bash schema/generate.sh`')
    process.exit(1)
  }
} else {
  writeFileSync(out, ts)
}
