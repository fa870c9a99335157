// The manifests editor: CodeMirror 6 with YAML, the engine's located problems as lint
// markers, and the lines of the rules that decided a verdict highlighted.

import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { bracketMatching, foldGutter, foldKeymap, indentOnInput, syntaxHighlighting, defaultHighlightStyle } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search';
import { EditorState, RangeSetBuilder, StateEffect, StateField } from '@codemirror/state';
import {
  Decoration,
  type DecorationSet,
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';

export interface LineMark {
  /** 1-based line. */
  line: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** Who said it: `engine error`, a diagnostic code, … */
  source: string;
}

const setRuleLines = StateEffect.define<number[]>();
const ruleLineDeco = Decoration.line({ class: 'cm-rule-line' });

// Highlighted lines follow edits (mapped), and are replaced by each new verdict.
const ruleLines = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    deco = deco.map(tr.changes);
    for (const e of tr.effects) {
      if (!e.is(setRuleLines)) continue;
      const builder = new RangeSetBuilder<Decoration>();
      const doc = tr.state.doc;
      for (const n of [...new Set(e.value)].filter((n) => n >= 1 && n <= doc.lines).sort((a, b) => a - b)) {
        const line = doc.line(n);
        builder.add(line.from, line.from, ruleLineDeco);
      }
      deco = builder.finish();
    }
    return deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

export interface EditorOptions {
  parent: HTMLElement;
  onChange: (text: string) => void;
  onDropFiles: (files: File[]) => void;
}

export class ManifestEditor {
  readonly view: EditorView;
  #silent = false;

  constructor(options: EditorOptions) {
    this.view = new EditorView({
      parent: options.parent,
      state: EditorState.create({
        doc: '',
        extensions: [
          lineNumbers(),
          foldGutter(),
          lintGutter(),
          highlightActiveLineGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          highlightActiveLine(),
          highlightSelectionMatches(),
          search({ top: true }),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          yaml(),
          ruleLines,
          keymap.of([...defaultKeymap, ...historyKeymap, ...foldKeymap, ...searchKeymap, indentWithTab]),
          EditorView.contentAttributes.of({ 'aria-label': 'Kubernetes manifests (YAML or JSON)' }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged && !this.#silent) options.onChange(u.state.doc.toString());
          }),
          EditorView.domEventHandlers({
            dragover: (e) => {
              if (e.dataTransfer?.types.includes('Files')) {
                e.preventDefault();
                return true;
              }
              return false;
            },
            drop: (e) => {
              const files = [...(e.dataTransfer?.files ?? [])];
              if (!files.length) return false;
              e.preventDefault();
              options.onDropFiles(files);
              return true;
            },
          }),
        ],
      }),
    });
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  /** Replaces the whole text, without telling onChange (the caller is the one changing it). */
  setText(text: string): void {
    this.#silent = true;
    try {
      this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text }, selection: { anchor: 0 } });
      this.view.scrollDOM.scrollTop = 0;
    } finally {
      this.#silent = false;
    }
  }

  /** Shows the engine's located problems as markers on their lines. */
  setMarks(marks: LineMark[]): void {
    const doc = this.view.state.doc;
    const diagnostics: CmDiagnostic[] = marks
      .filter((m) => m.line >= 1)
      .map((m) => {
        const line = doc.line(Math.min(m.line, doc.lines));
        return { from: line.from, to: line.to, severity: m.severity, message: m.message, source: m.source };
      });
    this.view.dispatch(setDiagnostics(this.view.state, diagnostics));
  }

  highlightLines(lines: number[]): void {
    this.view.dispatch({ effects: setRuleLines.of(lines) });
  }

  revealLine(n: number): void {
    const doc = this.view.state.doc;
    const line = doc.line(Math.max(1, Math.min(n, doc.lines)));
    this.view.dispatch({ selection: { anchor: line.from }, effects: EditorView.scrollIntoView(line.from, { y: 'center' }) });
    this.view.focus();
  }
}
