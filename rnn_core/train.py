"""The training loop: batches from a corpus, BPTT, clipping, an optimizer, and a callback.

Batching (``batches``): word level trains on whole sentences, char level on parallel streams,
both in pieces of at most ``seq_len`` steps carrying h. Before the first step ``train`` checks
that the run fits the memory budget (``footprint``), so a corpus with a huge vocabulary or
settings too large are refused with a message instead of exhausting the server's memory.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from .batches import Batch, batches, corpus_ids
from .bptt import MAX_EVAL_STEPS, Workspace, cross_entropy, forward_seq, loss_and_grads
from .config import SETTING, TrainConfig
from .footprint import check_training_memory
from .metrics import perplexity
from .model import Model
from .optim import Layout, Optimizer, clip_flat, make_optimizer
from .tokens import Corpus
from .weights import Params

DIVERGE_FACTOR = 3.0  # a loss this many times the first one (and 2 nats above it) is diverging


@dataclass(frozen=True)
class StepInfo:
    """What the per-step callback sees. ``params`` are the weights after this update, views into
    the loop's buffers: they stay as they are until the update after next (and for good once
    training ends), so copy them to keep a snapshot."""

    step: int  # updates done in this run, 1-based
    total: int  # updates asked for
    loss: float  # mean cross-entropy of this step's batch, before the update
    tokens_per_s: float
    params: Params


@dataclass
class TrainReport:
    """How a run went: losses per step, why it ended, and a message for the user."""

    losses: list[float] = field(default_factory=list)
    status: str = "done"  # 'done' | 'stopped' (callback asked) | 'diverged'
    message: str = ""
    tokens_per_s: float = 0.0

    @property
    def perplexities(self) -> list[float]:
        return [perplexity(v) for v in self.losses]

    def end(self, status: str, message: str) -> None:
        self.status, self.message = status, message


def is_diverging(loss: float, first: float) -> bool:
    return not math.isfinite(loss) or loss > max(DIVERGE_FACTOR * first, first + 2.0)


def divergence_message(step: int, loss: float, config: TrainConfig) -> str:
    """What happened, and what to change given the run's own settings: always the learning rate;
    for SGD also clipping (turn it on, or clip harder: an SGD update moves the weights by at most
    lr x clip). Adam and Adagrad divide each gradient by its own running size, so clipping
    changes their steps little, and the message does not suggest it."""
    what = (f"training diverged at step {step} (loss {loss:.3g}) and was stopped; the last weights with a "
            "finite, non-exploding loss were kept.")
    lower = f"Lower the learning rate (now {config.lr:g}; try {config.lr / 10:g})"
    if config.optimizer != "sgd":
        return (f"{what} {lower}: {config.optimizer} scales each step by the gradient's own size, so "
                "clipping would change little.")
    if config.clip == 0:
        return f"{what} {lower}, or turn on clipping (it is off; try {SETTING['clip'].default:g})."
    return (f"{what} {lower}, or clip harder (now {config.clip:g}; try {config.clip / 5:g}): each SGD "
            f"update moves the weights by at most lr x clip = {config.lr * config.clip:g}.")


class Weights:
    """The current and the previous weights, in two flat vectors used in turn.

    ``propose`` writes an update of the current weights into the vector holding the previous
    ones and ``accept`` makes it current; so the weights before the last accepted update are
    still there for ``step_back`` when the loss of the current ones turns out to diverge.
    """

    def __init__(self, layout: Layout, params: Params):
        self.flat = [layout.flatten(params), np.empty(layout.size, params.W_h.dtype)]
        self.views = [layout.views(f) for f in self.flat]
        self.cur = 0  # flat[cur] holds the current weights

    @property
    def current(self) -> Params:
        return self.views[self.cur]

    def propose(self, optimizer: Optimizer, grad: np.ndarray) -> bool:
        """Write the optimizer's update of the current weights into the other vector; True if
        every new weight is finite (the current weights are untouched either way)."""
        spare = self.flat[1 - self.cur]
        optimizer.update(self.flat[self.cur], grad, spare)
        return bool(np.isfinite(spare).all())

    def accept(self) -> None:
        """The proposed weights become current; the current ones become the previous."""
        self.cur = 1 - self.cur

    def step_back(self) -> None:
        """The previous weights become current again (once: the dropped ones are not kept)."""
        self.cur = 1 - self.cur


class _Loop:
    """One training run's state between steps: batches, buffers, weights, optimizer, h."""

    def __init__(self, model: Model, corpus: Corpus, config: TrainConfig):
        shape = check_training_memory(corpus, config, model).shape
        self.stream = batches(model, corpus, config)
        self.work = Workspace.of(model.params, shape.T, shape.B)
        self.weights = Weights(self.work.layout, model.params)
        self.optimizer = make_optimizer(config.optimizer, config.lr)
        self.config = config
        self.zeros = np.zeros((shape.B, config.hidden_size), self.work.dtype)  # h_0 = 0
        self.h = self.zeros
        self.n_tokens, self.start = 0, time.perf_counter()

    def step(self, step: int, report: TrainReport) -> bool:
        """One update on the next batch; False when the run must stop (it diverged)."""
        batch = next(self.stream)
        h0 = self.zeros[: batch.X.shape[1]] if batch.reset else self.h
        loss, _, fwd = loss_and_grads(self.weights.current, batch.X, batch.Y, batch.mask, h0, work=self.work)
        if is_diverging(loss, report.losses[0] if report.losses else loss):
            if report.losses:  # drop the weights that gave this loss, and the step that made them
                self.weights.step_back()
                report.losses.pop()
            report.end("diverged", divergence_message(step, loss, self.config))
            return False
        clip_flat(self.work.grad, self.config.clip)
        if not self.weights.propose(self.optimizer, self.work.grad):
            report.end("diverged", divergence_message(step, float("nan"), self.config))
            return False
        self.weights.accept()
        self.h = fwd.hs[-1]
        self.record(batch, loss, report)
        return True

    def record(self, batch: Batch, loss: float, report: TrainReport) -> None:
        report.losses.append(loss)
        self.n_tokens += batch.n_targets
        report.tokens_per_s = self.n_tokens / max(time.perf_counter() - self.start, 1e-9)


