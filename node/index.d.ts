// Types of the `meshverdict` package, hand-written in this one file (the addon's own
// types are generated into native.d.ts). The shapes are the serde forms of
// meshverdict-bindings: optional fields are absent, not null, when they have nothing to
// say. Keep in step with wasm/src/types.d.ts (the same shapes).

/** Where packets are judged: the Kubernetes reference, Calico, or Cilium 1.18-1.20. */
export type Dataplane = 'generic' | 'calico' | 'cilium'

/** A dataplane setting: `auto` takes the one the input shows. */
export type DataplaneSetting = 'auto' | Dataplane

/** The dataplane a verdict is judged on, and why that one (given, or what the input shows). */
export interface DataplaneChoice {
  name: Dataplane
  reason: string
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP'

/** The stable error codes that every host of meshverdict reports. */
export type ErrorCode =
  | 'parse-error'
  | 'limit-exceeded'
  | 'invalid-field'
  | 'invalid-policy'
  | 'unknown-endpoint'
  | 'invalid-request'
  | 'invalid-case'
  | 'internal'

/** Where in the input something is. */
export interface Location {
  /** The `name` given to `Cluster.fromYaml` (`input` by default), or the case name. */
  source: string
  /** 1-based index of the document in its stream. */
  document?: number
  /** Field path inside the document, e.g. `spec.ingress[0].from[1].ipBlock.cidr`. */
  path?: string
  /** 1-based line. */
  line?: number
  column?: number
  /** 0-based byte offset, where a line alone cannot say it (a byte that is not UTF-8). */
  offset?: number
}

/** An error as data (what `Cluster#errors()` returns and `MeshverdictError` carries). */
export interface ErrorInfo {
  code: ErrorCode
  message: string
  help?: string
  location?: Location
}

export interface Warning {
  code: string
  message: string
  location?: Location
}

/**
 * Thrown by every call the engine cannot answer (and returned in place by `verdicts`).
 * A wrong argument is a `TypeError` (wrong type) or a `RangeError` (wrong value) instead,
 * with the same fields: see {@link ArgumentError}.
 */
export declare class MeshverdictError extends Error {
  name: 'MeshverdictError'
  /** The stable meshverdict error code, e.g. `unknown-endpoint`. */
  readonly code: ErrorCode
  readonly help: string | undefined
  readonly location: Location | undefined
  /** Warnings that came with the failure (usually none). */
  readonly warnings: Warning[]
  toJSON(): ErrorInfo
}

/** The fields a `TypeError` or `RangeError` of a wrong argument carries. */
export interface ArgumentError extends Error {
  /** Always `invalid-request`. */
  code: 'invalid-request'
  help: string | undefined
  location: undefined
}

/** What one input may expand to; each limit is optional (the engine's default). */
export interface Limits {
  maxObjects?: number
  maxDepth?: number
  maxAliasNodes?: number
}

export interface LoadOptions {
  /** `auto` (the default): the dataplane the input shows. */
  dataplane?: DataplaneSetting
  /** A name for error locations (a file name); `input` by default (`fromPath`: the path). */
  name?: string
  limits?: Limits
}

/** A file of a folder that `Cluster.fromPath` did not load, and why. */
export interface SkippedFile {
  path: string
  kind: 'helm-template' | 'helm-chart' | 'helm-values' | 'kustomization'
  reason: string
}

/** "May `from` reach `to` on `port`/`protocol`?" */
export interface Query {
  /** `NAMESPACE/NAME`, `ip:ADDRESS`, `node:NAME`. */
  from: string
  /** As `from`, and also `svc:NAMESPACE/NAME` and `dns:NAME`. */
  to: string
  /** A port number, or a named port of `to`. */
  port: number | string
  /** `TCP` by default; case-insensitive. */
  protocol?: Protocol | Lowercase<Protocol>
}

export interface EndpointView {
  reference: string
  /** Pod, Deployment, …, Node, External, Service. */
  kind: string
  namespace?: string
  name?: string
  addresses?: string[]
  meshed?: boolean
}

export interface PolicyRef {
  kind: 'NetworkPolicy' | 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy'
  namespace?: string
  name: string
}

export interface RuleRef {
  policy: PolicyRef
  direction: 'ingress' | 'egress'
  /** Index of the rule in its list. */
  index: number
  /** Field path of the rule in its object. */
  path: string
  deny: boolean
}

export interface NearMiss {
  rule: RuleRef
  message: string
}

/** A Cilium L7 rule on a port rule: recorded, not evaluated. */
export interface L7 {
  protocol: string
  summary: string
}

/** One direction: the source's egress, or the destination's ingress. */
export interface Layer {
  allowed: boolean
  /** Some policy selects the endpoint for this direction. */
  isolated: boolean
  reason: string
  isolatedBy?: PolicyRef[]
  allowedBy?: RuleRef[]
  deniedBy?: RuleRef[]
  nearMisses?: NearMiss[]
  l7?: L7[]
  notes?: string[]
}

/** The port the network sees, when the mesh changes it. */
export interface WirePort {
  port: number
  reason?: string
}

/** The mesh's own decision on a connection to a meshed endpoint. */
export interface MeshDecision {
  mesh: string
  allowed: boolean
  server: string
  reason: string
  notes?: string[]
}

export type Severity = 'info' | 'warning' | 'error'

export interface FlowRef {
  from: string
  to: string
  port: number
  protocol: Protocol
}

export interface Diagnostic {
  code: string
  severity: Severity
  message: string
  help?: string
  flows?: FlowRef[]
  policies?: PolicyRef[]
  location?: Location
}

/** A verdict, with every layer's reason. */
export interface Verdict {
  allowed: boolean
  from: EndpointView
  to: EndpointView
  /** The port the application dials. */
  port: number
  protocol: Protocol
  wirePort?: WirePort
  egress: Layer
  ingress: Layer
  mesh?: MeshDecision
  /** For a Service: the verdict of each backend. */
  backends?: Verdict[]
  /**
   * For a workload whose Pods are in the input: the verdict of each (source pod,
   * destination pod) pair; `allowed` only if every one is.
   */
  members?: Verdict[]
  /** The dataplane the verdict is judged on, and why. */
  dataplane: DataplaneChoice
  /** Structured warnings, e.g. `mesh-flow-blocked`. */
  warnings?: Diagnostic[]
  /** One line: why. */
  summary: string
}

/** What `Cluster#verdict` returns: the verdict and its text explanation. */
export interface VerdictResult extends Verdict {
  /** What `meshverdict check` prints. */
  explanation: string
}

/** The compact form of a batch item. */
export interface VerdictBrief {
  allowed: boolean
  summary: string
}

export interface CaseItem {
  /** `CASE#N`, `CASE#diagnostics:CODE` or `CASE#absentDiagnostics:CODE`. */
  id: string
  passed: boolean
  detail: string
}

export interface CaseReport {
  name: string
  source: string
  passed: number
  failed: number
  results: CaseItem[]
  /** The failed items of `results`. */
  failures: Array<Pick<CaseItem, 'id' | 'detail'>>
}

/** Manifests loaded into a cluster, kept between questions. */
export declare class Cluster {
  private constructor()
  /**
   * Loads multi-document YAML or JSON (what `kubectl get -o yaml` prints): a string, or
   * a Uint8Array (a Buffer) in UTF-8.
   * @throws {MeshverdictError} `parse-error` (also for bytes that are not UTF-8),
   *   `limit-exceeded`, `invalid-field`; `TypeError`/`RangeError` for a wrong argument
   */
  static fromYaml(text: string | Uint8Array, options?: LoadOptions): Cluster
  /**
   * Loads a file, or every manifest below a folder as the CLI's `-f` reads it
   * (recursively; Helm charts and kustomizations skipped, see `skippedFiles`).
   */
  static fromPath(path: string | URL, options?: LoadOptions): Cluster
  /** Warnings of the load (skipped kinds, assumptions). */
  readonly warnings: Warning[]
  /** Files of a folder that were not loaded. */
  readonly skippedFiles: SkippedFile[]
  /** The dataplane verdicts are judged on (what `auto` chose). */
  readonly dataplane: Dataplane
  /** Why that dataplane. */
  readonly dataplaneReason: string
  /**
   * One verdict with its explanation.
   * @throws {MeshverdictError} `unknown-endpoint`, `invalid-request`, `invalid-policy`
   */
  verdict(query: Query): VerdictResult
  /**
   * Many verdicts in one call. An item that cannot be answered is a `MeshverdictError`
   * in its place (returned, not thrown); a malformed list throws.
   */
  verdicts(queries: readonly Query[]): Array<VerdictBrief | MeshverdictError>
  /** `allowed` for each question, in order. @throws {MeshverdictError} the first error */
  allowedMany(queries: readonly Query[]): boolean[]
  diagnostics(): Diagnostic[]
  /** Objects the API server or Cilium would reject, each a located error. */
  errors(): ErrorInfo[]
}

/**
 * Runs one conformance case file.
 * @param name the case's source name in reports and locations (`case.yaml` by default)
 * @throws {MeshverdictError} `invalid-case` when there is no `kind: Expectations` document
 */
export declare function runCase(text: string, name?: string): CaseReport
