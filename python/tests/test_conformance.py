"""Every conformance case through the Python host, item by item against Rust.

One test per case file: the project's ``tests/cases`` and the shared corpus
(``MESHVERDICT_SHARED_CASES``, default ``<repo>/../shared/conformance/cases``).
Each id must have the passed value the Rust CLI reports (``MESHVERDICT_RUST_RESULTS``:
the output of ``meshverdict conformance -o json tests/cases ../shared/conformance/cases``;
when unset, this runs that command with ``cargo run --release``). A failing item
must be listed in ``tests/expected-failures.txt``, and a listed item that passes
fails, as in the Rust test: the list only shrinks.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from conftest import REPO, in_ci, shared_cases, yaml_files
from meshverdict import InvalidCase, run_case

OWN = REPO / "tests" / "cases"
SHARED = shared_cases()


def _cli_arg(folder: Path) -> str:
    """A folder as the CLI is given it from the repository root (relative where possible)."""
    try:
        return os.path.relpath(folder, REPO)
    except ValueError:  # another drive
        return str(folder)


def _cases() -> List[Tuple[str, Path]]:
    out = [("cases", p) for p in yaml_files(OWN)]
    out += [("shared", p) for p in yaml_files(SHARED)]
    return out


CASES = _cases()


def _case_id(case: Tuple[str, Path]) -> str:
    label, path = case
    base = OWN if label == "cases" else SHARED
    return f"{label}::{path.relative_to(base).as_posix()}"


def _source_name(path: Path) -> str:
    """The name the CLI gives a file: the folder argument joined with the path below it."""
    for base in (OWN, SHARED):
        try:
            rel = path.relative_to(base)
        except ValueError:
            continue
        return os.path.join(_cli_arg(base), str(rel))
    return str(path)


def _key(source: str) -> str:
    p = Path(source)
    return str((p if p.is_absolute() else REPO / p).resolve())


class RustResults:
    def __init__(self, reports: List[Dict[str, Any]], origin: str) -> None:
        self.origin = origin
        self.by_path: Dict[str, Dict[str, Any]] = {}
        self.by_name: Dict[str, List[Dict[str, Any]]] = {}
        for r in reports:
            self.by_path[_key(str(r.get("source", "")))] = r
            self.by_name.setdefault(str(r.get("name", "")), []).append(r)

    def find(self, path: Path, name: Optional[str]) -> Optional[Dict[str, Any]]:
        hit = self.by_path.get(str(path.resolve()))
        if hit is None and name is not None and len(self.by_name.get(name, [])) == 1:
            hit = self.by_name[name][0]  # results produced from another folder
        return hit


def _reports(doc: Any, origin: str) -> List[Dict[str, Any]]:
    """The reports of ``conformance -o json``: its envelope's ``result.reports``."""
    if not isinstance(doc, dict) or doc.get("type") != "success":
        pytest.fail(f"{origin}: not a success envelope: {str(doc)[:500]}")
    return doc["result"]["reports"]


def _run_cli() -> Tuple[List[Dict[str, Any]], str]:
    folders = [_cli_arg(OWN)] + ([_cli_arg(SHARED)] if SHARED.is_dir() else [])
    cmd = ["cargo", "run", "--release", "--quiet", "-p", "meshverdict-cli", "--bin", "meshverdict", "--", "conformance", "-o", "json", *folders]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if proc.returncode not in (0, 1):  # 1: some item failed; 2: cannot run
        pytest.fail(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-4000:]}")
    return _reports(json.loads(proc.stdout), " ".join(cmd)), " ".join(cmd)


@pytest.fixture(scope="session")
def rust() -> RustResults:
    path = os.environ.get("MESHVERDICT_RUST_RESULTS")
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                return RustResults(_reports(json.load(f), path), path)
        except (OSError, ValueError) as e:
            pytest.fail(f"MESHVERDICT_RUST_RESULTS={path}: {e}")
    reports, origin = _run_cli()
    return RustResults(reports, origin)


@pytest.fixture(scope="session")
def expected_failures() -> Dict[str, str]:
    out: Dict[str, str] = {}
    text = (REPO / "tests" / "expected-failures.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        out[parts[0]] = parts[1] if len(parts) > 1 else ""
    return out


def test_shared_corpus_present() -> None:
    if SHARED.is_dir():
        return
    msg = f"shared conformance cases not found at {SHARED} (set MESHVERDICT_SHARED_CASES)"
    if in_ci():
        pytest.fail(msg)
    pytest.skip(msg)


def test_some_cases_found() -> None:
    assert yaml_files(OWN), f"no case files in {OWN}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_case(case: Tuple[str, Path], rust: RustResults, expected_failures: Dict[str, str]) -> None:
    _, path = case
    text = path.read_text(encoding="utf-8")
    try:
        report = run_case(text, name=_source_name(path))
    except InvalidCase as e:
        # No Expectations document: the CLI skips the file too, with a warning.
        assert rust.find(path, None) is None, f"Rust ran {path} but Python says: {e}"
        pytest.skip(f"no Expectations document: {e.message}")

    theirs = rust.find(path, report.name)
    assert theirs is not None, f"no Rust report for {path} in {rust.origin}"
    ours = {r.id: r for r in report.results}
    rust_items = {str(r["id"]): r for r in theirs.get("results", [])}

    problems = []
    if report.name != theirs.get("name"):
        problems.append(f"case name: Python {report.name!r}, Rust {theirs.get('name')!r}")
    if [r.id for r in report.results] != [str(r["id"]) for r in theirs.get("results", [])]:
        problems.append(f"items differ:\n  Python {sorted(ours)}\n  Rust   {sorted(rust_items)}")
    for id_, item in ours.items():
        other = rust_items.get(id_)
        if other is not None and bool(other.get("passed")) != item.passed:
            problems.append(
                f"{id_}: Python passed={item.passed}, Rust passed={other.get('passed')}\n"
                f"  Python: {item.detail}\n  Rust:   {other.get('detail')}"
            )
    if (report.passed, report.failed) != (theirs.get("passed"), theirs.get("failed")):
        problems.append(
            f"counts: Python {report.passed} passed/{report.failed} failed, "
            f"Rust {theirs.get('passed')}/{theirs.get('failed')}"
        )
    for item in report.results:
        issue = expected_failures.get(item.id)
        if not item.passed and issue is None:
            problems.append(f"FAIL {item.id}: {item.detail}")
        elif item.passed and issue is not None:
            problems.append(f"{item.id} passes now: remove it from tests/expected-failures.txt ({issue})")
    assert not problems, "\n".join(problems)


def test_every_rust_report_has_a_case_file(rust: RustResults) -> None:
    """The Python walk finds every file the CLI ran: no case is silently dropped."""
    assert rust.by_path, f"no reports in {rust.origin}"
    ours = {str(p.resolve()) for _, p in CASES}
    missing = sorted(k for k in rust.by_path if k not in ours)
    assert not missing, f"{rust.origin} has reports for files this test does not run: {missing}"
