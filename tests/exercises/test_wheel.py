"""Solutions policy: the built wheel ships the student exercise notebooks and no instructor notebook."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_wheel_contains_every_student_notebook_and_no_instructor_notebook(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheels = list(tmp_path.glob("fepteach-*.whl"))
    assert len(wheels) == 1
    names = zipfile.ZipFile(wheels[0]).namelist()
    assert not [n for n in names if "instructor" in n], "the wheel must not contain instructor notebooks"
    shipped = sorted(Path(n).name for n in names if n.startswith("fepteach/_course/exercises/"))
    students = sorted(p.name for p in (ROOT / "exercises").glob("*_exercises.ipynb"))
    assert shipped == students, "every student exercise notebook ships (update pyproject's force-include)"
    assert any(n.startswith("fepteach/_course/lessons/") and n.endswith(".ipynb") for n in names)
    assert "fepteach/exercises/core.py" in names
