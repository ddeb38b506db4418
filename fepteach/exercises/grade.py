"""Batch grading of submitted exercise notebooks, without any server (``fepteach grade``).

The grader is a judge (:mod:`.judge`) that never runs student code. For each submission:

1. the file is read by the judge itself -- never through a symbolic link, with a size cap --
   and parsed as JSON (an unreadable file gets a row with the reason);
2. the matching released (student) notebook is found by file name, and only the learner's
   solution cells (nbgrader ``grade_id``) are taken from the submission;
3. an untrusted worker process (:mod:`.worker`, started by :mod:`.sandbox`) runs the
   released set-up cells and then the learner's cells, isolated and resource-limited;
4. the judge checks every exercise's properties itself, calling the learner's functions in
   the worker with plain data; the in-notebook ``check()`` plays no part in the score;
5. a crash, a hang, a limit or a broken protocol is a reason in the row, never a crash of
   the grader.

Outputs (each written atomically): ``gradebook.csv`` (one row per submission, one column
per exercise; text cells CSV-injection safe) and one Markdown feedback file per
submission under ``feedback/`` (student text escaped).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..course import course_root
from .core import get_exercise
from .judge import SandboxSetupError, judge_submission, plan_release
from .sandbox import SandboxConfig, namespaces_available

MAX_NOTEBOOK_BYTES = 20 * 2**20


@dataclass
class GradeRow:
    """One submission's grade."""

    student: str
    notebook: str
    status: str  # "graded", "error"
    points: float = 0.0
    max_points: float = 0.0
    reason: str = ""
    per_exercise: dict = field(default_factory=dict)
    feedback: dict = field(default_factory=dict)


def _released_notebooks(release_dir: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted(release_dir.glob("[0-9][0-9]_*.ipynb"))}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:120]}" if text else type(exc).__name__


# ---------------------------------------------------------------------------
# Reading a submission (the judge reads; nothing is followed or executed)
# ---------------------------------------------------------------------------
def read_submission(path: Path) -> dict:
    """The notebook at ``path`` as a JSON dict; ``ValueError`` saying why if it is not usable.

    The file is opened with ``O_NOFOLLOW`` (a symbolic link is refused, not followed), must be
    a regular file and at most ``MAX_NOTEBOOK_BYTES`` long.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):
            raise ValueError("it is a symbolic link; submissions must be regular files (links are not followed)") from None
        raise ValueError(f"it cannot be opened ({_first_line(exc)})") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("it is not a regular file")
        if st.st_size == 0:
            raise ValueError("the file is empty")
        data = fh.read(MAX_NOTEBOOK_BYTES + 1)
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"it is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
    try:
        nb = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValueError(f"not a readable notebook ({_first_line(exc)})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("not a readable notebook (no list of cells; only notebook format 4 is graded)")
    return nb


def solution_cells(nb: dict) -> tuple[dict, list[str]]:
    """(grade_id -> source) of the submission's code solution cells, and notes (duplicates)."""
    found, notes = {}, []
    for cell in nb["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata")
        nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
        if not isinstance(nbg, dict) or not nbg.get("solution") or not isinstance(nbg.get("grade_id"), str):
            continue
        src = cell.get("source", "")
        if isinstance(src, list):
            src = "".join(s for s in src if isinstance(s, str))
        if not isinstance(src, str):
            continue
        if nbg["grade_id"] in found:
            notes.append(f"the solution cell {nbg['grade_id']} appears more than once; the first one was graded")
            continue
        found[nbg["grade_id"]] = src
    return found, notes


def _student_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root)
    return rel.parts[0] if len(rel.parts) > 1 else path.stem


