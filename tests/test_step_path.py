"""ui/step/path.py: Step-Through's path cache, forks, and what the class has seen so far."""

import numpy as np

import rnn_core as rc
from ui.step import path as sp
from ui.step.settings import Settings


def test_fork_path_reuses_earlier_steps_and_equals_generate_with_the_forced_token(trained_seed):
    cache, s = {}, Settings(word="I", seed=0)
    path = sp.get_path(cache, trained_seed, 1, s, {})
    assert sp.get_path(cache, trained_seed, 1, s, {}) is path  # computed once
    learning = trained_seed.vocab.id("learning")
    forks = sp.fork_path(cache, trained_seed, 1, s, {}, path, 2, learning)
    assert forks == {2: learning}
    forked = sp.get_path(cache, trained_seed, 1, s, forks)
    assert forked[0] is path[0]  # step 1 is not recomputed
    assert forked[1].token == "learning" and forked[1].how == "forced"
    np.testing.assert_array_equal(forked[1].probs, path[1].probs)
    by_generate = rc.generate(trained_seed, "I", rc.Rule("sample"), max_tokens=20, seed=0, forced={2: learning})
    assert [t.token for t in forked] == [t.token for t in by_generate]
    for a, b in zip(forked, by_generate):
        np.testing.assert_allclose(a.h, b.h, atol=1e-15)


def test_forcing_earlier_drops_later_forks():
    assert sp.add_fork({2: 1, 5: 3}, 4, 0) == {2: 1, 4: 0}
    assert sp.add_fork({2: 1, 5: 3}, 2, 0) == {2: 0}


def test_cache_keeps_the_newest_paths(trained_seed):
    cache = {}
    for seed in range(sp.CACHE_SIZE + 3):
        sp.get_path(cache, trained_seed, 1, Settings(word="I", seed=seed), {})
    assert len(cache) == sp.CACHE_SIZE
    assert sp.path_key(1, Settings(word="I", seed=sp.CACHE_SIZE + 2), {}) in cache
    assert sp.path_key(1, Settings(word="I", seed=0), {}) not in cache


def test_a_links_forks_apply_in_order_and_impossible_ones_are_refused(trained_seed):
    """greedy I -> love deep learning </s>: forcing </s> at step 1 ends the path there, so a fork
    at step 3 has no step to apply to; a prompt step has no pick to replace."""
    vocab = trained_seed.vocab
    s = Settings(word="I", rule=rc.GREEDY)
    forks, warnings = sp.apply_forks({}, trained_seed, 1, s, {2: vocab.id("I"), 3: vocab.id("deep")})
    assert forks == {2: vocab.id("I"), 3: vocab.id("deep")} and warnings == []
    forks, (w,) = sp.apply_forks({}, trained_seed, 1, s, {1: vocab.id(rc.EOS), 3: vocab.id("deep")})
    assert forks == {1: vocab.id(rc.EOS)} and "step 3" in w and "the path has 1 steps" in w
    forks, (w,) = sp.apply_forks({}, trained_seed, 1, Settings(word="I love", rule=rc.GREEDY), {1: vocab.id("deep")})
    assert forks == {} and "step 1 feeds the prompt" in w


def test_finished_reason_names_eos_or_the_limit(trained_seed):
    done = rc.generate(trained_seed, "I", rc.GREEDY, max_tokens=20)
    assert "picked </s> at step 4" in sp.finished_reason(done, 20)
    cut = rc.generate(trained_seed, "I", rc.GREEDY, max_tokens=2)
    assert "length limit of 2" in sp.finished_reason(cut, 2)


def test_no_token_of_a_later_step_is_in_the_path_so_far(trained_seed):
    traces = rc.generate(trained_seed, "I", rc.GREEDY, max_tokens=20)  # I love deep learning </s>
    assert sp.tokens_so_far(traces, 1, revealed=True) == ["I", "love"]
    assert sp.tokens_so_far(traces, 1, revealed=False) == ["I"]  # guessing step 1's pick
    assert sp.tokens_so_far(traces, 3, revealed=True) == ["I", "love", "deep", "learning"]


def test_a_snapshots_path_is_walked_with_its_weights_and_cached_apart():
    model = rc.seed_model()
    trained, _, _ = rc.training.record_training(model, rc.seed_corpus(), model.config)
    cache = {}
    own = sp.get_path(cache, trained, 1, Settings(word="I"), {})
    early = sp.get_path(cache, trained, 1, Settings(word="I", weights=0), {})
    assert len(cache) == 2
    by_hand = rc.generate(rc.seed_model(), "I", rc.Rule("sample"), max_tokens=20, seed=0)  # step 0 = initial weights
    assert [t.token for t in early] == [t.token for t in by_hand]
    np.testing.assert_allclose(early[0].probs, by_hand[0].probs, atol=1e-15)
    assert not np.allclose(early[0].probs, own[0].probs)
