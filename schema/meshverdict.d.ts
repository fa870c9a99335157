/* The shapes of meshverdict's answers and requests, generated from the Rust serde types:
 * schema/meshverdict.schema.json (cargo run -p meshverdict-bindings --features schema --bin schema)
 * → this file (json-schema-to-typescript). Do not edit; regenerate with `bash schema/generate.sh`. */

/**
 * Every answer and request the meshverdict hosts exchange (the CLI's `-o json`, the bindings, Python, Node, WASM). Generated from the Rust serde types by `bash schema/generate.sh`; do not edit.
 */
export type Meshverdict =
  | Answer
  | ErrorInfo
  | Verdict
  | VerdictResult
  | VerdictBrief
  | Diagnostic
  | CaseReport
  | MatrixOut
  | MatrixCells
  | Exposure
  | DiffResult
  | Synthesis
  | Repair
  | EndpointInfo
  | LoadRequest
  | VerdictRequest
  | CaseRequest
  | MatrixRequest
  | ExposureRequest
  | DiffRequest
  | SynthesizeRequest
  | RepairRequest
export type Answer =
  | {
      result: unknown
      type: 'success'
      warnings: Warning[]
    }
  | {
      error: ErrorInfo
      type: 'failure'
      warnings: Warning[]
    }
/**
 * What a warning about the input is about.
 */
export type WarningCode =
  | 'unknown-kind'
  | 'duplicate-object'
  | 'host-network-workload'
  | 'service-not-found'
  | 'service-without-selector'
  | 'cilium-groups-unresolved'
  | 'cilium-cidr-group-unresolved'
  | 'cilium-requires-removed'
  | 'policy-not-enforced'
  | 'dataplane-setting'
  | 'owned-workload'
/**
 * Stable, machine-readable error codes. Hosts and case files name these.
 */
export type ErrorCode =
  | 'parse-error'
  | 'limit-exceeded'
  | 'invalid-field'
  | 'invalid-policy'
  | 'unknown-endpoint'
  | 'invalid-request'
  | 'invalid-case'
  | 'internal'
/**
 * Which dataplane enforces the policies.
 */
export type Dataplane = 'generic' | 'calico' | 'cilium'
export type Direction = 'ingress' | 'egress'
export type PolicyKind = 'NetworkPolicy' | 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy'
export type Protocol = 'TCP' | 'UDP' | 'SCTP'
/**
 * What a diagnostic is about. The first eight are the conformance format's codes
 * (v1); the rest are meshverdict's own.
 */
export type DiagnosticCode =
  | 'mesh-flow-blocked'
  | 'mesh-port-rewrite-blocked'
  | 'mesh-widens-port-rule'
  | 'selector-matches-nothing'
  | 'l7-rule-on-meshed-endpoint'
  | 'egress-without-dns'
  | 'invalid-policy'
  | 'mesh-version-assumed'
  | 'linkerd-authz-ignored'
  | 'policy-not-enforced'
  | 'host-policy-not-enforced'
  | 'dataplane-setting'
/**
 * How bad a finding is.
 */
export type Severity = 'info' | 'warning' | 'error'
/**
 * What `matrix` answers: the cells, or the compact form (`format: "compact"`).
 */
export type MatrixOut = MatrixCells | MatrixCompact
/**
 * What a row of the matrix names.
 */
export type MatrixGranularity = 'class' | 'workload' | 'pod'
/**
 * The kind of objects to write.
 */
export type Dialect = 'networkpolicy' | 'cilium' | 'linkerd'
/**
 * What one policy selects.
 */
export type PolicyGranularity = 'workload' | 'namespace'
/**
 * One side of an intent.
 */
export type End =
  | string
  | {
      namespace?: string
      selector: LabelSelector
    }
/**
 * A port as a question gives it: a number, or a named port of the destination.
 */
export type PortRef = number | string
/**
 * What a row of a matrix (or a diff) names.
 */
export type By = 'workload' | 'pod' | 'class'
/**
 * What `matrix` returns: the cells (`meshverdict matrix -o json`) or the compact,
 * class-indexed form (`-o compact`).
 */
export type MatrixFormat = 'cells' | 'compact'
/**
 * A port (1-65535), a string in the CLI's form ("80", "8000-8080", "80,443"), or a list of those.
 */
export type Ports = number | string | (number | string)[]
/**
 * "TCP", "UDP" or "SCTP" (any case), or a list of those.
 */
