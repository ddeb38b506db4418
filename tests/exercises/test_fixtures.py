"""Exercise fixtures: the recorded "mystery" network of Lesson 05's diagnosis exercise."""

import numpy as np
import pytest

from fepteach import reverse
from fepteach.exercises.fixtures import mystery_network


def test_mystery_network_diagnosis():
    """Threshold readout recovers the hidden priors (within 0.01); eq. (5.1) is pulled toward 0.5; the readout
    prior predicts the next period's activity better than the naive p = 0.5."""
    m = mystery_network(3)
    assert "0." not in repr(m)  # the repr does not give the answer away
    p_true = np.array(m.reveal())
    p_thr = 1 / (1 + np.exp(-np.nanmedian(reverse.log_prior_odds_from_activity(m.o, m.x), axis=0)))
    np.testing.assert_allclose(p_thr, p_true, atol=0.01)
    p_mean = reverse.implied_prior(m.x).D_on
    assert np.all(np.abs(p_mean - 0.5) < np.abs(p_true - 0.5))
    state = reverse.estimate_from_activity(m.o, m.x, session_length=m.o.shape[0]).state
    err = {}
    for name, p in (("naive", np.full(2, 0.5)), ("readout", p_thr)):
        x = reverse.predict_learning(m.o_next, state, np.log(p), np.log(1 - p)).x
        err[name] = np.abs(x - m.x_next).mean()
    assert err["readout"] < 0.2 * err["naive"]


def test_mystery_network_rejects_a_bad_prior_range():
    with pytest.raises(ValueError, match=r"p_range must satisfy 0 < low < high < 1"):
        mystery_network(0, p_range=(0.5, 0.2))
