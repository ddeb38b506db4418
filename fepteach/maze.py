"""The maze environment of P2 (Isomura, Shimazaki & Friston 2022), exactly as in SPEC §8.2–8.4.

Coordinates are 0-based ``(row, column)``; the map is ``ny x nx`` (19 x 99 in the paper)
with 1 = wall and 0 = free. The SPEC writes 1-based MATLAB indices; the 0-based
equivalents used here are: start ``(9, 1)``, goal ``(9, 98)``, pillars at even rows
2..16 and even columns 2..96, rooms (cells the agent can occupy) at odd rows and
odd columns.

Actions (SPEC §8.3, 0-based codes): 0 = up, 1 = down, 2 = left, 3 = right. A move
goes two cells at once and happens only if the adjacent cell in that direction is
free; the last move through the opening into the goal is one cell (column clipped).
"""

from __future__ import annotations

import numpy as np

from ._validate import check_int, check_rng

__all__ = [
    "NY", "NX", "NV", "RADIUS", "NO", "UP", "DOWN", "LEFT", "RIGHT", "ACTION_NAMES", "DIRECTIONS",
    "check_maze_size", "start_position", "goal_position", "make_maze", "move", "pad_maze", "observe",
    "arrival_position", "observe_at", "step_risk", "rooms", "shortest_path_length",
]

#: Size of the paper's maze (SPEC §8.1): 19 rows (width) x 99 columns (length).
NY, NX = 19, 99
#: Field of view: an 11 x 11 window (radius 5) centred on the agent (SPEC §8.4).
NV = 11
RADIUS = NV // 2
#: Number of observation channels (= hidden-state factors), 11 * 11.
NO = NV * NV
#: Action codes (0-based; MATLAB 1..4) and their (row, column) directions.
UP, DOWN, LEFT, RIGHT = 0, 1, 2, 3
ACTION_NAMES = ("up", "down", "left", "right")
DIRECTIONS = np.array([(-1, 0), (1, 0), (0, -1), (0, 1)], dtype=np.int64)


def check_maze_size(ny: int, nx: int) -> tuple[int, int]:
    """Validate a maze size (SPEC §8.2): ``ny`` = 3 (mod 4) and >= 7, ``nx`` odd and >= 7.

    Walls sit on the even 1-based rows and columns, so both sizes must be odd; the start
    and the goal lie on the middle row ``ny // 2`` (0-based), which must be a row of rooms
    (odd, 0-based): ny = 7, 11, 15, 19 (the paper), 23, ... For ny = 5, 9, 13, 17 the
    middle row is a pillar row.

    Parameters
    ----------
    ny, nx : int

    Returns
    -------
    (int, int)
        ``(ny, nx)``.

    Examples
    --------
    >>> check_maze_size(19, 99)
    (19, 99)
    """
    ny = check_int("ny", ny, minimum=1)
    nx = check_int("nx", nx, minimum=1)
    for name, n in (("ny", ny), ("nx", nx)):
        if n % 2 == 0:
            raise ValueError(f"{name} must be odd (walls sit on even 1-based indices); got {n}")
        if n < 7:
            raise ValueError(f"{name} must be >= 7; got {n}")
    if ny % 4 != 3:
        raise ValueError(
            f"ny must be 3 more than a multiple of 4 (7, 11, 15, 19, ...) so that the middle row, "
            f"which holds the start and the goal, is a corridor row; got {ny}"
        )
    return ny, nx


