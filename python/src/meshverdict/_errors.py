"""Errors as data: the same code, message, help and location every host shows.

Every failure answer of the engine becomes an instance of the subclass named by its
``code``; :func:`error_from_dict` does that mapping and nothing else.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Type

__all__ = [
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
    "error_from_dict",
]


class MeshverdictError(Exception):
    """A meshverdict error: ``code``, ``message``, ``help`` and ``location``.

    ``location`` is a dict with ``source`` (the file, or the name given to the text)
    and, where known, ``document`` (1-based), ``path`` (``spec.ingress[0]…``),
    ``line`` and ``column``; it is empty when the error has no place in the input.
    """

    code: str = ""

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        help: Optional[str] = None,  # noqa: A002 - the engine's field name
        location: Optional[Dict[str, Any]] = None,
        warnings: Optional[List[Dict[str, Any]]] = None,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message: str = message
        self.help: Optional[str] = help
        self.location: Dict[str, Any] = dict(location or {})
        self.warnings: List[Dict[str, Any]] = list(warnings or [])

    def to_dict(self) -> Dict[str, Any]:
        """The error as the engine reports it (the ``error`` of a failure answer)."""
        out: Dict[str, Any] = {"code": self.code, "message": self.message}
        if self.help is not None:
            out["help"] = self.help
        if self.location:
            out["location"] = dict(self.location)
        return out

    @property
    def where(self) -> str:
        """The location as one string: ``file:line (document N, path)``."""
        loc = self.location
        if not loc:
            return ""
        text = str(loc.get("source", ""))
        if loc.get("line") is not None:
            text += f":{loc['line']}"
        if loc.get("document") is not None:
            text += f" (document {loc['document']}"
            if loc.get("path") is not None:
                text += f", {loc['path']}"
            text += ")"
        elif loc.get("path") is not None:
            text += f" ({loc['path']})"
        return text

    def __str__(self) -> str:
        where = self.where
        text = f"{where}: {self.message}" if where else self.message
        if self.help:
            text += f"\nhelp: {self.help}"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, location={self.location!r})"

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Keeps the keyword-only fields across pickling (multiprocessing, pytest-xdist).
        return (
            _rebuild,
            (type(self), self.message, self.code, self.help, self.location, self.warnings),
        )


def _rebuild(
    cls: Type[MeshverdictError],
    message: str,
    code: str,
    help: Optional[str],  # noqa: A002
    location: Dict[str, Any],
    warnings: List[Dict[str, Any]],
) -> MeshverdictError:
    return cls(message, code=code, help=help, location=location, warnings=warnings)


class ParseError(MeshverdictError):
    """The text is not YAML or JSON (``parse-error``)."""

    code = "parse-error"


class LimitExceeded(MeshverdictError):
    """Alias expansion, nesting depth or object count went past a limit (``limit-exceeded``)."""

    code = "limit-exceeded"


class InvalidField(MeshverdictError):
    """A field the engine reads has the wrong type or shape (``invalid-field``)."""

    code = "invalid-field"


class InvalidPolicy(MeshverdictError):
    """An object the API server (or Cilium) would reject (``invalid-policy``)."""

    code = "invalid-policy"


class UnknownEndpoint(MeshverdictError, LookupError):
    """A question names an endpoint that the input does not hold (``unknown-endpoint``)."""

    code = "unknown-endpoint"


class InvalidRequest(MeshverdictError, ValueError):
    """A question is malformed: endpoint syntax, port, protocol, dataplane (``invalid-request``)."""

    code = "invalid-request"


class InvalidArgumentType(MeshverdictError, TypeError):
    """An argument of the wrong type: a float for a port, None for an endpoint, an
    unknown key in a query dict (``invalid-request``, like :class:`InvalidRequest`, which
    is the ``ValueError`` for a value of the right type that is wrong)."""

    code = "invalid-request"


class InvalidCase(MeshverdictError):
    """A conformance case file is malformed (``invalid-case``)."""

    code = "invalid-case"


class InternalError(MeshverdictError):
    """A bug in meshverdict, reported instead of a crash (``internal``)."""

    code = "internal"


_BY_CODE: Dict[str, Type[MeshverdictError]] = {
    cls.code: cls
    for cls in (
        ParseError,
        LimitExceeded,
        InvalidField,
        InvalidPolicy,
        UnknownEndpoint,
        InvalidRequest,
        InvalidCase,
        InternalError,
    )
}


def _from_native(
    code: str,
    message: str,
    help: Optional[str],  # noqa: A002
    location: Optional[Dict[str, Any]],
    kind: str,
) -> MeshverdictError:
    """The exception ``meshverdict._native`` raises: ``kind`` is ``type`` (a wrong type:
    :class:`InvalidArgumentType`), ``value`` (a wrong value: :class:`InvalidRequest`) or
    ``code`` (the class of the code)."""
    if kind == "type":
        return InvalidArgumentType(message, code=code, help=help, location=location)
    return error_from_dict({"code": code, "message": message, "help": help, "location": location})


def error_from_dict(
    error: Dict[str, Any], warnings: Optional[List[Dict[str, Any]]] = None
) -> MeshverdictError:
    """The exception for an engine error object (``{"code", "message", …}``).

    An unknown code (from a newer engine) gives a plain :class:`MeshverdictError`
    that still carries it.
    """
    code = str(error.get("code", "internal"))
    cls = _BY_CODE.get(code, MeshverdictError)
    return cls(
        str(error.get("message", "")),
        code=code,
        help=error.get("help"),
        location=error.get("location") or {},
        warnings=warnings,
    )
