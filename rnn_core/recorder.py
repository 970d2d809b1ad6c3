"""Training as practitioners watch it: the loss of every step and a smoothed curve, a short
sample from the current weights every so often (as char-rnn prints), a validation loss on
held-out text, and snapshots of the weights for replaying training later.

A ``Recorder`` plugs into ``train``'s ``on_step`` and never changes what training does: the
same seed gives the same weights with or without it. ``record_training`` wires it up: it holds
text out (``split_corpus``), trains on the rest, and returns the model with its ``History``.

Steps are counted like ``Model.steps_trained``: a run that continues a model trained 60 steps
records its first update as step 61, and step 60 is the weights it started from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from .config import TrainConfig
from .errors import CorpusError
from .history import History, joined, snapshot_budget
from .model import Model
from .sample import GREEDY, Rule, generate, text_of
from .tokens import Corpus, make_corpus, split_words
from .train import StepInfo, TrainReport, corpus_ids, mean_loss, train
from .weights import Params

EMA_BETA = 0.9  # smoothing: each point averages the last ~1/(1 - beta) = 10 losses
VALIDATION_SHARE = 0.1  # the last 10% of the text is held out ...
MIN_VALIDATION_CHARS = 2_000  # ... at char level when the text has this many characters (200 held out)
MIN_VALIDATION_SENTENCES = 20  # ... at word level when it has this many sentences (2 held out)
MAX_VALIDATION_TOKENS = 1_000  # and never more than this, so one validation pass stays cheap
SAMPLE_TOKENS = {"word": 12, "char": 40}  # tokens per live sample
POINTS = 10  # live samples and validation losses per run, at most, evenly spaced
# Each of sampling and validation may take about OVERHEAD of the training time. Their cost in
# training steps, measured on the built-in corpora's small models (where Python's per-call
# overhead dominates): a greedy generated token up to ~0.22 of a step, a scored held-out token
# up to ~0.065 (word level, one forward pass per sentence); rounded up.
OVERHEAD = 0.02
SAMPLE_TOKEN_COST, VALIDATION_TOKEN_COST = 0.25, 0.08


@dataclass(frozen=True)
class Split:
    """A corpus cut into the text to train on and held-out text (None when it is too short)."""

    train: Corpus
    validation: Corpus | None


def split_corpus(corpus: Corpus) -> Split:
    """Hold out the end of the corpus for a validation loss.

    Char level: the last 10% of the characters (at most MAX_VALIDATION_TOKENS), when the text
    has at least MIN_VALIDATION_CHARS. Word level: the last 10% of the sentences (whole
    sentences, at most MAX_VALIDATION_TOKENS tokens), when there are at least
    MIN_VALIDATION_SENTENCES. Otherwise, or when either part would not be a usable corpus,
    everything is for training. Build the model from the whole corpus so its vocabulary covers
    the held-out text too.
    """
    if corpus.level == "char":
        held = min(len(corpus.text) // 10, MAX_VALIDATION_TOKENS) if len(corpus.text) >= MIN_VALIDATION_CHARS else 0
        parts = (corpus.text[: len(corpus.text) - held], corpus.text[len(corpus.text) - held :]) if held else None
    else:
        lines = [line for line in corpus.text.splitlines() if split_words(line)]  # one per sentence
        held = held_sentences(corpus.sentences) if len(lines) >= MIN_VALIDATION_SENTENCES else 0
        parts = ("\n".join(lines[:-held]), "\n".join(lines[-held:])) if held else None
    if parts is None:
        return Split(corpus, None)
    try:
        return Split(make_corpus(parts[0], corpus.level, corpus.name),
                     make_corpus(parts[1], corpus.level, f"{corpus.name} (validation)"))
    except CorpusError:
        return Split(corpus, None)


def held_sentences(sentences) -> int:
    """How many sentences from the end to hold out: 10% of them, fewer if they pass
    MAX_VALIDATION_TOKENS (but at least one)."""
    n, tokens = 0, 0
    for s in reversed(sentences[len(sentences) - int(len(sentences) * VALIDATION_SHARE):]):
        tokens += len(s)
        if n and tokens > MAX_VALIDATION_TOKENS:
            break
        n += 1
    return n


class Ema:
    """Exponential moving average of the loss with bias correction (as Adam and TensorBoard):
    m_k = beta m_{k-1} + (1 - beta) loss_k, m_0 = 0, smoothed_k = m_k / (1 - beta^k). Without
    the correction the curve would start near 0 instead of at the first loss."""

    def __init__(self, beta: float = EMA_BETA):
        self.beta, self.m, self.k = beta, 0.0, 0

    def update(self, loss: float) -> float:
        self.k += 1
        self.m = self.beta * self.m + (1 - self.beta) * loss
        return self.m / (1 - self.beta**self.k)


def ema(losses, beta: float = EMA_BETA) -> np.ndarray:
    """The smoothed curve of ``losses`` (n,) -> (n,), as the Recorder computes it live."""
    smoother = Ema(beta)
    return np.array([smoother.update(float(v)) for v in losses])


@dataclass(frozen=True)
class LiveSample:
    step: int  # steps trained when it was generated
    text: str  # the prompt and what followed it


@dataclass(frozen=True)
class ValidationLoss:
    step: int
    loss: float  # mean cross-entropy over the held-out text (nats)


def interval(total: int, cost_in_steps: float) -> int:
    """Steps between two samples (or two validations) of a ``total``-step run: at most POINTS
    per run, and no more often than keeps their cost (in training steps) under OVERHEAD."""
    return max(1, math.ceil(total / POINTS), math.ceil(cost_in_steps / OVERHEAD))


class Recorder:
    """Records a training run through ``train``'s ``on_step``.

    Keeps: ``losses`` and ``smoothed`` (one per update), ``samples`` (a ``LiveSample`` from
    ``rule``, greedy unless told, with the sampling seed fixed at 0: before the first update,
    every ``sample_every`` steps, and after the last), ``validation`` (a ``ValidationLoss`` on
    the held-out text every ``validate_every`` steps and after the last; empty without
    held-out text), and snapshots of the weights at ``snapshot_budget`` evenly spaced steps from
    the start to the end. ``then``, if given, is called after recording each step, and its
    False stops training as ``train``'s own callback would. Samples start from ``prompt``
    (tokens), by default the model's first word.
    """

    def __init__(self, model: Model, config: TrainConfig, validation: Corpus | None = None,
                 then: Callable[[StepInfo], bool | None] | None = None, rule: Rule = GREEDY,
                 sample_every: int | None = None, validate_every: int | None = None,
                 prompt: list[str] | None = None):
        self.start, self.then, self.rule = model, then, rule
        self.offset, self.total = model.steps_trained, config.steps
        self._probe = replace(model, history=None)  # weights swapped in for samples, no history to check
        self.prompt, self.max_tokens = prompt or [model.first_word()], SAMPLE_TOKENS[model.level]
        self.validation_corpus = validation
        if validation is not None:
            corpus_ids(model, validation)  # VocabularyError now, not in the middle of training
        self.sample_every = sample_every or interval(self.total, SAMPLE_TOKEN_COST * self.max_tokens)
        held = validation.n_tokens if validation is not None else 0
        self.validate_every = validate_every or interval(self.total, VALIDATION_TOKEN_COST * held)
        self._sample_at = set(range(0, self.total, self.sample_every)) | {self.total}
        self._validate_at = (set(range(self.validate_every, self.total, self.validate_every)) | {self.total}
                             if validation is not None else set())
        self._smoother = Ema()
        self.losses: list[float] = []
        self.smoothed: list[float] = []
        self.samples: list[LiveSample] = []
        self.validation: list[ValidationLoss] = []
        n = snapshot_budget(model.params)
        self._snapshot_at = {self.offset + round(self.total * i / (n - 1)) for i in range(n)} if n > 1 else set()
        self.steps: list[int] = [self.offset] if n else []
        self.snapshots: list[Params] = [model.params.copy()] if n else []
        self._observe(0, model.params, sample=True, validate=self.total == 0 and validation is not None)

    def on_step(self, info: StepInfo) -> bool | None:
        """``train``'s callback: record this update, then pass it on to ``then``."""
        step = self.offset + info.step
        self.losses.append(info.loss)
        self.smoothed.append(self._smoother.update(info.loss))
        if step in self._snapshot_at:
            self.steps.append(step)
            self.snapshots.append(info.params.copy())  # info.params are the loop's buffers
        sample, validate = info.step in self._sample_at, info.step in self._validate_at
        if sample or validate:
            self._observe(info.step, info.params, sample, validate)
        return self.then(info) if self.then is not None else None

    def _observe(self, run_step: int, params: Params, sample: bool, validate: bool) -> None:
        """A live sample and/or a validation loss of the weights after ``run_step`` updates."""
        model = replace(self._probe, params=params)
        if sample:
            traces = generate(model, self.prompt, self.rule, max_tokens=self.max_tokens, seed=0)
            self.samples.append(LiveSample(self.offset + run_step, text_of(model, traces)))
        if validate:
            self.validation.append(ValidationLoss(self.offset + run_step, mean_loss(model, self.validation_corpus)))

    def finish(self, trained: Model) -> Model:
        """``trained`` (what ``train`` returned) with the history of this run appended to the
        history the start model had. A run that diverged drops its last update, and with it
        whatever was recorded of it; a run that ended early (stopped, diverged) gets a last
        sample and validation loss of the weights it kept."""
        n = trained.steps_trained - self.offset  # updates kept
        if not 0 <= n <= len(self.losses):
            raise ValueError(f"the model has {n} new steps but the recorder saw {len(self.losses)}.")
        end = self.offset + n
        del self.losses[n:], self.smoothed[n:]
        self.samples = [s for s in self.samples if s.step <= end]
        self.validation = [v for v in self.validation if v.step <= end]
        if n < self.total:
            self._observe(n, trained.params, sample=self.samples[-1].step != end,
                          validate=self.validation_corpus is not None and n > 0
                          and (not self.validation or self.validation[-1].step != end))
        if n == 0:
            return replace(trained, history=self.start.history)
        kept = [i for i, s in enumerate(self.steps) if s < end]  # the end's weights are trained.params
        run = History(np.array(self.losses), np.array([self.steps[i] for i in kept], np.int64),
                      tuple(self.snapshots[i] for i in kept))
        return replace(trained, history=joined(self.start.history, run, end))


def record_training(model: Model, corpus: Corpus, config: TrainConfig,
                    on_step: Callable[[StepInfo], bool | None] | None = None, hold_out: bool = True,
                    on_start: Callable[[Recorder], None] | None = None,
                    **options) -> tuple[Model, TrainReport, Recorder]:
    """``train`` with a Recorder. With ``hold_out`` the end of the corpus is held out for the
    validation loss (``split_corpus``; all of it is trained on when it is too short). ``on_step``
    is called after each recorded step; ``on_start``, if given, with the recorder before the
    first step, so a caller can read its samples and curves while training runs; ``options`` go
    to the Recorder. Samples start from the corpus's first word. Returns the trained model with
    its history, the report, and the recorder (samples, validation losses, curves)."""
    split = split_corpus(corpus) if hold_out else Split(corpus, None)
    options.setdefault("prompt", [corpus.first_word()])  # the model's own text would be tokenized again
    recorder = Recorder(model, config, split.validation, then=on_step, **options)
    if on_start is not None:
        on_start(recorder)
    trained, report = train(model, split.train, config, recorder.on_step)
    return recorder.finish(trained), report, recorder
