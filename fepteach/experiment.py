"""Maze experiments: the paper protocol (SPEC §8.11) and free-form runs, in parallel, resumable.

* :func:`run_paper_protocol` — one prior condition as in P2: 20 mazes; samples 1–20 with the
  nominal prior on mazes 1–20; samples 21–30 on mazes 11–20 with the prior re-estimated
  from the trial-1 decisions of samples 1–10 (mean of the estimates, not renormalised).
* :func:`run_agents` — N fresh agents x M trials, each on its own fresh maze.

Both return a :class:`MazeResults` and, when ``out`` is given, write it to a folder as they
go: every finished agent is saved at once (``agents/agent_XXX.npz``), so an interrupted run
keeps its finished agents and a second call with the same folder resumes. The finished
folder holds ``durations.csv`` (trials x agents), ``free_energy.csv``, ``e_hat.npy``
(trials x agents x 256), ``mazes.npy``, ``trajectories.npz``, ``config.json`` (what was run,
including the engine's ``precision``: ``"float64"``, the default and the paper's, or ``"float32"``).

Agents run in parallel through any :class:`concurrent.futures.Executor` (default: a process
pool on all cores). A Dask cluster works too, for sweeps larger than one machine::

    from dask.distributed import Client
    client = Client("scheduler-address:8786")
    res = run_agents(0.25, 200, 100, seed=1, executor=client.get_executor())

Randomness: every agent gets its own ``numpy.random.Generator`` spawned from ``seed``
(``SeedSequence(seed).spawn``), so results do not depend on scheduling or on the executor.
"""

from __future__ import annotations

import csv
import json
import os
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import agent as ag
from . import agent_fast as agf
from . import maze as mz
from ._progress import progress_bar
from ._validate import check_int

__all__ = [
    "N_PAPER_MAZES",
    "N_PAPER_SAMPLES",
    "N_PAPER_TRIALS",
    "N_ESTIMATE",
    "N_NOMINAL",
    "PREDICTED_MAZE_SHIFT",
    "RunConfig",
    "AgentTask",
    "AgentResult",
    "MazeResults",
    "run_agent_task",
    "first_trial_estimate",
    "check_out_folder",
    "run_agents",
    "paper_mazes",
    "run_paper_protocol",
    "default_executor",
    "read_durations_csv",
    "shortened_for_ci",
    "run_conditions",
]

N_PAPER_MAZES = 20  #: mazes per condition (SPEC §8.11)
N_PAPER_SAMPLES = 30  #: samples (agents) per condition
N_PAPER_TRIALS = 100  #: trials per sample
N_ESTIMATE = 10  #: samples 1..10 provide the decision-frequency estimate
N_NOMINAL = 20  #: samples 1..20 run with the nominal prior on mazes 1..20
PREDICTED_MAZE_SHIFT = 10  #: samples 21..30 run on mazes 11..20: maze index = sample index - 10


@dataclass
class RunConfig:
    """What was run. ``protocol`` is ``"paper"`` (SPEC §8.11) or ``"agents"`` (free-form).

    Saved as ``config.json`` with the results; a folder is resumed only by the same config.

    Examples
    --------
    >>> cfg = RunConfig("agents", 0.25, n_agents=2, n_trials=3, seed=0)
    >>> RunConfig.from_json(cfg.to_json()) == cfg
    True
    """

    protocol: str
    prior: float
    n_agents: int
    n_trials: int
    seed: int
    T: int = ag.T_MAX
    ny: int = mz.NY
    nx: int = mz.NX
    keep_trajectories: tuple = (1,)
    precision: str = "float64"  #: dtype of the fast engine's K|V product (see agent_fast.check_precision)

    def to_json(self) -> dict:
        """The config as a JSON-ready dict (tuples as lists)."""
        d = asdict(self)
        d["keep_trajectories"] = list(self.keep_trajectories)
        return d

    @classmethod
    def from_json(cls, d: dict) -> "RunConfig":
        """The config of a dict written by :meth:`to_json` (older files: missing fields get their defaults)."""
        d = dict(d)
        d["keep_trajectories"] = tuple(d.get("keep_trajectories", (1,)))
        d.setdefault("precision", "float64")  # runs saved before the precision choice existed
        return cls(**d)


