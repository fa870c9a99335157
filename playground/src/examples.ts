// The examples gallery: manifests from ../examples, bundled into the page at build time
// (so they load offline), each with the question it is about.

import type { Query } from './engine-types';

export interface Example {
  id: string;
  title: string;
  blurb: string;
  dataplane: string;
  query: Query;
  /** The folder's files joined into one stream, each under a comment naming it. */
  yaml: string;
  files: string[];
}

const raw = import.meta.glob('../../examples/*/*.{yaml,yml,json}', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;

const q = (from: string, to: string, port: string, protocol = 'TCP'): Query => ({ from, to, port, protocol });

const CATALOG: Omit<Example, 'yaml' | 'files'>[] = [
  {
    id: 'linkerd-netpol-broken',
    title: 'Linkerd + NetworkPolicy, broken',
    blurb:
      'A deny-all policy cuts every proxy off its control plane, and the policy meant to let meshed pods in selects a label no proxy carries.',
    dataplane: 'calico',
    query: q('emojivoto/web', 'linkerd/linkerd-controller', '8086'),
  },
  {
    id: 'linkerd-netpol-fixed',
    title: 'Linkerd + NetworkPolicy, fixed',
    blurb: 'The same cluster after the fix: the right proxy label, and the control plane admitted into emojivoto.',
    dataplane: 'calico',
    query: q('emojivoto/web', 'linkerd/linkerd-controller', '8086'),
  },
  {
    id: 'linkerd-2.18-port-change',
    title: 'Linkerd 2.18 port change',
    blurb:
      'A policy written for the app port (8080) between meshed pods: from Linkerd 2.18 the traffic crosses the network on 4143, and is dropped.',
    dataplane: 'generic',
    query: q('shop/frontend', 'shop/orders', '8080'),
  },
  {
    id: 'cilium-linkerd',
    title: 'Cilium + Linkerd',
    blurb: 'CiliumNetworkPolicies at L4 around a meshed podinfo: who may call it, and on which port.',
    dataplane: 'cilium',
    query: q('cilium-linkerd/client', 'cilium-linkerd/podinfo', '9898'),
  },
];

function bundle(id: string): { yaml: string; files: string[] } {
  const prefix = `../../examples/${id}/`;
  const files = Object.keys(raw)
    .filter((k) => k.startsWith(prefix))
    .sort();
  const parts = files.map((k) => {
    const text = raw[k] ?? '';
    return `# file: examples/${id}/${k.slice(prefix.length)}\n${text.endsWith('\n') ? text : `${text}\n`}`;
  });
  return { yaml: parts.join('---\n'), files: files.map((k) => k.slice(prefix.length)) };
}

export const EXAMPLES: Example[] = CATALOG.map((e) => ({ ...e, ...bundle(e.id) }));

export function findExample(id: string): Example | undefined {
  return EXAMPLES.find((e) => e.id === id);
}
