// ---- meshverdict data shapes (hand-written; emitted into the generated .d.ts by
// `#[wasm_bindgen(typescript_custom_section)]` in src/lib.rs). They are the serde forms
// of meshverdict-bindings: optional fields are absent, not null, when they have
// nothing to say. This file is where the WASM package's types live; keep it in step with
// node/index.d.ts (the same shapes).

/** Where packets are judged: the Kubernetes reference, Calico, or Cilium 1.18-1.20. */
export type Dataplane = 'generic' | 'calico' | 'cilium';

/** A dataplane setting: `auto` takes the one the input shows. */
export type DataplaneSetting = 'auto' | Dataplane;

/** The dataplane a verdict is judged on, and why that one (given, or what the input shows). */
export interface DataplaneChoice {
  name: Dataplane;
  reason: string;
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** The stable error codes that every host of meshverdict reports. */
export type ErrorCode =
  | 'parse-error'
  | 'limit-exceeded'
  | 'invalid-field'
  | 'invalid-policy'
  | 'unknown-endpoint'
  | 'invalid-request'
  | 'invalid-case'
  | 'internal';

/** Where in the input something is. */
export interface Location {
  /** The `name` given to `Cluster.fromYaml` (`input` by default), or the case name. */
  source: string;
  /** 1-based index of the document in its stream. */
  document?: number;
  /** Field path inside the document, e.g. `spec.ingress[0].from[1].ipBlock.cidr`. */
  path?: string;
  /** 1-based line. */
  line?: number;
  column?: number;
  /** 0-based byte offset, where a line alone cannot say it (a byte that is not UTF-8). */
  offset?: number;
}

/** An error as data (what `Cluster#errors()` returns). */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  help?: string;
  location?: Location;
}

/**
 * What every call the engine cannot answer throws (and `verdicts` returns in place of
 * each item it cannot answer). A wrong argument is a `TypeError` (wrong type) or a
 * `RangeError` (wrong value) instead, with the same fields: see {@link ArgumentError}.
 */
export declare class MeshverdictError extends Error {
  name: 'MeshverdictError';
  /** The stable meshverdict error code, e.g. `unknown-endpoint`. */
  readonly code: ErrorCode;
  readonly help: string | undefined;
  readonly location: Location | undefined;
  /** Warnings that came with the failure (usually none). */
  readonly warnings: Warning[];
  /** The error as data, the way `errors()` returns them. */
  toJSON(): ErrorInfo;
}

/** The fields a `TypeError` or `RangeError` of a wrong argument carries. */
export interface ArgumentError extends Error {
  /** Always `invalid-request`. */
  code: 'invalid-request';
  help: string | undefined;
  location: undefined;
}

export interface Warning {
  code: string;
  message: string;
  location?: Location;
}

/** What one input may expand to; each limit is optional (the engine's default). */
export interface Limits {
  maxObjects?: number;
  maxDepth?: number;
  maxAliasNodes?: number;
}

export interface LoadOptions {
  /** `auto` (the default): the dataplane the input shows. */
  dataplane?: DataplaneSetting;
  /** A name for error locations (a file name); `input` by default. */
  name?: string;
  limits?: Limits;
}

/** "May `from` reach `to` on `port`/`protocol`?" */
export interface Query {
  /** `NAMESPACE/NAME`, `ip:ADDRESS`, `node:NAME`. */
  from: string;
  /** As `from`, and also `svc:NAMESPACE/NAME` and `dns:NAME`. */
  to: string;
  /** A port number, or a named port of `to`. */
  port: number | string;
  /** `TCP` by default; case-insensitive. */
  protocol?: Protocol | Lowercase<Protocol>;
}

export interface EndpointView {
  reference: string;
  /** Pod, Deployment, …, Node, External, Service. */
  kind: string;
  namespace?: string;
  name?: string;
  addresses?: string[];
  meshed?: boolean;
}

export interface PolicyRef {
  kind: 'NetworkPolicy' | 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  namespace?: string;
  name: string;
}

export interface RuleRef {
  policy: PolicyRef;
  direction: 'ingress' | 'egress';
  /** Index of the rule in its list. */
  index: number;
  /** Field path of the rule in its object. */
  path: string;
  deny: boolean;
}

export interface NearMiss {
  rule: RuleRef;
  message: string;
}

/** A Cilium L7 rule on a port rule: recorded, not evaluated. */
export interface L7 {
  protocol: string;
  summary: string;
}

/** One direction: the source's egress, or the destination's ingress. */
export interface Layer {
  allowed: boolean;
  /** Some policy selects the endpoint for this direction. */
  isolated: boolean;
  reason: string;
  isolatedBy?: PolicyRef[];
  allowedBy?: RuleRef[];
  deniedBy?: RuleRef[];
  nearMisses?: NearMiss[];
  l7?: L7[];
  notes?: string[];
}

