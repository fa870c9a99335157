// Type-checked, never run (`tsc --noEmit -p wasm/tsconfig.json`): a small use of every
// part of the API, through the package's own exports, against the generated .d.ts of the
// nodejs and web builds. The `@ts-expect-error` lines must stay errors.
import { Cluster, MeshverdictError, runCase } from '@meshverdict/wasm'
import type {
  AllowedColumnsRequest,
  DiffResult,
  EndpointInfo,
  Exposure,
  FlowChange,
  MatrixCells,
  MatrixCompact,
  Repair,
  Synthesis,
  ArgumentError,
  CaseReport,
  Dataplane,
  DataplaneChoice,
  Diagnostic,
  ErrorCode,
  ErrorInfo,
  LoadOptions,
  Limits,
  Location,
  Query,
  VerdictBrief,
  VerdictResult,
  Warning,
} from '@meshverdict/wasm'
import init, { initSync, Cluster as WebCluster } from '@meshverdict/wasm/web'
import { Cluster as BundlerCluster } from '@meshverdict/wasm/bundler'

const yaml = 'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\n'
const options: LoadOptions = { dataplane: 'cilium', name: 'x.yaml' }
const cluster: Cluster = Cluster.fromYaml(yaml, options)
Cluster.fromYaml(yaml)
Cluster.fromYaml(yaml, { name: 'only-a-name.yaml' })
const limits: Limits = { maxObjects: 10, maxDepth: 20, maxAliasNodes: 1000 }
Cluster.fromYaml(new TextEncoder().encode(yaml), { dataplane: 'auto', limits })
const dp: Dataplane = cluster.dataplane
const why: string = cluster.dataplaneReason
const warnings: Warning[] = cluster.warnings

const q: Query = { from: 'x/a', to: 'svc:x/b', port: 'http', protocol: 'udp' }
const v: VerdictResult = cluster.verdict({ from: 'x/a', to: 'x/b', port: 80, protocol: 'TCP' })
const allowed: boolean = v.allowed && v.egress.allowed && v.ingress.allowed
const explanation: string = v.explanation
const summary: string = v.summary
const wire: number | undefined = v.wirePort?.port
const meshAllowed: boolean | undefined = v.mesh?.allowed
const backends: boolean[] = (v.backends ?? []).map((b) => b.allowed)
const policy: string | undefined = v.ingress.allowedBy?.[0]?.policy.name
const choice: DataplaneChoice = v.dataplane
const pairs: boolean[] = (v.members ?? []).map((m) => m.allowed)

const items: Array<VerdictBrief | MeshverdictError> = cluster.verdicts([q, q])
for (const item of items) {
  if (item instanceof MeshverdictError) {
    const code: ErrorCode = item.code
    const where: Location | undefined = item.location
    const help: string | undefined = item.help
  } else {
    const brief: boolean = item.allowed
    const s: string = item.summary
  }
}
const many: boolean[] = cluster.allowedMany([q])
// A batch by columns: the same answers as allowedMany, one boolean per question.
const columns: AllowedColumnsRequest = { endpoints: ['x/a', 'x/b'], from: new Uint32Array([0, 1]), to: new Uint32Array([1, 0]), port: 80 }
const byColumns: boolean[] = cluster.allowedColumns(columns)
// With out, the answers go to the caller's Uint8Array, which comes back as it was typed.
const written: Uint8Array = cluster.allowedColumns(columns, new Uint8Array(2))
void written
// @ts-expect-error: out holds one byte per answer
cluster.allowedColumns(columns, new Uint32Array(2))
cluster.allowedColumns({ endpoints: ['x/a'], from: [0], to: Int32Array.of(0), port: new Uint16Array([443]), protocol: 'udp' })
cluster.allowedColumns({ endpoints: [], from: new Float64Array(0), to: [], port: [80] })
void byColumns
// @ts-expect-error: a column is of integers, not of references
cluster.allowedColumns({ endpoints: ['x/a'], from: ['x/a'], to: [0], port: 80 })
// @ts-expect-error: columns take port numbers, not port names
cluster.allowedColumns({ endpoints: ['x/a'], from: [0], to: [0], port: 'http' })
// @ts-expect-error: every column is required
cluster.allowedColumns({ endpoints: ['x/a'], from: [0], port: 80 })
const diags: Diagnostic[] = cluster.diagnostics()
const first: 'info' | 'warning' | 'error' | undefined = diags[0]?.severity
const errors: ErrorInfo[] = cluster.errors()
const line: number | undefined = errors[0]?.location?.line

const report: CaseReport = runCase(yaml, 'case.yaml')
runCase(yaml)
const failed: Array<{ id: string; detail: string }> = report.failures
const n: number = report.passed + report.failed + report.results.length

try {
  cluster.verdict(q)
} catch (e) {
  if (e instanceof MeshverdictError) {
    const code: ErrorCode = e.code
    const message: string = e.message
    const info: ErrorInfo = e.toJSON()
  } else if (e instanceof TypeError || e instanceof RangeError) {
    const code: 'invalid-request' = (e as ArgumentError).code
  }
}
cluster.free()
{
  using scoped = Cluster.fromYaml(yaml)
  scoped.allowedMany([])
}

