"""Reference learning-curve values of the P2 maze agent (authors' MATLAB results).

Source: block statistics computed from the CSV files ``maze/output/nn_mdp_time_E{0.15,0.25,0.35}.csv``
of the MATLAB reference code (GitHub ``takuyaisomura/reverse_engineering``), as tabulated in
the project's ``science/reference_results.md`` (Tables 1–3). Each condition is one run of the
authors' script (30 samples x 100 trials); durations of 20000 mean the goal was not reached.
Keys are the code's ``Eright`` values (paper's per-decision prior = value / 64).

Each table maps prior -> list of (first trial, last trial, median duration, success rate).
"""

#: trial blocks (1-based, inclusive) used throughout
BLOCKS = ((1, 10), (11, 20), (21, 40), (41, 60), (61, 80), (81, 100))

#: Table 1 — samples 1–20 (20 mazes, nominal prior)
SAMPLES_1_20 = {
    0.15: [(1, 10, 20000.0, 0.110), (11, 20, 20000.0, 0.160), (21, 40, 20000.0, 0.130),
           (41, 60, 20000.0, 0.200), (61, 80, 20000.0, 0.203), (81, 100, 20000.0, 0.230)],
    0.25: [(1, 10, 20000.0, 0.455), (11, 20, 12998.0, 0.710), (21, 40, 11188.5, 0.860),
           (41, 60, 8219.0, 0.880), (61, 80, 7110.0, 0.855), (81, 100, 6926.0, 0.825)],
    0.35: [(1, 10, 11125.0, 0.670), (11, 20, 10766.5, 0.660), (21, 40, 12105.5, 0.690),
           (41, 60, 10965.0, 0.677), (61, 80, 12916.0, 0.647), (81, 100, 11666.5, 0.647)],
}

#: Table 2 — samples 11–20 (original agents on mazes 11–20, nominal prior)
SAMPLES_11_20 = {
    0.15: [(1, 10, 20000.0, 0.110), (11, 20, 20000.0, 0.160), (21, 40, 20000.0, 0.150),
           (41, 60, 20000.0, 0.210), (61, 80, 20000.0, 0.190), (81, 100, 20000.0, 0.220)],
    0.25: [(1, 10, 18333.0, 0.550), (11, 20, 11325.5, 0.870), (21, 40, 11034.5, 0.855),
           (41, 60, 7798.5, 0.875), (61, 80, 6556.5, 0.860), (81, 100, 6136.0, 0.805)],
    0.35: [(1, 10, 10466.5, 0.680), (11, 20, 8442.0, 0.690), (21, 40, 10968.0, 0.700),
           (41, 60, 9472.0, 0.705), (61, 80, 11714.0, 0.670), (81, 100, 11935.5, 0.665)],
}

#: Table 3 — samples 21–30 (mazes 11–20, prior re-estimated from trial-1 decisions of samples 1–10)
SAMPLES_21_30 = {
    0.15: [(1, 10, 20000.0, 0.090), (11, 20, 20000.0, 0.110), (21, 40, 20000.0, 0.170),
           (41, 60, 20000.0, 0.155), (61, 80, 20000.0, 0.275), (81, 100, 20000.0, 0.250)],
    0.25: [(1, 10, 18524.0, 0.540), (11, 20, 13196.0, 0.750), (21, 40, 9040.0, 0.895),
           (41, 60, 7847.5, 0.900), (61, 80, 6961.0, 0.875), (81, 100, 6698.0, 0.810)],
    0.35: [(1, 10, 10684.0, 0.670), (11, 20, 11692.5, 0.650), (21, 40, 10417.0, 0.725),
           (41, 60, 10194.5, 0.680), (61, 80, 11261.5, 0.655), (81, 100, 12192.0, 0.630)],
}

#: Paper's per-decision prior for each code value (legend labels of P2 Fig. 4)
PAPER_LABEL = {0.15: "E_right = 0.0023", 0.25: "E_right = 0.0039", 0.35: "E_right = 0.0055"}


def reference_blocks(prior: float, table: str = "samples_1_20"):
    """Reference (first, last, median, success) rows for ``prior`` (0.15/0.25/0.35), or None.

    ``table`` is ``"samples_1_20"`` (Table 1), ``"samples_11_20"`` (Table 2) or ``"samples_21_30"`` (Table 3).
    """
    tables = {"samples_1_20": SAMPLES_1_20, "samples_11_20": SAMPLES_11_20, "samples_21_30": SAMPLES_21_30}
    if table not in tables:
        raise ValueError(f"table must be one of {sorted(tables)}; got {table!r}")
    for key, rows in tables[table].items():
        if abs(float(prior) - key) < 1e-9:
            return rows
    return None
