"""The exact dictionary between canonical networks and binary-factor POMDPs, both directions (SPEC §4.5, §4.7).

Network side (SPEC §1.5 "network layout", postsynaptic x presynaptic) and Bayesian side
(stacked layout, child x parent, SPEC §1.5). Synaptic/likelihood quantities may carry any
number of leading axes, e.g. a session axis ``(Nsess, ...)``; the conversion always acts on
the **last two** axes (transpose of the last two axes — never of all axes, which is the bug
of the authors' Python port, SPEC §4.7).

Bayes -> network:  ``W = logit(A^T)`` (last two axes), ``W1 = W[..., :Nx, :No]``,
``W0 = W[..., Nx:, :No]``; likewise K from Bbar and V from Cbar; ``phi = ln D``, ``psi = ln E``;
``x = s_ON``, ``y = delta_ON``.
Network -> Bayes: ``A_ON,ON = sigma(W1)^T``, ``A_OFF,ON = 1 - sigma(W1)^T``, ``A_ON,OFF = sigma(W0)^T``,
``A_OFF,OFF = 1 - sigma(W0)^T``; ``D = exp(phi)`` (not renormalised); ``s = (x; 1 - x)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from fepteach._validate import as_float_array, check_closed_unit, check_open_unit, check_shape
from fepteach.maths import threshold_term
from fepteach.neurons import logit
from fepteach.pomdp import blocks, from_blocks, stack

__all__ = [
    "SingleLayerNetwork",
    "SingleLayerBayes",
    "TwoLayerNetwork",
    "TwoLayerBayes",
    "bayes_to_network",
    "network_to_bayes",
    "bayes_to_network_two_layer",
    "network_to_bayes_two_layer",
    "weights_from_mapping",
    "mapping_from_weights",
    "threshold_constants",
]


@dataclass
class SingleLayerNetwork:
    """Variables of a single-layer canonical network (SPEC §2.1–2.2).

    Attributes
    ----------
    x : (T, Nx) — firing intensities in [0, 1]
    W1 : (..., Nx, No) — excitatory-like weights (leading axes, e.g. sessions, optional)
    W0 : (..., Nx, No) — inhibitory-like weights
    phi1 : (Nx,) — constant part of threshold h1 (= ln D_ON)
    phi0 : (Nx,) — constant part of threshold h0 (= ln D_OFF)
    """

    x: np.ndarray
    W1: np.ndarray
    W0: np.ndarray
    phi1: np.ndarray
    phi0: np.ndarray

    def thresholds(self):
        """Adaptive thresholds ``(h1, h0)``, each (..., Nx) (SPEC eq. 1.2)."""
        return threshold_term(self.W1) + self.phi1, threshold_term(self.W0) + self.phi0


@dataclass
class SingleLayerBayes:
    """Variables of the single-layer POMDP (SPEC §4.1–4.2), stacked layout (SPEC §1.5).

    Attributes
    ----------
    s_stacked : (T, 2*Ns) — posterior expectations ``(s; 1 - s)`` (ON half first)
    A : (..., 2*No, 2*Ns) — posterior mean likelihood ``A[a*No+i, b*Ns+j] = P(o_i=a | s_j=b)``
    D : (2*Ns,) — state prior ``(D_ON; D_OFF)`` (positive; need not be normalised)
    """

    s_stacked: np.ndarray
    A: np.ndarray
    D: np.ndarray


@dataclass
class TwoLayerNetwork:
    """Variables of the two-layer network of P2 (SPEC §2.4).

    Attributes
    ----------
    x : (T, Nx) — middle-layer activity
    y : (T, Ny) — output-layer activity
    W1, W0 : (..., Nx, No) — feed-forward weights
    K1, K0 : (..., Nx, Nx) — recurrent weights (postsynaptic = current, presynaptic = previous x)
    V1, V0 : (..., Ny, Nx) — output weights (presynaptic = previous x)
    phi1, phi0 : (Nx,) — threshold constants of the middle layer (= ln D)
    psi1, psi0 : (Ny,) — threshold constants of the output layer (= ln E)
    """

    x: np.ndarray
    y: np.ndarray
    W1: np.ndarray
    W0: np.ndarray
    K1: np.ndarray
    K0: np.ndarray
    V1: np.ndarray
    V0: np.ndarray
    phi1: np.ndarray
    phi0: np.ndarray
    psi1: np.ndarray
    psi0: np.ndarray

    def thresholds(self):
        """Adaptive thresholds ``(h1, h0, m1, m0)``, shapes (..., Nx), (..., Nx), (..., Ny), (..., Ny) (SPEC §2.4)."""
        h1 = threshold_term(self.W1) + threshold_term(self.K1) + self.phi1
        h0 = threshold_term(self.W0) + threshold_term(self.K0) + self.phi0
        return h1, h0, threshold_term(self.V1) + self.psi1, threshold_term(self.V0) + self.psi0


@dataclass
class TwoLayerBayes:
    """Variables of the two-layer POMDP of P2 (SPEC §4.6), stacked layout (SPEC §1.5).

    Attributes
    ----------
    s_stacked : (T, 2*Ns) — state posteriors ``(s; 1 - s)``
    delta_stacked : (T, 2*Nd) — decision posteriors ``(delta; 1 - delta)``
    A : (..., 2*No, 2*Ns) — likelihood, child o, parent s
    Bbar : (..., 2*Ns, 2*Ns) — postdictive transition, child s_{tau-1}, parent s_tau
    Cbar : (..., 2*Ns, 2*Nd) — postdictive policy mapping, child s_{tau-1}, parent delta_tau
    D : (2*Ns,) — state prior; E : (2*Nd,) — decision prior
    """

    s_stacked: np.ndarray
    delta_stacked: np.ndarray
    A: np.ndarray
    Bbar: np.ndarray
    Cbar: np.ndarray
    D: np.ndarray
    E: np.ndarray


# ---------------------------------------------------------------------------
# Elementary conversions
# ---------------------------------------------------------------------------


def weights_from_mapping(M, name: str = "A"):
    """``(M1, M0)`` from a stacked child-given-parent mapping: ``logit`` of the ON-child blocks, transposed.

    ``M``: (..., 2*Nc, 2*Np), entries in (0, 1). Returns ``M1[..., j, i] = logit(M[..., i, j])`` and
    ``M0[..., j, i] = logit(M[..., i, Np + j])``, each (..., Np, Nc) (postsynaptic = parent) (SPEC §4.5).

    Parameters
    ----------
    M : array_like, shape (..., 2*Nc, 2*Np)
    name : str, optional
        The parameter's name in error messages.

    Returns
    -------
    M1, M0 : numpy.ndarray, each shape (..., Np, Nc)

    Examples
    --------
    >>> A = np.array([[0.8, 0.3], [0.2, 0.7]])  # one input, one hidden factor
    >>> W1, W0 = weights_from_mapping(A)
    >>> round(float(W1[0, 0]), 4), round(float(W0[0, 0]), 4)  # logit(0.8), logit(0.3)
    (1.3863, -0.8473)
    """
    M = as_float_array(name, M)
    if M.ndim < 2 or M.shape[-1] % 2 or M.shape[-2] % 2:
        raise ValueError(f"{name} must have shape (..., 2*Nc, 2*Np) (stacked layout); got {M.shape}")
    check_open_unit(name, M)
    b = blocks(M)
    return logit(np.swapaxes(b.on_on, -1, -2)), logit(np.swapaxes(b.on_off, -1, -2))


def mapping_from_weights(M1, M0, name1: str = "W1", name0: str = "W0"):
    """Stacked mapping from a weight pair (inverse of :func:`weights_from_mapping`, SPEC §4.5).

    ``M1, M0``: (..., Npost, Npre). Returns (..., 2*Npre, 2*Npost) with ON-child blocks
    ``sigma(M1)^T``, ``sigma(M0)^T`` and OFF-child blocks their complements.

    Parameters
    ----------
    M1, M0 : array_like, shape (..., Npost, Npre)
    name1, name0 : str, optional
        Names in error messages.

    Returns
    -------
    numpy.ndarray, shape (..., 2*Npre, 2*Npost)

    Examples
    --------
    >>> A = np.array([[0.8, 0.3], [0.2, 0.7]])
    >>> bool(np.allclose(mapping_from_weights(*weights_from_mapping(A)), A))
    True
    """
    M1 = as_float_array(name1, M1)
    M0 = as_float_array(name0, M0)
    if M1.ndim < 2:
        raise ValueError(f"{name1} must be at least 2-D (..., Npost, Npre); got shape {M1.shape}")
    if M0.shape != M1.shape:
        raise ValueError(f"{name0} must have the same shape as {name1} {M1.shape}; got {M0.shape}")
    p1 = np.swapaxes(expit(M1), -1, -2)
    p0 = np.swapaxes(expit(M0), -1, -2)
    return from_blocks(p1, p0, 1.0 - p1, 1.0 - p0)


def threshold_constants(W1, W0, h1, h0):
    """Threshold constants behind given thresholds: ``phi = h - ln(1 - sigma(W)) 1`` (P1 eq. 1.2, SPEC §4.5).

    The inverse of :func:`fepteach.neurons.adaptive_thresholds`. Under the dictionary ``phi = ln D``,
    so the implied prior is ``D_ON = exp(phi1) / (exp(phi1) + exp(phi0))``.

    Parameters
    ----------
    W1, W0 : array_like, shape (..., Nx, No)
    h1, h0 : array_like, shape (..., Nx)

    Returns
    -------
    phi1, phi0 : numpy.ndarray, each shape (..., Nx)

    Examples
    --------
    >>> W = np.zeros((1, 2))
    >>> threshold_constants(W, W, [-1.0], [-2.0])  # h = 2 ln(1/2) + phi
    (array([0.38629436]), array([-0.61370564]))
    """
    return (as_float_array("h1", h1) - threshold_term(as_float_array("W1", W1)),
            as_float_array("h0", h0) - threshold_term(as_float_array("W0", W0)))


# ---------------------------------------------------------------------------
# Whole-model conversions
# ---------------------------------------------------------------------------


def _activity(name, a, n=None):
    a = as_float_array(name, a, ndim=2)
    if n is not None:
        check_shape(name, a, (None, n))
    check_closed_unit(name, a)
    return a


def _on_half(name, s):
    s = _activity(name, s)
    if s.shape[1] % 2:
        raise ValueError(f"{name} must have shape (T, 2*N) (stacked (s; 1-s)); got {s.shape}")
    return s[:, : s.shape[1] // 2].copy()


def _log_prior(name, D, n):
    D = as_float_array(name, D, ndim=1)
    check_shape(name, D, (2 * n,))
    if np.any(D <= 0):
        raise ValueError(f"{name} must be positive (a prior over ON/OFF); found {D[D <= 0][0]:g}")
    lnD = np.log(D)
    return lnD[:n], lnD[n:]


def _consts(name1, c1, name0, c0, n):
    c1 = as_float_array(name1, c1, ndim=1)
    c0 = as_float_array(name0, c0, ndim=1)
    check_shape(name1, c1, (n,))
    check_shape(name0, c0, (n,))
    return c1, c0


def bayes_to_network(p: SingleLayerBayes) -> SingleLayerNetwork:
    """Bayes -> network, single layer (SPEC §4.5): ``x = s_ON``, ``W = logit(A^T)`` blocks, ``phi = ln D``.

    Parameters
    ----------
    p : SingleLayerBayes

    Returns
    -------
    SingleLayerNetwork

    Examples
    --------
    >>> p = SingleLayerBayes(s_stacked=np.array([[0.9, 0.1]]), A=np.array([[0.8, 0.3], [0.2, 0.7]]), D=np.array([0.5, 0.5]))
    >>> n = bayes_to_network(p)
    >>> float(n.x[0, 0]), round(float(n.phi1[0]), 4)
    (0.9, -0.6931)
    """
    W1, W0 = weights_from_mapping(p.A, "A")
    Nx = W1.shape[-2]
    x = _on_half("s_stacked", p.s_stacked)
    check_shape("s", x, (None, Nx))
    phi1, phi0 = _log_prior("D", p.D, Nx)
    return SingleLayerNetwork(x=x, W1=W1, W0=W0, phi1=phi1, phi0=phi0)


def network_to_bayes(n: SingleLayerNetwork) -> SingleLayerBayes:
    """Network -> Bayes, single layer (SPEC §4.5): ``s = (x; 1-x)``, ``A`` from sigma(W), ``D = exp(phi)``.

    Parameters
    ----------
    n : SingleLayerNetwork

    Returns
    -------
    SingleLayerBayes

    Examples
    --------
    >>> p = SingleLayerBayes(s_stacked=np.array([[0.9, 0.1]]), A=np.array([[0.8, 0.3], [0.2, 0.7]]), D=np.array([0.5, 0.5]))
    >>> q = network_to_bayes(bayes_to_network(p))
    >>> bool(np.allclose(q.A, p.A) and np.allclose(q.s_stacked, p.s_stacked))
    True
    """
    A = mapping_from_weights(n.W1, n.W0)
    Nx = A.shape[-1] // 2
    x = _activity("x", n.x, Nx)
    phi1, phi0 = _consts("phi1", n.phi1, "phi0", n.phi0, Nx)
    return SingleLayerBayes(s_stacked=stack(x), A=A, D=np.exp(np.concatenate([phi1, phi0])))


def bayes_to_network_two_layer(p: TwoLayerBayes) -> TwoLayerNetwork:
    """Bayes -> network, two layers (SPEC §4.7): W from A, K from Bbar, V from Cbar (last-two-axes transpose).

    Parameters
    ----------
    p : TwoLayerBayes

    Returns
    -------
    TwoLayerNetwork

    Examples
    --------
    >>> half = np.full((2, 2), 0.5)
    >>> p = TwoLayerBayes(s_stacked=np.array([[0.9, 0.1]]), delta_stacked=np.array([[0.2, 0.8]]),
    ...                   A=np.array([[0.8, 0.3], [0.2, 0.7]]), Bbar=half, Cbar=half, D=np.full(2, 0.5), E=np.full(2, 0.5))
    >>> n = bayes_to_network_two_layer(p)
    >>> float(n.K1[0, 0]), float(n.y[0, 0])  # Bbar = 1/2: no recurrent weight
    (0.0, 0.2)
    """
    W1, W0 = weights_from_mapping(p.A, "A")
    K1, K0 = weights_from_mapping(p.Bbar, "Bbar")
    V1, V0 = weights_from_mapping(p.Cbar, "Cbar")
    Nx, Ny = W1.shape[-2], V1.shape[-2]
    if K1.shape[-2:] != (Nx, Nx):
        raise ValueError(f"Bbar must have shape (..., {2 * Nx}, {2 * Nx}) to match A; got {np.shape(p.Bbar)}")
    if V1.shape[-1] != Nx:
        raise ValueError(f"Cbar must have {2 * Nx} rows (2*Ns) to match A; got {np.shape(p.Cbar)}")
    x = _on_half("s_stacked", p.s_stacked)
    check_shape("s", x, (None, Nx))
    y = _on_half("delta_stacked", p.delta_stacked)
    check_shape("delta", y, (None, Ny))
    phi1, phi0 = _log_prior("D", p.D, Nx)
    psi1, psi0 = _log_prior("E", p.E, Ny)
    return TwoLayerNetwork(x=x, y=y, W1=W1, W0=W0, K1=K1, K0=K0, V1=V1, V0=V0,
                           phi1=phi1, phi0=phi0, psi1=psi1, psi0=psi0)


def network_to_bayes_two_layer(n: TwoLayerNetwork) -> TwoLayerBayes:
    """Network -> Bayes, two layers (SPEC §4.7): inverse of :func:`bayes_to_network_two_layer`.

    Parameters
    ----------
    n : TwoLayerNetwork

    Returns
    -------
    TwoLayerBayes

    Examples
    --------
    >>> half = np.full((2, 2), 0.5)
    >>> p = TwoLayerBayes(s_stacked=np.array([[0.9, 0.1]]), delta_stacked=np.array([[0.2, 0.8]]),
    ...                   A=np.array([[0.8, 0.3], [0.2, 0.7]]), Bbar=half, Cbar=half, D=np.full(2, 0.5), E=np.full(2, 0.5))
    >>> q = network_to_bayes_two_layer(bayes_to_network_two_layer(p))
    >>> bool(np.allclose(q.A, p.A) and np.allclose(q.delta_stacked, p.delta_stacked))
    True
    """
    A = mapping_from_weights(n.W1, n.W0)
    Bbar = mapping_from_weights(n.K1, n.K0, "K1", "K0")
    Cbar = mapping_from_weights(n.V1, n.V0, "V1", "V0")
    Nx, Ny = A.shape[-1] // 2, Cbar.shape[-1] // 2
    if Bbar.shape[-2:] != (2 * Nx, 2 * Nx):
        raise ValueError(f"K1 must have shape (..., {Nx}, {Nx}) to match W1; got {np.shape(n.K1)}")
    if Cbar.shape[-2] != 2 * Nx:
        raise ValueError(f"V1 must have {Nx} columns (Nx) to match W1; got {np.shape(n.V1)}")
    x = _activity("x", n.x, Nx)
    y = _activity("y", n.y, Ny)
    phi1, phi0 = _consts("phi1", n.phi1, "phi0", n.phi0, Nx)
    psi1, psi0 = _consts("psi1", n.psi1, "psi0", n.psi0, Ny)
    return TwoLayerBayes(s_stacked=stack(x), delta_stacked=stack(y), A=A, Bbar=Bbar, Cbar=Cbar,
                         D=np.exp(np.concatenate([phi1, phi0])), E=np.exp(np.concatenate([psi1, psi0])))
