"""Tokenizer, vocabulary and corpus checks (issue 2 item 1)."""

from __future__ import annotations

import pytest

import rnn_core as rc
from rnn_core.tokens import MAX_CORPUS_BYTES, tokenize, tokenize_prompt


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


def test_too_large_corpus_is_refused():
    with pytest.raises(rc.CorpusError, match="limit"):
        rc.decode_upload(b"a " * (MAX_CORPUS_BYTES // 2 + 1))
    with pytest.raises(rc.CorpusError, match="larger"):
        rc.make_corpus("a " * (MAX_CORPUS_BYTES // 2 + 1))
    assert rc.decode_upload(b"a" * MAX_CORPUS_BYTES)  # exactly at the limit is fine
