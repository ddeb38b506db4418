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
    header = "# Lesson 01 — A test\n\n| At a glance | Details |\n|---|---|\n| **Estimated time** | 99 minutes |\n| **Prerequisites** | none |\n\n" \
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
        assert kit.relink(a.answer, a.source) in page and kit.relink(a.question, a.source) in page


# --------------------------------------------------------------------------- every open question has a model answer


def _unanswered(questions: list[kit.Question], page: str) -> list[str]:
    """The questions without a model answer, or whose answer is missing from the model-answers ``page``."""
    bad = []
    for q in questions:
        if q.answer is None:
            bad.append(f"no model answer: {q.label}")
        elif kit.relink(q.answer, kit._published(q.source)) not in page:
            bad.append(f"answer not on the model-answers page: {q.label}")
    return bad


def _questions_of(paths: list[Path], folder: str) -> list[kit.Question]:
    return [q for p in paths for q in kit.open_questions(nbformat.read(p, as_version=4), f"{folder}/{p.name}")]


def test_open_questions_finds_every_question_and_flags_those_without_an_answer(tmp_path):
    answer = "<details><summary>Model answer</summary>\n\n{}\n</details>"
    hint = '  <details class="hint"><summary>Hint</summary>\n\n  Look closer.\n  </details>\n'
    model = '  <details class="model-answer"><summary>Model answer</summary>\n\n  {}\n  </details>\n'
    cells = [
        "# Lesson 01 — A test",
        "## 1. Text\n\nNot a question? Ordinary text is not an open question.",
        "### Think! 1.1\n\nWhy A?\n\n" + answer.format("Because A."),
        "### Think! 1.2\n\nWhy B?",  # no answer
        "### Try it yourself\n\nMove the slider. What changes?",  # answered in the cell after the widget
        answer.format("The curve moves."),
        "### Try it yourself: three items\n\n1. First?\n2. Second?\n3. Third?\n\n"
        + answer.format("1. One.\n2. Two."),  # item 3 has no numbered answer
        "## Going further (not graded)\n\n* Item with an answer?\n" + hint + model.format("Yes.")
        + "* Item with a hint only: compare x and y.\n" + hint,
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(c) for c in cells])
    questions = kit.open_questions(nb, "lessons/01_test.ipynb")
    got = [(q.section, q.question.split("\n")[0], q.answer) for q in questions]
    assert got == [
        ("Think! 1.1", "Why A?", "Because A."),
        ("Think! 1.2", "Why B?", None),
        ("Try it yourself", "Move the slider. What changes?", "The curve moves."),
        ("Try it yourself: three items", "1. First?", "1. One.\n2. Two."),
        ("Try it yourself: three items", "2. Second?", "1. One.\n2. Two."),
        ("Try it yourself: three items", "3. Third?", None),
        ("Going further (not graded)", "* Item with an answer?", "Yes."),
        ("Going further (not graded)", "* Item with a hint only: compare x and y.", None),
    ]
    # hints are not model answers: the page lists the three answer blocks only
    page = kit.answers_page(tmp_path, [kit.Lesson("01", "01_test.ipynb", "A test", [], None, "", [],
                                                  kit.details_answers(nb, "lessons/01_test.ipynb"))])
    assert "Look closer" not in page and page.count("**Answer.**") == 4
    # the check the course tests use fails on exactly the unanswered questions
    bad = _unanswered(questions, page)
    assert len(bad) == 3 and all(b.startswith("no model answer") for b in bad)
    assert "Why B?" in bad[0] and "3. Third?" in bad[1] and "hint only" in bad[2]


def test_every_open_question_of_the_lessons_has_a_model_answer_on_the_answers_page(course):
    lessons, _ = course
    questions = _questions_of(LESSONS, "lessons")
    assert len(questions) >= 30  # Think!/Try it yourself items of Lessons 01-07
    bad = _unanswered(questions, kit.answers_page(ROOT, lessons))
    assert not bad, "\n".join(bad)


def test_every_open_question_of_the_exercise_notebooks_has_a_model_answer_on_the_answers_page(course):
    lessons, _ = course
    questions = _questions_of(INSTRUCTOR, "exercises/instructor")
    assert questions
    bad = _unanswered(questions, kit.answers_page(ROOT, lessons))
    assert not bad, f"{len(bad)} of {len(questions)} questions:\n" + "\n".join(bad)


# --------------------------------------------------------------------------- links of the generated pages


def _slug(title: str) -> str:
    """A heading's anchor as MyST and JupyterLab make it (lower case, punctuation dropped, spaces as hyphens)."""
    return re.sub(r"\s+", "-", re.sub(r"[^\w\s-]", "", title.strip().lower()))


def _anchors(path: Path) -> set[str]:
    """The ids a link may name in a notebook or Markdown file: HTML ids, MyST targets and heading slugs."""
    if path.suffix == ".ipynb":
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    ids = set(re.findall(r'id="([^"]+)"', text)) | set(re.findall(r"^\(([^)\s]+)\)=\s*$", text, re.M))
    return ids | {_slug(m.group(2)) for m in re.finditer(r"^(#{1,6})\s+(.*?)\s*$", text, re.M)}


