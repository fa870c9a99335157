// The verdict pane: pick from / to / port / protocol, and read the engine's verdict layer
// by layer, with the rules that decided it and the command that gives it in a terminal.

import { checkCommand } from './cli-command';
import type { Context } from './context';
import { h, policyName } from './dom';
import { SOURCE_NAME } from './engine';
import type { Diagnostic, EngineError, Layer, Location, NearMiss, Query, RuleRef, Verdict } from './engine-types';
import { PROTOCOLS } from './state';

export class VerdictPane {
  readonly #ctx: Context;
  readonly #from: HTMLInputElement;
  readonly #to: HTMLInputElement;
  readonly #port: HTMLInputElement;
  readonly #protocol: HTMLSelectElement;
  readonly #lists: { from: HTMLDataListElement; to: HTMLDataListElement; port: HTMLDataListElement };
  readonly #result: HTMLElement;
  readonly #cli: HTMLElement;
  #shown = false;

  constructor(root: HTMLElement, ctx: Context) {
    this.#ctx = ctx;
    const field = (label: string, input: HTMLElement, cls = '') => h('label', { class: `qfield ${cls}` }, h('span', {}, label), input);
    this.#lists = { from: h('datalist', { id: 'list-from' }), to: h('datalist', { id: 'list-to' }), port: h('datalist', { id: 'list-port' }) };
    const input = (id: string, list: string, placeholder: string) =>
      h('input', { id, list, placeholder, autocomplete: 'off', spellcheck: 'false', required: true });
    this.#from = input('q-from', 'list-from', 'namespace/name');
    this.#to = input('q-to', 'list-to', 'namespace/name, svc:…, ip:…, dns:…');
    this.#port = input('q-port', 'list-port', '8080 or http');
    this.#protocol = h('select', { id: 'q-protocol' }, ...PROTOCOLS.map((p) => h('option', { value: p }, p)));
    const form = h(
      'form',
      { class: 'query', 'aria-label': 'Question' },
      field('From', this.#from, 'grow'),
      h('button', { type: 'button', class: 'swap', title: 'Swap from and to', 'aria-label': 'Swap from and to', onclick: () => this.#swap() }, '⇄'),
      field('To', this.#to, 'grow'),
      // Port, protocol and the button wrap together when the pane is narrow.
      h('div', { class: 'qgroup' }, field('Port', this.#port, 'port'), field('Protocol', this.#protocol), h('button', { type: 'submit', class: 'primary', id: 'q-check' }, 'Check')),
      this.#lists.from,
      this.#lists.to,
      this.#lists.port,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#ctx.ask(this.#read());
    });
    this.#protocol.addEventListener('change', () => this.#ctx.ask(this.#read()));
    this.#to.addEventListener('change', () => this.refreshPorts());
    this.#result = h('div', { class: 'verdict-result', 'aria-live': 'polite' });
    this.#cli = h('div', { class: 'cli' });
    root.append(form, this.#cli, this.#result);
  }

  #read(): Query {
    return { from: this.#from.value.trim(), to: this.#to.value.trim(), port: this.#port.value.trim(), protocol: this.#protocol.value };
  }

  #swap(): void {
    const q = this.#read();
    this.#ctx.ask({ ...q, from: q.to.replace(/^svc:/, ''), to: q.from });
  }

  /** Fills the pickers' suggestions from the endpoints the engine knows. */
  refreshLists(): void {
    const inv = this.#ctx.inventory();
    const opt = (value: string, label?: string) => h('option', { value }, label ?? '');
    const endpoints = inv?.endpoints ?? [];
    this.#lists.from.replaceChildren(...endpoints.map((e) => opt(e.reference, `${e.kind}${e.meshed ? ' · meshed' : ''}`)));
    this.#lists.to.replaceChildren(
      ...endpoints.map((e) => opt(e.reference, `${e.kind}${e.meshed ? ' · meshed' : ''}`)),
      ...(inv?.services ?? []).map((s) => opt(s.reference, 'Service')),
    );
    this.refreshPorts();
  }

  refreshPorts(): void {
    const inv = this.#ctx.inventory();
    const to = this.#to.value.trim();
    const ports = to.startsWith('svc:')
      ? inv?.services.find((s) => s.reference === to)?.ports
      : inv?.endpoints.find((e) => e.reference === to)?.ports;
    const seen = new Set<string>();
    const options: HTMLOptionElement[] = [];
    for (const p of ports ?? []) {
      for (const value of [String(p.port), p.name]) {
        if (!value || seen.has(value)) continue;
        seen.add(value);
        options.push(h('option', { value }, `${p.name && value !== p.name ? `${p.name} · ` : ''}${p.port}/${p.protocol}`));
      }
    }
    this.#lists.port.replaceChildren(...options);
  }

  /** Answers the current question and shows it. */
  render(): void {
    const { query } = this.#ctx.state;
    this.#from.value = query.from;
    this.#to.value = query.to;
    this.#port.value = query.port;
    this.#protocol.value = query.protocol;
    this.refreshPorts();
    this.#cli.replaceChildren(this.#command());
    const model = this.#ctx.model();
    const loadError = this.#ctx.loadError();
    this.#ctx.editor.highlightLines([]);
    if (loadError) {
      this.#result.replaceChildren(this.#refusal('The manifests do not load', loadError));
      return;
    }
    if (!model) {
      this.#result.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
      return;
    }
    if (!query.from || !query.to || !query.port) {
      this.#result.replaceChildren(
        h('p', { class: 'empty' }, 'Pick a source, a destination and a port: the engine says whether the connection is allowed, and why.'),
      );
      return;
    }
    const answer = model.verdict(query);
    if (!answer.ok) {
      this.#result.replaceChildren(this.#refusal('The engine cannot answer this question', answer.error));
      return;
    }
    this.#result.replaceChildren(this.#verdict(answer.value));
    this.#ctx.editor.highlightLines(decidingLines(answer.value));
    if (!this.#shown) {
      this.#shown = true;
      // The time to the first verdict is what the tests report (from navigation start).
      performance.mark('meshverdict:first-verdict');
    }
  }

  #command(): HTMLElement {
    const { query } = this.#ctx.state;
    const cmd = checkCommand(query, this.#ctx.dataplane());
    return h(
      'div',
      { class: 'cli-box' },
      h('div', { class: 'cli-label' }, `The same verdict in a terminal, with the editor saved as ${SOURCE_NAME}:`),
      h('div', { class: 'cli-row' }, h('code', { 'data-testid': 'cli-command' }, cmd), copyButton(cmd), downloadButton(this.#ctx)),
    );
  }

  #refusal(title: string, e: EngineError): HTMLElement {
    return h(
      'article',
      { class: 'verdict refused', 'data-testid': 'verdict' },
      h('header', {}, h('span', { class: 'badge', 'data-testid': 'verdict-decision' }, 'ERROR'), h('span', { class: 'flow' }, title)),
      h('p', { class: 'summary', 'data-testid': 'verdict-error' }, h('strong', {}, e.code), ': ', e.message),
      e.help ? h('p', { class: 'help' }, 'help: ', e.help) : null,
      this.#locationLink(e.location),
    );
  }

  #locationLink(loc: Location | undefined): HTMLElement | null {
    if (!loc?.line) return null;
    const line = loc.line;
    return h(
      'p',
      { class: 'where' },
      h('button', { type: 'button', class: 'link', onclick: () => this.#ctx.editor.revealLine(line) }, `${SOURCE_NAME}:${line}`),
      loc.path ? ` (document ${loc.document ?? '?'}, ${loc.path})` : '',
    );
  }

  #verdict(v: Verdict): HTMLElement {
    const allowed = v.allowed;
    const wire = v.wirePort;
    return h(
      'article',
      { class: `verdict ${allowed ? 'allowed' : 'denied'}`, 'data-testid': 'verdict' },
      h(
        'header',
        {},
        h('span', { class: 'badge', 'data-testid': 'verdict-decision' }, allowed ? '✓ ALLOWED' : '✗ DENIED'),
        h('span', { class: 'flow' }, v.from.reference, h('span', { class: 'arrow' }, ' → '), v.to.reference),
        h('span', { class: 'port' }, `${v.port}/${v.protocol}`),
        h('span', { class: 'muted', title: v.dataplaneReason ?? '' }, `dataplane ${v.dataplane}`),
      ),
      h('p', { class: 'summary', 'data-testid': 'verdict-summary' }, v.summary),
      wire
        ? h('p', { class: 'wire', 'data-testid': 'verdict-wire' }, '⇄ on the wire: port ', h('strong', {}, String(wire.port)), wire.reason ? ` (${wire.reason})` : '')
        : null,
      h(
        'ol',
        { class: 'layers' },
        this.#layer('egress', `Egress of ${v.from.reference}`, v.egress),
        this.#layer('ingress', `Ingress of ${v.to.reference}${wire ? ` on port ${wire.port}` : ''}`, v.ingress),
        v.mesh
          ? h(
              'li',
              { class: `layer ${v.mesh.allowed ? 'ok' : 'bad'}`, 'data-layer': 'mesh' },
              h('h3', {}, mark(v.mesh.allowed), `${v.mesh.mesh} authorization`, v.mesh.server ? h('span', { class: 'muted' }, ` · ${v.mesh.server}`) : ''),
              h('p', { class: 'reason', 'data-testid': 'layer-mesh-reason' }, v.mesh.reason),
              notes(v.mesh.notes),
            )
          : null,
      ),
      v.warnings?.length ? h('section', { class: 'warnings' }, h('h3', {}, 'Warnings'), ...v.warnings.map((w) => this.#warning(w))) : null,
      v.backends?.length ? this.#backends(v.backends) : null,
      v.explanation
        ? h(
            'details',
            { class: 'explanation' },
            h('summary', {}, 'As the CLI prints it'),
            h('pre', { 'data-testid': 'verdict-explanation' }, v.explanation),
          )
        : null,
    );
  }

  #layer(name: 'egress' | 'ingress', title: string, layer: Layer): HTMLElement {
    return h(
      'li',
      { class: `layer ${layer.allowed ? 'ok' : 'bad'}`, 'data-layer': name },
      h('h3', {}, mark(layer.allowed), title, layer.isolated ? '' : h('span', { class: 'muted' }, ' · not isolated')),
      h('p', { class: 'reason', 'data-testid': `layer-${name}-reason` }, layer.reason),
      layer.isolatedBy?.length
        ? h('p', { class: 'refs' }, h('span', { class: 'label' }, 'isolated by'), h('span', { class: 'chips' }, ...layer.isolatedBy.map((p) => h('span', { class: 'chip' }, policyName(p)))))
        : null,
      layer.allowedBy?.length ? h('p', { class: 'refs' }, h('span', { class: 'label' }, 'allowed by'), h('span', { class: 'chips' }, ...layer.allowedBy.map((r) => this.#rule(r, 'allow')))) : null,
      layer.deniedBy?.length ? h('p', { class: 'refs' }, h('span', { class: 'label' }, 'denied by'), h('span', { class: 'chips' }, ...layer.deniedBy.map((r) => this.#rule(r, 'deny')))) : null,
      layer.nearMisses?.length ? h('ul', { class: 'near-misses', 'aria-label': 'Near misses' }, ...layer.nearMisses.map((n) => this.#nearMiss(n))) : null,
      layer.l7?.length ? h('ul', { class: 'notes' }, ...layer.l7.map((l) => h('li', {}, `L7 ${l.protocol}: ${l.summary}`))) : null,
      notes(layer.notes),
    );
  }

  #rule(r: RuleRef, kind: 'allow' | 'deny'): HTMLElement {
    const line = ruleLine(r);
    const text = `${policyName(r.policy)} ${r.path}`;
    const title = `${r.policy.kind} ${text}${line ? ` (${SOURCE_NAME}:${line})` : ''}`;
    return line
      ? h('button', { type: 'button', class: `chip rule ${kind}`, title, onclick: () => this.#ctx.editor.revealLine(line) }, text, h('span', { class: 'line' }, `:${line}`))
      : h('span', { class: `chip rule ${kind}`, title }, text);
  }

  #nearMiss(n: NearMiss): HTMLElement {
    const line = ruleLine(n.rule);
    return h(
      'li',
      { 'data-testid': 'near-miss' },
      h('span', { class: 'label' }, 'near miss'),
      n.message,
      line ? h('button', { type: 'button', class: 'link', onclick: () => this.#ctx.editor.revealLine(line) }, ` ${SOURCE_NAME}:${line}`) : '',
    );
  }

  #warning(d: Diagnostic): HTMLElement {
    return h('div', { class: `diag ${d.severity}` }, h('span', { class: `sev ${d.severity}` }, d.severity), h('code', {}, d.code), ' ', d.message);
  }

  #backends(backends: Verdict[]): HTMLElement {
    return h(
      'section',
      { class: 'backends' },
      h('h3', {}, `Backends (${backends.filter((b) => b.allowed).length} of ${backends.length} admit it)`),
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, h('th', {}, 'backend'), h('th', {}, 'port'), h('th', {}, 'verdict'))),
        h(
          'tbody',
          {},
          ...backends.map((b) =>
            h('tr', {}, h('td', {}, b.to.reference), h('td', {}, `${b.wirePort?.port ?? b.port}/${b.protocol}`), h('td', { class: b.allowed ? 'ok' : 'bad' }, b.summary)),
          ),
        ),
      ),
    );
  }
}

function mark(ok: boolean): HTMLElement {
  return h('span', { class: `mark ${ok ? 'ok' : 'bad'}`, 'aria-label': ok ? 'passes' : 'blocks' }, ok ? '✓' : '✗');
}

function notes(list: string[] | undefined): HTMLElement | null {
  return list?.length ? h('ul', { class: 'notes' }, ...list.map((n) => h('li', {}, n))) : null;
}

function ruleLine(r: RuleRef): number | undefined {
  return r.location?.line ?? r.policy.location?.line;
}

/** The lines of the rules that decided, when the engine locates them. */
export function decidingLines(v: Verdict): number[] {
  const rules = [...(v.egress.allowedBy ?? []), ...(v.egress.deniedBy ?? []), ...(v.ingress.allowedBy ?? []), ...(v.ingress.deniedBy ?? [])];
  return rules.map(ruleLine).filter((n): n is number => typeof n === 'number');
}

export function copyButton(text: string): HTMLElement {
  const b = h('button', { type: 'button', class: 'small' }, 'Copy');
  b.addEventListener('click', () => {
    void navigator.clipboard?.writeText(text).then(
      () => flash(b, 'Copied'),
      () => flash(b, 'Select and copy'),
    );
  });
  return b;
}

function downloadButton(ctx: Context): HTMLElement {
  return h(
    'button',
    { type: 'button', class: 'small', title: `Save the editor's text as ${SOURCE_NAME}`, onclick: () => saveFile(SOURCE_NAME, ctx.editor.text, 'text/yaml') },
    `Save ${SOURCE_NAME}`,
  );
}

export function saveFile(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function flash(b: HTMLElement, text: string): void {
  const before = b.textContent;
  b.textContent = text;
  setTimeout(() => (b.textContent = before), 1200);
}
