"""Built-in corpora with known answers: their generated text, their checkers, and suggested
settings that really train a model whose greedy output passes the check."""

from __future__ import annotations

import pytest

import rnn_core as rc
from rnn_core.corpora import (
    BUILTINS,
    COUNTING_LINE,
    GRAMMAR_RUNS,
    brackets_text,
    builtin_corpus,
    check_brackets,
    check_counting,
    check_grammar,
    check_periodic,
    dyck_words,
    grammar_text,
    periodic_text,
)

KNOWN = [name for name, b in BUILTINS.items() if b.check is not None]


def test_four_corpora_have_known_answers_and_the_older_ones_are_unchanged():
    assert len(KNOWN) == 4
    assert BUILTINS["alphabet (char level)"].text == "abcdefghijklmnopqrstuvwxyz\n"
    assert BUILTINS["I love deep learning"].check is None  # the preset, named after its sentence


# ---------------------------------------------------------------- the generated texts


def test_periodic_text_is_k_as_then_a_b():
    assert periodic_text(3, 2) == "aaabaaab"
    assert periodic_text(1, 3) == "ababab"


def test_dyck_words_are_every_balanced_string_of_n_pairs():
    assert dyck_words(1) == ["()"]
    assert dyck_words(2) == ["(())", "()()"]
    assert sorted(dyck_words(3)) == sorted(["((()))", "(()())", "(())()", "()(())", "()()()"])  # Catalan 5
    assert len(dyck_words(4)) == 14


def test_brackets_text_is_lines_of_balanced_brackets_of_up_to_three_pairs():
    lines = brackets_text().splitlines()
    assert len(lines) == 60 and brackets_text() == brackets_text()  # fixed seed
    allowed = {"()", "(())", "()()", "((()))", "(()())", "(())()", "()(())", "()()()"}
    assert set(lines) <= allowed and len(set(lines)) >= 6


def test_counting_line_counts_from_a_to_abcde():
    assert COUNTING_LINE == "a ab abc abcd abcde\n"


def test_grammar_text_is_sentences_the_grammar_accepts_of_both_shapes():
    sentences = grammar_text().splitlines()
    assert len(sentences) == 80 and grammar_text() == grammar_text()
    assert all(check_grammar(s + " </s>")[0] for s in sentences)
    lengths = {len(s.split()) for s in sentences}
    assert {3, 4} & lengths and {5, 6, 7} & lengths  # intransitive and transitive sentences
    assert len(set(sentences)) > 40  # varied, so a model can write sentences it never saw


# ---------------------------------------------------------------- the checkers

PERIODIC = check_periodic(3)


@pytest.mark.parametrize("check, text", [
    (PERIODIC, "aaabaaabaaab"),
    (PERIODIC, "abaaabaaabaaa"),  # may start anywhere in the cycle
    (check_counting, "a ab abc abcd abcde\na ab abc abcd abcde\na ab abc"),
    (check_counting, "bcd abcde\na ab abc abcd abcde\na ab abc a"),
    (check_brackets, "())\n()\n(())()\n((()))\n(("),
    (check_brackets, "))\n()()\n(()())\n()\n"),
    (check_grammar, "the cat sleeps </s>"),
    (check_grammar, "a small dog chases the red bird </s> the cat"),
    (check_grammar, "the big bird sees a cat </s> a dog runs </s>"),
])
def test_checkers_accept_a_text_that_shows_the_pattern(check, text):
    ok, why = check(text)
    assert ok, why


