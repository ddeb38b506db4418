"""Exercises of Lesson 07 (the maze agent of P2: observation, kinematics, step risk, decision prior; SPEC §8).

Coordinates are 0-based ``(row, column)``; maps are ``(19, 99)`` arrays with 1 = wall (SPEC §8.2).
Actions: 0 = up, 1 = down, 2 = left, 3 = right.
"""

from __future__ import annotations

import numpy as np

from .. import maze as mz
from .core import AnswerProblem, Exercise, Property, register, result_array

_MAZE_CACHE: dict[int, np.ndarray] = {}


def _maze(rng) -> np.ndarray:
    """One of a few fixed random mazes (generation is cheap, but cache anyway)."""
    k = int(rng.integers(4))
    if k not in _MAZE_CACHE:
        _MAZE_CACHE[k] = mz.make_maze(np.random.default_rng(1000 + k))
    return _MAZE_CACHE[k]


def _room(rng, maze) -> tuple[int, int]:
    ny, nx = maze.shape
    return int(rng.integers(0, ny // 2)) * 2 + 1, int(rng.integers(0, nx // 2)) * 2 + 1


# ---------------------------------------------------------------------------
# L07.observation — the 11 x 11 view, padded with walls, column-major (SPEC §8.4)
# ---------------------------------------------------------------------------
def observation_reference(maze, pos):
    """o (121,): the 11 x 11 window of ``maze`` centred on ``pos`` = (row, column), 1 outside the map,
    flattened column by column: o[11 * b + a] = window[a, b]."""
    r, c = pos
    padded = np.pad(maze, 6, constant_values=1)
    window = padded[r + 1 : r + 12, c + 1 : c + 12]
    return window.ravel(order="F").astype(float)


def _obs(ans, maze, pos):
    return result_array(ans(maze, pos), (121,), "o")


def _ob_centre(ans, rng):
    maze = _maze(rng)
    for _ in range(5):
        pos = _room(rng, maze)
        o = _obs(ans, maze, pos)
        if o[60] != 0:
            return "the centre pixel o[60] is the agent's own (free) cell and should be 0: is the window centred on pos?"


def _ob_padding(ans, rng):
    maze = _maze(rng)
    o = _obs(ans, maze, mz.start_position())
    w = o.reshape(11, 11, order="F")
    if not np.all(w[:, :4] == 1):
        if np.all(o[:44] == 0) or np.all(w[:, :4] == 0):
            return "at the start the four window columns left of the map should be wall (1): pad the map with 1, not 0"
        return "at the start (row 9, column 1) the window's four left columns lie outside the map and should all be 1"


def _ob_column_major(ans, rng):
    maze = _maze(rng)
    pos = _room(rng, maze)
    o = _obs(ans, maze, pos)
    ref = observation_reference(maze, pos)
    if not np.array_equal(o, ref) and np.array_equal(o, ref.reshape(11, 11, order="F").ravel()):
        return "you flattened the window row by row; flatten it column by column (o[11*b + a] = window[a, b], order='F')"


def _ob_matches(ans, rng):
    maze = _maze(rng)
    positions = [_room(rng, maze) for _ in range(6)] + [(1, 1), (17, 97), mz.arrival_position()]
    for pos in positions:
        o = _obs(ans, maze, pos)
        ref = observation_reference(maze, pos)
        if not np.array_equal(o, ref):
            if np.array_equal(o.reshape(11, 11, order="F"), ref.reshape(11, 11, order="F").T):
                return "the window looks transposed: rows of the window are map rows (a), columns are map columns (b)"
            if pos == mz.arrival_position():
                return "at column 99 (just beyond the map, the arrival view) the window must still work: pad enough on every side"
            return f"differs from the map's 11 x 11 window at position {pos}: check the window's offsets (r - 5 .. r + 5)"


register(
    Exercise(
        id="L07.observation",
        title="the agent's 11 x 11 observation",
        reference=observation_reference,
        properties=(
            Property("the centre pixel is the agent's free cell", 1, _ob_centre),
            Property("outside the map is wall (padding 1)", 1, _ob_padding),
            Property("column-major flattening", 1, _ob_column_major),
            Property("equals the map window everywhere, including borders and the arrival view", 2, _ob_matches),
        ),
        hints=(
            "Surround the map with a frame of walls wide enough for any window (np.pad with constant_values=1), cut out "
            "the 11 x 11 block whose centre is the agent, and flatten it column by column.",
            "padded = np.pad(maze, 6, constant_values=1); window = padded[r + 1 : r + 12, c + 1 : c + 12]; "
            "return window.ravel(order='F').astype(float)",
        ),
        wrong_answers=(
            ("row-major", lambda maze, pos: observation_reference(maze, pos).reshape(11, 11, order="F").ravel()),
            ("padding 0", lambda maze, pos: np.pad(maze, 6)[pos[0] + 1 : pos[0] + 12, pos[1] + 1 : pos[1] + 12].ravel(order="F").astype(float)),
            ("window off by one", lambda maze, pos: np.pad(maze, 6, constant_values=1)[pos[0] : pos[0] + 11, pos[1] : pos[1] + 11].ravel(order="F").astype(float)),
        ),
    )
)


# ---------------------------------------------------------------------------
# L07.move — two cells, blocked by an adjacent wall, clipped at the goal (SPEC §8.3)
# ---------------------------------------------------------------------------
_DIRS = ((-1, 0), (1, 0), (0, -1), (0, 1))


def move_reference(maze, pos, action):
    """New (row, column) after ``action`` (0 up, 1 down, 2 left, 3 right) from ``pos``: two cells if the adjacent
    cell in that direction is free, else stay; the column is then clipped to the last map column."""
    r, c = pos
    dr, dc = _DIRS[action]
    if maze[r + dr, c + dc] == 0:
        r, c = r + 2 * dr, c + 2 * dc
    return (r, min(c, maze.shape[1] - 1))


def _pos(out):
    arr = result_array(out, (2,), "the new position")
    if not np.all(arr == np.round(arr)):
        raise AnswerProblem("the new position should hold whole numbers (row, column)")
    return (int(arr[0]), int(arr[1]))


def _cases(maze, free: bool):
    """(room, action) pairs whose adjacent cell is free (``free``) or a wall, excluding the goal move."""
    ny, nx = maze.shape
    out = []
    for r in range(1, ny - 1, 2):
        for c in range(1, nx - 1, 2):
            for a, (dr, dc) in enumerate(_DIRS):
                if (maze[r + dr, c + dc] == 0) == free and c + 2 * dc <= nx - 2:
                    out.append(((r, c), a))
    return out


def _mv_free(ans, rng):
    maze = _maze(rng)
    cases = _cases(maze, free=True)
    for i in rng.choice(len(cases), 12, replace=False):
        pos, a = cases[i]
        got, want = _pos(ans(maze, pos, a)), move_reference(maze, pos, a)
        if got != want:
            if got == (pos[0] + _DIRS[a][0], pos[1] + _DIRS[a][1]):
                return "a move goes two cells (room to room), not one"
            if got == pos:
                return f"a free move was refused: the agent should move when the adjacent cell in direction {mz.ACTION_NAMES[a]} is free"
            return f"action {a} ({mz.ACTION_NAMES[a]}) went the wrong way: up decreases the row, right increases the column"


def _mv_blocked(ans, rng):
    maze = _maze(rng)
    cases = _cases(maze, free=False)
    for i in rng.choice(len(cases), 12, replace=False):
        pos, a = cases[i]
        got = _pos(ans(maze, pos, a))
        if got != pos:
            return ("the agent moved although the adjacent cell is a wall: test the cell next to the agent, "
                    "not the cell two steps away")


def _mv_goal(ans, rng):
    maze = _maze(rng)
    gr, gc = mz.goal_position()
    got = _pos(ans(maze, (gr, gc - 1), mz.RIGHT))
    if got != (gr, gc):
        if got == (gr, gc + 1):
            return "the last move through the opening leaves the map: clip the column to the last map column"
        return "from the room left of the opening, 'right' should end on the goal (one cell: the column is clipped)"


register(
    Exercise(
        id="L07.move",
        title="the agent's moves",
        reference=move_reference,
        properties=(
            Property("free moves go two cells in the right direction", 2, _mv_free),
            Property("a wall next to the agent blocks the move", 1, _mv_blocked),
            Property("the last move into the goal is clipped to one cell", 1, _mv_goal),
        ),
        hints=(
            "Look at the cell right next to the agent in the chosen direction. If it is free (0), jump two cells; "
            "otherwise stay. Finally make sure the column never exceeds the last map column.",
            "dr, dc = [(-1, 0), (1, 0), (0, -1), (0, 1)][action]; if maze[r + dr, c + dc] == 0: r, c = r + 2*dr, c + 2*dc; "
            "return (r, min(c, maze.shape[1] - 1))",
        ),
        wrong_answers=(
            ("tests the destination cell", lambda maze, pos, a: (
                (pos[0] + 2 * _DIRS[a][0], min(pos[1] + 2 * _DIRS[a][1], maze.shape[1] - 1))
                if np.pad(maze, 2, constant_values=1)[pos[0] + 2 + 2 * _DIRS[a][0], pos[1] + 2 + 2 * _DIRS[a][1]] == 0 else tuple(pos))),
            ("one cell per move", lambda maze, pos, a: (
                (pos[0] + _DIRS[a][0], pos[1] + _DIRS[a][1]) if maze[pos[0] + _DIRS[a][0], pos[1] + _DIRS[a][1]] == 0 else tuple(pos))),
            ("no clipping", lambda maze, pos, a: (
                (pos[0] + 2 * _DIRS[a][0], pos[1] + 2 * _DIRS[a][1]) if maze[pos[0] + _DIRS[a][0], pos[1] + _DIRS[a][1]] == 0 else tuple(pos))),
        ),
    )
)


# ---------------------------------------------------------------------------
# L07.step_risks — G_t from a trajectory (SPEC §8.6 step 6, §8.8)
# ---------------------------------------------------------------------------
def step_risks_reference(positions):
    """G (n,) from positions (n, 2) (row t - 1 holds p_t): G_1 = 0; G_t = 0 if the column increased from
    t - 1 to t, 1 if it decreased, 0.5 otherwise."""
    positions = np.asarray(positions)
    dc = np.diff(positions[:, 1])
    G = np.where(dc > 0, 0.0, np.where(dc < 0, 1.0, 0.5))
    return np.concatenate([[0.0], G])


def _walk(rng, n=None):
    n = int(rng.integers(30, 120)) if n is None else n
    maze = _maze(rng)
    pos = mz.start_position()
    out = [pos, pos]  # t = 1 and the no-op step t = 2
    for _ in range(n - 2):
        pos = mz.move(maze, pos, int(rng.integers(4)))
        out.append(pos)
    return np.array(out)


def _sr_shape(ans, rng):
    p = _walk(rng)
    out = ans(p)
    if np.shape(out) == (p.shape[0] - 1,):
        return "G has one entry per time step, including G_1 = 0 for t = 1 (the trajectory's first row)"
    result_array(out, (p.shape[0],), "G")


def _sr_first(ans, rng):
    p = _walk(rng)
    G = result_array(ans(p), (p.shape[0],), "G")
    if G[0] != 0:
        return "G_1 is 0 by convention (the initial record counts as a fictitious right move)"
    if G[1] != 0.5:
        return "at t = 2 the agent has not moved (no decision yet): a step without column change has risk 0.5"


def _sr_values(ans, rng):
    for _ in range(3):
        p = _walk(rng)
        G = result_array(ans(p), (p.shape[0],), "G")
        ref = step_risks_reference(p)
        if not np.array_equal(G, ref):
            if np.array_equal(G[1:], 1 - ref[1:]):
                return "left and right are swapped: a step that increases the column (towards the goal) has risk 0"
            if np.any((ref == 0.5) & (G != 0.5)):
                return "vertical and blocked moves do not change the column: their risk is 0.5"
            return "G_t should be 0 when the column increased from t - 1 to t, 1 when it decreased, 0.5 otherwise"


register(
    Exercise(
        id="L07.step_risks",
        title="the per-step risk G",
        reference=step_risks_reference,
        properties=(
            Property("one value per time step", 1, _sr_shape),
            Property("G_1 = 0 and the no-op step t = 2", 1, _sr_first),
            Property("0 / 1 / 0.5 for right / left / other steps", 2, _sr_values),
        ),
        hints=(
            "Compare each column with the column one step earlier (np.diff of positions[:, 1]) and map increase / decrease / "
            "no change to 0 / 1 / 0.5; then put G_1 = 0 in front.",
            "dc = np.diff(positions[:, 1]); G = np.where(dc > 0, 0.0, np.where(dc < 0, 1.0, 0.5)); "
            "return np.concatenate([[0.0], G])",
        ),
        wrong_answers=(
            ("swapped", lambda p: np.concatenate([[0.0], 1 - step_risks_reference(p)[1:]])),
            ("G_1 = 0.5", lambda p: np.concatenate([[0.5], step_risks_reference(p)[1:]])),
            ("vertical = 1", lambda p: np.where(
                np.concatenate([[False], np.diff(np.asarray(p)[:, 0]) != 0]), 1.0, step_risks_reference(p))),
        ),
    )
)


# ---------------------------------------------------------------------------
# L07.estimated_prior — the prior of the new agents (SPEC §8.11 item 3)
# ---------------------------------------------------------------------------
def estimated_prior_reference(e_hats):
    """Stacked prior (512,) from trial-1 decision-frequency estimates ``e_hats`` (n_agents, 256):
    E_ON = mean over agents (NOT renormalised), E_OFF = 1 - E_ON."""
    e_on = np.mean(np.asarray(e_hats, dtype=float), axis=0)
    return np.concatenate([e_on, 1.0 - e_on])


def _ep_case(rng):
    n = int(rng.integers(3, 8))
    sums = rng.uniform(0.3, 1.0, n)  # trials that reached the goal sum to less than 1
    return rng.dirichlet(np.ones(256), size=n) * sums[:, None]


def _ep_shape(ans, rng):
    e = _ep_case(rng)
    out = ans(e)
    if np.shape(out) == (256,):
        return "return the stacked prior: the ON half (256 values) followed by the OFF half"
    if np.shape(out) == (2 * e.shape[0],) or np.shape(out)[:1] == (2 * e.shape[0],):
        return "you averaged over decisions; average over agents (axis 0)"
    result_array(out, (512,), "E")


def _ep_halves(ans, rng):
    e = _ep_case(rng)
    E = result_array(ans(e), (512,), "E")
    if not np.allclose(E[:256] + E[256:], 1, atol=1e-12):
        return "each decision's OFF value is 1 minus its ON value"


def _ep_not_renormalised(ans, rng):
    e = _ep_case(rng)
    E = result_array(ans(e), (512,), "E")
    if abs(E[:256].sum() - e.sum(axis=1).mean()) > 1e-9:
        if abs(E[:256].sum() - 1) < 1e-9:
            return "the ON half was renormalised to sum 1; P2's protocol keeps the plain mean of the estimates"
        return "the ON half should be the mean of the agents' estimates: its sum is the mean of their sums"


def _ep_matches(ans, rng):
    e = _ep_case(rng)
    E = result_array(ans(e), (512,), "E")
    if not np.allclose(E, estimated_prior_reference(e), atol=1e-12):
        return "E_ON should be the mean over agents of e_hats for every decision, E_OFF = 1 - E_ON"


register(
    Exercise(
        id="L07.estimated_prior",
        title="the prior of the agents built from the estimate",
        reference=estimated_prior_reference,
        properties=(
            Property("stacked (ON, OFF) vector of 512", 1, _ep_shape),
            Property("OFF = 1 - ON", 1, _ep_halves),
            Property("not renormalised", 1, _ep_not_renormalised),
            Property("mean over agents", 1, _ep_matches),
        ),
        hints=(
            "Average the estimates over agents (rows), keep the result as it is, and stack it with its complement.",
            "e_on = np.mean(e_hats, axis=0); return np.concatenate([e_on, 1 - e_on])",
        ),
        wrong_answers=(
            ("renormalised", lambda e: estimated_prior_reference(np.asarray(e) / np.asarray(e).sum(axis=1, keepdims=True))),
            ("ON half only", lambda e: np.mean(e, axis=0)),
            ("OFF = ON", lambda e: np.concatenate([np.mean(e, axis=0)] * 2)),
        ),
    )
)


# ---------------------------------------------------------------------------
# L07.decision_map — where the 4-step sequences lead (SPEC §8.7)
# ---------------------------------------------------------------------------
def decision_map_reference(pi):
    """(11, 11) map from selection probabilities pi (256,): decision l = 64 k1 + 16 k2 + 4 k3 + k4 (actions
    0 up, 1 down, 2 left, 3 right) moves by dr = #down - #up, dc = #right - #left cells; cell (5 + dr, 5 + dc)
    holds the max of pi over the sequences ending there, shown as min(32 * value, 1)."""
    pi = np.asarray(pi, dtype=float)
    out = np.zeros((11, 11))
    for l in range(256):
        ks = [(l // 64) % 4, (l // 16) % 4, (l // 4) % 4, l % 4]
        dr = ks.count(1) - ks.count(0)
        dc = ks.count(3) - ks.count(2)
        out[5 + dr, 5 + dc] = max(out[5 + dr, 5 + dc], pi[l])
    return np.minimum(32 * out, 1.0)


def _dm_shape(ans, rng):
    result_array(ans(rng.dirichlet(np.ones(256))), (11, 11), "the decision map")


def _dm_one_sequence(ans, rng):
    for l, cell, name in ((255, (5, 9), "right-right-right-right"), (0, (1, 5), "up-up-up-up"), (64 + 16 * 3 + 4 * 2 + 0, (5, 5), "down-right-left-up")):
        pi = np.zeros(256)
        pi[l] = 1.0
        m = result_array(ans(pi), (11, 11), "the decision map")
        if m[cell] > 1 and np.count_nonzero(m) == 1:
            return "a sequence with probability 1 should show as 1 on the map: the display scale is capped, min(32 * value, 1)"
        if m[cell] != 1 or np.count_nonzero(m) != 1:
            if name.startswith("up") and m[9, 5] == 1:
                return "up decreases the row: 'up-up-up-up' ends 4 rows above the centre"
            if m[cell[1], cell[0]] == 1:
                return "rows and columns are swapped: vertical moves change the row (first index)"
            return f"the only sequence with probability 1, {name} (l = {l}), should light up the single cell where it ends"


def _dm_max(ans, rng):
    m = result_array(ans(np.full(256, 1 / 256)), (11, 11), "the decision map")
    ref = decision_map_reference(np.full(256, 1 / 256))
    if not np.allclose(m, ref, atol=1e-12):
        if m[5, 5] > ref[5, 5] + 1e-9:
            return "a cell shows the MAX of pi over the sequences ending there, not their sum"
        return "with equal probabilities every reachable cell should show 32 / 256"


def _dm_matches(ans, rng):
    pi = rng.dirichlet(np.full(256, 0.3))
    m = result_array(ans(pi), (11, 11), "the decision map")
    if not np.allclose(m, decision_map_reference(pi), atol=1e-12):
        if np.allclose(m, decision_map_reference(pi) / 32, atol=1e-9) or np.max(m) < 0.2:
            return "the display scale is min(32 * value, 1)"
        if np.max(m) > 1 + 1e-12:
            return "some cells exceed 1: the display scale is capped, min(32 * value, 1)"
        return "differs from the decision map of Lesson 07: the decoding of l, the directions, the max and the scale all matter"


register(
    Exercise(
        id="L07.decision_map",
        title="the decision map",
        reference=decision_map_reference,
        properties=(
            Property("an 11 x 11 map", 1, _dm_shape),
            Property("a single sequence lights up where it ends", 1, _dm_one_sequence),
            Property("max, not sum, over sequences", 1, _dm_max),
            Property("agrees with the decision map of Lesson 07, scale included", 1, _dm_matches),
        ),
        hints=(
            "Decode l into its four actions (base-4 digits: l // 64, (l // 16) % 4, (l // 4) % 4, l % 4), add up the "
            "displacement of the four moves in single cells, and keep the largest pi per end cell; scale at the end.",
            "ks = [(l // 64) % 4, (l // 16) % 4, (l // 4) % 4, l % 4]; dr = ks.count(1) - ks.count(0); "
            "dc = ks.count(3) - ks.count(2); out[5 + dr, 5 + dc] = max(out[5 + dr, 5 + dc], pi[l]); "
            "return np.minimum(32 * out, 1)",
        ),
        wrong_answers=(
            ("sum instead of max", lambda pi: np.minimum(32 * _dm_raw(pi, np.add), 1.0)),
            ("up increases the row", lambda pi: decision_map_reference(pi)[::-1].copy()),
            ("rows and columns swapped", lambda pi: decision_map_reference(pi).T.copy()),
            ("no scaling", lambda pi: _dm_raw(pi, np.maximum)),
        ),
    )
)


def _dm_raw(pi, combine):
    """Unscaled map, combining the sequences of a cell with ``combine`` (np.maximum or np.add)."""
    out = np.zeros((11, 11))
    for l in range(256):
        ks = [(l // 64) % 4, (l // 16) % 4, (l // 4) % 4, l % 4]
        r, c = 5 + ks.count(1) - ks.count(0), 5 + ks.count(3) - ks.count(2)
        out[r, c] = combine(out[r, c], pi[l])
    return out


# ---------------------------------------------------------------------------
# L07.first_action_probabilities — untrained agent (SPEC §8.5, eq. 6.1)
# ---------------------------------------------------------------------------
def first_action_probabilities_reference(E_on):
    """(4,) probabilities of a first move up, down, left, right for an untrained agent with decision prior
    E_on (256,): y = E_on, pi_l = r_l / sum r with r_l = y_l / (1 - y_l + 1e-6), summed over blocks of 64."""
    y = np.asarray(E_on, dtype=float)
    r = y / (1 - y + 1e-6)
    pi = r / r.sum()
    return pi.reshape(4, 64).sum(axis=1)


def _fa_case(rng):
    w = rng.dirichlet(np.ones(4))
    return np.repeat(w, 64) / 64 * rng.uniform(0.6, 1.0) * rng.uniform(0.9, 1.1, 256)


def _fa_sums(ans, rng):
    E = _fa_case(rng)
    out = ans(E)
    if np.shape(out) == (256,):
        return "return the 4 first-action probabilities: sum pi over each block of 64 decisions"
    p = result_array(out, (4,), "the first-action probabilities")
    if abs(p.sum() - 1) > 1e-9:
        return "the four probabilities should sum to 1: normalise r over all 256 decisions"


def _fa_uniform(ans, rng):
    p = result_array(ans(np.full(256, 1 / 256)), (4,), "the first-action probabilities")
    if not np.allclose(p, 0.25, atol=1e-12):
        return "with a flat prior every first action should have probability 1/4"


def _fa_matches(ans, rng):
    E = 0.4 * rng.dirichlet(np.ones(256)) + 0.4 / 256  # large entries make the 1 / (1 - y) factor visible
    p = result_array(ans(E), (4,), "the first-action probabilities")
    ref = first_action_probabilities_reference(E)
    if not np.allclose(p, ref, atol=1e-9):
        naive = E.reshape(4, 64).sum(axis=1) / E.sum()
        if np.allclose(p, naive, atol=1e-9):
            return "you normalised E itself; the selection rule uses r = y / (1 - y + 1e-6), which favours large y slightly"
        return "differs from the selection rule (T13) with y = E_on, summed over blocks of 64 (up, down, left, right)"


def _fa_paper(ans, rng):
    e_r = 0.15
    E = np.repeat([0.25, 0.25, 0.5 - e_r, e_r], 64) / 64
    p = result_array(ans(E), (4,), "the first-action probabilities")
    if not np.allclose(p, first_action_probabilities_reference(E), atol=1e-9):
        if np.allclose(p[::-1], first_action_probabilities_reference(E), atol=1e-9):
            return "the block order is up, down, left, right: decisions 0-63 start with up, 192-255 with right"
        return "for the left-biased prior (e_r = 0.15) the result should match the paper's first-action probabilities"


register(
    Exercise(
        id="L07.first_action_probabilities",
        title="first-action probabilities of an untrained agent",
        reference=first_action_probabilities_reference,
        properties=(
            Property("four probabilities summing to 1", 1, _fa_sums),
            Property("flat prior gives 1/4 each", 1, _fa_uniform),
            Property("the selection rule (T13)", 1, _fa_matches),
            Property("the paper's left-biased prior", 1, _fa_paper),
        ),
        hints=(
            "Before learning y = E_on. Apply the selection rule to all 256 decisions, normalise, then add up the "
            "probabilities of each block of 64 consecutive decisions (they share the first action).",
            "r = E_on / (1 - E_on + 1e-6); pi = r / r.sum(); return pi.reshape(4, 64).sum(axis=1)",
        ),
        wrong_answers=(
            ("normalises E", lambda E: np.asarray(E).reshape(4, 64).sum(axis=1) / np.sum(E)),
            ("wrong blocks", lambda E: first_action_probabilities_reference(E)[::-1].copy()),
            ("per decision", lambda E: (np.asarray(E) / (1 - np.asarray(E) + 1e-6)) / np.sum(np.asarray(E) / (1 - np.asarray(E) + 1e-6))),
        ),
    )
)


# ---------------------------------------------------------------------------
# L07.left_bias_failure — why the left-biased agent fails, from its own data (asks: interpret)
# ---------------------------------------------------------------------------
BIAS_MAZE_SEED = 7
BIAS_UNIFORMS_SEED = 2
BIAS_T = 4000
BIAS_E_RIGHT = 0.15  # P2's left-biased condition: prior mass 0.15 on the 64 right decisions (0.0023 each)
BIAS_WHY = {
    "a": "its right moves are cancelled by at least as many left moves, so most chunks make no net progress and are "
         "punished; a punishment weakens every decision of the chunk, its right moves included, so 'right' is not "
         "reinforced more than 'left'",
    "b": "it hardly ever tries to move right, so it never gets anywhere",
    "c": "most of its chunks are rewarded, but the reward is too small to change its policy",
}
_BIAS: dict = {}


def biased_trial(e_right: float = BIAS_E_RIGHT):
    """First trial (BIAS_T steps, fast engine) of an untrained agent with prior ``e_right`` on the exercise maze:
    returns the engine's trial summary (positions, gammas, decisions, ...)."""
    key = float(e_right)
    if key not in _BIAS:
        from .. import agent as ag
        from ..agent_fast import run_trial_fast

        maze = mz.make_maze(np.random.default_rng(BIAS_MAZE_SEED))
        _, summary = run_trial_fast(maze, ag.initial_params(key), ag.draw_uniforms(np.random.default_rng(BIAS_UNIFORMS_SEED), BIAS_T), T=BIAS_T)
        _BIAS[key] = summary
    return _BIAS[key]


def _bias_stats(summary):
    steps = np.diff(np.asarray(summary.positions), axis=0)
    right = float(np.mean(steps[:, 1] > 0))
    punished = float(np.mean(np.isclose(summary.gammas, 0.55)))
    return right, punished


def left_bias_failure_reference():
    right, punished = _bias_stats(biased_trial())
    return {"right_move_fraction": right, "punished_fraction": punished, "why": "a"}


def _lb_parts(ans):
    value = ans.value
    keys = {"right_move_fraction", "punished_fraction", "why"}
    if not isinstance(value, dict) or not keys <= set(value):
        raise AnswerProblem('answer a dict with the keys "right_move_fraction", "punished_fraction" and "why"')
    r = float(result_array(value["right_move_fraction"], (), "right_move_fraction"))
    p = float(result_array(value["punished_fraction"], (), "punished_fraction"))
    return r, p, value["why"]


def _lb_format(ans, rng):
    r, p, why = _lb_parts(ans)
    if not (0 <= r <= 1 and 0 <= p <= 1):
        return "both measurements are fractions, between 0 and 1"
    if not isinstance(why, str) or why.strip().lower() not in BIAS_WHY:
        return f'"why" should be one of the letters {", ".join(BIAS_WHY)}'


def _lb_right(ans, rng):
    r, _, _ = _lb_parts(ans)
    truth, _ = _bias_stats(biased_trial())
    if abs(r - truth) > 0.001:
        steps = np.diff(np.asarray(biased_trial().positions), axis=0)
        if abs(r - float(np.mean(np.any(steps != 0, axis=1)))) < 0.001:
            return "that is the fraction of steps on which it moved at all; count only the steps on which its column increased"
        return "measure it from the positions: the fraction of steps (consecutive positions) on which the column increased"


def _lb_punished(ans, rng):
    _, p, _ = _lb_parts(ans)
    _, truth = _bias_stats(biased_trial())
    if abs(p - truth) > 1e-9:
        if abs(p - 1.0) < 1e-9:
            return "count only the chunks with risk 0.55 (no progress): risk 0.45 is a mild reward, since 1 - 2 x 0.45 > 0"
        return "the fraction of the trial's chunks whose risk is 0.55 (read them from the trial's gammas)"


def _lb_why(ans, rng):
    _, _, why = _lb_parts(ans)
    letter = why.strip().lower() if isinstance(why, str) else ""
    if letter != "a":
        if letter == "b":
            return ("your own measurement says otherwise: it moves right on a fair share of its steps — count its left "
                    "moves too, and look at what that does to each chunk's net progress")
        return "your own measurement says otherwise: most of its chunks are punished, not rewarded"


register(
    Exercise(
        id="L07.left_bias_failure",
        title="why the left-biased agent fails, from its own data",
        reference=left_bias_failure_reference,
        kind="value",
        asks="interpret",
        properties=(
            Property("two fractions and a letter", 1, _lb_format),
            Property("how often it moves right", 1, _lb_right),
            Property("how often it is punished", 1, _lb_punished),
            Property("the explanation that fits the measurements", 2, _lb_why),
        ),
        hints=(
            "trial.positions is (t_end, 2) = (row, column) per step; np.diff along time gives each step's move. "
            "trial.gammas holds one risk per 200-step chunk.",
            "right = np.mean(np.diff(trial.positions, axis=0)[:, 1] > 0); punished = np.mean(np.isclose(trial.gammas, 0.55)). "
            "Then ask what a risk of 0.55 does to every decision of its chunk (Lesson 06).",
        ),
        wrong_answers=(
            ("moves of any kind counted, 0.45 counted as punishment", {"right_move_fraction": 0.4824, "punished_fraction": 1.0, "why": "a"}),
            ("right measurements, 'it never tries right' chosen", {"right_move_fraction": 0.1293, "punished_fraction": 0.75, "why": "b"}),
            ("punishment and reward confused", {"right_move_fraction": 0.1293, "punished_fraction": 0.25, "why": "c"}),
        ),
    )
)


# ---------------------------------------------------------------------------
# L07.prior_predicts_learning — estimate two agents' priors from their first trials and predict which learns
# faster (asks: predict)
# ---------------------------------------------------------------------------
PREDICT_AGENTS = {"A": 0.35, "B": 0.15}  # hidden E_right (mass of the 64 right decisions) of P2 Fig. 4's extreme conditions
PREDICT_TRIALS, PREDICT_T = 4, 4000
_FREQ: dict = {}


def first_trial_frequencies():
    """{"A": e_hats (4, 256), "B": e_hats (4, 256)}: the decision frequencies of four short first trials (untrained,
    PREDICT_T steps each) of each of two agents whose decision priors are hidden."""
    if "f" not in _FREQ:
        from .. import agent as ag
        from ..agent_fast import run_trial_fast

        maze = mz.make_maze(np.random.default_rng(BIAS_MAZE_SEED))
        out = {}
        for name, e_right in PREDICT_AGENTS.items():
            rows = []
            for k in range(PREDICT_TRIALS):
                uniforms = ag.draw_uniforms(np.random.default_rng([100 + k, len(rows), ord(name)]), PREDICT_T)
                _, s = run_trial_fast(maze, ag.initial_params(e_right), uniforms, T=PREDICT_T)
                rows.append(s.e_hat)
            out[name] = np.array(rows)
        _FREQ["f"] = out
    return {k: v.copy() for k, v in _FREQ["f"].items()}


def _e_right_estimate(e_hats):
    from ..agent import estimated_prior

    return float(estimated_prior(e_hats)[192:256].sum())


def prior_predicts_learning_reference():
    f = first_trial_frequencies()
    a, b = _e_right_estimate(f["A"]), _e_right_estimate(f["B"])
    return {"E_right_A": a, "E_right_B": b, "faster": "A" if a > b else "B"}


def _pl_parts(ans):
    value = ans.value
    if not isinstance(value, dict) or not {"E_right_A", "E_right_B", "faster"} <= set(value):
        raise AnswerProblem('answer a dict with the keys "E_right_A", "E_right_B" and "faster"')
    a = float(result_array(value["E_right_A"], (), "E_right_A"))
    b = float(result_array(value["E_right_B"], (), "E_right_B"))
    return a, b, value["faster"]


def _pl_format(ans, rng):
    a, b, faster = _pl_parts(ans)
    if not (0 < a < 0.5 and 0 < b < 0.5):
        return "E_right is the prior weight of the 64 'right' decisions together: a number between 0 and 0.5"
    if not isinstance(faster, str) or faster.strip().upper() not in ("A", "B"):
        return '"faster" should be "A" or "B"'


def _pl_estimates(ans, rng):
    a, b, _ = _pl_parts(ans)
    f = first_trial_frequencies()
    ta, tb = _e_right_estimate(f["A"]), _e_right_estimate(f["B"])
    if abs(a - ta) > 0.05 * ta or abs(b - tb) > 0.05 * tb:
        from ..agent import estimated_prior

        left = [float(estimated_prior(f[k])[128:192].sum()) for k in ("A", "B")]
        if abs(a - left[0]) < 0.05 * left[0]:
            return "that is the weight of the 'left' decisions (128-191); the 'right' ones are the last block of 64 (192-255)"
        return ("estimate each agent's prior from its first-trial frequencies (the estimated prior of Exercise 5) and add up "
                "its ON half over the 64 decisions whose first move is right")


def _pl_faster(ans, rng):
    _, _, faster = _pl_parts(ans)
    truth = max(PREDICT_AGENTS, key=PREDICT_AGENTS.get)
    if not isinstance(faster, str) or faster.strip().upper() != truth:
        return ("the agent whose prior gives more weight to right moves makes more of them before it has learned "
                "anything, so more of its chunks make progress and escape punishment, and its right decisions get "
                "reinforced: it learns faster (P2 Fig. 4 and Fig. 5)")


register(
    Exercise(
        id="L07.prior_predicts_learning",
        title="predict learning from a reverse-engineered prior",
        reference=prior_predicts_learning_reference,
        kind="value",
        asks="predict",
        properties=(
            Property("two priors and a choice", 1, _pl_format),
            Property("each agent's E_right estimated from its first trials (within 5%)", 2, _pl_estimates),
            Property("the agent that learns faster", 2, _pl_faster),
        ),
        hints=(
            "Exercise 5's estimated prior turns first-trial decision frequencies into a decision prior E. The 'right' "
            "decisions are those whose first move is right: the last block of 64. Exercise 7 shows what a small E_right does.",
            "E = estimated_prior_(freqs['A']); E_right_A = E[192:256].sum(); likewise for B. The agent with the larger "
            "E_right makes more right moves early, is punished less and learns faster.",
        ),
        wrong_answers=(
            ("the 'left' block summed", {"E_right_A": 0.1139, "E_right_B": 0.3545, "faster": "B"}),
            ("right estimates, the more left-biased agent chosen", {"E_right_A": 0.2624, "E_right_B": 0.1521, "faster": "B"}),
            ("the two agents swapped", {"E_right_A": 0.1521, "E_right_B": 0.2624, "faster": "B"}),
        ),
    )
)

