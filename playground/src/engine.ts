// The one module that calls the meshverdict engine (the WASM package). Everything the
// page shows comes through here, so a change of the WASM API (typed values, new calls
// such as matrix, repair or endpoints) is followed here and nowhere else.
//
// Calls are feature-detected: a newer engine's `matrix`, `endpoints`, `repair` and `auto`
// dataplane are used when present; until then the page says what it lacks.

import init, * as wasm from '@meshverdict/wasm/web';
import wasmUrl from '@meshverdict/wasm/meshverdict_wasm_bg.wasm?url';
import type {
  Decision,
  Diagnostic,
  EngineError,
  EndpointInfo,
  Inventory,
  Outcome,
  Query,
  ServiceInfo,
  Verdict,
  Warning,
} from './engine-types';
import { CompactIndex, type CompactMatrix } from './matrix-compact';

declare const __ENGINE_PACKAGE_VERSION__: string;

/** The source name given to the engine: locations read `cluster.yaml:LINE`, as the CLI's would for that file. */
export const SOURCE_NAME = 'cluster.yaml';

type AnyCluster = wasm.Cluster & Record<string, unknown>;
const api = wasm as unknown as Record<string, unknown>;

let ready: Promise<void> | undefined;
let autoDataplane = false;
let crashed: EngineError | undefined;

/** Loads and instantiates the module once. */
export function start(): Promise<void> {
  ready ??= init({ module_or_path: wasmUrl }).then(() => {
    autoDataplane = probeAuto();
  });
  return ready;
}

/** The engine's version: its own word when it has a `version()`, else its package's. */
export function engineVersion(): string {
  const v = typeof api.version === 'function' ? (api.version as () => unknown)() : undefined;
  return typeof v === 'string' ? v : __ENGINE_PACKAGE_VERSION__;
}

/** Dataplane profiles the engine accepts; `auto` only once the engine knows it. */
export function dataplanes(): string[] {
  return autoDataplane ? ['auto', 'generic', 'calico', 'cilium'] : ['generic', 'calico', 'cilium'];
}

function probeAuto(): boolean {
  try {
    const c = wasm.Cluster.fromYaml('', { dataplane: 'auto' as never });
    c.free();
    return true;
  } catch {
    return false;
  }
}

// serde-wasm-bindgen hands maps over as JS `Map`s; the page reads plain objects.
function plain<T>(v: unknown): T {
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) o[String(k)] = plain(x);
    return o as T;
  }
  if (Array.isArray(v)) return v.map((x) => plain(x)) as T;
  if (v instanceof Error) return v as T;
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = plain(x);
    return o as T;
  }
  return v as T;
}

/** A thrown value as the engine's error. An abort (a bug in the engine) poisons the module. */
function asError(e: unknown): EngineError {
  if (e instanceof WebAssembly.RuntimeError) {
    crashed = {
      code: 'internal',
      message: `the engine aborted (${e.message}); this is a bug: reload the page, and please report the input`,
    };
    return crashed;
  }
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const x = e as { code: unknown; message: unknown; help?: unknown; location?: unknown };
    return {
      code: String(x.code),
      message: String(x.message),
      help: typeof x.help === 'string' ? x.help : undefined,
      location: x.location && typeof x.location === 'object' ? plain(x.location) : undefined,
    };
  }
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

function attempt<T>(f: () => T): Outcome<T> {
  if (crashed) return { ok: false, error: crashed };
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return { ok: false, error: asError(e) };
  }
}

/** A dataplane as a name and a reason, whether the engine sends a string or `{ name, reason }`. */
function dataplaneOf(d: unknown): { name: string; reason: string } {
  if (typeof d === 'string') return { name: d, reason: '' };
  const o = (d ?? {}) as { name?: unknown; reason?: unknown };
  return { name: typeof o.name === 'string' ? o.name : 'generic', reason: typeof o.reason === 'string' ? o.reason : '' };
}

function flatVerdict(v: Verdict): Verdict {
  const d = dataplaneOf(v.dataplane);
  return { ...v, dataplane: d.name, dataplaneReason: d.reason || undefined, backends: v.backends?.map(flatVerdict) };
}

/** A query as the engine reads it: a port typed as digits is a number, else a port name. */
export function engineQuery(q: Query): { from: string; to: string; port: number | string; protocol: string } {
  const p = q.port.trim();
  return { from: q.from.trim(), to: q.to.trim(), port: /^\d+$/.test(p) ? Number(p) : p, protocol: q.protocol };
}

