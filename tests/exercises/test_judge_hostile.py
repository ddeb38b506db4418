"""Hostile submissions against ``fepteach grade``: every cheat scores 0, every submission gets one row,
other students' rows, the release and the gradebook stay untouched, and the limits hold.

One batch of attacks on Lesson 01 (all of its points) runs once per module; the limit tests run their own
small batches and measure how far past a limit a submission can run (stated slack: ``SLACK`` s).
"""

import csv
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fepteach.course import course_root
from fepteach.exercises.grade import _load_release, grade_folder, solution_cells
from fepteach.exercises.judge import judge_submission
from fepteach.exercises.sandbox import SandboxConfig, namespaces_available

ROOT = course_root()
NAME = "01_rate_neurons_exercises.ipynb"
RELEASE = json.loads((ROOT / "exercises" / NAME).read_text())
INSTRUCTOR = ROOT / "exercises" / "instructor" / NAME
SLACK = 4.0  # seconds a submission may run past a wall-clock limit (grace 1.5 s + kill + start-up noise)
NS = namespaces_available() == ""
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0
needs_ns = pytest.mark.skipif(not NS, reason=f"namespace isolation unavailable: {namespaces_available()}")
# Without namespaces (documented fallback) a worker can read what its user can read, and, unless the
# grader runs as root (worker as nobody), write it: those attacks are only asserted where they must fail.
NS_ONLY = {"read_instructor", "kill_everyone"}
WRITES_BLOCKED = NS or ROOT_USER

from fepteach.exercises import list_exercises as _list_exercises

L01_POINTS = sum(r.points for r in _list_exercises("L01"))  # full marks of notebook 01


def _nb(**sources):
    """The released notebook with solution cells replaced (keys: grade ids with '_' for '-')."""
    nb = json.loads(json.dumps(RELEASE))
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        key = gid.replace("-", "_")
        if key in sources and cell["metadata"]["nbgrader"].get("solution"):
            cell["source"] = sources[key]
    return nb


def _first(src):
    return {"L01_rhs_x": src}


def _tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + p.read_bytes())
    return h.hexdigest()


def _put(sub: Path, who: str, nb) -> Path:
    (sub / who).mkdir(parents=True, exist_ok=True)
    path = sub / who / NAME
    path.write_text(nb if isinstance(nb, str) else json.dumps(nb))
    return path


def _rows(out: Path):
    with open(out / "gradebook.csv", newline="") as fh:
        return list(csv.DictReader(fh))


