// What the page is showing: enough to rebuild it exactly (the share link and the
// downloaded bundle carry this, and nothing else).

import type { Query } from './engine-types';

export const PANES = ['verdict', 'matrix', 'graph', 'diagnostics'] as const;
export type Pane = (typeof PANES)[number];

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

export interface MatrixView {
  /** Only endpoints of this namespace; empty: all. */
  namespace: string;
  /** `key` or `key=value`; empty: all. */
  label: string;
  /** A port number or name to ask on every cell; empty: every port the destination declares. */
  port: string;
  protocol: string;
}

export interface AppState {
  yaml: string;
  dataplane: string;
  query: Query;
  pane: Pane;
  matrix: MatrixView;
  /** The workload the graph is drawn around. */
  focus: string;
}

export function emptyState(): AppState {
  return {
    yaml: '',
    dataplane: 'generic',
    query: { from: '', to: '', port: '', protocol: 'TCP' },
    pane: 'verdict',
    matrix: { namespace: '', label: '', port: '', protocol: 'TCP' },
    focus: '',
  };
}
