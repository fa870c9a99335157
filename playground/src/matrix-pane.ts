// The matrix pane: every endpoint × every endpoint, as the engine decides it (one call of
// its compact matrix, read in engine.ts; point verdicts on an engine without one). Small
// clusters get an HTML table (each cell a button); large ones a canvas heatmap driven by
// mouse or arrow keys, with the table one click away. A cell opens its explanation: the
// engine's point verdict for each port asked.

import type { Context } from './context';
import { h } from './dom';
import type { MatrixResult } from './engine';
import type { EndpointInfo } from './engine-types';

/** Above this many endpoints the heatmap is drawn on a canvas. */
const TABLE_LIMIT = 60;

export type CellState = 'all' | 'some' | 'none' | 'error' | 'na';

export function cellState(m: MatrixResult, i: number): CellState {
  const asked = m.asked[i] ?? 0;
  const allowed = m.allowed[i] ?? 0;
  const failed = m.failed[i] ?? 0;
  if (!asked) return 'na';
  if (failed === asked) return 'error';
  if (allowed === asked) return 'all';
  if (allowed === 0 && failed === 0) return 'none';
  return 'some';
}

const GLYPH: Record<CellState, string> = { all: '●', some: '◐', none: '○', error: '!', na: '·' };
const COLOR: Record<CellState, string> = { all: '#15803d', some: '#d97706', none: '#e5e7eb', error: '#b91c1c', na: '#f8fafc' };

/** The ports each destination is asked on: one given port, or every port it declares. */
export function portsFor(e: EndpointInfo, port: string, protocol: string): { port: number | string; protocol: string }[] {
  if (port.trim()) return [{ port: /^\d+$/.test(port.trim()) ? Number(port.trim()) : port.trim(), protocol }];
  return e.ports.map((p) => ({ port: p.port, protocol: p.protocol }));
}

export function matchesFilter(e: EndpointInfo, namespace: string, label: string): boolean {
  if (namespace && e.namespace !== namespace) return false;
  const l = label.trim();
  if (!l) return true;
  const eq = l.indexOf('=');
  if (eq < 0) return l in e.labels;
  return e.labels[l.slice(0, eq).trim()] === l.slice(eq + 1).trim();
}

function describe(m: MatrixResult, i: number, portMode: string): string {
  const s = cellState(m, i);
  const asked = m.asked[i] ?? 0;
  const on = portMode ? `on ${portMode}` : `on ${asked === 1 ? 'its declared port' : `its ${asked} declared ports`}`;
  switch (s) {
    case 'all':
      return `allowed ${on}`;
    case 'none':
      return `denied ${on}`;
    case 'some':
      return `allowed on ${m.allowed[i]} of ${asked} declared ports`;
    case 'error':
      return `the engine cannot answer: ${m.firstError.get(i)?.message ?? ''}`;
    case 'na':
      return 'no declared port to ask about';
  }
}

export class MatrixPane {
  readonly #ctx: Context;
  readonly #root: HTMLElement;
  readonly #controls: HTMLElement;
  readonly #status: HTMLElement;
  readonly #view: HTMLElement;
  readonly #detail: HTMLElement;
  readonly #ns: HTMLSelectElement;
  readonly #label: HTMLInputElement;
  readonly #port: HTMLInputElement;
  readonly #protocol: HTMLSelectElement;
  readonly #asTable: HTMLInputElement;
  #result: MatrixResult | undefined;
  #run = 0;
  #stale = true;
  /** Wall time of the last computation and drawing, in ms (the tests read it). */
  lastMs = 0;
  /** Where the heatmap's cells start and their size, in CSS pixels (the tests hover them). */
  canvasGeometry: { left: number; top: number; cell: number } | undefined;