@dataclass
class AgentTask:
    """Everything a worker needs to run one agent (picklable)."""

    index: int  # 0-based agent (sample) index
    maze: np.ndarray
    E: np.ndarray  # stacked decision prior (2*ND,)
    seed_seq: np.random.SeedSequence
    n_trials: int
    T: int
    keep_trajectories: tuple
    precision: str = "float64"


@dataclass
class AgentResult:
    """One agent's run: per-trial durations, F, decision frequencies, kept trajectories."""

    index: int
    durations: np.ndarray  # (n_trials,)
    free_energy: np.ndarray  # (n_trials,)
    e_hat: np.ndarray  # (n_trials, ND)
    trajectories: dict = field(default_factory=dict)  # 1-based trial -> (t_end, 2) positions


@dataclass
class MazeResults:
    """Results of a maze experiment (all arrays indexed [trial, agent], 0-based).

    durations (n_trials, n_agents) int: steps to the goal, ``T`` = not reached;
    free_energy (n_trials, n_agents): F per trial (SPEC §8.9);
    e_hat (n_trials, n_agents, 256): decision-frequency estimates (SPEC §8.10);
    mazes (n_agents, ny, nx): the maze of each agent;
    E (n_agents, 512): the decision prior each agent used;
    trajectories: {(agent, trial): (t_end, 2) positions} for the kept trials (1-based trial);
    estimated_prior: (512,) the re-estimated prior of samples 21–30 (paper protocol) or None.
    """

    config: RunConfig
    durations: np.ndarray
    free_energy: np.ndarray
    e_hat: np.ndarray
    mazes: np.ndarray
    E: np.ndarray
    trajectories: dict
    estimated_prior: np.ndarray | None = None

    @property
    def success(self) -> np.ndarray:
        """Boolean (n_trials, n_agents): goal reached (duration < T)."""
        return self.durations < self.config.T

    def block_stats(self, agents=None, blocks=None) -> list[dict]:
        """Median duration and success rate per block of trials, pooled over ``agents`` (0-based).

        The statistics are those of :func:`fepteach.agent.block_summary` (the learning curves of
        P2 Fig. 5), labelled, with the number of pooled durations.

        Parameters
        ----------
        agents : array_like of int, optional
            0-based agents to pool (default: all).
        blocks : sequence of (int, int), optional
            1-based inclusive (first, last) trials; default
            :data:`fepteach.data.maze_reference.BLOCKS`, truncated to the trials run.

        Returns
        -------
        list of dict
            One dict per block with keys ``"trials"`` (first, last), ``"median"``, ``"success"``
            (fraction with duration < T) and ``"n"`` (durations pooled).

        Examples
        --------
        >>> cfg = RunConfig("agents", 0.25, 2, 4, 0, T=100)
        >>> d = np.array([[100, 100], [100, 40], [30, 20], [10, 100]])
        >>> r = MazeResults(cfg, d, np.zeros((4, 2)), np.zeros((4, 2, 256)), np.zeros((2, 7, 7)), np.zeros((2, 512)), {})
        >>> r.block_stats(blocks=[(1, 2), (3, 4)])
        [{'trials': (1, 2), 'median': 100.0, 'success': 0.25, 'n': 4}, {'trials': (3, 4), 'median': 25.0, 'success': 0.75, 'n': 4}]
        """
        agents = np.arange(self.durations.shape[1]) if agents is None else np.atleast_1d(np.asarray(agents))
        d = self.durations[:, agents]
        return [
            {"trials": (a, b), "median": median, "success": success, "n": (b - a + 1) * d.shape[1]}
            for a, b, median, success in ag.block_summary(d, T=self.config.T, blocks=blocks)
        ]

    def save(self, folder) -> Path:
        """Write the results to ``folder`` (created if needed); returns the path (see the module docstring)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.json").write_text(json.dumps(self.config.to_json(), indent=2))
        _write_csv(folder / "durations.csv", self.durations, fmt="%d")
        _write_csv(folder / "free_energy.csv", self.free_energy, fmt="%.17g")
        np.save(folder / "e_hat.npy", self.e_hat)
        np.save(folder / "mazes.npy", self.mazes)
        np.save(folder / "E.npy", self.E)
        if self.estimated_prior is not None:
            np.savetxt(folder / "estimated_prior.csv", self.estimated_prior, fmt="%.17g")
        np.savez_compressed(
            folder / "trajectories.npz",
            **{f"agent{a:03d}_trial{t:03d}": p for (a, t), p in self.trajectories.items()},
        )
        return folder

    @classmethod
    def load(cls, folder) -> "MazeResults":
        """Read results written by :meth:`save` (or by a finished run)."""
        folder = Path(folder)
        if not (folder / "config.json").is_file():
            raise ValueError(f"folder {folder} does not hold maze results (no config.json)")
        config = RunConfig.from_json(json.loads((folder / "config.json").read_text()))
        durations = np.loadtxt(folder / "durations.csv", delimiter=",", dtype=np.int64, ndmin=2)
        free_energy = np.loadtxt(folder / "free_energy.csv", delimiter=",", ndmin=2)
        est = folder / "estimated_prior.csv"
        traj = {}
        with np.load(folder / "trajectories.npz") as z:
            for k in z.files:
                a, t = k.replace("agent", "").split("_trial")
                traj[(int(a), int(t))] = z[k]
        return cls(
            config=config,
            durations=durations,
            free_energy=free_energy,
            e_hat=np.load(folder / "e_hat.npy"),
            mazes=np.load(folder / "mazes.npy"),
            E=np.load(folder / "E.npy"),
            trajectories=traj,
            estimated_prior=np.loadtxt(est) if est.is_file() else None,
        )


def _write_csv(path: Path, arr: np.ndarray, fmt: str) -> None:
    np.savetxt(path, np.atleast_2d(arr), delimiter=",", fmt=fmt)


# --- one agent (runs in a worker) -------------------------------------------------------
def run_agent_task(task: AgentTask) -> AgentResult:
    """Run one agent for its trials with the fast engine (top-level so that process pools can pickle it).

    The agent starts from :func:`fepteach.agent.initial_params` with the task's prior ``E`` and learns
    after every trial (P2 eq. 3.7) with :func:`fepteach.agent_fast.run_agent_fast`.

    Parameters
    ----------
    task : AgentTask

    Returns
    -------
    AgentResult

    Examples
    --------
    >>> task = AgentTask(0, mz.make_maze(np.random.default_rng(0), 7, 15), ag.decision_prior(0.25),
    ...                  np.random.SeedSequence(1), n_trials=2, T=60, keep_trajectories=(1,))
    >>> res = run_agent_task(task)
    >>> res.durations.shape, res.e_hat.shape, sorted(res.trajectories)
    ((2,), (2, 256), [1])
    """
    rng = np.random.default_rng(task.seed_seq)
    params = ag.initial_params(E=task.E)
    _, summaries = agf.run_agent_fast(
        task.maze, params, task.n_trials, rng, T=task.T, keep_positions=task.keep_trajectories, progress=False,
        precision=task.precision,
    )
    return AgentResult(
        index=task.index,
        durations=np.array([s.t_end for s in summaries], dtype=np.int64),
        free_energy=np.array([s.F for s in summaries]),
        e_hat=np.stack([s.e_hat for s in summaries]),
        trajectories={k: summaries[k - 1].positions for k in task.keep_trajectories if 1 <= k <= task.n_trials},
    )


def first_trial_estimate(
    maze: np.ndarray, E: np.ndarray, seed_seq: np.random.SeedSequence, T: int, precision: str = "float64"
) -> np.ndarray:
    """Decision-frequency estimate of trial 1 of a fresh agent (SPEC §8.10), with the agent's own seed.

    Gives exactly the trial-1 ``e_hat`` of :func:`run_agent_task` with the same arguments.

    Parameters
    ----------
    maze : numpy.ndarray, shape (ny, nx)
    E : numpy.ndarray, shape (2*ND,)
        Stacked decision prior of the fresh agent.
    seed_seq : numpy.random.SeedSequence
        The agent's own seed sequence (as in its :class:`AgentTask`).
    T : int
        Maximum trial length.
    precision : str, optional
        See :func:`fepteach.agent_fast.check_precision`.

    Returns
    -------
    numpy.ndarray, shape (ND,)
        ``E-hat_l``, the frequency of each decision over t = 3..t_end divided by ``T - 2``.

    Examples
    --------
    >>> m, E = mz.make_maze(np.random.default_rng(0), 7, 15), ag.decision_prior(0.25)
    >>> e = first_trial_estimate(m, E, np.random.SeedSequence(1), T=60)
    >>> e.shape, bool(np.array_equal(e, run_agent_task(AgentTask(0, m, E, np.random.SeedSequence(1), 1, 60, ())).e_hat[0]))
    ((256,), True)
    """
    rng = np.random.default_rng(seed_seq)
    _, s = agf.run_trial_fast(maze, ag.initial_params(E=E), ag.draw_uniforms(rng, T), T=T, precision=precision)
    return s.e_hat


# --- validation ---------------------------------------------------------------------------
def check_out_folder(out) -> Path:
    """Create ``out`` if needed and check it can be written; raise ValueError otherwise.

    Parameters
    ----------
    out : str or os.PathLike
        The results folder (``~`` is expanded).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     check_out_folder(Path(tmp) / "run").is_dir()
    True
    """
    path = Path(out).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write_test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ValueError(f"output folder {str(path)!r} cannot be written: {exc.strerror or exc}") from exc
    if not path.is_dir():
        raise ValueError(f"output folder {str(path)!r} is not a folder")
    return path


def _check_common(prior, n_agents, n_trials, seed, T, precision):
    agf.check_precision(precision)
    prior = ag.check_e_right(prior)
    n_agents = check_int("n_agents", n_agents, minimum=1)
    n_trials = check_int("n_trials", n_trials, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    T = check_int("T", T, minimum=3)
    return prior, n_agents, n_trials, seed, T


# --- runners --------------------------------------------------------------------------------
def run_agents(
    prior: float,
    n_agents: int,
    n_trials: int,
    *,
    seed: int = 0,
    out=None,
    executor: Executor | None = None,
    T: int = ag.T_MAX,
    ny: int = mz.NY,
    nx: int = mz.NX,
    keep_trajectories=(1,),
    progress: bool | None = None,
    precision: str = "float64",
) -> MazeResults:
    """Free-form run: ``n_agents`` fresh agents with the nominal prior, each on its own new maze.

    Agent ``a`` draws its maze and its decisions from ``SeedSequence(seed).spawn(n_agents)[a]``. The
    integer ``seed`` (not a Generator) is what the saved ``config.json`` records, so that a folder can be
    resumed and every agent gets the same numbers whatever the executor.

    Parameters
    ----------
    prior : float
        ``e_right`` ("Eright", SPEC §8.1) in (0, 0.5).
    n_agents, n_trials : int
        Fresh agents, and trials per agent (each learns after every trial, P2 eq. 3.7).
    seed : int, optional
        Non-negative seed of the whole run.
    out : str or os.PathLike, optional
        Resumable results folder (see the module docstring).
    executor : concurrent.futures.Executor, optional
        Where the agents run (default: :func:`default_executor`).
    T : int, optional
        Maximum trial length.
    ny, nx : int, optional
        Maze size.
    keep_trajectories : iterable of int, optional
        1-based trials whose positions are kept.
    progress : bool, optional
        Progress bar over agent-trials.
    precision : str, optional
        ``"float64"`` (default) or ``"float32"``, passed to :func:`fepteach.agent_fast.run_agent_fast`
        and recorded in the config.

    Returns
    -------
    MazeResults

    Examples
    --------
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> with ThreadPoolExecutor(1) as pool:
    ...     res = run_agents(0.25, 2, 2, seed=1, executor=pool, T=60, ny=7, nx=15, progress=False)
    >>> res.durations.shape, res.config.protocol
    ((2, 2), 'agents')
    """
    prior, n_agents, n_trials, seed, T = _check_common(prior, n_agents, n_trials, seed, T, precision)
    ny, nx = mz.check_maze_size(ny, nx)
    config = RunConfig("agents", prior, n_agents, n_trials, seed, T, ny, nx, tuple(keep_trajectories), precision)
    E = ag.decision_prior(prior)
    tasks = []
    for a, ss in enumerate(np.random.SeedSequence(seed).spawn(n_agents)):
        maze_ss, agent_ss = ss.spawn(2)
        maze = mz.make_maze(np.random.default_rng(maze_ss), ny, nx)
        tasks.append(AgentTask(a, maze, E, agent_ss, n_trials, T, tuple(keep_trajectories), precision))
    return _run_tasks(config, tasks, out, executor, progress, estimated_prior=None)


def paper_mazes(seed: int, ny: int = mz.NY, nx: int = mz.NX) -> list[np.ndarray]:
    """The 20 mazes of one condition (SPEC §8.11 item 1), generated in order from ``seed``.

    Parameters
    ----------
    seed : int
        The condition's seed (as in :func:`run_paper_protocol`, which records it).
    ny, nx : int, optional
        Maze size (the paper's: 19 x 99).

    Returns
    -------
    list of numpy.ndarray
        20 mazes, shape (ny, nx), 1 = wall.

    Examples
    --------
    >>> mazes = paper_mazes(0, ny=7, nx=15)
    >>> len(mazes), mazes[0].shape, bool(np.array_equal(mazes[3], paper_mazes(0, ny=7, nx=15)[3]))
    (20, (7, 15), True)
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[0])
    return [mz.make_maze(rng, ny, nx) for _ in range(N_PAPER_MAZES)]


