"""Training configuration: one small dataclass with defaults, checked once."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .errors import ConfigError

OPTIMIZERS = ("sgd", "adam", "adagrad")
DTYPES = ("float64", "float32")
MAX_SIZE = 1024  # largest H or E: beyond this a numpy demo is hours per epoch
MAX_STEPS = 1_000_000
MAX_PARAMS = 20_000_000  # V*E + H*E + H*H + V*H + H + V, about 160 MB in float64


@dataclass(frozen=True)
class TrainConfig:
    """Sizes and training settings of a model (defaults: the seed preset's)."""

    hidden_size: int = 3  # H: length of h_t
    embed_dim: int = 3  # E: length of x_t
    steps: int = 60  # optimizer updates; 0 leaves the initial weights
    lr: float = 0.02  # learning rate
    optimizer: str = "adam"  # sgd | adam | adagrad
    clip: float = 5.0  # clip the gradient's global norm to this; 0 = off
    batch_size: int = 16  # word level: sentences per update; char level: parallel streams
    seq_len: int = 32  # char level: BPTT chunk length (truncated BPTT)
    seed: int = 0  # seeds initialisation and batch order
    dtype: str = "float64"  # float64 for exact teaching numbers; float32 for speed

    def __post_init__(self):
        _check_int("hidden size", self.hidden_size, 1, MAX_SIZE)
        _check_int("embedding size", self.embed_dim, 1, MAX_SIZE)
        _check_int("steps", self.steps, 0, MAX_STEPS)
        _check_int("batch size", self.batch_size, 1, 4096)
        _check_int("sequence length", self.seq_len, 1, 4096)
        _check_int("seed", self.seed, 0, 2**32 - 1)
        if not (0 < self.lr <= 10) or self.lr != self.lr:
            raise ConfigError(f"learning rate must be in (0, 10], not {self.lr}.")
        if not (0 <= self.clip < float("inf")):
            raise ConfigError(f"clip must be 0 (off) or a positive number, not {self.clip}.")
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, not {self.optimizer!r}.")
        if self.dtype not in DTYPES:
            raise ConfigError(f"dtype must be float64 or float32, not {self.dtype!r}.")

    def as_dict(self) -> dict:
        return asdict(self)


def _check_int(name: str, value, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not (low <= value <= high):
        raise ConfigError(f"{name} must be a whole number from {low} to {high:,}, not {value!r}.")


def check_param_count(vocab_size: int, config: TrainConfig) -> None:
    """ConfigError if the model this vocabulary and these sizes make is too large to train here."""
    V, E, H = vocab_size, config.embed_dim, config.hidden_size
    n = V * E + H * E + H * H + V * H + H + V
    if n > MAX_PARAMS:
        raise ConfigError(
            f"V={V}, E={E}, H={H} make {n:,} parameters (limit {MAX_PARAMS:,}); "
            "use a smaller hidden or embedding size, or a smaller corpus."
        )