export type Protocols = string | string[]
/**
 * The kind of objects `synthesize` writes.
 */
export type SynthesisDialect = 'networkpolicy' | 'cilium' | 'linkerd'
/**
 * What one synthesized policy selects.
 */
export type SynthesisGranularity = 'workload' | 'namespace'
/**
 * The kind of objects `repair` writes.
 */
export type RepairDialect = 'networkpolicy' | 'cilium'

/**
 * A note about the input that is no error: a skipped kind, an assumption.
 */
export interface Warning {
  code: WarningCode
  location?: Location
  message: string
}
/**
 * Where in the user's input something is.
 */
export interface Location {
  column?: number
  /**
   * 1-based index of the document in its stream.
   */
  document?: number
  /**
   * 1-based line, for YAML and JSON text.
   */
  line?: number
  /**
   * 0-based byte offset in the source, where a line alone cannot say it (bad UTF-8).
   */
  offset?: number
  /**
   * Field path inside the document, e.g. `spec.ingress[0].from[1].ipBlock.cidr`.
   */
  path?: string
  /**
   * The file (or `-` for stdin, or the name a host gave the text).
   */
  source: string
}
/**
 * The one error type of the engine.
 */
export interface ErrorInfo {
  code: ErrorCode
  help?: string
  location?: Location1
  message: string
}
/**
 * Where in the user's input something is.
 */
export interface Location1 {
  column?: number
  /**
   * 1-based index of the document in its stream.
   */
  document?: number
  /**
   * 1-based line, for YAML and JSON text.
   */
  line?: number
  /**
   * 0-based byte offset in the source, where a line alone cannot say it (bad UTF-8).
   */
  offset?: number
  /**
   * Field path inside the document, e.g. `spec.ingress[0].from[1].ipBlock.cidr`.
   */
  path?: string
  /**
   * The file (or `-` for stdin, or the name a host gave the text).
   */
  source: string
}
/**
 * The answer, with every layer's reason.
 */
export interface Verdict {
  allowed: boolean
  /**
   * For a Service: the verdict of each backend (`allowed` only if every one is).
   */
  backends?: Verdict[]
  /**
   * The dataplane the verdict is judged on, and why that one.
   */
  dataplane: DataplaneChoice
  egress: Layer
  from: EndpointView
  ingress: Layer
  /**
   * When a reference names a workload whose Pods are in the input: the verdict of
   * each (source pod, destination pod) pair (`allowed` only if every one is).
   */
  members?: Verdict[]
  mesh?: MeshDecision
  /**
   * The port the application dials.
   */
  port: number
  protocol: Protocol
  /**
   * One line: why.
   */
  summary: string
  to: EndpointView
  /**
   * Structured warnings, e.g. `mesh-flow-blocked` when a proxy is cut off.
   */
  warnings?: Diagnostic[]
  wirePort?: WirePort
}
/**
 * The dataplane a cluster is judged on, and why that one.
 */
export interface DataplaneChoice {
  name: Dataplane
  reason: string
}
/**
 * One direction (the source's egress, or the destination's ingress).
 */
export interface Layer {
  allowed: boolean
  allowedBy?: RuleRef[]
  deniedBy?: RuleRef[]
  /**
   * Some policy selects the endpoint for this direction.
   */
  isolated: boolean
  isolatedBy?: PolicyRef[]
  l7?: L7[]
  nearMisses?: NearMiss[]
  notes?: string[]
  reason: string
}
/**
 * Names one rule: `spec.ingress[0]` of a NetworkPolicy, `specs[1].egressDeny[0]` of a CNP.
 */
export interface RuleRef {
  deny: boolean
  direction: Direction
  /**
   * Index of the rule in its list.
   */
  index: number
  /**
   * Field path of the rule in its object.
   */
  path: string
  policy: PolicyRef
}
/**
 * Names one policy object.
 */
export interface PolicyRef {
  kind: PolicyKind
  name: string
  namespace?: string
}
/**
 * L7 rules attached to a Cilium port rule: recorded, not evaluated.
 */
export interface L7 {
  protocol: string
  summary: string
}
/**
 * A rule that nearly matched: the peer matched but not the port, or the other way.
 */
export interface NearMiss {
  message: string
  rule: RuleRef
}
/**
 * One side of a verdict, described for people and programs.
 */
