"""The ``fepteach`` command line.

    fepteach start [DIR] [--no-browser] [--dry-run] [--update]   copy the course into DIR and open JupyterLab
    fepteach build-exercises [--check]                regenerate student notebooks from instructor sources
    fepteach grade SUBMISSIONS [--out DIR] [limits]   batch-grade submitted notebooks in a sandbox
    fepteach maze run|plot ...                        maze-agent simulations (see ``fepteach maze -h``)
    fepteach figures LESSON [--out DIR]               export a lesson's figures with captions as PNG and SVG
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from . import __version__


COURSE_JUPYTER_CONFIG = Path(__file__).resolve().parent / "_jupyter_config"


def _free_port(preferred: int = 8888) -> int:
    """``preferred`` if nothing listens there on this machine, else a free port."""
    import socket

    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise OSError("no free port")  # pragma: no cover


def _wait_until_serving(proc, url: str, timeout: float) -> bool:
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            time.sleep(0.3)
    return False


def _cmd_start(args: argparse.Namespace) -> int:
    import secrets
    import threading

    from .course import copy_course, lesson_files

    dest = Path(args.dir).expanduser().resolve()
    if dest.exists() and not dest.is_dir():
        print(f"fepteach start: {dest} exists and is not a folder; choose another DIR", file=sys.stderr)
        return 2
    plan = copy_course(dest, dry_run=args.dry_run, update=args.update)
    verb = "would copy" if args.dry_run else "copied"
    print(f"Course folder: {dest}")
    print(f"  {verb} {len(plan.copied)} notebook(s)")
    if plan.unchanged:
        print(f"  {len(plan.unchanged)} already present and unchanged")
    if plan.updated:
        print(f"  {'would update' if args.dry_run else 'updated'} {len(plan.updated)} notebook(s) you had not edited "
              "to the new version")
    if plan.outdated:
        print(f"  {len(plan.outdated)} notebook(s) you have not edited have a newer version; "
              "`fepteach start --update` replaces them:")
        for rel in plan.outdated:
            print(f"    {rel}")
    if plan.kept:
        print(f"  kept {len(plan.kept)} notebook(s) you have edited (not overwritten):")
        for rel in plan.kept:
            print(f"    {rel}")
    first = lesson_files()[0].name
    port = args.port or _free_port()
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={dest}", f"--port={port}",
           "--ServerApp.port_retries=0", "--ServerApp.log_level=WARN", f"lessons/{first}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and Colab-like machines run as root
    if args.no_browser:
        cmd.append("--no-browser")
    url = f"http://localhost:{port}/lab/tree/lessons/{first}?token={token}"
    if args.dry_run:
        print("Would run: " + " ".join(cmd))
        return 0
    env = dict(os.environ, JUPYTER_TOKEN=token)
    # The course's JupyterLab defaults (no "Jupyter news?" toast), below the learner's own settings.
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(filter(None, [str(COURSE_JUPYTER_CONFIG),
                                                               os.environ.get("JUPYTER_CONFIG_PATH")]))
    print("Starting JupyterLab (Ctrl-C to stop) ...", flush=True)
    proc = subprocess.Popen(cmd, cwd=dest, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            bufsize=1)

    def forward():
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()

    pump = threading.Thread(target=forward, daemon=True)
    pump.start()
    try:
        if _wait_until_serving(proc, f"http://127.0.0.1:{port}/api/status?token={token}", timeout=300):
            print(f"\nJupyterLab is running. Open Lesson 01 with this link:\n{url}", flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        return 0
    finally:
        pump.join(timeout=5)


def _cmd_build(args: argparse.Namespace) -> int:
    from .exercises.build import build_all

    changed = build_all(check=args.check)
    if args.check:
        if changed:
            print("Student notebooks are out of date: " + ", ".join(changed), file=sys.stderr)
            print("Run `fepteach build-exercises` and commit the result.", file=sys.stderr)
            return 1
        print("Student notebooks are up to date.")
        return 0
    print("Rebuilt: " + (", ".join(changed) if changed else "nothing changed"))
    return 0


_GRADE_OPTIONS = {
    "cell_timeout": "--timeout",
    "submission_timeout": "--submission-timeout",
    "memory_mb": "--memory-mb",
    "output_mb": "--output-mb",
    "cpu_seconds": "--cpu-seconds",
    "processes": "--max-processes",
    "mode": "--sandbox",
    "jobs": "--jobs",
}


def _cmd_grade(args: argparse.Namespace) -> int:
    from .exercises.grade import grade_folder
    from .exercises.sandbox import SandboxConfig

    try:
        config = SandboxConfig(
            cell_timeout=args.timeout,
            submission_timeout=args.submission_timeout,
            memory_mb=args.memory_mb,
            output_mb=args.output_mb,
            cpu_seconds=args.cpu_seconds,
            processes=args.max_processes,
            mode=args.sandbox,
        )
        rows = grade_folder(Path(args.submissions), out=Path(args.out), timeout=args.timeout, config=config, jobs=args.jobs)
    except (FileNotFoundError, NotADirectoryError, ValueError, RuntimeError) as exc:
        msg = str(exc)
        for field_name, option in _GRADE_OPTIONS.items():  # name the option the lecturer typed
            msg = msg.replace(f"{field_name} must", f"{option} must")
        print(f"fepteach grade: {msg}", file=sys.stderr)
        return 2
    print(f"Graded {len(rows)} submission(s); gradebook: {Path(args.out) / 'gradebook.csv'}")
    return 0


def _cmd_figures(args: argparse.Namespace) -> int:
    from .course import lesson_files
    from .figures import export_figures, resolve_lesson

    try:
        lesson = resolve_lesson(args.lesson, lesson_files())
    except ValueError as exc:
        print(f"fepteach figures: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out or f"figures/{lesson.stem}")
    print(f"Running {lesson.name} and exporting its figures ...", flush=True)
    try:
        records = export_figures(lesson, out)
    except RuntimeError as exc:
        print(f"fepteach figures: {exc}", file=sys.stderr)
        return 1
    print(f"Exported {len(records)} figure(s) as PNG and SVG; captions: {out / 'figures.md'}")
    return 0


def _add_figures_parser(sub) -> None:
    p = sub.add_parser("figures", help="export every figure of a lesson, with its caption, as PNG and SVG (for slides)")
    p.add_argument("lesson", help="lesson notebook path, number (e.g. 4) or file-name prefix")
    p.add_argument("--out", default=None, help="output folder (default: ./figures/<lesson>)")
    p.set_defaults(func=_cmd_figures)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and for ``--help``)."""
    parser = argparse.ArgumentParser(prog="fepteach", description="Canonical neural networks as Bayesian inference: a Jupyter course.")
    parser.add_argument("--version", action="version", version=f"fepteach {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("start", help="copy the course into a folder and open it in JupyterLab")
    p.add_argument("dir", nargs="?", default="fepteach-course", help="working folder (default: ./fepteach-course)")
    p.add_argument("--no-browser", action="store_true", help="start JupyterLab without opening a browser")
    p.add_argument("--dry-run", action="store_true", help="print what would be copied and run, do nothing")
    p.add_argument("--port", type=int, default=None, help="port for JupyterLab (default: 8888, or a free one)")
    p.add_argument("--update", action="store_true",
                   help="replace notebooks you have not edited with their newer shipped version")
    p.set_defaults(func=_cmd_start)

    p = sub.add_parser("build-exercises", help="regenerate the student exercise notebooks from the instructor sources")
    p.add_argument("--check", action="store_true", help="only check that the committed student notebooks are current")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("grade", help="batch-grade a folder of submitted exercise notebooks (no server needed)")
    p.add_argument("submissions", help="folder of submitted .ipynb files (searched recursively)")
    p.add_argument("--out", default="grades", help="output folder for gradebook.csv and feedback (default: ./grades)")
    p.add_argument("--timeout", type=float, default=120.0, help="per-cell time limit in seconds (default: 120)")
    p.add_argument("--submission-timeout", type=float, default=600.0,
                   help="wall-clock limit per submission in seconds (default: 600)")
    p.add_argument("--memory-mb", type=int, default=2048, help="address-space limit per submission in MB (default: 2048)")
    p.add_argument("--output-mb", type=float, default=16.0, help="largest output/file a submission may write, MB (default: 16)")
    p.add_argument("--cpu-seconds", type=float, default=None, help="CPU-time limit per submission (default: the submission timeout)")
    p.add_argument("--max-processes", type=int, default=64, help="process-count limit per submission (default: 64)")
    p.add_argument("--jobs", type=int, default=1, help="submissions graded at the same time (default: 1)")
    p.add_argument("--sandbox", choices=("auto", "namespaces", "none"), default="auto",
                   help="isolation: 'namespaces' (Linux: no network, hidden release and submissions, read-only files), "
                   "'none' (limits only), 'auto' (namespaces when available, else none with a warning)")
    p.set_defaults(func=_cmd_grade)

    from . import maze_cli

    maze_cli.register(sub)
    _add_figures_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``fepteach`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
