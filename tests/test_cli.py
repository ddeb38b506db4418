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
    nb = json.loads(lesson.read_text())
    nb["cells"][0]["source"] += "\nmy own note"  # the learner edits a notebook
    lesson.write_text(json.dumps(nb))
    plan = copy_course(tmp_path)
    assert plan.kept == [str(Path("lessons") / lesson.name)]
    assert len(plan.unchanged) == n - 1 and not plan.copied
    assert lesson.read_text() == json.dumps(nb)
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


@pytest.mark.slow
def test_start_serves_lesson_01_in_jupyterlab(tmp_path):
    names = serve_and_list_lessons([*FEPTEACH, "start", str(tmp_path / "course")], cwd=tmp_path)
    assert lesson_files()[0].name in names


def _autosave_like_jupyterlab(path):
    """What opening a notebook in JupyterLab and letting it autosave does: new metadata, other JSON layout."""
    nb = json.loads(path.read_text())
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.99.0", "mimetype": "text/x-python"}
    for cell in nb["cells"]:
        cell.setdefault("metadata", {})["trusted"] = True
    path.write_text(json.dumps(nb, indent=2))


def test_opening_a_lesson_without_editing_it_is_not_an_edit(tmp_path):
    copy_course(tmp_path)
    lesson = tmp_path / "lessons" / lesson_files()[0].name
    _autosave_like_jupyterlab(lesson)
    plan = copy_course(tmp_path)
    assert not plan.kept and str(Path("lessons") / lesson.name) in plan.unchanged
    res = run("start", str(tmp_path), "--dry-run")
    assert "you have edited" not in res.stdout, res.stdout
    # a real edit of a cell's source still counts
    nb = json.loads(lesson.read_text())
    nb["cells"][0]["source"] = "my notes\n"
    lesson.write_text(json.dumps(nb))
    assert copy_course(tmp_path).kept == [str(Path("lessons") / lesson.name)]


def test_untouched_lessons_of_an_older_version_are_offered_and_updated(tmp_path):
    from fepteach.course import MANIFEST, learner_content

    copy_course(tmp_path)
    rel = Path("lessons") / lesson_files()[1].name
    old = tmp_path / rel
    # pretend the course shipped an older text when it was copied: the copy and the record agree
    nb = json.loads(old.read_text())
    nb["cells"][-1]["source"] = "an older version of this cell\n"
    old.write_text(json.dumps(nb))
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    manifest[rel.as_posix()] = learner_content(old)
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    res = run("start", str(tmp_path), "--dry-run")
    assert "newer version" in res.stdout and "--update" in res.stdout and str(rel) in res.stdout, res.stdout
    assert "you have edited" not in res.stdout
    plan = copy_course(tmp_path, update=True)
    assert plan.updated == [str(rel)] and not plan.kept
    assert old.read_bytes() == lesson_files()[1].read_bytes()


@pytest.mark.slow
def test_start_prints_the_lesson_01_link_last_and_turns_the_news_toast_off(tmp_path):
    import queue
    import re
    import threading

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_TOKEN"}
    proc = subprocess.Popen([*FEPTEACH, "start", str(tmp_path / "course"), "--no-browser", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    pattern = re.compile(rf"^http://localhost:{port}/lab/tree/lessons/{lesson_files()[0].name}\?token=\w+$")
    seen = []
    try:
        deadline = time.time() + 240
        url = None
        while url is None and time.time() < deadline:
            try:
                line = lines.get(timeout=1).rstrip("\n")
            except queue.Empty:
                assert proc.poll() is None, "fepteach start exited early:\n" + "\n".join(seen)
                continue
            seen.append(line)
            url = line if pattern.match(line) else None
        assert url, "no link to Lesson 01 on its own line:\n" + "\n".join(seen)
        time.sleep(3)
        later = []
        while not lines.empty():
            later.append(lines.get())
        assert not later, f"the link is not the last line printed: {later}"
        with urllib.request.urlopen(url, timeout=30) as r:
            assert r.status == 200 and "JupyterLab" in r.read().decode()
        token = url.rsplit("=", 1)[1]
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/lab/api/settings/@jupyterlab/apputils-extension:notification",
            headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(req, timeout=30) as r:
            reply = json.load(r)
        # the course's defaults (no news toast), below anything the learner sets
        assert reply["schema"]["properties"]["fetchNews"]["default"] == "false"
        assert "fetchNews" not in reply["settings"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stdout.close()