export interface EndpointView {
  addresses?: string[]
  /**
   * Pod, Deployment, …, Node, External, Service.
   */
  kind: string
  meshed?: boolean
  name?: string
  namespace?: string
  reference: string
}
/**
 * The mesh's own decision on a connection to a meshed endpoint.
 */
export interface MeshDecision {
  allowed: boolean
  mesh: string
  notes?: string[]
  reason: string
  /**
   * The server (or default policy) that decided.
   */
  server: string
}
/**
 * A finding about the policy set.
 */
export interface Diagnostic {
  code: DiagnosticCode
  flows?: FlowRef[]
  /**
   * How many flows the finding concerns, when `flows` lists only the first of them
   * (a finding between two large groups of pods concerns a number of flows that
   * grows with the product of their sizes; `diagnose` lists a bounded sample).
   */
  flowsTotal?: number
  help?: string
  location?: Location
  message: string
  /**
   * The policies concerned, as `kind`, `namespace`, `name`.
   */
  policies?: PolicyRef[]
  severity: Severity
}
/**
 * A flow a diagnostic is about.
 */
export interface FlowRef {
  from: string
  port: number
  protocol: Protocol
  to: string
}
/**
 * The port the network sees, when the mesh changes it.
 */
export interface WirePort {
  port: number
  /**
   * Why it differs from the application's port (absent when it does not).
   */
  reason?: string
}
/**
 * A verdict with its text explanation (what `meshverdict check` prints).
 */
export interface VerdictResult {
  allowed: boolean
  /**
   * For a Service: the verdict of each backend (`allowed` only if every one is).
   */
  backends?: Verdict[]
  /**
   * The dataplane the verdict is judged on, and why that one.
   */
  dataplane: DataplaneChoice
  egress: Layer
  explanation: string
  from: EndpointView
  ingress: Layer
  /**
   * When a reference names a workload whose Pods are in the input: the verdict of
   * each (source pod, destination pod) pair (`allowed` only if every one is).
   */
  members?: Verdict[]
  mesh?: MeshDecision
  /**
   * The port the application dials.
   */
  port: number
  protocol: Protocol
  /**
   * One line: why.
   */
  summary: string
  to: EndpointView
  /**
   * Structured warnings, e.g. `mesh-flow-blocked` when a proxy is cut off.
   */
  warnings?: Diagnostic[]
  wirePort?: WirePort1
}
/**
 * The port the network sees, when the mesh changes it.
 */
export interface WirePort1 {
  port: number
  /**
   * Why it differs from the application's port (absent when it does not).
   */
  reason?: string
}
/**
 * The compact form of a batch item: enough for scripts asking many questions.
 */
export interface VerdictBrief {
  allowed: boolean
  summary: string
}
/**
 * A case report with its failed items listed apart.
 */
export interface CaseReport {
  failed: number
  failures: CaseFailure[]
  name: string
  passed: number
  results: ItemResult[]
  source: string
}
/**
 * One failed item of a case: what hosts list as `failures`.
 */
export interface CaseFailure {
  detail: string
  id: string
}
/**
 * One checked expectation.
 */
export interface ItemResult {
  /**
   * What was expected and what came out.
   */
  detail: string
  /**
   * `CASE#N`, `CASE#diagnostics:CODE` or `CASE#absentDiagnostics:CODE`.
   */
  id: string
  passed: boolean
}
/**
 * The matrix as groups and cells: what `meshverdict matrix -o json` prints as `result`.
 */
export interface MatrixCells {
  by: MatrixGranularity
  /**
   * Every allowed (source, destination, protocol), indices into `groups`.
   */
  cells: Cell[]
  dataplane: DataplaneChoice
  /**
   * The sides: workloads, pods or classes, then the outside parties.
   */
  groups: Group[]
  notes?: string[]
}
/**
 * One allowed (source, destination, protocol) with its ports (application ports, as
 * the client dials them).
 */
export interface Cell {
  from: number
  mesh?: MeshCell
  ports: PortRange[]
  protocol: Protocol
  to: number
}
/**
 * The mesh's part in a cell.
 */
export interface MeshCell {
  /**
   * The servers (or default policies) whose authorization admitted the flow.
   */
  authorizedBy?: string[]
  wire?: WireNote[]
}
/**
 * For a meshed pair: application ports the mesh carries on another port.
 */
export interface WireNote {
  ports: PortRange[]
  wire: number
}
/**
 * An inclusive port range.
 */