def run_paper_protocol(
    prior: float,
    *,
    seed: int = 0,
    out=None,
    executor: Executor | None = None,
    n_trials: int = N_PAPER_TRIALS,
    T: int = ag.T_MAX,
    keep_trajectories=(1, N_PAPER_TRIALS),
    progress: bool | None = None,
    precision: str = "float64",
) -> MazeResults:
    """The paper protocol for one prior condition (SPEC §8.11).

    Samples 1–20 (agents 0–19): nominal prior E on mazes 1–20. Samples 21–30 (agents
    20–29): mazes 11–20, prior ``E_ON`` = mean trial-1 decision frequencies of samples 1–10
    (not renormalised), ``E_OFF = 1 - E_ON``. The trial-1 estimates are computed first
    (they are exactly the samples' own first trials), so all 30 agents run in parallel.

    Parameters
    ----------
    prior : float
        ``e_right`` of the condition, in (0, 0.5).
    seed, out, executor, T, keep_trajectories, progress, precision
        As in :func:`run_agents` (the paper's results are float64 runs).
    n_trials : int, optional
        Trials per sample (the paper: 100).

    Returns
    -------
    MazeResults
        30 agents; ``estimated_prior`` holds the re-estimated prior of samples 21–30.

    Examples
    --------
    The protocol's sizes (P2 §4): 30 samples, the first 20 with the nominal prior, samples 21–30 on the
    mazes of samples 11–20.

    >>> N_PAPER_SAMPLES, N_NOMINAL, PREDICTED_MAZE_SHIFT
    (30, 20, 10)
    >>> res = run_paper_protocol(0.25, seed=1, n_trials=1, T=10, progress=False)  # doctest: +SKIP
    >>> res.durations.shape, bool(np.array_equal(res.mazes[20], res.mazes[10]))  # doctest: +SKIP
    ((1, 30), True)

    (Not run here: even one short trial per sample builds thirty 19 x 99 mazes' views, a few seconds.)
    """
    prior, _, n_trials, seed, T = _check_common(prior, 1, n_trials, seed, T, precision)
    config = RunConfig("paper", prior, N_PAPER_SAMPLES, n_trials, seed, T, mz.NY, mz.NX, tuple(keep_trajectories),
                       precision)
    mazes = paper_mazes(seed)
    agent_ss = np.random.SeedSequence(seed).spawn(2)[1].spawn(N_PAPER_SAMPLES)
    E_nominal = ag.decision_prior(prior)
    folder = None if out is None else check_out_folder(out)
    est_file = None if folder is None else folder / "estimated_prior.csv"
    if est_file is not None and est_file.is_file() and _same_config(folder, config):
        E_est = np.loadtxt(est_file)
    else:
        e1 = [first_trial_estimate(mazes[h], E_nominal, agent_ss[h], T, precision) for h in range(N_ESTIMATE)]
        E_est = ag.estimated_prior(np.array(e1))
    keep = tuple(keep_trajectories)
    tasks = [AgentTask(h, mazes[h], E_nominal, agent_ss[h], n_trials, T, keep, precision) for h in range(N_NOMINAL)]
    tasks += [
        AgentTask(h, mazes[h - PREDICTED_MAZE_SHIFT], E_est, agent_ss[h], n_trials, T, keep, precision)
        for h in range(N_NOMINAL, N_PAPER_SAMPLES)
    ]
    return _run_tasks(config, tasks, folder, executor, progress, estimated_prior=E_est)