  constructor(root: HTMLElement, ctx: Context) {
    this.#ctx = ctx;
    this.#root = root;
    this.#ns = h('select', { id: 'm-namespace' }, h('option', { value: '' }, 'all namespaces'));
    this.#label = h('input', { id: 'm-label', placeholder: 'app or app=web', spellcheck: 'false', autocomplete: 'off' });
    this.#port = h('input', { id: 'm-port', placeholder: 'every declared port', spellcheck: 'false', autocomplete: 'off', list: 'list-port' });
    this.#protocol = h('select', { id: 'm-protocol' }, ...['TCP', 'UDP', 'SCTP'].map((p) => h('option', { value: p }, p)));
    this.#asTable = h('input', { type: 'checkbox', id: 'm-table' });
    const apply = () => {
      const m = this.#ctx.state.matrix;
      m.namespace = this.#ns.value;
      m.label = this.#label.value.trim();
      m.port = this.#port.value.trim();
      m.protocol = this.#protocol.value;
      this.#ctx.changed();
      this.invalidate();
      void this.update();
    };
    this.#controls = h(
      'form',
      { class: 'matrix-controls', 'aria-label': 'Matrix filter' },
      h('label', { class: 'qfield' }, h('span', {}, 'Namespace'), this.#ns),
      h('label', { class: 'qfield grow' }, h('span', {}, 'Label'), this.#label),
      h('label', { class: 'qfield port' }, h('span', {}, 'Port'), this.#port),
      h('label', { class: 'qfield' }, h('span', {}, 'Protocol'), this.#protocol),
      h('button', { type: 'submit' }, 'Apply'),
      h('label', { class: 'check' }, this.#asTable, ' table'),
    );
    this.#controls.addEventListener('submit', (e) => {
      e.preventDefault();
      apply();
    });
    this.#ns.addEventListener('change', apply);
    this.#protocol.addEventListener('change', apply);
    this.#asTable.addEventListener('change', () => this.#draw());
    this.#status = h('p', { class: 'matrix-status muted', 'data-testid': 'matrix-status', role: 'status' });
    this.#view = h('div', { class: 'matrix-view' });
    this.#detail = h('div', { class: 'matrix-detail', 'aria-live': 'polite' });
    const legend = h(
      'p',
      { class: 'legend' },
      ...(['all', 'some', 'none', 'error', 'na'] as CellState[]).map((s) =>
        h('span', {}, h('span', { class: `swatch ${s}` }, GLYPH[s]), { all: 'allowed', some: 'some ports', none: 'denied', error: 'no answer', na: 'no port' }[s]),
      ),
      h('span', { class: 'muted' }, 'rows: from · columns: to'),
    );
    root.append(this.#controls, legend, this.#status, this.#view, this.#detail);
  }

  /** The input changed: the next update recomputes. */
  invalidate(): void {
    this.#stale = true;
    this.#run++;
  }

  #endpoints(): EndpointInfo[] {
    const inv = this.#ctx.inventory();
    const { namespace, label } = this.#ctx.state.matrix;
    return (inv?.endpoints ?? []).filter((e) => matchesFilter(e, namespace, label));
  }

  #syncControls(): void {
    const m = this.#ctx.state.matrix;
    const namespaces = [...new Set((this.#ctx.inventory()?.endpoints ?? []).map((e) => e.namespace))].sort();
    this.#ns.replaceChildren(h('option', { value: '' }, 'all namespaces'), ...namespaces.map((n) => h('option', { value: n }, n)));
    if (m.namespace && !namespaces.includes(m.namespace)) this.#ns.append(h('option', { value: m.namespace }, m.namespace));
    this.#ns.value = m.namespace;
    this.#label.value = m.label;
    this.#port.value = m.port;
    this.#protocol.value = m.protocol;
  }

  /** Computes (if stale) and draws; call when the pane is shown or the input changed. */
  async update(): Promise<void> {
    this.#syncControls();
    const model = this.#ctx.model();
    if (this.#ctx.loadError()) {
      this.#status.textContent = 'The manifests do not load: see the editor markers.';
      this.#view.replaceChildren();
      return;
    }
    if (!model || !this.#ctx.inventory()) {
      this.#status.textContent = 'Loading…';
      return;
    }
    if (!this.#stale) return;
    this.#stale = false;
    const run = ++this.#run;
    const endpoints = this.#endpoints();
    const { port, protocol } = this.#ctx.state.matrix;
    const t0 = performance.now();
    this.#view.replaceChildren();
    this.#detail.replaceChildren();
    this.#status.textContent = `Asking the engine about ${endpoints.length} × ${endpoints.length} pairs…`;
    const refs = endpoints.map((e) => e.reference);
    const result = await model.matrix(
      refs,
      endpoints.map((e) => ({ reference: e.reference, ports: portsFor(e, port, protocol), declared: e.ports })),
      (done, total) => {
        if (run === this.#run) this.#status.textContent = `Asking the engine… ${done} of ${total} rows`;
      },
      () => run !== this.#run,
    );
    if (!result || run !== this.#run) return;
    this.#result = result;
    const computed = performance.now() - t0;
    this.#draw();
    this.lastMs = performance.now() - t0;
    const source = this.#ctx.inventory()?.source === 'fallback' ? ' · endpoints found in the text and resolved by the engine' : '';
    this.#status.textContent =
      `${endpoints.length} × ${endpoints.length} endpoints, ${result.questions.toLocaleString('en')} questions ` +
      `${port ? `on ${port}/${protocol}` : 'on every declared port'}: ${Math.round(computed)} ms to answer ` +
      `(${result.method === 'matrix' ? 'one call of the engine’s matrix' : 'point verdicts: this engine has no matrix'}), ${Math.round(this.lastMs)} ms in all${source}`;
    this.#root.dataset.ready = String(run);
  }

  #draw(): void {
    const m = this.#result;
    if (!m) return;
    if (!m.sources.length) {
      this.#view.replaceChildren(h('p', { class: 'empty' }, 'No endpoint matches the filter.'));
      return;
    }
    if (m.sources.length <= TABLE_LIMIT || this.#asTable.checked) this.#table(m);
    else this.#canvas(m);
  }

  #table(m: MatrixResult): void {
    const port = this.#ctx.state.matrix.port;
    const n = m.destinations.length;
    const short = (r: string) => r;
    const table = h(
      'table',
      { class: 'matrix', 'data-testid': 'matrix-table' },
      h('caption', { class: 'sr-only' }, 'Connectivity matrix: rows are sources, columns destinations'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, h('span', { class: 'corner' }, 'from ↓ to →')), ...m.destinations.map((d) => h('th', { scope: 'col', class: 'col', title: d }, h('span', {}, short(d)))))),
      h(
        'tbody',
        {},
        ...m.sources.map((s, r) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row', title: s }, short(s)),
            ...m.destinations.map((d, c) => {
              const i = r * n + c;
              const st = cellState(m, i);
              const label = `${s} → ${d}: ${describe(m, i, port)}`;
              return h(
                'td',
                { class: st },
                h('button', { type: 'button', class: `cell ${st}`, 'data-state': st, 'aria-label': label, title: label, onclick: () => this.#open(r, c) }, GLYPH[st]),
              );
            }),
          ),
        ),
      ),
    );
    this.#view.replaceChildren(h('div', { class: 'table-scroll' }, table));
  }

  #canvas(m: MatrixResult): void {
    const n = m.sources.length;
    const cols = m.destinations.length;
    const cell = Math.max(2, Math.min(8, Math.floor(560 / Math.max(n, cols))));
    // Endpoints come sorted by namespace: bands with the namespace's name make a large
    // map readable at a glance.
    const LEFT = 120;
    const TOP = 20;
    const canvas = h('canvas', {
      class: 'heatmap',
      tabindex: 0,
      role: 'img',
      'data-testid': 'matrix-canvas',
      'aria-label': `Connectivity heatmap of ${n} sources by ${cols} destinations; arrow keys move, Enter explains the cell; tick "table" for a table`,
    });
    const width = LEFT + cols * cell;
    const height = TOP + n * cell;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = width * dpr;
    canvas.height = height * dpr;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const g = canvas.getContext('2d');
    if (!g) return;
    g.scale(dpr, dpr);
    const bands = (refs: string[]) => {
      const out: { ns: string; from: number; to: number }[] = [];
      refs.forEach((r, i) => {
        const ns = r.split('/')[0] ?? '';
        const last = out[out.length - 1];
        if (last && last.ns === ns) last.to = i + 1;
        else out.push({ ns, from: i, to: i + 1 });
      });
      return out;
    };
    const rowBands = bands(m.sources);
    const colBands = bands(m.destinations);
    const gap = cell > 3 ? 1 : 0;
    // The cells are written as pixels once (one fillRect per cell takes most of a second
    // for 90,000 cells); each repaint puts them back and draws the bands over them.
    const grid = cellPixels(g, m, n, cols, cell, gap, dpr);
    const paint = () => {
      g.clearRect(0, 0, width, height);
      g.putImageData(grid, Math.round(LEFT * dpr), Math.round(TOP * dpr));
      g.fillStyle = '#334155';
      g.font = '11px system-ui, sans-serif';
      g.textBaseline = 'middle';
      g.strokeStyle = 'rgba(15, 23, 42, 0.55)';
      g.lineWidth = 1;
      for (const b of rowBands) {
        g.fillText(b.ns, 4, TOP + ((b.from + b.to) / 2) * cell, LEFT - 10);
        g.beginPath();
        g.moveTo(LEFT - 6, TOP + b.from * cell + 0.5);
        g.lineTo(width, TOP + b.from * cell + 0.5);
        g.stroke();
      }
      for (const b of colBands) {
        g.fillText(b.ns, LEFT + b.from * cell + 3, TOP / 2, Math.max(0, (b.to - b.from) * cell - 4));
        g.beginPath();
        g.moveTo(LEFT + b.from * cell + 0.5, 2);
        g.lineTo(LEFT + b.from * cell + 0.5, height);
        g.stroke();
      }
    };
    paint();
    const hover = h('p', { class: 'hover muted', 'aria-live': 'polite' }, 'Point at a cell, or focus the map and use the arrow keys.');
    let cur = { r: 0, c: 0 };
    const at = (e: MouseEvent) => {
      const rect = canvas.getBoundingClientRect();
      return { r: Math.floor((e.clientY - rect.top - TOP) / cell), c: Math.floor((e.clientX - rect.left - LEFT) / cell) };
    };
    const inside = (p: { r: number; c: number }) => p.r >= 0 && p.c >= 0 && p.r < n && p.c < cols;
    const say = (p: { r: number; c: number }) => {
      if (!inside(p)) return;
      hover.textContent = `${m.sources[p.r]} → ${m.destinations[p.c]}: ${describe(m, p.r * cols + p.c, this.#ctx.state.matrix.port)}`;
    };
    const ring = (p: { r: number; c: number }) => {
      paint();
      g.strokeStyle = '#0f172a';
      g.lineWidth = 1.5;
      g.strokeRect(LEFT + p.c * cell - 1, TOP + p.r * cell - 1, cell + 1, cell + 1);
    };
    canvas.addEventListener('mousemove', (e) => say(at(e)));
    canvas.addEventListener('click', (e) => {
      const p = at(e);
      if (!inside(p)) return;
      cur = p;
      ring(cur);
      this.#open(cur.r, cur.c);
    });
    canvas.addEventListener('keydown', (e) => {
      const move: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      const d = move[e.key];
      if (d) {
        e.preventDefault();
        cur = { r: Math.max(0, Math.min(n - 1, cur.r + d[0])), c: Math.max(0, Math.min(cols - 1, cur.c + d[1])) };
        ring(cur);
        say(cur);
      } else if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        this.#open(cur.r, cur.c);
      }
    });
    this.#view.replaceChildren(hover, h('div', { class: 'canvas-scroll' }, canvas));
    this.canvasGeometry = { left: LEFT, top: TOP, cell };
  }

  /** A cell's explanation: the engine's verdict for each port asked. */
  #open(r: number, c: number): void {
    const m = this.#result;
    const model = this.#ctx.model();
    const endpoints = this.#endpoints();
    const to = endpoints.find((e) => e.reference === m?.destinations[c]);
    const from = m?.sources[r];
    if (!m || !model || !to || !from) return;
    const { port, protocol } = this.#ctx.state.matrix;
    const ports = portsFor(to, port, protocol);
    const rows = ports.map((p) => {
      const q = { from, to: to.reference, port: String(p.port), protocol: p.protocol };
      const v = model.verdict(q);
      return h(
        'li',
        { class: v.ok ? (v.value.allowed ? 'ok' : 'bad') : 'bad' },
        h('strong', {}, `${p.port}/${p.protocol}`),
        ' ',
        v.ok ? v.value.summary : `${v.error.code}: ${v.error.message}`,
        ' ',
        h('button', { type: 'button', class: 'link', onclick: () => this.#ctx.ask(q) }, 'open in Verdict'),
      );
    });
    this.#detail.replaceChildren(
      h(
        'section',
        { class: 'cell-detail', 'data-testid': 'matrix-detail' },
        h('h3', {}, `${from} → ${to.reference}`),
        rows.length ? h('ul', {}, ...rows) : h('p', { class: 'muted' }, `${to.reference} declares no port; type one in the Port filter.`),
      ),
    );
  }
}

const STATES: CellState[] = ['all', 'some', 'none', 'error', 'na'];

/** The heatmap's cells as device pixels (RGBA), `cell` CSS pixels each with `gap` between. */
function cellPixels(g: CanvasRenderingContext2D, m: MatrixResult, n: number, cols: number, cell: number, gap: number, dpr: number): ImageData {
  const w = Math.max(1, Math.round(cols * cell * dpr));
  const ht = Math.max(1, Math.round(n * cell * dpr));
  const img = g.createImageData(w, ht);
  const px = new Uint32Array(img.data.buffer);
  const little = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  const colors = STATES.map((s) => {
    const v = parseInt(COLOR[s].slice(1), 16);
    const [r, gr, b] = [(v >> 16) & 255, (v >> 8) & 255, v & 255];
    return little ? ((255 << 24) | (b << 16) | (gr << 8) | r) >>> 0 : ((r << 24) | (gr << 16) | (b << 8) | 255) >>> 0;
  });
  const state = new Uint8Array(n * cols);
  for (let i = 0; i < state.length; i++) state[i] = STATES.indexOf(cellState(m, i));
  // Which cell each device pixel column and row falls in (-1: the gap between cells).
  const axis = (len: number, count: number) => {
    const out = new Int32Array(len);
    for (let x = 0; x < len; x++) {
      const css = (x + 0.5) / dpr;
      const k = Math.floor(css / cell);
      out[x] = k < count && css - k * cell < cell - gap ? k : -1;
    }
    return out;
  };
  const colOf = axis(w, cols);
  const rowOf = axis(ht, n);
  for (let y = 0; y < ht; y++) {
    const r = rowOf[y] as number;
    if (r < 0) continue;
    const base = y * w;
    const row = r * cols;
    for (let x = 0; x < w; x++) {
      const c = colOf[x] as number;
      if (c >= 0) px[base + x] = colors[state[row + c] as number] as number;
    }
  }
  return img;
}
