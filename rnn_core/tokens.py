"""Tokenizer and vocabulary: text -> token strings -> integer ids, and back.

Word level: whitespace splits words, each punctuation mark is a token of its own, case is kept,
and every line of the corpus is one sentence ending in ``</s>``. Char level: every character
(newlines included) is a token and the whole text is one stream.
The vocabulary lists tokens in order of first appearance, so the same text always gives the
same ids (for the seed sentence: I=0, love=1, deep=2, learning=3, </s>=4).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .errors import CorpusError, VocabularyError

EOS = "</s>"
LEVELS = ("word", "char")
MAX_CORPUS_BYTES = 2_000_000  # 2 MB of text: far beyond what a numpy demo trains on interactively
MAX_VOCAB = 20_000

_WORD = re.compile(r"\w+|[^\w\s]")


def check_level(level: str) -> str:
    """Return ``level`` if it is 'word' or 'char', else raise CorpusError."""
    if level not in LEVELS:
        raise CorpusError(f"level must be 'word' or 'char', not {level!r}")
    return level


def split_words(line: str) -> list[str]:
    """Split one line into word tokens: words, and each punctuation mark on its own."""
    return _WORD.findall(line)


def tokenize(text: str, level: str) -> list[list[str]]:
    """Turn text into sentences of tokens.

    Returns: word level, one list per non-empty line, each ending in ``</s>``;
    char level, a single list holding every character of the text.
    """
    check_level(level)
    if level == "char":
        return [list(text)] if text else []
    sentences = []
    for line in text.splitlines():
        words = split_words(line)
        if words:
            sentences.append(words + [EOS])
    return sentences


def tokenize_prompt(text: str, level: str) -> list[str]:
    """Tokens of a prompt: no ``</s>`` is added, since generation continues from it.

    Word level: a ``</s>`` typed in the prompt stays one token (the end of a sentence, so a
    prompt can start a new one), where ``split_words`` alone would give '<', '/', 's', '>'.
    """
    check_level(level)
    if level == "char":
        return list(text)
    tokens = []
    for line in text.splitlines():
        for i, part in enumerate(line.split(EOS)):
            tokens += [EOS] * (i > 0) + split_words(part)
    return tokens


def decode(tokens: list[str], level: str) -> str:
    """Join tokens back into text (words with spaces, characters as they are)."""
    return "".join(tokens) if level == "char" else " ".join(tokens)


@dataclass(frozen=True)
class Vocab:
    """The model's tokens; a token's id is its position in ``tokens``."""

    tokens: tuple[str, ...]

    def __post_init__(self):
        object.__setattr__(self, "_ids", {t: i for i, t in enumerate(self.tokens)})

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: str) -> bool:
        return token in self._ids

    def id(self, token: str) -> int:
        """The id of one known token (KeyError if unknown: use ``encode`` for user input)."""
        return self._ids[token]

    def encode(self, tokens: list[str]) -> list[int]:
        """Ids of ``tokens``; an unknown one raises VocabularyError naming it and close matches."""
        for token in tokens:
            if token not in self._ids:
                raise VocabularyError(unknown_token_message(token, self.tokens))
        return [self._ids[t] for t in tokens]


def unknown_token_message(token: str, known: tuple[str, ...]) -> str:
    """'"lov" is not in the vocabulary; closest known: love, learning.'"""
    close = difflib.get_close_matches(token, [k for k in known if k != EOS], n=3, cutoff=0.0)
    hint = f"; closest known: {', '.join(close)}" if close else ""
    return f"{token!r} is not in the vocabulary{hint}."


def build_vocab(sentences: list[list[str]]) -> Vocab:
    """Vocabulary of every token in order of first appearance."""
    return Vocab(tuple(dict.fromkeys(t for s in sentences for t in s)))


@dataclass(frozen=True)
class Corpus:
    """A tokenized training text.

    sentences: word level, one token list per line (each ending in ``</s>``); char level, one stream.
    """

    name: str
    text: str
    level: str
    sentences: tuple[tuple[str, ...], ...]

    @property
    def n_tokens(self) -> int:
        return sum(len(s) for s in self.sentences)


def decode_upload(data: bytes) -> str:
    """Bytes of an uploaded or read file -> text; CorpusError if too large or not UTF-8."""
    if len(data) > MAX_CORPUS_BYTES:
        raise CorpusError(
            f"the corpus is {len(data):,} bytes; the limit is {MAX_CORPUS_BYTES:,}. Use a shorter text."
        )
    try:
        return data.decode("utf-8-sig")  # -sig: drop the byte-order mark some editors write
    except UnicodeDecodeError as e:
        raise CorpusError(
            f"the corpus is not UTF-8 text (byte {e.start}); save it as UTF-8 and try again."
        ) from None


def make_corpus(text: str, level: str = "word", name: str = "custom") -> Corpus:
    """Tokenize and check a training text.

    Raises CorpusError if the text is empty or whitespace, too large, has fewer than two tokens
    to learn a next-token from, or has more than MAX_VOCAB distinct tokens.
    """
    check_level(level)
    if len(text.encode("utf-8")) > MAX_CORPUS_BYTES:
        raise CorpusError(f"the corpus is larger than {MAX_CORPUS_BYTES:,} bytes; use a shorter text.")
    if not text.strip():
        raise CorpusError("the corpus is empty; type or upload some text to train on.")
    sentences = tokenize(text, level)
    if sum(t != EOS for s in sentences for t in s) < 2:
        unit = "word" if level == "word" else "character"
        raise CorpusError(
            f"the corpus has a single {unit}; write at least two so there is a next {unit} to predict."
        )
    vocab = build_vocab(sentences)
    if len(vocab) > MAX_VOCAB:
        raise CorpusError(f"the corpus has {len(vocab):,} distinct tokens; the limit is {MAX_VOCAB:,}.")
    return Corpus(name, text, level, tuple(tuple(s) for s in sentences))


def first_sentence(corpus: Corpus) -> tuple[str, ...]:
    """The corpus's first sentence as tokens: word level its first line with ``</s>``, char level
    the characters of its first non-empty line."""
    if corpus.level == "word":
        return corpus.sentences[0]
    line = next((ln for ln in corpus.text.splitlines() if ln.strip()), corpus.text)
    return tuple(line)
