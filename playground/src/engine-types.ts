// The shapes the page reads from the engine. They are the playground's own, so that the
// WASM API can change its TypeScript types (serde-wasm-bindgen, tsify) while only
// engine.ts follows. They mirror the engine's JSON; nothing here is computed by the page.

export type Dataplane = string;
export type Severity = 'info' | 'warning' | 'error';

export interface Location {
  source?: string;
  document?: number;
  path?: string;
  line?: number;
  column?: number;
}

/** Anything the engine refused or reported as an error (a thrown error, an invalid object). */
export interface EngineError {
  code: string;
  message: string;
  help?: string;
  location?: Location;
}

export interface PolicyRef {
  kind: string;
  namespace?: string;
  name: string;
  /** Where the policy is in the input, when the engine says. */
  location?: Location;
}

export interface RuleRef {
  policy: PolicyRef;
  direction: 'ingress' | 'egress';
  index: number;
  path: string;
  deny: boolean;
  /** Where the rule is in the input, when the engine says. */
  location?: Location;
}

export interface NearMiss {
  rule: RuleRef;
  message: string;
}

export interface Layer {
  allowed: boolean;
  isolated: boolean;
  reason: string;
  isolatedBy?: PolicyRef[];
  allowedBy?: RuleRef[];
  deniedBy?: RuleRef[];
  nearMisses?: NearMiss[];
  l7?: { protocol: string; summary: string }[];
  notes?: string[];
}

export interface EndpointView {
  reference: string;
  kind: string;
  namespace?: string;
  name?: string;
  addresses?: string[];
  meshed?: boolean;
}

export interface FlowRef {
  from: string;
  to: string;
  port: number;
  protocol: string;
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

export interface Verdict {
  allowed: boolean;
  from: EndpointView;
  to: EndpointView;
  port: number;
  protocol: string;
  wirePort?: { port: number; reason?: string };
  egress: Layer;
  ingress: Layer;
  mesh?: { mesh: string; allowed: boolean; server: string; reason: string; notes?: string[] };
  backends?: Verdict[];
  /** The profile's name (the engine may send `{ name, reason }`; engine.ts flattens it). */
  dataplane: string;
  /** Why that profile, when the engine says (e.g. what `auto` saw). */
  dataplaneReason?: string;
  warnings?: Diagnostic[];
  summary: string;
  /** What `meshverdict check` prints. */
  explanation?: string;
}

export interface Warning {
  code: string;
  message: string;
  location?: Location;
}

export interface Query {
  from: string;
  to: string;
  /** A number or a named port of `to`, as typed. */
  port: string;
  protocol: string;
}

export interface NamedPort {
  name?: string;
  port: number;
  protocol: string;
}

/** An endpoint the engine knows (a Pod, or a workload's pod template). */
export interface EndpointInfo {
  reference: string;
  kind: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ports: NamedPort[];
  meshed?: boolean;
}

/** A Service, as a destination (`svc:NS/NAME`). */
export interface ServiceInfo {
  reference: string;
  ports: NamedPort[];
}

export interface Inventory {
  endpoints: EndpointInfo[];
  services: ServiceInfo[];
  /**
   * `engine` when the engine listed them; `fallback` when the page found candidates in
   * the text and kept those the engine resolved (see endpoints-fallback.ts).
   */
  source: 'engine' | 'fallback';
}

/** One question's answer in a batch: the decision, or why the engine could not answer. */
export type Decision = boolean | EngineError;

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: EngineError };
