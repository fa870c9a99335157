// FALLBACK, to delete once the engine lists its endpoints (`cluster.endpoints()`).
//
// The WASM API answers questions about names but cannot yet say which names exist, and
// the pickers and the matrix need that list. This module finds *candidates* in the text:
// the kind, namespace, name, labels and declared ports of Pods, workloads and Services.
// It decides nothing: engine.ts keeps only the candidates the engine resolves, and every
// verdict is still the engine's. Known gap: a live dump's Deployment, its ReplicaSet and
// their Pods all resolve (the engine makes each name its Pods), so they appear side by
// side where the engine's own list would hold the Pods once.
// Loaded lazily, so its YAML reader costs nothing to a page whose engine has the list.

import { parseAllDocuments } from 'yaml';
import type { EndpointInfo, NamedPort, ServiceInfo } from './engine-types';

const WORKLOADS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function labelsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(v))) if (x !== null && x !== undefined) out[k] = String(x);
  return out;
}

// The pod template of a workload; a Pod is its own.
function podOf(kind: string, o: Obj): { meta: Obj; spec: Obj } {
  if (kind === 'Pod') return { meta: obj(o.metadata), spec: obj(o.spec) };
  const template =
    kind === 'CronJob' ? obj(obj(obj(obj(o.spec).jobTemplate).spec).template) : obj(obj(o.spec).template);
  return { meta: obj(template.metadata), spec: obj(template.spec) };
}

function containerPorts(spec: Obj): NamedPort[] {
  const out: NamedPort[] = [];
  for (const c of [...list(spec.initContainers), ...list(spec.containers)]) {
    for (const p of list(obj(c).ports)) {
      const port = obj(p);
      if (typeof port.containerPort !== 'number') continue;
      out.push({ name: str(port.name), port: port.containerPort, protocol: str(port.protocol)?.toUpperCase() ?? 'TCP' });
    }
  }
  return out;
}

function* objects(text: string): Generator<Obj> {
  for (const doc of parseAllDocuments(text, { uniqueKeys: false })) {
    if (!('toJS' in doc)) continue;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch {
      continue; // the engine reports what is wrong with this document
    }
    const o = obj(value);
    if (str(o.kind)?.endsWith('List')) for (const item of list(o.items)) yield obj(item);
    else yield o;
  }
}

export function candidates(text: string): { endpoints: EndpointInfo[]; services: ServiceInfo[] } {
  const endpoints: EndpointInfo[] = [];
  const services: ServiceInfo[] = [];
  const seen = new Set<string>();
  for (const o of objects(text)) {
    const kind = str(o.kind) ?? '';
    const meta = obj(o.metadata);
    const name = str(meta.name);
    if (!name) continue;
    const namespace = str(meta.namespace) ?? 'default';
    const reference = `${namespace}/${name}`;
    if (WORKLOADS.has(kind)) {
      if (seen.has(reference)) continue;
      seen.add(reference);
      const pod = podOf(kind, o);
      endpoints.push({ reference, kind, namespace, name, labels: labelsOf(pod.meta.labels), ports: containerPorts(pod.spec) });
    } else if (kind === 'Service') {
      const ports = list(obj(o.spec).ports).flatMap((p): NamedPort[] => {
        const port = obj(p);
        return typeof port.port === 'number'
          ? [{ name: str(port.name), port: port.port, protocol: str(port.protocol)?.toUpperCase() ?? 'TCP' }]
          : [];
      });
      services.push({ reference: `svc:${reference}`, ports });
    }
  }
  endpoints.sort((a, b) => a.reference.localeCompare(b.reference, 'en', { numeric: true }));
  services.sort((a, b) => a.reference.localeCompare(b.reference, 'en', { numeric: true }));
  return { endpoints, services };
}
