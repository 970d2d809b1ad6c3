"""Small built-in corpora, each chosen to show one thing about autoregressive generation."""

from __future__ import annotations

from dataclasses import dataclass

from .params import SEED_SENTENCE
from .tokens import Corpus, make_corpus


@dataclass(frozen=True)
class Builtin:
    text: str
    level: str
    lesson: str  # what this corpus makes visible
    steps: int  # updates that train it well with the default Adam settings
    hidden_size: int


BUILTINS: dict[str, Builtin] = {
    "seed: I love deep learning": Builtin(
        SEED_SENTENCE, "word", "The seed document's example: one sentence, five tokens, H = 3.", 60, 3
    ),
    "shared words": Builtin(
        "I love deep learning\nI love my dog\nmy dog loves deep sleep\nwe love learning",
        "word",
        "Sentences that share words: after 'love' the model must use h to remember what came "
        "before, and sampling can wander from one sentence into another.",
        400,
        8,
    ),
    "counting": Builtin(
        "one two three four five six seven eight nine ten",
        "word",
        "A fixed order: each word predicts the next, like a chain.",
        300,
        6,
    ),
    "alphabet (char level)": Builtin(
        "abcdefghijklmnopqrstuvwxyz\n",
        "char",
        "Characters in a cycle: every letter has exactly one successor.",
        300,
        16,
    ),
    "memory: abab vs abba (char level)": Builtin(
        "abab\nabba\n" * 4,
        "char",
        "The same prefix 'ab' continues differently: after 'a' the model needs memory of the "
        "line so far, which only the hidden state can hold.",
        600,
        16,
    ),
    "beam beats greedy: like / love": Builtin(
        "I like tea\nI like jam\nI like rice\nI like soup\nI love music\nI love music\nI love music",
        "word",
        "After 'I', 'like' (4 lines of 7) beats 'love' (3 of 7), so greedy takes it, but then "
        "has four endings to share: 'I like tea' is about 4/7 x 1/4 = 1/7. 'love' always goes on "
        "to 'music': 'I love music' is about 3/7, three times as probable. Beam search with "
        "width 2 keeps 'love' alive and finds it; greedy never can.",
        200,
        6,
    ),
}


def builtin_corpus(name: str) -> Corpus:
    b = BUILTINS[name]
    return make_corpus(b.text, b.level, name=name)
