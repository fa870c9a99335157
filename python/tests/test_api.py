"""The Python API over a few small inline clusters."""

from __future__ import annotations

import collections
import ctypes
import os
import pickle
import threading
from array import array
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

import meshverdict
from meshverdict import (
    CaseReport,
    Cluster,
    DataplaneChoice,
    Diagnostic,
    InvalidArgumentType,
    InvalidCase,
    InvalidPolicy,
    InvalidRequest,
    LimitExceeded,
    LoadWarning,
    MeshverdictError,
    ParseError,
    SkippedFile,
    UnknownEndpoint,
    Verdict,
    VerdictBrief,
    run_case,
)

# The cluster of the bindings' own tests: b may not reach a; a reaches b.
SMALL = """\
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
spec: {containers: [{name: c, ports: [{containerPort: 80, name: http}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x}
spec: {containers: [{name: c}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: x}
spec: {podSelector: {matchLabels: {app: a}}}
"""

# Two meshed pods (Linkerd, version not given: 2.18+ assumed), a Service and a policy
# that admits only the application port, which the mesh does not use.
MESHED = """\
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: api, ports: [{containerPort: 8080, name: http}]}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{name: web, port: 80, targetPort: http}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-allow, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 8080}]}]
"""

INVALID_CIDR = """\
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {app: b}}
spec: {containers: [{name: c}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad, namespace: x}
spec:
  podSelector: {matchLabels: {app: a}}
  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]
"""

CILIUM_POLICY = """\
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: c, namespace: x}
spec: {endpointSelector: {matchLabels: {app: a}}, ingress: [{fromEndpoints: [{}]}]}
"""

# A Deployment whose two running Pods are in the input: a reference to it names both.
WORKLOAD = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: x, uid: d1}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c}]}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-5d4f, namespace: x, uid: r1, ownerReferences: [{kind: Deployment, name: web, uid: d1, apiVersion: apps/v1}]}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c}]}}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: x, labels: {app: web}, ownerReferences: [{kind: ReplicaSet, name: web-5d4f, uid: r1, apiVersion: apps/v1}]}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: web-2, namespace: x, labels: {app: web}, ownerReferences: [{kind: ReplicaSet, name: web-5d4f, uid: r1, apiVersion: apps/v1}]}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: x, labels: {app: client}}
spec: {containers: [{name: c}]}
"""

CASE = SMALL + """\
---
apiVersion: meshverdict/v1
kind: Expectations
metadata: {name: small}
spec:
  dataplane: calico
  flows:
  - {from: x/a, to: x/b, port: 80, expect: allow}
  - {from: x/b, to: x/a, port: http, expect: allow}
  - {from: x/b, to: x/a, port: 80, protocol: UDP, expect: deny}
  absentDiagnostics:
  - code: selector-matches-nothing
