"""meshverdict: network verdicts that know the service mesh.

"May A reach B on port P, and why?" for Kubernetes clusters guarded by
NetworkPolicy, CiliumNetworkPolicy and Linkerd, from the manifests you already
have. The engine is Rust (``meshverdict._native``); every host (CLI, WASM, Node,
Python) gives the same verdicts, with the same error codes.

>>> cluster = Cluster.from_yaml(open("cluster.yaml").read(), dataplane="cilium")  # doctest: +SKIP
>>> cluster.verdict("shop/web", "shop/api", 8080).allowed  # doctest: +SKIP
True
"""

from ._api import (
    CaseItem,
    CaseReport,
    Cluster,
    Diagnostic,
    LoadWarning,
    Query,
    Verdict,
    VerdictBrief,
    run_case,
)
from ._errors import (
    InternalError,
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
    "Diagnostic",
    "LoadWarning",
    "CaseItem",
    "CaseReport",
    "Query",
    "run_case",
    "MeshverdictError",
    "ParseError",
    "LimitExceeded",
    "InvalidField",
    "InvalidPolicy",
    "UnknownEndpoint",
    "InvalidRequest",
    "InvalidCase",
    "InternalError",
]
