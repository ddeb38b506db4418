"""Scale-out: a maze experiment on a Dask cluster (``client.get_executor()``) gives the process pool's results."""

from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from distributed import Client, LocalCluster

from fepteach import experiment as ex

RUN = dict(prior=0.3, n_agents=3, n_trials=2, seed=11, T=300, ny=7, nx=15, keep_trajectories=(1, 2), progress=False)


def _same(a: ex.MazeResults, b: ex.MazeResults) -> None:
    for name in ("durations", "free_energy", "e_hat", "mazes", "E"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.trajectories.keys() == b.trajectories.keys()
    for key in a.trajectories:
        np.testing.assert_array_equal(a.trajectories[key], b.trajectories[key])


@pytest.mark.slow
def test_run_agents_on_a_local_dask_cluster_equals_the_process_pool_run():
    with ProcessPoolExecutor(max_workers=2) as pool:
        local = ex.run_agents(executor=pool, **RUN)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        dask = ex.run_agents(executor=client.get_executor(), **RUN)
        assert len(client.scheduler_info()["workers"]) == 2
    _same(local, dask)
    assert local.durations.shape == (2, 3) and (local.durations > 0).all()
