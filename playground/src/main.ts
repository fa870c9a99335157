// The playground: wires the editor, the engine and the panes. The state it shows is
// AppState; every change of it is remembered locally, and a share link carries all of it.

import './styles.css';
import type { Context } from './context';
import { DiagnosticsPane } from './diagnostics-pane';
import { byId, h } from './dom';
import { ManifestEditor, type LineMark } from './editor';
import * as engine from './engine';
import type { Diagnostic, EngineError, Inventory, Outcome, Query } from './engine-types';
import { EXAMPLES, findExample, type Example } from './examples';
import { GraphPane } from './graph-pane';
import { MatrixPane } from './matrix-pane';
import { ShareError, decodeFragment, encodeFragment, looksShared, toPayload, validate, type SharePayload } from './share';
import { emptyState, PANES, type AppState, type Pane } from './state';
import { saveFile, VerdictPane } from './verdict-pane';

const STORAGE_KEY = 'meshverdict-playground:state';
const EDIT_DELAY_MS = 250;

const state: AppState = emptyState();
let model: engine.Model | undefined;
let loadError: EngineError | undefined;
let inventory: Inventory | undefined;
let generation = 0;

// ---- notices

function notify(message: string, kind: 'error' | 'info' = 'error'): void {
  const box = byId('notice');
  box.className = `notice ${kind}`;
  byId('notice-text').textContent = message;
  box.hidden = false;
}
byId('notice-close').addEventListener('click', () => (byId('notice').hidden = true));

// ---- editor and panes

let editTimer: number | undefined;
const editor = new ManifestEditor({
  parent: byId('editor'),
  onChange: (text) => {
    window.clearTimeout(editTimer);
    editTimer = window.setTimeout(() => {
      state.yaml = text;
      evaluate();
      changed();
    }, EDIT_DELAY_MS);
  },
  onDropFiles: (files) => void openFiles(files),
});

const ctx: Context = {
  state,
  editor,
  model: () => model,
  loadError: () => loadError,
  inventory: () => inventory,
  dataplane: () => model?.dataplane ?? state.dataplane,
  ask,
  showPane,
  changed,
};

const verdictPane = new VerdictPane(byId('pane-verdict'), ctx);
const matrixPane = new MatrixPane(byId('pane-matrix'), ctx);
const graphPane = new GraphPane(byId('pane-graph'), ctx);
const diagnosticsPane = new DiagnosticsPane(byId('pane-diagnostics'), ctx, (yaml) => {
  const text = `${editor.text.replace(/\n*$/, '\n')}---\n${yaml}`;
  editor.setText(text);
  state.yaml = text;
  evaluate();
  changed();
});

// Read by the browser tests and benchmarks: the exact editor text, and the matrix's timing.
(window as unknown as { meshverdictPlayground: unknown }).meshverdictPlayground = {
  text: () => editor.text,
  matrixMs: () => matrixPane.lastMs,
  heatmap: () => matrixPane.canvasGeometry,
};

function ask(q: Query): void {
  state.query = { ...q };
  showPane('verdict');
  verdictPane.render();
  changed();
}

function showPane(p: Pane): void {
  state.pane = p;
  for (const pane of PANES) {
    const tab = byId(`tab-${pane}`);
    const selected = pane === p;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    byId(`pane-${pane}`).hidden = !selected;
  }
  if (p === 'matrix') void matrixPane.update();
  if (p === 'graph') void graphPane.update();
  changed();
}

// Tabs: click, and arrow keys between them (the ARIA tabs pattern).
for (const tab of document.querySelectorAll<HTMLButtonElement>('[role=tab]')) {
  tab.addEventListener('click', () => showPane(tab.dataset.pane as Pane));
  tab.addEventListener('keydown', (e) => {
    const i = PANES.indexOf(tab.dataset.pane as Pane);
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = PANES[(i + step + PANES.length) % PANES.length] as Pane;
    showPane(next);
    byId(`tab-${next}`).focus();
  });
}

// ---- evaluation: every change of text or dataplane reloads the model