def _same_config(folder: Path, config: RunConfig) -> bool:
    f = folder / "config.json"
    return f.is_file() and _stored_config(f) == config.to_json()


def _stored_config(path: Path) -> dict:
    """The config of a saved run, completed with the defaults of fields added since (e.g. precision)."""
    return RunConfig.from_json(json.loads(path.read_text())).to_json()


def default_executor() -> Executor:
    """A process pool on all cores (numba kernels are compiled once and cached on disk).

    Parameters
    ----------
    None

    Returns
    -------
    concurrent.futures.ProcessPoolExecutor
        Shut it down when done (the runners do so for the pool they create).

    Examples
    --------
    >>> pool = default_executor()
    >>> isinstance(pool, ProcessPoolExecutor)
    True
    >>> pool.shutdown()
    """
    return ProcessPoolExecutor(max_workers=os.cpu_count() or 1)


def _run_tasks(config, tasks, out, executor, progress, estimated_prior) -> MazeResults:
    folder = None if out is None else check_out_folder(out)
    done: dict[int, AgentResult] = {}
    if folder is not None:
        cfg_file = folder / "config.json"
        if cfg_file.is_file():
            if _stored_config(cfg_file) != config.to_json():
                raise ValueError(
                    f"output folder {str(folder)!r} holds a different run (config.json differs); "
                    "choose another folder"
                )
        else:
            cfg_file.write_text(json.dumps(config.to_json(), indent=2))
        if estimated_prior is not None:
            np.savetxt(folder / "estimated_prior.csv", estimated_prior, fmt="%.17g")
        (folder / "agents").mkdir(exist_ok=True)
        for t in tasks:
            f = folder / "agents" / f"agent_{t.index:03d}.npz"
            if f.is_file():
                done[t.index] = _load_agent(f)
    todo = [t for t in tasks if t.index not in done]
    total = len(tasks) * config.n_trials
    bar = progress_bar(total=total, desc=f"maze e_r={config.prior} (agent-trials)", progress=progress, unit="trial")
    bar.update(len(done) * config.n_trials)
    if todo:
        own = executor is None
        ex = default_executor() if own else executor
        try:
            futures = [ex.submit(run_agent_task, t) for t in todo]
            for fut in as_completed(futures):
                res = fut.result()
                done[res.index] = res
                if folder is not None:
                    _save_agent(folder / "agents" / f"agent_{res.index:03d}.npz", res)
                bar.update(config.n_trials)
        finally:
            if own:
                ex.shutdown(wait=True, cancel_futures=True)
    bar.close()
    order = [t.index for t in tasks]
    results = MazeResults(
        config=config,
        durations=np.stack([done[i].durations for i in order], axis=1),
        free_energy=np.stack([done[i].free_energy for i in order], axis=1),
        e_hat=np.stack([done[i].e_hat for i in order], axis=1),
        mazes=np.stack([t.maze for t in tasks]),
        E=np.stack([t.E for t in tasks]),
        trajectories={(i, k): p for i in order for k, p in done[i].trajectories.items()},
        estimated_prior=estimated_prior,
    )
    if folder is not None:
        results.save(folder)
    return results


