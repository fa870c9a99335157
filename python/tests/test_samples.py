"""Hosts agree on generated inputs: the clusters and questions that
``core/examples/sample.rs`` generates (the property tests' generators, fixed seed), with
the Rust engine's answers, replayed through Python: every answer (allowed, each layer,
the mesh's decision, or the error code) and every batch must be Rust's.

The file is ``MESHVERDICT_SAMPLES``, else ``<repo>/target/samples.json`` (``python/test.sh``
writes it with ``cargo run --release -p meshverdict --example sample``); without it the
tests skip (``CI=true``: fail)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List

import pytest

from conftest import REPO, in_ci
from meshverdict import Cluster, MeshverdictError

SAMPLES = Path(os.environ.get("MESHVERDICT_SAMPLES") or REPO / "target" / "samples.json")


def _clusters() -> List[Dict[str, Any]]:
    if not SAMPLES.is_file():
        return []
    doc = json.loads(SAMPLES.read_text(encoding="utf-8"))
    assert doc.get("format") == "meshverdict-samples/v1", doc.get("format")
    return list(doc["clusters"])


CLUSTERS = _clusters()


def test_samples_present() -> None:
    if CLUSTERS:
        return
    msg = f"no samples at {SAMPLES} (cargo run --release -p meshverdict --example sample -- 20 {SAMPLES})"
    if in_ci():
        pytest.fail(msg)
    pytest.skip(msg)


def _load(sample: Dict[str, Any]) -> Cluster:
    inputs = sample["inputs"]
    if len(inputs) == 1:
        return Cluster.from_yaml(inputs[0]["text"], dataplane=sample["dataplane"], name=inputs[0]["name"])
    from meshverdict import _native

    handle = _native.load_files([(i["name"], i["text"]) for i in inputs], sample["dataplane"], None)
    return Cluster(handle, sample["name"])


def _ours(cluster: Cluster, q: Dict[str, Any]) -> Dict[str, Any]:
    try:
        v = cluster.verdict(q["from"], q["to"], q["port"], q.get("protocol"))
    except MeshverdictError as e:
        return {"type": "failure", "code": e.code}
    mesh = v.mesh
    return {
        "type": "success",
        "allowed": v.allowed,
        "egress": bool(v.egress.get("allowed")),
        "ingress": bool(v.ingress.get("allowed")),
        "mesh": None if mesh is None else bool(mesh.get("allowed")),
    }


@pytest.mark.parametrize("sample", CLUSTERS, ids=[c["name"] for c in CLUSTERS])
def test_sample_answers_are_rusts(sample: Dict[str, Any]) -> None:
    cluster = _load(sample)
    assert cluster.dataplane == sample["dataplane"]
    problems = []
    answered = []
    for i, item in enumerate(sample["questions"]):
        q, rust = item["query"], item["answer"]
        ours = _ours(cluster, q)
        if ours != rust:
            problems.append(f"#{i} {q}: Python {ours}, Rust {rust}")
        if rust["type"] == "success":
            answered.append((q, rust["allowed"]))
    assert not problems, "\n".join(problems)
    # The batch forms agree with the single answers.
    queries = [(q["from"], q["to"], q["port"], q.get("protocol")) for q, _ in answered]
    assert cluster.allowed_many(queries) == [a for _, a in answered]
    assert [b.allowed for b in cluster.verdicts(queries)] == [a for _, a in answered]
