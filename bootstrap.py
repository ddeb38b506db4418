#!/usr/bin/env python3
"""One-step setup for fepteach: needs only Python >= 3.10.

    python3 bootstrap.py course [DIR]   create .venv, install fepteach (runtime only), open the course in JupyterLab
    python3 bootstrap.py test [ARGS]    create .venv, install fepteach with its test extra, run the test suite
    python3 bootstrap.py site [ARGS]    create .venv, install the site extra, build the static course site (offline)

The virtual environment lives in ./.venv. Re-running is fast: the install step is
skipped while pyproject.toml is unchanged. Extra ARGS are passed on to
`fepteach start` (course) or to pytest (test).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".fepteach-install-stamp"


def venv_python() -> Path:
    sub = "Scripts/python.exe" if os.name == "nt" else "bin/python"
    return VENV / sub


def _installed(stamp_text: str, want: str) -> set[str]:
    """The extras a stamp records as installed for this pyproject.toml ("" = the runtime dependencies)."""
    digest, _, extras = stamp_text.strip().partition(" ")
    return set(extras.split(",")) | {""} if digest == want else set()


def ensure_environment(extra: str = "") -> Path:
    """Create .venv if needed and install fepteach into it: with ``extra`` (e.g. "test") or the runtime only.

    The stamp records the pyproject.toml hash and the extras installed, so a course run after
    a test run reinstalls nothing, and a test run after a course run adds the test extra.
    """
    if sys.version_info < (3, 10):
        sys.exit(f"fepteach needs Python >= 3.10; this is {sys.version.split()[0]}")
    py = venv_python()
    if not py.exists():
        print(f"Creating virtual environment in {VENV} ...", flush=True)
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except Exception as exc:  # e.g. Debian without python3-venv
            sys.exit(f"Could not create a virtual environment ({exc}). On Debian/Ubuntu: apt install python3-venv")
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    have = _installed(STAMP.read_text(), want) if STAMP.exists() else set()
    if extra not in have:
        print("Installing fepteach and its dependencies (first run takes a few minutes) ...", flush=True)
        subprocess.check_call([str(py), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        target = f"{ROOT}[{extra}]" if extra else str(ROOT)
        subprocess.check_call([str(py), "-m", "pip", "install", "--quiet", "-e", target])
        have = (have or {""}) | {extra}
        STAMP.write_text(f"{want} {','.join(sorted(have - {''}))}".strip())
    return py


def build_site(py: Path, args: list[str]) -> int:
    """Install the ``site`` extra when missing, then build the course site (docs/build.py prints where it is)."""
    probe = "import sphinx, myst_nb, sphinx_book_theme, jupyter_server_mathjax"
    if subprocess.call([str(py), "-c", probe], stderr=subprocess.DEVNULL) != 0:
        print("Installing the site tools (Sphinx, myst-nb) ...", flush=True)
        subprocess.check_call([str(py), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[site]"])
    return subprocess.call([str(py), str(ROOT / "docs" / "build.py"), *args], cwd=ROOT)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("course", "test", "site"):
        print(__doc__)
        return 2
    py = ensure_environment("" if argv[0] == "course" else "test")
    if argv[0] == "site":
        return build_site(py, argv[1:])
    if argv[0] == "course":
        return subprocess.call([str(py), "-m", "fepteach", "start", *argv[1:]], cwd=ROOT)
    args = argv[1:] or ["-n", "auto", "--dist", "loadfile"]  # both cores; one notebook per worker
    return subprocess.call([str(py), "-m", "pytest", *args], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
