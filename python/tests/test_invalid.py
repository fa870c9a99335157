"""Hostile and wrong inputs: each file of ``tests/invalid`` names, on its first line,
the error it must produce (``# expect-error: code=… doc=… path=… line=…``, ``-`` = not
applicable). Loading either raises that error, located, or succeeds and
``cluster.errors()`` holds it (an object the API server would reject exists in the
input but cannot exist in a cluster)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional

import pytest

from conftest import REPO
from meshverdict import Cluster, MeshverdictError

INVALID = REPO / "tests" / "invalid"
FILES = sorted(p for p in INVALID.iterdir() if p.is_file() and not p.name.startswith((".", "README")))


def _header(text: str) -> Dict[str, Optional[str]]:
    first = text.splitlines()[0] if text else ""
    assert first.startswith("# expect-error:"), "first line must be `# expect-error: …`"
    fields: Dict[str, Optional[str]] = {}
    for word in first[len("# expect-error:"):].split():
        key, _, value = word.partition("=")
        fields[key] = None if value == "-" else value
    assert fields.get("code"), "no code="
    return fields


def test_invalid_inputs_exist() -> None:
    assert FILES, f"no files in {INVALID}"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_invalid(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    want = _header(text)
    name = str(path)
    try:
        errors: List[MeshverdictError] = Cluster.from_yaml(text, name=name).errors()

    except MeshverdictError as e:
        errors = [e]


    def matches(e: MeshverdictError) -> bool:
        loc = e.location
        return (
            e.code == want["code"]
            and (want.get("doc") is None or loc.get("document") == int(str(want["doc"])))
            and (want.get("path") is None or loc.get("path") == want["path"])
            and (want.get("line") is None or loc.get("line") == int(str(want["line"])))
        )

    hit = next((e for e in errors if matches(e)), None)
    assert hit is not None, f"expected {want}; got:\n" + "\n".join(f"  {e.code} {e.location}" for e in errors)
    # The right class for the code, and an error that names the file.
    assert type(hit).code == want["code"], f"{type(hit).__name__} for {want['code']}"
    assert hit.location.get("source") == name, f"error does not name the file: {hit}"
    assert hit.message and str(hit)
