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


def test_mystery_recording_does_not_carry_the_answer():
    """The exercise's learner-facing object holds the recorded inputs and activity and the next inputs, nothing of
    what the network did next or of its priors; reveal() gives the full record, with the same data."""
    from dataclasses import fields

    from fepteach.exercises.fixtures import mystery_recording

    rec, net = mystery_recording(4, T=300, T_next=200), mystery_network(4, T=300, T_next=200)
    assert {f.name for f in fields(rec)} == {"o", "x", "o_next", "_recipe"}
    assert not hasattr(rec, "x_next") and "x_next" not in repr(rec) and "0." not in repr(rec)
    for value in vars(rec).values():
        if isinstance(value, np.ndarray):
            assert value.shape != net.x_next.shape or not np.allclose(value, net.x_next)
    for name in ("o", "x", "o_next"):
        np.testing.assert_array_equal(getattr(rec, name), getattr(net, name))
    full = rec.reveal()
    np.testing.assert_array_equal(full.x_next, net.x_next)
    assert full.reveal() == net.reveal() == full.priors