export interface PortRange {
  from: number
  to: number
}
/**
 * One side of the matrix: a workload, a pod, a class, or something outside the pods.
 */
export interface Group {
  /**
   * The identity classes of its pods.
   */
  classes?: number[]
  /**
   * Deployment, Pod, …; `Class`; `Addresses`, `Entity`, `DNS`.
   */
  kind: string
  /**
   * Its pods (or templates).
   */
  members?: string[]
  meshed?: boolean
  namespace?: string
  /**
   * `NS/NAME`, `class:N`, `ip:FIRST-LAST` (or `ip:CIDR`), `entity:kube-apiserver`, `dns:NAME`.
   */
  reference: string
}
/**
 * [`Matrix::compact`]: groups point at classes (`Group::classes`); each row says which
 * source classes (a set of `sets`) a destination class admits on which ports.
 */
export interface MatrixCompact {
  by: MatrixGranularity
  classes: CompactClass[]
  dataplane: DataplaneChoice
  external: CompactExternal[]
  /**
   * References of the outside parties, the members of `CompactExternal`'s sets.
   */
  externals: string[]
  groups: Group[]
  rows: CompactRow[]
  /**
   * Every distinct set of classes (or of outside parties) the rows name.
   */
  sets: CompactSet[]
  warnings?: string[]
}
export interface CompactClass {
  namespace: string
  pods: number
}
export interface CompactExternal {
  class: number
  /**
   * Index into `sets` (members: indices of `externals`).
   */
  externals: number
  /**
   * `true`: the externals may reach the class; `false`: the class may reach them.
   */
  inbound: boolean
  ports: PortRange[]
  protocol: Protocol
}
export interface CompactRow {
  authorizedBy?: string
  /**
   * Index into `sets`.
   */
  from: number
  ports: PortRange[]
  protocol: Protocol
  to: number
  wire?: CompactWire
}
export interface CompactWire {
  /**
   * Index into `sets`.
   */
  from: number
  port: number
}
/**
 * A set of indices: runs `[first, end)`, or, when that is longer, a bitmap (base64 of
 * little-endian 64-bit words, bit i = index i).
 */
export interface CompactSet {
  bits?: string
  runs?: [number, number][]
}
/**
 * One workload's exposure.
 */
export interface Exposure {
  kind: string
  namespace?: string
  /**
   * Every pod of every namespace, and every outside address, on every port.
   */
  openToEverything: boolean
  /**
   * Pods of other namespaces that may reach it.
   */
  otherNamespaces?: Reach[]
  /**
   * Addresses outside the cluster (and the API server, DNS names) that may reach it.
   */
  outside?: Reach[]
  workload: string
}
/**
 * Sources of one kind reaching a workload on some ports.
 */
export interface Reach {
  /**
   * Namespaces (`*` for every other namespace) or address ranges and entities.
   */
  from: string[]
  ports: PortRange[]
  protocol: Protocol
}
/**
 * What a change opens and closes (`meshverdict diff -o json`).
 */
export interface DiffResult {
  diff: FlowDiff
  /**
   * The `deny` flows of the `forbid` document that the tree after allows.
   */
  forbiddenOpened: string[]
}
/**
 * The flows a change opens and closes.
 */
export interface FlowDiff {
  by: MatrixGranularity
  closed: FlowChange[]
  opened: FlowChange[]
}
/**
 * One flow a change opens or closes.
 */
export interface FlowChange {
  from: string
  location?: Location2
  /**
   * The policies responsible: those the verdicts before and after cite that differ
   * between the trees (added, removed or changed), else those that decide after.
   */
  policies?: PolicyRef[]
  ports: PortRange[]
  protocol: Protocol
  /**
   * Why, in one line: the verdict after the change (or before, for a closed flow's cause).
   */
  reason: string
  to: string
}
/**
 * Where in the user's input something is.
 */
export interface Location2 {
  column?: number
  /**
   * 1-based index of the document in its stream.
   */
  document?: number
  /**
   * 1-based line, for YAML and JSON text.
   */
  line?: number
  /**
   * 0-based byte offset in the source, where a line alone cannot say it (bad UTF-8).
   */
  offset?: number
  /**
   * Field path inside the document, e.g. `spec.ingress[0].from[1].ipBlock.cidr`.
   */
  path?: string
  /**
   * The file (or `-` for stdin, or the name a host gave the text).
   */
  source: string
}
/**
 * The synthesized set with its proof, and the reduction of observed flows when the
 * intents came from them (`meshverdict synthesize -o json`).
 */
