// Compiled by `tsc --noEmit` (test.sh), never run: the hand-written index.d.ts must
// describe what the tests and the README use, and reject what the API does not take.
import { Cluster, MeshverdictError, runCase } from 'meshverdict'
import type { AllowedColumnsRequest, DiffResult, EndpointInfo, Exposure, FlowChange, MatrixCells, MatrixCompact, Repair, Synthesis, ArgumentError, CaseReport, DataplaneChoice, Diagnostic, ErrorCode, ErrorInfo, Limits, Query, SkippedFile, VerdictBrief, VerdictResult, Warning } from 'meshverdict'
import * as native from '../native.js'

const cluster: Cluster = Cluster.fromYaml('kind: List', { dataplane: 'cilium', name: 'cluster.yaml' })
Cluster.fromYaml('kind: List')
Cluster.fromYaml(new TextEncoder().encode('kind: List'), { dataplane: 'auto' })
const limits: Limits = { maxObjects: 10, maxDepth: 5, maxAliasNodes: 100 }
const fromDir: Cluster = Cluster.fromPath('manifests/', { limits })
Cluster.fromPath(new URL('file:///tmp/x.yaml'))
const skipped: SkippedFile[] = fromDir.skippedFiles
const why: string = fromDir.dataplaneReason
const q: Query = { from: 'default/a', to: 'svc:default/b', port: 'http', protocol: 'udp' }
const v: VerdictResult = cluster.verdict(q)
const choice: DataplaneChoice = v.dataplane
const pairs: boolean[] = (v.members ?? []).map((m) => m.allowed)
const allowed: boolean = v.allowed && v.egress.allowed && v.ingress.isolated
const text: string = v.explanation + v.summary + (v.wirePort?.port ?? 0) + (v.mesh?.server ?? '')
const briefs: Array<VerdictBrief | MeshverdictError> = cluster.verdicts([q, { from: 'a/b', to: 'a/c', port: 80 }])
for (const b of briefs) {
  if (b instanceof MeshverdictError) {
    const code: ErrorCode = b.code
    const line: number | undefined = b.location?.line
    void code, line
  } else {
    const s: string = b.summary
    void s
  }
}
const bools: boolean[] = cluster.allowedMany([q])
// A batch by columns: the same answers as allowedMany, one boolean per question.
const columns: AllowedColumnsRequest = { endpoints: ['x/a', 'x/b'], from: new Uint32Array([0, 1]), to: new Uint32Array([1, 0]), port: 80 }
const byColumns: boolean[] = cluster.allowedColumns(columns)
cluster.allowedColumns({ endpoints: ['x/a'], from: [0], to: Int32Array.of(0), port: new Uint16Array([443]), protocol: 'udp' })
cluster.allowedColumns({ endpoints: [], from: new Float64Array(0), to: [], port: [80] })
void byColumns
// With out, the answers go to the caller's Uint8Array, which comes back as it was typed.
const written: Uint8Array = cluster.allowedColumns(columns, new Uint8Array(2))
const buffer: Buffer = cluster.allowedColumns(columns, Buffer.alloc(2))
void written
void buffer
// @ts-expect-error: out holds one byte per answer
cluster.allowedColumns(columns, new Uint32Array(2))
// @ts-expect-error: a column is of integers, not of references
cluster.allowedColumns({ endpoints: ['x/a'], from: ['x/a'], to: [0], port: 80 })
// @ts-expect-error: columns take port numbers, not port names
cluster.allowedColumns({ endpoints: ['x/a'], from: [0], to: [0], port: 'http' })
// @ts-expect-error: every column is required
cluster.allowedColumns({ endpoints: ['x/a'], from: [0], port: 80 })
const diags: Diagnostic[] = cluster.diagnostics()
const sev: 'info' | 'warning' | 'error' | undefined = diags[0]?.severity
const errors: ErrorInfo[] = cluster.errors()
const warnings: Warning[] = cluster.warnings
const report: CaseReport = runCase('kind: List', 'case.yaml')
const failed: string[] = report.failures.map((f) => `${f.id}: ${f.detail}`)
try {
  cluster.verdict(q)
} catch (e) {
  if (e instanceof MeshverdictError) {
    const info: ErrorInfo = e.toJSON()
    const help: string | undefined = e.help
    void info, help
  } else if (e instanceof TypeError || e instanceof RangeError) {
    const a = e as ArgumentError
    const code: 'invalid-request' = a.code
    void code
  }
}
// The whole-cluster jobs: each answer typed as the CLI's -o json result.
const m: MatrixCells = cluster.matrix({ by: 'pod', namespace: 'x', from: 'x/a', to: 'x/*', port: [80, '8000-8100'], protocol: ['TCP', 'udp'], noExternals: true })
const firstCell: number = (m.cells[0]?.ports[0]?.to ?? 0) + (m.groups[0]?.classes?.[0] ?? 0)
const compact: MatrixCompact = cluster.matrix({ by: 'class', format: 'compact' })
const either: MatrixCells | MatrixCompact = cluster.matrix({ format: Math.random() > 0.5 ? 'cells' : 'compact' })
const exposed: Exposure[] = cluster.exposure({ namespace: 'x' })
const change: DiffResult = cluster.diff({ after: 'kind: List', by: 'workload', forbid: 'kind: Expectations' })
cluster.diff({ before: [{ name: 'a.yaml', yaml: new Uint8Array() }] })
cluster.diff({ after: { yaml: 'kind: List', name: 'after.yaml' } })
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

// The generated addon types: values in, failures as data.
const loaded: native.NativeCluster | native.Failure = native.load('', undefined)
void allowed, text, bools, sev, errors, warnings, failed, loaded, skipped, why, choice, pairs

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
// @ts-expect-error: the constructor is private (use Cluster.fromYaml)
new Cluster()
// @ts-expect-error: no such dataplane
Cluster.fromYaml('', { dataplane: 'calico-ebpf' })
// @ts-expect-error: a typo of cilium
Cluster.fromYaml('', { dataplane: 'cillium' })
// @ts-expect-error: limits are camelCase
Cluster.fromYaml('', { limits: { max_objects: 1 } })
// @ts-expect-error: the verdict's dataplane is { name, reason }
const flat: string = cluster.verdict(q).dataplane
// @ts-expect-error: port is required
cluster.verdict({ from: 'a/b', to: 'a/c' })
// @ts-expect-error: protocols are TCP, UDP, SCTP
cluster.verdict({ from: 'a/b', to: 'a/c', port: 80, protocol: 'ICMP' })
