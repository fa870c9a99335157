#!/usr/bin/env python3
"""The core's module graph says that data flows one way.

Reads every `crate::…` and `super::…` path in core/src (uses and inline paths), maps
each file to its module, and fails when
  - a module imports one of a later stage (stages below, from the README's design), or
  - the modules import each other in a cycle (at file granularity).

    python3 scripts/check-layers.py [--graph]   # --graph prints the stage graph as DOT
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent / "core" / "src"

# Data flows from top to bottom; a module may use its own stage and those above it.
STAGES = [
    ("vocabulary", {"error", "findings", "refs", "ports", "selector", "answer"}),
    ("source", {"source", "gitops"}),
    ("model", {"model"}),
    ("compile", {"compile"}),
    ("evaluate", {"evaluate"}),
    ("facade", {"cluster"}),
    ("explain/diagnose/synthesize", {"explain", "diagnose", "synthesize"}),
    ("runners", {"conformance", "synthetic"}),
]
STAGE_OF = {m: i for i, (_, mods) in enumerate(STAGES) for m in mods}


def module_of(path: pathlib.Path) -> list:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib"):
        parts = parts[:-1]
    return parts


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//")[0] if not line.lstrip().startswith("//") else "" for line in text.splitlines())


PATH = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")


def main() -> int:
    files = sorted(ROOT.rglob("*.rs"))
    mods = {tuple(module_of(f)): f for f in files}
    edges = {}
    problems = []
    for f in files:
        me = module_of(f)
        if not me:
            continue  # lib.rs declares the modules
        text = strip_comments(f.read_text())
        # Tests may reach anywhere; only library code is checked.
        text = text.split("#[cfg(test)]")[0]
        targets = set()
        for kind, rest in PATH.findall(text):
            segs = rest.strip(":").split("::")
            if kind == "crate":
                base = []
            else:
                # `super` from a mod.rs file is its parent's parent.
                is_mod = f.name == "mod.rs"
                base = me[:-1] if not is_mod else me[:-1]
                while segs and segs[0] == "super":
                    base = base[:-1]
                    segs = segs[1:]
            path = base + segs
            # The longest prefix that is a module file.
            for n in range(len(path), 0, -1):
                if tuple(path[:n]) in mods:
                    targets.add(tuple(path[:n]))
                    break
        targets.discard(tuple(me))
        edges[tuple(me)] = targets
        my_stage = STAGE_OF.get(me[0])
        for t in targets:
            their = STAGE_OF.get(t[0])
            if my_stage is None or their is None:
                problems.append(f"{'::'.join(me)}: module {me[0]!r} or {t[0]!r} has no stage in scripts/check-layers.py")
            elif their > my_stage:
                problems.append(
                    f"{'::'.join(me)} ({STAGES[my_stage][0]}) imports {'::'.join(t)} ({STAGES[their][0]}), a later stage"
                )
    # Cycles among file modules (a module and its own submodules are one unit).
    def unit(m):
        return m
    state = {}
    stack = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for t in sorted(edges.get(n, ())):
            if t[: len(n)] == n or n[: len(t)] == t:
                continue  # parent and child modules
            if state.get(t) == 1:
                cycle = stack[stack.index(t):] + [t]
                problems.append("import cycle: " + " → ".join("::".join(c) for c in cycle))
            elif state.get(t) is None:
                visit(t)
        stack.pop()
        state[n] = 2

    for n in sorted(edges):
        if n not in state:
            visit(n)
    if "--graph" in sys.argv:
        print("digraph stages {")
        seen = set()
        for a, ts in edges.items():
            for b in ts:
                e = (a[0], b[0])
                if e[0] != e[1] and e not in seen:
                    seen.add(e)
                    print(f'  "{e[0]}" -> "{e[1]}";')
        print("}")
    for p in sorted(set(problems)):
        print(p, file=sys.stderr)
    if problems:
        print(f"check-layers: {len(set(problems))} problem(s)", file=sys.stderr)
        return 1
    print(f"check-layers: {len(edges)} modules, data flows one way, no import cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