def _find_submissions(root: Path) -> list[tuple[Path, str]]:
    """(path, problem) for every ``*.ipynb`` below ``root``, symbolic links included (never followed)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        if ".ipynb_checkpoints" in here.parts:
            continue
        for d in list(dirnames):
            if (here / d).is_symlink():
                found.append((here / d, "it is a symbolic link to a folder; submissions must be regular files (links are not followed)"))
        found += [(here / f, "") for f in filenames if f.endswith(".ipynb")]
    return sorted(found)


# ---------------------------------------------------------------------------
# Grading
# ---------------------------------------------------------------------------
@dataclass
class _Release:
    name: str
    steps: list
    checked: list


def _load_release(path: Path) -> _Release:
    nb = json.loads(path.read_text(encoding="utf-8"))
    steps = plan_release(nb)
    return _Release(path.name, steps, [s.exercise for s in steps if s.kind == "check"])


def grade_notebook(path: Path, releases: dict, config: SandboxConfig, student: str, namespaces: bool,
                   hide: list[str], problem: str = "") -> GradeRow:
    """Grade one submitted notebook file (never raises for anything the submission contains)."""
    row = GradeRow(student=student, notebook=path.name, status="error")
    if problem:
        row.reason = problem
        return row
    if path.name not in releases:
        row.reason = f"no released notebook is called {path.name!r} (expected one of: {', '.join(releases)})"
        return row
    release = releases[path.name]
    row.max_points = sum(get_exercise(e).max_points for e in release.checked)
    row.per_exercise = {e: 0.0 for e in release.checked}
    try:
        nb = read_submission(path)
    except ValueError as exc:
        msg = str(exc)
        row.reason = msg if msg.startswith("not a readable notebook") or msg == "the file is empty" else f"not graded: {msg}"
        return row
    solutions, notes = solution_cells(nb)
    try:
        outcome = judge_submission(release.steps, solutions, config, namespaces, hide)
    except SandboxSetupError:
        raise
    except Exception as exc:  # a grader fault must still leave a row
        row.reason = f"the grader failed on this submission ({_first_line(exc)}); please report it"
        return row
    row.per_exercise.update({k: float(v) for k, v in outcome.points.items() if k in row.per_exercise})
    row.feedback = outcome.feedback
    row.points = round(sum(row.per_exercise.values()), 6)
    row.status = "graded"
    row.reason = "; ".join([outcome.reason] * bool(outcome.reason) + outcome.notes + notes)
    return row


# ---------------------------------------------------------------------------
# Output (CSV-injection safe, Markdown escaped, atomic)
# ---------------------------------------------------------------------------
def csv_safe(text: str) -> str:
    """A spreadsheet-safe cell: text starting with ``= + - @`` (or a tab/CR) gets a leading apostrophe."""
    text = str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def md_escape(text: str) -> str:
    """Escape student text for a Markdown line (HTML-escaped and Markdown-escaped, one line)."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.splitlines()))


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _safe_filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)[:100].lstrip(".") or "_"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # the permissions a plain write would give, not mkstemp's 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def feedback_markdown(row: GradeRow) -> str:
    """The feedback file of one row."""
    lines = [f"# Feedback: {md_escape(row.notebook)} ({md_escape(row.student)})", "",
             f"**Score: {row.points:g} / {row.max_points:g}**", ""]
    if row.reason:
        lines += [f"Note: {md_escape(row.reason)}", ""]
    fence = _fence("\n".join(row.feedback.values()))  # longer than any run of backticks in the (student-influenced) text
    for _, text in row.feedback.items():
        lines += [fence, text, fence, ""]
    return "\n".join(lines)


def gradebook_csv(rows: list[GradeRow]) -> str:
    """The gradebook as CSV text."""
    all_ex = sorted({e for r in rows for e in r.per_exercise})
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["student", "notebook", "status", "points", "max_points", "reason", *all_ex])
    for r in rows:
        w.writerow([csv_safe(r.student), csv_safe(r.notebook), r.status, f"{r.points:g}", f"{r.max_points:g}",
                    csv_safe(r.reason), *[f"{r.per_exercise[e]:g}" if e in r.per_exercise else "" for e in all_ex]])
    return buf.getvalue()


