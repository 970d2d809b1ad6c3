"""A decoding rule: how the next token is picked from the model's logits o_t.

Every field is checked against its declared range in ``rnn_core.limits``; the filters it
switches on act in the order documented in ``rnn_core.filters``.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import limits
from .errors import ConfigError


@dataclass(frozen=True)
class Rule:
    """How to pick: 'greedy' (the argmax), or 'sample' from q_t.

    q_t is y_t after, in this order: the repetition penalty on o_t (1 = off), temperature T
    (0 = greedy), top-k (0 = off), top-p (1 = off), min-p (0 = off), typical-p (1 = off). Greedy
    takes the argmax after the repetition penalty and ignores the other knobs.
    """

    strategy: str = "sample"
    temperature: float = limits.TEMPERATURE.default
    top_k: int = limits.TOP_K.default
    top_p: float = limits.TOP_P.default
    min_p: float = limits.MIN_P.default
    typical_p: float = limits.TYPICAL_P.default
    repetition_penalty: float = limits.REPETITION_PENALTY.default

    def __post_init__(self):
        if self.strategy not in limits.STRATEGIES:
            raise ConfigError(f"strategy must be 'greedy' or 'sample', not {self.strategy!r}.")
        for limit in limits.RULE_KNOBS:
            limit.check(getattr(self, limit.key))

    @property
    def is_greedy(self) -> bool:
        return self.strategy == "greedy" or self.temperature == 0

    @property
    def penalises(self) -> bool:
        return self.repetition_penalty != 1

    def check_vocab(self, vocab_size: int) -> "Rule":
        """This rule, if its top-k fits a vocabulary of ``vocab_size`` tokens; ConfigError if not."""
        limits.check_top_k(self.top_k, vocab_size)
        return self

    def describe(self) -> str:
        """'greedy', 'sample T=0.8, top-k=3, min-p=0.1', ... (only the knobs that are on)."""
        penalty = [f"repetition penalty={self.repetition_penalty:g}"] if self.penalises else []
        if self.is_greedy:
            return ", ".join(["greedy"] + penalty)
        parts = [f"sample T={self.temperature:g}"]
        if self.top_k:
            parts.append(f"top-k={self.top_k}")
        if self.top_p < 1:
            parts.append(f"top-p={self.top_p:g}")
        if self.min_p > 0:
            parts.append(f"min-p={self.min_p:g}")
        if self.typical_p < 1:
            parts.append(f"typical-p={self.typical_p:g}")
        return ", ".join(parts + penalty)


GREEDY = Rule("greedy")
