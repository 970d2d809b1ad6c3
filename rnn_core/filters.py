"""From the logits o_t to the distribution q_t a token is drawn from.

The rules act in this order (each one that is on; see ``rnn_core.limits`` for the ranges):

1. repetition penalty θ (CTRL): for every token already in the context (the prompt and what was
   generated so far, i.e. every token fed in up to x_t), o_v / θ if o_v > 0, else o_v · θ;
2. temperature T: y = softmax(o / T), computed stably (T = 0: the argmax limit);
3. top-k: the k most probable tokens;
4. top-p: the smallest most-probable set whose mass reaches p;
5. min-p: the tokens with p_v >= min_p · max_v p_v;
6. typical-p: tokens ordered by how close their surprisal -ln p_v is to the entropy H(p), the
   smallest such set whose mass reaches typical_p (Meister et al., locally typical sampling).

Each filter sees the distribution the previous ones left, renormalised over what they kept. So
when top-k and top-p are both set, top-p measures mass *within the top-k set*: y = [.4, .3, .2,
.1] with k = 2 keeps [.4, .3], renormalised to [4/7, 3/7]; top-p = 0.55 then keeps the first
token alone (4/7 >= 0.55), although 0.4 of the original mass would not reach 0.55.
Ties are broken by vocabulary order, and every kept set is listed in vocabulary order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .rule import Rule
from .step import NO_IDS, Stage, softmax

TOLERANCE = 1e-12  # relative: a mass or ratio this close to its threshold counts as reaching it


def context_ids(context: Sequence[int]) -> np.ndarray:
    """The distinct ids of ``context`` (every token fed in so far), sorted: (m,) int32."""
    return np.unique(np.asarray(context, dtype=np.int32)) if len(context) else NO_IDS


def penalise(o: np.ndarray, ids: np.ndarray, penalty: float) -> np.ndarray:
    """A copy of logits o (V,) with the CTRL repetition penalty on ``ids``: o_v / penalty where
    o_v > 0, o_v * penalty otherwise (so a penalty > 1 always makes those tokens less likely)."""
    out = o.copy()
    z = out[ids]
    out[ids] = np.where(z > 0, z / penalty, z * penalty)
    return out


def _reaching(order: np.ndarray, y: np.ndarray, mass: float) -> np.ndarray:
    """The shortest prefix of ``order`` whose mass under y reaches ``mass``, in vocabulary order."""
    total = np.cumsum(y[order])
    n = int(np.searchsorted(total, mass * (1 - TOLERANCE))) + 1
    return np.sort(order[:n])


def most_probable(y: np.ndarray, ids: np.ndarray, n: int) -> np.ndarray:
    """The n most probable of ``ids`` (increasing) under y (V,), equal probabilities taken in
    vocabulary order, listed in vocabulary order. Found from the n-th largest value
    (``np.partition``), without sorting: a stable argsort at V = 20,000 cost milliseconds a step."""
    p = y[ids]
    if n >= len(p):
        return ids
    v = np.partition(p, len(p) - n)[len(p) - n]  # the n-th largest
    keep = p > v
    keep[np.flatnonzero(p == v)[: n - int(keep.sum())]] = True  # the first ties, in vocabulary order
    return ids[keep]


def keep_top_k(y: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """The k most probable of ``ids`` under y (V,)."""
    return most_probable(y, ids, k)


def keep_top_p(y: np.ndarray, ids: np.ndarray, p: float) -> np.ndarray:
    """The smallest most-probable subset of ``ids`` whose mass under y reaches p: as many as the
    cumulative mass of the sorted probabilities needs."""
    total = np.cumsum(np.sort(y[ids])[::-1])
    return most_probable(y, ids, int(np.searchsorted(total, p * (1 - TOLERANCE))) + 1)


def keep_min_p(y: np.ndarray, ids: np.ndarray, min_p: float) -> np.ndarray:
    """The ``ids`` whose probability is at least min_p times the largest one."""
    p = y[ids]
    return ids[p >= min_p * p.max() * (1 - TOLERANCE)]


def keep_typical(y: np.ndarray, ids: np.ndarray, mass: float) -> np.ndarray:
    """Locally typical set: ``ids`` ordered by |-ln y_v - H(y)|, the smallest prefix reaching
    ``mass``. y must be normalised over ``ids``; tokens with y_v = 0 come last."""
    p = y[ids]
    with np.errstate(divide="ignore"):
        surprisal = -np.log(p)  # inf where p = 0
    H = float(np.dot(p[p > 0], surprisal[p > 0]))
    return _reaching(ids[np.argsort(np.abs(surprisal - H), kind="stable")], y, mass)


@dataclass(frozen=True)
class Filter:
    """One filter: its name, the Rule field holding its knob, and when that knob is on."""

    name: str
    key: str
    is_on: Callable[[float], bool]
    keep: Callable[[np.ndarray, np.ndarray, float], np.ndarray]


FILTERS = (
    Filter("top-k", "top_k", lambda k: k > 0, keep_top_k),
    Filter("top-p", "top_p", lambda p: p < 1, keep_top_p),
    Filter("min-p", "min_p", lambda m: m > 0, keep_min_p),
    Filter("typical-p", "typical_p", lambda p: p < 1, keep_typical),
)


def renormalised(y: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """y (V,) restricted to ``kept`` and rescaled to sum to 1."""
    q = np.zeros_like(y)
    q[kept] = y[kept]
    return q / q.sum()


def apply_filters(y: np.ndarray, rule: Rule) -> tuple[np.ndarray, tuple[Stage, ...]]:
    """Run the filters ``rule`` switches on, in order, over the tempered distribution y (V,).

    Returns q (V,), the result renormalised (y itself, not a copy, when no filter cut anything),
    and one ``Stage`` per filter that was on, with the ids it kept.
    """
    q, ids, stages = y, np.arange(len(y), dtype=np.int32), []
    for f in FILTERS:
        value = getattr(rule, f.key)
        if not f.is_on(value):
            continue
        kept = f.keep(q, ids, value).astype(np.int32)
        stages.append(Stage(f.name, kept))
        if len(kept) < len(ids):
            q, ids = renormalised(q, kept), kept
    return q, tuple(stages)


@dataclass(frozen=True)
class Distribution:
    """q_t and how it was made: what each filter kept, which ids the penalty applied to."""

    q: np.ndarray  # (V,)
    stages: tuple[Stage, ...]
    penalised: np.ndarray  # (m,) int32

    @property
    def kept(self) -> np.ndarray:
        """Ids that survived every filter, in vocabulary order."""
        return self.stages[-1].kept if self.stages else np.arange(len(self.q), dtype=np.int32)


def sampling_distribution(logits: np.ndarray, rule: Rule, context: Sequence[int] = (),
                          probs: np.ndarray | None = None) -> Distribution:
    """The distribution ``rule`` samples from, given logits o_t (V,) and the ids fed in so far.

    The repetition penalty on o_t, then softmax(o / T), then the filters (module docstring).
    ``probs``: y_t = softmax(o_t) when the caller holds it already; it is reused, not
    recomputed, when neither the penalty nor the temperature changes it, so q may be that very
    array. Temperature 0 gives the argmax limit (ties split evenly) before the filters.
    """
    penalised = context_ids(context) if rule.penalises else NO_IDS
    o = penalise(logits, penalised, rule.repetition_penalty) if len(penalised) else logits
    if probs is not None and o is logits and rule.temperature == 1:
        y = probs
    else:
        y = softmax(o, rule.temperature)
    q, stages = apply_filters(y, rule)
    return Distribution(q, stages, penalised)


def kept_mass(trace, rule: Rule) -> float:
    """The mass the tokens q_t kept had under softmax(o_t / T) (after the repetition penalty on
    ``trace.penalised``): what q_t divides them by, since each filter renormalises what the one
    before it kept. 1 when nothing was cut. ``trace``: a ``StepTrace`` picked under ``rule``."""
    o = penalise(trace.logits, trace.penalised, rule.repetition_penalty) if len(trace.penalised) else trace.logits
    return float(softmax(o, rule.temperature)[list(trace.kept)].sum())
