// Reading the engine's compact matrix (`cluster.matrix({ format: 'compact' })`, the CLI's
// `matrix -o compact`): columnar and indexed by identity class. Each row says which
// source classes (a set of `sets`) a destination class admits on which ports; a group (a
// pod or workload) points at its classes. The page only looks answers up here: whether a
// port lies in a row's ranges and a class in a row's set. Deciding stays the engine's.

/** The part of the engine's `MatrixCompact` the page reads. */
export interface CompactMatrix {
  groups: { reference: string; classes?: number[] }[];
  classes: unknown[];
  sets: { runs?: [number, number][]; bits?: string }[];
  rows: { protocol: string; to: number; from: number; ports: { from: number; to: number }[] }[];
}

/** A set of classes as a bitset (32-bit words, bit i = class i). */
type Bits = Uint32Array;

function decodeSet(s: CompactMatrix['sets'][number], words: number): Bits {
  const out = new Uint32Array(words);
  if (s.runs) {
    for (const [first, end] of s.runs) {
      for (let i = first; i < end && i < words * 32; i++) out[i >>> 5]! |= 1 << (i & 31);
    }
  } else if (s.bits) {
    // base64 of little-endian 64-bit words: byte b holds classes 8b … 8b+7.
    const raw = atob(s.bits);
    for (let b = 0; b < raw.length && b < words * 4; b++) out[b >>> 2]! |= raw.charCodeAt(b) << ((b & 3) * 8);
  }
  return out;
}

/**
 * Answers "may a pod of these source classes reach a pod of these destination classes on
 * port/protocol?" from one compact matrix. A group of several classes (a workload whose
 * pods differ) holds only where it holds for every class pair, as the engine's own cells.
 */
export class CompactIndex {
  readonly #m: CompactMatrix;
  readonly #words: number;
  readonly #sets: (Bits | undefined)[];
  readonly #rowsTo = new Map<number, CompactMatrix['rows']>();
  readonly #admitted = new Map<string, Bits>();
  readonly classesOf = new Map<string, number[]>();
  /** Whether the workload groups were added (engine.ts asks for them once, when needed). */
  hasWorkloads = false;

  constructor(m: CompactMatrix) {
    this.#m = m;
    this.#words = Math.max(1, Math.ceil(m.classes.length / 32));
    this.#sets = new Array(m.sets.length);
    for (const row of m.rows) {
      const list = this.#rowsTo.get(row.to);
      if (list) list.push(row);
      else this.#rowsTo.set(row.to, [row]);
    }
    for (const g of m.groups) {
      if (g.classes?.length && !this.classesOf.has(g.reference)) this.classesOf.set(g.reference, g.classes);
    }
  }

  #set(i: number): Bits {
    let s = this.#sets[i];
    if (!s) {
      s = decodeSet(this.#m.sets[i] ?? {}, this.#words);
      this.#sets[i] = s;
    }
    return s;
  }

  /** The source classes every one of `to`'s classes admits on port/protocol. */
  admitted(to: number[], port: number, protocol: string): Bits {
    const key = `${to.join(',')}|${port}|${protocol}`;
    let acc = this.#admitted.get(key);
    if (acc) return acc;
    for (const d of to) {
      const union = new Uint32Array(this.#words);
      for (const row of this.#rowsTo.get(d) ?? []) {
        if (row.protocol !== protocol || !row.ports.some((r) => r.from <= port && port <= r.to)) continue;
        const s = this.#set(row.from);
        for (let w = 0; w < union.length; w++) union[w]! |= s[w]!;
      }
      if (acc) for (let w = 0; w < acc.length; w++) acc[w]! &= union[w]!;
      else acc = union;
    }
    acc ??= new Uint32Array(this.#words);
    this.#admitted.set(key, acc);
    return acc;
  }

  static holds(admitted: Bits, from: number[]): boolean {
    return from.every((c) => ((admitted[c >>> 5] ?? 0) >>> (c & 31)) & 1);
  }
}
