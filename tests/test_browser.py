"""Real-browser tests: every lesson and two exercise notebooks, run in JupyterLab in headless Chromium.

A JupyterLab server is started on loopback on a temporary copy of the course (with its own
settings and workspaces folders). Each test opens one notebook in a fresh workspace, runs all
cells through JupyterLab's own "run all" command, and checks what a learner would see:

* no cell ends in an error (read back from the notebook JupyterLab saves);
* every widget renders as controls (no "Error displaying widget", no widget printed as text);
* moving a slider of each interactive demo redraws its figure;
* in exercise notebooks, the feedback of every ``check(...)`` cell renders.

A screenshot per notebook is kept in ``test-artifacts/screenshots/`` (gitignored).
Needs Debian's Chromium and the ``browser`` extra; ``.ci/run`` installs both.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("FEPTEACH_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ENABLE_HINT = "apt-get install -y chromium && pip install -e '.[browser]' (or run .ci/run)"
NOTEBOOK_TIMEOUT_S = 1200
WIDGET_AS_TEXT = re.compile(r"^\s*(VBox|HBox|Box|GridBox|interactive|FloatSlider|IntSlider|FloatLogSlider|Output|Dropdown|Button|ToggleButtons|Checkbox|Play|Tab)\(")
FEEDBACK = re.compile(r"[✓✗] .+\(\d[\d.]*/\d[\d.]* points\)")


def _unavailable_reason() -> str | None:
    """Why the browser tests cannot run here (one line saying how to enable them), or None."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"no Chromium at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("no playwright package")
    if missing:
        return f"browser tests skipped ({', '.join(missing)}); enable with: {ENABLE_HINT}"
    return None


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(_unavailable_reason() is not None, reason=_unavailable_reason() or ""),
]


