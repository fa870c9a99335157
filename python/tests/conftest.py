"""Where the repository's test inputs are, for every Python test."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List

REPO = Path(__file__).resolve().parents[2]
PYTHON_DIR = REPO / "python"


def shared_cases() -> Path:
    """The shared corpus: ``MESHVERDICT_SHARED_CASES``, else ``<repo>/../shared/conformance/cases``."""
    env = os.environ.get("MESHVERDICT_SHARED_CASES")
    return Path(env) if env else REPO.parent / "shared" / "conformance" / "cases"


def yaml_files(folder: Path) -> List[Path]:
    """Every ``*.yaml``/``*.yml`` below ``folder``, sorted (as the Rust tests find them)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml"))


def in_ci() -> bool:
    return os.environ.get("CI") == "true"
