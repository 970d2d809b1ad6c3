"""A model: its weights (``rnn_core.weights``) with what reads them (vocabulary, level, training
settings, the text and history it was trained on); a new model for a corpus; and the preset the
source document describes, "I love deep learning" (H = E = 3, x("I") = [0.1, 0.3, 0.5]).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .config import TrainConfig, check_param_count, model_dtype
from .errors import ConfigError
from .history import History, history_problem, joined
from .tokens import EOS, Corpus, Vocab, build_vocab, make_corpus
from .weights import Params, init_params

SEED_SENTENCE = "I love deep learning"
SEED_X1 = (0.1, 0.3, 0.5)  # the source document's embedding of "I"


@dataclass(frozen=True, eq=False)
class Model:
    """Parameters plus everything needed to read them: vocabulary, level, and history."""

    params: Params
    vocab: Vocab
    level: str  # 'word' or 'char'
    config: TrainConfig
    corpus_name: str = "custom"
    corpus_text: str = ""  # the training text, kept so a loaded model can show its sentences
    steps_trained: int = 0
    last_loss: float = float("nan")  # mean cross-entropy of the last update (nan if untrained)
    history: History | None = None  # losses and snapshots of training, when they were recorded

    def __post_init__(self):
        if self.history is not None:
            problem = history_problem(self.history, self.steps_trained, self.params)
            if problem:
                raise ValueError(f"inconsistent training history: {problem}.")

    def corpus(self) -> Corpus | None:
        """The training corpus, rebuilt from the stored text (None if the model has none)."""
        return make_corpus(self.corpus_text, self.level, self.corpus_name) if self.corpus_text.strip() else None

    def first_word(self) -> str:
        """Where generation starts by default: the first word of the training text ("I" for
        the seed) when the vocabulary holds it, else the first token that is not ``</s>``."""
        corpus = self.corpus()
        if corpus is not None:
            first = corpus.first_word()
            if first in self.vocab and first != EOS:
                return first
        return next(t for t in self.vocab.tokens if t != EOS)

    def with_training(self, params: Params, steps: int, last_loss: float,
                      history: History | None = None) -> "Model":
        """This model after ``steps`` more updates, which ended with ``params`` and ``last_loss``.

        ``history``: the record of those updates (n = steps losses, snapshots from this model's
        steps_trained on; see ``recorder.Recorder``). It is appended to this model's history, or
        starts one if there is none. Without it the result has no history (unless steps = 0):
        a record that ends before the new weights would show a curve and snapshots that do
        not lead to them.
        """
        end = self.steps_trained + steps
        if history is None:
            kept = self.history if steps == 0 else None
        else:
            kept = joined(self.history, history, end)
        return replace(self, params=params, steps_trained=end, last_loss=last_loss, history=kept)

    def in_precision(self, dtype) -> "Model":
        """This model with its weights, and its history's snapshots, converted to ``dtype``."""
        history = self.history and replace(self.history,
                                           snapshots=tuple(p.astype(dtype) for p in self.history.snapshots))
        return replace(self, params=self.params.astype(dtype), history=history)

    def at_checkpoint(self, step: int) -> "Model":
        """This model as it was after training step ``step``, one of ``checkpoints``: those
        weights, ``steps_trained`` = step, the loss of that step when the history has it, and no
        history (its losses and snapshots would run past those weights). The model itself for
        its own step. ConfigError naming the steps kept, for any other step."""
        if step == self.steps_trained:
            return self
        kept = dict(self.checkpoints())
        if step not in kept:
            raise ConfigError(not_kept(list(kept), step))
        weights = kept[step]
        losses = self.history.losses if self.history is not None else np.zeros(0)
        index = step - (self.steps_trained - len(losses)) - 1  # losses[i] belongs to update start + i + 1
        loss = float(losses[index]) if 0 <= index < len(losses) else float("nan")
        return replace(self, params=weights, steps_trained=step, last_loss=loss, history=None)

    def checkpoints(self) -> list[tuple[int, Params]]:
        """(step, weights) through training, oldest first: the history's snapshots, then the
        current weights at ``steps_trained`` (only those when there is no history)."""
        kept = list(zip(self.history.steps.tolist(), self.history.snapshots)) if self.history else []
        return [(s, p) for s, p in kept if s < self.steps_trained] + [(self.steps_trained, self.params)]


def not_kept(steps: list[int], step: int) -> str:
    """Why a model has no weights after training step ``step``, naming the ``steps`` it has."""
    if len(steps) == 1:
        return f"this model keeps no earlier weights, only its own after step {steps[0]:,}."
    shown = ", ".join(f"{k:,}" for k in steps) if len(steps) <= 8 else \
        ", ".join(f"{k:,}" for k in steps[:3]) + ", …, " + f"{steps[-1]:,}"
    return f"this model keeps the weights after training steps {shown}, not {step}."


def new_model(corpus: Corpus, config: TrainConfig) -> Model:
    """An untrained model for ``corpus``, initialised from ``config.seed``, in the precision
    ``model_dtype`` picks (its config says float32 or float64, never auto)."""
    vocab = build_vocab(list(corpus.sentences))
    check_param_count(len(vocab), config)
    config = replace(config, dtype=model_dtype(config, len(vocab), corpus.level))
    rng = np.random.default_rng(config.seed)
    params = init_params(len(vocab), config.embed_dim, config.hidden_size, rng, config.dtype)
    return Model(params, vocab, corpus.level, config, corpus.name, corpus.text)


def seed_corpus() -> Corpus:
    """The seed document's single training sentence, word level."""
    return make_corpus(SEED_SENTENCE, "word", name=SEED_SENTENCE)


def seed_config(**overrides) -> TrainConfig:
    """The preset's settings: H = E = 3 as in the seed, trained with Adam."""
    return TrainConfig(**{"hidden_size": 3, "embed_dim": 3, **overrides})


def seed_model(config: TrainConfig | None = None) -> Model:
    """The seed preset, untrained: random weights from the seed RNG, but x("I") = [0.1, 0.3, 0.5]."""
    config = config or seed_config()
    model = new_model(seed_corpus(), config)
    if config.embed_dim == len(SEED_X1):
        model.params.embedding[model.vocab.id("I")] = SEED_X1
    return model


def start_model(corpus: Corpus, config: TrainConfig) -> Model:
    """The untrained model a run on ``corpus`` starts from: for the seed corpus itself (its
    name, level and text, as ``seed_corpus`` makes it) the seed preset, whose x("I") is the seed
    document's [0.1, 0.3, 0.5] when E = 3; for any other corpus ``new_model``. The one rule for
    the CLI's ``--preset seed`` and the Train page. ConfigError if the sizes make too many
    parameters."""
    seed = seed_corpus()
    if (corpus.name, corpus.level, corpus.text) == (seed.name, seed.level, seed.text):
        return seed_model(config)
    return new_model(corpus, config)
