# Type-checked by tests/test_typing.py with `mypy --strict`, never run: every public
# name used as the README uses it. Must check clean.
from __future__ import annotations

from array import array
from pathlib import Path
from typing import List, Union

import meshverdict
from meshverdict import (
    DiffResult,
    EndpointInfo,
    Exposure,
    MatrixCells,
    MatrixCompact,
    Repair,
    Synthesis,
    CaseReport,
    Cluster,
    DataplaneChoice,
    Diagnostic,
    Limits,
    LoadWarning,
    MeshverdictError,
    Query,
    SkippedFile,
    Verdict,
    VerdictBrief,
    run_case,
)


def use(text: str, folder: Path) -> None:
    limits: Limits = {"max_objects": 10_000, "max_depth": 64}
    c: Cluster = Cluster.from_yaml(text, dataplane="cilium", name="x.yaml", limits=limits)
    Cluster.from_yaml(text.encode())
    d: Cluster = Cluster.from_path(folder, dataplane="auto")
    skipped: List[SkippedFile] = d.skipped_files
    name: str = c.dataplane
    reason: str = c.dataplane_reason
    v: Verdict = c.verdict("shop/web", "shop/api", "http", "UDP")
    choice: DataplaneChoice = v.dataplane
    ok: bool = v.allowed and bool(v) and choice.name in ("generic", "calico", "cilium")
    port: int = v.port
    wire: int | None = v.wire_port
    members: List[Verdict] = v.members + v.backends
    qs: List[Query] = [("a/b", "a/c", 80), ("a/b", "a/c", 80, "TCP"), {"from": "a/b", "to": "a/c", "port": 80}]
    briefs: List[VerdictBrief] = c.verdicts(qs)
    mixed: List[Union[VerdictBrief, MeshverdictError]] = c.verdicts(qs, errors="return")
    many: List[bool] = c.allowed_many(qs)
    columns: List[bool] = c.allowed_columns(["a/b", "a/c"], array("I", [0, 1]), memoryview(b"\x01\x00"), 80)
    columns += c.allowed_columns(("a/b",), [0], (0,), array("H", [443]), protocol="udp")
    diags: List[Diagnostic] = c.diagnostics()
    errors: List[MeshverdictError] = c.errors()
    warnings: List[LoadWarning] = c.warnings
    report: CaseReport = run_case(text, name="case.yaml")
    try:
        c.verdict("a/b", "a/c", 80)
    except meshverdict.UnknownEndpoint as e:
        print(e.code, e.message, e.help, e.location.get("line"))
    except meshverdict.InvalidArgumentType as e:
        print(e.code)
    m: MatrixCells = c.matrix(by="pod", namespace="shop", src="shop/web", dst="shop/*", port=[8080, "9000-9100"],
                              protocol=["TCP", "udp"], no_externals=True)
    compact: MatrixCompact = c.matrix(by="class", format="compact")
    first: int = m["cells"][0]["from"] + m["cells"][0]["ports"][0]["to"]
    exposed: List[Exposure] = c.exposure(namespace="shop")
    change: DiffResult = c.diff(text, by="pod", forbid="kind: Expectations")
    also: DiffResult = c.diff(before=folder) if c.diff(after=[("a.yaml", text), ("b.yaml", b"")]) else change
    s: Synthesis = c.synthesize([{"from": "shop/web", "to": "shop/api", "ports": [8080]}], dialect="cilium",
                                granularity="namespace", isolate=["shop"], from_current=True)
    s2: Synthesis = c.synthesize(text, intents_name="intents.yaml")
    r: Repair = c.repair(dialect="cilium")
    eps: List[EndpointInfo] = c.endpoints()
    refs: List[str] = [e["reference"] for e in eps] + r["unrepairable"] + s["concerned"] + s2["concerned"]
    print(skipped, name, reason, ok, port, wire, members, briefs, mixed, many, columns, diags, errors, warnings, report)
    print(m, compact, first, exposed, change, also, refs)
