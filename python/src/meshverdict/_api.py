"""The Python face of meshverdict: objects over the bindings' JSON answers.

Every question goes to the native module as the JSON request of
``meshverdict-bindings`` and every answer comes back as its JSON envelope
(``{"type": "success", "result": …}`` or ``{"type": "failure", "error": …}``). This
module only encodes requests, decodes answers and raises the error an answer
carries; the verdicts themselves are the engine's, the same as in every host.
"""

from __future__ import annotations

import copy
import json
import os
from typing import (
    Any,
    Dict,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Tuple,
    Union,
    overload,
)

from typing import Literal

from . import _native
from ._errors import InternalError, InvalidRequest, MeshverdictError, error_from_dict

__all__ = [
    "Cluster",
    "Verdict",
    "VerdictBrief",
    "Diagnostic",
    "LoadWarning",
    "CaseItem",
    "CaseReport",
    "Query",
    "run_case",
]

Port = Union[int, str]
#: A question: ``(from, to, port)``, ``(from, to, port, protocol)`` or a mapping with
#: the keys ``from``, ``to``, ``port`` and optionally ``protocol``.
Query = Union[
    Tuple[str, str, Port],
    Tuple[str, str, Port, Optional[str]],
    Mapping[str, Any],
]

_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
_decode = json.loads


# ----------------------------------------------------------------- answers

def _fail(answer: Mapping[str, Any]) -> MeshverdictError:
    error = answer.get("error")
    if not isinstance(error, dict):
        return InternalError(f"malformed failure answer from the engine: {answer!r}")
    return error_from_dict(error, answer.get("warnings"))


def _unwrap(text: str) -> Tuple[Any, List[Dict[str, Any]]]:
    """``(result, warnings)`` of a success answer; raises the error of a failure."""
    answer = _decode(text)
    kind = answer.get("type") if isinstance(answer, dict) else None
    if kind == "success":
        return answer.get("result"), answer.get("warnings") or []
    if kind == "failure":
        raise _fail(answer)
    raise InternalError(f"unexpected answer from the engine: {text[:200]}")


def _encode(value: Any) -> str:
    try:
        return _JSON.encode(value)
    except (TypeError, ValueError) as e:
        # Not representable as JSON (an object, NaN …): the engine never sees it.
        raise InvalidRequest(f"request: {e}") from None


def _text(text: Union[str, bytes]) -> str:
    if isinstance(text, bytes):
        return text.decode("utf-8")
    if not isinstance(text, str):
        raise TypeError(f"expected the manifests as str or bytes, not {type(text).__name__}")
    return text


def _request(query: Any) -> Any:
    """One question in the bindings' request form (``from``, ``to``, ``port``, ``protocol``)."""
    kind = type(query)
    if kind is dict:
        return query
    if (kind is tuple or kind is list or isinstance(query, (tuple, list))) and len(query) in (3, 4):
        req = {"from": query[0], "to": query[1], "port": query[2]}
        if len(query) == 4 and query[3] is not None:
            req["protocol"] = query[3]
        return req
    if isinstance(query, Mapping):
        return dict(query)
    raise InvalidRequest(
        f"request: a query is (from, to, port[, protocol]) or a mapping with from/to/port[/protocol], not {query!r}",
    )


# ----------------------------------------------------------------- records

class _Record:
    """A read-only view over one JSON object of an answer."""

    __slots__ = ("_data",)

    def __init__(self, data: Dict[str, Any]) -> None:
        self._data = data

    def to_dict(self) -> Dict[str, Any]:
        """The object as the engine answered it (a copy: yours to change)."""
        return copy.deepcopy(self._data)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._data == other._data

    def __hash__(self) -> int:
        return hash(_JSON.encode(self._data))

    def __getstate__(self) -> Dict[str, Any]:
        return self._data

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self._data = state