def _bad_relative_links(page: Path, text: str, base: Path) -> list[str]:
    """Relative links of ``text`` (Markdown or HTML, on ``page``) whose file or anchor does not exist under ``base``."""
    bad = []
    for target in re.findall(r"\]\(([^)\s]+)\)|href=\"([^\"]+)\"", text):
        target = next(t for t in target if t)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("/"):
            continue
        path, _, anchor = target.partition("#")
        file = (base / path).resolve() if path else page
        if not file.exists():
            bad.append(f"{page.name}: {target} (no file {file})")
        elif anchor and file.suffix in (".ipynb", ".md", ".html") and anchor not in _anchors_of(file):
            bad.append(f"{page.name}: {target} (no id {anchor!r} in {file.name})")
    return bad


def _anchors_of(file: Path) -> set[str]:
    if file.suffix == ".html":
        return set(re.findall(r'\bid="([^"]+)"', file.read_text(encoding="utf-8")))
    return _anchors(file)


def test_relink_points_lesson_and_exercise_links_from_the_lecturer_folder():
    assert kit.relink("[notes](00_notation_and_equations.ipynb)", "lessons/01_x.ipynb") == \
        "[notes](../lessons/00_notation_and_equations.ipynb)"
    assert kit.relink("[(N1)](../lessons/00_notation_and_equations.ipynb#eq-activity)", "exercises/01_x.ipynb") == \
        "[(N1)](../lessons/00_notation_and_equations.ipynb#eq-activity)"
    assert kit.relink("[up](#glossary), [web](https://doi.org/1), <a href=\"x.ipynb\">", "lessons/00_n.ipynb") == \
        "[up](../lessons/00_n.ipynb#glossary), [web](https://doi.org/1), <a href=\"../lessons/x.ipynb\">"


def test_every_relative_link_of_the_lecturer_kit_resolves(tmp_path):
    """Generated pages (written as the site does, one folder below the course root) and the hand-written ones."""
    written = kit.write_pages(tmp_path / "lecturer", ROOT)
    pages = [(p, p.read_text(encoding="utf-8")) for p in written]
    pages += [(p, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "lecturer").glob("*.md"))]
    links = sum(len(re.findall(r"\]\((?!https?:)[^)\s]+\)", text)) for _, text in pages)
    assert links >= 1  # the objectives page links the notes notebook
    bad = [b for page, text in pages for b in _bad_relative_links(page, text, ROOT / "lecturer")]
    assert not bad, "\n".join(bad)


def test_no_markdown_table_has_an_empty_header_row():
    """An empty header row (``| | |``, a layout table) is an accessibility error (axe: empty-table-header)."""
    sources = [(p.name, c.source) for p in [*LESSONS, *INSTRUCTOR] for c in nbformat.read(p, as_version=4).cells
               if c.cell_type == "markdown"]
    sources += [(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "lecturer").glob("*.md"))]
    bad = []
    for name, text in sources:
        lines = text.splitlines()
        for head, rule in zip(lines, lines[1:]):
            if re.match(r"^\s*\|?\s*:?-{3,}", rule) and head.strip().startswith("|"):
                cells = [c.strip() for c in head.strip().strip("|").split("|")]
                if any(not c for c in cells):
                    bad.append(f"{name}: {head.strip()}")
    assert not bad, "tables with an empty header cell:\n" + "\n".join(bad)


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


def test_html_anchors_become_myst_targets_on_the_site_only():
    builder = _load_builder()
    text = '<a id="eq-activity"></a>\n**(N1) Activity equation**\n\nSee <a id="inline"></a> here.'
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text), nbformat.v4.new_code_cell('<a id="x"></a>')])
    out = builder.myst_targets(nb)
    assert out.cells[0].source == '(eq-activity)=\n**(N1) Activity equation**\n\nSee <a id="inline"></a> here.'
    assert out.cells[1].source == '<a id="x"></a>' and nb.cells[0].source == text  # code untouched, input not modified


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
def test_site_build_had_no_sphinx_warnings(built):
    log = built / "sphinx-warnings.log"
    assert log.exists(), "the build keeps Sphinx's warnings in sphinx-warnings.log"
    assert not log.read_text().strip(), log.read_text()[:3000]


@pytest.mark.slow
def test_every_relative_link_of_the_site_resolves_to_a_page_and_id(site):
    notes = site / "lessons" / "00_notation_and_equations.html"
    assert 'id="eq-activity"' in _text(notes)  # the notes' anchors survive as element ids
    assert 'href="00_notation_and_equations.html#eq-activity"' in _text(site / "lessons" / "01_rate_neurons.html")
    pages = [p for folder in ("lessons", "exercises", "lecturer") for p in sorted((site / folder).glob("*.html"))]
    bad = []
    for page in pages:
        html = re.sub(r"<(script|style)\b.*?</\1>", "", _text(page), flags=re.S)
        links = [t for t in re.findall(r'<a\b[^>]*\bhref="([^"]+)"', html) if not t.startswith("data:")]
        bad += _bad_relative_links(page, "".join(f'href="{t}"' for t in links), page.parent)
    assert not bad, "\n".join(bad[:50])


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
def test_site_pages_have_no_accessibility_violations(site):
    """axe-core finds nothing, of any impact (the pages were clean when this was tightened from serious/critical)."""
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
            bad = results.response["violations"]
            if bad:
                found[rel] = [f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}" for v in bad]
        browser.close()
    assert not found, "accessibility violations:\n" + json.dumps(found, indent=1, ensure_ascii=False)