@pytest.mark.parametrize("check, text, words", [
    (PERIODIC, "aaabaabaaabaaab", ["follows the pattern for 6 characters", "'b' where the pattern needs 'a'"]),
    (PERIODIC, "aaaaaaaaaaaa", ["for 3 characters ('aaa')", "needs 'b'"]),
    (PERIODIC, "aaab", ["4 characters", "at least 12"]),
    (check_counting, "a ab abc abd abcde\na ab abc abcd abcde\na",
     ["for 11 characters", "'d' where the pattern needs 'c'"]),
    (check_counting, "a ab abc abcd abcde\na ab abc", ["28 characters", "at least 40"]),
    (check_counting, "a ab abc abcd abcde\na ab abc abcd abcde abcdef",
     ["for 39 characters", "' ' where the pattern needs '\\n'"]),
    (check_brackets, "()\n())\n()\n()\n()", ["line 2", "'())'", "closes a bracket at character 3"]),
    (check_brackets, "()\n(()\n()\n()\n()", ["line 2", "1 bracket(s) still open"]),
    (check_brackets, ")\n()\n\n()\n()\n", ["line 3", "empty"]),
    (check_brackets, "()\n(a)\n()\n()\n", ["line 2", "'a' at character 2"]),
    (check_brackets, "(()\n()", ["0 complete line(s)", "at least 3"]),
    (check_brackets, "()\n()\n()\n(", ["2 complete line(s)", "at least 3"]),
    (check_brackets, "(()\n()\n()\n()\n", ["first line", "'(()'", "cannot be the end"]),
    (check_grammar, "the cat the dog </s>", ["sentence 1", "after 'cat'", "transitive verb", "not 'the'"]),
    (check_grammar, "the cat sleeps the dog </s>", ["after 'sleeps'", "must end"]),
    (check_grammar, "the small sees </s>", ["after 'small'", "a noun (cat, dog, bird)", "not 'sees'"]),
    (check_grammar, "the cat sees </s>", ["after 'sees'", "determiner", "not '</s>'"]),
    (check_grammar, "the cat sees a dog", ["no complete sentence", "</s>"]),
    (check_grammar, "a dog runs </s> dog runs </s>", ["sentence 2", "after 'the start'", "determiner"]),
    (lambda text: check_grammar(text, 3), "a dog runs </s> the cat sleeps </s>", ["2 complete", "at least 3"]),
])
def test_checkers_refuse_a_wrong_text_and_say_where_it_goes_wrong(check, text, words):
    ok, why = check(text)
    assert not ok
    for word in words:
        assert word in why, why


# ---------------------------------------------------------------- suggested settings really work


@pytest.mark.parametrize("name", KNOWN)
def test_lessons_say_what_a_model_that_learned_it_writes(name):
    assert "A model that learned it writes" in BUILTINS[name].lesson


@pytest.mark.parametrize("name", KNOWN)
def test_suggested_settings_train_a_model_whose_greedy_text_passes_the_check(name):
    b = BUILTINS[name]
    corpus = builtin_corpus(name)
    config = b.config()  # suggested steps and H, defaults for the rest (what the Train page starts from)
    assert (config.steps, config.hidden_size) == (b.steps, b.hidden_size)
    untrained = rc.new_model(corpus, config)
    assert not b.verify(untrained).ok  # the check is not passed by chance
    trained, report = rc.train(untrained, corpus, config)
    assert report.status == "done"
    verdict = b.verify(trained)
    assert verdict.ok, (verdict.text, verdict.why)
    assert verdict.text.startswith(trained.first_word())
    n_generated = len(rc.generate(trained, [trained.first_word()], max_tokens=b.check_tokens))
    assert n_generated <= b.check_tokens


def test_verify_refuses_a_corpus_without_a_known_answer(trained_seed):
    with pytest.raises(ValueError, match="no known answer"):
        BUILTINS["I love deep learning"].verify(trained_seed)


def test_the_grammar_check_samples_several_sentences_and_parses_each():
    """Greedy generation stops at the first </s>: one sentence of 3 to 8 words says little, so
    the check samples GRAMMAR_RUNS sentences (samples 0, 1, ... of seed 0) and parses each."""
    name = "known answer: a tiny grammar (word level)"
    b, corpus = BUILTINS[name], builtin_corpus(name)
    trained, _ = rc.train(rc.new_model(corpus, b.config()), corpus, b.config())
    verdict = b.verify(trained)
    lines = verdict.text.splitlines()
    first = trained.first_word()
    expected = [rc.decoding.text_of(trained, rc.generate(trained, [first], b.check_rule, max_tokens=b.check_tokens,
                                                 seed=0, sample=n)) for n in range(GRAMMAR_RUNS)]
    assert GRAMMAR_RUNS >= 3 and lines == expected
    assert all(line.endswith("</s>") and check_grammar(line)[0] for line in lines)
    assert verdict.ok and verdict.why == f"{GRAMMAR_RUNS} complete sentence(s), all grammatical."
    assert f"samples 5 sentences from “{first}” at temperature 0.5" in b.check_text(first)
