"""Small built-in corpora, each chosen to show one thing about autoregressive generation.

Four of them have a known answer: a periodic pattern that needs k steps of memory, balanced
brackets, counting, and a tiny grammar. Their text is generated here, their lesson says what a
model that learned them generates, and ``Builtin.check(generated_text) -> (ok, why)`` says
whether a text shows it. Their suggested steps and H make greedy generation pass the check
with the default settings otherwise (tests/test_corpora.py trains each to prove it).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .config import Suggestion, TrainConfig, suggest_config
from .model import SEED_SENTENCE, Model
from .sample import GREEDY, Rule, generate, text_of
from .tokens import EOS, Corpus, build_vocab, make_corpus, quoted

Check = Callable[[str], tuple[bool, str]]  # generated text -> (does it show the pattern, why)


@dataclass(frozen=True)
class Verdict:
    """What ``Builtin.verify`` found: does the generated ``text`` pass the check, and why."""

    ok: bool
    why: str
    text: str


@dataclass(frozen=True)
class Builtin:
    text: str
    level: str
    lesson: str  # what this corpus makes visible (and, with a check, what a trained model writes)
    steps: int  # updates that train it well with the default Adam settings
    hidden_size: int
    check: Check | None = field(default=None, compare=False)  # generated text -> (ok, why)
    check_tokens: int = 0  # tokens to generate for the check (each run)
    check_rule: Rule = GREEDY  # how the check generates
    check_runs: int = 1  # texts it generates (with a sampling rule: samples 0, 1, ...)

    def config(self, **overrides) -> TrainConfig:
        """The suggested settings: these steps and H, the defaults for the rest."""
        return TrainConfig(**{"steps": self.steps, "hidden_size": self.hidden_size, **overrides})

    def suggestion(self) -> Suggestion:
        """``config()`` with why, as ``suggest_config`` gives it for other texts."""
        why = f"this corpus trains well in {self.steps:,} steps with H = {self.hidden_size}, the defaults otherwise"
        if self.check is not None:
            why += "; with them the trained model passes its known-answer check"
        return Suggestion(self.config(), why[0].upper() + why[1:] + ".")

    def verify(self, model: Model, seed: int = 0) -> Verdict:
        """Generate ``check_runs`` texts of at most ``check_tokens`` tokens from the model's first
        word with ``check_rule`` (sample numbers 0, 1, ... under ``seed``) and check them, joined
        by a space (ValueError for a corpus without a check)."""
        if self.check is None:
            raise ValueError("this corpus has no known answer to check.")
        texts = [text_of(model, generate(model, [model.first_word()], self.check_rule, max_tokens=self.check_tokens,
                                         seed=seed, sample=n)) for n in range(self.check_runs)]
        text = " ".join(texts)
        ok, why = self.check(text)
        return Verdict(ok, why, "\n".join(texts))

    def check_text(self, first_word: str) -> str:
        """What the check generates, in words: 'generates 40 tokens greedily from “a”'."""
        if self.check_rule.is_greedy:
            return f"generates {self.check_tokens} tokens greedily from “{first_word}”"
        return (f"samples {self.check_runs} sentences from “{first_word}” at temperature "
                f"{self.check_rule.temperature:g} (each up to {self.check_tokens} tokens; a lower temperature than 1 "
                "keeps the rare slips of a model that learned the grammar rare)")


# ---------------------------------------------------------------- patterns that repeat


def follows_cycle(text: str, cycle: str, min_len: int) -> tuple[bool, str]:
    """Is ``text`` (at least ``min_len`` characters) a piece of ``cycle`` repeated forever,
    starting anywhere in it? If not, why: where the best-matching start leaves the pattern."""
    if len(text) < min_len:
        return False, f"the text has {len(text)} characters; at least {min_len} are needed to show the pattern."
    endless = cycle * (len(text) // len(cycle) + 2)
    best, phase = -1, 0
    for p in range(len(cycle)):
        n = next((i for i, (a, b) in enumerate(zip(text, endless[p:])) if a != b), len(text))
        if n > best:
            best, phase = n, p
    if best == len(text):
        return True, f"all {len(text)} characters follow the pattern."
    return False, (f"the text follows the pattern for {best} characters ({quoted(text[:best], 40)}), then has "
                   f"{text[best]!r} where the pattern needs {endless[phase + best]!r}.")


def periodic_text(k: int, repeats: int) -> str:
    """k 'a's then a 'b', ``repeats`` times: predicting the 'b' needs k steps of memory."""
    return ("a" * k + "b") * repeats


def check_periodic(k: int) -> Check:
    cycle = "a" * k + "b"
    return lambda text: follows_cycle(text, cycle, 3 * len(cycle))


COUNTING_LINE = " ".join(string.ascii_lowercase[:i] for i in range(1, 6)) + "\n"  # a ab abc abcd abcde


def check_counting(text: str) -> tuple[bool, str]:
    """Each word one letter longer than the last, from 'a' to 'abcde', then a new line: two whole
    lines' worth at least."""
    return follows_cycle(text, COUNTING_LINE, 2 * len(COUNTING_LINE))


