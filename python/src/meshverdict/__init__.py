"""meshverdict: network verdicts that know the service mesh.

"May A reach B on port P, and why?" for Kubernetes clusters guarded by
NetworkPolicy, CiliumNetworkPolicy and Linkerd, from the manifests you already
have. The engine is Rust (``meshverdict._native``); every host (CLI, WASM, Node,
Python) gives the same verdicts, with the same error codes.

>>> cluster = Cluster.from_path("manifests/")  # doctest: +SKIP
>>> cluster.verdict("shop/web", "shop/api", 8080).allowed  # doctest: +SKIP
True

The wheel also installs the ``meshverdict`` command (the Rust CLI itself); ``python -m
meshverdict`` runs it too.
"""

from ._api import (
    CaseItem,
    CaseReport,
    Cluster,
    Dataplane,
    DataplaneChoice,
    DataplaneName,
    Diagnostic,
    Limits,
    LoadWarning,
    Port,
    Protocol,
    Query,
    SkippedFile,
    Verdict,
    VerdictBrief,
    run_case,
)
from ._errors import (
    InternalError,
    InvalidArgumentType,
    InvalidCase,
    InvalidField,
    InvalidPolicy,
    InvalidRequest,
    LimitExceeded,
    MeshverdictError,
    ParseError,
    UnknownEndpoint,
)
from ._native import __version__

__all__ = [
    "__version__",
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
    "MeshverdictError",
    "InvalidArgumentType",
    "ParseError",
    "LimitExceeded",
    "InvalidField",
    "InvalidPolicy",
    "UnknownEndpoint",
    "InvalidRequest",
    "InvalidCase",
    "InternalError",
]
