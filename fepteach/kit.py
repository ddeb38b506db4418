"""The lecturer kit, generated from the course's own files so that every fact has one home.

* **Times** come from the lessons: a section heading may end in ``(N min)`` (e.g. ``## 3. Where does a neuron
  settle? (10 min)``); a lesson's time is the sum of its section times, or, while its headings carry none, the
  "Estimated time" row of its header table. An exercise's time is ``(N min)`` in its heading, else
  :data:`MINUTES_PER_POINT` per point.
* **Objectives and prerequisites** come from each lesson's header ("By the end of this lesson you will be able
  to", the "Prerequisites" row); **exercises and points** from the exercise registry.
* **Model answers** are the collapsible ``<details>`` blocks of the lessons and instructor notebooks (not the
  ``<details class="hint">`` blocks); :func:`open_questions` lists every question with its answer, so a test can
  check that none is missing. Links in them are made relative to the pages' folder (:func:`relink`).
* **Schedules** (a semester of one lesson a week, a one-day workshop) are laid out from those times.

:func:`write_pages` writes the generated Markdown pages (used by the site build, ``docs/build.py``).
"""

from __future__ import annotations

import os
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

MINUTES_PER_POINT = 3
"""Exercise time estimate when its heading states none: minutes per point."""

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
TIME_IN_HEADING = re.compile(r"\((?:[^()]*?[,;]\s*)?(\d+)\s*min(?:utes)?\)\s*$")
POINTS_IN_HEADING = re.compile(r"\((\d+(?:\.\d+)?)\s*points?\b")
TABLE_ROW = re.compile(r"^\|\s*\*\*(?P<key>[^*|]+)\*\*\s*\|\s*(?P<value>.*?)\s*\|\s*$")
LEADING_MINUTES = re.compile(r"^\s*(\d+)\s*min")
DETAILS = re.compile(r"<details(?P<attrs>[^>]*)>\s*(?:<summary>(?P<summary>.*?)</summary>)?(?P<body>.*?)</details>", re.S)
HINT_CLASS = re.compile(r"""class\s*=\s*["'][^"']*\bhint\b""")
QUESTION_HEADING = re.compile(r"^(?:Think!|Try it yourself|Going further)", re.I)
LIST_ITEM = re.compile(r"^(?:[*-]|(?P<number>\d+)\.)\s+\S", re.M)
LINK = re.compile(r"(\]\(|href=\")(?P<target>[^)\s\"]+)")


@dataclass(frozen=True)
class Section:
    """One heading of a notebook: its level, its title (without the time) and its stated minutes (or None)."""

    level: int
    title: str
    minutes: int | None


@dataclass
class Lesson:
    """What the kit needs to know about one lesson notebook."""

    number: str
    name: str
    title: str
    sections: list[Section]
    estimated_minutes: int | None
    prerequisites: str
    objectives: list[str]
    answers: list["Answer"] = field(default_factory=list)

    @property
    def minutes(self) -> int | None:
        """The lesson's time: the sum of its section times, else its header's estimated time."""
        total = section_total(self.sections)
        return total if total is not None else self.estimated_minutes

    @property
    def time_source(self) -> str:
        """Where :attr:`minutes` comes from ("section headings" or "lesson header")."""
        return "section headings" if section_total(self.sections) is not None else "lesson header"


@dataclass(frozen=True)
class Answer:
    """A question and its model answer (a ``<details>`` block), with the section it belongs to."""

    source: str
    section: str
    question: str
    answer: str


# --------------------------------------------------------------------------- parsing


def parse_heading(line: str) -> Section | None:
    """A Markdown heading line as a :class:`Section`, or None when the line is no heading.

    >>> parse_heading("## 3. Where does a neuron settle? (10 min)")
    Section(level=2, title='3. Where does a neuron settle?', minutes=10)
    """
    m = HEADING.match(line)
    if not m:
        return None
    text = m.group(2)
    t = TIME_IN_HEADING.search(text)
    minutes = int(t.group(1)) if t else None
    if t:
        head = text[: t.start()].rstrip()
        inner = t.group(0).strip()[1:-1]
        rest = re.sub(r"[,;]?\s*\d+\s*min(?:utes)?$", "", inner).strip()
        text = f"{head} ({rest})" if rest else head
    return Section(len(m.group(1)), text, minutes)


def notebook_sections(nb) -> list[Section]:
    """Every heading of the markdown cells of ``nb``, in order."""
    found = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found += [s for s in map(parse_heading, cell.source.splitlines()) if s is not None]
    return found


