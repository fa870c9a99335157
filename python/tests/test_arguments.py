"""Wrong arguments raise Python's own exception types, with messages that name the
argument and the expected type in Python's words, and never an engine internal (a
serde type name, a JSON position). Every one still carries ``code``, ``message``,
``help`` and ``location`` like any meshverdict error."""

from __future__ import annotations

import re
from array import array
from typing import Any, Dict, Tuple, Type

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
        # A str that has no UTF-8 (read in place since the 3.10 limited API): no name equals it.
        (("x/\ud800", "x/b", 80), InvalidRequest, "src " + ENDPOINT + "a str with lone surrogates"),
    ],
    ids=[
        "port-float", "port-none", "port-bool", "port-bytes", "port-nan", "port-negative", "port-zero",
        "port-too-large", "port-huge", "port-empty", "protocol-unknown", "protocol-int", "src-int", "dst-none", "dst-list",
        "src-lone-surrogate",
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
        ({"from": "x/a", "to": "x/\udcff", "port": 80}, "to of queries[1] " + ENDPOINT + "a str with lone surrogates"),
    ],
    ids=["tuple-float", "dict-none", "dict-int-from", "tuple-protocol", "dict-lone-surrogate"],
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


INDICES = "must be a sequence of int or a buffer of integers (array.array, a NumPy array), not "
INDEX = "must be an int from 0 to 4294967295 (an index into endpoints), not "
PORT_NUMBER = "must be an int between 1 and 65535, not "
PORTS = "port must be an int between 1 and 65535, a sequence of them or a buffer of integers, not "
OUT = "out must be a writable buffer of one-byte items (bytearray, array('B'), a NumPy bool array), not "
ENDPOINTS = "endpoints must be a sequence of endpoint references (str), not "
# Two questions, x/a → x/b and x/b → x/a on 80: each case changes one argument.
COLUMNS: Dict[str, Any] = {"endpoints": ["x/a", "x/b"], "from_": [0, 1], "to": [1, 0], "port": 80}


