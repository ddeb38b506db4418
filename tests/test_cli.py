"""`fepteach` command line: --version, start (copy, keep edits, dry run, real JupyterLab)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from fepteach import __version__
from fepteach.course import copy_course, lesson_files, student_exercise_files

FEPTEACH = [sys.executable, "-m", "fepteach"]


def run(*args, **kw):
    return subprocess.run([*FEPTEACH, *args], capture_output=True, text=True, **kw)


def test_version():
    res = run("--version")
    assert res.returncode == 0 and res.stdout.strip() == f"fepteach {__version__}"


def test_help_lists_the_commands():
    res = run("--help")
    for cmd in ("start", "build-exercises", "grade", "maze"):
        assert cmd in res.stdout


def test_start_dry_run_copies_nothing(tmp_path):
    dest = tmp_path / "course"
    res = run("start", str(dest), "--dry-run", "--no-browser")
    assert res.returncode == 0, res.stderr
    assert "would copy" in res.stdout and "jupyter" in res.stdout and "--no-browser" in res.stdout
    assert not dest.exists()


def test_copy_course_never_overwrites_a_learners_edits(tmp_path):
    plan = copy_course(tmp_path)
    n = len(lesson_files()) + len(student_exercise_files())
    assert len(plan.copied) == n and not plan.kept
    lesson = tmp_path / "lessons" / lesson_files()[0].name
    lesson.write_text(lesson.read_text() + " ")  # the learner edits a notebook
    plan = copy_course(tmp_path)
    assert plan.kept == [str(Path("lessons") / lesson.name)]
    assert len(plan.unchanged) == n - 1 and not plan.copied
    assert lesson.read_text().endswith(" ")
    # the copied exercise notebooks are the student versions, not the instructor sources
    assert not (tmp_path / "exercises" / "instructor").exists()
    assert "### BEGIN SOLUTION" not in (tmp_path / "exercises" / student_exercise_files()[0].name).read_text()


def test_start_reports_kept_files(tmp_path):
    copy_course(tmp_path)
    f = tmp_path / "lessons" / lesson_files()[0].name
    f.write_text("{}")
    res = run("start", str(tmp_path), "--dry-run")
    assert "kept 1 notebook(s) you have edited" in res.stdout and f.name in res.stdout


def test_start_refuses_a_file_as_folder(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    res = run("start", str(f), "--dry-run")
    assert res.returncode == 2 and "not a folder" in res.stderr


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_and_list_lessons(command, cwd, env=None, timeout=90):
    """Start JupyterLab through `fepteach start`, ask its contents API for lessons/, stop it."""
    port = _free_port()
    env = dict(os.environ if env is None else env, JUPYTER_TOKEN="fepteach-test")
    proc = subprocess.Popen([*command, "--no-browser", "--port", str(port)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if proc.poll() is not None:
                raise AssertionError("JupyterLab exited early:\n" + proc.stdout.read())
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/api/contents/lessons",
                                             headers={"Authorization": "token fepteach-test"})
                with urllib.request.urlopen(req, timeout=2) as r:
                    return [c["name"] for c in json.load(r)["content"]]
            except OSError:
                time.sleep(0.5)
        raise AssertionError("JupyterLab did not answer in time")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        proc.stdout.close()


def test_start_serves_lesson_01_in_jupyterlab(tmp_path):
    names = serve_and_list_lessons([*FEPTEACH, "start", str(tmp_path / "course")], cwd=tmp_path)
    assert lesson_files()[0].name in names