export interface Synthesis {
  /**
   * The workloads whose policies are written (`namespace/name`).
   */
  concerned: string[]
  /**
   * The dataplane the proof judged on.
   */
  dataplane: Dataplane
  dialect: Dialect
  granularity: PolicyGranularity
  intents: Intent[]
  /**
   * With `fromCurrent`: what each intent was narrowed to.
   */
  narrowed?: string[]
  /**
   * The flows the mesh and the platform need, made explicit.
   */
  needs: Need[]
  notes: string[]
  objects: SynthesizedObject[]
  proof: Proof
  reduction?: Reduction
  unmet: Unmet[]
  /**
   * The objects as one YAML stream, with a comment per rule.
   */
  yaml: string
}
/**
 * One intent: `from` may reach `to` on `ports`/`protocol`.
 */
export interface Intent {
  description?: string
  from: End
  location?: Location3
  /**
   * What it was reduced from (observed flows), for people.
   */
  origin?: string
  /**
   * Numbers or named ports of the destination (of a Service: its ports); absent: every port.
   */
  ports?: PortRef[]
  /**
   * Absent: TCP, or with `ports` absent too, every protocol.
   */
  protocol?: 'TCP' | 'UDP' | 'SCTP'
  to: End
}
/**
 * A label selector is a label query over a set of resources. The result of matchLabels and matchExpressions are ANDed. An empty label selector matches all objects. A null label selector matches no objects.
 */
export interface LabelSelector {
  /**
   * matchExpressions is a list of label selector requirements. The requirements are ANDed.
   */
  matchExpressions?: LabelSelectorRequirement[]
  /**
   * matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element of matchExpressions, whose key field is "key", the operator is "In", and the values array contains only "value". The requirements are ANDed.
   */
  matchLabels?: {
    [k: string]: string
  }
}
/**
 * A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.
 */
export interface LabelSelectorRequirement {
  /**
   * key is the label key that the selector applies to.
   */
  key: string
  /**
   * operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist.
   */
  operator: string
  /**
   * values is an array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. This array is replaced during a strategic merge patch.
   */
  values?: string[]
}
/**
 * Where in the user's input something is.
 */
export interface Location3 {
  column?: number
  /**
   * 1-based index of the document in its stream.
   */
  document?: number
  /**
   * 1-based line, for YAML and JSON text.
   */
  line?: number
  /**
   * 0-based byte offset in the source, where a line alone cannot say it (bad UTF-8).
   */
  offset?: number
  /**
   * Field path inside the document, e.g. `spec.ingress[0].from[1].ipBlock.cidr`.
   */
  path?: string
  /**
   * The file (or `-` for stdin, or the name a host gave the text).
   */
  source: string
}
/**
 * A flow the mesh or the platform needs, made explicit in the output.
 */
export interface Need {
  from: string
  port: string
  /**
   * What it is for, and where that is written down.
   */
  purpose: string
  to: string
}
/**
 * One synthesized object.
 */
export interface SynthesizedObject {
  apiVersion: string
  kind: string
  name: string
  namespace: string
  /**
   * The object itself.
   */
  object: {
    [k: string]: unknown
  }
  /**
   * What each rule serves, by field path: `spec.ingress[0]: intent #1: …`.
   */
  serves: string[]
}
/**
 * The proof of a synthesized set.
 */
export interface Proof {
  allowed: number
  /**
   * Flows the mesh or the platform needs that a deny rule drops: no added allow can
   * give them back.
   */
  blocked: string[]
  checks: number
  /**
   * Mesh and DNS diagnostics left on the workloads concerned.
   */
  diagnostics: Diagnostic[]
  /**
   * Mesh diagnostics elsewhere in the cluster (not about the workloads concerned).
   */
  elsewhere: number
  /**
   * Pairs of workloads concerned (`from`, `to`) that the existing policies alone admit
   * on both sides (on some ports): no added policy can take that back. At most
   * [`EXISTING_SHOWN`] of them; `existingPairs` counts them all.
   */
  existing: [string, string][]
  existingPairs: number
  /**
   * Intent questions the set denies: a bug of synthesis when not explained.
   */
  failures: string[]
  /**
   * Intents checked, questions asked for them, and how many were allowed.
   */
  intents: number
  /**
   * Synthesized objects the engine refuses (the API server would).
   */
  invalid: string[]
  notes: string[]
  /**
   * Pairs of the residue search and the questions it asked.
   */
  pairs: number
  questions: number
  residue: Residue[]
  /**
   * Every intent allowed, no objects rejected, no mesh diagnostic left.
   */
  verified: boolean
}
/**
 * Something else the synthesized set allows.
 */