def section_total(sections: list[Section]) -> int | None:
    """The minutes of a lesson from its timed headings, or None when no heading carries a time.

    A level-2 section's time includes its sub-sections; a timed sub-section counts only
    while its level-2 section states no time of its own.
    """
    total, any_time, parent_timed = 0, False, False
    for s in sections:
        if s.level <= 2:
            parent_timed = s.minutes is not None and s.level == 2
            if s.minutes is not None and s.level == 2:
                total, any_time = total + s.minutes, True
        elif s.minutes is not None and not parent_timed:
            total, any_time = total + s.minutes, True
    return total if any_time else None


def header_table(nb) -> dict[str, str]:
    """The ``| **Key** | value |`` rows of a lesson's first cell (e.g. "Estimated time", "Prerequisites")."""
    if not nb.cells:
        return {}
    rows = {}
    for line in nb.cells[0].source.splitlines():
        m = TABLE_ROW.match(line.strip())
        if m:
            rows[m.group("key").strip()] = m.group("value").strip()
    return rows


def objectives(nb) -> list[str]:
    """The numbered items after "you will be able to" in a lesson's first cell."""
    if not nb.cells:
        return []
    text = nb.cells[0].source
    start = re.search(r"will be able to\**\s*\n", text)
    if not start:
        return []
    items: list[str] = []
    for line in text[start.end():].splitlines():
        m = re.match(r"^\s*\d+\.\s+(.*)$", line)
        if m:
            items.append(m.group(1).strip())
        elif items and line.startswith("   ") and line.strip():
            items[-1] += " " + line.strip()
        elif items and not line.strip():
            break
    return [re.sub(r"[;.]\s*$", "", i) for i in items]


def _last_question(text: str) -> str:
    """The question before a ``<details>`` block: the last paragraph of ``text`` that is not a heading."""
    text = "\n".join("" if HEADING.match(line) else line for line in text.splitlines())
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return paragraphs[-1] if paragraphs else ""


def _is_hint(m: re.Match) -> bool:
    """True for a ``<details class="hint">`` block: a hint, not a model answer."""
    return bool(HINT_CLASS.search(m.group("attrs") or ""))


def _body(m: re.Match) -> str:
    """The text of a ``<details>`` block, without the indentation of the list item it may sit in."""
    body = m.group("body").strip("\n")
    return textwrap.dedent(body).strip()


def _without_hints(text: str) -> str:
    return DETAILS.sub(lambda m: "" if _is_hint(m) else m.group(0), text)


def details_answers(nb, source: str) -> list[Answer]:
    """Every model answer (a ``<details>`` block that is not a ``class="hint"``) of ``nb``, with its question and section.

    Parameters
    ----------
    nb : NotebookNode
        A lesson or instructor notebook.
    source : str
        A label for where it comes from (e.g. ``"lessons/01_rate_neurons.ipynb"``).
    """
    found, section, previous = [], "", ""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        pos = 0
        for m in DETAILS.finditer(cell.source):
            if _is_hint(m):
                continue
            before = _without_hints(cell.source[pos:m.start()])
            for line in before.splitlines():
                h = parse_heading(line)
                if h is not None and h.level >= 2:
                    section = h.title
            # a block that opens its cell answers the question of the markdown before it (e.g. above a widget)
            question = _last_question(re.sub(r"</details>", "", before)) or previous
            found.append(Answer(source, section, question, _body(m)))
            pos = m.end()
        for line in cell.source[pos:].splitlines():
            h = parse_heading(line)
            if h is not None and h.level >= 2:
                section = h.title
        previous = _last_question(DETAILS.sub("", cell.source))
    return found


@dataclass(frozen=True)
class Question:
    """An open question of a notebook (a *Think!*, *Try it yourself* or *Going further* item) and its model answer."""

    source: str
    section: str
    question: str
    answer: str | None

    @property
    def label(self) -> str:
        text = " ".join(self.question.split())
        return f"{self.source} / {self.section}: {text[:80]}"


def _question_segments(nb) -> list[tuple[str, str]]:
    """(heading title, markdown up to the next heading) for every Think!/Try it yourself/Going further heading."""
    segments: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    text = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    # headings inside <details> blocks do not start a segment
    masked = DETAILS.sub(lambda m: re.sub(r"#", "\x00", m.group(0)), text)
    for line, raw in zip(masked.split("\n"), text.split("\n")):
        h = parse_heading(line)
        if h is not None:
            current = [] if QUESTION_HEADING.match(h.title) else None
            if current is not None:
                segments.append((h.title, current))
            continue
        if current is not None:
            current.append(raw)
    return [(title, "\n".join(lines)) for title, lines in segments]


