"""How far back the network remembers: gradients of each prediction with respect to the past.

For a sequence of tokens w_0, w_1, ..., w_T (typed, or a generated path), h_0 = 0, the input at
position s = 1..T is x_s = embedding[w_{s-1}] and the prediction at position t is
log y_t[w_t]. The chain rule through the recurrence

    d/dh_{s-1} = W_h^T (d/da_s),    d/da_s = (1 - h_s^2) * d/dh_s,    d/dx_s = W_x^T (d/da_s)

gives, for every t and every s <= t, how much a small change of x_s (or of h_s) moves the
prediction at t. One backward sweep handles every t at once: going from s = T down to 1, a (T, H)
block holds d log y_t[w_t] / dh_s for all t >= s, and each step down is one matrix product.

The loss at step t alone, L_t = -log y_t[w_t], has the same gradient up to sign, so
``gradient_reach`` reads ||dL_t/dh_{t-k}|| off the same sweep: the curve that shows gradients
vanish (or explode) as k grows. Everything is computed in float64, whatever the model's dtype, so
a gradient of 1e-40 is a number rather than an underflowed zero.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace

import numpy as np

from .bptt import forward_seq
from .errors import ConfigError, VocabularyError
from .model import Model
from .sample import token_ids
from .step import StepTrace
from .weights import Params

MAX_POSITIONS = 1000  # longest sequence for the (T, T) matrices: cost grows as T^2 H^2
WRT = ("x", "h")


@dataclass(frozen=True)
class Influence:
    """How much each past position moves each prediction: a (T, T) lower-triangular matrix.

    Row t - 1 is the prediction at step t (``predicted[t - 1]`` = w_t, the token that follows
    input t); column s - 1 is input position s (``inputs[s - 1]`` = w_{s-1}, fed in as x_s).
    ``norms[t - 1, s - 1]`` = ||d log y_t[w_t] / d x_s|| (wrt='x'), or ||d log y_t[w_t] / d h_s||
    (wrt='h', h_s being the state right after reading input s); zero for s > t, since the
    future cannot change a prediction already made.
    """

    inputs: tuple[str, ...]  # (T,) column labels: the token fed in at s = 1..T
    predicted: tuple[str, ...]  # (T,) row labels: the token w_t predicted at t = 1..T
    wrt: str  # 'x' (input embedding x_s) or 'h' (hidden state h_s)
    norms: np.ndarray  # (T, T) float64, lower triangular
    log_probs: np.ndarray  # (T,) log y_t[w_t]


@dataclass(frozen=True)
class GradientReach:
    """||dL_t/dh_{t-k}|| for the loss at step t alone, L_t = -log y_t[target_t], k = 0..t-1.

    ``by_k[t - 1, k]`` is that norm for k < t, and nan for k >= t (there is no h_{t-k} with
    t - k < 1): row t - 1 is the curve for step t, whose decay with k is the vanishing gradient.
    """

    inputs: tuple[str, ...]  # (T,) token fed in at t = 1..T
    targets: tuple[str, ...]  # (T,) target_t, the true next token at t = 1..T
    by_k: np.ndarray  # (T, T) float64, nan where k >= t
    losses: np.ndarray  # (T,) L_t = -log y_t[target_t]
    radius: float  # spectral radius of W_h (see ``spectral_radius``)

    def curve(self, t: int) -> np.ndarray:
        """(t,) ||dL_t/dh_{t-k}|| for k = 0..t-1, for step t = 1..T."""
        if not 1 <= t <= len(self.targets):
            raise ConfigError(f"step must be from 1 to {len(self.targets)}, not {t}.")
        return self.by_k[t - 1, :t].copy()


def path_tokens(traces: list[StepTrace]) -> list[str]:
    """The tokens of a generated path, w_0..w_T: its first input, then every chosen token."""
    if not traces:
        raise ConfigError("the path is empty; generate at least one token first.")
    return [traces[0].input] + [tr.token for tr in traces]


def sequence_ids(model: Model, tokens) -> list[int]:
    """Ids of w_0..w_T from text (tokenized at the model's level) or a list of tokens.

    Raises VocabularyError for an unknown or too short sequence, ConfigError for a too long one.
    """
    ids = token_ids(model, tokens, MAX_POSITIONS + 1, "sequence")
    if len(ids) < 2:
        raise VocabularyError("give at least two tokens: one to feed in and one to predict.")
    return ids


def _sweep(params: Params, ids: list[int], wrt: str) -> tuple[np.ndarray, np.ndarray]:
    """(norms (T, T), log y_t[w_t] (T,)) for inputs ids[:-1] and predictions ids[1:], float64.

    G holds row t - 1 = d log y_t[w_t] / dh_s for the current s; rows t < s stay zero.
    """
    p = params.astype(np.float64)
    X, W = np.asarray(ids[:-1]), np.asarray(ids[1:])
    T, H = len(X), p.W_h.shape[0]
    fwd = forward_seq(p, X[:, None], np.zeros((1, H)))
    hs, y = fwd.hs[1:, 0], fwd.probs[:, 0]  # (T, H) h_1..h_T, (T, V) y_1..y_T
    dO = -y
    dO[np.arange(T), W] += 1  # d log y_t[w_t] / do_t = onehot(w_t) - y_t
    direct = dO @ p.W_y  # (T, H) row t - 1: d log y_t[w_t] / dh_t through o_t
    norms = np.zeros((T, T))
    G = np.zeros((T, H))
    for s in range(T, 0, -1):
        rows = slice(s - 1, T)  # predictions t >= s
        G[s - 1] = direct[s - 1]
        if wrt == "h":
            norms[rows, s - 1] = np.linalg.norm(G[rows], axis=1)
        dA = G[rows] * (1 - hs[s - 1] ** 2)  # d/da_s
        if wrt == "x":
            norms[rows, s - 1] = np.linalg.norm(dA @ p.W_x, axis=1)
        G[rows] = dA @ p.W_h  # d/dh_{s-1}
    log_probs = np.log(np.maximum(y[np.arange(T), W], np.finfo(float).tiny))
    return norms, log_probs


def influence(model: Model, tokens, wrt: str = "x") -> Influence:
    """||d log y_t[w_t] / d x_s|| (or / d h_s) for every prediction t and input position s <= t.

    Inputs: ``tokens`` w_0..w_T as text (tokenized at the model's level) or a list of tokens, for
    example ``path_tokens(traces)`` of a generated path; T = len - 1 <= MAX_POSITIONS; h_0 = 0.
    Returns an ``Influence`` whose ``norms`` is (T, T).
    """
    if wrt not in WRT:
        raise ConfigError(f"wrt must be 'x' or 'h', not {wrt!r}.")
    ids = sequence_ids(model, tokens)
    norms, log_probs = _sweep(model.params, ids, wrt)
    names = model.vocab.tokens
    return Influence(tuple(names[i] for i in ids[:-1]), tuple(names[i] for i in ids[1:]), wrt, norms, log_probs)


def gradient_reach(model: Model, tokens) -> GradientReach:
    """||dL_t/dh_{t-k}|| for k = 0..t-1 and every t of a teacher-forced sequence.

    Inputs: ``tokens`` w_0..w_T as in ``influence`` (input t is w_{t-1}, target_t is w_t).
    Returns a ``GradientReach`` whose ``by_k`` is (T, T). |dL_t/dh| = |d log y_t[w_t]/dh|, so this
    is ``influence(..., wrt='h')`` read along diagonals: by_k[t - 1, k] = norms[t - 1, t - 1 - k].
    """
    inf = influence(model, tokens, wrt="h")
    T = len(inf.inputs)
    t, k = np.meshgrid(np.arange(T), np.arange(T), indexing="ij")
    by_k = np.where(k <= t, inf.norms[t, np.maximum(t - k, 0)], np.nan)
    return GradientReach(inf.inputs, inf.predicted, by_k, -inf.log_probs, spectral_radius(model.params.W_h))


def spectral_radius(W_h: np.ndarray) -> float:
    """max |eigenvalue| of W_h (H, H): below 1 the linearised recurrence shrinks every direction
    over many steps (gradients vanish); above 1 some direction can grow (they may explode)."""
    return float(np.max(np.abs(np.linalg.eigvals(np.asarray(W_h, dtype=np.float64)))))


def scale_W_h(model: Model, factor: float) -> Model:
    """A new model whose W_h is ``factor`` * W_h (so its spectral radius is factor * radius);
    every other array is a copy, and ``model`` itself is untouched. ``factor``: finite, >= 0."""
    if not (isinstance(factor, numbers.Real) and not isinstance(factor, bool)
            and math.isfinite(factor) and factor >= 0):
        raise ConfigError(f"the W_h scale factor must be a finite number >= 0, not {factor!r}.")
    params = model.params.copy()
    params = replace(params, W_h=(params.W_h * factor).astype(params.W_h.dtype))
    return replace(model, params=params)