CHEATS = {
    # the checker, rebound or patched, in the learner's namespace
    "rebind_check": _first("check = lambda *a, **k: None"),
    "patch_checker": _first(
        "import fepteach.exercises.core as c\n"
        "c._evaluate = lambda ex, a: c.CheckResult(ex.id, ex.title, True, True, ex.max_points, ex.max_points)\n"
        "c.grading_mode = lambda: False\nimport os\nos.environ.pop('NBGRADER_EXECUTION', None)"
    ),
    # forged grading logs, with and without a hard exit
    "forge_log": _first(
        "import json, os, glob\n"
        "rec = lambda e, p: json.dumps(dict(exercise_id=e, passed=True, attempted=True, points=p, max_points=p, feedback='ok'))\n"
        "for path in [os.environ.get('FEPTEACH_GRADE_LOG', 'checks.jsonl'), 'checks.jsonl'] + glob.glob('/tmp/*/checks.jsonl'):\n"
        "    try:\n        open(path, 'a').write(rec('L01.rhs_x', 4) + '\\n')\n    except OSError:\n        pass\n"
    ),
    "forge_and_exit": _first(
        "import json, os\n"
        "open('checks.jsonl', 'a').write(json.dumps(dict(exercise_id='L01.rhs_x', points=4, feedback='ok')))\n"
        "os._exit(0)"
    ),
    # the references, through the library or the instructor notebook
    "use_reference": _first(
        "from fepteach.exercises import reference\n"
        "def rhs_x(*a):\n    return reference('L01.rhs_x')(*a)"
    ),
    "read_instructor": _first(
        "import json\n"
        f"nb = json.load(open({str(INSTRUCTOR)!r}))\n"
        "for c in nb['cells']:\n"
        "    if c.get('metadata', {}).get('nbgrader', {}).get('grade_id') == 'L01-rhs_x':\n"
        "        exec(''.join(c['source']))"
    ),
    # the worker's own protocol: garbage, then a forged 'correct' reply
    "forge_protocol": _first(
        "import os, sys\n"
        "def rhs_x(*a):\n"
        "    os.write(int(sys.argv[2]), (10).to_bytes(8, 'big') + b'not json!!')\n"
        "    return 0"
    ),
    # signals and exits inside a function call
    "exit_in_call": _first("import sys\ndef rhs_x(*a):\n    raise SystemExit(0)"),
    "kill_everyone": _first("import os, signal\ntry:\n    os.kill(-1, signal.SIGKILL)\nexcept OSError:\n    pass"),
    "return_set": _first("def rhs_x(*a):\n    return {1, 2}"),
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One batch: an honest full solution, a victim with a full solution, and every cheat."""
    sub = tmp_path_factory.mktemp("submitted")
    out = tmp_path_factory.mktemp("grades")
    instructor = json.loads(INSTRUCTOR.read_text())
    release_digest = _tree_digest(ROOT / "exercises")
    _put(sub, "honest", instructor)
    for who, sources in CHEATS.items():
        if NS or who not in NS_ONLY:
            _put(sub, who, _nb(**sources))
    # cross-student tampering: write into the victim's notebook, the release, the gradebook and the output folder
    victim = sub / "zz_victim" / NAME
    targets = [victim, ROOT / "exercises" / NAME, out / "gradebook.csv", out / "feedback" / "zz_victim__x.md", sub / "planted.ipynb"]
    _put(sub, "tamper", _nb(L01_rhs_x="targets = %r\nfor t in targets:\n    try:\n        open(t, 'w').write('{}')\n    except OSError:\n        pass" % [str(t) for t in targets]))
    _put(sub, "zz_victim", instructor)
    # a moved/renamed solution cell
    moved = json.loads(json.dumps(instructor))
    for cell in moved["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "L01-fixed_point":
            cell["metadata"]["nbgrader"]["grade_id"] = "my-own-cell"
    _put(sub, "moved", moved)
    # malformed and non-notebook files
    _put(sub, "not_json", "{ nope")
    _put(sub, "json_list", "[1, 2, 3]")
    _put(sub, "deep", "[" * 100000 + "]" * 100000)
    _put(sub, "binary", "\x00\xff\xfe garbage")
    (sub / "cells_bad").mkdir()
    (sub / "cells_bad" / NAME).write_text(json.dumps({"cells": [1, "x", {"cell_type": "code", "metadata": 5}]}))
    # a symbolic link to the instructor notebook, and a linked folder
    (sub / "symlink").mkdir()
    os.symlink(INSTRUCTOR, sub / "symlink" / NAME)
    os.symlink(ROOT / "exercises" / "instructor", sub / "linked_folder")
    # CSV injection and Markdown in names and messages
    _put(sub, "=HYPERLINK(\"x\")", _nb(L01_rhs_x="def rhs_x(*a):\n    raise ValueError('```\\n# you are hacked <script>')"))
    t0 = time.monotonic()
    rows = grade_folder(sub, out, config=SandboxConfig(cell_timeout=8, submission_timeout=60, grace=1.5, memory_mb=1536))
    elapsed = time.monotonic() - t0
    planted = (sub / "planted.ipynb").exists()
    return {r.student: r for r in rows}, out, sub, release_digest, elapsed, len(rows), planted


def test_honest_and_victim_score_full_marks(batch):
    rows, *_ = batch
    assert rows["honest"].points == rows["honest"].max_points == L01_POINTS and rows["honest"].reason == ""
    if WRITES_BLOCKED:
        assert rows["zz_victim"].points == L01_POINTS, rows["zz_victim"].reason


@pytest.mark.parametrize("who", sorted(CHEATS))
def test_every_cheat_scores_zero(batch, who):
    if who in NS_ONLY and not NS:
        pytest.skip(f"needs namespace isolation ({namespaces_available()})")
    rows, *_ = batch
    assert rows[who].status == "graded", rows[who].reason
    assert rows[who].points == 0, (rows[who].per_exercise, rows[who].feedback)


def test_forged_exit_and_protocol_breaks_are_reasons(batch):
    rows, *_ = batch
    assert "exited with status 0" in rows["forge_and_exit"].reason
    assert "protocol" in rows["forge_protocol"].reason


def test_exit_inside_a_call_costs_only_that_exercise(batch):
    rows, *_ = batch
    assert "SystemExit" in rows["exit_in_call"].feedback["L01.rhs_x"] or "died" in rows["exit_in_call"].feedback["L01.rhs_x"]


def test_one_row_per_submission_and_gradebook_matches(batch):
    rows, out, _, _, _, n, _ = batch
    table = _rows(out)
    assert len(table) == n == len(CHEATS) + 12 - (0 if NS else len(NS_ONLY))
    assert len({(r["student"], r["notebook"]) for r in table}) == n


@pytest.mark.skipif(not WRITES_BLOCKED, reason="without namespaces or root, a worker can write what the grader's user can")
def test_release_and_outputs_untouched(batch):
    rows, out, sub, digest, _, _, planted = batch
    assert _tree_digest(ROOT / "exercises") == digest
    assert not planted
    assert rows["tamper"].points == 0
    assert not (out / "feedback" / "zz_victim__x.md").exists()


def test_moved_cell_is_reported_not_silently_zero(batch):
    rows, *_ = batch
    r = rows["moved"]
    assert r.per_exercise["L01.fixed_point"] == 0
    assert "your solution cell for L01.fixed_point was not found; cells are matched by grade id" in r.feedback["L01.fixed_point"]
    assert r.points == L01_POINTS - 4


@pytest.mark.parametrize("who", ["not_json", "json_list", "deep", "binary", "cells_bad"])
def test_malformed_files_get_an_error_row(batch, who):
    rows, *_ = batch
    assert rows[who].status in ("error", "graded") and rows[who].points == 0
    if rows[who].status == "error":
        assert "not a readable notebook" in rows[who].reason


def test_symlinks_are_not_followed(batch):
    rows, *_ = batch
    assert rows["symlink"].status == "error" and "symbolic link" in rows["symlink"].reason and rows["symlink"].points == 0
    assert "symbolic link" in rows["linked_folder"].reason and rows["linked_folder"].points == 0


def test_csv_cells_and_feedback_are_neutralised(batch):
    _, out, *_ = batch
    names = [r["student"] for r in _rows(out)]
    assert not any(n[:1] in "=+-@" for n in names)
    assert "'=HYPERLINK(\"x\")" in names
    fb = next((out / "feedback").glob("_HYPERLINK*"))
    text = fb.read_text()
    assert "<script>" not in text.split("\n")[0]
    # the student's ``` cannot close the fence the feedback sits in
    fence_lines = [line for line in text.splitlines() if line.startswith("```")]
    assert all(line == fence_lines[0] for line in fence_lines) and len(fence_lines[0]) > 3


@needs_ns
def test_isolation_hides_release_and_network(tmp_path):
    probe = (
        "import os, socket\n"
        "def rhs_x(*a):\n"
        "    seen = []\n"
        f"    for p in [{str(INSTRUCTOR)!r}, {str(ROOT / 'exercises' / NAME)!r}, {str(Path(__file__).parents[2] / '.git')!r}]:\n"
        "        try:\n"
        "            seen.append(os.path.exists(p) and bool(os.listdir(p) if os.path.isdir(p) else open(p).read()))\n"
        "        except OSError:\n"
        "            seen.append(False)\n"
        "    for p in ['/run', '/srv', '/opt', '/var']:  # outside the system folders: empty\n"
        "        seen.append(os.path.isdir(p) and bool(os.listdir(p)))\n"
        "    for p in []:\n"
        "        seen.append(os.path.exists(p))\n"
        "    try:\n"
        "        socket.socket().connect(('1.1.1.1', 53)); seen.append('net')\n"
        "    except OSError:\n"
        "        seen.append('nonet')\n"
        "    raise ValueError('PROBE ' + repr(seen))\n"
    )
    _put(tmp_path / "s", "probe", _nb(L01_rhs_x=probe))
    rows = grade_folder(tmp_path / "s", tmp_path / "o", config=SandboxConfig(cell_timeout=8))
    assert "PROBE [False, False, False, False, False, False, False, 'nonet']" in rows[0].feedback["L01.rhs_x"], rows[0].feedback["L01.rhs_x"]


# ---------------------------------------------------------------------------
# Limits (measured; each overrun must stay within SLACK)
# ---------------------------------------------------------------------------
def _grade_one(tmp_path, sources, **cfg):
    _put(tmp_path / "s", "x", _nb(**sources))
    t0 = time.monotonic()
    rows = grade_folder(tmp_path / "s", tmp_path / "o", config=SandboxConfig(**cfg))
    return rows[0], time.monotonic() - t0


def _judge_one(sources, **cfg):
    """Judge one submission directly; the outcome carries the measured overrun past the limit."""
    release = _load_release(ROOT / "exercises" / NAME)
    solutions, _ = solution_cells(_nb(**sources))
    ns = namespaces_available() == ""
    return judge_submission(release.steps, solutions, SandboxConfig(**cfg), ns, [])


OVERRUNS = {}


@pytest.mark.slow
@pytest.mark.parametrize(
    "source",
    [
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
        "while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass",
        "sum(range(10**15))",  # a C-level loop that never checks for signals
        "import os, time\nos.setsid() if os.getpid() != 2 else None\nwhile True:\n    time.sleep(0.1)",
    ],
    ids=["ignores-SIGINT", "catches-KeyboardInterrupt", "C-loop", "sleeps"],
)
def test_cell_limit_holds(source, request):
    out = _judge_one({"L01_rhs_x": source}, cell_timeout=3, grace=1.5)
    assert out.points["L01.rhs_x"] == 0 and "3 s limit" in out.reason, out.reason
    OVERRUNS[request.node.name] = out.overrun
    assert out.overrun < SLACK, out.overrun


@pytest.mark.slow
def test_submission_limit_holds():
    sleepy = "import time\ntime.sleep(2.5)\n"
    sources = {k: sleepy for k in ("L01_rhs_x", "L01_euler_u", "L01_fixed_point", "L01_thresholds", "L01_stable_dt")}
    out = _judge_one(sources, cell_timeout=4, submission_timeout=6, grace=1.5)
    assert "6 s limit" in out.reason and sum(out.points.values()) == 0, out.reason
    assert out.overrun < SLACK, out.overrun


@pytest.mark.slow
def test_call_limit_holds_when_the_alarm_is_disabled():
    src = "import signal\ndef rhs_x(*a):\n    signal.setitimer(signal.ITIMER_REAL, 0)\n    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n    while True:\n        pass"
    honest = {}
    for cell in json.loads(INSTRUCTOR.read_text())["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            honest[meta["grade_id"].replace("-", "_")] = "".join(cell["source"])
    out = _judge_one(dict(honest, L01_rhs_x=src), cell_timeout=4, grace=1.5)
    assert out.points["L01.rhs_x"] == 0 and "limit" in out.feedback["L01.rhs_x"]
    assert out.overrun < SLACK, out.overrun
    # the stopped function costs only its own exercise: the rest is graded in a fresh worker
    assert sum(out.points.values()) == L01_POINTS - 4 and any("fresh process" in n for n in out.notes), out.notes


@pytest.mark.slow
def test_cpu_limit():
    src = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    out = _judge_one({"L01_rhs_x": src}, cell_timeout=60, cpu_seconds=2, grace=1.5)
    assert out.points["L01.rhs_x"] == 0 and "CPU" in out.reason, out.reason


def test_memory_limit(tmp_path):
    row, _ = _grade_one(tmp_path, {"L01_rhs_x": "x = bytearray(3 * 2**30)"}, memory_mb=1024)
    assert row.points == 0 and "out of memory (limit 1024 MB)" in row.reason


def test_output_limit(tmp_path):
    row, _ = _grade_one(tmp_path, {"L01_rhs_x": "while True:\n    print('x' * 100000)"}, output_mb=1, cell_timeout=20)
    assert row.points == 0 and "1 MB output limit" in row.reason


@needs_ns
def test_fork_bomb_and_escaped_children_do_not_survive(tmp_path):
    src = (
        "import os, time\n"
        "for _ in range(200):\n"
        "    try:\n"
        "        if os.fork() == 0:\n"
        "            os.setsid()\n"
        "            time.sleep(300)\n"
        "            os._exit(0)\n"
        "    except OSError:\n"
        "        break\n"
        "time.sleep(300)"
    )
    row, _ = _grade_one(tmp_path, {"L01_rhs_x": src}, cell_timeout=3, grace=1)
    assert row.points == 0 and "limit" in row.reason
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-u", "65534", "-f", "fepteach.exercises.worker"], capture_output=True, text=True)
    assert left.stdout.strip() == "", left.stdout


def test_cli_options_reach_the_config(tmp_path):
    _put(tmp_path / "s", "x", RELEASE)
    res = subprocess.run(
        [sys.executable, "-m", "fepteach", "grade", str(tmp_path / "s"), "--out", str(tmp_path / "o"),
         "--memory-mb", "0"],
        capture_output=True, text=True,
    )
    assert res.returncode == 2 and "--memory-mb must be a positive number" in res.stderr


# ---------------------------------------------------------------------------
# Fidelity: the remote answer scores exactly like the in-process one
# ---------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("lesson", ["l01", "l02", "l03", "l04", "l05", "l06", "l07"])
def test_remote_scores_equal_in_process_scores(lesson):
    """Every registered exercise, for its reference and every plausible wrong answer: same points, same feedback."""
    from fepteach.exercises.core import EXERCISES, _evaluate, get_exercise
    from fepteach.exercises.judge import RemoteAnswer
    from fepteach.exercises.sandbox import Worker

    get_exercise("L01.rhs_x")  # loads the registry in this (trusted) process
    ids = [k for k in EXERCISES if k.lower().startswith(lesson)]
    assert ids
    worker = Worker.start(SandboxConfig(mode="none"), namespaces=False)
    try:
        setup = f"import fepteach.exercises.{lesson}\nfrom fepteach.exercises.core import EXERCISES"
        assert worker.request({"op": "exec", "source": setup, "label": "setup"}, 60, "setup")["error"] is None
        for ex_id in ids:
            ex = EXERCISES[ex_id]
            if ex.kind == "value":  # a value exercise's reference computes the model answer on demand
                answers = [("reference", f"EXERCISES[{ex_id!r}].reference()", ex.reference())]
            else:
                answers = [("reference", f"EXERCISES[{ex_id!r}].reference", ex.reference)]
            answers += [(d, f"EXERCISES[{ex_id!r}].wrong_answers[{k}][1]", fn) for k, (d, fn) in enumerate(ex.wrong_answers)]
            for desc, expr, fn in answers:
                meta = {"id": ex.id, "title": ex.title, "kind": ex.kind, "time_limit": ex.time_limit}
                bound = worker.request({"op": "bind", "expr": expr, "exercise": meta}, 30, "bind")
                assert bound["ok"], bound
                remote = _evaluate(ex, RemoteAnswer(worker, ex, bound))
                local = _evaluate(ex, fn)
                assert (remote.points, remote.feedback) == (local.points, local.feedback), (ex_id, desc)
    finally:
        worker.close()


@needs_ns
def test_home_folders_are_hidden_except_what_python_needs(tmp_path):
    import shutil
    import tempfile

    secret_dir = Path(tempfile.mkdtemp(dir=Path.home(), prefix=".fepteach-test-secret-"))
    try:
        (secret_dir / "id_rsa").write_text("SECRET")
        probe = (
            "import os\n"
            "def rhs_x(*a):\n"
            f"    found = [os.path.exists(p) for p in [{str(secret_dir / 'id_rsa')!r}, {str(Path.home())!r} + '/.bashrc']]\n"
            "    import decimal, statistics  # lazy imports still work: the interpreter's own folders stay visible\n"
            "    raise ValueError('PROBE ' + repr(found))\n"
        )
        _put(tmp_path / "s", "probe", _nb(L01_rhs_x=probe))
        rows = grade_folder(tmp_path / "s", tmp_path / "o", config=SandboxConfig(cell_timeout=8))
    finally:
        shutil.rmtree(secret_dir)
    assert "PROBE [False, False]" in rows[0].feedback["L01.rhs_x"], rows[0].feedback["L01.rhs_x"]


def test_grading_mode_is_latched_at_import():
    """A solution cell that clears the environment or rebinds ``grading_mode`` leaves ``check`` in grading mode."""
    code = (
        "import os\n"
        "import fepteach.exercises.core as c\n"
        "os.environ.pop('NBGRADER_EXECUTION')\n"
        "c.grading_mode = lambda: False\n"
        "try:\n"
        "    c.check('L01.rhs_x', lambda *a: None)\n"
        "except c.ExerciseFailed:\n"
        "    print('still grading')\n"
    )
    env = dict(os.environ, NBGRADER_EXECUTION="autograde")
    env.pop("FEPTEACH_GRADING", None)
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert res.stdout.strip() == "still grading", res.stderr[-500:]


def test_fallback_without_namespaces_still_judges(tmp_path):
    """``--sandbox none``: no isolation of files or network, but the judge still decides every score."""
    _put(tmp_path / "s", "honest", json.loads(INSTRUCTOR.read_text()))
    for who in ("rebind_check", "patch_checker", "forge_and_exit", "exit_in_call"):
        _put(tmp_path / "s", who, _nb(**CHEATS[who]))
    rows = {r.student: r for r in grade_folder(tmp_path / "s", tmp_path / "o", config=SandboxConfig(mode="none", cell_timeout=8))}
    assert rows["honest"].points == L01_POINTS
    assert [rows[w].points for w in ("rebind_check", "patch_checker", "forge_and_exit", "exit_in_call")] == [0, 0, 0, 0]


def test_parallel_grading_gives_the_same_rows(tmp_path):
    _put(tmp_path / "s", "honest", json.loads(INSTRUCTOR.read_text()))
    _put(tmp_path / "s", "stub", RELEASE)
    _put(tmp_path / "s", "cheat", _nb(**CHEATS["forge_and_exit"]))
    one = grade_folder(tmp_path / "s", tmp_path / "o1", config=SandboxConfig(cell_timeout=8))
    two = grade_folder(tmp_path / "s", tmp_path / "o2", config=SandboxConfig(cell_timeout=8), jobs=3)
    assert [(r.student, r.points, r.reason) for r in one] == [(r.student, r.points, r.reason) for r in two]
    assert [r.points for r in two] == [0, L01_POINTS, 0]
    with pytest.raises(ValueError, match="jobs"):
        grade_folder(tmp_path / "s", tmp_path / "o3", jobs=0)


def test_value_answers_travel_as_plain_data():
    """``kind="value"`` exercises: numbers, strings, small arrays, tuples and `...` blanks score as in process."""
    import numpy as np

    from fepteach.exercises.core import Exercise, Property, _evaluate
    from fepteach.exercises.judge import RemoteAnswer
    from fepteach.exercises.sandbox import Worker

    def is_three(ans, rng):
        return None if np.allclose(ans.value, 3.0) else "not three"

    def is_text(ans, rng):
        return None if isinstance(ans.value, str) and ans.value.strip().lower() == "hebbian" else "not the word"

    def is_pair(ans, rng):
        v = ans.value
        return None if isinstance(v, tuple) and len(v) == 2 and np.array_equal(v[1], np.eye(2)) else "not the pair"

    cases = {
        "3.0": (is_three, 3.0), "np.float32(3)": (is_three, np.float32(3)), "np.full(4, 3.0)": (is_three, np.full(4, 3.0)),
        "[3, 3.0]": (is_three, [3, 3.0]), "'Hebbian '": (is_text, "Hebbian "), "'hebb'": (is_text, "hebb"),
        "(1, np.eye(2))": (is_pair, (1, np.eye(2))), "...": (is_three, ...), "{3}": (is_three, {3}), "None": (is_three, None),
        "np.ma.array([3.0, 3.0])": (is_three, np.ma.array([3.0, 3.0])), "range(3, 4)": (is_three, range(3, 4)),
    }
    worker = Worker.start(SandboxConfig(mode="none"), namespaces=False)
    try:
        assert worker.request({"op": "exec", "source": "import numpy as np", "label": "setup"}, 60, "setup")["error"] is None
        for expr, (prop, local_value) in cases.items():
            ex = Exercise(id="T.value", title="a value", reference=lambda: None, properties=(Property("p", 1.0, prop),),
                          hints=("h",), kind="value")
            meta = {"id": ex.id, "title": ex.title, "kind": ex.kind, "time_limit": ex.time_limit}
            bound = worker.request({"op": "bind", "expr": expr, "exercise": meta}, 30, "bind")
            remote = _evaluate(ex, RemoteAnswer(worker, ex, bound))
            local = _evaluate(ex, local_value)
            assert (remote.points, remote.attempted) == (local.points, local.attempted), expr
        assert [_evaluate(ex, v).points for v in (3.0, "x")] == [1.0, 0.0]  # the cases above can fail
    finally:
        worker.close()


def test_a_sandbox_that_cannot_be_set_up_stops_the_batch(tmp_path, monkeypatch):
    """A machine fault before any student code runs is an error for the lecturer, not 300 zeros."""
    from fepteach.exercises import judge as judge_mod

    real = judge_mod.Worker.request

    def broken_setup(self, message, *args, **kwargs):
        if message.get("op") == "isolate":
            message = dict(message, workdir="/nonexistent/fepteach-test", namespaces=False)
        return real(self, message, *args, **kwargs)

    monkeypatch.setattr(judge_mod.Worker, "request", broken_setup)
    _put(tmp_path / "s", "x", RELEASE)
    with pytest.raises(judge_mod.SandboxSetupError, match="could not be set up"):
        grade_folder(tmp_path / "s", tmp_path / "o", config=SandboxConfig(mode="none", cell_timeout=8))
