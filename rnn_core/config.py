"""Training settings, declared once: each setting's default, allowed range or choices, and help text.

``SETTINGS`` is the one table the rest of the program reads: ``TrainConfig`` takes its defaults
from it and validates with it, the CLI's ``train`` options take their choices and help from it,
and the Train page should take its widgets' defaults, bounds and help from it too.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from .errors import ConfigError

OPTIMIZERS = ("adam", "sgd", "adagrad")  # the first is the default
DTYPES = ("auto", "float32", "float64")  # 'auto': chosen per model by ``model_dtype``
MAX_SIZE = 1024  # largest H or E: beyond this a numpy demo is hours per epoch
MAX_STEPS = 1_000_000
MAX_PARAMS = 20_000_000  # V*E + H*E + H*H + V*H + H + V, about 160 MB in float64
AUTO_FLOAT32_PARAMS = 10_000  # 'auto' trains word-level models with more parameters than this in float32
TRAIN_MEMORY_BUDGET = 512 * 2**20  # bytes one training run may hold at once (see rnn_core.footprint)


@dataclass(frozen=True)
class Setting:
    """One training setting: what it is called, its default, the values it accepts, and help."""

    name: str  # the TrainConfig field; the CLI option is ``flag``
    label: str  # how messages and widgets name it
    default: int | float | str
    help: str
    low: float | None = None  # numbers: the smallest value allowed ...
    high: float | None = None  # ... and the largest
    low_open: bool = False  # True: ``low`` itself is not allowed (a learning rate must be > 0)
    choices: tuple[str, ...] = ()  # text settings: the values allowed

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def check(self, value) -> None:
        """ConfigError, naming the setting and what it accepts, unless ``value`` is allowed."""
        if self.choices:
            if value not in self.choices:
                raise ConfigError(f"{self.label} must be one of {', '.join(self.choices)}, not {value!r}.")
        elif isinstance(self.default, int):
            if isinstance(value, bool) or not isinstance(value, int) or not (self.low <= value <= self.high):
                raise ConfigError(f"{self.label} must be a whole number from {self.low:,} to {self.high:,}, "
                                  f"not {value!r}.")
        elif not self.accepts_number(value):
            raise ConfigError(f"{self.label} must be {self.range_text()}, not {value!r}.")

    def accepts_number(self, value) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return False
        above = value > self.low if self.low_open else value >= self.low
        return above and value <= self.high

    def range_text(self) -> str:
        """'in (0, 10]', 'from 0 to 1,000': the range in words, for messages and help."""
        if self.low_open:
            return f"in ({self.low:g}, {self.high:g}]"
        if self.high == math.inf:
            return f"{self.low:g} or more"
        return f"from {self.low:g} to {self.high:g}"


SETTINGS = (
    Setting("hidden_size", "hidden size", 3, "H, the length of h_t (the seed uses 3)", 1, MAX_SIZE),
    Setting("embed_dim", "embedding size", 3, "E, the length of x_t (the seed uses 3)", 1, MAX_SIZE),
    Setting("steps", "steps", 60, "optimizer updates; 0 keeps the random initial weights", 0, MAX_STEPS),
    Setting("lr", "learning rate", 0.02, "learning rate: too large and the loss explodes", 0, 10, low_open=True),
    Setting("optimizer", "optimizer", OPTIMIZERS[0], "the update rule; Adam adapts the step per weight "
            "and is the most forgiving", choices=OPTIMIZERS),
    Setting("clip", "clip", 5.0, "scale the gradient down to this global norm when larger; 0 turns "
            "clipping off", 0, math.inf),
    Setting("batch_size", "batch size", 16, "word level: sentences per update; char level: parallel "
            "streams of text", 1, 4096),
    Setting("seq_len", "sequence length", 32, "time steps per update (truncated backpropagation through "
            "time): longer sentences and text are cut into pieces this long, carrying h across", 1, 4096),
    Setting("seed", "seed", 0, "seeds the initial weights and the batch order: same seed and settings, "
            "same model, bit for bit", 0, 2**32 - 1),
    Setting("dtype", "dtype", DTYPES[0], "float64 for exact teaching numbers, float32 for speed and "
            "half the memory; auto: float64 for small word-level models such as the seed preset, "
            f"float32 for char level and for models over {AUTO_FLOAT32_PARAMS:,} parameters",
            choices=DTYPES),
)
SETTING = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class TrainConfig:
    """Sizes and training settings of a model (defaults: the seed preset's); see ``SETTINGS``."""

    hidden_size: int = SETTING["hidden_size"].default
    embed_dim: int = SETTING["embed_dim"].default
    steps: int = SETTING["steps"].default
    lr: float = SETTING["lr"].default
    optimizer: str = SETTING["optimizer"].default
    clip: float = SETTING["clip"].default
    batch_size: int = SETTING["batch_size"].default
    seq_len: int = SETTING["seq_len"].default
    seed: int = SETTING["seed"].default
    dtype: str = SETTING["dtype"].default  # a built model holds float32 or float64, never auto

    def __post_init__(self):
        for setting in SETTINGS:
            setting.check(getattr(self, setting.name))

    def as_dict(self) -> dict:
        return asdict(self)


def n_params(vocab_size: int, embed_dim: int, hidden_size: int) -> int:
    """V*E + H*E + H*H + V*H + H + V: the numbers in a model's weights."""
    V, E, H = vocab_size, embed_dim, hidden_size
    return V * E + H * E + H * H + V * H + H + V


def check_param_count(vocab_size: int, config: TrainConfig) -> None:
    """ConfigError if the model this vocabulary and these sizes make is too large to train here."""
    V, E, H = vocab_size, config.embed_dim, config.hidden_size
    n = n_params(V, E, H)
    if n > MAX_PARAMS:
        raise ConfigError(
            f"V={V}, E={E}, H={H} make {n:,} parameters (limit {MAX_PARAMS:,}); "
            "use a smaller hidden or embedding size, or a smaller corpus."
        )


def model_dtype(config: TrainConfig, vocab_size: int, level: str) -> str:
    """The precision a new model is built in: ``config.dtype``, or for 'auto' the rule below.

    'auto' is float64 for word-level models of at most AUTO_FLOAT32_PARAMS parameters (the seed
    preset and the small built-in corpora: exact numbers to teach with, and float32 would not
    make them faster, since their time goes into per-step overhead) and float32 for char-level
    models and larger word-level ones (twice the arithmetic speed and half the memory).
    """
    if config.dtype != "auto":
        return config.dtype
    small = n_params(vocab_size, config.embed_dim, config.hidden_size) <= AUTO_FLOAT32_PARAMS
    return "float64" if level == "word" and small else "float32"
