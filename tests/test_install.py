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


@pytest.mark.slow
def test_wheel_contains_lessons_and_student_exercises_only(fresh_env):
    import zipfile

    _, wheel = fresh_env
    names = zipfile.ZipFile(wheel).namelist()
    assert f"fepteach/_course/lessons/{lesson_files()[0].name}" in names
    assert any(n.startswith("fepteach/_course/exercises/01_") for n in names)


@pytest.mark.slow
def test_installed_package_is_the_wheel_not_the_checkout(fresh_env, tmp_path):
    py, _ = fresh_env
    out = subprocess.run([str(py), "-c", "import fepteach, fepteach.course as c; print(fepteach.__file__); print(c.course_root())"],
                         cwd=tmp_path, capture_output=True, text=True, check=True).stdout.split()
    assert str(ROOT) not in out[0] and "_course" in out[1]


@pytest.mark.slow
def test_fepteach_start_from_the_wheel_in_an_empty_folder(fresh_env, tmp_path):
    py, _ = fresh_env
    work = tmp_path / "empty"
    work.mkdir()
    names = serve_and_list_lessons([str(py), "-m", "fepteach", "start"], cwd=work)
    assert lesson_files()[0].name in names
    copied = work / "fepteach-course" / "lessons" / lesson_files()[0].name
    assert copied.read_bytes() == lesson_files()[0].read_bytes()


def _load_bootstrap(tmp_path, monkeypatch):
    """bootstrap.py as a module, with its .venv in tmp_path and pip calls recorded instead of run."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("fepteach_bootstrap_under_test", ROOT / "bootstrap.py")
    boot = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(boot)
    venv_dir = tmp_path / ".venv"
    (venv_dir / "bin").mkdir(parents=True)
    (venv_dir / "bin" / "python").write_text("")
    monkeypatch.setattr(boot, "VENV", venv_dir)
    monkeypatch.setattr(boot, "STAMP", venv_dir / ".fepteach-install-stamp")
    calls = []
    monkeypatch.setattr(boot.subprocess, "check_call", lambda cmd, **kw: calls.append(cmd))
    return boot, calls


def _installs(calls):
    return [c[-1] for c in calls if c[-2] == "-e"]


def test_bootstrap_course_installs_the_runtime_only_and_test_adds_the_test_extra(tmp_path, monkeypatch):
    boot, calls = _load_bootstrap(tmp_path, monkeypatch)
    boot.ensure_environment("")  # bootstrap.py course
    assert _installs(calls) == [str(ROOT)], "the course install must not pull in the [test] extra"
    boot.ensure_environment("")  # again: nothing to do
    assert len(_installs(calls)) == 1
    boot.ensure_environment("test")  # bootstrap.py test adds the extra
    assert _installs(calls)[-1] == f"{ROOT}[test]"
    boot.ensure_environment("test")
    boot.ensure_environment("")  # the runtime is part of a test install
    assert len(_installs(calls)) == 2
    boot.STAMP.write_text("0" * 64 + " test")  # pyproject.toml changed since
    boot.ensure_environment("")
    assert _installs(calls)[-1] == str(ROOT)


def test_bootstrap_chooses_the_extra_by_command(tmp_path, monkeypatch):
    boot, _ = _load_bootstrap(tmp_path, monkeypatch)
    seen = []
    monkeypatch.setattr(boot, "ensure_environment", lambda extra="": seen.append(extra) or boot.venv_python())
    monkeypatch.setattr(boot.subprocess, "call", lambda cmd, **kw: 0)
    boot.main(["course", "--no-browser"])
    boot.main(["test", "-q"])
    assert seen == ["", "test"]