/** The port the network sees, when the mesh changes it. */
export interface WirePort {
  port: number;
  reason?: string;
}

/** The mesh's own decision on a connection to a meshed endpoint. */
export interface MeshDecision {
  mesh: string;
  allowed: boolean;
  server: string;
  reason: string;
  notes?: string[];
}

export type Severity = 'info' | 'warning' | 'error';

export interface FlowRef {
  from: string;
  to: string;
  port: number;
  protocol: Protocol;
}

export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  help?: string;
  flows?: FlowRef[];
  policies?: PolicyRef[];
  location?: Location;
}

/** A verdict, with every layer's reason. */
export interface Verdict {
  allowed: boolean;
  from: EndpointView;
  to: EndpointView;
  /** The port the application dials. */
  port: number;
  protocol: Protocol;
  wirePort?: WirePort;
  egress: Layer;
  ingress: Layer;
  mesh?: MeshDecision;
  /** For a Service: the verdict of each backend. */
  backends?: Verdict[];
  /**
   * For a workload whose Pods are in the input: the verdict of each (source pod,
   * destination pod) pair; `allowed` only if every one is.
   */
  members?: Verdict[];
  /** The dataplane the verdict is judged on, and why. */
  dataplane: DataplaneChoice;
  /** Structured warnings, e.g. `mesh-flow-blocked`. */
  warnings?: Diagnostic[];
  /** One line: why. */
  summary: string;
}

/** What `Cluster#verdict` returns: the verdict and its text explanation. */
export interface VerdictResult extends Verdict {
  /** What `meshverdict check` prints. */
  explanation: string;
}

/** The compact form of a batch item. */
export interface VerdictBrief {
  allowed: boolean;
  summary: string;
}

export interface CaseItem {
  /** `CASE#N`, `CASE#diagnostics:CODE` or `CASE#absentDiagnostics:CODE`. */
  id: string;
  passed: boolean;
  detail: string;
}

export interface CaseReport {
  name: string;
  source: string;
  passed: number;
  failed: number;
  results: CaseItem[];
  /** The failed items of `results`. */
  failures: Array<Pick<CaseItem, 'id' | 'detail'>>;
}

// ---- matrix, exposure, diff, synthesize, repair, endpoints: their options and answers.
// Each answer is exactly the `result` of the CLI's `-o json` (JSON.stringify of one is
// the CLI's bytes, re-written compactly).

/** An inclusive range of ports. */
export interface PortRange {
  from: number;
  to: number;
}

/** A declared port: a container's, or a Service's (as clients dial it). */
export interface NamedPort {
  name?: string;
  port: number;
  protocol: Protocol;
}

/** What a row of a matrix (or of a diff) names. */
export type MatrixBy = 'workload' | 'pod' | 'class';

/** Ports: a number, `'8000-8100'`, `'80,443'`, or an array of those. */
export type Ports = number | string | Array<number | string>;

/** The options of `matrix()`, as the CLI's flags. */
export interface MatrixOptions {
  /** What a row names: `workload` (default), `pod` or `class`. */
  by?: MatrixBy;
  /** Only rows with a side in this namespace (`-n`). */
  namespace?: string;
  /** Only these sources: `NS/NAME`, `NS/*`, `ip:…`, `entity:…`, or a label selector. */
  from?: string;
  /** Only these destinations (as `from`). */
  to?: string;
  port?: Ports;
  protocol?: Protocol | Lowercase<Protocol> | Array<Protocol | Lowercase<Protocol>>;
  /** Leave out address ranges, the API server and DNS names. */
  noExternals?: boolean;
  /** `cells` (default: `meshverdict matrix -o json`) or `compact` (`-o compact`). */
  format?: 'cells' | 'compact';
}

/** One side of the matrix: a workload, a pod, a class, or something outside the pods. */
export interface MatrixGroup {
  /** `NS/NAME`, `class:N`, `ip:FIRST-LAST` (or `ip:CIDR`), `entity:kube-apiserver`, `dns:NAME`. */
  reference: string;
  /** Deployment, Pod, …; `Class`; `Addresses`, `Entity`, `DNS`. */
  kind: string;
  namespace?: string;
  /** The identity classes of its pods. */
  classes?: number[];
  /** Its pods (or templates). */
  members?: string[];
  meshed?: boolean;
}

/** For a meshed pair: application ports the mesh carries on another port. */
export interface WireNote {
  ports: PortRange[];
  wire: number;
}

