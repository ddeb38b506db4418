"""Export every figure of a lesson, with its caption, as PNG and SVG (for lecturers' slides).

    fepteach figures lessons/04_blind_source_separation.ipynb --out slides/04

The lesson is executed in a fresh kernel on a temporary copy, with a first cell that wraps
:func:`fepteach.plots.style.show_figure` so that each figure the lesson shows is also saved
(``figure-01.png``, ``figure-01.svg``, ...). ``figures.md`` lists each figure with its caption and
alt text; ``figures.json`` holds the same for scripts.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

RECORD = "figures.json"


def save_figure(fig, caption: str, alt: str, out_dir: Path, index: int) -> dict:
    """Save one matplotlib figure as PNG (150 dpi) and SVG and return its record.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (left open; the caller closes it).
    caption, alt : str
        The caption and alt text the lesson gives it.
    out_dir : Path
        Destination folder (created when missing).
    index : int
        1-based number of the figure in the lesson.

    Returns
    -------
    dict
        ``{"index", "png", "svg", "caption", "alt"}`` with file names relative to ``out_dir``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"figure-{index:02d}"
    fig.savefig(out_dir / f"{stem}.png", format="png", dpi=150, bbox_inches="tight")
    fig.savefig(out_dir / f"{stem}.svg", format="svg", bbox_inches="tight")
    return {"index": index, "png": f"{stem}.png", "svg": f"{stem}.svg", "caption": caption, "alt": alt}


def install_hook(out_dir: str | Path) -> None:
    """Wrap ``fepteach.plots.style.show_figure`` in this process so that each shown figure is also saved.

    Run before the lesson imports ``show_figure`` (the exporter makes it the notebook's first cell).
    Records accumulate in ``out_dir/figures.json``.
    """
    from .plots import style

    original = style.show_figure
    out = Path(out_dir)
    records: list[dict] = []

    def show_figure(fig, caption: str, alt: str) -> None:
        records.append(save_figure(fig, caption, alt, out, len(records) + 1))
        (out / RECORD).write_text(json.dumps(records, indent=1))
        original(fig, caption, alt)

    show_figure.__doc__ = original.__doc__
    style.show_figure = show_figure


def figures_markdown(records: list[dict], lesson: str) -> str:
    """The index page of an export: each figure with its caption and alt text."""
    lines = [f"# Figures of {lesson}", ""]
    for r in records:
        lines += [f"## Figure {r['index']}", "", f"![{r['alt']}]({r['png']})", "",
                  f"**Caption.** {r['caption']}", "", f"**Alt text.** {r['alt']}", "",
                  f"Files: `{r['png']}`, `{r['svg']}`", ""]
    return "\n".join(lines)


def export_figures(lesson: Path, out_dir: Path, timeout: float = 1800) -> list[dict]:
    """Execute ``lesson`` with the export hook and write its figures (PNG, SVG) and ``figures.md`` into ``out_dir``.

    Raises
    ------
    RuntimeError
        When a cell of the lesson raises.
    """
    import nbformat
    from nbclient import NotebookClient

    from fepteach._headless import AsyncIPCKernelManager
    from nbclient.exceptions import CellExecutionError

    lesson, out_dir = Path(lesson).resolve(), Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in [*out_dir.glob("figure-*.png"), *out_dir.glob("figure-*.svg"), out_dir / RECORD]:
        old.unlink(missing_ok=True)
    nb = nbformat.read(lesson, as_version=4)
    hook = f"from fepteach.figures import install_hook\ninstall_hook({str(out_dir)!r})"
    nb.cells.insert(0, nbformat.v4.new_code_cell(hook))
    with tempfile.TemporaryDirectory(prefix="fepteach-figures-") as tmp:
        shutil.copy2(lesson, Path(tmp) / lesson.name)
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", kernel_manager_class=AsyncIPCKernelManager,
                                resources={"metadata": {"path": tmp}},
                                extra_arguments=["--IPKernelApp.log_level=ERROR"])
        try:
            client.execute()
        except CellExecutionError as exc:
            raise RuntimeError(f"{lesson.name} failed to execute:\n{exc}") from None
    records = json.loads((out_dir / RECORD).read_text()) if (out_dir / RECORD).exists() else []
    (out_dir / "figures.md").write_text(figures_markdown(records, lesson.name))
    return records


def resolve_lesson(name: str, lessons: list[Path]) -> Path:
    """A lesson from a path, a number (``"4"``, ``"04"``) or a file-name prefix, among ``lessons``."""
    p = Path(name)
    if p.suffix == ".ipynb" and p.exists():
        return p
    key = name.zfill(2) if name.isdigit() else name
    matches = [q for q in lessons if q.name.startswith(key) or q.stem == name]
    if len(matches) != 1:
        known = ", ".join(q.name for q in lessons)
        raise ValueError(f"no single lesson matches {name!r} (lessons: {known})")
    return matches[0]
