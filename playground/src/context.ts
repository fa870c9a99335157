// What the panes share: the loaded model, the state, the editor, and ways to act.

import type { ManifestEditor } from './editor';
import type { Model } from './engine';
import type { EngineError, Inventory, Query } from './engine-types';
import type { AppState, Pane } from './state';

export interface Context {
  readonly state: AppState;
  readonly editor: ManifestEditor;
  /** The model of the current text, or undefined when it does not load. */
  model(): Model | undefined;
  /** Why the current text does not load. */
  loadError(): EngineError | undefined;
  /** The endpoints a query may name, once known for the current text. */
  inventory(): Inventory | undefined;
  /** The dataplane in force (what `auto` resolved to, once the engine has it). */
  dataplane(): string;
  /** Sets the question, shows the verdict pane and answers it. */
  ask(q: Query): void;
  showPane(p: Pane): void;
  /** The state changed: remember it (local storage). */
  changed(): void;
}
