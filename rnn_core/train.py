"""The training loop: batches from a corpus, BPTT, clipping, an optimizer, and a callback.

Word level trains on whole sentences (h_0 = 0 for each), padded and batched; char level cuts the
text into ``batch_size`` parallel streams and walks them in ``seq_len`` chunks, carrying h across
chunks (truncated BPTT) and resetting it to 0 when the streams start over.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Iterator

import numpy as np

from .bptt import Workspace, cross_entropy, forward_seq, loss_and_grads
from .config import TrainConfig
from .errors import CorpusError, VocabularyError
from .optim import clip_flat, make_optimizer
from .params import Model, Params
from .tokens import Corpus

DIVERGE_FACTOR = 3.0  # a loss this many times the first one (and 2 nats above it) is diverging


@dataclass(frozen=True)
class Batch:
    X: np.ndarray  # (T, B) input ids
    Y: np.ndarray  # (T, B) target ids (the next token)
    mask: np.ndarray  # (T, B) 1 where a target exists, 0 on padding
    reset: bool  # True: start from h_0 = 0; False: carry h from the previous batch
    n_targets: int  # mask.sum(): tokens predicted


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
        return [math.exp(min(v, 700)) for v in self.losses]


def corpus_ids(model: Model, corpus: Corpus) -> list[list[int]]:
    """The corpus as ids of the model's vocabulary; VocabularyError names a token it lacks."""
    if corpus.level != model.level:
        raise VocabularyError(f"the model is {model.level} level but the corpus is {corpus.level} level.")
    try:
        return [model.vocab.encode(list(s)) for s in corpus.sentences]
    except VocabularyError as e:
        raise VocabularyError(f"the model's vocabulary does not cover the text: {e}") from None


def word_batches(sentences: list[list[int]], batch_size: int, rng) -> Iterator[Batch]:
    """Endless batches of whole sentences, reshuffled each pass, padded to the longest.
    A corpus that fits in one batch is that same batch every time (nothing to shuffle)."""
    usable = [s for s in sentences if len(s) >= 2]
    if len(usable) <= batch_size:
        batch = pad_batch(usable)
        while True:
            yield batch
    while True:
        order = rng.permutation(len(usable))
        for i in range(0, len(order), batch_size):
            yield pad_batch([usable[j] for j in order[i : i + batch_size]])


def pad_batch(group: list[list[int]]) -> Batch:
    """Sentences as one time-major batch (T = longest - 1, B = len(group)), padded with masked 0s."""
    T = max(len(s) for s in group) - 1
    X = np.zeros((T, len(group)), np.int64)
    Y = np.zeros_like(X)
    mask = np.zeros(X.shape)
    for b, s in enumerate(group):
        X[: len(s) - 1, b], Y[: len(s) - 1, b], mask[: len(s) - 1, b] = s[:-1], s[1:], 1
    return Batch(X, Y, mask, True, int(mask.sum()))