def browser_notebooks(root: Path = ROOT) -> list[str]:
    """Notebooks tested in the browser: every lesson and the first two student exercise notebooks.

    Parameters
    ----------
    root : Path
        The repository (or course copy) holding ``lessons/`` and ``exercises/``.

    Returns
    -------
    list of str
        Paths relative to ``root``, lessons first.
    """
    lessons = sorted(p.relative_to(root).as_posix() for p in (root / "lessons").glob("*.ipynb"))
    exercises = sorted(p.relative_to(root).as_posix() for p in (root / "exercises").glob("*.ipynb"))
    return lessons + exercises[:2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_lab_settings(settings_dir: Path) -> None:
    """JupyterLab user settings for the test server: every cell in the DOM, no news, no update checks."""
    files = {
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    }
    for rel, data in files.items():
        path = settings_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on loopback serving a temporary copy of the course; yields (base_url, token, root)."""
    work = tmp_path_factory.mktemp("browser-course")
    course = work / "course"
    shutil.copytree(ROOT / "lessons", course / "lessons")
    shutil.copytree(ROOT / "exercises", course / "exercises", ignore=shutil.ignore_patterns("instructor"))
    _write_lab_settings(work / "settings")
    port, token = _free_port(), uuid.uuid4().hex
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course}", "--LabApp.expose_app_in_browser=True",
        f"--LabApp.user_settings_dir={work / 'settings'}", f"--LabApp.workspaces_dir={work / 'workspaces'}",
        "--ServerApp.port_retries=0",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = (work / "server.log").open("w")
    # Kernels must use the inline backend a learner gets (conftest sets MPLBACKEND=Agg for the other tests);
    # they keep the suite's IPython start-up guards (no network) through IPYTHONDIR.
    # FEPTEACH_FAST=1 shortens Lesson 07's simulations: these tests check what the browser shows, not the numbers.
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"} | {"FEPTEACH_FAST": "1"}
    proc = subprocess.Popen(cmd, cwd=course, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("JupyterLab did not start:\n" + (work / "server.log").read_text()[-3000:])
            time.sleep(1)
    yield base, token, course
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        yield b
        b.close()


_KERNEL_READY = """() => {
  const app = window.jupyterapp; if (!app) return false;
  const w = app.shell.currentWidget; if (!w || !w.sessionContext) return false;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.connectionStatus === 'connected' && k.status === 'idle' && w.context.isReady;
}"""

_IDLE = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w.sessionContext.session.kernel;
  const busy = [...document.querySelectorAll('.jp-Notebook .jp-InputArea-prompt')].some(p => p.textContent.includes('*'));
  return k.status === 'idle' && !busy;
}"""

# Run All has really run: JupyterLab queues the cells asynchronously (every queued prompt shows '*' at once), and
# on a loaded machine a second after the command no prompt may have changed yet; an idle kernel with untouched
# prompts is not "done". Done = kernel idle, nothing queued, and at least one cell executed (a run stopped by an
# error leaves the later prompts empty; the error check below reports it).
_RAN = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w.sessionContext.session.kernel;
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent);
  return k.status === 'idle' && !prompts.some(t => t.includes('*')) && prompts.some(t => /[0-9]/.test(t));
}"""

# Top-level outputs of a cell (not the outputs nested inside an ipywidgets Output widget).
TOP_OUTPUTS = ".jp-Notebook .jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output"
# The widget renderer's output panel carries no data-mime-type attribute.
_IS_WIDGET_OUTPUT = """o => {
  const m = o.getAttribute('data-mime-type');
  return m === 'application/vnd.jupyter.widget-view+json' || m === null;
}"""

_WIDGET_REPORT = """() => {
  const isWidgetOutput = """ + _IS_WIDGET_OUTPUT + """;
  const outs = [...document.querySelectorAll('""" + TOP_OUTPUTS + """')];
  const widgetOuts = outs.filter(o => isWidgetOutput(o));
  return {
    widget_outputs: widgetOuts.length,
    rendered: widgetOuts.filter(o => o.querySelector('.jupyter-widgets') && !o.textContent.includes('Error displaying widget')).length,
    errors_displaying: (document.querySelector('.jp-Notebook').textContent.match(/Error displaying widget/g) || []).length,
    plain_texts: outs.filter(o => o.getAttribute('data-mime-type') === 'text/plain').map(o => o.textContent.slice(0, 200)),
    html_texts: outs.filter(o => o.getAttribute('data-mime-type') === 'text/html').map(o => o.textContent.slice(0, 400)),
  };
}"""


def _image_sources(output) -> list[str]:
    return output.eval_on_selector_all("img", "imgs => imgs.map(i => i.getAttribute('src') || '')")


def _move_slider(page, output) -> bool:
    """Move the first slider of one widget output to the other end of its range; False when it has none."""
    handle = output.query_selector(".widget-slider .noUi-handle, .widget-hslider .noUi-handle")
    if handle is None:
        return False
    handle.scroll_into_view_if_needed()
    now, hi = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
    handle.focus()
    page.keyboard.press("Home" if now is not None and hi is not None and float(now) >= float(hi) else "End")
    return True


def _shutdown_kernel(base: str, token: str, notebook: str) -> None:
    """Delete the notebook's session (and so its kernel) through the server's REST API."""
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=30) as r:
        sessions = json.load(r)
    for s in sessions:
        if s.get("path") == notebook:
            req = urllib.request.Request(f"{base}/api/sessions/{s['id']}?token={token}", method="DELETE")
            urllib.request.urlopen(req, timeout=60).close()


def _saved_outputs(path: Path) -> list[dict]:
    nb = json.loads(path.read_text())
    return [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]


def test_run_all_wait_is_not_fooled_by_a_notebook_that_never_ran(lab, browser):
    """The old wait (kernel idle, no '*' prompt) was already true on an untouched notebook, so a Run All that had not
    started a second later passed straight through (seen once under load: nothing ran, no feedback shown). The
    wait used now is false until a cell has run."""
    base, token, course = lab
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        notebook = "lessons/00_notation_and_equations.ipynb"
        page.goto(f"{base}/lab/workspaces/t{uuid.uuid4().hex[:12]}/tree/{notebook}?token={token}&reset", timeout=180_000)
        page.wait_for_function(_KERNEL_READY, timeout=180_000, polling=500)
        assert page.evaluate(_IDLE) is True and page.evaluate(_RAN) is False
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(_RAN, timeout=NOTEBOOK_TIMEOUT_S * 1000, polling=500)
    finally:
        context.close()
        _shutdown_kernel(base, token, notebook)


@pytest.mark.parametrize("notebook", browser_notebooks())
def test_notebook_runs_in_a_real_browser(lab, browser, notebook):
    base, token, course = lab
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / (Path(notebook).stem + ".png")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        workspace = "t" + uuid.uuid4().hex[:12]  # a fresh workspace: no tabs reopened from earlier tests
        page.goto(f"{base}/lab/workspaces/{workspace}/tree/{notebook}?token={token}&reset", timeout=180_000)
        page.wait_for_function(_KERNEL_READY, timeout=180_000, polling=500)
        open_docs = page.evaluate("() => [...window.jupyterapp.shell.widgets('main')].length")
        assert open_docs == 1, f"fresh workspace should show only {notebook}, shows {open_docs} tabs"

        page.evaluate("() => { const app = window.jupyterapp; app.shell.activateById(app.shell.currentWidget.id);"
                      " return app.commands.execute('notebook:run-all-cells'); }")
        page.wait_for_function(_RAN, timeout=NOTEBOOK_TIMEOUT_S * 1000, polling=1000)
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=60_000)

        outputs = _saved_outputs(course / notebook)
        errors = [f"{o.get('ename')}: {o.get('evalue')}" for o in outputs if o["output_type"] == "error"]
        assert not errors, f"{notebook}: error outputs after Run All: {errors}"

        report = page.evaluate(_WIDGET_REPORT)
        n_widgets = sum("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
        assert report["errors_displaying"] == 0, f"{notebook}: 'Error displaying widget' shown"
        as_text = [t for t in report["plain_texts"] if WIDGET_AS_TEXT.match(t)]
        assert not as_text, f"{notebook}: widgets shown as text: {as_text}"
        assert report["widget_outputs"] == n_widgets, f"{notebook}: {n_widgets} widget outputs saved, {report['widget_outputs']} shown"
        assert report["rendered"] == n_widgets, f"{notebook}: only {report['rendered']} of {n_widgets} widgets render as controls"

        widget_outputs = [o for o in page.query_selector_all(TOP_OUTPUTS) if o.evaluate(_IS_WIDGET_OUTPUT)]
        moved = 0
        for i, out in enumerate(widget_outputs):
            before = _image_sources(out)
            if not before or not _move_slider(page, out):
                continue  # not an interactive figure demo (e.g. a replay player without an image yet)
            deadline = time.monotonic() + 120
            while _image_sources(out) == before:
                assert time.monotonic() < deadline, f"{notebook}: moving a slider of widget {i + 1} did not redraw its figure"
                page.wait_for_timeout(250)
            moved += 1
            page.wait_for_function(_IDLE, timeout=120_000, polling=500)
        if n_widgets:
            assert moved >= 1, f"{notebook}: no slider of its {n_widgets} widget(s) could be moved"

        if notebook.startswith("exercises/"):
            nb = json.loads((course / notebook).read_text())
            n_checks = sum(c["cell_type"] == "code" and "".join(c["source"]).lstrip().startswith("check(") for c in nb["cells"])
            shown = [t for t in report["html_texts"] if FEEDBACK.search(t)]
            assert n_checks >= 1 and len(shown) >= n_checks, f"{notebook}: {len(shown)} feedback reports shown for {n_checks} check cells"
            page.locator(".jp-OutputArea-output", has_text=FEEDBACK).first.scroll_into_view_if_needed()
    finally:
        page.screenshot(path=str(shot))
        context.close()
        _shutdown_kernel(base, token, notebook)  # one kernel at a time on a 2-core machine
    assert shot.stat().st_size > 0
