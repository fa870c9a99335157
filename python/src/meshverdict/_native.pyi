# The compiled core of meshverdict (python/src/lib.rs), written by hand.
# Checked against the binary by `python -m mypy.stubtest meshverdict._native` and by
# tests/test_stub.py; type-checked with `mypy --strict`.
#
# Arguments are read and checked by the native code itself: a wrong type raises
# meshverdict.InvalidArgumentType (a TypeError), a wrong value meshverdict.InvalidRequest
# (a ValueError), an engine failure the MeshverdictError subclass of its code. Use the
# `meshverdict` package, not this module.

from typing import Any, List, Optional, Tuple, final, overload

from meshverdict._api import VerdictBrief
from meshverdict._errors import MeshverdictError

__all__ = ["__version__", "ENTRIES", "ClusterHandle", "VerdictHandle", "Folder", "load", "load_files", "run_case", "is_manifest_path"]

__version__: str
#: The entry points `ClusterHandle.call` knows.
ENTRIES: Tuple[str, ...]

@final
class ClusterHandle:
    """A loaded cluster, kept between questions."""

    @property
    def dataplane(self) -> str:
        """`generic`, `calico` or `cilium`."""
    @property
    def dataplane_reason(self) -> str:
        """Why that dataplane."""
    def warnings_json(self) -> str:
        """The load warnings as a JSON list."""
    def verdict(self, src: object, dst: object, port: object, protocol: object = None) -> VerdictHandle:
        """One verdict."""
    def verdicts(self, queries: object) -> List[VerdictBrief | MeshverdictError]:
        """A brief per question, or the exception of a question that failed in its place."""
    def allowed_many(self, queries: object) -> List[bool]:
        """`allowed` per question; the first failing question raises."""
    @overload
    def allowed_columns(self, endpoints: object, from_: object, to: object, port: object, protocol: object = None, out_len: None = None) -> List[bool]:
        """`allowed` per question of a batch by columns; a wrong argument, else the first failing question, raises."""
    @overload
    def allowed_columns(self, endpoints: object, from_: object, to: object, port: object, protocol: object, out_len: int) -> bytes:
        """The same answers as bytes (1 allowed), for a buffer `out` of `out_len` items."""
    def call(self, name: str, request: str) -> str:
        """An entry point by name: request and answer as JSON text."""

@final
class VerdictHandle:
    """One verdict, kept as the engine's value."""

    @property
    def allowed(self) -> bool: ...
    @property
    def summary(self) -> str: ...
    def explanation(self) -> str:
        """Every layer's reason, as `meshverdict check` prints it."""
    def to_json(self) -> str:
        """The whole verdict with its explanation, as JSON text."""
    def __bool__(self) -> bool: ...

@final
class Folder:
    """The files of one folder walk, classified as the CLI classifies them."""

    def __new__(cls, paths: List[str]) -> Folder: ...
    def by_name(self, path: str) -> str:
        """`other`, `manifests`, or the kind of a skipped file."""
    def classify(self, path: str, text: str | bytes) -> str:
        """`manifests`, `other`, or the kind of a skipped file."""
    @staticmethod
    def reason(kind: str) -> str: ...
    @staticmethod
    def nothing_to_load(folder: str, skipped: List[Tuple[str, str]]) -> MeshverdictError:
        """The error of a folder with nothing to load (to raise)."""
    @staticmethod
    def is_hidden(name: str) -> bool: ...

def load(text: object, name: object, dataplane: object, limits: Optional[Any]) -> ClusterHandle:
    """Loads manifests (str, or UTF-8 bytes)."""

def load_files(files: List[Tuple[str, str | bytes]], dataplane: object, limits: Optional[Any]) -> ClusterHandle:
    """Loads several files as one cluster, each under its name."""

def run_case(text: object, name: object) -> str:
    """Runs one conformance case file: the report as JSON text."""

def is_manifest_path(path: str) -> bool:
    """Whether a path names a manifest file (*.yaml, *.yml, *.json)."""
