"""Wrong arguments raise Python's own exception types, with messages that name the
argument and the expected type in Python's words, and never an engine internal (a
serde type name, a JSON position). Every one still carries ``code``, ``message``,
``help`` and ``location`` like any meshverdict error."""

from __future__ import annotations

import re
from typing import Any, Tuple, Type

import pytest

from meshverdict import Cluster, InvalidArgumentType, InvalidRequest, MeshverdictError, run_case

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
"""

PORT = "port must be an int between 1 and 65535 or a port name (str), not "
ENDPOINT = "must be an endpoint reference (str) such as 'shop/web', 'ip:10.0.0.1' or 'svc:shop/api', not "

# Internals that must never reach a Python user.
LEAKS = re.compile(r"untagged enum|PortRef|VerdictRequest|line \d+ column \d+|serde|expected struct")


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    return Cluster.from_yaml(SMALL, name="small.yaml")


@pytest.mark.parametrize(
    "args, kind, message",
    [
        (("x/a", "x/b", 8080.0), InvalidArgumentType, PORT + "float"),
        (("x/a", "x/b", None), InvalidArgumentType, PORT + "None"),
        (("x/a", "x/b", True), InvalidArgumentType, PORT + "bool"),
        (("x/a", "x/b", b"80"), InvalidArgumentType, PORT + "bytes"),
        (("x/a", "x/b", float("nan")), InvalidArgumentType, PORT + "float"),
        (("x/a", "x/b", -1), InvalidRequest, PORT + "-1"),
        (("x/a", "x/b", 0), InvalidRequest, PORT + "0"),
        (("x/a", "x/b", 70000), InvalidRequest, PORT + "70000"),
        (("x/a", "x/b", 2**70), InvalidRequest, PORT + str(2**70)),
        (("x/a", "x/b", ""), InvalidRequest, PORT + "''"),
        (("x/a", "x/b", 80, "ICMP"), InvalidRequest, "protocol must be 'TCP', 'UDP' or 'SCTP' (str, any case), not 'ICMP'"),
        (("x/a", "x/b", 80, 6), InvalidArgumentType, "protocol must be 'TCP', 'UDP' or 'SCTP' (str, any case), not int"),
        ((1, "x/b", 80), InvalidArgumentType, "src " + ENDPOINT + "int"),
        (("x/a", None, 80), InvalidArgumentType, "dst " + ENDPOINT + "None"),
        (("x/a", ["x/b"], 80), InvalidArgumentType, "dst " + ENDPOINT + "list"),
    ],
    ids=[
        "port-float", "port-none", "port-bool", "port-bytes", "port-nan", "port-negative", "port-zero",
        "port-too-large", "port-huge", "port-empty", "protocol-unknown", "protocol-int", "src-int", "dst-none", "dst-list",
    ],
)
def test_verdict_arguments(cluster: Cluster, args: Tuple[Any, ...], kind: Type[MeshverdictError], message: str) -> None:
    with pytest.raises(kind) as info:
        cluster.verdict(*args)
    e = info.value
    assert e.message == message
    assert str(e).startswith(message)
    assert e.code == "invalid-request"
    assert isinstance(e, MeshverdictError)
    # Types are TypeErrors, values ValueErrors, never both.
    assert isinstance(e, TypeError) == (kind is InvalidArgumentType)
    assert isinstance(e, ValueError) == (kind is InvalidRequest)
    assert e.location == {}
    assert not LEAKS.search(str(e)), str(e)


def test_port_help(cluster: Cluster) -> None:
    with pytest.raises(InvalidArgumentType) as info:
        cluster.verdict("x/a", "x/b", 8080.0)  # type: ignore[arg-type]
    assert info.value.help and "8080" in info.value.help and "'http'" in info.value.help


def test_digit_strings_are_ports(cluster: Cluster) -> None:
    # A port read from a form or a CSV: "80" is the port 80, not a port named "80".
    assert cluster.verdict("x/b", "x/a", "80") == cluster.verdict("x/b", "x/a", 80)


@pytest.mark.parametrize(
    "query, message",
    [
        (("x/a", "x/b", 8080.0), "port of queries[1] " + PORT[len("port "):] + "float"),
        ({"from": "x/a", "to": "x/b", "port": None}, "port of queries[1] " + PORT[len("port "):] + "None"),
        ({"from": 7, "to": "x/b", "port": 80}, "from of queries[1] " + ENDPOINT + "int"),
        (("x/a", "x/b", 80, "icmp"), "protocol of queries[1] must be 'TCP', 'UDP' or 'SCTP' (str, any case), not 'icmp'"),
    ],
    ids=["tuple-float", "dict-none", "dict-int-from", "tuple-protocol"],
)
def test_batch_arguments_name_the_item(cluster: Cluster, query: Any, message: str) -> None:
    for call in (cluster.allowed_many, cluster.verdicts):
        with pytest.raises(MeshverdictError) as info:
            call([("x/a", "x/b", 80), query])
        assert info.value.message == message
        assert not LEAKS.search(info.value.message)


def test_batch_engine_errors_name_the_item(cluster: Cluster) -> None:
    with pytest.raises(MeshverdictError) as info:
        cluster.allowed_many([("x/a", "x/b", 80), ("x/a", "x/nope", 80)])
    assert info.value.code == "unknown-endpoint"
    assert info.value.message.startswith("queries[1]: ")


def test_load_arguments() -> None:
    with pytest.raises(InvalidArgumentType, match=r"^name must be a str, not int$"):
        Cluster.from_yaml(SMALL, name=3)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentType, match=r"^dataplane must be .*, not None\n"):
        Cluster.from_yaml(SMALL, dataplane=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest, match=r"^dataplane must be .*, not 'Cilium'\n"):
        Cluster.from_yaml(SMALL, dataplane="Cilium")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentType, match=r"^limits must be a dict .*, not list$"):
        Cluster.from_yaml(SMALL, limits=[1])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unexpected keyword argument 'dataPlane'"):
        Cluster.from_yaml(SMALL, dataPlane="cilium")  # type: ignore[call-arg]
    with pytest.raises(InvalidArgumentType, match=r"^text must be YAML or JSON text \(str, or bytes in UTF-8\), not None$"):
        run_case(None)  # type: ignore[arg-type]