const BATCH = 20_000;

export interface MatrixResult {
  sources: string[];
  destinations: string[];
  /** Per cell (row-major): questions asked, allowed, and refused by the engine. */
  asked: Uint16Array;
  allowed: Uint16Array;
  failed: Uint16Array;
  firstError: Map<number, EngineError>;
  questions: number;
  /** `matrix`: read from the engine's compact matrix; `verdicts`: point decisions (an engine without `matrix`). */
  method: 'matrix' | 'verdicts';
}

type AskedPort = { port: number | string; protocol: string };
/** A destination, the ports it is asked on, and the ports it declares (to read a named port's number). */
type Destination = { reference: string; ports: AskedPort[]; declared?: { name?: string; port: number; protocol: string }[] };

/** A port as a number: as asked, or the number the destination declares under that name and protocol. */
function portNumber(d: Destination, p: AskedPort): number | undefined {
  if (typeof p.port === 'number') return p.port;
  const named = d.declared?.find((x) => x.name === p.port && x.protocol.toUpperCase() === p.protocol.toUpperCase());
  return named?.port;
}

/** Manifests loaded into the engine, kept between questions. */
export class Model {
  readonly #cluster: AnyCluster;
  #diagnostics: Outcome<Diagnostic[]> | undefined;
  /** The engine's compact matrices of this model, by protocols (the Matrix and Graph panes share them). */
  readonly #compact = new Map<string, Outcome<CompactIndex>>();

  private constructor(cluster: AnyCluster) {
    this.#cluster = cluster;
  }

  static load(text: string, dataplane: string): Outcome<Model> {
    return attempt(() => new Model(wasm.Cluster.fromYaml(text, { dataplane: dataplane as wasm.Dataplane, name: SOURCE_NAME }) as AnyCluster));
  }