function evaluate(): void {
  const gen = ++generation;
  model?.free();
  model = undefined;
  inventory = undefined;
  matrixPane.invalidate();
  const t0 = performance.now();
  const loaded = engine.Model.load(state.yaml, state.dataplane);
  const loadMs = performance.now() - t0;
  const docs = state.yaml.split(/^---\s*$/m).filter((d) => d.replace(/#.*$/gm, '').trim()).length;
  byId('doc-status').textContent = `${docs} document${docs === 1 ? '' : 's'}`;
  if (!loaded.ok) {
    loadError = loaded.error;
    setStatus(`✗ ${loadError.code}${loadError.location?.line ? ` at line ${loadError.location.line}` : ''}`, 'bad');
    editor.setMarks(loadError.location?.line ? [{ line: loadError.location.line, severity: 'error', message: `${loadError.code}: ${loadError.message}${loadError.help ? `\nhelp: ${loadError.help}` : ''}`, source: 'meshverdict' }] : []);
    byId('diag-count').textContent = '!';
    renderAll(undefined);
    return;
  }
  loadError = undefined;
  model = loaded.value;
  setStatus(`✓ loaded in ${Math.round(loadMs)} ms · dataplane ${model.dataplane}`, 'ok', model.dataplaneReason);
  const marks = baseMarks(model);
  editor.setMarks(marks);
  verdictPane.render();
  diagnosticsPane.render(undefined);
  // The analysis and the endpoint list can take a while on large inputs: after the
  // verdict is on screen.
  window.setTimeout(() => {
    if (gen !== generation || !model) return;
    const diagnostics = model.diagnostics();
    renderDiagnostics(diagnostics, marks);
    void model.inventory(state.yaml).then((inv) => {
      if (gen !== generation) return;
      inventory = inv;
      verdictPane.refreshLists();
      if (state.pane === 'matrix') void matrixPane.update();
      if (state.pane === 'graph') void graphPane.update();
    });
  }, 0);
}

function renderAll(diagnostics: Outcome<Diagnostic[]> | undefined): void {
  verdictPane.render();
  renderDiagnostics(diagnostics, []);
  if (state.pane === 'matrix') void matrixPane.update();
  if (state.pane === 'graph') void graphPane.update();
}

function renderDiagnostics(diagnostics: Outcome<Diagnostic[]> | undefined, marks: LineMark[]): void {
  if (!diagnostics) {
    diagnosticsPane.render(undefined);
    return;
  }
  if (!diagnostics.ok) {
    diagnosticsPane.render(undefined, diagnostics.error);
    return;
  }
  const list = diagnostics.value;
  diagnosticsPane.render(list);
  const errors = list.filter((d) => d.severity === 'error').length;
  byId('diag-count').textContent = list.length ? String(list.length) : '';
  byId('diag-count').className = `count ${errors ? 'error' : list.length ? 'warning' : ''}`;
  editor.setMarks([
    ...marks,
    ...list
      .filter((d) => d.location?.line)
      .map((d): LineMark => ({ line: d.location?.line as number, severity: d.severity, message: `${d.code}: ${d.message}${d.help ? `\nhelp: ${d.help}` : ''}`, source: 'meshverdict diagnose' })),
  ]);
}

/** Markers the load itself gives: rejected objects and located load warnings. */
function baseMarks(m: engine.Model): LineMark[] {
  return [
    ...m.errors()
      .filter((e) => e.location?.line)
      .map((e): LineMark => ({ line: e.location?.line as number, severity: 'error', message: `${e.code}: ${e.message}${e.help ? `\nhelp: ${e.help}` : ''}`, source: 'meshverdict' })),
    ...m.warnings
      .filter((w) => w.location?.line)
      .map((w): LineMark => ({ line: w.location?.line as number, severity: 'info', message: `${w.code}: ${w.message}`, source: 'meshverdict' })),
  ];
}

function setStatus(text: string, kind: 'ok' | 'bad', title = ''): void {
  const s = byId('load-status');
  s.textContent = text;
  s.title = title;
  s.className = `status ${kind}`;
}

// ---- state in and out

function applyState(s: Omit<AppState, never>): void {
  Object.assign(state, structuredClone(s));
  (byId('dataplane') as HTMLSelectElement).value = state.dataplane;
  editor.setText(state.yaml);
  evaluate();
  showPane(state.pane);
}

function fromPayload(p: SharePayload): AppState {
  if (!engine.dataplanes().includes(p.dataplane)) {
    throw new ShareError(`the shared state asks for dataplane "${p.dataplane}", which this engine (${engine.engineVersion()}) does not know`);
  }
  return { yaml: p.yaml, dataplane: p.dataplane, query: p.query, pane: p.pane, matrix: p.matrix, focus: p.focus };
}

let saveTimer: number | undefined;
function changed(): void {
  window.clearTimeout(saveTimer);
  saveTimer = window.setTimeout(() => {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(toPayload(state, engine.engineVersion())));
    } catch {
      // storage full or disabled: the page works without it
    }
  }, 400);
}

function loadExample(e: Example): void {
  applyState({ ...emptyState(), yaml: e.yaml, dataplane: e.dataplane, query: { ...e.query }, pane: state.pane });
  changed();
}

async function fromFragment(fragment: string): Promise<boolean> {
  if (!fragment) return false;
  const example = /^example=(.+)$/.exec(fragment);
  if (example) {
    const e = findExample(decodeURIComponent(example[1] as string));
    if (e) {
      loadExample(e);
      return true;
    }
    notify(`There is no example "${decodeURIComponent(example[1] as string)}"; the examples are: ${EXAMPLES.map((x) => x.id).join(', ')}.`);
    return false;
  }
  if (!looksShared(fragment)) {
    notify('This link’s fragment is not a meshverdict playground state; showing your last session instead.');
    return false;
  }
  try {
    const payload = await decodeFragment(fragment);
    applyState(fromPayload(payload));
    if (payload.engine !== engine.engineVersion()) {
      notify(`This link was made with engine ${payload.engine}; this page runs ${engine.engineVersion()}, so verdicts may differ.`, 'info');
    }
    return true;
  } catch (e) {
    notify(`Cannot open this link: ${e instanceof ShareError ? e.message : String(e)}.`);
    return false;
  }
}