// The web build: async init (fetch) or initSync (bytes), then the same API.
async function web(bytes: ArrayBuffer): Promise<boolean> {
  await init()
  await init({ module_or_path: new URL('https://example.invalid/meshverdict_wasm_bg.wasm') })
  initSync({ module: bytes })
  return WebCluster.fromYaml(yaml, { dataplane: 'calico' }).verdict(q).allowed
}
const b: boolean = BundlerCluster.fromYaml(yaml).allowedMany([q])[0] ?? false
const c: boolean = WebCluster.fromYaml(yaml).allowedColumns({ endpoints: ['x/a'], from: [0], to: [0], port: 80 })[0] ?? false
void c

// @ts-expect-error: no public constructor
new Cluster()
// @ts-expect-error: an unknown dataplane
Cluster.fromYaml(yaml, { dataplane: 'ovn' })
// The whole-cluster jobs: each answer typed as the CLI's -o json result.
const m: MatrixCells = cluster.matrix({ by: 'pod', namespace: 'x', from: 'x/a', to: 'x/*', port: [80, '8000-8100'], protocol: ['TCP', 'udp'], noExternals: true })
const firstCell: number = (m.cells[0]?.ports[0]?.to ?? 0) + (m.groups[0]?.classes?.[0] ?? 0)
const compact: MatrixCompact = cluster.matrix({ by: 'class', format: 'compact' })
const either: MatrixCells | MatrixCompact = cluster.matrix({ format: Math.random() > 0.5 ? 'cells' : 'compact' })
const exposed: Exposure[] = cluster.exposure({ namespace: 'x' })
const change: DiffResult = cluster.diff({ after: yaml, by: 'workload', forbid: 'kind: Expectations' })
cluster.diff({ before: [{ name: 'a.yaml', yaml: new Uint8Array() }] })
cluster.diff({ after: { yaml: yaml, name: 'after.yaml' } })
const opened: FlowChange[] = change.diff.opened
const synthesis: Synthesis = cluster.synthesize({ intents: [{ from: 'x/a', to: { namespace: 'x', selector: { matchLabels: { app: 'b' } } }, ports: [80, 'http'] }], dialect: 'cilium', granularity: 'namespace', isolate: ['x'] })
cluster.synthesize({ intents: 'kind: Intents', intentsName: 'intents.yaml', fromCurrent: true, isolateAll: true })
cluster.synthesize()
const verified: boolean = synthesis.proof.verified && synthesis.objects.every((o) => o.kind.length > 0)
const fix: Repair = cluster.repair({ dialect: 'cilium' })
const fixYaml: string = fix.yaml + fix.hints.map((h) => h.suggestion).join()
const endpoints: EndpointInfo[] = cluster.endpoints()
const meshedRefs: string[] = endpoints.filter((e) => e.meshed).map((e) => e.reference)
void m, firstCell, compact, either, exposed, opened, verified, fixYaml, meshedRefs
const fromFiles: Cluster = Cluster.fromFiles([{ name: 'a.yaml', yaml }, { name: 'b.yaml', yaml: new Uint8Array() }], { dataplane: 'calico' })
void fromFiles

// @ts-expect-error: a matrix row is a workload, a pod or a class
cluster.matrix({ by: 'namespace' })
// @ts-expect-error: the compact form has no cells
cluster.matrix({ format: 'compact' }).cells
// @ts-expect-error: repair writes NetworkPolicy or Cilium policies only
cluster.repair({ dialect: 'linkerd' })
// @ts-expect-error: the options are camelCase
cluster.synthesize({ from_current: true })
// @ts-expect-error: diff needs its options
cluster.diff()
// @ts-expect-error: a typo of cilium
Cluster.fromYaml(yaml, { dataplane: 'cillium' })
// @ts-expect-error: limits are camelCase
Cluster.fromYaml(yaml, { limits: { max_objects: 1 } })
// @ts-expect-error: the verdict's dataplane is { name, reason }
const flat: string = v.dataplane
// @ts-expect-error: an unknown option
Cluster.fromYaml(yaml, { dataplan: 'cilium' })
// @ts-expect-error: the port is a number or a name
cluster.verdict({ from: 'x/a', to: 'x/b', port: true })
// @ts-expect-error: TCP, UDP or SCTP
cluster.verdict({ from: 'x/a', to: 'x/b', port: 80, protocol: 'ICMP' })
// @ts-expect-error: `to` is required
cluster.verdict({ from: 'x/a', port: 80 })
// @ts-expect-error: `warnings` is read-only
cluster.warnings = []
// @ts-expect-error: not a verdict field
v.verdict

export { allowed, b, backends, choice, dp, explanation, first, line, many, meshAllowed, n, failed, pairs, policy, summary, warnings, web, why, wire }
