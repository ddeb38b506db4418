"""Hygiene of the committed course: clean notebooks, the lesson template, no absolute paths."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from fepteach.exercises.build import CELL_METADATA_KEYS, NOTEBOOK_METADATA

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in ROOT.glob("lessons/*.ipynb")) + sorted(ROOT.glob("exercises/**/*.ipynb"))
# Numbered lessons follow the template; 00 (the notes page) and 90+ (appendices) are reference notebooks.
LESSONS = [p for p in sorted(ROOT.glob("lessons/[0-9][0-9]_*.ipynb")) if "01" <= p.name[:2] <= "89"]


def _nb(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_there_are_notebooks():
    assert LESSONS and NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_stored_without_outputs_and_with_clean_metadata(path):
    nb = _nb(path)
    assert nb["metadata"] == NOTEBOOK_METADATA
    for cell in nb["cells"]:
        assert set(cell.get("metadata", {})) <= set(CELL_METADATA_KEYS), cell.get("metadata")
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"/(home|root|work|tmp|Users)/[A-Za-z]", text), "absolute machine path in a notebook"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_follows_the_template(path):
    nb = _nb(path)
    md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    src = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert md.lstrip().startswith("# Lesson")
    for needle in ("Estimated time", "Prerequisites", "By the end of this lesson", "## Think!",
                   "<details>", "## Exercises", "## Summary", "## References", "doi:"):
        assert needle in md, f"{path.name} lacks {needle!r}"
    assert "google.colab" in src, "Colab install guard missing"
    assert "default_rng(" in src, "lessons are seeded"
    assert "widget" in src, "at least one interactive widget"
    assert "np.random.seed" not in src, "no global RNG state"
    n_fig = src.count("show_figure(")
    assert n_fig >= 1 and src.count("alt=") >= n_fig, "every figure has alt text and a caption"
    ex = ROOT / "exercises" / path.name.replace(".ipynb", "_exercises.ipynb")
    assert ex.exists(), f"no exercise notebook {ex.name} for {path.name}"
    assert ex.name in md, f"{path.name} does not point to {ex.name}"


def test_no_absolute_paths_in_tracked_source_files():
    files = subprocess.run(["git", "ls-files", "*.py", "*.toml", "*.md", ".ci/run"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    bad = []
    for f in files:
        if f.startswith("tests/test_hygiene"):
            continue
        text = (ROOT / f).read_text(encoding="utf-8", errors="replace")
        for m in re.finditer(r"(?<![\w.])/(home|root|work|Users)/[A-Za-z]", text):
            bad.append(f"{f}: {text[max(0, m.start() - 20):m.end() + 20]!r}")
    assert not bad, bad


def test_core_modules_import_without_matplotlib_or_ipywidgets():
    code = (
        "import sys, fepteach.neurons, fepteach.exercises;"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported';"
        "assert 'ipywidgets' not in sys.modules, 'ipywidgets imported'"
    )
    res = subprocess.run([__import__("sys").executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def _run_cell(source):
    """Execute one cell in a kernel started the way the test suite starts lesson kernels."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    return nb.cells[0].outputs


def test_lesson_kernels_refuse_network_connections_but_allow_loopback():
    outs = _run_cell(
        "import socket\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)\n"
        "c = socket.create_connection(s.getsockname(), timeout=2); c.close(); s.close()\n"
        "print('loopback ok')\n"
        "socket.create_connection(('203.0.113.7', 80), timeout=2)\n"
    )
    text = "".join(o.get("text", "") for o in outs if o["output_type"] == "stream")
    errors = [o for o in outs if o["output_type"] == "error"]
    assert "loopback ok" in text
    assert errors and "must run offline" in errors[0]["evalue"]


def test_a_notebook_cell_writing_to_stderr_fails_the_suite(tmp_path):
    """The stderr rule of conftest.py can fail: run it on a notebook that warns."""
    import shutil
    import subprocess
    import sys

    import nbformat

    here = Path(__file__).parent
    shutil.copy(here / "conftest.py", tmp_path / "conftest.py")
    shutil.copytree(here / "_kernel_startup", tmp_path / "_kernel_startup")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("print('fine')"),
        nbformat.v4.new_code_cell("import warnings; warnings.warn('noisy lesson')"),
    ])
    nbformat.write(nb, tmp_path / "noisy.ipynb")
    res = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
                          "-q", "noisy.ipynb"], cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 1
    assert "1 failed, 1 passed" in res.stdout
    assert "wrote to stderr" in res.stdout and "noisy lesson" in res.stdout
