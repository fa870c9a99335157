// The API of the package: verdicts, explanations, named ports, Services, the batch forms,
// diagnostics, errors as thrown `Error`s with the meshverdict code, help and location.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { columnsSuite } from '../../tests/hosts/columns-suite.mjs'
import { verdictSuite } from '../../tests/hosts/verdict-suite.mjs'
import { throwing } from '../../tests/hosts/throws.mjs'
import { meshverdict, repoRoot } from './helpers.mjs'

const { Cluster, MeshverdictError, runCase } = meshverdict

const SHOP = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]
---
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: shop, labels: {app: debug}}
spec: {containers: [{name: sh}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{name: web, port: 80, targetPort: http}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: http}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: typo, namespace: shop}
spec:
  podSelector: {matchLabels: {app: nobody}}
  policyTypes: [Ingress]
---
apiVersion: example.com/v1
kind: Gadget
metadata: {name: g, namespace: shop}
`

const shop = () => Cluster.fromYaml(SHOP, { name: 'shop.yaml' })

const { throwsCode, throwsArgument } = throwing(MeshverdictError)

test('allow and deny, with every layer and an explanation', () => {
  const c = shop()
  const ok = c.verdict({ from: 'shop/web', to: 'shop/api', port: 8080 })
  assert.equal(ok.allowed, true)
  assert.match(ok.explanation, /^ALLOWED: shop\/web → shop\/api on 8080\/TCP/)
  assert.equal(ok.ingress.allowed, true)
  assert.equal(ok.ingress.isolated, true)
  assert.equal(ok.ingress.allowedBy[0].policy.name, 'api-ingress')
  assert.equal(ok.egress.allowed, true)
  assert.equal(ok.dataplane.name, 'generic')
  assert.match(ok.dataplane.reason, /^auto: /)
  assert.equal(ok.protocol, 'TCP')
  assert.equal(ok.from.reference, 'shop/web')
  assert.equal(ok.to.kind, 'Deployment')
  assert.equal(typeof ok.summary, 'string')

  const no = c.verdict({ from: 'shop/debug', to: 'shop/api', port: 8080 })
  assert.equal(no.allowed, false)
  assert.match(no.explanation, /^DENIED: shop\/debug → shop\/api/)
  assert.match(no.explanation, /✗ ingress of shop\/api/)
  assert.equal(no.ingress.isolatedBy[0].name, 'api-ingress')
  assert.match(no.summary, /^denied: ingress: /)
})

test('a plain object: JSON round trip is the identity', () => {
  const v = shop().verdict({ from: 'shop/web', to: 'shop/api', port: 8080 })
  assert.equal(Object.getPrototypeOf(v), Object.prototype)
  assert.deepEqual(JSON.parse(JSON.stringify(v)), v)
})

test('named ports and a near miss on another port', () => {
  const c = shop()
  const named = c.verdict({ from: 'shop/web', to: 'shop/api', port: 'http' })
  assert.equal(named.allowed, true)
  assert.equal(named.port, 8080)
  const metrics = c.verdict({ from: 'shop/web', to: 'shop/api', port: 'metrics' })
  assert.equal(metrics.port, 9090)
  assert.equal(metrics.allowed, false)
  assert.match(metrics.ingress.nearMisses[0].message, /only on/)
  throwsCode(() => c.verdict({ from: 'shop/web', to: 'shop/api', port: 'grpc' }), 'invalid-request')
  // "8080" from a form field is the port 8080
  assert.deepEqual(c.verdict({ from: 'shop/web', to: 'shop/api', port: '8080' }), c.verdict({ from: 'shop/web', to: 'shop/api', port: 8080 }))
})

test('a Service: its backends, by the Service port name', () => {
  const v = shop().verdict({ from: 'shop/web', to: 'svc:shop/api', port: 'web' })
  assert.equal(v.allowed, true)
  assert.equal(v.backends.length, 1)
  assert.equal(v.backends[0].port, 8080)
})

test('protocol: TCP by default, any case, others are refused', () => {
  const c = shop()
  assert.equal(c.verdict({ from: 'shop/web', to: 'shop/api', port: 8080, protocol: 'udp' }).protocol, 'UDP')
  assert.equal(c.verdict({ from: 'shop/web', to: 'shop/api', port: 8080, protocol: 'UDP' }).allowed, false)
  const e = throwsArgument(() => c.verdict({ from: 'shop/web', to: 'shop/api', port: 8080, protocol: 'ICMP' }), RangeError)
  assert.equal(e.message, "query.protocol must be 'TCP', 'UDP' or 'SCTP' (string, any case), not 'ICMP'")
})

test('a Linkerd mesh: mesh decision and wire port', () => {
  const meshed = SHOP.replace('labels: {team: shop}}', 'labels: {team: shop}, annotations: {linkerd.io/inject: enabled}}')
  const c = Cluster.fromYaml(meshed)
  const v = c.verdict({ from: 'shop/web', to: 'shop/api', port: 'http' })
  assert.equal(v.wirePort.port, 4143)
  assert.equal(v.mesh.mesh, 'linkerd')
  assert.equal(v.allowed, false)
  const codes = c.diagnostics().map((d) => d.code)
  assert.ok(codes.includes('mesh-port-rewrite-blocked'), codes.join(' '))
  assert.ok(codes.includes('mesh-version-assumed'), codes.join(' '))
})

test('batch: verdicts gives { allowed, summary }, failed items are MeshverdictErrors in place', () => {
  const c = shop()
  const qs = [
    { from: 'shop/web', to: 'shop/api', port: 8080 },
    { from: 'shop/nope', to: 'shop/api', port: 8080 },
    { from: 'shop/debug', to: 'shop/api', port: 'http' },
  ]
  const out = c.verdicts(qs)
  assert.equal(out.length, 3)
  assert.deepEqual(Object.keys(out[0]).sort(), ['allowed', 'summary'])
  assert.equal(out[0].allowed, true)
  assert.ok(out[1] instanceof MeshverdictError)
  assert.equal(out[1].code, 'unknown-endpoint')
  assert.equal(out[2].allowed, false)
  assert.equal(out[2].summary, c.verdict(qs[2]).summary)
  assert.deepEqual(c.verdicts([]), [])
  // A malformed list throws as a whole.
  throwsArgument(() => c.verdicts([{ from: 'shop/web', to: 'shop/api', port: 80, colour: 'red' }]), TypeError)
  throwsArgument(() => c.verdicts({ from: 'shop/web' }), TypeError)
})

test('batch: allowedMany gives booleans in order, the first error is thrown', () => {
  const c = shop()
  const qs = []
  for (let i = 0; i < 50; i++) {
    qs.push({ from: 'shop/web', to: 'shop/api', port: 8080 }, { from: 'shop/debug', to: 'shop/api', port: 8080 })
  }
  const out = c.allowedMany(qs)
  assert.equal(out.length, 100)
  assert.deepEqual(out, c.verdicts(qs).map((v) => v.allowed))
  assert.deepEqual(out.slice(0, 2), [true, false])
  assert.deepEqual(c.allowedMany([]), [])
  const e = throwsCode(() => c.allowedMany([...qs, { from: 'shop/web', to: 'shop/zz', port: 1 }]), 'unknown-endpoint')
  assert.match(e.message, /^queries\[100\]: /)
  throwsArgument(() => c.allowedMany([{ from: 'shop/web', to: 'shop/api' }]), TypeError)
  throwsArgument(() => c.allowedMany('shop/web'), TypeError)
})

// ---- verdict: decided at once, read as one plain object (the suite is shared with wasm/)

verdictSuite({
  host: 'node',
  meshverdict,
  load: (rel) => Cluster.fromPath(path.join(repoRoot, rel)),
  shop,
  done: () => {},
})

// ---- allowedColumns: questions as columns (the suite is shared with wasm/)

columnsSuite({
  host: 'node',
  meshverdict,
  load: (rel) => Cluster.fromPath(path.join(repoRoot, rel)),
  shop,
  done: () => {},
})

test('unknown endpoint: code unknown-endpoint, with help', () => {
  const e = throwsCode(() => shop().verdict({ from: 'shop/ghost', to: 'shop/api', port: 80 }), 'unknown-endpoint')
  assert.match(e.message, /shop\/ghost/)
  assert.equal(typeof e.help, 'string')
  assert.equal(e.name, 'MeshverdictError')
  assert.deepEqual(e.toJSON(), { code: 'unknown-endpoint', message: e.message, help: e.help })
})

test('bad requests: TypeError, RangeError, or the engine\'s invalid-request', () => {
  const c = shop()
  const base = { from: 'shop/web', to: 'shop/api', port: 8080 }
  throwsArgument(() => c.verdict({ ...base, colour: 'red' }), TypeError)
  throwsArgument(() => c.verdict({ from: 'shop/web', to: 'shop/api' }), TypeError)
  throwsArgument(() => c.verdict({ ...base, port: 70000 }), RangeError)
  throwsArgument(() => c.verdict({ ...base, port: 10n }), TypeError)
  throwsArgument(() => c.verdict(undefined), TypeError)
  throwsArgument(() => c.verdict('shop/web'), TypeError)
  throwsCode(() => c.verdict({ ...base, from: 'not an endpoint' }), 'invalid-request')
})

test('fromYaml: options, warnings, and load errors located', () => {
  const c = shop()
  assert.equal(c.dataplane, 'generic')
  assert.match(c.dataplaneReason, /^auto: /)
  assert.equal(Cluster.fromYaml(SHOP, { dataplane: 'cilium' }).dataplane, 'cilium')
  assert.equal(Cluster.fromYaml(SHOP, { dataplane: 'cilium' }).dataplaneReason, 'given by the caller')
  assert.equal(Cluster.fromYaml(SHOP, {}).dataplane, 'generic')
  const w = c.warnings
  assert.ok(Array.isArray(w))
  const gadget = w.find((x) => /Gadget/.test(x.message))
  assert.ok(gadget, JSON.stringify(w))
  assert.equal(typeof gadget.code, 'string')
  assert.equal(gadget.location.source, 'shop.yaml')
  throwsArgument(() => Cluster.fromYaml(SHOP, { dataplane: 'calico-ebpf' }), RangeError)
  throwsArgument(() => Cluster.fromYaml(SHOP, { colour: 'red' }), TypeError)
  throwsArgument(() => Cluster.fromYaml(42), TypeError)
  const e = throwsCode(() => Cluster.fromYaml('kind: Pod\nmetadata: [1,\n', { name: 'broken.yaml' }), 'parse-error')
  assert.equal(e.location.source, 'broken.yaml')
  assert.equal(typeof e.location.line, 'number')
  assert.throws(() => new Cluster(), TypeError)
})

test('diagnostics: code, severity, message, help', () => {
  const d = shop().diagnostics()
  const none = d.find((x) => x.code === 'selector-matches-nothing')
  assert.ok(none, JSON.stringify(d))
  assert.ok(['info', 'warning', 'error'].includes(none.severity))
  assert.match(none.message, /typo|nobody/)
  for (const x of d) {
    assert.equal(typeof x.code, 'string')
    assert.equal(typeof x.message, 'string')
  }
})

test('errors(): objects the API server would reject; verdicts over them are refused', () => {
  const bad = SHOP.replace('ports: [{port: http}]', "ports: [{port: 70000}]")
  const c = Cluster.fromYaml(bad, { name: 'bad.yaml' })
  const errors = c.errors()
  assert.equal(errors.length, 1, JSON.stringify(errors))
  assert.equal(errors[0].code, 'invalid-policy')
  assert.equal(errors[0].location.source, 'bad.yaml')
  assert.equal(typeof errors[0].location.path, 'string')
  assert.deepEqual(shop().errors(), [])
  throwsCode(() => c.verdict({ from: 'shop/web', to: 'shop/api', port: 8080 }), 'invalid-policy')
  assert.ok(c.diagnostics().some((x) => x.code === 'invalid-policy'))
})

const CASE = `${SHOP}
---
apiVersion: meshverdict/v1
kind: Expectations
metadata: {name: api-test-case}
spec:
  flows:
  - {from: shop/web, to: shop/api, port: 8080, expect: allow}
  - {from: shop/debug, to: shop/api, port: http, expect: deny}
  - {from: shop/debug, to: shop/api, port: 8080, expect: allow}
  diagnostics:
  - code: selector-matches-nothing
`

test('runCase: passed, failed and failures', () => {
  const r = runCase(CASE, 'api.yaml')
  assert.equal(r.name, 'api-test-case')
  assert.equal(r.source, 'api.yaml')
  assert.equal(r.passed, 3)
  assert.equal(r.failed, 1)
  assert.deepEqual(r.results.map((x) => x.id), ['api-test-case#0', 'api-test-case#1', 'api-test-case#2', 'api-test-case#diagnostics:selector-matches-nothing'])
  assert.deepEqual(r.failures.map((f) => f.id), ['api-test-case#2'])
  assert.deepEqual(Object.keys(r.failures[0]).sort(), ['detail', 'id'])
  assert.match(r.failures[0].detail, /expected Allow, got Deny/)
  assert.equal(runCase(CASE).source, 'case.yaml')
  throwsCode(() => runCase(SHOP), 'invalid-case')
})
