"""The Python face of meshverdict: objects over the engine's answers.

Questions go to the native module as Python values (it reads and checks them itself,
raising ``TypeError``/``ValueError`` subclasses for wrong arguments), and failures come
back as the exceptions of :mod:`meshverdict._errors`. A verdict stays the engine's value
until its details are read. Entry points other than verdicts go through one generic
``_call`` with the JSON answers of ``meshverdict-bindings``.
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
    Literal,
    Mapping,
    NamedTuple,
    Optional,
    Tuple,
    TypedDict,
    Union,
    overload,
)

from . import _native
from ._errors import InternalError, InvalidArgumentType, MeshverdictError, error_from_dict

__all__ = [
    "Cluster",
    "Verdict",
    "VerdictBrief",
    "DataplaneChoice",
    "Diagnostic",
    "LoadWarning",
    "SkippedFile",
    "CaseItem",
    "CaseReport",
    "Query",
    "Port",
    "Protocol",
    "Dataplane",
    "DataplaneName",
    "Limits",
    "run_case",
]

#: A dataplane setting: ``auto`` takes the one the input shows.
Dataplane = Literal["auto", "generic", "calico", "cilium"]
#: The dataplane a cluster is judged on.
DataplaneName = Literal["generic", "calico", "cilium"]
Protocol = Literal["TCP", "UDP", "SCTP", "tcp", "udp", "sctp"]
#: A port number, or the name of a container port of the destination.
Port = Union[int, str]
#: A question: ``(from, to, port)``, ``(from, to, port, protocol)`` or a mapping with
#: the keys ``from``, ``to``, ``port`` and optionally ``protocol``.
Query = Union[
    Tuple[str, str, Port],
    Tuple[str, str, Port, Optional[Protocol]],
    Mapping[str, Any],
]


class Limits(TypedDict, total=False):
    """What one input may expand to; each limit is optional (the engine's default)."""

    max_objects: int
    max_depth: int
    max_alias_nodes: int


_decode = json.loads
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def _unwrap(text: str) -> Any:
    """The result of a success answer; raises the error of a failure."""
    answer = _decode(text)
    kind = answer.get("type") if isinstance(answer, dict) else None
    if kind == "success":
        return answer.get("result")
    if kind == "failure" and isinstance(answer.get("error"), dict):
        raise error_from_dict(answer["error"], answer.get("warnings"))
    raise InternalError(f"unexpected answer from the engine: {text[:200]}")


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
        return bool(self._data == other._data)

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
    def severity(self) -> Literal["error", "warning", "info"]:
        s = self._data.get("severity")
        return s if s in ("error", "warning", "info") else "info"

    @property
    def message(self) -> str:
        return str(self._data.get("message", ""))

    @property
    def help(self) -> Optional[str]:
        h = self._data.get("help")
        return None if h is None else str(h)

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


class DataplaneChoice(NamedTuple):
    """The dataplane a verdict is judged on, and why that one (given, or what the input shows)."""

    name: DataplaneName
    reason: str


class Verdict:
    """The answer to "may ``from`` reach ``to`` on ``port``/``protocol``, and why?".

    ``allowed`` is the final verdict, and ``bool(verdict)`` is ``allowed``: ``if
    cluster.verdict(…):`` and ``assert verdict, verdict.explain()`` read as they should.
    ``explain()`` is the text ``meshverdict check`` prints; ``to_dict()`` the whole
    answer (``egress``, ``ingress``, ``mesh``, ``backends``, ``members`` …).
    """

    __slots__ = ("_native", "_cache")

    def __init__(self, data: Union[Dict[str, Any], _native.VerdictHandle]) -> None:
        if isinstance(data, dict):
            self._native: Optional[_native.VerdictHandle] = None
            self._cache: Optional[Dict[str, Any]] = data
        else:
            self._native = data
            self._cache = None

    @property
    def _data(self) -> Dict[str, Any]:
        if self._cache is None:
            assert self._native is not None
            self._cache = _decode(self._native.to_json())
        return self._cache

    def to_dict(self) -> Dict[str, Any]:
        """The whole verdict as the engine answered it, with its explanation (a copy)."""
        return copy.deepcopy(self._data)

    @property
    def allowed(self) -> bool:
        if self._native is not None:
            return self._native.allowed
        return bool(self._data.get("allowed"))

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def summary(self) -> str:
        """One line: why."""
        if self._native is not None:
            return self._native.summary
        return str(self._data.get("summary", ""))

    @property
    def explanation(self) -> str:
        """Every layer's reason, as text (the CLI's ``check`` output)."""
        if self._native is not None and self._cache is None:
            return self._native.explanation()
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
        return str(wire["reason"]) if isinstance(wire, dict) and wire.get("reason") is not None else None

    @property
    def protocol(self) -> Literal["TCP", "UDP", "SCTP"]:
        p = self._data.get("protocol")
        return p if p in ("TCP", "UDP", "SCTP") else "TCP"

    @property
    def dataplane(self) -> DataplaneChoice:
        """The dataplane the verdict is judged on (``.name``) and why (``.reason``)."""
        d = self._data.get("dataplane") or {}
        return DataplaneChoice(d.get("name", "generic"), str(d.get("reason", "")))

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
    def members(self) -> List["Verdict"]:
        """For a workload whose Pods are in the input: the verdict of each (source pod,
        destination pod) pair; the verdict is allowed only if every one is."""
        return [Verdict(m) for m in self._data.get("members") or []]

    @property
    def warnings(self) -> List[Diagnostic]:
        """Structured warnings of this verdict, e.g. ``mesh-flow-blocked``."""
        return [Diagnostic(w) for w in self._data.get("warnings") or []]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self._data == other._data

    def __hash__(self) -> int:
        return hash(_JSON.encode(self._data))

    def __getstate__(self) -> Dict[str, Any]:
        return self._data

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self._native = None
        self._cache = state

    def __str__(self) -> str:
        return self.summary

    def __repr__(self) -> str:
        return f"Verdict(allowed={self.allowed!r}, summary={self.summary!r})"


class VerdictBrief(NamedTuple):
    """The compact answer of a batch item. ``bool(brief)`` is ``allowed`` (a tuple would
    always be true)."""

    allowed: bool
    summary: str

    def __bool__(self) -> bool:
        return self.allowed


class SkippedFile(NamedTuple):
    """A file of a folder that :meth:`Cluster.from_path` did not load, and why."""

    path: str
    #: ``helm-template``, ``helm-chart``, ``helm-values`` or ``kustomization``.
    kind: str
    reason: str


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
        return [{"id": str(f.get("id", "")), "detail": str(f.get("detail", ""))} for f in self._data.get("failures") or []]

    def __repr__(self) -> str:
        return f"CaseReport(name={self.name!r}, passed={self.passed}, failed={self.failed})"


# ----------------------------------------------------------------- folders

def _walk(root: str) -> List[Tuple[str, str]]:
    """Every file below ``root``, sorted, as ``(path, relative path with /)``: hidden
    entries left out, each folder once (symbolic links followed), as the CLI walks."""
    out: List[Tuple[str, str]] = []
    seen = set()

    def visit(folder: str, rel: str) -> None:
        real = os.path.realpath(folder)
        if real in seen:
            return
        seen.add(real)
        for name in sorted(os.listdir(folder)):
            if _native.Folder.is_hidden(name):
                continue
            path = os.path.join(folder, name)
            sub = f"{rel}/{name}" if rel else name
            if os.path.isdir(path):
                visit(path, sub)
            elif os.path.isfile(path):
                out.append((path, sub))

    visit(root, "")
    return out


def _read_folder(root: str) -> Tuple[List[Tuple[str, Union[str, bytes]]], List[SkippedFile]]:
    files = _walk(root)
    plan = _native.Folder([rel for _, rel in files])
    loaded: List[Tuple[str, Union[str, bytes]]] = []
    skipped: List[SkippedFile] = []
    for path, rel in files:
        kind = plan.by_name(rel)
        if kind == "manifests":
            with open(path, "rb") as f:
                data = f.read()
            kind = plan.classify(rel, data)
            if kind == "manifests":
                loaded.append((path, data))
                continue
        if kind != "other":
            skipped.append(SkippedFile(path, kind, _native.Folder.reason(kind)))
    return loaded, skipped


# ----------------------------------------------------------------- cluster

class Cluster:
    """A loaded cluster: manifests in, verdicts and diagnostics out.

    Build one with :meth:`from_yaml` or :meth:`from_path`. A cluster never changes after
    loading, so one can be asked from many threads at once; the engine runs without the GIL.
    """

    __slots__ = ("_handle", "_name", "_warnings", "_skipped")

    def __init__(self, handle: _native.ClusterHandle, name: str, skipped: Optional[List[SkippedFile]] = None) -> None:
        if not isinstance(handle, _native.ClusterHandle):
            raise TypeError("use Cluster.from_yaml(text, …) or Cluster.from_path(path, …)")
        self._handle = handle
        self._name = name
        self._warnings: Optional[List[LoadWarning]] = None
        self._skipped = list(skipped or [])

    @classmethod
    def from_yaml(
        cls,
        text: Union[str, bytes],
        dataplane: Dataplane = "auto",
        name: str = "input",
        limits: Optional[Limits] = None,
    ) -> "Cluster":
        """Loads multi-document YAML or JSON (what ``kubectl get -o yaml`` prints).

        ``dataplane``: ``auto`` (the one the input shows: Cilium policies or agent →
        ``cilium``, Calico objects → ``calico``, else ``generic``), or one of those.
        ``name``: what error locations call the text. ``limits``: ``max_objects``,
        ``max_depth``, ``max_alias_nodes``. Bytes must be UTF-8 (a bad byte is a located
        :class:`ParseError`). Raises :class:`ParseError`, :class:`LimitExceeded`,
        :class:`InvalidField`; a wrong argument raises :class:`InvalidArgumentType`
        (``TypeError``) or :class:`InvalidRequest` (``ValueError``).
        """
        return cls(_native.load(text, name, dataplane, limits), name)

    @classmethod
    def from_path(
        cls,
        path: Union[str, "os.PathLike[str]"],
        dataplane: Dataplane = "auto",
        name: Optional[str] = None,
        limits: Optional[Limits] = None,
    ) -> "Cluster":
        """Loads a file, or every manifest below a folder, as the CLI's ``-f`` does.

        In a folder (recursively): ``*.yaml``, ``*.yml`` and ``*.json``; hidden entries
        are left out, and Helm charts, values and templates and kustomizations are
        skipped (listed in :attr:`skipped_files`: only their tools know their objects).
        Error locations name each file by its path; ``name`` renames a single file.
        """
        try:
            where = os.fspath(path)
        except TypeError:
            raise InvalidArgumentType(
                f"path must be a path (str or os.PathLike), not {type(path).__name__}", code="invalid-request"
            ) from None
        if not isinstance(where, str):
            raise InvalidArgumentType(f"path must be a path (str or os.PathLike), not {type(where).__name__}", code="invalid-request")
        if os.path.isdir(where):
            files, skipped = _read_folder(where)
            if not files:
                raise _native.Folder.nothing_to_load(where, [(s.path, s.kind) for s in skipped])
            return cls(_native.load_files(files, dataplane, limits), where, skipped)
        try:
            with open(where, "rb") as f:
                data = f.read()
        except OSError as e:
            raise error_from_dict({"code": "invalid-request", "message": f"{where}: {e.strerror or e}"}) from None
        label = where if name is None else name
        return cls(_native.load(data, label, dataplane, limits), label)

    @property
    def name(self) -> str:
        return self._name

    @property
    def dataplane(self) -> DataplaneName:
        """``generic``, ``calico`` or ``cilium``: given, or (``auto``) what the input shows."""
        return self._handle.dataplane  # type: ignore[return-value]

    @property
    def dataplane_reason(self) -> str:
        """Why that dataplane: given by the caller, or what in the input showed it."""
        return self._handle.dataplane_reason

    @property
    def warnings(self) -> List[LoadWarning]:
        """Notes about the input that are no error (skipped kinds, assumptions)."""
        if self._warnings is None:
            self._warnings = [LoadWarning(w) for w in _decode(self._handle.warnings_json())]
        return list(self._warnings)

    @property
    def skipped_files(self) -> List[SkippedFile]:
        """Files of a folder that were not loaded (Helm, kustomize), with the reason."""
        return list(self._skipped)

    def verdict(self, src: str, dst: str, port: Port, protocol: Optional[Protocol] = "TCP") -> Verdict:
        """May ``src`` reach ``dst`` on ``port`` (a number or a named port of ``dst``)?

        Endpoints are ``NAMESPACE/NAME``, ``ip:ADDRESS``, ``node:NAME``,
        ``svc:NAMESPACE/NAME`` or ``dns:NAME``. Raises :class:`UnknownEndpoint` for an
        endpoint the input does not hold, :class:`InvalidRequest` for a malformed
        question, :class:`InvalidPolicy` when the verdict reads an invalid object, and
        :class:`InvalidArgumentType` (a ``TypeError``) for an argument of the wrong type.
        """
        return Verdict(self._handle.verdict(src, dst, port, protocol))

    @overload
    def verdicts(self, queries: Iterable[Query], *, errors: Literal["raise"] = ...) -> List[VerdictBrief]: ...

    @overload
    def verdicts(
        self, queries: Iterable[Query], *, errors: Literal["return"]
    ) -> List[Union[VerdictBrief, MeshverdictError]]: ...

    def verdicts(
        self, queries: Iterable[Query], *, errors: Literal["raise", "return"] = "raise"
    ) -> Union[List[VerdictBrief], List[Union[VerdictBrief, MeshverdictError]]]:
        """Many questions in one crossing: a :class:`VerdictBrief` ``(allowed, summary)``
        per query, in order.

        Each item is answered on its own. With ``errors="raise"`` (the default) the
        first failing item's error is raised; with ``errors="return"`` it takes that
        item's place in the list. A wrong argument raises either way.
        """
        if errors not in ("raise", "return"):
            raise ValueError(f"errors must be 'raise' or 'return', not {errors!r}")
        out: List[Union[VerdictBrief, MeshverdictError]] = self._handle.verdicts(queries)
        if errors == "raise":
            for item in out:
                if isinstance(item, MeshverdictError):
                    raise item
        return out

    def allowed_many(self, queries: Iterable[Query]) -> List[bool]:
        """Just ``allowed`` for each question, in order: the cheapest way to ask many.
        An error in any question fails the whole call (its message names the item)."""
        return self._handle.allowed_many(queries)

    def _call(self, entry: str, request: Optional[Dict[str, Any]] = None) -> Any:
        """An entry point of the engine by name; its result, or its error raised."""
        return _unwrap(self._handle.call(entry, _JSON.encode(request)))

    def diagnostics(self) -> List[Diagnostic]:
        """What the analysis of the whole cluster finds (mesh flows blocked, selectors
        matching nothing, invalid policies …)."""
        return [Diagnostic(d) for d in self._call("diagnostics") or []]

    def errors(self) -> List[MeshverdictError]:
        """Objects the API server or Cilium would reject, each a located error
        (returned, not raised). Verdicts that read them raise the same error."""
        return [error_from_dict(e) for e in self._call("errors") or []]

    def __repr__(self) -> str:
        return f"<meshverdict.Cluster name={self._name!r} dataplane={self.dataplane!r}>"


def run_case(text: Union[str, bytes], name: str = "case.yaml") -> CaseReport:
    """Runs one conformance case file (see the case format, docs/case-format.md).

    A case that cannot be loaded is a report whose items all failed; a file without
    a ``kind: Expectations`` document raises :class:`InvalidCase`.
    """
    return CaseReport(_decode(_native.run_case(text, name)))