def start_position(ny: int = NY) -> tuple[int, int]:
    """Start cell (0-based): middle row, column 1 (SPEC §8.3, MATLAB (10, 2)).

    Parameters
    ----------
    ny : int, optional

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> start_position()
    (9, 1)
    """
    return (ny // 2, 1)


def goal_position(ny: int = NY, nx: int = NX) -> tuple[int, int]:
    """Goal cell (0-based): the opening in the middle of the right border (SPEC §8.2, MATLAB (10, 99)).

    Parameters
    ----------
    ny, nx : int, optional

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> goal_position()
    (9, 98)
    """
    return (ny // 2, nx - 1)


def make_maze(rng: np.random.Generator, ny: int = NY, nx: int = NX) -> np.ndarray:
    """Generate one random maze (SPEC §8.2).

    Borders are walls, the middle cell of the right border is the goal opening,
    pillars sit at every (even, even) 0-based interior cell (odd, odd in MATLAB),
    and each pillar, visited in row-major order, extends into one free neighbour
    chosen by redrawing a direction uniformly from (up, down, left, right) until the
    neighbour is free.

    Returns an ``(ny, nx)`` ``int8`` array, 1 = wall, 0 = free.

    Parameters
    ----------
    rng : numpy.random.Generator
    ny, nx : int, optional
        Size (``ny`` = 3 mod 4, ``nx`` odd, both >= 7).

    Returns
    -------
    numpy.ndarray, shape (ny, nx), int8

    Examples
    --------
    >>> m = make_maze(np.random.default_rng(0), 7, 21)
    >>> m.shape, int(m[start_position(7)]), int(m[goal_position(7, 21)])
    ((7, 21), 0, 0)
    """
    check_rng(rng)
    ny, nx = check_maze_size(ny, nx)
    maze = np.zeros((ny, nx), dtype=np.int8)
    maze[0, :] = maze[-1, :] = 1
    maze[:, 0] = maze[:, -1] = 1
    gr, gc = goal_position(ny, nx)
    maze[gr, gc] = 0
    for r in range(2, ny - 2, 2):
        for c in range(2, nx - 2, 2):
            maze[r, c] = 1
            while True:
                k = int(rng.integers(4))
                dr, dc = DIRECTIONS[k]
                if maze[r + dr, c + dc] == 0:
                    maze[r + dr, c + dc] = 1
                    break
    return maze


def move(maze: np.ndarray, pos: tuple[int, int], action: int) -> tuple[int, int]:
    """Kinematics (SPEC §8.3): two cells in direction ``action`` if the adjacent cell is free.

    The column is then clipped to the last map column, which turns the final move
    through the opening into a one-cell step onto the goal. Returns the new
    ``(row, column)``; ``action = -1`` (no action yet) leaves the agent in place.

    Parameters
    ----------
    maze : numpy.ndarray, shape (ny, nx)
    pos : (int, int)
    action : int
        0 up, 1 down, 2 left, 3 right, -1 none.

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> move(np.zeros((7, 21), dtype=np.int8), (3, 1), RIGHT)
    (3, 3)
    """
    r, c = pos
    if action < 0:
        return (r, c)
    dr, dc = DIRECTIONS[action]
    if maze[r + dr, c + dc] == 0:
        r, c = r + 2 * int(dr), c + 2 * int(dc)
    return (r, min(c, maze.shape[1] - 1))


def pad_maze(maze: np.ndarray) -> np.ndarray:
    """The map surrounded by ``RADIUS + 1`` cells of wall (padding is 1, SPEC §8.4).

    Parameters
    ----------
    maze : numpy.ndarray, shape (ny, nx)

    Returns
    -------
    numpy.ndarray, shape (ny + 12, nx + 12)

    Examples
    --------
    >>> pad_maze(np.zeros((7, 21), dtype=np.int8)).shape
    (19, 33)
    """
    return np.pad(maze, RADIUS + 1, mode="constant", constant_values=1)


def observe(maze: np.ndarray, pos: tuple[int, int], *, padded: np.ndarray | None = None) -> np.ndarray:
    """The 11 x 11 view centred on ``pos``, vectorised column-major (SPEC §8.4).

    ``o[11 * b + a] = Map[r - 5 + a, c - 5 + b]`` (0-based), 1 outside the map. ``pos`` may
    be the unclipped arrival position ``(goal_row, nx)`` (SPEC §8.4 arrival quirk).
    Returns a ``(121,)`` ``float64`` array of 0/1. ``padded`` (from :func:`pad_maze`)
    saves re-padding in loops.

    Parameters
    ----------
    maze : numpy.ndarray, shape (ny, nx)
    pos : (int, int)
    padded : numpy.ndarray, optional

    Returns
    -------
    numpy.ndarray, shape (NO,)

    Examples
    --------
    >>> o = observe(np.zeros((7, 21), dtype=np.int8), (3, 1))
    >>> o.shape, int(o[60])  # the centre pixel is the agent's own (free) cell
    ((121,), 0)
    """
    p = pad_maze(maze) if padded is None else padded
    off = RADIUS + 1
    r, c = pos[0] + off, pos[1] + off
    window = p[r - RADIUS : r + RADIUS + 1, c - RADIUS : c + RADIUS + 1]
    return window.ravel(order="F").astype(float)


def arrival_position(ny: int = NY, nx: int = NX) -> tuple[int, int]:
    """Unclipped position of the goal-arrival step, ``(goal_row, nx)``; its view is used for o (SPEC §8.4).

    Parameters
    ----------
    ny, nx : int, optional

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> arrival_position()
    (9, 99)
    """
    return (ny // 2, nx)


def observe_at(maze: np.ndarray, pos: tuple[int, int], *, padded: np.ndarray | None = None) -> np.ndarray:
    """What the agent sees in cell ``pos``: the view of :func:`observe`, and at the goal the arrival view (SPEC §8.4).

    The step that reaches the goal is observed from the unclipped position ``(goal_row, nx)``
    (:func:`arrival_position`), one column beyond the map, as in both reference codes.

    Parameters
    ----------
    maze : numpy.ndarray, shape (ny, nx)
    pos : tuple of int
        0-based (row, column) of the agent.
    padded : numpy.ndarray, optional
        :func:`pad_maze` of ``maze``, to save re-padding in loops.

    Returns
    -------
    numpy.ndarray, shape (NO,)
        Binary observation ``o_t``.

    Examples
    --------
    >>> m = make_maze(np.random.default_rng(0))
    >>> bool(np.array_equal(observe_at(m, goal_position()), observe(m, arrival_position())))
    True
    """
    ny, nx = np.shape(maze)
    view = arrival_position(ny, nx) if tuple(pos) == goal_position(ny, nx) else pos
    return observe(maze, view, padded=padded)


def step_risk(col_before: int, col_after: int) -> float:
    """Per-step risk G_t (SPEC §8.6 step 6): 0 if the column increased, 1 if it decreased, else 0.5.

    Parameters
    ----------
    col_before, col_after : int

    Returns
    -------
    float

    Examples
    --------
    >>> step_risk(3, 5), step_risk(5, 3), step_risk(3, 3)
    (0.0, 1.0, 0.5)
    """
    if col_after > col_before:
        return 0.0
    if col_after < col_before:
        return 1.0
    return 0.5


def rooms(ny: int = NY, nx: int = NX) -> np.ndarray:
    """All cells the agent can occupy except the goal: odd rows x odd columns (0-based), shape ``(n, 2)``.

    Parameters
    ----------
    ny, nx : int, optional

    Returns
    -------
    numpy.ndarray, shape (n, 2)

    Examples
    --------
    >>> rooms(7, 21).shape  # 3 room rows x 10 room columns
    (30, 2)
    """
    rr, cc = np.meshgrid(np.arange(1, ny, 2), np.arange(1, nx, 2), indexing="ij")
    return np.stack([rr.ravel(), cc.ravel()], axis=1)


def shortest_path_length(maze: np.ndarray) -> int:
    """Number of moves on a shortest path from start to goal under the kinematics (BFS); -1 if unreachable.

    Parameters
    ----------
    maze : numpy.ndarray, shape (ny, nx)

    Returns
    -------
    int

    Examples
    --------
    >>> open_maze = np.zeros((7, 21), dtype=np.int8)
    >>> open_maze[[0, -1], :] = open_maze[:, [0, -1]] = 1; open_maze[goal_position(7, 21)] = 0
    >>> shortest_path_length(open_maze)  # 9 two-cell moves right and the last one-cell step
    10
    """
    from collections import deque

    ny, nx = maze.shape
    start, goal = start_position(ny), goal_position(ny, nx)
    seen = {start: 0}
    queue = deque([start])
    while queue:
        p = queue.popleft()
        if p == goal:
            return seen[p]
        for a in range(4):
            q = move(maze, p, a)
            if q not in seen:
                seen[q] = seen[p] + 1
                queue.append(q)
    return -1
