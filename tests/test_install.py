"""The built wheel carries the course: install it into a fresh virtual environment and start the course."""

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from fepteach.course import lesson_files

from .test_cli import serve_and_list_lessons

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("install")
    # Build the wheel exactly as `pip install .` would (hatchling backend), without network.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp / "dist"), str(ROOT)], check=True, capture_output=True)
    wheel = next((tmp / "dist").glob("fepteach-*.whl"))
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--quiet", "--no-deps", str(wheel)],
                   check=True, capture_output=True)
    # The dependencies (numpy, jupyterlab, ...) are taken from the test environment instead of being downloaded
    # again; fepteach itself comes only from the wheel (the checkout is not on the new environment's path).
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "_outer_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return py, wheel


def test_wheel_contains_lessons_and_student_exercises_only(fresh_env):
    import zipfile

    _, wheel = fresh_env
    names = zipfile.ZipFile(wheel).namelist()
    assert f"fepteach/_course/lessons/{lesson_files()[0].name}" in names
    assert any(n.startswith("fepteach/_course/exercises/01_") for n in names)


def test_installed_package_is_the_wheel_not_the_checkout(fresh_env, tmp_path):
    py, _ = fresh_env
    out = subprocess.run([str(py), "-c", "import fepteach, fepteach.course as c; print(fepteach.__file__); print(c.course_root())"],
                         cwd=tmp_path, capture_output=True, text=True, check=True).stdout.split()
    assert str(ROOT) not in out[0] and "_course" in out[1]


def test_fepteach_start_from_the_wheel_in_an_empty_folder(fresh_env, tmp_path):
    py, _ = fresh_env
    work = tmp_path / "empty"
    work.mkdir()
    names = serve_and_list_lessons([str(py), "-m", "fepteach", "start"], cwd=work)
    assert lesson_files()[0].name in names
    copied = work / "fepteach-course" / "lessons" / lesson_files()[0].name
    assert copied.read_bytes() == lesson_files()[0].read_bytes()
