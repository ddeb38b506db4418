"""Learner-facing notebooks cite only what learners have: the papers and the course's own notes notebook.

A lesson or exercise must not mention the developers' documents (the science spec, its oracle numbers, the files under
the shared developer folder) or a private module of the package. Learners have none of these.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The notebooks this test enforces: every learner-facing notebook (lessons, student exercises, instructor sources).
ENFORCED = sorted(
    str(p.relative_to(ROOT))
    for pattern in ("lessons/*.ipynb", "exercises/*.ipynb", "exercises/instructor/*.ipynb")
    for p in ROOT.glob(pattern)
)

# Each pattern with the reason a learner cannot follow it.
FORBIDDEN = {
    "the developers' science spec": re.compile(r"\bSPEC\b"),
    "an oracle id of the developers' tests": re.compile(r"\bO\d+\b"),
    "a developers' document": re.compile(r"reference_results|paper_map|DESIGN\.md|course-anchors|\.\./shared|shared/science"),
    "a private module": re.compile(r"fepteach\._\w+|from\s+fepteach\s+import\s+_\w+|from\s+\.\s*import\s+_\w+"),
    "a private name of a module (learners use the public, documented functions)": re.compile(r"\b[A-Za-z]\w*\._[a-z]\w*"),
}


def learner_text_problems(nb: dict) -> list[str]:
    """One line per forbidden mention in the cells of a notebook (sources only; outputs are never committed)."""
    problems = []
    for k, cell in enumerate(nb.get("cells", [])):
        src = "".join(cell.get("source", []))
        for lineno, line in enumerate(src.splitlines(), 1):
            for why, pattern in FORBIDDEN.items():
                for m in pattern.finditer(line):
                    problems.append(f"cell {k} line {lineno}: {m.group(0)!r} is {why}")
    return problems


def test_every_enforced_notebook_exists():
    assert any(r.startswith("lessons/") for r in ENFORCED) and any(r.startswith("exercises/instructor/") for r in ENFORCED)
    missing = [rel for rel in ENFORCED if not (ROOT / rel).exists()]
    assert not missing, f"enforced notebooks that do not exist: {missing}"


@pytest.mark.parametrize("rel", ENFORCED)
def test_learner_text_cites_only_what_learners_have(rel):
    nb = json.loads((ROOT / rel).read_text(encoding="utf-8"))
    problems = learner_text_problems(nb)
    assert not problems, f"{rel}:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "text",
    [
        "the leak term (SPEC eq. 1.1)",
        "checked against oracle O10",
        "see `reference_results.md` Table 7",
        "as in ../shared/science/notes",
        "the paper_map says",
        "import fepteach._agent_numba as fast",
        "from fepteach import _progress",
        "print(inspect.getsource(bss._step))",
    ],
)
def test_the_check_fails_on_a_forbidden_mention(text):
    nb = {"cells": [{"cell_type": "markdown", "source": ["Fine text.\n", text + "\n"]}]}
    assert learner_text_problems(nb), f"the check missed {text!r}"


@pytest.mark.parametrize(
    "text",
    [
        "the activity equation [(N1)](00_notation_and_equations.ipynb#eq-activity)",
        "P2, Fig. 3 shows the term-by-term match",
        "O(ln t) terms and O(1/a) corrections",
        "from fepteach import bss, reverse",
        "SPECIAL cases and special ones",
        "print(inspect.getsource(bss.bss_step_unchecked)); obj.__class__; x_1._",
    ],
)
def test_the_check_passes_ordinary_text(text):
    nb = {"cells": [{"cell_type": "markdown", "source": [text]}]}
    assert learner_text_problems(nb) == []