class LoadWarning(_Record):
    """A note about the input that is no error: a skipped kind, an assumption."""

    __slots__ = ()

    @property
    def code(self) -> str:
        return str(self._data.get("code", ""))

    @property
    def message(self) -> str:
        return str(self._data.get("message", ""))

    @property
    def location(self) -> Dict[str, Any]:
        return dict(self._data.get("location") or {})

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"LoadWarning(code={self.code!r}, message={self.message!r})"


class Diagnostic(_Record):
    """One finding of the analysis: ``code``, ``severity`` (``error``, ``warning``,
    ``info``), ``message``, ``help``, and the flows, policies and location it is about."""

    __slots__ = ()

    @property
    def code(self) -> str:
        return str(self._data.get("code", ""))

    @property
    def severity(self) -> str:
        return str(self._data.get("severity", ""))

    @property
    def message(self) -> str:
        return str(self._data.get("message", ""))

    @property
    def help(self) -> Optional[str]:
        return self._data.get("help")

    @property
    def flows(self) -> List[Dict[str, Any]]:
        return copy.deepcopy(self._data.get("flows") or [])

    @property
    def policies(self) -> List[Dict[str, Any]]:
        return copy.deepcopy(self._data.get("policies") or [])

    @property
    def location(self) -> Dict[str, Any]:
        return dict(self._data.get("location") or {})

    def __str__(self) -> str:
        return f"{self.severity} {self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"Diagnostic(code={self.code!r}, severity={self.severity!r}, message={self.message!r})"


class Verdict(_Record):
    """The answer to "may ``from`` reach ``to`` on ``port``/``protocol``, and why?".

    ``allowed`` is the final verdict; ``explain()`` is the text ``meshverdict check``
    prints; ``to_dict()`` is the whole answer (``egress``, ``ingress``, ``mesh``,
    ``backends`` …).
    """

    __slots__ = ()

    @property
    def allowed(self) -> bool:
        return bool(self._data.get("allowed"))

    @property
    def summary(self) -> str:
        """One line: why."""
        return str(self._data.get("summary", ""))

    @property
    def explanation(self) -> str:
        return str(self._data.get("explanation", ""))

    def explain(self) -> str:
        """Every layer's reason, as text (the CLI's ``check`` output)."""
        return self.explanation

    @property
    def port(self) -> int:
        """The port the application dials."""
        return int(self._data.get("port", 0))

    @property
    def wire_port(self) -> Optional[int]:
        """The port the network sees, when the mesh changes it; else ``None``."""
        wire = self._data.get("wirePort")
        return int(wire["port"]) if isinstance(wire, dict) and "port" in wire else None

    @property
    def wire_port_reason(self) -> Optional[str]:
        wire = self._data.get("wirePort")
        return wire.get("reason") if isinstance(wire, dict) else None

    @property
    def protocol(self) -> str:
        return str(self._data.get("protocol", ""))

    @property
    def dataplane(self) -> str:
        return str(self._data.get("dataplane", ""))

    @property
    def source(self) -> Dict[str, Any]:
        """The ``from`` endpoint (``reference``, ``kind``, ``namespace``, ``name`` …)."""
        return copy.deepcopy(self._data.get("from") or {})

    @property
    def destination(self) -> Dict[str, Any]:
        """The ``to`` endpoint."""
        return copy.deepcopy(self._data.get("to") or {})

    @property
    def egress(self) -> Dict[str, Any]:
        """The source's egress layer: ``allowed``, ``isolated``, ``reason`` …"""
        return copy.deepcopy(self._data.get("egress") or {})

    @property
    def ingress(self) -> Dict[str, Any]:
        """The destination's ingress layer."""
        return copy.deepcopy(self._data.get("ingress") or {})

    @property
    def mesh(self) -> Optional[Dict[str, Any]]:
        """The mesh's own decision, where the destination is meshed."""
        mesh = self._data.get("mesh")
        return copy.deepcopy(mesh) if mesh is not None else None

    @property
    def backends(self) -> List["Verdict"]:
        """For a Service: the verdict of each backend pod."""
        return [Verdict(b) for b in self._data.get("backends") or []]

    @property
    def warnings(self) -> List[Diagnostic]:
        """Structured warnings of this verdict, e.g. ``mesh-flow-blocked``."""
        return [Diagnostic(w) for w in self._data.get("warnings") or []]

    def __str__(self) -> str:
        return self.summary

    def __repr__(self) -> str:
        return f"Verdict(allowed={self.allowed!r}, summary={self.summary!r})"


