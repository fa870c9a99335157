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
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    List,
    Literal,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
    TypedDict,
    TypeVar,
    Union,
    overload,
)

from . import _native
from ._errors import InternalError, InvalidArgumentType, MeshverdictError, error_from_dict

if TYPE_CHECKING:
    # Any object that exports a buffer (array.array, memoryview, a NumPy array):
    # collections.abc.Buffer from Python 3.12, a protocol before (for type checkers only).
    from typing_extensions import Buffer

# The buffer `allowed_columns` writes its answers into, returned as given.
_Out = TypeVar("_Out", bound="Buffer")

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
    "MatrixBy",
    "MatrixFormat",
    "Ports",
    "Manifests",
    "SynthesisDialect",
    "SynthesisGranularity",
    "RepairDialect",
    "PortRange",
    "NamedPort",
    "MatrixGroup",
    "MatrixCell",
    "MatrixCells",
    "MatrixCompact",
    "Reach",
    "Exposure",
    "FlowChange",
    "DiffChanges",
    "DiffResult",
    "SynthesizedObject",
    "Synthesis",
    "Repair",
    "EndpointInfo",
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
    """The result of a success answer; raises the error of a failure (a request of the
    wrong shape, ``"problem": "type"``, as :class:`InvalidArgumentType`)."""
    answer = _decode(text)
    kind = answer.get("type") if isinstance(answer, dict) else None
    if kind == "success":
        return answer.get("result")
    if kind == "failure" and isinstance(answer.get("error"), dict):
        error = answer["error"]
        if answer.get("problem") == "type":
            raise InvalidArgumentType(
                str(error.get("message", "")), code=str(error.get("code", "invalid-request")),
                help=error.get("help"), location=error.get("location"), warnings=answer.get("warnings"),
            )
        raise error_from_dict(error, answer.get("warnings"))
    raise InternalError(f"unexpected answer from the engine: {text[:200]}")


# ----------------------------------------------------------------- whole-cluster types
#
# The answers of matrix, exposure, diff, synthesize, repair and endpoints are plain dicts
# and lists, exactly the ``result`` of the CLI's ``-o json`` (``json.dumps`` of one is the
# CLI's bytes); the TypedDicts below describe them. Keys are the JSON keys (camelCase).

#: What a matrix row names.
MatrixBy = Literal["workload", "pod", "class"]
#: ``cells``: groups and cells (``meshverdict matrix -o json``); ``compact``: classes,
#: sets and rows (``-o compact``).
MatrixFormat = Literal["cells", "compact"]
#: Ports: a number, ``"8000-8100"``, ``"80,443"``, or a list of those.
Ports = Union[int, str, Sequence[Union[int, str]]]
SynthesisDialect = Literal["networkpolicy", "cilium", "linkerd"]
SynthesisGranularity = Literal["workload", "namespace"]
RepairDialect = Literal["networkpolicy", "cilium"]
#: The other tree of a diff: YAML or JSON text (``str``, or ``bytes`` in UTF-8), a file
#: or folder (``os.PathLike``, read as :meth:`Cluster.from_path` reads it), or files
#: ``[(name, text), ...]``.
Manifests = Union[str, bytes, "os.PathLike[str]", Sequence[Tuple[str, Union[str, bytes]]]]

# The answers' shapes are generated from the Rust serde types (schema/meshverdict.schema.json
# → _schema.py; regenerate with ``bash schema/generate.sh``), under these names here.
from ._schema import Cell as MatrixCell  # noqa: E402
from ._schema import DiffResult as DiffResult  # noqa: E402
from ._schema import EndpointInfo as EndpointInfo  # noqa: E402
from ._schema import Exposure as Exposure  # noqa: E402
from ._schema import FlowChange as FlowChange  # noqa: E402
from ._schema import FlowDiff as DiffChanges  # noqa: E402
from ._schema import Group as MatrixGroup  # noqa: E402
from ._schema import MatrixCells as MatrixCells  # noqa: E402
from ._schema import MatrixCompact as MatrixCompact  # noqa: E402
from ._schema import NamedPort as NamedPort  # noqa: E402
from ._schema import PortRange as PortRange  # noqa: E402
from ._schema import Reach as Reach  # noqa: E402
from ._schema import Repair as Repair  # noqa: E402
from ._schema import Synthesis as Synthesis  # noqa: E402
from ._schema import SynthesizedObject as SynthesizedObject  # noqa: E402