def _save_agent(path: Path, res: AgentResult) -> None:
    tmp = path.with_suffix(".tmp.npz")
    np.savez(
        tmp,
        index=res.index,
        durations=res.durations,
        free_energy=res.free_energy,
        e_hat=res.e_hat,
        **{f"traj{k:03d}": p for k, p in res.trajectories.items()},
    )
    os.replace(tmp, path)  # atomic: an interrupted write never leaves a half file


def _load_agent(path: Path) -> AgentResult:
    with np.load(path) as z:
        traj = {int(k[4:]): z[k] for k in z.files if k.startswith("traj")}
        return AgentResult(int(z["index"]), z["durations"], z["free_energy"], z["e_hat"], traj)


def read_durations_csv(path) -> np.ndarray:
    """Read a trials x agents durations CSV (ours or the reference ``nn_mdp_time_E*.csv``).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    numpy.ndarray, shape (n_trials, n_agents), float

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = Path(tmp) / "durations.csv"
    ...     _ = f.write_text("20000,350\\n1200,90\\n")
    ...     read_durations_csv(f)
    array([[20000.,   350.],
           [ 1200.,    90.]])
    """
    with open(path, newline="") as fh:
        rows = [[float(x) for x in row] for row in csv.reader(fh) if row]
    return np.array(rows)


