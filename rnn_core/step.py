"""One forward step of the RNN and the trace record it leaves.

Every number the app shows, the CLI prints and the tests check comes from a ``StepTrace``:
nobody recomputes the math outside this package.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import Params

HOWS = ("prompt", "greedy", "sampled", "forced")


def softmax(o: np.ndarray) -> np.ndarray:
    """Probabilities from logits o (..., V); finite and summing to 1 even for extreme logits."""
    fmax = np.finfo(o.dtype).max if np.issubdtype(o.dtype, np.floating) else np.finfo(float).max
    z = np.clip(o, -fmax, fmax)
    with np.errstate(over="ignore", invalid="ignore"):
        z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
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


@dataclass(frozen=True)
class StepTrace:
    """Everything about step t: what went in, every term, what came out, what was picked and how.

    ``q`` is the distribution the pick was drawn from (y_t reshaped by temperature, top-k and
    top-p; equal to y_t for greedy, prompt and forced steps); ``kept`` the ids that survived
    top-k/top-p (all ids when nothing was cut); ``draw`` the uniform number u in [0, 1) that
    chose the token by inverse CDF over ``q``, tokens stacked most probable first
    (``rnn_core.sample.slices``; None unless sampled).
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
    q: np.ndarray  # (V,)
    kept: tuple[int, ...]
    draw: float | None = None

    @property
    def p_token(self) -> float:
        """y_t of the chosen token: the model's own probability for it."""
        return float(self.probs[self.token_id])

    @property
    def rank(self) -> int:
        """1 for the most probable token, 2 for the next, ..."""
        return int((self.probs > self.probs[self.token_id]).sum()) + 1

    def to_json(self, vocab: tuple[str, ...]) -> dict:
        """Plain JSON-ready dict, with the same keys as the CLI's ``--json`` steps."""
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
            "draw": self.draw,
        }


def make_trace(t: int, params: Params, vocab, input_id: int, f: Forward, token_id: int, how: str,
               q: np.ndarray | None = None, kept=None, draw: float | None = None) -> StepTrace:
    """Bundle a ``Forward`` and a choice into a ``StepTrace``."""
    V = len(f.probs)
    return StepTrace(
        t=t, input=vocab.tokens[input_id], input_id=input_id, x=f.x, h_prev=f.h_prev,
        Wx_x=f.Wx_x, Wh_h=f.Wh_h, b_h=params.b_h, a=f.a, h=f.h, logits=f.logits, probs=f.probs,
        token=vocab.tokens[token_id], token_id=token_id, how=how,
        q=f.probs if q is None else q, kept=tuple(range(V)) if kept is None else tuple(int(i) for i in kept),
        draw=draw,
    )
