"""One forward step of the RNN and the trace record it leaves.

Every number the app shows, the CLI prints and the tests check comes from a ``StepTrace``:
nobody recomputes the math outside this package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from .weights import Params

HOWS = ("prompt", "greedy", "sampled", "forced")


def softmax(o: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """softmax(o / T) over the last axis of logits o (..., V), finite and summing to 1 for any
    logits and any T > 0; T = 0 gives its limit, the argmax (ties split evenly among the maxima).

    The maximum is subtracted *before* dividing by T, so o / T never overflows: every term of the
    exponent is <= 0, and a T so small that (o_v - max) / T overflows to -inf just gives e = 0.
    The division is done in float64 (T = 1e-310 would round to 0 in float32); the result has
    the logits' dtype.
    """
    fmax = np.finfo(o.dtype).max if np.issubdtype(o.dtype, np.floating) else np.finfo(float).max
    z = np.clip(o, -fmax, fmax)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        z = z - z.max(axis=-1, keepdims=True)  # <= 0; -inf where the difference overflows
        if temperature == 0:
            e = (z == 0).astype(z.dtype)
        elif temperature == 1:
            e = np.exp(z)
        else:
            e = np.exp(z / np.float64(temperature)).astype(z.dtype, copy=False)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Forward:
    """The terms of one step, before any token is chosen (see ``forward_step``)."""

    x: np.ndarray  # (E,) embedding of the input token
    h_prev: np.ndarray  # (H,) h_{t-1}
    Wx_x: np.ndarray  # (H,) W_x x_t
    Wh_h: np.ndarray  # (H,) W_h h_{t-1}
    a: np.ndarray  # (H,) pre-activation W_x x_t + W_h h_{t-1} + b_h
    h: np.ndarray  # (H,) h_t = tanh(a)
    logits: np.ndarray  # (V,) o_t = W_y h_t + b_y
    probs: np.ndarray  # (V,) y_t = softmax(o_t)


def forward_step(params: Params, token_id: int, h_prev: np.ndarray) -> Forward:
    """h_t = tanh(W_x x_t + W_h h_{t-1} + b_h), o_t = W_y h_t + b_y, y_t = softmax(o_t).

    Inputs: token_id of x_t; h_prev (H,). Returns every intermediate term as a ``Forward``.
    """
    x = params.embedding[token_id]
    Wx_x = params.W_x @ x
    Wh_h = params.W_h @ h_prev
    a = Wx_x + Wh_h + params.b_h
    h = np.tanh(a)
    o = params.W_y @ h + params.b_y
    return Forward(x, h_prev, Wx_x, Wh_h, a, h, o, softmax(o))


NO_IDS = np.zeros(0, np.int32)  # an empty id list shared by every step that penalises nothing
NO_IDS.flags.writeable = False


def _no_ids() -> np.ndarray:
    return NO_IDS


@dataclass(frozen=True)
class Stage:
    """One filter's cut: its name ('top-k', 'top-p', 'min-p', 'typical-p') and the ids it kept,
    in vocabulary order (a subset of what the filter before it kept)."""

    name: str
    kept: np.ndarray  # (n,) int32 ids


@dataclass(frozen=True)
class Pick:
    """How one step's next token was chosen (see ``rnn_core.sample.pick``).

    ``q`` the distribution it was drawn from (None: y_t itself); ``stages`` what each filter
    kept; ``draw`` the uniform u of a sampled pick; ``penalised`` the ids whose logits the
    repetition penalty changed.
    """

    token_id: int
    how: str  # 'prompt' | 'greedy' | 'sampled' | 'forced'
    q: np.ndarray | None = None  # (V,)
    stages: tuple[Stage, ...] = ()
    draw: float | None = None
    penalised: np.ndarray = field(default_factory=_no_ids)  # (m,) int32 ids in vocabulary order


@dataclass(frozen=True)
class StepTrace:
    """Everything about step t: what went in, every term, what came out, what was picked and how.

    ``q`` is the distribution the pick was drawn from: o_t with the repetition penalty, then
    temperature, then the filters in ``stages`` (see ``rnn_core.filters``). When nothing changed
    y_t (greedy, prompt and forced steps, or sampling at T = 1 with no filter), ``q`` *is*
    ``probs``, the same array, not a copy. ``stages`` holds what each filter that was on kept;
    ``kept`` the ids that survived them all. ``draw`` is the uniform number u in [0, 1) that chose
    the token by inverse CDF over ``q``, tokens stacked most probable first
    (``rnn_core.sample.slices``; None unless sampled). ``penalised`` the ids the repetition
    penalty applied to (the tokens fed in so far; empty when the penalty is off).
    """

    t: int  # 1-based step number
    input: str  # token fed in as x_t
    input_id: int
    x: np.ndarray  # (E,)
    h_prev: np.ndarray  # (H,) h_{t-1}; zeros at t = 1
    Wx_x: np.ndarray  # (H,)
    Wh_h: np.ndarray  # (H,) zero at t = 1 because h_0 = 0
    b_h: np.ndarray  # (H,)
    a: np.ndarray  # (H,) sum of the three terms above
    h: np.ndarray  # (H,)
    logits: np.ndarray  # (V,) o_t
    probs: np.ndarray  # (V,) y_t
    token: str  # the token chosen to come next (fed in at step t + 1)
    token_id: int
    how: str  # 'prompt' | 'greedy' | 'sampled' | 'forced'
    q: np.ndarray  # (V,); the very array ``probs`` when equal to y_t
    stages: tuple[Stage, ...] = ()  # one per filter that was on, in the order they acted
    draw: float | None = None
    penalised: np.ndarray = field(default_factory=_no_ids)  # (m,) int32

    @property
    def kept(self) -> Sequence[int]:
        """The ids that survived every filter, in vocabulary order: ``range(V)`` when nothing was
        cut (built on demand, so an uncut step stores no V-long list)."""
        if not self.stages:
            return range(len(self.probs))
        return tuple(int(i) for i in self.stages[-1].kept)

    @property
    def p_token(self) -> float:
        """y_t of the chosen token: the model's own probability for it."""
        return float(self.probs[self.token_id])

    @property
    def q_token(self) -> float:
        """q_t of the chosen token: the probability it was drawn with (``StepSummary.q_token``)."""
        return float(self.q[self.token_id])

    @property
    def reshaped(self) -> bool:
        """Was the pick drawn from a q_t other than y_t (temperature, a filter, the penalty)?"""
        return self.how == "sampled" and self.q is not self.probs and not np.allclose(self.q, self.probs)

    def top_ids(self, n: int) -> np.ndarray:
        """The ids a view of at most ``n`` tokens names: all of a vocabulary of up to n tokens,
        else the n most probable under y_t and the chosen one, in vocabulary order."""
        V = len(self.probs)
        if V <= n:
            return np.arange(V)
        top = np.argsort(-self.probs, kind="stable")[:n]
        return np.sort(np.union1d(top, [self.token_id]))

    @property
    def rank(self) -> int:
        """1 for the most probable token, 2 for the next, ..."""
        return rank_of(self.probs, self.token_id)

    def to_json(self, vocab: tuple[str, ...]) -> dict:
        """Plain JSON-ready dict, with the same keys as the CLI's ``--json`` steps.

        ``kept`` lists the tokens that survived every filter; ``stages`` what each filter kept,
        in order (empty when none was on); ``penalised`` the tokens the repetition penalty
        applied to.
        """
        arr = lambda v: [float(z) for z in v]  # noqa: E731
        return {
            "t": self.t,
            "input": self.input,
            "x": arr(self.x),
            "h_prev": arr(self.h_prev),
            "Wx_x": arr(self.Wx_x),
            "Wh_h": arr(self.Wh_h),
            "b_h": arr(self.b_h),
            "a": arr(self.a),
            "h": arr(self.h),
            "logits": arr(self.logits),
            "probs": arr(self.probs),
            "token": self.token,
            "how": self.how,
            "p": self.p_token,
            "q": arr(self.q),
            "kept": [vocab[i] for i in self.kept],
            "stages": [{"filter": s.name, "kept": [vocab[i] for i in s.kept]} for s in self.stages],
            "penalised": [vocab[i] for i in self.penalised],
            "draw": self.draw,
        }


def rank_of(probs: np.ndarray, token_id: int) -> int:
    """1 + how many tokens are strictly more probable than ``token_id`` under ``probs`` (V,)."""
    return int((probs > probs[token_id]).sum()) + 1


def make_trace(*, t: int, params: Params, vocab, input_id: int, forward: Forward, pick: Pick) -> StepTrace:
    """Bundle one step's ``Forward`` and the ``Pick`` made from it into a ``StepTrace``."""
    f = forward
    return StepTrace(
        t=t, input=vocab.tokens[input_id], input_id=input_id, x=f.x, h_prev=f.h_prev,
        Wx_x=f.Wx_x, Wh_h=f.Wh_h, b_h=params.b_h, a=f.a, h=f.h, logits=f.logits, probs=f.probs,
        token=vocab.tokens[pick.token_id], token_id=pick.token_id, how=pick.how,
        q=f.probs if pick.q is None else pick.q, stages=pick.stages, draw=pick.draw,
        penalised=pick.penalised,
    )