  /** The profile in force (what `auto` chose, once the engine has it). */
  get dataplane(): string {
    return dataplaneOf(plain<unknown>(this.#cluster.dataplane)).name;
  }

  /** Why that profile, when the engine says (an `auto` choice names what it saw). */
  get dataplaneReason(): string {
    return dataplaneOf(plain<unknown>(this.#cluster.dataplane)).reason;
  }

  get warnings(): Warning[] {
    const r = attempt(() => plain<Warning[]>(this.#cluster.warnings));
    return r.ok ? r.value : [];
  }

  /** Objects the API server or Cilium would reject, located. */
  errors(): EngineError[] {
    const r = attempt(() => plain<EngineError[]>(this.#cluster.errors()));
    return r.ok ? r.value : [r.error];
  }

  diagnostics(): Outcome<Diagnostic[]> {
    this.#diagnostics ??= attempt(() => plain<Diagnostic[]>(this.#cluster.diagnostics()));
    return this.#diagnostics;
  }

  verdict(q: Query): Outcome<Verdict> {
    return attempt(() => flatVerdict(plain<Verdict>(this.#cluster.verdict(engineQuery(q) as wasm.Query))));
  }

  /**
   * Decisions for many questions, in order. One crossing per batch through `allowedMany`;
   * a batch that throws is asked again through `verdicts`, which answers each item or
   * returns its error in place.
   */
  decide(queries: ReturnType<typeof engineQuery>[]): Decision[] {
    const out: Decision[] = [];
    for (let i = 0; i < queries.length; i += BATCH) {
      const chunk = queries.slice(i, i + BATCH);
      const fast = attempt(() => this.#cluster.allowedMany(chunk as wasm.Query[]) as boolean[]);
      if (fast.ok) {
        out.push(...fast.value);
        continue;
      }
      const slow = attempt(() => this.#cluster.verdicts(chunk as wasm.Query[]) as unknown[]);
      if (!slow.ok) {
        out.push(...chunk.map(() => slow.error));
        continue;
      }
      for (const item of slow.value) {
        out.push(item instanceof Error ? asError(item) : Boolean((item as { allowed: unknown }).allowed));
      }
    }
    return out;
  }

  /** Whether the engine answers for the whole cluster at once (`matrix`). */
  get hasMatrix(): boolean {
    return typeof this.#cluster.matrix === 'function';
  }

  /**
   * The engine's compact matrix for these protocols, read into an index, once per model:
   * by pod (every Pod and pod template the engine knows), and by workload for references
   * the pods do not cover (a Deployment whose Pods are in the input). Undefined when the
   * engine has no `matrix`; an error when it throws.
   */
  #compactIndex(protocols: string[], refs: string[]): Outcome<CompactIndex> | undefined {
    if (!this.hasMatrix) return undefined;
    const key = [...protocols].sort().join(',');
    let r = this.#compact.get(key);
    const ask = (by: string) =>
      plain<CompactMatrix>((this.#cluster.matrix as (o: unknown) => unknown).call(this.#cluster, { by, format: 'compact', noExternals: true, protocol: protocols }));
    if (!r) {
      r = attempt(() => new CompactIndex(ask('pod')));
      this.#compact.set(key, r);
    }
    if (r.ok && refs.some((x) => !r.value.classesOf.has(x)) && !r.value.hasWorkloads) {
      const index = r.value;
      const w = attempt(() => ask('workload'));
      index.hasWorkloads = true;
      if (w.ok) for (const g of w.value.groups) if (g.classes?.length && !index.classesOf.has(g.reference)) index.classesOf.set(g.reference, g.classes);
    }
    return r;
  }

  /**
   * The connectivity matrix of `sources` × `destinations`: per cell, how many of the
   * asked ports are allowed, refused by the engine, or asked at all. From one call of the
   * engine's `matrix` (compact form) when it has one; what that cannot say (a named port a
   * destination does not declare, a reference outside its groups, an input with objects
   * the API server rejects, where verdicts fail) and an engine without `matrix` go through
   * point decisions in batches, with a pause between batches so the page stays responsive.
   */
  async matrix(
    sources: string[],
    destinations: Destination[],
    onProgress?: (done: number, total: number) => void,
    cancelled: () => boolean = () => false,
  ): Promise<MatrixResult | undefined> {
    const n = sources.length * destinations.length;
    const result: MatrixResult = {
      sources,
      destinations: destinations.map((d) => d.reference),
      asked: new Uint16Array(n),
      allowed: new Uint16Array(n),
      failed: new Uint16Array(n),
      firstError: new Map(),
      questions: 0,
      method: 'verdicts',
    };
    const protocols = [...new Set(destinations.flatMap((d) => d.ports.filter((p) => portNumber(d, p) !== undefined).map((p) => p.protocol.toUpperCase())))];
    const invalid = this.hasMatrix && this.errors().length > 0;
    const index = protocols.length && !invalid ? this.#compactIndex(protocols, [...sources, ...destinations.map((d) => d.reference)]) : undefined;
    if (index?.ok) {
      result.method = 'matrix';
      const cx = index.value;
      const rowClasses = sources.map((s) => cx.classesOf.get(s));
      // What the compact form cannot answer is asked point by point, below.
      const rest: ReturnType<typeof engineQuery>[] = [];
      const restCells: number[] = [];
      destinations.forEach((d, c) => {
        const toClasses = cx.classesOf.get(d.reference);
        for (const p of d.ports) {
          const number = portNumber(d, p);
          const admitted = toClasses && number !== undefined ? cx.admitted(toClasses, number, p.protocol.toUpperCase()) : undefined;
          for (let r = 0; r < sources.length; r++) {
            const from = rowClasses[r];
            const cell = r * destinations.length + c;
            if (admitted && from) {
              result.asked[cell]++;
              if (CompactIndex.holds(admitted, from)) result.allowed[cell]++;
            } else {
              rest.push({ from: sources[r] as string, to: d.reference, port: p.port, protocol: p.protocol });
              restCells.push(cell);
            }
          }
        }
      });
      result.questions = destinations.reduce((k, d) => k + d.ports.length, 0) * sources.length;
      for (let i = 0; i < rest.length; i += BATCH) {
        if (cancelled()) return undefined;
        this.#count(result, restCells.slice(i, i + BATCH), this.decide(rest.slice(i, i + BATCH)));
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      onProgress?.(sources.length, sources.length);
      return result;
    }
    const perRow = destinations.reduce((k, d) => k + d.ports.length, 0);
    const rowsPerBatch = Math.max(1, Math.floor(BATCH / Math.max(1, perRow)));
    for (let r0 = 0; r0 < sources.length; r0 += rowsPerBatch) {
      if (cancelled()) return undefined;
      const queries: ReturnType<typeof engineQuery>[] = [];
      const cellOf: number[] = [];
      for (let r = r0; r < Math.min(sources.length, r0 + rowsPerBatch); r++) {
        const from = sources[r] as string;
        destinations.forEach((d, c) => {
          for (const p of d.ports) {
            queries.push({ from, to: d.reference, port: p.port, protocol: p.protocol });
            cellOf.push(r * destinations.length + c);
          }
        });
      }
      this.#count(result, cellOf, this.decide(queries));
      result.questions += queries.length;
      onProgress?.(Math.min(sources.length, r0 + rowsPerBatch), sources.length);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return result;
  }

  #count(result: MatrixResult, cellOf: number[], answers: Decision[]): void {
    answers.forEach((a, i) => {
      const cell = cellOf[i] as number;
      result.asked[cell]++;
      if (a === true) result.allowed[cell]++;
      else if (a !== false) {
        result.failed[cell]++;
        if (!result.firstError.has(cell)) result.firstError.set(cell, a);
      }
    });
  }

  /** Whether the engine can write a repair (policies that fix broken mesh flows). */
  get canRepair(): boolean {
    return typeof this.#cluster.repair === 'function';
  }

  /** The engine's repair for what it diagnosed, as YAML to add; undefined when it has none. */
  repair(diagnostic: Diagnostic): Outcome<string | undefined> {
    return attempt(() => {
      const r = plain<unknown>((this.#cluster.repair as (d: unknown) => unknown).call(this.#cluster, diagnostic));
      if (typeof r === 'string') return r || undefined;
      if (r && typeof r === 'object' && typeof (r as { yaml?: unknown }).yaml === 'string') return (r as { yaml: string }).yaml;
      return undefined;
    });
  }

  /**
   * The endpoints and Services a query may name. From the engine when it lists them
   * (`endpoints()`); otherwise the flagged fallback: candidates found in the text, kept
   * only when the engine resolves them.
   */
  async inventory(text: string): Promise<Inventory> {
    if (typeof this.#cluster.endpoints === 'function') {
      // The engine lists Pods, workloads and Services (`kind: 'Service'`, `svc:NS/NAME`) in one list.
      const r = attempt(() => plain<Array<EndpointInfo & { pods?: string[] }>>((this.#cluster.endpoints as () => unknown).call(this.#cluster)));
      if (r.ok) {
        const endpoints = r.value.filter((e) => e.kind !== 'Service');
        const services: ServiceInfo[] = r.value.filter((e) => e.kind === 'Service').map((e) => ({ reference: e.reference, ports: e.ports }));
        return { endpoints, services, source: 'engine' };
      }
    }
    const { candidates } = await import('./endpoints-fallback');
    const found = candidates(text);
    // The engine is the judge of what an endpoint is: a candidate it does not resolve
    // (unknown-endpoint) is dropped; any other answer means it knows the name.
    const endpoints: EndpointInfo[] = [];
    for (const e of found.endpoints) {
      const v = attempt(() => plain<Verdict>(this.#cluster.verdict({ from: e.reference, to: e.reference, port: 1 })));
      if (v.ok) endpoints.push({ ...e, kind: v.value.from.kind, meshed: v.value.from.meshed });
      else if (v.error.code !== 'unknown-endpoint') endpoints.push(e);
    }
    const someone = endpoints[0]?.reference;
    const knownServices = someone
      ? this.#probe(found.services.map((s) => ({ from: someone, to: s.reference, port: s.ports[0]?.port ?? 1, protocol: s.ports[0]?.protocol ?? 'TCP' })))
      : [];
    const services = found.services.filter((_, i) => knownServices[i]);
    return { endpoints, services, source: 'fallback' };
  }

  // Names the engine resolves: every answer but `unknown-endpoint`.
  #probe(queries: ReturnType<typeof engineQuery>[]): boolean[] {
    if (!queries.length) return [];
    const r = attempt(() => this.#cluster.verdicts(queries as wasm.Query[]) as unknown[]);
    if (!r.ok) return queries.map(() => false);
    return r.value.map((item) => !(item instanceof Error && (item as { code?: string }).code === 'unknown-endpoint'));
  }

  free(): void {
    try {
      this.#cluster.free();
    } catch {
      // already freed, or the module aborted: nothing to release
    }
  }
}