def train(model: Model, corpus: Corpus, config: TrainConfig,
          on_step: Callable[[StepInfo], bool | None] | None = None) -> tuple[Model, TrainReport]:
    """Train ``config.steps`` updates of ``model`` on ``corpus`` (the model is not modified).

    ``on_step`` is called after every update; returning False stops early, keeping what was
    learned. A non-finite or exploding loss stops training and keeps the last weights whose loss
    was finite. ConfigError, before any step, if the run would not fit the memory budget.
    Returns the new model and a ``TrainReport``.
    """
    config = replace(config, hidden_size=model.config.hidden_size, embed_dim=model.config.embed_dim,
                     dtype=model.params.W_h.dtype.name)
    loop, report = _Loop(model, corpus, config), TrainReport()
    for step in range(1, config.steps + 1):
        if not loop.step(step, report):
            break
        info = StepInfo(step, config.steps, report.losses[-1], report.tokens_per_s, loop.weights.current)
        if on_step is not None and on_step(info) is False:
            report.end("stopped", f"stopped at step {step}; kept what was learned.")
            break
    if not report.losses:
        return replace(model, config=config), report
    params = loop.weights.current.copy()  # detached from the loop's buffers
    return replace(model, config=config).with_training(params, len(report.losses), report.losses[-1]), report


def sentence_grad_norms(model: Model, tokens) -> np.ndarray:
    """||dLoss/dh_t|| for each step of one teacher-forced sentence (T,): how much of the loss's
    gradient reaches each time step. Shrinking towards the start = vanishing gradients."""
    ids = model.vocab.encode(list(tokens))
    X = np.asarray(ids[:-1])[:, None]
    Y = np.asarray(ids[1:])[:, None]
    H = model.config.hidden_size
    _, grads, _ = loss_and_grads(model.params, X, Y, np.ones(X.shape), np.zeros((1, H), model.params.W_h.dtype))
    return grads.dh_norms


def mean_loss(model: Model, corpus: Corpus) -> float:
    """Mean cross-entropy of the model over every next token of the corpus (teacher forcing).
    Long sentences run in pieces of MAX_EVAL_STEPS carrying h: the same numbers, bounded memory."""
    total = count = 0.0
    H = model.config.hidden_size
    work = Workspace.of(model.params)
    for s in corpus_ids(model, corpus):
        h = np.zeros((1, H), model.params.W_h.dtype)
        for i in range(0, len(s) - 1, MAX_EVAL_STEPS):
            piece = s[i : i + MAX_EVAL_STEPS + 1]
            X, Y = np.asarray(piece[:-1])[:, None], np.asarray(piece[1:])[:, None]
            fwd = forward_seq(model.params, X, h, work)
            total += cross_entropy(fwd, Y, np.ones(X.shape)) * len(X)
            count += len(X)
            h = fwd.hs[-1]
    return total / count
