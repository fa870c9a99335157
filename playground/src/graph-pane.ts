// The graph pane: one workload in the middle, who may reach it on the left (its ingress),
// whom it may reach on the right (its egress), as the engine decides on the matrix's ports.

import type { Context } from './context';
import { h, svg } from './dom';
import { cellState, matchesFilter, portsFor, type CellState } from './matrix-pane';

/** Peers drawn per side; the rest are counted. */
const MAX_PEERS = 24;
const STROKE: Record<CellState, string> = { all: '#15803d', some: '#d97706', none: '#b91c1c', error: '#b91c1c', na: '#94a3b8' };

interface Peer {
  reference: string;
  state: CellState;
}

export class GraphPane {
  readonly #ctx: Context;
  readonly #focus: HTMLInputElement;
  readonly #denied: HTMLInputElement;
  readonly #view: HTMLElement;
  #run = 0;

  constructor(root: HTMLElement, ctx: Context) {
    this.#ctx = ctx;
    this.#focus = h('input', { id: 'g-focus', list: 'list-from', placeholder: 'namespace/name', spellcheck: 'false', autocomplete: 'off' });
    this.#denied = h('input', { type: 'checkbox', id: 'g-denied' });
    const form = h(
      'form',
      { class: 'matrix-controls', 'aria-label': 'Graph focus' },
      h('label', { class: 'qfield grow' }, h('span', {}, 'Workload'), this.#focus),
      h('button', { type: 'submit' }, 'Draw'),
      h('label', { class: 'check' }, this.#denied, ' show denied peers'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#ctx.state.focus = this.#focus.value.trim();
      this.#ctx.changed();
      void this.update();
    });
    this.#denied.addEventListener('change', () => void this.update());
    this.#view = h('div', { class: 'graph-view' });
    root.append(
      form,
      h('p', { class: 'muted' }, 'On the matrix’s port and filter: every declared port of the destination unless the Matrix pane names one. Click a peer to open its verdict.'),
      this.#view,
    );
  }

  async update(): Promise<void> {
    const ctx = this.#ctx;
    const model = ctx.model();
    const inv = ctx.inventory();
    if (ctx.loadError() || !model || !inv) {
      this.#view.replaceChildren(h('p', { class: 'muted' }, ctx.loadError() ? 'The manifests do not load.' : 'Loading…'));
      return;
    }
    if (!ctx.state.focus || !inv.endpoints.some((e) => e.reference === ctx.state.focus)) {
      ctx.state.focus = ctx.state.query.to && inv.endpoints.some((e) => e.reference === ctx.state.query.to) ? ctx.state.query.to : (inv.endpoints[0]?.reference ?? '');
    }
    this.#focus.value = ctx.state.focus;
    const focus = inv.endpoints.find((e) => e.reference === ctx.state.focus);
    if (!focus) {
      this.#view.replaceChildren(h('p', { class: 'empty' }, 'No endpoint in the input.'));
      return;
    }
    const run = ++this.#run;
    const { namespace, label, port, protocol } = ctx.state.matrix;
    const peers = inv.endpoints.filter((e) => e.reference !== focus.reference && matchesFilter(e, namespace, label));
    const refs = peers.map((p) => p.reference);
    const inbound = await model.matrix(refs, [{ reference: focus.reference, ports: portsFor(focus, port, protocol), declared: focus.ports }]);
    const outbound = await model.matrix([focus.reference], peers.map((p) => ({ reference: p.reference, ports: portsFor(p, port, protocol), declared: p.ports })));
    if (!inbound || !outbound || run !== this.#run) return;
    const left: Peer[] = refs.map((r, i) => ({ reference: r, state: cellState(inbound, i) }));
    const right: Peer[] = refs.map((r, i) => ({ reference: r, state: cellState(outbound, i) }));
    this.#draw(focus.reference, left, right, port, protocol);
  }

  #draw(focus: string, inbound: Peer[], outbound: Peer[], port: string, protocol: string): void {
    const showDenied = this.#denied.checked;
    const keep = (p: Peer) => p.state === 'all' || p.state === 'some' || (showDenied && p.state !== 'na');
    const order = (a: Peer, b: Peer) => Number(b.state === 'all') - Number(a.state === 'all') || a.reference.localeCompare(b.reference);
    const left = inbound.filter(keep).sort(order);
    const right = outbound.filter(keep).sort(order);
    const shownLeft = left.slice(0, MAX_PEERS);
    const shownRight = right.slice(0, MAX_PEERS);
    const rowH = 30;
    const height = Math.max(160, Math.max(shownLeft.length, shownRight.length, 1) * rowH + 80);
    const W = 900;
    const nodeW = 250;
    const cx = W / 2;
    const cy = height / 2;
    const root = svg('svg', { viewBox: `0 0 ${W} ${height}`, width: '100%', role: 'img', 'aria-labelledby': 'graph-title', class: 'graph', 'data-testid': 'graph' });
    root.append(svg('title', { id: 'graph-title' }, `${focus}: ${left.length} peers may reach it, it may reach ${right.length}`));
    const side = (peers: Peer[], x: number, isLeft: boolean) => {
      const top = cy - ((peers.length - 1) * rowH) / 2;
      peers.forEach((p, i) => {
        const y = top + i * rowH;
        // Edges run from the peer to the workload (ingress) or back out (egress).
        const [sx, sy, tx, ty] = isLeft ? [x + nodeW, y, cx - 110, cy] : [cx + 110, cy, x, y];
        const mid = (sx + tx) / 2;
        const path = svg('path', {
          d: `M ${sx} ${sy} C ${mid} ${sy}, ${mid} ${ty}, ${tx} ${ty}`,
          fill: 'none',
          stroke: STROKE[p.state],
          'stroke-width': p.state === 'all' ? 2 : 1.5,
          'stroke-dasharray': p.state === 'all' ? '' : '5 4',
          'marker-end': `url(#arrow-${p.state})`,
        });
        const from = isLeft ? p.reference : focus;
        const to = isLeft ? focus : p.reference;
        const node = svg(
          'g',
          { class: `peer ${p.state}`, tabindex: 0, role: 'button', 'aria-label': `${from} to ${to}: ${p.state === 'all' ? 'allowed' : p.state === 'some' ? 'allowed on some ports' : 'denied'}` },
          svg('rect', { x, y: y - 11, width: nodeW, height: 22, rx: 5 }),
          svg('text', { x: x + 10, y: y + 4 }, clip(p.reference, 34)),
        );
        const open = () => this.#open(from, to, port, protocol);
        node.addEventListener('click', open);
        node.addEventListener('keydown', (e) => {
          if ((e as KeyboardEvent).key === 'Enter' || (e as KeyboardEvent).key === ' ') {
            e.preventDefault();
            open();
          }
        });
        root.append(path, node);
      });
    };
    const defs = svg('defs');
    for (const [state, color] of Object.entries(STROKE)) {
      defs.append(
        svg('marker', { id: `arrow-${state}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: color })),
      );
    }
    root.append(defs);
    side(shownLeft, 10, true);
    side(shownRight, W - nodeW - 10, false);
    root.append(
      svg('rect', { x: cx - 110, y: cy - 22, width: 220, height: 44, rx: 8, class: 'focus' }),
      svg('text', { x: cx, y: cy + 5, 'text-anchor': 'middle', class: 'focus-text' }, clip(focus, 30)),
      svg('text', { x: 10, y: 18, class: 'side-title' }, `ingress: ${left.length} may reach it${left.length > MAX_PEERS ? ` (first ${MAX_PEERS})` : ''}`),
      svg('text', { x: W - 10, y: 18, 'text-anchor': 'end', class: 'side-title' }, `egress: it may reach ${right.length}${right.length > MAX_PEERS ? ` (first ${MAX_PEERS})` : ''}`),
    );
    this.#view.replaceChildren(root);
  }

  #open(from: string, to: string, port: string, protocol: string): void {
    const inv = this.#ctx.inventory();
    const target = inv?.endpoints.find((e) => e.reference === to);
    const first = port || (target?.ports[0] ? String(target.ports[0].port) : '');
    const proto = port ? protocol : (target?.ports[0]?.protocol ?? 'TCP');
    this.#ctx.ask({ from, to, port: first, protocol: proto });
  }
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