export interface Residue {
  /**
   * `existing`: the policies already in the cluster allowed it (added NetworkPolicies
   * cannot take an allow back); `opened`: the new objects allow it.
   */
  cause: string
  from: string
  /**
   * Port ranges, e.g. `1-8079, 8081-65535`.
   */
  ports: string
  protocol: Protocol
  to: string
  why: string
}
/**
 * Intents reduced from observed flows, with what the reduction did.
 */
export interface Reduction {
  intents: Intents
  /**
   * Records left out, grouped by why: `(why, count)`.
   */
  leftOut: [string, number][]
  /**
   * How many records were read.
   */
  records: number
}
/**
 * The intents of one or more documents, numbered from 1 in the order given.
 */
export interface Intents {
  items: Intent[]
}
/**
 * An intent the dialect or the cluster cannot meet, and why.
 */
export interface Unmet {
  /**
   * 1-based intent number.
   */
  intent: number
  reasons: string[]
  summary: string
}
/**
 * The repair of a cluster.
 */
export interface Repair {
  /**
   * Diagnostics before, and how many the repair removes.
   */
  before: number
  fixed: number
  /**
   * Likely typos in the selectors of the existing policies (not edited).
   */
  hints: Hint[]
  /**
   * Mesh diagnostics left once the repair is applied (only the unrepairable ones).
   */
  left: Diagnostic[]
  notes: string[]
  objects: SynthesizedObject[]
  opens: Opened[]
  /**
   * Flows no added allow can restore (a deny rule drops them).
   */
  unrepairable: string[]
  /**
   * The objects as one YAML stream (empty: nothing to repair).
   */
  yaml: string
}
/**
 * A label key that no pod carries, and the key the author probably meant.
 */
export interface Hint {
  /**
   * How many pods carry the suggested key.
   */
  carriedBy: number
  key: string
  location?: Location
  message: string
  /**
   * The field of the selector, e.g. `spec.ingress[0].from[0]`.
   */
  path: string
  policy: string
  suggestion: string
}
/**
 * A flow the repair opens.
 */
export interface Opened {
  from: string
  policy: string
  ports: string
  to: string
  why: string
}
/**
 * Something a question may name, for a UI's pickers: a Pod, a workload (its pod
 * template, or its Pods in the input), or a Service (as a destination, `svc:NS/NAME`).
 */
export interface EndpointInfo {
  /**
   * `Pod`, `Deployment`, `StatefulSet`, `DaemonSet`, `ReplicaSet`, `Job`, `CronJob`, `Service`.
   */
  kind: string
  /**
   * The pod's labels (a workload with Pods in the input: the labels all of them carry;
   * a Service: its own).
   */
  labels: {
    [k: string]: string
  }
  /**
   * Meshed (a workload with Pods: every one of them).
   */
  meshed?: boolean
  name: string
  namespace: string
  /**
   * A workload's Pods in the input.
   */
  pods?: string[]
  /**
   * Declared container ports (a Service: its ports, as clients dial them).
   */
  ports: NamedPort[]
  /**
   * What a question names it by: `NS/NAME`, or `svc:NS/NAME` for a Service.
   */
  reference: string
}
/**
 * A container port as declared in a pod spec.
 */
export interface NamedPort {
  name?: string
  port: number
  protocol: Protocol
}
/**
 * Load manifests into a cluster: the JSON form (`{"yaml", "name"?, "dataplane"?, "limits"?}`).
 */
export interface LoadRequest {
  /**
   * `auto` (the default), `generic`, `calico` or `cilium`.
   */
  dataplane?: string | null
  limits?: LimitsRequest | null
  /**
   * A name for error locations (a file name); `input` by default.
   */
  name?: string | null
  /**
   * Multi-document YAML or JSON (what `kubectl get -o yaml` prints).
   */
  yaml: string
}
/**
 * The limits a caller may set, each optional (the engine's default otherwise).
 */