class VerdictBrief(NamedTuple):
    """The compact answer of a batch item."""

    allowed: bool
    summary: str


class CaseItem(NamedTuple):
    """One checked expectation of a conformance case."""

    id: str
    passed: bool
    detail: str


class CaseReport(_Record):
    """The outcome of one conformance case file."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return str(self._data.get("name", ""))

    @property
    def source(self) -> str:
        return str(self._data.get("source", ""))

    @property
    def passed(self) -> int:
        """How many flows and diagnostics passed."""
        return int(self._data.get("passed", 0))

    @property
    def failed(self) -> int:
        """How many flows and diagnostics failed."""
        return int(self._data.get("failed", 0))

    @property
    def ok(self) -> bool:
        return self.failed == 0

    @property
    def results(self) -> List[CaseItem]:
        return [
            CaseItem(str(r.get("id", "")), bool(r.get("passed")), str(r.get("detail", "")))
            for r in self._data.get("results") or []
        ]

    @property
    def failures(self) -> List[Dict[str, str]]:
        """The failing items, ``{"id": …, "detail": …}``."""
        return [
            {"id": str(r.get("id", "")), "detail": str(r.get("detail", ""))}
            for r in self._data.get("results") or []
            if not r.get("passed")
        ]

    def __repr__(self) -> str:
        return f"CaseReport(name={self.name!r}, passed={self.passed}, failed={self.failed})"


# ----------------------------------------------------------------- cluster

class Cluster:
    """A loaded cluster: manifests in, verdicts and diagnostics out.

    Build one with :meth:`from_yaml` (or :meth:`from_path`). A cluster never changes
    after loading, so one can be asked from many threads at once; the engine runs
    without the GIL.
    """

    __slots__ = ("_handle", "_name", "_warnings")

    def __init__(self, handle: _native.ClusterHandle, name: str) -> None:
        self._handle = handle
        self._name = name
        self._warnings: Optional[List[LoadWarning]] = None

    @classmethod
    def from_yaml(
        cls,
        text: Union[str, bytes],
        dataplane: str = "generic",
        name: str = "input",
    ) -> "Cluster":
        """Loads multi-document YAML or JSON (what ``kubectl get -o yaml`` prints).

        ``dataplane`` is ``generic`` (the Kubernetes spec), ``calico`` or ``cilium``;
        ``name`` is what error locations call the text (a file name).
        Raises the :class:`MeshverdictError` subclass of the failure
        (:class:`ParseError`, :class:`LimitExceeded`, :class:`InvalidField`,
        :class:`InvalidRequest` …).
        """
        request = _encode({"yaml": _text(text), "name": name, "dataplane": dataplane})
        loaded = _native.load(request)
        if isinstance(loaded, str):
            _unwrap(loaded)  # raises the failure it carries
            raise InternalError("loading failed without an error")
        return cls(loaded, name)

    @classmethod
    def from_path(
        cls,
        path: Union[str, "os.PathLike[str]"],
        dataplane: str = "generic",
        name: Optional[str] = None,
    ) -> "Cluster":
        """Loads a file; error locations name ``path`` unless ``name`` is given."""
        with open(path, encoding="utf-8") as f:
            text = f.read()
        return cls.from_yaml(text, dataplane=dataplane, name=os.fspath(path) if name is None else name)

    @property
    def name(self) -> str:
        return self._name

    @property
    def dataplane(self) -> str:
        """``generic``, ``calico`` or ``cilium``."""
        return self._handle.dataplane

    @property
    def warnings(self) -> List[LoadWarning]:
        """Notes about the input that are no error (skipped kinds, assumptions)."""
        if self._warnings is None:
            self._warnings = [LoadWarning(w) for w in _decode(self._handle.warnings_json())]
        return list(self._warnings)

    def verdict(self, src: str, dst: str, port: Port, protocol: Optional[str] = "TCP") -> Verdict:
        """May ``src`` reach ``dst`` on ``port`` (a number or a named port of ``dst``)?

        Endpoints are ``NAMESPACE/NAME``, ``ip:ADDRESS``, ``node:NAME``,
        ``svc:NAMESPACE/NAME`` or ``dns:NAME``. Raises :class:`UnknownEndpoint` for an
        endpoint the input does not hold, :class:`InvalidRequest` for a malformed
        question, :class:`InvalidPolicy` when the verdict reads an invalid object.
        """
        req: Dict[str, Any] = {"from": src, "to": dst, "port": port}
        if protocol is not None:
            req["protocol"] = protocol
        result, _ = _unwrap(self._handle.verdict(_encode(req)))
        return Verdict(result)

    @overload
    def verdicts(self, queries: Iterable[Query], *, errors: Literal["raise"] = ...) -> List[VerdictBrief]: ...

    @overload
    def verdicts(
        self, queries: Iterable[Query], *, errors: Literal["return"]
    ) -> List[Union[VerdictBrief, MeshverdictError]]: ...

    def verdicts(
        self, queries: Iterable[Query], *, errors: str = "raise"
    ) -> Union[List[VerdictBrief], List[Union[VerdictBrief, MeshverdictError]]]:
        """Many questions in one crossing: a :class:`VerdictBrief` ``(allowed, summary)``
        per query, in order.

        Each item is answered on its own. With ``errors="raise"`` (the default) the
        first failing item's error is raised; with ``errors="return"`` it takes that
        item's place in the list.
        """
        if errors not in ("raise", "return"):
            raise ValueError(f"errors must be 'raise' or 'return', not {errors!r}")
        answers = _decode(self._handle.verdicts(_encode([_request(q) for q in queries])))
        if isinstance(answers, dict):  # the list itself was malformed
            _unwrap(_JSON.encode(answers))
            raise InternalError("batch failed without an error")
        out: List[Union[VerdictBrief, MeshverdictError]] = []
        for answer in answers:
            if answer.get("type") == "success":
                r = answer.get("result") or {}
                out.append(VerdictBrief(bool(r.get("allowed")), str(r.get("summary", ""))))
            else:
                err = _fail(answer)
                if errors == "raise":
                    raise err
                out.append(err)
        return out

    def allowed_many(self, queries: Iterable[Query]) -> List[bool]:
        """Just ``allowed`` for each question, in order: the cheapest way to ask many.
        An error in any question fails the whole call."""
        out = self._handle.allowed_many(_encode([_request(q) for q in queries]))
        if isinstance(out, str):
            _unwrap(out)
            raise InternalError("allowed_many failed without an error")
        return out

    def diagnostics(self) -> List[Diagnostic]:
        """What the analysis of the whole cluster finds (mesh flows blocked, selectors
        matching nothing, invalid policies …)."""
        result, _ = _unwrap(self._handle.diagnostics())
        return [Diagnostic(d) for d in result or []]

    def errors(self) -> List[MeshverdictError]:
        """Objects the API server or Cilium would reject, each a located error
        (returned, not raised). Verdicts that read them raise the same error."""
        return [error_from_dict(e) for e in _decode(self._handle.errors())]

    def __repr__(self) -> str:
        return f"<meshverdict.Cluster name={self._name!r} dataplane={self.dataplane!r}>"


def run_case(text: Union[str, bytes], name: str = "case.yaml") -> CaseReport:
    """Runs one conformance case file (shared/conformance/FORMAT.md).

    A case that cannot be loaded is a report whose items all failed; a file without
    a ``kind: Expectations`` document raises :class:`InvalidCase`.
    """
    result, _ = _unwrap(_native.run_case(_encode({"yaml": _text(text), "name": name})))
    return CaseReport(result)