COLUMN_CASES = [
    ({"endpoints": "x/a"}, InvalidArgumentType, ENDPOINTS + "str"),
    ({"endpoints": None}, InvalidArgumentType, ENDPOINTS + "None"),
    ({"endpoints": {"x/a", "x/b"}}, InvalidArgumentType, ENDPOINTS + "set"),
    ({"endpoints": ["x/a", 2]}, InvalidArgumentType, "endpoints[1] " + ENDPOINT + "int"),
    ({"endpoints": ("x/a", b"x/b")}, InvalidArgumentType, "endpoints[1] " + ENDPOINT + "bytes"),
    ({"from_": 0}, InvalidArgumentType, "from_ " + INDICES + "int"),
    ({"from_": None}, InvalidArgumentType, "from_ " + INDICES + "None"),
    ({"from_": "01"}, InvalidArgumentType, "from_ " + INDICES + "str"),
    ({"from_": {0: 1}}, InvalidArgumentType, "from_ " + INDICES + "dict"),
    ({"from_": [0, 1.0]}, InvalidArgumentType, "from_[1] " + INDEX + "float"),
    ({"from_": [0, True]}, InvalidArgumentType, "from_[1] " + INDEX + "bool"),
    ({"from_": [0, None]}, InvalidArgumentType, "from_[1] " + INDEX + "None"),
    ({"from_": (0, "1")}, InvalidArgumentType, "from_[1] " + INDEX + "str"),
    ({"from_": array("d", [0, 1])}, InvalidArgumentType, "from_ " + INDICES + "a buffer of format 'd'"),
    ({"from_": memoryview(bytes(4)).cast("B", (2, 2))}, InvalidArgumentType, "from_ " + INDICES + "a 2-dimensional buffer"),
    ({"from_": [0, -1]}, InvalidRequest, "from_[1] " + INDEX + "-1"),
    ({"from_": [0, 2**32]}, InvalidRequest, "from_[1] " + INDEX + "4294967296"),
    ({"from_": [0, 2**70]}, InvalidRequest, "from_[1] " + INDEX + str(2**70)),
    ({"from_": array("q", [0, -1])}, InvalidRequest, "from_[1] " + INDEX + "-1"),
    ({"from_": array("b", [0, -128])}, InvalidRequest, "from_[1] " + INDEX + "-128"),
    ({"from_": array("Q", [0, 2**64 - 1])}, InvalidRequest, "from_[1] " + INDEX + str(2**64 - 1)),
    ({"to": 1.5}, InvalidArgumentType, "to " + INDICES + "float"),
    ({"to": [1, -1]}, InvalidRequest, "to[1] " + INDEX + "-1"),
    ({"to": array("i", [1, -7])}, InvalidRequest, "to[1] " + INDEX + "-7"),
    ({"port": True}, InvalidArgumentType, PORTS + "bool"),
    ({"port": 80.0}, InvalidArgumentType, PORTS + "float"),
    ({"port": None}, InvalidArgumentType, PORTS + "None"),
    ({"port": "http"}, InvalidArgumentType, PORTS + "str"),
    ({"port": array("f", [80, 80])}, InvalidArgumentType, PORTS + "a buffer of format 'f'"),
    ({"port": [80, 80.0]}, InvalidArgumentType, "port[1] " + PORT_NUMBER + "float"),
    ({"port": [80, False]}, InvalidArgumentType, "port[1] " + PORT_NUMBER + "bool"),
    ({"port": [80, "http"]}, InvalidArgumentType, "port[1] " + PORT_NUMBER + "str"),
    ({"port": 0}, InvalidRequest, "port " + PORT_NUMBER + "0"),
    ({"port": -1}, InvalidRequest, "port " + PORT_NUMBER + "-1"),
    ({"port": 70000}, InvalidRequest, "port " + PORT_NUMBER + "70000"),
    ({"port": 2**70}, InvalidRequest, "port " + PORT_NUMBER + str(2**70)),
    ({"port": [80, 0]}, InvalidRequest, "port[1] " + PORT_NUMBER + "0"),
    ({"port": [80, -1]}, InvalidRequest, "port[1] " + PORT_NUMBER + "-1"),
    ({"port": array("I", [80, 70000])}, InvalidRequest, "port[1] " + PORT_NUMBER + "70000"),
    ({"port": array("h", [80, -5])}, InvalidRequest, "port[1] " + PORT_NUMBER + "-5"),
    ({"protocol": "ICMP"}, InvalidRequest, "protocol must be 'TCP', 'UDP' or 'SCTP' (str, any case), not 'ICMP'"),
    ({"protocol": 6}, InvalidArgumentType, "protocol must be 'TCP', 'UDP' or 'SCTP' (str, any case), not int"),
    # The columns together: lengths, then indices past the references.
    ({"to": [1]}, InvalidRequest, "to has 1 item, but from_ has 2: question i is from_[i] → to[i] on port[i]"),
    ({"port": array("I", [80])}, InvalidRequest, "port has 1 item, but from_ has 2: question i is from_[i] → to[i] on port[i]"),
    ({"from_": [0, 2]}, InvalidRequest, "from_[1] is 2, but endpoints has 2 items (indices 0 to 1)"),
    ({"to": array("H", [1, 5])}, InvalidRequest, "to[1] is 5, but endpoints has 2 items (indices 0 to 1)"),
    ({"endpoints": ["x/a"]}, InvalidRequest, "from_[1] is 1, but endpoints has 1 item (index 0)"),
    # Where the answers go: a writable row of one-byte items, one per question.
    ({"out": [False, False]}, InvalidArgumentType, OUT + "list"),
    ({"out": b"\x00\x00"}, InvalidArgumentType, OUT + "bytes (read-only)"),
    ({"out": array("I", [0, 0])}, InvalidArgumentType, OUT + "array (4-byte items)"),
    ({"out": memoryview(bytearray(4)).cast("B", (2, 2))}, InvalidArgumentType, OUT + "memoryview (2 dimensions)"),
    ({"out": memoryview(bytearray(4))[::2]}, InvalidArgumentType, OUT + "memoryview (not contiguous)"),
    ({"out": bytearray(3)}, InvalidRequest, "out has 3 items, but from_ has 2: the answer to question i goes to out[i]"),
    # The columns are checked before out's length, which they give.
    ({"out": bytearray(5), "to": [1]}, InvalidRequest, "to has 1 item, but from_ has 2: question i is from_[i] → to[i] on port[i]"),
]


@pytest.mark.parametrize(
    "change, kind, message",
    COLUMN_CASES,
    ids=[f"{next(iter(c))}-" + re.sub(r"\W+", "-", m.rsplit(", not ", 1)[-1]) for c, _, m in COLUMN_CASES],
)
def test_column_arguments(cluster: Cluster, change: Dict[str, Any], kind: Type[MeshverdictError], message: str) -> None:
    with pytest.raises(kind) as info:
        cluster.allowed_columns(**{**COLUMNS, **change})
    e = info.value
    assert e.message == message
    assert e.code == "invalid-request"
    assert isinstance(e, TypeError) == (kind is InvalidArgumentType)
    assert isinstance(e, ValueError) == (kind is InvalidRequest)
    assert not LEAKS.search(str(e)), str(e)


def test_column_arguments_are_read_in_order(cluster: Cluster) -> None:
    # Every argument is read before any question is asked, each in the order of the
    # signature; a wrong argument wins over an engine error.
    with pytest.raises(InvalidArgumentType, match=r"^from_\[1\] "):
        cluster.allowed_columns(["x/a"], [0, None], [0, None], 0)
    with pytest.raises(InvalidRequest, match=r"^to\[1\] is 2, "):
        cluster.allowed_columns(["x/nope", "x/a"], [0, 1], [0, 2], 80)
    assert cluster.allowed_columns(**COLUMNS) == [True, True]


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
