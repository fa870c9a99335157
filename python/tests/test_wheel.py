"""The wheel as a user gets it: installed alone into a fresh venv (no repository, no
build tools), the README's snippet runs there and type-checks under ``mypy --strict``,
the license is inside, and the ``meshverdict`` command (the Rust CLI) is installed into
the venv's ``bin/`` and runs, also as ``python -m meshverdict``.

The wheel is ``MESHVERDICT_WHEEL``, else the newest in ``<repo>/target/wheels`` (what
``python/build.sh`` writes); without one the tests skip (``CI=true``: fail)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path
from typing import Iterator, Optional

import pytest

from conftest import REPO, in_ci

README = REPO / "python" / "README.md"


def _wheel() -> Optional[Path]:
    env = os.environ.get("MESHVERDICT_WHEEL")
    if env:
        return Path(env)
    wheels = sorted((REPO / "target" / "wheels").glob("meshverdict-*-abi3-*.whl"), key=lambda p: p.stat().st_mtime)
    return wheels[-1] if wheels else None


WHEEL = _wheel()
if WHEEL is None:
    if in_ci():
        raise RuntimeError("no wheel to test: run python/build.sh")
    pytest.skip("no wheel in target/wheels (python/build.sh builds it)", allow_module_level=True)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A new venv holding the wheel and nothing else (installed offline, no deps)."""
    home = tmp_path_factory.mktemp("fresh-venv")
    venv.EnvBuilder(with_pip=True).create(home)
    py = home / "bin" / "python"
    r = subprocess.run([str(py), "-m", "pip", "install", "--no-index", "--no-deps", "--disable-pip-version-check", str(WHEEL)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    yield home


def _snippet() -> str:
    blocks = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M)
    assert blocks, f"no ```python block in {README}"
    return "\n\n".join(blocks)


def test_wheel_is_abi3_manylinux_with_license() -> None:
    assert WHEEL is not None
    assert re.search(r"-cp3\d+-abi3-manylinux_\d+_\d+_x86_64", WHEEL.name), WHEEL.name
    with zipfile.ZipFile(WHEEL) as z:
        names = z.namelist()
        licenses = [n for n in names if re.search(r"\.dist-info/licenses/LICENSE$", n)]
        assert licenses, names
        assert "Apache License" in z.read(licenses[0]).decode()
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        assert "License-Expression: Apache-2.0" in meta
        scripts = {n.rsplit("/", 1)[-1] for n in names if ".data/scripts/" in n}
        assert scripts == {"meshverdict", "kubectl-meshverdict"}, names
        assert any(n.endswith("_native.pyi") for n in names) and any(n.endswith("py.typed") for n in names)


def test_readme_snippet_runs_in_a_fresh_venv(fresh: Path, tmp_path: Path) -> None:
    script = tmp_path / "snippet.py"
    script.write_text(_snippet(), encoding="utf-8")
    r = subprocess.run([str(fresh / "bin" / "python"), str(script)], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ALLOWED" in r.stdout


def test_readme_snippet_type_checks_strictly(fresh: Path, tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    script = tmp_path / "snippet.py"
    script.write_text(_snippet(), encoding="utf-8")
    # mypy from the build venv, reading the packages of the fresh one.
    r = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-executable",
                        str(fresh / "bin" / "python"), str(script)], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_cli_is_installed(fresh: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "shop.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec: {containers: [{name: c}]}\n", encoding="utf-8")
    cli = fresh / "bin" / "meshverdict"
    assert os.access(cli, os.X_OK)
    args = ["check", "-f", str(manifest), "--from", "x/a", "--to", "x/a", "--port", "80"]
    direct = subprocess.run([str(cli), *args], capture_output=True, text=True)
    assert direct.returncode == 0, direct.stdout + direct.stderr
    assert direct.stdout.startswith("ALLOWED")
    # Not on PATH: `python -m meshverdict` finds the binary of its own environment.
    env = {k: v for k, v in os.environ.items() if k != "PATH"}
    env["PATH"] = "/usr/bin:/bin"
    module = subprocess.run([str(fresh / "bin" / "python"), "-m", "meshverdict", *args], capture_output=True, text=True, env=env)
    assert (module.returncode, module.stdout) == (direct.returncode, direct.stdout)
    assert os.access(fresh / "bin" / "kubectl-meshverdict", os.X_OK)