# --- added for Lesson 07 (lessb): several conditions and one trained agent in one process pool ----------
def shortened_for_ci() -> bool:
    """True when the environment variable ``FEPTEACH_FAST=1`` asks long lesson simulations to be shortened (CI only).

    Parameters
    ----------
    None

    Returns
    -------
    bool

    Examples
    --------
    >>> shortened_for_ci() in (True, False)
    True
    """
    from ._progress import fast_mode

    return fast_mode()


def _train_one(maze, prior, n_trials, seed, T):
    return agf.run_agent_fast(maze, ag.initial_params(prior), n_trials, np.random.default_rng(seed), T=T, progress=False)


def run_conditions(priors, n_agents: int, n_trials: int, *, seed: int = 0, workers: int | None = None,
                   train_maze: np.ndarray | None = None, train_prior: float = 0.25, T: int = ag.T_MAX):
    """:func:`run_agents` for every prior in ``priors`` (same seed, so agent k meets the same maze in every
    condition) in one shared process pool of ``workers`` processes (default: all cores, at most 2).

    Parameters
    ----------
    priors : iterable of float
        ``e_right`` of each condition.
    n_agents, n_trials : int
        As in :func:`run_agents`.
    seed : int, optional
        Seed of every condition (recorded in each config).
    workers : int, optional
        Processes of the shared pool.
    train_maze : numpy.ndarray, optional
        With it, one more agent (prior ``train_prior``, seed ``seed + 1``) learns ``n_trials`` trials on
        that maze at the same time.
    train_prior : float, optional
    T : int, optional
        Maximum trial length.

    Returns
    -------
    results : dict
        prior -> :class:`MazeResults`.
    trained : tuple or None
        ``(params, summaries)`` of :func:`fepteach.agent_fast.run_agent_fast` for the extra agent.

    Examples
    --------
    >>> res, trained = run_conditions([0.25], 1, 1, workers=1, T=10)  # one agent, one 10-step trial
    >>> res[0.25].durations.shape, trained
    ((1, 1), None)
    """
    workers = min(2, os.cpu_count() or 1) if workers is None else check_int("workers", workers, minimum=1)
    results = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        trained = None if train_maze is None else pool.submit(_train_one, train_maze, train_prior, n_trials, seed + 1, T)
        for prior in priors:
            results[prior] = run_agents(prior, n_agents, n_trials, seed=seed, executor=pool, T=T, progress=False)
        trained = None if trained is None else trained.result()
    return results, trained
