"""The whole-cluster and synthesis entry points (matrix, exposure, diff, synthesize,
repair, endpoints): each answers exactly the ``result`` of the CLI's ``-o json`` for the
same question (the same bytes once both are written as compact JSON), and a wrong
argument is a ``TypeError`` (a wrong type) or a ``ValueError`` (a wrong value) naming it.

The CLI is ``MESHVERDICT_CLI``, else ``<repo>/target/release/meshverdict`` (built by
``python/build.sh``; built here when missing)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

from conftest import REPO
from meshverdict import Cluster, InvalidArgumentType, InvalidRequest, ParseError, UnknownEndpoint

BROKEN = "examples/linkerd-netpol-broken"
FIXED = "examples/linkerd-netpol-fixed"
SHOP = "tests/synthesis/shop-2.18.yaml"


def _cli() -> str:
    env = os.environ.get("MESHVERDICT_CLI")
    if env:
        return env
    path = REPO / "target" / "release" / "meshverdict"
    if not path.exists():
        subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "meshverdict-cli"], cwd=REPO, check=True)
    return str(path)


def _cli_result(*args: str) -> Any:
    """The ``result`` of ``meshverdict ARGS -o json``, run at the repository root."""
    r = subprocess.run([_cli(), *args, "-o", "json"], cwd=REPO, capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr
    answer = json.loads(r.stdout)
    assert answer["type"] == "success", r.stdout[:2000]
    return answer["result"]


def _bytes(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _same(host: Any, *args: str) -> None:
    want = _bytes(_cli_result(*args))
    got = _bytes(host)
    assert got == want, f"meshverdict {' '.join(args)} -o json differs:\nhost {got[:1500]}\ncli  {want[:1500]}"


@pytest.fixture
def at_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run at the repository root, so that file names are the CLI's (``examples/…``)."""
    monkeypatch.chdir(REPO)
    return REPO


def test_matrix_is_the_clis(at_repo: Path) -> None:
    c = Cluster.from_path(BROKEN)
    _same(c.matrix(), "matrix", "-f", BROKEN)
    compact = subprocess.run([_cli(), "matrix", "-f", BROKEN, "--by", "class", "-o", "compact"], cwd=REPO,
                             capture_output=True, text=True, check=True)
    assert _bytes(c.matrix(by="class", format="compact")) == _bytes(json.loads(compact.stdout)["result"])
    filtered = c.matrix(by="pod", namespace="emojivoto", port=[8080, "4190-4191"], protocol="tcp", no_externals=True)
    _same(filtered, "matrix", "-f", BROKEN, "--by", "pod", "-n", "emojivoto", "--port", "8080,4190-4191",
          "--protocol", "TCP", "--no-externals")
    assert filtered["cells"] and all(g.get("namespace") for g in filtered["groups"])
    by_src = c.matrix(src="emojivoto/web", dst="linkerd/*")
    _same(by_src, "matrix", "-f", BROKEN, "--from", "emojivoto/web", "--to", "linkerd/*")


def test_exposure_is_the_clis(at_repo: Path) -> None:
    c = Cluster.from_path(BROKEN)
    _same(c.exposure(), "exposure", "-f", BROKEN)
    _same(c.exposure(namespace="linkerd"), "exposure", "-f", BROKEN, "-n", "linkerd")


def test_diff_is_the_clis(at_repo: Path) -> None:
    before = Cluster.from_path(BROKEN)
    d = before.diff(Path(FIXED))
    _same(d, "diff", "--before", BROKEN, "--after", FIXED)
    assert d["diff"]["opened"] and d["forbiddenOpened"] == []
    # The other way round, and the other tree as (name, text) files.
    files = [(f"{FIXED}/{p.name}", p.read_text()) for p in sorted((REPO / FIXED).glob("*.yaml"))]
    assert Cluster.from_path(FIXED).diff(before=Path(BROKEN)) == d
    assert before.diff(files) == d


def test_synthesize_is_the_clis(at_repo: Path) -> None:
    c = Cluster.from_path(SHOP)
    s = c.synthesize()
    _same(s, "synthesize", "-f", SHOP)
    assert s["proof"]["verified"] and s["objects"] and "kind: NetworkPolicy" in s["yaml"]
    intents = (REPO / SHOP).read_text()
    _same(c.synthesize(intents, intents_name=SHOP, dialect="cilium", granularity="namespace"),
          "synthesize", "-f", SHOP, "--intents", SHOP, "--dialect", "cilium", "--granularity", "namespace")
    # Parsed intents: the same policies as their text.
    one = c.synthesize([{"from": "shop/frontend", "to": "shop/orders", "ports": ["http"]}])
    text = c.synthesize("apiVersion: meshverdict/v1\nkind: Intents\nmetadata: {name: one}\nspec:\n  intents:\n"
                        "  - {from: shop/frontend, to: shop/orders, ports: [http]}\n")
    assert one["yaml"] == text["yaml"] and one["concerned"] == text["concerned"]


def test_repair_is_the_clis(at_repo: Path) -> None:
    c = Cluster.from_path(BROKEN, dataplane="calico")
    r = c.repair()
    _same(r, "repair", "-f", BROKEN, "--dataplane", "calico")
    assert r["objects"] and r["fixed"] >= 1 and r["hints"]
    assert not Cluster.from_yaml(r["yaml"] + "\n---\n" + "".join(
        (REPO / BROKEN / n).read_text() + "\n---\n" for n in sorted(os.listdir(REPO / BROKEN))
    ), dataplane="calico").repair()["objects"]


