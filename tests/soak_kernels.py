"""Start K kernels at the same moment, R rounds, and count the launches that fail: the port race.

    .venv/bin/python tests/soak_kernels.py [--kernels 4] [--rounds 25] [--manager tcp|ipc]

Each launch executes a three-cell notebook with nbclient. ``tcp`` uses jupyter_client's own kernel
manager (five TCP ports picked by binding port 0 and releasing it, bound by the kernel later);
``ipc`` uses :class:`fepteach._headless.AsyncIPCKernelManager` (Unix domain sockets in a private
folder). Prints every failed launch and a summary; exits 1 if any failed. Not collected by pytest:
a soak script for issue 12 item 8, like ``soak_lessons.py``.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor

CELLS = ["import numpy as np", "x = int(np.arange(10).sum())\nprint(x)", "import time\ntime.sleep(0.2)\nx"]


def launch(manager: str) -> tuple[str, float]:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    kw = {}
    if manager == "ipc":
        from fepteach._headless import AsyncIPCKernelManager

        kw["kernel_manager_class"] = AsyncIPCKernelManager
    t0 = time.monotonic()
    try:
        NotebookClient(nb, timeout=60, startup_timeout=60, kernel_name="python3", **kw).execute()
        ok = nb.cells[1].outputs[0]["text"] == "45\n"
        return ("ok" if ok else "wrong output"), time.monotonic() - t0
    except Exception as exc:  # noqa: BLE001 - every failure is counted and printed
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:160]}", time.monotonic() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernels", type=int, default=4, help="kernels started at the same moment")
    ap.add_argument("--rounds", type=int, default=25)
    ap.add_argument("--manager", choices=("tcp", "ipc"), default="ipc")
    args = ap.parse_args(argv)
    times, failed = [], 0
    with ProcessPoolExecutor(args.kernels) as pool:
        for r in range(args.rounds):
            for status, took in pool.map(launch, [args.manager] * args.kernels):
                times.append(took)
                if status != "ok":
                    failed += 1
                    print(f"round {r + 1}: {status} ({took:.1f} s)", flush=True)
    times.sort()
    n = len(times)
    print(f"{args.manager}: {n - failed}/{n} launches ok ({args.kernels} at a time x {args.rounds} rounds), "
          f"median {times[n // 2]:.2f} s, max {times[-1]:.2f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
