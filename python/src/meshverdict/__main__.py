"""``python -m meshverdict ARGS…``: the ``meshverdict`` command, the same Rust CLI the
wheel installs into the environment's ``bin/`` (``Scripts\\`` on Windows).

Useful where that folder is not on ``PATH`` (``pip install --user``, a venv that is not
activated). The CLI is the real binary, not a Python re-implementation, so its output,
exit status and speed are those of ``cargo install --path cli``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from typing import List, Optional


def _exe(name: str) -> str:
    return name + (".exe" if sys.platform == "win32" else "")


def find_cli() -> Optional[str]:
    """The ``meshverdict`` binary installed with this package, or on ``PATH``."""
    name = _exe("meshverdict")
    candidates: List[str] = []
    scripts = sysconfig.get_path("scripts")
    if scripts:
        candidates.append(os.path.join(scripts, name))
    user_scheme = f"{os.name}_user" if sys.platform != "darwin" else "osx_framework_user"
    try:
        user = sysconfig.get_path("scripts", scheme=user_scheme)
    except KeyError:
        user = None
    if user:
        candidates.append(os.path.join(user, name))
    # `pip install --target DIR` puts scripts in DIR/bin, beside the package folder.
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    candidates.append(os.path.join(package_root, "bin", name))
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    from shutil import which

    return which(name)


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    cli = find_cli()
    if cli is None:
        sys.stderr.write(
            "meshverdict: the meshverdict command is not installed with this package "
            "(reinstall the wheel, or `cargo install --path cli --locked` from the repository)\n"
        )
        return 2
    if sys.platform == "win32":
        return subprocess.call([cli, *args])
    os.execv(cli, [cli, *args])
    return 2  # not reached: execv replaces the process


if __name__ == "__main__":
    sys.exit(main())
