// Types of the `meshverdict` package. The answers' shapes are generated from the Rust serde
// types (schema/meshverdict.schema.json → schema/meshverdict.d.ts, copied here as schema.d.ts
// by build.sh; regenerate with `bash schema/generate.sh`) and re-exported below under their
// names here; the rest (the classes, their methods and options) is hand-written in this
// file, and the addon's own types are generated into native.d.ts. Optional fields are
// absent, not null, when they have nothing to say. wasm/src/types.d.ts is the same.

import type * as Schema from './schema.js'
/** Every answer and request shape, as generated from the Rust types. */
export type * as Schema from './schema.js'

// The answers (generated).
export type Dataplane = Schema.Dataplane
export type DataplaneChoice = Schema.DataplaneChoice
export type Protocol = Schema.Protocol
export type ErrorCode = Schema.ErrorCode
export type Location = Schema.Location
export type ErrorInfo = Schema.ErrorInfo
export type Warning = Schema.Warning
export type EndpointView = Schema.EndpointView
export type PolicyRef = Schema.PolicyRef
export type RuleRef = Schema.RuleRef
export type NearMiss = Schema.NearMiss
export type L7 = Schema.L7
export type Layer = Schema.Layer
export type WirePort = Schema.WirePort
export type MeshDecision = Schema.MeshDecision
export type Severity = Schema.Severity
export type FlowRef = Schema.FlowRef
export type Diagnostic = Schema.Diagnostic
export type Verdict = Schema.Verdict
export type VerdictResult = Schema.VerdictResult
export type VerdictBrief = Schema.VerdictBrief
export type CaseReport = Schema.CaseReport
export type PortRange = Schema.PortRange
export type NamedPort = Schema.NamedPort
export type WireNote = Schema.WireNote
export type MeshCell = Schema.MeshCell
export type MatrixCells = Schema.MatrixCells
export type CompactClass = Schema.CompactClass
export type CompactSet = Schema.CompactSet
export type CompactRow = Schema.CompactRow
export type CompactExternal = Schema.CompactExternal
export type MatrixCompact = Schema.MatrixCompact
export type Reach = Schema.Reach
export type Exposure = Schema.Exposure
export type FlowChange = Schema.FlowChange
export type DiffResult = Schema.DiffResult
export type SynthesizedObject = Schema.SynthesizedObject
export type Need = Schema.Need
export type Unmet = Schema.Unmet
export type Residue = Schema.Residue
export type Proof = Schema.Proof
export type Reduction = Schema.Reduction
export type Synthesis = Schema.Synthesis
export type Opened = Schema.Opened
export type Hint = Schema.Hint
export type Repair = Schema.Repair
export type EndpointInfo = Schema.EndpointInfo
export type CaseItem = Schema.ItemResult
export type MatrixGroup = Schema.Group
export type MatrixCell = Schema.Cell


/** A dataplane setting: `auto` takes the one the input shows. */
export type DataplaneSetting = 'auto' | Dataplane







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

/**
 * A column of integers: a `Uint32Array` crosses as it is; any other typed array of
 * integers, or an array of them, is converted first.
 */
export type IntegerColumn =
  | Uint32Array
  | Uint16Array
  | Uint8Array
  | Uint8ClampedArray
  | Int32Array
  | Int16Array
  | Int8Array
  | Float64Array
  | Float32Array
  | readonly number[]

/**
 * Questions as columns (`allowedColumns`): question `i` is
 * `endpoints[from[i]] → endpoints[to[i]]` on `port` (or `port[i]`), all on `protocol`.
 * Each reference is read once, however many questions name it.
 */
export interface AllowedColumnsRequest {
  /** The endpoint references the questions name (as `Query.from` and `Query.to`). */
  endpoints: readonly string[]
  /** Per question, the index of its source in `endpoints`. */
  from: IntegerColumn
  /** Per question, the index of its destination in `endpoints` (as long as `from`). */
  to: IntegerColumn
  /** One port number (1–65535) for every question, or one per question (as long as `from`). */
  port: number | IntegerColumn
  /** `TCP` by default, for every question; case-insensitive. */
  protocol?: Protocol | Lowercase<Protocol>
}

















// ---- matrix, exposure, diff, synthesize, repair, endpoints: their options and answers.
// Each answer is exactly the `result` of the CLI's `-o json` (JSON.stringify of one is
// the CLI's bytes, re-written compactly).



/** What a row of a matrix (or of a diff) names. */
export type MatrixBy = 'workload' | 'pod' | 'class'

/** Ports: a number, `'8000-8100'`, `'80,443'`, or an array of those. */
export type Ports = number | string | Array<number | string>

/** The options of `matrix()`, as the CLI's flags. */
export interface MatrixOptions {
  /** What a row names: `workload` (default), `pod` or `class`. */
  by?: MatrixBy
  /** Only rows with a side in this namespace (`-n`). */
  namespace?: string
  /** Only these sources: `NS/NAME`, `NS/*`, `ip:…`, `entity:…`, or a label selector. */
  from?: string
  /** Only these destinations (as `from`). */
  to?: string
  port?: Ports
  protocol?: Protocol | Lowercase<Protocol> | Array<Protocol | Lowercase<Protocol>>
  /** Leave out address ranges, the API server and DNS names. */
  noExternals?: boolean
  /** `cells` (default: `meshverdict matrix -o json`) or `compact` (`-o compact`). */
  format?: 'cells' | 'compact'
}











/** The options of `exposure()`. */
export interface ExposureOptions {
  /** Only workloads of this namespace (`-n`). */
  namespace?: string
}