export interface MeshCell {
  wire?: WireNote[];
  /** The servers (or default policies) whose authorization admitted the flow. */
  authorizedBy?: string[];
}

/** One allowed (source, destination, protocol): `from` and `to` index `groups`. */
export interface MatrixCell {
  from: number;
  to: number;
  protocol: Protocol;
  ports: PortRange[];
  mesh?: MeshCell;
}

/** What `matrix()` returns: the `result` of `meshverdict matrix -o json`. */
export interface MatrixCells {
  by: MatrixBy;
  dataplane: DataplaneChoice;
  groups: MatrixGroup[];
  cells: MatrixCell[];
  notes?: string[];
}

export interface CompactClass {
  namespace: string;
  pods: number;
}

/** A set of indices: runs `[first, end)`, or a bitmap (base64 of little-endian 64-bit words). */
export interface CompactSet {
  runs?: Array<[number, number]>;
  bits?: string;
}

export interface CompactRow {
  protocol: Protocol;
  /** The destination class. */
  to: number;
  ports: PortRange[];
  /** Index into `sets`: the source classes. */
  from: number;
  wire?: { port: number; from: number };
  authorizedBy?: string;
}

export interface CompactExternal {
  protocol: Protocol;
  class: number;
  /** `true`: the externals may reach the class; `false`: the class may reach them. */
  inbound: boolean;
  ports: PortRange[];
  /** Index into `sets` (members: indices of `externals`). */
  externals: number;
}

/** What `matrix({ format: 'compact' })` returns: the `result` of `meshverdict matrix -o compact`. */
export interface MatrixCompact {
  by: MatrixBy;
  dataplane: DataplaneChoice;
  groups: MatrixGroup[];
  classes: CompactClass[];
  externals: string[];
  sets: CompactSet[];
  rows: CompactRow[];
  external: CompactExternal[];
  warnings?: string[];
}

/** The options of `exposure()`. */
export interface ExposureOptions {
  /** Only workloads of this namespace (`-n`). */
  namespace?: string;
}

/** Sources of one kind reaching a workload. */
export interface Reach {
  protocol: Protocol;
  ports: PortRange[];
  /** Namespaces (`*` for every other namespace), or address ranges and entities. */
  from: string[];
}

/** One workload's exposure beyond its namespace: an item of `meshverdict exposure -o json`. */
export interface Exposure {
  workload: string;
  kind: string;
  namespace?: string;
  otherNamespaces?: Reach[];
  outside?: Reach[];
  /** Every pod of every namespace, and every outside address, on every port. */
  openToEverything: boolean;
}

/**
 * The other tree of a `diff`: YAML or JSON text (a string, or a Uint8Array in UTF-8),
 * files, or one named text.
 */
export type ManifestsInput = string | Uint8Array | NamedText[] | { yaml: string | Uint8Array; name?: string };

/** One text with the name its error locations give. */
export interface NamedText {
  name: string;
  yaml: string | Uint8Array;
}

/** The options of `diff()`: one of `after` (this cluster is the tree before the change) and `before`. */
export interface DiffOptions {
  after?: ManifestsInput;
  before?: ManifestsInput;
  by?: MatrixBy;
  /** An Expectations document whose `deny` flows must stay denied. */
  forbid?: string | Uint8Array | { yaml: string | Uint8Array; name?: string };
}

/** One flow a change opens or closes, with the policies responsible. */
export interface FlowChange {
  from: string;
  to: string;
  protocol: Protocol;
  ports: PortRange[];
  policies?: PolicyRef[];
  /** Why, in one line. */
  reason: string;
  /** Where the responsible policy is. */
  location?: Location;
}

/** What `diff()` returns: the `result` of `meshverdict diff -o json`. */
export interface DiffResult {
  diff: {
    by: MatrixBy;
    opened: FlowChange[];
    closed: FlowChange[];
  }
  /** The `deny` flows of `forbid` that the tree after allows. */
  forbiddenOpened: string[];
}

export type SynthesisDialect = 'networkpolicy' | 'cilium' | 'linkerd';
export type SynthesisGranularity = 'workload' | 'namespace';

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

/** One side of an intent: a reference (`NS/NAME`, `ip:…`, `svc:NS/NAME`, `dns:NAME`…) or pods by selector. */
export type IntentEnd = string | { namespace?: string; selector: LabelSelector };

/** `from` may reach `to` on `ports`/`protocol` (absent: every port). */
export interface Intent {
  from: IntentEnd;
  to: IntentEnd;
  ports?: Array<number | string>;
  protocol?: Protocol;
  description?: string;
  /** Where it is written (in answers). */
  location?: Location;
  /** What it was reduced from (observed flows). */
  origin?: string;
}

