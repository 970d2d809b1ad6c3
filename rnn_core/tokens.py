"""Tokenizer and vocabulary: text -> token strings -> integer ids, and back.

Word level: whitespace splits words, each punctuation mark is a token of its own, case is kept,
and every line of the corpus is one sentence ending in ``</s>``. Char level: every character
(newlines included) is a token and the whole text is one stream.
The vocabulary lists tokens in order of first appearance, so the same text always gives the
same ids (for the seed sentence: I=0, love=1, deep=2, learning=3, </s>=4). ``token_problem`` and
``check_vocab`` say which tokens the tokenizer can produce at each level; the model loader
refuses vocabularies it could not.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .errors import CorpusError, VocabularyError
from .untrusted import check_text, text_problem

EOS = "</s>"
LEVELS = ("word", "char")
MAX_CORPUS_BYTES = 2_000_000  # 2 MB of text: far beyond what a numpy demo trains on interactively
MAX_VOCAB = 20_000
# longest word token: longer "words" are URLs, base64 or hostile files, and slow every page listing tokens
MAX_TOKEN_CHARS = 100

_WORD = re.compile(r"\w+|[^\w\s]")


def check_level(level: str) -> str:
    """Return ``level`` if it is 'word' or 'char', else raise CorpusError."""
    if level not in LEVELS:
        raise CorpusError(f"level must be 'word' or 'char', not {level!r}")
    return level


def split_words(line: str) -> list[str]:
    """Split one line into word tokens: words, and each punctuation mark on its own."""
    return _WORD.findall(line)


def token_problem(token: str, level: str) -> str | None:
    """Why ``token`` can never come out of the ``level`` tokenizer, or None if it can.

    Word level: ``split_words`` must read it as exactly itself (one word or one punctuation
    mark, no whitespace), at most MAX_TOKEN_CHARS long. Char level: one character (a space or a
    newline is one too). ``</s>`` is fine at both levels.
    """
    if token == EOS:
        return None
    problem = text_problem(token)
    if problem:
        return f"is not valid text: {problem}"
    if level == "char":
        return None if len(token) == 1 else f"has {len(token):,} characters; a char-level token is one character"
    if len(token) > MAX_TOKEN_CHARS:
        return f"has {len(token):,} characters; the limit is {MAX_TOKEN_CHARS}"
    words = split_words(token)
    if words == [token]:
        return None
    if not token:
        return "is empty"
    if not words:
        return "is only whitespace, which separates words and is never a word token"
    return "is not one word token: the tokenizer reads it as " + ", ".join(quoted(w) for w in words[:5])


def check_vocab(tokens, level: str) -> None:
    """VocabularyError unless ``tokens`` could be the vocabulary of a ``level`` model: at most
    MAX_VOCAB distinct tokens that the tokenizer can produce (``token_problem``), and at least
    one besides ``</s>`` for generation to start from."""
    check_level(level)
    if len(tokens) > MAX_VOCAB:
        raise VocabularyError(f"it has {len(tokens):,} tokens; the limit is {MAX_VOCAB:,}.")
    if len(set(tokens)) != len(tokens):
        raise VocabularyError("it lists a token more than once; every token must be distinct.")
    for i, token in enumerate(tokens):
        problem = token_problem(token, level)
        if problem:
            raise VocabularyError(f"token {i} ({quoted(token)}) {problem}.")
    if all(t == EOS for t in tokens):
        raise VocabularyError(f"it holds only {EOS}; a model needs at least one other token to start from.")


def quoted(token: str, limit: int = 30) -> str:
    """A token quoted for a message, cut to ``limit`` characters: 'hello', '\\x00', 'aaaa…'."""
    return repr(token[:limit]) + ("…" if len(token) > limit else "")


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


def first_sentence_of(tokens, level: str) -> tuple[str, ...]:
    """The first sentence of a token sequence (a generated path), in the form of
    ``Corpus.lines``: word level up to and including the first ``</s>``; char level the
    characters before the first newline."""
    tokens = tuple(tokens)
    end = EOS if level == "word" else "\n"
    if end not in tokens:
        return tokens
    cut = tokens.index(end)
    return tokens[: cut + 1] if level == "word" else tokens[:cut]


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

    def lines(self) -> tuple[tuple[str, ...], ...]:
        """The sentences to show and compare generated text with: word level each sentence
        (ending in ``</s>``); char level the characters of each non-blank line, newline dropped
        (lines are cut at "\\n" only, as ``first_sentence_of`` cuts a generated path)."""
        if self.level == "word":
            return self.sentences
        return tuple(tuple(line) for line in self.text.split("\n") if line.strip())

    def first_sentence(self) -> tuple[str, ...]:
        """The first of ``lines()`` (the seed's: I love deep learning </s>)."""
        return self.lines()[0]

    def first_word(self) -> str:
        """The first token of the first sentence ("I" for the seed)."""
        return self.first_sentence()[0]

    def continuation(self, token: str) -> tuple[str, ...] | None:
        """The text from the first occurrence of ``token`` on: word level the rest of the first
        sentence holding it, char level the rest of the stream; None if the text lacks it.
        What teacher forcing would feed after starting from ``token``."""
        for sentence in self.sentences:
            if token in sentence:
                return tuple(sentence[sentence.index(token):])
        return None


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

    Raises CorpusError if the text is not valid Unicode text (a lone surrogate, e.g. a byte of
    another encoding in argv), empty or whitespace, too large, has fewer than two tokens to
    learn a next-token from, or has more than MAX_VOCAB distinct tokens.
    """
    check_level(level)
    check_text(text, "the corpus", CorpusError)
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
    longest = max(vocab.tokens, key=len)
    if len(longest) > MAX_TOKEN_CHARS:
        raise CorpusError(f"the corpus has a word of {len(longest):,} characters ({quoted(longest)}); the "
                          f"limit is {MAX_TOKEN_CHARS}. Put spaces between its words, or train at char level.")
    return Corpus(name, text, level, tuple(tuple(s) for s in sentences))


def first_sentence(corpus: Corpus) -> tuple[str, ...]:
    """``corpus.first_sentence()``: word level its first line with ``</s>``, char level the
    characters of its first non-blank line."""
    return corpus.first_sentence()