# ---------------------------------------------------------------- balanced brackets


def dyck_words(pairs: int) -> list[str]:
    """Every balanced string of exactly ``pairs`` bracket pairs, in lexicographic order."""
    if pairs == 0:
        return [""]
    return sorted({f"({inner}){rest}" for k in range(pairs)
                   for inner in dyck_words(k) for rest in dyck_words(pairs - 1 - k)})


BRACKET_LINES = 3  # complete lines the check asks for


def brackets_text(max_pairs: int = 3, lines: int = 60, seed: int = 0) -> str:
    """``lines`` balanced lines of 1..max_pairs pairs, drawn uniformly from all of them."""
    words = [w for n in range(1, max_pairs + 1) for w in dyck_words(n)]
    rng = np.random.default_rng(seed)
    return "".join(words[i] + "\n" for i in rng.integers(len(words), size=lines))


def check_brackets(text: str) -> tuple[bool, str]:
    """At least BRACKET_LINES complete lines after the first newline, each non-empty and balanced. The
    text before the first newline may end a line begun before the prompt (generation starts
    from h_0 = 0 without knowing how deep it is), so it must only close what could have been
    opened; the unfinished last line must never close more than it opened."""
    first, *complete, partial = text.split("\n") if "\n" in text else (text, "")
    if len(complete) < BRACKET_LINES:
        return False, (f"the text has {len(complete)} complete line(s) after its first newline; at least "
                       f"{BRACKET_LINES} are needed.")
    mirrored = first[::-1].translate(str.maketrans("()", ")("))  # a line's end, read backwards
    if bracket_problem(mirrored, finished=False):
        return False, f"its first line {quoted(first)} cannot be the end of a balanced line."
    for i, line in enumerate(complete + [partial], start=2):
        problem = bracket_problem(line, finished=i <= len(complete) + 1)
        if problem:
            return False, f"line {i} {quoted(line)} {problem}."
    return True, f"the first line can end a balanced line, and all {len(complete)} lines after it are balanced."


def bracket_problem(line: str, finished: bool) -> str | None:
    """Why ``line`` is not a balanced line (or, unfinished, the start of one), or None."""
    if finished and not line:
        return "is empty"
    depth = 0
    for i, c in enumerate(line, start=1):
        if c not in "()":
            return f"has {c!r} at character {i}; the lines hold only brackets"
        depth += 1 if c == "(" else -1
        if depth < 0:
            return f"closes a bracket at character {i} that was never opened"
    if finished and depth:
        return f"ends with {depth} bracket(s) still open"
    return None


# ---------------------------------------------------------------- a tiny grammar

WORDS = {
    "determiner": ("the", "a"),
    "adjective": ("small", "big", "red"),
    "noun": ("cat", "dog", "bird"),
    "transitive verb": ("sees", "chases"),
    "intransitive verb": ("sleeps", "runs"),
}
# S -> NP Vt NP | NP Vi;  NP -> Det N | Det Adj N.  State -> {category: next state}; 'end' wants </s>.
GRAMMAR = {
    "start": {"determiner": "subject"},
    "subject": {"adjective": "subject noun", "noun": "verb"},
    "subject noun": {"noun": "verb"},
    "verb": {"transitive verb": "object", "intransitive verb": "end"},
    "object": {"determiner": "object np"},
    "object np": {"adjective": "object noun", "noun": "end"},
    "object noun": {"noun": "end"},
}
CATEGORY = {w: c for c, words in WORDS.items() for w in words}
GRAMMAR_RUNS = 5  # sentences the check samples and parses


def grammar_sentence(rng: np.random.Generator) -> str:
    """One random sentence of GRAMMAR."""
    words, state = [], "start"
    while state != "end":
        category = list(GRAMMAR[state])[rng.integers(len(GRAMMAR[state]))]
        words.append(WORDS[category][rng.integers(len(WORDS[category]))])
        state = GRAMMAR[state][category]
    return " ".join(words)