export interface IntentsDocument {
  apiVersion: 'meshverdict/v1';
  kind: 'Intents';
  metadata?: { name?: string };
  spec: { intents: Intent[]; description?: string };
}

/** The options of `synthesize()`, as the CLI's flags. */
export interface SynthesizeOptions {
  /** The text of `kind: Intents` documents, or their parsed form; absent: those among the manifests. */
  intents?: string | IntentsDocument | IntentsDocument[] | Intent[];
  /** The name of the intents (or observed flows) in error locations. */
  intentsName?: string;
  /** `hubble observe -o json` output, reduced to intents. */
  hubble?: string;
  /** `linkerd viz edges -o json` output, reduced to intents. */
  linkerdEdges?: string;
  dialect?: SynthesisDialect;
  granularity?: SynthesisGranularity;
  /** Narrow each intent to what the cluster allows today. */
  fromCurrent?: boolean;
  /** Also isolate every workload of these namespaces. */
  isolate?: string[];
  isolateAll?: boolean;
}

/** One written object. */
export interface SynthesizedObject {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** What each rule serves, by field path. */
  serves: string[];
  /** The object itself. */
  object: Record<string, unknown>;
}

/** A flow the mesh or the platform needs, made explicit. */
export interface Need {
  from: string;
  to: string;
  port: string;
  purpose: string;
}

export interface Unmet {
  /** 1-based intent number. */
  intent: number;
  summary: string;
  reasons: string[];
}

/** Something else the synthesized set allows. */
export interface Residue {
  from: string;
  to: string;
  protocol: Protocol;
  ports: string;
  /** `existing` or `opened`. */
  cause: string;
  why: string;
}

export interface Proof {
  verified: boolean;
  intents: number;
  checks: number;
  allowed: number;
  failures: string[];
  pairs: number;
  questions: number;
  residue: Residue[];
  existing: Array<[string, string]>;
  existingPairs: number;
  diagnostics: Diagnostic[];
  elsewhere: number;
  blocked: string[];
  invalid: string[];
  notes: string[];
}

/** Intents reduced from observed flows. */
export interface Reduction {
  intents: { items: Intent[] };
  records: number;
  leftOut: Array<[string, number]>;
}

/** What `synthesize()` returns: the `result` of `meshverdict synthesize -o json`. */
export interface Synthesis {
  reduction?: Reduction;
  dialect: SynthesisDialect;
  granularity: SynthesisGranularity;
  /** The dataplane the proof judged on. */
  dataplane: Dataplane;
  intents: Intent[];
  /** The workloads whose policies are written. */
  concerned: string[];
  narrowed?: string[];
  objects: SynthesizedObject[];
  /** The objects as one YAML stream, a comment per rule. */
  yaml: string;
  needs: Need[];
  unmet: Unmet[];
  proof: Proof;
  notes: string[];
}

/** The options of `repair()`. */
export interface RepairOptions {
  dialect?: 'networkpolicy' | 'cilium';
}

/** A flow the repair opens. */
export interface Opened {
  policy: string;
  from: string;
  to: string;
  ports: string;
  why: string;
}

/** A label key no pod carries, and the key the author probably meant. */
export interface Hint {
  policy: string;
  path: string;
  key: string;
  suggestion: string;
  carriedBy: number;
  message: string;
  location?: Location;
}

/** What `repair()` returns: the `result` of `meshverdict repair -o json`. */
export interface Repair {
  objects: SynthesizedObject[];
  /** The objects as one YAML stream (empty: nothing to repair). */
  yaml: string;
  opens: Opened[];
  hints: Hint[];
  /** Flows no added allow can restore (a deny rule drops them). */
  unrepairable: string[];
  before: number;
  fixed: number;
  left: Diagnostic[];
  notes: string[];
}

/** Something a question may name: a Pod, a workload, or a Service (`svc:NS/NAME`, as `to` only). */
export interface EndpointInfo {
  reference: string;
  /** `Pod`, `Deployment`, …, `Service`. */
  kind: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ports: NamedPort[];
  meshed?: boolean;
  /** A workload's Pods in the input. */
  pods?: string[];
}

/** `matrix()`: its answer's type follows `format` (merged into the class `Cluster`). */
export interface Cluster {
  /**
   * Every allowed source → destination with its ports (`meshverdict matrix -o json`;
   * `{ format: 'compact' }`: `-o compact`). A wrong option is a `TypeError` or `RangeError`.
   */
  matrix(options?: MatrixOptions & { format?: 'cells' }): MatrixCells;
  matrix(options: MatrixOptions & { format: 'compact' }): MatrixCompact;
  matrix(options?: MatrixOptions): MatrixCells | MatrixCompact;
}
