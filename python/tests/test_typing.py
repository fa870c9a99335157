"""The types the package declares hold: the hand-written ``_native.pyi`` matches the
binary (``mypy.stubtest``), the public API type-checks under ``mypy --strict`` as the
README uses it, and typos (a misspelt dataplane, an unknown protocol) fail type checking."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

TYPING = Path(__file__).resolve().parent / "typing"

pytest.importorskip("mypy")


def _run(args: List[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=TYPING)


def test_stub_matches_the_binary() -> None:
    r = _run(["mypy.stubtest", "meshverdict._native", "--ignore-missing-stub"])
    assert r.returncode == 0, r.stdout + r.stderr


def test_public_api_is_strictly_typed() -> None:
    for target in (["-p", "meshverdict"], [str(TYPING / "uses.py")]):
        r = _run(["mypy", "--strict", "--no-incremental", *target])
        assert r.returncode == 0, r.stdout + r.stderr


def test_typos_fail_type_checking() -> None:
    source = (TYPING / "typos.py").read_text(encoding="utf-8").splitlines()
    want = {i + 1 for i, line in enumerate(source) if "# error:" in line}
    r = _run(["mypy", "--strict", "--no-incremental", str(TYPING / "typos.py")])
    got = {int(m.group(1)) for m in re.finditer(r"typos\.py:(\d+): error", r.stdout)}
    assert want, "no expected errors in typos.py"
    assert got == want, r.stdout
