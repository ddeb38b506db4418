"""The course site (``python3 bootstrap.py site``) and the lecturer kit (:mod:`fepteach.kit`).

The kit tests are fast. The site tests are slow: they build the site (executing every lesson)
unless ``FEPTEACH_SITE_DIR`` points at a site that ``bootstrap.py site`` has just built (``.ci/run`` does this,
so CI builds it once). The accessibility check runs axe-core in headless Chromium when available.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import subprocess
import re
from pathlib import Path

import nbformat
import pytest

from fepteach import kit

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
INSTRUCTOR = sorted((ROOT / "exercises" / "instructor").glob("*.ipynb"))


# --------------------------------------------------------------------------- lecturer kit


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("## 3. Where does a neuron settle? (10 min)", kit.Section(2, "3. Where does a neuron settle?", 10)),
        ("### Try it yourself (5 minutes)", kit.Section(3, "Try it yourself", 5)),
        ("## Exercise 1 — the activity equation (4 points, 12 min)", kit.Section(2, "Exercise 1 — the activity equation (4 points)", 12)),
        ("## Summary", kit.Section(2, "Summary", None)),
        ("not a heading (5 min)", None),
    ],
)
def test_parse_heading(line, expected):
    assert kit.parse_heading(line) == expected


def test_section_total_counts_subsections_only_under_untimed_sections():
    S = kit.Section
    sections = [S(2, "a", 10), S(3, "a.1", 4), S(2, "b", None), S(3, "b.1", 6), S(2, "c", None)]
    assert kit.section_total(sections) == 16
    assert kit.section_total([S(2, "x", None), S(3, "y", None)]) is None


def _timed_lesson(tmp_path: Path) -> Path:
    header = "# Lesson 01 — A test\n\n| | |\n|---|---|\n| **Estimated time** | 99 minutes |\n| **Prerequisites** | none |\n\n" \
             "**By the end of this lesson you will be able to**\n\n1. do a;\n2. do b.\n"
    cells = [nbformat.v4.new_markdown_cell(header), nbformat.v4.new_markdown_cell("## 1. First (10 min)\ntext"),
             nbformat.v4.new_markdown_cell("## 2. Second (15 min)\n### Try it yourself\n**1.** Why?\n\n<details><summary>Model answer</summary>\n\nBecause.\n</details>"),
             nbformat.v4.new_markdown_cell("## Summary (5 min)")]
    path = tmp_path / "lessons" / "01_test.ipynb"
    path.parent.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def test_section_times_take_precedence_over_the_header_estimate(tmp_path):
    lesson = kit.read_lesson(_timed_lesson(tmp_path))
    assert (lesson.title, lesson.minutes, lesson.time_source) == ("A test", 30, "section headings")
    assert lesson.estimated_minutes == 99 and lesson.prerequisites == "none" and lesson.objectives == ["do a", "do b"]
    assert lesson.answers == [kit.Answer("lessons/01_test.ipynb", "Try it yourself", "**1.** Why?", "Because.")]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_lesson_states_a_time_and_every_details_block_is_an_answer(path):
    lesson = kit.read_lesson(path)
    assert len(lesson.answers) == path.read_text().count("<details")
    for a in lesson.answers:
        assert a.question.strip() and a.answer.strip(), f"{path.name}: a <details> block without question or answer"
    if kit.is_weekly(lesson):  # the taught lessons (not the notes page 00 or appendices 90+)
        assert lesson.minutes is not None and lesson.minutes > 0, f"{path.name}: no (N min) section times and no Estimated time"
        assert lesson.objectives, f"{path.name}: no objectives found after 'you will be able to'"
        assert lesson.prerequisites, f"{path.name}: no Prerequisites row in the header table"


@pytest.fixture(scope="module")
def course():
    lessons = kit.read_lessons(ROOT)
    return lessons, kit.exercises_by_lesson(ROOT)


def test_objectives_page_lists_every_registered_exercise_with_its_points(course):
    from fepteach.exercises.core import EXERCISES

    lessons, exercises = course
    page = kit.objectives_page(lessons, exercises)
    for ex in EXERCISES.values():
        rows = [line for line in page.splitlines() if line.startswith(f"| `{ex.id}` |")]
        assert len(rows) == 1 and rows[0].endswith(f"| {ex.max_points:g} |"), ex.id


def test_semester_schedule_adds_up(course):
    lessons, exercises = course
    weeks = kit.semester_schedule(lessons, exercises)
    weekly = [le for le in lessons if kit.is_weekly(le)]
    assert [w["lesson"] for w in weeks] == [le.number for le in weekly] and [w["week"] for w in weeks] == list(range(1, len(weekly) + 1))
    for w, le in zip(weeks, weekly):
        ex = exercises.get(le.number, [])
        assert w["class_minutes"] == le.minutes
        assert w["exercise_minutes"] == sum(e.minutes for e in ex) and w["points"] == sum(e.points for e in ex)
        assert w["total_minutes"] == w["class_minutes"] + w["exercise_minutes"]


def _table_rows(page: str, header: str) -> list[list[str]]:
    """The body rows of the first Markdown table after ``header``."""
    lines = page.split(header, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    return [[c.strip() for c in line.strip().strip("|").split(" | ")] for line in lines[start + 2:end]]


def test_schedule_page_times_add_up(course):
    lessons, exercises = course
    page = kit.schedules_page(lessons, exercises)
    by_number = {le.number: le for le in lessons}

    weeks = _table_rows(page, "## A semester module")
    assert len(weeks) == len([le for le in lessons if kit.is_weekly(le)])
    for week, lesson, class_min, ex_min, _points, total, _read in weeks:
        assert int(class_min) == by_number[lesson.split(":")[0]].minutes
        assert int(class_min) + int(ex_min) == int(total)
    total_line = re.search(r"Total: (\d+) min in class, (\d+) min of exercises, (\d+) weeks", page)
    assert total_line and [int(g) for g in total_line.groups()] == [
        sum(int(r[2]) for r in weeks), sum(int(r[3]) for r in weeks), len(weeks)]

    def minutes(hhmm: str) -> int:
        h, m = map(int, hhmm.split(":"))
        return 60 * h + m

    slots = _table_rows(page, "## A one-day workshop")
    assert slots and slots[0][0] == "09:00"
    for (start, end, mins, what), nxt in zip(slots, slots[1:] + [None]):
        assert minutes(end) - minutes(start) == int(mins), what
        if nxt is not None:
            assert nxt[0] == end, "workshop slots must be contiguous"
        m = re.match(r"Lesson (\d+):", what)
        if m:
            assert int(mins) == by_number[m.group(1)].minutes, what
    teaching = sum(int(s[2]) for s in slots if s[3] not in ("Break", "Lunch"))
    stated = re.search(r"Teaching time (\d+) min; the day runs 09:00–(\d\d:\d\d)", page)
    assert stated and int(stated.group(1)) == teaching and stated.group(2) == slots[-1][1]
    scheduled = {re.match(r"Lesson (\d+):", s[3]).group(1) for s in slots if s[3].startswith("Lesson ")}
    take_home = re.search(r"Lessons ([\d, ]+) do not fit", page)
    rest = set(take_home.group(1).split(", ")) if take_home else set()
    assert scheduled | rest == {le.number for le in lessons if kit.is_weekly(le)} and not scheduled & rest


def test_answers_page_holds_every_model_answer(course):
    lessons, _ = course
    page = kit.answers_page(ROOT, lessons)
    answers = [a for le in lessons for a in le.answers]
    assert answers
    for a in answers:
        assert a.answer in page and a.question in page


# --------------------------------------------------------------------------- the site


def _load_builder():
    spec = importlib.util.spec_from_file_location("fepteach_site_build", ROOT / "docs" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_widget_snapshot_replaces_widgets_by_their_figure_and_a_note():
    builder = _load_builder()
    state = {
        "box": {"state": {"_model_name": "VBoxModel", "children": ["IPY_MODEL_slider", "IPY_MODEL_out"]}},
        "slider": {"state": {"_model_name": "FloatSliderModel"}},
        "out": {"state": {"_model_name": "OutputModel", "outputs": [
            {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}, "metadata": {}}]}},
    }
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("demo()", outputs=[
        nbformat.v4.new_output("display_data", data={builder.WIDGET_MIME: {"model_id": "box"}, "text/plain": "VBox(...)"})])])
    nb.metadata["widgets"] = {builder.WIDGET_STATE_MIME: {"state": state}}
    snap = builder.widget_snapshot(nb)
    html = [o["data"]["text/html"] for o in snap.cells[0].outputs]
    assert len(html) == 2 and '<img src="data:image/png;base64,iVBORw0KGgo="' in html[0] and 'alt="' in html[0]
    assert "live" not in html[0] and "JupyterLab" in html[1]
    assert "widgets" not in snap.metadata and builder.WIDGET_MIME not in json.dumps(snap)


def test_run_pointer_names_local_start_and_colab():
    builder = _load_builder()
    text = builder.run_pointer("01_x.ipynb", "lessons", colab_repo="org/course")
    assert "fepteach start" in text and "colab.research.google.com/github/org/course/blob/main/lessons/01_x.ipynb" in text
    assert "File → Upload notebook" in builder.run_pointer("01_x.ipynb", "lessons")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The built site's folder (``html/`` and the Sphinx sources ``src/``): ``$FEPTEACH_SITE_DIR``, else a fresh build (slow)."""
    given = os.environ.get("FEPTEACH_SITE_DIR")
    if given:
        out = Path(given).resolve()
        assert (out / "html" / "index.html").exists(), f"FEPTEACH_SITE_DIR={given} holds no built site"
        return out
    if importlib.util.find_spec("sphinx") is None or importlib.util.find_spec("myst_nb") is None:
        pytest.skip("site tests skipped (Sphinx/myst-nb not installed); enable with: python3 bootstrap.py site, "
                    "or pip install -e '.[site]'")
    out = tmp_path_factory.mktemp("site")
    # a separate process, as `bootstrap.py site` runs it (its process pool must import docs/build.py by path)
    res = subprocess.run([sys.executable, str(ROOT / "docs" / "build.py"), "--out", str(out)], cwd=ROOT,
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def site(built):
    """The built site's HTML folder."""
    return built / "html"


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _figure_outputs(nb_path: Path) -> int:
    """How many figures (``show_figure`` HTML) an executed notebook displays."""
    nb = nbformat.read(nb_path, as_version=4)
    return sum("<figure" in "".join(o.get("data", {}).get("text/html", "")) for c in nb.cells if c.cell_type == "code"
               for o in c.get("outputs", []))


@pytest.mark.slow
def test_site_has_a_page_per_lesson_with_figures_and_no_errors(built, site):
    for nb_path in LESSONS:
        page = site / "lessons" / (nb_path.stem + ".html")
        assert page.exists(), f"no page for {nb_path.name}"
        html = _text(page)
        assert "Traceback (most recent call last)" not in html and 'class="output traceback' not in html, nb_path.name
        assert "Error displaying widget" not in html and "application/vnd.jupyter.widget-view+json" not in html
        shown = _figure_outputs(built / "src" / "lessons" / nb_path.name)  # the fresh execution's figures
        figures = len(re.findall(r"<figure[^>]*>\s*<img src=\"data:image/png", html))
        assert figures == shown, f"{nb_path.name}: {figures} figures on the page, {shown} in the executed notebook"
        if "show_figure(" in nb_path.read_text():
            assert figures >= 1, f"{nb_path.name}: shows figures in JupyterLab but none on its page"
        if "_widget(" in nb_path.read_text():
            assert "fepteach-widget-note" in html and re.search(r'<img src="data:image/png[^>]+alt="Snapshot', html), nb_path.name
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
        assert "fepteach start" in text and "Colab" in text, f"{nb_path.name}: no 'run this lesson' pointer"
        assert f'href="../notebooks/lessons/{nb_path.name}"' in html and (site / "notebooks" / "lessons" / nb_path.name).exists()


@pytest.mark.slow
def test_site_has_student_exercises_only_lecturer_kit_and_search(site):
    for nb_path in EXERCISES:
        assert (site / "exercises" / (nb_path.stem + ".html")).exists(), nb_path.name
    assert not (site / "exercises" / "instructor").exists()
    everything = "".join(_text(p) for p in site.rglob("*.html"))
    assert "BEGIN SOLUTION" not in everything and "END SOLUTION" not in everything
    for name in ("index", "schedules", "times", "objectives", "answers", "misconceptions"):
        assert (site / "lecturer" / f"{name}.html").exists(), name
    assert (site / "search.html").exists()
    assert (site / "_static" / "mathjax" / "MathJax.js").exists(), "math must typeset offline (jupyter-server-mathjax)"
    assert 'src="../_static/mathjax/MathJax.js' in _text(site / "lessons" / (LESSONS[0].stem + ".html"))
    index = _text(site / "searchindex.js")
    first = kit.read_lesson(LESSONS[-1]).title.split()[0].lower()
    assert first in index.lower() and "lessons/" in index


# --------------------------------------------------------------------------- accessibility


def _browser_reason() -> str | None:
    chromium = Path(os.environ.get("FEPTEACH_CHROMIUM", "/usr/bin/chromium"))
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "accessibility check skipped (no playwright/axe); enable with: pip install -e '.[browser]'"
    if not chromium.exists():
        return f"accessibility check skipped (no Chromium at {chromium}); enable with: apt-get install -y chromium"
    return None


@pytest.mark.slow
@pytest.mark.skipif(_browser_reason() is not None, reason=_browser_reason() or "")
def test_site_pages_have_no_serious_accessibility_violations(site):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, CHROMIUM_FLAGS

    pages = ["index.html", *(f"lessons/{p.stem}.html" for p in LESSONS), f"exercises/{EXERCISES[0].stem}.html",
             "lecturer/index.html", "lecturer/schedules.html", "lecturer/answers.html", "search.html"]
    found = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page()
        for rel in pages:
            page.goto((site / rel).as_uri())
            results = Axe().run(page)
            bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
            if bad:
                found[rel] = [f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}" for v in bad]
        browser.close()
    assert not found, "serious accessibility violations:\n" + json.dumps(found, indent=1, ensure_ascii=False)