def open_questions(nb, source: str) -> list[Question]:
    """Every open question of ``nb`` with its model answer (None when it has none).

    A question is a *Think!*, *Try it yourself* or *Going further* section (its heading starts with one of these).
    When the section lists items (``* ...`` or ``1. ...`` at the start of a line, outside ``<details>`` blocks), each
    item is a question of its own. An item is answered by a model answer (a ``<details>`` block that is not a hint)
    between it and the next item or, for a numbered list answered in one numbered block, by the item of the same
    number in that block. :func:`details_answers` puts the same blocks on the model-answers page.
    """
    found = []
    for title, seg in _question_segments(nb):
        blocks = [m for m in DETAILS.finditer(seg) if not _is_hint(m)]
        in_block = [(m.start(), m.end()) for m in DETAILS.finditer(seg)]
        items = [m for m in LIST_ITEM.finditer(seg) if not any(a <= m.start() < b for a, b in in_block)]
        ends = [m.start() for m in items[1:]] + [len(seg)]
        asked = []
        for item, end in zip(items, ends):
            text = DETAILS.sub("", _without_hints(seg[item.start():end])).strip()
            asked.append((item, end, text))
        if not asked:
            lead = _without_hints(seg[:blocks[0].start()] if blocks else seg)
            found.append(Question(source, title, DETAILS.sub("", lead).strip(), _body(blocks[0]) if blocks else None))
            continue
        for item, end, text in asked:
            own = [m for m in blocks if item.start() < m.start() < end]
            answer = _body(own[0]) if own else None
            numbered = [m for m in blocks if m.start() > item.start() and re.search(r"^\s*\d+\.\s", _body(m), re.M)]
            if item.group("number") and numbered:  # a numbered list answered item by item in a numbered block
                answer = next((_body(m) for m in numbered
                               if re.search(rf"^\s*{item.group('number')}\.\s", _body(m), re.M)), None)
            found.append(Question(source, title, text, answer))
    return found


def read_lesson(path: Path) -> Lesson:
    """Everything the kit reads from one lesson notebook."""
    nb = nbformat.read(path, as_version=4)
    sections = notebook_sections(nb)
    title = next((s.title for s in sections if s.level == 1), path.stem)
    title = re.sub(r"^(Lesson|Notes?|Appendix)\s+\d+\s*[—–:-]\s*", "", title)  # "Lesson 01 — X" -> "X"
    table = header_table(nb)
    est = LEADING_MINUTES.match(table.get("Estimated time", ""))
    return Lesson(
        number=path.name.split("_", 1)[0],
        name=path.name,
        title=title,
        sections=[s for s in sections if s.level >= 2],
        estimated_minutes=int(est.group(1)) if est else None,
        prerequisites=table.get("Prerequisites", ""),
        objectives=objectives(nb),
        answers=details_answers(nb, f"lessons/{path.name}"),
    )


def read_lessons(root: Path) -> list[Lesson]:
    """Every lesson of the course folder ``root`` (``lessons/*.ipynb``), in order."""
    return [read_lesson(p) for p in sorted((root / "lessons").glob("*.ipynb"))]


def is_weekly(lesson: Lesson) -> bool:
    """True for the numbered teaching lessons (01–89); 00 (notes) and 90+ (appendices) are reading."""
    return lesson.number.isdigit() and 1 <= int(lesson.number) <= 89


# --------------------------------------------------------------------------- exercises


@dataclass(frozen=True)
class ExerciseInfo:
    """One graded exercise: registry id, title, what it asks, points, minutes and where the minutes come from."""

    id: str
    lesson: str
    title: str
    asks: str
    points: float
    minutes: int
    time_source: str