def _argument(value: object, argument: str, types: Tuple[type, ...], expected: str) -> None:
    """Raises :class:`InvalidArgumentType` unless ``value`` is None or of ``types``."""
    if value is not None and (not isinstance(value, types) or (bool not in types and isinstance(value, bool))):
        raise InvalidArgumentType(f"{argument} must be {expected}, not {type(value).__name__}", code="invalid-request")


def _text(data: Union[str, bytes], name: str) -> str:
    """Text, or UTF-8 bytes decoded; bytes that are not UTF-8 raise the located ParseError."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        _native.load(data, name, "generic", None)  # raises the located parse-error
        raise


def _manifests(value: object, argument: str) -> Dict[str, Any]:
    """The request form of manifests (``{"yaml", "name"?}`` or ``{"files": [...]}``)."""
    if isinstance(value, str):
        return {"yaml": value}
    if isinstance(value, bytes):
        return {"yaml": _text(value, argument)}
    if isinstance(value, os.PathLike):
        where = os.fspath(value)
        if not isinstance(where, str):
            raise InvalidArgumentType(f"{argument} must be a path of str, not {type(where).__name__}", code="invalid-request")
        if os.path.isdir(where):
            files, skipped = _read_folder(where)
            if not files:
                raise _native.Folder.nothing_to_load(where, [(s.path, s.kind) for s in skipped])
            return {"files": [{"name": n, "yaml": _text(t, n)} for n, t in files]}
        try:
            with open(where, "rb") as f:
                data = f.read()
        except OSError as e:
            raise error_from_dict({"code": "invalid-request", "message": f"{where}: {e.strerror or e}"}) from None
        return {"yaml": _text(data, where), "name": where}
    if isinstance(value, (list, tuple)):
        out = []
        for i, item in enumerate(value):
            if not (isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], (str, bytes))):
                raise InvalidArgumentType(
                    f"{argument}[{i}] must be a (name, text) tuple of str and str or bytes, not {type(item).__name__}",
                    code="invalid-request",
                )
            out.append({"name": item[0], "yaml": _text(item[1], item[0])})
        return {"files": out}
    raise InvalidArgumentType(
        f"{argument} must be manifests: text (str, or bytes in UTF-8), a path (os.PathLike) or a list of (name, text), "
        f"not {type(value).__name__}",
        code="invalid-request",
    )


def _request(**fields: Any) -> Dict[str, Any]:
    """A request without the options left at None (the engine's defaults)."""
    return {k: v for k, v in fields.items() if v is not None}


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
    def flows_total(self) -> int:
        """How many flows the finding concerns: ``len(flows)`` unless ``flows`` lists only
        the first of them (a finding between two large groups of pods)."""
        total = self._data.get("flowsTotal")
        return int(total) if total is not None else len(self._data.get("flows") or [])

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


def _answer_buffer(out: object) -> memoryview:
    """``out`` of :meth:`Cluster.allowed_columns` as a writable row of bytes."""
    expected = "a writable buffer of one-byte items (bytearray, array('B'), a NumPy bool array)"
    try:
        view = memoryview(out)  # type: ignore[arg-type]
    except TypeError:
        raise InvalidArgumentType(f"out must be {expected}, not {type(out).__name__}", code="invalid-request") from None
    if view.readonly or view.itemsize != 1 or view.ndim != 1 or not view.c_contiguous:
        what = (
            "read-only" if view.readonly
            else f"{view.itemsize}-byte items" if view.itemsize != 1
            else f"{view.ndim} dimensions" if view.ndim != 1
            else "not contiguous"
        )
        raise InvalidArgumentType(f"out must be {expected}, not {type(out).__name__} ({what})", code="invalid-request")
    return view if view.format == "B" else view.cast("B")

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

    @overload
    def allowed_columns(
        self,
        endpoints: Sequence[str],
        from_: Union[Sequence[int], Buffer],
        to: Union[Sequence[int], Buffer],
        port: Union[int, Sequence[int], Buffer],
        protocol: Optional[Protocol] = ...,
        *,
        out: None = ...,
    ) -> List[bool]: ...

    @overload
    def allowed_columns(
        self,
        endpoints: Sequence[str],
        from_: Union[Sequence[int], Buffer],
        to: Union[Sequence[int], Buffer],
        port: Union[int, Sequence[int], Buffer],
        protocol: Optional[Protocol] = ...,
        *,
        out: _Out,
    ) -> _Out: ...

    def allowed_columns(
        self,
        endpoints: Sequence[str],
        from_: Union[Sequence[int], Buffer],
        to: Union[Sequence[int], Buffer],
        port: Union[int, Sequence[int], Buffer],
        protocol: Optional[Protocol] = "TCP",
        *,
        out: Optional[Buffer] = None,
    ) -> Union[List[bool], Buffer]:
        """:meth:`allowed_many` for questions as columns: question ``i`` is
        ``endpoints[from_[i]]`` → ``endpoints[to[i]]`` on ``port`` (one int for all) or
        ``port[i]``, all on ``protocol``.

        ``endpoints`` are references as :meth:`verdict` takes them, each read once however
        many questions name it. ``from_``, ``to`` and a port column are lists or tuples of
        int, or buffers of integers of any format (``array.array``, ``memoryview``, a NumPy
        array), read without a Python call per item. A wrong argument (columns of different
        lengths, an index past ``endpoints``) raises before any question is answered;
        else the first failing question raises, its message prefixed with it
        (``from_[17] → to[17]: …``).

        With ``out``, a writable buffer of one-byte items as long as ``from_`` (a
        ``bytearray``, ``array('B')``, a NumPy ``bool`` or ``uint8`` array), the answers
        are written into it (1 allowed, 0 not) and ``out`` is returned: no Python object
        per answer, for batches too large for a list.
        """
        if out is None:
            answers: List[bool] = self._handle.allowed_columns(endpoints, from_, to, port, protocol)
            return answers
        view = _answer_buffer(out)
        view[:] = self._handle.allowed_columns(endpoints, from_, to, port, protocol, len(view))
        return out

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

    @overload
    def matrix(
        self, *, by: MatrixBy = ..., namespace: Optional[str] = ..., src: Optional[str] = ..., dst: Optional[str] = ...,
        port: Optional[Ports] = ..., protocol: Union[Protocol, Sequence[Protocol], None] = ..., no_externals: bool = ...,
        format: Literal["cells"] = ...,
    ) -> MatrixCells: ...

    @overload
    def matrix(
        self, *, by: MatrixBy = ..., namespace: Optional[str] = ..., src: Optional[str] = ..., dst: Optional[str] = ...,
        port: Optional[Ports] = ..., protocol: Union[Protocol, Sequence[Protocol], None] = ..., no_externals: bool = ...,
        format: Literal["compact"],
    ) -> MatrixCompact: ...

    def matrix(
        self,
        *,
        by: MatrixBy = "workload",
        namespace: Optional[str] = None,
        src: Optional[str] = None,
        dst: Optional[str] = None,
        port: Optional[Ports] = None,
        protocol: Union[Protocol, Sequence[Protocol], None] = None,
        no_externals: bool = False,
        format: MatrixFormat = "cells",  # noqa: A002 - the CLI's -o
    ) -> Union[MatrixCells, MatrixCompact]:
        """Every allowed source → destination with its ports: ``meshverdict matrix -o json``
        (``format="compact"``: ``-o compact``), with the CLI's filters: ``by``
        (``workload``, ``pod``, ``class``), ``namespace`` (``-n``), ``src``/``dst``
        (``--from``/``--to``: ``NS/NAME``, ``NS/*``, ``ip:…`` or a label selector),
        ``port`` (``8080``, ``"8000-8100"``, ``"80,443"`` or a list), ``protocol`` (one or
        a list) and ``no_externals``."""
        _argument(src, "src", (str,), "a str")
        _argument(dst, "dst", (str,), "a str")
        _argument(no_externals, "no_externals", (bool,), "a bool")
        request = _request(by=by, namespace=namespace, port=list(port) if isinstance(port, (list, tuple)) else port,
                           protocol=list(protocol) if isinstance(protocol, (list, tuple)) else protocol,
                           format=format, noExternals=no_externals or None)
        request.update(_request(**{"from": src, "to": dst}))
        result: Union[MatrixCells, MatrixCompact] = self._call("matrix", request)
        return result

    def exposure(self, *, namespace: Optional[str] = None) -> List[Exposure]:
        """For each workload, who beyond its namespace may reach it, on which ports, and
        whether it is open to everything (``meshverdict exposure -o json``)."""
        result: List[Exposure] = self._call("exposure", _request(namespace=namespace))
        return result

    def diff(
        self,
        after: Optional[Manifests] = None,
        *,
        before: Optional[Manifests] = None,
        by: MatrixBy = "workload",
        forbid: Union[str, bytes, None] = None,
        forbid_name: str = "forbid.yaml",
    ) -> DiffResult:
        """The flows a change opens and closes, each with the policies responsible
        (``meshverdict diff -o json``). This cluster is the tree before the change and
        ``after`` the manifests after it (or, with ``before=``, the other way round); they
        are loaded as this cluster was (dataplane, limits). ``forbid``: an Expectations
        document whose ``deny`` flows must stay denied (``forbiddenOpened`` lists those
        the change opens)."""
        if (after is None) == (before is None):
            raise InvalidArgumentType("diff takes after (this cluster is the tree before the change) or before, one of them",
                                      code="invalid-request")
        _argument(forbid, "forbid", (str, bytes), "an Expectations document (str or bytes)")
        _argument(forbid_name, "forbid_name", (str,), "a str")
        request = _request(by=by)
        if after is not None:
            request["after"] = _manifests(after, "after")
        else:
            request["before"] = _manifests(before, "before")
        if forbid is not None:
            request["forbid"] = {"yaml": _text(forbid, forbid_name), "name": forbid_name}
        result: DiffResult = self._call("diff", request)
        return result

    def synthesize(
        self,
        intents: Union[str, Mapping[str, Any], Sequence[Mapping[str, Any]], None] = None,
        *,
        dialect: SynthesisDialect = "networkpolicy",
        granularity: SynthesisGranularity = "workload",
        from_current: bool = False,
        isolate: Optional[Sequence[str]] = None,
        isolate_all: bool = False,
        intents_name: Optional[str] = None,
        hubble: Optional[str] = None,
        linkerd_edges: Optional[str] = None,
    ) -> Synthesis:
        """Least-privilege policies for ``intents``, proven by the engine before they are
        returned (``meshverdict synthesize -o json``): ``objects`` and their ``yaml``,
        ``needs``, ``unmet`` and the ``proof``.

        ``intents``: the text of ``kind: Intents`` documents, or their parsed form (a
        document, a list of documents, or a list of intents ``{"from", "to", "ports"?,
        "protocol"?}``); ``None``: the Intents documents among the cluster's manifests (or
        observed flows: ``hubble``, ``linkerd_edges``, their JSON text). ``intents_name``
        names the intents in error locations. The rest are the CLI's flags."""
        _argument(intents_name, "intents_name", (str,), "a str")
        _argument(from_current, "from_current", (bool,), "a bool")
        _argument(isolate_all, "isolate_all", (bool,), "a bool")
        _argument(hubble, "hubble", (str,), "the text of `hubble observe -o json` (str)")
        _argument(linkerd_edges, "linkerd_edges", (str,), "the text of `linkerd viz edges -o json` (str)")
        if isinstance(isolate, str):
            raise InvalidArgumentType("isolate must be a list of namespaces (str), not str", code="invalid-request")
        if isinstance(intents, tuple):
            intents = list(intents)
        request = _request(intents=intents, intentsName=intents_name, hubble=hubble, linkerdEdges=linkerd_edges,
                           dialect=dialect, granularity=granularity, fromCurrent=from_current or None,
                           isolate=list(isolate) if isolate is not None else None, isolateAll=isolate_all or None)
        result: Synthesis = self._call("synthesize", request)
        return result

    def repair(self, *, dialect: RepairDialect = "networkpolicy") -> Repair:
        """The smallest additive change that gives the mesh back the flows it needs,
        proven (``meshverdict repair -o json``): ``objects``, their ``yaml`` (empty:
        nothing to repair), what they ``opens``, likely typos (``hints``) and the flows no
        added allow can restore (``unrepairable``)."""
        result: Repair = self._call("repair", _request(dialect=dialect))
        return result

    def endpoints(self) -> List[EndpointInfo]:
        """Every Pod, workload and Service a question may name (for pickers): ``reference``,
        ``kind``, ``namespace``, ``name``, ``labels``, ``ports``, ``meshed`` and a
        workload's ``pods``; Services (``svc:NS/NAME``, destinations only) last."""
        result: List[EndpointInfo] = self._call("endpoints")
        return result

    def __repr__(self) -> str:
        return f"<meshverdict.Cluster name={self._name!r} dataplane={self.dataplane!r}>"


def run_case(text: Union[str, bytes], name: str = "case.yaml") -> CaseReport:
    """Runs one conformance case file (see the case format, docs/case-format.md).

    A case that cannot be loaded is a report whose items all failed; a file without
    a ``kind: Expectations`` document raises :class:`InvalidCase`.
    """
    return CaseReport(_decode(_native.run_case(text, name)))