def char_batches(stream: list[int], batch_size: int, seq_len: int) -> Iterator[Batch]:
    """Endless (seq_len, B) chunks of B parallel streams; h resets when the streams restart."""
    ids = np.asarray(stream, np.int64)
    B = max(1, min(batch_size, (len(ids) - 1) // seq_len))  # a short text is not cut into bits
    L = (len(ids) - 1) // B  # targets per stream
    X = ids[: B * L].reshape(B, L).T  # (L, B)
    Y = ids[1 : B * L + 1].reshape(B, L).T
    ones = np.ones((min(seq_len, L), B))
    while True:
        for i in range(0, L, seq_len):
            x = X[i : i + seq_len]
            yield Batch(x, Y[i : i + seq_len], ones[: len(x)], i == 0, x.size)


def batches(model: Model, corpus: Corpus, config: TrainConfig) -> Iterator[Batch]:
    ids = corpus_ids(model, corpus)
    if model.level == "char":
        if len(ids[0]) < 2:
            raise CorpusError("the text needs at least two characters to train on.")
        return char_batches(ids[0], config.batch_size, config.seq_len)
    if not any(len(s) >= 2 for s in ids):
        raise CorpusError("no sentence has a next token to learn; write at least two words.")
    return word_batches(ids, config.batch_size, np.random.default_rng([config.seed, 1]))


def is_diverging(loss: float, first: float) -> bool:
    return not math.isfinite(loss) or loss > max(DIVERGE_FACTOR * first, first + 2.0)


def train(model: Model, corpus: Corpus, config: TrainConfig,
          on_step: Callable[[StepInfo], bool | None] | None = None) -> tuple[Model, TrainReport]:
    """Train ``config.steps`` updates of ``model`` on ``corpus`` (the model is not modified).

    ``on_step`` is called after every update; returning False stops early, keeping what was
    learned. A non-finite or exploding loss stops training and keeps the last weights whose loss
    was finite. Returns the new model and a ``TrainReport``.
    """
    config = replace(config, hidden_size=model.config.hidden_size, embed_dim=model.config.embed_dim,
                     dtype=model.config.dtype)
    stream = batches(model, corpus, config)
    optimizer = make_optimizer(config.optimizer, config.lr)
    work = Workspace.of(model.params)
    # two flat parameter vectors used in turn: the update writes the new weights into the one
    # holding the weights from two steps ago, so the previous weights survive a refused update
    layout = work.layout
    theta = [layout.flatten(model.params), np.empty(layout.size, work.dtype)]
    views = [layout.views(theta[0]), layout.views(theta[1])]
    cur = 0  # theta[cur] holds the current weights; theta[1 - cur] the previous ones
    zeros = {}  # h_0 = 0 for each batch width
    report, h, n_tokens, start = TrainReport(), None, 0, time.perf_counter()
    for step in range(1, config.steps + 1):
        batch = next(stream)
        if batch.reset:
            B = batch.X.shape[1]
            h = zeros.get(B)
            if h is None:
                h = zeros[B] = np.zeros((B, config.hidden_size), work.dtype)
        loss, grads, fwd = loss_and_grads(views[cur], batch.X, batch.Y, batch.mask, h, work=work)
        if is_diverging(loss, report.losses[0] if report.losses else loss):
            if report.losses:  # drop the weights that gave this loss, and the step that made them
                cur = 1 - cur
                report.losses.pop()
            report.status, report.message = "diverged", divergence_message(step, loss)
            break
        clip_flat(work.grad, config.clip)
        optimizer.update(theta[cur], work.grad, theta[1 - cur])
        if not np.isfinite(theta[1 - cur]).all():
            report.status, report.message = "diverged", divergence_message(step, float("nan"))
            break
        cur, h = 1 - cur, fwd.hs[-1]
        report.losses.append(loss)
        n_tokens += batch.n_targets
        report.tokens_per_s = n_tokens / max(time.perf_counter() - start, 1e-9)
        if on_step is not None and on_step(StepInfo(step, config.steps, loss, report.tokens_per_s, views[cur])) is False:
            report.status, report.message = "stopped", f"stopped at step {step}; kept what was learned."
            break
    last = report.losses[-1] if report.losses else model.last_loss
    params = views[cur].copy() if report.losses else model.params  # detached from the buffers
    trained = replace(model, config=config).with_training(params, len(report.losses), last)
    return trained, report


def divergence_message(step: int, loss: float) -> str:
    return (
        f"training diverged at step {step} (loss {loss:.3g}) and was stopped; the last weights with a "
        "finite, non-exploding loss were kept. Lower the learning rate or turn on clipping."
    )


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
    """Mean cross-entropy of the model over every next token of the corpus (teacher forcing)."""
    total = count = 0.0
    H = model.config.hidden_size
    for s in corpus_ids(model, corpus):
        if len(s) < 2:
            continue
        X, Y = np.asarray(s[:-1])[:, None], np.asarray(s[1:])[:, None]
        fwd = forward_seq(model.params, X, np.zeros((1, H), model.params.W_h.dtype))
        total += cross_entropy(fwd, Y, np.ones(X.shape)) * len(X)
        count += len(X)
    return total / count
