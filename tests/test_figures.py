"""``fepteach figures``: every figure a lesson shows is exported as PNG and SVG with its caption."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fepteach import figures
from fepteach.cli import main

ROOT = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _small_figure():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [1, 0])
    return fig


def _assert_valid_pair(folder: Path, record: dict) -> None:
    assert (folder / record["png"]).read_bytes()[:8] == PNG_MAGIC
    assert ET.parse(folder / record["svg"]).getroot().tag.endswith("svg")


def test_save_figure_writes_png_and_svg(tmp_path):
    record = figures.save_figure(_small_figure(), "A caption.", "An alt text.", tmp_path / "out", 3)
    assert record == {"index": 3, "png": "figure-03.png", "svg": "figure-03.svg", "caption": "A caption.", "alt": "An alt text."}
    _assert_valid_pair(tmp_path / "out", record)


def test_hook_saves_each_shown_figure_in_order(tmp_path, monkeypatch):
    from fepteach.plots import style

    monkeypatch.setattr(style, "show_figure", style.show_figure)  # restored after the test
    figures.install_hook(tmp_path)
    style.show_figure(_small_figure(), "first caption", "first alt")
    style.show_figure(_small_figure(), "second caption", "second alt")
    records = json.loads((tmp_path / figures.RECORD).read_text())
    assert [(r["index"], r["caption"], r["alt"]) for r in records] == [(1, "first caption", "first alt"), (2, "second caption", "second alt")]
    for r in records:
        _assert_valid_pair(tmp_path, r)


def test_figures_markdown_lists_caption_alt_and_files():
    text = figures.figures_markdown([{"index": 1, "png": "figure-01.png", "svg": "figure-01.svg", "caption": "Cap.", "alt": "Alt."}], "x.ipynb")
    assert "![Alt.](figure-01.png)" in text and "**Caption.** Cap." in text and "`figure-01.svg`" in text


def test_resolve_lesson_by_number_prefix_and_path(tmp_path):
    lessons = [tmp_path / "01_a.ipynb", tmp_path / "02_b.ipynb"]
    assert figures.resolve_lesson("2", lessons) == lessons[1]
    assert figures.resolve_lesson("01_a", lessons) == lessons[0]
    with pytest.raises(ValueError, match="no single lesson"):
        figures.resolve_lesson("9", lessons)


def _first_lesson_with_figures() -> Path:
    for path in sorted((ROOT / "lessons").glob("*.ipynb")):
        if "show_figure(" in path.read_text():
            return path
    pytest.fail("no lesson shows a figure through show_figure")


@pytest.mark.slow
def test_cli_exports_every_figure_of_a_lesson(tmp_path, capsys):
    lesson = _first_lesson_with_figures()
    out = tmp_path / "slides"
    assert main(["figures", str(lesson), "--out", str(out)]) == 0
    assert "Exported" in capsys.readouterr().out
    records = json.loads((out / figures.RECORD).read_text())
    call_sites = lesson.read_text().count("show_figure(")  # each runs at least once (some in loops)
    assert len(records) >= call_sites >= 1 and [r["index"] for r in records] == list(range(1, len(records) + 1))
    page = (out / "figures.md").read_text()
    for r in records:
        assert r["caption"].strip() and r["alt"].strip()
        assert r["caption"] in page
        _assert_valid_pair(out, r)
