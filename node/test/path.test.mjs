// Cluster.fromPath: a file, or a folder read the way `meshverdict check -f DIR` reads it
// (the folder rules are the CLI's, through the addon: charts, values, templates and
// kustomizations skipped and listed, hidden folders left out).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { meshverdict } from './helpers.mjs'

const { Cluster, MeshverdictError } = meshverdict

const POD_A = 'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\nspec: {containers: [{name: c, ports: [{containerPort: 80}]}]}\n'
const POD_B = 'apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x}\nspec: {containers: [{name: c}]}\n'
const DENY = '{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny", "namespace": "x"}, "spec": {"podSelector": {"matchLabels": {"app": "a"}}}}'

function tree(files) {
  const root = mkdtempSync(path.join(tmpdir(), 'meshverdict-path-'))
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    writeFileSync(path.join(root, rel), text)
  }
  return root
}

test('a folder: manifests read recursively, Helm and kustomize skipped and listed', (t) => {
  const root = tree({
    'pods/a.yaml': POD_A,
    'pods/b.yml': POD_B,
    'policy.json': DENY,
    'README.md': '# no manifest\nkind: Pod\n',
    '.git/config.yaml': 'kind: [',
    'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
    'chart/values.yaml': 'replicas: 1\n',
    'chart/templates/pod.yaml': 'kind: Pod\nmetadata: {name: z, namespace: x}\n',
    'kustomization.yaml': 'resources: [pods/a.yaml]\n',
  })
  t.after(() => rmSync(root, { recursive: true, force: true }))
  for (const where of [root, pathToFileURL(root)]) {
    const c = Cluster.fromPath(where, { dataplane: 'calico' })
    assert.deepEqual(c.allowedMany([{ from: 'x/a', to: 'x/b', port: 80 }, { from: 'x/b', to: 'x/a', port: 80 }]), [true, false])
    assert.throws(() => c.verdict({ from: 'x/z', to: 'x/a', port: 80 }), (e) => e instanceof MeshverdictError && e.code === 'unknown-endpoint')
    const skipped = c.skippedFiles.map((s) => [path.relative(root, s.path), s.kind]).sort()
    assert.deepEqual(skipped, [
      ['chart/Chart.yaml', 'helm-chart'],
      ['chart/templates/pod.yaml', 'helm-template'],
      ['chart/values.yaml', 'helm-values'],
      ['kustomization.yaml', 'kustomization'],
    ])
    assert.ok(c.skippedFiles.every((s) => /helm|kustomize/.test(s.reason)))
  }
  // A file that is not UTF-8 is named, with its line.
  writeFileSync(path.join(root, 'pods', 'broken.yaml'), Buffer.from('kind: Pod\nmetadata: {name: \xfe}\n', 'latin1'))
  assert.throws(() => Cluster.fromPath(root), (e) => e.code === 'parse-error' && e.location.source === path.join(root, 'pods', 'broken.yaml') && e.location.line === 2)
})

test('a file: located errors name it; options.name renames it', (t) => {
  const root = tree({ 'small.yaml': POD_A + '---\n' + POD_B, 'bad.yaml': 'a: [1,' })
  t.after(() => rmSync(root, { recursive: true, force: true }))
  const file = path.join(root, 'small.yaml')
  assert.equal(Cluster.fromPath(file, { dataplane: 'cilium' }).dataplane, 'cilium')
  assert.ok(Cluster.fromPath(file).verdict({ from: 'x/a', to: 'x/b', port: 80 }).allowed)
  assert.throws(() => Cluster.fromPath(path.join(root, 'bad.yaml')), (e) => e.code === 'parse-error' && e.location.source === path.join(root, 'bad.yaml'))
  assert.throws(() => Cluster.fromPath(path.join(root, 'bad.yaml'), { name: 'renamed.yaml' }), (e) => e.location.source === 'renamed.yaml')
  assert.throws(() => Cluster.fromPath(path.join(root, 'nope.yaml')), (e) => e instanceof MeshverdictError && /nope\.yaml: no such file or folder/.test(e.message))
  assert.throws(() => Cluster.fromPath(42), (e) => e instanceof TypeError && e.message === 'path must be a path (a string or a file: URL), not number' && e.code === 'invalid-request')
})

test('a folder with nothing to load is an error that says what was skipped', (t) => {
  const root = tree({ 'kustomization.yaml': 'resources: []\n', 'notes.txt': 'x' })
  t.after(() => rmSync(root, { recursive: true, force: true }))
  assert.throws(() => Cluster.fromPath(root), (e) => e instanceof MeshverdictError && e.code === 'invalid-request' && /no Kubernetes manifests/.test(e.message) && /kustomization\.yaml/.test(e.help))
})
