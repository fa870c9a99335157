// The diagnostics pane: what the engine finds wrong with the whole input (broken mesh
// flows, selectors that match nothing, objects the API server would reject), each with
// its flows (one click asks about it) and policies, and the engine's repair when it has one.

import { diagnoseCommand } from './cli-command';
import type { Context } from './context';
import { h, policyName } from './dom';
import { SOURCE_NAME } from './engine';
import type { Diagnostic, EngineError, Location, Warning } from './engine-types';
import { copyButton } from './verdict-pane';

const RANK = { error: 0, warning: 1, info: 2 } as const;

export class DiagnosticsPane {
  readonly #ctx: Context;
  readonly #root: HTMLElement;
  readonly #onRepair: (yaml: string) => void;

  constructor(root: HTMLElement, ctx: Context, onRepair: (yaml: string) => void) {
    this.#ctx = ctx;
    this.#root = root;
    this.#onRepair = onRepair;
  }

  render(diagnostics: Diagnostic[] | undefined, failure?: EngineError): void {
    const ctx = this.#ctx;
    const cmd = diagnoseCommand(ctx.dataplane());
    const head = h(
      'div',
      { class: 'cli-box' },
      h('div', { class: 'cli-label' }, `The same list in a terminal, with the editor saved as ${SOURCE_NAME}:`),
      h('div', { class: 'cli-row' }, h('code', { 'data-testid': 'diagnose-command' }, cmd), copyButton(cmd)),
    );
    const loadError = ctx.loadError();
    if (loadError) {
      this.#root.replaceChildren(head, h('ul', { class: 'diag-list' }, this.#item({ ...loadError, severity: 'error' }, 'load')));
      return;
    }
    const model = ctx.model();
    if (!model || (!diagnostics && !failure)) {
      this.#root.replaceChildren(head, h('p', { class: 'muted' }, 'Analysing…'));
      return;
    }
    const errors = model.errors();
    const warnings = model.warnings;
    const sorted = [...(diagnostics ?? [])].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
    const counts = (['error', 'warning', 'info'] as const).map((s) => [s, sorted.filter((d) => d.severity === s).length] as const);
    const parts: (HTMLElement | null)[] = [
      head,
      failure ? h('p', { class: 'diag error' }, `The analysis failed: ${failure.code}: ${failure.message}`) : null,
      h(
        'p',
        { class: 'diag-summary', 'data-testid': 'diag-summary' },
        sorted.length
          ? counts.filter(([, n]) => n).map(([s, n]) => h('span', { class: `sev ${s}` }, `${n} ${s}${n > 1 ? 's' : ''}`))
          : h('span', { class: 'clean' }, '✓ No diagnostics: nothing breaks the mesh, the DNS or the policies themselves.'),
      ),
      sorted.length ? h('ul', { class: 'diag-list', 'aria-label': 'Diagnostics' }, ...sorted.map((d) => this.#item(d, 'diagnostic'))) : null,
      errors.length
        ? h('section', {}, h('h3', {}, 'Objects the API server or Cilium would refuse'), h('ul', { class: 'diag-list' }, ...errors.map((e) => this.#item({ ...e, severity: 'error' }, 'object'))))
        : null,
      warnings.length ? h('section', {}, h('h3', {}, 'While loading'), h('ul', { class: 'diag-list' }, ...warnings.map((w) => this.#warning(w)))) : null,
    ];
    this.#root.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  }

  #item(d: Diagnostic | (EngineError & { severity: 'error' }), kind: 'diagnostic' | 'object' | 'load'): HTMLElement {
    const diag = d as Diagnostic;
    const model = this.#ctx.model();
    const repair = kind === 'diagnostic' && model?.canRepair ? model.repair(diag) : undefined;
    return h(
      'li',
      { class: `diag ${d.severity}`, 'data-testid': 'diagnostic', 'data-kind': kind },
      h(
        'div',
        { class: 'diag-head' },
        h('span', { class: `sev ${d.severity}`, 'data-testid': 'diag-severity' }, d.severity),
        h('code', { 'data-testid': 'diag-code' }, d.code),
        this.#where(d.location),
      ),
      h('p', { class: 'diag-message', 'data-testid': 'diag-message' }, d.message),
      d.help ? h('p', { class: 'help' }, h('span', { class: 'label' }, 'help'), d.help) : null,
      diag.flows?.length
        ? h(
            'p',
            { class: 'refs' },
            h('span', { class: 'label' }, 'flows'),
            h(
              'span',
              { class: 'chips' },
              ...diag.flows.map((f) =>
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'chip flow',
                    title: 'Ask the engine about this flow',
                    onclick: () => this.#ctx.ask({ from: f.from, to: f.to, port: String(f.port), protocol: f.protocol }),
                  },
                  `${f.from} → ${f.to} ${f.port}/${f.protocol}`,
                ),
              ),
            ),
          )
        : null,
      diag.policies?.length
        ? h('p', { class: 'refs' }, h('span', { class: 'label' }, 'policies'), h('span', { class: 'chips' }, ...diag.policies.map((p) => h('span', { class: 'chip', title: p.kind }, policyName(p)))))
        : null,
      repair?.ok && repair.value
        ? h('p', {}, h('button', { type: 'button', class: 'primary small', onclick: () => this.#onRepair(repair.value as string) }, 'Fix: add the engine’s repair'))
        : null,
    );
  }

  #warning(w: Warning): HTMLElement {
    return h(
      'li',
      { class: 'diag info', 'data-testid': 'load-warning' },
      h('div', { class: 'diag-head' }, h('span', { class: 'sev info' }, 'note'), h('code', {}, w.code), this.#where(w.location)),
      h('p', { class: 'diag-message' }, w.message),
    );
  }

  #where(loc: Location | undefined): HTMLElement | null {
    const line = loc?.line;
    if (!line) return null;
    return h(
      'button',
      { type: 'button', class: 'link where', 'data-line': line, onclick: () => this.#ctx.editor.revealLine(line), title: loc.path ?? '' },
      `${SOURCE_NAME}:${line}`,
    );
  }
}
