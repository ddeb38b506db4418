"""``fepteach maze run|plot`` command line."""

import numpy as np
import pytest

from fepteach import experiment as ex
from fepteach.cli import main


def test_maze_run_and_plot(tmp_path, capsys):
    out = tmp_path / "run"
    rc = main(["maze", "run", "--prior", "0.25", "--agents", "2", "--trials", "3", "--seed", "4", "--steps", "300",
               "--ny", "7", "--nx", "15", "--workers", "1", "--out", str(out)])
    assert rc == 0
    text = capsys.readouterr().out
    assert "Saved 2 agent(s) x 3 trial(s)" in text and "median" in text
    res = ex.MazeResults.load(out)
    assert res.durations.shape == (3, 2) and res.config.prior == 0.25 and res.config.seed == 4
    rows = (out / "durations.csv").read_text().strip().splitlines()
    assert len(rows) == 3 and all(len(r.split(",")) == 2 for r in rows)
    # the same command again resumes (nothing left to do) and gives the same numbers
    assert main(["maze", "run", "--prior", "0.25", "--agents", "2", "--trials", "3", "--seed", "4", "--steps", "300",
                 "--ny", "7", "--nx", "15", "--workers", "1", "--out", str(out)]) == 0
    assert np.array_equal(ex.MazeResults.load(out).durations, res.durations)
    capsys.readouterr()
    assert main(["maze", "plot", str(out)]) == 0
    assert (out / "learning_curves.png").stat().st_size > 1000
    assert main(["maze", "plot", str(out), "--save", str(tmp_path / "c.png")]) == 0
    assert (tmp_path / "c.png").is_file()


def test_maze_run_paper_protocol_reduced(tmp_path, capsys):
    out = tmp_path / "paper"
    rc = main(["maze", "run", "--protocol", "paper", "--prior", "0.35", "--trials", "1", "--steps", "200",
               "--workers", "2", "--out", str(out)])
    assert rc == 0
    res = ex.MazeResults.load(out)
    assert res.durations.shape == (1, 30) and res.estimated_prior is not None
    assert main(["maze", "plot", str(out)]) == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--prior", "0.6"], "prior must lie strictly between 0 and 0.5"),
        (["--prior", "abc"], "prior must be a number"),
        (["--prior", "0.25", "--agents", "0"], "agents must be at least 1"),
        (["--prior", "0.25", "--trials", "0"], "trials must be at least 1"),
        (["--prior", "0.25", "--seed", "-1"], "seed must be >= 0"),
    ],
)
def test_maze_run_rejects_bad_arguments(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exc:
        main(["maze", "run", *args, "--out", str(tmp_path / "x")])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--ny", "18"], "ny must be odd"),
        (["--nx", "5"], "nx must be >= 7"),
        (["--ny", "3"], "ny must be >= 7"),
        (["--ny", "9"], "ny must be 3 more than a multiple of 4"),
    ],
)
def test_maze_run_rejects_bad_sizes(tmp_path, capsys, args, message):
    assert main(["maze", "run", "--prior", "0.25", *args, "--out", str(tmp_path / "x")]) == 2
    assert message in capsys.readouterr().err


def test_maze_run_rejects_unwritable_folder(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    assert main(["maze", "run", "--prior", "0.25", "--out", str(blocker / "out")]) == 2
    assert "cannot be written" in capsys.readouterr().err


def test_maze_plot_rejects_a_folder_without_results(tmp_path, capsys):
    assert main(["maze", "plot", str(tmp_path)]) == 2
    assert "does not hold maze results" in capsys.readouterr().err


def test_maze_run_precision_flag(tmp_path, capsys):
    out = tmp_path / "f32"
    assert main(["maze", "run", "--prior", "0.25", "--agents", "1", "--trials", "2", "--steps", "300", "--ny", "7",
                 "--nx", "15", "--workers", "1", "--precision", "float32", "--out", str(out)]) == 0
    assert ex.MazeResults.load(out).config.precision == "float32"
    with pytest.raises(SystemExit) as exc:
        main(["maze", "run", "--prior", "0.25", "--precision", "float16", "--out", str(tmp_path / "x")])
    assert exc.value.code == 2 and "invalid choice: 'float16'" in capsys.readouterr().err