def exercise_heading_times(root: Path) -> dict[str, dict[str, int]]:
    """Minutes stated in the exercise headings: {lesson number: {heading title: minutes}}."""
    out: dict[str, dict[str, int]] = {}
    for path in sorted((root / "exercises").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        out[path.name.split("_", 1)[0]] = {s.title: s.minutes for s in notebook_sections(nb) if s.minutes is not None}
    return out


def exercises_by_lesson(root: Path) -> dict[str, list[ExerciseInfo]]:
    """The exercise registry grouped by lesson number ("01", ...), in registry order."""
    from .exercises.core import EXERCISES, _load_all

    _load_all()
    stated = exercise_heading_times(root)
    out: dict[str, list[ExerciseInfo]] = {}
    for ex in EXERCISES.values():
        lesson = ex.id.split(".", 1)[0].lstrip("Ll").zfill(2)
        heading_minutes = [m for title, m in stated.get(lesson, {}).items() if ex.title.lower() in title.lower()]
        if heading_minutes:
            minutes, source = heading_minutes[0], "exercise heading"
        else:
            minutes, source = max(1, round(ex.max_points * MINUTES_PER_POINT)), f"{MINUTES_PER_POINT} min per point"
        asks = getattr(ex, "asks", None) or ""
        out.setdefault(lesson, []).append(ExerciseInfo(ex.id, lesson, ex.title, str(asks), ex.max_points, minutes, source))
    return out


# --------------------------------------------------------------------------- schedules


@dataclass(frozen=True)
class Slot:
    """One slot of a schedule: start and length in minutes from the start of the day (or week), and what."""

    start: int
    minutes: int
    what: str
    lesson: str = ""
    kind: str = "lesson"  # "lesson", "exercises", "break", "reading"

    @property
    def end(self) -> int:
        return self.start + self.minutes


def semester_schedule(lessons: list[Lesson], exercises: dict[str, list[ExerciseInfo]]) -> list[dict]:
    """One teaching lesson a week: in-class time (the lesson's time) and exercise time (the sum of its exercises).

    The notes page (``00``) is reading for week 1; appendices (``90+``) are reading for the last week.
    """
    weekly = [le for le in lessons if is_weekly(le)]
    reading_first = [le.title for le in lessons if le.number.isdigit() and int(le.number) == 0]
    reading_last = [le.title for le in lessons if le.number.isdigit() and int(le.number) >= 90]
    weeks = []
    for i, le in enumerate(weekly, start=1):
        ex = exercises.get(le.number, [])
        reading = (reading_first if i == 1 else []) + (reading_last if i == len(weekly) else [])
        weeks.append({
            "week": i, "lesson": le.number, "title": le.title, "class_minutes": le.minutes or 0,
            "exercise_minutes": sum(e.minutes for e in ex), "points": sum(e.points for e in ex),
            "total_minutes": (le.minutes or 0) + sum(e.minutes for e in ex), "reading": reading,
        })
    return weeks


def workshop_schedule(lessons: list[Lesson], exercises: dict[str, list[ExerciseInfo]], day_minutes: int = 390,
                      exercise_minutes: int = 20, break_minutes: int = 15, lunch_minutes: int = 60,
                      lunch_after: int = 180) -> tuple[list[Slot], list[str]]:
    """A one-day workshop: lessons in order, each followed by an exercise slot, with breaks and lunch.

    Parameters
    ----------
    day_minutes : int
        Teaching minutes available in the day (breaks and lunch excluded; 390 = 6 h 30).
    exercise_minutes : int
        Hands-on time after each lesson: the lesson's first exercises, as many as fit.
    break_minutes, lunch_minutes, lunch_after : int
        A break between consecutive lessons, and lunch once ``lunch_after`` teaching minutes have passed.

    Returns
    -------
    slots : list of Slot
        Contiguous slots from minute 0.
    take_home : list of str
        Lesson numbers that do not fit in the day (set as take-home work).
    """
    slots: list[Slot] = []
    clock = teaching = 0
    take_home: list[str] = []
    had_lunch = False
    for le in (x for x in lessons if is_weekly(x)):
        need = (le.minutes or 0) + exercise_minutes
        if take_home or teaching + need > day_minutes:
            take_home.append(le.number)
            continue
        if slots:
            if not had_lunch and teaching >= lunch_after:
                slots.append(Slot(clock, lunch_minutes, "Lunch", kind="break"))
                clock, had_lunch = clock + lunch_minutes, True
            else:
                slots.append(Slot(clock, break_minutes, "Break", kind="break"))
                clock += break_minutes
        slots.append(Slot(clock, le.minutes or 0, f"Lesson {le.number}: {le.title}", le.number, "lesson"))
        clock += le.minutes or 0
        fitting = _fitting_exercises(exercises.get(le.number, []), exercise_minutes)
        slots.append(Slot(clock, exercise_minutes, "Exercises: " + (", ".join(fitting) or "work through the lesson's Try it yourself"), le.number, "exercises"))
        clock += exercise_minutes
        teaching += need
    return slots, take_home


def _fitting_exercises(exs: list[ExerciseInfo], minutes: int) -> list[str]:
    chosen, used = [], 0
    for e in exs:
        if used + e.minutes <= minutes:
            chosen.append(e.id)
            used += e.minutes
    return chosen


def clock(minutes: int, start: str = "09:00") -> str:
    """Wall-clock time ``minutes`` after ``start`` (HH:MM)."""
    h, m = map(int, start.split(":"))
    t = h * 60 + m + minutes
    return f"{t // 60:02d}:{t % 60:02d}"


# --------------------------------------------------------------------------- pages


PAGE_FOLDER = "lecturer"
"""The generated pages sit one folder below the course root (``lecturer/`` on the site, any sibling of ``lessons/``)."""


def relink(text: str, source: str) -> str:
    """``text`` taken from the notebook ``source`` (its path from the course root, e.g. ``"lessons/01_x.ipynb"``)
    with its relative links made relative to :data:`PAGE_FOLDER`, so that a link copied onto a generated page
    still points at the same file and anchor.

    >>> relink("[(N1)](00_notation_and_equations.ipynb#eq-activity), [notes](#glossary)", "lessons/00_notation_and_equations.ipynb")
    '[(N1)](../lessons/00_notation_and_equations.ipynb#eq-activity), [notes](../lessons/00_notation_and_equations.ipynb#glossary)'
    """
    folder, name = os.path.split(source)

    def fix(m: re.Match) -> str:
        target = m.group("target")
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("/"):
            return m.group(0)  # absolute: a URL, mailto:, a site-absolute path
        path, hash_, anchor = target.partition("#")
        moved = os.path.relpath(os.path.normpath(os.path.join(folder, path or name)), PAGE_FOLDER)
        return m.group(1) + moved.replace(os.sep, "/") + hash_ + anchor

    return LINK.sub(fix, text)


def _published(source: str) -> str:
    """The notebook whose links ``source`` carries: ``exercises/instructor/X`` is read as the student copy
    ``exercises/X`` (the one learners open and the site publishes)."""
    return source.replace("exercises/instructor/", "exercises/")


def _md_cell(text: str) -> str:
    return " ".join(str(text).replace("|", "\\|").split())


def times_page(lessons: list[Lesson], exercises: dict[str, list[ExerciseInfo]]) -> str:
    """Markdown: per-section and per-exercise time estimates."""
    out = ["# Time estimates", "",
           "Section times are read from the lessons' section headings (`(N min)`); while a lesson's headings carry "
           "no times, its total is the *Estimated time* of its header. Exercise times come from `(N min)` in the "
           f"exercise heading, else {MINUTES_PER_POINT} minutes per point. Edit the notebooks, not this page: it is "
           "generated.", ""]
    for le in lessons:
        out += [f"## Lesson {le.number}: {le.title}", "",
                f"**Lesson time: {le.minutes if le.minutes is not None else '?'} min** (from the {le.time_source}).", ""]
        out += ["| section | minutes |", "|---|---|"]
        out += [f"| {'&nbsp;&nbsp;' * (s.level - 2)}{_md_cell(s.title)} | {s.minutes if s.minutes is not None else '–'} |" for s in le.sections]
        ex = exercises.get(le.number, [])
        if ex:
            out += ["", "| exercise | points | minutes | time from |", "|---|---|---|---|"]
            out += [f"| `{e.id}` {_md_cell(e.title)} | {e.points:g} | {e.minutes} | {e.time_source} |" for e in ex]
            out += ["", f"Exercises: {sum(e.minutes for e in ex)} min, {sum(e.points for e in ex):g} points."]
        out.append("")
    return "\n".join(out)


def schedules_page(lessons: list[Lesson], exercises: dict[str, list[ExerciseInfo]]) -> str:
    """Markdown: the semester schedule and the one-day workshop schedule."""
    weeks = semester_schedule(lessons, exercises)
    out = ["# Schedules", "", "Generated from the stated lesson and exercise times (see *Time estimates*).", "",
           "## A semester module: one lesson a week", "",
           "In class: the lesson (live or flipped). At home: its exercise notebook, graded with `fepteach grade`.", "",
           "| week | lesson | in class (min) | exercises (min) | points | total (min) | also read |", "|---|---|---|---|---|---|---|"]
    for w in weeks:
        out.append(f"| {w['week']} | {w['lesson']}: {_md_cell(w['title'])} | {w['class_minutes']} | {w['exercise_minutes']} | "
                   f"{w['points']:g} | {w['total_minutes']} | {_md_cell('; '.join(w['reading'])) or '–'} |")
    out += ["", f"Total: {sum(w['class_minutes'] for w in weeks)} min in class, "
                f"{sum(w['exercise_minutes'] for w in weeks)} min of exercises, {len(weeks)} weeks.", ""]
    slots, take_home = workshop_schedule(lessons, exercises)
    out += ["## A one-day workshop", "",
            "Lessons in order, each followed by 20 minutes of hands-on exercises; a 15-minute break between lessons and "
            "an hour for lunch. Participants install the course beforehand (`pip install fepteach`, `fepteach start`).", "",
            "| from | to | minutes | what |", "|---|---|---|---|"]
    out += [f"| {clock(s.start)} | {clock(s.end)} | {s.minutes} | {_md_cell(s.what)} |" for s in slots]
    teaching = sum(s.minutes for s in slots if s.kind != "break")
    out += ["", f"Teaching time {teaching} min; the day runs {clock(0)}–{clock(slots[-1].end if slots else 0)}."]
    if take_home:
        out.append(f"Lessons {', '.join(take_home)} do not fit in the day: set them as take-home work or a second day.")
    return "\n".join(out) + "\n"


def objectives_page(lessons: list[Lesson], exercises: dict[str, list[ExerciseInfo]]) -> str:
    """Markdown: each lesson's objectives and prerequisites beside its exercises and their points."""
    out = ["# Objectives, prerequisites and exercises", "",
           "Objectives and prerequisites are read from each lesson's header; exercises and points from the exercise "
           "registry (`fepteach.exercises`).", ""]
    for le in lessons:
        out += [f"## Lesson {le.number}: {le.title}", ""]
        here = f"lessons/{le.name}"
        if le.prerequisites:
            out += [f"**Prerequisites:** {relink(le.prerequisites, here)}", ""]
        if le.objectives:
            out += ["**Objectives** (by the end of the lesson, learners can):", ""]
            out += [f"{i}. {relink(o, here)}" for i, o in enumerate(le.objectives, start=1)]
            out.append("")
        ex = exercises.get(le.number, [])
        if ex:
            out += ["| exercise | what it asks | points |", "|---|---|---|"]
            out += [f"| `{e.id}` | {_md_cell(e.asks or e.title)} | {e.points:g} |" for e in ex]
            out += ["", f"Total: {sum(e.points for e in ex):g} points.", ""]
    return "\n".join(out)


def answers_page(root: Path, lessons: list[Lesson]) -> str:
    """Markdown: every model answer (``<details>`` blocks) of the lessons and instructor notebooks."""
    out = ["# Model answers", "",
           "Every *Think!*, *Try it yourself* and *Going further* answer, extracted from the collapsible blocks of the "
           "lessons and the instructor notebooks (edit them there).", ""]
    groups = [(f"Lesson {le.number}: {le.title}", le.answers) for le in lessons]
    for path in sorted((root / "exercises" / "instructor").glob("*.ipynb")):
        groups.append((f"Exercises {path.stem}", details_answers(nbformat.read(path, as_version=4), f"exercises/instructor/{path.name}")))
    for title, answers in groups:
        if not answers:
            continue
        out += [f"## {title}", ""]
        section = None
        for a in answers:
            if a.section != section:
                out += [f"### {a.section or 'Questions'}", ""]
                section = a.section
            here = _published(a.source)
            out += [relink(a.question, here), "", "**Answer.** " + relink(a.answer, here), "", "---", ""]
    while out and out[-1] in ("", "---"):  # a page may not end with a rule
        out.pop()
    return "\n".join(out) + "\n"


def write_pages(dest: Path, root: Path) -> list[Path]:
    """Write the generated kit pages (schedules, times, objectives, model answers) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    lessons = read_lessons(root)
    exercises = exercises_by_lesson(root)
    pages = {
        "schedules.md": schedules_page(lessons, exercises),
        "times.md": times_page(lessons, exercises),
        "objectives.md": objectives_page(lessons, exercises),
        "answers.md": answers_page(root, lessons),
    }
    written = []
    for name, text in pages.items():
        (dest / name).write_text(text)
        written.append(dest / name)
    return written
