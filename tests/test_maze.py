"""Maze construction, kinematics and observation (SPEC §8.2–8.4; oracles O30–O32)."""

import numpy as np
import pytest

from fepteach import maze as mz


def test_O30_maze_invariants():
    rng = np.random.default_rng(30)
    rr, cc = np.meshgrid(np.arange(2, 17, 2), np.arange(2, 97, 2), indexing="ij")
    for _ in range(100):
        m = mz.make_maze(rng)
        assert m.shape == (19, 99)
        assert int(m.sum()) == 999 and int((m == 0).sum()) == 882
        assert m[0].all() and m[-1].all()
        assert m[np.arange(19) != 9, 98].all() and m[:, 0].all()
        assert m[9, 98] == 0  # goal opening (MATLAB (10, 99))
        assert not m[1::2, 1::2].any()  # every room (even-even 1-based) is free
        assert m[rr, cc].all()  # pillars
        # every pillar has at least one extended neighbour
        nb = m[rr - 1, cc] + m[rr + 1, cc] + m[rr, cc - 1] + m[rr, cc + 1]
        assert (nb >= 1).all()


def test_O31_goal_reachable():
    rng = np.random.default_rng(31)
    lengths = [mz.shortest_path_length(mz.make_maze(rng)) for _ in range(200)]
    assert min(lengths) > 0  # reachable in 200/200 mazes
    assert 60 <= np.mean(lengths) <= 100  # SPEC: 80.7 +- 7.1 moves


def test_make_maze_is_deterministic_and_validates():
    a = mz.make_maze(np.random.default_rng(1))
    b = mz.make_maze(np.random.default_rng(1))
    assert np.array_equal(a, b)
    with pytest.raises(ValueError, match="rng"):
        mz.make_maze(1)
    with pytest.raises(ValueError, match="odd"):
        mz.make_maze(np.random.default_rng(0), ny=18)
    with pytest.raises(ValueError, match=">= 7"):
        mz.make_maze(np.random.default_rng(0), nx=5)
    for ny in (9, 13, 17):  # the middle row (start and goal) would be a pillar row
        with pytest.raises(ValueError, match="multiple of 4"):
            mz.make_maze(np.random.default_rng(0), ny=ny)
    small = mz.make_maze(np.random.default_rng(0), ny=7, nx=11)
    assert small.shape == (7, 11) and small[3, 10] == 0


def test_O32_observation_at_start_and_arrival():
    m = mz.make_maze(np.random.default_rng(32))
    o = mz.observe(m, mz.start_position())
    assert o.shape == (121,)
    win = o.reshape(11, 11, order="F")  # column-major vectorisation
    assert np.array_equal(o, win.ravel(order="F"))
    assert o[60] == 0  # centre pixel, 0-based index 60 (MATLAB 61)
    assert win[:, :4].all()  # window columns 1-4: map columns -3..0 -> padding
    assert np.array_equal(win[:, 4], m[4:15, 0])  # window column 5 = border column 1
    assert np.array_equal(win[:, 4:], m[4:15, 0:7])  # all 11 rows inside the map
    # element (a, b) of the window is Map(r - 5 + a, c - 5 + b): check one off-centre pixel
    r, c = 5, 11
    o2 = mz.observe(m, (r, c)).reshape(11, 11, order="F")
    assert np.array_equal(o2, m[r - 5 : r + 6, c - 5 : c + 6])
    # arrival step: the view is centred on the unclipped column (MATLAB 100)
    oa = mz.observe(m, mz.arrival_position()).reshape(11, 11, order="F")
    assert oa[5, 5] == 1  # centre pixel is padding
    assert oa[:, 5:].all()  # window columns 6-11 are padding
    assert np.array_equal(oa[:, :5], m[4:15, 94:99])  # map columns 95-99 fill window columns 1-5


def test_kinematics_two_cells_blocked_and_final_step():
    m = np.zeros((19, 99), dtype=np.int8)
    m[0] = m[-1] = 1
    m[:, 0] = m[:, -1] = 1
    m[9, 98] = 0
    assert mz.move(m, (9, 1), mz.RIGHT) == (9, 3)  # two cells
    assert mz.move(m, (9, 1), mz.LEFT) == (9, 1)  # blocked by the border
    assert mz.move(m, (1, 5), mz.UP) == (1, 5)
    assert mz.move(m, (9, 5), mz.DOWN) == (11, 5)
    m[9, 4] = 1
    assert mz.move(m, (9, 3), mz.RIGHT) == (9, 3)  # adjacent wall blocks
    assert mz.move(m, (9, 97), mz.RIGHT) == (9, 98)  # final one-cell move into the goal (clipped)
    assert mz.move(m, (7, 97), mz.RIGHT) == (7, 97)
    assert mz.move(m, (9, 5), -1) == (9, 5)
    assert mz.step_risk(5, 7) == 0.0 and mz.step_risk(7, 5) == 1.0 and mz.step_risk(5, 5) == 0.5


def test_rooms_and_positions():
    r = mz.rooms()
    assert r.shape == (441, 2)
    assert mz.start_position() == (9, 1) and mz.goal_position() == (9, 98)