/**
 * The other tree of a `diff`: YAML or JSON text (a string, or a Uint8Array in UTF-8), a
 * `file:` URL (a file or a folder, read as `fromPath` reads it), files, or one named text.
 */
export type ManifestsInput = string | Uint8Array | URL | NamedText[] | { yaml: string | Uint8Array; name?: string }

/** One text with the name its error locations give. */
export interface NamedText {
  name: string
  yaml: string | Uint8Array
}

/** The options of `diff()`: one of `after` (this cluster is the tree before the change) and `before`. */
export interface DiffOptions {
  after?: ManifestsInput
  before?: ManifestsInput
  by?: MatrixBy
  /** An Expectations document whose `deny` flows must stay denied. */
  forbid?: string | Uint8Array | { yaml: string | Uint8Array; name?: string }
}



export type SynthesisDialect = 'networkpolicy' | 'cilium' | 'linkerd'
export type SynthesisGranularity = 'workload' | 'namespace'

export interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>
}

/** One side of an intent: a reference (`NS/NAME`, `ip:…`, `svc:NS/NAME`, `dns:NAME`…) or pods by selector. */
export type IntentEnd = string | { namespace?: string; selector: LabelSelector }

/** `from` may reach `to` on `ports`/`protocol` (absent: every port). */
export interface Intent {
  from: IntentEnd
  to: IntentEnd
  ports?: Array<number | string>
  protocol?: Protocol
  description?: string
  /** Where it is written (in answers). */
  location?: Location
  /** What it was reduced from (observed flows). */
  origin?: string
}

export interface IntentsDocument {
  apiVersion: 'meshverdict/v1'
  kind: 'Intents'
  metadata?: { name?: string }
  spec: { intents: Intent[]; description?: string }
}

/** The options of `synthesize()`, as the CLI's flags. */
export interface SynthesizeOptions {
  /** The text of `kind: Intents` documents, or their parsed form; absent: those among the manifests. */
  intents?: string | IntentsDocument | IntentsDocument[] | Intent[]
  /** The name of the intents (or observed flows) in error locations. */
  intentsName?: string
  /** `hubble observe -o json` output, reduced to intents. */
  hubble?: string
  /** `linkerd viz edges -o json` output, reduced to intents. */
  linkerdEdges?: string
  dialect?: SynthesisDialect
  granularity?: SynthesisGranularity
  /** Narrow each intent to what the cluster allows today. */
  fromCurrent?: boolean
  /** Also isolate every workload of these namespaces. */
  isolate?: string[]
  isolateAll?: boolean
}








/** The options of `repair()`. */
export interface RepairOptions {
  dialect?: 'networkpolicy' | 'cilium'
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
   * One verdict with its explanation. The flow is decided at once; the rest (the port,
   * the summary, the layers, the explanation) is judged when one of them is first read,
   * behind a `Proxy` over a plain object (`JSON.parse(JSON.stringify(v))` for
   * `structuredClone`).
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
  /**
   * `allowed` for each question of a batch by columns, in order (see
   * {@link AllowedColumnsRequest}): the cheapest way to ask about many pairs.
   * @throws {MeshverdictError} the first error of any question (`from[17] → to[17]: …`);
   *   a `TypeError`/`RangeError` for a wrong argument (an item, an index past
   *   `endpoints`, columns of different lengths), before anything is judged
   */
  allowedColumns(columns: AllowedColumnsRequest): boolean[]
  /**
   * The same answers written into `out` (1 allowed, 0 not), which is returned: a
   * `Uint8Array` (or a `Buffer`) as long as `from`. No JavaScript value per answer; a
   * failing question leaves `out` as it was.
   * @throws {RangeError} when `out` is not as long as `from`
   */
  allowedColumns<T extends Uint8Array>(columns: AllowedColumnsRequest, out: T): T
  diagnostics(): Diagnostic[]
  /** Objects the API server or Cilium would reject, each a located error. */
  errors(): ErrorInfo[]
  /**
   * Every allowed source → destination with its ports (`meshverdict matrix -o json`;
   * `{ format: 'compact' }`: `-o compact`). A wrong option is a `TypeError` or `RangeError`.
   */
  matrix(options?: MatrixOptions & { format?: 'cells' }): MatrixCells
  matrix(options: MatrixOptions & { format: 'compact' }): MatrixCompact
  matrix(options?: MatrixOptions): MatrixCells | MatrixCompact
  /** For each workload, who beyond its namespace may reach it (`meshverdict exposure -o json`). */
  exposure(options?: ExposureOptions): Exposure[]
  /**
   * What a change opens and closes (`meshverdict diff -o json`): this cluster is the tree
   * before and `after` the manifests after the change (or `before`, the other way round).
   * @throws {MeshverdictError} what loading the other tree throws
   */
  diff(options: DiffOptions): DiffResult
  /**
   * Least-privilege policies for intents, proven (`meshverdict synthesize -o json`).
   * @throws {MeshverdictError} `invalid-field` (an intent the engine refuses), `invalid-request` (no intents)
   */
  synthesize(options?: SynthesizeOptions): Synthesis
  /** The smallest additive change that gives the mesh back the flows it needs (`meshverdict repair -o json`). */
  repair(options?: RepairOptions): Repair
  /** Every Pod, workload and Service a question may name, for pickers. */
  endpoints(): EndpointInfo[]
}

/**
 * Runs one conformance case file.
 * @param name the case's source name in reports and locations (`case.yaml` by default)
 * @throws {MeshverdictError} `invalid-case` when there is no `kind: Expectations` document
 */
export declare function runCase(text: string, name?: string): CaseReport
