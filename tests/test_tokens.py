"""Tokenizer, vocabulary and corpus checks."""

from __future__ import annotations

import pytest

import rnn_core as rc
from rnn_core.tokens import (
    MAX_CORPUS_BYTES,
    check_vocab,
    first_sentence,
    first_sentence_of,
    token_problem,
    tokenize,
    tokenize_prompt,
)


def test_word_level_splits_on_whitespace_and_punctuation_and_keeps_case():
    assert tokenize("Hello,  world!\tI  am\u00a0here.", "word") == [
        ["Hello", ",", "world", "!", "I", "am", "here", ".", "</s>"]
    ]
    assert tokenize("I i", "word") == [["I", "i", "</s>"]]
    assert tokenize("wait...", "word") == [["wait", ".", ".", ".", "</s>"]]


def test_each_line_is_one_sentence_and_blank_lines_are_skipped():
    assert tokenize("I love deep learning\n\n  \nwe love\r\n", "word") == [
        ["I", "love", "deep", "learning", "</s>"], ["we", "love", "</s>"]
    ]


def test_char_level_is_one_stream_of_every_character():
    assert tokenize("ab c\nd", "char") == [["a", "b", " ", "c", "\n", "d"]]


def test_prompt_tokens_get_no_end_of_sentence():
    assert tokenize_prompt("I love", "word") == ["I", "love"]
    assert tokenize_prompt("I lo", "char") == ["I", " ", "l", "o"]


def test_end_of_sentence_typed_in_a_word_prompt_stays_one_token():
    assert tokenize_prompt("</s>", "word") == ["</s>"]
    assert tokenize_prompt("learning </s> I", "word") == ["learning", "</s>", "I"]
    assert tokenize_prompt("a</s></s>b.", "word") == ["a", "</s>", "</s>", "b", "."]
    assert tokenize_prompt("x <s> </ s>", "word") == ["x", "<", "s", ">", "<", "/", "s", ">"]
    assert tokenize_prompt("</s>", "char") == ["<", "/", "s", ">"]  # characters stay characters


def test_vocabulary_is_in_order_of_first_appearance_and_deterministic():
    text = "the cat sat\nthe dog sat down"
    first = rc.new_model(rc.make_corpus(text), rc.TrainConfig()).vocab
    again = rc.new_model(rc.make_corpus(text), rc.TrainConfig()).vocab
    assert first.tokens == ("the", "cat", "sat", "</s>", "dog", "down")
    assert again == first
    assert [first.id(t) for t in first.tokens] == list(range(6))
    assert rc.seed_model().vocab.tokens == ("I", "love", "deep", "learning", "</s>")


def test_decode_joins_words_with_spaces_and_characters_as_they_are():
    assert rc.decode(["I", "love", "</s>"], "word") == "I love </s>"
    assert rc.decode(["h", "i", " ", "!"], "char") == "hi !"


def test_vocab_encode_names_unknown_tokens_and_suggests_close_ones():
    vocab = rc.seed_model().vocab
    assert vocab.encode(["I", "love"]) == [0, 1]
    with pytest.raises(rc.VocabularyError) as e:
        vocab.encode(["I", "learnin"])
    assert "'learnin'" in str(e.value) and "learning" in str(e.value)


@pytest.mark.parametrize("text", ["", "   ", "\n\n", " \t\r\n "])
def test_empty_or_whitespace_corpus_is_refused(text):
    for level in ("word", "char"):
        with pytest.raises(rc.CorpusError, match="empty"):
            rc.make_corpus(text, level)


@pytest.mark.parametrize("text, level", [("hello", "word"), ("  hello \n", "word"), ("a", "char")])
def test_a_single_token_corpus_is_refused(text, level):
    with pytest.raises(rc.CorpusError, match="single"):
        rc.make_corpus(text, level)


def test_two_tokens_are_enough():
    corpus = rc.make_corpus("hello world")
    assert corpus.sentences == (("hello", "world", "</s>"),)
    assert corpus.n_tokens == 3


def test_unknown_level_is_refused():
    with pytest.raises(rc.CorpusError, match="level"):
        rc.make_corpus("a b", "bytes")


@pytest.mark.parametrize("data", [b"\xff\xfe hello", b"caf\xe9 au lait", b"ok \xc3"])
def test_non_utf8_bytes_are_refused(data):
    with pytest.raises(rc.CorpusError, match="UTF-8"):
        rc.decode_upload(data)


def test_utf8_bytes_decode_and_a_byte_order_mark_is_dropped():
    assert rc.decode_upload("café au lait".encode()) == "café au lait"
    assert rc.decode_upload("\ufeffI love".encode()) == "I love"


@pytest.mark.parametrize("level", ["word", "char"])
def test_a_corpus_that_is_not_valid_text_is_refused_naming_the_character(level):
    with pytest.raises(rc.CorpusError, match="character 4 is the byte 0xE9, which is not UTF-8"):
        rc.make_corpus("caf\udce9 au lait", level)