def _write_outputs(rows: list[GradeRow], out: Path) -> None:
    _atomic_write(out / "gradebook.csv", gradebook_csv(rows))
    staging = Path(tempfile.mkdtemp(dir=out, prefix=".feedback-"))
    os.chmod(staging, 0o777 & ~_umask())
    used: set[str] = set()
    for r in rows:
        base = f"{_safe_filename(r.student)}__{_safe_filename(Path(r.notebook).stem)}"
        name, k = base, 1
        while name in used:
            k += 1
            name = f"{base}_{k}"
        used.add(name)
        (staging / f"{name}.md").write_text(feedback_markdown(r), encoding="utf-8")
    final = out / "feedback"
    old = None
    if final.exists() or final.is_symlink():
        old = Path(tempfile.mkdtemp(dir=out, prefix=".feedback-old-"))
        os.replace(final, old / "feedback")
    os.replace(staging, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def grade_folder(submissions: Path, out: Path, timeout: float = 120.0, release_dir: Path | None = None,
                 config: SandboxConfig | None = None, jobs: int = 1) -> list[GradeRow]:
    """Grade every ``*.ipynb`` below ``submissions``; write ``out/gradebook.csv`` and ``out/feedback/``.

    Parameters
    ----------
    submissions : Path
        Folder of submissions (searched recursively; ``<student>/<notebook>.ipynb`` or ``<name>.ipynb``).
    out : Path
        Output folder for ``gradebook.csv`` and ``feedback/``.
    timeout : float
        Per-cell wall-clock limit in seconds (ignored when ``config`` is given).
    release_dir : Path, optional
        The released student notebooks (default: the course's ``exercises/``).
    config : SandboxConfig, optional
        Limits and isolation (default: ``SandboxConfig(cell_timeout=timeout)``).
    jobs : int
        Submissions graded at the same time (each in its own worker; default 1).

    Returns
    -------
    list of GradeRow
        One row per submission, in path order.
    """
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise NotADirectoryError(f"submissions folder {submissions} does not exist or is not a folder")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout must be > 0 seconds; got {timeout}")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a whole number >= 1; got {jobs!r}")
    config = config or SandboxConfig(cell_timeout=float(timeout))
    release_dir = Path(release_dir) if release_dir else course_root() / "exercises"
    released = _released_notebooks(release_dir)
    if not released:
        raise FileNotFoundError(f"no released exercise notebooks found in {release_dir}")
    releases = {name: _load_release(p) for name, p in released.items()}
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"output folder {out} cannot be created: {exc}") from exc
    why_not = namespaces_available() if config.mode != "none" else "sandbox mode 'none' was chosen"
    if config.mode == "namespaces" and why_not:
        raise ValueError(f"sandbox mode 'namespaces' is not available here: {why_not}")
    namespaces = not why_not
    if not namespaces and config.mode == "auto":
        print(f"fepteach grade: WARNING: grading without namespace isolation ({why_not}); student code can read "
              "files this user can read and use the network. See the README's trust model.", file=sys.stderr)
    from . import __file__ as pkg_file

    checkout = Path(pkg_file).resolve().parent.parent.parent  # a source checkout (editable install): its history too
    hide = sorted({str(p.resolve()) for p in (release_dir, course_root() / "exercises", Path(pkg_file).parent,
                                              submissions, out, checkout / ".git")})
    for release in releases.values():  # loads the registry once (before any thread) and validates the release
        for ex_id in release.checked:
            try:
                get_exercise(ex_id)
            except KeyError as exc:
                raise ValueError(f"released notebook {release.name} checks an unknown exercise: {exc.args[0]}") from None

    def one(item):
        path, problem = item
        return grade_notebook(path, releases, config, _student_name(path, submissions), namespaces, hide, problem)

    found = _find_submissions(submissions)
    if jobs == 1:
        rows = [one(item) for item in found]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=jobs) as pool:  # the work is in the workers; threads only wait and judge
            rows = list(pool.map(one, found))
    _write_outputs(rows, out)
    return rows