async function share(): Promise<void> {
  const fragment = await encodeFragment(toPayload(state, engine.engineVersion()));
  const url = `${location.origin}${location.pathname}${location.search}#${fragment}`;
  history.replaceState(null, '', `#${fragment}`);
  const input = byId<HTMLInputElement>('share-url');
  input.value = url;
  const kb = (url.length / 1024).toFixed(1);
  byId('share-size').textContent =
    url.length > 8000
      ? `${kb} KB: long links may be cut by chat tools; "Download bundle" saves the same state as a file.`
      : `${kb} KB link, ${state.yaml.length.toLocaleString('en')} characters of manifests.`;
  byId<HTMLDialogElement>('share-dialog').showModal();
  input.select();
}

byId('share-copy').addEventListener('click', () => {
  const input = byId<HTMLInputElement>('share-url');
  input.select();
  void navigator.clipboard?.writeText(input.value).then(() => (byId('share-copy').textContent = 'Copied'));
});

async function openFiles(files: File[]): Promise<void> {
  const texts = await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() })));
  if (texts.length === 1 && texts[0]) {
    // A downloaded bundle is a JSON object with our format field; manifests never have one.
    let parsed: unknown;
    try {
      parsed = JSON.parse(texts[0].text);
    } catch {
      parsed = undefined;
    }
    if (parsed && typeof parsed === 'object' && 'format' in parsed && !('kind' in parsed)) {
      try {
        applyState(fromPayload(validate(parsed)));
        changed();
      } catch (e) {
        notify(`Cannot open ${texts[0].name}: ${e instanceof ShareError ? e.message : String(e)}.`);
      }
      return;
    }
  }
  const yaml = texts
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((t) => `# file: ${t.name}\n${t.text.endsWith('\n') ? t.text : `${t.text}\n`}`)
    .join('---\n');
  editor.setText(yaml);
  state.yaml = yaml;
  evaluate();
  changed();
}

// ---- top bar

function setupTopbar(): void {
  const select = byId<HTMLSelectElement>('dataplane');
  select.replaceChildren(...engine.dataplanes().map((d) => h('option', { value: d }, d)));
  select.value = state.dataplane;
  select.addEventListener('change', () => {
    state.dataplane = select.value;
    evaluate();
    changed();
  });
  byId('engine-info').textContent = `engine ${engine.engineVersion()} · runs in this page`;

  const dialog = byId<HTMLDialogElement>('examples-dialog');
  byId('example-cards').replaceChildren(
    ...EXAMPLES.map((e) =>
      h(
        'button',
        {
          type: 'button',
          class: 'card',
          'data-example': e.id,
          onclick: () => {
            dialog.close();
            loadExample(e);
          },
        },
        h('strong', {}, e.title),
        h('span', { class: 'card-blurb' }, e.blurb),
        h('span', { class: 'card-meta' }, `${e.dataplane} · ${e.files.length} file${e.files.length === 1 ? '' : 's'} · ${e.query.from} → ${e.query.to}:${e.query.port}`),
      ),
    ),
  );
  byId('btn-examples').addEventListener('click', () => dialog.showModal());
  for (const d of document.querySelectorAll('dialog')) {
    d.addEventListener('click', (e) => {
      if (e.target === d || (e.target as HTMLElement).closest('[data-close]')) d.close();
    });
  }
  const fileInput = byId<HTMLInputElement>('file-input');
  byId('btn-open').addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    void openFiles([...(fileInput.files ?? [])]);
    fileInput.value = '';
  });
  byId('btn-download').addEventListener('click', () =>
    saveFile('meshverdict-playground.json', `${JSON.stringify(toPayload(state, engine.engineVersion()), null, 2)}\n`, 'application/json'),
  );
  byId('btn-share').addEventListener('click', () => void share());
}

async function boot(): Promise<void> {
  try {
    await engine.start();
  } catch (e) {
    notify(`The engine did not start: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  setupTopbar();
  const fragment = location.hash.slice(1);
  if (await fromFragment(fragment)) return;
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved) {
    try {
      applyState(fromPayload(validate(JSON.parse(saved))));
      return;
    } catch {
      localStorage.removeItem(STORAGE_KEY);
    }
  }
  const first = EXAMPLES[0];
  if (first) loadExample(first);
}

window.addEventListener('hashchange', () => void fromFragment(location.hash.slice(1)));

if ('serviceWorker' in navigator && import.meta.env.PROD && location.protocol !== 'file:') {
  void navigator.serviceWorker.register('./sw.js').catch(() => undefined);
}

void boot();
