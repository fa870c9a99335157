#!/usr/bin/env python3
"""Verdict throughput of the Python host, as one JSON line.

    python python/bench.py CLUSTER.yaml QUERIES.json [--dataplane generic] [--rounds 3]

CLUSTER.yaml is a (large, generated) cluster; QUERIES.json a JSON list of
``{"from", "to", "port", "protocol"}`` (``meshverdict generate --out DIR`` writes
both). Every measurement asks all the queries and reports nanoseconds per verdict,
the best of ``--rounds`` rounds:

- ``single_ns``: ``cluster.verdict(...)`` in a loop (the verdict; its details are read on demand)
- ``single_summary_ns``: ``cluster.verdict(...).summary`` in a loop (the one-line reason read)
- ``single_explained_ns``: ``cluster.verdict(...).explain()`` in a loop (with the explanation text)
- ``single_allowed_ns``: ``cluster.allowed_many([q])`` in a loop (one crossing each, no explanation)
- ``batch_ns``: ``cluster.allowed_many(all)`` (one crossing, booleans)
- ``batch_brief_ns``: ``cluster.verdicts(all)`` (one crossing, ``(allowed, summary)``)
- ``columns_ns``: ``cluster.allowed_columns(...)``, the same questions as columns: the
  distinct references in first-seen order, ``from_``/``to``/``port`` as ``array('I')``
  (built before timing), one call per protocol; ``null`` when a port is named (a column
  holds numbers only)
- ``columns_out_ns``: the same, each answer written into a ``bytearray`` (``out=``)

Printed: ``{"host": "python", "single_ns": …, "batch_ns": …, "batch_brief_ns": …, "columns_ns": …, …}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from array import array
from typing import Any, Callable, Dict, List, Optional, Tuple

import meshverdict


def best_ns_per_item(run: Callable[[], object], items: int, rounds: int) -> float:
    best = None
    for _ in range(rounds):
        start = time.perf_counter_ns()
        run()
        took = time.perf_counter_ns() - start
        best = took if best is None else min(best, took)
    return round((best or 0) / max(items, 1), 1)


class Columns:
    """The questions as columns: one batch per protocol, and where each answer goes."""

    def __init__(self, queries: List[Dict[str, Any]]) -> None:
        refs: Dict[str, int] = {}
        # protocol -> (from_, to, port), and the index in the file of each question.
        self.batches: Dict[str, Tuple[array[int], array[int], array[int]]] = {}
        self.positions: Dict[str, List[int]] = {}
        for i, q in enumerate(queries):
            protocol = (q.get("protocol") or "TCP").upper()
            from_, to, port = self.batches.setdefault(protocol, (array("I"), array("I"), array("I")))
            from_.append(refs.setdefault(q["from"], len(refs)))
            to.append(refs.setdefault(q["to"], len(refs)))
            port.append(q["port"])
            self.positions.setdefault(protocol, []).append(i)
        self.endpoints = list(refs)
        self.count = len(queries)
        self.outs = [bytearray(len(from_)) for from_, _, _ in self.batches.values()]

    def ask_into(self, cluster: meshverdict.Cluster) -> List[bytearray]:
        """The same questions, the answers written into buffers (``out=``)."""
        return [cluster.allowed_columns(self.endpoints, from_, to, port, protocol, out=out)  # type: ignore[arg-type]
                for (protocol, (from_, to, port)), out in zip(self.batches.items(), self.outs)]

    def ask(self, cluster: meshverdict.Cluster) -> List[List[bool]]:
        return [cluster.allowed_columns(self.endpoints, from_, to, port, protocol)  # type: ignore[arg-type]
                for protocol, (from_, to, port) in self.batches.items()]

    def answers(self, cluster: meshverdict.Cluster) -> List[bool]:
        """Every answer, in the order of the file."""
        out = [False] * self.count
        for positions, allowed in zip(self.positions.values(), self.ask(cluster)):
            for i, a in zip(positions, allowed):
                out[i] = a
        return out


def main(argv: List[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("cluster", help="cluster YAML (multi-document)")
    p.add_argument("queries", help="JSON list of {from, to, port, protocol}")
    p.add_argument("--dataplane", default="auto", help="auto (default: the one the input shows), generic, calico or cilium")
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args(argv)

    with open(args.cluster, encoding="utf-8") as f:
        text = f.read()
    with open(args.queries, encoding="utf-8") as f:
        queries: List[Dict[str, Any]] = json.load(f)
    dataplane = args.dataplane

    start = time.perf_counter_ns()
    cluster = meshverdict.Cluster.from_yaml(text, dataplane=dataplane, name=args.cluster)
    load_ms = (time.perf_counter_ns() - start) / 1e6

    # Plain tuples for the single calls, so the loop measures the host, not dict lookups.
    singles = [(q["from"], q["to"], q["port"], q.get("protocol") or "TCP") for q in queries]
    n = len(queries)

    def single() -> None:
        verdict = cluster.verdict
        for src, dst, port, proto in singles:
            verdict(src, dst, port, proto)

    def single_summary() -> None:
        verdict = cluster.verdict
        for src, dst, port, proto in singles:
            verdict(src, dst, port, proto).summary

    def single_explained() -> None:
        verdict = cluster.verdict
        for src, dst, port, proto in singles:
            verdict(src, dst, port, proto).explain()

    def single_allowed() -> None:
        allowed_many = cluster.allowed_many
        for q in queries:
            allowed_many([q])

    # The answers must agree before anything is timed.
    batch = cluster.allowed_many(queries)
    briefs = cluster.verdicts(queries)
    if [b.allowed for b in briefs] != batch:
        print("allowed_many and verdicts disagree", file=sys.stderr)
        return 1
    columns: Optional[Columns] = None
    if all(isinstance(q["port"], int) for q in queries):
        columns = Columns(queries)
        if columns.answers(cluster) != batch:
            print("allowed_columns and allowed_many disagree", file=sys.stderr)
            return 1
        columns.ask_into(cluster)
        if [list(map(bool, out)) for out in columns.outs] != columns.ask(cluster):
            print("allowed_columns with out= and without disagree", file=sys.stderr)
            return 1
    sample = singles[: min(n, 1000)]
    if [cluster.verdict(*q).allowed for q in sample] != batch[: len(sample)]:
        print("verdict and allowed_many disagree", file=sys.stderr)
        return 1

    out = {
        "host": "python",
        "single_ns": best_ns_per_item(single, n, args.rounds),
        "single_summary_ns": best_ns_per_item(single_summary, n, args.rounds),
        "single_explained_ns": best_ns_per_item(single_explained, n, args.rounds),
        "batch_ns": best_ns_per_item(lambda: cluster.allowed_many(queries), n, args.rounds),
        "batch_brief_ns": best_ns_per_item(lambda: cluster.verdicts(queries), n, args.rounds),
        "single_allowed_ns": best_ns_per_item(single_allowed, n, args.rounds),
        "columns_ns": best_ns_per_item(lambda: columns.ask(cluster), n, args.rounds) if columns else None,
        "columns_out_ns": best_ns_per_item(lambda: columns.ask_into(cluster), n, args.rounds) if columns else None,
        "queries": n,
        "allowed": sum(batch),
        "load_ms": round(load_ms, 1),
        "dataplane": cluster.dataplane,
        "python": sys.version.split()[0],
    }
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
