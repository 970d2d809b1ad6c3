"""Beam search: exhaustive optimum at full width, greedy at width 1, the recorded tree, the built-in
corpus where beam finds a more probable sentence than greedy."""

from __future__ import annotations

import math

import numpy as np
import pytest

import rnn_core as rc
from rnn_core.beam import MAX_CANDIDATES, beam_search
from rnn_core.corpora import BUILTINS, builtin_corpus
from rnn_core.limits import BEAM_WIDTH
from rnn_core.step import forward_step

BEAM_CORPUS = "beam beats greedy: like / love"


def small_model(seed: int) -> rc.Model:
    """An untrained word model with V = 4 (three words and </s>): probabilities spread out."""
    corpus = rc.make_corpus("a b c", "word")
    return rc.new_model(corpus, rc.TrainConfig(hidden_size=3, embed_dim=2, seed=seed))


def every_continuation(model: rc.Model, prompt: list[str], max_tokens: int) -> dict[tuple, float]:
    """Brute force: every continuation that ends at </s> or after max_tokens tokens, with its
    log probability, by walking the whole tree of tokens with ``forward_step``."""
    params, V = model.params, len(model.vocab)
    eos = model.vocab.id(rc.EOS)
    h = np.zeros(params.W_h.shape[0])
    ids = model.vocab.encode(prompt)
    for i in ids[:-1]:
        h = forward_step(params, i, h).h
    out = {}

    def walk(token, h, seq, log_p):
        f = forward_step(params, token, h)
        for v in range(V):
            lp = log_p + math.log(f.probs[v])
            if v == eos or len(seq) + 1 == max_tokens:
                out[seq + (v,)] = lp
            else:
                walk(v, f.h, seq + (v,), lp)

    walk(ids[-1], h, (), 0.0)
    return out


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("length_norm", [False, True])
def test_width_v_to_the_steps_finds_the_exhaustive_optimum(seed, length_norm):
    model, max_tokens = small_model(seed), 4
    every = every_continuation(model, ["a", "b"], max_tokens)
    score = (lambda s: every[s] / len(s)) if length_norm else every.get
    optimum = max(every, key=score)
    result = beam_search(model, ["a", "b"], 4**max_tokens, max_tokens=max_tokens, length_norm=length_norm)
    assert result.best.ids == optimum
    assert result.best.log_p == pytest.approx(every[optimum], abs=1e-12)
    assert result.best.score == pytest.approx(score(optimum), abs=1e-12)
    # nothing was pruned: every continuation is complete, with its brute-force log p
    assert all(step.n_pruned == 0 and step.pruned == () for step in result.steps)
    assert {h.ids: h.log_p for h in result.complete} == pytest.approx(every, abs=1e-12)


def test_length_normalisation_changes_the_winner_in_one_of_the_exhaustive_cases():
    """Keeps the length-norm case above from passing vacuously: for some model it matters."""
    winners = []
    for seed in range(4):
        every = every_continuation(small_model(seed), ["a", "b"], 4)
        winners.append((max(every, key=every.get), max(every, key=lambda s: every[s] / len(s))))
    assert any(plain != normed for plain, normed in winners)


@pytest.mark.parametrize("length_norm", [False, True])
def test_width_one_is_greedy(random_model, length_norm):
    for prompt in ("one", "three four"):
        greedy = rc.generate(random_model, prompt, rc.GREEDY, max_tokens=12)
        result = beam_search(random_model, prompt, 1, max_tokens=12, length_norm=length_norm)
        picked = [tr.token_id for tr in greedy if tr.how != "prompt"]
        assert list(result.best.ids) == picked
        assert all(len(step.kept) == 1 for step in result.steps)
        assert result.best.log_p == pytest.approx(sum(math.log(tr.p_token) for tr in greedy if tr.how != "prompt"))
        assert result.greedy_log_p == pytest.approx(result.best.log_p, abs=1e-12)


def test_best_path_traces_are_the_forced_generation_of_its_tokens(random_model):
    result = beam_search(random_model, "two three", 3, max_tokens=6)
    traces = result.traces
    assert [tr.how for tr in traces] == ["prompt"] + ["forced"] * len(result.best.ids)
    assert tuple(tr.token_id for tr in traces[1:]) == result.best.ids
    assert traces[0].input == "two" and traces[0].token == "three"
    assert sum(math.log(tr.p_token) for tr in traces[1:]) == pytest.approx(result.best.log_p, abs=1e-12)
    # step numbers line up: the k-th beam step scored the k-th generated token at trace t
    for step, tr in zip(result.steps, traces[1:]):
        assert step.t == tr.t


