"""Batches of a corpus for training: time-major (T, B) token ids, targets and a mask.

Word level trains on whole sentences (h_0 = 0 for each), padded and batched; char level cuts the
text into ``batch_size`` parallel streams. Both walk their batches in pieces of at most
``seq_len`` time steps, carrying h from one piece to the next (truncated BPTT), so no step ever
holds more than seq_len x batch_size positions however long a sentence or the text is.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from .config import TrainConfig
from .errors import CorpusError, VocabularyError
from .model import Model
from .tokens import Corpus


@dataclass(frozen=True)
class Batch:
    X: np.ndarray  # (T, B) input ids
    Y: np.ndarray  # (T, B) target ids (the next token)
    mask: np.ndarray  # (T, B) 1 where a target exists, 0 on padding
    reset: bool  # True: start from h_0 = 0; False: carry h from the previous batch
    n_targets: int  # mask.sum(): tokens predicted


@dataclass(frozen=True)
class Shape:
    """The (T, B) of the largest batch a corpus makes with given settings."""

    T: int  # time steps
    B: int  # sequences side by side


def corpus_ids(model: Model, corpus: Corpus) -> list[list[int]]:
    """The corpus as ids of the model's vocabulary; VocabularyError names a token it lacks."""
    if corpus.level != model.level:
        raise VocabularyError(f"the model is {model.level} level but the corpus is {corpus.level} level.")
    try:
        return [model.vocab.encode(list(s)) for s in corpus.sentences]
    except VocabularyError as e:
        raise VocabularyError(f"the model's vocabulary does not cover the text: {e}") from None


def time_chunks(batch: Batch, seq_len: int) -> list[Batch]:
    """``batch`` cut along time into pieces of at most seq_len steps (views, not copies): the
    first starts as the batch does, the others carry h from the piece before."""
    T = batch.X.shape[0]
    if T <= seq_len:
        return [batch]
    pieces = []
    for i in range(0, T, seq_len):
        mask = batch.mask[i : i + seq_len]
        pieces.append(Batch(batch.X[i : i + seq_len], batch.Y[i : i + seq_len], mask,
                            batch.reset and i == 0, int(mask.sum())))
    return pieces


def word_batches(sentences: list[list[int]], batch_size: int, seq_len: int, rng) -> Iterator[Batch]:
    """Endless batches of whole sentences, reshuffled each pass, padded to the longest and cut
    into seq_len pieces. A corpus that fits in one batch is that same batch every time (nothing
    to shuffle)."""
    usable = [s for s in sentences if len(s) >= 2]
    if len(usable) <= batch_size:
        yield from itertools.cycle(time_chunks(pad_batch(usable), seq_len))
    while True:
        order = rng.permutation(len(usable))
        for i in range(0, len(order), batch_size):
            yield from time_chunks(pad_batch([usable[j] for j in order[i : i + batch_size]]), seq_len)


def pad_batch(group: list[list[int]]) -> Batch:
    """Sentences as one time-major batch (T = longest - 1, B = len(group)), padded with masked 0s."""
    T = max(len(s) for s in group) - 1
    X = np.zeros((T, len(group)), np.int64)
    Y = np.zeros_like(X)
    mask = np.zeros(X.shape)
    for b, s in enumerate(group):
        X[: len(s) - 1, b], Y[: len(s) - 1, b], mask[: len(s) - 1, b] = s[:-1], s[1:], 1
    return Batch(X, Y, mask, True, int(mask.sum()))


def stream_shape(n_tokens: int, batch_size: int, seq_len: int) -> tuple[int, int]:
    """(B, L) of a char-level text of n_tokens: B parallel streams of L targets each. A short
    text is not cut into bits: each stream gets at least seq_len targets when it can."""
    B = max(1, min(batch_size, (n_tokens - 1) // seq_len))
    return B, (n_tokens - 1) // B


def char_batches(stream: list[int], batch_size: int, seq_len: int) -> Iterator[Batch]:
    """Endless (seq_len, B) chunks of B parallel streams; h resets when the streams restart."""
    ids = np.asarray(stream, np.int64)
    B, L = stream_shape(len(ids), batch_size, seq_len)
    X = ids[: B * L].reshape(B, L).T  # (L, B)
    Y = ids[1 : B * L + 1].reshape(B, L).T
    ones = np.ones((min(seq_len, L), B))
    while True:
        for i in range(0, L, seq_len):
            x = X[i : i + seq_len]
            yield Batch(x, Y[i : i + seq_len], ones[: len(x)], i == 0, x.size)


def batches(model: Model, corpus: Corpus, config: TrainConfig) -> Iterator[Batch]:
    """The endless batches ``train`` takes its steps on."""
    ids = corpus_ids(model, corpus)
    if model.level == "char":
        if len(ids[0]) < 2:
            raise CorpusError("the text needs at least two characters to train on.")
        return char_batches(ids[0], config.batch_size, config.seq_len)
    if not any(len(s) >= 2 for s in ids):
        raise CorpusError("no sentence has a next token to learn; write at least two words.")
    return word_batches(ids, config.batch_size, config.seq_len, np.random.default_rng([config.seed, 1]))


def largest_batch(corpus: Corpus, config: TrainConfig) -> Shape:
    """The shape of the largest batch ``batches`` makes of this corpus (without making any)."""
    if corpus.level == "char":
        B, L = stream_shape(max(2, corpus.n_tokens), config.batch_size, config.seq_len)
        return Shape(min(config.seq_len, L), B)
    lengths = [len(s) for s in corpus.sentences if len(s) >= 2] or [2]
    return Shape(min(config.seq_len, max(lengths) - 1), min(config.batch_size, len(lengths)))