def test_too_large_corpus_is_refused():
    with pytest.raises(rc.CorpusError, match="limit"):
        rc.decode_upload(b"a " * (MAX_CORPUS_BYTES // 2 + 1))
    with pytest.raises(rc.CorpusError, match="larger"):
        rc.make_corpus("a " * (MAX_CORPUS_BYTES // 2 + 1))
    assert rc.decode_upload(b"a" * MAX_CORPUS_BYTES)  # exactly at the limit is fine


# ---------------------------------------------------------------- which vocabularies can exist


@pytest.mark.parametrize("token, level, words", [
    ("", "word", ["empty"]),
    (" ", "word", ["whitespace"]),
    ("\n", "word", ["whitespace"]),
    ("hello world", "word", ["'hello', 'world'"]),
    ("a\x00b", "word", ["'a', '\\x00', 'b'"]),
    (" hello", "word", ["'hello'"]),
    ("x" * 101, "word", ["101 characters", "limit is 100"]),
    ("ab", "char", ["2 characters", "one character"]),
    ("", "char", ["0 characters"]),
    ("\ud800", "char", ["not valid text", "U+D800"]),
    ("lo\udce9ve", "word", ["not valid text", "byte 0xE9"]),
])
def test_tokens_the_tokenizer_cannot_produce_are_named_with_the_reason(token, level, words):
    problem = token_problem(token, level)
    for word in words:
        assert word in problem, problem


@pytest.mark.parametrize("token, level", [
    ("hello", "word"), (",", "word"), ("café", "word"), ("x" * 100, "word"), ("\x00", "word"), ("</s>", "word"),
    (" ", "char"), ("\n", "char"), ("é", "char"), ("</s>", "char"),
])
def test_tokens_the_tokenizer_produces_are_accepted(token, level):
    assert token_problem(token, level) is None
    # and the tokenizer really makes them: from a text holding just that token
    if token != "</s>":
        assert [t for s in tokenize(token, level) for t in s if t != "</s>"] == [token]


@pytest.mark.parametrize("tokens, level, words", [
    (["I", "love love", "</s>"], "word", ["token 1", "'love', 'love'"]),
    (["</s>"], "word", ["only </s>", "at least one other"]),
    (["</s>"], "char", ["only </s>"]),
    (["a", "b", "a"], "char", ["more than once"]),
    (["a", "bc"], "char", ["token 1", "'bc'"]),
    ([f"w{i}" for i in range(20_001)], "word", ["20,001", "20,000"]),
])
def test_check_vocab_refuses_impossible_vocabularies(tokens, level, words):
    with pytest.raises(rc.VocabularyError) as e:
        check_vocab(tokens, level)
    for word in words:
        assert word in str(e.value), str(e.value)


def test_check_vocab_accepts_every_vocabulary_a_corpus_makes():
    for text, level in (("I love deep learning", "word"), ("Hello, world!\nhi", "word"), ("ab c\n\tx", "char")):
        model = rc.new_model(rc.make_corpus(text, level), rc.TrainConfig())
        check_vocab(model.vocab.tokens, level)


def test_a_corpus_with_a_word_longer_than_the_token_limit_is_refused():
    assert rc.make_corpus("x" * 100 + " y").sentences[0][0] == "x" * 100
    with pytest.raises(rc.CorpusError, match="101 characters"):
        rc.make_corpus("a " + "x" * 101)
    assert rc.make_corpus("x" * 101 + " y", "char")  # one character per token: no such limit


# ---------------------------------------------------------------- first sentence, first word, lines


def test_lines_are_the_sentences_at_word_level_and_the_non_blank_lines_at_char_level():
    word = rc.make_corpus("a b c\n\n d e ", "word")
    assert word.lines() == (("a", "b", "c", "</s>"), ("d", "e", "</s>"))
    char = rc.make_corpus("\n  \nab\r\ncd\n\n", "char")
    assert char.lines() == (("a", "b", "\r"), ("c", "d"))


def test_first_sentence_and_first_word_of_a_corpus():
    seed = rc.seed_corpus()
    assert seed.first_sentence() == ("I", "love", "deep", "learning", "</s>")
    assert first_sentence(seed) == seed.first_sentence()  # the old name keeps working
    assert seed.first_word() == "I"
    char = rc.make_corpus("\n\nhi there\nyo", "char")
    assert char.first_sentence() == tuple("hi there")
    assert char.first_word() == "h"


def test_continuation_is_the_text_from_the_first_occurrence_of_a_token(trained_seed):
    corpus = trained_seed.corpus()
    assert corpus.continuation("I") == ("I", "love", "deep", "learning", rc.EOS)
    assert corpus.continuation("deep") == ("deep", "learning", rc.EOS)
    assert corpus.continuation("cat") is None
    char = rc.make_corpus("abc\nbd", "char")
    assert char.continuation("b") == ("b", "c", "\n", "b", "d")


def test_first_sentence_of_a_generated_path_ends_at_eos_or_newline():
    assert first_sentence_of(["I", "love", "</s>", "we"], "word") == ("I", "love", "</s>")
    assert first_sentence_of(["I", "love"], "word") == ("I", "love")
    assert first_sentence_of(list("ab\ncd"), "char") == ("a", "b")
    assert first_sentence_of(list("\nab"), "char") == ()


def test_model_first_word_is_the_first_training_word_else_the_first_token_that_is_not_eos(trained_seed, tiny_model):
    assert trained_seed.first_word() == "I"
    assert tiny_model.first_word() == "a"  # no training text stored
    eos_first = rc.Model(tiny_model.params, rc.Vocab((rc.EOS, "b", "a")), "word", tiny_model.config)
    assert eos_first.first_word() == "b"
