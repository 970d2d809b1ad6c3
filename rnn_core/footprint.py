"""How much memory a training run needs, known before it starts, and the budget it must fit.

The estimate is of the whole process that trains (the Train page's worker, or the CLI): Python
with numpy and rnn_core loaded; the weights several times over (the model it starts from,
current and previous, the gradient, the optimizer's state, the result, and the snapshots its
history keeps); the corpus as tokens and ids; and the arrays of one step: (T*B, V)
probabilities and their gradient, and a few (T*B, H) arrays of hidden states and their
gradients, where T and B are those of the largest batch (``batches.largest_batch``).
``benchmarks/train_memory.py`` measures it against the peak RSS of the worker: within 10%.
``train`` refuses a run whose estimate, plus that margin, exceeds ``config.TRAIN_MEMORY_BUDGET``,
with a message saying which setting to lower and to what, before allocating anything large.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .batches import Shape, largest_batch
from .bptt import MAX_EVAL_STEPS, step_bytes
from .config import TRAIN_MEMORY_BUDGET, TrainConfig, check_param_count, model_dtype, n_params
from .errors import ConfigError
from .history import snapshots_of
from .model import Model
from .tokens import Corpus, build_vocab

OPTIMIZER_SLOTS = {"sgd": 0, "adagrad": 2, "adam": 3}  # weight-sized arrays each optimizer keeps
WEIGHT_COPIES = 5  # the start model, current and previous weights, the gradient, the trained model's copy
BYTES_PER_TOKEN = {"word": 112, "char": 56}  # the corpus as tokens (word: a str each), ids and arrays
FIXED_BYTES = 2**20  # the run's small Python objects: batches, views, index arrays of a tiny batch
PROCESS_BYTES = 37 * 2**20  # Python, numpy and rnn_core loaded (an idle training worker: 36-38 MB)
MARGIN = 0.10  # the estimate is within this of the measured peak: a run is refused when it could pass the budget


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes a training run holds at once, in three parts, for its largest batch ``shape``."""

    shape: Shape
    step: int  # one step's arrays: T*B*V probabilities and gradients, T*B*H hidden states; a validation's
    weights: int  # the start, weights, gradient, previous weights, optimizer state, the result, snapshots
    data: int  # the corpus as tokens and token ids, and its batches
    dtype: str
    process: int = PROCESS_BYTES  # the interpreter and its libraries

    @property
    def total(self) -> int:
        return self.step + self.weights + self.data + self.process


def memory_estimate(corpus: Corpus, config: TrainConfig, model: Model | None = None) -> MemoryEstimate:
    """The estimate for training ``model`` (or, if None, the new model ``new_model(corpus,
    config)`` would build) on ``corpus`` with ``config``'s batch size and sequence length."""
    return _estimate(corpus, config, _model_sizes(corpus, config, model))


def _model_sizes(corpus: Corpus, config: TrainConfig, model: Model | None) -> tuple[int, int, int, str]:
    """(V, E, H, dtype) of ``model``, or of the model new_model(corpus, config) would build."""
    if model is not None:
        return *model.params.sizes, model.params.W_h.dtype.name
    V = len(build_vocab(list(corpus.sentences)))
    return V, config.embed_dim, config.hidden_size, model_dtype(config, V, corpus.level)


def _estimate(corpus: Corpus, config: TrainConfig, sizes: tuple[int, int, int, str]) -> MemoryEstimate:
    V, E, H, dtype = sizes
    shape, itemsize = largest_batch(corpus, config), np.dtype(dtype).itemsize
    weight_bytes = n_params(V, E, H) * itemsize
    snapshots = min(snapshots_of(weight_bytes), config.steps + 1)  # the history's, evenly spaced
    weights = (WEIGHT_COPIES + OPTIMIZER_SLOTS[config.optimizer] + snapshots) * weight_bytes
    data = FIXED_BYTES + BYTES_PER_TOKEN[corpus.level] * corpus.n_tokens + 32 * config.steps  # + the losses
    if corpus.level == "word":  # a padded group of B sentences: X, Y and mask, 8 bytes each
        data += 24 * shape.B * max(len(s) for s in corpus.sentences)
    step = step_bytes(shape.T, shape.B, V, E, H, itemsize) + shape.T * shape.B * H * itemsize  # + temporaries
    # the validation loss on held-out text (Train's runs) has a workspace of its own, one sentence at a time
    validation_T = min(MAX_EVAL_STEPS, max(len(s) for s in corpus.sentences) - 1)
    step += step_bytes(validation_T, 1, V, E, H, itemsize)
    return MemoryEstimate(shape, step, weights, data, dtype)


def training_memory(corpus: Corpus, config: TrainConfig, model: Model | None = None) -> int:
    """Bytes a run of ``train`` needs at once (see ``memory_estimate``): for the Train page to show."""
    return memory_estimate(corpus, config, model).total


def within(total: int, budget: int) -> bool:
    """Whether an estimate of ``total`` bytes keeps the run under ``budget`` even if the run
    needs MARGIN more than estimated."""
    return total * (1 + MARGIN) <= budget


def check_training_memory(corpus: Corpus, config: TrainConfig, model: Model | None = None,
                          budget: int = TRAIN_MEMORY_BUDGET) -> MemoryEstimate:
    """The estimate, or ConfigError when it could pass ``budget`` (``within``), naming what to
    change. Without ``model``, first ConfigError if the model ``new_model`` would build has too
    many parameters (a model that cannot be built cannot be trained, and its estimate would mean
    nothing)."""
    sizes = _model_sizes(corpus, config, model)
    if model is None:
        check_param_count(sizes[0], config)
    need = _estimate(corpus, config, sizes)
    if within(need.total, budget):
        return need
    raise ConfigError(f"training would need about {mib(need.total)} of memory at once (limit {mib(budget)}, "
                      f"and the estimate may be {MARGIN:.0%} short): {breakdown(need)}. "
                      f"{advice(corpus, config, sizes, need, budget)}")


def mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def breakdown(need: MemoryEstimate) -> str:
    T, B = need.shape.T, need.shape.B
    return (f"{mib(need.step)} for each step's {T} x {B} positions (sequence length x batch size) "
            f"times the vocabulary, {mib(need.weights)} for the weights, their gradient and the "
            f"optimizer's state, in {need.dtype}")


def advice(corpus: Corpus, config: TrainConfig, sizes: tuple[int, int, int, str], need: MemoryEstimate,
           budget: int) -> str:
    """Which settings would fit: the largest batch size, the largest sequence length, float32."""
    def fits(change: dict, dtype: str = sizes[3]) -> bool:
        return within(_estimate(corpus, replace(config, **change), (*sizes[:3], dtype)).total, budget)

    options = []
    batch = largest(need.shape.B - 1, lambda b: fits({"batch_size": b}))
    if batch:
        options.append(f"a batch size of at most {batch}")
    seq = largest(need.shape.T - 1, lambda t: fits({"seq_len": t}))
    if seq:
        options.append(f"a sequence length of at most {seq}")
    if need.dtype == "float64" and fits({}, "float32"):
        options.append("float32 precision")
    if not options:
        return "Use a smaller hidden or embedding size, or a corpus with fewer distinct tokens."
    return "It fits with " + ", or ".join(options) + "."


def largest(high: int, ok) -> int | None:
    """The largest n in 1..high with ok(n), for ok true below some n and false above; None if none."""
    low, found = 1, None
    while low <= high:
        mid = (low + high) // 2
        if ok(mid):
            found, low = mid, mid + 1
        else:
            high = mid - 1
    return found
