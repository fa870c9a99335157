// Paths and small helpers shared by the tests (no tests here).
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import assert from 'node:assert/strict'

export const wasmDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const repoRoot = path.resolve(wasmDir, '..')
export const pkgDir = path.join(wasmDir, 'pkg')

// The package under test, loaded by its own name: package.json `exports`, condition
// `node` → the nodejs build (pkg/nodejs).
const require = createRequire(import.meta.url)
export const meshverdict = require('@meshverdict/wasm')

export { sharedCasesDir, isCI, isDir, yamlFiles } from '../../tests/hosts/corpus.mjs'

/** A small cluster: web may reach api on 8080 (named `http`), nothing else reaches api. */
export const SHOP = `
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: api, ports: [{containerPort: 8080, name: http}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-allow-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 8080}]}]
`

/** The block of `lang` after the README's `<!-- readme-test: MARKER -->` comment. */
export function readmeBlock(readme, marker, lang) {
  const at = readme.search(new RegExp(`<!-- readme-test: ${marker}[ >]`))
  assert.ok(at >= 0, `README has no <!-- readme-test: ${marker} … --> marker`)
  const m = readme.slice(at).match(new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```'))
  assert.ok(m, `no \`\`\`${lang} block after the ${marker} marker`)
  return m[1]
}