def test_every_recorded_hypothesis_extends_its_parent_with_the_models_log_p(random_model):
    result = beam_search(random_model, "one", 3, max_tokens=5)
    tokens = random_model.vocab.tokens
    for i, step in enumerate(result.steps):
        for hyp in step.kept + step.pruned:
            if i == 0:
                assert hyp.parent is None and len(hyp.ids) == 1
            else:
                parent = result.steps[i - 1].kept[hyp.parent]
                assert hyp.ids[:-1] == parent.ids and not parent.finished
            # independent log p: teacher-force the prompt and the hypothesis through the model
            forced = rc.decoding.teacher_forced(random_model, ["one"] + [tokens[v] for v in hyp.ids])
            assert hyp.log_p == pytest.approx(sum(math.log(tr.p_token) for tr in forced), abs=1e-12)
            assert hyp.score == hyp.log_p and hyp.finished == (tokens[hyp.ids[-1]] == rc.EOS)


def test_kept_are_the_best_candidates_and_the_beam_narrows_as_sentences_finish():
    model, width = small_model(0), 4
    result = beam_search(model, "a", width, max_tokens=8)
    V, finished, live = len(model.vocab), 0, 1
    for step in result.steps:
        candidates = live * V  # every live hypothesis extended by every token
        assert len(step.kept) == min(width - finished, candidates)
        assert len(step.kept) + step.n_pruned == candidates == len(step.kept) + len(step.pruned)
        scores = [h.score for h in step.kept + step.pruned]
        assert scores == sorted(scores, reverse=True)
        finished += sum(h.finished for h in step.kept)
        live = sum(not h.finished for h in step.kept)
    assert finished > 0  # the beam did narrow in this run
    assert result.best == result.complete[0]
    assert [h.score for h in result.complete] == sorted((h.score for h in result.complete), reverse=True)


def test_max_pruned_records_only_the_best_pruned_but_counts_them_all(random_model):
    full = beam_search(random_model, "one", 2, max_tokens=4)
    capped = beam_search(random_model, "one", 2, max_tokens=4, max_pruned=3)
    for a, b in zip(full.steps, capped.steps):
        assert b.kept == a.kept and b.pruned == a.pruned[:3] and b.n_pruned == a.n_pruned > 3


def test_beam_finds_a_more_probable_sentence_than_greedy_on_its_builtin_corpus():
    b = BUILTINS[BEAM_CORPUS]
    corpus = builtin_corpus(BEAM_CORPUS)
    config = rc.TrainConfig(hidden_size=b.hidden_size, steps=b.steps)  # what the Train page uses
    model, report = rc.train(rc.new_model(corpus, config), corpus, config)
    assert report.status == "done"
    result = beam_search(model, "I", 2, max_tokens=10)
    greedy = [tr.token for tr in result.greedy if tr.how != "prompt"]
    assert greedy[0] == "like" and greedy[-1] == rc.EOS
    assert rc.decoding.text_of(model, result.traces) == "I love music </s>"
    # the lesson's numbers: greedy's sentence about 4/7 x 1/4 = 1/7, beam's about 3/7
    assert math.exp(result.greedy_log_p) == pytest.approx(1 / 7, abs=0.02)
    assert math.exp(result.best.log_p) == pytest.approx(3 / 7, abs=0.02)


@pytest.mark.parametrize("width", [0, -1, BEAM_WIDTH.high + 1, 2.0, True, "2"])
def test_a_bad_width_is_refused(random_model, width):
    with pytest.raises(rc.ConfigError, match="beam width"):
        beam_search(random_model, "one", width)


def test_a_width_too_large_for_the_vocabulary_is_refused_with_the_largest_allowed():
    corpus = rc.make_corpus(" ".join(f"w{i}" for i in range(999)), "word")  # V = 1000 with </s>
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=2, embed_dim=2))
    largest = MAX_CANDIDATES // 1000
    beam_search(model, "w0", largest, max_tokens=1)
    with pytest.raises(rc.ConfigError, match=f"at most {largest}"):
        beam_search(model, "w0", largest + 1, max_tokens=1)


@pytest.mark.parametrize("kwargs, error", [
    ({"max_tokens": 0}, rc.ConfigError),
    ({"max_pruned": -1}, rc.ConfigError),
    ({"prompt": "eleven"}, rc.VocabularyError),
    ({"prompt": ""}, rc.VocabularyError),
])
def test_bad_settings_are_refused(random_model, kwargs, error):
    with pytest.raises(error):
        beam_search(random_model, **{"prompt": "one", "width": 2, **kwargs})


def test_without_end_token_every_hypothesis_runs_to_max_tokens():
    corpus = rc.make_corpus("abcab", "char")  # char level: no </s> in the vocabulary
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=3, embed_dim=2))
    result = beam_search(model, "a", 2, max_tokens=3)
    assert [len(step.kept) for step in result.steps] == [2, 2, 2]
    assert len(result.complete) == 2
    assert all(len(h.ids) == 3 and not h.finished for h in result.complete)
