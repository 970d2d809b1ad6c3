"""Every generation setting's range, default and help, declared once.

``Rule`` validates against these, the CLI builds its options and ``--help`` from them, and the
pages and URL parsers read their widget bounds, defaults and steps here, so a limit changed in
this file changes everywhere at once. Each ``Limit.check`` raises ``ConfigError`` with a
message that names the range.

Decisions (the same on the CLI and every page):
- temperature 0 means greedy; any T > 0 samples from softmax(o / T), computed stably, so a tiny
  T gives the argmax (ties split evenly among the maxima);
- top-k 0 is off, and top-k may not exceed the vocabulary size V (``check_top_k``);
- top-p and typical-p 1 are off, min-p 0 is off, repetition penalty 1 is off;
- at most 500 generated tokens and at most 500 prompt tokens: every step keeps a trace with
  two V-long arrays, so these bound what one path can hold (about 16 V bytes per step);
  by default 20 tokens for a word-level model and 200 for a char-level one (a sentence).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .errors import ConfigError

STRATEGIES = ("greedy", "sample")  # a Rule's strategies: the argmax, or a draw from q_t


def is_number(value, kind=numbers.Real) -> bool:
    """True for numbers of ``kind`` (numpy scalars included); False for bools and anything else."""
    return isinstance(value, kind) and not isinstance(value, (bool, np.bool_))


def shown_value(v) -> str:
    """4294967295 -> '4,294,967,295', 0.05 -> '0.05', 5.0 -> '5'."""
    return f"{v:,}" if isinstance(v, int) else f"{v:g}"


@dataclass(frozen=True)
class Limit:
    """One generation setting: the closed range [low, high] it must lie in, its default, a widget
    step and one line of help (for ``--help`` and widget tooltips). Training settings are
    ``rnn_core.config.Setting`` (see there for how the two split)."""

    key: str  # the Rule field or keyword argument it checks: 'top_k'
    name: str  # as messages and labels write it: 'top-k'
    low: float  # smallest allowed value
    high: float  # largest allowed value
    default: float  # the value when none is given; for a filter, its "off" value
    step: float  # a widget's step
    help: str  # what it does, in one line
    integer: bool = False  # whole numbers only
    note: str = ""  # what a special value means, e.g. '0 means greedy'

    @property
    def flag(self) -> str:
        """The CLI option: '--top-k'."""
        return "--" + self.key.replace("_", "-")

    def range_text(self) -> str:
        """'a whole number from 1 to 500' or 'from 0 to 5 (0 means greedy)'."""
        kind = "a whole number " if self.integer else ""
        note = f" ({self.note})" if self.note else ""
        return f"{kind}from {shown_value(self.low)} to {shown_value(self.high)}{note}"

    def message(self, value) -> str:
        """Why ``value`` is refused: 'top-p must be from 0.01 to 1 (1 = off), not 0.0.'"""
        return f"{self.name} must be {self.range_text()}, not {value!r}."

    def allows(self, value) -> bool:
        kind = numbers.Integral if self.integer else numbers.Real
        return is_number(value, kind) and self.low <= value <= self.high

    def check(self, value):
        """``value`` itself when it is a number of the right kind inside [low, high]; else
        ConfigError with ``message``."""
        if not self.allows(value):
            raise ConfigError(self.message(value))
        return value


TEMPERATURE = Limit("temperature", "temperature", 0.0, 5.0, 1.0, 0.05,
                    "divides the logits before the softmax: below 1 sharpens y_t, above 1 flattens it",
                    note="0 means greedy")
TOP_K = Limit("top_k", "top-k", 0, 20_000, 0, 1,
              "keep only the k most probable tokens", integer=True, note="0 = off; at most the vocabulary size")
TOP_P = Limit("top_p", "top-p", 0.01, 1.0, 1.0, 0.01,
              "keep the smallest most-probable set whose mass reaches p", note="1 = off")
MIN_P = Limit("min_p", "min-p", 0.0, 1.0, 0.0, 0.01,
              "keep the tokens with p >= min-p times the largest p", note="0 = off")
TYPICAL_P = Limit("typical_p", "typical-p", 0.01, 1.0, 1.0, 0.01,
                  "keep the tokens whose surprisal is closest to the entropy, up to mass p",
                  note="1 = off")
REPETITION_PENALTY = Limit("repetition_penalty", "repetition penalty", 1.0, 5.0, 1.0, 0.05,
                           "on the logits of tokens already in the context: divide positive ones, "
                           "multiply negative ones", note="1 = off")
MAX_TOKENS = Limit("max_tokens", "max tokens", 1, 500, 20, 1,
                   "stop after this many generated tokens if </s> has not come", integer=True)
# a sentence's worth of tokens: 20 words, or 200 characters (20 cut a char sample mid-word);
# generation stops earlier at </s>
MAX_TOKENS_BY_LEVEL = {"word": MAX_TOKENS.default, "char": 200}
SEED = Limit("seed", "random seed", 0, 2**32 - 1, 0, 1,
             "the random numbers u_t of the draws come from it: the same random seed, the same samples",
             integer=True)
PROMPT_TOKENS = Limit("prompt_tokens", "prompt length", 1, 500, 1, 1,
                      "tokens fed in before generation starts", integer=True)
BEAM_WIDTH = Limit("beam_width", "beam width", 1, 256, 3, 1,
                   "hypotheses kept at every step of beam search", integer=True)
DRAWS = Limit("draws", "number of draws", 1, 10_000, 1_000, 100,
              "tokens drawn from one step's q_t to compare with the expected counts", integer=True)
TREE_SAMPLES = Limit("tree_samples", "number of samples", 1, 1_000, 200, 10,
                     "sampled continuations merged into the tree", integer=True)

# The knobs of a Rule, in the order they act on o_t (see rnn_core.filters).
RULE_KNOBS = (REPETITION_PENALTY, TEMPERATURE, TOP_K, TOP_P, MIN_P, TYPICAL_P)
GENERATION = RULE_KNOBS + (MAX_TOKENS, SEED, PROMPT_TOKENS, BEAM_WIDTH, DRAWS, TREE_SAMPLES)
BY_KEY = {limit.key: limit for limit in GENERATION}


def default_max_tokens(level: str) -> int:
    """Generated tokens by default for a model of ``level`` ('word' or 'char')."""
    return MAX_TOKENS_BY_LEVEL[level]


def check_top_k(top_k: int, vocab_size: int) -> int:
    """``top_k`` if it is 0 (off) or at most ``vocab_size``; ConfigError otherwise."""
    TOP_K.check(top_k)
    if top_k > vocab_size:
        raise ConfigError(f"top-k must be at most the vocabulary size {vocab_size:,} (0 = off), not {top_k!r}.")
    return top_k

__all__ = [
    "Limit", "STRATEGIES",
    # the picking rule's knobs, and the other generation settings
    "TEMPERATURE", "TOP_K", "TOP_P", "MIN_P", "TYPICAL_P", "REPETITION_PENALTY", "RULE_KNOBS",
    "MAX_TOKENS", "MAX_TOKENS_BY_LEVEL", "SEED", "PROMPT_TOKENS", "BEAM_WIDTH", "DRAWS", "TREE_SAMPLES",
    "GENERATION", "BY_KEY", "default_max_tokens", "check_top_k",
]