"""


@pytest.fixture(scope="module")
def small() -> Cluster:
    return Cluster.from_yaml(SMALL, dataplane="calico", name="small.yaml")


@pytest.fixture(scope="module")
def meshed() -> Cluster:
    return Cluster.from_yaml(MESHED, name="meshed.yaml")


# ------------------------------------------------------------------ verdicts

def test_allow_and_deny(small: Cluster) -> None:
    allow = small.verdict("x/a", "x/b", 80)
    deny = small.verdict("x/b", "x/a", 80)
    assert isinstance(allow, Verdict) and isinstance(deny, Verdict)
    assert allow.allowed is True
    assert deny.allowed is False
    assert small.dataplane == allow.dataplane.name == "calico"
    assert allow.dataplane == DataplaneChoice("calico", "given by the caller")
    assert small.dataplane_reason == "given by the caller"


def test_truthiness_is_the_verdict(small: Cluster) -> None:
    # A denied verdict must never pass `if verdict:` or `assert verdict`.
    allow = small.verdict("x/a", "x/b", 80)
    deny = small.verdict("x/b", "x/a", 80)
    assert bool(allow) is True and bool(deny) is False
    assert not deny
    briefs = small.verdicts([("x/a", "x/b", 80), ("x/b", "x/a", 80)])
    assert [bool(b) for b in briefs] == [True, False]
    allowed, summary = briefs[1]
    assert allowed is False and summary == deny.summary
    assert bool(pickle.loads(pickle.dumps(deny))) is False


def test_auto_dataplane() -> None:
    auto = Cluster.from_yaml(SMALL)
    assert auto.dataplane == "generic"
    assert auto.dataplane_reason.startswith("auto:")
    assert auto.verdict("x/a", "x/b", 80).dataplane.reason == auto.dataplane_reason
    cilium = Cluster.from_yaml(SMALL + CILIUM_POLICY)
    assert cilium.dataplane == "cilium" and "Cilium" in cilium.dataplane_reason
    assert Cluster.from_yaml(SMALL + CILIUM_POLICY, dataplane="generic").dataplane == "generic"


def test_members() -> None:
    c = Cluster.from_yaml(WORKLOAD, name="workload.yaml")
    v = c.verdict("x/client", "x/web", 80)
    pairs = {(m.source["reference"], m.destination["reference"]) for m in v.members}
    assert pairs == {("x/client", "x/web-1"), ("x/client", "x/web-2")}
    assert v.allowed == all(m.allowed for m in v.members)
    assert all(isinstance(m, Verdict) for m in v.members)


def test_explain(small: Cluster) -> None:
    deny = small.verdict("x/b", "x/a", 80)
    text = deny.explain()
    assert text.startswith("DENIED")
    assert "x/b" in text and "x/a" in text
    assert text == deny.explanation == deny.to_dict()["explanation"]
    assert small.verdict("x/a", "x/b", 80).explain().startswith("ALLOWED")
    assert deny.summary and str(deny) == deny.summary
    assert "allowed=False" in repr(deny)


def test_to_dict(small: Cluster) -> None:
    v = small.verdict("x/b", "x/a", 80)
    d = v.to_dict()
    assert {"allowed", "from", "to", "port", "protocol", "egress", "ingress", "dataplane", "summary", "explanation"} <= d.keys()
    assert d["allowed"] is False and d["port"] == 80 and d["protocol"] == "TCP"
    assert d["from"]["reference"] == "x/b" and d["to"]["reference"] == "x/a"
    assert d["ingress"]["allowed"] is False and d["ingress"]["isolated"] is True
    # A copy: changing it changes nothing.
    d["allowed"] = True
    assert v.allowed is False and v.to_dict()["allowed"] is False
    assert v.source["reference"] == "x/b" and v.destination["kind"] == "Pod"
    assert v.egress["allowed"] is True and v.ingress["allowed"] is False
    assert v.mesh is None and v.backends == [] and v.warnings == []
    assert v == small.verdict("x/b", "x/a", 80)


def test_named_port(small: Cluster) -> None:
    v = small.verdict("x/b", "x/a", "http")
    assert v.port == 80 and v.protocol == "TCP"
    assert v.allowed == small.verdict("x/b", "x/a", 80).allowed
    with pytest.raises(MeshverdictError):
        small.verdict("x/b", "x/a", "no-such-port")


def test_protocols(small: Cluster) -> None:
    assert small.verdict("x/a", "x/b", 53, "UDP").protocol == "UDP"
    assert small.verdict("x/a", "x/b", 53, protocol="udp").protocol == "UDP"
    assert small.verdict("x/a", "x/b", 53, protocol=None).protocol == "TCP"
    assert small.verdict("x/a", "x/b", 9, "SCTP").protocol == "SCTP"


def test_wire_port_and_mesh(meshed: Cluster) -> None:
    v = meshed.verdict("shop/web", "shop/api", 8080)
    assert v.port == 8080 and v.wire_port == 4143
    assert v.wire_port_reason and "4143" in v.wire_port_reason
    assert v.allowed is False  # the policy admits 8080 only; the mesh uses 4143
    assert v.mesh is not None and v.mesh["mesh"] == "linkerd"
    assert "4143" in v.explain()
    assert meshed.verdict("shop/api", "shop/web", 80).wire_port == 4143
    assert Cluster.from_yaml(SMALL).verdict("x/a", "x/b", 80).wire_port is None


def test_service(meshed: Cluster) -> None:
    v = meshed.verdict("shop/web", "svc:shop/api", "web")
    assert len(v.backends) == 1 and isinstance(v.backends[0], Verdict)
    assert v.backends[0].port == 8080
    assert v.allowed == all(b.allowed for b in v.backends)


# ------------------------------------------------------------------ batches

QUERIES = [
    ("x/a", "x/b", 80),
    ("x/b", "x/a", 80),
    ("x/b", "x/a", "http", "TCP"),
    ["x/a", "x/b", 53, "UDP"],
    {"from": "x/b", "to": "x/a", "port": 80, "protocol": "UDP"},
    {"from": "x/a", "to": "x/b", "port": 80},
]


def test_allowed_many(small: Cluster) -> None:
    want = [small.verdict(*(q.values() if isinstance(q, dict) else q)).allowed for q in QUERIES]
    assert small.allowed_many(QUERIES) == want == [True, False, False, True, False, True]
    assert small.allowed_many([]) == []
    assert small.allowed_many(iter(QUERIES)) == want


def test_verdicts(small: Cluster) -> None:
    out = small.verdicts(QUERIES)
    assert all(isinstance(b, VerdictBrief) for b in out)
    assert [b.allowed for b in out] == small.allowed_many(QUERIES)
    for q, brief in zip(QUERIES, out):
        args = tuple(q.values()) if isinstance(q, dict) else tuple(q)
        allowed, summary = brief
        v = small.verdict(*args)
        assert (allowed, summary) == (v.allowed, v.summary)
    assert small.verdicts([]) == []


def test_batch_errors(small: Cluster) -> None:
    queries = [("x/a", "x/b", 80), ("x/nope", "x/b", 80), ("x/a", "x/b", "no-such-port")]
    with pytest.raises(UnknownEndpoint):
        small.verdicts(queries)
    with pytest.raises(UnknownEndpoint):
        small.allowed_many(queries)
    out = small.verdicts(queries, errors="return")
    assert isinstance(out[0], VerdictBrief) and out[0].allowed
    assert isinstance(out[1], UnknownEndpoint) and out[1].code == "unknown-endpoint"
    assert isinstance(out[2], MeshverdictError) and out[2].code == "invalid-request"
    # A wrong argument is the caller's mistake, found before any question is asked:
    # it raises whatever `errors` says.
    with pytest.raises(InvalidRequest, match=r"^protocol of queries\[1\]"):
        small.verdicts([("x/a", "x/b", 80), ("x/a", "x/b", 80, "ICMP")], errors="return")  # type: ignore[list-item]
    with pytest.raises(ValueError):
        small.verdicts(queries, errors="ignore")  # type: ignore[call-overload]


# ------------------------------------------------------------------ columns

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cilium-linkerd"

# Every form a column may take, from a list of ints.
COLUMN_FORMS: Dict[str, Callable[[List[int]], Any]] = {
    "list": list,
    "tuple": tuple,
    "array-I": lambda v: array("I", v),
    "array-q": lambda v: array("q", v),
    "array-H": lambda v: array("H", v),
    "memoryview": lambda v: memoryview(array("I", v)),
    # Every other item of a twice-as-long array: a view that is not contiguous.
    "memoryview-strided": lambda v: memoryview(array("l", [x for x in v for _ in (0, 1)]))[::2],
    # ctypes gives the byte order in the format: '<I', and '>I' for big-endian numbers.
    "ctypes": lambda v: (ctypes.c_uint32 * len(v))(*v),
    "ctypes-big-endian": lambda v: (ctypes.c_uint32.__ctype_be__ * len(v))(*v),  # type: ignore[attr-defined]
    # A sequence that is neither a list, a tuple nor a buffer.
    "userlist": collections.UserList,
}


@pytest.fixture(scope="module")
def example() -> Cluster:
    return Cluster.from_path(EXAMPLE)


@pytest.mark.parametrize("form", sorted(COLUMN_FORMS))
def test_allowed_columns_answer_as_allowed_many(example: Cluster, form: str) -> None:
    column = COLUMN_FORMS[form]
    endpoints = [e["reference"] for e in example.endpoints()]
    pods = [i for i, e in enumerate(endpoints) if not e.startswith("svc:")]
    ports = [53, 8080, 9898, 9999]
    # Every pair of Pods or workloads on every port (a Service is asked only on its ports).
    questions = [(a, b, p) for a in pods for b in pods for p in ports]
    from_, to, port = (list(c) for c in zip(*questions))
    want = example.allowed_many([(endpoints[a], endpoints[b], p) for a, b, p in questions])
    assert True in want and False in want
    assert example.allowed_columns(endpoints, column(from_), column(to), column(port)) == want
    # One port for all, on each protocol.
    answers = set()
    for p in ports:
        for protocol in ("TCP", "udp"):
            one = example.allowed_many([(endpoints[a], endpoints[b], p, protocol) for a, b, _ in questions])
            assert example.allowed_columns(tuple(endpoints), column(from_), column(to), p, protocol) == one
            answers.add(tuple(one))
    assert len(answers) > 1, "the answers must depend on the port or the protocol"


@pytest.mark.parametrize(
    "make",
    [bytearray, lambda n: array("B", bytes(n)), lambda n: array("b", bytes(n)), lambda n: memoryview(bytearray(n)),
     lambda n: (ctypes.c_bool * n)()],
    ids=["bytearray", "array-B", "array-b", "memoryview", "ctypes-bool"],
)
def test_allowed_columns_into_a_buffer(example: Cluster, make: Callable[[int], Any]) -> None:
    endpoints = [e["reference"] for e in example.endpoints() if not e["reference"].startswith("svc:")]
    n = len(endpoints)
    from_ = array("I", [a for a in range(n) for _ in range(n)])
    to = array("I", [b for _ in range(n) for b in range(n)])
    want = example.allowed_columns(endpoints, from_, to, 8080)
    assert True in want and False in want
    # Written over what the buffer held: every item, allowed or not.
    out = make(len(want))
    memoryview(out).cast("B")[:] = b"\x07" * len(want)
    assert example.allowed_columns(endpoints, from_, to, 8080, out=out) is out
    assert [bool(x) for x in memoryview(out).cast("B")] == want
    assert bytes(memoryview(out).cast("B")) == bytes(want)
    # A wrong question still raises, and the buffer is as the failed call found it.
    before = bytes(memoryview(out).cast("B"))
    with pytest.raises(UnknownEndpoint):
        example.allowed_columns(endpoints + ["x/nope"], from_, array("I", [n] * len(to)), 8080, out=out)
    assert bytes(memoryview(out).cast("B")) == before


def test_allowed_columns_into_numpy(example: Cluster) -> None:
    np = pytest.importorskip("numpy")
    endpoints = [e["reference"] for e in example.endpoints() if not e["reference"].startswith("svc:")]
    n = len(endpoints)
    from_ = np.repeat(np.arange(n, dtype=np.uint32), n)
    to = np.tile(np.arange(n, dtype=np.uint32), n)
    out = np.zeros(n * n, dtype=bool)
    assert example.allowed_columns(endpoints, from_, to, 8080, out=out) is out
    assert out.tolist() == example.allowed_columns(endpoints, from_, to, 8080)


def test_allowed_columns_bytes(small: Cluster) -> None:
    # bytes and bytearray are buffers of format 'B'.
    endpoints = ["x/a", "x/b"]
    assert small.allowed_columns(endpoints, b"\x00\x01", bytearray(b"\x01\x00"), 80) == [True, False]


def test_allowed_columns_empty(small: Cluster) -> None:
    assert small.allowed_columns([], [], [], 80) == []
    assert small.allowed_columns(["x/a"], array("I"), array("I"), array("I")) == []
    # A reference no question uses is not looked up.
    assert small.allowed_columns(["x/nope"], (), (), 80) == []


def test_allowed_columns_engine_errors(small: Cluster) -> None:
    endpoints = ["x/a", "x/b", "x/nope"]
    # x/nope is named by no question: no error.
    assert small.allowed_columns(endpoints, [0, 1], [1, 0], 80) == [True, False]
    with pytest.raises(UnknownEndpoint) as info:
        small.allowed_columns(endpoints, array("I", [0, 1, 2, 2]), array("I", [1, 0, 0, 1]), 80)
    e = info.value
    assert e.code == "unknown-endpoint"
    assert e.message.startswith("from_[2] → to[2]: ")
    # The error a question by text gets, but for its prefix.
    with pytest.raises(UnknownEndpoint) as by_text:
        small.allowed_many([("x/a", "x/b", 80), ("x/b", "x/a", 80), ("x/nope", "x/a", 80)])
    assert e.message.replace("from_[2] → to[2]: ", "") == by_text.value.message.replace("queries[2]: ", "")
    assert e.help == by_text.value.help
    # A Service is only a destination.
    meshed = Cluster.from_yaml(MESHED)
    with pytest.raises(MeshverdictError) as info:
        meshed.allowed_columns(["shop/web", "svc:shop/api"], [0, 1], [1, 0], 80)
    assert info.value.code == "invalid-request" and info.value.message.startswith("from_[1] → to[1]: ")


def test_allowed_columns_threads(small: Cluster) -> None:
    endpoints, from_, to = ["x/a", "x/b"], array("I", [0, 1] * 500), array("I", [1, 0] * 500)
    want = [True, False] * 500
    results: List[List[bool]] = []

    def work() -> None:
        for _ in range(20):
            results.append(small.allowed_columns(endpoints, from_, to, 80))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 80 and all(r == want for r in results)


# ------------------------------------------------------------------ errors

def test_unknown_endpoint(small: Cluster) -> None:
    with pytest.raises(UnknownEndpoint) as info:
        small.verdict("x/nope", "x/a", 80)
    e = info.value
    assert e.code == "unknown-endpoint" == UnknownEndpoint.code
    assert isinstance(e, MeshverdictError) and isinstance(e, LookupError)
    assert "x/nope" in e.message and e.message in str(e)
    assert e.to_dict()["code"] == "unknown-endpoint"


def test_bad_batch_shapes(small: Cluster) -> None:
    with pytest.raises(InvalidArgumentType, match=r"^queries\[0\] must be a tuple"):
        small.allowed_many([("x/a", "x/b")])  # type: ignore[list-item]
    with pytest.raises(InvalidArgumentType, match=r"queries\[0\] has no key 'bogus'"):
        small.allowed_many([{"from": "x/a", "to": "x/b", "port": 80, "bogus": 1}])
    with pytest.raises(InvalidArgumentType):
        small.verdicts([{"from": "x/a", "to": "x/b", "port": 80, "bogus": 1}])
    with pytest.raises(InvalidArgumentType, match=r"queries\[0\] has no 'port'"):
        small.verdicts([{"from": "x/a", "to": "x/b"}])
    with pytest.raises(InvalidArgumentType, match=r"^queries\[1\] must be .*, not int$"):
        small.allowed_many([("x/a", "x/b", 80), 42])  # type: ignore[list-item]
    with pytest.raises(InvalidArgumentType, match=r"^queries must be an iterable of queries, not str$"):
        small.allowed_many("x/a")  # type: ignore[arg-type]


def test_load_errors() -> None:
    with pytest.raises(ParseError) as info:
        Cluster.from_yaml("a: [1,", name="broken.yaml")
    e = info.value
    assert e.code == "parse-error" and e.location["source"] == "broken.yaml"
    assert e.location.get("line")
    assert "broken.yaml" in str(e)
    with pytest.raises(InvalidRequest) as bad:
        Cluster.from_yaml(SMALL, dataplane="flannel")  # type: ignore[arg-type]
    assert bad.value.message == "dataplane must be 'auto', 'generic', 'calico' or 'cilium' (str), not 'flannel'"
    assert bad.value.help and isinstance(bad.value, ValueError)
    with pytest.raises(InvalidArgumentType) as wrong:
        Cluster.from_yaml(42)  # type: ignore[arg-type]
    assert wrong.value.message == "text must be YAML or JSON text (str, or bytes in UTF-8), not int"
    assert isinstance(wrong.value, TypeError) and wrong.value.code == "invalid-request"


def test_bad_utf8_is_a_located_parse_error() -> None:
    with pytest.raises(ParseError) as info:
        Cluster.from_yaml(b"kind: Pod\nmetadata: {name: \xff}\n", name="latin1.yaml")
    loc = info.value.location
    assert (loc["source"], loc["line"], loc["offset"]) == ("latin1.yaml", 2, 27)
    assert "UTF-8" in info.value.message and info.value.help
    assert not isinstance(info.value, UnicodeDecodeError)


def test_limits() -> None:
    with pytest.raises(LimitExceeded) as info:
        Cluster.from_yaml(SMALL, limits={"max_objects": 2})
    assert info.value.code == "limit-exceeded"
    assert Cluster.from_yaml(SMALL, limits={"max_objects": 3, "max_depth": 20}).verdict("x/a", "x/b", 80)
    with pytest.raises(LimitExceeded):
        Cluster.from_yaml("a: " + "[" * 40 + "]" * 40, limits={"max_depth": 10})
    with pytest.raises(InvalidArgumentType, match="limits has no key 'maxObjects' \\(did you mean max_objects\\?\\)"):
        Cluster.from_yaml(SMALL, limits={"maxObjects": 2})  # type: ignore[typeddict-unknown-key]
    with pytest.raises(InvalidRequest, match=r"^limits\['max_depth'\] must be an int of at least 1, not 0$"):
        Cluster.from_yaml(SMALL, limits={"max_depth": 0})
    with pytest.raises(InvalidArgumentType, match="not str$"):
        Cluster.from_yaml(SMALL, limits={"max_depth": "9"})  # type: ignore[typeddict-item]


def test_errors_pickle() -> None:
    with pytest.raises(ParseError) as info:
        Cluster.from_yaml("a: [1,", name="broken.yaml")
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is ParseError
    assert again.to_dict() == info.value.to_dict()


def test_invalid_objects_are_errors() -> None:
    c = Cluster.from_yaml(INVALID_CIDR, name="cidr.yaml")
    errs = c.errors()
    assert len(errs) == 1
    e = errs[0]
    assert isinstance(e, InvalidPolicy) and e.code == "invalid-policy"
    assert e.location["source"] == "cidr.yaml" and e.location["document"] == 3
    assert e.location["path"].endswith("ipBlock.cidr")
    # A verdict that reads it is refused with the same located error.
    with pytest.raises(InvalidPolicy) as info:
        c.verdict("x/b", "x/a", 80)
    assert info.value.location == e.location
    assert "invalid-policy" in {d.code for d in c.diagnostics()}
    assert Cluster.from_yaml(SMALL).errors() == []


# ------------------------------------------------------------------ analysis

def test_diagnostics(meshed: Cluster) -> None:
    diags = meshed.diagnostics()
    assert diags and all(isinstance(d, Diagnostic) for d in diags)
    by_code = {d.code: d for d in diags}
    assert "mesh-port-rewrite-blocked" in by_code and "mesh-version-assumed" in by_code
    d = by_code["mesh-port-rewrite-blocked"]
    assert d.severity == "error" and d.message and d.help
    assert d.flows == [{"from": "shop/web", "to": "shop/api", "port": 8080, "protocol": "TCP"}]
    assert d.flows_total == 1 and "flowsTotal" not in d.to_dict()  # a complete list counts nothing more
    assert d.policies and d.policies[0]["name"] == "api-allow"
    assert d.to_dict()["code"] == d.code
    info = by_code["mesh-version-assumed"]
    assert info.severity == "info" and info.help is None
    assert {"code", "severity", "message"} <= info.to_dict().keys()


def test_warnings(meshed: Cluster, small: Cluster) -> None:
    ws = meshed.warnings
    assert ws and all(isinstance(w, LoadWarning) for w in ws)
    w = next(w for w in ws if "ConfigMap" in w.message)
    assert w.code and w.to_dict()["message"] == w.message
    assert small.warnings == []
    ws.clear()
    assert meshed.warnings  # a copy each time


def test_from_path(tmp_path: Path) -> None:
    p = tmp_path / "small.yaml"
    p.write_text(SMALL, encoding="utf-8")
    c = Cluster.from_path(p, dataplane="cilium")
    assert c.dataplane == "cilium" and c.name == str(p)
    assert c.verdict("x/a", "x/b", 80).allowed
    assert Cluster.from_path(str(p), name="renamed.yaml").name == "renamed.yaml"
    with pytest.raises(ParseError) as info:
        bad = tmp_path / "bad.yaml"
        bad.write_text("a: [1,", encoding="utf-8")
        Cluster.from_path(bad)
    assert info.value.location["source"] == str(bad)
    with pytest.raises(InvalidRequest, match="no-such-file"):
        Cluster.from_path(tmp_path / "no-such-file.yaml")
    with pytest.raises(InvalidArgumentType, match=r"^path must be a path \(str or os.PathLike\), not int$"):
        Cluster.from_path(42)  # type: ignore[arg-type]


def test_from_path_reads_folders_as_the_cli(tmp_path: Path) -> None:
    # Split over files and subfolders; charts, values, kustomizations and hidden
    # folders are left out, as `meshverdict check -f DIR` leaves them out.
    docs = SMALL.split("---\n")
    (tmp_path / "pods").mkdir()
    (tmp_path / "pods" / "a.yaml").write_text(docs[0], encoding="utf-8")
    (tmp_path / "pods" / "b.yml").write_text(docs[1], encoding="utf-8")
    (tmp_path / "policy.json").write_text(
        '{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny", "namespace": "x"},'
        ' "spec": {"podSelector": {"matchLabels": {"app": "a"}}}}', encoding="utf-8")
    (tmp_path / "README.md").write_text("# not a manifest\nkind: Pod\n", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config.yaml").write_text("kind: [", encoding="utf-8")
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n", encoding="utf-8")
    (chart / "values.yaml").write_text("replicas: 1\n", encoding="utf-8")
    (chart / "templates" / "pod.yaml").write_text("kind: Pod\nmetadata: {name: z, namespace: x}\n", encoding="utf-8")
    (tmp_path / "kustomization.yaml").write_text("resources: [pods/a.yaml]\n", encoding="utf-8")
    c = Cluster.from_path(tmp_path, dataplane="calico")
    assert c.name == str(tmp_path)
    assert c.allowed_many([("x/a", "x/b", 80), ("x/b", "x/a", 80)]) == [True, False]
    with pytest.raises(UnknownEndpoint):
        c.verdict("x/z", "x/a", 80)  # only in the chart's template
    skipped = {(os.path.relpath(s.path, tmp_path), s.kind) for s in c.skipped_files}
    assert skipped == {
        ("chart/Chart.yaml", "helm-chart"),
        ("chart/values.yaml", "helm-values"),
        ("chart/templates/pod.yaml", "helm-template"),
        ("kustomization.yaml", "kustomization"),
    }
    assert all(isinstance(s, SkippedFile) and ("helm" in s.reason or "kustomize" in s.reason) for s in c.skipped_files)
    with pytest.raises(ParseError) as info:
        (tmp_path / "pods" / "broken.yaml").write_bytes(b"kind: Pod\nmetadata: {name: \xfe}\n")
        Cluster.from_path(tmp_path)
    assert info.value.location["source"] == str(tmp_path / "pods" / "broken.yaml")
    assert info.value.location["line"] == 2


def test_from_path_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: []\n", encoding="utf-8")
    with pytest.raises(InvalidRequest) as info:
        Cluster.from_path(tmp_path)
    assert "no Kubernetes manifests" in info.value.message
    assert info.value.help and "kustomization.yaml" in info.value.help


def test_bytes_input() -> None:
    assert Cluster.from_yaml(SMALL.encode()).verdict("x/a", "x/b", 80).allowed


def test_threads(small: Cluster) -> None:
    want = small.allowed_many(QUERIES)
    results: List[List[bool]] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(50):
            got = small.allowed_many(QUERIES)
            one = small.verdict("x/b", "x/a", 80).allowed
            with lock:
                results.append(got + [one])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 200
    assert all(r == want + [False] for r in results)


# ------------------------------------------------------------------ cases

def test_run_case() -> None:
    report = run_case(CASE, name="small.yaml")
    assert isinstance(report, CaseReport)
    assert report.name == "small" and report.source == "small.yaml"
    # b→a on 80 is denied by `deny` (calico), so flow 1 fails.
    assert (report.passed, report.failed) == (3, 1)
    assert report.failures == [{"id": "small#1", "detail": report.results[1].detail}]
    assert [r.id for r in report.results] == ["small#0", "small#1", "small#2", "small#absentDiagnostics:selector-matches-nothing"]
    assert not report.ok and report.to_dict()["failed"] == 1


def test_run_case_without_expectations() -> None:
    with pytest.raises(InvalidCase) as info:
        run_case(SMALL, name="no-expectations.yaml")
    assert info.value.code == "invalid-case"


def test_run_case_unloadable() -> None:
    report = run_case("a: [1,", name="broken.yaml")
    assert report.passed == 0 and report.failed >= 1
    assert all("cannot be loaded" in f["detail"] for f in report.failures)


def test_public_names() -> None:
    for name in meshverdict.__all__:
        assert hasattr(meshverdict, name), name
    assert meshverdict.__version__
    assert issubclass(meshverdict.InvalidArgumentType, TypeError)
    assert issubclass(meshverdict.InvalidRequest, ValueError)
    codes = {cls.code for cls in (
        meshverdict.ParseError, meshverdict.LimitExceeded, meshverdict.InvalidField,
        meshverdict.InvalidPolicy, meshverdict.UnknownEndpoint, meshverdict.InvalidRequest,
        meshverdict.InvalidCase, meshverdict.InternalError,
    )}
    assert codes == {
        "parse-error", "limit-exceeded", "invalid-field", "invalid-policy",
        "unknown-endpoint", "invalid-request", "invalid-case", "internal",
    }