export interface LimitsRequest {
  maxAliasNodes?: number | null
  maxDepth?: number | null
  maxObjects?: number | null
}
/**
 * One question in its JSON form. `protocol` defaults to TCP; `port` is a number or a
 * named port.
 */
export interface VerdictRequest {
  from: string
  port: PortRef
  protocol?: string | null
  to: string
}
/**
 * Run one conformance case file (JSON form).
 */
export interface CaseRequest {
  name?: string | null
  yaml: string
}
/**
 * The options of `matrix`, as the CLI's flags: `by`, `namespace` (`-n`), `from`, `to`,
 * `port`, `protocol`, `noExternals`, and the output `format`.
 */
export interface MatrixRequest {
  /**
   * What a row names: `workload` (the default), `pod` or `class`.
   */
  by?: By | null
  format?: MatrixFormat | null
  /**
   * Only these sources: `NS/NAME`, `NS/*`, `ip:…`, `entity:…`, or a label selector.
   */
  from?: string | null
  /**
   * Only rows with a side in this namespace.
   */
  namespace?: string | null
  /**
   * Leave out address ranges, the API server and DNS names.
   */
  noExternals?: boolean | null
  /**
   * Only these ports: a number, `"8000-8100"`, `"8080,9090"`, or a list of those.
   */
  port?: Ports | null
  /**
   * Only these protocols: `"TCP"`, or a list; any case.
   */
  protocol?: Protocols | null
  /**
   * Only these destinations (as `from`).
   */
  to?: string | null
}
/**
 * The options of `exposure`: `namespace` (`-n`) keeps the workloads of one namespace.
 */
export interface ExposureRequest {
  namespace?: string | null
}
/**
 * The options of `diff`: the other tree (`after`, the cluster being the tree before the
 * change; or `before`, the cluster being after it), `by`, and `forbid` (an Expectations
 * document whose `deny` flows must stay denied), as the CLI's flags.
 */
export interface DiffRequest {
  after?: ManifestsRequest | null
  before?: ManifestsRequest | null
  /**
   * What a row names: `workload` (the default), `pod` or `class`.
   */
  by?: By | null
  forbid?: DocumentRequest | null
}
/**
 * Manifests given in a request: one text (`yaml`, with its `name`), or several files.
 */
export interface ManifestsRequest {
  /**
   * Several files (a folder), each under its name.
   */
  files?: FileRequest[] | null
  /**
   * The name of `yaml` in error locations.
   */
  name?: string | null
  /**
   * Multi-document YAML or JSON.
   */
  yaml?: string | null
}
/**
 * One file of [`ManifestsRequest::files`].
 */
export interface FileRequest {
  name: string
  yaml: string
}
/**
 * One text with its name (the `forbid` document of `diff`).
 */
export interface DocumentRequest {
  name?: string | null
  yaml: string
}
/**
 * The options of `synthesize`, as the CLI's flags: the intents (an Intents document's
 * text, or its parsed value; or observed flows: `hubble`, `linkerdEdges`; none: the
 * Intents documents among the cluster's manifests), `dialect`, `granularity`,
 * `fromCurrent`, `isolate`, `isolateAll`.
 */
export interface SynthesizeRequest {
  /**
   * `networkpolicy` (the default), `cilium` or `linkerd`.
   */
  dialect?: SynthesisDialect | null
  /**
   * Narrow each intent to what the cluster allows today.
   */
  fromCurrent?: boolean | null
  /**
   * `workload` (the default) or `namespace`.
   */
  granularity?: SynthesisGranularity | null
  /**
   * `hubble observe -o json` output (one flow a line), reduced to intents.
   */
  hubble?: string | null
  /**
   * YAML or JSON text of `kind: Intents` documents; or a parsed document, a list of
   * documents, or a list of intents (`[{from, to, ports?, protocol?}]`).
   */
  intents?: {
    [k: string]: unknown
  }
  /**
   * The name of the intents (or observed flows) in error locations.
   */
  intentsName?: string | null
  /**
   * Also isolate every workload of these namespaces.
   */
  isolate?: string[] | null
  /**
   * Isolate every workload of the input.
   */
  isolateAll?: boolean | null
  /**
   * `linkerd viz edges -o json` output, reduced to intents.
   */
  linkerdEdges?: string | null
}
/**
 * The options of `repair`: `dialect`, as the CLI's flag.
 */
export interface RepairRequest {
  /**
   * `networkpolicy` (the default) or `cilium`.
   */
  dialect?: RepairDialect | null
}