def test_endpoints_are_what_questions_may_name(at_repo: Path) -> None:
    c = Cluster.from_path(BROKEN)
    items = c.endpoints()
    refs = [e["reference"] for e in items]
    assert "emojivoto/web" in refs and any(r.startswith("svc:") for r in refs)
    someone = refs[0]
    for e in items:
        if e["kind"] == "Service":
            c.verdict(someone, e["reference"], e["ports"][0]["port"] if e["ports"] else 1)
        else:
            v = c.verdict(e["reference"], e["reference"], 1)
            assert v.source.get("meshed", False) == e.get("meshed", False)
    with pytest.raises(UnknownEndpoint):
        c.verdict("emojivoto/nope", refs[0], 1)


def test_wrong_arguments_are_type_and_value_errors(at_repo: Path) -> None:
    c = Cluster.from_path(BROKEN)
    with pytest.raises(InvalidRequest, match=r"^matrix: by: unknown variant `namespace`"):
        c.matrix(by="namespace")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match=r"^matrix: port: 70000 is not a port"):
        c.matrix(port=70000)
    with pytest.raises(InvalidRequest, match=r"matrix: protocol: 'ICMP' is not a protocol"):
        c.matrix(protocol="ICMP")  # type: ignore[call-overload]
    with pytest.raises(InvalidArgumentType, match=r"^matrix: by: invalid type: integer `3`"):
        c.matrix(by=3)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"^no_externals must be a bool, not str"):
        c.matrix(no_externals="yes")  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        c.matrix(colour="red")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="diff takes after"):
        c.diff()
    with pytest.raises(TypeError, match=r"^after must be manifests"):
        c.diff(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^after\[0\] must be a \(name, text\) tuple"):
        c.diff(["a.yaml"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"^diff: by: unknown variant"):
        c.diff("", by="namespace")  # type: ignore[arg-type]
    with pytest.raises(ParseError) as e:
        c.diff(b"kind: Pod\nname: \xff\n")
    assert e.value.location["source"] == "after" and e.value.location["line"] == 2
    with pytest.raises(ParseError) as e:
        c.diff("kind: [", by="pod")
    assert e.value.location["source"] == "after"
    with pytest.raises(TypeError, match=r"^synthesize: intents must be"):
        c.synthesize(5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^synthesize: dialect: unknown variant `calico`"):
        c.synthesize([], dialect="calico")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^isolate must be a list"):
        c.synthesize([], isolate="shop")
    with pytest.raises(InvalidRequest, match="no intents"):
        c.synthesize()
    with pytest.raises(ValueError, match=r"^repair: dialect: unknown variant `linkerd`"):
        c.repair(dialect="linkerd")  # type: ignore[arg-type]


def test_answers_are_plain_json_values(at_repo: Path) -> None:
    c = Cluster.from_path(BROKEN, dataplane="calico")
    answers: List[Any] = [c.matrix(), c.matrix(format="compact"), c.exposure(), c.repair(), c.endpoints()]
    for a in answers:
        assert json.loads(json.dumps(a)) == a
    first: Dict[str, Any] = dict(c.endpoints()[0])
    assert {"reference", "kind", "namespace", "name", "labels", "ports"} <= first.keys()


def _fits(value: Any, hint: Any, where: str) -> List[str]:
    """Where ``value`` does not fit the declared ``hint``: keys missing or unknown in a
    TypedDict (recursively, through lists); other hints are not looked into."""
    import typing

    origin = typing.get_origin(hint)
    if origin in (list, List) and isinstance(value, list):
        (item,) = typing.get_args(hint) or (Any,)
        return [p for i, v in enumerate(value) for p in _fits(v, item, f"{where}[{i}]")]
    if isinstance(hint, type) and issubclass(hint, dict) and hasattr(hint, "__required_keys__"):
        if not isinstance(value, dict):
            return [f"{where}: not an object"]
        declared = hint.__required_keys__ | hint.__optional_keys__
        problems = [f"{where}.{k}: not declared in {hint.__name__}" for k in value if k not in declared]
        problems += [f"{where}.{k}: missing, required by {hint.__name__}" for k in hint.__required_keys__ if k not in value]
        hints = typing.get_type_hints(hint)
        return problems + [p for k, v in value.items() if k in hints for p in _fits(v, hints[k], f"{where}.{k}")]
    return []


def test_the_declared_types_fit_the_answers(at_repo: Path) -> None:
    """The TypedDicts of the answers name exactly their keys (none missing, none unknown)."""
    from meshverdict import DiffResult, EndpointInfo, Exposure, MatrixCells, MatrixCompact, Repair, Synthesis

    c = Cluster.from_path(BROKEN, dataplane="calico")
    shop = Cluster.from_path(SHOP)
    samples = [
        (c.matrix(), MatrixCells), (c.matrix(by="pod"), MatrixCells), (c.matrix(by="class", format="compact"), MatrixCompact),
        (c.exposure(), List[Exposure]), (Cluster.from_path(BROKEN).diff(Path(FIXED)), DiffResult),
        (shop.synthesize(), Synthesis), (shop.synthesize(dialect="linkerd"), Synthesis), (c.repair(), Repair),
        (c.endpoints(), List[EndpointInfo]),
    ]
    problems = [p for value, hint in samples for p in _fits(value, hint, getattr(hint, "__name__", str(hint)))]
    assert not problems, "\n".join(problems[:40])
