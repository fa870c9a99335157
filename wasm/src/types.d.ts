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