def grammar_text(sentences: int = 80, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    return "\n".join(grammar_sentence(rng) for _ in range(sentences))


def check_grammar(text: str, min_sentences: int = 1) -> tuple[bool, str]:
    """At least ``min_sentences`` complete sentences (ending in </s>); every sentence, an
    unfinished last one included, follows GRAMMAR."""
    words = text.split()
    if EOS not in words:
        return False, f"the text has no complete sentence: it never reaches {EOS}."
    sentences, start = [], 0
    for i, w in enumerate(words):
        if w == EOS or i == len(words) - 1:
            sentences.append(words[start : i + 1])
            start = i + 1
    for n, sentence in enumerate(sentences, start=1):
        problem = grammar_problem(sentence)
        if problem:
            return False, f"sentence {n} ({' '.join(sentence)}): {problem}."
    complete = sum(s[-1] == EOS for s in sentences)
    if complete < min_sentences:
        return False, f"the text has {complete} complete sentence(s); at least {min_sentences} are needed."
    return True, f"{complete} complete sentence(s), all grammatical."


def grammar_problem(words: list[str]) -> str | None:
    """Why ``words`` (a sentence, possibly unfinished) leaves GRAMMAR, or None."""
    state, previous = "start", "the start"
    for w in words:
        if state == "end":
            if w != EOS:
                return f"after {previous!r} the sentence must end ({EOS}), not go on with {w!r}"
            state = "start"
            continue
        category = CATEGORY.get(w)
        if category not in GRAMMAR[state]:
            wanted = " or ".join(f"a {c} ({', '.join(WORDS[c])})" for c in GRAMMAR[state])
            return f"after {previous!r} the grammar wants {wanted}, not {w!r}"
        state, previous = GRAMMAR[state][category], w
    return None


# ---------------------------------------------------------------- the list

BUILTINS: dict[str, Builtin] = {
    SEED_SENTENCE: Builtin(  # named after its sentence, as the preset it is
        SEED_SENTENCE, "word", "The source document's example: one sentence, five tokens, H = 3.", 60, 3
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
    "known answer: aaab, 3 steps of memory (char level)": Builtin(
        periodic_text(3, 60),
        "char",
        "The pattern aaab repeats. After an 'a' the next character depends on how many 'a's came "
        "just before: only a model that remembers the last 3 characters in h can place the 'b'. "
        "A model that learned it writes aaabaaabaaab… forever; the check asks that every 'b' "
        "comes after exactly three 'a's.",
        300, 8, check_periodic(3), 40,
    ),
    "known answer: balanced brackets (char level)": Builtin(
        brackets_text(),
        "char",
        "Lines of balanced brackets, nested up to 3 deep: to close a line the model must count "
        "how many brackets are still open, a counter kept in h. A model that learned it writes "
        "lines like (()()) and (()) that always close what they open; the check asks for at "
        "least three complete lines after the first newline, all balanced (before it, the model "
        "may be finishing a line it imagines begun before the prompt).",
        600, 24, check_brackets, 45,
    ),
    "known answer: counting a ab abc (char level)": Builtin(
        COUNTING_LINE * 12,
        "char",
        "Counting: each word is one letter longer than the last, a ab abc abcd abcde, then a new "
        "line. Inside a word the letters follow the alphabet; where it ends depends on how long "
        "the previous word was, which h must count. A model that learned it writes "
        "a ab abc abcd abcde and starts over; the check asks that the text follows that line "
        "for two lines' worth.",
        400, 16, check_counting, 50,
    ),
    "known answer: a tiny grammar (word level)": Builtin(
        grammar_text(),
        "word",
        "Sentences of a tiny grammar: the [small|big|red] cat|dog|bird, then sees|chases and "
        "another such phrase, or sleeps|runs and the end. After a noun the model must remember "
        "whether a verb came already (a verb comes next, or the end). A model that learned it "
        "writes grammatical sentences, also ones not in the text; the check samples several "
        "sentences and parses each.",
        300, 16, lambda text: check_grammar(text, GRAMMAR_RUNS), 12, Rule("sample", temperature=0.5), GRAMMAR_RUNS,
    ),
}


def suggest_for(corpus: Corpus) -> Suggestion:
    """The settings suggested for ``corpus``: a built-in corpus's own (when its text is the
    built-in's), else ``suggest_config`` from the text's size and level."""
    b = BUILTINS.get(corpus.name)
    if b is not None and b.text == corpus.text and b.level == corpus.level:
        return b.suggestion()
    vocab = build_vocab(list(corpus.sentences))
    return suggest_config(corpus.level, corpus.n_tokens, len(vocab.tokens), len(corpus.sentences))


def builtin_corpus(name: str) -> Corpus:
    b = BUILTINS[name]
    return make_corpus(b.text, b.level, name=name)
