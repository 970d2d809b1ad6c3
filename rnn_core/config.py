"""Training settings, declared once: each setting's default, allowed range or choices, and help text.

``SETTINGS`` is the one table the rest of the program reads: ``TrainConfig`` takes its defaults
from it and validates with it, the CLI's ``train`` options take their choices and help from it,
and the Train page should take its widgets' defaults, bounds and help from it too.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import ClassVar

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
    """One training setting: what it is called, its default, the values it accepts, and help.

    The training half of one idea whose generation half is ``rnn_core.limits.Limit``: both
    declare a setting once (range, default, help) for the CLI, the pages and the checks. They are
    split by what they bound: a Setting names a ``TrainConfig`` field and may be text with
    choices (the optimizer) or have an open lower bound (a learning rate > 0); a Limit names a
    ``Rule`` field or a generation count and is always a closed numeric range with a widget step."""

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
    Setting("hidden_size", "hidden size", 3, "H, the length of h_t (the 'I love deep learning' preset uses 3)",
            1, MAX_SIZE),
    Setting("embed_dim", "embedding size", 3, "E, the length of x_t (the 'I love deep learning' preset uses 3)",
            1, MAX_SIZE),
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
    Setting("seed", "random seed", 0, "the random seed of the initial weights and the batch order: same "
            "random seed and settings, same model, bit for bit", 0, 2**32 - 1),
    Setting("dtype", "dtype", DTYPES[0], "float64 for exact teaching numbers, float32 for speed and "
            "half the memory; auto: float64 for small word-level models such as the 'I love deep learning' preset, "
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


# ---------------------------------------------------------------- settings suggested for a text

SUGGESTED = ("hidden_size", "embed_dim", "steps", "lr", "seq_len", "batch_size")  # what a suggestion sets
PASSES = 100  # a suggested run reads its text about this many times ...
SUGGESTED_STEPS = (300, 2000)  # ... in at least / at most this many updates
SHORT_TEXT = {"char": 2_000, "word": 200}  # up to this many tokens (char) or distinct words: the small network
CHAR_PIECE = 64  # characters per update: long enough for a word or two of context
STREAM_PIECES = 8  # a char stream is at least this many updates long, so h is rarely reset to 0
MOST_STREAMS = 32
NETWORKS = {  # (H, E, learning rate): a short text / a longer one
    "char": ((64, 16, 0.01), (128, 32, 0.005)),
    "word": ((32, 16, 0.01), (64, 32, 0.005)),
}


@dataclass(frozen=True)
class Suggestion:
    """Settings suggested for a text (``suggest_config``): the SUGGESTED ones chosen for it, the
    others at their defaults, and why, in words a page can show."""

    names: ClassVar[tuple[str, ...]] = SUGGESTED
    config: TrainConfig
    why: str

    def values(self) -> dict:
        """The SUGGESTED settings by name."""
        return {name: getattr(self.config, name) for name in SUGGESTED}


def suggest_config(level: str, n_tokens: int, vocab_size: int, n_sentences: int = 1) -> Suggestion:
    """Settings that train a pasted or uploaded text well enough to hear it in greedy text.

    Inputs: the text's level, its tokens (char level: characters), distinct tokens V and, at
    word level, sentences. A short text gets a small network that learns it by heart; a longer
    one a larger network. Char level reads one stream of text (more streams side by side only
    when each stays STREAM_PIECES updates long) in pieces of CHAR_PIECE characters carrying h:
    cut into many short streams, each starting from h = 0, a short text would be learned as
    disconnected pieces and greedy text would leave it after the first piece. Steps: about
    PASSES readings of the text, within SUGGESTED_STEPS.
    """
    if level == "char":
        seq_len = max(1, min(CHAR_PIECE, n_tokens - 1))
        batch = max(1, min(MOST_STREAMS, (n_tokens - 1) // (STREAM_PIECES * seq_len)))
        per_pass = max(1, n_tokens - 1) / (batch * seq_len)
        short = n_tokens <= SHORT_TEXT["char"]
    else:
        seq_len, batch = SETTING["seq_len"].default, max(1, min(SETTING["batch_size"].default, n_sentences))
        per_pass = math.ceil(n_sentences / batch) * math.ceil(n_tokens / max(1, n_sentences) / seq_len)
        short = vocab_size <= SHORT_TEXT["word"]
    H, E, lr = NETWORKS[level][0 if short else 1]
    low, high = SUGGESTED_STEPS
    steps = min(high, max(low, math.ceil(PASSES * per_pass / 100) * 100))
    config = TrainConfig(hidden_size=H, embed_dim=E, steps=steps, lr=lr, seq_len=seq_len, batch_size=batch)
    return Suggestion(config, suggestion_text(level, n_tokens, vocab_size, short, config, per_pass))


def suggestion_text(level: str, n_tokens: int, vocab_size: int, short: bool, config: TrainConfig,
                    per_pass: float) -> str:
    """Why ``suggest_config`` chose ``config``, in two sentences (``per_pass``: updates per reading)."""
    if level == "char":
        size = f"{n_tokens:,} characters"
        reading = (f"one stream of text, {config.seq_len} characters per update" if config.batch_size == 1 else
                   f"{config.batch_size} streams of text side by side, {config.seq_len} characters each per update")
    else:
        size = f"{n_tokens:,} tokens, {vocab_size:,} distinct"
        reading = f"{config.batch_size} sentence{'s' * (config.batch_size > 1)} per update"
    network = "a small network can learn it by heart" if short else "a larger network learns its patterns"
    passes = config.steps / per_pass
    return (f"{size}: {network} (H = {config.hidden_size}, E = {config.embed_dim}). It reads {reading}, "
            f"{config.steps:,} updates (about {passes:,.0f} times through the text) at a learning rate of "
            f"{config.lr:g}.")
